//! Write: names a new migration module, writes its file, and registers it in the migration
//! crate's `lib.rs` by locating the `mod` items and the `migrations()` list in the syntax tree and
//! inserting text there, so every hand-written line and comment of `lib.rs` stays as it was.

use std::path::{Path, PathBuf};

use proc_macro2::LineColumn;
use syn::spanned::Spanned;

use crate::{Error, Result};

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
    let file = syn::parse_file(lib_rs).map_err(|e| Error::Parse {
        path: path.to_owned(),
        reason: format!("{e} (line {})", e.span().start().line),
    })?;
    let mut edits = locate(&file, lib_rs, module).ok_or_else(|| Error::Parse {
        path: path.to_owned(),
        reason: "no `fn migrations()` returning `vec![...]` in an `impl MigratorTrait` block".into(),
    })?;
    let mut text = lib_rs.to_owned();
    // Later offsets first, so the earlier ones stay valid.
    edits.sort_by(|a, b| b.0.cmp(&a.0));
    for (at, insert) in edits {
        text.insert_str(at, &insert);
    }
    Ok(text)
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

    let list = file.items.iter().find_map(|item| {
        let syn::Item::Impl(imp) = item else { return None };
        let (_, trait_path, _) = imp.trait_.as_ref()?;
        if trait_path.segments.last()?.ident != "MigratorTrait" {
            return None;
        }
        imp.items.iter().find_map(|item| match item {
            syn::ImplItem::Fn(f) if f.sig.ident == "migrations" => find_vec(&f.block),
            _ => None,
        })
    })?;
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

/// Writes the module file and registers it, refusing to overwrite; `lib.rs` is checked before
/// anything is written, and the new file is removed again if `lib.rs` cannot be written.
pub fn write_migration(dir: &Path, module: &str, source: &str) -> Result<PathBuf> {
    let lib = dir.join("lib.rs");
    let lib_text = std::fs::read_to_string(&lib).map_err(|e| io(&lib, e))?;
    let registered = register(&lib_text, module, &lib)?;
    write_module_and_lib(dir, module, source, &registered)
}

/// Writes a new module file, then `lib.rs` with its registration; the module file is removed
/// again if `lib.rs` cannot be written.
pub(crate) fn write_module_and_lib(dir: &Path, module: &str, source: &str, registered: &str) -> Result<PathBuf> {
    let lib = dir.join("lib.rs");
    let path = dir.join(format!("{module}.rs"));
    if path.exists() {
        return Err(Error::Io { path, reason: "already exists".into() });
    }
    std::fs::write(&path, source).map_err(|e| io(&path, e))?;
    let temp = dir.join(".lib.rs.autogen-tmp");
    let result = std::fs::write(&temp, registered).and_then(|()| std::fs::rename(&temp, &lib));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(&temp);
        return Err(io(&lib, e));
    }
    Ok(path)
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
    fn write_migration_refuses_a_broken_lib_rs_and_writes_nothing() {
        let dir = std::env::temp_dir().join(format!("autogen-write-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("lib.rs"), "mod a;\nimpl MigratorTrait for M {").unwrap();
        assert!(write_migration(&dir, "m1", "//! x\n").is_err());
        assert!(!dir.join("m1.rs").exists());
        std::fs::write(dir.join("lib.rs"), LIB).unwrap();
        let path = write_migration(&dir, "m1", "//! x\n").unwrap();
        assert_eq!(std::fs::read_to_string(path).unwrap(), "//! x\n");
        assert!(std::fs::read_to_string(dir.join("lib.rs")).unwrap().contains("mod m1;"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
