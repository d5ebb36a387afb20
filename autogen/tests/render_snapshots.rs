//! Snapshots of what reviewers read: a rendered migration module and the review diff, for a
//! change set that touches a column, an index, a foreign key and an enum.

use autogen::pipeline::diff::{Change, DiffOptions, diff};
use autogen::pipeline::plan::plan;
use autogen::pipeline::render::review::{review, summary};
use autogen::pipeline::render::rust::{BackendPlan, RenderOptions, module};
use autogen::pipeline::render::sql::Context;
use autogen::pipeline::schema::{Action, Column, ColumnType, Default, ForeignKey, Index, Schema, Table};
use sea_orm::DbBackend;

fn column(name: &str, ty: ColumnType) -> Column {
    Column::new(name, ty)
}

fn changes(current: &Schema, desired: &Schema, backend: DbBackend) -> Vec<Change> {
    diff(current, desired, &DiffOptions::new(backend)).changes
}

fn schemas() -> (Schema, Schema) {
    let orgs = Table {
        name: "orgs".into(),
        columns: vec![Column { auto_increment: true, ..column("id", ColumnType::BigInt) }],
        primary_key: vec!["id".into()],
        ..Table::default()
    };
    let users = Table {
        name: "users".into(),
        columns: vec![
            Column { auto_increment: true, ..column("id", ColumnType::BigInt) },
            column("email", ColumnType::Varchar(Some(50))),
            column("org_id", ColumnType::BigInt),
        ],
        primary_key: vec!["id".into()],
        ..Table::default()
    };
    let mut current = Schema::default();
    current.tables.insert("orgs".into(), orgs.clone());
    current.tables.insert("users".into(), users.clone());
    current.enums.insert("role".into(), vec!["owner".into(), "member".into()]);

    let mut desired = current.clone();
    let users = desired.tables.get_mut("users").unwrap();
    users.columns[1].ty = ColumnType::Varchar(Some(320));
    users.columns.push(Column {
        nullable: true,
        default: Some(Default::CurrentTimestamp),
        ..column("created_at", ColumnType::TimestampTz)
    });
    users.indexes.push(Index { constraint: true, ..Index::on_columns(&["email"], true) });
    users.foreign_keys.push(ForeignKey {
        name: "fk-users-org_id".into(),
        columns: vec!["org_id".into()],
        ref_table: "orgs".into(),
        ref_columns: vec!["id".into()],
        on_delete: Action::Cascade,
        on_update: Action::NoAction,
    });
    desired.enums.insert("role".into(), vec!["owner".into(), "admin".into(), "member".into()]);
    (current, desired)
}

#[test]
fn rendered_module() {
    let (current, desired) = schemas();
    let changes = changes(&current, &desired, DbBackend::Postgres);
    let lines: Vec<String> = changes.iter().map(summary).collect();
    let plan = plan(&changes, &current, DbBackend::Postgres);
    let options = RenderOptions {
        follows: Some("m20261101_120000_create_oauth_schema".into()),
        ..RenderOptions::new("add created_at to users", DbBackend::Postgres)
    };
    let plans = [BackendPlan { plan: &plan, context: Context::new(DbBackend::Postgres, &current, &desired) }];
    insta::assert_snapshot!(module(&plans, &lines, &options).unwrap());
}

#[test]
fn rendered_sqlite_rebuild() {
    let (current, desired) = schemas();
    let changes = changes(&current, &desired, DbBackend::Sqlite);
    let plan = plan(&changes, &current, DbBackend::Sqlite);
    let options = RenderOptions::new("widen email", DbBackend::Sqlite);
    let plans = [BackendPlan { plan: &plan, context: Context::new(DbBackend::Sqlite, &current, &desired) }];
    insta::assert_snapshot!(module(&plans, &[], &options).unwrap());
}

#[test]
fn review_diff() {
    let (current, desired) = schemas();
    insta::assert_snapshot!(review(&changes(&current, &desired, DbBackend::Postgres)));
}
