//! `migrate check`: exit 1 when the entities and the database differ, showing how (`--replay`,
//! which builds a scratch database from the migrations to compare instead, is in `replay`).

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use autogen::lifecycle::lint::Hazard;
use autogen::pipeline::compare::{CompareOptions, Comparison, RegisterEntities, compare_timed};
use autogen::pipeline::generate::{self, GenerateOptions};
use autogen::pipeline::plan::PlanOptions;
use sea_orm_migration::sea_orm::DbBackend;
use autogen::pipeline::safety::classify;
use autogen::pipeline::render::review;
use sea_orm_migration::sea_orm::DatabaseConnection;
use autogen::lifecycle::history::History;

use crate::output::{self, NAME, Stages, outln};

use crate::Format;
use super::{add_compare_stages, colored, print_unmanaged};

pub(super) async fn check(
    db: &DatabaseConnection,
    history: &History,
    register: RegisterEntities,
    options: &CompareOptions,
    format: Format,
    stages: &mut Stages,
) -> Result<ExitCode> {
    let pending = history.pending().len();
    if pending > 0 {
        match format {
            Format::Json => outln!(
                "{}",
                serde_json::json!({ "pending_migrations": pending, "changes": [] })
            ),
            Format::Text => outln!(
                "The database has {}; run `migrate upgrade` first.",
                output::count(pending, "pending migration")
            ),
        }
        return Ok(ExitCode::from(1));
    }
    let (comparison, timings) = compare_timed(db, register, options).await?;
    add_compare_stages(stages, &timings);
    let start = Instant::now();
    let hazards = hazards(&comparison, register, options, db.get_database_backend());
    let code = report(&comparison, &hazards, format);
    stages.add("report", start.elapsed());
    Ok(code)
}

/// The lock hazards of the migration `create` would write for these differences (its online
/// plan); none when it could not be planned (the error shows when `create` runs).
pub(super) fn hazards(
    comparison: &Comparison,
    register: RegisterEntities,
    options: &CompareOptions,
    backend: DbBackend,
) -> Vec<Hazard> {
    if comparison.changes.is_empty() {
        return Vec::new();
    }
    let plan = PlanOptions::default();
    let generate_options =
        GenerateOptions { register, backends: &[], plan: &plan, compare: options, online: true };
    generate::hazards(comparison, &generate_options, backend, backend, super::create::DEFAULT_LOCK_TIMEOUT_MS)
        .unwrap_or_default()
}

/// Prints what `check` found; exit 0 when nothing, 1 otherwise. What the entities do not manage
/// is listed once and does not count.
pub(super) fn report(comparison: &Comparison, hazards: &[Hazard], format: Format) -> ExitCode {
    let (changes, unmanaged) = (&comparison.changes, &comparison.unmanaged);
    match format {
        Format::Json => {
            let findings: Vec<serde_json::Value> = changes
                .iter()
                .enumerate()
                .flat_map(|(index, change)| {
                    classify(change).into_iter().map(move |f| {
                        serde_json::json!({ "change": index, "code": f.code, "class": f.class, "message": f.message })
                    })
                })
                .collect();
            outln!(
                "{}",
                serde_json::json!({ "pending_migrations": 0, "changes": changes, "findings": findings, "unmanaged": unmanaged, "hazards": hazards })
            );
        }
        Format::Text if changes.is_empty() => {
            print_unmanaged(unmanaged);
            outln!("No changes: the entities and the database agree.");
        }
        Format::Text => {
            print_unmanaged(unmanaged);
            outln!(
                "{} between the entities and the database:",
                output::count(changes.len(), "difference")
            );
            for line in review::review(changes).lines() {
                let trimmed = line.trim_start();
                if trimmed.starts_with(['+', '-', '~']) {
                    let indent = &line[..line.len() - trimmed.len()];
                    outln!("{indent}{}", colored(trimmed));
                } else {
                    outln!("{NAME}{line}{NAME:#}");
                }
            }
            if !hazards.is_empty() {
                outln!("Lock hazards of the migration `create` would write (its online plan):");
                for hazard in hazards {
                    outln!("  {} {}", hazard.finding.code, hazard.finding.message);
                }
            }
            outln!("Run `migrate create \"message\"` to write a migration for them.");
        }
    }
    if changes.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
