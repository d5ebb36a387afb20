//! `migrate check`: exit 1 when the entities and the database differ, showing how (`--replay`,
//! which builds a scratch database from the migrations to compare instead, is in `replay`).

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use autogen::lifecycle::lint::Hazard;
use autogen::pipeline::compare::{CompareOptions, Comparison, RegisterEntities, compare_timed};
use autogen::pipeline::diff::Change;
use autogen::pipeline::generate::{self, GenerateOptions};
use autogen::pipeline::plan::PlanOptions;
use sea_orm_migration::sea_orm::DbBackend;
use autogen::pipeline::safety::classify;
use autogen::pipeline::render::review;
use sea_orm_migration::sea_orm::DatabaseConnection;
use autogen::lifecycle::history::History;
use autogen::lifecycle::lineage;

use crate::output::{self, NAME, Stages, outln};

use crate::Format;
use super::{add_compare_stages, colored, print_unmanaged};

/// `check --format json` when it stops before comparing, on lineage conflicts or integrity
/// problems (each also on stderr): they, and no change.
pub(super) fn stopped(format: Format, history: &History, conflicts: &[lineage::Conflict], problems: &[String]) {
    if format == Format::Json {
        let conflicts: Vec<String> = conflicts.iter().map(ToString::to_string).collect();
        outln!(
            "{}",
            serde_json::json!({
                "pending_migrations": history.pending().len(),
                "changes": [],
                "conflicts": conflicts,
                "integrity": problems,
            })
        );
    }
}

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
    super::ensure_entities(&comparison)?;
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
            for line in only_in_database(changes) {
                outln!("{line}");
            }
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

/// What exists only in the database, grouped by kind ("27 indexes and 17 defaults exist only in
/// the database"), then for each kind how to declare it or leave it alone: what a project that
/// adopts the engine finds first, read as a whole before the list of changes. Empty when the
/// changes drop nothing the entities leave out.
pub(super) fn only_in_database(changes: &[Change]) -> Vec<String> {
    // (noun, how many, how to declare it or leave it alone), in the order printed.
    let mut kinds: [(&str, usize, &str); 9] = [
        ("table", 0, "an entity for it, or `exclude_tables` in autogen.toml (--exclude-table) to leave it alone"),
        ("column", 0, "a field in its entity"),
        ("unique index", 0, "`#[sea_orm(unique)]` on the field, `unique_key` on several, or `pub fn indexes()` in the entity's module"),
        ("index", 0, "`#[sea_orm(indexed)]` on the field, or `pub fn indexes()` in the entity's module"),
        ("default", 0, "`#[sea_orm(default_value = ...)]` (or `default_expr`) on the field"),
        ("foreign key", 0, "a `belongs_to` relation in the entity"),
        ("check", 0, "`pub fn checks()` in the entity's module, or leave `checks` out of `manage`"),
        ("trigger", 0, "leave `triggers` out of `manage` to leave them alone"),
        ("view", 0, "leave `views` out of `manage` to leave them alone"),
    ];
    let mut add = |noun: &str| {
        if let Some(kind) = kinds.iter_mut().find(|k| k.0 == noun) {
            kind.1 += 1;
        }
    };
    for change in changes {
        match change {
            Change::DropTable(_) => add("table"),
            Change::DropColumn { .. } => add("column"),
            Change::DropIndex { index, .. } if index.unique => add("unique index"),
            Change::DropIndex { .. } => add("index"),
            Change::AlterColumn { current, desired, .. } if current.default.is_some() && desired.default.is_none() => {
                add("default")
            }
            Change::DropForeignKey { .. } => add("foreign key"),
            Change::DropCheck { .. } => add("check"),
            Change::DropTrigger { .. } => add("trigger"),
            Change::DropView(_) => add("view"),
            _ => {}
        }
    }
    let found: Vec<&(&str, usize, &str)> = kinds.iter().filter(|k| k.1 > 0).collect();
    if found.is_empty() {
        return Vec::new();
    }
    let counts: Vec<String> = found
        .iter()
        .map(|(noun, n, _)| match (*noun, *n) {
            ("index", n) if n != 1 => format!("{n} indexes"),
            ("unique index", n) if n != 1 => format!("{n} unique indexes"),
            (noun, n) => output::count(n, noun),
        })
        .collect();
    let listed = match counts.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    };
    let verb = if found.len() == 1 && found[0].1 == 1 { "exists" } else { "exist" };
    let mut lines = vec![format!(
        "{listed} {verb} only in the database: the entities do not declare them, so a migration would drop them (each drop has its code below). To keep them, declare them:"
    )];
    for (noun, _, how) in found {
        lines.push(format!("  - {noun}: {how}"));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use autogen::pipeline::schema::{Column, ColumnType, Default, Index};

    #[test]
    fn what_exists_only_in_the_database_is_counted_by_kind() {
        let index = |unique| Change::DropIndex { table: "t".into(), index: Index::on_columns(&["c"], unique) };
        let column = |default: Option<Default>| Column { default, ..Column::new("c", ColumnType::Integer) };
        let default = Change::AlterColumn {
            table: "t".into(),
            current: column(Some(Default::Number("0".into()))),
            desired: column(None),
        };
        let lines = only_in_database(&[index(false), index(false), index(true), default.clone(), default]);
        assert_eq!(
            lines[0],
            "1 unique index, 2 indexes and 2 defaults exist only in the database: the entities do not declare them, so a migration would drop them (each drop has its code below). To keep them, declare them:"
        );
        assert_eq!(lines.len(), 4);
        assert!(lines[3].contains("default_value"), "{lines:?}");
        assert!(only_in_database(&[]).is_empty());
    }
}
