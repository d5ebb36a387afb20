//! `Batches`: a backfill that changes at most 1,000 rows per run is repeated until it changes no
//! row, filling all 10,000 rows, on every backend and in both modes.

#[macro_use]
mod common;

use common::{Mode, TestDb, down, up};
use sea_orm::DbBackend;
use sea_orm_autogen_runtime::Stmt::{Batches, Run};
use sea_orm_autogen_runtime::{Change, Plan};

const PLAN: Plan = Plan {
    lock_timeout_ms: 0,
    lock_retries: 0,
    postgres: Some(&[FILL_T_V]),
    mysql: Some(&[MY_FILL_T_V]),
    sqlite: Some(&[FILL_T_V]),
};

const FILL_T_V: Change = Change {
    summary: "~ fill t.v",
    up: &[Batches(
        "UPDATE \"t\" SET \"v\" = \"id\" * 2 WHERE \"id\" IN (SELECT \"id\" FROM \"t\" WHERE \"v\" IS NULL ORDER BY \"id\" LIMIT 1000)",
    )],
    down: &[Run("UPDATE \"t\" SET \"v\" = NULL")],
};

const MY_FILL_T_V: Change = Change {
    summary: "~ fill t.v",
    up: &[Batches("UPDATE `t` SET `v` = `id` * 2 WHERE `v` IS NULL ORDER BY `id` LIMIT 1000")],
    down: &[Run("UPDATE `t` SET `v` = NULL")],
};

const NAME: &str = "m20260105_000000_batches";

async fn fills_every_row(backend: DbBackend, mode: Mode) {
    let Some(test) = TestDb::new(backend, "batches").await else { return };
    test.exec("CREATE TABLE digits (i int NOT NULL)").await;
    test.exec("INSERT INTO digits (i) VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)").await;
    test.exec("CREATE TABLE t (id int NOT NULL PRIMARY KEY, v int NULL)").await;
    test.exec("INSERT INTO t (id) SELECT a.i * 1000 + b.i * 100 + c.i * 10 + d.i + 1 FROM digits a, digits b, digits c, digits d")
        .await;
    assert_eq!(test.number("SELECT count(*) FROM t WHERE v IS NULL").await, 10_000);

    up(&test, mode, NAME, &PLAN).await.expect("up");
    assert_eq!(test.number("SELECT count(*) FROM t WHERE v = id * 2").await, 10_000);
    assert_eq!(test.progress(NAME, "up").await, None);
    if backend == DbBackend::Postgres {
        // Each transaction that changed rows stamped them with its id: one per batch when the
        // runtime commits each, one when all run in the caller's transaction.
        let transactions = if mode == Mode::Own { 10 } else { 1 };
        assert_eq!(test.number("SELECT count(DISTINCT xmin::text) FROM t").await, transactions);
    }

    down(&test, mode, NAME, &PLAN).await.expect("down");
    assert_eq!(test.number("SELECT count(*) FROM t WHERE v IS NULL").await, 10_000);
}

per_backend!(in both modes fills_every_row);
