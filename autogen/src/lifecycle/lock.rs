//! The migration lock: one `migrate` process at a time changes a database. Others wait, then find
//! the work done. PostgreSQL takes a session advisory lock, MySQL/MariaDB a named `GET_LOCK`, and
//! SQLite an exclusive lock on a file beside the database.
//!
//! A server lock belongs to a session, so it lives on a connection of its own, outside any pool
//! (a pool closes connections that sit idle, and the server then releases their locks). A
//! background task keeps that connection busy with a cheap query, and [`MigrationLock::ensure_held`]
//! asks the server, before each migration, whether the lock is still ours.
//!
//! The same file lock, on a folder, serializes the commands that write migration sources.

use std::fs::File;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sea_orm::DbBackend;
use sea_orm::sqlx::{self, Connection, MySqlConnection, PgConnection};
use tokio::sync::Mutex;

use crate::database::{self, CONNECT_TIMEOUT, DatabaseUrl, mask_secrets};
use crate::{Error, Result};

/// How often the lock's connection runs its keep-alive query.
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);

/// How often a process waiting for a file lock tries again.
const FILE_LOCK_POLL: Duration = Duration::from_millis(100);

/// The key of the PostgreSQL advisory lock: a fixed number for "sea-orm-autogen migrations"
/// (advisory locks are per database, so one key serves every database).
const PG_KEY: i64 = 0x5ea0_a070_6e4d_1647;


/// A held migration lock; released by [`MigrationLock::release`], or when the process ends.
pub struct MigrationLock {
    held: Held,
    /// Why the keep-alive query failed, once it has.
    lost: Arc<std::sync::Mutex<Option<String>>>,
    keepalive: Option<tokio::task::JoinHandle<()>>,
}

enum Held {
    Postgres(Arc<Mutex<PgConnection>>),
    MySql(Arc<Mutex<MySqlConnection>>),
    File(FileLock),
    Nothing,
}

fn lock_error(e: sqlx::Error) -> Error {
    Error::Database(format!("cannot take the migration lock: {}", mask_secrets(&e.to_string())))
}

impl MigrationLock {
    /// Takes the lock for the database at `url`; `waiting` is called once if another process
    /// holds it, before this one waits (at most [`database::lock_timeout`]).
    pub async fn acquire(url: &DatabaseUrl, waiting: impl FnOnce()) -> Result<MigrationLock> {
        let timeout = database::lock_timeout()?;
        let held = match url.backend() {
            DbBackend::Postgres => Held::Postgres(Arc::new(Mutex::new(lock_postgres(url, timeout, waiting).await?))),
            DbBackend::MySql => Held::MySql(Arc::new(Mutex::new(lock_mysql(url, timeout, waiting).await?))),
            _ => match url.sqlite_file() {
                None => Held::Nothing,
                Some(path) => {
                    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
                    name.push(".migrate-lock");
                    Held::File(FileLock::acquire(&path.with_file_name(name), timeout, waiting).await?)
                }
            },
        };
        let lost = Arc::new(std::sync::Mutex::new(None));
        let keepalive = match &held {
            Held::Postgres(conn) => Some(spawn_keepalive(conn.clone(), lost.clone())),
            Held::MySql(conn) => Some(spawn_keepalive(conn.clone(), lost.clone())),
            _ => None,
        };
        Ok(MigrationLock { held, lost, keepalive })
    }

    /// Fails with [`Error::LockLost`] unless this process still holds the lock: the server still
    /// lists it for our session, or the lock file is still the one we locked.
    pub async fn ensure_held(&self) -> Result<()> {
        if let Some(reason) = self.lost.lock().ok().and_then(|lost| lost.clone()) {
            return Err(Error::LockLost(reason));
        }
        let lost = |e: sqlx::Error| Error::LockLost(format!("its connection failed: {}", mask_secrets(&e.to_string())));
        let held = match &self.held {
            Held::Postgres(conn) => {
                let key = PG_KEY as u64;
                sqlx::query_scalar::<_, bool>(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' \
                     AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 1 \
                     AND pid = pg_backend_pid() AND granted)",
                )
                .bind((key >> 32) as i64)
                .bind((key & 0xffff_ffff) as i64)
                .fetch_one(&mut *conn.lock().await)
                .await
                .map_err(lost)?
            }
            // `GET_LOCK` names are global to the server: ours is named after the database.
            Held::MySql(conn) => sqlx::query_scalar::<_, Option<i64>>(
                "SELECT IS_USED_LOCK(CONCAT('sea-orm-autogen:', DATABASE())) = CONNECTION_ID()",
            )
            .fetch_one(&mut *conn.lock().await)
            .await
            .map_err(lost)?
                == Some(1),
            Held::File(lock) => lock.still_ours(),
            Held::Nothing => true,
        };
        if held {
            Ok(())
        } else {
            Err(Error::LockLost("the server no longer lists it for this session".to_owned()))
        }
    }

    /// Releases the lock.
    pub async fn release(mut self) -> Result<()> {
        if let Some(task) = self.keepalive.take() {
            task.abort();
        }
        match std::mem::replace(&mut self.held, Held::Nothing) {
            Held::Postgres(conn) => {
                let mut conn = conn.lock().await;
                sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(PG_KEY)
                    .execute(&mut *conn)
                    .await
                    .map_err(lock_error)?;
            }
            Held::MySql(conn) => {
                let mut conn = conn.lock().await;
                sqlx::query("DO RELEASE_LOCK(CONCAT('sea-orm-autogen:', DATABASE()))")
                    .execute(&mut *conn)
                    .await
                    .map_err(lock_error)?;
            }
            Held::File(lock) => lock.release(),
            Held::Nothing => {}
        }
        Ok(())
    }
}

impl Drop for MigrationLock {
    fn drop(&mut self) {
        if let Some(task) = self.keepalive.take() {
            task.abort();
        }
    }
}

/// Connects outside any pool, within [`CONNECT_TIMEOUT`], logging none of its statements (its
/// keep-alive queries are not the migration's).
async fn connect_alone<C: Connection>(url: &DatabaseUrl, options: C::Options) -> Result<C> {
    database::reach(url).await?;
    let options = sqlx::ConnectOptions::disable_statement_logging(options);
    match tokio::time::timeout(CONNECT_TIMEOUT, C::connect_with(&options)).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(url.connect_error(&e)),
        Err(_) => Err(url.connect_error(&format!(
            "the server accepted the connection but did not answer within {} s",
            CONNECT_TIMEOUT.as_secs()
        ))),
    }
}

fn held_too_long(timeout: Duration) -> Error {
    Error::LockTimeout(format!(
        "another migrate process held the migration lock for {} s; giving up",
        timeout.as_secs_f64().round()
    ))
}

async fn lock_postgres(url: &DatabaseUrl, timeout: Duration, waiting: impl FnOnce()) -> Result<PgConnection> {
    let options = url.postgres_options()?.application_name("sea-orm-autogen migration lock");
    let mut conn: PgConnection = connect_alone(url, options).await?;
    let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(PG_KEY)
        .fetch_one(&mut conn)
        .await
        .map_err(lock_error)?;
    if !got {
        waiting();
        sqlx::query("SELECT set_config('lock_timeout', $1, false)")
            .bind(format!("{}ms", timeout.as_millis()))
            .execute(&mut conn)
            .await
            .map_err(lock_error)?;
        let waited = sqlx::query("SELECT pg_advisory_lock($1)").bind(PG_KEY).execute(&mut conn).await;
        match waited {
            Ok(_) => {}
            // 55P03: lock_timeout ran out.
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("55P03") => {
                return Err(held_too_long(timeout));
            }
            Err(e) => return Err(lock_error(e)),
        }
        sqlx::query("SET lock_timeout = 0").execute(&mut conn).await.map_err(lock_error)?;
    }
    Ok(conn)
}

async fn lock_mysql(url: &DatabaseUrl, timeout: Duration, waiting: impl FnOnce()) -> Result<MySqlConnection> {
    let mut conn: MySqlConnection = connect_alone(url, url.mysql_options()?).await?;
    let try_lock = "SELECT GET_LOCK(CONCAT('sea-orm-autogen:', DATABASE()), ?)";
    let got: Option<i64> = sqlx::query_scalar(try_lock).bind(0.0).fetch_one(&mut conn).await.map_err(lock_error)?;
    if got != Some(1) {
        waiting();
        let got: Option<i64> = sqlx::query_scalar(try_lock)
            .bind(timeout.as_secs_f64())
            .fetch_one(&mut conn)
            .await
            .map_err(lock_error)?;
        if got != Some(1) {
            return Err(held_too_long(timeout));
        }
    }
    Ok(conn)
}

/// Runs a cheap query on the lock's connection every [`KEEPALIVE_INTERVAL`], so that neither the
/// server nor anything in between closes it for being idle; records why, if it fails.
fn spawn_keepalive<C: Connection + 'static>(
    conn: Arc<Mutex<C>>,
    lost: Arc<std::sync::Mutex<Option<String>>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(KEEPALIVE_INTERVAL).await;
            if let Err(e) = conn.lock().await.ping().await {
                if let Ok(mut lost) = lost.lock() {
                    *lost = Some(format!("its connection failed: {}", mask_secrets(&e.to_string())));
                }
                return;
            }
        }
    })
}

/// An exclusive lock on a file, or on a folder, held as long as the value lives.
pub struct FileLock {
    file: File,
    path: PathBuf,
}

impl FileLock {
    /// Locks the file at `path`, creating it with mode 0600 if needed and refusing to follow a
    /// symbolic link planted there; writes this process's id into it once locked. `waiting` is
    /// called once if another process holds it; after `timeout` the error names the file and
    /// the holder's process id.
    pub async fn acquire(path: &Path, timeout: Duration, waiting: impl FnOnce()) -> Result<FileLock> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(path)
            .map_err(|e| refused(path, &e))?;
        let metadata = file.metadata().map_err(|e| io(path, &e))?;
        if !metadata.is_file() {
            return Err(Error::Io { path: path.to_owned(), reason: "is not a regular file".into() });
        }
        // A file made by an older version, or by hand, may be readable by others, and anyone
        // who can open it can lock it.
        if metadata.permissions().mode() & 0o077 != 0 {
            let _ = file.set_permissions(std::fs::Permissions::from_mode(0o600));
        }
        let mut lock = FileLock { file, path: path.to_owned() };
        lock.wait(timeout, waiting).await?;
        lock.write_holder();
        Ok(lock)
    }

    /// Locks the folder `dir` itself, writing nothing into it: for the commands that write
    /// migration sources, one at a time.
    pub async fn acquire_folder(dir: &Path, timeout: Duration, waiting: impl FnOnce()) -> Result<FileLock> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_DIRECTORY)
            .open(dir)
            .map_err(|e| refused(dir, &e))?;
        let mut lock = FileLock { file, path: dir.to_owned() };
        lock.wait(timeout, waiting).await?;
        Ok(lock)
    }

    async fn wait(&mut self, timeout: Duration, waiting: impl FnOnce()) -> Result<()> {
        let started = Instant::now();
        let mut waiting = Some(waiting);
        loop {
            match self.file.try_lock() {
                Ok(()) => return Ok(()),
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => return Err(io(&self.path, &e)),
            }
            if let Some(waiting) = waiting.take() {
                waiting();
            }
            if started.elapsed() >= timeout {
                let holder = match self.holder() {
                    Some(pid) => format!("process {pid}"),
                    None => "another process".to_owned(),
                };
                return Err(Error::LockTimeout(format!(
                    "{holder} has held the lock on {} for {} s; giving up",
                    self.path.display(),
                    timeout.as_secs_f64().round()
                )));
            }
            tokio::time::sleep(FILE_LOCK_POLL).await;
        }
    }

    /// The process id the holder wrote into the lock file.
    fn holder(&self) -> Option<u32> {
        std::fs::read_to_string(&self.path).ok()?.trim().parse().ok()
    }

    fn write_holder(&mut self) {
        use std::io::{Seek, Write};
        let _ = self.file.set_len(0);
        let _ = self.file.rewind();
        let _ = writeln!(self.file, "{}", std::process::id());
    }

    /// Whether the path still leads to the file we locked (not removed, not replaced).
    fn still_ours(&self) -> bool {
        match (std::fs::symlink_metadata(&self.path), self.file.metadata()) {
            (Ok(at_path), Ok(ours)) => at_path.dev() == ours.dev() && at_path.ino() == ours.ino(),
            _ => false,
        }
    }

    /// Unlocks.
    pub fn release(self) {
        let _ = self.file.unlock();
    }
}

fn refused(path: &Path, e: &std::io::Error) -> Error {
    let reason = match e.raw_os_error() {
        Some(libc::ELOOP) => "is a symbolic link; refusing to follow it".to_owned(),
        Some(libc::ENOTDIR) => "is not a folder".to_owned(),
        _ => e.to_string(),
    };
    Error::Io { path: path.to_owned(), reason }
}

fn io(path: &Path, e: &std::io::Error) -> Error {
    Error::Io { path: path.to_owned(), reason: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(label: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("autogen-lock-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[tokio::test]
    async fn a_symlink_at_the_lock_path_is_refused_and_its_target_untouched() {
        let dir = temp_dir("symlink");
        let target = dir.join("precious");
        std::fs::write(&target, "keep me\n").unwrap();
        let path = dir.join("app.db.migrate-lock");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        let err = FileLock::acquire(&path, Duration::from_secs(1), || {}).await.err().unwrap();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn the_wait_times_out_naming_the_file_and_its_holder() {
        let dir = temp_dir("timeout");
        let path = dir.join("app.db.migrate-lock");
        let first = FileLock::acquire(&path, Duration::from_secs(1), || {}).await.unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("{}\n", std::process::id()));
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let mut waited = false;
        let started = Instant::now();
        let err = FileLock::acquire(&path, Duration::from_millis(300), || waited = true).await.err().unwrap();
        assert!(waited);
        assert!(started.elapsed() < Duration::from_secs(3));
        let message = err.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains(&format!("process {}", std::process::id())), "{message}");
        assert!(first.still_ours());
        first.release();
        FileLock::acquire(&path, Duration::from_secs(1), || {}).await.unwrap().release();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn folders_lock_without_a_file_and_must_be_folders() {
        let dir = temp_dir("folder");
        let lock = FileLock::acquire_folder(&dir, Duration::from_secs(1), || {}).await.unwrap();
        assert!(FileLock::acquire_folder(&dir, Duration::from_millis(200), || {}).await.is_err());
        lock.release();
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "nothing written");
        let file = dir.join("file");
        std::fs::write(&file, "").unwrap();
        let err = FileLock::acquire_folder(&file, Duration::from_secs(1), || {}).await.err().unwrap();
        assert!(err.to_string().contains("is not a folder"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_replaced_lock_file_is_no_longer_ours() {
        let dir = temp_dir("replaced");
        let path = dir.join("x.migrate-lock");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let lock = runtime.block_on(FileLock::acquire(&path, Duration::from_secs(1), || {})).unwrap();
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, "").unwrap();
        assert!(!lock.still_ours());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
