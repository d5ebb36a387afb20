//! `migrate create`: compare the entities with the database and write a migration module.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use autogen::pipeline::compare::{CompareOptions, RegisterEntities, compare_timed, compare_with};
use autogen::pipeline::schema::Schema;
use autogen::pipeline::diff::Change;
use autogen::pipeline::generate;
use autogen::pipeline::plan::PlanOptions;
use autogen::pipeline::safety::{classify, destructive, warnings};
use autogen::pipeline::render::review;
use autogen::pipeline::render::rust::RenderOptions;
use sea_orm_migration::sea_orm::{DatabaseConnection, DbBackend};
use autogen::lifecycle::history::History;

use crate::output::{self, DIM, MISSING, NAME, Stages, errln, outln};
use super::{add_compare_stages, colored, ensure_entities, ensure_no_pending, open_workspace, print_unmanaged, relative};

/// What `create` was asked to write.
pub(super) struct CreateRequest<'a> {
    pub(super) message: &'a str,
    pub(super) empty: bool,
    pub(super) initial: bool,
    pub(super) allow_destructive: bool,
    pub(super) backfills: &'a [String],
    pub(super) migration_dir: &'a Path,
    /// Print the new migration's SQL for this backend, and write nothing.
    pub(super) preview: Option<DbBackend>,
    /// Write the online plan (PostgreSQL and MySQL) rather than plain DDL.
    pub(super) online: bool,
    /// The backends the module must run on (`backends` in autogen.toml); empty: the database's.
    pub(super) backends: &'a [DbBackend],
}

/// Parses `--backfill TABLE.COLUMN=EXPR` values and checks each names a new NOT NULL column.
pub(super) fn parse_backfills(values: &[String], changes: &[Change]) -> Result<PlanOptions> {
    let mut options = PlanOptions::default();
    for value in values {
        let (target, expr) = value
            .split_once('=')
            .filter(|(_, expr)| !expr.trim().is_empty())
            .ok_or_else(|| anyhow::anyhow!("--backfill `{value}`: expected TABLE.COLUMN=EXPR"))?;
        let (table, column) = target
            .trim()
            .split_once('.')
            .ok_or_else(|| anyhow::anyhow!("--backfill `{value}`: expected TABLE.COLUMN=EXPR"))?;
        let known = changes.iter().any(|c| {
            matches!(c, Change::AddColumn { table: t, column: col } if t == table && col.name == column && !col.nullable)
        });
        if !known {
            anyhow::bail!("--backfill `{value}`: {table}.{column} is not a new NOT NULL column of this migration");
        }
        options.backfills.insert((table.to_owned(), column.to_owned()), expr.trim().to_owned());
    }
    Ok(options)
}

pub(super) fn warn_dropped_tables(changes: &[Change]) {
    for change in changes {
        if let Change::DropTable(table) = change {
            errln!(
                "{MISSING}warning:{MISSING:#} table {} has no entity: the migration drops it (is its entity's module `pub`?)",
                table.name
            );
        }
    }
}

pub(super) async fn create(
    db: &DatabaseConnection,
    history: &History,
    register: RegisterEntities,
    options: &CompareOptions,
    request: CreateRequest<'_>,
    stages: &mut Stages,
) -> Result<ExitCode> {
    let message = autogen::pipeline::write::clean_message(request.message);
    if message.is_empty() {
        anyhow::bail!("the message is empty once made one line of plain text");
    }
    if request.initial && !history.migrations.is_empty() {
        anyhow::bail!(
            "create --initial writes the first migration, and this project has {} already",
            output::count(history.migrations.len(), "migration")
        );
    }
    ensure_no_pending(history, "create")?;
    // Everything is checked, and the folder locked against other writers, before any work; a
    // preview writes nothing, so it needs neither.
    let workspace = match request.preview {
        Some(_) => None,
        None => Some(open_workspace(request.migration_dir).await?),
    };
    let backend = db.get_database_backend();
    if !request.backends.is_empty() && !request.backends.contains(&backend) {
        anyhow::bail!(
            "the database is {}, which `backends` in the configuration does not list; compare against a database of a listed backend",
            super::backend_label(backend)
        );
    }
    let mut render_options = RenderOptions {
        // What lib.rs registers last, read under the lock: another `create` may have just added it.
        follows: match &workspace {
            Some(workspace) => workspace.registered().last().cloned(),
            None => history.migrations.last().map(|m| m.name.clone()),
        },
        ..RenderOptions::new(message.clone(), backend)
    };
    let source = if request.empty {
        autogen::pipeline::render::rust::empty_module(&render_options)
    } else {
        let comparison = if request.initial {
            compare_with(Schema::default(), register, backend, options)?
        } else {
            let (comparison, timings) = compare_timed(db, register, options).await?;
            add_compare_stages(stages, &timings);
            comparison
        };
        ensure_entities(&comparison)?;
        let mut lap = Instant::now();
        if comparison.changes.is_empty() {
            outln!("No changes: the entities and the database agree. Nothing written.");
            return Ok(ExitCode::SUCCESS);
        }
        warn_dropped_tables(&comparison.changes);
        for line in super::check::only_in_database(&comparison.changes) {
            errln!("{MISSING}note:{MISSING:#} {line}");
        }
        let summary: Vec<String> = comparison.changes.iter().map(review::summary_with_codes).collect();
        outln!("Detected {}:", output::count(summary.len(), "change"));
        for line in &summary {
            outln!("  {}", colored(line));
        }
        print_unmanaged(&comparison.unmanaged);
        let plan_options = parse_backfills(request.backfills, &comparison.changes)?;
        if !refuse_unsafe(&comparison.changes, &plan_options, request.allow_destructive) {
            return Ok(ExitCode::from(1));
        }
        render_options.warnings = warnings(&comparison.changes)
            .iter()
            .map(|f| format!("{} {}", f.code, f.message))
            .collect();
        render_options.unmanaged = comparison.unmanaged.iter().map(|u| u.description.clone()).collect();
        let generate_options = generate::GenerateOptions {
            register,
            backends: request.backends,
            plan: &plan_options,
            compare: options,
            online: request.online,
        };
        if request.online {
            render_options.lock_timeout_ms = DEFAULT_LOCK_TIMEOUT_MS;
            render_options.lock_retries = DEFAULT_LOCK_RETRIES;
        }
        let hazards = generate::hazards(&comparison, &generate_options, backend, backend, render_options.lock_timeout_ms)?;
        print_hazards(&hazards, request.online);
        render_options.warnings.extend(hazards.iter().map(|h| format!("{} {}", h.finding.code, h.finding.message)));
        if let Some(target) = request.preview {
            outln!("{DIM}-- SQL of `up` on {target:?}{DIM:#}");
            for statement in generate::preview(&comparison, &generate_options, target, backend)? {
                if statement.starts_with("--") {
                    outln!("{statement}");
                } else {
                    outln!("{statement};");
                }
            }
            errln!("{DIM}a preview: nothing written{DIM:#}");
            return Ok(ExitCode::SUCCESS);
        }
        let source = generate::generate(&comparison, &generate_options, &summary, &render_options)?;
        stages.lap("plan+render", &mut lap);
        source
    };
    let Some(workspace) = workspace else {
        anyhow::bail!("create --sql previews a migration computed from the entities; with --empty there is nothing to preview");
    };
    let mut lap = Instant::now();
    let name = workspace.new_module_name(chrono::Utc::now(), &message);
    let path = workspace.add(&name, &source)?;
    stages.lap("write", &mut lap);
    outln!(
        "Wrote {NAME}{}{NAME:#} and registered it in {}",
        relative(&path).display(),
        relative(&autogen::lifecycle::source::registry_file(request.migration_dir)).display()
    );
    Ok(ExitCode::SUCCESS)
}

/// How long an online plan's statements wait for a lock before they give up and retry.
pub(super) const DEFAULT_LOCK_TIMEOUT_MS: u32 = 2000;

/// How many times an online plan's transaction is retried after a lock timeout.
pub(super) const DEFAULT_LOCK_RETRIES: u32 = 5;

/// Lists the lock hazards of the migration, each with its safe alternative.
pub(super) fn print_hazards(hazards: &[autogen::lifecycle::lint::Hazard], online: bool) {
    if hazards.is_empty() {
        return;
    }
    let plan = if online { "its online plan" } else { "its plain DDL" };
    errln!("{MISSING}Lock hazards{MISSING:#} ({plan} still blocks writers here):");
    for hazard in hazards {
        errln!("  {} {}", hazard.finding.code, hazard.finding.message);
        if let Some(alternative) = autogen::pipeline::safety::alternative(hazard.finding.code) {
            errln!("{DIM}        safe: {alternative}{DIM:#}");
        }
    }
}

/// Explains why `create` will not write this migration as it stands; `true` when it may.
pub(super) fn refuse_unsafe(changes: &[Change], options: &PlanOptions, allow_destructive: bool) -> bool {
    let mut allowed = true;
    let losses = destructive(changes);
    if !losses.is_empty() && !allow_destructive {
        errln!("{MISSING}Refusing to write a migration that destroys data:{MISSING:#}");
        for finding in &losses {
            errln!("  {} {}", finding.code, finding.message);
        }
        errln!("Pass --allow-destructive to write it anyway; its module will open with a warning.");
        allowed = false;
    }
    for change in changes {
        let Change::AddColumn { table, column } = change else { continue };
        let needs_fill = classify(change).iter().any(|f| f.code == "MF101");
        if needs_fill && !options.backfills.contains_key(&(table.clone(), column.name.clone())) {
            errln!(
                "{MISSING}{table}.{} is new, NOT NULL and has no default:{MISSING:#} rows already in {table} would have no value for it (MF101). Either",
                column.name
            );
            errln!("  - give it a default in the entity (`default_value = ...`) or make it an `Option`, or");
            errln!(
                "  - pass --backfill {table}.{}=EXPR: the column is added nullable, existing rows get EXPR, then NOT NULL is set.",
                column.name
            );
            allowed = false;
        }
    }
    if !allowed {
        errln!("Nothing written.");
    }
    allowed
}
