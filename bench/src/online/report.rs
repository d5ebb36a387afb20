//! What a run measured, as JSON and as a markdown table.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use serde::Serialize;

use super::load::Sample;
use super::monitor::{INTERVAL, Seen, Wait};

/// The goal of issue 14: under an online plan, no write waits longer than this.
pub const GOAL: Duration = Duration::from_secs(1);

/// The writes of a window.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Writes {
    /// Writes whose time on the server overlapped the window.
    pub count: usize,
    /// How many of them failed.
    pub failed: usize,
    /// The longest any of them took, in milliseconds.
    pub max_ms: f64,
    /// The 99th percentile of their latencies, in milliseconds.
    pub p99_ms: f64,
    /// The median, in milliseconds.
    pub p50_ms: f64,
    /// Up to three distinct errors, with how often each happened.
    pub errors: BTreeMap<String, usize>,
}

impl Writes {
    /// The statistics of `samples`.
    pub fn of(samples: &[Sample]) -> Writes {
        let mut latencies: Vec<Duration> = samples.iter().map(|s| s.latency).collect();
        latencies.sort();
        let mut errors = BTreeMap::new();
        for error in samples.iter().filter_map(|s| s.error.as_ref()) {
            if errors.len() < 3 || errors.contains_key(error) {
                *errors.entry(error.clone()).or_insert(0) += 1;
            }
        }
        Writes {
            count: samples.len(),
            failed: samples.iter().filter(|s| s.error.is_some()).count(),
            max_ms: latencies.last().map_or(0.0, |d| ms(*d)),
            p99_ms: percentile(&latencies, 0.99),
            p50_ms: percentile(&latencies, 0.50),
            errors,
        }
    }
}

/// The nearest-rank percentile `q` of sorted latencies, in milliseconds.
fn percentile(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    ms(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// A duration in milliseconds, to 0.1 ms.
pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

/// Statements the migration was seen running with the same text, together.
#[derive(Debug, Clone, Serialize)]
pub struct SeenGroup {
    /// The statement (its first 300 characters).
    pub sql: String,
    /// How many times it was seen running.
    pub count: usize,
    /// How many of those waited for a lock.
    pub waited: usize,
    /// The longest one, in milliseconds, as far as the monitor saw it.
    pub max_ms: f64,
    /// When the first one began, in milliseconds after the migration began.
    pub first_at_ms: f64,
}

/// The migration's statements grouped by text, in the order each first began; `began` is when
/// the migration began, since the run's epoch.
pub fn group(seen: &[Seen], began: Duration) -> Vec<SeenGroup> {
    let mut seen = seen.to_vec();
    seen.sort_by_key(|s| s.start);
    let mut groups: Vec<SeenGroup> = Vec::new();
    for s in &seen {
        let sql: String = s.sql.chars().take(300).collect();
        let at = match groups.iter().position(|g| g.sql == sql) {
            Some(at) => at,
            None => {
                let first_at_ms = if s.start >= began { ms(s.start - began) } else { -ms(began - s.start) };
                groups.push(SeenGroup { sql, count: 0, waited: 0, max_ms: 0.0, first_at_ms });
                groups.len() - 1
            }
        };
        let g = &mut groups[at];
        g.count += 1;
        g.waited += usize::from(s.waited);
        g.max_ms = g.max_ms.max(ms(s.age));
    }
    groups
}

/// What writers waited behind.
#[derive(Debug, Clone, Serialize)]
pub struct Blocker {
    /// The blocking statement (its first 300 characters), or who held the lock.
    pub sql: String,
    /// Writer-seconds spent waiting behind it, as sampled (samples times the interval).
    pub writer_seconds: f64,
}

/// The blockers of `waits`, most waited behind first.
pub fn blockers(waits: &[Wait]) -> Vec<Blocker> {
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for w in waits {
        *by.entry(w.blocker.chars().take(300).collect()).or_insert(0) += 1;
    }
    let mut out: Vec<Blocker> = by
        .into_iter()
        .map(|(sql, samples)| Blocker { sql, writer_seconds: (samples as f64 * INTERVAL.as_secs_f64() * 100.0).round() / 100.0 })
        .collect();
    out.sort_by(|a, b| b.writer_seconds.total_cmp(&a.writer_seconds));
    out
}

/// One change kind applied with one plan.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// The change kind (`add_index`).
    pub kind: String,
    /// `online` or `plain`.
    pub plan: String,
    /// The engine's summary of each step.
    pub changes: Vec<String>,
    /// The SQL of `up`, as `create --sql` prints it.
    pub script: Vec<String>,
    /// `applied`, or `failed` with the error.
    pub outcome: String,
    /// The runtime's error, when `up` failed.
    pub error: Option<String>,
    /// How long `up` took, in seconds.
    pub migration_seconds: f64,
    /// The writes that overlapped `up`.
    pub during: Writes,
    /// The writes of the quiet seconds before it, for comparison.
    pub before: Writes,
    /// The writes from the start of the quiet seconds before `up` to the end of `down`.
    pub whole: Writes,
    /// Pauses the runtime made before retrying after a lock timeout, as the monitor saw them.
    pub retries: usize,
    /// The migration's statements that lasted longer than the monitor's interval, grouped.
    pub statements: Vec<SeenGroup>,
    /// What writers waited behind during the migration.
    pub blocked_by: Vec<Blocker>,
    /// Whether the inspected schema was the desired one after `up` and the starting one after
    /// `down` (or after a failed `up`).
    pub schema_ok: bool,
    /// How long `down` took, in seconds; `None` when `up` failed.
    pub down_seconds: Option<f64>,
    /// The error of this plan's `down`, when it failed and the plain plan's `down` reverted the
    /// change instead.
    pub down_error: Option<String>,
    /// The machine's load averages (1, 5, 15 minutes) when `up` began.
    pub load: Option<[f64; 3]>,
}

/// A whole benchmark: its settings and each run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `postgres` or `mysql`.
    pub backend: String,
    /// The server's version string.
    pub server: String,
    /// Rows of `bench_events` loaded before the first run.
    pub rows: u64,
    /// Rows it held at the end (writers insert).
    pub rows_at_end: Option<u64>,
    /// Writers, each on its own connection.
    pub writers: usize,
    /// Statements per second each writer sends.
    pub rate_per_writer: f64,
    /// Quiet seconds before each migration.
    pub settle_seconds: f64,
    /// The online plans' lock timeout (`create`'s default; plain plans have none).
    pub online_lock_timeout_ms: u32,
    /// How often an online plan's transaction is retried after a lock timeout.
    pub online_lock_retries: u32,
    /// How long loading the rows took, in seconds.
    pub load_seconds: f64,
    /// When the run started (UTC).
    pub started: String,
    /// CPUs of the machine.
    pub cpus: usize,
    /// The load averages before loading the rows.
    pub load_before: Option<[f64; 3]>,
    /// Every write of the whole run.
    pub total: Writes,
    /// Each (kind, plan) in running order.
    pub runs: Vec<Run>,
}

impl Report {
    /// Writes `<backend>.json` and `<backend>.md` into `dir`.
    pub fn write(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let json = dir.join(format!("{}.json", self.backend));
        std::fs::write(&json, serde_json::to_string_pretty(self)? + "\n").with_context(|| format!("writing {}", json.display()))?;
        let md = dir.join(format!("{}.md", self.backend));
        std::fs::write(&md, self.markdown()).with_context(|| format!("writing {}", md.display()))?;
        Ok(())
    }

    /// The results as a markdown table with the settings above it.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let load = |l: &Option<[f64; 3]>| l.map_or("unknown".to_owned(), |[a, b, c]| format!("{a:.2} {b:.2} {c:.2}"));
        let _ = writeln!(out, "# Online plans under write load: {} ({})\n", self.backend, self.server);
        let _ = writeln!(
            out,
            "{} rows in `bench_events`, {} writers at {} statements/s each (half inserts, half updates of random rows), \
             {} s of writes alone before each migration. Online plans: lock timeout {} ms, {} retries; plain DDL: none. \
             Started {} on {} CPUs, load average before loading {}. Every state is reverted with `down` before the next run. \
             A write counts for a migration when its time on the server overlapped the migration's; \
             the goal (issue 14) is that none waits longer than 1 s under an online plan, shown in parentheses for plain DDL.\n",
            self.rows,
            self.writers,
            self.rate_per_writer,
            self.settle_seconds,
            self.online_lock_timeout_ms,
            self.online_lock_retries,
            self.started,
            self.cpus,
            load(&self.load_before),
        );
        let _ = writeln!(
            out,
            "| change | plan | migration | longest write wait | p99 write | p50 write | writes (failed) | p99 before | retries | goal ≤ 1 s | load 1/5/15 min |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|");
        for run in &self.runs {
            let migration = match run.outcome.as_str() {
                "applied" => format!("{:.2} s", run.migration_seconds),
                other => format!("{other} after {:.2} s", run.migration_seconds),
            };
            let goal = match (run.plan.as_str(), run.during.max_ms <= GOAL.as_secs_f64() * 1000.0) {
                _ if run.error.is_some() => "not applied",
                ("online", true) => "met",
                ("online", false) => "**missed**",
                (_, true) => "(met)",
                (_, false) => "(missed)",
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} ({}) | {} | {} | {} | {} |",
                run.kind,
                run.plan,
                migration,
                format_ms(run.during.max_ms),
                format_ms(run.during.p99_ms),
                format_ms(run.during.p50_ms),
                run.during.count,
                run.during.failed,
                format_ms(run.before.p99_ms),
                run.retries,
                goal,
                load(&run.load),
            );
        }
        let failures: Vec<(&Run, &str, &str)> = self
            .runs
            .iter()
            .flat_map(|r| [(r, "up", r.error.as_deref()), (r, "down", r.down_error.as_deref())])
            .filter_map(|(r, direction, error)| error.map(|e| (r, direction, e)))
            .collect();
        if !failures.is_empty() {
            let _ = writeln!(out, "\nMigrations that failed (a failed `down` was reverted with the plain plan's):\n");
            for (run, direction, error) in failures {
                let _ = writeln!(out, "- {} {} `{direction}`: {}", run.kind, run.plan, error.replace('\n', " "));
            }
        }
        let _ = writeln!(
            out,
            "\nAll writes of the run: {} ({} failed), longest {}. Rows at the end: {}.",
            self.total.count,
            self.total.failed,
            format_ms(self.total.max_ms),
            self.rows_at_end.map_or("unknown".to_owned(), |r| r.to_string())
        );
        out
    }
}

fn format_ms(value: f64) -> String {
    if value >= 1000.0 { format!("{:.2} s", value / 1000.0) } else { format!("{value:.1} ms") }
}

/// The load averages over 1, 5 and 15 minutes, where the system tells them (Linux).
pub fn load_average() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut fields = text.split_whitespace().map(|f| f.parse::<f64>().ok());
    Some([fields.next()??, fields.next()??, fields.next()??])
}
