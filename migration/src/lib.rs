//! Migrations of the example OAuth SaaS backend.
//!
//! Modules are named like sea-orm-cli names them, `m{YYYYMMDD}_{HHMMSS}_{slug}`, and are listed
//! oldest first in [`Migrator::migrations`]. `cargo migrate create` registers new modules here.

pub use sea_orm_migration::prelude::*;

mod m20261101_120000_create_oauth_schema;
mod m20261102_090000_index_audit_events_created_at;

/// The example application's migrations, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261101_120000_create_oauth_schema::Migration),
            Box::new(m20261102_090000_index_audit_events_created_at::Migration),
        ]
    }
}

/// The folder holding this crate's migration modules, for tools that read their sources.
pub const MIGRATION_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
