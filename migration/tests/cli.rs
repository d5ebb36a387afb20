//! The `migrate` binary where no database server is needed: help, URL resolution, the embedded
//! SQLite default, connection errors, secrets, closed pipes, argument errors, missing sources,
//! the SQLite lock and the writes into the migration folder.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use assert_cmd::Command;

fn migrate(dir: &tempfile::TempDir) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_migrate"));
    cmd.current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("MIGRATION_DIR");
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Expects exit status 2 with exactly one `error:` line, and returns that line.
fn error_line(output: &std::process::Output) -> String {
    let err = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    errors[0].to_owned()
}

#[test]
fn help_lists_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let output = migrate(&dir).arg("help").output().unwrap();
    assert!(output.status.success());
    let help = text(&output.stdout);
    for command in ["current", "history", "show", "upgrade", "downgrade", "create", "check", "stamp", "rebase", "hash", "help"] {
        assert!(help.contains(&format!("  {command} ")), "{command} missing from:\n{help}");
    }
    assert!(help.contains("--database-url <URL>"), "{help}");
    for command in ["current", "history", "show", "upgrade", "downgrade", "create", "check", "stamp", "rebase", "hash"] {
        let output = migrate(&dir).args([command, "--help"]).output().unwrap();
        assert!(output.status.success(), "{command} --help");
        assert!(!text(&output.stdout).is_empty());
    }
    assert!(!dir.path().join("app.db").exists(), "help must not touch a database");
}

#[test]
fn embedded_sqlite_default_is_created_in_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let output = migrate(&dir).arg("upgrade").output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("database: sqlite://app.db (default)"));
    assert!(text(&output.stdout).contains("Upgraded 2 migrations"));
    assert!(dir.path().join("app.db").is_file());
    let output = migrate(&dir).arg("current").output().unwrap();
    assert!(text(&output.stdout).contains("(head)"));
}

#[test]
fn url_comes_from_flag_then_environment_then_dotenv() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "OTHER=1\nDATABASE_URL=sqlite://fromdotenv.db\n").unwrap();
    let output = migrate(&dir).arg("current").output().unwrap();
    assert!(text(&output.stderr).contains("sqlite://fromdotenv.db (.env)"), "{}", text(&output.stderr));

    let output = migrate(&dir)
        .env("DATABASE_URL", "sqlite://fromenv.db")
        .arg("current")
        .output()
        .unwrap();
    assert!(text(&output.stderr).contains("sqlite://fromenv.db (DATABASE_URL)"));

    let output = migrate(&dir)
        .env("DATABASE_URL", "sqlite://fromenv.db")
        .args(["--database-url", "sqlite://fromflag.db", "current"])
        .output()
        .unwrap();
    assert!(text(&output.stderr).contains("sqlite://fromflag.db (--database-url)"));
}

#[test]
fn malformed_urls_are_one_line_errors_without_passwords() {
    let dir = tempfile::tempdir().unwrap();
    for url in ["postgres//nohost", "ftp://user:hunter2@host/db", "postgres://user:hunter2@:5432/db"] {
        let output = migrate(&dir).args(["--database-url", url, "upgrade"]).output().unwrap();
        let error = error_line(&output);
        assert!(error.contains("malformed database URL"), "{error}");
        let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
        assert!(!all.contains("hunter2"), "{all}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written");
}

#[test]
fn refused_connection_fails_at_once() {
    let dir = tempfile::tempdir().unwrap();
    // Bind then drop a listener: its port is closed.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    for scheme in ["postgres", "mysql"] {
        let url = format!("{scheme}://user:hunter2@127.0.0.1:{port}/app");
        let started = Instant::now();
        let output = migrate(&dir).args(["--database-url", &url, "current"]).output().unwrap();
        let error = error_line(&output);
        assert!(error.contains(&format!("cannot reach the database server at 127.0.0.1:{port}")), "{error}");
        assert!(started.elapsed() < Duration::from_secs(5));
        let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
        assert!(!all.contains("hunter2") && all.contains("user:****@"), "{all}");
    }
}

#[test]
fn silent_server_fails_within_seconds() {
    let dir = tempfile::tempdir().unwrap();
    // A listener that accepts connections (the kernel does) but never speaks.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = format!("postgres://user:hunter2@127.0.0.1:{port}/app");
    let started = Instant::now();
    let output = migrate(&dir).args(["--database-url", &url, "upgrade"]).output().unwrap();
    let error = error_line(&output);
    assert!(error.contains("did not answer within 5 s"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(15), "took {:?}", started.elapsed());
    drop(listener);
}

/// A copy of the example's migration folder in `dir`, for commands that write there.
fn migration_copy(dir: &tempfile::TempDir) -> PathBuf {
    let to = dir.path().join("migration-src");
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(migration::MIGRATION_DIR).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
    to
}

/// Every file of a folder with its bytes, sorted: to show that nothing was written.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap_or_default())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn no_password_is_printed_whatever_the_url_shape_or_source() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    // (URL, the password as it may show up, decoded or not)
    let cases = [
        (format!("scott:Tiger99x@127.0.0.1:{port}/db"), vec!["Tiger99x"]),
        (format!("postgres:/u:Tiger99x@127.0.0.1:{port}/db"), vec!["Tiger99x"]),
        (format!("postgres//u:Tiger99x@127.0.0.1:{port}/db"), vec!["Tiger99x"]),
        (format!("postgres:u:Tiger99x@127.0.0.1:{port}/db"), vec!["Tiger99x"]),
        (format!("postgres://u:Tiger99x@127.0.0.1:{port}/db"), vec!["Tiger99x"]),
        (format!("mysql://u:Tig%40er99x@127.0.0.1:{port}/db"), vec!["Tig%40er99x", "Tig@er99x"]),
        (format!("postgres://u:Tig@er:99x@127.0.0.1:{port}/db"), vec!["Tig@er:99x", "er:99x"]),
        (format!("postgres://u@127.0.0.1:{port}/db?password=Tiger99x"), vec!["Tiger99x"]),
        (format!("mysql://u@127.0.0.1:{port}/db?pwd=Tiger99x"), vec!["Tiger99x"]),
        (format!("host=127.0.0.1 port={port} password=Tiger99x dbname=db"), vec!["Tiger99x"]),
        ("ftp://user:Tiger99x@host/db".to_owned(), vec!["Tiger99x"]),
    ];
    for (url, secrets) in &cases {
        for source in ["flag", "env", "dotenv"] {
            let dir = tempfile::tempdir().unwrap();
            let mut cmd = migrate(&dir);
            cmd.args(["--timings", "upgrade"]);
            match source {
                "flag" => cmd.args(["--database-url", url]),
                "env" => cmd.env("DATABASE_URL", url),
                _ => {
                    std::fs::write(dir.path().join(".env"), format!("DATABASE_URL={url}\n")).unwrap();
                    &mut cmd
                }
            };
            let output = cmd.output().unwrap();
            error_line(&output);
            let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
            for secret in secrets {
                assert!(!all.contains(secret), "{url} from {source} printed {secret}: {all}");
            }
            assert!(all.contains("timings:"), "{all}");
        }
    }
}

#[test]
fn dotenv_errors_name_the_line_never_its_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "OTHER=1\nDATABASE_URL=\"postgres://u:Tiger99x@h/db\nX=2\n").unwrap();
    let output = migrate(&dir).arg("current").output().unwrap();
    let error = error_line(&output);
    assert!(error.contains("cannot read .env: line 2 is malformed"), "{error}");
    let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert!(!all.contains("Tiger99x") && !all.contains("postgres://"), "{all}");
}

#[test]
fn a_database_url_that_is_not_utf8_is_an_error_naming_it() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let output = migrate(&dir)
        .env("DATABASE_URL", std::ffi::OsStr::from_bytes(b"sqlite://\xffx.db"))
        .arg("upgrade")
        .output()
        .unwrap();
    assert!(error_line(&output).contains("DATABASE_URL is not valid UTF-8"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "app.db must not be migrated instead");
}

#[test]
fn argument_errors_are_one_line_and_help_still_works() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--bogus", "current"][..],
        &["show"],
        &["check", "--format", "xml"],
        &["downgrade", ""],
        &["upgrade", ""],
        &["stamp", ""],
        &["show", ""],
        &["create", ""],
        &["create", "--sql", "--empty", "x"],
        &[],
    ] {
        let output = migrate(&dir).args(args).output().unwrap();
        error_line(&output);
        let err = text(&output.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("Usage"), "{args:?}: {err}");
    }
    for args in [&["help"][..], &["--help"], &["help", "upgrade"], &["upgrade", "--help"], &["--version"]] {
        let output = migrate(&dir).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(!text(&output.stdout).is_empty());
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written");
}

/// Runs `migrate` with its standard output already closed.
///
/// Another test's child, forked while the pipe was being made, can hold the read end open until
/// it executes its program; a write then succeeds and the command ends normally. That run tells
/// nothing, so it is run again (a command that ignored the closed pipe would end normally every
/// time).
fn into_closed_pipe(dir: &tempfile::TempDir, args: &[&str]) -> std::process::Output {
    let run = || {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_migrate"))
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .env_remove("MIGRATION_DIR")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        child.wait_with_output().unwrap()
    };
    let mut output = run();
    for _ in 0..5 {
        if !output.status.success() {
            break;
        }
        output = run();
    }
    output
}

#[test]
fn a_closed_stdout_ends_every_command_quietly_with_status_141() {
    let dir = tempfile::tempdir().unwrap();
    let copy = migration_copy(&dir);
    let copy = copy.to_str().unwrap();
    // Recorded as applied but never run: `create --sql` and `check` then have much to say.
    let output = migrate(&dir).args(["stamp", "head"]).output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let before = snapshot(Path::new(copy));
    for args in [
        &["upgrade", "--sql"][..],
        &["downgrade", "--sql", "base"],
        &["check", "--format", "json"],
        &["check"],
        &["--migration-dir", copy, "create", "--sql", "everything"],
        &["history"],
        &["history", "--verbose"],
        &["show", "head"],
        &["current"],
        &["stamp", "head"],
        &["help"],
        &["--help"],
        &["upgrade", "--help"],
    ] {
        let output = into_closed_pipe(&dir, args);
        let err = text(&output.stderr);
        assert_eq!(output.status.code(), Some(141), "{args:?}: {err}");
        assert!(!err.contains("panicked") && !err.contains("error:"), "{args:?}: {err}");
    }
    assert_eq!(snapshot(Path::new(copy)), before, "create --sql wrote nothing");
}

#[test]
fn create_sql_is_a_preview_that_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let copy = migration_copy(&dir);
    let output = migrate(&dir).args(["stamp", "head"]).output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let before = snapshot(&copy);
    let output = migrate(&dir)
        .args(["--migration-dir", copy.to_str().unwrap(), "create", "--sql", "everything"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let out = text(&output.stdout);
    assert!(out.contains("CREATE TABLE") && !out.contains("Wrote"), "{out}");
    assert!(text(&output.stderr).contains("nothing written"));
    assert_eq!(snapshot(&copy), before, "nothing written or registered");
}

#[test]
fn commands_that_read_the_sources_fail_when_they_are_missing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let incomplete = migration_copy(&dir);
    std::fs::remove_file(incomplete.join("m20261102_090000_index_audit_events_created_at.rs")).unwrap();
    let cases = [
        (dir.path().join("nowhere"), "does not exist"),
        (file.clone(), "is not a folder"),
        (incomplete.clone(), "the source of migration m20261102_090000_index_audit_events_created_at is missing"),
    ];
    for (folder, expected) in &cases {
        let folder = folder.to_str().unwrap();
        for command in [
            &["upgrade"][..],
            &["downgrade"],
            &["check"],
            &["hash"],
            &["rebase", "m20261102"],
            &["show", "head"],
            &["history", "--verbose"],
            &["create", "--empty", "x"],
            &["stamp", "head"],
        ] {
            let output = migrate(&dir).args(["--migration-dir", folder]).args(command).output().unwrap();
            let error = error_line(&output);
            assert!(error.contains(expected), "{command:?} in {folder}: {error}");
        }
    }
    assert!(!dir.path().join("app.db").exists(), "no database touched");
    // `current` and `history` do not read sources.
    let output = migrate(&dir).args(["--migration-dir", "/nowhere", "current"]).output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
}

#[test]
fn upgrade_records_a_checksum_for_every_migration() {
    let dir = tempfile::tempdir().unwrap();
    let output = migrate(&dir).arg("upgrade").output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let output = std::process::Command::new("sqlite3")
        .arg(dir.path().join("app.db"))
        .arg("SELECT version || ' ' || IFNULL(checksum, 'NULL') FROM seaql_migrations ORDER BY version")
        .output();
    let Ok(output) = output else {
        eprintln!("skipped: the sqlite3 command is not installed");
        return;
    };
    let manifest = std::fs::read_to_string(Path::new(migration::MIGRATION_DIR).join("migrations.sum")).unwrap();
    let recorded = text(&output.stdout);
    assert_eq!(recorded.lines().count(), 2, "{recorded}");
    for line in recorded.lines() {
        assert!(manifest.contains(line), "{line} is not in migrations.sum:\n{manifest}");
    }
}

#[test]
fn concurrent_creates_each_get_a_module_a_registration_and_a_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let copy = migration_copy(&dir);
    let output = migrate(&dir).arg("upgrade").output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let children: Vec<std::process::Child> = (0..8)
        .map(|i| {
            std::process::Command::new(env!("CARGO_BIN_EXE_migrate"))
                .current_dir(dir.path())
                .env_remove("DATABASE_URL")
                .args(["--migration-dir", copy.to_str().unwrap(), "create", "--empty", &format!("fix {i}")])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", text(&output.stderr));
    }
    let modules: Vec<String> = snapshot(&copy)
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| name.contains("_fix_"))
        .collect();
    assert_eq!(modules.len(), 8, "{modules:?}");
    let lib = std::fs::read_to_string(copy.join("lib.rs")).unwrap();
    let registered = autogen::pipeline::write::registered(&lib, Path::new("lib.rs")).unwrap();
    assert_eq!(registered.len(), 10, "{lib}");
    let manifest = autogen::lifecycle::checksum::read_manifest(&copy).unwrap().unwrap();
    assert_eq!(manifest.iter().map(|(name, _)| name.clone()).collect::<Vec<_>>(), registered);
    assert!(autogen::lifecycle::checksum::verify(&copy, &registered).unwrap().is_empty());
    // One chain: each new module follows the one registered before it.
    let parents = autogen::lifecycle::lineage::parents(&copy, &registered);
    assert!(autogen::lifecycle::lineage::conflicts(&registered, &parents).is_empty(), "{parents:?}");
    for (i, parent) in parents.iter().enumerate().skip(2) {
        assert_eq!(parent.as_deref(), Some(registered[i - 1].as_str()));
    }
}

#[test]
fn create_checks_the_manifest_before_writing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let copy = migration_copy(&dir);
    let output = migrate(&dir).arg("upgrade").output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let manifest = copy.join("migrations.sum");
    std::fs::write(&manifest, "m20261101_120000_create_oauth_schema not-a-checksum\n").unwrap();
    let before = snapshot(&copy);
    let output = migrate(&dir).args(["--migration-dir", copy.to_str().unwrap(), "create", "--empty", "x"]).output().unwrap();
    assert!(error_line(&output).contains("migrations.sum"));
    assert_eq!(snapshot(&copy), before, "malformed manifest: nothing written");
    std::fs::remove_file(&manifest).unwrap();
    std::fs::create_dir(&manifest).unwrap();
    let before = snapshot(&copy);
    let output = migrate(&dir).args(["--migration-dir", copy.to_str().unwrap(), "create", "--empty", "x"]).output().unwrap();
    assert!(error_line(&output).contains("migrations.sum"));
    assert_eq!(snapshot(&copy), before, "manifest is a folder: nothing written");
}

#[test]
fn sqlite_lock_refuses_a_symlink_and_gives_up_after_its_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join("app.db.migrate-lock");
    let target = dir.path().join("precious");
    std::fs::write(&target, "keep\n").unwrap();
    std::os::unix::fs::symlink(&target, &lock).unwrap();
    let error = error_line(&migrate(&dir).arg("upgrade").output().unwrap());
    assert!(error.contains("symbolic link") && error.contains("app.db.migrate-lock"), "{error}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep\n");

    std::fs::remove_file(&lock).unwrap();
    let held = std::fs::OpenOptions::new().create(true).truncate(true).write(true).open(&lock).unwrap();
    held.lock().unwrap();
    std::fs::write(&lock, "4242\n").unwrap();
    let started = Instant::now();
    let output = migrate(&dir).env("MIGRATE_LOCK_TIMEOUT", "1").arg("upgrade").output().unwrap();
    let error = error_line(&output);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(error.contains("process 4242") && error.contains("app.db.migrate-lock"), "{error}");
    assert!(text(&output.stderr).contains("waiting for another migrate process"));
    held.unlock().unwrap();
    let output = migrate(&dir).arg("upgrade").output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
}

#[test]
fn an_absolute_sqlite_path_with_four_slashes_locks_beside_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("abs.db");
    let url = format!("sqlite:///{}", db.display());
    assert!(url.starts_with("sqlite:////"));
    let elsewhere = tempfile::tempdir().unwrap();
    let output = migrate(&elsewhere).args(["--database-url", &url, "upgrade"]).output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(db.is_file());
    assert!(dir.path().join("abs.db.migrate-lock").is_file());
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

/// autogen.toml is found at run time above the working directory; what is wrong in it is one
/// `error:` line naming the file and the key, and the flags that override it are checked alike.
#[test]
fn configuration_errors_name_the_file_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("a/b");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::create_dir_all(dir.path().join("m")).unwrap();
    std::fs::write(dir.path().join("m/lib.rs"), "").unwrap();
    std::fs::create_dir_all(dir.path().join("e/src")).unwrap();
    std::fs::write(dir.path().join("e/Cargo.toml"), "[package]\nname = \"e\"\n").unwrap();
    std::fs::write(dir.path().join("e/src/lib.rs"), "").unwrap();
    let config = dir.path().join("autogen.toml");
    let run = |args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_migrate"));
        cmd.current_dir(&nested).env_remove("DATABASE_URL").env_remove("MIGRATION_DIR");
        cmd.args(["--database-url", "sqlite::memory:"]).args(args).output().unwrap()
    };
    let cases = [
        ("entities = [\"e\"]\nmigrations = \"m\"\nbackends = [\"oracle\"]\n", "`backends`: unknown backend `oracle`"),
        ("entities = [\"e\"]\nmigrations = \"m\"\nmanage = [\"sequences\"]\n", "`manage`: unknown object kind `sequences`"),
        ("entities = [\"e\"]\nmigrations = \"nowhere\"\n", "`migrations`: "),
        ("entities = [\"e\"]\nmigration = \"m\"\n", "`migration`: unknown key"),
        ("entities = [\"e\"\n", ""),
    ];
    for (text, expected) in cases {
        std::fs::write(&config, text).unwrap();
        let line = error_line(&run(&["check"]));
        let named = format!("error: {}: {expected}", config.display());
        assert!(line.starts_with(&named), "{text:?}: {line}");
    }
    std::fs::write(&config, "entities = [\"e\"]\nmigrations = \"m\"\n").unwrap();
    let line = error_line(&run(&["--manage", "bogus", "check"]));
    assert!(line.starts_with("error: --manage: unknown object kind `bogus`"), "{line}");
    let line = error_line(&run(&["--config", "missing.toml", "check"]));
    assert!(line.contains("--config missing.toml: no such file"), "{line}");
}

/// `online = false` in autogen.toml makes `create` write plain DDL; by default the index an
/// existing table gets is built concurrently.
#[test]
fn the_configuration_turns_online_plans_off() {
    let dir = tempfile::tempdir().unwrap();
    let copy = migration_copy(&dir);
    let output = migrate(&dir).args(["upgrade"]).output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let db = dir.path().join("app.db");
    let status = std::process::Command::new("sqlite3").arg(&db).arg("DROP INDEX \"idx-audit_events-created_at\"").status();
    assert!(status.is_ok_and(|s| s.success()), "the sqlite3 shell drops the index");
    let preview = |dir: &tempfile::TempDir| {
        let output = migrate(dir)
            .args(["--migration-dir", copy.to_str().unwrap(), "create", "--sql", "--backend", "postgres", "index"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", text(&output.stderr));
        text(&output.stdout)
    };
    let online = preview(&dir);
    assert!(online.contains("CREATE INDEX CONCURRENTLY"), "{online}");
    let entity = Path::new(env!("CARGO_MANIFEST_DIR")).join("../entity");
    std::fs::write(
        dir.path().join("autogen.toml"),
        format!("entities = [{:?}]\nmigrations = {:?}\nonline = false\n", entity.to_str().unwrap(), copy.to_str().unwrap()),
    )
    .unwrap();
    let plain = preview(&dir);
    assert!(plain.contains("CREATE INDEX") && !plain.contains("CONCURRENTLY"), "{plain}");
}

/// Run from another project's folder, the binary finds that project's autogen.toml: it says so,
/// naming both migration folders, since it would read those sources beside its own migrations.
#[test]
fn a_configuration_naming_other_migrations_is_pointed_out() {
    let dir = tempfile::tempdir().unwrap();
    let copy = migration_copy(&dir);
    let entity = Path::new(env!("CARGO_MANIFEST_DIR")).join("../entity");
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let history = |migrations: &Path| {
        std::fs::write(
            dir.path().join("autogen.toml"),
            format!("entities = [{:?}]\nmigrations = {:?}\n", entity.to_str().unwrap(), migrations.to_str().unwrap()),
        )
        .unwrap();
        let output = migrate(&dir).args(["history"]).output().unwrap();
        assert!(output.status.success(), "{}", text(&output.stderr));
        text(&output.stderr)
    };
    let err = history(&copy);
    let notes: Vec<&str> = err.lines().filter(|l| l.starts_with("note:")).collect();
    assert_eq!(notes.len(), 1, "{err}");
    assert!(notes[0].contains("autogen.toml") && notes[0].contains(&copy.canonicalize().unwrap().display().to_string()), "{err}");
    assert!(notes[0].contains(&own.canonicalize().unwrap().display().to_string()), "{err}");
    let err = history(&own);
    assert!(!err.contains("note:"), "{err}");
}
