//! `migrate check --replay`: apply every migration to a scratch database of the same backend and
//! compare that with the entities, the real database never touched.
//!
//! The scratch database is dropped when the replay ends, fails, or is interrupted by SIGINT or
//! SIGTERM. A run killed outright (SIGKILL, a lost machine) cannot clean up, so scratch databases
//! are named `autogen_replay_<unix time>_<host tag>_<pid>_<random>` and every replay first drops
//! those older than [`STALE_AFTER`] and those whose process is gone from this host.

use std::hash::{BuildHasher, Hasher};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use autogen::database::{self, DatabaseUrl};
use autogen::lifecycle::history::UpgradeTarget;
use autogen::lifecycle::runner::{Direction, Migrations, Runner};
use autogen::pipeline::compare::{CompareOptions, Comparison, RegisterEntities, compare};
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use tokio::signal::unix::{SignalKind, signal};

use super::check::{hazards, report};
use crate::Format;
use crate::output::{DIM, MISSING, errln};

/// The start of every scratch database's name.
const PREFIX: &str = "autogen_replay_";

/// Scratch databases older than this are left over from a run that could not clean up.
pub(super) const STALE_AFTER: Duration = Duration::from_secs(6 * 3600);

/// What a scratch database's name says about the run that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Scratch {
    created: i64,
    host: String,
    pid: u32,
}

/// A scratch database name for this run.
fn scratch_name(created: i64) -> String {
    let random = std::collections::hash_map::RandomState::new().build_hasher().finish() as u32;
    format!("{PREFIX}{created}_{}_{}_{random:08x}", host_tag(), std::process::id())
}

/// Reads a scratch database name; `None` for any other name.
fn parse_scratch(name: &str) -> Option<Scratch> {
    let mut parts = name.strip_prefix(PREFIX)?.split('_');
    let (created, host, pid, random) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let hex8 = |text: &str| text.len() == 8 && text.bytes().all(|b| b.is_ascii_hexdigit());
    if parts.next().is_some() || !hex8(host) || !hex8(random) {
        return None;
    }
    Some(Scratch { created: created.parse().ok()?, host: host.to_owned(), pid: pid.parse().ok()? })
}

/// Whether a scratch database was left behind: too old, or made on this host by a process that
/// is gone.
fn is_stale(scratch: &Scratch, now: i64, alive: impl Fn(u32) -> bool) -> bool {
    now - scratch.created > STALE_AFTER.as_secs() as i64
        || (scratch.host == host_tag() && scratch.pid != std::process::id() && !alive(scratch.pid))
}

/// Eight hex digits naming this host (FNV-1a of its name: the same in every build).
fn host_tag() -> String {
    let mut buffer = [0u8; 256];
    // SAFETY: the buffer is writable for its whole length, which is what we pass.
    let name: &[u8] = if unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) } == 0 {
        let end = buffer.iter().position(|&b| b == 0).unwrap_or(buffer.len());
        &buffer[..end]
    } else {
        b"unknown"
    };
    let hash = name.iter().fold(0x811c_9dc5_u32, |hash, &b| (hash ^ u32::from(b)).wrapping_mul(0x0100_0193));
    format!("{hash:08x}")
}

/// Whether a process with this id runs on this host.
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    // SAFETY: signal 0 checks that the process exists and sends nothing.
    let result = unsafe { libc::kill(pid, 0) };
    // EPERM: it exists, it belongs to someone else.
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Applies every migration to a scratch database and compares it with the entities.
pub(super) async fn replay(
    url: &DatabaseUrl,
    migrations: Migrations,
    register: RegisterEntities,
    options: &CompareOptions,
    format: Format,
) -> Result<ExitCode> {
    let backend = url.backend();
    let admin_url = match backend {
        DbBackend::Postgres => url.with_database("postgres"),
        DbBackend::MySql => url.with_database(""),
        // SQLite replays into memory: nothing is left behind, whatever happens.
        _ => {
            let comparison = apply_and_compare(&url.with_database(""), migrations, register, options).await?;
            let hazards = hazards(&comparison, register, options, backend);
            return Ok(report(&comparison, &hazards, format));
        }
    };
    // Before the scratch database exists, so that no signal can end the process in between.
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot watch for SIGINT")?;
    let mut terminate = signal(SignalKind::terminate()).context("cannot watch for SIGTERM")?;
    let admin = database::connect(&admin_url).await?;
    drop_stale(&admin, backend).await;
    let name = scratch_name(chrono::Utc::now().timestamp());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {}", autogen::quote::ident(backend, &name)))
        .await
        .context("cannot create the scratch database")?;
    let scratch_url = url.with_database(&name);
    errln!("{DIM}replaying migrations on scratch database {}{DIM:#}", scratch_url.masked());
    let outcome = tokio::select! {
        result = apply_and_compare(&scratch_url, migrations, register, options) => Ok(result),
        _ = interrupt.recv() => Err(("SIGINT", 130)),
        _ = terminate.recv() => Err(("SIGTERM", 143)),
    };
    let dropped = drop_scratch(&admin, backend, &name).await;
    admin.close().await.ok();
    match outcome {
        Ok(result) => {
            let comparison = result?;
            dropped.context("cannot drop the scratch database")?;
            let hazards = hazards(&comparison, register, options, backend);
            Ok(report(&comparison, &hazards, format))
        }
        Err((signal, status)) => {
            let what = match dropped {
                Ok(()) => "dropped".to_owned(),
                Err(e) => format!("not dropped ({e})"),
            };
            errln!("{MISSING}error:{MISSING:#} interrupted by {signal}; the scratch database {name} was {what}");
            Ok(ExitCode::from(status))
        }
    }
}

/// Runs every migration on the database at `url` and compares it with the entities.
async fn apply_and_compare(
    url: &DatabaseUrl,
    migrations: Migrations,
    register: RegisterEntities,
    options: &CompareOptions,
) -> Result<Comparison> {
    let scratch = database::connect(url).await?;
    let runner = Runner::of(&scratch, migrations);
    let history = runner.history().await?;
    for index in history.plan_upgrade(&UpgradeTarget::Head)? {
        runner.run(index, Direction::Up).await?;
    }
    let comparison = compare(&scratch, register, options).await?;
    scratch.close().await.ok();
    Ok(comparison)
}

/// Ends the sessions still using the scratch database (an interrupted replay's, mid-statement),
/// then drops it.
async fn drop_scratch(admin: &DatabaseConnection, backend: DbBackend, name: &str) -> Result<()> {
    let sessions = match backend {
        DbBackend::Postgres => Statement::from_sql_and_values(
            backend,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            [name.into()],
        ),
        _ => Statement::from_sql_and_values(
            backend,
            "SELECT CAST(ID AS SIGNED) AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()",
            [name.into()],
        ),
    };
    let rows = admin.query_all_raw(sessions).await?;
    if backend == DbBackend::MySql {
        for row in rows {
            if let Ok(id) = row.try_get::<i64>("", "id") {
                // The session may have ended by itself meanwhile.
                let _ = admin.execute_unprepared(&format!("KILL {id}")).await;
            }
        }
    }
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {}", autogen::quote::ident(backend, name)))
        .await?;
    Ok(())
}

/// Drops the scratch databases that earlier runs left behind; a failure is a warning, since the
/// replay itself does not need it.
async fn drop_stale(admin: &DatabaseConnection, backend: DbBackend) {
    let list = match backend {
        DbBackend::Postgres => "SELECT datname::text AS name FROM pg_database WHERE datname LIKE 'autogen\\_replay\\_%'",
        _ => "SELECT CAST(SCHEMA_NAME AS CHAR) AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'autogen\\_replay\\_%'",
    };
    let rows = match admin.query_all_raw(Statement::from_string(backend, list.to_owned())).await {
        Ok(rows) => rows,
        Err(e) => {
            errln!("{MISSING}warning:{MISSING:#} cannot list left-over scratch databases: {e}");
            return;
        }
    };
    let now = chrono::Utc::now().timestamp();
    for name in rows.iter().filter_map(|row| row.try_get::<String>("", "name").ok()) {
        let Some(scratch) = parse_scratch(&name) else { continue };
        if is_stale(&scratch, now, process_alive) {
            match drop_scratch(admin, backend, &name).await {
                Ok(()) => errln!("{DIM}dropped {name}, left behind by an interrupted replay{DIM:#}"),
                Err(e) => errln!("{MISSING}warning:{MISSING:#} cannot drop {name}, left behind by an interrupted replay: {e}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_names_say_when_where_and_who() {
        let name = scratch_name(1_700_000_000);
        assert!(name.len() <= 63, "{name}: longer than PostgreSQL allows");
        let scratch = parse_scratch(&name).unwrap();
        assert_eq!(scratch, Scratch { created: 1_700_000_000, host: host_tag(), pid: std::process::id() });
        assert_ne!(scratch_name(1), scratch_name(1), "two runs in one second differ");
        for other in ["autogen_replay_1_2", "autogen_replay_x_0000000a_1_0000000b", "autogen_upgrade_1_0000000a_1_0000000b", "autogen_replay_1_0000000a_1_0000000b_9"] {
            assert_eq!(parse_scratch(other), None, "{other}");
        }
    }

    #[test]
    fn stale_means_old_or_orphaned_here() {
        let now = 1_700_000_000;
        let here = |pid, created| Scratch { created, host: host_tag(), pid };
        let elsewhere = Scratch { created: now - 60, host: "00000000".into(), pid: 1 };
        assert!(is_stale(&here(7, now - 60), now, |_| false), "its process is gone");
        assert!(!is_stale(&here(7, now - 60), now, |_| true), "its process still runs");
        assert!(!is_stale(&elsewhere, now, |_| false), "another host's process may still run");
        assert!(is_stale(&Scratch { created: now - STALE_AFTER.as_secs() as i64 - 1, ..elsewhere }, now, |_| true));
        assert!(!is_stale(&here(std::process::id(), now), now, |_| false), "never our own");
        assert!(process_alive(std::process::id()));
    }
}
