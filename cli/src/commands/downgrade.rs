//! `migrate downgrade [TARGET]`: revert applied migrations, or print their SQL.


use anyhow::Result;
use autogen::lifecycle::history::{DowngradeTarget, History};
use autogen::lifecycle::lock::MigrationLock;
use autogen::lifecycle::runner::{Direction, Runner};

use crate::output::{self, outln};
use super::{describe, ensure_known, execute, print_sql};

pub(super) async fn downgrade(
    runner: &Runner<'_>,
    history: &History,
    target: &str,
    sql: bool,
    lock: Option<&MigrationLock>,
) -> Result<()> {
    ensure_known(history)?;
    let target: DowngradeTarget = target.parse()?;
    let plan = history.plan_downgrade(&target)?;
    if sql {
        return print_sql(runner, history, &plan, Direction::Down).await;
    }
    if plan.is_empty() {
        outln!(
            "Already at {}; nothing to downgrade.",
            describe(history, history.current())
        );
        return Ok(());
    }
    let took = execute(runner, history, &plan, Direction::Down, lock).await?;
    let after = runner.history().await?;
    outln!(
        "Downgraded {} in {}; current revision: {}",
        output::count(plan.len(), "migration"),
        output::duration(took),
        describe(&after, after.current())
    );
    Ok(())
}
