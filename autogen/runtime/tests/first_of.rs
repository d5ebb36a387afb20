//! MariaDB `FirstOf`: an `ALGORITHM=` the server refuses for a change falls back to the next way
//! of doing it; any other error stops the migration without trying the rest.

mod common;

use common::{Mode, TestDb, assert_mentions, assert_objects, down, error_text, up};
use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_autogen_runtime::Stmt::FirstOf;
use sea_orm_autogen_runtime::{Change, Plan};

const INSTANT_TO_BIGINT: &str = "ALTER TABLE `t` MODIFY `v` bigint NULL, ALGORITHM=INSTANT";

const PLAN: Plan =
    Plan { lock_timeout_ms: 0, lock_retries: 0, postgres: None, mysql: Some(&[ALTER_COLUMN_T_V]), sqlite: None };

const ALTER_COLUMN_T_V: Change = Change {
    summary: "~ column t.v: type int -> bigint",
    up: &[FirstOf(&[
        INSTANT_TO_BIGINT,
        "ALTER TABLE `t` MODIFY `v` bigint NULL, ALGORITHM=INPLACE, LOCK=NONE",
        "ALTER TABLE `t` MODIFY `v` bigint NULL",
    ])],
    down: &[FirstOf(&[
        "ALTER TABLE `t` MODIFY `v` int NULL, ALGORITHM=INSTANT",
        "ALTER TABLE `t` MODIFY `v` int NULL, ALGORITHM=INPLACE, LOCK=NONE",
        "ALTER TABLE `t` MODIFY `v` int NULL",
    ])],
};

/// The first way fails for another reason than the algorithm: the table is missing.
const MISTAKEN: Plan = Plan {
    mysql: Some(&[Change {
        summary: "+ column t.x int null",
        up: &[FirstOf(&[
            "ALTER TABLE `missing` ADD COLUMN `x` int NULL, ALGORITHM=INSTANT",
            "ALTER TABLE `t` ADD COLUMN `x` int NULL",
        ])],
        down: &[],
    }]),
    ..PLAN
};

const NAME: &str = "m20260108_000000_first_of";

async fn table() -> Option<TestDb> {
    let test = TestDb::new(DbBackend::MySql, "first_of").await?;
    test.exec("CREATE TABLE t (id int NOT NULL PRIMARY KEY, v int NULL)").await;
    test.exec("INSERT INTO t (id, v) VALUES (1, 2147483647)").await;
    Some(test)
}

async fn falls_back_to_what_the_server_can_do(mode: Mode) {
    let Some(test) = table().await else { return };
    let before = test.schema().await;
    // The premise: the server cannot change a column's type instantly.
    let refused = error_text(test.db.execute_unprepared(INSTANT_TO_BIGINT).await.map(drop));
    assert!(refused.contains("ALGORITHM=INSTANT is not supported"), "{refused}");

    up(&test, mode, NAME, &PLAN).await.expect("up falls back to a way the server can do");
    assert_objects(&test.schema().await, &["column t.v bigint(20)"], true);
    test.exec("UPDATE t SET v = v + 1").await;
    assert_eq!(test.number("SELECT v FROM t").await, 2_147_483_648);

    test.exec("UPDATE t SET v = 1").await;
    down(&test, mode, NAME, &PLAN).await.expect("down");
    assert_eq!(test.schema().await, before);
}

#[tokio::test]
async fn falls_back_in_own_transactions() {
    falls_back_to_what_the_server_can_do(Mode::Own).await;
}

#[tokio::test]
async fn falls_back_in_a_transaction() {
    falls_back_to_what_the_server_can_do(Mode::InTransaction).await;
}

#[tokio::test]
async fn another_error_stops_without_trying_the_rest() {
    let Some(test) = table().await else { return };
    let error = error_text(up(&test, Mode::Own, NAME, &MISTAKEN).await);
    assert_mentions(
        &error,
        &[
            "change 1 of 1 (+ column t.x int null) failed at `ALTER TABLE `missing` ADD COLUMN `x` int NULL, ALGORITHM=INSTANT`",
            "doesn't exist",
            "nothing of it was applied",
        ],
    );
    assert_objects(&test.schema().await, &["t.x"], false);
}
