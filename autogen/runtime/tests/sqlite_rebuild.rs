//! SQLite table rebuilds, declared as the generator declares them: `Save` and `Restore` carry the
//! views and triggers that read the table across it, foreign keys are off meanwhile (a child row
//! would otherwise stop the drop of the old table) and on again afterwards, and a rebuild that
//! would break a foreign key is refused and leaves everything as it was.

mod common;

use common::{Mode, TestDb, assert_mentions, down, error_text, up};
use sea_orm::DbBackend;
use sea_orm_autogen_runtime::Stmt::{Alone, Refuse, Restore, Run, Save};
use sea_orm_autogen_runtime::{Change, Plan};

const PLAN: Plan =
    Plan { lock_timeout_ms: 0, lock_retries: 0, postgres: None, mysql: None, sqlite: Some(&[ALTER_COLUMN_ITEMS_NAME]) };

/// Finds the views and triggers that read `items`, as (drop, create) pairs.
const SAVE_VIEWS_AND_TRIGGERS: &str = "SELECT printf('DROP %s IF EXISTS \"%w\"', upper(type), name), sql FROM sqlite_master \
     WHERE type IN ('view', 'trigger') AND sql IS NOT NULL \
     AND (tbl_name = 'items' OR instr(lower(sql), lower('items')) > 0) \
     ORDER BY CASE type WHEN 'view' THEN 0 ELSE 1 END, rowid";

const ALTER_COLUMN_ITEMS_NAME: Change = Change {
    summary: "~ column items.name: null",
    up: &[
        Alone("PRAGMA foreign_keys = OFF"),
        Save(SAVE_VIEWS_AND_TRIGGERS),
        Run("CREATE TABLE \"__autogen_new_items\" (\"id\" integer NOT NULL PRIMARY KEY, \"name\" text NULL)"),
        Run("INSERT INTO \"__autogen_new_items\" (\"id\", \"name\") SELECT \"id\", \"name\" FROM \"items\""),
        Run("DROP TABLE \"items\""),
        Run("ALTER TABLE \"__autogen_new_items\" RENAME TO \"items\""),
        Run("CREATE INDEX \"ix_items_name\" ON \"items\" (\"name\")"),
        Restore,
        Refuse {
            query: "PRAGMA foreign_key_check",
            message: "rows would break a foreign key after the rebuild of items",
        },
        Alone("PRAGMA foreign_keys = ON"),
    ],
    down: &[
        Alone("PRAGMA foreign_keys = OFF"),
        Save(SAVE_VIEWS_AND_TRIGGERS),
        Run("CREATE TABLE \"__autogen_new_items\" (\"id\" integer NOT NULL PRIMARY KEY, \"name\" text NOT NULL)"),
        Run("INSERT INTO \"__autogen_new_items\" (\"id\", \"name\") SELECT \"id\", \"name\" FROM \"items\""),
        Run("DROP TABLE \"items\""),
        Run("ALTER TABLE \"__autogen_new_items\" RENAME TO \"items\""),
        Run("CREATE INDEX \"ix_items_name\" ON \"items\" (\"name\")"),
        Restore,
        Refuse {
            query: "PRAGMA foreign_key_check",
            message: "rows would break a foreign key after the rebuild of items",
        },
        Alone("PRAGMA foreign_keys = ON"),
    ],
};

const NAME: &str = "m20260106_000000_sqlite_rebuild";

/// A table `items` with an index, a view and a trigger that read it, and a child row that
/// references it.
async fn items() -> TestDb {
    let test = TestDb::new(DbBackend::Sqlite, "rebuild").await.expect("SQLite needs no server");
    // Written as the rebuild writes it, so that the round trip can be compared text for text.
    test.exec("CREATE TABLE \"items\" (\"id\" integer NOT NULL PRIMARY KEY, \"name\" text NOT NULL)").await;
    test.exec("CREATE INDEX \"ix_items_name\" ON \"items\" (\"name\")").await;
    test.exec("CREATE TABLE child (id integer PRIMARY KEY, item_id integer NOT NULL REFERENCES items (id))").await;
    test.exec("CREATE TABLE log (item_id integer NOT NULL)").await;
    test.exec("CREATE VIEW item_names AS SELECT name FROM items").await;
    test.exec("CREATE TRIGGER items_logged AFTER INSERT ON items BEGIN INSERT INTO log (item_id) VALUES (new.id); END")
        .await;
    test.exec("INSERT INTO items (id, name) VALUES (1, 'a'), (2, 'b')").await;
    test.exec("INSERT INTO child (id, item_id) VALUES (1, 1)").await;
    test.exec("DELETE FROM log").await;
    test
}

async fn foreign_keys_on(test: &TestDb) -> bool {
    test.number("SELECT foreign_keys FROM pragma_foreign_keys").await == 1
}

#[tokio::test]
async fn views_and_triggers_survive_the_rebuild() {
    let test = items().await;
    let before = test.schema().await;

    up(&test, Mode::Own, NAME, &PLAN).await.expect("up rebuilds items");
    assert!(foreign_keys_on(&test).await, "foreign keys are on again");
    test.exec("INSERT INTO items (id, name) VALUES (3, NULL)").await;
    assert_eq!(test.number("SELECT count(*) FROM item_names").await, 3, "the view reads the new table");
    assert_eq!(test.number("SELECT count(*) FROM log WHERE item_id = 3").await, 1, "the trigger fires");
    assert_eq!(test.number("SELECT count(*) FROM child").await, 1);
    assert_eq!(test.progress(NAME, "up").await, None);

    test.exec("DELETE FROM items WHERE id = 3").await;
    test.exec("DELETE FROM log").await;
    down(&test, Mode::Own, NAME, &PLAN).await.expect("down rebuilds items back");
    assert_eq!(test.schema().await, before);
    assert!(foreign_keys_on(&test).await);
}

#[tokio::test]
async fn a_rebuild_that_would_break_a_foreign_key_is_refused() {
    let test = items().await;
    // A child row whose parent is missing, slipped in while foreign keys were off.
    test.exec("PRAGMA foreign_keys = OFF").await;
    test.exec("INSERT INTO child (id, item_id) VALUES (2, 99)").await;
    test.exec("PRAGMA foreign_keys = ON").await;
    let before = test.schema().await;

    let error = error_text(up(&test, Mode::Own, NAME, &PLAN).await);
    assert_mentions(
        &error,
        &[
            "change 1 of 1 (~ column items.name: null) failed at `PRAGMA foreign_key_check`",
            "rows would break a foreign key after the rebuild of items",
        ],
    );
    assert_eq!(test.schema().await, before, "the rebuild, the drops of the view and trigger included, is rolled back");
    assert!(foreign_keys_on(&test).await, "foreign keys are switched back on after a failure too");
    test.exec("INSERT INTO items (id, name) VALUES (3, 'c')").await;
    assert_eq!(test.number("SELECT count(*) FROM log WHERE item_id = 3").await, 1, "the trigger is still there");
}
