//! The project's configuration, `autogen.toml` at the workspace root: read by the build script
//! (where the entities are, where the migrations are) and by the `migrate` command at run time
//! (where the migrations are, what to leave out, which backends to write for).
//!
//! ```toml
//! entities = ["entity", "src/models/_entities"]  # crate folders, `src` folders or module folders
//! migrations = "migration/src"                    # the folder of the Migrator (lib.rs or mod.rs)
//! exclude_tables = ["spatial_ref_sys"]            # tables neither compared nor touched
//! manage = ["checks", "triggers"]                 # object kinds an undeclared one is dropped of
//! backends = ["postgres", "sqlite"]               # the backends every migration must run on
//! online = false                                  # plain DDL by default (an empty database)
//! ```
//!
//! Every path is relative to the file's folder. Only `entities` and `migrations` are required.

use std::path::{Path, PathBuf};

/// The file name looked for.
pub const FILE_NAME: &str = "autogen.toml";

/// The keys a configuration may hold, for error messages.
const KEYS: [&str; 6] = ["entities", "migrations", "exclude_tables", "manage", "backends", "online"];

/// A parsed `autogen.toml`. Kind and backend names are kept as written: the command line checks
/// them against what the engine knows ([`Config::manage`], [`Config::backends`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The file read.
    pub path: PathBuf,
    /// Its folder, which every path is relative to.
    pub root: PathBuf,
    /// Where the entities are, in the order given.
    pub entities: Vec<EntitySource>,
    /// The folder of the migration modules and of the `lib.rs` or `mod.rs` that registers them.
    pub migrations: PathBuf,
    /// Tables left out of every comparison.
    pub exclude_tables: Vec<String>,
    /// Object kinds the project manages (`checks`, `triggers`, ...).
    pub manage: Vec<String>,
    /// Backends every generated migration runs on (`postgres`, `mysql`, `sqlite`); empty: the
    /// database's own.
    pub backends: Vec<String>,
    /// Whether `create` writes online plans (PostgreSQL and MySQL); `create --plain` overrides a
    /// `true`. Default: true.
    pub online: bool,
}

/// One place entities live: a crate, or a module folder inside a crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitySource {
    /// As written in the file.
    pub given: String,
    /// The crate's name as written in Rust paths (`my_app` for the package `my-app`).
    pub crate_name: String,
    /// The crate's source folder, holding its `lib.rs`.
    pub src_dir: PathBuf,
    /// The module path of the folder inside the crate (`["models", "_entities"]`); empty for the
    /// whole crate.
    pub module: Vec<String>,
}

/// A configuration error: the file and the key, on one line.
fn error(path: &Path, key: &str, message: impl std::fmt::Display) -> String {
    if key.is_empty() {
        format!("{}: {message}", path.display())
    } else {
        format!("{}: `{key}`: {message}", path.display())
    }
}

/// The configuration file for `start`: `start` itself when it is a file, else the first
/// `autogen.toml` in `start` or a folder above it.
pub fn find(start: &Path) -> Option<PathBuf> {
    if start.is_file() {
        return Some(start.to_owned());
    }
    start.ancestors().map(|dir| dir.join(FILE_NAME)).find(|path| path.is_file())
}

/// Reads and checks the configuration file at `path`.
pub fn load(path: &Path) -> Result<Config, String> {
    let text = std::fs::read_to_string(path).map_err(|e| error(path, "", format!("cannot read it: {e}")))?;
    let root = path
        .canonicalize()
        .ok()
        .and_then(|p| p.parent().map(Path::to_owned))
        .unwrap_or_else(|| path.parent().map(Path::to_owned).unwrap_or_default());
    parse(&text, path, &root)
}

/// Parses configuration `text` read from `path`, relative paths resolved against `root`.
pub fn parse(text: &str, path: &Path, root: &Path) -> Result<Config, String> {
    let document: toml_edit::DocumentMut =
        text.parse().map_err(|e: toml_edit::TomlError| error(path, "", one_line(&e.to_string())))?;
    for (key, _) in document.iter() {
        if !KEYS.contains(&key) {
            return Err(error(path, key, format!("unknown key (the keys are {})", KEYS.join(", "))));
        }
    }
    let strings = |key: &str| -> Result<Vec<String>, String> {
        match document.get(key) {
            None => Ok(Vec::new()),
            Some(item) => {
                let array = item.as_array().ok_or_else(|| error(path, key, "expected a list of strings"))?;
                array
                    .iter()
                    .map(|value| {
                        value
                            .as_str()
                            .filter(|s| !s.trim().is_empty())
                            .map(str::to_owned)
                            .ok_or_else(|| error(path, key, "expected a list of non-empty strings"))
                    })
                    .collect()
            }
        }
    };
    let given_entities = strings("entities")?;
    if given_entities.is_empty() {
        return Err(error(path, "entities", "missing or empty: list the crates or module folders of the entities"));
    }
    let entities = given_entities
        .iter()
        .map(|given| entity_source(given, root).map_err(|e| error(path, "entities", e)))
        .collect::<Result<Vec<_>, _>>()?;
    let migrations = match document.get("migrations") {
        None => return Err(error(path, "migrations", "missing: the folder of the migration modules")),
        Some(item) => item
            .as_str()
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| error(path, "migrations", "expected a folder (a string)"))?,
    };
    let migrations = root.join(migrations);
    if registry_file(&migrations).is_none() {
        return Err(error(
            path,
            "migrations",
            format!("{} holds neither lib.rs nor mod.rs: it is not a migration folder", migrations.display()),
        ));
    }
    Ok(Config {
        path: path.to_owned(),
        root: root.to_owned(),
        entities,
        migrations,
        exclude_tables: strings("exclude_tables")?,
        manage: strings("manage")?,
        backends: strings("backends")?,
        online: match document.get("online") {
            None => true,
            Some(item) => item.as_bool().ok_or_else(|| error(path, "online", "expected true or false"))?,
        },
    })
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The file that registers the migration modules of `dir`: its `lib.rs` (a migration crate) or
/// its `mod.rs` (a module folder such as `src/migrations`).
pub fn registry_file(dir: &Path) -> Option<PathBuf> {
    ["lib.rs", "mod.rs"].into_iter().map(|name| dir.join(name)).find(|path| path.is_file())
}

/// Where `given` (a crate folder, its `src` folder or a module folder, relative to `root`) is:
/// the crate it belongs to and the module path inside it.
fn entity_source(given: &str, root: &Path) -> Result<EntitySource, String> {
    let folder = root.join(given);
    let folder = folder.canonicalize().map_err(|e| format!("{}: {e}", folder.display()))?;
    if !folder.is_dir() {
        return Err(format!("{} is not a folder", folder.display()));
    }
    let (crate_dir, (_, crate_name, lib_path)) = folder
        .ancestors()
        .find_map(|dir| package(&dir.join("Cargo.toml")).map(|found| (dir.to_owned(), found)))
        .ok_or_else(|| format!("{given} is not inside a crate (no Cargo.toml with a [package] above it)"))?;
    let lib = crate_dir.join(lib_path);
    let src_dir = lib.parent().map(Path::to_owned).unwrap_or_else(|| crate_dir.to_owned());
    if !lib.is_file() {
        return Err(format!("the crate {crate_name} has no library ({} is missing)", lib.display()));
    }
    let module = if folder == crate_dir || folder == src_dir {
        Vec::new()
    } else {
        let inside = folder
            .strip_prefix(&src_dir)
            .map_err(|_| format!("{given} is not inside the sources of crate {crate_name} ({})", src_dir.display()))?;
        inside.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect()
    };
    Ok(EntitySource { given: given.to_owned(), crate_name, src_dir, module })
}

/// The package name, crate name (as in Rust paths) and library path (relative to the manifest's
/// folder) of the package whose manifest is at `manifest`; `None` for a manifest without
/// `[package]` (a virtual workspace).
pub fn package(manifest: &Path) -> Option<(String, String, String)> {
    let text = std::fs::read_to_string(manifest).ok()?;
    let document: toml_edit::DocumentMut = text.parse().ok()?;
    let package = document.get("package")?.get("name")?.as_str()?.to_owned();
    let lib = document.get("lib");
    let name = lib.and_then(|l| l.get("name")).and_then(|n| n.as_str()).map(str::to_owned).unwrap_or(package.clone());
    let path = lib.and_then(|l| l.get("path")).and_then(|p| p.as_str()).unwrap_or("src/lib.rs").to_owned();
    Some((package, name.replace('-', "_"), path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree;

    const LAYOUT: &[(&str, &str)] = &[
        ("Cargo.toml", "[package]\nname = \"my-app\"\n"),
        ("src/lib.rs", "pub mod models;\npub mod migrations;\n"),
        ("src/models/_entities/mod.rs", ""),
        ("src/migrations/mod.rs", ""),
        ("entity/Cargo.toml", "[package]\nname = \"entity\"\n[lib]\nname = \"model\"\n"),
        ("entity/src/lib.rs", ""),
    ];

    #[test]
    fn reads_every_key_and_finds_the_crates() {
        let root = tree(LAYOUT);
        let text = "entities = [\"src/models/_entities\", \"entity\"]\nmigrations = \"src/migrations\"\nexclude_tables = [\"t\"]\nmanage = [\"checks\"]\nbackends = [\"postgres\", \"sqlite\"]\nonline = false\n";
        std::fs::write(root.join(FILE_NAME), text).unwrap();
        let config = load(&find(&root.join("src/models")).unwrap()).unwrap();
        assert_eq!(config.root, root);
        assert_eq!(config.entities[0].crate_name, "my_app");
        assert_eq!(config.entities[0].module, vec!["models", "_entities"]);
        assert_eq!(config.entities[0].src_dir, root.join("src"));
        assert_eq!(config.entities[1].crate_name, "model");
        assert!(config.entities[1].module.is_empty());
        assert_eq!(config.migrations, root.join("src/migrations"));
        assert_eq!(registry_file(&config.migrations), Some(root.join("src/migrations/mod.rs")));
        assert_eq!((config.exclude_tables, config.manage, config.backends.len()), (vec!["t".to_owned()], vec!["checks".to_owned()], 2));
        assert!(!config.online);
        // Online plans unless the file says otherwise.
        std::fs::write(root.join(FILE_NAME), "entities = [\"entity\"]\nmigrations = \"src/migrations\"\n").unwrap();
        assert!(load(&root.join(FILE_NAME)).unwrap().online);
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn errors_name_the_file_and_the_key() {
        let root = tree(LAYOUT);
        let path = root.join(FILE_NAME);
        let cases = [
            ("entities = [\"entity\"]\nmigrations = \"src/migrations\"\nbogus = 1\n", "`bogus`: unknown key"),
            ("migrations = \"src/migrations\"\n", "`entities`: missing"),
            ("entities = \"entity\"\nmigrations = \"src/migrations\"\n", "`entities`: expected a list"),
            ("entities = [\"nowhere\"]\nmigrations = \"src/migrations\"\n", "`entities`: "),
            ("entities = [\"entity\"]\n", "`migrations`: missing"),
            ("entities = [\"entity\"]\nmigrations = \"src/models\"\n", "`migrations`: "),
            ("entities = [\"entity\"]\nmigrations = \"src/migrations\"\nbackends = [1]\n", "`backends`: expected a list"),
            ("entities = [\"entity\"]\nmigrations = \"src/migrations\"\nonline = \"no\"\n", "`online`: expected true or false"),
            ("entities = [\"entity\"\n", ""),
        ];
        for (text, expected) in cases {
            let err = parse(text, &path, &root).unwrap_err();
            assert!(err.starts_with(&format!("{}: {expected}", path.display())), "{text:?}: {err}");
            assert!(!err.contains('\n'), "{err}");
        }
        std::fs::remove_dir_all(root).unwrap();
    }
}
