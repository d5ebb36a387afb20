//! The migration engine for SeaORM projects, in two parts that a reader finds by folder:
//!
//! - [`pipeline`]: autogenerate. Inspect the live database, build the desired schema from the
//!   entities, diff the two, plan the changes, render them (Rust module, SQL, review) and write
//!   the module into the migration crate.
//! - [`lifecycle`]: running migrations. The history (what is applied, what a target means), the
//!   runner with its bookkeeping, the migration lock, checksums and lineage.
//!
//! Beside them, [`database`] resolves, masks and connects to database URLs, [`quote`] is the one
//! place where names and values become SQL text, and [`error`] holds the engine's errors.

pub mod database;
pub mod error;
pub mod lifecycle;
pub mod pipeline;
pub mod quote;

pub use error::{Error, Result};
