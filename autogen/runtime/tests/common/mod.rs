//! Shared by the runtime's tests: a database of its own per test on PostgreSQL, MariaDB or
//! SQLite, the two ways a migration runs, and what the tests read back from the database.
//!
//! Servers are found through `TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432`)
//! and `TEST_MYSQL_URL` (default `mysql://root@127.0.0.1:3306`). A server that cannot be reached
//! fails the test under CI (`CI` set) and skips it with a message anywhere else.

#![allow(dead_code)] // Each test file uses its own part of these helpers.

use std::sync::atomic::{AtomicUsize, Ordering};

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement, TransactionTrait,
};
use sea_orm_autogen_runtime::Plan;
use sea_orm_migration::SchemaManager;

/// The table where a migration that manages its own transactions records how far it got.
pub const PROGRESS: &str = "seaql_migrations_progress";

/// How a migration runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Inside a transaction the caller opened and commits, as the runner does on PostgreSQL and
    /// SQLite.
    InTransaction,
    /// On the connection itself: the runtime manages its transactions and records its progress.
    Own,
}

/// An empty database made for one test, dropped when the test ends.
pub struct TestDb {
    /// Which backend it is on.
    pub backend: DbBackend,
    /// The test's connection to it.
    pub db: DatabaseConnection,
    url: String,
    /// For server databases: the server URL to reconnect to, and the database's name.
    server: Option<(String, String)>,
    /// Holds the SQLite file.
    _dir: tempfile::TempDir,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

impl TestDb {
    /// A new database on `backend` for the test `label`; `None` when the server is unreachable
    /// outside CI.
    pub async fn new(backend: DbBackend, label: &str) -> Option<TestDb> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let name = format!("runtime_{label}_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let (url, server) = match server_url(backend) {
            None => (format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display()), None),
            Some(server) => {
                let admin = match Database::connect(admin_url(backend, &server)).await {
                    Ok(admin) => admin,
                    Err(e) => {
                        let what = format!("{backend:?} at {server}");
                        assert!(!in_ci(), "{what} is required under CI but is not reachable: {e}");
                        eprintln!("skipped: {what} is not reachable: {e} (set CI=true to make this a failure)");
                        return None;
                    }
                };
                admin.execute_unprepared(&drop_database(backend, &name)).await.expect("drop a leftover test database");
                admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create the test database");
                admin.close().await.ok();
                (format!("{server}/{name}"), Some((server, name)))
            }
        };
        let db = Database::connect(&url).await.expect("connect to the test database");
        Some(TestDb { backend, db, url, server, _dir: dir })
    }

    /// A second session on the same database: a pool of one connection, so that its session
    /// settings hold for what it runs next.
    pub async fn connect(&self) -> DatabaseConnection {
        let mut options = ConnectOptions::new(self.url.clone());
        options.max_connections(1);
        Database::connect(options).await.expect("connect to the test database")
    }

    /// Runs SQL the test needs, failing the test when it fails.
    pub async fn exec(&self, sql: &str) {
        self.db.execute_unprepared(sql).await.unwrap_or_else(|e| panic!("`{sql}` failed: {e}"));
    }

    /// The first column of every row `sql` returns, as text.
    pub async fn texts(&self, sql: &str) -> Vec<String> {
        let rows = self
            .db
            .query_all_raw(Statement::from_string(self.backend, sql.to_owned()))
            .await
            .unwrap_or_else(|e| panic!("`{sql}` failed: {e}"));
        rows.iter().map(|row| row.try_get_by_index::<String>(0).expect("a text column")).collect()
    }

    /// The single integer `sql` returns.
    pub async fn number(&self, sql: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(Statement::from_string(self.backend, sql.to_owned()))
            .await
            .unwrap_or_else(|e| panic!("`{sql}` failed: {e}"))
            .unwrap_or_else(|| panic!("`{sql}` returned no row"));
        row.try_get_by_index::<i64>(0).expect("an integer column")
    }

    /// The schema as sorted lines (columns, indexes, constraints, views, triggers), without the
    /// progress table, to compare before and after.
    pub async fn schema(&self) -> Vec<String> {
        let sql = match self.backend {
            DbBackend::Postgres => {
                "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable \
                    || ' ' || coalesce(column_default, '') \
                 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'seaql_migrations_progress' \
                 UNION ALL SELECT 'index ' || indexdef FROM pg_indexes \
                 WHERE schemaname = current_schema() AND tablename <> 'seaql_migrations_progress' \
                 UNION ALL SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) \
                 FROM pg_constraint WHERE connamespace = current_schema()::regnamespace \
                 AND conrelid::regclass::text <> 'seaql_migrations_progress' \
                 UNION ALL SELECT 'view ' || viewname || ' ' || definition FROM pg_views WHERE schemaname = current_schema() \
                 UNION ALL SELECT 'trigger ' || tgname || ' ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal"
            }
            DbBackend::MySql => {
                "SELECT CAST(CONCAT('column ', table_name, '.', column_name, ' ', column_type, ' ', is_nullable, ' ', \
                    coalesce(column_default, '')) AS CHAR) \
                 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name <> 'seaql_migrations_progress' \
                 UNION ALL SELECT CAST(CONCAT('index ', table_name, '.', index_name, ' ', seq_in_index, ' ', column_name, ' ', \
                    non_unique) AS CHAR) \
                 FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name <> 'seaql_migrations_progress' \
                 UNION ALL SELECT CAST(CONCAT('foreign key ', table_name, '.', constraint_name, ' ', column_name, ' -> ', \
                    referenced_table_name, '.', referenced_column_name) AS CHAR) \
                 FROM information_schema.key_column_usage WHERE table_schema = DATABASE() AND referenced_table_name IS NOT NULL \
                 UNION ALL SELECT CAST(CONCAT('view ', table_name, ' ', view_definition) AS CHAR) \
                 FROM information_schema.views WHERE table_schema = DATABASE() \
                 UNION ALL SELECT CAST(CONCAT('trigger ', trigger_name, ' ', action_statement) AS CHAR) \
                 FROM information_schema.triggers WHERE trigger_schema = DATABASE()"
            }
            _ => {
                "SELECT 'column ' || m.name || '.' || c.name || ' ' || c.type || ' ' || c.\"notnull\" || ' ' \
                    || coalesce(c.dflt_value, '') \
                 FROM sqlite_master m JOIN pragma_table_info(m.name) c \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'seaql_migrations_progress' \
                 UNION ALL SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master \
                 WHERE name NOT LIKE 'sqlite_%' AND tbl_name <> 'seaql_migrations_progress'"
            }
        };
        let mut lines = self.texts(sql).await;
        lines.sort();
        lines
    }

    /// Whether the progress table exists.
    pub async fn has_progress_table(&self) -> bool {
        let sql = match self.backend {
            DbBackend::Postgres => {
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'seaql_migrations_progress'"
            }
            DbBackend::MySql => {
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'seaql_migrations_progress'"
            }
            _ => "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'seaql_migrations_progress'",
        };
        self.number(sql).await > 0
    }

    /// How many statements the progress table records as done for the migration `name` in
    /// `direction` (`"up"` or `"down"`); `None` when it has no row (or there is no table).
    pub async fn progress(&self, name: &str, direction: &str) -> Option<i64> {
        if !self.has_progress_table().await {
            return None;
        }
        let wide = if self.backend == DbBackend::MySql { "SIGNED" } else { "BIGINT" };
        let filter = format!("FROM {PROGRESS} WHERE version = '{name}' AND direction = '{direction}'");
        if self.number(&format!("SELECT count(*) {filter}")).await == 0 {
            return None;
        }
        Some(self.number(&format!("SELECT CAST(done AS {wide}) {filter}")).await)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((server, name)) = self.server.take() else {
            return;
        };
        let backend = self.backend;
        // The test's own runtime may be gone or busy unwinding: drop from a runtime of our own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            runtime.block_on(async {
                let mut options = ConnectOptions::new(admin_url(backend, &server));
                options.max_connections(1);
                let admin = Database::connect(options).await?;
                if backend == DbBackend::MySql {
                    // A session the test left holding a lock makes the drop wait: not for ever.
                    admin.execute_unprepared("SET SESSION lock_wait_timeout = 30").await?;
                }
                admin.execute_unprepared(&drop_database(backend, &name)).await?;
                admin.close().await
            })
        });
        if let Ok(Err(e)) = dropped.join() {
            eprintln!("could not drop a test database: {e}");
        }
    }
}

/// Whether the tests run under CI, where every backend is required.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The server to make test databases on; `None` for SQLite, whose databases are files.
fn server_url(backend: DbBackend) -> Option<String> {
    let (var, default) = match backend {
        DbBackend::Postgres => ("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        DbBackend::MySql => ("TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306"),
        _ => return None,
    };
    Some(std::env::var(var).unwrap_or_else(|_| default.to_owned()))
}

/// A database that is always there, to create and drop the test's from.
fn admin_url(backend: DbBackend, server: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("{server}/postgres"),
        _ => server.to_owned(),
    }
}

fn drop_database(backend: DbBackend, name: &str) -> String {
    match backend {
        // The test's connections may still be open while it is dropped.
        DbBackend::Postgres => format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        _ => format!("DROP DATABASE IF EXISTS {name}"),
    }
}

/// Applies `plan` as the migration `name`; in a transaction, commits it when `up` succeeded.
pub async fn up(test: &TestDb, mode: Mode, name: &str, plan: &Plan) -> Result<(), DbErr> {
    run(test, mode, true, name, plan).await
}

/// Reverts `plan` as the migration `name`; in a transaction, commits it when `down` succeeded.
pub async fn down(test: &TestDb, mode: Mode, name: &str, plan: &Plan) -> Result<(), DbErr> {
    run(test, mode, false, name, plan).await
}

async fn run(test: &TestDb, mode: Mode, forward: bool, name: &str, plan: &Plan) -> Result<(), DbErr> {
    let txn = match mode {
        Mode::Own => None,
        Mode::InTransaction => Some(test.db.begin().await?),
    };
    let manager = match &txn {
        Some(txn) => SchemaManager::new(txn),
        None => SchemaManager::new(&test.db),
    };
    if forward {
        sea_orm_autogen_runtime::up(&manager, name, plan).await?;
    } else {
        sea_orm_autogen_runtime::down(&manager, name, plan).await?;
    }
    match txn {
        Some(txn) => txn.commit().await,
        None => Ok(()),
    }
}

/// The text of a runtime error, failing the test when there is none.
pub fn error_text(result: Result<(), DbErr>) -> String {
    match result {
        Ok(()) => panic!("the migration succeeded where it should have failed"),
        Err(e) => e.to_string(),
    }
}

/// Fails the test unless `text` contains each of `parts`.
pub fn assert_mentions(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "`{part}` is missing from: {text}");
    }
}

/// Fails the test unless some line of `schema` names each of `objects`, or, with `present`
/// false, unless no line names any of them.
pub fn assert_objects(schema: &[String], objects: &[&str], present: bool) {
    for object in objects {
        let found = schema.iter().any(|line| line.contains(object));
        assert_eq!(found, present, "{object} is {} in: {schema:#?}", if present { "missing" } else { "still there" });
    }
}

/// Declares a `#[tokio::test]` per backend, in modules `postgres`, `mysql` and `sqlite`, for each
/// async `fn(DbBackend)` named; `on [postgres Postgres, ...]` picks the backends. `in both modes
/// f` declares `in_transaction` and `own_transactions` per backend for an async
/// `fn(DbBackend, Mode)`.
#[allow(unused_macros)] // Not every test file needs it.
macro_rules! per_backend {
    (in both modes $scenario:ident) => {
        per_backend!(@modes [postgres Postgres, mysql MySql, sqlite Sqlite] $scenario);
    };
    (@modes [] $scenario:ident) => {};
    (@modes [$module:ident $backend:ident $(, $modules:ident $backends:ident)*] $scenario:ident) => {
        mod $module {
            use $crate::common::Mode;

            #[tokio::test]
            async fn in_transaction() {
                super::$scenario(sea_orm::DbBackend::$backend, Mode::InTransaction).await
            }

            #[tokio::test]
            async fn own_transactions() {
                super::$scenario(sea_orm::DbBackend::$backend, Mode::Own).await
            }
        }
        per_backend!(@modes [$($modules $backends),*] $scenario);
    };
    ($($scenario:ident),* $(,)?) => {
        per_backend!(on [postgres Postgres, mysql MySql, sqlite Sqlite] $($scenario),*);
    };
    (on [] $($scenario:ident),*) => {};
    (on [$module:ident $backend:ident $(, $modules:ident $backends:ident)*] $($scenario:ident),* $(,)?) => {
        mod $module {
            $(#[tokio::test] async fn $scenario() { super::$scenario(sea_orm::DbBackend::$backend).await })*
        }
        per_backend!(on [$($modules $backends),*] $($scenario),*);
    };
}
