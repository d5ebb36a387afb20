//! The migration lifecycle: which migrations exist and which are applied ([`history`]), running
//! them with their bookkeeping ([`runner`]), one process at a time ([`lock`]), detecting edits
//! ([`checksum`]), the order migrations follow each other in ([`lineage`]), the lock hazards of
//! the SQL they send ([`lint`]), reading their sources ([`source`]) and naming the statement
//! that failed ([`statement_log`]).

pub mod checksum;
pub mod history;
pub mod lineage;
pub mod lint;
pub mod lock;
pub mod runner;
pub mod source;
pub mod statement_log;
