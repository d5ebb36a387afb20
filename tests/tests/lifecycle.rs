//! The migration lifecycle driven through the `migrate` binary on every backend.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use e2e_tests::scenario::Project;
use e2e_tests::{Backend, TestDb, on_every_backend, stderr, stdout, unavailable};
use sea_orm::{ConnectionTrait, Statement};

const FIRST: &str = "m20261101_120000_create_oauth_schema";
const SECOND: &str = "m20261102_090000_index_audit_events_created_at";
const APP_TABLES: [&str; 8] = [
    "api_keys",
    "audit_events",
    "memberships",
    "oauth_accounts",
    "oauth_clients",
    "organizations",
    "refresh_tokens",
    "users",
];

/// Runs `migrate` with `args`, expects success and returns (stdout, stderr).
fn ok(db: &TestDb, args: &[&str]) -> (String, String) {
    let output = db.migrate().args(args).output().expect("run migrate");
    let (out, err) = (stdout(&output), stderr(&output));
    assert!(
        output.status.success(),
        "migrate {args:?} failed with {:?}\nstdout:\n{out}\nstderr:\n{err}",
        output.status.code()
    );
    assert!(err.contains("database: "), "no database line in {err}");
    (out, err)
}

/// Runs `migrate` with `args`, expects exit status 2 and one `error:` line; returns it.
fn fails(db: &TestDb, args: &[&str]) -> String {
    let output = db.migrate().args(args).output().expect("run migrate");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "migrate {args:?}: {err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "expected one error line in {err}");
    errors[0].to_owned()
}

fn app_tables() -> Vec<String> {
    let mut tables: Vec<String> = APP_TABLES.iter().map(|t| t.to_string()).collect();
    tables.push("seaql_migrations".into());
    tables.sort();
    tables
}

async fn upgrade_then_inspect(backend: Backend) {
    let Some(db) = TestDb::create(backend, "upgrade").await else { return };
    let (out, _) = ok(&db, &["current"]);
    assert!(out.starts_with("base"), "{out}");

    let (out, _) = ok(&db, &["upgrade"]);
    assert!(out.contains(&format!("Applying {FIRST} ... done in ")), "{out}");
    assert!(out.contains(&format!("Applying {SECOND} ... done in ")), "{out}");
    assert!(out.contains(&format!("Upgraded 2 migrations in ")), "{out}");
    assert!(out.contains(&format!("current revision: {SECOND} (head)")), "{out}");
    assert_eq!(db.tables().await, app_tables());
    if backend.is_postgres() {
        assert_eq!(db.enum_types().await, vec!["membership_role"]);
    }
    assert!(db.indexes("audit_events").await.contains(&"idx-audit_events-created_at".to_owned()));

    let (out, _) = ok(&db, &["upgrade"]);
    assert!(out.contains("Already at head"), "{out}");

    let (out, _) = ok(&db, &["current"]);
    assert_eq!(out.trim(), format!("{SECOND} (head)"));
    let (out, _) = ok(&db, &["current", "--verbose"]);
    assert!(out.contains("applied at 20"), "{out}");

    let (out, _) = ok(&db, &["history"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].contains("applied") && lines[0].contains(FIRST), "{out}");
    assert!(lines[1].starts_with('>') && lines[1].contains(SECOND), "{out}");
    assert!(lines[1].contains("(current, head)"), "{out}");
    assert!(out.contains("2 migrations: 2 applied, 0 pending"), "{out}");
    let (out, _) = ok(&db, &["history", "--verbose"]);
    assert!(out.contains("Index the audit log by time"), "{out}");

    let (out, _) = ok(&db, &["show", "m20261101"]);
    assert!(out.contains(&format!("revision  {FIRST}")), "{out}");
    assert!(out.contains("position  1 of 2 (follows base)"), "{out}");
    assert!(out.contains("status    applied at 20"), "{out}");
    assert!(out.contains(&format!("migration/src/{FIRST}.rs")), "{out}");
    assert!(out.contains("Create the OAuth SaaS schema"), "{out}");
    let (out, _) = ok(&db, &["show", "20261102"]);
    assert!(out.contains(&format!("revision  {SECOND}")), "{out}");
    assert!(out.contains(&format!("follows {FIRST}")), "{out}");
}

async fn relative_and_revision_targets(backend: Backend) {
    let Some(db) = TestDb::create(backend, "targets").await else { return };
    ok(&db, &["upgrade"]);

    let (out, _) = ok(&db, &["downgrade"]);
    assert!(out.contains(&format!("Reverting {SECOND} ... done in ")), "{out}");
    assert!(out.contains(&format!("Downgraded 1 migration in ")), "{out}");
    assert!(!db.indexes("audit_events").await.contains(&"idx-audit_events-created_at".to_owned()));
    let (out, _) = ok(&db, &["current"]);
    assert!(out.starts_with(FIRST), "{out}");
    assert!(out.contains("1 migration pending"), "{out}");

    let (out, _) = ok(&db, &["upgrade", "+1"]);
    assert!(out.contains(&format!("Applying {SECOND}")) && !out.contains(FIRST.trim_end()), "{out}");
    assert!(db.indexes("audit_events").await.contains(&"idx-audit_events-created_at".to_owned()));

    ok(&db, &["downgrade", "-1"]);
    let (out, _) = ok(&db, &["history"]);
    assert!(out.contains("pending") && out.contains("1 applied, 1 pending"), "{out}");

    let (out, _) = ok(&db, &["upgrade", "m20261102_09"]);
    assert!(out.contains(&format!("current revision: {SECOND} (head)")), "{out}");

    let (out, _) = ok(&db, &["downgrade", "m20261101"]);
    assert!(out.contains(&format!("Reverting {SECOND}")), "{out}");
    assert!(out.contains(&format!("current revision: {FIRST}")), "{out}");
    let (out, _) = ok(&db, &["downgrade", FIRST]);
    assert!(out.contains(&format!("Already at {FIRST}")), "{out}");

    ok(&db, &["upgrade", "head"]);
    let (out, _) = ok(&db, &["downgrade", "base"]);
    assert!(out.contains("Downgraded 2 migrations"), "{out}");
    assert!(out.contains("current revision: base"), "{out}");
    assert_eq!(db.tables().await, vec!["seaql_migrations".to_owned()]);
    assert!(db.enum_types().await.is_empty());
    let (out, _) = ok(&db, &["current"]);
    assert!(out.starts_with("base"), "{out}");
    let (out, _) = ok(&db, &["downgrade", "base"]);
    assert!(out.contains("Already at base"), "{out}");

    // Up again from base, step by step, so the round trip is complete.
    ok(&db, &["upgrade", "+2"]);
    assert_eq!(db.tables().await, app_tables());
}

async fn revision_errors(backend: Backend) {
    let Some(db) = TestDb::create(backend, "errors").await else { return };
    let error = fails(&db, &["show", "m2026110"]);
    assert!(error.contains("ambiguous revision `m2026110`"), "{error}");
    assert!(error.contains(FIRST) && error.contains(SECOND), "{error}");

    let error = fails(&db, &["upgrade", "m2099"]);
    assert!(error.contains("unknown revision `m2099`"), "{error}");
    assert!(db.tables().await.iter().all(|t| t == "seaql_migrations"), "nothing applied");

    ok(&db, &["upgrade"]);
    let error = fails(&db, &["upgrade", "m20261101"]);
    assert!(error.contains("is behind the current revision"), "{error}");
    assert!(error.contains("use `downgrade"), "{error}");
    let error = fails(&db, &["upgrade", "-1"]);
    assert!(error.contains("use `downgrade -1`"), "{error}");
    let error = fails(&db, &["downgrade", "-3"]);
    assert!(error.contains("only 2 migrations are applied"), "{error}");
    // Nothing was changed by the refused commands.
    let (out, _) = ok(&db, &["current"]);
    assert_eq!(out.trim(), format!("{SECOND} (head)"));
}

async fn wrong_password(backend: Backend) {
    let Some(db) = TestDb::create(backend, "password").await else { return };
    // SQLite files have no passwords.
    let Some(server) = backend.server_url() else { return };
    let mut url = url::Url::parse(&server).expect("the server URL is a URL");
    // `.ci/run` creates the PostgreSQL role and requires passwords for it.
    let user = if backend.is_postgres() { "autogen_pw" } else { "root" };
    url.set_username(user).expect("a URL with a host takes a user");
    url.set_password(Some("wrong-secret-42")).expect("a URL with a host takes a password");
    url.set_path("/postgres");
    let url = url.to_string();
    let output = e2e_tests::migrate_command()
        .current_dir(db.dir.path())
        .args(["--database-url", &url, "current"])
        .output()
        .unwrap();
    let all = format!("{}{}", stdout(&output), stderr(&output));
    if output.status.success() {
        unavailable(
            "a PostgreSQL role that needs a password",
            "the server accepted a wrong password (run .ci/run to set up role autogen_pw)",
        );
        return;
    }
    assert_eq!(output.status.code(), Some(2), "{all}");
    assert!(!all.contains("wrong-secret-42"), "password printed: {all}");
    assert!(all.contains(":****@"), "{all}");
    let error = all.lines().find(|l| l.starts_with("error:")).expect("error line");
    assert!(
        error.contains("password authentication failed") || error.contains("Access denied"),
        "{error}"
    );
}


/// Copies the example's migration folder, so `create` can write without touching the repository.
fn migration_copy(db: &TestDb) -> std::path::PathBuf {
    let from = e2e_tests::scenario::workspace_root().join("migration/src");
    let to = db.dir.path().join("migration-src");
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
    to
}

fn listing(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

async fn example_app_has_no_drift(backend: Backend) {
    let Some(db) = TestDb::create(backend, "fixpoint").await else { return };
    // Pending migrations: check says so and fails, create refuses and writes nothing.
    let output = db.migrate().args(["check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stdout(&output).contains("2 pending migrations"), "{}", stdout(&output));
    let dir = migration_copy(&db);
    let before = listing(&dir);
    let dir_arg = dir.to_string_lossy().into_owned();
    let error = fails(&db, &["--migration-dir", &dir_arg, "create", "too early"]);
    assert!(error.contains("2 pending migrations; run `migrate upgrade` first"), "{error}");
    assert_eq!(listing(&dir), before, "nothing written");

    // The hand-written migrations and the entities agree exactly.
    ok(&db, &["upgrade"]);
    let (out, _) = ok(&db, &["check"]);
    assert!(out.contains("No changes: the entities and the database agree."), "{out}");
    let (json, _) = ok(&db, &["check", "--format", "json"]);
    assert_eq!(json.trim(), r#"{"changes":[],"findings":[],"hazards":[],"pending_migrations":0,"unmanaged":[]}"#);
    let (out, _) = ok(&db, &["check", "--replay"]);
    assert!(out.contains("No changes"), "{out}");
    let (out, _) = ok(&db, &["--migration-dir", &dir_arg, "create", "no changes"]);
    assert!(out.contains("Nothing written"), "{out}");
    assert_eq!(listing(&dir), before);

    // A broken lib.rs: a clear error and nothing written, even for --empty.
    std::fs::write(dir.join("lib.rs"), "pub struct Migrator;\nimpl MigratorTrait for Migrator {\n").unwrap();
    let broken = listing(&dir);
    let error = fails(&db, &["--migration-dir", &dir_arg, "create", "--empty", "data fix"]);
    assert!(error.contains("cannot parse") && error.contains("lib.rs"), "{error}");
    assert_eq!(listing(&dir), broken, "nothing written");

    // --empty writes a skeleton, named from a message that needs cleaning up.
    std::fs::write(dir.join("lib.rs"), &before.iter().find(|(n, _)| n == "lib.rs").unwrap().1).unwrap();
    let (out, _) = ok(&db, &["--migration-dir", &dir_arg, "create", "--empty", "Backfill: e-mail (v2)!"]);
    assert!(out.contains("_backfill_e_mail_v2.rs"), "{out}");
    let after = listing(&dir);
    assert_eq!(after.len(), before.len() + 1);
    let (name, source) = after.iter().find(|(n, _)| n.ends_with("_backfill_e_mail_v2.rs")).unwrap();
    assert!(source.starts_with("//! Backfill: e-mail (v2)!\n"), "{source}");
    assert!(source.contains(&format!("//! Follows: {SECOND}.")), "{source}");
    assert!(source.contains("async fn up(&self, _manager: &SchemaManager) -> Result<(), DbErr> {\n        Ok(())\n    }"), "{source}");
    let lib = &after.iter().find(|(n, _)| n == "lib.rs").unwrap().1;
    let module = name.trim_end_matches(".rs");
    let manifest = &after.iter().find(|(n, _)| n == "migrations.sum").unwrap().1;
    assert!(manifest.contains(&format!("{module} ")), "{manifest}");
    assert!(lib.contains(&format!("mod {module};")) && lib.contains(&format!("Box::new({module}::Migration),")), "{lib}");
}

async fn sql_previews_are_what_runs(backend: Backend) {
    let Some(db) = TestDb::create(backend, "preview").await else { return };
    let (script, _) = ok(&db, &["upgrade", "--sql"]);
    assert!(script.starts_with("-- SQL that `migrate upgrade` would run; nothing was run."), "{script}");
    assert!(script.contains(&format!("-- {FIRST}")) && script.contains(&format!("-- {SECOND}")), "{script}");
    assert!(script.contains("INSERT INTO") && script.contains("seaql_migrations"), "{script}");
    assert!(db.tables().await.is_empty(), "--sql changed the database");
    // Run by hand, the preview leaves the database exactly where `upgrade` would.
    db.run_script(&script).await;
    let (out, _) = ok(&db, &["current"]);
    assert_eq!(out.trim(), format!("{SECOND} (head)"));
    let (out, _) = ok(&db, &["check"]);
    assert!(out.contains("No changes"), "{out}");

    let (script, _) = ok(&db, &["downgrade", "--sql", "base"]);
    assert!(script.contains("DELETE FROM"), "{script}");
    assert_eq!(db.tables().await, app_tables(), "--sql changed the database");
    db.run_script(&script).await;
    let (out, _) = ok(&db, &["current"]);
    assert!(out.starts_with("base"), "{out}");
    assert_eq!(db.tables().await, vec!["seaql_migrations".to_owned()]);
    assert!(db.enum_types().await.is_empty());
}

async fn concurrent_upgrades_apply_each_migration_once(backend: Backend) {
    let Some(db) = TestDb::create(backend, "concurrent").await else { return };
    let children: Vec<std::process::Child> = (0..8)
        .map(|_| {
            std::process::Command::new(e2e_tests::migrate_binary())
                .current_dir(db.dir.path())
                .env_remove("DATABASE_URL")
                .args(["--database-url", &db.url, "upgrade"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start migrate")
        })
        .collect();
    let outputs: Vec<std::process::Output> =
        children.into_iter().map(|c| c.wait_with_output().expect("wait for migrate")).collect();
    for output in &outputs {
        assert!(output.status.success(), "{}{}", stdout(output), stderr(output));
    }
    let applied_first = outputs.iter().filter(|o| stdout(o).contains(&format!("Applying {FIRST}"))).count();
    let applied_second = outputs.iter().filter(|o| stdout(o).contains(&format!("Applying {SECOND}"))).count();
    let idle = outputs.iter().filter(|o| stdout(o).contains("Already at head")).count();
    assert_eq!((applied_first, applied_second), (1, 1), "each migration exactly once");
    // The lock makes one process do all the work; the others wait and find nothing to do.
    assert_eq!(idle, 7, "the other processes report nothing to do");
    let (out, _) = ok(&db, &["history"]);
    assert!(out.contains("2 migrations: 2 applied, 0 pending"), "{out}");
}

async fn stamp_records_without_running(backend: Backend) {
    let Some(db) = TestDb::create(backend, "stamp").await else { return };
    let (out, _) = ok(&db, &["stamp", "head"]);
    assert!(out.contains(&format!("Recorded {FIRST} (not run)")), "{out}");
    assert!(out.contains(&format!("Stamped 2 migrations; current revision: {SECOND} (head)")), "{out}");
    assert_eq!(db.tables().await, vec!["seaql_migrations".to_owned()], "nothing ran");
    let (out, _) = ok(&db, &["stamp", "m20261101"]);
    assert!(out.contains(&format!("Forgot {SECOND} (not run)")), "{out}");
    let (out, _) = ok(&db, &["current"]);
    assert!(out.starts_with(FIRST), "{out}");
    let error = fails(&db, &["stamp", "m2099"]);
    assert!(error.contains("unknown revision"), "{error}");
    let (out, _) = ok(&db, &["stamp", "base"]);
    assert!(out.contains("current revision: base"), "{out}");
}

async fn edited_migrations_are_caught(backend: Backend) {
    let Some(db) = TestDb::create(backend, "checksums").await else { return };
    let dir = migration_copy(&db);
    let dir_arg = dir.to_string_lossy().into_owned();
    let first = dir.join(format!("{FIRST}.rs"));
    let original = std::fs::read_to_string(&first).unwrap();
    ok(&db, &["--migration-dir", &dir_arg, "upgrade"]);
    let (out, _) = ok(&db, &["--migration-dir", &dir_arg, "check"]);
    assert!(out.contains("No changes"), "{out}");

    // Edited after it ran: check and upgrade both refuse, naming it.
    std::fs::write(&first, format!("{original}// edited\n")).unwrap();
    let output = db.migrate().args(["--migration-dir", &dir_arg, "check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains(&format!("integrity: {FIRST}.rs changed since migrations.sum recorded it")), "{err}");
    assert!(err.contains(&format!("integrity: {FIRST} changed since it was applied on")), "{err}");
    // The JSON says so too, for a machine that reads it.
    let output = db.migrate().args(["--migration-dir", &dir_arg, "check", "--format", "json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("check --format json prints JSON");
    assert_eq!(json["changes"], serde_json::json!([]));
    let integrity: Vec<&str> = json["integrity"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert!(integrity.iter().any(|p| p.contains(&format!("{FIRST}.rs changed since migrations.sum recorded it"))), "{json}");
    let error = fails(&db, &["--migration-dir", &dir_arg, "upgrade"]);
    assert!(error.contains(&format!("{FIRST} changed since it was applied")), "{error}");
    // `hash` accepts the edit into the manifest, but the database still remembers what ran.
    let (out, _) = ok(&db, &["--migration-dir", &dir_arg, "hash"]);
    assert!(out.contains("migrations.sum with the checksums of 2 migrations"), "{out}");
    let output = db.migrate().args(["--migration-dir", &dir_arg, "check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(!stderr(&output).contains("migrations.sum recorded it"), "{}", stderr(&output));
    std::fs::write(&first, &original).unwrap();
    ok(&db, &["--migration-dir", &dir_arg, "hash"]);
    let (out, _) = ok(&db, &["--migration-dir", &dir_arg, "check"]);
    assert!(out.contains("No changes"), "{out}");

    // The manifest and the registered modules must agree.
    let lib = dir.join("lib.rs");
    let lib_text = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&dir.join("migrations.sum"), std::fs::read_to_string(dir.join("migrations.sum")).unwrap() + "m20990101_000000_ghost 0000000000000000000000000000000000000000000000000000000000000000\n").unwrap();
    let output = db.migrate().args(["--migration-dir", &dir_arg, "check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("m20990101_000000_ghost is in migrations.sum but not registered in lib.rs"), "{}", stderr(&output));
    std::fs::write(&lib, lib_text).unwrap();
}

/// Forwards every connection made to `[::1]:<returned port>` to the backend's server on
/// 127.0.0.1, so that an IPv6 host is tested against servers that listen on IPv4 only.
fn ipv6_proxy(backend: Backend) -> Option<u16> {
    let server = url::Url::parse(&backend.server_url()?).ok()?;
    let upstream = format!("127.0.0.1:{}", server.port()?);
    let listener = std::net::TcpListener::bind("[::1]:0").ok()?;
    let port = listener.local_addr().ok()?.port();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = std::net::TcpStream::connect(&upstream) else { continue };
            for (mut from, mut to) in [
                (client.try_clone().unwrap(), server.try_clone().unwrap()),
                (server, client),
            ] {
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from, &mut to);
                    let _ = to.shutdown(std::net::Shutdown::Write);
                });
            }
        }
    });
    Some(port)
}

async fn ipv6_hosts_connect(backend: Backend) {
    if backend == Backend::Sqlite {
        return;
    }
    let Some(db) = TestDb::create(backend, "ipv6").await else { return };
    let Some(port) = ipv6_proxy(backend) else {
        unavailable("an IPv6 loopback address", "cannot be bound here");
        return;
    };
    let mut url = url::Url::parse(&db.url).unwrap();
    url.set_host(Some("[::1]")).unwrap();
    url.set_port(Some(port)).unwrap();
    let output = e2e_tests::migrate_command()
        .current_dir(db.dir.path())
        .args(["--database-url", url.as_str(), "upgrade"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}{}", stdout(&output), stderr(&output));
    assert!(stderr(&output).contains(&format!("@[::1]:{port}/")), "{}", stderr(&output));
    assert!(stdout(&output).contains("Upgraded 2 migrations"), "{}", stdout(&output));
}

async fn a_schema_that_does_not_exist_is_an_error(backend: Backend) {
    if backend != Backend::Postgres {
        return; // --schema names a PostgreSQL schema; elsewhere it is ignored.
    }
    let Some(db) = TestDb::create(backend, "noschema").await else { return };
    ok(&db, &["upgrade"]);
    let dir = migration_copy(&db);
    let before = listing(&dir);
    let dir_arg = dir.to_string_lossy().into_owned();
    let error = fails(&db, &["--schema", "no_such_schema", "--migration-dir", &dir_arg, "create", "everything again"]);
    assert!(error.contains("schema `no_such_schema` does not exist"), "{error}");
    assert_eq!(listing(&dir), before, "nothing written");
    let error = fails(&db, &["--schema", "no_such_schema", "check"]);
    assert!(error.contains("schema `no_such_schema` does not exist"), "{error}");
    let (out, _) = ok(&db, &["--schema", "public", "check"]);
    assert!(out.contains("No changes"), "{out}");
}

/// FNV-1a of this host's name, as `check --replay` tags its scratch databases.
fn host_tag() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let hash = name.trim().bytes().fold(0x811c_9dc5_u32, |hash, b| (hash ^ u32::from(b)).wrapping_mul(0x0100_0193));
    format!("{hash:08x}")
}

/// The scratch databases on the backend's server whose name ends with `_<pid>_<random>`.
async fn scratch_databases(db: &TestDb, pid: Option<u32>) -> Vec<String> {
    let sql = match db.backend {
        backend if backend.is_postgres() => "SELECT datname::text AS name FROM pg_database WHERE datname LIKE 'autogen\\_replay\\_%'",
        _ => "SELECT CAST(SCHEMA_NAME AS CHAR) AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'autogen\\_replay\\_%'",
    };
    let conn = db.connect().await;
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql.to_owned()))
        .await
        .expect("list scratch databases");
    conn.close().await.ok();
    rows.iter()
        .map(|row| row.try_get::<String>("", "name").unwrap())
        .filter(|name| pid.is_none_or(|pid| name.split('_').nth(4) == Some(pid.to_string().as_str())))
        .collect()
}

async fn execute_on(db: &TestDb, sql: &str) {
    let conn = db.connect().await;
    conn.execute_unprepared(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    conn.close().await.ok();
}

async fn replay_drops_scratch_databases_left_behind(backend: Backend) {
    if backend == Backend::Sqlite {
        return; // SQLite replays into memory.
    }
    let Some(db) = TestDb::create(backend, "stale").await else { return };
    let gone = std::process::Command::new("true").spawn().unwrap();
    let gone_pid = gone.id();
    gone.wait_with_output().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let tag = host_tag();
    let old = format!("autogen_replay_{}_00000000_1_0000a001", now - 7 * 3600);
    let orphan = format!("autogen_replay_{now}_{tag}_{gone_pid}_0000a002");
    let running = format!("autogen_replay_{now}_{tag}_{}_0000a003", std::process::id());
    let quote = |name: &str| if backend == Backend::MySql { format!("`{name}`") } else { format!("\"{name}\"") };
    for name in [&old, &orphan, &running] {
        execute_on(&db, &format!("CREATE DATABASE {}", quote(name))).await;
    }
    let (out, err) = ok(&db, &["check", "--replay"]);
    assert!(out.contains("No changes"), "{out}");
    let left = scratch_databases(&db, None).await;
    assert!(!left.contains(&old) && !left.contains(&orphan), "{left:?}\n{err}");
    assert!(left.contains(&running), "a live process's scratch database is kept: {left:?}");
    execute_on(&db, &format!("DROP DATABASE {}", quote(&running))).await;
}

const SLOW: &str = "m20200101_000002_slow";
const LATER: &str = "m20200101_000003_later";

/// A migration that creates one table.
fn create_table(table: &str) -> String {
    format!(
        "//! Creates {table}.\n\nuse sea_orm_migration::prelude::*;\n\n#[derive(DeriveMigrationName)]\npub struct Migration;\n\n#[async_trait::async_trait]\nimpl MigrationTrait for Migration {{\n    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {{\n        manager.create_table(Table::create().table(\"{table}\").col(ColumnDef::new(\"id\").integer().not_null().primary_key()).to_owned()).await\n    }}\n\n    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {{\n        manager.drop_table(Table::drop().table(\"{table}\").to_owned()).await\n    }}\n}}\n"
    )
}

/// A migration that sleeps on the server for $SCENARIO_SLEEP_SECONDS (none when unset).
const SLOW_MIGRATION: &str = r#"//! Sleeps on the server for $SCENARIO_SLEEP_SECONDS, to test long runs.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let seconds: f64 = std::env::var("SCENARIO_SLEEP_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(0.0);
        let sql = match manager.get_database_backend() {
            DbBackend::Postgres => format!("SELECT pg_sleep({seconds})"),
            DbBackend::MySql => format!("SELECT SLEEP({seconds})"),
            _ => return Ok(()),
        };
        manager.get_connection().execute_unprepared(&sql).await.map(|_| ())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}
"#;

/// Starts the scenario binary on `db` with `args` and extra environment.
fn start(project: &Project, db: &TestDb, args: &[&str], env: &[(&str, &str)]) -> Child {
    let mut cmd = std::process::Command::new(project.binary());
    cmd.current_dir(db.dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("MIGRATION_DIR")
        .args(["--database-url", &db.url])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.spawn().expect("start the scenario binary")
}

fn finish(child: Child) -> (Option<i32>, String, String) {
    let output = child.wait_with_output().expect("wait for the scenario binary");
    (output.status.code(), stdout(&output), stderr(&output))
}

/// The lock outlives the pool's idle timeout: a second `upgrade` started while the first is in a
/// migration longer than that timeout waits, then finds nothing to do.
async fn lock_outlives_the_idle_timeout(project: &Project, backend: Backend) {
    let Some(db) = TestDb::create(backend, "lockidle").await else { return };
    let short = [("MIGRATE_IDLE_TIMEOUT", "0.5")];
    let first = start(project, &db, &["upgrade"], &[short[0], ("SCENARIO_SLEEP_SECONDS", "4")]);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let second = start(project, &db, &["upgrade"], &short);
    let (code, out, err) = finish(first);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains(&format!("Applying {SLOW} ... done")), "{out}");
    let (code, out, err) = finish(second);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(err.contains("waiting for another migrate process"), "the second upgrade did not wait: {out}{err}");
    assert!(out.contains("Already at head") && !out.contains("Applying"), "{out}");
}

/// Losing the lock mid-run stops the run before the next migration.
async fn a_lost_lock_stops_the_run(project: &Project, backend: Backend) {
    let Some(db) = TestDb::create(backend, "locklost").await else { return };
    let run = start(project, &db, &["upgrade"], &[("SCENARIO_SLEEP_SECONDS", "3")]);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let kill = match backend {
        backend if backend.is_postgres() => "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'sea-orm-autogen migration lock' AND datname = current_database()"
            .to_owned(),
        _ => {
            let conn = db.connect().await;
            let row = conn
                .query_one_raw(Statement::from_string(
                    conn.get_database_backend(),
                    "SELECT CAST(IS_USED_LOCK(CONCAT('sea-orm-autogen:', DATABASE())) AS SIGNED) AS id".to_owned(),
                ))
                .await
                .unwrap()
                .unwrap();
            conn.close().await.ok();
            format!("KILL {}", row.try_get::<i64>("", "id").expect("the lock is held"))
        }
    };
    execute_on(&db, &kill).await;
    let (code, out, err) = finish(run);
    assert_eq!(code, Some(2), "{out}{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(errors[0].contains("lost the migration lock"), "{err}");
    assert!(out.contains(&format!("Applying {SLOW} ... done")) && !out.contains(LATER), "{out}");
    assert!(!db.tables().await.contains(&"s_later".to_owned()), "the next migration did not run");
}

/// SIGTERM during `check --replay` drops the scratch database before the process ends.
async fn an_interrupted_replay_drops_its_scratch_database(project: &Project, backend: Backend) {
    let Some(db) = TestDb::create(backend, "replaysig").await else { return };
    let started = Instant::now();
    let replay = start(project, &db, &["check", "--replay"], &[("SCENARIO_SLEEP_SECONDS", "60")]);
    let pid = replay.id();
    while scratch_databases(&db, Some(pid)).await.is_empty() {
        assert!(started.elapsed() < Duration::from_secs(30), "no scratch database appeared");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let killed = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
    assert!(killed.success());
    let (code, out, err) = finish(replay);
    assert!(started.elapsed() < Duration::from_secs(45), "the replay waited for its migration");
    assert_eq!(code, Some(143), "{out}{err}");
    assert!(err.contains("interrupted by SIGTERM") && err.contains("was dropped"), "{err}");
    assert!(scratch_databases(&db, Some(pid)).await.is_empty(), "scratch database left behind");
}

/// Long runs, interrupted runs and a binary shipped alone, on a scenario project with a
/// migration that sleeps on the server for as long as a test asks.
#[tokio::test]
async fn long_runs_and_deployments() {
    let project = Project::new(Backend::Sqlite, "long_runs");
    project.add_migration("m20200101_000001_notes", &create_table("s_note"));
    project.add_migration(SLOW, SLOW_MIGRATION);
    project.add_migration(LATER, &create_table("s_later"));
    project.build();

    // A message that looks like lineage and holds control characters: cleaned to one line, the
    // module compiles, its lineage reads back right and `upgrade` does not see a conflict.
    let Some(lite) = TestDb::create(Backend::Sqlite, "message").await else { return };
    let run = |args: &[&str]| finish(start(&project, &lite, args, &[]));
    let (code, _, err) = run(&["upgrade"]);
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = run(&["create", "--empty", "Follows: nothing\r\n\tfix\u{7} the\u{202e} data"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let module = project.migrations().into_iter().find(|m| m.contains("_follows_nothing_fix_the_data")).expect(&out);
    let source = project.migration_source(&module);
    assert!(source.starts_with("//! Follows: nothing fix the data\n"), "{source}");
    assert_eq!(autogen::lifecycle::lineage::declared_parent(&source), Some(Some(LATER.to_owned())));
    project.build();
    let (code, out, err) = run(&["upgrade"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains(&format!("Applying {}", module.trim_end_matches(".rs"))), "{out}");

    // The binary alone: no sources where it was built. `upgrade` records the checksums embedded
    // at build time and refuses an applied migration whose recorded checksum differs; commands
    // that read sources fail.
    let Some(alone) = TestDb::create(Backend::Sqlite, "alone").await else { return };
    let sources = project.migration_dir();
    let moved = sources.with_file_name("src-moved");
    std::fs::rename(&sources, &moved).unwrap();
    let run = |args: &[&str]| finish(start(&project, &alone, args, &[]));
    let (code, out, err) = run(&["upgrade"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let conn = alone.connect().await;
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT version, checksum FROM seaql_migrations".to_owned(),
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 4);
    for row in &rows {
        let version: String = row.try_get("", "version").unwrap();
        let checksum: Option<String> = row.try_get("", "checksum").unwrap();
        let expected = autogen::lifecycle::checksum::of_module(&moved, &version);
        assert_eq!(checksum, expected, "{version}");
    }
    conn.execute_unprepared(&format!("UPDATE seaql_migrations SET checksum = '{}' WHERE version = '{SLOW}'", "0".repeat(64)))
        .await
        .unwrap();
    conn.close().await.ok();
    let (code, _, err) = run(&["upgrade"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&format!("{SLOW} changed since it was applied")), "{err}");
    let (code, _, err) = run(&["check"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("does not exist"), "{err}");
    std::fs::rename(&moved, &sources).unwrap();

    for backend in [Backend::Postgres, Backend::MySql] {
        lock_outlives_the_idle_timeout(&project, backend).await;
        a_lost_lock_stops_the_run(&project, backend).await;
        an_interrupted_replay_drops_its_scratch_database(&project, backend).await;
    }
}

on_every_backend!(
    ipv6_hosts_connect,
    a_schema_that_does_not_exist_is_an_error,
    replay_drops_scratch_databases_left_behind,
    edited_migrations_are_caught,
    stamp_records_without_running,
    concurrent_upgrades_apply_each_migration_once,
    sql_previews_are_what_runs,
    upgrade_then_inspect,
    relative_and_revision_targets,
    revision_errors,
    wrong_password,
    example_app_has_no_drift
);
