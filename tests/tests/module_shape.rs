//! The shape of a generated migration module (issue 13), through a scratch project's real binary
//! on every backend: the module holds its changes as data, one named constant per change under
//! the review summary, and `up`/`down` are one call each into the runtime, so that a module of
//! any size compiles quickly. Round trips of that shape: `create --initial` of many related
//! tables, compile, `upgrade`, `check` and `check --replay` find nothing, `downgrade base`
//! leaves only the bookkeeping, `upgrade` again; and adopting a database that already holds the
//! schema: the initial migration's own SQL run by hand, `stamp head`, then `check` and
//! `check --replay` find nothing.

use e2e_tests::scenario::Project;
use e2e_tests::{Backend, TestDb, on_every_backend};

/// How many tables the generated entities declare.
const TABLES: usize = 24;

/// `TABLES` entity modules: each table has a commented name, an indexed nullable amount, a
/// two-column unique key and (after the first) a foreign key to the table before it.
fn entities() -> Vec<(String, String)> {
    (0..TABLES)
        .map(|i| {
            let parent = if i == 0 {
                String::new()
            } else {
                format!(
                    "    pub parent_id: i32,\n    #[sea_orm(belongs_to, from = \"parent_id\", to = \"id\", on_delete = \"Cascade\")]\n    pub parent: HasOne<super::shape_t{}::Entity>,\n",
                    i - 1
                )
            };
            let source = format!(
                "//! Table {i} of the module-shape scenario.\n\nuse sea_orm::entity::prelude::*;\n\n#[sea_orm::model]\n#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]\n#[sea_orm(table_name = \"shape_t{i}\")]\npub struct Model {{\n    #[sea_orm(primary_key)]\n    pub id: i32,\n    #[sea_orm(column_type = \"String(StringLen::N(80))\", comment = \"the name, it's shown\", unique_key = \"name_code\")]\n    pub name: String,\n    #[sea_orm(unique_key = \"name_code\")]\n    pub code: i32,\n    #[sea_orm(indexed)]\n    pub amount: Option<i64>,\n{parent}}}\n\nimpl ActiveModelBehavior for ActiveModel {{}}\n"
            );
            (format!("shape_t{i}"), source)
        })
        .collect()
}

/// The tables the entities declare, sorted as the database lists them.
fn declared_tables() -> Vec<String> {
    let mut names: Vec<String> = (0..TABLES).map(|i| format!("shape_t{i}")).collect();
    names.push("seaql_migrations".to_owned());
    names.sort();
    names
}

/// What the module must look like: the header with every change first, then the code, whose
/// only awaits are the one call of `up` and the one of `down`, then one constant per table.
fn assert_shape(source: &str, backend: Backend) {
    let code_starts = source.find("\nuse ").expect("a use after the header");
    let header = &source[..code_starts];
    assert!(header.lines().all(|l| l.starts_with("//!")), "the header is all doc lines:\n{header}");
    assert!(header.contains("//! Changes:"), "{header}");
    for i in 0..TABLES {
        assert!(header.contains(&format!("//!     + table shape_t{i} ")), "shape_t{i} missing from the summary:\n{header}");
        assert_eq!(
            source.matches(&format!("const CREATE_TABLE_SHAPE_T{i}: Change = Change {{")).count(),
            1,
            "one named constant for shape_t{i}:\n{source}"
        );
    }
    assert_eq!(source.matches(".await").count(), 2, "one await in up, one in down:\n{source}");
    assert!(source.contains("sea_orm_autogen_runtime::up(manager, self.name(), &PLAN).await"), "{source}");
    assert!(source.contains("sea_orm_autogen_runtime::down(manager, self.name(), &PLAN).await"), "{source}");
    assert!(!source.contains("manager."), "no SchemaManager builder calls:\n{source}");
    // The comment's quote is escaped for SQL inside a Rust string literal (SQLite keeps no
    // comments).
    if backend != Backend::Sqlite {
        assert!(source.contains("it''s shown") || source.contains("it\\'s shown"), "{source}");
    }
}

async fn initial_round_trip(backend: Backend) {
    let Some(db) = TestDb::create(backend, "shape").await else { return };
    let Some(adopted) = TestDb::create(backend, "shape_adopt").await else { return };
    let project = Project::new(backend, "module_shape");
    project.set_entity_sources("Module-shape scenario entities.", &entities());
    project.build();

    // The SQL the initial migration runs, before it is written: the adopted database gets it by
    // hand, as an application that made its schema some other way.
    let out = project.ok(&adopted, &["create", "--initial", "--sql", "initial schema"]);
    let script: String = out.lines().skip_while(|l| !l.starts_with("-- SQL of")).collect::<Vec<_>>().join("\n");
    assert!(script.contains("shape_t23"), "{out}");
    assert!(project.migrations().is_empty(), "create --sql writes nothing");
    adopted.run_script(&script).await;

    let out = project.ok(&db, &["create", "--initial", "initial schema"]);
    assert!(out.contains("Wrote "), "{out}");
    let written = project.migrations();
    assert_eq!(written.len(), 1, "{written:?}");
    assert_shape(&project.migration_source(&written[0]), backend);
    project.build();

    // Run from the module: everything is there, and nothing differs, read or replayed.
    project.ok(&db, &["upgrade"]);
    assert_eq!(db.tables().await, declared_tables());
    let out = project.ok(&db, &["check"]);
    assert!(out.contains("No changes"), "{out}");
    let out = project.ok(&db, &["check", "--replay"]);
    assert!(out.contains("No changes"), "{out}");
    // Reverted in reverse order (children before parents), then applied again.
    project.ok(&db, &["downgrade", "base"]);
    assert_eq!(db.tables().await, vec!["seaql_migrations".to_owned()]);
    project.ok(&db, &["upgrade"]);
    let out = project.ok(&db, &["check"]);
    assert!(out.contains("No changes"), "{out}");

    // Adopted: the schema exists, made by hand; stamping records the module as applied.
    let (code, out, _) = project.run(&adopted, &["check"]);
    assert_eq!(code, 1, "pending before the stamp: {out}");
    project.ok(&adopted, &["stamp", "head"]);
    let out = project.ok(&adopted, &["check"]);
    assert!(out.contains("No changes"), "{out}");
    let out = project.ok(&adopted, &["check", "--replay"]);
    assert!(out.contains("No changes"), "{out}");
    // The module reverts what the hand-made schema holds, too.
    project.ok(&adopted, &["downgrade", "base"]);
    assert_eq!(adopted.tables().await, vec!["seaql_migrations".to_owned()]);
}

on_every_backend!(initial_round_trip);
