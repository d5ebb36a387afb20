//! The migration lock: one `migrate` process at a time changes a database. Others wait, then find
//! the work done. PostgreSQL takes a session advisory lock, MySQL/MariaDB a named `GET_LOCK`, and
//! SQLite an exclusive lock on a file beside the database, each on a connection of its own that
//! lives as long as the lock.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::database::{self, DatabaseUrl, db_message};
use crate::{Error, Result};

/// How long to wait for another process's lock before giving up.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(600);

/// A held migration lock; released by [`MigrationLock::release`] or when the process ends.
pub struct MigrationLock {
    held: Held,
}

enum Held {
    Server(DatabaseConnection, String),
    File(std::fs::File),
    Nothing,
}

/// The key of the PostgreSQL advisory lock: a fixed number for "sea-orm-autogen migrations"
/// (advisory locks are per database, so one key serves every database).
const PG_KEY: i64 = 0x5ea0_a070_6e4d_1647;

fn lock_error(e: sea_orm::DbErr) -> Error {
    Error::Database(format!("cannot take the migration lock: {}", db_message(&e)))
}

impl MigrationLock {
    /// Takes the lock for the database at `url`; `waiting` is called once if another process
    /// holds it, before this one waits.
    pub async fn acquire(url: &DatabaseUrl, waiting: impl FnOnce()) -> Result<MigrationLock> {
        match url.backend() {
            DbBackend::Postgres => {
                let conn = database::connect_single(url).await?;
                let got = query_bool(&conn, &format!("SELECT pg_try_advisory_lock({PG_KEY}) AS got")).await?;
                if !got {
                    waiting();
                    conn.execute_unprepared(&format!("SET lock_timeout = '{}s'", LOCK_TIMEOUT.as_secs()))
                        .await
                        .map_err(lock_error)?;
                    conn.execute_unprepared(&format!("SELECT pg_advisory_lock({PG_KEY})"))
                        .await
                        .map_err(lock_error)?;
                }
                Ok(MigrationLock { held: Held::Server(conn, format!("SELECT pg_advisory_unlock({PG_KEY})")) })
            }
            DbBackend::MySql => {
                let conn = database::connect_single(url).await?;
                let name = "CONCAT('sea-orm-autogen:', DATABASE())";
                let got = query_bool(&conn, &format!("SELECT GET_LOCK({name}, 0) = 1 AS got")).await?;
                if !got {
                    waiting();
                    let got = query_bool(
                        &conn,
                        &format!("SELECT GET_LOCK({name}, {}) = 1 AS got", LOCK_TIMEOUT.as_secs()),
                    )
                    .await?;
                    if !got {
                        return Err(Error::Database(format!(
                            "another migrate process held the migration lock for {} s",
                            LOCK_TIMEOUT.as_secs()
                        )));
                    }
                }
                Ok(MigrationLock { held: Held::Server(conn, format!("SELECT RELEASE_LOCK({name})")) })
            }
            _ => match url.sqlite_file() {
                None => Ok(MigrationLock { held: Held::Nothing }),
                Some(path) => {
                    let lock_path = path.with_file_name(format!(
                        "{}.migrate-lock",
                        path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
                    ));
                    let file = std::fs::OpenOptions::new()
                        .create(true)
                        .truncate(false)
                        .write(true)
                        .open(&lock_path)
                        .map_err(|e| Error::Io { path: lock_path.clone(), reason: e.to_string() })?;
                    let file = match file.try_lock() {
                        Ok(()) => file,
                        Err(_) => {
                            waiting();
                            tokio::task::spawn_blocking(move || file.lock().map(|()| file))
                                .await
                                .map_err(|e| Error::Database(e.to_string()))?
                                .map_err(|e| Error::Io { path: lock_path, reason: e.to_string() })?
                        }
                    };
                    Ok(MigrationLock { held: Held::File(file) })
                }
            },
        }
    }

    /// Releases the lock.
    pub async fn release(self) -> Result<()> {
        match self.held {
            Held::Server(conn, unlock) => {
                conn.execute_unprepared(&unlock).await.map_err(lock_error)?;
                conn.close().await.ok();
            }
            Held::File(file) => {
                let _ = file.unlock();
            }
            Held::Nothing => {}
        }
        Ok(())
    }
}

async fn query_bool(conn: &DatabaseConnection, sql: &str) -> Result<bool> {
    let backend = conn.get_database_backend();
    let row = conn
        .query_one_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .map_err(lock_error)?
        .ok_or_else(|| Error::Database("the lock query returned nothing".into()))?;
    // Both servers answer with an integer or boolean; read whichever it is.
    row.try_get::<bool>("", "got")
        .or_else(|_| row.try_get::<i64>("", "got").map(|n| n == 1))
        .or_else(|_| row.try_get::<i32>("", "got").map(|n| n == 1))
        .map_err(lock_error)
}
