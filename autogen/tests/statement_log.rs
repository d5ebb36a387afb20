//! The statement log on real connections: a failing hand-written statement is named, with the
//! statements sent before it, on every backend.

mod common;

use autogen::database::{self, DatabaseUrl};
use autogen::lifecycle::statement_log::StatementLog;
use common::Scratch;
use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};

async fn names_the_failing_statement(backend: DbBackend) {
    let Some(scratch) = Scratch::new(backend, "statement_log").await else { return };
    let url = DatabaseUrl::parse(&scratch.url).unwrap();
    let mut db = database::connect(&url).await.unwrap();
    let log = StatementLog::attach(&mut db);
    let _listening = log.capture();
    db.execute_unprepared("CREATE TABLE sl_one (id integer PRIMARY KEY)").await.unwrap();
    log.clear();
    // As the runner does: in a transaction, rolled back before the error is looked at (SQLite
    // logs on its worker thread after answering; the rollback waits for it).
    let txn = db.begin().await.unwrap();
    txn.execute_unprepared("CREATE TABLE sl_two (id integer PRIMARY KEY)").await.unwrap();
    let error = txn.execute_unprepared("CREATE TABLE sl_one (id integer PRIMARY KEY)").await.unwrap_err();
    txn.rollback().await.unwrap();
    let failure = log.failure(&error).expect("the failure is known");
    assert_eq!(failure.statement, "CREATE TABLE sl_one (id integer PRIMARY KEY)");
    assert_eq!(failure.before, vec!["CREATE TABLE sl_two (id integer PRIMARY KEY)".to_owned()]);
    // Taken once: the next failure starts afresh.
    assert_eq!(log.failure(&error), None);
    db.close().await.ok();
    scratch.drop().await;
}

/// One test for the three backends: the log listens process-wide, so captures running side by
/// side would each see the other's statements.
#[tokio::test]
async fn every_backend() {
    for backend in [DbBackend::Postgres, DbBackend::MySql, DbBackend::Sqlite] {
        names_the_failing_statement(backend).await;
    }
}
