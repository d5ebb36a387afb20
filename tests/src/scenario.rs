//! Scratch SeaORM projects for autogenerate round trips: an entity crate whose sources a test
//! swaps, a migration crate that `create` writes into, and a `migrate` binary built from both
//! with this workspace's CLI and engine. Every project builds into one shared target folder, so
//! dependencies compile once.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Backend;

/// The workspace this crate belongs to.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_owned()
}

/// A scratch project on disk.
pub struct Project {
    pub root: tempfile::TempDir,
    label: String,
}

/// The dependency lines of the generated projects (corpus and scenarios alike).
pub(crate) const SEA_ORM: &str = r#"sea-orm = { version = "2.0.4", default-features = false, features = ["macros", "with-json", "with-chrono", "with-rust_decimal", "with-uuid", "runtime-tokio-rustls", "sqlx-postgres", "sqlx-mysql", "sqlx-sqlite", "mock"] }"#;
pub(crate) const SEA_ORM_MIGRATION: &str = r#"sea-orm-migration = { version = "2.0.4", default-features = false, features = ["runtime-tokio-rustls", "sqlx-postgres", "sqlx-mysql", "sqlx-sqlite"] }"#;

/// A migration crate root before `create` registers anything in it.
pub(crate) const MIGRATION_LIB: &str = r#"//! The project's migrations.
pub use sea_orm_migration::prelude::*;

/// The scenario's migrations, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![]
    }
}

/// Where `create` writes.
pub const MIGRATION_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
"#;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("create folder");
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

impl Project {
    /// A new project for the test `name` on `backend`, with no entities and no migrations.
    /// Tests run in parallel and share the target folder, so every project's crates and binary
    /// carry both in their names.
    pub fn new(backend: Backend, name: &str) -> Project {
        let label = format!("{backend:?}_{name}").to_lowercase();
        let root = tempfile::tempdir().expect("temporary directory");
        let main = workspace_root();
        let dir = root.path();
        write(
            &dir.join("Cargo.toml"),
            "[workspace]\nresolver = \"3\"\nmembers = [\"entity\", \"migration\", \"app\"]\n\n[profile.dev]\ndebug = \"line-tables-only\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n",
        );
        std::fs::copy(main.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");
        write(
            &dir.join("entity/Cargo.toml"),
            &format!("[package]\nname = \"scenario-entity-{label}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\n{SEA_ORM}\n"),
        );
        write(&dir.join("entity/src/lib.rs"), "//! No entities yet.\n");
        write(
            &dir.join("migration/Cargo.toml"),
            &format!(
                "[package]\nname = \"scenario-migration-{label}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\n{SEA_ORM_MIGRATION}\nsea-orm-autogen-runtime = {{ path = {runtime:?} }}\n",
                runtime = main.join("autogen/runtime"),
            ),
        );
        write(&dir.join("migration/src/lib.rs"), MIGRATION_LIB);
        write(
            &dir.join("app/Cargo.toml"),
            &format!(
                "[package]\nname = \"scenario-app-{label}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[[bin]]\nname = \"migrate-{label}\"\npath = \"src/main.rs\"\n\n[dependencies]\nmigrate-cli = {{ path = {cli:?} }}\nsea-orm-autogen = {{ path = {autogen:?} }}\nscenario-entity-{label} = {{ path = \"../entity\" }}\nscenario-migration-{label} = {{ path = \"../migration\" }}\n\n[build-dependencies]\nsea-orm-autogen-discover = {{ path = {discover:?} }}\n",
                cli = main.join("cli"),
                autogen = main.join("autogen"),
                discover = main.join("autogen/discover"),
            ),
        );
        // Crate names carry the label: cargo shares the artifacts of same-named path crates
        // between projects laid out alike, which would bake in another project's folder.
        write(
            &dir.join("app/build.rs"),
            &format!("fn main() {{\n    let manifest = std::path::PathBuf::from(std::env::var(\"CARGO_MANIFEST_DIR\").unwrap());\n    let out = std::path::PathBuf::from(std::env::var(\"OUT_DIR\").unwrap());\n    sea_orm_autogen_discover::write_registry(\"scenario_entity_{label}\", &manifest.join(\"../entity/src\"), &out.join(\"entities.rs\")).unwrap();\n    sea_orm_autogen_discover::write_checksums(&manifest.join(\"../migration/src\"), &out.join(\"checksums.rs\")).unwrap();\n}}\n"),
        );
        write(
            &dir.join("app/src/main.rs"),
            &format!("mod entities {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/entities.rs\"));\n}}\n\nmod checksums {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/checksums.rs\"));\n}}\n\nfn main() -> std::process::ExitCode {{\n    migrate_cli::main::<scenario_migration_{label}::Migrator>(migrate_cli::Project {{\n        migration_dir: scenario_migration_{label}::MIGRATION_DIR,\n        register_entities: entities::register_entities,\n        checksums: checksums::MIGRATION_CHECKSUMS,\n    }})\n}}\n"),
        );
        Project { root, label }
    }

    /// Replaces the entity crate's sources with the `*.rs` files of `tests/scenario/common` and
    /// `tests/scenario/<version>`.
    pub fn set_entities(&self, version: &str) {
        let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenario");
        let mut modules = Vec::new();
        for folder in ["common", version] {
            for entry in std::fs::read_dir(scenarios.join(folder)).expect("scenario folder") {
                let path = entry.expect("entry").path();
                let name = path.file_stem().expect("file name").to_string_lossy().into_owned();
                modules.push((name, std::fs::read_to_string(&path).expect("read entity")));
            }
        }
        self.set_entity_sources(&format!("Scenario entities ({version})."), &modules);
    }

    /// Replaces the entity crate's sources with `modules`, each a module name and its source.
    pub fn set_entity_sources(&self, doc: &str, modules: &[(String, String)]) {
        let src = self.root.path().join("entity/src");
        if src.exists() {
            std::fs::remove_dir_all(&src).expect("clear entity sources");
        }
        let mut names: Vec<&str> = Vec::new();
        for (name, source) in modules {
            write(&src.join(format!("{name}.rs")), source);
            names.push(name);
        }
        names.sort();
        let lib: String = names.iter().map(|m| format!("pub mod {m};\n")).collect();
        write(&src.join("lib.rs"), &format!("//! {doc}\n{lib}"));
    }

    /// Builds the project's `migrate` binary; panics with cargo's output when it does not compile.
    pub fn build(&self) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let output = Command::new(cargo)
            .current_dir(self.root.path())
            .args(["build", "--offline", "--quiet", "--bin", &format!("migrate-{}", self.label)])
            .env("CARGO_TARGET_DIR", target_dir())
            .env_remove("RUSTFLAGS")
            .output()
            .expect("run cargo build");
        assert!(
            output.status.success(),
            "the scenario project does not compile:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Runs the project's binary on `db` with `args`, in the test's folder and with no
    /// `DATABASE_URL` from the environment; returns (exit code, stdout, stderr).
    pub fn run(&self, db: &crate::TestDb, args: &[&str]) -> (i32, String, String) {
        let output = assert_cmd::Command::new(self.binary())
            .current_dir(db.dir.path())
            .env_remove("DATABASE_URL")
            .args(["--database-url", &db.url])
            .args(args)
            .output()
            .expect("run the scenario binary");
        (output.status.code().unwrap_or(-1), crate::stdout(&output), crate::stderr(&output))
    }

    /// [`Project::run`], which must succeed; returns its stdout.
    pub fn ok(&self, db: &crate::TestDb, args: &[&str]) -> String {
        let (code, out, err) = self.run(db, args);
        assert_eq!(code, 0, "{args:?} failed\nstdout:\n{out}\nstderr:\n{err}");
        out
    }

    /// The built binary.
    pub fn binary(&self) -> PathBuf {
        target_dir().join("debug").join(format!("migrate-{}", self.label))
    }

    /// The folder of the project's migration modules and their `lib.rs`.
    pub fn migration_dir(&self) -> PathBuf {
        self.root.path().join("migration/src")
    }

    /// Adds a hand-written migration module, registered last in the migration crate's `lib.rs`.
    pub fn add_migration(&self, name: &str, source: &str) {
        let dir = self.migration_dir();
        write(&dir.join(format!("{name}.rs")), source);
        let lib = dir.join("lib.rs");
        let text = std::fs::read_to_string(&lib).expect("read lib.rs");
        write(&lib, &autogen::pipeline::write::register(&text, name, &lib).expect("register the migration"));
    }

    /// The migration modules written so far, sorted.
    pub fn migrations(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.root.path().join("migration/src"))
            .expect("migration folder")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with('m') && n.ends_with(".rs"))
            .collect();
        names.sort();
        names
    }

    /// The text of a migration module.
    pub fn migration_source(&self, file: &str) -> String {
        std::fs::read_to_string(self.root.path().join("migration/src").join(file)).expect("read migration")
    }
}

/// The target folder shared by every scratch project.
pub fn target_dir() -> PathBuf {
    workspace_root().join("target").join("scenarios")
}
