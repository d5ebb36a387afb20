//! Hostile text through the whole round trip, as a property: arbitrary identifiers, table and
//! column comments, enum type names and values and string defaults (quotes, backslashes, `$$`,
//! `*/`, `--`, newlines, unicode) go from the IR through the renderer and the runtime into a real
//! database; inspection must read back exactly the text declared, `check` must then find nothing,
//! and `down` must remove it all again. On PostgreSQL, MariaDB and SQLite.
//!
//! Text a backend cannot store at all is left out of its cases, each for a stated reason: a NUL
//! anywhere (PostgreSQL and SQLite cannot take one; the engine refuses it with an error, tested in
//! `render/sql.rs`), names longer than the backend keeps (63 bytes on PostgreSQL, 64 characters on
//! MySQL), MySQL names ending in a blank or holding a character outside the Basic Multilingual
//! Plane (MySQL refuses both), MySQL enum values ending in a space (MySQL strips them).

mod common;

use autogen::pipeline::diff::{DiffOptions, ObjectKind, diff};
use autogen::pipeline::inspect::{InspectOptions, inspect};
use autogen::pipeline::plan::plan;
use autogen::pipeline::render::sql::Context;
use autogen::pipeline::schema::{Column, ColumnType, Default, Schema, Table};
use common::{Scratch, down, runtime_plan, up};
use proptest::prelude::*;
use sea_orm::DbBackend;

/// Text built from the fragments that break quoting, and any other characters.
fn hostile() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        Just("'".to_owned()),
        Just("''".to_owned()),
        Just("\\".to_owned()),
        Just("\\'".to_owned()),
        Just("\"".to_owned()),
        Just("`".to_owned()),
        Just("$$".to_owned()),
        Just("$autogen$".to_owned()),
        Just("*/".to_owned()),
        Just("/*".to_owned()),
        Just("--".to_owned()),
        Just(";".to_owned()),
        Just("\n".to_owned()),
        Just("\r".to_owned()),
        Just("\t".to_owned()),
        Just("%".to_owned()),
        Just("é漢字".to_owned()),
        Just("😀".to_owned()),
        "[a-zA-Z0-9 _]{1,4}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(fragment, 1..8).prop_map(|parts| parts.concat())
}

/// Whether `backend` can hold `text` as a name (see the module docs).
fn fits_name(backend: DbBackend, text: &str) -> bool {
    !text.contains('\0')
        && !text.is_empty()
        && match backend {
            DbBackend::Postgres => text.len() <= 63,
            DbBackend::MySql => {
                text.chars().count() <= 64 && !text.ends_with(char::is_whitespace) && text.chars().all(|c| (c as u32) < 0x10000)
            }
            _ => true,
        }
}

/// Whether `backend` can hold `text` as a literal or a comment: MySQL keeps a table's definition
/// in three-byte UTF-8 (the engine refuses the rest, tested below).
fn fits_text(backend: DbBackend, text: &str) -> bool {
    !text.contains('\0')
        && (backend != DbBackend::MySql || (text.chars().count() <= 255 && text.chars().all(|c| (c as u32) < 0x10000)))
}

/// One case: a table, a column and, on PostgreSQL, an enum, all named and commented with hostile
/// text; the column's default is hostile text too.
#[derive(Debug, Clone)]
struct Case {
    table: String,
    column: String,
    table_comment: String,
    column_comment: String,
    default: String,
    enum_name: String,
    enum_values: Vec<String>,
}

fn case(backend: DbBackend) -> impl Strategy<Value = Case> {
    (hostile(), hostile(), hostile(), hostile(), hostile(), hostile(), prop::collection::vec(hostile(), 1..4))
        .prop_filter("text the backend can hold", move |(table, column, tc, cc, default, enum_name, values)| {
            fits_name(backend, table)
                && fits_name(backend, column)
                && column != "id"
                && fits_name(backend, enum_name)
                // PostgreSQL gives every table a type of its name (the engine refuses the clash).
                && !(backend == DbBackend::Postgres && enum_name == table)
                && [tc, cc, default].iter().all(|t| fits_text(backend, t))
                && values.iter().all(|v| fits_name(backend, v) && !(backend == DbBackend::MySql && v.ends_with(' ')))
        })
        .prop_map(|(table, column, table_comment, column_comment, default, enum_name, mut enum_values)| {
            enum_values.sort();
            enum_values.dedup();
            Case { table, column, table_comment, column_comment, default, enum_name, enum_values }
        })
}

fn desired(backend: DbBackend, case: &Case) -> Schema {
    let mut schema = Schema::default();
    let mut columns = vec![Column::new("id", ColumnType::Integer)];
    columns.push(Column {
        nullable: true,
        default: Some(Default::String(case.default.clone())),
        comment: (backend != DbBackend::Sqlite).then(|| case.column_comment.clone()),
        ..Column::new(case.column.clone(), ColumnType::Varchar(Some(255)))
    });
    let enum_type = ColumnType::Enum {
        name: if backend == DbBackend::Postgres { case.enum_name.clone() } else { String::new() },
        values: case.enum_values.clone(),
    };
    columns.push(Column { nullable: true, ..Column::new("level", enum_type) });
    if backend == DbBackend::Postgres {
        schema.enums.insert(case.enum_name.clone(), case.enum_values.clone());
    }
    schema.tables.insert(
        case.table.clone(),
        Table {
            name: case.table.clone(),
            columns,
            primary_key: vec!["id".into()],
            comment: (backend != DbBackend::Sqlite).then(|| case.table_comment.clone()),
            ..Table::default()
        },
    );
    schema
}

/// Drops whatever an earlier failed case left, so that each case starts from nothing.
async fn clear(scratch: &Scratch) {
    use sea_orm::ConnectionTrait;
    let backend = scratch.backend;
    let left = inspect(&scratch.db, &InspectOptions::default()).await.unwrap();
    for name in left.tables.keys() {
        let sql = format!("DROP TABLE {}", autogen::quote::ident(backend, name));
        scratch.db.execute_unprepared(&sql).await.unwrap();
    }
    for name in left.enums.keys() {
        let sql = format!("DROP TYPE {}", autogen::quote::ident(backend, name));
        scratch.db.execute_unprepared(&sql).await.unwrap();
    }
}

async fn run_case(scratch: &Scratch, case: &Case) -> Result<(), TestCaseError> {
    clear(scratch).await;
    let backend = scratch.backend;
    let empty = Schema::default();
    let desired = desired(backend, case);
    let options = DiffOptions { backend, manage: ObjectKind::ALL.into_iter().collect() };
    let steps = plan(&diff(&empty, &desired, &options).changes, &empty, backend);
    let migration = runtime_plan(&steps, &Context::new(backend, &empty, &desired));
    up(&scratch.db, "m_hostile", migration).await.map_err(|e| TestCaseError::fail(format!("up: {e}")))?;
    let inspected = inspect(&scratch.db, &InspectOptions::default()).await.map_err(|e| TestCaseError::fail(e.to_string()))?;
    let table = inspected.tables.get(&case.table).ok_or_else(|| TestCaseError::fail("the table is not there under its name"))?;
    let column = table.column(&case.column).ok_or_else(|| TestCaseError::fail("the column is not there under its name"))?;
    prop_assert_eq!(&column.default, &Some(Default::String(case.default.clone())));
    if backend != DbBackend::Sqlite {
        prop_assert_eq!(&column.comment, &Some(case.column_comment.clone()));
        prop_assert_eq!(&table.comment, &Some(case.table_comment.clone()));
    }
    match backend {
        DbBackend::Postgres => prop_assert_eq!(inspected.enums.get(&case.enum_name), Some(&case.enum_values)),
        DbBackend::MySql => prop_assert_eq!(
            &table.column("level").map(|c| c.ty.clone()),
            &Some(ColumnType::Enum { name: String::new(), values: case.enum_values.clone() })
        ),
        _ => {}
    }
    // `check` finds nothing.
    let drift = diff(&inspected, &desired, &options).changes;
    prop_assert!(drift.is_empty(), "check after up: {:#?}", drift);
    down(&scratch.db, "m_hostile", migration).await.map_err(|e| TestCaseError::fail(format!("down: {e}")))?;
    let after = inspect(&scratch.db, &InspectOptions::default()).await.map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(after.tables.is_empty() && after.enums.is_empty(), "down left {:?} {:?}", after.tables.keys(), after.enums.keys());
    Ok(())
}

fn property(backend: DbBackend) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let Some(scratch) = runtime.block_on(Scratch::new(backend, "hostile")) else { return };
    let config = ProptestConfig { cases: 40, failure_persistence: None, ..ProptestConfig::default() };
    let result = proptest::test_runner::TestRunner::new(config).run(&case(backend), |case| runtime.block_on(run_case(&scratch, &case)));
    runtime.block_on(scratch.drop());
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Text a backend would change is refused when the migration is generated, never stored
/// changed.
#[test]
fn text_a_backend_would_change_is_refused() {
    let mut case = Case {
        table: "t".into(),
        column: "c".into(),
        table_comment: "fine".into(),
        column_comment: "smile 😀".into(),
        default: "x".into(),
        enum_name: "e".into(),
        enum_values: vec!["a".into()],
    };
    let attempt = |backend: DbBackend, case: &Case| {
        let empty = Schema::default();
        let desired = desired(backend, case);
        let options = DiffOptions::new(backend);
        let steps = plan(&diff(&empty, &desired, &options).changes, &empty, backend);
        autogen::pipeline::render::sql::preview(&steps.up, &Context::new(backend, &empty, &desired))
    };
    let error = attempt(DbBackend::MySql, &case).unwrap_err().to_string();
    assert!(error.contains("the comment of c") && error.contains("Basic Multilingual Plane"), "{error}");
    case.column_comment = "fine".into();
    case.default = "smile 😀".into();
    let error = attempt(DbBackend::MySql, &case).unwrap_err().to_string();
    assert!(error.contains("the default of c"), "{error}");
    assert!(attempt(DbBackend::Postgres, &case).is_ok());
    case.default = "nul \0 inside".into();
    let error = attempt(DbBackend::Postgres, &case).unwrap_err().to_string();
    assert!(error.contains("NUL"), "{error}");
    assert!(attempt(DbBackend::MySql, &case).is_ok(), "MySQL escapes a NUL in a literal");
}

#[test]
fn hostile_text_round_trips_on_postgres() {
    property(DbBackend::Postgres);
}

#[test]
fn hostile_text_round_trips_on_mysql() {
    property(DbBackend::MySql);
}

#[test]
fn hostile_text_round_trips_on_sqlite() {
    property(DbBackend::Sqlite);
}
