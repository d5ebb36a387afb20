//! `migrate show REV`: one migration in detail.

use std::path::Path;

use anyhow::Result;
use autogen::lifecycle::history::History;
use autogen::lifecycle::source;

use crate::output::{self, APPLIED, DIM, MISSING, NAME, PENDING, outln};

pub(super) fn show(history: &History, revision: &str, migration_dir: &Path) -> Result<()> {
    let index = history.resolve(revision)?;
    let migration = history.get(index);
    let total = history.migrations.len();
    let follows = match index {
        0 => "base".to_owned(),
        i => history.get(i - 1).name.clone(),
    };
    outln!("revision  {NAME}{}{NAME:#}", migration.name);
    outln!("position  {} of {total} (follows {follows})", index + 1);
    match migration.applied_at {
        Some(at) => outln!(
            "status    {APPLIED}applied{APPLIED:#} at {}",
            output::timestamp(at)
        ),
        None => outln!("status    {PENDING}pending{PENDING:#}"),
    }
    match source::find(migration_dir, &migration.name) {
        Some(path) => {
            outln!("source    {}", path.display());
            match source::doc_comment(&path)? {
                Some(doc) => {
                    outln!();
                    for line in doc.lines() {
                        outln!("    {line}");
                    }
                }
                None => outln!("{DIM}(no doc comment){DIM:#}"),
            }
        }
        None => outln!(
            "source    {MISSING}not found in {}{MISSING:#}",
            migration_dir.display()
        ),
    }
    Ok(())
}
