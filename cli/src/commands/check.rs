//! `migrate check`: exit 1 when the entities and the database differ (or, with `--replay`, the
//! entities and a scratch database built from the migrations), showing how.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use autogen::pipeline::compare::{RegisterEntities, compare, compare_timed};
use autogen::database::{self, DatabaseUrl};
use autogen::pipeline::diff::Change;
use autogen::pipeline::inspect::InspectOptions;
use autogen::pipeline::safety::classify;
use autogen::pipeline::render::review;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use autogen::lifecycle::history::{History, UpgradeTarget};
use autogen::lifecycle::runner::{Direction, Runner};

use crate::output::{self, DIM, NAME, Stages, errln, outln};
use sea_orm_migration::MigratorTrait;

use crate::Format;
use super::{add_compare_stages, colored};

pub(super) async fn check(
    db: &DatabaseConnection,
    history: &History,
    register: RegisterEntities,
    options: &InspectOptions,
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
    let code = report(&comparison.changes, format);
    stages.add("report", start.elapsed());
    Ok(code)
}

/// Prints what `check` found; exit 0 when nothing, 1 otherwise.
pub(super) fn report(changes: &[Change], format: Format) -> ExitCode {
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
                serde_json::json!({ "pending_migrations": 0, "changes": changes, "findings": findings })
            );
        }
        Format::Text if changes.is_empty() => {
            outln!("No changes: the entities and the database agree.");
        }
        Format::Text => {
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
            outln!("Run `migrate create \"message\"` to write a migration for them.");
        }
    }
    if changes.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// `check --replay`: applies every migration to a scratch database of the same backend and
/// compares that with the entities. The scratch database is always dropped.
pub(super) async fn replay<M: MigratorTrait>(
    url: &DatabaseUrl,
    register: RegisterEntities,
    options: &InspectOptions,
    format: Format,
) -> Result<ExitCode> {
    let scratch_name = format!(
        "autogen_replay_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    );
    let admin_url = match url.backend() {
        DbBackend::Postgres => Some(url.with_database("postgres")),
        DbBackend::MySql => Some(url.with_database("")),
        _ => None,
    };
    let admin = match &admin_url {
        Some(admin_url) => {
            let admin = database::connect(admin_url).await?;
            admin
                .execute_unprepared(&format!("CREATE DATABASE {}", quoted(url.backend(), &scratch_name)))
                .await
                .context("cannot create the scratch database")?;
            Some(admin)
        }
        None => None,
    };
    let scratch_url = url.with_database(&scratch_name);
    errln!("{DIM}replaying migrations on scratch database {}{DIM:#}", scratch_url.masked());
    let result = async {
        let scratch = database::connect(&scratch_url).await?;
        let runner = Runner::new::<M>(&scratch);
        let history = runner.history().await?;
        for index in history.plan_upgrade(&UpgradeTarget::Head)? {
            runner.run(index, Direction::Up).await?;
        }
        let comparison = compare(&scratch, register, options).await?;
        scratch.close().await.ok();
        anyhow::Ok(comparison)
    }
    .await;
    if let Some(admin) = admin {
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {}", quoted(url.backend(), &scratch_name)))
            .await
            .context("cannot drop the scratch database")?;
        admin.close().await.ok();
    }
    Ok(report(&result?.changes, format))
}

pub(super) fn quoted(backend: DbBackend, name: &str) -> String {
    match backend {
        DbBackend::MySql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    }
}
