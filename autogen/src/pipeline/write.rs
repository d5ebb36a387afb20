//! Write: names a new migration module, writes its file, and registers it in the migration
//! crate's `lib.rs` by locating the `mod` items and the `migrations()` list in the syntax tree and
//! inserting text there, so every hand-written line and comment of `lib.rs` stays as it was.
//!
//! Writing happens in a [`Workspace`]: the migration folder locked against other `migrate`
//! processes, everything checked before the first byte is written, and each file replaced
//! through a temporary file and a rename, so that a reader sees the old file or the new one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use proc_macro2::LineColumn;
use syn::spanned::Spanned;

use crate::lifecycle::checksum::{self, MANIFEST};
use crate::lifecycle::lock::FileLock;
use crate::{Error, Result};

/// A message made into one line of plain text: control characters (carriage returns, newlines,
/// tabs, ...) and invisible formatting characters become spaces or go, runs of spaces become one,
/// and the ends are trimmed. Everything that shows the message (module name, header, output)
/// uses this form.
pub fn clean_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for c in message.chars() {
        if c.is_control() || c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else if !is_invisible(c) {
            out.push(c);
        }
    }
    out.trim_end().to_owned()
}

/// Zero-width and bidirectional formatting characters: they change how a line reads without
/// showing themselves.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{ad}')
}

/// A module name as sea-orm-cli makes them: `m{YYYYMMDD}_{HHMMSS}_{slug}`.
pub fn module_name(now: chrono::DateTime<chrono::Utc>, message: &str) -> String {
    format!("m{}_{}", now.format("%Y%m%d_%H%M%S"), slug(message))
}

/// A message made into a valid, readable module name part: lower case ASCII letters, digits and
/// single underscores, at most 60 characters; `migration` when nothing is left.
pub fn slug(message: &str) -> String {
    let mut out = String::new();
    for c in message.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let mut out: String = out.trim_end_matches('_').chars().take(60).collect();
    out = out.trim_end_matches('_').to_owned();
    if out.is_empty() { "migration".to_owned() } else { out }
}

/// Returns `lib_rs` with `module` declared and appended to the migrator's `migrations()` list.
pub fn register(lib_rs: &str, module: &str, path: &Path) -> Result<String> {
    let file = parse_lib(lib_rs, path)?;
    let mut edits = locate(&file, lib_rs, module).ok_or_else(|| no_list(path))?;
    let mut text = lib_rs.to_owned();
    // Later offsets first, so the earlier ones stay valid.
    edits.sort_by(|a, b| b.0.cmp(&a.0));
    for (at, insert) in edits {
        text.insert_str(at, &insert);
    }
    Ok(text)
}

/// The modules listed in `lib_rs`'s `migrations()`, in order: the `NAME` of every
/// `Box::new(NAME::Migration)`.
pub fn registered(lib_rs: &str, path: &Path) -> Result<Vec<String>> {
    let file = parse_lib(lib_rs, path)?;
    let list = migrations_list(&file).ok_or_else(|| no_list(path))?;
    let entries = list
        .parse_body_with(syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        .map_err(|e| Error::Parse { path: path.to_owned(), reason: format!("the migrations list: {e}") })?;
    Ok(entries
        .iter()
        .filter_map(|entry| {
            let syn::Expr::Call(call) = entry else { return None };
            let [syn::Expr::Path(arg)] = call.args.iter().collect::<Vec<_>>()[..] else { return None };
            let segments: Vec<String> = arg.path.segments.iter().map(|s| s.ident.to_string()).collect();
            match segments.as_slice() {
                [.., module, last] if last == "Migration" => Some(module.clone()),
                _ => None,
            }
        })
        .collect())
}

fn parse_lib(lib_rs: &str, path: &Path) -> Result<syn::File> {
    syn::parse_file(lib_rs).map_err(|e| Error::Parse {
        path: path.to_owned(),
        reason: format!("{e} (line {})", e.span().start().line),
    })
}

fn no_list(path: &Path) -> Error {
    Error::Parse {
        path: path.to_owned(),
        reason: "no `fn migrations()` returning `vec![...]` in an `impl MigratorTrait` block".into(),
    }
}

/// The `vec![...]` that the migrator's `migrations()` returns.
fn migrations_list(file: &syn::File) -> Option<syn::Macro> {
    file.items.iter().find_map(|item| {
        let syn::Item::Impl(imp) = item else { return None };
        let (_, trait_path, _) = imp.trait_.as_ref()?;
        if trait_path.segments.last()?.ident != "MigratorTrait" {
            return None;
        }
        imp.items.iter().find_map(|item| match item {
            syn::ImplItem::Fn(f) if f.sig.ident == "migrations" => find_vec(&f.block),
            _ => None,
        })
    })
}

/// The text insertions (byte offset, text) that declare and list `module`.
fn locate(file: &syn::File, text: &str, module: &str) -> Option<Vec<(usize, String)>> {
    // The new `mod` goes after the last file module, else after the last `use`, else at the top.
    let last_mod = file
        .items
        .iter()
        .filter(|item| matches!(item, syn::Item::Mod(m) if m.content.is_none()))
        .last();
    let anchor = last_mod.or_else(|| file.items.iter().filter(|i| matches!(i, syn::Item::Use(_))).last());
    let (mod_at, mod_text) = match anchor {
        Some(item) => (end_of_line(text, item.span().end()), format!("mod {module};\n")),
        None => (0, format!("mod {module};\n\n")),
    };

    let list = migrations_list(file)?;
    let close = list.delimiter.span().close().start();
    let close_at = offset(text, close)?;
    let indent = line_indent(text, close_at);
    let entry = format!("Box::new({module}::Migration),");
    let mut edits = vec![(mod_at, mod_text)];
    match list.tokens.clone().into_iter().last() {
        None => edits.push((close_at, format!("\n{indent}    {entry}\n{indent}"))),
        Some(last) => {
            let has_comma = matches!(&last, proc_macro2::TokenTree::Punct(p) if p.as_char() == ',');
            let last_end = offset(text, last.span().end())?;
            let comma = if has_comma { "" } else { "," };
            if last.span().end().line == close.line {
                // `vec![a, b]` on one line: break it open.
                edits.push((last_end, format!("{comma}\n{indent}    {entry}\n{indent}")));
            } else {
                // After the line of the last entry, so a trailing comment stays where it was.
                edits.push((last_end, comma.to_owned()));
                edits.push((end_of_line(text, last.span().end()), format!("{indent}    {entry}\n")));
            }
        }
    }
    Some(edits)
}

/// Finds the `vec![...]` macro that a function body returns.
fn find_vec(block: &syn::Block) -> Option<syn::Macro> {
    let expr = block.stmts.iter().rev().find_map(|stmt| match stmt {
        syn::Stmt::Expr(expr, None) => Some(expr),
        _ => None,
    })?;
    match expr {
        syn::Expr::Macro(m) if m.mac.path.is_ident("vec") => Some(m.mac.clone()),
        _ => None,
    }
}

/// Byte offset of a line/column (column in characters) in `text`.
fn offset(text: &str, at: LineColumn) -> Option<usize> {
    let line_start = text.split_inclusive('\n').take(at.line - 1).map(str::len).sum::<usize>();
    let line = text[line_start..].split('\n').next()?;
    let col = line.char_indices().nth(at.column).map(|(i, _)| i).unwrap_or(line.len());
    Some(line_start + col)
}

/// The offset just past the end of the line holding `at`.
fn end_of_line(text: &str, at: LineColumn) -> usize {
    let start = offset(text, at).unwrap_or(text.len());
    match text[start..].find('\n') {
        Some(i) => start + i + 1,
        None => text.len(),
    }
}

/// The leading whitespace of the line holding byte `at`.
fn line_indent(text: &str, at: usize) -> String {
    let line_start = text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    text[line_start..].chars().take_while(|c| *c == ' ' || *c == '\t').collect()
}

/// The migration folder, locked for writing, with its `lib.rs` and manifest read and checked.
///
/// Every change is prepared in full before the first file is written, files are replaced through
/// a temporary file and a rename, and a failure half-way puts back what was already written.
pub struct Workspace {
    dir: PathBuf,
    _lock: FileLock,
    lib_text: String,
    registered: Vec<String>,
    manifest: Option<Vec<(String, String)>>,
}

impl Workspace {
    /// Locks the migration folder `dir` (calling `waiting` once if another process holds it,
    /// giving up after `timeout`), then reads and checks `lib.rs` and `migrations.sum`.
    pub async fn open(dir: &Path, timeout: Duration, waiting: impl FnOnce()) -> Result<Workspace> {
        ensure_folder(dir)?;
        let lock = FileLock::acquire_folder(dir, timeout, waiting).await?;
        let lib = crate::lifecycle::source::registry_file(dir);
        let lib_text = std::fs::read_to_string(&lib).map_err(|e| io(&lib, e))?;
        let registered = registered(&lib_text, &lib)?;
        let manifest = checksum::read_manifest(dir)?;
        Ok(Workspace { dir: dir.to_owned(), _lock: lock, lib_text, registered, manifest })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The modules `lib.rs` registers, in order.
    pub fn registered(&self) -> &[String] {
        &self.registered
    }

    /// A name for a new module, `m{YYYYMMDD}_{HHMMSS}_{slug}`: at `now`, or at the first second
    /// after it that no module of the folder or of `lib.rs` uses yet, so that two migrations
    /// made in the same second do not collide.
    pub fn new_module_name(&self, now: chrono::DateTime<chrono::Utc>, message: &str) -> String {
        let files: Vec<String> = std::fs::read_dir(&self.dir)
            .map(|entries| entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect())
            .unwrap_or_default();
        let mut at = now;
        loop {
            let prefix = format!("m{}_", at.format("%Y%m%d_%H%M%S"));
            let taken = files.iter().chain(&self.registered).any(|name| name.starts_with(&prefix));
            if !taken {
                return module_name(at, message);
            }
            at += chrono::Duration::seconds(1);
        }
    }

    /// Adds the module `module` with `source`: its file, its registration at the end of `lib.rs`
    /// and its checksum in the manifest.
    pub fn add(&self, module: &str, source: &str) -> Result<PathBuf> {
        self.write_module(None, module, source)
    }

    /// Replaces the module `old` with `module` and `source` (a rebase): the new file, `lib.rs`
    /// registering the new module last instead of the old one, the manifest, then the old file
    /// removed.
    pub fn replace(&self, old: &str, module: &str, source: &str) -> Result<PathBuf> {
        let old_path = crate::lifecycle::source::find(&self.dir, old)
            .ok_or_else(|| Error::Missing(format!("the source of {old} is missing from {}", self.dir.display())))?;
        let path = self.write_module(Some(old), module, source)?;
        std::fs::remove_file(&old_path).map_err(|e| io(&old_path, e))?;
        Ok(path)
    }

    /// Writes `module`, registers it last in place of `replaced` (if any), and records its
    /// checksum: every text prepared first, then the three files written.
    fn write_module(&self, replaced: Option<&str>, module: &str, source: &str) -> Result<PathBuf> {
        let path = self.new_module_path(module)?;
        let lib = crate::lifecycle::source::registry_file(&self.dir);
        let base = match replaced {
            Some(old) => crate::lifecycle::lineage::unregister(&self.lib_text, old, &lib)?,
            None => self.lib_text.clone(),
        };
        let lib_text = register(&base, module, &lib)?;
        let mut names: Vec<String> = self.registered.iter().filter(|n| Some(n.as_str()) != replaced).cloned().collect();
        names.push(module.to_owned());
        let manifest = self.manifest_with(&names, module, source)?;
        commit(&[
            Planned::new_file(&path, source),
            Planned::replace(&lib, &lib_text, &self.lib_text),
            self.planned_manifest(&manifest),
        ])?;
        Ok(path)
    }

    /// Rewrites the manifest from the registered modules as they are now, accepting every edit.
    pub fn rehash(&self) -> Result<PathBuf> {
        let text = checksum::manifest_text(&self.dir, &self.registered, &BTreeMap::new())?;
        commit(&[self.planned_manifest(&text)])?;
        Ok(self.dir.join(MANIFEST))
    }

    fn new_module_path(&self, module: &str) -> Result<PathBuf> {
        let path = self.dir.join(format!("{module}.rs"));
        if path.symlink_metadata().is_ok() || self.registered.iter().any(|n| n == module) {
            return Err(Error::Io { path, reason: "already exists".into() });
        }
        Ok(path)
    }

    /// The manifest for `names`: the recorded checksum of every module it lists, the checksum
    /// of `source` for the new `module`, and that of its file for any other.
    fn manifest_with(&self, names: &[String], module: &str, source: &str) -> Result<String> {
        let mut known: BTreeMap<String, String> = self.manifest.iter().flatten().cloned().collect();
        known.insert(module.to_owned(), checksum::of_source(source.as_bytes()));
        checksum::manifest_text(&self.dir, names, &known)
    }

    fn planned_manifest(&self, text: &str) -> Planned {
        let path = self.dir.join(MANIFEST);
        match &self.manifest {
            Some(_) => Planned {
                previous: std::fs::read_to_string(&path).ok(),
                path,
                text: text.to_owned(),
            },
            None => Planned::new_file(&path, text),
        }
    }
}

/// Fails unless `dir` is an existing folder.
fn ensure_folder(dir: &Path) -> Result<()> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(Error::Missing(format!("the migration folder {} is not a folder", dir.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(Error::Missing(format!("the migration folder {} does not exist", dir.display())))
        }
        Err(e) => Err(io(dir, e)),
    }
}

/// One file to write: its new text, and its old text to put back (`None`: a new file, removed
/// again).
struct Planned {
    path: PathBuf,
    text: String,
    previous: Option<String>,
}

impl Planned {
    fn new_file(path: &Path, text: &str) -> Planned {
        Planned { path: path.to_owned(), text: text.to_owned(), previous: None }
    }

    fn replace(path: &Path, text: &str, previous: &str) -> Planned {
        Planned { path: path.to_owned(), text: text.to_owned(), previous: Some(previous.to_owned()) }
    }
}

/// Writes every planned file in order; when one fails, puts back those already written.
fn commit(plan: &[Planned]) -> Result<()> {
    for (i, step) in plan.iter().enumerate() {
        if let Err(e) = replace_file(&step.path, &step.text) {
            for done in plan[..i].iter().rev() {
                let _ = match &done.previous {
                    Some(text) => replace_file(&done.path, text),
                    None => std::fs::remove_file(&done.path).map_err(|e| io(&done.path, e)),
                };
            }
            return Err(e);
        }
    }
    Ok(())
}

/// Replaces the file at `path` with `text` through a temporary file in the same folder and a
/// rename, keeping the old file's permissions.
fn replace_file(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&temp)?;
        if let Ok(meta) = std::fs::metadata(path) {
            file.set_permissions(meta.permissions())?;
        }
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        io(path, e)
    })
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::Io { path: path.to_owned(), reason: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIB: &str = r#"//! Our migrations.
pub use sea_orm_migration::prelude::*;

// Hand-written, keep.
mod m20260101_000000_init;
mod m20260102_000000_users; // the users table

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260101_000000_init::Migration),
            Box::new(m20260102_000000_users::Migration), // last
        ]
    }
}

/// Extra code survives.
pub fn helper() -> u8 { 1 }
"#;

    #[test]
    fn slugs_are_valid_module_names() {
        assert_eq!(slug("add created_at to users"), "add_created_at_to_users");
        assert_eq!(slug("  Add: E-mail (v2)!! "), "add_e_mail_v2");
        assert_eq!(slug("日本語"), "migration");
        assert_eq!(slug(&"x".repeat(100)).len(), 60);
        let t = chrono::DateTime::parse_from_rfc3339("2026-11-23T22:01:02Z").unwrap().to_utc();
        assert_eq!(module_name(t, "Add users"), "m20261123_220102_add_users");
    }

    #[test]
    fn registers_without_touching_other_text() {
        let out = register(LIB, "m20260103_000000_orgs", Path::new("lib.rs")).unwrap();
        assert!(out.contains("mod m20260102_000000_users; // the users table\nmod m20260103_000000_orgs;\n"), "{out}");
        assert!(out.contains("Box::new(m20260102_000000_users::Migration), // last\n            Box::new(m20260103_000000_orgs::Migration),\n        ]"), "{out}");
        assert!(out.contains("// Hand-written, keep."));
        assert!(out.contains("pub fn helper() -> u8 { 1 }"));
        syn::parse_file(&out).unwrap();
        // Only the two lines were added.
        assert_eq!(out.lines().count(), LIB.lines().count() + 2);
    }

    #[test]
    fn registers_in_empty_and_single_line_lists() {
        let empty = "mod a;\nstruct M;\nimpl MigratorTrait for M {\n    fn migrations() -> Vec<Box<dyn MigrationTrait>> {\n        vec![]\n    }\n}\n";
        let out = register(empty, "m1", Path::new("lib.rs")).unwrap();
        assert!(out.contains("vec![\n            Box::new(m1::Migration),\n        ]"), "{out}");
        assert!(out.starts_with("mod a;\nmod m1;\n"), "{out}");
        let single = "impl MigratorTrait for M {\n    fn migrations() -> Vec<Box<dyn MigrationTrait>> {\n        vec![Box::new(a::Migration)]\n    }\n}\n";
        let out = register(single, "m1", Path::new("lib.rs")).unwrap();
        syn::parse_file(&out).unwrap();
        assert!(out.contains("Box::new(a::Migration),\n            Box::new(m1::Migration),"), "{out}");
    }

    #[test]
    fn broken_lib_rs_is_a_clear_error() {
        let err = register("mod a;\nimpl MigratorTrait for M {", "m1", Path::new("lib.rs")).unwrap_err();
        assert!(err.to_string().starts_with("cannot parse lib.rs"), "{err}");
        let err = register("mod a;\n", "m1", Path::new("lib.rs")).unwrap_err();
        assert!(err.to_string().contains("no `fn migrations()`"), "{err}");
    }

    #[test]
    fn messages_become_one_line_of_plain_text() {
        assert_eq!(clean_message("add users"), "add users");
        assert_eq!(clean_message("  a\r\nb\tc\u{7}d\u{1b}[31m e  "), "a b c d [31m e");
        assert_eq!(clean_message("Follows: nothing\r"), "Follows: nothing");
        assert_eq!(clean_message("line\u{2028}break\u{85}next"), "line break next");
        assert_eq!(clean_message("ab\u{202e}cd\u{200b}"), "abcd");
        assert_eq!(clean_message("\n\t "), "");
    }

    #[test]
    fn lists_registered_modules_in_order() {
        assert_eq!(
            registered(LIB, Path::new("lib.rs")).unwrap(),
            vec!["m20260101_000000_init", "m20260102_000000_users"]
        );
        let empty = "impl MigratorTrait for M {\n    fn migrations() -> Vec<Box<dyn MigrationTrait>> {\n        vec![]\n    }\n}\n";
        assert!(registered(empty, Path::new("lib.rs")).unwrap().is_empty());
        assert!(registered("mod a;\n", Path::new("lib.rs")).is_err());
    }

    fn folder(label: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("autogen-write-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for module in ["m20260101_000000_init", "m20260102_000000_users"] {
            std::fs::write(dir.join(format!("{module}.rs")), format!("//! {module}\n")).unwrap();
        }
        std::fs::write(dir.join("lib.rs"), LIB).unwrap();
        dir
    }

    fn open(dir: &Path) -> Result<Workspace> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(Workspace::open(dir, Duration::from_secs(5), || {}))
    }

    fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let path = e.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&path).unwrap_or_default())
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn a_workspace_is_checked_before_anything_is_written() {
        let dir = folder("checked");
        std::fs::write(dir.join("lib.rs"), "mod a;\nimpl MigratorTrait for M {").unwrap();
        let before = snapshot(&dir);
        assert!(open(&dir).err().unwrap().to_string().starts_with("cannot parse"));
        std::fs::write(dir.join("lib.rs"), LIB).unwrap();
        std::fs::write(dir.join(MANIFEST), "not a manifest\n").unwrap();
        assert!(open(&dir).err().unwrap().to_string().contains("migrations.sum"));
        std::fs::remove_file(dir.join(MANIFEST)).unwrap();
        std::fs::create_dir(dir.join(MANIFEST)).unwrap();
        assert!(open(&dir).err().unwrap().to_string().contains("migrations.sum"));
        std::fs::remove_dir(dir.join(MANIFEST)).unwrap();
        let missing = dir.join("nowhere");
        assert!(open(&missing).err().unwrap().to_string().contains("does not exist"));
        assert!(open(&dir.join("lib.rs")).err().unwrap().to_string().contains("is not a folder"));
        std::fs::write(dir.join("lib.rs"), "mod a;\nimpl MigratorTrait for M {").unwrap();
        assert_eq!(snapshot(&dir), before, "nothing written");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_module_folder_registers_in_its_mod_rs() {
        let dir = folder("modrs");
        std::fs::rename(dir.join("lib.rs"), dir.join("mod.rs")).unwrap();
        let workspace = open(&dir).unwrap();
        assert_eq!(workspace.registered().len(), 2);
        let t = chrono::DateTime::parse_from_rfc3339("2026-01-03T00:00:00Z").unwrap().to_utc();
        let name = workspace.new_module_name(t, "orgs");
        workspace.add(&name, "//! orgs\n").unwrap();
        assert!(!dir.join("lib.rs").exists(), "no lib.rs is made up");
        let registry = std::fs::read_to_string(dir.join("mod.rs")).unwrap();
        assert_eq!(registered(&registry, Path::new("mod.rs")).unwrap().last().unwrap(), &name);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn adding_writes_module_registration_and_checksum() {
        let dir = folder("add");
        let workspace = open(&dir).unwrap();
        let t = chrono::DateTime::parse_from_rfc3339("2026-01-03T00:00:00Z").unwrap().to_utc();
        let name = workspace.new_module_name(t, "orgs");
        assert_eq!(name, "m20260103_000000_orgs");
        let path = workspace.add(&name, "//! orgs\n").unwrap();
        assert_eq!(std::fs::read_to_string(path).unwrap(), "//! orgs\n");
        let lib = std::fs::read_to_string(dir.join("lib.rs")).unwrap();
        assert_eq!(registered(&lib, Path::new("lib.rs")).unwrap().last().unwrap(), &name);
        let manifest = checksum::read_manifest(&dir).unwrap().unwrap();
        assert_eq!(manifest.len(), 3);
        assert_eq!(manifest[2], (name.clone(), checksum::of_source(b"//! orgs\n")));
        assert!(workspace.add(&name, "//! again\n").is_err(), "never overwrites");
        drop(workspace);
        // The same second again: the next free one.
        let workspace = open(&dir).unwrap();
        assert_eq!(workspace.new_module_name(t, "teams"), "m20260103_000001_teams");
        assert!(snapshot(&dir).iter().all(|(name, _)| !name.ends_with(".tmp")), "no temporary file left");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_write_puts_back_what_was_written() {
        let dir = folder("rollback");
        let workspace = open(&dir).unwrap();
        let before = snapshot(&dir);
        // The manifest cannot be written where a folder is in the way.
        std::fs::create_dir(dir.join(MANIFEST)).unwrap();
        let mut expected = before.clone();
        expected.push((MANIFEST.to_owned(), Vec::new()));
        expected.sort();
        assert!(workspace.add("m20260103_000000_x", "//! x\n").is_err());
        assert_eq!(snapshot(&dir), expected);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
