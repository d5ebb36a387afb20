//! `autogen-bench online`: proves that online plans keep writes flowing. A table of many rows
//! takes a steady write load for the whole run while the engine applies one change kind at a
//! time, once as its online plan and once as plain DDL; every write is timed, and each state is
//! reverted with `down` before the next run. See `bench/README.md`.

mod kinds;
mod load;
mod migration;
mod monitor;
mod report;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use autogen::database::DatabaseUrl;
use autogen::pipeline::diff::{Change, DiffOptions, ObjectKind, diff};
use autogen::pipeline::inspect::{InspectOptions, inspect};
use autogen::pipeline::plan::plan;
use autogen::pipeline::render::sql::Context;
use autogen::pipeline::schema::Schema;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

pub use kinds::Kind;
use load::{Load, Pace};
use migration::Migration;
use monitor::Monitor;
use report::{Report, Run, Writes};

/// The two ways a change is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanKind {
    /// `migrate create`'s default on PostgreSQL and MySQL.
    Online,
    /// `migrate create --plain`.
    Plain,
}

impl PlanKind {
    fn key(self) -> &'static str {
        match self {
            PlanKind::Online => "online",
            PlanKind::Plain => "plain",
        }
    }
}

/// What to measure and where the results go.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// The database to use (PostgreSQL or MySQL/MariaDB); its tables bench_events and bench_orgs
    /// are dropped and created.
    #[arg(long)]
    pub database_url: String,
    /// Rows of bench_events before the first change.
    #[arg(long, default_value_t = 2_000_000)]
    pub rows: u64,
    /// Writers, each on its own connection and task.
    #[arg(long, default_value_t = 8)]
    pub writers: usize,
    /// Statements per second each writer sends.
    #[arg(long, default_value_t = 50.0)]
    pub rate: f64,
    /// Seconds of writes alone before each migration.
    #[arg(long, default_value_t = 3.0)]
    pub settle: f64,
    /// The change kinds to run, comma-separated; every kind the backend has by default.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub kinds: Vec<Kind>,
    /// The plans to run for each kind.
    #[arg(long, value_enum, value_delimiter = ',', default_values = ["online", "plain"])]
    pub plans: Vec<PlanKind>,
    /// The folder that gets `<backend>.json` and `<backend>.md`.
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs the benchmark and writes its results, after each run and at the end.
pub async fn run(options: &Options) -> Result<Report> {
    anyhow::ensure!(options.rows > 0, "--rows must be at least 1");
    anyhow::ensure!(options.writers > 0, "--writers must be at least 1");
    anyhow::ensure!(options.rate > 0.0 && options.rate.is_finite(), "--rate must be a positive number");
    anyhow::ensure!(options.settle >= 0.0 && options.settle.is_finite(), "--settle must be zero or more seconds");
    let url = DatabaseUrl::parse(&options.database_url)?;
    let backend = url.backend();
    let backend_key = match backend {
        DbBackend::Postgres => "postgres",
        DbBackend::MySql => "mysql",
        _ => anyhow::bail!("the online benchmark runs on PostgreSQL and MySQL/MariaDB, not SQLite"),
    };
    let kinds: Vec<Kind> = if options.kinds.is_empty() { Kind::ALL.to_vec() } else { options.kinds.clone() };
    let kinds: Vec<Kind> = kinds.into_iter().filter(|k| k.runs_on(backend)).collect();
    anyhow::ensure!(!kinds.is_empty(), "none of the chosen change kinds runs on {backend_key}");

    let epoch = Instant::now();
    // The migration's connection, opened as `upgrade` opens it.
    let db = autogen::database::connect(&url).await?;
    let (server, started) = server_info(&db).await?;
    let load_before = report::load_average();

    kinds::drop_tables(&db).await?;
    let empty = Schema::default();
    let base = kinds::base();
    let create = Migration::render(&plan(&changes(&empty, &base, backend), &empty, backend), &Context::new(backend, &empty, &base))?;
    create.up(&db, "bench_create").await.context("creating the tables")?;
    let loading = Instant::now();
    kinds::fill(&db, options.rows).await?;
    let load_seconds = loading.elapsed().as_secs_f64();
    let loaded = inspect(&db, &InspectOptions::default()).await?;
    let left = changes(&loaded, &base, backend);
    anyhow::ensure!(left.is_empty(), "the created tables are not the benchmark's schema: {left:?}");

    let pace = Pace { writers: options.writers, rate: options.rate, rows: options.rows };
    let mut load = Load::start(&options.database_url, backend, pace, epoch).await?;
    let mut monitor = Monitor::start(&options.database_url, load.sessions.clone(), epoch).await?;
    let mut report = Report {
        backend: backend_key.to_owned(),
        server,
        rows: options.rows,
        rows_at_end: None,
        writers: options.writers,
        rate_per_writer: options.rate,
        settle_seconds: options.settle,
        online_lock_timeout_ms: migration::ONLINE_LOCK_TIMEOUT_MS,
        online_lock_retries: migration::ONLINE_LOCK_RETRIES,
        load_seconds: (load_seconds * 10.0).round() / 10.0,
        started,
        cpus: std::thread::available_parallelism().map_or(0, usize::from),
        load_before,
        total: Writes::default(),
        runs: Vec::new(),
    };
    let bench = Bench { db: &db, backend, monitor: &monitor, load: &load, epoch, settle: Duration::from_secs_f64(options.settle) };
    let mut outcome = Ok(());
    'kinds: for kind in kinds {
        for &plan_kind in &options.plans {
            eprintln!("{} {}...", kind.key(), plan_kind.key());
            let result = bench.measure(kind, plan_kind).await;
            report.total = Writes::of(&load.all());
            match result {
                Ok(run) => {
                    eprintln!(
                        "  {}: {:.2} s, longest write {:.1} ms, p99 {:.1} ms, {} writes, {} failed",
                        run.outcome, run.migration_seconds, run.during.max_ms, run.during.p99_ms, run.during.count, run.during.failed
                    );
                    let broken = !run.schema_ok;
                    report.runs.push(run);
                    report.write(&options.out)?;
                    if broken {
                        outcome = Err(anyhow::anyhow!(
                            "{} {}: the schema is not what it should be after the run; the benchmark stops",
                            kind.key(),
                            plan_kind.key()
                        ));
                        break 'kinds;
                    }
                }
                Err(e) => {
                    outcome = Err(e.context(format!("{} {}", kind.key(), plan_kind.key())));
                    break 'kinds;
                }
            }
        }
    }
    load.stop().await;
    monitor.stop().await;
    if let Some(failure) = monitor.failure() {
        eprintln!("warning: the monitor stopped early ({failure}): statements and blockers are missing from the results");
    }
    report.total = Writes::of(&load.all());
    report.rows_at_end = count_rows(&db).await.ok();
    report.write(&options.out)?;
    outcome?;
    kinds::drop_tables(&db).await?;
    Ok(report)
}

/// What one measurement needs.
struct Bench<'a> {
    db: &'a DatabaseConnection,
    backend: DbBackend,
    monitor: &'a Monitor,
    load: &'a Load,
    epoch: Instant,
    settle: Duration,
}

impl Bench<'_> {
    /// Applies `kind` with `plan_kind` under the load, checks the schema, and reverts it.
    async fn measure(&self, kind: Kind, plan_kind: PlanKind) -> Result<Run> {
        let (db, backend) = (self.db, self.backend);
        let quiet_from = self.epoch.elapsed();
        tokio::time::sleep(self.settle).await;
        let current = inspect(db, &InspectOptions::default()).await?;
        let desired = kind.edit(&current, backend)?;
        let steps = plan(&changes(&current, &desired, backend), &current, backend);
        anyhow::ensure!(!steps.up.is_empty(), "the edit made no change");
        let context = Context::new(backend, &current, &desired).online(plan_kind == PlanKind::Online);
        let migration = Migration::render(&steps, &context)?;
        let name = format!("bench_{}_{}", kind.key(), plan_kind.key());

        let load = report::load_average();
        let from = self.epoch.elapsed();
        let applied = migration.up(db, &name).await;
        let to = self.epoch.elapsed();
        let (seen, waits) = self.monitor.between(from, to);

        let after = inspect(db, &InspectOptions::default()).await?;
        let mut down_error = None;
        let (schema_ok, down_seconds, error) = match applied {
            Ok(()) => {
                let mut ok = changes(&after, &desired, backend).is_empty();
                let reverting = Instant::now();
                if let Err(e) = migration.down(db, &name).await {
                    // The run goes on from the starting state: the plain plan's `down` restores it.
                    down_error = Some(e.to_string());
                    db.execute_unprepared("DROP TABLE IF EXISTS seaql_migrations_progress").await?;
                    let plain = Migration::render(&steps, &context.online(false))?;
                    plain.down(db, &format!("{name}_plain_down")).await.context("reverting with the plain plan's down")?;
                }
                let down_seconds = reverting.elapsed().as_secs_f64();
                let back = inspect(db, &InspectOptions::default()).await?;
                ok &= changes(&back, &current, backend).is_empty();
                (ok, Some((down_seconds * 100.0).round() / 100.0), None)
            }
            Err(e) => {
                // What a failed run recorded would make the next run of that name resume.
                db.execute_unprepared("DROP TABLE IF EXISTS seaql_migrations_progress").await?;
                (changes(&after, &current, backend).is_empty(), None, Some(e.to_string()))
            }
        };
        if backend == DbBackend::Postgres {
            // Autovacuum may be off; the next run starts from a table without the dead rows
            // this one left (VACUUM lets writes go on).
            db.execute_unprepared("VACUUM ANALYZE bench_events").await?;
        }
        let end = self.epoch.elapsed();
        let before: Vec<_> = self.load.overlapping(quiet_from, from).into_iter().filter(|s| s.end() < from).collect();
        Ok(Run {
            kind: kind.key().to_owned(),
            plan: plan_kind.key().to_owned(),
            changes: steps.up.iter().map(autogen::pipeline::render::review::step_summary).collect(),
            script: migration.script,
            outcome: if error.is_none() { "applied".to_owned() } else { "failed".to_owned() },
            error,
            migration_seconds: ((to - from).as_secs_f64() * 1000.0).round() / 1000.0,
            during: Writes::of(&self.load.overlapping(from, to)),
            before: Writes::of(&before),
            whole: Writes::of(&self.load.overlapping(quiet_from, end)),
            // The runtime pauses on the server's clock before each retry.
            retries: seen.iter().filter(|s| s.sql.starts_with("SELECT pg_sleep(") || s.sql.starts_with("SELECT SLEEP(")).count(),
            statements: report::group(&seen, from),
            blocked_by: report::blockers(&waits),
            schema_ok,
            down_seconds,
            down_error,
            load,
        })
    }
}

/// The changes from `current` to `desired`, comparing every kind of object.
fn changes(current: &Schema, desired: &Schema, backend: DbBackend) -> Vec<Change> {
    diff(current, desired, &DiffOptions { backend, manage: ObjectKind::ALL.into_iter().collect() }).changes
}

/// The server's version and its time now (UTC, to the minute).
async fn server_info(db: &DatabaseConnection) -> Result<(String, String)> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "SELECT CAST(current_setting('server_version') AS text), to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI UTC')",
        _ => "SELECT CAST(VERSION() AS CHAR), DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i UTC')",
    };
    let row = db.query_one_raw(Statement::from_string(backend, sql)).await?.context("the server sent no version")?;
    Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?))
}

async fn count_rows(db: &DatabaseConnection) -> Result<u64> {
    let backend = db.get_database_backend();
    let sql = format!("SELECT COUNT(*) FROM {}", autogen::quote::ident(backend, kinds::EVENTS));
    let row = db.query_one_raw(Statement::from_string(backend, sql)).await?.context("no count")?;
    Ok(u64::try_from(row.try_get_by_index::<i64>(0)?)?)
}
