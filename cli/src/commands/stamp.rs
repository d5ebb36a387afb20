//! `migrate stamp REV`: record the database as being at a revision without running anything.


use anyhow::Result;
use autogen::lifecycle::history::History;
use autogen::lifecycle::runner::{Direction, Runner};

use crate::output::{self, NAME, outln};
use super::{describe, ensure_known};

/// Records the database as being at `revision`: what comes before it (and it) applied, what
/// comes after not, without running any migration.
pub(super) async fn stamp(runner: &Runner<'_>, history: &History, revision: &str) -> Result<()> {
    ensure_known(history)?;
    let upto = match revision.trim() {
        "base" => None,
        other => Some(history.resolve(other)?),
    };
    let mut changed = 0;
    for (index, migration) in history.migrations.iter().enumerate() {
        let wanted = upto.is_some_and(|upto| index <= upto);
        if wanted != migration.is_applied() {
            let direction = if wanted { Direction::Up } else { Direction::Down };
            runner.record(index, direction).await?;
            let verb = if wanted { "Recorded" } else { "Forgot" };
            outln!("{verb} {NAME}{}{NAME:#} (not run)", migration.name);
            changed += 1;
        }
    }
    let after = runner.history().await?;
    outln!(
        "Stamped {}; current revision: {}",
        output::count(changed, "migration"),
        describe(&after, after.current())
    );
    Ok(())
}
