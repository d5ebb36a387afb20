//! The `migrate` command line: argument parsing, output and exit codes around the engine.
//!
//! Any SeaORM project gets the same command by calling [`main`] with its own `Migrator`.

mod commands;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use autogen::lifecycle::runner::Migrations;
use sea_orm_migration::MigratorTrait;

/// Manage a SeaORM project's migrations.
#[derive(Debug, Parser)]
#[command(name = "migrate", version, about, long_about = None)]
pub struct Cli {
    /// Database to use, e.g. postgres://user:pass@host/db, mysql://root@host/db or
    /// sqlite://app.db. Default: $DATABASE_URL, then DATABASE_URL in ./.env, then sqlite://app.db
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// Folder holding the migration modules and their `lib.rs` (or `mod.rs`). Default:
    /// $MIGRATION_DIR, then `migrations` in autogen.toml, then where this binary was built
    #[arg(long, global = true, value_name = "DIR")]
    pub migration_dir: Option<PathBuf>,

    /// The configuration file. Default: autogen.toml in the working directory or a folder above
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// A table to leave out of the comparison (repeat for several); replaces `exclude_tables` of
    /// the configuration
    #[arg(long = "exclude-table", global = true, value_name = "TABLE", value_parser = non_empty)]
    pub exclude_tables: Vec<String>,

    /// An object kind the project manages, its undeclared objects then dropped: advanced_indexes,
    /// checks, generated_columns, triggers, views (repeat for several); replaces `manage` of the
    /// configuration
    #[arg(long, global = true, value_name = "KIND", value_parser = non_empty)]
    pub manage: Vec<String>,

    /// PostgreSQL schema to compare (default: the connection's current schema)
    #[arg(long, global = true, value_name = "NAME")]
    pub schema: Option<String>,

    /// Print where the time went (connect, catalog queries, entities, diff, ...) to stderr
    #[arg(long, global = true)]
    pub timings: bool,

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
        #[arg(value_name = "REV", value_parser = non_empty)]
        revision: String,
    },
    /// Find the lock hazards of migrations in the SQL they send (hand-written ones too): exit 1
    /// when there are any
    Lint {
        /// A migration name or unique prefix (`head` for the newest); default: every pending one
        #[arg(value_name = "REV", value_parser = non_empty)]
        revision: Option<String>,
        /// `text` for people, `json` for tools (on stdout)
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Apply pending migrations
    Upgrade {
        /// `head` (every pending migration), `+N` (the next N) or REV (up to and including it)
        #[arg(value_name = "TARGET", default_value = "head", allow_hyphen_values = true, value_parser = non_empty)]
        target: String,
        /// Print the SQL that would run, bookkeeping included, and change nothing
        #[arg(long)]
        sql: bool,
    },
    /// Revert applied migrations
    Downgrade {
        /// `-N` (the last N), REV (everything after it; it stays applied) or `base` (all)
        #[arg(value_name = "TARGET", default_value = "-1", allow_hyphen_values = true, value_parser = non_empty)]
        target: String,
        /// Print the SQL that would run, bookkeeping included, and change nothing
        #[arg(long)]
        sql: bool,
    },
    /// Record the database as being at REV without running anything (`base` forgets all,
    /// `head` records all): for a database created before its migrations existed
    Stamp {
        /// A migration name or unique prefix, `head` or `base`
        #[arg(value_name = "REV", value_parser = non_empty)]
        revision: String,
    },
    /// Rewrite migrations.sum from the migration files as they are now, after a deliberate edit
    /// (such as filling in a migration made with `create --empty`)
    Hash,
    /// Put a migration after its sibling when two follow the same one (two branches merged):
    /// it gets a new name and is registered last
    Rebase {
        /// The migration to move: a name or unique prefix
        #[arg(value_name = "REV", value_parser = non_empty)]
        revision: String,
    },
    /// Compare the entities with the database and write a migration for the differences
    Create {
        /// What the migration does: the header's first line and the module name's slug (made one
        /// line of plain text first)
        #[arg(value_parser = non_empty)]
        message: String,
        /// Write a migration with empty `up` and `down`, for a hand-written change
        #[arg(long)]
        empty: bool,
        /// Write the first migration of an empty history from every entity, whatever the
        /// database holds (adopting an existing database: then `stamp head`)
        #[arg(long, conflicts_with = "empty")]
        initial: bool,
        /// Write the migration even though it destroys data (codes DS1xx); its module then opens
        /// with a warning block
        #[arg(long)]
        allow_destructive: bool,
        /// Fill the existing rows of a new NOT NULL column with a SQL expression before NOT NULL
        /// is set, e.g. `--backfill users.age=18`; repeat for several columns
        #[arg(long, value_name = "TABLE.COLUMN=EXPR")]
        backfill: Vec<String>,
        /// Print the SQL the new migration would run, and write nothing
        #[arg(long, conflicts_with = "empty")]
        sql: bool,
        /// With --sql: print it for this backend instead of the database's
        #[arg(long, value_enum, requires = "sql")]
        backend: Option<Backend>,
        /// Write plain DDL instead of the online plan (PostgreSQL and MySQL), for an empty
        /// database or a maintenance window: simpler and faster, but it blocks writers
        #[arg(long)]
        plain: bool,
    },
    /// Exit 1 when the entities and the database differ, and show how
    Check {
        /// Apply every migration to a scratch database of the same backend and compare that
        /// instead; the real database is never changed
        #[arg(long)]
        replay: bool,
        /// `text` for people, `json` for tools (on stdout)
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// `sea-orm-autogen`: the commands that need no project binary.
#[derive(Debug, Parser)]
#[command(name = "sea-orm-autogen", version, about = "Set a SeaORM workspace up for sea-orm-autogen's `migrate` command", long_about = None)]
pub struct StandaloneCli {
    #[command(subcommand)]
    pub command: StandaloneCommand,
}

/// The standalone binary's subcommands.
#[derive(Debug, Subcommand)]
pub enum StandaloneCommand {
    /// Set up the workspace around the working directory: autogen.toml, the migration crate's
    /// binary and build.rs, its dependencies and the `cargo migrate` alias. Prints every file it
    /// writes; a second run has nothing to do
    Init {
        /// A folder of the workspace to set up (default: the working directory)
        #[arg(long, value_name = "DIR", default_value = ".")]
        dir: PathBuf,
        /// The sea-orm-autogen repository the project's dependencies point to (default: the one
        /// this binary was built from)
        #[arg(long, value_name = "DIR")]
        autogen_path: Option<PathBuf>,
        /// A folder of entities, relative to the workspace root: a crate, its src or a module
        /// folder (repeat for several; default: every folder with entities)
        #[arg(long = "entities", value_name = "DIR", value_parser = non_empty)]
        entities: Vec<String>,
        /// The migration folder, relative to the workspace root (default: the folder whose lib.rs
        /// or mod.rs implements MigratorTrait)
        #[arg(long, value_name = "DIR", value_parser = non_empty)]
        migrations: Option<String>,
        /// A backend every migration must run on: postgres, mysql, sqlite (repeat for several;
        /// default: those the migration crate's sea-orm-migration enables, when more than one)
        #[arg(long = "backend", value_name = "NAME", value_parser = ["postgres", "mysql", "sqlite"])]
        backends: Vec<String>,
    },
}

/// Runs `sea-orm-autogen`: exit 0 on success, 2 on any error (one `error:` line).
pub fn standalone_main() -> ExitCode {
    install_panic_hook();
    let cli = match StandaloneCli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage(&error),
    };
    let StandaloneCommand::Init { dir, autogen_path, entities, migrations, backends } = cli.command;
    let request = commands::init::InitRequest {
        dir,
        autogen_path: autogen_path.unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))),
        entities,
        migrations,
        backends,
    };
    match commands::init::init(&request) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// A backend to preview SQL for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    Postgres,
    Mysql,
    Sqlite,
}

/// How `check` prints what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// An argument that must hold something: an empty string is a mistake, not "the default".
fn non_empty(value: &str) -> Result<String, String> {
    if value.trim().is_empty() {
        Err("must not be empty".to_owned())
    } else {
        Ok(value.to_owned())
    }
}

/// What the binary knows about the project it serves.
#[derive(Debug, Clone, Copy)]
pub struct Project {
    /// The folder of the migration modules and their `lib.rs`, where the binary was built: used
    /// only when neither `--migration-dir`, `$MIGRATION_DIR` nor an `autogen.toml` names one.
    pub migration_dir: &'static str,
    /// Adds every entity of the application to a desired schema (see `sea-orm-autogen-discover`).
    pub register_entities: autogen::pipeline::compare::RegisterEntities,
    /// The SHA-256 of every migration module when the binary was built, by module name (see
    /// `sea-orm-autogen-discover`'s `write_checksums`): what `upgrade` records and verifies when
    /// the sources are not there, as in a deployment that ships the binary alone.
    pub checksums: &'static [(&'static str, &'static str)],
}

/// Runs the command line for the migrator `M` of `project`.
///
/// Exit status: 0 on success, 1 when `check` finds drift or `create` refuses, 2 on any error
/// (one `error:` line on standard error), 141 when standard output is closed before the end,
/// 130 or 143 when `check --replay` is interrupted by SIGINT or SIGTERM.
pub fn main<M: MigratorTrait>(project: Project) -> ExitCode {
    run_main(project, Migrations::of::<M>())
}

/// [`main`], compiled once: nothing of the command line is generic over the project's migrator,
/// so that the project's binary compiles only its own `main` and its entity registry.
fn run_main(project: Project, migrations: Migrations) -> ExitCode {
    install_panic_hook();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage(&error),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&anyhow::anyhow!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(commands::run(cli, project, migrations)) {
        Ok(code) => code,
        Err(e) => fail(&e),
    }
}

/// Help and version go to standard output with status 0; an argument error is one `error:` line
/// with status 2, clap's usage block left out.
fn usage(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            output::write_stdout(&error.render().ansi().to_string());
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            fail(&anyhow::anyhow!("no command given; `help` lists them"))
        }
        _ => fail(&anyhow::anyhow!("{}", one_line(&error.render().to_string()))),
    }
}

/// clap's message on one line: its first line and its tips, without the usage block.
fn one_line(rendered: &str) -> String {
    let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or_default();
    let mut message = first.strip_prefix("error:").unwrap_or(first).trim().to_owned();
    for tip in lines.filter_map(|l| l.strip_prefix("tip:")) {
        message.push_str(&format!("; {}", tip.trim()));
    }
    message
}

/// Makes a panic what any other failure is: one `error:` line (secrets hidden) and exit status
/// 2, instead of a message and a backtrace.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_owned());
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let style = output::ERROR;
        output::write_stderr(&format!(
            "{style}error:{style:#} internal error{at}: {}; please report it\n",
            message.replace(['\r', '\n'], " ")
        ));
        std::process::exit(2);
    }));
}

/// Prints a one-line error (secrets hidden) and returns exit status 2.
fn fail(error: &anyhow::Error) -> ExitCode {
    let message = error
        .chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ");
    let style = output::ERROR;
    output::write_stderr(&format!("{style}error:{style:#} {}\n", message.replace(['\r', '\n'], " ")));
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_errors_are_one_line() {
        let error = Cli::try_parse_from(["migrate", "--bogus", "current"]).unwrap_err();
        let line = one_line(&error.render().to_string());
        assert!(line.starts_with("unexpected argument '--bogus' found"), "{line}");
        assert!(!line.contains('\n') && !line.contains("Usage"), "{line}");
        for args in [&["migrate", "downgrade", ""][..], &["migrate", "show", " "], &["migrate", "upgrade", ""], &["migrate", "stamp", ""]] {
            let error = Cli::try_parse_from(args).unwrap_err();
            assert!(one_line(&error.render().to_string()).contains("must not be empty"), "{args:?}");
        }
        assert!(Cli::try_parse_from(["migrate", "create", "--sql", "--empty", "x"]).is_err());
    }
}
