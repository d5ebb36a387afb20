//! Inspection: reads a live database's catalogs into the schema IR, in a fixed number of bulk
//! queries whatever the number of tables.

mod mysql;
mod postgres;
mod sqlite;

use sea_orm::{DatabaseConnection, DbBackend};

use crate::schema::Schema;
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
            exclude_tables: vec!["seaql_migrations".to_owned()],
        }
    }
}

/// Reads the schema of the database behind `db`.
pub async fn inspect(db: &DatabaseConnection, options: &InspectOptions) -> Result<Schema> {
    let mut schema = match db.get_database_backend() {
        DbBackend::Postgres => postgres::inspect(db, options).await?,
        DbBackend::MySql => mysql::inspect(db, options).await?,
        DbBackend::Sqlite => sqlite::inspect(db, options).await?,
        other => {
            return Err(Error::Database(format!("inspection of {other:?} is not supported")));
        }
    };
    schema.tables.retain(|name, _| !options.exclude_tables.contains(name));
    schema.sort();
    Ok(schema)
}

/// Turns a failed catalog query into an engine error.
pub(crate) fn query_error(e: sea_orm::DbErr) -> Error {
    Error::Database(crate::database::db_message(&e))
}

/// Parses a column type as `backend` spells it (in its catalog or in sea-query's `CREATE TABLE`).
pub(crate) fn parse_type(backend: DbBackend, text: &str) -> crate::schema::ColumnType {
    match backend {
        DbBackend::Postgres => postgres::parse_type(text),
        DbBackend::MySql => mysql::parse_type(text),
        _ => sqlite::parse_type(text),
    }
}
