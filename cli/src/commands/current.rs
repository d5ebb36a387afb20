//! `migrate current`: the current revision.


use anyhow::Result;
use autogen::lifecycle::history::History;

use crate::output::{self, DIM, NAME, PENDING, outln};
use super::{describe, warn_unknown};

pub(super) fn current(history: &History, verbose: bool) -> Result<()> {
    warn_unknown(history);
    match history.current() {
        None => outln!("base {DIM}(no migration applied){DIM:#}"),
        Some(i) => {
            outln!("{NAME}{}{NAME:#}", describe(history, Some(i)));
            if verbose {
                let applied_at = history.get(i).applied_at.expect("current is applied");
                outln!("  applied at {}", output::timestamp(applied_at));
            }
        }
    }
    let pending = history.pending().len();
    if pending > 0 {
        outln!("{PENDING}{} pending{PENDING:#}", output::count(pending, "migration"));
    }
    Ok(())
}
