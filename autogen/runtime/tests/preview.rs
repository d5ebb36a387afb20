//! Preview (`migrate upgrade --sql`): on a recording `MockDatabase`, as the runner's preview
//! builds one, a migration records each group of statements between `BEGIN` and `COMMIT` (on
//! MySQL/MariaDB, whose DDL commits itself, without them) and the statements that run alone by
//! themselves, in order, and nothing of the progress bookkeeping.

use std::collections::BTreeMap;

use sea_orm::{DatabaseConnection, DbBackend, MockDatabase, MockExecResult, Value};
use sea_orm_autogen_runtime::Stmt::{Alone, Batches, BuildIndex, Commit, FirstOf, Refuse, Restore, Run, Save};
use sea_orm_autogen_runtime::{Change, Plan};
use sea_orm_migration::SchemaManager;

const PLAN: Plan = Plan {
    lock_timeout_ms: 300,
    lock_retries: 5,
    postgres: Some(&[PG_ENUM, PG_COLUMN, PG_INDEX, PG_FILL, PG_NOT_NULL]),
    mysql: Some(&[MY_COLUMN, MY_RETYPE, MY_FILL]),
    sqlite: Some(&[LITE_COLUMN, LITE_REBUILD]),
};

const PG_ENUM: Change = Change {
    summary: "+ enum value role.admin",
    up: &[Run("ALTER TYPE \"role\" ADD VALUE IF NOT EXISTS 'admin'"), Commit],
    down: &[Run("DROP TYPE \"role\"")],
};

const PG_COLUMN: Change = Change {
    summary: "+ column users.role role null default 'admin'",
    up: &[Run("ALTER TABLE \"users\" ADD COLUMN \"role\" \"role\" NULL DEFAULT 'admin'")],
    down: &[Run("ALTER TABLE \"users\" DROP COLUMN \"role\"")],
};

const PG_INDEX: Change = Change {
    summary: "+ index (role) on users",
    up: &[BuildIndex {
        name: "ix_users_role",
        create: "CREATE INDEX CONCURRENTLY \"ix_users_role\" ON \"users\" (\"role\")",
        drop: "DROP INDEX CONCURRENTLY IF EXISTS \"ix_users_role\"",
    }],
    down: &[Alone("DROP INDEX CONCURRENTLY IF EXISTS \"ix_users_role\"")],
};

const PG_FILL: Change = Change {
    summary: "~ fill users.role",
    up: &[Batches(
        "UPDATE \"users\" SET \"role\" = 'admin' WHERE \"id\" IN (SELECT \"id\" FROM \"users\" WHERE \"role\" IS NULL LIMIT 1000)",
    )],
    down: &[],
};

const PG_NOT_NULL: Change = Change {
    summary: "~ column users.role: not null",
    up: &[
        Refuse {
            query: "SELECT 1 FROM \"users\" WHERE \"role\" IS NULL LIMIT 1",
            message: "rows of users have no role",
        },
        Run("ALTER TABLE \"users\" ALTER COLUMN \"role\" SET NOT NULL"),
    ],
    down: &[Run("ALTER TABLE \"users\" ALTER COLUMN \"role\" DROP NOT NULL")],
};

const MY_COLUMN: Change = Change {
    summary: "+ column users.nick varchar(20) null",
    up: &[Run("ALTER TABLE `users` ADD COLUMN `nick` varchar(20) NULL")],
    down: &[Run("ALTER TABLE `users` DROP COLUMN `nick`")],
};

const MY_RETYPE: Change = Change {
    summary: "~ column users.age: type int -> bigint",
    up: &[FirstOf(&[
        "ALTER TABLE `users` MODIFY `age` bigint NULL, ALGORITHM=INSTANT",
        "ALTER TABLE `users` MODIFY `age` bigint NULL",
    ])],
    down: &[FirstOf(&[
        "ALTER TABLE `users` MODIFY `age` int NULL, ALGORITHM=INSTANT",
        "ALTER TABLE `users` MODIFY `age` int NULL",
    ])],
};

const MY_FILL: Change = Change {
    summary: "~ fill users.nick",
    up: &[Batches("UPDATE `users` SET `nick` = `name` WHERE `nick` IS NULL LIMIT 1000")],
    down: &[Run("UPDATE `users` SET `nick` = NULL")],
};

const LITE_COLUMN: Change = Change {
    summary: "+ column users.nick varchar(20) null",
    up: &[Run("ALTER TABLE \"users\" ADD COLUMN \"nick\" varchar(20) NULL")],
    down: &[Run("ALTER TABLE \"users\" DROP COLUMN \"nick\"")],
};

const LITE_REBUILD: Change = Change {
    summary: "~ column users.nick: not null",
    up: &[
        Alone("PRAGMA foreign_keys = OFF"),
        Save(
            "SELECT printf('DROP %s IF EXISTS \"%w\"', upper(type), name), sql FROM sqlite_master WHERE tbl_name = 'users'",
        ),
        Run(
            "CREATE TABLE \"__autogen_new_users\" (\"id\" integer NOT NULL PRIMARY KEY, \"nick\" varchar(20) NOT NULL)",
        ),
        Run("INSERT INTO \"__autogen_new_users\" (\"id\", \"nick\") SELECT \"id\", \"nick\" FROM \"users\""),
        Run("DROP TABLE \"users\""),
        Run("ALTER TABLE \"__autogen_new_users\" RENAME TO \"users\""),
        Restore,
        Refuse {
            query: "PRAGMA foreign_key_check",
            message: "rows would break a foreign key after the rebuild of users",
        },
        Alone("PRAGMA foreign_keys = ON"),
    ],
    down: &[],
};

/// A recording connection whose statements all succeed and whose queries find no row, as the
/// runner's preview builds it.
fn recorder(backend: DbBackend) -> DatabaseConnection {
    MockDatabase::new(backend)
        .append_exec_results((0..100).map(|_| MockExecResult { last_insert_id: 0, rows_affected: 0 }))
        .append_query_results((0..100).map(|_| Vec::<BTreeMap<String, Value>>::new()))
        .into_connection()
}

/// What previewing `up` (or `down`) of `PLAN` on `backend` records, statement by statement.
async fn recorded(backend: DbBackend, forward: bool) -> Vec<String> {
    let db = recorder(backend);
    {
        let manager = SchemaManager::new(&db);
        let name = "m20260109_000000_preview";
        let result = if forward {
            sea_orm_autogen_runtime::up(&manager, name, &PLAN).await
        } else {
            sea_orm_autogen_runtime::down(&manager, name, &PLAN).await
        };
        result.expect("the preview runs");
    }
    let statements: Vec<String> =
        db.into_transaction_log().iter().flat_map(|t| t.statements().iter().map(|s| s.to_string())).collect();
    assert!(
        !statements.iter().any(|s| s.contains("seaql_migrations_progress")),
        "a preview records no progress: {statements:#?}"
    );
    statements
}

#[tokio::test]
async fn postgres_groups_in_transactions_and_concurrent_builds_alone() {
    assert_eq!(
        recorded(DbBackend::Postgres, true).await,
        [
            "BEGIN",
            "SET LOCAL lock_timeout = '300ms'",
            "ALTER TYPE \"role\" ADD VALUE IF NOT EXISTS 'admin'",
            "COMMIT",
            "BEGIN",
            "SET LOCAL lock_timeout = '300ms'",
            "ALTER TABLE \"users\" ADD COLUMN \"role\" \"role\" NULL DEFAULT 'admin'",
            "COMMIT",
            "CREATE INDEX CONCURRENTLY \"ix_users_role\" ON \"users\" (\"role\")",
            "UPDATE \"users\" SET \"role\" = 'admin' WHERE \"id\" IN (SELECT \"id\" FROM \"users\" WHERE \"role\" IS NULL LIMIT 1000)",
            "BEGIN",
            "SET LOCAL lock_timeout = '300ms'",
            "SELECT 1 FROM \"users\" WHERE \"role\" IS NULL LIMIT 1",
            "ALTER TABLE \"users\" ALTER COLUMN \"role\" SET NOT NULL",
            "COMMIT",
        ]
    );
}

#[tokio::test]
async fn postgres_down_runs_the_changes_in_reverse() {
    assert_eq!(
        recorded(DbBackend::Postgres, false).await,
        [
            "BEGIN",
            "SET LOCAL lock_timeout = '300ms'",
            "ALTER TABLE \"users\" ALTER COLUMN \"role\" DROP NOT NULL",
            "COMMIT",
            "DROP INDEX CONCURRENTLY IF EXISTS \"ix_users_role\"",
            "BEGIN",
            "SET LOCAL lock_timeout = '300ms'",
            "ALTER TABLE \"users\" DROP COLUMN \"role\"",
            "DROP TYPE \"role\"",
            "COMMIT",
        ]
    );
}

#[tokio::test]
async fn mysql_records_its_self_committing_statements_alone() {
    assert_eq!(
        recorded(DbBackend::MySql, true).await,
        [
            "ALTER TABLE `users` ADD COLUMN `nick` varchar(20) NULL",
            "ALTER TABLE `users` MODIFY `age` bigint NULL, ALGORITHM=INSTANT",
            "UPDATE `users` SET `nick` = `name` WHERE `nick` IS NULL LIMIT 1000",
        ]
    );
}

#[tokio::test]
async fn sqlite_records_the_pragmas_outside_the_rebuilds_transaction() {
    assert_eq!(
        recorded(DbBackend::Sqlite, true).await,
        [
            "BEGIN",
            "ALTER TABLE \"users\" ADD COLUMN \"nick\" varchar(20) NULL",
            "COMMIT",
            "PRAGMA foreign_keys = OFF",
            "BEGIN",
            "SELECT printf('DROP %s IF EXISTS \"%w\"', upper(type), name), sql FROM sqlite_master WHERE tbl_name = 'users'",
            "CREATE TABLE \"__autogen_new_users\" (\"id\" integer NOT NULL PRIMARY KEY, \"nick\" varchar(20) NOT NULL)",
            "INSERT INTO \"__autogen_new_users\" (\"id\", \"nick\") SELECT \"id\", \"nick\" FROM \"users\"",
            "DROP TABLE \"users\"",
            "ALTER TABLE \"__autogen_new_users\" RENAME TO \"users\"",
            "PRAGMA foreign_key_check",
            "COMMIT",
            "PRAGMA foreign_keys = ON",
        ]
    );
}
