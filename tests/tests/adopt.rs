//! Adoption: each project of `tests/fixtures/adopt/`, laid out as real SeaORM projects are, is
//! copied to a temporary folder and set up by `sea-orm-autogen init` with no edit of its own
//! crates; then on each backend it supports: `upgrade`, `check` clean, an entity edit, `create`,
//! the project compiled again, `upgrade`, `check` clean, `downgrade`.
//!
//! The fixtures build into one target folder, `target/adopt-fixtures` (their crates are small;
//! SeaORM and the engine are built once for all). Fixtures are built one at a time: crates of the
//! same name in two fixtures share their artifacts there.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use e2e_tests::{Backend, TestDb, stderr, stdout};

/// The repository root.
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the tests crate is in the workspace").to_owned()
}

/// Where the fixtures build: `adopt-fixtures` in the tests' own target folder.
fn target_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| repo().join("target"));
    let target = if target.is_absolute() { target } else { repo().join(target) };
    target.join("adopt-fixtures")
}

/// One build at a time in the shared target folder (see the module doc).
static BUILD: Mutex<()> = Mutex::new(());

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.env("CARGO_TARGET_DIR", target_dir()).env_remove("RUSTFLAGS");
    cmd
}

/// The `sea-orm-autogen` binary, built from this repository.
fn init_binary() -> PathBuf {
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let output = cargo()
        .current_dir(repo())
        .args(["build", "--offline", "--quiet", "-p", "migrate-cli", "--bin", "sea-orm-autogen"])
        .output()
        .expect("run cargo build");
    assert!(output.status.success(), "sea-orm-autogen does not compile:\n{}", stderr(&output));
    target_dir().join("debug").join("sea-orm-autogen")
}

/// A fixture copied to a temporary folder, with the repository's lockfile (the same versions
/// as the engine: nothing to fetch).
struct Fixture {
    root: tempfile::TempDir,
    /// The package and binary `cargo migrate` runs.
    package: String,
    bin: String,
    /// The project's `migrate` binary, copied out of the shared target folder.
    binary: PathBuf,
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy fixture file");
        }
    }
}

impl Fixture {
    /// Copies the fixture `name` and runs `sea-orm-autogen init` in it, twice: the second run
    /// must have nothing to do. Returns the fixture and what the first run printed.
    fn adopt(name: &str, package: &str, bin: &str) -> (Fixture, String) {
        let root = tempfile::tempdir().expect("temporary directory");
        copy_tree(&repo().join("tests/fixtures/adopt").join(name), root.path());
        std::fs::copy(repo().join("Cargo.lock"), root.path().join("Cargo.lock")).expect("copy Cargo.lock");
        let init = init_binary();
        let run_init = || {
            let output = Command::new(&init)
                .current_dir(root.path())
                .args(["init", "--autogen-path"])
                .arg(repo())
                .output()
                .expect("run sea-orm-autogen init");
            assert!(output.status.success(), "init failed:\n{}{}", stdout(&output), stderr(&output));
            stdout(&output)
        };
        let first = run_init();
        let second = run_init();
        assert!(second.starts_with("Nothing to do"), "init is not idempotent:\n{second}");
        let fixture = Fixture { binary: root.path().join("migrate-bin"), root, package: package.to_owned(), bin: bin.to_owned() };
        fixture.build();
        (fixture, first)
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root.path().join(relative)
    }

    /// Builds the project's binary and copies it out of the shared target folder.
    fn build(&self) {
        let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
        let output = cargo()
            .current_dir(self.root.path())
            .args(["build", "--offline", "--quiet", "-p", &self.package, "--bin", &self.bin])
            .output()
            .expect("run cargo build");
        assert!(output.status.success(), "the adopted project does not compile:\n{}", stderr(&output));
        std::fs::copy(target_dir().join("debug").join(&self.bin), &self.binary).expect("copy the binary");
    }

    /// Runs the project's binary in the project's root (where autogen.toml is found) on `db`.
    fn run(&self, db: &TestDb, args: &[&str]) -> (i32, String, String) {
        let output = Command::new(&self.binary)
            .current_dir(self.root.path())
            .env_remove("DATABASE_URL")
            .env_remove("MIGRATION_DIR")
            .args(["--database-url", &db.url])
            .args(args)
            .output()
            .expect("run the project's migrate");
        (output.status.code().unwrap_or(-1), stdout(&output), stderr(&output))
    }

    fn ok(&self, db: &TestDb, args: &[&str]) -> String {
        let (code, out, err) = self.run(db, args);
        assert_eq!(code, 0, "{args:?} failed\nstdout:\n{out}\nstderr:\n{err}");
        out
    }

    fn check_clean(&self, db: &TestDb) {
        let out = self.ok(db, &["check"]);
        assert!(out.contains("No changes"), "{out}");
    }

    /// Replaces `from` with `to` in a file of the fixture.
    fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.path(file);
        let text = std::fs::read_to_string(&path).expect("read fixture file");
        assert!(text.contains(from), "{file} does not contain {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write fixture file");
    }
}

/// The databases of `backends` that are reachable (an unreachable one is skipped, or fails
/// under CI).
async fn databases(backends: &[Backend], label: &str) -> Vec<TestDb> {
    let mut dbs = Vec::new();
    for backend in backends {
        if let Some(db) = TestDb::create(*backend, label).await {
            dbs.push(db);
        }
    }
    dbs
}

/// The round trip after `init`: `upgrade` and `check` clean on every database, `edit`, `create`
/// against the first, compiled again, then on every database `upgrade`, `check` clean and
/// `downgrade`. Returns the path of the new migration.
fn round_trip(fixture: &Fixture, dbs: &[TestDb], edit: impl FnOnce(&Fixture)) -> PathBuf {
    for db in dbs {
        fixture.ok(db, &["upgrade"]);
        fixture.check_clean(db);
    }
    edit(fixture);
    fixture.build();
    let (code, out, err) = fixture.run(&dbs[0], &["check"]);
    assert_eq!(code, 1, "the edit is a difference\n{out}{err}");
    let out = fixture.ok(&dbs[0], &["create", "edit entities"]);
    let written = out
        .lines()
        .find_map(|line| line.strip_prefix("Wrote ").and_then(|rest| rest.split(" and registered").next()))
        .unwrap_or_else(|| panic!("create wrote nothing:\n{out}"));
    let written = fixture.path(written);
    assert!(written.is_file(), "{}", written.display());
    fixture.build();
    for db in dbs {
        fixture.ok(db, &["upgrade"]);
        fixture.check_clean(db);
        let out = fixture.ok(db, &["downgrade"]);
        assert!(out.contains("Reverting"), "{out}");
        let (code, out, _) = fixture.run(db, &["check"]);
        assert_eq!(code, 1, "after downgrade the edit is pending again:\n{out}");
    }
    written
}

/// `sea-orm-cli migrate init` + `generate entity`: crates `migration` and `entity` at 0.1.0
/// (the names this repository's example uses too), compact entities, sea-orm-cli's `main.rs`.
#[tokio::test]
async fn a_sea_orm_cli_workspace() {
    let dbs = databases(&[Backend::Postgres], "adopt_cli").await;
    if dbs.is_empty() {
        return;
    }
    let (fixture, printed) = Fixture::adopt("cli-workspace", "migration", "migration");
    for file in ["autogen.toml", "migration/src/main.rs", "migration/build.rs", "migration/Cargo.toml", ".cargo/config.toml"] {
        assert!(printed.contains(file), "init does not report {file}:\n{printed}");
    }
    let config = std::fs::read_to_string(fixture.path("autogen.toml")).unwrap();
    assert!(config.contains("entities = [\"entity\"]") && config.contains("migrations = \"migration/src\""), "{config}");
    let alias = std::fs::read_to_string(fixture.path(".cargo/config.toml")).unwrap();
    assert!(alias.contains("migrate = \"run --quiet --package migration --bin migration --\""), "{alias}");
    for unchanged in ["entity/src/user.rs", "entity/Cargo.toml", "migration/src/lib.rs", "Cargo.toml"] {
        let original = std::fs::read_to_string(repo().join("tests/fixtures/adopt/cli-workspace").join(unchanged)).unwrap();
        assert_eq!(std::fs::read_to_string(fixture.path(unchanged)).unwrap(), original, "init changed {unchanged}");
    }
    round_trip(&fixture, &dbs, |f| {
        f.edit("entity/src/post.rs", "    pub title: String,\n", "    pub title: String,\n    pub body: Option<String>,\n");
    });
}

/// A Loco-style application: entities in `src/models/_entities` (dense format) next to model
/// code, migrations in the `src/migrations` module, PostgreSQL and SQLite both supported: the
/// one migration `create` writes runs on each (SQLite rebuilding the table it alters).
#[tokio::test]
async fn a_loco_style_application_on_postgres_and_sqlite() {
    let dbs = databases(&[Backend::Postgres, Backend::Sqlite], "adopt_loco").await;
    if dbs.len() < 2 {
        return;
    }
    let (fixture, printed) = Fixture::adopt("loco", "loco-app", "migrate");
    assert!(printed.contains("src/bin/migrate.rs"), "{printed}");
    let config = std::fs::read_to_string(fixture.path("autogen.toml")).unwrap();
    assert!(config.contains("entities = [\"src/models/_entities\"]"), "{config}");
    assert!(config.contains("migrations = \"src/migrations\""), "{config}");
    assert!(config.contains("backends = [\"postgres\", \"sqlite\"]"), "{config}");
    let written = round_trip(&fixture, &dbs, |f| {
        // A changed column (SQLite cannot alter one: the table is rebuilt there) and a new one.
        f.edit("src/models/_entities/notes.rs", "pub title: String,", "pub title: Option<String>,");
        f.edit("src/models/_entities/users.rs", "    pub name: String,\n", "    pub name: String,\n    pub bio: Option<String>,\n");
    });
    assert!(written.starts_with(fixture.path("src/migrations")), "{}", written.display());
    let module = std::fs::read_to_string(&written).unwrap();
    assert!(module.contains("runs on PostgreSQL and SQLite"), "{module}");
    let registry = std::fs::read_to_string(fixture.path("src/migrations/mod.rs")).unwrap();
    let name = written.file_stem().unwrap().to_string_lossy().into_owned();
    assert!(registry.contains(&format!("mod {name};")), "{registry}");
    // The other commands that read the sub-folder.
    let out = fixture.ok(&dbs[0], &["show", "head"]);
    assert!(out.contains(&name), "{out}");
    let out = fixture.ok(&dbs[0], &["hash"]);
    assert!(out.contains("migrations.sum"), "{out}");
    fixture.ok(&dbs[0], &["history", "--verbose"]);
}

/// Entities split over two crates, one dense and one compact referring to the other.
#[tokio::test]
async fn entities_split_over_two_crates() {
    let dbs = databases(&[Backend::Postgres], "adopt_split").await;
    if dbs.is_empty() {
        return;
    }
    let (fixture, _) = Fixture::adopt("split", "migration", "migration");
    let config = std::fs::read_to_string(fixture.path("autogen.toml")).unwrap();
    assert!(config.contains("entities = [\"accounts\", \"billing\"]"), "{config}");
    round_trip(&fixture, &dbs, |f| {
        f.edit("accounts/src/account.rs", "    pub email: String,\n", "    #[sea_orm(unique)]\n    pub email: String,\n");
        f.edit("billing/src/invoice.rs", "    pub amount_cents: i64,\n", "    pub amount_cents: i64,\n    pub note: Option<String>,\n");
    });
}
