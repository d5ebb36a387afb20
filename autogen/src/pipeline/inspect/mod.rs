//! Inspection: reads a live database's catalogs into the schema IR, in a fixed number of bulk
//! queries whatever the number of tables.

mod mysql;
mod postgres;
mod sqlite;

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};

use crate::pipeline::schema::Schema;
use crate::{Error, Result};

/// What to inspect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectOptions {
    /// PostgreSQL schema to read; `None` for `current_schema()`. Ignored elsewhere.
    pub schema: Option<String>,
    /// Tables never reported, such as the migration bookkeeping table.
    pub exclude_tables: Vec<String>,
}

impl std::default::Default for InspectOptions {
    fn default() -> Self {
        Self {
            schema: None,
            // The bookkeeping tables: sea-orm-migration's, and the runtime's progress of a
            // migration that stopped half-way.
            exclude_tables: vec!["seaql_migrations".to_owned(), "seaql_migrations_progress".to_owned()],
        }
    }
}

/// Reads the schema of the database behind `db`.
pub async fn inspect(db: &DatabaseConnection, options: &InspectOptions) -> Result<Schema> {
    Ok(inspect_timed(db, options).await?.0)
}

/// Where an inspection's time went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InspectTimings {
    /// Running the catalog queries and receiving their rows.
    pub queries: Duration,
    /// Building the schema IR from the rows.
    pub assemble: Duration,
    /// How many rows the catalog queries returned.
    pub rows: usize,
}

/// [`inspect`], also reporting where the time went.
pub async fn inspect_timed(db: &DatabaseConnection, options: &InspectOptions) -> Result<(Schema, InspectTimings)> {
    let start = Instant::now();
    let fetched = fetch(db, options).await?;
    let queries = start.elapsed();
    let rows = fetched.rows();
    let start = Instant::now();
    let mut schema = match fetched {
        Fetched::Postgres(f) => postgres::assemble(f)?,
        Fetched::MySql(f) => mysql::assemble(f)?,
        Fetched::Sqlite(f) => sqlite::assemble(f)?,
    };
    schema.tables.retain(|name, _| !options.exclude_tables.contains(name));
    schema.sort();
    Ok((schema, InspectTimings { queries, assemble: start.elapsed(), rows }))
}

/// Runs the catalog queries of an inspection alone, without building anything from their rows,
/// and returns how many rows they gave: the floor under [`inspect`]'s time, for benchmarks.
pub async fn run_catalog_queries(db: &DatabaseConnection, options: &InspectOptions) -> Result<usize> {
    Ok(fetch(db, options).await?.rows())
}

enum Fetched {
    Postgres(postgres::Fetched),
    MySql(mysql::Fetched),
    Sqlite(sqlite::Fetched),
}

impl Fetched {
    fn rows(&self) -> usize {
        match self {
            Fetched::Postgres(f) => f.rows(),
            Fetched::MySql(f) => f.rows(),
            Fetched::Sqlite(f) => f.rows(),
        }
    }
}

async fn fetch(db: &DatabaseConnection, options: &InspectOptions) -> Result<Fetched> {
    ensure_schema_exists(db, options).await?;
    Ok(match db.get_database_backend() {
        DbBackend::Postgres => Fetched::Postgres(postgres::fetch(db, options).await?),
        DbBackend::MySql => Fetched::MySql(mysql::fetch(db, options).await?),
        DbBackend::Sqlite => Fetched::Sqlite(sqlite::fetch(db, options).await?),
        other => {
            return Err(Error::Database(format!("inspection of {other:?} is not supported")));
        }
    })
}

/// Fails when the PostgreSQL schema asked for does not exist: its catalogs would read as empty,
/// and every table would look new.
async fn ensure_schema_exists(db: &DatabaseConnection, options: &InspectOptions) -> Result<()> {
    let (DbBackend::Postgres, Some(schema)) = (db.get_database_backend(), &options.schema) else {
        return Ok(());
    };
    let found = db
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 AS found FROM pg_namespace WHERE nspname = $1",
            [schema.as_str().into()],
        ))
        .await
        .map_err(query_error)?;
    match found {
        Some(_) => Ok(()),
        None => Err(Error::SchemaNotFound(schema.clone())),
    }
}

/// Turns a failed catalog query into an engine error.
pub(crate) fn query_error(e: sea_orm::DbErr) -> Error {
    Error::Database(crate::database::db_message(&e))
}

/// Parses a column type as `backend` spells it (in its catalog or in sea-query's `CREATE TABLE`).
pub(crate) fn parse_type(backend: DbBackend, text: &str) -> crate::pipeline::schema::ColumnType {
    match backend {
        DbBackend::Postgres => postgres::parse_type(text),
        DbBackend::MySql => mysql::parse_type(text),
        _ => sqlite::parse_type(text),
    }
}
