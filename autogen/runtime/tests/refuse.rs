//! `Refuse`: a query that finds a row stops the migration with its message before anything is
//! changed; once no row is found, the migration goes on.

#[macro_use]
mod common;

use common::{Mode, TestDb, assert_mentions, assert_objects, error_text, up};
use sea_orm::DbBackend;
use sea_orm_autogen_runtime::Stmt::{Refuse, Run};
use sea_orm_autogen_runtime::{Change, Plan};

const PLAN: Plan = Plan {
    lock_timeout_ms: 0,
    lock_retries: 0,
    postgres: Some(&[ADD_COLUMN_T_C1, ADD_INDEX_T_V]),
    mysql: Some(&[MY_ADD_COLUMN_T_C1, MY_ADD_INDEX_T_V]),
    sqlite: Some(&[ADD_COLUMN_T_C1, ADD_INDEX_T_V]),
};

const ADD_COLUMN_T_C1: Change = Change {
    summary: "+ column t.c1 integer null",
    up: &[
        Refuse {
            query: "SELECT 1 FROM \"t\" WHERE \"v\" IS NULL LIMIT 1",
            message: "rows of t have no v: fill them first",
        },
        Run("ALTER TABLE \"t\" ADD COLUMN \"c1\" integer NULL"),
    ],
    down: &[Run("ALTER TABLE \"t\" DROP COLUMN \"c1\"")],
};

const ADD_INDEX_T_V: Change = Change {
    summary: "+ index (v) on t",
    up: &[Run("CREATE INDEX \"ix_t_v\" ON \"t\" (\"v\")")],
    down: &[Run("DROP INDEX \"ix_t_v\"")],
};

const MY_ADD_COLUMN_T_C1: Change = Change {
    summary: "+ column t.c1 integer null",
    up: &[
        Refuse {
            query: "SELECT 1 FROM `t` WHERE `v` IS NULL LIMIT 1",
            message: "rows of t have no v: fill them first",
        },
        Run("ALTER TABLE `t` ADD COLUMN `c1` int NULL"),
    ],
    down: &[Run("ALTER TABLE `t` DROP COLUMN `c1`")],
};

const MY_ADD_INDEX_T_V: Change = Change {
    summary: "+ index (v) on t",
    up: &[Run("CREATE INDEX `ix_t_v` ON `t` (`v`)")],
    down: &[Run("DROP INDEX `ix_t_v` ON `t`")],
};

const NAME: &str = "m20260107_000000_refuse";

async fn stops_while_a_row_is_found(backend: DbBackend, mode: Mode) {
    let Some(test) = TestDb::new(backend, "refuse").await else { return };
    test.exec("CREATE TABLE t (id int NOT NULL PRIMARY KEY, v int NULL)").await;
    test.exec("INSERT INTO t (id, v) VALUES (1, 10), (2, NULL)").await;
    let before = test.schema().await;

    let error = error_text(up(&test, mode, NAME, &PLAN).await);
    assert_mentions(
        &error,
        &[
            "change 1 of 2 (+ column t.c1 integer null) failed at `SELECT 1 FROM",
            "rows of t have no v: fill them first",
        ],
    );
    if mode == Mode::Own {
        assert_mentions(&error, &["nothing of it was applied"]);
    }
    assert_eq!(test.schema().await, before);

    test.exec("UPDATE t SET v = 20 WHERE id = 2").await;
    up(&test, mode, NAME, &PLAN).await.expect("up goes on once no row is found");
    assert_objects(&test.schema().await, &["t.c1", "ix_t_v"], true);
}

per_backend!(in both modes stops_while_a_row_is_found);
