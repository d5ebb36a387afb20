//! PostgreSQL `BuildIndex`: a concurrent build that fails leaves an invalid index behind, which
//! the next run drops before building again; a valid index of that name is kept; and inside the
//! caller's transaction, where a concurrent build cannot run, it is a clear error.

mod common;

use common::{Mode, TestDb, assert_mentions, assert_objects, down, error_text, up};
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_autogen_runtime::Stmt::{Alone, BuildIndex, Run};
use sea_orm_autogen_runtime::{Change, Plan};

const PLAN: Plan = Plan {
    lock_timeout_ms: 0,
    lock_retries: 0,
    postgres: Some(&[ADD_COLUMN_T_C1, ADD_INDEX_T_CODE]),
    mysql: None,
    sqlite: None,
};

const ADD_COLUMN_T_C1: Change = Change {
    summary: "+ column t.c1 integer null",
    up: &[Run("ALTER TABLE \"t\" ADD COLUMN \"c1\" integer NULL")],
    down: &[Run("ALTER TABLE \"t\" DROP COLUMN \"c1\"")],
};

const ADD_INDEX_T_CODE: Change = Change {
    summary: "+ unique index (code) on t",
    up: &[BuildIndex {
        name: "ux_t_code",
        create: "CREATE UNIQUE INDEX CONCURRENTLY \"ux_t_code\" ON \"t\" (\"code\")",
        drop: "DROP INDEX CONCURRENTLY IF EXISTS \"ux_t_code\"",
    }],
    down: &[Alone("DROP INDEX CONCURRENTLY IF EXISTS \"ux_t_code\"")],
};

const NAME: &str = "m20260104_000000_build_index";

/// A table `t` whose column `code` holds a duplicate, so that a unique index on it fails.
async fn table_with_a_duplicate() -> Option<TestDb> {
    let test = TestDb::new(DbBackend::Postgres, "build_index").await?;
    test.exec("CREATE TABLE t (id int NOT NULL PRIMARY KEY, code varchar(20) NOT NULL)").await;
    test.exec("INSERT INTO t (id, code) VALUES (1, 'a'), (2, 'a'), (3, 'b')").await;
    Some(test)
}

/// Whether the index `ux_t_code` is valid; `None` when there is none.
async fn index_validity(test: &TestDb) -> Option<bool> {
    let rows = test
        .texts(
            "SELECT i.indisvalid::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE c.relname = 'ux_t_code' AND c.relnamespace = current_schema()::regnamespace",
        )
        .await;
    rows.first().map(|valid| valid == "true")
}

#[tokio::test]
async fn a_rerun_replaces_the_invalid_index_a_failed_build_left() {
    let Some(test) = table_with_a_duplicate().await else { return };
    let before = test.schema().await;

    let error = error_text(up(&test, Mode::Own, NAME, &PLAN).await);
    assert_mentions(
        &error,
        &[
            "change 2 of 2 (+ unique index (code) on t) failed at `CREATE UNIQUE INDEX CONCURRENTLY \"ux_t_code\"",
            "could not create unique index",
            "continue from change 2",
        ],
    );
    assert_eq!(index_validity(&test).await, Some(false), "the failed concurrent build leaves an invalid index");
    assert_eq!(test.progress(NAME, "up").await, Some(1));

    test.exec("DELETE FROM t WHERE id = 2").await;
    // Change 1 is not redone (its ADD COLUMN would fail), and the invalid index is dropped
    // first (else the build would find the name taken).
    up(&test, Mode::Own, NAME, &PLAN).await.expect("the rerun builds the index");
    assert_eq!(index_validity(&test).await, Some(true));
    assert_eq!(test.progress(NAME, "up").await, None);
    let error = error_text(test.db.execute_unprepared("INSERT INTO t (id, code) VALUES (4, 'b')").await.map(drop));
    assert!(error.contains("duplicate key"), "the index is in use: {error}");

    down(&test, Mode::Own, NAME, &PLAN).await.expect("down");
    assert_eq!(test.schema().await, before);
}

#[tokio::test]
async fn a_valid_index_of_that_name_is_kept() {
    let Some(test) = table_with_a_duplicate().await else { return };
    // A valid index named `ux_t_code` on another column: had it been rebuilt, the duplicate in
    // `code` would have failed the build.
    test.exec("CREATE UNIQUE INDEX ux_t_code ON t (id)").await;
    let definition = test.texts("SELECT indexdef FROM pg_indexes WHERE indexname = 'ux_t_code'").await;

    up(&test, Mode::Own, NAME, &PLAN).await.expect("up keeps the valid index");
    assert_eq!(test.texts("SELECT indexdef FROM pg_indexes WHERE indexname = 'ux_t_code'").await, definition);
    assert_eq!(index_validity(&test).await, Some(true));
    assert_objects(&test.schema().await, &["t.c1"], true);
}

#[tokio::test]
async fn inside_the_callers_transaction_it_is_an_error() {
    let Some(test) = table_with_a_duplicate().await else { return };
    test.exec("DELETE FROM t WHERE id = 2").await;
    let before = test.schema().await;

    let error = error_text(up(&test, Mode::InTransaction, NAME, &PLAN).await);
    assert_mentions(
        &error,
        &[
            "change 2 of 2 (+ unique index (code) on t)",
            "must run outside a transaction",
            "use_transaction() -> Some(false)",
        ],
    );
    assert_eq!(test.schema().await, before, "the caller's transaction is rolled back with change 1");
}
