//! The database-first scenario corpus (`tests/corpus/*.toml`): each scenario is the setup SQL a
//! DBA, Alembic, Django or Prisma would write, the SeaORM entities of the application, and the
//! verdict `check` and `create` must reach (no difference, or exactly these changes, and these
//! objects left alone as not managed).
//!
//! Every scenario of every backend compiles into ONE generated crate (its entities as modules,
//! one migration folder per scenario and backend, one `migrate` binary that picks the scenario
//! from `CORPUS_SCENARIO`), so the corpus builds twice in all: once to find the verdicts and
//! write the migrations with `create`, once more with those migrations compiled in, to run them.
//!
//! A scenario file holds, each key optionally suffixed `_postgres` (PostgreSQL 15 and 18),
//! `_postgres18`, `_mysql` or `_sqlite` for a backend's own spelling:
//!
//! - `about`: what it tries, and whose habits it copies;
//! - `setup`: the SQL that builds the database, run as one script;
//! - `expect`: the change summaries `create` must print, exactly (empty: no difference);
//! - `unmanaged`: the descriptions of the objects `check` must list as not managed;
//! - `skip`: why the scenario means nothing on a backend (it does not run there);
//! - `xfail`: why the engine is known to get it wrong on a backend (it runs, its failures are
//!   reported and not counted; a scenario that then passes says so);
//! - `[entity]`: module name = the entity's Rust source.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use autogen::pipeline::inspect::{InspectOptions, inspect};
use autogen::pipeline::schema::Schema;
use sea_orm::{ConnectionTrait, Database};

use crate::scenario::{MIGRATION_LIB, SEA_ORM, SEA_ORM_MIGRATION, workspace_root};
use crate::{Backend, TestDb};

/// The key of a backend in scenario files, and in `CORPUS_SCENARIO`.
pub fn key(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "postgres",
        Backend::Postgres18 => "postgres18",
        Backend::MySql => "mysql",
        Backend::Sqlite => "sqlite",
    }
}

/// The keys a value of `backend` is looked up under, most specific first.
fn lookup_keys(backend: Backend, field: &str) -> Vec<String> {
    let mut keys = vec![format!("{field}_{}", key(backend))];
    if backend == Backend::Postgres18 {
        keys.push(format!("{field}_postgres"));
    }
    keys.push(field.to_owned());
    keys
}

/// One scenario, as read from its file.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The file's stem.
    pub name: String,
    /// The Rust module of its entities and registry (`s_<name>`).
    pub module: String,
    pub about: String,
    /// The entity modules: name and source.
    pub entities: Vec<(String, String)>,
    doc: toml_edit::DocumentMut,
}

impl Scenario {
    fn string(&self, backend: Backend, field: &str) -> Option<String> {
        lookup_keys(backend, field)
            .iter()
            .find_map(|k| self.doc.get(k))
            .map(|item| {
                item.as_str()
                    .unwrap_or_else(|| panic!("scenario {}: `{field}` must be a string", self.name))
                    .to_owned()
            })
    }

    fn list(&self, backend: Backend, field: &str) -> Vec<String> {
        let Some(item) = lookup_keys(backend, field).iter().find_map(|k| self.doc.get(k)) else {
            return Vec::new();
        };
        let array = item
            .as_array()
            .unwrap_or_else(|| panic!("scenario {}: `{field}` must be a list of strings", self.name));
        array
            .iter()
            .map(|v| {
                v.as_str()
                    .unwrap_or_else(|| panic!("scenario {}: `{field}` must be a list of strings", self.name))
                    .to_owned()
            })
            .collect()
    }

    /// The setup script on `backend`.
    pub fn setup(&self, backend: Backend) -> String {
        self.string(backend, "setup").unwrap_or_default()
    }

    /// The change summaries `create` must print on `backend`, sorted.
    pub fn expect(&self, backend: Backend) -> Vec<String> {
        let mut lines = self.list(backend, "expect");
        lines.sort();
        lines
    }

    /// The not-managed objects `check` must list on `backend`, sorted.
    pub fn unmanaged(&self, backend: Backend) -> Vec<String> {
        let mut lines = self.list(backend, "unmanaged");
        lines.sort();
        lines
    }

    /// Why the scenario does not run on `backend`, if it does not.
    pub fn skip(&self, backend: Backend) -> Option<String> {
        self.string(backend, "skip")
    }

    /// Why the engine is known to fail the scenario on `backend`, if it is.
    pub fn xfail(&self, backend: Backend) -> Option<String> {
        self.string(backend, "xfail")
    }
}

/// The folder of the scenario files.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Reads every scenario, sorted by name; `filter` (from `CORPUS_FILTER`, comma-separated words)
/// keeps the names that contain one of its words.
pub fn load(filter: Option<&str>) -> Vec<Scenario> {
    let mut scenarios = Vec::new();
    for entry in std::fs::read_dir(corpus_dir()).expect("tests/corpus") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let name = path.file_stem().expect("stem").to_string_lossy().into_owned();
        if filter.is_some_and(|f| !f.split(',').any(|word| name.contains(word.trim()))) {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read scenario");
        let doc: toml_edit::DocumentMut =
            text.parse().unwrap_or_else(|e| panic!("scenario {}: not valid TOML: {e}", path.display()));
        let module = format!("s_{}", name.replace('-', "_"));
        let about = doc.get("about").and_then(|i| i.as_str()).unwrap_or_default().to_owned();
        let mut entities = Vec::new();
        if let Some(table) = doc.get("entity").and_then(|i| i.as_table()) {
            for (module, source) in table.iter() {
                let source = source
                    .as_str()
                    .unwrap_or_else(|| panic!("scenario {name}: entity `{module}` must be a string"));
                entities.push((module.to_owned(), source.to_owned()));
            }
        }
        scenarios.push(Scenario { name, module, about, entities, doc });
    }
    scenarios.sort_by(|a, b| a.name.cmp(&b.name));
    scenarios
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("create folder");
    // Unchanged files keep their time stamps, so that cargo rebuilds no more than it must.
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return;
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// The generated crate that holds every scenario.
pub struct CorpusProject {
    pub root: PathBuf,
    target: PathBuf,
}

impl CorpusProject {
    /// Writes the crate for `scenarios` on `backends` (each scenario where it is not skipped),
    /// with empty migration folders.
    pub fn write(scenarios: &[Scenario], backends: &[Backend]) -> CorpusProject {
        // A target folder of its own: sharing the workspace's would make each build undo the
        // other's (its feature set differs), and rebuild the dependencies every time.
        let base = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("target"))
            .join("corpus");
        let root = base.join("project");
        let target = base.join("target");
        let main = workspace_root();
        write(
            &root.join("Cargo.toml"),
            &format!(
                "[package]\nname = \"corpus-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[[bin]]\nname = \"corpus-migrate\"\npath = \"src/main.rs\"\n\n[dependencies]\n{SEA_ORM}\n{SEA_ORM_MIGRATION}\nsea-orm-autogen-runtime = {{ path = {runtime:?} }}\nsea-orm-autogen = {{ path = {autogen:?} }}\nmigrate-cli = {{ path = {cli:?} }}\n\n[workspace]\n\n[profile.dev]\ndebug = \"line-tables-only\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n",
                runtime = main.join("autogen/runtime"),
                autogen = main.join("autogen"),
                cli = main.join("cli"),
            ),
        );
        let lock = std::fs::read_to_string(main.join("Cargo.lock")).expect("read Cargo.lock");
        write(&root.join("Cargo.lock"), &lock);
        let src = root.join("src");
        let mut main_rs = String::from(
            "//! The corpus: every scenario's entities and migrations, and one `migrate` binary that\n//! runs the scenario named by `CORPUS_SCENARIO` (`backend/module`). Generated by tests/src/corpus.rs.\n#![allow(dead_code, unused_imports)]\n\nuse std::process::ExitCode;\nuse std::sync::OnceLock;\n\nuse sea_orm_migration::prelude::*;\n\n",
        );
        let mut arms = String::new();
        for scenario in scenarios {
            let dir = src.join("scenarios").join(&scenario.module);
            if dir.exists() {
                std::fs::remove_dir_all(&dir).expect("clear the scenario's entities");
            }
            let mut lib = format!("//! {}\n", scenario.about.lines().next().unwrap_or_default());
            for (module, source) in &scenario.entities {
                write(&dir.join(format!("{module}.rs")), source);
                let _ = writeln!(lib, "pub mod {module};");
            }
            write(&dir.join("lib.rs"), &lib);
            let discovery = sea_orm_autogen_discover::discover(&dir)
                .unwrap_or_else(|e| panic!("scenario {}: {e}", scenario.name));
            let registry = sea_orm_autogen_discover::registry_source(&format!("crate::{}", scenario.module), &discovery);
            let _ = writeln!(
                main_rs,
                "#[path = \"scenarios/{m}/lib.rs\"]\npub mod {m};\npub mod reg_{m} {{\n{registry}}}\n",
                m = scenario.module
            );
            for backend in backends.iter().filter(|b| scenario.skip(**b).is_none()) {
                let name = format!("{}_{}", key(*backend), scenario.module);
                let dir = src.join("migrations").join(key(*backend)).join(&scenario.module);
                if dir.exists() {
                    std::fs::remove_dir_all(&dir).expect("clear the scenario's migrations");
                }
                write(&dir.join("lib.rs"), MIGRATION_LIB);
                let _ = writeln!(
                    main_rs,
                    "#[path = \"migrations/{b}/{m}/lib.rs\"]\npub mod mig_{name};\n",
                    b = key(*backend),
                    m = scenario.module
                );
                let _ = writeln!(
                    arms,
                    "        \"{b}/{m}\" => (<mig_{name}::Migrator as MigratorTrait>::migrations, {dir:?}, reg_{m}::register_entities),",
                    b = key(*backend),
                    m = scenario.module,
                    dir = dir.display().to_string(),
                );
            }
        }
        let _ = write!(
            main_rs,
            r#"type Migrations = fn() -> Vec<Box<dyn MigrationTrait>>;

static SELECTED: OnceLock<Migrations> = OnceLock::new();

/// The migrator of the scenario chosen at start-up.
pub struct Selected;

#[async_trait::async_trait]
impl MigratorTrait for Selected {{
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {{
        (SELECTED.get().expect("a scenario is chosen before the CLI starts"))()
    }}
}}

fn main() -> ExitCode {{
    let which = std::env::var("CORPUS_SCENARIO").unwrap_or_default();
    let (migrations, dir, register): (Migrations, &'static str, autogen::pipeline::compare::RegisterEntities) = match which.as_str() {{
{arms}
        _ => {{
            eprintln!("error: CORPUS_SCENARIO `{{which}}` names no scenario of the corpus");
            return ExitCode::from(2);
        }}
    }};
    SELECTED.set(migrations).ok();
    migrate_cli::main::<Selected>(migrate_cli::Project {{ migration_dir: dir, register_entities: register, checksums: &[] }})
}}
"#
        );
        write(&src.join("main.rs"), &main_rs);
        CorpusProject { root, target }
    }

    /// Builds the binary; panics with cargo's output when the corpus does not compile.
    pub fn build(&self) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let output = Command::new(cargo)
            .current_dir(&self.root)
            .args(["build", "--offline", "--quiet"])
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("RUSTFLAGS")
            .output()
            .expect("run cargo build");
        assert!(
            output.status.success(),
            "the corpus crate does not compile:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn binary(&self) -> PathBuf {
        self.target.join("debug").join("corpus-migrate")
    }

    /// Runs the binary for `scenario` on `db`; returns (exit code, stdout, stderr).
    pub fn run(&self, backend: Backend, scenario: &Scenario, db: &TestDb, args: &[&str]) -> (i32, String, String) {
        let output = Command::new(self.binary())
            .current_dir(db.dir.path())
            .env("CORPUS_SCENARIO", format!("{}/{}", key(backend), scenario.module))
            .env("NO_COLOR", "1")
            .env_remove("DATABASE_URL")
            .env_remove("MIGRATION_DIR")
            .args(["--database-url", &db.url])
            .args(args)
            .output()
            .expect("run the corpus binary");
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }
}

/// Runs `script` on `db` as one batch.
pub async fn run_setup(db: &TestDb, script: &str) -> Result<(), String> {
    let url = match db.backend {
        Backend::Sqlite => format!("{}?mode=rwc", db.url),
        _ => db.url.clone(),
    };
    let conn = Database::connect(&url).await.map_err(|e| e.to_string())?;
    if script.trim().is_empty() {
        conn.close().await.ok();
        return Ok(());
    }
    let result = conn.execute_unprepared(script).await.map(|_| ()).map_err(|e| e.to_string());
    conn.close().await.ok();
    result
}

/// The schema of `db` with the names a database generates blanked out (index and foreign key
/// names), so that two schemas compare by definition.
pub async fn snapshot(db: &TestDb) -> Result<Schema, String> {
    let conn = Database::connect(&db.url).await.map_err(|e| e.to_string())?;
    let schema = inspect(&conn, &InspectOptions::default()).await.map_err(|e| e.to_string());
    conn.close().await.ok();
    let mut schema = schema?;
    for table in schema.tables.values_mut() {
        for index in &mut table.indexes {
            index.name.clear();
        }
        for fk in &mut table.foreign_keys {
            fk.name.clear();
        }
        table.indexes.sort();
        table.foreign_keys.sort();
    }
    Ok(schema)
}

/// The first difference between two schemas, as their JSON lines.
pub fn schema_difference(current: &Schema, desired: &Schema) -> String {
    let a = serde_json::to_string_pretty(current).unwrap_or_default();
    let b = serde_json::to_string_pretty(desired).unwrap_or_default();
    let mut out = String::new();
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            let from = i.saturating_sub(6);
            let _ = writeln!(out, "setup:");
            for line in a.lines().skip(from).take(10) {
                let _ = writeln!(out, "    {line}");
            }
            let _ = writeln!(out, "after downgrade:");
            for line in b.lines().skip(from).take(10) {
                let _ = writeln!(out, "    {line}");
            }
            return out;
        }
    }
    format!("the schemas differ in length ({} and {} lines)", a.lines().count(), b.lines().count())
}

/// The change summaries `create` printed (`  + ...`, `  - ...`, `  ~ ...`), sorted.
pub fn created_summaries(stdout: &str) -> Vec<String> {
    let mut lines: Vec<String> = stdout
        .lines()
        .filter(|l| l.starts_with("  "))
        .map(str::trim)
        .filter(|l| l.starts_with("+ ") || l.starts_with("- ") || l.starts_with("~ "))
        .map(str::to_owned)
        .collect();
    lines.sort();
    lines
}

/// What one scenario did on one backend.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    /// Expected change summaries and not-managed objects.
    pub expected: usize,
    /// Those found.
    pub found: usize,
    /// Changes or not-managed listings that were not expected (drops excluded).
    pub false_positives: usize,
    /// Drops that were not expected.
    pub unexpected_drops: usize,
    /// 1 when the database did not agree with the entities after `upgrade`.
    pub fixpoint_failures: usize,
    /// 1 when `create`, `upgrade` or `downgrade` failed or the schema after `downgrade` is not
    /// the setup's.
    pub roundtrip_failures: usize,
    /// What went wrong, for people.
    pub notes: Vec<String>,
}

impl Outcome {
    pub fn perfect(&self) -> bool {
        self.found == self.expected
            && self.false_positives == 0
            && self.unexpected_drops == 0
            && self.fixpoint_failures == 0
            && self.roundtrip_failures == 0
    }
}

/// The per-backend totals.
#[derive(Debug, Default, Clone)]
pub struct Score {
    pub scenarios: usize,
    pub expected: usize,
    pub found: usize,
    pub false_positives: usize,
    pub unexpected_drops: usize,
    pub fixpoint_failures: usize,
    pub roundtrip_failures: usize,
    /// Scenarios known to fail (not counted above), with whether they failed.
    pub xfail: Vec<(String, String, bool)>,
}

impl Score {
    pub fn add(&mut self, outcome: &Outcome) {
        self.scenarios += 1;
        self.expected += outcome.expected;
        self.found += outcome.found;
        self.false_positives += outcome.false_positives;
        self.unexpected_drops += outcome.unexpected_drops;
        self.fixpoint_failures += outcome.fixpoint_failures;
        self.roundtrip_failures += outcome.roundtrip_failures;
    }

    pub fn perfect(&self) -> bool {
        self.found == self.expected
            && self.false_positives == 0
            && self.unexpected_drops == 0
            && self.fixpoint_failures == 0
            && self.roundtrip_failures == 0
    }

    /// The score line.
    pub fn line(&self, backend: Backend) -> String {
        format!(
            "corpus {:<10} scenarios {:>3}  expected found {}/{}  false positives {}  unexpected drops {}  fixpoint failures {}  round-trip failures {}  known failures {} ({} still failing)",
            key(backend),
            self.scenarios,
            self.found,
            self.expected,
            self.false_positives,
            self.unexpected_drops,
            self.fixpoint_failures,
            self.roundtrip_failures,
            self.xfail.len(),
            self.xfail.iter().filter(|x| x.2).count(),
        )
    }
}

/// Compares what `check` and `create` reported with what the scenario expects.
pub fn judge_verdict(
    outcome: &mut Outcome,
    expected: &[String],
    expected_unmanaged: &[String],
    created: &[String],
    unmanaged: &[String],
) {
    outcome.expected += expected.len() + expected_unmanaged.len();
    let mut remaining: Vec<&String> = expected.iter().collect();
    for line in created {
        if let Some(at) = remaining.iter().position(|e| *e == line) {
            remaining.remove(at);
            outcome.found += 1;
        } else if line.starts_with("- ") {
            outcome.unexpected_drops += 1;
            outcome.notes.push(format!("unexpected drop: {line}"));
        } else {
            outcome.false_positives += 1;
            outcome.notes.push(format!("unexpected change: {line}"));
        }
    }
    for line in remaining {
        outcome.notes.push(format!("expected change not found: {line}"));
    }
    let mut remaining: Vec<&String> = expected_unmanaged.iter().collect();
    for line in unmanaged {
        if let Some(at) = remaining.iter().position(|e| *e == line) {
            remaining.remove(at);
            outcome.found += 1;
        } else {
            outcome.false_positives += 1;
            outcome.notes.push(format!("unexpected not-managed object: {line}"));
        }
    }
    for line in remaining {
        outcome.notes.push(format!("expected not-managed object not listed: {line}"));
    }
}

/// The descriptions of the not-managed objects and the number of changes in `check --format
/// json`'s output.
pub fn check_json(stdout: &str) -> Result<(usize, Vec<String>), String> {
    let value: serde_json::Value =
        serde_json::from_str(stdout.trim()).map_err(|e| format!("check --format json printed no JSON ({e}): {stdout}"))?;
    let changes = value["changes"].as_array().map(Vec::len).unwrap_or(0);
    let mut unmanaged: Vec<String> = value["unmanaged"]
        .as_array()
        .map(|a| a.iter().filter_map(|u| u["description"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    unmanaged.sort();
    Ok((changes, unmanaged))
}

/// Everything one backend's run keeps between the two builds.
pub struct Pending<'a> {
    pub scenario: &'a Scenario,
    pub db: TestDb,
    pub setup: Schema,
    pub outcome: Outcome,
    /// Whether `create` wrote a migration.
    pub created: bool,
}

/// Phase one for `scenario` on `backend`: a database built by the setup script, its schema, the
/// verdict of `check` and `create`, and the migration `create` writes.
pub async fn verdict<'a>(project: &CorpusProject, backend: Backend, scenario: &'a Scenario) -> Option<Pending<'a>> {
    let db = TestDb::create(backend, "corpus").await?;
    let mut outcome = Outcome::default();
    let setup = match run_setup(&db, &scenario.setup(backend)).await {
        Err(e) => Err(format!("the setup script failed: {e}")),
        Ok(()) => snapshot(&db).await.map_err(|e| format!("inspecting the setup failed: {e}")),
    };
    let setup = match setup {
        Ok(schema) => schema,
        Err(e) => {
            outcome.roundtrip_failures += 1;
            outcome.notes.push(e);
            return Some(Pending { scenario, db, setup: Schema::default(), outcome, created: false });
        }
    };
    let expected = scenario.expect(backend);
    let expected_unmanaged = scenario.unmanaged(backend);
    let (code, out, err) = project.run(backend, scenario, &db, &["check", "--format", "json"]);
    let (changes, unmanaged) = match check_json(&out) {
        Ok(found) => found,
        Err(e) => {
            outcome.roundtrip_failures += 1;
            outcome.notes.push(format!("check failed with {code}: {e} {err}"));
            return Some(Pending { scenario, db, setup, outcome, created: false });
        }
    };
    let want = if changes == 0 { 0 } else { 1 };
    if code != want {
        outcome.roundtrip_failures += 1;
        outcome.notes.push(format!("check exited {code} with {changes} changes: {err}"));
    }
    let (code, out, err) = project.run(backend, scenario, &db, &["create", "corpus scenario", "--allow-destructive"]);
    let created = created_summaries(&out);
    judge_verdict(&mut outcome, &expected, &expected_unmanaged, &created, &unmanaged);
    if created.len() != changes {
        outcome.roundtrip_failures += 1;
        outcome.notes.push(format!("check counts {changes} changes and create printed {}", created.len()));
    }
    if code != 0 {
        outcome.roundtrip_failures += 1;
        outcome.notes.push(format!("create exited {code}:\n{out}{err}"));
    }
    let wrote = code == 0 && !created.is_empty();
    Some(Pending { scenario, db, setup, outcome, created: wrote })
}

/// Phase two, once the migrations are compiled in: `upgrade`, `check` clean, `downgrade`, and the
/// schema back to the setup's.
pub async fn round_trip(project: &CorpusProject, backend: Backend, pending: &mut Pending<'_>) {
    if !pending.created {
        return;
    }
    let (scenario, db, outcome) = (pending.scenario, &pending.db, &mut pending.outcome);
    let (code, out, err) = project.run(backend, scenario, db, &["upgrade"]);
    if code != 0 {
        outcome.roundtrip_failures += 1;
        outcome.notes.push(format!("upgrade exited {code}:\n{out}{err}"));
        return;
    }
    let (code, out, err) = project.run(backend, scenario, db, &["check", "--format", "json"]);
    match check_json(&out) {
        Ok((0, _)) if code == 0 => {}
        Ok(_) | Err(_) => {
            outcome.fixpoint_failures += 1;
            let (_, text, _) = project.run(backend, scenario, db, &["check"]);
            outcome.notes.push(format!("after upgrade, check exited {code}:\n{text}{err}"));
        }
    }
    let (code, out, err) = project.run(backend, scenario, db, &["downgrade"]);
    if code != 0 {
        outcome.roundtrip_failures += 1;
        outcome.notes.push(format!("downgrade exited {code}:\n{out}{err}"));
        return;
    }
    match snapshot(db).await {
        Ok(after) if after == pending.setup => {}
        Ok(after) => {
            outcome.roundtrip_failures += 1;
            outcome
                .notes
                .push(format!("after downgrade the schema is not the setup's:\n{}", schema_difference(&pending.setup, &after)));
        }
        Err(e) => {
            outcome.roundtrip_failures += 1;
            outcome.notes.push(format!("inspecting after downgrade failed: {e}"));
        }
    }
}

/// The backends to run: all four, or those named in `CORPUS_BACKENDS` (comma-separated keys).
pub fn backends() -> Vec<Backend> {
    let all = [Backend::Postgres, Backend::Postgres18, Backend::MySql, Backend::Sqlite];
    match std::env::var("CORPUS_BACKENDS") {
        Ok(list) if !list.trim().is_empty() => {
            let wanted: Vec<&str> = list.split(',').map(str::trim).collect();
            all.into_iter().filter(|b| wanted.contains(&key(*b))).collect()
        }
        _ => all.to_vec(),
    }
}

/// The per-backend report: the score line, then each scenario that is not perfect.
pub fn report(backend: Backend, score: &Score, failures: &BTreeMap<String, Outcome>) -> String {
    let mut out = score.line(backend);
    out.push('\n');
    for (name, outcome) in failures {
        let _ = writeln!(out, "  {} {name}:", key(backend));
        for note in &outcome.notes {
            for line in note.lines() {
                let _ = writeln!(out, "      {line}");
            }
        }
    }
    for (name, reason, failing) in &score.xfail {
        let status = if *failing { "fails as known" } else { "PASSES now: remove its xfail" };
        let _ = writeln!(out, "  {} {name}: known failure ({reason}): {status}", key(backend));
    }
    out
}
