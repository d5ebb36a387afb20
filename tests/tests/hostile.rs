//! Hostile text through the real binary: entities whose table and column names, comments, string
//! defaults, enum type name and enum values hold quotes, backslashes, `$$`, `*/`, `--`, newlines
//! and unicode go through `create`, compile, `upgrade`, `check` (clean), and `downgrade`, and the
//! database stores exactly the text the entities declare. The property test of the same round
//! trip below the binary is `autogen/tests/hostile_text.rs`; this one proves the generated module
//! itself, Rust literals included.

use autogen::pipeline::inspect::{InspectOptions, inspect};
use autogen::pipeline::schema::{ColumnType, Default};
use e2e_tests::scenario::Project;
use e2e_tests::{Backend, TestDb, on_every_backend};

/// Texts every backend can hold as names (MySQL: no trailing blank, nothing outside the Basic
/// Multilingual Plane; PostgreSQL: at most 63 bytes).
const NAMES: [&str; 4] = ["it's \"q\" `b`", "back\\slash $$ */ --", "naïve 表 ;", "x'); DROP TABLE y; --"];

/// Texts for comments, defaults and enum values.
const TEXTS: [&str; 4] = [
    "C:\\temp\\ \\' ; DROP TABLE audit_events; -- x",
    "line one\nline two\r\n\ttab",
    "$$ $autogen$ */ /* \"dq\" `bq`",
    "emoji-free unicode: é 漢字 ü",
];

fn literal(text: &str) -> String {
    format!("{text:?}")
}

/// The entity module of case `i`.
fn entity(i: usize) -> (String, String) {
    let table = format!("h{i} {}", NAMES[i]);
    let column = format!("c{i} {}", NAMES[(i + 1) % NAMES.len()]);
    let enum_name = format!("e{i} {}", NAMES[(i + 2) % NAMES.len()]);
    let source = format!(
        r#"use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = {table}, comment = {table_comment})]
pub struct Model {{
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(column_name = {column}, comment = {column_comment}, default_value = {default}, column_type = "String(StringLen::N(255))")]
    pub value: String,
    pub level: Option<Level>,
}}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {{}}

impl ActiveModelBehavior for ActiveModel {{}}

#[derive(Debug, Clone, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = {enum_name})]
pub enum Level {{
    #[sea_orm(string_value = {a})]
    A,
    #[sea_orm(string_value = {b})]
    B,
}}
"#,
        table = literal(&table),
        table_comment = literal(TEXTS[i]),
        column = literal(&column),
        column_comment = literal(TEXTS[(i + 1) % TEXTS.len()]),
        default = literal(TEXTS[(i + 2) % TEXTS.len()]),
        enum_name = literal(&enum_name),
        a = literal(TEXTS[(i + 3) % TEXTS.len()]),
        b = literal(NAMES[i]),
    );
    (format!("hostile_{i}"), source)
}


async fn hostile_round_trip(backend: Backend) {
    let Some(db) = TestDb::create(backend, "hostile").await else { return };
    let project = Project::new(backend, "hostile");
    let modules: Vec<(String, String)> = (0..NAMES.len()).map(entity).collect();
    project.set_entity_sources("Entities named and commented with hostile text.", &modules);
    project.build();
    let out = project.ok(&db, &["create", "hostile text"]);
    assert!(out.contains("Wrote "), "{out}");
    project.build();
    project.ok(&db, &["upgrade"]);
    let out = project.ok(&db, &["check"]);
    assert!(out.contains("No changes"), "after upgrade:\n{out}");

    let conn = db.connect().await;
    let schema = inspect(&conn, &InspectOptions::default()).await.expect("inspect");
    conn.close().await.ok();
    for i in 0..NAMES.len() {
        let table = format!("h{i} {}", NAMES[i]);
        let column = format!("c{i} {}", NAMES[(i + 1) % NAMES.len()]);
        let t = schema.tables.get(&table).unwrap_or_else(|| panic!("table {table:?} in {:?}", schema.tables.keys()));
        let c = t.column(&column).unwrap_or_else(|| panic!("column {column:?} of {table:?}"));
        assert_eq!(c.default, Some(Default::String(TEXTS[(i + 2) % TEXTS.len()].to_owned())), "{table:?}");
        if backend != Backend::Sqlite {
            assert_eq!(t.comment.as_deref(), Some(TEXTS[i]), "{table:?}");
            assert_eq!(c.comment.as_deref(), Some(TEXTS[(i + 1) % TEXTS.len()]), "{table:?}");
        }
        let values = vec![TEXTS[(i + 3) % TEXTS.len()].to_owned(), NAMES[i].to_owned()];
        match backend {
            Backend::MySql => assert_eq!(
                t.column("level").map(|c| c.ty.clone()),
                Some(ColumnType::Enum { name: String::new(), values: values.clone() })
            ),
            Backend::Postgres | Backend::Postgres18 => {
                let name = format!("e{i} {}", NAMES[(i + 2) % NAMES.len()]);
                assert_eq!(schema.enums.get(&name), Some(&values), "{name:?}");
            }
            Backend::Sqlite => {}
        }
    }

    project.ok(&db, &["downgrade"]);
    let conn = db.connect().await;
    let schema = inspect(&conn, &InspectOptions::default()).await.expect("inspect");
    conn.close().await.ok();
    assert!(schema.tables.is_empty() && schema.enums.is_empty(), "{:?} {:?}", schema.tables.keys(), schema.enums.keys());
}

on_every_backend!(hostile_round_trip);
