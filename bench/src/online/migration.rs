//! A change kind as a migration: planned and rendered by the engine, turned into the runtime's
//! plan the way a generated module holds it, and run by the runtime the way `upgrade` runs a
//! compiled module (minus the bookkeeping row).

use anyhow::Result;
use autogen::pipeline::plan::Plan as Steps;
use autogen::pipeline::render::review::step_summary;
use autogen::pipeline::render::sql::{Context, Statement, step};
use sea_orm::{DatabaseConnection, DbBackend, DbErr, TransactionTrait};
use sea_orm_autogen_runtime::{Change, Plan, Stmt};
use sea_orm_migration::SchemaManager;

/// How long an online plan's statements wait for a lock, as `migrate create` writes it.
pub const ONLINE_LOCK_TIMEOUT_MS: u32 = 2000;
/// How often an online plan's transaction is retried after a lock timeout, as `create` writes it.
pub const ONLINE_LOCK_RETRIES: u32 = 5;

/// A migration ready to run: the runtime's plan and whether `upgrade` would open a transaction
/// around it.
pub struct Migration {
    /// The plan a generated module would hold.
    pub plan: &'static Plan,
    /// Whether some statement must run outside a transaction, so that the generated module says
    /// `use_transaction() -> Some(false)` and the runtime opens its own.
    pub own_transactions: bool,
    /// The SQL of `up` as `create --sql` prints it.
    pub script: Vec<String>,
}

impl Migration {
    /// Renders `steps` with `context` (online or plain, as the context says) and sets the lock
    /// settings `create` writes for that choice.
    pub fn render(steps: &Steps, context: &Context) -> Result<Migration> {
        let down_context = context.reversed();
        let mut own_transactions = false;
        let mut changes = Vec::new();
        for s in &steps.up {
            let up = step(s, context)?;
            let down = step(&s.reverse(), &down_context)?;
            own_transactions |= up.iter().chain(&down).any(|s| !s.fits_runner_transaction());
            changes.push(Change {
                summary: keep(step_summary(s)),
                up: keep_slice(up.iter().map(runtime_stmt).collect()),
                down: keep_slice(down.iter().map(runtime_stmt).collect()),
            });
        }
        let changes = keep_slice(changes);
        let (lock_timeout_ms, lock_retries) =
            if context.online { (ONLINE_LOCK_TIMEOUT_MS, ONLINE_LOCK_RETRIES) } else { (0, 0) };
        let (postgres, mysql) = match context.backend {
            DbBackend::Postgres => (Some(changes), None),
            _ => (None, Some(changes)),
        };
        let plan = Box::leak(Box::new(Plan { lock_timeout_ms, lock_retries, postgres, mysql, sqlite: None }));
        let script = autogen::pipeline::render::sql::preview(&steps.up, context)?;
        Ok(Migration { plan, own_transactions, script })
    }

    /// Applies it as `upgrade` would, as the migration `name`.
    pub async fn up(&self, db: &DatabaseConnection, name: &str) -> Result<(), DbErr> {
        self.run(db, name, true).await
    }

    /// Reverts it as `downgrade` would.
    pub async fn down(&self, db: &DatabaseConnection, name: &str) -> Result<(), DbErr> {
        self.run(db, name, false).await
    }

    async fn run(&self, db: &DatabaseConnection, name: &str, up: bool) -> Result<(), DbErr> {
        // The runner's choice: the module's own, else a transaction where DDL is transactional.
        let transactional = !self.own_transactions && db.get_database_backend() != DbBackend::MySql;
        if transactional {
            let txn = db.begin().await?;
            let manager = SchemaManager::new(&txn);
            match up {
                true => sea_orm_autogen_runtime::up(&manager, name, self.plan).await?,
                false => sea_orm_autogen_runtime::down(&manager, name, self.plan).await?,
            }
            txn.commit().await
        } else {
            let manager = SchemaManager::new(db);
            match up {
                true => sea_orm_autogen_runtime::up(&manager, name, self.plan).await,
                false => sea_orm_autogen_runtime::down(&manager, name, self.plan).await,
            }
        }
    }
}

/// The runtime holds a generated module's statements as `'static` text; a benchmark run renders
/// a few dozen migrations, so their text is kept for the life of the process.
fn keep(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn keep_slice<T>(items: Vec<T>) -> &'static [T] {
    Box::leak(items.into_boxed_slice())
}

fn runtime_stmt(statement: &Statement) -> Stmt {
    match statement.clone() {
        Statement::Run(sql) => Stmt::Run(keep(sql)),
        Statement::Commit => Stmt::Commit,
        Statement::Alone(sql) => Stmt::Alone(keep(sql)),
        Statement::Batches(sql) => Stmt::Batches(keep(sql)),
        Statement::Refuse { query, message } => Stmt::Refuse { query: keep(query), message: keep(message) },
        Statement::BuildIndex { name, create, drop } => Stmt::BuildIndex { name: keep(name), create: keep(create), drop: keep(drop) },
        Statement::FirstOf(list) => Stmt::FirstOf(keep_slice(list.into_iter().map(keep).collect())),
        Statement::Save(query) => Stmt::Save(keep(query)),
        Statement::Restore => Stmt::Restore,
    }
}
