//! Applies and reverts migrations, keeping the bookkeeping table in step.
//!
//! The bookkeeping table is sea-orm-migration's own (`seaql_migrations` unless the migrator
//! names another), so a database migrated by `sea-orm-cli` can be managed here and back.

use std::time::{Duration, Instant};

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, Table};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DynIden, TransactionTrait};
use sea_orm_migration::{MigrationTrait, MigratorTrait, SchemaManager};

use crate::database::db_message;
use crate::history::{AppliedRecord, History};
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
}

impl<'c> Runner<'c> {
    /// A runner for the migrations of `M`.
    pub fn new<M: MigratorTrait>(db: &'c DatabaseConnection) -> Self {
        Self {
            db,
            migrations: M::migrations(),
            table: M::migration_table_name(),
        }
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
            let select = Query::select()
                .columns([Alias::new("version"), Alias::new("applied_at")])
                .from(self.table.clone())
                .order_by(Alias::new("version"), Order::Asc)
                .to_owned();
            for row in self.db.query_all(&select).await.map_err(database_error)? {
                records.push(AppliedRecord {
                    version: row.try_get("", "version").map_err(database_error)?,
                    applied_at: row.try_get("", "applied_at").map_err(database_error)?,
                });
            }
        }
        Ok(History::new(self.names(), records))
    }

    /// Creates the bookkeeping table when it does not exist yet.
    async fn install(&self) -> Result<()> {
        let create = Table::create()
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
            .to_owned();
        self.db.execute(&create).await.map_err(database_error)?;
        Ok(())
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
        let failed = |e: sea_orm::DbErr| Error::Migration {
            name: name.clone(),
            action,
            reason: db_message(&e),
        };
        let started = Instant::now();
        if self.transactional(migration) {
            let txn = self.db.begin().await.map_err(database_error)?;
            let manager = SchemaManager::new(&txn);
            self.step(migration, &manager, direction).await.map_err(failed)?;
            txn.commit().await.map_err(failed)?;
        } else {
            let manager = SchemaManager::new(self.db);
            self.step(migration, &manager, direction).await.map_err(failed)?;
        }
        Ok(started.elapsed())
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
                let insert = Query::insert()
                    .into_table(self.table.clone())
                    .columns([Alias::new("version"), Alias::new("applied_at")])
                    .values_panic([
                        migration.name().into(),
                        chrono::Utc::now().timestamp().into(),
                    ])
                    .to_owned();
                conn.execute(&insert).await?;
            }
            Direction::Down => {
                migration.down(manager).await?;
                let delete = Query::delete()
                    .from_table(self.table.clone())
                    .and_where(Expr::col(Alias::new("version")).eq(migration.name()))
                    .to_owned();
                conn.execute(&delete).await?;
            }
        }
        Ok(())
    }
}

fn database_error(e: sea_orm::DbErr) -> Error {
    Error::Database(db_message(&e))
}
