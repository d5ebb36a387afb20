//! `migrate lint [REV]`: the lock hazards of migrations, found in the SQL they send (what
//! `upgrade --sql` prints), judged against the database's current schema. Exit 1 when there are
//! any.

use std::process::ExitCode;

use anyhow::Result;
use autogen::lifecycle::history::History;
use autogen::lifecycle::lint::{Hazard, lint as lint_statements};
use autogen::lifecycle::runner::{Direction, Runner};
use autogen::pipeline::compare::CompareOptions;
use autogen::pipeline::inspect::inspect;
use autogen::pipeline::safety::alternative;
use sea_orm_migration::sea_orm::DatabaseConnection;

use crate::Format;
use crate::output::{self, APPLIED, DIM, MISSING, NAME, outln};

pub(super) async fn lint(
    db: &DatabaseConnection,
    runner: &Runner<'_>,
    history: &History,
    revision: Option<&str>,
    options: &CompareOptions,
    format: Format,
) -> Result<ExitCode> {
    let targets: Vec<usize> = match revision {
        Some(revision) => vec![history.resolve(revision)?],
        None => history.pending(),
    };
    let backend = db.get_database_backend();
    let current = inspect(db, &options.inspect).await?;
    let mut found: Vec<(String, Vec<String>, Vec<Hazard>)> = Vec::new();
    for index in targets {
        let statements = runner.preview(index, Direction::Up).await?;
        let hazards = lint_statements(&statements, backend, Some(&current));
        found.push((history.get(index).name.clone(), statements, hazards));
    }
    let total: usize = found.iter().map(|(_, _, h)| h.len()).sum();
    match format {
        Format::Json => {
            let migrations: Vec<serde_json::Value> = found
                .iter()
                .map(|(name, statements, hazards)| {
                    let hazards: Vec<serde_json::Value> = hazards
                        .iter()
                        .map(|h| {
                            serde_json::json!({
                                "code": h.finding.code,
                                "message": h.finding.message,
                                "statement": statements[h.statement],
                                "safe": alternative(h.finding.code),
                            })
                        })
                        .collect();
                    serde_json::json!({ "migration": name, "hazards": hazards })
                })
                .collect();
            outln!("{}", serde_json::json!({ "migrations": migrations }));
        }
        Format::Text if found.is_empty() => outln!("No pending migration to lint (name one: `migrate lint REV`)."),
        Format::Text => {
            for (name, statements, hazards) in &found {
                if hazards.is_empty() {
                    outln!("{NAME}{name}{NAME:#}: {APPLIED}no hazards{APPLIED:#}");
                    continue;
                }
                outln!("{NAME}{name}{NAME:#}: {MISSING}{}{MISSING:#}", output::count(hazards.len(), "hazard"));
                for hazard in hazards {
                    outln!("  {} {}", hazard.finding.code, hazard.finding.message);
                    outln!("{DIM}      at: {}{DIM:#}", statements[hazard.statement].replace('\n', " "));
                    if let Some(safe) = alternative(hazard.finding.code) {
                        outln!("{DIM}      safe: {safe}{DIM:#}");
                    }
                }
            }
        }
    }
    Ok(if total == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
