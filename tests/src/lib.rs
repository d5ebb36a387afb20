//! Helpers for the end-to-end tests: a fresh database per test on each backend, and the `migrate`
//! binary pointed at it.
//!
//! Servers are found through `TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432`,
//! PostgreSQL 15), `TEST_POSTGRES18_URL` (default `postgres://postgres@127.0.0.1:5418`, the
//! PostgreSQL 18 that `.ci/run` starts) and `TEST_MYSQL_URL` (default
//! `mysql://root@127.0.0.1:3306`). When one cannot be reached, its tests fail under CI (`CI` set)
//! and are skipped with a message anywhere else.

pub mod corpus;
pub mod scenario;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

/// A database backend under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL at `TEST_POSTGRES_URL`, version 15 by default.
    Postgres,
    /// PostgreSQL 18 at `TEST_POSTGRES18_URL`: the same dialect, newer catalogs.
    Postgres18,
    MySql,
    Sqlite,
}

impl Backend {
    /// Whether the backend speaks PostgreSQL, whichever server version it is.
    pub fn is_postgres(self) -> bool {
        matches!(self, Backend::Postgres | Backend::Postgres18)
    }

    /// The server URL without a database, for network backends.
    pub fn server_url(self) -> Option<String> {
        let (var, default) = match self {
            Backend::Postgres => ("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
            Backend::Postgres18 => ("TEST_POSTGRES18_URL", "postgres://postgres@127.0.0.1:5418"),
            Backend::MySql => ("TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306"),
            Backend::Sqlite => return None,
        };
        Some(std::env::var(var).unwrap_or_else(|_| default.to_owned()))
    }
}

/// Whether the tests run under CI, where every backend is required.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Reports a backend that cannot be used: fails under CI, skips with a message elsewhere.
pub fn unavailable(what: &str, why: &str) {
    if in_ci() {
        panic!("{what} is required under CI but {why}");
    }
    eprintln!("skipped: {what} {why} (set CI=true to make this a failure)");
}

/// Whether the server of `backend` answers (SQLite has none and always does); when it does not,
/// says so through [`unavailable`].
pub fn server_reachable(backend: Backend) -> bool {
    let Some(server) = backend.server_url() else {
        return true;
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    match runtime.block_on(Database::connect(admin_url(backend, &server))) {
        Ok(db) => {
            runtime.block_on(db.close()).ok();
            true
        }
        Err(e) => {
            unavailable(&format!("{backend:?} at {server}"), &format!("is not reachable: {e}"));
            false
        }
    }
}

/// A database of its own for one test, dropped when the test ends.
pub struct TestDb {
    pub backend: Backend,
    /// The URL to hand to `migrate --database-url`.
    pub url: String,
    name: String,
    /// The working directory for `migrate` runs; holds the SQLite file.
    pub dir: tempfile::TempDir,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl TestDb {
    /// Creates an empty database for the test `label`; `None` when the backend is unavailable
    /// outside CI.
    pub async fn create(backend: Backend, label: &str) -> Option<TestDb> {
        let dir = tempfile::tempdir().expect("temporary directory");
        let name = format!(
            "autogen_{label}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let url = match backend.server_url() {
            None => format!("sqlite://{}", dir.path().join("test.db").display()),
            Some(server) => {
                let admin = match Database::connect(admin_url(backend, &server)).await {
                    Ok(admin) => admin,
                    Err(e) => {
                        unavailable(&format!("{backend:?} at {server}"), &format!("is not reachable: {e}"));
                        return None;
                    }
                };
                let quoted = quote(backend, &name);
                exec(&admin, &format!("DROP DATABASE IF EXISTS {quoted}")).await;
                exec(&admin, &format!("CREATE DATABASE {quoted}")).await;
                admin.close().await.ok();
                format!("{server}/{name}")
            }
        };
        Some(TestDb {
            backend,
            url,
            name,
            dir,
        })
    }

    /// A `migrate` command on this database, run in the test's own directory with no
    /// `DATABASE_URL` from the environment.
    pub fn migrate(&self) -> assert_cmd::Command {
        let mut cmd = migrate_command();
        cmd.current_dir(self.dir.path()).arg("--database-url").arg(&self.url);
        cmd
    }

    /// A connection for inspecting the database directly.
    pub async fn connect(&self) -> DatabaseConnection {
        Database::connect(&self.url).await.expect("connect to the test database")
    }

    /// Runs a SQL script as `migrate ... --sql` prints it (`statement;` per line, `--` comments),
    /// on one connection so that its BEGIN and COMMIT hold.
    pub async fn run_script(&self, script: &str) {
        let mut options = sea_orm::ConnectOptions::new(self.url.clone());
        options.max_connections(1);
        let db = Database::connect(options).await.expect("connect to the test database");
        for line in script.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("--")) {
            let statement = line.strip_suffix(';').unwrap_or(line);
            db.execute_unprepared(statement)
                .await
                .unwrap_or_else(|e| panic!("`{statement}` failed: {e}"));
        }
        db.close().await.ok();
    }

    /// The tables in the database, sorted, bookkeeping included.
    pub async fn tables(&self) -> Vec<String> {
        let sql = match self.backend {
            Backend::Postgres | Backend::Postgres18 => {
                "SELECT table_name::text AS name FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            }
            Backend::MySql => {
                "SELECT CAST(table_name AS CHAR) AS name FROM information_schema.tables \
                 WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'"
            }
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            }
        };
        self.names(sql).await
    }

    /// The enum types in the database (PostgreSQL only; empty elsewhere).
    pub async fn enum_types(&self) -> Vec<String> {
        if !self.backend.is_postgres() {
            return Vec::new();
        }
        self.names(
            "SELECT t.typname::text AS name FROM pg_type t \
             JOIN pg_namespace n ON n.oid = t.typnamespace \
             WHERE t.typtype = 'e' AND n.nspname = current_schema()",
        )
        .await
    }

    /// The indexes of one table, sorted (PostgreSQL, MySQL and SQLite catalogs).
    pub async fn indexes(&self, table: &str) -> Vec<String> {
        let sql = match self.backend {
            Backend::Postgres | Backend::Postgres18 => format!(
                "SELECT indexname::text AS name FROM pg_indexes \
                 WHERE schemaname = current_schema() AND tablename = '{table}'"
            ),
            Backend::MySql => format!(
                "SELECT DISTINCT CAST(index_name AS CHAR) AS name FROM information_schema.statistics \
                 WHERE table_schema = DATABASE() AND table_name = '{table}'"
            ),
            Backend::Sqlite => format!(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '{table}'"
            ),
        };
        self.names(&sql).await
    }

    async fn names(&self, sql: &str) -> Vec<String> {
        let db = self.connect().await;
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(backend, sql.to_owned()))
            .await
            .expect("catalog query");
        let mut names: Vec<String> = rows
            .iter()
            .map(|row| row.try_get::<String>("", "name").expect("name column"))
            .collect();
        names.sort();
        db.close().await.ok();
        names
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(server) = self.backend.server_url() else {
            return;
        };
        let backend = self.backend;
        let statement = format!("DROP DATABASE IF EXISTS {}", quote(backend, &self.name));
        // The test's runtime may be shutting down; drop the database from a runtime of our own.
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                if let Ok(admin) = Database::connect(admin_url(backend, &server)).await {
                    let _ = admin.execute_unprepared(&statement).await;
                    admin.close().await.ok();
                }
            });
        })
        .join()
        .ok();
    }
}

/// The URL of a database that always exists on the server, for creating and dropping others.
fn admin_url(backend: Backend, server: &str) -> String {
    if backend.is_postgres() {
        format!("{server}/postgres")
    } else {
        server.to_owned()
    }
}

fn quote(backend: Backend, name: &str) -> String {
    match backend {
        Backend::MySql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    }
}

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("`{sql}` failed: {e}"));
}

/// The `migrate` binary of this workspace, built by `cargo test` alongside the tests.
pub fn migrate_binary() -> PathBuf {
    let path = assert_cmd::cargo::cargo_bin("migrate");
    assert!(
        path.is_file(),
        "the migrate binary is missing at {}: run the tests with `cargo test --workspace`",
        path.display()
    );
    path
}

/// A `migrate` command with no database chosen by the environment.
pub fn migrate_command() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(migrate_binary());
    cmd.env_remove("DATABASE_URL").env_remove("MIGRATION_DIR");
    cmd
}

/// Standard output of a finished command as text.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error of a finished command as text.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Declares one `#[tokio::test]` per backend for an async scenario `fn(Backend)`.
#[macro_export]
macro_rules! on_every_backend {
    ($($scenario:ident),* $(,)?) => {
        mod postgres {
            $(#[tokio::test] async fn $scenario() { super::$scenario($crate::Backend::Postgres).await })*
        }
        mod postgres18 {
            $(#[tokio::test] async fn $scenario() { super::$scenario($crate::Backend::Postgres18).await })*
        }
        mod mysql {
            $(#[tokio::test] async fn $scenario() { super::$scenario($crate::Backend::MySql).await })*
        }
        mod sqlite {
            $(#[tokio::test] async fn $scenario() { super::$scenario($crate::Backend::Sqlite).await })*
        }
    };
}
