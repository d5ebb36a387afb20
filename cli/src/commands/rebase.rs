//! `migrate rebase REV`: put a migration after its sibling when two follow the same one.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use autogen::lifecycle::history::History;
use autogen::lifecycle::lineage;

use super::{open_workspace, relative};
use crate::output::{NAME, outln};

/// Re-chains a migration after its sibling.
pub(super) async fn rebase(history: &History, revision: &str, migration_dir: &Path) -> Result<ExitCode> {
    let index = history.resolve(revision)?;
    let migration = history.get(index);
    if migration.is_applied() {
        anyhow::bail!(
            "{} is applied to this database; run `migrate downgrade` past it before renaming it",
            migration.name
        );
    }
    let workspace = open_workspace(migration_dir).await?;
    let rebased = lineage::rebase(&workspace, &migration.name, chrono::Utc::now())?;
    outln!(
        "Rebased {} as {NAME}{}{NAME:#}, now following {}; wrote {} and moved its registration to the end of {}",
        migration.name,
        rebased.name,
        rebased.follows,
        relative(&rebased.path).display(),
        relative(&autogen::lifecycle::source::registry_file(migration_dir)).display()
    );
    Ok(ExitCode::SUCCESS)
}
