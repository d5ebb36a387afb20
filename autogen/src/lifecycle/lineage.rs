//! Lineage: which migration each one follows, branch conflicts (two migrations following the same
//! one, as after merging two branches), and `rebase`, which puts one of them after the other.
//!
//! A generated module records its parent in its header (`//! Follows: NAME.`); a module without
//! that line follows the one before it in the migrator's list.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::lifecycle::source;
use crate::pipeline::write::{register, write_module_and_lib};
use crate::{Error, Result};

/// Two or more migrations that follow the same one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The migration they all follow (`None`: the start of the history).
    pub parent: Option<String>,
    /// The migrations following it, in the migrator's order.
    pub children: Vec<String>,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let last = self.children.last().map(String::as_str).unwrap_or_default();
        write!(
            f,
            "{} all follow {}: branches were merged; run `migrate rebase {last}` to put it after {}",
            self.children.join(" and "),
            self.parent.as_deref().unwrap_or("the start"),
            self.children[self.children.len() - 2],
        )
    }
}

/// The `Follows:` line of a module's source: `Some(Some(parent))`, `Some(None)` for a first
/// migration, `None` when the module does not say.
pub fn declared_parent(text: &str) -> Option<Option<String>> {
    text.lines().find_map(|line| {
        let rest = line.trim_start_matches("//!").trim().strip_prefix("Follows: ")?;
        let rest = rest.trim_end_matches('.');
        Some(if rest.starts_with("nothing") { None } else { Some(rest.to_owned()) })
    })
}

/// The parent of each migration (in list order), from the sources in `dir`.
pub fn parents(dir: &Path, names: &[String]) -> Vec<Option<String>> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let declared = source::find(dir, name)
                .and_then(|path| std::fs::read_to_string(path).ok())
                .and_then(|text| declared_parent(&text));
            declared.unwrap_or_else(|| i.checked_sub(1).map(|p| names[p].clone()))
        })
        .collect()
}

/// Every parent followed by more than one migration.
pub fn conflicts(names: &[String], parents: &[Option<String>]) -> Vec<Conflict> {
    let mut children: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
    for (name, parent) in names.iter().zip(parents) {
        children.entry(parent.clone()).or_default().push(name.clone());
    }
    children
        .into_iter()
        .filter(|(_, c)| c.len() > 1)
        .map(|(parent, children)| Conflict { parent, children })
        .collect()
}

/// What `rebase` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebased {
    /// The module's new name.
    pub name: String,
    /// Its new file.
    pub path: PathBuf,
    /// The migration it now follows.
    pub follows: String,
}

/// Re-chains `module` after the last other migration that follows the same parent: a new name
/// (new timestamp, same slug), a `Follows:` line naming that migration, and the registration moved
/// to the end of `lib.rs`'s list. `lib.rs` is checked before anything is written.
pub fn rebase(dir: &Path, names: &[String], module: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Rebased> {
    let parents = parents(dir, names);
    let conflict = conflicts(names, &parents)
        .into_iter()
        .find(|c| c.children.iter().any(|c| c == module))
        .ok_or_else(|| Error::InvalidTarget(format!("{module} is in no branch conflict: nothing to rebase")))?;
    let follows = conflict
        .children
        .iter()
        .rev()
        .find(|c| *c != module)
        .cloned()
        .expect("a conflict has two children");
    let old_path = source::find(dir, module).ok_or_else(|| Error::Io {
        path: dir.join(format!("{module}.rs")),
        reason: "not found".into(),
    })?;
    let text = std::fs::read_to_string(&old_path).map_err(|e| Error::Io { path: old_path.clone(), reason: e.to_string() })?;
    let slug = module.splitn(3, '_').nth(2).unwrap_or("migration");
    let name = format!("m{}_{slug}", now.format("%Y%m%d_%H%M%S"));
    let rechained: String = text
        .lines()
        .map(|line| match declared_parent(line) {
            Some(_) => format!("//! Follows: {follows}."),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    let rechained = if declared_parent(&rechained).is_none() {
        format!("//! Follows: {follows}.\n{rechained}")
    } else {
        rechained
    };
    let lib = dir.join("lib.rs");
    let lib_text = std::fs::read_to_string(&lib).map_err(|e| Error::Io { path: lib.clone(), reason: e.to_string() })?;
    let lib_text = register(&unregister(&lib_text, module, &lib)?, &name, &lib)?;
    let path = write_module_and_lib(dir, &name, &rechained, &lib_text)?;
    std::fs::remove_file(&old_path).map_err(|e| Error::Io { path: old_path, reason: e.to_string() })?;
    Ok(Rebased { name, path, follows })
}

/// Removes `module`'s `mod` line and its entry in the migrations list from `lib.rs`.
pub fn unregister(lib_rs: &str, module: &str, path: &Path) -> Result<String> {
    let file = syn::parse_file(lib_rs).map_err(|e| Error::Parse { path: path.to_owned(), reason: e.to_string() })?;
    let mut lines_to_drop = Vec::new();
    for item in &file.items {
        if let syn::Item::Mod(m) = item
            && m.ident == module
        {
            lines_to_drop.push(syn::spanned::Spanned::span(m).start().line);
        }
    }
    // The list entry: the line holding the module's name inside `vec![...]`.
    fn find_ident(tokens: proc_macro2::TokenStream, module: &str, lines: &mut Vec<usize>) {
        for token in tokens {
            match token {
                proc_macro2::TokenTree::Ident(ident) if ident == module => lines.push(ident.span().start().line),
                proc_macro2::TokenTree::Group(group) => find_ident(group.stream(), module, lines),
                _ => {}
            }
        }
    }
    for item in &file.items {
        if let syn::Item::Impl(imp) = item {
            find_ident(quote::ToTokens::to_token_stream(imp), module, &mut lines_to_drop);
        }
    }
    if lines_to_drop.len() < 2 {
        return Err(Error::Parse {
            path: path.to_owned(),
            reason: format!("cannot find the registration of {module}"),
        });
    }
    Ok(lib_rs
        .split_inclusive('\n')
        .enumerate()
        .filter(|(i, _)| !lines_to_drop.contains(&(i + 1)))
        .map(|(_, line)| line)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_follows_line() {
        assert_eq!(declared_parent("//! x\n//! Follows: m1_a.\n"), Some(Some("m1_a".into())));
        assert_eq!(declared_parent("//! Follows: nothing (first migration).\n"), Some(None));
        assert_eq!(declared_parent("//! nothing here\n"), None);
    }

    #[test]
    fn finds_two_children_of_one_parent() {
        let names: Vec<String> = ["m1", "m2", "m3"].iter().map(|s| s.to_string()).collect();
        let parents = vec![None, Some("m1".into()), Some("m1".into())];
        let found = conflicts(&names, &parents);
        assert_eq!(found, vec![Conflict { parent: Some("m1".into()), children: vec!["m2".into(), "m3".into()] }]);
        assert_eq!(
            found[0].to_string(),
            "m2 and m3 all follow m1: branches were merged; run `migrate rebase m3` to put it after m2"
        );
        assert!(conflicts(&names, &[None, Some("m1".into()), Some("m2".into())]).is_empty());
    }

    #[test]
    fn unregisters_only_the_module() {
        let lib = "mod a;\nmod b;\nmod c;\n\nimpl MigratorTrait for M {\n    fn migrations() -> Vec<Box<dyn MigrationTrait>> {\n        vec![\n            Box::new(a::Migration),\n            Box::new(b::Migration),\n            Box::new(c::Migration),\n        ]\n    }\n}\n";
        let out = unregister(lib, "b", Path::new("lib.rs")).unwrap();
        assert_eq!(out, lib.replace("mod b;\n", "").replace("            Box::new(b::Migration),\n", ""));
        assert!(unregister(lib, "zz", Path::new("lib.rs")).is_err());
    }
}
