//! The online benchmark's smoke run, as CI keeps it working: `bench/online.sh` on a small table,
//! on PostgreSQL and MariaDB. Its numbers are not judged here; what must hold is that every change
//! kind runs both ways (online and plain) under the write load, that writes keep succeeding
//! throughout, and that the schema is the desired one after each `up` and the starting one after
//! each `down`.

use std::collections::BTreeSet;
use std::process::Command;

use e2e_tests::scenario::{target_dir, workspace_root};
use e2e_tests::{Backend, server_reachable};

/// The change kinds each backend measures.
fn kinds(backend: Backend) -> Vec<&'static str> {
    let mut kinds = vec!["add_index", "add_unique", "add_foreign_key", "set_not_null", "add_column_default"];
    if backend == Backend::MySql {
        kinds.extend(["widen_varchar", "widen_varchar_short"]);
    } else {
        kinds.extend(["add_column_volatile", "widen_varchar"]);
    }
    kinds
}

fn smoke(backend: Backend, name: &str) {
    if !server_reachable(backend) {
        return;
    }
    let server = backend.server_url().expect("a server backend");
    let results = tempfile::tempdir().expect("temporary directory");
    let database = format!("autogen_online_{name}_{}", std::process::id());
    let mut command = Command::new("bash");
    command
        .arg(workspace_root().join("bench/online.sh"))
        .arg(name)
        .env("BENCH_ROWS", "20000")
        .env("BENCH_WRITERS", "4")
        .env("BENCH_SETTLE", "0.3")
        .env("BENCH_DB", &database)
        .env("BENCH_RESULTS", results.path())
        .env("BENCH_PROFILE", "dev")
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("BENCH_KINDS")
        .env_remove("RUSTFLAGS")
        .env(if backend.is_postgres() { "BENCH_PG_URL" } else { "BENCH_MYSQL_URL" }, &server);
    let output = command.output().expect("run bench/online.sh");
    assert!(output.status.success(), "bench/online.sh {name} failed:\n{}", String::from_utf8_lossy(&output.stderr));

    let text = std::fs::read_to_string(results.path().join(format!("{name}.json"))).expect("the JSON results");
    let report: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(report["rows"], 20000, "{report:#}");
    let runs = report["runs"].as_array().expect("runs");
    let ran: BTreeSet<(String, String)> = runs
        .iter()
        .map(|r| (r["kind"].as_str().expect("kind").to_owned(), r["plan"].as_str().expect("plan").to_owned()))
        .collect();
    let expected: BTreeSet<(String, String)> = kinds(backend)
        .into_iter()
        .flat_map(|k| [(k.to_owned(), "online".to_owned()), (k.to_owned(), "plain".to_owned())])
        .collect();
    assert_eq!(ran, expected, "every kind runs online and plain");
    for run in runs {
        let what = format!("{} {}", run["kind"], run["plan"]);
        assert_eq!(run["schema_ok"], true, "{what}: the schema is not what it should be: {run:#}");
        assert_eq!(run["outcome"], "applied", "{what}: {run:#}");
        // MariaDB cannot widen a utf8mb4 varchar(50) to varchar(100) in place (the length prefix
        // grows to two bytes): the online plan asks for INPLACE first and falls back to the
        // copying statement, which `create` reports as OL110.
        if backend == Backend::MySql && run["kind"] == "widen_varchar" && run["plan"] == "online" {
            let script: Vec<&str> = run["script"].as_array().expect("script").iter().filter_map(|s| s.as_str()).collect();
            assert!(script.iter().any(|s| s.ends_with("ALGORITHM=INPLACE, LOCK=NONE")), "{what}: {run:#}");
            assert!(script.last().is_some_and(|s| !s.contains("ALGORITHM")), "{what}: {run:#}");
        }
        assert!(run["whole"]["count"].as_u64().expect("count") > 0, "{what}: no write during the run: {run:#}");
        assert_eq!(run["whole"]["failed"], 0, "{what}: writes failed: {run:#}");
        assert!(run["script"].as_array().is_some_and(|s| !s.is_empty()), "{what}: no SQL: {run:#}");
    }
    assert_eq!(report["total"]["failed"], 0, "{report:#}");
    let markdown = std::fs::read_to_string(results.path().join(format!("{name}.md"))).expect("the markdown results");
    assert_eq!(markdown.lines().filter(|l| l.starts_with("| add_") || l.starts_with("| set_") || l.starts_with("| widen_")).count(), expected.len(), "{markdown}");
}

#[test]
fn postgres() {
    smoke(Backend::Postgres, "postgres");
}

#[test]
fn mysql() {
    smoke(Backend::MySql, "mysql");
}
