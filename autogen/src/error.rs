//! Errors of the engine, each carrying what a user needs to act on it.

use std::path::PathBuf;

/// Everything that can go wrong in the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database URL could not be understood.
    #[error("malformed database URL `{url}`: {reason}")]
    MalformedUrl { url: String, reason: String },
    /// The database server could not be reached at all.
    #[error("cannot reach the database server at {address}: {reason}")]
    Unreachable { address: String, reason: String },
    /// The server answered but the connection failed (authentication, missing database, ...).
    #[error("cannot connect to {url}: {reason}")]
    Connect { url: String, reason: String },
    /// A statement failed while reading or writing the database.
    #[error("database error: {0}")]
    Database(String),
    /// A migration failed while it was applied or reverted.
    #[error("migration {name} failed while {action}: {reason}")]
    Migration {
        name: String,
        action: &'static str,
        reason: String,
    },
    /// A migration failed at a known statement.
    #[error("migration {name} failed while {action}, at `{statement}`: {reason}{aftermath}")]
    MigrationStatement {
        name: String,
        action: &'static str,
        statement: String,
        reason: String,
        /// What is left behind, where the backend could not undo the statements before.
        aftermath: String,
    },
    /// A revision that matches no migration.
    #[error("unknown revision `{0}`: no migration name starts with it (run `history` to list them)")]
    UnknownRevision(String),
    /// A revision prefix that matches more than one migration.
    #[error("ambiguous revision `{prefix}`: it matches {}", .candidates.join(", "))]
    AmbiguousRevision {
        prefix: String,
        candidates: Vec<String>,
    },
    /// A target that cannot be reached in the asked direction, or a malformed target.
    #[error("{0}")]
    InvalidTarget(String),
    /// The database records migrations that the migrator does not know.
    #[error(
        "the database has applied migrations that are not in this project: {}",
        .0.join(", ")
    )]
    UnknownApplied(Vec<String>),
    /// A file could not be read or written.
    #[error("cannot read {path}: {reason}")]
    Io { path: PathBuf, reason: String },
    /// The entities declare something the backend cannot hold.
    #[error("{0}")]
    Entities(String),
    /// A change that a backend cannot make, found when the migration is generated.
    #[error("cannot {change} on {backend}: {reason}")]
    Unsupported { change: String, backend: &'static str, reason: String },
    /// Text that a backend cannot store exactly as declared.
    #[error("cannot write {what} on {backend}: {reason}")]
    Unwritable { what: String, backend: &'static str, reason: &'static str },
    /// A setting (an environment variable) has a value that cannot be used.
    #[error("{0}")]
    Config(String),
    /// The PostgreSQL schema to compare does not exist in the database.
    #[error("schema `{0}` does not exist in this database (check --schema)")]
    SchemaNotFound(String),
    /// The migration lock could not be taken in time.
    #[error("{0}")]
    LockTimeout(String),
    /// The migration lock was lost during the run; nothing more was applied or reverted.
    #[error("lost the migration lock ({0}); stopped before the next migration, which another process may now run")]
    LockLost(String),
    /// A file the command needs is missing, or is not what it must be.
    #[error("{0}")]
    Missing(String),
    /// A Rust source file could not be parsed.
    #[error("cannot parse {path}: {reason}")]
    Parse { path: PathBuf, reason: String },
}

/// The engine's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
