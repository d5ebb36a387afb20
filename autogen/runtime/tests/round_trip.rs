//! `up` then `down` on each backend, inside the caller's transaction and managing its own: the
//! changes are there after `up`, and after `down` the schema is what it was.

#[macro_use]
mod common;

use common::{Mode, TestDb, assert_objects, down, up};
use sea_orm::DbBackend;
use sea_orm_autogen_runtime::Stmt::Run;
use sea_orm_autogen_runtime::{Change, Plan};

const PLAN: Plan = Plan {
    lock_timeout_ms: 0,
    lock_retries: 0,
    postgres: Some(&[PG_ADD_TABLE_TAGS, PG_ADD_COLUMN_ITEMS_NOTE, PG_ADD_INDEX_ITEMS, PG_ADD_VIEW_ITEM_NAMES]),
    mysql: Some(&[MY_ADD_TABLE_TAGS, MY_ADD_COLUMN_ITEMS_NOTE, MY_ADD_INDEX_ITEMS, MY_ADD_VIEW_ITEM_NAMES]),
    sqlite: Some(&[LITE_ADD_TABLE_TAGS, LITE_ADD_COLUMN_ITEMS_NOTE, LITE_ADD_INDEX_ITEMS, LITE_ADD_VIEW_ITEM_NAMES]),
};

const PG_ADD_TABLE_TAGS: Change = Change {
    summary: "+ table tags",
    up: &[Run(
        "CREATE TABLE \"tags\" (\"id\" integer NOT NULL PRIMARY KEY, \"item_id\" integer NOT NULL REFERENCES \"items\" (\"id\"), \"label\" varchar(20) NULL)",
    )],
    down: &[Run("DROP TABLE \"tags\"")],
};

const PG_ADD_COLUMN_ITEMS_NOTE: Change = Change {
    summary: "+ column items.note varchar(100) null",
    up: &[Run("ALTER TABLE \"items\" ADD COLUMN \"note\" varchar(100) NULL")],
    down: &[Run("ALTER TABLE \"items\" DROP COLUMN \"note\"")],
};

const PG_ADD_INDEX_ITEMS: Change = Change {
    summary: "+ index (name) on items",
    up: &[Run("CREATE INDEX \"ix_items_name\" ON \"items\" (\"name\")")],
    down: &[Run("DROP INDEX \"ix_items_name\"")],
};

const PG_ADD_VIEW_ITEM_NAMES: Change = Change {
    summary: "+ view item_names",
    up: &[Run("CREATE VIEW \"item_names\" AS SELECT \"name\" FROM \"items\"")],
    down: &[Run("DROP VIEW \"item_names\"")],
};

const MY_ADD_TABLE_TAGS: Change = Change {
    summary: "+ table tags",
    up: &[Run(
        "CREATE TABLE `tags` (`id` int NOT NULL PRIMARY KEY, `item_id` int NOT NULL, `label` varchar(20) NULL, \
         CONSTRAINT `fk_tags_item` FOREIGN KEY (`item_id`) REFERENCES `items` (`id`))",
    )],
    down: &[Run("DROP TABLE `tags`")],
};

const MY_ADD_COLUMN_ITEMS_NOTE: Change = Change {
    summary: "+ column items.note varchar(100) null",
    up: &[Run("ALTER TABLE `items` ADD COLUMN `note` varchar(100) NULL")],
    down: &[Run("ALTER TABLE `items` DROP COLUMN `note`")],
};

const MY_ADD_INDEX_ITEMS: Change = Change {
    summary: "+ index (name) on items",
    up: &[Run("CREATE INDEX `ix_items_name` ON `items` (`name`)")],
    down: &[Run("DROP INDEX `ix_items_name` ON `items`")],
};

const MY_ADD_VIEW_ITEM_NAMES: Change = Change {
    summary: "+ view item_names",
    up: &[Run("CREATE VIEW `item_names` AS SELECT `name` FROM `items`")],
    down: &[Run("DROP VIEW `item_names`")],
};

const LITE_ADD_TABLE_TAGS: Change = Change {
    summary: "+ table tags",
    up: &[Run(
        "CREATE TABLE \"tags\" (\"id\" integer NOT NULL PRIMARY KEY, \"item_id\" integer NOT NULL REFERENCES \"items\" (\"id\"), \"label\" varchar(20) NULL)",
    )],
    down: &[Run("DROP TABLE \"tags\"")],
};

const LITE_ADD_COLUMN_ITEMS_NOTE: Change = Change {
    summary: "+ column items.note varchar(100) null",
    up: &[Run("ALTER TABLE \"items\" ADD COLUMN \"note\" varchar(100) NULL")],
    down: &[Run("ALTER TABLE \"items\" DROP COLUMN \"note\"")],
};

const LITE_ADD_INDEX_ITEMS: Change = Change {
    summary: "+ index (name) on items",
    up: &[Run("CREATE INDEX \"ix_items_name\" ON \"items\" (\"name\")")],
    down: &[Run("DROP INDEX \"ix_items_name\"")],
};

const LITE_ADD_VIEW_ITEM_NAMES: Change = Change {
    summary: "+ view item_names",
    up: &[Run("CREATE VIEW \"item_names\" AS SELECT \"name\" FROM \"items\"")],
    down: &[Run("DROP VIEW \"item_names\"")],
};

const NAME: &str = "m20260101_000000_round_trip";

async fn round_trip(backend: DbBackend, mode: Mode) {
    let Some(test) = TestDb::new(backend, "round_trip").await else { return };
    test.exec("CREATE TABLE items (id int NOT NULL PRIMARY KEY, name varchar(50) NOT NULL)").await;
    test.exec("INSERT INTO items (id, name) VALUES (1, 'kept')").await;
    let before = test.schema().await;

    up(&test, mode, NAME, &PLAN).await.expect("up");
    assert_objects(&test.schema().await, &["tags", "items.note", "ix_items_name", "item_names"], true);
    test.exec("INSERT INTO tags (id, item_id, label) VALUES (1, 1, 'a')").await;
    assert_eq!(test.texts("SELECT name FROM item_names").await, ["kept"]);
    assert_eq!(test.progress(NAME, "up").await, None, "no progress is left once up succeeded");

    down(&test, mode, NAME, &PLAN).await.expect("down");
    assert_eq!(test.schema().await, before);
    assert_eq!(test.texts("SELECT name FROM items").await, ["kept"]);
    assert_eq!(test.progress(NAME, "down").await, None, "no progress is left once down succeeded");
}

per_backend!(in both modes round_trip);
