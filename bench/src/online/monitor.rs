//! Watches the server while the benchmark runs: every few milliseconds it reads which statements
//! the migration's sessions are running (and whether they wait for a lock), and which writers
//! wait for a lock and behind which statement. The runtime sends its DDL unprepared, which
//! sea-orm's metric callback never sees; the server's own view of its sessions sees everything
//! that lasts longer than one sampling interval.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, QueryResult, Statement};
use tokio::task::JoinHandle;

/// How often the server is asked.
pub const INTERVAL: Duration = Duration::from_millis(25);

/// A statement the migration's sessions were seen running.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The statement.
    pub sql: String,
    /// When the server says it began, since the run's epoch.
    pub start: Duration,
    /// How long it had been running when last seen.
    pub age: Duration,
    /// Whether it was seen waiting for a lock.
    pub waited: bool,
}

/// A writer seen waiting for a lock.
#[derive(Debug, Clone)]
pub struct Wait {
    /// When, since the run's epoch.
    pub at: Duration,
    /// The statement it waited behind: the blocking session's, or a description.
    pub blocker: String,
}

#[derive(Default)]
struct Observed {
    seen: Vec<Seen>,
    /// Position in `seen` of each statement by session and the server's key for it.
    index: HashMap<(i64, i64), usize>,
    waits: Vec<Wait>,
    /// Why the monitor stopped early, when it did.
    failure: Option<String>,
}

/// The running monitor.
pub struct Monitor {
    stop: Arc<AtomicBool>,
    observed: Arc<Mutex<Observed>>,
    task: Option<JoinHandle<()>>,
}

/// One session as the server lists it.
struct Session {
    id: i64,
    /// Distinguishes statements of one session: the start in microseconds (PostgreSQL), the
    /// query id (MariaDB).
    key: i64,
    age: Duration,
    waiting: bool,
    sql: String,
    /// PostgreSQL: the first session this one waits for, 0 for none.
    blocker: i64,
}

impl Monitor {
    /// Starts watching the database at `url`; sessions in `writers` are the writers, every other
    /// session of the database but the monitor's own is the migration's.
    pub async fn start(url: &str, writers: BTreeSet<i64>, epoch: Instant) -> Result<Monitor> {
        let mut options = ConnectOptions::new(url.to_owned());
        options.max_connections(1).min_connections(1).sqlx_logging(false);
        let db = Database::connect(options).await.context("connecting the monitor")?;
        let stop = Arc::new(AtomicBool::new(false));
        let observed = Arc::new(Mutex::new(Observed::default()));
        let task = tokio::spawn(watch(db, writers, epoch, stop.clone(), observed.clone()));
        Ok(Monitor { stop, observed, task: Some(task) })
    }

    /// The migration's statements that ran during `from..to`, and the writers' waits then.
    pub fn between(&self, from: Duration, to: Duration) -> (Vec<Seen>, Vec<Wait>) {
        let observed = self.observed.lock().expect("the monitor's record is only locked briefly");
        let seen = observed.seen.iter().filter(|s| s.start <= to && s.start + s.age >= from).cloned().collect();
        let waits = observed.waits.iter().filter(|w| w.at >= from && w.at <= to).cloned().collect();
        (seen, waits)
    }

    /// Why the monitor stopped before it was asked to, if it did.
    pub fn failure(&self) -> Option<String> {
        self.observed.lock().expect("the monitor's record is only locked briefly").failure.clone()
    }

    /// Stops watching.
    pub async fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

async fn watch(db: DatabaseConnection, writers: BTreeSet<i64>, epoch: Instant, stop: Arc<AtomicBool>, observed: Arc<Mutex<Observed>>) {
    let backend = db.get_database_backend();
    let mut next = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep_until(next.into()).await;
        next = (next + INTERVAL).max(Instant::now());
        let asked = Instant::now();
        let rows = match db.query_all_raw(Statement::from_string(backend, query(backend))).await {
            Ok(rows) => rows,
            Err(e) => {
                observed.lock().expect("the monitor's record is only locked briefly").failure = Some(e.to_string());
                break;
            }
        };
        let sessions: Vec<Session> = match rows.iter().map(|row| session(backend, row)).collect() {
            Ok(sessions) => sessions,
            Err(e) => {
                observed.lock().expect("the monitor's record is only locked briefly").failure = Some(e.to_string());
                break;
            }
        };
        let now = asked.saturating_duration_since(epoch);
        let mut guard = observed.lock().expect("the monitor's record is only locked briefly");
        let observed = &mut *guard;
        let migration: Vec<&Session> = sessions.iter().filter(|s| !writers.contains(&s.id)).collect();
        for s in &migration {
            let start = now.saturating_sub(s.age);
            match observed.index.get(&(s.id, s.key)).copied() {
                Some(at) => {
                    let seen = &mut observed.seen[at];
                    seen.age = seen.age.max(s.age);
                    seen.waited |= s.waiting;
                }
                None => {
                    let at = observed.seen.len();
                    observed.index.insert((s.id, s.key), at);
                    observed.seen.push(Seen { sql: s.sql.clone(), start, age: s.age, waited: s.waiting });
                }
            }
        }
        for writer in sessions.iter().filter(|s| writers.contains(&s.id) && s.waiting) {
            let blocker = match backend {
                DbBackend::Postgres => match sessions.iter().find(|s| s.id == writer.blocker) {
                    Some(b) if writers.contains(&b.id) => "(another writer)".to_owned(),
                    Some(b) => b.sql.clone(),
                    None => "(a session that ended)".to_owned(),
                },
                // MariaDB lists no blocker: a writer waiting for a lock waits behind the longest
                // statement the migration is running then, or else behind another transaction.
                _ => migration
                    .iter()
                    .max_by_key(|m| m.age)
                    .map_or_else(|| "(a row lock of another transaction)".to_owned(), |m| m.sql.clone()),
            };
            observed.waits.push(Wait { at: now, blocker });
        }
    }
    db.close().await.ok();
}

/// The sessions of the current database that are busy, other than the monitor's own.
fn query(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => {
            "SELECT a.pid::int8 AS id, \
             CAST(EXTRACT(EPOCH FROM a.query_start) * 1000000 AS int8) AS key, \
             CAST(EXTRACT(EPOCH FROM clock_timestamp() - a.query_start) * 1000 AS float8) AS age_ms, \
             COALESCE(a.wait_event_type = 'Lock', false) AS waiting, \
             CASE WHEN a.state = 'active' THEN a.query ELSE a.state || ' after: ' || a.query END AS sql, \
             COALESCE((pg_blocking_pids(a.pid))[1], 0)::int8 AS blocker \
             FROM pg_stat_activity a \
             WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.state <> 'idle' \
             AND a.backend_type = 'client backend' AND a.query_start IS NOT NULL"
        }
        _ => {
            "SELECT CAST(p.ID AS SIGNED) AS id, CAST(p.QUERY_ID AS SIGNED) AS `key`, CAST(p.TIME_MS AS DOUBLE) AS age_ms, \
             (COALESCE(p.STATE, '') LIKE 'Waiting for%lock%' OR COALESCE(t.trx_state, '') = 'LOCK WAIT') AS waiting, \
             CAST(p.INFO AS CHAR) AS `sql`, 0 AS blocker \
             FROM information_schema.PROCESSLIST p \
             LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID \
             WHERE p.DB = DATABASE() AND p.ID <> CONNECTION_ID() AND p.COMMAND IN ('Query', 'Execute') AND p.INFO IS NOT NULL"
        }
    }
}

fn session(backend: DbBackend, row: &QueryResult) -> Result<Session, sea_orm::DbErr> {
    let waiting = match backend {
        DbBackend::Postgres => row.try_get::<bool>("", "waiting")?,
        _ => row.try_get::<i64>("", "waiting")? != 0,
    };
    let age_ms: f64 = row.try_get("", "age_ms")?;
    Ok(Session {
        id: row.try_get("", "id")?,
        key: row.try_get("", "key")?,
        age: Duration::from_secs_f64(age_ms.max(0.0) / 1000.0),
        waiting,
        sql: row.try_get("", "sql")?,
        blocker: row.try_get("", "blocker")?,
    })
}

/// The session id of a connection, as the monitor's query lists it.
pub async fn session_id(db: &DatabaseConnection) -> Result<i64> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "SELECT pg_backend_pid()::int8",
        _ => "SELECT CAST(CONNECTION_ID() AS SIGNED)",
    };
    let row = db.query_one_raw(Statement::from_string(backend, sql)).await?.context("no session id")?;
    Ok(row.try_get_by_index(0)?)
}
