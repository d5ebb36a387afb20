//! `migrate show REV`: one migration in detail.

use std::path::Path;

use anyhow::Result;
use autogen::lifecycle::history::History;
use autogen::lifecycle::source;

use crate::output::{self, APPLIED, DIM, MISSING, NAME, PENDING};

pub(super) fn show(history: &History, revision: &str, migration_dir: &Path) -> Result<()> {
    let index = history.resolve(revision)?;
    let migration = history.get(index);
    let total = history.migrations.len();
    let follows = match index {
        0 => "base".to_owned(),
        i => history.get(i - 1).name.clone(),
    };
    anstream::println!("revision  {NAME}{}{NAME:#}", migration.name);
    anstream::println!("position  {} of {total} (follows {follows})", index + 1);
    match migration.applied_at {
        Some(at) => anstream::println!(
            "status    {APPLIED}applied{APPLIED:#} at {}",
            output::timestamp(at)
        ),
        None => anstream::println!("status    {PENDING}pending{PENDING:#}"),
    }
    match source::find(migration_dir, &migration.name) {
        Some(path) => {
            anstream::println!("source    {}", path.display());
            match source::doc_comment(&path)? {
                Some(doc) => {
                    anstream::println!();
                    for line in doc.lines() {
                        anstream::println!("    {line}");
                    }
                }
                None => anstream::println!("{DIM}(no doc comment){DIM:#}"),
            }
        }
        None => anstream::println!(
            "source    {MISSING}not found in {}{MISSING:#}",
            migration_dir.display()
        ),
    }
    Ok(())
}
