//! Rendered SQL is what a migration runs: each backend's plan is snapshotted as a script, then run
//! through the runtime against a real database (SQLite, PostgreSQL and MariaDB), after which the
//! inspected schema is the desired one; `down` brings back the one we started from.

mod common;

use autogen::pipeline::diff::{Change, DiffOptions, ObjectKind, diff};
use autogen::pipeline::inspect::{InspectOptions, inspect};
use autogen::pipeline::plan::{Step, plan};
use autogen::pipeline::render::sql::{Context, preview};
use autogen::pipeline::schema::{Action, Column, ColumnType, Default, ForeignKey, Index, Schema, Table};
use common::{Scratch, down, runtime_plan, up};
use sea_orm::{ConnectionTrait, DbBackend};

fn column(name: &str, ty: ColumnType) -> Column {
    Column::new(name, ty)
}

/// A starting schema and an edited one, as `desired` would produce them on `backend`.
fn schemas(backend: DbBackend) -> (Schema, Schema) {
    let int_key = if backend == DbBackend::Sqlite { ColumnType::Integer } else { ColumnType::BigInt };
    let orgs = Table {
        name: "p_orgs".into(),
        columns: vec![Column { auto_increment: true, ..column("id", int_key.clone()) }, column("name", ColumnType::Varchar(Some(40)))],
        primary_key: vec!["id".into()],
        ..Table::default()
    };
    let users = Table {
        name: "p_users".into(),
        columns: vec![
            Column { auto_increment: true, ..column("id", int_key.clone()) },
            column("email", if backend == DbBackend::Sqlite { ColumnType::Integer } else { ColumnType::Varchar(Some(50)) }),
            column("org_id", int_key),
        ],
        primary_key: vec!["id".into()],
        ..Table::default()
    };
    let mut current = Schema::default();
    current.tables.insert(orgs.name.clone(), orgs);
    current.tables.insert(users.name.clone(), users);
    let mut desired = current.clone();
    let users = desired.tables.get_mut("p_users").unwrap();
    users.columns[1].ty = ColumnType::Varchar(Some(320));
    users.columns.push(Column {
        nullable: true,
        default: Some(Default::String("it's C:\\temp".into())),
        ..column("nick", ColumnType::Varchar(Some(20)))
    });
    users.indexes.push(Index::on_columns(&["email"], true));
    users.foreign_keys.push(ForeignKey {
        name: "fk-p_users-org_id".into(),
        columns: vec!["org_id".into()],
        ref_table: "p_orgs".into(),
        ref_columns: vec!["id".into()],
        on_delete: Action::Cascade,
        on_update: Action::NoAction,
    });
    (current, desired)
}

fn options(backend: DbBackend) -> DiffOptions {
    DiffOptions { backend, manage: ObjectKind::ALL.into_iter().collect() }
}

fn changes(current: &Schema, desired: &Schema, backend: DbBackend) -> Vec<Change> {
    diff(current, desired, &options(backend)).changes
}

fn script(backend: DbBackend) -> Vec<String> {
    let (current, desired) = schemas(backend);
    let steps = plan(&changes(&current, &desired, backend), &current, backend).up;
    preview(&steps, &Context::new(backend, &current, &desired)).unwrap()
}

#[test]
fn scripts_per_backend() {
    for (backend, name) in [(DbBackend::Postgres, "postgres"), (DbBackend::MySql, "mysql"), (DbBackend::Sqlite, "sqlite")] {
        insta::assert_snapshot!(format!("script_{name}"), script(backend).join("\n"));
    }
}

/// Creates `current` from nothing, applies the edit and checks the database then matches
/// `desired`; reverts it and checks it matches `current` again.
async fn round_trip(backend: DbBackend) {
    let Some(scratch) = Scratch::new(backend, "render_run").await else { return };
    round_trip_on(scratch).await;
}

async fn round_trip_on(scratch: Scratch) {
    let backend = scratch.backend;
    let (current, desired) = schemas(backend);
    let empty = Schema::default();
    let create = plan(&changes(&empty, &current, backend), &empty, backend);
    up(&scratch.db, "m_create", runtime_plan(&create, &Context::new(backend, &empty, &current)))
        .await
        .unwrap();
    scratch.exec(&["INSERT INTO p_orgs (id, name) VALUES (1, 'o')", "INSERT INTO p_users (id, email, org_id) VALUES (1, '7', 1)"]).await;
    let edit = plan(&changes(&current, &desired, backend), &current, backend);
    let edit = runtime_plan(&edit, &Context::new(backend, &current, &desired));
    up(&scratch.db, "m_edit", edit).await.unwrap();
    let inspected = inspect(&scratch.db, &InspectOptions::default()).await.unwrap();
    assert_eq!(changes(&inspected, &desired, backend), vec![], "the edit did not produce the desired schema");
    let nick = scratch
        .db
        .query_one_raw(sea_orm::Statement::from_string(backend, "SELECT nick FROM p_users"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(nick.try_get_by_index::<String>(0).unwrap(), "it's C:\\temp");
    down(&scratch.db, "m_edit", edit).await.unwrap();
    let inspected = inspect(&scratch.db, &InspectOptions::default()).await.unwrap();
    assert_eq!(changes(&inspected, &current, backend), vec![], "down did not restore the schema");
    scratch.drop().await;
}

#[tokio::test]
async fn round_trip_sqlite() {
    round_trip(DbBackend::Sqlite).await;
}

#[tokio::test]
async fn round_trip_postgres() {
    round_trip(DbBackend::Postgres).await;
}

#[tokio::test]
async fn round_trip_postgres18() {
    let Some(scratch) = Scratch::postgres18("render_run").await else { return };
    round_trip_on(scratch).await;
}

#[tokio::test]
async fn round_trip_mysql() {
    round_trip(DbBackend::MySql).await;
}

#[tokio::test]
async fn removing_an_enum_value_in_use_fails_clearly_and_resumes() {
    let Some(scratch) = Scratch::new(DbBackend::Postgres, "enum_removal").await else { return };
    scratch
        .exec(&[
            "CREATE TYPE level AS ENUM ('low', 'mid', 'high')",
            "CREATE TABLE t (id integer PRIMARY KEY, l level NOT NULL DEFAULT 'low')",
            "INSERT INTO t VALUES (1, 'low'), (2, 'high')",
        ])
        .await;
    let current = inspect(&scratch.db, &InspectOptions::default()).await.unwrap();
    let change = Change::AlterEnum {
        name: "level".into(),
        current: vec!["low".into(), "mid".into(), "high".into()],
        desired: vec!["low".into(), "mid".into()],
    };
    let steps = autogen::pipeline::plan::Plan { up: vec![Step::Change(change.clone())], down: vec![] };
    let mut desired = current.clone();
    desired.enums.insert("level".into(), vec!["low".into(), "mid".into()]);
    let plan = runtime_plan(&steps, &Context::new(DbBackend::Postgres, &current, &desired));
    let error = up(&scratch.db, "m_enum", plan).await.unwrap_err().to_string();
    assert!(
        error.contains("enum level: rows of t.l hold a value that this migration removes; change them first"),
        "{error}"
    );
    assert!(error.contains("nothing of it was applied"), "{error}");
    scratch.exec(&["UPDATE t SET l = 'mid' WHERE id = 2"]).await;
    up(&scratch.db, "m_enum", plan).await.unwrap();
    let inspected = inspect(&scratch.db, &InspectOptions::default()).await.unwrap();
    assert_eq!(inspected.enums["level"], vec!["low".to_owned(), "mid".to_owned()]);
    assert_eq!(inspected.tables["t"].columns[1].default, Some(Default::String("low".into())));
    scratch.drop().await;
}

/// A table with rows and its online edit: NOT NULL, a unique index, a foreign key, a CHECK, an
/// index, and on PostgreSQL a column with a volatile default.
fn online_schemas(backend: DbBackend) -> (Schema, Schema) {
    use autogen::pipeline::schema::Check;
    let orgs = Table {
        name: "o_orgs".into(),
        columns: vec![column("id", ColumnType::BigInt)],
        primary_key: vec!["id".into()],
        ..Table::default()
    };
    let users = Table {
        name: "o_users".into(),
        columns: vec![
            column("id", ColumnType::BigInt),
            Column { nullable: true, ..column("email", ColumnType::Varchar(Some(50))) },
            Column { nullable: true, ..column("org_id", ColumnType::BigInt) },
            Column { nullable: true, ..column("score", ColumnType::Integer) },
        ],
        primary_key: vec!["id".into()],
        ..Table::default()
    };
    let mut current = Schema::default();
    current.tables.insert(orgs.name.clone(), orgs);
    current.tables.insert(users.name.clone(), users);
    let mut desired = current.clone();
    let users = desired.tables.get_mut("o_users").unwrap();
    users.columns[1].nullable = false;
    users.indexes.push(Index { name: "o_users_email_key".into(), ..Index::on_columns(&["email"], true) });
    users.indexes.push(Index { name: "o_users_score_idx".into(), ..Index::on_columns(&["score"], false) });
    users.foreign_keys.push(ForeignKey {
        name: "o_users_org_fk".into(),
        columns: vec!["org_id".into()],
        ref_table: "o_orgs".into(),
        ref_columns: vec!["id".into()],
        on_delete: Action::NoAction,
        on_update: Action::NoAction,
    });
    users.checks.push(Check { name: "o_users_score_check".into(), expression: autogen::pipeline::normalize::expression(backend, "score >= 0") });
    if backend == DbBackend::Postgres {
        users.columns.push(Column {
            default: Some(Default::Expression(autogen::pipeline::normalize::expression(backend, "gen_random_uuid()"))),
            ..column("token", ColumnType::Uuid)
        });
    }
    (current, desired)
}

/// The online plan applies with rows present, stops half-way on rows that break the new unique
/// index, resumes once they are fixed, reaches the desired schema, and goes back down.
async fn online_round_trip(scratch: Scratch) {
    let backend = scratch.backend;
    let (current, desired) = online_schemas(backend);
    let empty = Schema::default();
    let create = plan(&changes(&empty, &current, backend), &empty, backend);
    up(&scratch.db, "m_create", runtime_plan(&create, &Context::new(backend, &empty, &current))).await.unwrap();
    scratch.exec(&["INSERT INTO o_orgs (id) VALUES (1), (2)"]).await;
    for id in 0..500 {
        let email = if id == 499 { "dup".to_owned() } else { format!("u{id}") };
        let sql = format!("INSERT INTO o_users (id, email, org_id, score) VALUES ({id}, '{email}', {}, {id})", 1 + id % 2);
        scratch.exec(&[sql.as_str()]).await;
    }
    scratch.exec(&["INSERT INTO o_users (id, email, org_id, score) VALUES (500, 'dup', 1, 0)"]).await;
    let steps = plan(&changes(&current, &desired, backend), &current, backend);
    let online = Context::new(backend, &current, &desired).online(true);
    let edit = runtime_plan(&steps, &online);
    let error = up(&scratch.db, "m_online", edit).await.unwrap_err().to_string();
    assert!(error.contains("o_users_email_key"), "{error}");
    assert!(error.contains("applied and recorded"), "the NOT NULL part came first and stays: {error}");
    scratch.exec(&["UPDATE o_users SET email = 'unique' WHERE id = 500"]).await;
    up(&scratch.db, "m_online", edit).await.unwrap();
    let inspected = inspect(&scratch.db, &InspectOptions::default()).await.unwrap();
    assert_eq!(changes(&inspected, &desired, backend), vec![], "the online plan did not reach the desired schema");
    down(&scratch.db, "m_online", edit).await.unwrap();
    let inspected = inspect(&scratch.db, &InspectOptions::default()).await.unwrap();
    assert_eq!(changes(&inspected, &current, backend), vec![], "down did not restore the schema");
    scratch.drop().await;
}

#[tokio::test]
async fn online_round_trip_postgres() {
    let Some(scratch) = Scratch::new(DbBackend::Postgres, "online").await else { return };
    online_round_trip(scratch).await;
}

#[tokio::test]
async fn online_round_trip_postgres18() {
    let Some(scratch) = Scratch::postgres18("online").await else { return };
    online_round_trip(scratch).await;
}

#[tokio::test]
async fn online_round_trip_mysql() {
    let Some(scratch) = Scratch::new(DbBackend::MySql, "online").await else { return };
    online_round_trip(scratch).await;
}

/// A `down` that fails after re-adding an enum value keeps nothing of it: the value is added in
/// the same transaction as what follows, so the type stays as `up` left it, and the migration is
/// still applied as far as the database is concerned.
#[tokio::test]
async fn a_failed_down_does_not_re_add_an_enum_value() {
    let Some(scratch) = Scratch::new(DbBackend::Postgres, "enum_down").await else { return };
    scratch
        .exec(&["CREATE TYPE level AS ENUM ('low', 'mid', 'high')", "CREATE TABLE t (id integer PRIMARY KEY, l level NOT NULL)"])
        .await;
    let current = inspect(&scratch.db, &InspectOptions::default()).await.unwrap();
    let mut desired = current.clone();
    desired.enums.insert("level".into(), vec!["low".into(), "mid".into()]);
    desired.tables.get_mut("t").unwrap().columns.push(Column { nullable: true, ..column("note", ColumnType::Text) });
    let steps = plan(&changes(&current, &desired, DbBackend::Postgres), &current, DbBackend::Postgres);
    let migration = runtime_plan(&steps, &Context::new(DbBackend::Postgres, &current, &desired));
    up(&scratch.db, "m_enum_down", migration).await.unwrap();
    // Someone dropped the column by hand: `down` fails at it, after re-adding the value.
    scratch.exec(&["ALTER TABLE t DROP COLUMN note"]).await;
    let error = down(&scratch.db, "m_enum_down", migration).await.unwrap_err().to_string();
    assert!(error.contains("note"), "{error}");
    let inspected = inspect(&scratch.db, &InspectOptions::default()).await.unwrap();
    assert_eq!(inspected.enums["level"], vec!["low".to_owned(), "mid".to_owned()], "the value came back: {error}");
    scratch.drop().await;
}
