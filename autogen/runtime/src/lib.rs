//! The runtime of the migration modules that `sea-orm-autogen` generates.
//!
//! A generated module holds its migration as data, a [`Plan`]: for each backend it was generated
//! for, every change with the SQL that applies it (`up`) and reverts it (`down`). Its
//! `MigrationTrait` methods call [`up`] and [`down`] here. Data compiles in no time at any size;
//! the running lives here once, and gives every migration the same guarantees:
//!
//! - **Inside the runner's transaction** (PostgreSQL and SQLite, when the module does not manage
//!   its own): the statements run one after another in that transaction, so the migration and its
//!   bookkeeping are committed together or not at all.
//! - **Managing its own transactions** (a module whose `use_transaction()` is `Some(false)`, and
//!   every migration on MySQL/MariaDB, whose DDL commits itself): consecutive statements run in
//!   one transaction, and a [`Stmt::Commit`], a statement that must run alone (`CREATE INDEX
//!   CONCURRENTLY`) or a batched backfill ends it. How far the migration got is recorded in the
//!   table `seaql_migrations_progress` with each commit, so a migration that failed half-way
//!   continues where it stopped when it runs again, and its error says what is applied.
//! - **Locks**: on PostgreSQL each transaction sets `lock_timeout`, and a statement that gave up
//!   waiting for a lock is retried after a pause, a bounded number of times, so that a migration
//!   never queues every writer of a busy table behind it for long. MySQL/MariaDB get
//!   `lock_wait_timeout` (metadata locks) and `innodb_lock_wait_timeout` (row locks) the same way,
//!   in whole seconds, on a connection the migration keeps for itself.
//!
//! On a recording connection (`migrate upgrade --sql`) the statements are recorded with the
//! `BEGIN` and `COMMIT` around each transaction, without the progress bookkeeping.

use sea_orm_migration::sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult,
    Statement, TransactionTrait, Value,
};
use sea_orm_migration::{SchemaManager, SchemaManagerConnection};

/// A backend a migration has statements for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    MySql,
    Sqlite,
}

impl Backend {
    fn of(backend: DbBackend) -> Option<Backend> {
        match backend {
            DbBackend::Postgres => Some(Backend::Postgres),
            DbBackend::MySql => Some(Backend::MySql),
            DbBackend::Sqlite => Some(Backend::Sqlite),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "PostgreSQL",
            Backend::MySql => "MySQL/MariaDB",
            Backend::Sqlite => "SQLite",
        }
    }
}

/// A generated migration's plan: for each backend it was generated for, its changes.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// How long a statement may wait for a lock before it gives up and is retried, in
    /// milliseconds; 0 waits as long as it takes.
    pub lock_timeout_ms: u32,
    /// How many times a transaction that gave up waiting for a lock is retried.
    pub lock_retries: u32,
    /// The changes on PostgreSQL, in the order `up` applies them; `down` reverts them in reverse
    /// order. `None`: not generated for this backend.
    pub postgres: Option<&'static [Change]>,
    /// The changes on MySQL/MariaDB.
    pub mysql: Option<&'static [Change]>,
    /// The changes on SQLite.
    pub sqlite: Option<&'static [Change]>,
}

impl Plan {
    fn on(&self, backend: Backend) -> Option<&'static [Change]> {
        match backend {
            Backend::Postgres => self.postgres,
            Backend::MySql => self.mysql,
            Backend::Sqlite => self.sqlite,
        }
    }

    fn backends(&self) -> Vec<Backend> {
        [Backend::Postgres, Backend::MySql, Backend::Sqlite].into_iter().filter(|b| self.on(*b).is_some()).collect()
    }
}

/// One change of a migration on one backend.
#[derive(Debug, Clone, Copy)]
pub struct Change {
    /// What it does, one line (`+ column users.nickname varchar null`).
    pub summary: &'static str,
    /// The statements that apply it.
    pub up: &'static [Stmt],
    /// The statements that revert it.
    pub down: &'static [Stmt],
}

/// One statement and how it must run.
#[derive(Debug, Clone, Copy)]
pub enum Stmt {
    /// Runs in the current transaction.
    Run(&'static str),
    /// Commits the current transaction: what follows can rely on what came before being
    /// committed (a new PostgreSQL enum value can be used only after that).
    Commit,
    /// Runs by itself, outside any transaction (`CREATE INDEX CONCURRENTLY`, `PRAGMA`).
    Alone(&'static str),
    /// Runs again and again, each time committed by itself, until it changes no row: a backfill
    /// in batches that never holds a lock for long.
    Batches(&'static str),
    /// A query that must find no row; when it finds one, the migration stops with `message`.
    Refuse { query: &'static str, message: &'static str },
    /// PostgreSQL: builds an index with `create` (`CREATE INDEX CONCURRENTLY`). A valid index of
    /// that name is kept; an invalid one, left by an earlier build that failed, is dropped first
    /// with `drop`.
    BuildIndex { name: &'static str, create: &'static str, drop: &'static str },
    /// Tries each statement in turn, moving on when the server says it cannot do the change
    /// that way (MySQL `ALGORITHM=INSTANT`, then `ALGORITHM=INPLACE, LOCK=NONE`).
    FirstOf(&'static [&'static str]),
    /// Runs a query whose rows are pairs of statements (drop, create): runs each drop now and
    /// keeps each create for the next [`Stmt::Restore`] of the same transaction. It carries
    /// objects that depend on a table (SQLite views and triggers) across its rebuild.
    Save(&'static str),
    /// Runs the creates kept by [`Stmt::Save`].
    Restore,
}

/// Applies the migration named `name` (the module's `self.name()`) whose plan is `plan`.
pub async fn up(manager: &SchemaManager<'_>, name: &str, plan: &Plan) -> Result<(), DbErr> {
    run(manager, name, plan, Direction::Up).await
}

/// Reverts the migration named `name` whose plan is `plan`.
pub async fn down(manager: &SchemaManager<'_>, name: &str, plan: &Plan) -> Result<(), DbErr> {
    run(manager, name, plan, Direction::Down).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Up,
    Down,
}

impl Direction {
    fn key(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

/// A statement in running order, with the change it belongs to.
#[derive(Debug, Clone, Copy)]
struct Planned {
    /// 1-based position of its change in running order.
    change: usize,
    summary: &'static str,
    stmt: Stmt,
}

/// The table that records how far a migration that manages its own transactions got.
const PROGRESS: &str = "seaql_migrations_progress";

async fn run(manager: &SchemaManager<'_>, name: &str, plan: &Plan, direction: Direction) -> Result<(), DbErr> {
    let db_backend = manager.get_database_backend();
    let backend = Backend::of(db_backend);
    let Some((backend, changes)) = backend.and_then(|b| plan.on(b).map(|changes| (b, changes))) else {
        let generated: Vec<&str> = plan.backends().iter().map(|b| b.name()).collect();
        let connected = backend.map_or_else(|| format!("{db_backend:?}"), |b| b.name().to_owned());
        let generated = if generated.is_empty() { "no backend".to_owned() } else { generated.join(" and ") };
        return Err(DbErr::Migration(format!(
            "migration {name} was generated for {generated} and has no statements for {connected}: list this backend in the project's configuration and generate it again"
        )));
    };
    let ordered: Box<dyn Iterator<Item = &Change>> = match direction {
        Direction::Up => Box::new(changes.iter()),
        Direction::Down => Box::new(changes.iter().rev()),
    };
    let planned: Vec<Planned> = ordered
        .enumerate()
        .flat_map(|(i, change)| {
            let statements = match direction {
                Direction::Up => change.up,
                Direction::Down => change.down,
            };
            statements.iter().map(move |stmt| Planned { change: i + 1, summary: change.summary, stmt: *stmt })
        })
        .collect();
    let total = changes.len();
    match manager.get_connection() {
        SchemaManagerConnection::Connection(db) => {
            let mut own = Own::start(db, name, direction, backend, plan).await?;
            let result = own.run(&planned, total).await;
            own.finish(result).await
        }
        conn => run_in_transaction(conn, backend, plan, &planned, total).await,
    }
}

/// Runs every statement in the transaction the caller opened.
async fn run_in_transaction(
    conn: &SchemaManagerConnection<'_>,
    backend: Backend,
    plan: &Plan,
    planned: &[Planned],
    total: usize,
) -> Result<(), DbErr> {
    if backend == Backend::Postgres && plan.lock_timeout_ms > 0 {
        conn.execute_unprepared(&format!("SET LOCAL lock_timeout = '{}ms'", plan.lock_timeout_ms))
            .await?;
    }
    let mut saved = Vec::new();
    for p in planned {
        let result = match p.stmt {
            Stmt::Run(sql) => conn.execute_unprepared(sql).await.map(drop).map_err(Failed::from),
            Stmt::Batches(sql) => batches(conn, sql).await,
            Stmt::Refuse { query, message } => refuse(conn, query, message).await,
            Stmt::Save(query) => save(conn, query, &mut saved).await,
            Stmt::Restore => restore(conn, &mut saved).await,
            Stmt::FirstOf(alternatives) => first_of(conn, alternatives).await,
            Stmt::Commit | Stmt::Alone(_) | Stmt::BuildIndex { .. } => Err(Failed::from(DbErr::Migration(
                "this statement must run outside a transaction, but the migration runs inside one: its module must say `use_transaction() -> Some(false)`".to_owned(),
            ))),
        };
        result.map_err(|e| failure(p, total, &e, &reason(&e.error, None), ""))?;
    }
    Ok(())
}

/// How a statement failed.
struct Failed {
    error: DbErr,
    /// Which of a [`Stmt::FirstOf`]'s statements it was.
    at: Option<&'static str>,
}

impl From<DbErr> for Failed {
    fn from(error: DbErr) -> Failed {
        Failed { error, at: None }
    }
}

/// The error of a failed statement: which change, which statement, why, and what stayed.
fn failure(p: &Planned, total: usize, failed: &Failed, reason: &str, aftermath: &str) -> DbErr {
    let statement = match p.stmt {
        Stmt::Run(sql) | Stmt::Alone(sql) | Stmt::Batches(sql) => sql,
        Stmt::Refuse { query, .. } => query,
        Stmt::BuildIndex { create, .. } => create,
        Stmt::FirstOf(alternatives) => failed.at.or(alternatives.last().copied()).unwrap_or_default(),
        Stmt::Save(query) => query,
        Stmt::Restore => "(recreating what the rebuild saved)",
        Stmt::Commit => "COMMIT",
    };
    DbErr::Migration(format!("change {} of {total} ({}) failed at `{statement}`: {reason}{aftermath}", p.change, p.summary))
}

/// Why a statement failed: the server's message, led for a lock that could not be had in time
/// by how often it was tried (`None`: inside the caller's transaction, where nothing is retried).
fn reason(error: &DbErr, tries: Option<u32>) -> String {
    let text = message(error);
    if !is_lock_timeout(error) {
        return text;
    }
    match tries {
        None => format!("timed out waiting for a lock, not retried inside the caller's transaction ({text})"),
        Some(1) => format!("timed out waiting for a lock ({text})"),
        Some(n) => format!("timed out waiting for a lock, {n} times ({text})"),
    }
}

/// A driver error without sea-orm's category prefix.
fn message(error: &DbErr) -> String {
    let text = error.to_string();
    for prefix in ["Execution Error: ", "Query Error: ", "Connection Error: ", "Migration Error: "] {
        if let Some(rest) = text.strip_prefix(prefix) {
            return rest.to_owned();
        }
    }
    text
}

async fn batches<C: ConnectionTrait>(conn: &C, sql: &str) -> Result<(), Failed> {
    while conn.execute_unprepared(sql).await?.rows_affected() > 0 {}
    Ok(())
}

async fn refuse<C: ConnectionTrait>(conn: &C, query: &str, message: &str) -> Result<(), Failed> {
    let rows = conn.query_all_raw(Statement::from_string(conn.get_database_backend(), query.to_owned())).await?;
    if rows.is_empty() { Ok(()) } else { Err(DbErr::Migration(message.to_owned()).into()) }
}

async fn save<C: ConnectionTrait>(conn: &C, query: &str, saved: &mut Vec<String>) -> Result<(), Failed> {
    let rows = conn.query_all_raw(Statement::from_string(conn.get_database_backend(), query.to_owned())).await?;
    for row in rows {
        let drop: String = row.try_get_by_index(0)?;
        let create: String = row.try_get_by_index(1)?;
        conn.execute_unprepared(&drop).await?;
        saved.push(create);
    }
    Ok(())
}

async fn restore<C: ConnectionTrait>(conn: &C, saved: &mut Vec<String>) -> Result<(), Failed> {
    for create in saved.drain(..) {
        conn.execute_unprepared(&create).await?;
    }
    Ok(())
}

async fn first_of<C: ConnectionTrait>(conn: &C, alternatives: &[&'static str]) -> Result<(), Failed> {
    let mut last = None;
    for sql in alternatives {
        match conn.execute_unprepared(sql).await {
            Ok(_) => return Ok(()),
            // The server cannot do it this way (MySQL 1845/1846); try the next way.
            Err(error) if message(&error).contains("is not supported") => last = Some(Failed { error, at: Some(*sql) }),
            Err(error) => return Err(Failed { error, at: Some(*sql) }),
        }
    }
    Err(last.unwrap_or_else(|| DbErr::Migration("no statement to run".to_owned()).into()))
}

/// Whether an error means a lock could not be had in time (PostgreSQL `lock_timeout`, MySQL
/// `lock_wait_timeout` and `innodb_lock_wait_timeout`).
fn is_lock_timeout(error: &DbErr) -> bool {
    let text = message(error).to_ascii_lowercase();
    text.contains("lock timeout") || text.contains("lock wait timeout")
}

/// A migration that manages its own transactions, with its progress.
struct Own<'a> {
    db: &'a DatabaseConnection,
    /// MySQL: the connection kept for the whole migration, so that its session settings hold.
    pinned: Option<DatabaseTransaction>,
    name: String,
    direction: Direction,
    backend: Backend,
    plan: &'a Plan,
    /// Recording for a preview: no progress, `BEGIN`/`COMMIT` written out.
    preview: bool,
    /// Statements done, from an earlier run or this one.
    done: usize,
    /// SQLite: foreign keys were switched off and must be switched on again.
    foreign_keys_off: bool,
}

impl<'a> Own<'a> {
    async fn start(
        db: &'a DatabaseConnection,
        name: &str,
        direction: Direction,
        backend: Backend,
        plan: &'a Plan,
    ) -> Result<Own<'a>, DbErr> {
        let preview = db.is_mock_connection();
        let mut own = Own {
            db,
            pinned: None,
            name: name.to_owned(),
            direction,
            backend,
            plan,
            preview,
            done: 0,
            foreign_keys_off: false,
        };
        if backend == Backend::MySql && !preview {
            let pinned = db.begin().await?;
            // The migration's literals escape backslashes; a session that reads them literally
            // would store other text than the entities declare.
            let mode = pinned
                .query_one_raw(Statement::from_string(DbBackend::MySql, "SELECT CAST(@@SESSION.sql_mode AS CHAR)"))
                .await?
                .map(|row| row.try_get_by_index::<String>(0))
                .transpose()?
                .unwrap_or_default();
            if mode.contains("NO_BACKSLASH_ESCAPES") {
                return Err(DbErr::Migration(
                    "the session's sql_mode has NO_BACKSLASH_ESCAPES, which would change the text this migration writes; run it without that mode".to_owned(),
                ));
            }
            if plan.lock_timeout_ms > 0 {
                let seconds = plan.lock_timeout_ms.div_ceil(1000);
                pinned
                    .execute_unprepared(&format!(
                        "SET SESSION lock_wait_timeout = {seconds}, innodb_lock_wait_timeout = {seconds}"
                    ))
                    .await?;
            }
            own.pinned = Some(pinned);
        }
        if !preview {
            own.exec(&format!(
                "CREATE TABLE IF NOT EXISTS {PROGRESS} (version varchar(255) NOT NULL, direction varchar(4) NOT NULL, done integer NOT NULL, PRIMARY KEY (version, direction))"
            ))
            .await?;
            own.done = own.load_progress().await?;
        }
        Ok(own)
    }

    fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Runs one statement on the migration's connection, outside any transaction of ours.
    async fn exec(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match &self.pinned {
            Some(pinned) => pinned.execute_unprepared(sql).await,
            None => self.db.execute_unprepared(sql).await,
        }
    }

    async fn query(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match &self.pinned {
            Some(pinned) => pinned.query_all_raw(statement).await,
            None => self.db.query_all_raw(statement).await,
        }
    }

    fn progress_values(&self) -> Vec<Value> {
        vec![self.name.clone().into(), self.direction.key().into()]
    }

    fn placeholders(&self) -> (&'static str, &'static str) {
        match self.backend {
            Backend::Postgres => ("$1", "$2"),
            _ => ("?", "?"),
        }
    }

    async fn load_progress(&self) -> Result<usize, DbErr> {
        let (a, b) = self.placeholders();
        let sql = format!("SELECT done FROM {PROGRESS} WHERE version = {a} AND direction = {b}");
        let rows = self.query(Statement::from_sql_and_values(self.backend(), sql, self.progress_values())).await?;
        match rows.first() {
            Some(row) => {
                let done: i32 = row.try_get_by_index(0)?;
                Ok(usize::try_from(done).unwrap_or(0))
            }
            None => Ok(0),
        }
    }

    /// Records that `done` statements are done, on `conn` (the transaction that did them).
    async fn record<C: ConnectionTrait>(&self, conn: &C, done: usize) -> Result<(), DbErr> {
        if self.preview {
            return Ok(());
        }
        let (a, b) = self.placeholders();
        let backend = self.backend();
        conn.execute_raw(Statement::from_sql_and_values(
            backend,
            format!("DELETE FROM {PROGRESS} WHERE version = {a} AND direction = {b}"),
            self.progress_values(),
        ))
        .await?;
        let c = if self.backend == Backend::Postgres { "$3" } else { "?" };
        let mut values = self.progress_values();
        values.push((done as i32).into());
        conn.execute_raw(Statement::from_sql_and_values(
            backend,
            format!("INSERT INTO {PROGRESS} (version, direction, done) VALUES ({a}, {b}, {c})"),
            values,
        ))
        .await?;
        if self.pinned.is_some() {
            // MySQL: the DDL before committed itself; this commits the record.
            conn.execute_unprepared("COMMIT").await?;
        }
        Ok(())
    }

    async fn run(&mut self, planned: &[Planned], total: usize) -> Result<(), DbErr> {
        let mut i = self.done.min(planned.len());
        // What a `Save` kept for the `Restore` after it.
        let mut saved = Vec::new();
        while i < planned.len() {
            let p = &planned[i];
            let next = match p.stmt {
                Stmt::Run(_) | Stmt::Refuse { .. } | Stmt::Save(_) | Stmt::Restore | Stmt::FirstOf(_) => {
                    let end = if self.pinned.is_some() {
                        // MySQL commits each DDL statement by itself: each statement is recorded
                        // as done once it ran, so that a rerun does not repeat one that stayed.
                        i + 1
                    } else {
                        planned[i..]
                            .iter()
                            .position(|q| !matches!(q.stmt, Stmt::Run(_) | Stmt::Refuse { .. } | Stmt::Save(_) | Stmt::Restore | Stmt::FirstOf(_)))
                            .map_or(planned.len(), |n| i + n)
                    };
                    // A `Commit` that ends the group is part of it.
                    let end = if planned.get(end).is_some_and(|q| matches!(q.stmt, Stmt::Commit)) { end + 1 } else { end };
                    self.group(&planned[i..end], i, end, total, &mut saved).await?;
                    end
                }
                Stmt::Commit => {
                    self.record_alone(i + 1).await.map_err(|e| self.failed(p, total, &e.into(), i))?;
                    i + 1
                }
                Stmt::Alone(sql) => {
                    self.alone(sql).await.map_err(|e| self.failed(p, total, &e.into(), i))?;
                    self.record_alone(i + 1).await.map_err(|e| self.failed(p, total, &e.into(), i))?;
                    i + 1
                }
                Stmt::Batches(sql) => {
                    self.batches(sql).await.map_err(|e| self.failed(p, total, &e.into(), i))?;
                    self.record_alone(i + 1).await.map_err(|e| self.failed(p, total, &e.into(), i))?;
                    i + 1
                }
                Stmt::BuildIndex { name, create, drop } => {
                    self.build_index(name, create, drop).await.map_err(|e| self.failed(p, total, &e.into(), i))?;
                    self.record_alone(i + 1).await.map_err(|e| self.failed(p, total, &e.into(), i))?;
                    i + 1
                }
            };
            i = next;
            self.done = i;
        }
        Ok(())
    }

    /// Runs a statement by itself; on SQLite, remembers that foreign keys are off.
    async fn alone(&mut self, sql: &str) -> Result<(), DbErr> {
        self.exec(sql).await?;
        if self.backend == Backend::Sqlite {
            let normalized: String = sql.to_ascii_lowercase().split_whitespace().collect();
            if normalized == "pragmaforeign_keys=off" {
                self.foreign_keys_off = true;
            } else if normalized == "pragmaforeign_keys=on" {
                self.foreign_keys_off = false;
            }
        }
        Ok(())
    }

    async fn record_alone(&self, done: usize) -> Result<(), DbErr> {
        match &self.pinned {
            Some(pinned) => self.record(pinned, done).await,
            None => self.record(self.db, done).await,
        }
    }

    /// Runs statements `start..end` in one transaction that also records the progress, retrying
    /// when a lock could not be had in time.
    async fn group(
        &self,
        statements: &[Planned],
        start: usize,
        end: usize,
        total: usize,
        saved: &mut Vec<String>,
    ) -> Result<(), DbErr> {
        let mut attempt = 0;
        loop {
            // A failed attempt is rolled back with what its `Save`s dropped.
            let mut attempt_saved = saved.clone();
            match self.try_group(statements, end, &mut attempt_saved).await {
                Ok(()) => {
                    *saved = attempt_saved;
                    return Ok(());
                }
                Err((index, error)) => {
                    if is_lock_timeout(&error.error) && attempt < self.plan.lock_retries {
                        attempt += 1;
                        self.pause(attempt).await;
                        continue;
                    }
                    let p = &statements[index.min(statements.len() - 1)];
                    return Err(self.failed(p, total, &error, start));
                }
            }
        }
    }

    async fn try_group(&self, statements: &[Planned], end: usize, saved: &mut Vec<String>) -> Result<(), (usize, Failed)> {
        if let Some(pinned) = &self.pinned {
            for (index, p) in statements.iter().enumerate() {
                self.one(pinned, p, saved).await.map_err(|e| (index, e))?;
            }
            return self.record(pinned, end).await.map_err(|e| (statements.len() - 1, e.into()));
        }
        if self.preview {
            return self.preview_group(statements, saved).await;
        }
        let txn = self.db.begin().await.map_err(|e| (0, e.into()))?;
        if self.backend == Backend::Postgres && self.plan.lock_timeout_ms > 0 {
            txn.execute_unprepared(&format!("SET LOCAL lock_timeout = '{}ms'", self.plan.lock_timeout_ms))
                .await
                .map_err(|e| (0, e.into()))?;
        }
        for (index, p) in statements.iter().enumerate() {
            self.one(&txn, p, saved).await.map_err(|e| (index, e))?;
        }
        let last = statements.len() - 1;
        self.record(&txn, end).await.map_err(|e| (last, e.into()))?;
        txn.commit().await.map_err(|e| (last, e.into()))
    }

    /// The statements of a group as a script: `BEGIN`, the statements, `COMMIT` (MySQL: the
    /// statements alone, since each DDL statement commits itself there).
    async fn preview_group(&self, statements: &[Planned], saved: &mut Vec<String>) -> Result<(), (usize, Failed)> {
        let conn = self.db;
        let transaction = self.backend != Backend::MySql;
        if transaction {
            conn.execute_unprepared("BEGIN").await.map_err(|e| (0, e.into()))?;
        }
        if self.backend == Backend::Postgres && self.plan.lock_timeout_ms > 0 {
            conn.execute_unprepared(&format!("SET LOCAL lock_timeout = '{}ms'", self.plan.lock_timeout_ms))
                .await
                .map_err(|e| (0, e.into()))?;
        }
        for (index, p) in statements.iter().enumerate() {
            self.one(conn, p, saved).await.map_err(|e| (index, e))?;
        }
        if transaction {
            conn.execute_unprepared("COMMIT").await.map_err(|e| (statements.len() - 1, e.into()))?;
        }
        Ok(())
    }

    async fn one<C: ConnectionTrait>(&self, conn: &C, p: &Planned, saved: &mut Vec<String>) -> Result<(), Failed> {
        match p.stmt {
            Stmt::Run(sql) => conn.execute_unprepared(sql).await.map(drop).map_err(Failed::from),
            Stmt::Refuse { query, message } => refuse(conn, query, message).await,
            Stmt::Save(query) => save(conn, query, saved).await,
            Stmt::Restore => restore(conn, saved).await,
            Stmt::FirstOf(alternatives) => first_of(conn, alternatives).await,
            // The group ends with it: committing is what the group does.
            Stmt::Commit => Ok(()),
            Stmt::Alone(_) | Stmt::Batches(_) | Stmt::BuildIndex { .. } => unreachable!("not part of a group"),
        }
    }

    /// Repeats `sql`, each run committed by itself, until it changes no row.
    async fn batches(&self, sql: &str) -> Result<(), DbErr> {
        if self.preview {
            return self.exec(sql).await.map(drop);
        }
        loop {
            let mut attempt = 0;
            let changed = loop {
                let result = match &self.pinned {
                    Some(pinned) => {
                        let result = pinned.execute_unprepared(sql).await;
                        if result.is_ok() {
                            pinned.execute_unprepared("COMMIT").await?;
                        }
                        result
                    }
                    None => {
                        let txn = self.db.begin().await?;
                        if self.backend == Backend::Postgres && self.plan.lock_timeout_ms > 0 {
                            txn.execute_unprepared(&format!("SET LOCAL lock_timeout = '{}ms'", self.plan.lock_timeout_ms))
                                .await?;
                        }
                        let result = txn.execute_unprepared(sql).await;
                        if result.is_ok() {
                            txn.commit().await?;
                        }
                        result
                    }
                };
                match result {
                    Ok(done) => break done.rows_affected(),
                    Err(e) if is_lock_timeout(&e) && attempt < self.plan.lock_retries => {
                        attempt += 1;
                        self.pause(attempt).await;
                    }
                    Err(e) => return Err(e),
                }
            };
            if changed == 0 {
                return Ok(());
            }
        }
    }

    /// PostgreSQL: builds an index concurrently, first dropping an invalid one of the same name
    /// that a failed build left, and keeping a valid one.
    async fn build_index(&self, name: &str, create: &str, drop: &str) -> Result<(), DbErr> {
        if !self.preview {
            let rows = self
                .query(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT i.indisvalid FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid \
                     WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace",
                    [name.into()],
                ))
                .await?;
            if let Some(row) = rows.first() {
                let valid: bool = row.try_get_by_index(0)?;
                if valid {
                    return Ok(());
                }
                self.exec(drop).await?;
            }
        }
        self.exec(create).await.map(|_| ())
    }

    /// Waits before retrying: 0.2 s, 0.4 s, ... up to 5 s, on the server's clock, so that the
    /// runtime needs no timer of its own.
    async fn pause(&self, attempt: u32) {
        let seconds = (0.2 * f64::from(1u32 << attempt.saturating_sub(1).min(5))).min(5.0);
        let sql = match self.backend {
            Backend::Postgres => format!("SELECT pg_sleep({seconds})"),
            Backend::MySql => format!("SELECT SLEEP({seconds})"),
            // SQLite has no locks to wait for between processes that this helps with.
            Backend::Sqlite => return,
        };
        let _ = self.exec(&sql).await;
    }

    /// The error of a failed statement, saying what of the migration is applied.
    fn failed(&self, p: &Planned, total: usize, failed: &Failed, done: usize) -> DbErr {
        let aftermath = if self.preview {
            String::new()
        } else if done == 0 {
            "; nothing of it was applied".to_owned()
        } else {
            format!(
                "; the statements before it are applied and recorded in {PROGRESS}: fix the cause and run it again to continue from change {}",
                p.change
            )
        };
        // Runs of statements and batches are retried until `lock_retries` is used up before a
        // lock timeout gets here; the rest are tried once.
        let tries = match p.stmt {
            Stmt::Run(_) | Stmt::Refuse { .. } | Stmt::Save(_) | Stmt::Restore | Stmt::FirstOf(_) | Stmt::Batches(_) => {
                self.plan.lock_retries.saturating_add(1)
            }
            Stmt::Commit | Stmt::Alone(_) | Stmt::BuildIndex { .. } => 1,
        };
        failure(p, total, failed, &reason(&failed.error, Some(tries)), &aftermath)
    }

    /// Ends the run: on success the progress record goes; SQLite foreign keys are switched back
    /// on in any case.
    async fn finish(self, result: Result<(), DbErr>) -> Result<(), DbErr> {
        if self.foreign_keys_off {
            self.exec("PRAGMA foreign_keys = ON").await?;
        }
        if result.is_ok() && !self.preview {
            let (a, b) = self.placeholders();
            let delete = Statement::from_sql_and_values(
                self.backend(),
                format!("DELETE FROM {PROGRESS} WHERE version = {a} AND direction = {b}"),
                self.progress_values(),
            );
            let left = Statement::from_string(self.backend(), format!("SELECT 1 FROM {PROGRESS} LIMIT 1"));
            match &self.pinned {
                Some(pinned) => {
                    pinned.execute_raw(delete).await?;
                    pinned.execute_unprepared("COMMIT").await?;
                }
                None => {
                    self.db.execute_raw(delete).await?;
                }
            }
            // The table exists only while a migration is part-way; it goes with the last record,
            // so that a database that never needed it does not keep it.
            if self.query(left).await?.is_empty() {
                self.exec(&format!("DROP TABLE {PROGRESS}")).await?;
            }
        }
        if let Some(pinned) = self.pinned {
            if self.plan.lock_timeout_ms > 0 {
                pinned
                    .execute_unprepared("SET SESSION lock_wait_timeout = DEFAULT, innodb_lock_wait_timeout = DEFAULT")
                    .await?;
            }
            pinned.commit().await?;
        }
        result
    }
}
