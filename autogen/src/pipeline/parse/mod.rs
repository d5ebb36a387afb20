//! SQL text parsers shared by `desired` and `inspect`: both sides read SQL text (what sea-query
//! renders for the entities, what the catalogs echo) through these same functions, so that
//! spelling differences between the two never show up as changes.
//!
//! Everything here is a pure function of its input: `lexer` cuts text into tokens, `expression`
//! gives a canonical text for comparing expressions, `create_table` and `create_index` take apart
//! the definitions that SQLite stores and that PostgreSQL's `pg_get_indexdef` echoes.

pub mod create_index;
pub mod create_table;
pub mod expression;
pub mod lexer;

/// The SQL dialect a text was written in, which decides quoting, escapes and operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// PostgreSQL.
    Postgres,
    /// MySQL and MariaDB.
    MySql,
    /// SQLite.
    Sqlite,
}

/// A text that could not be parsed: what was wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at byte {offset}")]
pub struct ParseError {
    /// What was expected or found, as a lowercase phrase.
    pub message: String,
    /// Byte offset in the input where the problem starts.
    pub offset: usize,
}

impl ParseError {
    pub(crate) fn new(message: impl Into<String>, offset: usize) -> Self {
        ParseError { message: message.into(), offset }
    }
}
