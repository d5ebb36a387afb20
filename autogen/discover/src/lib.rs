//! Entity discovery: finds every SeaORM entity in a crate's sources so that a build script can
//! register them all, with no list for anyone to keep up to date.
//!
//! A module holds an entity when it declares a struct deriving `DeriveEntityModel` (the dense and
//! compact formats) or a struct `Entity` deriving `DeriveEntity` (the expanded format). Modules are
//! followed from `lib.rs` through `mod` items, inline or in files, honouring `#[path]`.
//!
//! The same build script can embed the checksum of every migration module
//! ([`write_checksums`]), so that a binary shipped without its sources still records and
//! verifies what each migration was.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub mod config;

pub use config::{Config, EntitySource};

/// What was found in a crate's sources.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Discovery {
    /// Module paths (`user`, `billing::invoice`) of entities reachable from outside the crate.
    pub entities: Vec<String>,
    /// Module paths of entities in private modules: they cannot be registered.
    pub unreachable: Vec<String>,
    /// Module paths, among `entities`, whose module also declares `pub fn indexes()`: indexes
    /// that entity attributes cannot express (several columns, a name of one's own, a method, a
    /// predicate, an expression).
    pub with_indexes: Vec<String>,
    /// Module paths, among `entities`, whose module also declares `pub fn checks()`: CHECK
    /// constraints.
    pub with_checks: Vec<String>,
    /// Every source file read, for `cargo:rerun-if-changed`.
    pub files: Vec<PathBuf>,
    /// The path of every module found, entity or not (`models`, `models::_entities`).
    pub modules: Vec<String>,
}

/// Reads the crate whose sources are in `src_dir` (starting at `lib.rs`).
pub fn discover(src_dir: &Path) -> Result<Discovery, String> {
    let mut discovery = Discovery::default();
    let lib = src_dir.join("lib.rs");
    let file = parse(&lib, &mut discovery)?;
    walk(&file.items, src_dir, &[], true, &mut discovery)?;
    discovery.entities.sort();
    discovery.unreachable.sort();
    discovery.with_indexes.sort();
    discovery.with_checks.sort();
    discovery.modules.sort();
    Ok(discovery)
}

/// Reads the entities of one configured source: the whole crate, or only the modules at and
/// below its module folder (which must be reachable from the crate's `lib.rs`).
pub fn discover_source(source: &EntitySource) -> Result<Discovery, String> {
    let mut discovery = discover(&source.src_dir)?;
    if source.module.is_empty() {
        return Ok(discovery);
    }
    let prefix = source.module.join("::");
    if !discovery.modules.contains(&prefix) {
        return Err(format!(
            "`{}`: no module `{}::{prefix}` is declared from {}",
            source.given,
            source.crate_name,
            source.src_dir.join("lib.rs").display()
        ));
    }
    let inside = |path: &String| path == &prefix || path.starts_with(&format!("{prefix}::"));
    discovery.entities.retain(inside);
    discovery.unreachable.retain(inside);
    discovery.with_indexes.retain(inside);
    discovery.with_checks.retain(inside);
    discovery.modules.retain(inside);
    Ok(discovery)
}

fn parse(path: &Path, discovery: &mut Discovery) -> Result<syn::File, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    discovery.files.push(path.to_owned());
    syn::parse_file(&text).map_err(|e| format!("cannot parse {}: {e}", path.display()))
}

fn walk(
    items: &[syn::Item],
    dir: &Path,
    module: &[String],
    reachable: bool,
    discovery: &mut Discovery,
) -> Result<(), String> {
    if !module.is_empty() {
        discovery.modules.push(module.join("::"));
    }
    if module_has_entity(items) && !module.is_empty() {
        let path = module.join("::");
        if reachable {
            if module_has_fn(items, "indexes") {
                discovery.with_indexes.push(path.clone());
            }
            if module_has_fn(items, "checks") {
                discovery.with_checks.push(path.clone());
            }
            discovery.entities.push(path);
        } else {
            discovery.unreachable.push(path);
        }
    }
    for item in items {
        let syn::Item::Mod(item) = item else { continue };
        if is_cfg_test(&item.attrs) {
            continue;
        }
        let name = item.ident.to_string();
        let mut child = module.to_vec();
        child.push(name.clone());
        let child_reachable = reachable && matches!(item.vis, syn::Visibility::Public(_));
        match &item.content {
            Some((_, inner)) => walk(inner, &dir.join(&name), &child, child_reachable, discovery)?,
            None => {
                let (file, child_dir) = match path_attr(&item.attrs) {
                    Some(custom) => {
                        let file = dir.join(custom);
                        let child_dir = file.parent().map(Path::to_owned).unwrap_or_default();
                        (file, child_dir)
                    }
                    None => {
                        let flat = dir.join(format!("{name}.rs"));
                        if flat.is_file() {
                            (flat, dir.join(&name))
                        } else {
                            (dir.join(&name).join("mod.rs"), dir.join(&name))
                        }
                    }
                };
                let parsed = parse(&file, discovery)?;
                walk(&parsed.items, &child_dir, &child, child_reachable, discovery)?;
            }
        }
    }
    Ok(())
}

fn module_has_entity(items: &[syn::Item]) -> bool {
    items.iter().any(|item| match item {
        syn::Item::Struct(s) => {
            derives(&s.attrs, "DeriveEntityModel") || (s.ident == "Entity" && derives(&s.attrs, "DeriveEntity"))
        }
        _ => false,
    })
}

/// Whether the module declares `pub fn <name>()` taking no arguments.
fn module_has_fn(items: &[syn::Item], name: &str) -> bool {
    items.iter().any(|item| match item {
        syn::Item::Fn(f) => f.sig.ident == name && f.sig.inputs.is_empty() && matches!(f.vis, syn::Visibility::Public(_)),
        _ => false,
    })
}

/// Whether `#[derive(...)]` lists `name` (bare or with a path such as `sea_orm::DeriveEntity`).
fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().filter(|a| a.path().is_ident("derive")).any(|attr| {
        let mut found = false;
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.segments.last().is_some_and(|s| s.ident == name) {
                found = true;
            }
            Ok(())
        });
        found
    })
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Ident>().is_ok_and(|ident| ident == "test")
    })
}

fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find(|a| a.path().is_ident("path")).and_then(|a| match &a.meta {
        syn::Meta::NameValue(syn::MetaNameValue {
            value: syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }),
            ..
        }) => Some(s.value()),
        _ => None,
    })
}

/// The Rust source of a registry function for the crate `crate_name`:
/// `pub fn register_entities(schema: &mut autogen::pipeline::desired::DesiredSchema)`, one `add` per entity.
pub fn registry_source(crate_name: &str, discovery: &Discovery) -> String {
    registry_source_of(&[(crate_name, discovery)])
}

/// The registry function for entities spread over several crates, in the order given.
pub fn registry_source_of(crates: &[(&str, &Discovery)]) -> String {
    let names: Vec<String> = crates.iter().map(|(name, _)| format!("`{name}`")).collect();
    let names = names.join(", ");
    let mut out = String::new();
    let _ = writeln!(out, "// Generated by sea-orm-autogen-discover from the sources of {names}.");
    let _ = writeln!(out, "/// Adds every entity of {names} to a desired schema.");
    let _ = writeln!(out, "pub fn register_entities(schema: &mut ::autogen::pipeline::desired::DesiredSchema) {{");
    for (crate_name, discovery) in crates {
        for module in &discovery.entities {
            let _ = writeln!(out, "    schema.add({crate_name}::{module}::Entity);");
        }
        for module in &discovery.with_indexes {
            let _ = writeln!(
                out,
                "    schema.add_indexes({crate_name}::{module}::Entity, {crate_name}::{module}::indexes());"
            );
        }
        for module in &discovery.with_checks {
            let _ = writeln!(
                out,
                "    schema.add_checks({crate_name}::{module}::Entity, {crate_name}::{module}::checks());"
            );
        }
    }
    let _ = writeln!(out, "}}");
    out
}

/// For a build script: discovers the entities of `crate_name` in `src_dir`, writes the registry
/// to `out_file`, and tells cargo which files to watch. An entity in a private module is an
/// error: it cannot be registered, and a registry without it would have its table dropped.
pub fn write_registry(crate_name: &str, src_dir: &Path, out_file: &Path) -> Result<Discovery, String> {
    let mut found = write_registries(&[(crate_name, src_dir)], out_file)?;
    Ok(found.remove(0))
}

/// [`write_registry`] for entities spread over several crates, each given as its crate name (as
/// written in Rust paths) and its `src` folder: one `register_entities` adds them all.
pub fn write_registries(crates: &[(&str, &Path)], out_file: &Path) -> Result<Vec<Discovery>, String> {
    let mut found = Vec::new();
    for (crate_name, src_dir) in crates {
        println!("cargo:rerun-if-changed={}", src_dir.display());
        let discovery = discover(src_dir)?;
        for file in &discovery.files {
            println!("cargo:rerun-if-changed={}", file.display());
        }
        unreachable(crate_name, &discovery)?;
        found.push(discovery);
    }
    let pairs: Vec<(&str, &Discovery)> = crates.iter().map(|(name, _)| *name).zip(&found).collect();
    std::fs::write(out_file, registry_source_of(&pairs))
        .map_err(|e| format!("cannot write {}: {e}", out_file.display()))?;
    Ok(found)
}

/// Fails when entities are in private modules: naming each, and what to do.
fn unreachable(crate_name: &str, discovery: &Discovery) -> Result<(), String> {
    if discovery.unreachable.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = discovery.unreachable.iter().map(|m| format!("`{crate_name}::{m}`")).collect();
    Err(format!(
        "{} in a private module and cannot be registered: make every module on the way `pub` (or put a module that is not an entity of the application under #[cfg(test)])",
        if names.len() == 1 { format!("entity {} is", names[0]) } else { format!("entities {} are", names.join(", ")) }
    ))
}

/// For a build script of a project configured by `autogen.toml` (found in `manifest_dir` or a
/// folder above it): writes `register_entities` for every configured entity source to
/// `out_dir/entities.rs` and the migration checksums to `out_dir/checksums.rs`. An entity in a
/// private module, a source without entities and a configuration error are errors.
pub fn write_from_config(manifest_dir: &Path, out_dir: &Path) -> Result<Config, String> {
    let path = config::find(manifest_dir)
        .ok_or_else(|| format!("no {} in {} or a folder above it", config::FILE_NAME, manifest_dir.display()))?;
    println!("cargo:rerun-if-changed={}", path.display());
    let config = config::load(&path)?;
    let mut found = Vec::new();
    for source in &config.entities {
        println!("cargo:rerun-if-changed={}", source.src_dir.display());
        let discovery = discover_source(source)?;
        for file in &discovery.files {
            println!("cargo:rerun-if-changed={}", file.display());
        }
        unreachable(&source.crate_name, &discovery)?;
        if discovery.entities.is_empty() {
            return Err(format!(
                "{}: `entities`: no entity in `{}` (a struct deriving DeriveEntityModel, or `Entity` deriving DeriveEntity)",
                path.display(),
                source.given
            ));
        }
        found.push(discovery);
    }
    let pairs: Vec<(&str, &Discovery)> =
        config.entities.iter().map(|s| s.crate_name.as_str()).zip(&found).collect();
    let out_file = out_dir.join("entities.rs");
    std::fs::write(&out_file, registry_source_of(&pairs)).map_err(|e| format!("cannot write {}: {e}", out_file.display()))?;
    write_checksums(&config.migrations, &out_dir.join("checksums.rs"))?;
    Ok(config)
}

/// The SHA-256 (hex) of every file module declared in the migration folder `src_dir`'s `lib.rs`
/// (or `mod.rs`, for a module folder such as `src/migrations`), read from `NAME.rs` or
/// `NAME/mod.rs`, sorted by name: the checksums `migrate` records when it applies a migration.
pub fn migration_checksums(src_dir: &Path) -> Result<Vec<(String, String)>, String> {
    let mut discovery = Discovery::default();
    let registry = config::registry_file(src_dir).unwrap_or_else(|| src_dir.join("lib.rs"));
    let lib = parse(&registry, &mut discovery)?;
    let mut sums = Vec::new();
    for item in &lib.items {
        let syn::Item::Mod(item) = item else { continue };
        if item.content.is_some() || is_cfg_test(&item.attrs) {
            continue;
        }
        let name = item.ident.to_string();
        let file = [src_dir.join(format!("{name}.rs")), src_dir.join(&name).join("mod.rs")]
            .into_iter()
            .find(|path| path.is_file())
            .ok_or_else(|| format!("cannot find the source of module `{name}` in {}", src_dir.display()))?;
        let text = std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let sum: String = Sha256::digest(&text).iter().map(|b| format!("{b:02x}")).collect();
        println!("cargo:rerun-if-changed={}", file.display());
        sums.push((name, sum));
    }
    sums.sort();
    Ok(sums)
}

/// For a build script: writes `pub const MIGRATION_CHECKSUMS: &[(&str, &str)]`, the
/// [`migration_checksums`] of the migration crate in `src_dir`, to `out_file`, and tells cargo to
/// build again when a module changes.
pub fn write_checksums(src_dir: &Path, out_file: &Path) -> Result<Vec<(String, String)>, String> {
    println!("cargo:rerun-if-changed={}", src_dir.display());
    let registry = config::registry_file(src_dir).unwrap_or_else(|| src_dir.join("lib.rs"));
    println!("cargo:rerun-if-changed={}", registry.display());
    let sums = migration_checksums(src_dir)?;
    let mut out = String::new();
    let _ = writeln!(out, "// Generated by sea-orm-autogen-discover from the migration modules in {}.", src_dir.display());
    let _ = writeln!(out, "/// The SHA-256 of every migration module's source when this binary was built.");
    let _ = writeln!(out, "pub const MIGRATION_CHECKSUMS: &[(&str, &str)] = &[");
    for (name, sum) in &sums {
        let _ = writeln!(out, "    ({name:?}, {sum:?}),");
    }
    let _ = writeln!(out, "];");
    std::fs::write(out_file, out).map_err(|e| format!("cannot write {}: {e}", out_file.display()))?;
    Ok(sums)
}

/// A fresh folder under the temporary directory holding `files` (paths relative to it), for
/// this crate's tests.
#[cfg(test)]
pub(crate) fn tree(files: &[(&str, &str)]) -> PathBuf {
    static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("discover-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir.canonicalize().unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DENSE: &str = "#[sea_orm::model]\n#[derive(Clone, Debug, DeriveEntityModel)]\npub struct Model { pub id: i32 }\n";

    #[test]
    fn finds_entities_in_files_folders_and_inline_modules() {
        let dir = tree(&[
            ("lib.rs", "pub mod user;\npub mod billing;\npub mod prelude { pub use super::user::Entity as User; }\nmod hidden;\n#[cfg(test)]\nmod tests;\n"),
            ("user.rs", &format!("{DENSE}pub fn indexes() -> Vec<IndexCreateStatement> {{ vec![] }}\npub fn checks() -> Vec<Check> {{ vec![] }}\n")),
            ("billing/mod.rs", "pub mod invoice;\npub mod inline { #[derive(DeriveEntityModel)] pub struct Model; }\n"),
            ("billing/invoice.rs", "#[derive(Copy, Clone, Default, Debug, sea_orm::DeriveEntity)]\npub struct Entity;\n"),
            ("hidden.rs", DENSE),
        ]);
        let found = discover(&dir).unwrap();
        assert_eq!(found.entities, vec!["billing::inline", "billing::invoice", "user"]);
        assert_eq!(found.unreachable, vec!["hidden"]);
        assert_eq!(found.files.len(), 5);
        let source = registry_source("entity", &found);
        assert!(source.contains("schema.add(entity::billing::invoice::Entity);"), "{source}");
        assert_eq!(found.with_indexes, vec!["user"]);
        assert!(source.contains("schema.add_indexes(entity::user::Entity, entity::user::indexes());"), "{source}");
        assert_eq!(found.with_checks, vec!["user"]);
        assert!(source.contains("schema.add_checks(entity::user::Entity, entity::user::checks());"), "{source}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn one_registry_covers_several_crates() {
        let first = tree(&[("lib.rs", "pub mod a;\n"), ("a.rs", DENSE)]);
        let second = tree(&[("lib.rs", "pub mod b;\n"), ("b.rs", DENSE)]);
        let out = first.join("registry.rs");
        let found = write_registries(&[("first", &first), ("second", &second)], &out).unwrap();
        assert_eq!(found.len(), 2);
        let source = std::fs::read_to_string(&out).unwrap();
        assert_eq!(source.matches("pub fn register_entities").count(), 1, "{source}");
        assert!(source.contains("schema.add(first::a::Entity);\n    schema.add(second::b::Entity);"), "{source}");
        std::fs::remove_dir_all(first).unwrap();
        std::fs::remove_dir_all(second).unwrap();
    }

    #[test]
    fn embeds_the_checksum_of_every_migration_module() {
        let dir = tree(&[
            ("lib.rs", "mod m2_b;\nmod m1_a;\nmod inline {}\n#[cfg(test)]\nmod tests;\n"),
            ("m1_a.rs", "//! a\n"),
            ("m2_b/mod.rs", "//! b\n"),
        ]);
        let out = dir.join("checksums.rs");
        let sums = write_checksums(&dir, &out).unwrap();
        // SHA-256 of "//! a\n", as `sha256sum` gives it.
        let a = "e452d13c27829b71eed7646e7e9a8208d3d15ba48c7c21e1a11913855d966741";
        assert_eq!(sums.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), vec!["m1_a", "m2_b"]);
        assert_eq!(sums[0].1, a);
        let source = std::fs::read_to_string(&out).unwrap();
        assert!(source.contains(&format!("(\"m1_a\", \"{a}\"),")), "{source}");
        let missing = tree(&[("lib.rs", "mod gone;\n")]);
        assert!(migration_checksums(&missing).unwrap_err().contains("module `gone`"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn broken_sources_are_errors() {
        let dir = tree(&[("lib.rs", "pub mod gone;\n")]);
        assert!(discover(&dir).unwrap_err().contains("cannot read"));
        let dir = tree(&[("lib.rs", "pub mod x {\n")]);
        assert!(discover(&dir).unwrap_err().contains("cannot parse"));
    }

    #[test]
    fn a_private_entity_fails_the_registry() {
        let dir = tree(&[("lib.rs", "pub mod a;\nmod b;\n"), ("a.rs", DENSE), ("b.rs", DENSE)]);
        let err = write_registry("app", &dir, &dir.join("registry.rs")).unwrap_err();
        assert!(err.starts_with("entity `app::b` is in a private module"), "{err}");
        assert!(!dir.join("registry.rs").exists());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_module_folder_holds_only_its_own_entities() {
        let dir = tree(&[
            ("Cargo.toml", "[package]\nname = \"my-app\"\n"),
            ("src/lib.rs", "pub mod models;\npub mod other;\npub mod migrations;\n"),
            ("src/models/mod.rs", "pub mod _entities;\npub mod helpers;\n"),
            ("src/models/_entities/mod.rs", "pub mod user;\npub mod post;\n"),
            ("src/models/_entities/user.rs", DENSE),
            ("src/models/_entities/post.rs", DENSE),
            ("src/models/helpers.rs", DENSE),
            ("src/other.rs", DENSE),
            ("src/migrations/mod.rs", "mod m1_a;\n"),
            ("src/migrations/m1_a.rs", "//! a\n"),
            ("autogen.toml", "entities = [\"src/models/_entities\"]\nmigrations = \"src/migrations\"\n"),
        ]);
        let config = config::load(&dir.join("autogen.toml")).unwrap();
        let found = discover_source(&config.entities[0]).unwrap();
        assert_eq!(found.entities, vec!["models::_entities::post", "models::_entities::user"]);
        let out = dir.join("out");
        std::fs::create_dir_all(&out).unwrap();
        write_from_config(&dir.join("src/models"), &out).unwrap();
        let registry = std::fs::read_to_string(out.join("entities.rs")).unwrap();
        assert!(registry.contains("schema.add(my_app::models::_entities::user::Entity);"), "{registry}");
        assert!(!registry.contains("helpers") && !registry.contains("other"), "{registry}");
        let sums = std::fs::read_to_string(out.join("checksums.rs")).unwrap();
        assert!(sums.contains("\"m1_a\""), "{sums}");

        std::fs::write(dir.join("autogen.toml"), "entities = [\"src/models/_entities/missing\"]\nmigrations = \"src/migrations\"\n").unwrap();
        assert!(write_from_config(&dir, &out).unwrap_err().contains("`entities`"));
        std::fs::create_dir_all(dir.join("src/empty")).unwrap();
        std::fs::write(dir.join("autogen.toml"), "entities = [\"src/empty\"]\nmigrations = \"src/migrations\"\n").unwrap();
        let err = write_from_config(&dir, &out).unwrap_err();
        assert!(err.contains("no module `my_app::empty`"), "{err}");
        std::fs::write(dir.join("src/models/_entities/mod.rs"), "pub mod user;\nmod post;\n").unwrap();
        std::fs::write(dir.join("autogen.toml"), "entities = [\"src/models/_entities\"]\nmigrations = \"src/migrations\"\n").unwrap();
        let err = write_from_config(&dir, &out).unwrap_err();
        assert!(err.contains("`my_app::models::_entities::post` is in a private module"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
