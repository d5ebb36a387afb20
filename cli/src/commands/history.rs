//! `migrate history`: every migration, oldest first, applied or pending.

use std::path::Path;

use anyhow::Result;
use autogen::lifecycle::history::History;
use autogen::lifecycle::source;

use crate::output::{self, APPLIED, DIM, NAME, PENDING, outln};
use super::{warn_unknown};

pub(super) fn list(history: &History, verbose: bool, migration_dir: &Path) -> Result<()> {
    warn_unknown(history);
    let current = history.current();
    let last = history.migrations.len().checked_sub(1);
    for (i, migration) in history.migrations.iter().enumerate() {
        let (style, status) = if migration.is_applied() {
            (APPLIED, "applied")
        } else {
            (PENDING, "pending")
        };
        let mut marks = Vec::new();
        if Some(i) == current {
            marks.push("current");
        }
        if Some(i) == last {
            marks.push("head");
        }
        let marks = if marks.is_empty() {
            String::new()
        } else {
            format!(" ({})", marks.join(", "))
        };
        let pointer = if Some(i) == current { ">" } else { " " };
        outln!(
            "{pointer} {style}{status}{style:#}  {NAME}{}{NAME:#}{marks}",
            migration.name
        );
        if verbose {
            if let Some(at) = migration.applied_at {
                outln!("{DIM}             applied at {}{DIM:#}", output::timestamp(at));
            }
            let doc = source::find(migration_dir, &migration.name)
                .and_then(|path| source::doc_comment(&path).ok().flatten());
            if let Some(doc) = doc {
                // The first paragraph, on one line.
                let summary = doc
                    .split("\n\n")
                    .next()
                    .unwrap_or_default()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                outln!("{DIM}             {summary}{DIM:#}");
            }
        }
    }
    let applied = history.applied().len();
    outln!(
        "{}: {} applied, {} pending",
        output::count(history.migrations.len(), "migration"),
        applied,
        history.migrations.len() - applied
    );
    Ok(())
}
