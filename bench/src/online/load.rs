//! The write load: several connections, each on its own task, inserting and updating rows of
//! `bench_events` at a steady pace for the whole run, and timing every statement with the
//! monotonic clock.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use tokio::task::JoinHandle;

use super::kinds::{EVENTS, ORGS, STATUSES};

/// One write as a writer saw it.
#[derive(Debug, Clone)]
pub struct Sample {
    /// When it was sent, since the run's epoch.
    pub start: Duration,
    /// How long it took until the server answered.
    pub latency: Duration,
    /// The server's error, when it failed.
    pub error: Option<String>,
}

impl Sample {
    /// When the answer came, since the run's epoch.
    pub fn end(&self) -> Duration {
        self.start + self.latency
    }
}

/// How the writers behave.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// How many writers, each with its own connection.
    pub writers: usize,
    /// Statements each writer sends per second; a writer that fell behind (its statement waited)
    /// carries on at this pace without a burst to catch up.
    pub rate: f64,
    /// Rows of `bench_events` loaded before the run, among which updates pick theirs.
    pub rows: u64,
}

/// The running writers and what they have measured so far.
pub struct Load {
    /// The writers' sessions on the server.
    pub sessions: BTreeSet<i64>,
    stop: Arc<AtomicBool>,
    samples: Vec<Arc<Mutex<Vec<Sample>>>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Load {
    /// Connects `pace.writers` writers to `url` and starts them; times are measured from `epoch`.
    pub async fn start(url: &str, backend: DbBackend, pace: Pace, epoch: Instant) -> Result<Load> {
        let stop = Arc::new(AtomicBool::new(false));
        let mut samples = Vec::new();
        let mut tasks = Vec::new();
        let mut sessions = BTreeSet::new();
        for writer in 0..pace.writers {
            let mut options = ConnectOptions::new(url.to_owned());
            options.max_connections(1).min_connections(1).sqlx_logging(false);
            let db = Database::connect(options).await.with_context(|| format!("connecting writer {writer}"))?;
            sessions.insert(super::monitor::session_id(&db).await?);
            let store = Arc::new(Mutex::new(Vec::new()));
            samples.push(store.clone());
            let writer = Writer { db, backend, id: writer, pace, epoch, stop: stop.clone(), store };
            tasks.push(tokio::spawn(writer.run()));
        }
        Ok(Load { sessions, stop, samples, tasks })
    }

    /// Every write whose time on the server overlapped `from..to` (since the epoch): a write
    /// that was sent before a migration began and waited through it counts.
    pub fn overlapping(&self, from: Duration, to: Duration) -> Vec<Sample> {
        let mut out = Vec::new();
        for store in &self.samples {
            let store = store.lock().expect("a writer panicked while recording");
            out.extend(store.iter().filter(|s| s.start <= to && s.end() >= from).cloned());
        }
        out
    }

    /// Every write so far.
    pub fn all(&self) -> Vec<Sample> {
        self.overlapping(Duration::ZERO, Duration::MAX)
    }

    /// Stops the writers after their statement in flight; what they measured stays.
    pub async fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

struct Writer {
    db: DatabaseConnection,
    backend: DbBackend,
    id: usize,
    pace: Pace,
    epoch: Instant,
    stop: Arc<AtomicBool>,
    store: Arc<Mutex<Vec<Sample>>>,
}

impl Writer {
    /// Alternates an insert of a new row and an update of a random loaded row until stopped.
    async fn run(self) {
        let interval = Duration::from_secs_f64(1.0 / self.pace.rate);
        // xorshift64, seeded per writer: updates spread over the table without a dependency.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64 ^ ((self.id as u64 + 1) << 32);
        let mut random = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (insert, update) = statements(self.backend);
        let mut next = Instant::now() + interval.mul_f64(self.id as f64 / self.pace.writers as f64);
        let mut sequence = 0u64;
        while !self.stop.load(Ordering::Relaxed) {
            tokio::time::sleep_until(next.into()).await;
            let status = STATUSES[(random() % STATUSES.len() as u64) as usize];
            let statement = if sequence.is_multiple_of(2) {
                let org = (1 + random() % ORGS) as i64;
                let email = format!("w{}-{}@load.example", self.id, sequence);
                let score = (random() % 1000) as i32;
                Statement::from_sql_and_values(self.backend, insert.clone(), [org.into(), email.into(), status.into(), score.into()])
            } else {
                let id = (1 + random() % self.pace.rows.max(1)) as i64;
                Statement::from_sql_and_values(self.backend, update.clone(), [status.into(), id.into()])
            };
            sequence += 1;
            let sent = Instant::now();
            let result = self.db.execute_raw(statement).await;
            let latency = sent.elapsed();
            let sample = Sample { start: sent - self.epoch, latency, error: result.err().map(|e| e.to_string()) };
            self.store.lock().expect("the store is only locked to push and read").push(sample);
            // A statement that waited does not make the writer send a burst to catch up.
            next = (next + interval).max(Instant::now());
        }
        self.db.close().await.ok();
    }
}

/// The insert and the update a writer sends, in the backend's placeholder style.
fn statements(backend: DbBackend) -> (String, String) {
    let p = |n: usize| if backend == DbBackend::Postgres { format!("${n}") } else { "?".to_owned() };
    let q = |name: &str| autogen::quote::ident(backend, name);
    (
        format!(
            "INSERT INTO {} ({}, {}, {}, {}) VALUES ({}, {}, {}, {})",
            q(EVENTS),
            q("org_id"),
            q("email"),
            q("status"),
            q("score"),
            p(1),
            p(2),
            p(3),
            p(4)
        ),
        format!("UPDATE {} SET {s} = {s} + 1, {} = {} WHERE {} = {}", q(EVENTS), q("status"), p(1), q("id"), p(2), s = q("score")),
    )
}
