//! What a DBA adds by hand to the example app's PostgreSQL database, through the `migrate`
//! binary, on PostgreSQL 15 and 18: partial, expression, GIN/GiST/BRIN/hash, operator-class,
//! collation, INCLUDE, DESC NULLS LAST and NULLS NOT DISTINCT indexes, a unique constraint with
//! INCLUDE, CHECK constraints, a stored generated column, views, a materialized view and a
//! trigger, some of them under names with quotes and spaces. The entities declare none of them:
//! `check` lists each once as not managed, proposes no change (nothing dropped) and exits 0;
//! `create` writes nothing. An entity whose table became a view is not a missing table.

use e2e_tests::{Backend, TestDb, stderr, stdout};
use sea_orm::ConnectionTrait;

/// The objects, as `(kind, table, name, statement)`: `kind` as `check --format json` reports it.
const OBJECTS: &[(&str, Option<&str>, &str, &str)] = &[
    ("advanced_indexes", Some("users"), "users_active_email", "CREATE INDEX users_active_email ON users (email) WHERE is_active"),
    ("advanced_indexes", Some("users"), "it's \"lower\" email", r#"CREATE INDEX "it's ""lower"" email" ON users (lower(email))"#),
    ("advanced_indexes", Some("users"), "users_name_fts", "CREATE INDEX users_name_fts ON users USING gin (to_tsvector('simple', full_name))"),
    ("advanced_indexes", Some("users"), "users_name_gist", "CREATE INDEX users_name_gist ON users USING gist (to_tsvector('simple', full_name))"),
    ("advanced_indexes", Some("users"), "users_created_brin", "CREATE INDEX users_created_brin ON users USING brin (created_at)"),
    ("advanced_indexes", Some("users"), "users_email_hash", "CREATE INDEX users_email_hash ON users USING hash (email)"),
    ("advanced_indexes", Some("users"), "users_email_pattern", "CREATE INDEX users_email_pattern ON users (email varchar_pattern_ops)"),
    ("advanced_indexes", Some("users"), "users_name_c", r#"CREATE INDEX users_name_c ON users (full_name COLLATE "C")"#),
    ("advanced_indexes", Some("users"), "users_covering", "CREATE INDEX users_covering ON users (email) INCLUDE (full_name)"),
    (
        "advanced_indexes",
        Some("users"),
        "users_verified_nulls",
        "CREATE UNIQUE INDEX users_verified_nulls ON users (full_name, email_verified_at) NULLS NOT DISTINCT",
    ),
    (
        "advanced_indexes",
        Some("users"),
        "users_name_with_id",
        "ALTER TABLE users ADD CONSTRAINT users_name_with_id UNIQUE (full_name, id) INCLUDE (email)",
    ),
    ("checks", Some("users"), "users_email_has_at", "ALTER TABLE users ADD CONSTRAINT users_email_has_at CHECK (email LIKE '%@%')"),
    ("checks", Some("users"), "no \"empty\" name", r#"ALTER TABLE users ADD CONSTRAINT "no ""empty"" name" CHECK (full_name <> '')"#),
    (
        "generated_columns",
        Some("users"),
        "email_domain",
        "ALTER TABLE users ADD COLUMN email_domain text GENERATED ALWAYS AS (split_part(email, '@', 2)) STORED",
    ),
    (
        "triggers",
        Some("users"),
        "users touch \"it\"",
        r#"CREATE TRIGGER "users touch ""it""" BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_users()"#,
    ),
    ("views", None, "active users", r#"CREATE VIEW "active users" AS SELECT id, email FROM users WHERE is_active"#),
    ("views", None, "user_counts", "CREATE MATERIALIZED VIEW user_counts AS SELECT count(*) AS n FROM users"),
];

/// An index with an order and NULLS placement but nothing else: entities can declare that
/// (`IndexOrder::Desc` in `indexes()`), so an undeclared one is an ordinary index, which `check`
/// proposes to drop, with its order read right and its definition kept for `down`.
const DESC_INDEX: &str = "CREATE INDEX users_name_desc ON users (full_name DESC NULLS LAST, created_at NULLS FIRST)";

/// Runs `migrate` with `args` and returns (exit code, stdout, stderr).
fn migrate(db: &TestDb, args: &[&str]) -> (Option<i32>, String, String) {
    let output = db.migrate().args(args).output().expect("run migrate");
    (output.status.code(), stdout(&output), stderr(&output))
}

async fn execute(db: &TestDb, statements: &[&str]) {
    let conn = db.connect().await;
    for sql in statements {
        conn.execute_unprepared(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    conn.close().await.ok();
}

/// A copy of the example app's migration folder in the test's directory.
fn migration_copy(db: &TestDb) -> std::path::PathBuf {
    let from = e2e_tests::scenario::workspace_root().join("migration/src");
    let to = db.dir.path().join("migration-src");
    std::fs::create_dir_all(&to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("read the migration folder") {
        let path = entry.expect("a folder entry").path();
        std::fs::copy(&path, to.join(path.file_name().expect("a file name"))).expect("copy a file");
    }
    to
}

/// The files of a folder with their contents, sorted by name.
fn listing(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("read the folder")
        .map(|entry| {
            let path = entry.expect("a folder entry").path();
            let name = path.file_name().expect("a file name").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).expect("read a file"))
        })
        .collect();
    files.sort();
    files
}

/// The example app, upgraded, plus every object of [`OBJECTS`].
async fn app_with_dba_objects(backend: Backend, label: &str) -> Option<TestDb> {
    let db = TestDb::create(backend, label).await?;
    let (code, out, err) = migrate(&db, &["upgrade"]);
    assert_eq!(code, Some(0), "upgrade failed:\n{out}\n{err}");
    let mut statements =
        vec!["CREATE FUNCTION touch_users() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"];
    statements.extend(OBJECTS.iter().map(|(_, _, _, sql)| *sql));
    execute(&db, &statements).await;
    Some(db)
}

async fn dba_objects_are_listed_and_left_alone(backend: Backend) {
    let Some(db) = app_with_dba_objects(backend, "inspect_pg_dba").await else { return };

    let (code, out, err) = migrate(&db, &["check", "--format", "json"]);
    assert_eq!(code, Some(0), "check found changes:\n{out}\n{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(json["changes"], serde_json::json!([]), "{out}");
    let unmanaged = json["unmanaged"].as_array().expect("an unmanaged list");
    let listed: Vec<(String, Option<String>, String)> = unmanaged
        .iter()
        .map(|u| {
            (
                u["kind"].as_str().unwrap_or_default().to_owned(),
                u["table"].as_str().map(str::to_owned),
                u["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let mut expected: Vec<(String, Option<String>, String)> = OBJECTS
        .iter()
        .map(|(kind, table, name, _)| ((*kind).to_owned(), table.map(str::to_owned), (*name).to_owned()))
        .collect();
    let mut listed = listed;
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected, "each object once, nothing else:\n{out}");

    // The text report says the same, once each, and that nothing else differs.
    let (code, out, err) = migrate(&db, &["check"]);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains("Not managed (17 objects, left alone"), "{out}");
    assert!(out.contains("No changes: the entities and the database agree."), "{out}");
    for (_, _, name, _) in OBJECTS {
        assert_eq!(out.matches(name).count(), 1, "{name} listed once in:\n{out}");
    }
    assert!(!out.contains("DS"), "no finding: {out}");

    // `create` writes nothing either (into a copy of the migration folder, never the app's).
    let folder = migration_copy(&db);
    let before = listing(&folder);
    let folder_arg = folder.to_string_lossy().into_owned();
    let (code, out, err) = migrate(&db, &["--migration-dir", &folder_arg, "create", "nothing to do"]);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains("No changes: the entities and the database agree. Nothing written."), "{out}\n{err}");
    assert_eq!(listing(&folder), before, "nothing written");

    // A DESC NULLS LAST index is an ordinary index: the one change, read with its order.
    execute(&db, &[DESC_INDEX]).await;
    let (code, out, err) = migrate(&db, &["check", "--format", "json"]);
    assert_eq!(code, Some(1), "{out}\n{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let changes = json["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "{out}");
    let index = &changes[0]["index"];
    assert_eq!(changes[0]["kind"], "drop_index", "{out}");
    assert_eq!(index["name"], "users_name_desc");
    let parts: Vec<(&str, bool, serde_json::Value)> = index["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .map(|p| (p["key"]["column"].as_str().unwrap_or_default(), p["descending"] == true, p["nulls_first"].clone()))
        .collect();
    assert_eq!(
        parts,
        [("full_name", true, serde_json::json!(false)), ("created_at", false, serde_json::json!(true))],
        "{out}"
    );
    assert_eq!(
        index["definition"],
        "CREATE INDEX users_name_desc ON public.users USING btree (full_name DESC NULLS LAST, created_at NULLS FIRST)"
    );
    assert_eq!(json["unmanaged"].as_array().map(Vec::len), Some(OBJECTS.len()), "{out}");
}

/// An entity whose table was turned into a view reads from the view: it is not a missing table,
/// and the view is listed as what the entity maps to.
async fn an_entity_mapped_to_a_view_is_not_missing(backend: Backend) {
    let Some(db) = TestDb::create(backend, "inspect_pg_view").await else { return };
    let (code, out, err) = migrate(&db, &["upgrade"]);
    assert_eq!(code, Some(0), "upgrade failed:\n{out}\n{err}");
    execute(
        &db,
        &["ALTER TABLE audit_events RENAME TO audit_events_store", "CREATE VIEW audit_events AS SELECT * FROM audit_events_store"],
    )
    .await;
    let (code, out, err) = migrate(&db, &["check", "--format", "json"]);
    // The renamed table is not an entity's: dropping it is the one change.
    assert_eq!(code, Some(1), "{out}\n{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let changes = json["changes"].as_array().expect("changes");
    let kinds: Vec<(&str, &str)> =
        changes.iter().map(|c| (c["kind"].as_str().unwrap_or_default(), c["name"].as_str().unwrap_or_default())).collect();
    assert_eq!(kinds, [("drop_table", "audit_events_store")], "{out}");
    let views: Vec<&str> = json["unmanaged"]
        .as_array()
        .expect("unmanaged")
        .iter()
        .filter(|u| u["kind"] == "views")
        .map(|u| u["description"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(views, ["view audit_events (an entity maps to it)"], "{out}");
}

mod postgres {
    #[tokio::test]
    async fn dba_objects_are_listed_and_left_alone() {
        super::dba_objects_are_listed_and_left_alone(e2e_tests::Backend::Postgres).await
    }

    #[tokio::test]
    async fn an_entity_mapped_to_a_view_is_not_missing() {
        super::an_entity_mapped_to_a_view_is_not_missing(e2e_tests::Backend::Postgres).await
    }
}

mod postgres18 {
    #[tokio::test]
    async fn dba_objects_are_listed_and_left_alone() {
        super::dba_objects_are_listed_and_left_alone(e2e_tests::Backend::Postgres18).await
    }

    #[tokio::test]
    async fn an_entity_mapped_to_a_view_is_not_missing() {
        super::an_entity_mapped_to_a_view_is_not_missing(e2e_tests::Backend::Postgres18).await
    }
}
