//! Generate: from a comparison to the text of a migration module, for every backend the project
//! supports: plan the changes for each backend, render each plan's SQL, and put them in one
//! module. Pure.

use sea_orm::DbBackend;

use crate::Result;
use crate::pipeline::compare::{CompareOptions, Comparison, RegisterEntities, desired};
use crate::pipeline::plan::{Plan, PlanOptions, plan_with};
use crate::pipeline::render::rust::{BackendPlan, RenderOptions, module};
use crate::pipeline::render::sql::{self, Context};
use crate::pipeline::schema::Schema;

/// How to generate a migration from a comparison.
#[derive(Debug, Clone, Copy)]
pub struct GenerateOptions<'a> {
    /// The entities, for the desired schema of a backend other than the compared one.
    pub register: RegisterEntities,
    /// The backends the module must run on; empty: the compared database's.
    pub backends: &'a [DbBackend],
    /// The developer's choices for the plan (`--backfill`).
    pub plan: &'a PlanOptions,
    /// What was compared and how.
    pub compare: &'a CompareOptions,
    /// Write online plans for PostgreSQL and MySQL (see `render::online`).
    pub online: bool,
}

/// A backend's plan with the desired schema it was planned towards.
struct Planned {
    backend: DbBackend,
    plan: Plan,
    desired: Schema,
}

/// Plans `comparison`'s changes for `backend`. The changes were found against the comparison's
/// own backend (`own`); another backend gets the same changes, with its own desired schema (the
/// entities as that backend stores them) for what rendering reads from it.
fn plan_for(comparison: &Comparison, backend: DbBackend, own: DbBackend, options: &GenerateOptions) -> Result<Planned> {
    let desired = if backend == own { comparison.desired.clone() } else { desired(options.register, backend, options.compare)? };
    let plan = plan_with(&comparison.changes, &comparison.current, backend, options.plan);
    Ok(Planned { backend, plan, desired })
}

/// The module for `comparison`, with statements for each backend of `options` (the
/// comparison's own backend, `render.backend`, when none is given). A change a backend cannot
/// make is an error naming both.
pub fn generate(
    comparison: &Comparison,
    options: &GenerateOptions,
    summary: &[String],
    render: &RenderOptions,
) -> Result<String> {
    let own = render.backend;
    let backends = if options.backends.is_empty() { vec![own] } else { options.backends.to_vec() };
    let planned = backends.iter().map(|b| plan_for(comparison, *b, own, options)).collect::<Result<Vec<_>>>()?;
    let plans: Vec<BackendPlan> = planned
        .iter()
        .map(|p| BackendPlan {
            plan: &p.plan,
            context: Context::new(p.backend, &comparison.current, &p.desired).online(options.online),
        })
        .collect();
    module(&plans, summary, render)
}

/// The SQL of the migration's `up` on `backend`, as a script; `own` is the compared backend.
pub fn preview(comparison: &Comparison, options: &GenerateOptions, backend: DbBackend, own: DbBackend) -> Result<Vec<String>> {
    let planned = plan_for(comparison, backend, own, options)?;
    sql::preview(
        &planned.plan.up,
        &Context::new(backend, &comparison.current, &planned.desired).online(options.online),
    )
}

/// The lock hazards of the migration's `up` on `backend` (`own` is the compared backend): its SQL
/// as the runtime sends it, linted against the schema it starts from. A `lock_timeout_ms` above 0
/// is the timeout the runtime sets for every transaction.
pub fn hazards(
    comparison: &Comparison,
    options: &GenerateOptions,
    backend: DbBackend,
    own: DbBackend,
    lock_timeout_ms: u32,
) -> Result<Vec<crate::lifecycle::lint::Hazard>> {
    let mut statements = Vec::new();
    if lock_timeout_ms > 0 {
        match backend {
            DbBackend::Postgres => statements.push(format!("SET lock_timeout = '{lock_timeout_ms}ms'")),
            DbBackend::MySql => {
                statements.push(format!("SET SESSION lock_wait_timeout = {}", lock_timeout_ms.div_ceil(1000)))
            }
            _ => {}
        }
    }
    statements.extend(preview(comparison, options, backend, own)?);
    Ok(crate::lifecycle::lint::lint(&statements, backend, Some(&comparison.current)))
}
