//! A migration that manages its own transactions and fails half-way: the error says which change
//! and statement failed and that what came before is applied, the progress table holds how far it
//! got, and once the cause is fixed a second run finishes without redoing anything, in both
//! directions.

#[macro_use]
mod common;

use common::{Mode, TestDb, assert_mentions, assert_objects, down, error_text, up};
use sea_orm::DbBackend;
use sea_orm_autogen_runtime::Stmt::{Commit, Refuse, Run};
use sea_orm_autogen_runtime::{Change, Plan};

/// PostgreSQL and SQLite run DDL in transactions: each change commits, so that what came before
/// the failure stays applied.
const PLAN: Plan = Plan {
    lock_timeout_ms: 0,
    lock_retries: 0,
    postgres: Some(TRANSACTIONAL),
    mysql: Some(SELF_COMMITTING),
    sqlite: Some(TRANSACTIONAL),
};

const TRANSACTIONAL: &[Change] = &[ADD_COLUMN_T_C1, ADD_TABLE_EXTRA, ADD_INDEX_T_CODE, ADD_COLUMN_T_C4, ADD_INDEX_T_C4];

// Every statement here fails when it runs a second time: a rerun that redid a change would fail.

const ADD_COLUMN_T_C1: Change = Change {
    summary: "+ column t.c1 integer null",
    up: &[Run("ALTER TABLE \"t\" ADD COLUMN \"c1\" integer NULL"), Commit],
    down: &[Run("ALTER TABLE \"t\" DROP COLUMN \"c1\""), Commit],
};

const ADD_TABLE_EXTRA: Change = Change {
    summary: "+ table extra",
    up: &[Run("CREATE TABLE \"extra\" (\"id\" integer NOT NULL PRIMARY KEY)"), Commit],
    down: &[Run("DROP TABLE \"extra\""), Commit],
};

const ADD_INDEX_T_CODE: Change = Change {
    summary: "+ unique index (code) on t",
    up: &[Run("CREATE UNIQUE INDEX \"ux_t_code\" ON \"t\" (\"code\")"), Commit],
    down: &[
        Refuse {
            query: "SELECT 1 FROM \"t\" WHERE \"code\" = 'keep'",
            message: "rows of t are marked 'keep': unmark them first",
        },
        Run("DROP INDEX \"ux_t_code\""),
        Commit,
    ],
};

const ADD_COLUMN_T_C4: Change = Change {
    summary: "+ column t.c4 integer null",
    up: &[Run("ALTER TABLE \"t\" ADD COLUMN \"c4\" integer NULL"), Commit],
    down: &[Run("ALTER TABLE \"t\" DROP COLUMN \"c4\""), Commit],
};

const ADD_INDEX_T_C4: Change = Change {
    summary: "+ index (c4) on t",
    up: &[Run("CREATE INDEX \"ix_t_c4\" ON \"t\" (\"c4\")")],
    down: &[Run("DROP INDEX \"ix_t_c4\""), Commit],
};

// MySQL/MariaDB: each DDL statement commits itself, so the changes need no `Commit`.

const SELF_COMMITTING: &[Change] =
    &[MY_ADD_COLUMN_T_C1, MY_ADD_TABLE_EXTRA, MY_ADD_INDEX_T_CODE, MY_ADD_COLUMN_T_C4, MY_ADD_INDEX_T_C4];

const MY_ADD_COLUMN_T_C1: Change = Change {
    summary: "+ column t.c1 int null",
    up: &[Run("ALTER TABLE `t` ADD COLUMN `c1` int NULL")],
    down: &[Run("ALTER TABLE `t` DROP COLUMN `c1`")],
};

const MY_ADD_TABLE_EXTRA: Change = Change {
    summary: "+ table extra",
    up: &[Run("CREATE TABLE `extra` (`id` int NOT NULL PRIMARY KEY)")],
    down: &[Run("DROP TABLE `extra`")],
};

const MY_ADD_INDEX_T_CODE: Change = Change {
    summary: "+ unique index (code) on t",
    up: &[Run("CREATE UNIQUE INDEX `ux_t_code` ON `t` (`code`)")],
    down: &[
        Refuse {
            query: "SELECT 1 FROM `t` WHERE `code` = 'keep'",
            message: "rows of t are marked 'keep': unmark them first",
        },
        Run("DROP INDEX `ux_t_code` ON `t`"),
    ],
};

const MY_ADD_COLUMN_T_C4: Change = Change {
    summary: "+ column t.c4 int null",
    up: &[Run("ALTER TABLE `t` ADD COLUMN `c4` int NULL")],
    down: &[Run("ALTER TABLE `t` DROP COLUMN `c4`")],
};

const MY_ADD_INDEX_T_C4: Change = Change {
    summary: "+ index (c4) on t",
    up: &[Run("CREATE INDEX `ix_t_c4` ON `t` (`c4`)")],
    down: &[Run("DROP INDEX `ix_t_c4` ON `t`")],
};

const NAME: &str = "m20260102_000000_resume";

/// How many statements the first two changes (in running order) have on `backend`.
fn statements_of_two_changes(backend: DbBackend) -> i64 {
    if backend == DbBackend::MySql { 2 } else { 4 }
}

async fn resumes_after_a_failure_half_way(backend: DbBackend) {
    let Some(test) = TestDb::new(backend, "resume").await else { return };
    test.exec("CREATE TABLE t (id int NOT NULL PRIMARY KEY, code varchar(20) NOT NULL)").await;
    // Two rows with one code: the unique index of change 3 cannot be built.
    test.exec("INSERT INTO t (id, code) VALUES (1, 'a'), (2, 'a')").await;
    let before = test.schema().await;

    let error = error_text(up(&test, Mode::Own, NAME, &PLAN).await);
    assert_mentions(
        &error,
        &[
            "change 3 of 5 (+ unique index (code) on t) failed at `CREATE UNIQUE INDEX",
            "ux_t_code",
            "the statements before it are applied and recorded in seaql_migrations_progress",
            "continue from change 3",
        ],
    );
    assert_eq!(test.progress(NAME, "up").await, Some(statements_of_two_changes(backend)));
    let half = test.schema().await;
    assert_objects(&half, &["t.c1", "extra"], true);
    assert_objects(&half, &["ux_t_code", "t.c4"], false);

    test.exec("DELETE FROM t WHERE id = 2").await;
    up(&test, Mode::Own, NAME, &PLAN).await.expect("the second run continues from change 3");
    assert_eq!(test.progress(NAME, "up").await, None, "the progress row goes once up finished");
    assert_objects(&test.schema().await, &["t.c1", "extra", "ux_t_code", "t.c4", "ix_t_c4"], true);

    // `down` runs change 5, then 4, then 3, which refuses while a row is marked.
    test.exec("INSERT INTO t (id, code) VALUES (3, 'keep')").await;
    let error = error_text(down(&test, Mode::Own, NAME, &PLAN).await);
    assert_mentions(
        &error,
        &[
            "change 3 of 5 (+ unique index (code) on t) failed at `SELECT 1 FROM",
            "rows of t are marked 'keep': unmark them first",
            "continue from change 3",
        ],
    );
    assert_eq!(test.progress(NAME, "down").await, Some(statements_of_two_changes(backend)));
    let half = test.schema().await;
    assert_objects(&half, &["ix_t_c4", "t.c4"], false);
    assert_objects(&half, &["ux_t_code"], true);

    test.exec("DELETE FROM t WHERE id = 3").await;
    down(&test, Mode::Own, NAME, &PLAN).await.expect("the second run continues from change 3");
    assert_eq!(test.progress(NAME, "down").await, None, "the progress row goes once down finished");
    assert_eq!(test.schema().await, before);
}

/// A failure in the first transaction leaves nothing behind, and says so.
async fn a_failure_before_any_commit_applies_nothing(backend: DbBackend) {
    let Some(test) = TestDb::new(backend, "resume_nothing").await else { return };
    test.exec("CREATE TABLE t (id int NOT NULL PRIMARY KEY, code varchar(20) NOT NULL)").await;
    test.exec("INSERT INTO t (id, code) VALUES (1, 'a'), (2, 'a')").await;
    let before = test.schema().await;
    let plan = Plan {
        postgres: Some(&TRANSACTIONAL[2..]),
        mysql: Some(&SELF_COMMITTING[2..]),
        sqlite: Some(&TRANSACTIONAL[2..]),
        ..PLAN
    };

    let error = error_text(up(&test, Mode::Own, NAME, &plan).await);
    assert!(error.contains("change 1 of 3 (+ unique index (code) on t)"), "{error}");
    assert!(error.ends_with("; nothing of it was applied"), "{error}");
    assert_eq!(test.progress(NAME, "up").await, None);
    assert_eq!(test.schema().await, before);
}

per_backend!(resumes_after_a_failure_half_way, a_failure_before_any_commit_applies_nothing);
