//! The pipeline's front half in one call: inspect the database, build the desired schema from the
//! entities, and diff them.

use std::time::{Duration, Instant};

use sea_orm::{DatabaseConnection, DbBackend};

use crate::pipeline::desired::DesiredSchema;
use crate::pipeline::diff::{Change, diff};
use crate::pipeline::inspect::{InspectOptions, InspectTimings, inspect_timed};
use crate::pipeline::schema::Schema;
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
pub async fn compare(
    db: &DatabaseConnection,
    register: RegisterEntities,
    options: &InspectOptions,
) -> Result<Comparison> {
    Ok(compare_timed(db, register, options).await?.0)
}

/// [`compare`], also reporting where the time went.
pub async fn compare_timed(
    db: &DatabaseConnection,
    register: RegisterEntities,
    options: &InspectOptions,
) -> Result<(Comparison, CompareTimings)> {
    let (current, inspect) = inspect_timed(db, options).await?;
    let (comparison, mut timings) = compare_with_timed(current, register, db.get_database_backend(), options);
    timings.inspect = inspect;
    Ok((comparison, timings))
}

/// Diffs a given current schema (for `create --initial`, the empty one) with the entities.
pub fn compare_with(
    current: Schema,
    register: RegisterEntities,
    backend: DbBackend,
    options: &InspectOptions,
) -> Comparison {
    compare_with_timed(current, register, backend, options).0
}

fn compare_with_timed(
    current: Schema,
    register: RegisterEntities,
    backend: DbBackend,
    options: &InspectOptions,
) -> (Comparison, CompareTimings) {
    let start = Instant::now();
    let mut builder = DesiredSchema::new(backend);
    register(&mut builder);
    let mut desired = builder.finish();
    desired.tables.retain(|name, _| !options.exclude_tables.contains(name));
    let desired_time = start.elapsed();
    let start = Instant::now();
    let changes = diff(&current, &desired);
    let timings = CompareTimings { desired: desired_time, diff: start.elapsed(), ..CompareTimings::default() };
    (Comparison { current, desired, changes }, timings)
}
