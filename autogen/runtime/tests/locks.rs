//! Lock timeouts and retries: while another session holds a lock on the table or on one of its
//! rows, a migration gives up waiting after `lock_timeout_ms` and tries again up to
//! `lock_retries` times, so it succeeds once the lock goes, and fails saying it timed out when it
//! may not retry.

#[macro_use]
mod common;

use std::time::{Duration, Instant};

use common::{Mode, TestDb, assert_mentions, assert_objects, error_text, up};
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use sea_orm_autogen_runtime::Stmt::{Batches, Run};
use sea_orm_autogen_runtime::{Change, Plan};

const PATIENT: Plan = Plan {
    lock_timeout_ms: 200,
    lock_retries: 10,
    postgres: Some(&[PG_ADD_COLUMN_T_EXTRA]),
    mysql: Some(&[MY_ADD_COLUMN_T_EXTRA]),
    sqlite: None,
};

const IMPATIENT: Plan = Plan { lock_retries: 0, ..PATIENT };

const PG_ADD_COLUMN_T_EXTRA: Change = Change {
    summary: "+ column t.extra integer null",
    up: &[Run("ALTER TABLE \"t\" ADD COLUMN \"extra\" integer NULL")],
    down: &[Run("ALTER TABLE \"t\" DROP COLUMN \"extra\"")],
};

const MY_ADD_COLUMN_T_EXTRA: Change = Change {
    summary: "+ column t.extra int null",
    up: &[Run("ALTER TABLE `t` ADD COLUMN `extra` int NULL")],
    down: &[Run("ALTER TABLE `t` DROP COLUMN `extra`")],
};

/// A backfill, which waits for the rows another session has locked.
const PATIENT_FILL: Plan = Plan { postgres: Some(&[PG_FILL_T_V]), mysql: Some(&[MY_FILL_T_V]), ..PATIENT };

const IMPATIENT_FILL: Plan = Plan { lock_retries: 0, ..PATIENT_FILL };

const PG_FILL_T_V: Change = Change {
    summary: "~ fill t.v",
    up: &[Batches(
        "UPDATE \"t\" SET \"v\" = 1 WHERE \"id\" IN (SELECT \"id\" FROM \"t\" WHERE \"v\" IS NULL ORDER BY \"id\" LIMIT 1000)",
    )],
    down: &[Run("UPDATE \"t\" SET \"v\" = NULL")],
};

const MY_FILL_T_V: Change = Change {
    summary: "~ fill t.v",
    up: &[Batches("UPDATE `t` SET `v` = 1 WHERE `v` IS NULL ORDER BY `id` LIMIT 1000")],
    down: &[Run("UPDATE `t` SET `v` = NULL")],
};

const NAME: &str = "m20260103_000000_locks";

/// What the second session locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    /// The table: on PostgreSQL an explicit `ACCESS EXCLUSIVE` lock, on MariaDB the metadata
    /// lock of an open transaction that read the table.
    Table,
    /// The row with id 1, locked for update.
    Row,
}

/// A database with a table `t` of three rows, and a second session that holds a lock on what
/// `held` says for `hold`. The returned task ends when the lock is released.
async fn locked(backend: DbBackend, held: Held, hold: Duration) -> Option<(TestDb, tokio::task::JoinHandle<()>)> {
    let test = TestDb::new(backend, "locks").await?;
    test.exec("CREATE TABLE t (id int NOT NULL PRIMARY KEY, v int NULL)").await;
    test.exec("INSERT INTO t (id) VALUES (1), (2), (3)").await;
    let holder = test.connect().await;
    // Should the test fail while the lock is held, the server ends the holder's session, so that
    // dropping the test database cannot wait for it forever.
    if backend == DbBackend::MySql {
        holder.execute_unprepared("SET SESSION idle_transaction_timeout = 15").await.expect("limit the holder");
    }
    let txn = holder.begin().await.expect("begin the holder's transaction");
    if backend == DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL idle_in_transaction_session_timeout = '15s'").await.expect("limit the holder");
    }
    let lock = match (held, backend) {
        (Held::Table, DbBackend::Postgres) => "LOCK TABLE t IN ACCESS EXCLUSIVE MODE",
        (Held::Table, _) => "SELECT id FROM t",
        (Held::Row, _) => "SELECT id FROM t WHERE id = 1 FOR UPDATE",
    };
    txn.query_all_raw(Statement::from_string(backend, lock)).await.expect("take the lock");
    let release = tokio::spawn(async move {
        tokio::time::sleep(hold).await;
        txn.commit().await.expect("release the lock");
        holder.close().await.ok();
    });
    Some((test, release))
}

/// How long the lock is held where the migration must outlast it. MariaDB counts its lock wait
/// timeouts in whole seconds (200 ms become 1 s): holding longer than that proves a retry
/// happened.
fn hold(backend: DbBackend) -> Duration {
    match backend {
        DbBackend::Postgres => Duration::from_secs(1),
        _ => Duration::from_millis(2500),
    }
}

async fn retries_until_the_lock_goes(backend: DbBackend) {
    let Some((test, release)) = locked(backend, Held::Table, hold(backend)).await else { return };
    let started = Instant::now();
    up(&test, Mode::Own, NAME, &PATIENT).await.expect("up succeeds once the lock is released");
    assert!(started.elapsed() >= hold(backend), "up cannot have finished while the table was locked");
    release.await.expect("the holder ended");
    assert_objects(&test.schema().await, &["t.extra"], true);
    assert_eq!(test.progress(NAME, "up").await, None);
}

async fn fails_when_it_may_not_retry(backend: DbBackend) {
    let hold = Duration::from_secs(4);
    let Some((test, release)) = locked(backend, Held::Table, hold).await else { return };
    let started = Instant::now();
    let error = error_text(up(&test, Mode::Own, NAME, &IMPATIENT).await);
    assert!(started.elapsed() < hold, "up gave up before the lock was released");
    assert_mentions(
        &error,
        &["change 1 of 1 (+ column t.extra", "timed out waiting for a lock", "nothing of it was applied"],
    );
    release.await.expect("the holder ended");
    assert_objects(&test.schema().await, &["t.extra"], false);
}

/// PostgreSQL, in the caller's transaction: the timeout holds too, but nothing can be retried,
/// since the caller owns the transaction.
#[tokio::test]
async fn postgres_times_out_in_the_callers_transaction() {
    let hold = Duration::from_secs(4);
    let Some((test, release)) = locked(DbBackend::Postgres, Held::Table, hold).await else { return };
    let started = Instant::now();
    let error = error_text(up(&test, Mode::InTransaction, NAME, &PATIENT).await);
    assert!(started.elapsed() < hold, "up gave up before the lock was released");
    assert_mentions(&error, &["change 1 of 1 (+ column t.extra", "timed out waiting for a lock"]);
    release.await.expect("the holder ended");
    assert_objects(&test.schema().await, &["t.extra"], false);
}

async fn batches_retry_until_the_row_lock_goes(backend: DbBackend) {
    let Some((test, release)) = locked(backend, Held::Row, hold(backend)).await else { return };
    let started = Instant::now();
    up(&test, Mode::Own, NAME, &PATIENT_FILL).await.expect("up succeeds once the row is released");
    assert!(started.elapsed() >= hold(backend), "up cannot have finished while a row was locked");
    release.await.expect("the holder ended");
    assert_eq!(test.number("SELECT count(*) FROM t WHERE v = 1").await, 3);
}

async fn batches_fail_when_they_may_not_retry(backend: DbBackend) {
    let hold = Duration::from_secs(4);
    let Some((test, release)) = locked(backend, Held::Row, hold).await else { return };
    let started = Instant::now();
    let error = error_text(up(&test, Mode::Own, NAME, &IMPATIENT_FILL).await);
    assert!(started.elapsed() < hold, "up gave up before the row was released");
    assert_mentions(&error, &["change 1 of 1 (~ fill t.v) failed at `UPDATE", "timed out waiting for a lock"]);
    release.await.expect("the holder ended");
    assert_eq!(test.number("SELECT count(*) FROM t WHERE v IS NULL").await, 3);
}

per_backend!(
    on [postgres Postgres, mysql MySql]
    retries_until_the_lock_goes,
    fails_when_it_may_not_retry,
    batches_retry_until_the_row_lock_goes,
    batches_fail_when_they_may_not_retry,
);
