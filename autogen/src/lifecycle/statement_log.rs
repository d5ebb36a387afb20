//! What a connection sent while a migration ran, so that a failure can name the statement that
//! failed and, where the backend keeps what came before it, the statements that stay applied.
//!
//! Two sources feed it. sea-orm reports the statements it builds (`SchemaManager::create_table`,
//! `execute`) to a metric callback, failed or not. Hand-written SQL sent with
//! `execute_unprepared` never reaches that callback, so [`StatementLog::capture`] also listens to
//! sqlx's own statement log (`sqlx::query` events at TRACE, the level [`crate::database::connect`]
//! gives its connections), on every thread. The migration lock's connection logs nothing, so
//! its keep-alive queries never show up here.

use std::sync::{Arc, Mutex};

use sea_orm::{DatabaseConnection, DbErr, RuntimeErr};

/// The level at which the engine's connections log their statements; nothing else is captured.
pub(crate) const LEVEL: log::LevelFilter = log::LevelFilter::Trace;

#[derive(Debug, Default)]
struct Entries {
    /// The last statement sea-orm reported as failed.
    failed: Option<String>,
    /// Every statement sqlx logged, oldest first.
    sent: Vec<String>,
}

/// The statements a connection sent since the last [`StatementLog::clear`].
#[derive(Debug, Clone, Default)]
pub struct StatementLog(Arc<Mutex<Entries>>);

/// Where a migration failed: the statement and the ones sent before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The statement the database refused.
    pub statement: String,
    /// The statements sent before it, oldest first, as far as the log saw them.
    pub before: Vec<String>,
}

impl StatementLog {
    /// Records the statements of `db`: those sea-orm builds through its metric callback. Call
    /// [`capture`](Self::capture) as well to see hand-written SQL.
    pub fn attach(db: &mut DatabaseConnection) -> Self {
        let log = Self::default();
        let sink = log.0.clone();
        db.set_metric_callback(move |info| {
            if info.failed
                && let Ok(mut entries) = sink.lock()
            {
                entries.failed = Some(info.statement.to_string());
            }
        });
        log
    }

    /// Listens to sqlx's statement log until the guard is dropped, on every thread (SQLite runs
    /// its statements on a worker thread of its own). The listener is installed as the process's
    /// global tracing subscriber the first time; where the program already installed one, it
    /// listens on this thread only, which is where PostgreSQL and MySQL statements run under a
    /// current-thread runtime.
    pub fn capture(&self) -> Capture {
        static GLOBAL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        let global = *GLOBAL.get_or_init(|| tracing::dispatcher::set_global_default(tracing::Dispatch::new(Listener)).is_ok());
        let id = NEXT_CAPTURE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut active) = ACTIVE.lock() {
            active.push((id, self.0.clone()));
        }
        let local = (!global).then(|| tracing::subscriber::set_default(Listener));
        Capture { id, _local: local }
    }

    /// Forgets everything recorded so far.
    pub fn clear(&self) {
        if let Ok(mut entries) = self.0.lock() {
            *entries = Entries::default();
        }
    }

    /// Where the error `e` came from, if the database raised it: sea-orm's failed statement, or
    /// else the last statement sqlx sent; with the statements sent before it. `None` for errors
    /// the migration's own code raised, and when the log saw nothing.
    pub fn failure(&self, e: &DbErr) -> Option<Failure> {
        if !from_the_database(e) {
            return None;
        }
        let mut entries = self.0.lock().ok()?;
        let failed = entries.failed.take();
        let mut sent = std::mem::take(&mut entries.sent);
        // A rollback after the failure, or the transaction's start, is not what failed.
        sent.retain(|statement| !controls_a_transaction(statement));
        let statement = match failed {
            Some(statement) => {
                // sqlx logged the same statement last (with placeholders where sea-orm's
                // spelling has values); it is not one of those before.
                sent.pop();
                statement
            }
            None => sent.pop()?,
        };
        // Reads and session settings (a new pooled connection's `SET ...`) leave nothing behind.
        sent.retain(|statement| changes_something(statement));
        Some(Failure { statement, before: sent })
    }
}

/// Whether a statement may leave something behind: anything but a read or a session setting.
fn changes_something(statement: &str) -> bool {
    !starts_with_one_of(statement, &["select", "set", "show", "describe", "explain", "use", "pragma"])
}

/// Whether the statement's first word is one of `keywords` (lower case), whatever its case.
fn starts_with_one_of(statement: &str, keywords: &[&str]) -> bool {
    let first = statement.split(|c: char| !c.is_ascii_alphabetic()).find(|word| !word.is_empty()).unwrap_or("");
    keywords.iter().any(|k| first.eq_ignore_ascii_case(k))
}

/// Whether a statement only begins or ends a transaction or a savepoint.
fn controls_a_transaction(statement: &str) -> bool {
    starts_with_one_of(statement, &["begin", "start", "commit", "rollback", "savepoint", "release", "end"])
}

/// Errors a driver returned, as opposed to those a migration's own code built.
fn from_the_database(e: &DbErr) -> bool {
    matches!(
        e,
        DbErr::Exec(RuntimeErr::SqlxError(_))
            | DbErr::Query(RuntimeErr::SqlxError(_))
            | DbErr::Conn(RuntimeErr::SqlxError(_))
    )
}

/// The logs capturing now, each under the id of its [`Capture`].
static ACTIVE: Mutex<Vec<(u64, Arc<Mutex<Entries>>)>> = Mutex::new(Vec::new());
static NEXT_CAPTURE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// While it lives, a [`StatementLog`] records what sqlx sends.
pub struct Capture {
    id: u64,
    _local: Option<tracing::subscriber::DefaultGuard>,
}

impl Drop for Capture {
    fn drop(&mut self) {
        if let Ok(mut active) = ACTIVE.lock() {
            active.retain(|(id, _)| *id != self.id);
        }
    }
}

/// A tracing subscriber that hands the SQL of `sqlx::query` events at [`LEVEL`] to every log
/// capturing at the time; it turns down everything else.
struct Listener;

impl Listener {
    fn wanted(metadata: &tracing::Metadata<'_>) -> bool {
        // Events, and the hint callsites of `tracing::enabled!`, which sqlx asks before it logs.
        !metadata.is_span() && metadata.target() == "sqlx::query" && *metadata.level() == tracing::Level::TRACE
    }
}

impl tracing::Subscriber for Listener {
    fn register_callsite(&self, metadata: &'static tracing::Metadata<'static>) -> tracing::subscriber::Interest {
        // Asked again at each call, since whether anyone listens changes.
        if Self::wanted(metadata) { tracing::subscriber::Interest::sometimes() } else { tracing::subscriber::Interest::never() }
    }

    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        Self::wanted(metadata) && ACTIVE.lock().is_ok_and(|active| !active.is_empty())
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        // Never called: `enabled` turns every span down.
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        // sqlx puts the whole text in `db.statement` when its one-line summary shortens it.
        let statement = if fields.statement.trim().is_empty() { fields.summary } else { fields.statement };
        let statement = statement.trim();
        if statement.is_empty() {
            return;
        }
        if let Ok(active) = ACTIVE.lock() {
            for (_, entries) in active.iter() {
                if let Ok(mut entries) = entries.lock() {
                    entries.sent.push(statement.to_owned());
                }
            }
        }
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

#[derive(Default)]
struct Fields {
    summary: String,
    statement: String,
}

impl tracing::field::Visit for Fields {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        match field.name() {
            "summary" => self.summary = value.to_owned(),
            "db.statement" => self.statement = value.to_owned(),
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if matches!(field.name(), "summary" | "db.statement") {
            self.record_str(field, &format!("{value:?}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec_error() -> DbErr {
        DbErr::Exec(RuntimeErr::SqlxError(sea_orm::sqlx::Error::Protocol("refused".into()).into()))
    }

    fn sent(log: &StatementLog, statements: &[&str]) {
        log.0.lock().unwrap().sent.extend(statements.iter().map(|s| s.to_string()));
    }

    #[test]
    fn the_last_statement_sent_is_the_failing_one_when_sea_orm_saw_none() {
        let log = StatementLog::default();
        sent(&log, &["CREATE TABLE a (id int)", "CREATE TABLE a (id int)"]);
        let failure = log.failure(&exec_error()).unwrap();
        assert_eq!(failure.statement, "CREATE TABLE a (id int)");
        assert_eq!(failure.before, ["CREATE TABLE a (id int)"]);
        // Taken: a second failure sees nothing.
        assert_eq!(log.failure(&exec_error()), None);
    }

    #[test]
    fn sea_orms_failed_statement_wins_and_is_not_counted_twice() {
        let log = StatementLog::default();
        sent(&log, &["CREATE TABLE b (id int)", "INSERT INTO t VALUES ($1)"]);
        log.0.lock().unwrap().failed = Some("INSERT INTO t VALUES (1)".into());
        let failure = log.failure(&exec_error()).unwrap();
        assert_eq!(failure.statement, "INSERT INTO t VALUES (1)");
        assert_eq!(failure.before, ["CREATE TABLE b (id int)"]);
    }

    #[test]
    fn an_error_the_migration_raised_itself_names_no_statement() {
        let log = StatementLog::default();
        sent(&log, &["CREATE TABLE c (id int)"]);
        assert_eq!(log.failure(&DbErr::Migration("no".into())), None);
        assert_eq!(log.failure(&DbErr::Custom("no".into())), None);
    }

    #[test]
    fn the_listener_keeps_trace_events_of_sqlx_query_only_from_any_thread() {
        let log = StatementLog::default();
        {
            let _guard = log.capture();
            // sqlx logs only when asking `enabled!` first gets a yes.
            assert!(tracing::enabled!(target: "sqlx::query", tracing::Level::TRACE));
            assert!(!tracing::enabled!(target: "sqlx::query", tracing::Level::DEBUG));
            tracing::event!(target: "sqlx::query", tracing::Level::TRACE, summary = "select 1 sl_unit", db.statement = "");
            tracing::event!(
                target: "sqlx::query",
                tracing::Level::TRACE,
                summary = "create table …",
                db.statement = "\n\nCREATE TABLE sl_unit (\n  id int\n)\n"
            );
            tracing::event!(target: "sqlx::query", tracing::Level::DEBUG, summary = "keep-alive sl_unit", db.statement = "");
            tracing::event!(target: "other", tracing::Level::TRACE, summary = "other sl_unit", db.statement = "");
            // SQLite runs statements on a worker thread of its own.
            std::thread::spawn(|| {
                tracing::event!(target: "sqlx::query", tracing::Level::TRACE, summary = "worker sl_unit", db.statement = "");
            })
            .join()
            .unwrap();
        }
        tracing::event!(target: "sqlx::query", tracing::Level::TRACE, summary = "after sl_unit", db.statement = "");
        // Other tests of this process may run statements meanwhile; only ours are looked at.
        let sent: Vec<String> = log.0.lock().unwrap().sent.iter().filter(|s| s.contains("sl_unit")).cloned().collect();
        assert_eq!(sent, ["select 1 sl_unit", "CREATE TABLE sl_unit (\n  id int\n)", "worker sl_unit"]);
    }

    #[test]
    fn reads_and_session_settings_are_not_what_stays() {
        let log = StatementLog::default();
        sent(&log, &["BEGIN", "SET NAMES utf8mb4", "CREATE TABLE e (id int)", "  select 1", "SHOW TABLES", "INSERT INTO e VALUES (1)", "DROP TABLE e", "ROLLBACK"]);
        let failure = log.failure(&exec_error()).unwrap();
        assert_eq!(failure.statement, "DROP TABLE e");
        assert_eq!(failure.before, ["CREATE TABLE e (id int)", "INSERT INTO e VALUES (1)"]);
    }
}
