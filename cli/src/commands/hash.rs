//! `migrate hash`: rewrite `migrations.sum` from the migration files as they are.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use autogen::lifecycle::checksum;
use autogen::lifecycle::history::History;
use autogen::lifecycle::runner::Runner;

use super::relative;
use crate::output;

pub(super) fn hash(history: &History, runner: &Runner<'_>, migration_dir: &Path) -> Result<ExitCode> {
    let path = checksum::rehash_manifest(migration_dir, &runner.names())?;
    anstream::println!(
        "Wrote {} with the checksums of {}",
        relative(&path).display(),
        output::count(history.migrations.len(), "migration")
    );
    Ok(ExitCode::SUCCESS)
}
