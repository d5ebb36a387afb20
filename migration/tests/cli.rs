//! The `migrate` binary where no database server is needed: help, URL resolution, the embedded
//! SQLite default, and connection errors.

use std::net::TcpListener;
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
