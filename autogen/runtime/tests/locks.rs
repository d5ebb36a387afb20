//! Lock timeouts and retries: while another session holds a lock on the table, a migration gives
//! up waiting after `lock_timeout_ms` and tries again up to `lock_retries` times, so it succeeds
//! once the lock goes, and fails saying it timed out when it may not retry.

#[macro_use]
mod common;

use std::time::{Duration, Instant};

use common::{Mode, TestDb, assert_mentions, assert_objects, error_text, up};
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use sea_orm_autogen_runtime::Stmt::Run;
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

const NAME: &str = "m20260103_000000_locks";

/// A database with a table `t`, and a second session that holds a lock on `t` for `hold`: on
/// PostgreSQL an explicit `ACCESS EXCLUSIVE` lock, on MariaDB the metadata lock of an open
/// transaction that read the table. The returned task ends when the lock is released.
async fn locked_table(backend: DbBackend, hold: Duration) -> Option<(TestDb, tokio::task::JoinHandle<()>)> {
    let test = TestDb::new(backend, "locks").await?;
    test.exec("CREATE TABLE t (id int NOT NULL PRIMARY KEY)").await;
    test.exec("INSERT INTO t (id) VALUES (1)").await;
    let holder = test.connect().await;
    // Should the test fail while the lock is held, the server ends the holder's session, so that
    // dropping the test database cannot wait for it forever.
    if backend == DbBackend::MySql {
        holder.execute_unprepared("SET SESSION idle_transaction_timeout = 15").await.expect("limit the holder");
    }
    let txn = holder.begin().await.expect("begin the holder's transaction");
    match backend {
        DbBackend::Postgres => {
            txn.execute_unprepared("SET LOCAL idle_in_transaction_session_timeout = '15s'")
                .await
                .expect("limit the holder");
            txn.execute_unprepared("LOCK TABLE t IN ACCESS EXCLUSIVE MODE").await.expect("lock the table");
        }
        _ => {
            txn.query_all_raw(Statement::from_string(backend, "SELECT id FROM t")).await.expect("read the table");
        }
    }
    let release = tokio::spawn(async move {
        tokio::time::sleep(hold).await;
        txn.commit().await.expect("release the lock");
        holder.close().await.ok();
    });
    Some((test, release))
}

/// How long the lock is held where the migration must outlast it. MariaDB counts its
/// `lock_wait_timeout` in whole seconds (200 ms become 1 s): holding longer than that proves a
/// retry happened.
fn hold(backend: DbBackend) -> Duration {
    match backend {
        DbBackend::Postgres => Duration::from_secs(1),
        _ => Duration::from_millis(2500),
    }
}

async fn retries_until_the_lock_goes(backend: DbBackend) {
    let Some((test, release)) = locked_table(backend, hold(backend)).await else { return };
    let started = Instant::now();
    up(&test, Mode::Own, NAME, &PATIENT).await.expect("up succeeds once the lock is released");
    assert!(started.elapsed() >= hold(backend), "up cannot have finished while the table was locked");
    release.await.expect("the holder ended");
    assert_objects(&test.schema().await, &["t.extra"], true);
    assert_eq!(test.progress(NAME, "up").await, None);
}

async fn fails_when_it_may_not_retry(backend: DbBackend) {
    let hold = Duration::from_secs(4);
    let Some((test, release)) = locked_table(backend, hold).await else { return };
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
    let Some((test, release)) = locked_table(DbBackend::Postgres, hold).await else { return };
    let started = Instant::now();
    let error = error_text(up(&test, Mode::InTransaction, NAME, &PATIENT).await);
    assert!(started.elapsed() < hold, "up gave up before the lock was released");
    assert_mentions(&error, &["change 1 of 1 (+ column t.extra", "timed out waiting for a lock"]);
    release.await.expect("the holder ended");
    assert_objects(&test.schema().await, &["t.extra"], false);
}

per_backend!(on [postgres Postgres, mysql MySql] retries_until_the_lock_goes, fails_when_it_may_not_retry);
