//! What each subcommand does, on top of the engine.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use autogen::database::{self, DEFAULT_SQLITE_URL, DatabaseUrl};
use autogen::history::{DowngradeTarget, History, UpgradeTarget};
use autogen::runner::{Direction, Runner};
use autogen::source;
use sea_orm_migration::MigratorTrait;

use crate::output::{self, APPLIED, DIM, MISSING, NAME, PENDING};
use crate::{Cli, Command};

/// Where the database URL came from, shown next to it.
fn resolve_url(flag: Option<String>) -> Result<(String, &'static str)> {
    if let Some(url) = flag {
        return Ok((url, "--database-url"));
    }
    if let Ok(url) = std::env::var("DATABASE_URL")
        && !url.trim().is_empty()
    {
        return Ok((url, "DATABASE_URL"));
    }
    let dotenv = Path::new(".env");
    if dotenv.is_file() {
        let entries = dotenvy::from_path_iter(dotenv).context("cannot read .env")?;
        for entry in entries {
            let (key, value) = entry.context("cannot read .env")?;
            if key == "DATABASE_URL" && !value.trim().is_empty() {
                return Ok((value, ".env"));
            }
        }
    }
    Ok((DEFAULT_SQLITE_URL.to_owned(), "default"))
}

pub async fn run<M: MigratorTrait>(cli: Cli, default_migration_dir: &str) -> Result<ExitCode> {
    let (raw_url, origin) = resolve_url(cli.database_url)?;
    let url = DatabaseUrl::parse(&raw_url)?;
    anstream::eprintln!("{DIM}database:{DIM:#} {} {DIM}({origin}){DIM:#}", url.masked());
    let db = database::connect(&url).await?;
    let runner = Runner::new::<M>(&db);
    let history = runner.history().await?;
    let migration_dir = cli
        .migration_dir
        .or_else(|| std::env::var_os("MIGRATION_DIR").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(default_migration_dir));

    let result = match cli.command {
        Command::Current { verbose } => current(&history, verbose),
        Command::History { verbose } => list(&history, verbose, &migration_dir),
        Command::Show { revision } => show(&history, &revision, &migration_dir),
        Command::Upgrade { target } => upgrade(&runner, &history, &target).await,
        Command::Downgrade { target } => downgrade(&runner, &history, &target).await,
    };
    db.close().await.ok();
    result.map(|()| ExitCode::SUCCESS)
}

/// The current revision's name, with `(head)` when nothing is pending after it.
fn describe(history: &History, index: Option<usize>) -> String {
    match index {
        None => "base".to_owned(),
        Some(i) if i + 1 == history.migrations.len() => format!("{} (head)", history.get(i).name),
        Some(i) => history.get(i).name.clone(),
    }
}

fn warn_unknown(history: &History) {
    for record in &history.unknown_applied {
        anstream::eprintln!(
            "{MISSING}warning:{MISSING:#} {} is recorded as applied but is not in this project",
            record.version
        );
    }
}

fn current(history: &History, verbose: bool) -> Result<()> {
    warn_unknown(history);
    match history.current() {
        None => anstream::println!("base {DIM}(no migration applied){DIM:#}"),
        Some(i) => {
            anstream::println!("{NAME}{}{NAME:#}", describe(history, Some(i)));
            if verbose {
                let applied_at = history.get(i).applied_at.expect("current is applied");
                anstream::println!("  applied at {}", output::timestamp(applied_at));
            }
        }
    }
    let pending = history.pending().len();
    if pending > 0 {
        anstream::println!("{PENDING}{} pending{PENDING:#}", output::count(pending, "migration"));
    }
    Ok(())
}

fn list(history: &History, verbose: bool, migration_dir: &Path) -> Result<()> {
    warn_unknown(history);
    let current = history.current();
    let last = history.migrations.len().checked_sub(1);
    for (i, migration) in history.migrations.iter().enumerate() {
        let (style, status) = if migration.is_applied() {
            (APPLIED, "applied")
        } else {
            (PENDING, "pending")
        };
        let mut marks = Vec::new();
        if Some(i) == current {
            marks.push("current");
        }
        if Some(i) == last {
            marks.push("head");
        }
        let marks = if marks.is_empty() {
            String::new()
        } else {
            format!(" ({})", marks.join(", "))
        };
        let pointer = if Some(i) == current { ">" } else { " " };
        anstream::println!(
            "{pointer} {style}{status}{style:#}  {NAME}{}{NAME:#}{marks}",
            migration.name
        );
        if verbose {
            if let Some(at) = migration.applied_at {
                anstream::println!("{DIM}             applied at {}{DIM:#}", output::timestamp(at));
            }
            let doc = source::find(migration_dir, &migration.name)
                .and_then(|path| source::doc_comment(&path).ok().flatten());
            if let Some(doc) = doc {
                // The first paragraph, on one line.
                let summary = doc
                    .split("\n\n")
                    .next()
                    .unwrap_or_default()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                anstream::println!("{DIM}             {summary}{DIM:#}");
            }
        }
    }
    let applied = history.applied().len();
    anstream::println!(
        "{}: {} applied, {} pending",
        output::count(history.migrations.len(), "migration"),
        applied,
        history.migrations.len() - applied
    );
    Ok(())
}

fn show(history: &History, revision: &str, migration_dir: &Path) -> Result<()> {
    let index = history.resolve(revision)?;
    let migration = history.get(index);
    let total = history.migrations.len();
    let follows = match index {
        0 => "base".to_owned(),
        i => history.get(i - 1).name.clone(),
    };
    anstream::println!("revision  {NAME}{}{NAME:#}", migration.name);
    anstream::println!("position  {} of {total} (follows {follows})", index + 1);
    match migration.applied_at {
        Some(at) => anstream::println!(
            "status    {APPLIED}applied{APPLIED:#} at {}",
            output::timestamp(at)
        ),
        None => anstream::println!("status    {PENDING}pending{PENDING:#}"),
    }
    match source::find(migration_dir, &migration.name) {
        Some(path) => {
            anstream::println!("source    {}", path.display());
            match source::doc_comment(&path)? {
                Some(doc) => {
                    anstream::println!();
                    for line in doc.lines() {
                        anstream::println!("    {line}");
                    }
                }
                None => anstream::println!("{DIM}(no doc comment){DIM:#}"),
            }
        }
        None => anstream::println!(
            "source    {MISSING}not found in {}{MISSING:#}",
            migration_dir.display()
        ),
    }
    Ok(())
}

/// Runs the planned migrations one by one, printing each with its duration.
async fn execute(
    runner: &Runner<'_>,
    history: &History,
    plan: &[usize],
    direction: Direction,
) -> Result<Duration> {
    let verb = match direction {
        Direction::Up => "Applying",
        Direction::Down => "Reverting",
    };
    let mut total = Duration::ZERO;
    for &index in plan {
        let name = &history.get(index).name;
        anstream::print!("{verb} {NAME}{name}{NAME:#} ... ");
        std::io::stdout().flush().ok();
        match runner.run(index, direction).await {
            Ok(took) => {
                total += took;
                anstream::println!("{APPLIED}done{APPLIED:#} in {}", output::duration(took));
            }
            Err(e) => {
                anstream::println!("{MISSING}failed{MISSING:#}");
                return Err(e.into());
            }
        }
    }
    Ok(total)
}

/// Refuses to change a database that records migrations this project does not have.
fn ensure_known(history: &History) -> Result<()> {
    if history.unknown_applied.is_empty() {
        Ok(())
    } else {
        Err(autogen::Error::UnknownApplied(
            history.unknown_applied.iter().map(|r| r.version.clone()).collect(),
        )
        .into())
    }
}

async fn upgrade(runner: &Runner<'_>, history: &History, target: &str) -> Result<()> {
    ensure_known(history)?;
    let target: UpgradeTarget = target.parse()?;
    let plan = history.plan_upgrade(&target)?;
    if plan.is_empty() {
        let at = describe(history, history.current());
        match target {
            UpgradeTarget::Revision(_) => anstream::println!("Already at {at}; nothing to upgrade."),
            _ => anstream::println!("Already at head: {at}; nothing to upgrade."),
        }
        return Ok(());
    }
    let took = execute(runner, history, &plan, Direction::Up).await?;
    let after = runner.history().await?;
    anstream::println!(
        "Upgraded {} in {}; current revision: {}",
        output::count(plan.len(), "migration"),
        output::duration(took),
        describe(&after, after.current())
    );
    Ok(())
}

async fn downgrade(runner: &Runner<'_>, history: &History, target: &str) -> Result<()> {
    ensure_known(history)?;
    let target: DowngradeTarget = target.parse()?;
    let plan = history.plan_downgrade(&target)?;
    if plan.is_empty() {
        anstream::println!(
            "Already at {}; nothing to downgrade.",
            describe(history, history.current())
        );
        return Ok(());
    }
    let took = execute(runner, history, &plan, Direction::Down).await?;
    let after = runner.history().await?;
    anstream::println!(
        "Downgraded {} in {}; current revision: {}",
        output::count(plan.len(), "migration"),
        output::duration(took),
        describe(&after, after.current())
    );
    Ok(())
}
