//! The migration engine for SeaORM projects.
//!
//! This crate holds everything the `migrate` command does that another SeaORM project can reuse:
//! resolving and connecting to a database ([`database`]), knowing which migrations are applied and
//! what a target such as `+2` or a revision prefix means ([`history`]), applying and reverting
//! migrations with their bookkeeping ([`runner`]), and reading a migration's source file
//! ([`source`]).

pub mod checksum;
pub mod compare;
pub mod database;
pub mod desired;
pub mod diff;
pub mod error;
pub mod history;
pub mod lock;
pub mod inspect;
pub mod lineage;
pub mod normalize;
pub mod plan;
pub mod render;
pub mod runner;
pub mod safety;
pub mod schema;
pub mod source;
pub mod write;

pub use error::{Error, Result};
