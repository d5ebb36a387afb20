//! The pipeline's front half in one call: inspect the database, build the desired schema from the
//! entities, and diff them.

use sea_orm::{DatabaseConnection, DbBackend};

use crate::desired::DesiredSchema;
use crate::diff::{Change, diff};
use crate::inspect::{InspectOptions, inspect};
use crate::schema::Schema;
use crate::Result;

/// A function that adds every entity of an application to a desired schema; `build.rs` writes
/// one with `sea-orm-autogen-discover`.
pub type RegisterEntities = fn(&mut DesiredSchema);

/// The two schemas and what differs between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The database as inspected.
    pub current: Schema,
    /// What the entities declare.
    pub desired: Schema,
    /// The changes from `current` to `desired`.
    pub changes: Vec<Change>,
}

/// Inspects `db`, builds the desired schema for its backend and diffs the two.
pub async fn compare(
    db: &DatabaseConnection,
    register: RegisterEntities,
    options: &InspectOptions,
) -> Result<Comparison> {
    let current = inspect(db, options).await?;
    Ok(compare_with(current, register, db.get_database_backend(), options))
}

/// Diffs a given current schema (for `create --initial`, the empty one) with the entities.
pub fn compare_with(
    current: Schema,
    register: RegisterEntities,
    backend: DbBackend,
    options: &InspectOptions,
) -> Comparison {
    let mut builder = DesiredSchema::new(backend);
    register(&mut builder);
    let mut desired = builder.finish();
    desired.tables.retain(|name, _| !options.exclude_tables.contains(name));
    let changes = diff(&current, &desired);
    Comparison { current, desired, changes }
}
