//! Applies and reverts migrations, keeping the bookkeeping table in step.
//!
//! The bookkeeping table is sea-orm-migration's own (`seaql_migrations` unless the migrator
//! names another), so a database migrated by `sea-orm-cli` can be managed here and back.

use std::time::{Duration, Instant};

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, Table};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DynIden, TransactionTrait};
use sea_orm_migration::{MigrationTrait, MigratorTrait, SchemaManager};

use crate::database::db_message;
use crate::lifecycle::history::{AppliedRecord, History};
use crate::lifecycle::statement_log::StatementLog;
use crate::{Error, Result};

/// Which way a migration runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Apply: run `up` and record it.
    Up,
    /// Revert: run `down` and remove its record.
    Down,
}

/// Runs one project's migrations against one database.
pub struct Runner<'c> {
    db: &'c DatabaseConnection,
    migrations: Vec<Box<dyn MigrationTrait>>,
    table: DynIden,
    failures: Option<StatementLog>,
    checksums: std::collections::BTreeMap<String, String>,
}

/// What the runner reads of a project's `MigratorTrait`, as function pointers: code that runs a
/// project's migrations takes this and is compiled once, not once per migrator.
#[derive(Debug, Clone, Copy)]
pub struct Migrations {
    /// The migrations, in order (`MigratorTrait::migrations`).
    pub list: fn() -> Vec<Box<dyn MigrationTrait>>,
    /// The history table's name (`MigratorTrait::migration_table_name`).
    pub table: fn() -> DynIden,
}

impl Migrations {
    /// The migrations of `M`.
    pub fn of<M: MigratorTrait>() -> Self {
        Self { list: M::migrations, table: M::migration_table_name }
    }
}

impl<'c> Runner<'c> {
    /// A runner for the migrations of `M`.
    pub fn new<M: MigratorTrait>(db: &'c DatabaseConnection) -> Self {
        Self::of(db, Migrations::of::<M>())
    }

    /// A runner for `migrations`.
    pub fn of(db: &'c DatabaseConnection, migrations: Migrations) -> Self {
        Self {
            db,
            migrations: (migrations.list)(),
            table: (migrations.table)(),
            failures: None,
            checksums: std::collections::BTreeMap::new(),
        }
    }

    /// Records each migration's checksum (module name to SHA-256 of its source) when it is
    /// applied; a migration missing from `checksums` is recorded without one.
    pub fn with_checksums(mut self, checksums: std::collections::BTreeMap<String, String>) -> Self {
        self.checksums = checksums;
        self
    }

    /// Names the failing statement in migration errors, and the statements before it that stay
    /// applied, from what the connection logged.
    pub fn with_statement_log(mut self, log: StatementLog) -> Self {
        self.failures = Some(log);
        self
    }

    /// The names of the project's migrations, oldest first.
    pub fn names(&self) -> Vec<String> {
        self.migrations.iter().map(|m| m.name().to_owned()).collect()
    }

    /// Reads the bookkeeping table (without creating it) and joins it with the migrations.
    pub async fn history(&self) -> Result<History> {
        let manager = SchemaManager::new(self.db);
        let exists = manager
            .has_table(self.table.to_string())
            .await
            .map_err(database_error)?;
        let mut records = Vec::new();
        if exists {
            let with_checksum = self.has_checksum_column().await;
            let mut columns = vec![Alias::new("version"), Alias::new("applied_at")];
            if with_checksum {
                columns.push(Alias::new("checksum"));
            }
            let select = Query::select()
                .columns(columns)
                .from(self.table.clone())
                .order_by(Alias::new("version"), Order::Asc)
                .to_owned();
            for row in self.db.query_all(&select).await.map_err(database_error)? {
                records.push(AppliedRecord {
                    version: row.try_get("", "version").map_err(database_error)?,
                    applied_at: row.try_get("", "applied_at").map_err(database_error)?,
                    checksum: if with_checksum {
                        row.try_get("", "checksum").map_err(database_error)?
                    } else {
                        None
                    },
                });
            }
        }
        Ok(History::new(self.names(), records))
    }

    /// Creates the bookkeeping table when it does not exist yet.
    async fn install(&self) -> Result<()> {
        let create = self.install_statement();
        self.db.execute(&create).await.map_err(database_error)?;
        // A table made by sea-orm-cli has no checksum column; add it (nullable, so sea-orm-cli
        // can still record migrations in it).
        if !self.has_checksum_column().await {
            let alter = Table::alter()
                .table(self.table.clone())
                .add_column(sea_orm::sea_query::ColumnDef::new(Alias::new("checksum")).string_len(64).null())
                .to_owned();
            self.db.execute(&alter).await.map_err(database_error)?;
        }
        Ok(())
    }

    /// Records (`Up`) or forgets (`Down`) the migration at `index` without running it, for
    /// `stamp`.
    pub async fn record(&self, index: usize, direction: Direction) -> Result<()> {
        self.install().await?;
        let name = self.migrations[index].name();
        let result = match direction {
            Direction::Up => self.db.execute(&self.insert_record(name)).await,
            Direction::Down => self.db.execute(&self.delete_record(name)).await,
        };
        result.map(|_| ()).map_err(database_error)
    }

    /// Whether the bookkeeping table has our checksum column.
    async fn has_checksum_column(&self) -> bool {
        let probe = Query::select()
            .column(Alias::new("checksum"))
            .from(self.table.clone())
            .and_where(Expr::cust("1 = 0"))
            .to_owned();
        self.db.query_all(&probe).await.is_ok()
    }

    /// Whether a migration runs in a transaction: its own choice, else on PostgreSQL and SQLite,
    /// whose DDL is transactional; MySQL commits each DDL statement by itself.
    fn transactional(&self, migration: &dyn MigrationTrait) -> bool {
        migration
            .use_transaction()
            .unwrap_or(self.db.get_database_backend() != DbBackend::MySql)
    }

    /// Runs the migration at `index` in `direction` and updates the bookkeeping table in the same
    /// transaction where the backend allows; returns how long it took.
    pub async fn run(&self, index: usize, direction: Direction) -> Result<Duration> {
        if direction == Direction::Up {
            self.install().await?;
        }
        let migration = self.migrations[index].as_ref();
        let name = migration.name().to_owned();
        let action = match direction {
            Direction::Up => "applying it",
            Direction::Down => "reverting it",
        };
        let transactional = self.transactional(migration);
        if let Some(log) = &self.failures {
            log.clear();
        }
        let mysql = self.db.get_database_backend() == DbBackend::MySql;
        let failed = |e: sea_orm::DbErr| {
            let failure = self.failures.as_ref().and_then(|log| log.failure(&e));
            match (e, failure) {
                // Generated migrations name the failing statement and say what of them is applied
                // themselves; only the runner's own transaction is left to mention.
                (sea_orm::DbErr::Migration(text), _) => Error::Migration {
                    name: name.clone(),
                    action,
                    reason: if transactional { format!("{text}; nothing of it was kept") } else { text },
                },
                (e, Some(failure)) => Error::MigrationStatement {
                    name: name.clone(),
                    action,
                    statement: one_line(&failure.statement),
                    reason: db_message(&e),
                    aftermath: aftermath(transactional, mysql, &failure.before),
                },
                (e, None) => Error::Migration {
                    name: name.clone(),
                    action,
                    reason: format!("{}{}", db_message(&e), aftermath(transactional, mysql, &[])),
                },
            }
        };
        let started = Instant::now();
        if transactional {
            let txn = self.db.begin().await.map_err(database_error)?;
            let manager = SchemaManager::new(&txn);
            if let Err(e) = self.step(migration, &manager, direction).await {
                // Rolled back before the error is read: SQLite logs a statement on its worker
                // thread after it has answered, and the rollback waits for that worker.
                txn.rollback().await.ok();
                return Err(failed(e));
            }
            txn.commit().await.map_err(failed)?;
        } else {
            let manager = SchemaManager::new(self.db);
            self.step(migration, &manager, direction).await.map_err(failed)?;
        }
        Ok(started.elapsed())
    }

    /// The SQL that running the migration at `index` in `direction` would send, without touching
    /// the database: the migration runs against a recording connection whose queries return no
    /// rows, then the bookkeeping statement and, where the runner would open one, the transaction
    /// around them are added. A migration that reads data to decide what to do is previewed as if
    /// the data were absent.
    pub async fn preview(&self, index: usize, direction: Direction) -> Result<Vec<String>> {
        let backend = self.db.get_database_backend();
        let migration = self.migrations[index].as_ref();
        let recorder = sea_orm::MockDatabase::new(backend)
            .append_exec_results((0..PREVIEW_BUDGET).map(|_| sea_orm::MockExecResult {
                last_insert_id: 0,
                rows_affected: 0,
            }))
            .append_query_results(
                (0..PREVIEW_BUDGET)
                    .map(|_| Vec::<std::collections::BTreeMap<String, sea_orm::Value>>::new()),
            )
            .into_connection();
        {
            let manager = SchemaManager::new(&recorder);
            let run = match direction {
                Direction::Up => migration.up(&manager).await,
                Direction::Down => migration.down(&manager).await,
            };
            run.map_err(|e| Error::Migration {
                name: migration.name().to_owned(),
                action: "previewing it",
                reason: db_message(&e),
            })?;
        }
        let mut statements: Vec<String> = recorder
            .into_transaction_log()
            .iter()
            .flat_map(|t| t.statements().iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .collect();
        statements.push(self.bookkeeping(migration.name(), direction));
        if self.transactional(migration) {
            statements.insert(0, "BEGIN".to_owned());
            statements.push("COMMIT".to_owned());
        }
        Ok(statements)
    }

    /// The statement that creates the bookkeeping table if it is missing.
    pub fn install_sql(&self) -> String {
        build(self.db.get_database_backend(), &self.install_statement())
    }

    fn install_statement(&self) -> sea_orm::sea_query::TableCreateStatement {
        Table::create()
            .table(self.table.clone())
            .if_not_exists()
            .col(
                sea_orm::sea_query::ColumnDef::new(Alias::new("version"))
                    .string()
                    .not_null()
                    .primary_key(),
            )
            .col(
                sea_orm::sea_query::ColumnDef::new(Alias::new("applied_at"))
                    .big_integer()
                    .not_null(),
            )
            .col(sea_orm::sea_query::ColumnDef::new(Alias::new("checksum")).string_len(64).null())
            .to_owned()
    }

    /// The statement that records (up) or forgets (down) a migration, as text.
    fn bookkeeping(&self, name: &str, direction: Direction) -> String {
        let backend = self.db.get_database_backend();
        match direction {
            Direction::Up => build(backend, &self.insert_record(name)),
            Direction::Down => build(backend, &self.delete_record(name)),
        }
    }

    fn insert_record(&self, name: &str) -> sea_orm::sea_query::InsertStatement {
        let checksum = self.checksums.get(name).cloned();
        Query::insert()
            .into_table(self.table.clone())
            .columns([Alias::new("version"), Alias::new("applied_at"), Alias::new("checksum")])
            .values_panic([name.into(), chrono::Utc::now().timestamp().into(), checksum.into()])
            .to_owned()
    }

    fn delete_record(&self, name: &str) -> sea_orm::sea_query::DeleteStatement {
        Query::delete()
            .from_table(self.table.clone())
            .and_where(Expr::col(Alias::new("version")).eq(name))
            .to_owned()
    }

    /// Runs the migration's body, then records or forgets it, on the manager's connection.
    async fn step(
        &self,
        migration: &dyn MigrationTrait,
        manager: &SchemaManager<'_>,
        direction: Direction,
    ) -> Result<(), sea_orm::DbErr> {
        let conn = manager.get_connection();
        match direction {
            Direction::Up => {
                migration.up(manager).await?;
                conn.execute(&self.insert_record(migration.name())).await?;
            }
            Direction::Down => {
                migration.down(manager).await?;
                conn.execute(&self.delete_record(migration.name())).await?;
            }
        }
        Ok(())
    }
}

/// How many statements and queries a preview may record.
const PREVIEW_BUDGET: usize = 10_000;

/// A statement as SQL text for `backend`, values inlined.
fn build<S: sea_orm::StatementBuilder>(backend: DbBackend, statement: &S) -> String {
    backend.build(statement).to_string()
}

fn database_error(e: sea_orm::DbErr) -> Error {
    Error::Database(db_message(&e))
}

/// What stays of a migration that failed, after the statements in `before` were sent.
fn aftermath(transactional: bool, mysql: bool, before: &[String]) -> String {
    if transactional {
        return "; nothing of it was kept".to_owned();
    }
    if !mysql {
        return "; what its own transactions committed before it stays applied, and the migration is not recorded".to_owned();
    }
    match before {
        [] => "; the migration is not recorded".to_owned(),
        before => {
            let listed: Vec<String> = before.iter().map(|s| format!("`{}`", one_line(s))).collect();
            format!(
                "; the {} before it stay applied (MySQL commits each DDL statement): {}; the migration is not recorded",
                if before.len() == 1 { "statement".to_owned() } else { format!("{} statements", before.len()) },
                listed.join(", ")
            )
        }
    }
}

/// A statement on one line, its runs of blanks made single spaces.
fn one_line(statement: &str) -> String {
    statement.split_whitespace().collect::<Vec<_>>().join(" ")
}
