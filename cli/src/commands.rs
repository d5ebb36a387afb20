//! What each subcommand does, on top of the engine.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use autogen::compare::{CompareTimings, RegisterEntities, compare, compare_timed, compare_with};
use autogen::schema::Schema;
use autogen::database::{self, DEFAULT_SQLITE_URL, DatabaseUrl};
use autogen::diff::Change;
use autogen::inspect::InspectOptions;
use autogen::checksum;
use autogen::lineage;
use autogen::lock::MigrationLock;
use autogen::plan::{PlanOptions, plan_with};
use autogen::safety::{classify, destructive};
use autogen::render::review;
use autogen::render::rust::RenderOptions;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use autogen::history::{DowngradeTarget, History, UpgradeTarget};
use autogen::runner::{Direction, Runner};
use autogen::source;
use sea_orm_migration::MigratorTrait;

use crate::output::{self, APPLIED, DIM, MISSING, NAME, PENDING, Stages};
use crate::{Backend, Cli, Command, Format, Project};

/// Where the database URL came from, shown next to it.
fn resolve_url(flag: Option<String>) -> Result<(String, &'static str)> {
    if let Some(url) = flag {
        return Ok((url, "--database-url"));
    }
    if let Ok(url) = std::env::var("DATABASE_URL")
        && !url.trim().is_empty()
    {
        return Ok((url, "DATABASE_URL"));
    }
    let dotenv = Path::new(".env");
    if dotenv.is_file() {
        let entries = dotenvy::from_path_iter(dotenv).context("cannot read .env")?;
        for entry in entries {
            let (key, value) = entry.context("cannot read .env")?;
            if key == "DATABASE_URL" && !value.trim().is_empty() {
                return Ok((value, ".env"));
            }
        }
    }
    Ok((DEFAULT_SQLITE_URL.to_owned(), "default"))
}

pub async fn run<M: MigratorTrait>(cli: Cli, project: Project) -> Result<ExitCode> {
    let began = Instant::now();
    let mut stages = Stages::new(cli.timings);
    let result = run_command::<M>(cli, project, &mut stages).await;
    if let Some(line) = stages.line(began.elapsed()) {
        anstream::eprintln!("{DIM}{line}{DIM:#}");
    }
    result
}

async fn run_command<M: MigratorTrait>(cli: Cli, project: Project, stages: &mut Stages) -> Result<ExitCode> {
    let (raw_url, origin) = resolve_url(cli.database_url)?;
    let url = DatabaseUrl::parse(&raw_url)?;
    anstream::eprintln!("{DIM}database:{DIM:#} {} {DIM}({origin}){DIM:#}", url.masked());
    let migration_dir = cli
        .migration_dir
        .or_else(|| std::env::var_os("MIGRATION_DIR").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(project.migration_dir));
    let inspect_options = InspectOptions { schema: cli.schema, ..InspectOptions::default() };
    if let Command::Check { replay: true, format } = cli.command {
        return replay::<M>(&url, project.register_entities, &inspect_options, format).await;
    }

    let mut lap = Instant::now();
    let mut db = database::connect(&url).await?;
    stages.lap("connect", &mut lap);
    let failures = database::log_failures(&mut db);
    let runner = Runner::new::<M>(&db).with_failure_log(failures).with_sources(&migration_dir);
    let history = runner.history().await?;
    stages.lap("history", &mut lap);
    // Reads every migration source; only the commands that report conflicts ask for it.
    let conflicts = || {
        let names = runner.names();
        lineage::conflicts(&names, &lineage::parents(&migration_dir, &names))
    };
    let result = match cli.command {
        Command::Current { verbose } => current(&history, verbose).map(|()| ExitCode::SUCCESS),
        Command::History { verbose } => {
            warn_conflicts(&conflicts());
            list(&history, verbose, &migration_dir).map(|()| ExitCode::SUCCESS)
        }
        Command::Rebase { revision } => rebase(&history, &revision, &migration_dir),
        Command::Hash => {
            let path = checksum::rehash_manifest(&migration_dir, &runner.names())?;
            anstream::println!(
                "Wrote {} with the checksums of {}",
                relative(&path).display(),
                output::count(history.migrations.len(), "migration")
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Show { revision } => {
            show(&history, &revision, &migration_dir).map(|()| ExitCode::SUCCESS)
        }
        // Under the lock, the history is read again: a process that waited finds what the
        // other one did.
        Command::Upgrade { target, sql } => {
            if let Some(conflict) = conflicts().first() {
                anyhow::bail!("{conflict}");
            }
            if let Some(edited) = edited_after_applying(&history, &migration_dir).first() {
                anyhow::bail!("{edited}; a migration that ran must not change: restore it and add a new migration instead");
            }
            let lock = lock_unless(sql, &url).await?;
            let history = if lock.is_some() { runner.history().await? } else { history };
            unlock(lock, upgrade(&runner, &history, &target, sql).await).await
        }
        Command::Downgrade { target, sql } => {
            let lock = lock_unless(sql, &url).await?;
            let history = if lock.is_some() { runner.history().await? } else { history };
            unlock(lock, downgrade(&runner, &history, &target, sql).await).await
        }
        Command::Stamp { revision } => {
            let lock = lock_unless(false, &url).await?;
            let history = runner.history().await?;
            unlock(lock, stamp(&runner, &history, &revision).await).await
        }
        Command::Create { message, empty, initial, allow_destructive, backfill, sql, backend } => {
            let preview = sql.then(|| match backend {
                Some(Backend::Postgres) => DbBackend::Postgres,
                Some(Backend::Mysql) => DbBackend::MySql,
                Some(Backend::Sqlite) => DbBackend::Sqlite,
                None => db.get_database_backend(),
            });
            let request = CreateRequest {
                message: &message,
                empty,
                initial,
                allow_destructive,
                backfills: &backfill,
                migration_dir: &migration_dir,
                preview,
            };
            create(&db, &history, project.register_entities, &inspect_options, request, stages).await
        }
        Command::Check { format, .. } => {
            let conflicts = conflicts();
            let problems = integrity(&history, &migration_dir)?;
            warn_conflicts(&conflicts);
            for problem in &problems {
                anstream::eprintln!("{MISSING}integrity:{MISSING:#} {problem}");
            }
            if conflicts.is_empty() && problems.is_empty() {
                check(&db, &history, project.register_entities, &inspect_options, format, stages).await
            } else {
                Ok(ExitCode::from(1))
            }
        }
    };
    db.close().await.ok();
    result
}

/// What `create` was asked to write.
struct CreateRequest<'a> {
    message: &'a str,
    empty: bool,
    initial: bool,
    allow_destructive: bool,
    backfills: &'a [String],
    migration_dir: &'a Path,
    /// Print the new migration's SQL for this backend.
    preview: Option<DbBackend>,
}

/// Parses `--backfill TABLE.COLUMN=EXPR` values and checks each names a new NOT NULL column.
fn parse_backfills(values: &[String], changes: &[Change]) -> Result<PlanOptions> {
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


/// Refuses to compare with a database that is behind its own migrations.
fn ensure_no_pending(history: &History, what: &str) -> Result<()> {
    let pending = history.pending().len();
    if pending > 0 {
        anyhow::bail!(
            "the database has {}; run `migrate upgrade` first, then {what} again",
            output::count(pending, "pending migration")
        );
    }
    Ok(())
}

fn warn_dropped_tables(changes: &[Change]) {
    for change in changes {
        if let Change::DropTable(table) = change {
            anstream::eprintln!(
                "{MISSING}warning:{MISSING:#} table {} has no entity: the migration drops it (is its entity's module `pub`?)",
                table.name
            );
        }
    }
}

async fn create(
    db: &DatabaseConnection,
    history: &History,
    register: RegisterEntities,
    options: &InspectOptions,
    request: CreateRequest<'_>,
    stages: &mut Stages,
) -> Result<ExitCode> {
    if request.initial && !history.migrations.is_empty() {
        anyhow::bail!(
            "create --initial writes the first migration, and this project has {} already",
            output::count(history.migrations.len(), "migration")
        );
    }
    ensure_no_pending(history, "create")?;
    let backend = db.get_database_backend();
    let mut render_options = RenderOptions {
        message: request.message.trim().to_owned(),
        follows: history.migrations.last().map(|m| m.name.clone()),
        backend,
        warnings: Vec::new(),
    };
    let name = autogen::write::module_name(chrono::Utc::now(), request.message);
    let source = if request.empty {
        autogen::render::rust::empty_module(&render_options)
    } else {
        let comparison = if request.initial {
            compare_with(Schema::default(), register, backend, options)
        } else {
            let (comparison, timings) = compare_timed(db, register, options).await?;
            add_compare_stages(stages, &timings);
            comparison
        };
        let mut lap = Instant::now();
        if comparison.changes.is_empty() {
            anstream::println!("No changes: the entities and the database agree. Nothing written.");
            return Ok(ExitCode::SUCCESS);
        }
        warn_dropped_tables(&comparison.changes);
        let summary: Vec<String> = comparison.changes.iter().map(review::summary_with_codes).collect();
        anstream::println!("Detected {}:", output::count(summary.len(), "change"));
        for line in &summary {
            anstream::println!("  {}", colored(line));
        }
        let plan_options = parse_backfills(request.backfills, &comparison.changes)?;
        if !refuse_unsafe(&comparison.changes, &plan_options, request.allow_destructive) {
            return Ok(ExitCode::from(1));
        }
        render_options.warnings = destructive(&comparison.changes)
            .iter()
            .map(|f| format!("{} {}", f.code, f.message))
            .collect();
        let plan = plan_with(&comparison.changes, &comparison.current, &comparison.desired, backend, &plan_options);
        if let Some(target) = request.preview {
            // A preview for another backend shows this plan's steps in that backend's SQL.
            let steps = if target == backend {
                plan.up.clone()
            } else {
                plan_with(&comparison.changes, &comparison.current, &comparison.desired, target, &plan_options).up
            };
            anstream::println!("{DIM}-- SQL of `up` on {target:?}{DIM:#}");
            for statement in autogen::render::sql::preview(&steps, target) {
                println!("{statement};");
            }
        }
        let source = autogen::render::rust::module(&plan, &summary, &render_options);
        stages.lap("plan+render", &mut lap);
        source
    };
    let mut lap = Instant::now();
    let path = autogen::write::write_migration(request.migration_dir, &name, &source)?;
    let mut names: Vec<String> = history.migrations.iter().map(|m| m.name.clone()).collect();
    names.push(name.clone());
    checksum::update_manifest(request.migration_dir, &names)?;
    stages.lap("write", &mut lap);
    anstream::println!(
        "Wrote {NAME}{}{NAME:#} and registered it in {}",
        relative(&path).display(),
        relative(&request.migration_dir.join("lib.rs")).display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Explains why `create` will not write this migration as it stands; `true` when it may.
fn refuse_unsafe(changes: &[Change], options: &PlanOptions, allow_destructive: bool) -> bool {
    let mut allowed = true;
    let losses = destructive(changes);
    if !losses.is_empty() && !allow_destructive {
        anstream::eprintln!("{MISSING}Refusing to write a migration that destroys data:{MISSING:#}");
        for finding in &losses {
            anstream::eprintln!("  {} {}", finding.code, finding.message);
        }
        anstream::eprintln!("Pass --allow-destructive to write it anyway; its module will open with a warning.");
        allowed = false;
    }
    for change in changes {
        let Change::AddColumn { table, column } = change else { continue };
        let needs_fill = classify(change).iter().any(|f| f.code == "MF101");
        if needs_fill && !options.backfills.contains_key(&(table.clone(), column.name.clone())) {
            anstream::eprintln!(
                "{MISSING}{table}.{} is new, NOT NULL and has no default:{MISSING:#} rows already in {table} would have no value for it (MF101). Either",
                column.name
            );
            anstream::eprintln!("  - give it a default in the entity (`default_value = ...`) or make it an `Option`, or");
            anstream::eprintln!(
                "  - pass --backfill {table}.{}=EXPR: the column is added nullable, existing rows get EXPR, then NOT NULL is set.",
                column.name
            );
            allowed = false;
        }
    }
    if !allowed {
        anstream::eprintln!("Nothing written.");
    }
    allowed
}

/// `path` relative to the working directory when it lies below it.
fn relative(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_owned))
        .unwrap_or_else(|| path.to_owned())
}

/// A summary line colored by its sign.
fn colored(line: &str) -> String {
    let style = match line.chars().next() {
        Some('+') => APPLIED,
        Some('-') => MISSING,
        _ => PENDING,
    };
    format!("{style}{line}{style:#}")
}

async fn check(
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
            Format::Json => println!(
                "{}",
                serde_json::json!({ "pending_migrations": pending, "changes": [] })
            ),
            Format::Text => anstream::println!(
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

/// The engine's stages of a comparison.
fn add_compare_stages(stages: &mut Stages, timings: &CompareTimings) {
    stages.add(format!("catalog_queries[{}rows]", timings.inspect.rows), timings.inspect.queries);
    stages.add("assemble", timings.inspect.assemble);
    stages.add("entities", timings.desired);
    stages.add("diff", timings.diff);
}

/// Prints what `check` found; exit 0 when nothing, 1 otherwise.
fn report(changes: &[Change], format: Format) -> ExitCode {
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
            println!(
                "{}",
                serde_json::json!({ "pending_migrations": 0, "changes": changes, "findings": findings })
            );
        }
        Format::Text if changes.is_empty() => {
            anstream::println!("No changes: the entities and the database agree.");
        }
        Format::Text => {
            anstream::println!(
                "{} between the entities and the database:",
                output::count(changes.len(), "difference")
            );
            for line in review::review(changes).lines() {
                let trimmed = line.trim_start();
                if trimmed.starts_with(['+', '-', '~']) {
                    let indent = &line[..line.len() - trimmed.len()];
                    anstream::println!("{indent}{}", colored(trimmed));
                } else {
                    anstream::println!("{NAME}{line}{NAME:#}");
                }
            }
            anstream::println!("Run `migrate create \"message\"` to write a migration for them.");
        }
    }
    if changes.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// `check --replay`: applies every migration to a scratch database of the same backend and
/// compares that with the entities. The scratch database is always dropped.
async fn replay<M: MigratorTrait>(
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
    anstream::eprintln!("{DIM}replaying migrations on scratch database {}{DIM:#}", scratch_url.masked());
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

fn quoted(backend: DbBackend, name: &str) -> String {
    match backend {
        DbBackend::MySql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    }
}

/// The current revision's name, with `(head)` when nothing is pending after it.
fn describe(history: &History, index: Option<usize>) -> String {
    match index {
        None => "base".to_owned(),
        Some(i) if i + 1 == history.migrations.len() => format!("{} (head)", history.get(i).name),
        Some(i) => history.get(i).name.clone(),
    }
}

fn warn_unknown(history: &History) {
    for record in &history.unknown_applied {
        anstream::eprintln!(
            "{MISSING}warning:{MISSING:#} {} is recorded as applied but is not in this project",
            record.version
        );
    }
}

fn current(history: &History, verbose: bool) -> Result<()> {
    warn_unknown(history);
    match history.current() {
        None => anstream::println!("base {DIM}(no migration applied){DIM:#}"),
        Some(i) => {
            anstream::println!("{NAME}{}{NAME:#}", describe(history, Some(i)));
            if verbose {
                let applied_at = history.get(i).applied_at.expect("current is applied");
                anstream::println!("  applied at {}", output::timestamp(applied_at));
            }
        }
    }
    let pending = history.pending().len();
    if pending > 0 {
        anstream::println!("{PENDING}{} pending{PENDING:#}", output::count(pending, "migration"));
    }
    Ok(())
}

fn list(history: &History, verbose: bool, migration_dir: &Path) -> Result<()> {
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
        anstream::println!(
            "{pointer} {style}{status}{style:#}  {NAME}{}{NAME:#}{marks}",
            migration.name
        );
        if verbose {
            if let Some(at) = migration.applied_at {
                anstream::println!("{DIM}             applied at {}{DIM:#}", output::timestamp(at));
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
                anstream::println!("{DIM}             {summary}{DIM:#}");
            }
        }
    }
    let applied = history.applied().len();
    anstream::println!(
        "{}: {} applied, {} pending",
        output::count(history.migrations.len(), "migration"),
        applied,
        history.migrations.len() - applied
    );
    Ok(())
}

fn show(history: &History, revision: &str, migration_dir: &Path) -> Result<()> {
    let index = history.resolve(revision)?;
    let migration = history.get(index);
    let total = history.migrations.len();
    let follows = match index {
        0 => "base".to_owned(),
        i => history.get(i - 1).name.clone(),
    };
    anstream::println!("revision  {NAME}{}{NAME:#}", migration.name);
    anstream::println!("position  {} of {total} (follows {follows})", index + 1);
    match migration.applied_at {
        Some(at) => anstream::println!(
            "status    {APPLIED}applied{APPLIED:#} at {}",
            output::timestamp(at)
        ),
        None => anstream::println!("status    {PENDING}pending{PENDING:#}"),
    }
    match source::find(migration_dir, &migration.name) {
        Some(path) => {
            anstream::println!("source    {}", path.display());
            match source::doc_comment(&path)? {
                Some(doc) => {
                    anstream::println!();
                    for line in doc.lines() {
                        anstream::println!("    {line}");
                    }
                }
                None => anstream::println!("{DIM}(no doc comment){DIM:#}"),
            }
        }
        None => anstream::println!(
            "source    {MISSING}not found in {}{MISSING:#}",
            migration_dir.display()
        ),
    }
    Ok(())
}

/// Runs the planned migrations one by one, printing each with its duration.
async fn execute(
    runner: &Runner<'_>,
    history: &History,
    plan: &[usize],
    direction: Direction,
) -> Result<Duration> {
    let verb = match direction {
        Direction::Up => "Applying",
        Direction::Down => "Reverting",
    };
    let mut total = Duration::ZERO;
    for &index in plan {
        let name = &history.get(index).name;
        anstream::print!("{verb} {NAME}{name}{NAME:#} ... ");
        std::io::stdout().flush().ok();
        match runner.run(index, direction).await {
            Ok(took) => {
                total += took;
                anstream::println!("{APPLIED}done{APPLIED:#} in {}", output::duration(took));
            }
            Err(e) => {
                anstream::println!("{MISSING}failed{MISSING:#}");
                return Err(e.into());
            }
        }
    }
    Ok(total)
}

/// Refuses to change a database that records migrations this project does not have.
fn ensure_known(history: &History) -> Result<()> {
    if history.unknown_applied.is_empty() {
        Ok(())
    } else {
        Err(autogen::Error::UnknownApplied(
            history.unknown_applied.iter().map(|r| r.version.clone()).collect(),
        )
        .into())
    }
}

/// Records the database as being at `revision`: what comes before it (and it) applied, what
/// comes after not, without running any migration.
async fn stamp(runner: &Runner<'_>, history: &History, revision: &str) -> Result<()> {
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
            anstream::println!("{verb} {NAME}{}{NAME:#} (not run)", migration.name);
            changed += 1;
        }
    }
    let after = runner.history().await?;
    anstream::println!(
        "Stamped {}; current revision: {}",
        output::count(changed, "migration"),
        describe(&after, after.current())
    );
    Ok(())
}

/// Applied migrations whose source no longer has the checksum recorded when they ran.
fn edited_after_applying(history: &History, migration_dir: &Path) -> Vec<String> {
    history
        .migrations
        .iter()
        .filter_map(|m| {
            let recorded = m.applied_checksum.as_ref()?;
            let now = checksum::of_module(migration_dir, &m.name)?;
            (*recorded != now).then(|| {
                let at = m.applied_at.map(output::timestamp).unwrap_or_default();
                format!("{} changed since it was applied on {at}", m.name)
            })
        })
        .collect()
}

/// Every disagreement between sources, manifest, registration and what the database ran.
fn integrity(history: &History, migration_dir: &Path) -> Result<Vec<String>> {
    let names: Vec<String> = history.migrations.iter().map(|m| m.name.clone()).collect();
    let mut problems = checksum::verify(migration_dir, &names)?;
    problems.extend(edited_after_applying(history, migration_dir));
    Ok(problems)
}

fn warn_conflicts(conflicts: &[lineage::Conflict]) {
    for conflict in conflicts {
        anstream::eprintln!("{MISSING}conflict:{MISSING:#} {conflict}");
    }
}

/// Re-chains a migration after its sibling.
fn rebase(history: &History, revision: &str, migration_dir: &Path) -> Result<ExitCode> {
    let index = history.resolve(revision)?;
    let migration = history.get(index);
    if migration.is_applied() {
        anyhow::bail!(
            "{} is applied to this database; run `migrate downgrade` past it before renaming it",
            migration.name
        );
    }
    let names: Vec<String> = history.migrations.iter().map(|m| m.name.clone()).collect();
    let rebased = lineage::rebase(migration_dir, &names, &migration.name, chrono::Utc::now())?;
    let mut order: Vec<String> = names.into_iter().filter(|n| *n != migration.name).collect();
    order.push(rebased.name.clone());
    checksum::update_manifest(migration_dir, &order)?;
    anstream::println!(
        "Rebased {} as {NAME}{}{NAME:#}, now following {}; wrote {} and moved its registration to the end of lib.rs",
        migration.name,
        rebased.name,
        rebased.follows,
        relative(&rebased.path).display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Takes the migration lock unless the command only prints SQL.
async fn lock_unless(sql_only: bool, url: &DatabaseUrl) -> Result<Option<MigrationLock>> {
    if sql_only {
        return Ok(None);
    }
    let lock = MigrationLock::acquire(url, || {
        anstream::eprintln!("{DIM}waiting for another migrate process to finish...{DIM:#}");
    })
    .await?;
    Ok(Some(lock))
}

/// Releases the lock, keeping the command's own error first.
async fn unlock(lock: Option<MigrationLock>, result: Result<()>) -> Result<ExitCode> {
    let released = match lock {
        Some(lock) => lock.release().await,
        None => Ok(()),
    };
    result?;
    released?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the SQL of running `plan` in `direction`, bookkeeping included, changing nothing.
async fn print_sql(runner: &Runner<'_>, history: &History, plan: &[usize], direction: Direction) -> Result<()> {
    println!("-- SQL that `migrate {}` would run; nothing was run.", match direction {
        Direction::Up => "upgrade",
        Direction::Down => "downgrade",
    });
    if direction == Direction::Up {
        println!("{};", runner.install_sql());
    }
    for &index in plan {
        println!("\n-- {}", history.get(index).name);
        for statement in runner.preview(index, direction).await? {
            println!("{statement};");
        }
    }
    Ok(())
}

async fn upgrade(runner: &Runner<'_>, history: &History, target: &str, sql: bool) -> Result<()> {
    ensure_known(history)?;
    let target: UpgradeTarget = target.parse()?;
    let plan = history.plan_upgrade(&target)?;
    if sql {
        return print_sql(runner, history, &plan, Direction::Up).await;
    }
    if plan.is_empty() {
        let at = describe(history, history.current());
        match target {
            UpgradeTarget::Revision(_) => anstream::println!("Already at {at}; nothing to upgrade."),
            _ => anstream::println!("Already at head: {at}; nothing to upgrade."),
        }
        return Ok(());
    }
    let took = execute(runner, history, &plan, Direction::Up).await?;
    let after = runner.history().await?;
    anstream::println!(
        "Upgraded {} in {}; current revision: {}",
        output::count(plan.len(), "migration"),
        output::duration(took),
        describe(&after, after.current())
    );
    Ok(())
}

async fn downgrade(runner: &Runner<'_>, history: &History, target: &str, sql: bool) -> Result<()> {
    ensure_known(history)?;
    let target: DowngradeTarget = target.parse()?;
    let plan = history.plan_downgrade(&target)?;
    if sql {
        return print_sql(runner, history, &plan, Direction::Down).await;
    }
    if plan.is_empty() {
        anstream::println!(
            "Already at {}; nothing to downgrade.",
            describe(history, history.current())
        );
        return Ok(());
    }
    let took = execute(runner, history, &plan, Direction::Down).await?;
    let after = runner.history().await?;
    anstream::println!(
        "Downgraded {} in {}; current revision: {}",
        output::count(plan.len(), "migration"),
        output::duration(took),
        describe(&after, after.current())
    );
    Ok(())
}
