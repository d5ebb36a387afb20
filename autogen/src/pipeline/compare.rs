//! The pipeline's front half in one call: inspect the database, build the desired schema from the
//! entities, and diff them.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use sea_orm::{DatabaseConnection, DbBackend};

use crate::Result;
use crate::pipeline::desired::DesiredSchema;
use crate::pipeline::diff::{Change, DiffOptions, ObjectKind, Unmanaged, diff};
use crate::pipeline::inspect::{InspectOptions, InspectTimings, inspect_timed};
use crate::pipeline::schema::Schema;

/// A function that adds every entity of an application to a desired schema; `build.rs` writes
/// one with `sea-orm-autogen-discover`.
pub type RegisterEntities = fn(&mut DesiredSchema);

/// What to compare and how.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompareOptions {
    /// What to read of the database (its schema, the tables to leave out).
    pub inspect: InspectOptions,
    /// The kinds of object the project manages: an undeclared one is dropped, not left alone.
    pub manage: BTreeSet<ObjectKind>,
}

/// The two schemas and what differs between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The database as inspected.
    pub current: Schema,
    /// What the entities declare.
    pub desired: Schema,
    /// The changes from `current` to `desired`.
    pub changes: Vec<Change>,
    /// What the changes leave alone.
    pub unmanaged: Vec<Unmanaged>,
}

/// Where a comparison's time went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CompareTimings {
    /// Inspecting the database: its catalog queries, then building the IR from their rows.
    pub inspect: InspectTimings,
    /// Building the desired schema from the entities.
    pub desired: Duration,
    /// Diffing the two.
    pub diff: Duration,
}

/// Inspects `db`, builds the desired schema for its backend and diffs the two.
pub async fn compare(db: &DatabaseConnection, register: RegisterEntities, options: &CompareOptions) -> Result<Comparison> {
    Ok(compare_timed(db, register, options).await?.0)
}

/// [`compare`], also reporting where the time went.
pub async fn compare_timed(
    db: &DatabaseConnection,
    register: RegisterEntities,
    options: &CompareOptions,
) -> Result<(Comparison, CompareTimings)> {
    let (current, inspect) = inspect_timed(db, &options.inspect).await?;
    let (comparison, mut timings) = compare_with_timed(current, register, db.get_database_backend(), options)?;
    timings.inspect = inspect;
    Ok((comparison, timings))
}

/// Diffs a given current schema (for `create --initial`, the empty one) with the entities.
pub fn compare_with(
    current: Schema,
    register: RegisterEntities,
    backend: DbBackend,
    options: &CompareOptions,
) -> Result<Comparison> {
    Ok(compare_with_timed(current, register, backend, options)?.0)
}

/// The desired schema of the entities for `backend`, without the excluded tables.
pub fn desired(register: RegisterEntities, backend: DbBackend, options: &CompareOptions) -> Result<Schema> {
    let mut builder = DesiredSchema::new(backend);
    register(&mut builder);
    let mut desired = builder.finish()?;
    desired.tables.retain(|name, _| !options.inspect.exclude_tables.contains(name));
    Ok(desired)
}

fn compare_with_timed(
    current: Schema,
    register: RegisterEntities,
    backend: DbBackend,
    options: &CompareOptions,
) -> Result<(Comparison, CompareTimings)> {
    let start = Instant::now();
    let desired = desired(register, backend, options)?;
    let desired_time = start.elapsed();
    let start = Instant::now();
    let found = diff(&current, &desired, &DiffOptions { backend, manage: options.manage.clone() });
    let timings = CompareTimings { desired: desired_time, diff: start.elapsed(), ..CompareTimings::default() };
    Ok((Comparison { current, desired, changes: found.changes, unmanaged: found.unmanaged }, timings))
}
