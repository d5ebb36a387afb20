//! Reads a migration's source file: where it is and what its doc comment says.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The file that registers the migration modules of the folder `dir`: its `lib.rs` (a migration
/// crate's `src`) or, when it has none, its `mod.rs` (a module folder such as `src/migrations`).
pub fn registry_file(dir: &Path) -> PathBuf {
    let lib = dir.join("lib.rs");
    let module = dir.join("mod.rs");
    if !lib.is_file() && module.is_file() { module } else { lib }
}

/// Where a migration module's source lives, if it can be found in `dir`.
pub fn find(dir: &Path, name: &str) -> Option<PathBuf> {
    [dir.join(format!("{name}.rs")), dir.join(name).join("mod.rs")]
        .into_iter()
        .find(|path| path.is_file())
}

/// The doc comment of a migration module: its `//!` lines, else the doc of its `Migration` struct.
pub fn doc_comment(path: &Path) -> Result<Option<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let file = syn::parse_file(&text).map_err(|e| Error::Parse {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let mut lines = doc_lines(&file.attrs);
    if lines.is_empty() {
        for item in &file.items {
            if let syn::Item::Struct(item) = item
                && item.ident == "Migration"
            {
                lines = doc_lines(&item.attrs);
            }
        }
    }
    let text = lines.join("\n").trim().to_owned();
    Ok((!text.is_empty()).then_some(text))
}

/// The text of `#[doc = "..."]` attributes, one entry per line, with the leading space removed.
fn doc_lines(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value:
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(text),
                        ..
                    }),
                ..
            }) => Some(text.value()),
            _ => None,
        })
        .map(|line| line.strip_prefix(' ').unwrap_or(&line).to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(format!("{name}.rs"));
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn reads_module_docs_then_struct_docs() {
        let dir = std::env::temp_dir().join(format!("autogen-source-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let module = write(&dir, "m1", "//! Adds users.\n//!\n//! Second paragraph.\npub struct Migration;\n");
        assert_eq!(
            doc_comment(&module).unwrap().as_deref(),
            Some("Adds users.\n\nSecond paragraph.")
        );
        let on_struct = write(&dir, "m2", "/// Adds orgs.\npub struct Migration;\n");
        assert_eq!(doc_comment(&on_struct).unwrap().as_deref(), Some("Adds orgs."));
        let none = write(&dir, "m3", "pub struct Migration;\n");
        assert_eq!(doc_comment(&none).unwrap(), None);
        let broken = write(&dir, "m4", "pub struct Migration\n");
        assert!(matches!(doc_comment(&broken), Err(Error::Parse { .. })));
        assert_eq!(find(&dir, "m1"), Some(module));
        assert_eq!(find(&dir, "m9"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
