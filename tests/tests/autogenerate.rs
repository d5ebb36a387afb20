//! Autogenerate round trips on every backend, through a scratch project's real binary: create the
//! schema from entities, edit the entities with every kind of change, `create`, compile,
//! `upgrade`, `check` finds nothing, rows are kept, `downgrade`, and the schema is the one we
//! started from.

use autogen::pipeline::diff::{DiffOptions, ObjectKind, diff};
use autogen::pipeline::inspect::{InspectOptions, inspect};
use autogen::pipeline::schema::Schema;
use e2e_tests::scenario::Project;
use e2e_tests::{Backend, TestDb, on_every_backend};
use sea_orm::{ConnectionTrait, Statement};

/// Runs the scenario binary with `args`; returns (exit code, stdout, stderr).

/// Diff options that manage every kind of object, so that nothing differs unseen.
fn every_kind(backend: Backend) -> DiffOptions {
    let backend = match backend {
        Backend::Postgres | Backend::Postgres18 => sea_orm::DbBackend::Postgres,
        Backend::MySql => sea_orm::DbBackend::MySql,
        Backend::Sqlite => sea_orm::DbBackend::Sqlite,
    };
    DiffOptions { backend, manage: ObjectKind::ALL.into_iter().collect() }
}

async fn schema(db: &TestDb) -> Schema {
    let conn = db.connect().await;
    let schema = inspect(&conn, &InspectOptions::default()).await.expect("inspect");
    conn.close().await.ok();
    schema
}

async fn execute(db: &TestDb, statements: &[&str]) {
    let conn = db.connect().await;
    for sql in statements {
        conn.execute_raw(Statement::from_string(conn.get_database_backend(), sql.to_string()))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    conn.close().await.ok();
}

async fn query_one(db: &TestDb, sql: &str) -> Vec<String> {
    let conn = db.connect().await;
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    conn.close().await.ok();
    rows.iter().map(|row| row.try_get_by_index::<String>(0).expect("text column")).collect()
}

async fn round_trip(backend: Backend) {
    let Some(db) = TestDb::create(backend, "autogen").await else { return };
    let project = Project::new(backend, "round_trip");

    // 1. An empty database and the first entities: `create` writes the whole schema.
    project.set_entities("v0");
    project.build();
    let out = project.ok(&db, &["create", "initial schema"]);
    assert!(out.contains("+ table s_cols"), "{out}");
    assert!(out.contains("Wrote "), "{out}");
    let first = project.migrations();
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(first[0].ends_with("_initial_schema.rs"), "{first:?}");
    project.build();
    project.ok(&db, &["upgrade"]);
    let out = project.ok(&db, &["check"]);
    assert!(out.contains("No changes"), "{out}");
    let out = project.ok(&db, &["create", "nothing to do"]);
    assert!(out.contains("Nothing written"), "{out}");
    assert_eq!(project.migrations().len(), 1);

    execute(
        &db,
        &[
            "INSERT INTO s_parent (id, name) VALUES (1, 'p')",
            "INSERT INTO s_cols (id, title, old_name, dropped, count, amount, strict, loose, plain, \
             changed_default, dropped_default, noted, happened_at, loses_unique, gains_unique, \
             loses_index, gains_index, pair_a, pair_b) VALUES (1, 'hello', 'keep me', 5, 3, 1.25, \
             's', 'l', 1, 1, 'x', 1, '2026-01-01 00:00:00', 1, 1, 1, 1, 1, 1)",
            "INSERT INTO s_child (id, parent_id, other_parent_id) VALUES (1, 1, 1)",
            "INSERT INTO s_keys (a, b) VALUES (1, 2)",
            "INSERT INTO s_enum (id, level) VALUES (1, 'low')",
            "INSERT INTO s_dropped (id, body) VALUES (1, 'bye')",
            "INSERT INTO s_pet (id, parent_id) VALUES (1, 1)",
        ],
    )
    .await;
    if backend == Backend::Sqlite {
        // s_parent is rebuilt on SQLite; its trigger must come back.
        execute(
            &db,
            &["CREATE TRIGGER s_parent_touch AFTER UPDATE ON s_parent BEGIN UPDATE s_pet SET id = id WHERE parent_id = NEW.id; END"],
        )
        .await;
    }
    let start = schema(&db).await;

    // 2. Every kind of change at once.
    project.set_entities("v1");
    project.build();
    let (code, out, err) = project.run(&db, &["check"]);
    assert_eq!(code, 1, "check must see drift\n{out}\n{err}");
    // SQLite stores text alike whatever its declared length: a longer varchar is no change there.
    if backend != Backend::Sqlite {
        let expected = "~ column s_cols.title: type varchar(50) -> varchar(100)";
        assert!(out.contains(expected), "missing `{expected}` in\n{out}");
    }
    for expected in [
        "~ column s_cols.old_name renamed to new_name",
        "- column s_cols.dropped",
        "+ column s_cols.added",
        "+ table s_added",
        "- table s_dropped",
        "~ primary key s_keys (a) -> (a, b)",
    ] {
        assert!(out.contains(expected), "missing `{expected}` in\n{out}");
    }
    let (code, json, _) = project.run(&db, &["check", "--format", "json"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&json).expect("check --format json");
    assert!(json["changes"].as_array().is_some_and(|c| c.len() > 10), "{json}");

    assert!(json["findings"].as_array().is_some_and(|f| f.iter().any(|f| f["code"] == "DS102")), "{json}");

    // Data loss and a NOT NULL column without a default are refused, and nothing is written.
    let (code, out, err) = project.run(&db, &["create", "edit every kind of thing"]);
    assert_eq!(code, 1, "{out}\n{err}");
    for expected in [
        "Refusing to write a migration that destroys data:",
        "DS101 drops table s_dropped and its rows",
        "DS102 drops column s_cols.dropped and its values",
        "Pass --allow-destructive",
        "s_cols.required is new, NOT NULL and has no default",
        "--backfill s_cols.required=EXPR",
        "Nothing written.",
    ] {
        assert!(err.contains(expected), "missing `{expected}` in\n{err}");
    }
    // A table whose entity is gone is never dropped silently.
    assert!(err.contains("warning: table s_dropped has no entity: the migration drops it"), "{err}");
    assert!(out.contains("- column s_cols.dropped  [DS102]"), "{out}");
    let (code, _, err) = project.run(&db, &["create", "--backfill", "s_cols.required=7", "edit"]);
    assert_eq!(code, 1, "still destructive: {err}");
    let (code, _, err) = project.run(&db, &["create", "--allow-destructive", "--backfill", "s_cols.title=1", "edit"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("s_cols.title is not a new NOT NULL column"), "{err}");
    assert_eq!(project.migrations().len(), 1, "nothing written");

    let (code, out, err) = project.run(
        &db,
        &["create", "--allow-destructive", "--backfill", "s_cols.required=7", "--sql", "edit every kind of thing"],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("Detected "), "{out}");
    assert!(out.contains("-- SQL of `up` on") && out.contains("s_added"), "create --sql:\n{out}");
    assert_eq!(project.migrations().len(), 1, "create --sql is a preview: nothing written");
    project.ok(&db, &["create", "--allow-destructive", "--backfill", "s_cols.required=7", "edit every kind of thing"]);
    let files = project.migrations();
    assert_eq!(files.len(), 2, "{files:?}");
    let source = project.migration_source(&files[1]);
    assert!(source.starts_with("//! edit every kind of thing\n//!\n//! WARNING: read every line below before running this migration."), "{source}");
    assert!(source.contains("//!     DS101 drops table s_dropped and its rows"), "{source}");
    assert!(source.contains(&format!("//! Follows: {}.", first[0].trim_end_matches(".rs"))), "{source}");
    project.build();
    project.ok(&db, &["upgrade"]);
    let out = project.ok(&db, &["check"]);
    assert!(out.contains("No changes"), "after upgrade:\n{out}");

    // An index declared by the entity module's `indexes()` is created under its own name.
    assert!(
        db.indexes("s_added").await.iter().any(|name| name == "ix_s_added_status_parent"),
        "{:?}",
        db.indexes("s_added").await
    );

    // Rows survive renames, widening and rebuilds.
    assert_eq!(query_one(&db, "SELECT new_name FROM s_cols WHERE id = 1").await, vec!["keep me"]);
    assert_eq!(query_one(&db, "SELECT title FROM s_cols WHERE id = 1").await, vec!["hello"]);
    // The backfill filled the row that was there.
    assert_eq!(query_one(&db, "SELECT title FROM s_cols WHERE required = 7").await, vec!["hello"]);
    assert_eq!(query_one(&db, "SELECT name FROM s_parent WHERE id = 1").await, vec!["p"]);
    assert_eq!(
        query_one(&db, "SELECT p.name FROM s_child c JOIN s_parent p ON p.id = c.parent_id WHERE c.id = 1").await,
        vec!["p"]
    );

    // s_parent, referenced by two tables with rows, kept its rows and every reference.
    assert_eq!(
        query_one(&db, "SELECT p.name FROM s_pet t JOIN s_parent p ON p.id = t.parent_id WHERE t.id = 1").await,
        vec!["p"]
    );
    if backend == Backend::Sqlite {
        assert!(query_one(&db, "SELECT * FROM pragma_foreign_key_check").await.is_empty());
        assert_eq!(
            query_one(&db, "SELECT name FROM sqlite_master WHERE type = 'trigger'").await,
            vec!["s_parent_touch"]
        );
    }

    // 3. Back down: the schema is the one we started from.
    project.ok(&db, &["downgrade"]);
    let back = schema(&db).await;
    // Everything compared, every kind of object managed; a column that comes back is last on
    // PostgreSQL, which cannot add one elsewhere, so column order is not compared.
    let drift = diff(&start, &back, &every_kind(backend));
    assert!(drift.changes.is_empty(), "downgrade did not restore the schema: {:#?}", drift.changes);
    assert_eq!(query_one(&db, "SELECT old_name FROM s_cols WHERE id = 1").await, vec!["keep me"]);
    assert_eq!(query_one(&db, "SELECT name FROM s_parent WHERE id = 1").await, vec!["p"]);
    if backend == Backend::Sqlite {
        assert!(query_one(&db, "SELECT * FROM pragma_foreign_key_check").await.is_empty());
        assert_eq!(
            query_one(&db, "SELECT name FROM sqlite_master WHERE type = 'trigger'").await,
            vec!["s_parent_touch"]
        );
    }

    // 4. Up again, and the CI form agrees.
    project.ok(&db, &["upgrade"]);
    let out = project.ok(&db, &["check"]);
    assert!(out.contains("No changes"), "{out}");
    let out = project.ok(&db, &["check", "--replay"]);
    assert!(out.contains("No changes"), "replay:\n{out}");
}

/// A database made before its migrations existed: `create --initial` writes the first migration
/// from every entity whatever the database holds, and `stamp head` adopts the database.
async fn adopting_an_existing_database(backend: Backend) {
    let Some(db) = TestDb::create(backend, "adopt").await else { return };
    let project = Project::new(backend, "adopt");
    project.set_entities("v0");
    project.build();
    // The schema exists, made by hand from the initial migration's own SQL, with no bookkeeping.
    let out = project.ok(&db, &["create", "--initial", "--sql", "initial schema"]);
    assert!(out.contains("+ table s_cols"), "{out}");
    let script: String = out.lines().skip_while(|l| !l.starts_with("-- SQL of")).collect::<Vec<_>>().join("\n");
    assert!(project.migrations().is_empty(), "create --sql is a preview: nothing written");
    db.run_script(&script).await;
    assert!(db.tables().await.contains(&"s_cols".to_owned()));
    let out = project.ok(&db, &["create", "--initial", "initial schema"]);
    assert!(out.contains("Wrote "), "{out}");
    project.build();
    let (code, _, err) = project.run(&db, &["create", "--initial", "again"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("create --initial writes the first migration, and this project has 1 migration already"), "{err}");

    let (code, out, _) = project.run(&db, &["check"]);
    assert_eq!(code, 1, "pending: {out}");
    project.ok(&db, &["stamp", "head"]);
    let out = project.ok(&db, &["check"]);
    assert!(out.contains("No changes"), "{out}");
    // Stamped, not run: downgrading it now really drops what the initial migration made.
    project.ok(&db, &["downgrade", "base"]);
    assert_eq!(db.tables().await, vec!["seaql_migrations".to_owned()]);
}

const FAILING: &str = r#"//! Fails on purpose at its third statement, hand-written SQL like the second.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn table(name: &str) -> TableCreateStatement {
    Table::create()
        .table(Alias::new(name))
        .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key())
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(table("f_one")).await?;
        let db = manager.get_connection();
        db.execute_unprepared("CREATE TABLE f_two (id integer PRIMARY KEY)").await?;
        db.execute_unprepared("CREATE   TABLE f_one\n  (id integer PRIMARY KEY)").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("f_two")).if_exists().to_owned()).await?;
        manager.drop_table(Table::drop().table(Alias::new("f_one")).if_exists().to_owned()).await
    }
}
"#;

/// A migration in the generated shape that manages its own transactions: its first change is
/// committed, its second fails until `g_base` exists.
const RESUMING: &str = r#"//! Fails on purpose at its second change until g_base exists.
//!
//! Generated by sea-orm-autogen from the entities, against SQLite; runs on PostgreSQL and MySQL/MariaDB and SQLite.
//! Follows: nothing (first migration).

use sea_orm_autogen_runtime::Stmt::{Commit, Run};
use sea_orm_autogen_runtime::{Change, Plan};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sea_orm_autogen_runtime::up(manager, self.name(), &PLAN).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sea_orm_autogen_runtime::down(manager, self.name(), &PLAN).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(false)
    }
}

const ONE: Change = Change {
    summary: "+ table g_one",
    up: &[Run("CREATE TABLE g_one (id integer PRIMARY KEY)"), Commit],
    down: &[Run("DROP TABLE g_one")],
};

const TWO: Change = Change {
    summary: "+ table g_two",
    up: &[Run("SELECT id FROM g_base"), Run("CREATE TABLE g_two (id integer PRIMARY KEY)")],
    down: &[Run("DROP TABLE g_two")],
};

const PLAN: Plan = Plan { lock_timeout_ms: 0, lock_retries: 0, postgres: Some(&[ONE, TWO]), mysql: Some(&[ONE, TWO]), sqlite: Some(&[ONE, TWO]) };
"#;

/// A migration whose third statement fails: the error names the migration and the statement,
/// PostgreSQL and SQLite keep nothing of it, and `current` and `history` tell the truth.
async fn failure_in_the_middle(backend: Backend) {
    let Some(db) = TestDb::create(backend, "failure").await else { return };
    let project = Project::new(backend, "failure");
    project.set_entities("v0");
    project.build();
    project.ok(&db, &["create", "--empty", "fails on purpose"]);
    let file = project.migrations().pop().expect("the new migration");
    std::fs::write(project.root.path().join("migration/src").join(&file), FAILING).unwrap();
    project.build();
    let (code, out, err) = project.run(&db, &["upgrade"]);
    assert_eq!(code, 2, "{out}{err}");
    let error = err.lines().find(|l| l.starts_with("error:")).expect("an error line");
    let name = file.trim_end_matches(".rs");
    // The hand-written statement is named as it was sent (on one line), whichever way it came.
    assert!(error.contains(&format!("migration {name} failed while applying it, at `CREATE TABLE f_one (id integer PRIMARY KEY)`")), "{error}");
    let tables = db.tables().await;
    if backend == Backend::MySql {
        // What stays is listed, the builder's statement and the hand-written one alike.
        assert!(error.contains("the 2 statements before it stay applied (MySQL commits each DDL statement): `CREATE TABLE `f_one`"), "{error}");
        assert!(error.contains(", `CREATE TABLE f_two (id integer PRIMARY KEY)`; the migration is not recorded"), "{error}");
        assert!(tables.contains(&"f_one".to_owned()) && tables.contains(&"f_two".to_owned()), "{tables:?}");
    } else {
        assert!(error.contains("nothing of it was kept"), "{error}");
        assert!(!tables.contains(&"f_one".to_owned()) && !tables.contains(&"f_two".to_owned()), "{tables:?}");
    }
    let out = project.ok(&db, &["current"]);
    assert!(out.starts_with("base"), "{out}");
    let out = project.ok(&db, &["history"]);
    assert!(out.contains("pending") && out.contains("0 applied, 1 pending"), "{out}");

    // A generated migration that manages its own transactions says what of it is applied, on
    // every backend (never that PostgreSQL "commits each one"), and continues from there.
    std::fs::write(project.root.path().join("migration/src").join(&file), RESUMING).unwrap();
    project.ok(&db, &["hash"]);
    project.build();
    let (code, out, err) = project.run(&db, &["upgrade"]);
    assert_eq!(code, 2, "{out}{err}");
    let error = err.lines().find(|l| l.starts_with("error:")).expect("an error line");
    assert!(error.contains("change 2 of 2 (+ table g_two) failed at `SELECT id FROM g_base`"), "{error}");
    assert!(error.contains("the statements before it are applied and recorded in seaql_migrations_progress"), "{error}");
    assert!(!error.contains("commits each"), "{error}");
    assert!(db.tables().await.contains(&"g_one".to_owned()));
    let sql = if backend == Backend::MySql { "CREATE TABLE g_base (id integer PRIMARY KEY) ENGINE=InnoDB" } else { "CREATE TABLE g_base (id integer PRIMARY KEY)" };
    let conn = db.connect().await;
    sea_orm::ConnectionTrait::execute_unprepared(&conn, sql).await.expect("create g_base");
    conn.close().await.ok();
    project.ok(&db, &["upgrade"]);
    let tables = db.tables().await;
    assert!(tables.contains(&"g_two".to_owned()) && !tables.contains(&"seaql_migrations_progress".to_owned()), "{tables:?}");
}

/// Two branches each add a migration after the same head; once merged, history, check and
/// upgrade report it, and `rebase` makes the history linear again.
async fn merged_branches(backend: Backend) {
    let Some(db) = TestDb::create(backend, "branches").await else { return };
    let project = Project::new(backend, "branches");
    project.set_entities("v0");
    project.build();
    project.ok(&db, &["create", "initial"]);
    project.build();
    project.ok(&db, &["upgrade"]);
    // Both created from the same head, as on two branches, then both registered by the merge.
    // `create` follows what lib.rs registers last, so the second is told it was made on a branch
    // of its own: its Follows line names the head both started from, and `hash` records the edit.
    project.ok(&db, &["create", "--empty", "branch one"]);
    project.ok(&db, &["create", "--empty", "branch two"]);
    let files = project.migrations();
    let (one, two) = (files[1].trim_end_matches(".rs").to_owned(), files[2].trim_end_matches(".rs").to_owned());
    let two_path = project.migration_dir().join(&files[2]);
    let text = std::fs::read_to_string(&two_path).unwrap();
    let head = files[0].trim_end_matches(".rs");
    assert!(text.contains(&format!("//! Follows: {one}.")), "{text}");
    std::fs::write(&two_path, text.replace(&format!("//! Follows: {one}."), &format!("//! Follows: {head}."))).unwrap();
    project.ok(&db, &["hash"]);
    project.build();
    let expected = format!("{one} and {two} all follow {}", files[0].trim_end_matches(".rs"));
    let (_, _, err) = project.run(&db, &["history"]);
    assert!(err.contains(&expected), "{err}");
    let (code, _, err) = project.run(&db, &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&expected) && err.contains(&format!("migrate rebase {two}")), "{err}");
    let (code, _, err) = project.run(&db, &["upgrade"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&expected), "{err}");

    let out = project.ok(&db, &["rebase", &two]);
    assert!(out.contains(&format!("now following {one}")), "{out}");
    let files = project.migrations();
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(!files.iter().any(|f| f.starts_with(&two)), "renamed: {files:?}");
    let rebased = files.iter().find(|f| f.ends_with("_branch_two.rs")).expect("the rebased file");
    assert!(project.migration_source(rebased).contains(&format!("//! Follows: {one}.")));
    project.build();
    let (_, out, err) = project.run(&db, &["history"]);
    assert!(!err.contains("conflict"), "{err}");
    assert!(out.contains("1 applied, 2 pending"), "{out}");
    let out = project.ok(&db, &["upgrade"]);
    assert!(out.contains("Upgraded 2 migrations"), "{out}");
    // create and rebase kept migrations.sum in step with lib.rs.
    let manifest = std::fs::read_to_string(project.root.path().join("migration/src/migrations.sum")).unwrap();
    assert!(manifest.contains(&format!("{one} ")) && !manifest.contains(&format!("{two} ")), "{manifest}");
    assert!(manifest.contains(rebased.trim_end_matches(".rs")), "{manifest}");
    let out = project.ok(&db, &["check"]);
    assert!(out.contains("No changes"), "{out}");
    let (code, _, err) = project.run(&db, &["rebase", &one]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is applied to this database"), "{err}");
}

on_every_backend!(round_trip, adopting_an_existing_database, failure_in_the_middle, merged_branches);
