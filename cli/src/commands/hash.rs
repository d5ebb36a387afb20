//! `migrate hash`: rewrite `migrations.sum` from the migration files as they are.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::{open_workspace, relative};
use crate::output::{self, outln};

pub(super) async fn hash(migration_dir: &Path) -> Result<ExitCode> {
    let workspace = open_workspace(migration_dir).await?;
    let path = workspace.rehash()?;
    outln!(
        "Wrote {} with the checksums of {}",
        relative(&path).display(),
        output::count(workspace.registered().len(), "migration")
    );
    Ok(ExitCode::SUCCESS)
}
