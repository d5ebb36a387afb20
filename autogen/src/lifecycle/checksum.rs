//! Checksums: a manifest beside the migration modules (`migrations.sum`) with the SHA-256 of each,
//! kept by `create` and `rebase`, so that an edited migration is noticed; and the checksum each
//! migration had when it was applied, so that one edited after it ran is refused.

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::lifecycle::source;
use crate::{Error, Result};

/// The manifest's file name, in the folder of the migration modules.
pub const MANIFEST: &str = "migrations.sum";

const HEADER: &str = "# SHA-256 of each migration module, oldest first; kept by `migrate create` and `migrate rebase`.\n";

/// The SHA-256 of a module's source, in hex; `None` when its file cannot be found.
pub fn of_module(dir: &Path, name: &str) -> Option<String> {
    let text = std::fs::read(source::find(dir, name)?).ok()?;
    Some(of_source(&text))
}

/// The SHA-256 of a module's text, in hex: what the manifest and the bookkeeping table record.
pub fn of_source(text: &[u8]) -> String {
    Sha256::digest(text).iter().map(|b| format!("{b:02x}")).collect()
}

/// The checksum of every module in `names`, from their files in `dir`; an error names the first
/// module whose file is missing.
pub fn of_modules(dir: &Path, names: &[String]) -> Result<BTreeMap<String, String>> {
    names
        .iter()
        .map(|name| match of_module(dir, name) {
            Some(sum) => Ok((name.clone(), sum)),
            None => Err(missing_module(dir, name)),
        })
        .collect()
}

fn missing_module(dir: &Path, name: &str) -> Error {
    Error::Missing(format!("the source of migration {name} is missing: no {name}.rs in {}", dir.display()))
}

/// The manifest as (module, checksum) pairs in file order; `None` when there is none yet.
pub fn read_manifest(dir: &Path) -> Result<Option<Vec<(String, String)>>> {
    let path = dir.join(MANIFEST);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::Io { path, reason: e.to_string() }),
    };
    let mut entries = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once(char::is_whitespace) {
            Some((name, sum)) if is_sha256(sum.trim()) => entries.push((name.to_owned(), sum.trim().to_owned())),
            _ => {
                return Err(Error::Parse { path, reason: format!("line {}: expected `NAME SHA256`", number + 1) });
            }
        }
    }
    Ok(Some(entries))
}

fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The manifest's text for `names` (in order): the checksum in `known` for the modules it has,
/// the checksum of their file in `dir` for the others.
pub fn manifest_text(dir: &Path, names: &[String], known: &BTreeMap<String, String>) -> Result<String> {
    let mut text = HEADER.to_owned();
    for name in names {
        let sum = match known.get(name) {
            Some(sum) => sum.clone(),
            None => of_module(dir, name).ok_or_else(|| missing_module(dir, name))?,
        };
        text.push_str(&format!("{name} {sum}\n"));
    }
    Ok(text)
}

/// Everything wrong between the registered modules, their files and the manifest; empty when
/// they agree (or when there is no manifest yet).
pub fn verify(dir: &Path, names: &[String]) -> Result<Vec<String>> {
    let Some(entries) = read_manifest(dir)? else { return Ok(Vec::new()) };
    let listed: BTreeMap<&str, &str> = entries.iter().map(|(n, s)| (n.as_str(), s.as_str())).collect();
    let mut problems = Vec::new();
    for name in names {
        match (listed.get(name.as_str()), of_module(dir, name)) {
            (None, _) => problems.push(format!("{name} is registered but not in {MANIFEST}")),
            (Some(_), None) => problems.push(format!("{name} is in {MANIFEST} but its file is missing")),
            (Some(expected), Some(actual)) if **expected != actual => {
                problems.push(format!("{name}.rs changed since {MANIFEST} recorded it"))
            }
            _ => {}
        }
    }
    for (name, _) in &entries {
        if !names.contains(name) {
            let registry = crate::lifecycle::source::registry_file(dir);
            let registry = registry.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            problems.push(format!("{name} is in {MANIFEST} but not registered in {registry}"));
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes the manifest as `create` (keeping known sums) or `hash` (none kept) would.
    fn write(dir: &Path, names: &[String], keep: bool) {
        let known: BTreeMap<String, String> =
            if keep { read_manifest(dir).unwrap().unwrap_or_default().into_iter().collect() } else { BTreeMap::new() };
        std::fs::write(dir.join(MANIFEST), manifest_text(dir, names, &known).unwrap()).unwrap();
    }

    #[test]
    fn manifest_notices_edits_and_disagreements() {
        let dir = std::env::temp_dir().join(format!("autogen-checksum-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("m1.rs"), "//! one\n").unwrap();
        std::fs::write(dir.join("m2.rs"), "//! two\n").unwrap();
        let names: Vec<String> = vec!["m1".into(), "m2".into()];
        assert!(verify(&dir, &names).unwrap().is_empty(), "no manifest, nothing to check");
        write(&dir, &names, true);
        assert!(verify(&dir, &names).unwrap().is_empty());
        assert_eq!(of_modules(&dir, &names).unwrap()["m1"], of_source(b"//! one\n"));
        std::fs::write(dir.join("m2.rs"), "//! two, edited\n").unwrap();
        assert_eq!(verify(&dir, &names).unwrap(), vec!["m2.rs changed since migrations.sum recorded it"]);
        // Updating keeps the recorded sum of a known module: an edit is not blessed by `create`.
        write(&dir, &names, true);
        assert_eq!(verify(&dir, &names).unwrap().len(), 1);
        write(&dir, &names, false);
        assert!(verify(&dir, &names).unwrap().is_empty(), "hash accepts the edit");
        std::fs::write(dir.join("m3.rs"), "//! three\n").unwrap();
        let more: Vec<String> = vec!["m1".into(), "m2".into(), "m3".into()];
        assert!(verify(&dir, &more).unwrap().contains(&"m3 is registered but not in migrations.sum".to_owned()));
        assert!(verify(&dir, &names[..1]).unwrap().contains(&"m2 is in migrations.sum but not registered in lib.rs".to_owned()));
        let gone: Vec<String> = vec!["m1".into(), "m9".into()];
        assert!(of_modules(&dir, &gone).unwrap_err().to_string().contains("m9"));
        assert!(manifest_text(&dir, &gone, &BTreeMap::new()).is_err());
        std::fs::write(dir.join(MANIFEST), "m1 nothex\n").unwrap();
        assert!(matches!(verify(&dir, &names), Err(Error::Parse { .. })));
        std::fs::write(dir.join(MANIFEST), format!("m1 {}\n", "z".repeat(64))).unwrap();
        assert!(matches!(read_manifest(&dir), Err(Error::Parse { .. })));
        std::fs::remove_file(dir.join(MANIFEST)).unwrap();
        std::fs::create_dir(dir.join(MANIFEST)).unwrap();
        assert!(matches!(read_manifest(&dir), Err(Error::Io { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
