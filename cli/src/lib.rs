//! The `migrate` command line: argument parsing, output and exit codes around the engine.
//!
//! Any SeaORM project gets the same command by calling [`main`] with its own `Migrator`.

mod commands;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sea_orm_migration::MigratorTrait;

/// Manage a SeaORM project's migrations.
#[derive(Debug, Parser)]
#[command(name = "migrate", version, about, long_about = None)]
pub struct Cli {
    /// Database to use, e.g. postgres://user:pass@host/db, mysql://root@host/db or
    /// sqlite://app.db. Default: $DATABASE_URL, then DATABASE_URL in ./.env, then sqlite://app.db
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// Folder holding the migration modules (for `show`). Default: $MIGRATION_DIR, then the
    /// migration crate's src folder
    #[arg(long, global = true, value_name = "DIR")]
    pub migration_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the current revision: the last applied migration, or base
    Current {
        /// Also show when it was applied
        #[arg(short, long)]
        verbose: bool,
    },
    /// List every migration, oldest first, marked applied or pending
    History {
        /// Also show when each was applied and the first line of its doc comment
        #[arg(short, long)]
        verbose: bool,
    },
    /// Show one migration: name, position, status, source file and doc comment
    Show {
        /// A migration name or a unique prefix of it (`head` for the newest)
        #[arg(value_name = "REV")]
        revision: String,
    },
    /// Apply pending migrations
    Upgrade {
        /// `head` (every pending migration), `+N` (the next N) or REV (up to and including it)
        #[arg(value_name = "TARGET", default_value = "head", allow_hyphen_values = true)]
        target: String,
    },
    /// Revert applied migrations
    Downgrade {
        /// `-N` (the last N), REV (everything after it; it stays applied) or `base` (all)
        #[arg(value_name = "TARGET", default_value = "-1", allow_hyphen_values = true)]
        target: String,
    },
}

/// Runs the command line for the migrator `M`; `migration_dir` is where its modules live.
pub fn main<M: MigratorTrait>(migration_dir: &str) -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&anyhow::anyhow!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(commands::run::<M>(cli, migration_dir)) {
        Ok(code) => code,
        Err(e) => fail(&e),
    }
}

/// Prints a one-line error and returns exit status 2.
fn fail(error: &anyhow::Error) -> ExitCode {
    let message = error
        .chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ");
    let style = output::ERROR;
    anstream::eprintln!("{style}error:{style:#} {}", message.replace('\n', " "));
    ExitCode::from(2)
}
