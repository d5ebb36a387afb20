//! What each subcommand does, on top of the engine: one file per command, and here the
//! dispatch and what several commands share.

mod create;
pub(crate) mod init;
mod check;
mod current;
mod history;
mod show;
mod stamp;
mod rebase;
mod upgrade;
mod downgrade;
mod hash;
mod lint;
mod replay;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Result;
use autogen::pipeline::compare::CompareTimings;
use autogen::database::{self, DEFAULT_SQLITE_URL, DatabaseUrl};
use autogen::pipeline::compare::CompareOptions;
use autogen::pipeline::compare::Comparison;
use autogen::pipeline::diff::{ObjectKind, Unmanaged};
use autogen::pipeline::inspect::InspectOptions;
use autogen::lifecycle::checksum;
use autogen::lifecycle::lineage;
use autogen::lifecycle::lock::MigrationLock;
use autogen::lifecycle::source;
use autogen::pipeline::write::Workspace;
use sea_orm_migration::sea_orm::DbBackend;
use autogen::lifecycle::history::History;
use autogen::lifecycle::runner::{Direction, Migrations, Runner};
use autogen::lifecycle::statement_log::StatementLog;

use crate::output::{self, APPLIED, DIM, MISSING, NAME, PENDING, Stages, errln, out, outln};
use crate::{Backend, Cli, Command, Project};

/// Where the database URL came from, shown next to it.
pub(super) fn resolve_url(flag: Option<String>) -> Result<(String, &'static str)> {
    if let Some(url) = flag {
        return Ok((url, "--database-url"));
    }
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => return Ok((url, "DATABASE_URL")),
        Ok(_) | Err(std::env::VarError::NotPresent) => {}
        // Falling back to the default would migrate another database than the one meant.
        Err(std::env::VarError::NotUnicode(_)) => anyhow::bail!("DATABASE_URL is not valid UTF-8"),
    }
    let dotenv = Path::new(".env");
    if dotenv.is_file() {
        let entries = dotenvy::from_path_iter(dotenv).map_err(|e| dotenv_error(e, dotenv))?;
        for entry in entries {
            let (key, value) = entry.map_err(|e| dotenv_error(e, dotenv))?;
            if key == "DATABASE_URL" && !value.trim().is_empty() {
                return Ok((value, ".env"));
            }
        }
    }
    Ok((DEFAULT_SQLITE_URL.to_owned(), "default"))
}

/// A `.env` error that says where, never what: the line may hold a password.
fn dotenv_error(error: dotenvy::Error, path: &Path) -> anyhow::Error {
    match error {
        dotenvy::Error::LineParse(line, index) => {
            let number = std::fs::read_to_string(path)
                .ok()
                .and_then(|text| text.find(&line).map(|at| text[..at].matches('\n').count() + 1));
            match number {
                Some(number) => anyhow::anyhow!("cannot read .env: line {number} is malformed (at character {})", index + 1),
                None => anyhow::anyhow!("cannot read .env: a line is malformed"),
            }
        }
        dotenvy::Error::Io(e) => anyhow::anyhow!("cannot read .env: {e}"),
        _ => anyhow::anyhow!("cannot read .env"),
    }
}

pub async fn run(cli: Cli, project: Project, migrations: Migrations) -> Result<ExitCode> {
    let began = Instant::now();
    let mut stages = Stages::new(cli.timings);
    let result = run_command(cli, project, migrations, &mut stages).await;
    if let Some(line) = stages.line(began.elapsed()) {
        errln!("{DIM}{line}{DIM:#}");
    }
    result
}

/// Where the migration sources are, and the checksums the binary embeds for when they are not.
struct Sources {
    /// The migration folder: given, configured, or where the binary was built.
    dir: PathBuf,
    /// Whether the folder was given (`--migration-dir`) or configured (`MIGRATION_DIR`).
    configured: bool,
    embedded: &'static [(&'static str, &'static str)],
}

impl Sources {
    /// Fails unless the folder exists and holds `lib.rs` and the source of every migration.
    fn require(&self, names: &[String]) -> Result<()> {
        let dir = self.dir.display();
        let hint = if self.configured {
            ""
        } else {
            " (the default, where this binary was built; pass --migration-dir or set MIGRATION_DIR)"
        };
        match std::fs::metadata(&self.dir) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => anyhow::bail!("the migration folder {dir} is not a folder"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                anyhow::bail!("the migration folder {dir} does not exist{hint}")
            }
            Err(e) => anyhow::bail!("cannot read the migration folder {dir}: {e}"),
        }
        if !source::registry_file(&self.dir).is_file() {
            anyhow::bail!("{dir} has neither lib.rs nor mod.rs: it is not a migration folder{hint}");
        }
        if let Some(name) = names.iter().find(|name| source::find(&self.dir, name).is_none()) {
            anyhow::bail!("the source of migration {name} is missing: no {name}.rs in {dir}");
        }
        Ok(())
    }

    /// The checksum of every migration: from the sources when a folder was given or the default
    /// one exists, else those embedded in the binary (a deployment that ships the binary
    /// alone). Never none: a migration without a checksum could be edited unnoticed.
    fn checksums(&self, names: &[String]) -> Result<BTreeMap<String, String>> {
        if self.configured || self.dir.exists() {
            self.require(names)?;
            return Ok(checksum::of_modules(&self.dir, names)?);
        }
        let embedded: BTreeMap<&str, &str> = self.embedded.iter().copied().collect();
        names
            .iter()
            .map(|name| match embedded.get(name.as_str()) {
                Some(sum) => Ok((name.clone(), (*sum).to_owned())),
                None => Err(anyhow::anyhow!(
                    "the migration sources are not at {} and this binary embeds no checksum of {name}; pass --migration-dir, or embed them at build time (sea-orm-autogen-discover's write_checksums)",
                    self.dir.display()
                )),
            })
            .collect()
    }
}

/// Whether a command reads the migration sources, so that it must fail when they are missing.
fn needs_sources(command: &Command) -> bool {
    matches!(
        command,
        Command::Create { .. }
            | Command::Check { replay: false, .. }
            | Command::Hash
            | Command::Rebase { .. }
            | Command::Show { .. }
            | Command::History { verbose: true }
    )
}

async fn run_command(cli: Cli, project: Project, migrations: Migrations, stages: &mut Stages) -> Result<ExitCode> {
    let (raw_url, origin) = resolve_url(cli.database_url)?;
    let url = DatabaseUrl::parse(&raw_url)?;
    errln!("{DIM}database:{DIM:#} {} {DIM}({origin}){DIM:#}", url.masked());
    let config = Settings::load(cli.config.as_deref(), cli.exclude_tables, cli.manage)?;
    let chosen = cli.migration_dir.or_else(|| std::env::var_os("MIGRATION_DIR").map(PathBuf::from));
    if chosen.is_none() {
        config.warn_if_another_project(Path::new(project.migration_dir));
    }
    let configured = chosen.or_else(|| config.migrations.clone());
    let sources = Sources {
        dir: configured.clone().unwrap_or_else(|| PathBuf::from(project.migration_dir)),
        configured: configured.is_some(),
        embedded: project.checksums,
    };
    let migration_dir = sources.dir.clone();
    let names: Vec<String> = (migrations.list)().iter().map(|m| m.name().to_owned()).collect();
    if needs_sources(&cli.command) {
        sources.require(&names)?;
    }
    // What `upgrade` and `stamp` record, and what `upgrade` verifies applied migrations against.
    let checksums = match &cli.command {
        Command::Upgrade { .. } | Command::Stamp { .. } => sources.checksums(&names)?,
        Command::Downgrade { .. } if sources.configured => {
            sources.require(&names)?;
            BTreeMap::new()
        }
        _ => BTreeMap::new(),
    };
    let inspect_options = CompareOptions {
        // What the engine always leaves out (its own bookkeeping tables), then the project's.
        inspect: InspectOptions {
            schema: cli.schema,
            exclude_tables: InspectOptions::default().exclude_tables.into_iter().chain(config.exclude_tables.clone()).collect(),
        },
        manage: config.manage.clone(),
    };
    if let Command::Check { replay: true, format } = cli.command {
        return replay::replay(&url, migrations, project.register_entities, &inspect_options, format).await;
    }

    let mut lap = Instant::now();
    let mut db = database::connect(&url).await?;
    stages.lap("connect", &mut lap);
    let statements = StatementLog::attach(&mut db);
    // sqlx's log of every statement reaches `statements` while migrations run, so a failure
    // names the statement, hand-written SQL included; the other commands log nothing.
    let runs_migrations = matches!(cli.command, Command::Upgrade { .. } | Command::Downgrade { .. });
    let _listening = runs_migrations.then(|| statements.capture());
    let runner = Runner::of(&db, migrations).with_statement_log(statements).with_checksums(checksums.clone());
    let history = runner.history().await?;
    stages.lap("history", &mut lap);
    // Reads every migration source; only the commands that report conflicts ask for it.
    let conflicts = || lineage::conflicts(&names, &lineage::parents(&migration_dir, &names));
    let result = match cli.command {
        Command::Current { verbose } => current::current(&history, verbose).map(|()| ExitCode::SUCCESS),
        Command::History { verbose } => {
            warn_conflicts(&conflicts());
            history::list(&history, verbose, &migration_dir).map(|()| ExitCode::SUCCESS)
        }
        Command::Rebase { revision } => rebase::rebase(&history, &revision, &migration_dir).await,
        Command::Hash => hash::hash(&migration_dir).await,
        Command::Show { revision } => {
            show::show(&history, &revision, &migration_dir).map(|()| ExitCode::SUCCESS)
        }
        Command::Lint { revision, format } => {
            lint::lint(&db, &runner, &history, revision.as_deref(), &inspect_options, format).await
        }
        // Under the lock, the history is read again: a process that waited finds what the
        // other one did.
        Command::Upgrade { target, sql } => {
            if let Some(conflict) = conflicts().first() {
                anyhow::bail!("{conflict}");
            }
            if let Some(edited) = edited_after_applying(&history, &checksums).first() {
                anyhow::bail!("{edited}; a migration that ran must not change: restore it and add a new migration instead");
            }
            let lock = lock_unless(sql, &url).await?;
            let history = if lock.is_some() { runner.history().await? } else { history };
            let result = upgrade::upgrade(&runner, &history, &target, sql, lock.as_ref()).await;
            unlock(lock, result).await
        }
        Command::Downgrade { target, sql } => {
            let lock = lock_unless(sql, &url).await?;
            let history = if lock.is_some() { runner.history().await? } else { history };
            let result = downgrade::downgrade(&runner, &history, &target, sql, lock.as_ref()).await;
            unlock(lock, result).await
        }
        Command::Stamp { revision } => {
            let lock = lock_unless(false, &url).await?;
            let history = runner.history().await?;
            unlock(lock, stamp::stamp(&runner, &history, &revision).await).await
        }
        Command::Create { message, empty, initial, allow_destructive, backfill, sql, backend, plain } => {
            let preview = sql.then(|| match backend {
                Some(Backend::Postgres) => DbBackend::Postgres,
                Some(Backend::Mysql) => DbBackend::MySql,
                Some(Backend::Sqlite) => DbBackend::Sqlite,
                None => db.get_database_backend(),
            });
            let request = create::CreateRequest {
                message: &message,
                empty,
                initial,
                allow_destructive,
                backfills: &backfill,
                migration_dir: &migration_dir,
                preview,
                online: !plain && config.online,
                backends: &config.backends,
            };
            create::create(&db, &history, project.register_entities, &inspect_options, request, stages).await
        }
        Command::Check { format, .. } => {
            let conflicts = conflicts();
            let problems = integrity(&history, &migration_dir)?;
            warn_conflicts(&conflicts);
            for problem in &problems {
                errln!("{MISSING}integrity:{MISSING:#} {problem}");
            }
            if conflicts.is_empty() && problems.is_empty() {
                check::check(&db, &history, project.register_entities, &inspect_options, format, stages).await
            } else {
                check::stopped(format, &history, &conflicts, &problems);
                Ok(ExitCode::from(1))
            }
        }
    };
    db.close().await.ok();
    result
}

/// What the configuration file and the flags that override it say.
#[derive(Debug)]
struct Settings {
    migrations: Option<PathBuf>,
    exclude_tables: Vec<String>,
    manage: std::collections::BTreeSet<ObjectKind>,
    backends: Vec<DbBackend>,
    /// Whether `create` writes online plans unless `--plain` says otherwise.
    online: bool,
    /// The configuration file read, if any.
    file: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            migrations: None,
            exclude_tables: Vec::new(),
            manage: Default::default(),
            backends: Vec::new(),
            online: true,
            file: None,
        }
    }
}

impl Settings {
    /// Says so when the configuration file found names migrations other than those this binary
    /// was built with (`built_with`, when that folder exists here): run from another project's
    /// folder, the binary would read that project's migration sources beside its own registered
    /// migrations.
    fn warn_if_another_project(&self, built_with: &Path) {
        let (Some(file), Some(configured)) = (&self.file, &self.migrations) else { return };
        let (Ok(built_with), Ok(configured)) = (built_with.canonicalize(), configured.canonicalize()) else { return };
        if built_with != configured {
            errln!(
                "{MISSING}note:{MISSING:#} {} names the migrations in {}, but this binary was built with those in {}: run it from its own project, or pass --config or --migration-dir",
                file.display(),
                configured.display(),
                built_with.display()
            );
        }
    }

    /// Reads `--config FILE`, else the first autogen.toml in the working directory or above it
    /// (none: defaults), then applies the flags, which replace the file's lists.
    fn load(flag: Option<&Path>, exclude_tables: Vec<String>, manage: Vec<String>) -> Result<Settings> {
        let path = match flag {
            Some(path) if !path.is_file() => anyhow::bail!("--config {}: no such file", path.display()),
            Some(path) => Some(path.to_owned()),
            None => std::env::current_dir().ok().and_then(|cwd| sea_orm_autogen_discover::config::find(&cwd)),
        };
        let mut settings = Settings::default();
        let mut kinds = Vec::new();
        let mut origin = String::from("--manage");
        if let Some(path) = path {
            let config = sea_orm_autogen_discover::config::load(&path).map_err(|e| anyhow::anyhow!(e))?;
            let at = |key: &str| format!("{}: `{key}`", path.display());
            settings.migrations = Some(config.migrations);
            settings.exclude_tables = config.exclude_tables;
            settings.online = config.online;
            settings.file = Some(path.clone());
            kinds = config.manage;
            origin = at("manage");
            for name in &config.backends {
                let backend = match name.as_str() {
                    "postgres" => DbBackend::Postgres,
                    "mysql" => DbBackend::MySql,
                    "sqlite" => DbBackend::Sqlite,
                    _ => anyhow::bail!("{}: unknown backend `{name}` (postgres, mysql or sqlite)", at("backends")),
                };
                if !settings.backends.contains(&backend) {
                    settings.backends.push(backend);
                }
            }
        }
        if !exclude_tables.is_empty() {
            settings.exclude_tables = exclude_tables;
        }
        if !manage.is_empty() {
            kinds = manage;
            origin = "--manage".to_owned();
        }
        for kind in &kinds {
            let known = ObjectKind::from_key(kind).ok_or_else(|| {
                let keys: Vec<&str> = ObjectKind::ALL.iter().map(|k| k.key()).collect();
                anyhow::anyhow!("{origin}: unknown object kind `{kind}` (one of {})", keys.join(", "))
            })?;
            settings.manage.insert(known);
        }
        Ok(settings)
    }
}

/// Refuses a comparison with no entity at all against a database that has tables: an empty
/// registry (entities not found, or in private modules) would otherwise propose dropping every
/// table.
pub(super) fn ensure_entities(comparison: &Comparison) -> Result<()> {
    if comparison.desired.tables.is_empty() && !comparison.current.tables.is_empty() {
        anyhow::bail!(
            "no entity was found, but the database has {}: nothing compared. Check `entities` in autogen.toml and that every module on the way to an entity is `pub`",
            output::count(comparison.current.tables.len(), "table")
        );
    }
    Ok(())
}

/// A backend's name for people.
pub(super) fn backend_label(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "PostgreSQL",
        DbBackend::MySql => "MySQL/MariaDB",
        _ => "SQLite",
    }
}

/// Locks the migration folder for a command that writes in it, saying so if it must wait.
pub(super) async fn open_workspace(dir: &Path) -> Result<Workspace> {
    let timeout = database::lock_timeout()?;
    Ok(Workspace::open(dir, timeout, || {
        errln!("{DIM}waiting for another migrate process writing in {}...{DIM:#}", dir.display());
    })
    .await?)
}

/// `path` relative to the working directory when it lies below it.
pub(super) fn relative(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_owned))
        .unwrap_or_else(|| path.to_owned())
}

/// A summary line colored by its sign.
pub(super) fn colored(line: &str) -> String {
    let style = match line.chars().next() {
        Some('+') => APPLIED,
        Some('-') => MISSING,
        _ => PENDING,
    };
    format!("{style}{line}{style:#}")
}

/// The current revision's name, with `(head)` when nothing is pending after it.
pub(super) fn describe(history: &History, index: Option<usize>) -> String {
    match index {
        None => "base".to_owned(),
        Some(i) if i + 1 == history.migrations.len() => format!("{} (head)", history.get(i).name),
        Some(i) => history.get(i).name.clone(),
    }
}

pub(super) fn warn_unknown(history: &History) {
    for record in &history.unknown_applied {
        errln!(
            "{MISSING}warning:{MISSING:#} {} is recorded as applied but is not in this project",
            record.version
        );
    }
}

/// Refuses to change a database that records migrations this project does not have.
pub(super) fn ensure_known(history: &History) -> Result<()> {
    if history.unknown_applied.is_empty() {
        Ok(())
    } else {
        Err(autogen::Error::UnknownApplied(
            history.unknown_applied.iter().map(|r| r.version.clone()).collect(),
        )
        .into())
    }
}

/// Refuses to compare with a database that is behind its own migrations.
pub(super) fn ensure_no_pending(history: &History, what: &str) -> Result<()> {
    let pending = history.pending().len();
    if pending > 0 {
        anyhow::bail!(
            "the database has {}; run `migrate upgrade` first, then {what} again",
            output::count(pending, "pending migration")
        );
    }
    Ok(())
}

/// The engine's stages of a comparison.
pub(super) fn add_compare_stages(stages: &mut Stages, timings: &CompareTimings) {
    stages.add(format!("catalog_queries[{}rows]", timings.inspect.rows), timings.inspect.queries);
    stages.add("assemble", timings.inspect.assemble);
    stages.add("entities", timings.desired);
    stages.add("diff", timings.diff);
}

/// Applied migrations whose source no longer has the checksum recorded when they ran.
pub(super) fn edited_after_applying(history: &History, checksums: &BTreeMap<String, String>) -> Vec<String> {
    history
        .migrations
        .iter()
        .filter_map(|m| {
            let recorded = m.applied_checksum.as_ref()?;
            let now = checksums.get(&m.name)?;
            (recorded != now).then(|| {
                let at = m.applied_at.map(output::timestamp).unwrap_or_default();
                format!("{} changed since it was applied on {at}", m.name)
            })
        })
        .collect()
}

/// Every disagreement between sources, manifest, registration and what the database ran.
pub(super) fn integrity(history: &History, migration_dir: &Path) -> Result<Vec<String>> {
    let names: Vec<String> = history.migrations.iter().map(|m| m.name.clone()).collect();
    let mut problems = checksum::verify(migration_dir, &names)?;
    problems.extend(edited_after_applying(history, &checksum::of_modules(migration_dir, &names)?));
    Ok(problems)
}

pub(super) fn warn_conflicts(conflicts: &[lineage::Conflict]) {
    for conflict in conflicts {
        errln!("{MISSING}conflict:{MISSING:#} {conflict}");
    }
}

/// Takes the migration lock unless the command only prints SQL.
pub(super) async fn lock_unless(sql_only: bool, url: &DatabaseUrl) -> Result<Option<MigrationLock>> {
    if sql_only {
        return Ok(None);
    }
    let lock = MigrationLock::acquire(url, || {
        errln!("{DIM}waiting for another migrate process to finish...{DIM:#}");
    })
    .await?;
    Ok(Some(lock))
}

/// Releases the lock, keeping the command's own error first.
pub(super) async fn unlock(lock: Option<MigrationLock>, result: Result<()>) -> Result<ExitCode> {
    let released = match lock {
        Some(lock) => lock.release().await,
        None => Ok(()),
    };
    result?;
    released?;
    Ok(ExitCode::SUCCESS)
}

/// Runs the planned migrations one by one, printing each with its duration; before each, checks
/// that the migration lock is still held.
pub(super) async fn execute(
    runner: &Runner<'_>,
    history: &History,
    plan: &[usize],
    direction: Direction,
    lock: Option<&MigrationLock>,
) -> Result<Duration> {
    let verb = match direction {
        Direction::Up => "Applying",
        Direction::Down => "Reverting",
    };
    let mut total = Duration::ZERO;
    for &index in plan {
        if let Some(lock) = lock {
            lock.ensure_held().await?;
        }
        let name = &history.get(index).name;
        out!("{verb} {NAME}{name}{NAME:#} ... ");
        match runner.run(index, direction).await {
            Ok(took) => {
                total += took;
                outln!("{APPLIED}done{APPLIED:#} in {}", output::duration(took));
            }
            Err(e) => {
                outln!("{MISSING}failed{MISSING:#}");
                return Err(e.into());
            }
        }
    }
    Ok(total)
}

/// Prints the SQL of running `plan` in `direction`, bookkeeping included, changing nothing.
pub(super) async fn print_sql(runner: &Runner<'_>, history: &History, plan: &[usize], direction: Direction) -> Result<()> {
    outln!("-- SQL that `migrate {}` would run; nothing was run.", match direction {
        Direction::Up => "upgrade",
        Direction::Down => "downgrade",
    });
    if direction == Direction::Up {
        outln!("{};", runner.install_sql());
    }
    for &index in plan {
        outln!("\n-- {}", history.get(index).name);
        for statement in runner.preview(index, direction).await? {
            outln!("{statement};");
        }
    }
    Ok(())
}

/// Lists what the comparison leaves alone, once.
pub(super) fn print_unmanaged(unmanaged: &[Unmanaged]) {
    if unmanaged.is_empty() {
        return;
    }
    anstream::println!(
        "{DIM}Not managed ({}, left alone: the entities do not declare them; see `manage` in the configuration):{DIM:#}",
        output::count(unmanaged.len(), "object")
    );
    for object in unmanaged {
        anstream::println!("{DIM}  = {}{DIM:#}", object.description);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use autogen::pipeline::schema::{Schema, Table};

    #[test]
    fn an_empty_registry_is_never_compared_with_tables() {
        let mut current = Schema::default();
        current.tables.insert("users".into(), Table { name: "users".into(), ..Table::default() });
        let comparison = |current: Schema| Comparison {
            current,
            desired: Schema::default(),
            changes: Vec::new(),
            unmanaged: Vec::new(),
        };
        let err = ensure_entities(&comparison(current)).unwrap_err().to_string();
        assert!(err.starts_with("no entity was found, but the database has 1 table"), "{err}");
        assert!(ensure_entities(&comparison(Schema::default())).is_ok());
    }
}
