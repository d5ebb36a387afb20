//! `sea-orm-autogen init`: sets up a SeaORM workspace, in the layout it already has, to run the
//! `migrate` command: `autogen.toml` (where the entities and the migrations are, found in the
//! sources), the migration crate's binary (or its sea-orm-cli `main.rs` converted), its
//! `build.rs`, its dependencies on this repository's crates, and the `cargo migrate` alias.
//! Prints every file it writes, touches nothing else, and a second run has nothing to do.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use sea_orm_autogen_discover::config::{self, Config, FILE_NAME};
use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

use crate::output::{NAME, outln};

/// What `init` was asked.
#[derive(Debug, Clone, Default)]
pub struct InitRequest {
    /// A folder of the workspace to set up (its root is found above it).
    pub dir: PathBuf,
    /// This repository (holding `autogen/`, `autogen/runtime`, `autogen/discover`, `cli/`).
    pub autogen_path: PathBuf,
    /// Entity folders, relative to the workspace root; empty: found in the sources.
    pub entities: Vec<String>,
    /// The migration folder, relative to the workspace root; `None`: found in the sources.
    pub migrations: Option<String>,
    /// The backends to write for; empty: those the migration crate's sea-orm-migration enables.
    pub backends: Vec<String>,
}

/// A file to write: its path, its new text, and whether it exists already.
struct Edit {
    path: PathBuf,
    text: String,
    existed: bool,
}

/// Sets the workspace up; prints each file written, or that there was nothing to do.
pub fn init(request: &InitRequest) -> Result<()> {
    let repo = request.autogen_path.canonicalize().with_context(|| format!("--autogen-path {}", request.autogen_path.display()))?;
    for crate_dir in ["autogen", "autogen/runtime", "autogen/discover", "cli"] {
        if !repo.join(crate_dir).join("Cargo.toml").is_file() {
            bail!("{} is not the sea-orm-autogen repository (no {crate_dir}/Cargo.toml); pass --autogen-path", repo.display());
        }
    }
    let start = request.dir.canonicalize().with_context(|| format!("cannot read {}", request.dir.display()))?;
    let root = workspace_root(&start)?;
    let mut edits = Vec::new();

    let config_path = root.join(FILE_NAME);
    let config = if config_path.is_file() {
        config::load(&config_path).map_err(|e| anyhow::anyhow!(e))?
    } else {
        let text = config_text(&root, request)?;
        let config = config::parse(&text, &config_path, &root).map_err(|e| anyhow::anyhow!(e))?;
        edits.push(Edit { path: config_path.clone(), text, existed: false });
        config
    };

    let migration_crate = crate_dir_of(&config.migrations)
        .ok_or_else(|| anyhow::anyhow!("the migration folder {} is not inside a crate", config.migrations.display()))?;
    let manifest_path = migration_crate.join("Cargo.toml");
    let (package, crate_name, lib_path) = config::package(&manifest_path)
        .ok_or_else(|| anyhow::anyhow!("{} has no [package]", manifest_path.display()))?;
    let src_dir = migration_crate.join(&lib_path).parent().map(Path::to_owned).unwrap_or_else(|| migration_crate.clone());
    let module: Vec<String> = config
        .migrations
        .strip_prefix(&src_dir)
        .map(|inside| inside.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    let migrator = std::iter::once(crate_name.clone()).chain(module.iter().cloned()).chain(["Migrator".to_owned()]).collect::<Vec<_>>().join("::");
    // A migration crate gets `src/main.rs`, as sea-orm-cli lays it out; migrations in a module
    // of an application crate get `src/bin/migrate.rs`.
    let (binary, bin_name) = if module.is_empty() {
        (src_dir.join("main.rs"), package.clone())
    } else {
        (src_dir.join("bin").join("migrate.rs"), "migrate".to_owned())
    };
    let fallback = relative_to(&config.migrations, &migration_crate);
    edits.extend(binary_edit(&binary, &migrator, &fallback)?);
    edits.extend(build_script_edit(&migration_crate.join("build.rs"))?);
    edits.extend(manifest_edit(&manifest_path, &package, &config, &repo)?);
    edits.extend(alias_edit(&root.join(".cargo").join("config.toml"), &package, &bin_name)?);

    if edits.is_empty() {
        outln!("Nothing to do: {} is set up (`cargo migrate` runs {migrator}).", root.display());
        return Ok(());
    }
    for edit in &edits {
        if let Some(parent) = edit.path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&edit.path, &edit.text).with_context(|| format!("cannot write {}", edit.path.display()))?;
        let verb = if edit.existed { "Changed" } else { "Wrote" };
        outln!("{verb} {NAME}{}{NAME:#}", relative_to(&edit.path, &root));
    }
    outln!("Run `cargo migrate check` to compare the entities with a database ($DATABASE_URL).");
    Ok(())
}

/// The workspace root: the nearest folder at or above `start` whose Cargo.toml has
/// `[workspace]`, else the nearest with a Cargo.toml.
fn workspace_root(start: &Path) -> Result<PathBuf> {
    let manifests: Vec<&Path> = start.ancestors().filter(|dir| dir.join("Cargo.toml").is_file()).collect();
    for dir in &manifests {
        let text = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
        if text.parse::<DocumentMut>().is_ok_and(|doc| doc.contains_key("workspace")) {
            return Ok(dir.to_path_buf());
        }
    }
    manifests
        .first()
        .map(|dir| dir.to_path_buf())
        .ok_or_else(|| anyhow::anyhow!("{} is not in a Cargo project (no Cargo.toml here or above)", start.display()))
}

/// The folder of the crate holding `path`.
fn crate_dir_of(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .find(|dir| dir.join("Cargo.toml").is_file() && config::package(&dir.join("Cargo.toml")).is_some())
        .map(Path::to_owned)
}

/// `path` relative to `base`, with `/`, when it lies below it.
fn relative_to(path: &Path, base: &Path) -> String {
    let inside = path.strip_prefix(base).unwrap_or(path);
    let parts: Vec<String> = inside.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    if parts.is_empty() { ".".to_owned() } else { parts.join("/") }
}

/// Every `.rs` file of the workspace, outside `target` and hidden folders, sorted.
fn rust_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![root.to_owned()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !name.starts_with('.') && name != "target" {
                    folders.push(path);
                }
            } else if name.ends_with(".rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The text of a new autogen.toml: the given folders, else those found in the sources.
fn config_text(root: &Path, request: &InitRequest) -> Result<String> {
    let files = rust_files(root);
    let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
    let migrations = match &request.migrations {
        Some(dir) => dir.clone(),
        None => {
            let found: Vec<&PathBuf> = files
                .iter()
                .filter(|p| p.file_name().is_some_and(|n| n == "lib.rs" || n == "mod.rs"))
                .filter(|p| read(p).contains("MigratorTrait for"))
                .collect();
            match found.as_slice() {
                [one] => relative_to(one.parent().unwrap_or(root), root),
                [] => bail!("found no `impl MigratorTrait for` in a lib.rs or mod.rs of {}; pass --migrations DIR", root.display()),
                many => bail!(
                    "found several migration folders ({}); pass --migrations DIR",
                    many.iter().map(|p| relative_to(p.parent().unwrap_or(root), root)).collect::<Vec<_>>().join(", ")
                ),
            }
        }
    };
    let entities = if request.entities.is_empty() { entity_folders(root, &files)? } else { request.entities.clone() };
    let backends = if request.backends.is_empty() { enabled_backends(&root.join(&migrations)) } else { request.backends.clone() };
    let list = |items: &[String]| {
        let quoted: Vec<String> = items.iter().map(|i| toml_edit::Value::from(i.as_str()).to_string().trim().to_owned()).collect();
        format!("[{}]", quoted.join(", "))
    };
    let mut text = String::from("# sea-orm-autogen's configuration (written by `sea-orm-autogen init`; README: \"Adopting\").\n");
    text.push_str("# Where the entities are: crate folders, their `src` folders, or module folders inside a crate.\n");
    text.push_str(&format!("entities = {}\n", list(&entities)));
    text.push_str("# The folder of the migration modules and of the lib.rs (or mod.rs) that registers them.\n");
    text.push_str(&format!("migrations = {}\n", toml_edit::Value::from(migrations.as_str()).to_string().trim()));
    text.push_str("# Tables neither compared nor touched (views, tables another system owns).\n");
    text.push_str("exclude_tables = []\n");
    text.push_str("# Object kinds whose undeclared objects are dropped: advanced_indexes, checks, generated_columns,\n# triggers, views. Those not listed are left alone.\n");
    text.push_str("manage = []\n");
    if !backends.is_empty() {
        text.push_str("# The backends every generated migration must run on.\n");
        text.push_str(&format!("backends = {}\n", list(&backends)));
    }
    Ok(text)
}

/// The folders that hold entity files: each entity file's folder, the whole crate when that is
/// its `src` (or a folder below a folder already listed).
fn entity_folders(root: &Path, files: &[PathBuf]) -> Result<Vec<String>> {
    let mut folders: Vec<PathBuf> = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let Ok(parsed) = syn::parse_file(&text) else { continue };
        let declares = parsed.items.iter().any(|item| match item {
            syn::Item::Struct(s) => s.attrs.iter().any(|a| {
                a.path().is_ident("derive") && {
                    let tokens = quote::ToTokens::to_token_stream(&a.meta).to_string();
                    tokens.contains("DeriveEntityModel") || (s.ident == "Entity" && tokens.contains("DeriveEntity"))
                }
            }),
            _ => false,
        });
        if !declares {
            continue;
        }
        let Some(crate_dir) = crate_dir_of(file) else { continue };
        let Some((_, _, lib_path)) = config::package(&crate_dir.join("Cargo.toml")) else { continue };
        let src = crate_dir.join(lib_path).parent().map(Path::to_owned).unwrap_or_else(|| crate_dir.clone());
        if !file.starts_with(&src) {
            continue;
        }
        let folder = file.parent().unwrap_or(&src);
        let folder = if folder == src { crate_dir.clone() } else { folder.to_owned() };
        if !folders.contains(&folder) {
            folders.push(folder);
        }
    }
    // A folder inside another listed one (or inside a listed crate's sources) is covered by it.
    let crate_src = |f: &Path| -> PathBuf {
        config::package(&f.join("Cargo.toml"))
            .and_then(|(_, _, lib)| f.join(lib).parent().map(Path::to_owned))
            .unwrap_or_else(|| f.to_owned())
    };
    let covered: Vec<PathBuf> = folders.iter().map(|f| crate_src(f)).collect();
    let kept: Vec<String> = folders
        .iter()
        .filter(|f| !covered.iter().any(|c| *f != c && f.starts_with(c) && !f.join("Cargo.toml").is_file()))
        .map(|f| relative_to(f, root))
        .collect();
    if kept.is_empty() {
        bail!("found no SeaORM entity (a struct deriving DeriveEntityModel) in {}; pass --entities DIR", root.display());
    }
    Ok(kept)
}

/// The backends the migration crate's sea-orm-migration (or sea-orm) dependency enables, when
/// more than one: a project that supports several wants every migration to run on each.
fn enabled_backends(migrations: &Path) -> Vec<String> {
    let Some(crate_dir) = crate_dir_of(migrations) else { return Vec::new() };
    let text = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap_or_default();
    let Ok(doc) = text.parse::<DocumentMut>() else { return Vec::new() };
    let mut features = Vec::new();
    for name in ["sea-orm-migration", "sea-orm"] {
        if let Some(list) = doc.get("dependencies").and_then(|d| d.get(name)).and_then(|d| d.get("features")).and_then(Item::as_array) {
            features.extend(list.iter().filter_map(|v| v.as_str().map(str::to_owned)));
        }
    }
    let backends: Vec<String> = [("sqlx-postgres", "postgres"), ("sqlx-mysql", "mysql"), ("sqlx-sqlite", "sqlite")]
        .into_iter()
        .filter(|(feature, _)| features.iter().any(|f| f == feature))
        .map(|(_, name)| name.to_owned())
        .collect();
    if backends.len() > 1 { backends } else { Vec::new() }
}

/// The marker of a binary `init` wrote or converted.
const BINARY_MARKER: &str = "migrate_cli::main::<";

/// The binary: written when missing, converted when it is sea-orm-cli's (`cli::run_cli`), left
/// alone when it runs `migrate_cli` already; any other binary is an error (it is the project's).
fn binary_edit(path: &Path, migrator: &str, fallback: &str) -> Result<Option<Edit>> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => bail!("cannot read {}: {e}", path.display()),
    };
    if let Some(text) = &existing {
        if text.contains(BINARY_MARKER) {
            return Ok(None);
        }
        if !text.contains("run_cli") {
            bail!(
                "{} is a binary of the project's own (it does not run sea-orm-cli's `run_cli`); move it, or pass --migrations to point at another crate",
                path.display()
            );
        }
    }
    let fallback_literal = format!("{fallback:?}");
    let text = format!(
        "//! The `migrate` command (sea-orm-autogen) bound to `{migrator}`, to the entities and the\n\
         //! migration checksums `build.rs` found (see autogen.toml). Written by `sea-orm-autogen init`.\n\
         \n\
         mod entities {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/entities.rs\"));\n}}\n\
         \n\
         mod checksums {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/checksums.rs\"));\n}}\n\
         \n\
         fn main() -> std::process::ExitCode {{\n    \
             migrate_cli::main::<{migrator}>(migrate_cli::Project {{\n        \
                 // Only when no autogen.toml is found at run time (a binary shipped alone).\n        \
                 migration_dir: concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/\", {fallback_literal}),\n        \
                 register_entities: entities::register_entities,\n        \
                 checksums: checksums::MIGRATION_CHECKSUMS,\n    \
             }})\n\
         }}\n"
    );
    Ok(Some(Edit { path: path.to_owned(), text, existed: existing.is_some() }))
}

/// The build script: written when missing; one that calls the discovery already is kept; any
/// other is an error (merging two build scripts is the project's call).
fn build_script_edit(path: &Path) -> Result<Option<Edit>> {
    match std::fs::read_to_string(path) {
        Ok(text) if text.contains("sea_orm_autogen_discover") => Ok(None),
        Ok(_) => bail!(
            "{} exists: add `sea_orm_autogen_discover::write_from_config(&manifest_dir, &out_dir)` to it (README: \"Adopting\"), then run init again",
            path.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Some(Edit {
            path: path.to_owned(),
            text: BUILD_SCRIPT.to_owned(),
            existed: false,
        })),
        Err(e) => bail!("cannot read {}: {e}", path.display()),
    }
}

const BUILD_SCRIPT: &str = r#"//! Finds the entities and the migration modules autogen.toml names: writes `register_entities`
//! and the checksum of every migration for the `migrate` binary. Written by `sea-orm-autogen init`.

fn main() {
    let manifest_dir = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    if let Err(error) = sea_orm_autogen_discover::write_from_config(&manifest_dir, &out_dir) {
        panic!("sea-orm-autogen: {error}");
    }
}
"#;

/// The migration crate's manifest with what the binary, the build script and the generated
/// migrations need: this repository's crates and every entity crate, each added only if missing.
fn manifest_edit(path: &Path, package: &str, config: &Config, repo: &Path) -> Result<Option<Edit>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        anyhow::anyhow!("cannot parse {}: {}", path.display(), e.to_string().split_whitespace().collect::<Vec<_>>().join(" "))
    })?;
    let mut wanted: Vec<(&str, String, PathBuf)> = vec![
        ("dependencies", "sea-orm-autogen-runtime".to_owned(), repo.join("autogen/runtime")),
        ("dependencies", "sea-orm-autogen".to_owned(), repo.join("autogen")),
        ("dependencies", "migrate-cli".to_owned(), repo.join("cli")),
        ("build-dependencies", "sea-orm-autogen-discover".to_owned(), repo.join("autogen/discover")),
    ];
    let crate_dir = path.parent().unwrap_or(Path::new("."));
    for source in &config.entities {
        let Some(entity_crate) = crate_dir_of(&source.src_dir) else { continue };
        let Some((entity_package, _, _)) = config::package(&entity_crate.join("Cargo.toml")) else { continue };
        if entity_package != package && !wanted.iter().any(|(_, name, _)| *name == entity_package) {
            wanted.push(("dependencies", entity_package, entity_crate));
        }
    }
    let mut changed = false;
    for (section, name, target) in wanted {
        let table = doc.entry(section).or_insert_with(|| Item::Table(Table::new()));
        let Some(table) = table.as_table_like_mut() else { bail!("{}: [{section}] is not a table", path.display()) };
        let present = table.contains_key(&name)
            || table.iter().any(|(_, dep)| dep.get("package").and_then(Item::as_str) == Some(name.as_str()));
        if present {
            continue;
        }
        let location = pathdiff(&target, crate_dir);
        let mut dep = InlineTable::new();
        dep.insert("path", Value::from(location));
        table.insert(&name, Item::Value(Value::InlineTable(dep)));
        changed = true;
    }
    Ok(changed.then(|| Edit { path: path.to_owned(), text: doc.to_string(), existed: true }))
}

/// `target` relative to `base` when they share the workspace, else absolute.
fn pathdiff(target: &Path, base: &Path) -> String {
    let (target_parts, base_parts): (Vec<_>, Vec<_>) = (target.components().collect(), base.components().collect());
    let common = target_parts.iter().zip(&base_parts).take_while(|(a, b)| a == b).count();
    // Only a path within the same top folders stays relative: a copy of the workspace elsewhere
    // should still find this repository.
    if common < 2 || base_parts.len() - common > 2 {
        return target.display().to_string();
    }
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_owned(), base_parts.len() - common).collect();
    parts.extend(target_parts[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    if parts.is_empty() { ".".to_owned() } else { parts.join("/") }
}

/// `.cargo/config.toml` with the `migrate` alias, unless it has one.
fn alias_edit(path: &Path, package: &str, bin: &str) -> Result<Option<Edit>> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => bail!("cannot read {}: {e}", path.display()),
    };
    let mut doc: DocumentMut = existing.as_deref().unwrap_or("").parse().map_err(|e: toml_edit::TomlError| {
        anyhow::anyhow!("cannot parse {}: {}", path.display(), e.to_string().split_whitespace().collect::<Vec<_>>().join(" "))
    })?;
    let alias = doc.entry("alias").or_insert_with(|| Item::Table(Table::new()));
    let Some(alias) = alias.as_table_like_mut() else { bail!("{}: [alias] is not a table", path.display()) };
    if alias.contains_key("migrate") {
        return Ok(None);
    }
    alias.insert("migrate", Item::Value(Value::from(format!("run --quiet --package {package} --bin {bin} --"))));
    Ok(Some(Edit { path: path.to_owned(), text: doc.to_string(), existed: existing.is_some() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_relative_inside_a_tree() {
        assert_eq!(pathdiff(Path::new("/w/a/autogen"), Path::new("/w/a/app/migration")), "../../autogen");
        assert_eq!(pathdiff(Path::new("/repo/autogen"), Path::new("/tmp/x/migration")), "/repo/autogen");
    }
}
