//! `autogen-bench`: the project's side of the schema-diff benchmark (see `bench/README.md`).
//!
//! - `project`: a SeaORM project whose entities are a side of the kit's neutral schema;
//! - `seed`: creates the database side on MySQL/MariaDB or SQLite (PostgreSQL loads the kit's
//!   `schema.sql`);
//! - `observe`: turns `migrate check --format json` into the kit's neutral observed records;
//! - `floor`: runs the inspector's catalog queries alone and times them;
//! - `online`: times every write of a steady load while the engine applies each change kind,
//!   as its online plan and as plain DDL.

mod entities;
mod neutral;
mod observe;
mod online;
mod seed;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use sea_orm::DbBackend;

#[derive(Parser)]
#[command(name = "autogen-bench", about = "Benchmark support for the autogenerate engine")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Backend {
    Postgres,
    Mysql,
    Sqlite,
}

impl From<Backend> for DbBackend {
    fn from(b: Backend) -> Self {
        match b {
            Backend::Postgres => DbBackend::Postgres,
            Backend::Mysql => DbBackend::MySql,
            Backend::Sqlite => DbBackend::Sqlite,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Writes a SeaORM project whose entities are the desired side of a generated schema.
    Project {
        /// The folder gen_schema.py wrote.
        #[arg(long = "gen")]
        gen_dir: PathBuf,
        #[arg(long, value_enum)]
        backend: Backend,
        /// Where the project goes.
        #[arg(long)]
        out: PathBuf,
        /// Goes into crate and binary names (`migrate-<label>`).
        #[arg(long)]
        label: String,
        /// At most this many entities per entity crate.
        #[arg(long, default_value_t = 500)]
        chunk: usize,
    },
    /// Creates the database side of a generated schema (MySQL/MariaDB or SQLite).
    Seed {
        #[arg(long = "gen")]
        gen_dir: PathBuf,
        #[arg(long)]
        database_url: String,
    },
    /// Prints the neutral observed records for a `migrate check --format json` output.
    Observe {
        /// The JSON that `check --format json` printed.
        check_json: PathBuf,
        #[arg(long = "gen")]
        gen_dir: PathBuf,
        #[arg(long, value_enum)]
        backend: Backend,
    },
    /// Times the inspector's catalog queries alone, REPS times; prints one JSON line per run.
    Floor {
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value_t = 3)]
        reps: usize,
    },
    /// Times every write of a steady load while each change kind is applied online and plain.
    Online(online::Options),
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", autogen::database::mask_secrets(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<()> {
    match command {
        Command::Project { gen_dir, backend, out, label, chunk } => {
            let schema = neutral::load(&gen_dir, "desired", backend.into())?;
            let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
            let workspace = workspace.canonicalize().context("workspace folder")?;
            let crates = entities::write_project(&schema, &out, &label, &workspace, chunk)?;
            eprintln!("wrote {} entities in {} crates to {}", schema.tables.len(), crates.len(), out.display());
            for name in crates {
                println!("{name}");
            }
        }
        Command::Seed { gen_dir, database_url } => {
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(seed::seed(&gen_dir, &database_url))?;
        }
        Command::Observe { check_json, gen_dir, backend } => {
            let records = observe::observe(&check_json, &gen_dir, backend.into())?;
            println!("{}", serde_json::to_string_pretty(&records)?);
        }
        Command::Floor { database_url, reps } => {
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(async {
                let url = autogen::database::DatabaseUrl::parse(&database_url)?;
                let options = autogen::pipeline::inspect::InspectOptions::default();
                for rep in 1..=reps {
                    // A new pool per run, as `migrate` opens: the time includes whatever
                    // connection the queries open beside the first.
                    let db = autogen::database::connect(&url).await?;
                    let start = Instant::now();
                    let rows = autogen::pipeline::inspect::run_catalog_queries(&db, &options).await?;
                    let seconds = start.elapsed().as_secs_f64();
                    db.close().await?;
                    println!("{}", serde_json::json!({ "rep": rep, "seconds": seconds, "rows": rows }));
                }
                anyhow::Ok(())
            })?;
        }
        Command::Online(options) => {
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(online::run(&options))?;
        }
    }
    Ok(())
}
