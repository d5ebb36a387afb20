//! The SQL preview is what a migration runs: rendered for each backend, snapshotted, and executed
//! against a real database (SQLite here; PostgreSQL and MariaDB when reachable), after which the
//! inspected schema equals the desired one.

use autogen::pipeline::diff::diff;
use autogen::pipeline::inspect::{InspectOptions, inspect};
use autogen::pipeline::plan::plan;
use autogen::pipeline::render::sql::preview;
use autogen::pipeline::schema::{Action, Column, ColumnType, Default, ForeignKey, Index, Schema, Table};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

fn column(name: &str, ty: ColumnType) -> Column {
    Column { name: name.into(), ty, nullable: false, default: None, auto_increment: false, comment: None, renamed_from: None }
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
            Column { auto_increment: true, ..column("id", int_key) },
            column("email", ColumnType::Varchar(Some(50))),
            column("org_id", if backend == DbBackend::Sqlite { ColumnType::Integer } else { ColumnType::BigInt }),
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
    users.columns.push(Column { nullable: true, default: Some(Default::Literal("'x'".into())), ..column("nick", ColumnType::Varchar(Some(20))) });
    users.indexes.push(Index { name: String::new(), columns: vec!["email".into()], unique: true, constraint: false });
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

fn script(backend: DbBackend) -> Vec<String> {
    let (current, desired) = schemas(backend);
    let changes = diff(&current, &desired);
    preview(&plan(&changes, &current, &desired, backend).up, backend)
}

#[test]
fn previews_per_backend() {
    for (backend, name) in [(DbBackend::Postgres, "postgres"), (DbBackend::MySql, "mysql"), (DbBackend::Sqlite, "sqlite")] {
        insta::assert_snapshot!(format!("preview_{name}"), script(backend).join(";\n") + ";");
    }
}

/// Creates `current` from nothing with the preview of its own creation, runs the preview of the
/// edit, and checks the database then matches `desired`.
async fn run_on(db: &DatabaseConnection, backend: DbBackend) {
    let (current, desired) = schemas(backend);
    let empty = Schema::default();
    let create = preview(&plan(&diff(&empty, &current), &empty, &current, backend).up, backend);
    for sql in create.iter().chain(script(backend).iter()) {
        for statement in sql.lines().filter(|l| !l.starts_with("--")) {
            db.execute_unprepared(statement).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
        }
    }
    let inspected = inspect(db, &InspectOptions::default()).await.unwrap();
    assert_eq!(diff(&inspected, &desired), vec![], "the preview did not produce the desired schema");
}

#[tokio::test]
async fn the_sqlite_preview_runs() {
    let dir = tempfile_dir();
    let url = format!("sqlite://{}/p.db?mode=rwc", dir.display());
    let mut options = ConnectOptions::new(url);
    options.max_connections(1);
    let db = Database::connect(options).await.unwrap();
    run_on(&db, DbBackend::Sqlite).await;
    db.close().await.ok();
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn the_server_previews_run() {
    for (backend, server, admin) in [
        (DbBackend::Postgres, std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into()), "/postgres"),
        (DbBackend::Postgres, std::env::var("TEST_POSTGRES18_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5418".into()), "/postgres"),
        (DbBackend::MySql, std::env::var("TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into()), ""),
    ] {
        let admin_db = match Database::connect(format!("{server}{admin}")).await {
            Ok(db) => db,
            Err(e) if std::env::var_os("CI").is_some() => panic!("{server} is required under CI: {e}"),
            Err(e) => {
                println!("skipped: {server} is unreachable: {e}");
                continue;
            }
        };
        let name = format!("autogen_preview_{}", std::process::id());
        let quoted = if backend == DbBackend::MySql { format!("`{name}`") } else { format!("\"{name}\"") };
        admin_db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {quoted}")).await.unwrap();
        admin_db.execute_unprepared(&format!("CREATE DATABASE {quoted}")).await.unwrap();
        let db = Database::connect(format!("{server}/{name}")).await.unwrap();
        run_on(&db, backend).await;
        db.close().await.ok();
        admin_db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {quoted}")).await.unwrap();
    }
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("autogen-preview-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn removing_an_enum_value_in_use_fails_clearly_and_keeps_rows() {
    for (var, default) in [
        ("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        ("TEST_POSTGRES18_URL", "postgres://postgres@127.0.0.1:5418"),
    ] {
        enum_value_removal(std::env::var(var).unwrap_or_else(|_| default.into())).await;
    }
}

/// Removes an enum value that rows of the PostgreSQL server `server` still use.
async fn enum_value_removal(server: String) {
    let admin = match Database::connect(format!("{server}/postgres")).await {
        Ok(db) => db,
        Err(e) if std::env::var_os("CI").is_some() => panic!("{server} is required under CI: {e}"),
        Err(e) => return println!("skipped: {server} is unreachable: {e}"),
    };
    let name = format!("autogen_enum_{}", std::process::id());
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\"")).await.unwrap();
    admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.unwrap();
    let db = Database::connect(format!("{server}/{name}")).await.unwrap();
    for sql in [
        "CREATE TYPE level AS ENUM ('low', 'mid', 'high')",
        "CREATE TABLE t (id integer PRIMARY KEY, l level NOT NULL)",
        "INSERT INTO t VALUES (1, 'low'), (2, 'high')",
    ] {
        db.execute_unprepared(sql).await.unwrap();
    }
    let change = autogen::pipeline::diff::Change::AlterEnum {
        name: "level".into(),
        current: vec!["low".into(), "mid".into(), "high".into()],
        desired: vec!["low".into(), "mid".into()],
    };
    let statements = preview(&[autogen::pipeline::plan::Step::Change(change)], DbBackend::Postgres);
    let run = |db: DatabaseConnection, statements: Vec<String>| async move {
        db.execute_unprepared("BEGIN").await.unwrap();
        for sql in &statements {
            if let Err(e) = db.execute_unprepared(sql).await {
                db.execute_unprepared("ROLLBACK").await.unwrap();
                return (db, Err(e.to_string()));
            }
        }
        db.execute_unprepared("COMMIT").await.unwrap();
        (db, Ok(()))
    };
    let single = |url: String| async move {
        let mut options = ConnectOptions::new(url);
        options.max_connections(1);
        Database::connect(options).await.unwrap()
    };
    db.close().await.ok();
    let db = single(format!("{server}/{name}")).await;
    let (db, result) = run(db, statements.clone()).await;
    let error = result.expect_err("a row uses the removed value");
    assert!(error.contains("enum level: 1 rows of t.l hold a value that this migration removes"), "{error}");
    db.execute_unprepared("UPDATE t SET l = 'mid' WHERE id = 2").await.unwrap();
    let (db, result) = run(db, statements).await;
    result.unwrap();
    let inspected = inspect(&db, &InspectOptions::default()).await.unwrap();
    assert_eq!(inspected.enums["level"], vec!["low".to_owned(), "mid".to_owned()]);
    let rows = db.query_all_raw(sea_orm::Statement::from_string(DbBackend::Postgres, "SELECT l::text AS l FROM t ORDER BY id")).await.unwrap();
    let values: Vec<String> = rows.iter().map(|r| r.try_get("", "l").unwrap()).collect();
    assert_eq!(values, vec!["low", "mid"]);
    db.close().await.ok();
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\"")).await.unwrap();
}
