//! Checksums: a manifest beside the migration modules (`migrations.sum`) with the SHA-256 of each,
//! kept by `create` and `rebase`, so that an edited migration is noticed; and the checksum each
//! migration had when it was applied, so that one edited after it ran is refused.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::lifecycle::source;
use crate::{Error, Result};

/// The manifest's file name, in the folder of the migration modules.
pub const MANIFEST: &str = "migrations.sum";

const HEADER: &str = "# SHA-256 of each migration module, oldest first; kept by `migrate create` and `migrate rebase`.\n";

/// The SHA-256 of a module's source, in hex; `None` when its file cannot be found.
pub fn of_module(dir: &Path, name: &str) -> Option<String> {
    let text = std::fs::read(source::find(dir, name)?).ok()?;
    Some(hex(&Sha256::digest(&text)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
            Some((name, sum)) if sum.trim().len() == 64 => entries.push((name.to_owned(), sum.trim().to_owned())),
            _ => {
                return Err(Error::Parse { path, reason: format!("line {}: expected `NAME SHA256`", number + 1) });
            }
        }
    }
    Ok(Some(entries))
}

/// Writes the manifest for `names` (in order), keeping the recorded checksum of every module it
/// already lists and computing those of the others (new modules, or every module the first time).
pub fn update_manifest(dir: &Path, names: &[String]) -> Result<PathBuf> {
    let known: BTreeMap<String, String> = read_manifest(dir)?.unwrap_or_default().into_iter().collect();
    write_manifest(dir, names, &known)
}

/// Writes the manifest from the modules as they are now, accepting every edit (`migrate hash`).
pub fn rehash_manifest(dir: &Path, names: &[String]) -> Result<PathBuf> {
    write_manifest(dir, names, &BTreeMap::new())
}

fn write_manifest(dir: &Path, names: &[String], known: &BTreeMap<String, String>) -> Result<PathBuf> {
    let mut text = HEADER.to_owned();
    for name in names {
        let sum = match known.get(name) {
            Some(sum) => sum.clone(),
            None => of_module(dir, name).ok_or_else(|| Error::Io {
                path: dir.join(format!("{name}.rs")),
                reason: "not found".into(),
            })?,
        };
        text.push_str(&format!("{name} {sum}\n"));
    }
    let path = dir.join(MANIFEST);
    std::fs::write(&path, text).map_err(|e| Error::Io { path: path.clone(), reason: e.to_string() })?;
    Ok(path)
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
            problems.push(format!("{name} is in {MANIFEST} but not registered in lib.rs"));
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_notices_edits_and_disagreements() {
        let dir = std::env::temp_dir().join(format!("autogen-checksum-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("m1.rs"), "//! one\n").unwrap();
        std::fs::write(dir.join("m2.rs"), "//! two\n").unwrap();
        let names: Vec<String> = vec!["m1".into(), "m2".into()];
        assert!(verify(&dir, &names).unwrap().is_empty(), "no manifest, nothing to check");
        update_manifest(&dir, &names).unwrap();
        assert!(verify(&dir, &names).unwrap().is_empty());
        std::fs::write(dir.join("m2.rs"), "//! two, edited\n").unwrap();
        assert_eq!(verify(&dir, &names).unwrap(), vec!["m2.rs changed since migrations.sum recorded it"]);
        // Updating keeps the recorded sum of a known module: an edit is not blessed by `create`.
        update_manifest(&dir, &names).unwrap();
        assert_eq!(verify(&dir, &names).unwrap().len(), 1);
        rehash_manifest(&dir, &names).unwrap();
        assert!(verify(&dir, &names).unwrap().is_empty(), "hash accepts the edit");
        std::fs::write(dir.join("m3.rs"), "//! three\n").unwrap();
        let more: Vec<String> = vec!["m1".into(), "m2".into(), "m3".into()];
        assert!(verify(&dir, &more).unwrap().contains(&"m3 is registered but not in migrations.sum".to_owned()));
        assert!(verify(&dir, &names[..1]).unwrap().contains(&"m2 is in migrations.sum but not registered in lib.rs".to_owned()));
        std::fs::write(dir.join(MANIFEST), "m1 nothex\n").unwrap();
        assert!(matches!(verify(&dir, &names), Err(Error::Parse { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
