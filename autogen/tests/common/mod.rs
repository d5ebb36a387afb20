//! Shared by the engine's integration tests: fresh databases on each server, and running rendered
//! plans through the runtime without compiling a module.

#![allow(dead_code)]

use autogen::pipeline::plan::Plan as StepPlan;
use autogen::pipeline::render::sql::{self, Context, Statement};
use sea_orm_autogen_runtime::{Change, Plan, Stmt};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};
use sea_orm_migration::SchemaManager;

/// A database of its own on one backend's server (or a SQLite file), dropped by [`Scratch::drop`].
pub struct Scratch {
    pub backend: DbBackend,
    pub db: DatabaseConnection,
    pub url: String,
    admin: Option<(DatabaseConnection, String)>,
    dir: Option<std::path::PathBuf>,
}

/// Whether tests run under CI, where every server is required.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

impl Scratch {
    /// A fresh database for the test `tag` on `backend`; `None` (after saying so) when the server
    /// is unreachable outside CI.
    pub async fn new(backend: DbBackend, tag: &str) -> Option<Scratch> {
        Self::on(backend, None, tag).await
    }

    /// A fresh database on PostgreSQL 18 (`TEST_POSTGRES18_URL`, default port 5418).
    pub async fn postgres18(tag: &str) -> Option<Scratch> {
        let server = std::env::var("TEST_POSTGRES18_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5418".into());
        Self::on(DbBackend::Postgres, Some(server), &format!("{tag}_18")).await
    }

    async fn on(backend: DbBackend, server: Option<String>, tag: &str) -> Option<Scratch> {
        let name = format!("autogen_t_{tag}_{}", std::process::id());
        let (server, admin_path) = match backend {
            DbBackend::Postgres => (
                server.unwrap_or_else(|| {
                    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
                }),
                "/postgres",
            ),
            DbBackend::MySql => {
                (std::env::var("TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into()), "")
            }
            _ => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).unwrap();
                let url = format!("sqlite://{}/t.db?mode=rwc", dir.display());
                return Some(Scratch { backend, db: single(&url).await, url, admin: None, dir: Some(dir) });
            }
        };
        let admin = match Database::connect(format!("{server}{admin_path}")).await {
            Ok(admin) => admin,
            Err(e) if in_ci() => panic!("{server} is required under CI: {e}"),
            Err(e) => {
                println!("skipped: {server} is unreachable: {e}");
                return None;
            }
        };
        let quoted = autogen::quote::ident(backend, &name);
        admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {quoted}")).await.unwrap();
        admin.execute_unprepared(&format!("CREATE DATABASE {quoted}")).await.unwrap();
        let url = format!("{server}/{name}");
        Some(Scratch { backend, db: Database::connect(&url).await.unwrap(), url, admin: Some((admin, quoted)), dir: None })
    }

    /// Closes the connection and drops the database.
    pub async fn drop(self) {
        self.db.close().await.ok();
        if let Some((admin, quoted)) = self.admin {
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {quoted}")).await.unwrap();
        }
        if let Some(dir) = self.dir {
            std::fs::remove_dir_all(dir).ok();
        }
    }

    /// Runs statements as they are.
    pub async fn exec(&self, statements: &[&str]) {
        for sql in statements {
            self.db.execute_unprepared(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }
}

/// A pool of one connection (SQLite: a rebuild switches foreign keys off on its connection).
pub async fn single(url: &str) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url.to_owned());
    options.max_connections(1).sqlx_logging(false);
    Database::connect(options).await.unwrap()
}

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

fn stmt(statement: &Statement) -> Stmt {
    match statement {
        Statement::Run(sql) => Stmt::Run(leak(sql)),
        Statement::Commit => Stmt::Commit,
        Statement::Alone(sql) => Stmt::Alone(leak(sql)),
        Statement::Batches(sql) => Stmt::Batches(leak(sql)),
        Statement::Refuse { query, message } => Stmt::Refuse { query: leak(query), message: leak(message) },
        Statement::BuildIndex { name, create, drop } => {
            Stmt::BuildIndex { name: leak(name), create: leak(create), drop: leak(drop) }
        }
        Statement::FirstOf(list) => {
            let list: Vec<&'static str> = list.iter().map(|s| leak(s)).collect();
            Stmt::FirstOf(Box::leak(list.into_boxed_slice()))
        }
        Statement::Save(query) => Stmt::Save(leak(query)),
        Statement::Restore => Stmt::Restore,
    }
}

/// The runtime plan a generated module would hold for `plan` on the context's backend: what a
/// module does, without compiling one.
pub fn runtime_plan(plan: &StepPlan, context: &Context) -> &'static Plan {
    let down_context = context.reversed();
    let changes: Vec<Change> = plan
        .up
        .iter()
        .map(|step| {
            let up: Vec<Stmt> = sql::step(step, context).unwrap().iter().map(stmt).collect();
            let down: Vec<Stmt> = sql::step(&step.reverse(), &down_context).unwrap().iter().map(stmt).collect();
            Change {
                summary: leak(&autogen::pipeline::render::review::step_summary(step)),
                up: Box::leak(up.into_boxed_slice()),
                down: Box::leak(down.into_boxed_slice()),
            }
        })
        .collect();
    let changes: &'static [Change] = Box::leak(changes.into_boxed_slice());
    let (postgres, mysql, sqlite) = match context.backend {
        DbBackend::Postgres => (Some(changes), None, None),
        DbBackend::MySql => (None, Some(changes), None),
        _ => (None, None, Some(changes)),
    };
    Box::leak(Box::new(Plan { lock_timeout_ms: 0, lock_retries: 0, postgres, mysql, sqlite }))
}

/// Applies a runtime plan, as the migration named `name`.
pub async fn up(db: &DatabaseConnection, name: &str, plan: &Plan) -> Result<(), DbErr> {
    sea_orm_autogen_runtime::up(&SchemaManager::new(db), name, plan).await
}

/// Reverts a runtime plan.
pub async fn down(db: &DatabaseConnection, name: &str, plan: &Plan) -> Result<(), DbErr> {
    sea_orm_autogen_runtime::down(&SchemaManager::new(db), name, plan).await
}
