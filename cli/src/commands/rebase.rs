//! `migrate rebase REV`: put a migration after its sibling when two follow the same one.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use autogen::lifecycle::checksum;
use autogen::lifecycle::lineage;
use autogen::lifecycle::history::History;

use crate::output::NAME;
use super::{relative};

/// Re-chains a migration after its sibling.
pub(super) fn rebase(history: &History, revision: &str, migration_dir: &Path) -> Result<ExitCode> {
    let index = history.resolve(revision)?;
    let migration = history.get(index);
    if migration.is_applied() {
        anyhow::bail!(
            "{} is applied to this database; run `migrate downgrade` past it before renaming it",
            migration.name
        );
    }
    let names: Vec<String> = history.migrations.iter().map(|m| m.name.clone()).collect();
    let rebased = lineage::rebase(migration_dir, &names, &migration.name, chrono::Utc::now())?;
    let mut order: Vec<String> = names.into_iter().filter(|n| *n != migration.name).collect();
    order.push(rebased.name.clone());
    checksum::update_manifest(migration_dir, &order)?;
    anstream::println!(
        "Rebased {} as {NAME}{}{NAME:#}, now following {}; wrote {} and moved its registration to the end of lib.rs",
        migration.name,
        rebased.name,
        rebased.follows,
        relative(&rebased.path).display()
    );
    Ok(ExitCode::SUCCESS)
}
