//! A migration without statements for the connection's backend fails before touching the
//! database, naming the backends it was generated for.

#[macro_use]
mod common;

use common::{Mode, TestDb, assert_mentions, error_text, up};
use sea_orm::DbBackend;
use sea_orm_autogen_runtime::Stmt::Run;
use sea_orm_autogen_runtime::{Change, Plan};

const EVERYWHERE: Plan = Plan {
    lock_timeout_ms: 0,
    lock_retries: 0,
    postgres: Some(&[ADD_TABLE_T]),
    mysql: Some(&[ADD_TABLE_T]),
    sqlite: Some(&[ADD_TABLE_T]),
};

const ADD_TABLE_T: Change = Change {
    summary: "+ table t",
    up: &[Run("CREATE TABLE t (id int NOT NULL PRIMARY KEY)")],
    down: &[Run("DROP TABLE t")],
};

const NAME: &str = "m20260110_000000_backends";

async fn names_the_backends_it_has(backend: DbBackend, mode: Mode) {
    let Some(test) = TestDb::new(backend, "backends").await else { return };
    let (plan, expected) = match backend {
        DbBackend::Postgres => (
            Plan { postgres: None, ..EVERYWHERE },
            "migration m20260110_000000_backends was generated for MySQL/MariaDB and SQLite and has no statements for PostgreSQL",
        ),
        DbBackend::MySql => (
            Plan { mysql: None, ..EVERYWHERE },
            "migration m20260110_000000_backends was generated for PostgreSQL and SQLite and has no statements for MySQL/MariaDB",
        ),
        _ => (
            Plan { sqlite: None, ..EVERYWHERE },
            "migration m20260110_000000_backends was generated for PostgreSQL and MySQL/MariaDB and has no statements for SQLite",
        ),
    };
    let before = test.schema().await;

    let error = error_text(up(&test, mode, NAME, &plan).await);
    assert_mentions(&error, &[expected, "list this backend in the project's configuration and generate it again"]);
    assert_eq!(test.schema().await, before);
    assert!(!test.has_progress_table().await, "not even the progress table is made");

    let nowhere = Plan { postgres: None, mysql: None, sqlite: None, ..EVERYWHERE };
    let error = error_text(up(&test, mode, NAME, &nowhere).await);
    assert_mentions(&error, &["migration m20260110_000000_backends was generated for no backend"]);
}

per_backend!(in both modes names_the_backends_it_has);
