//! `migrate upgrade [TARGET]`: apply pending migrations, or print their SQL.


use anyhow::Result;
use autogen::lifecycle::history::{History, UpgradeTarget};
use autogen::lifecycle::lock::MigrationLock;
use autogen::lifecycle::runner::{Direction, Runner};

use crate::output::{self, outln};
use super::{describe, ensure_known, execute, print_sql};

pub(super) async fn upgrade(
    runner: &Runner<'_>,
    history: &History,
    target: &str,
    sql: bool,
    lock: Option<&MigrationLock>,
) -> Result<()> {
    ensure_known(history)?;
    let target: UpgradeTarget = target.parse()?;
    let plan = history.plan_upgrade(&target)?;
    if sql {
        return print_sql(runner, history, &plan, Direction::Up).await;
    }
    if plan.is_empty() {
        let at = describe(history, history.current());
        match target {
            UpgradeTarget::Revision(_) => outln!("Already at {at}; nothing to upgrade."),
            _ => outln!("Already at head: {at}; nothing to upgrade."),
        }
        return Ok(());
    }
    let took = execute(runner, history, &plan, Direction::Up, lock).await?;
    let after = runner.history().await?;
    outln!(
        "Upgraded {} in {}; current revision: {}",
        output::count(plan.len(), "migration"),
        output::duration(took),
        describe(&after, after.current())
    );
    Ok(())
}
