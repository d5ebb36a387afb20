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

/// A backend's plan with the desired schema it was planned towards.
struct Planned {
    backend: DbBackend,
    plan: Plan,
    desired: Schema,
}

/// Plans `comparison`'s changes for `backend`. The changes were found against the comparison's
/// own backend; another backend gets the same changes, with its own desired schema (the entities
/// as that backend stores them) for what rendering reads from it.
fn plan_for(
    comparison: &Comparison,
    register: RegisterEntities,
    backend: DbBackend,
    plan_options: &PlanOptions,
    compare_options: &CompareOptions,
    own: DbBackend,
) -> Result<Planned> {
    let desired = if backend == own { comparison.desired.clone() } else { desired(register, backend, compare_options)? };
    let plan = plan_with(&comparison.changes, &comparison.current, backend, plan_options);
    Ok(Planned { backend, plan, desired })
}

/// The module for `comparison`, with statements for each of `backends` (the comparison's own
/// backend when empty). A change a backend cannot make is an error naming both.
pub fn generate(
    comparison: &Comparison,
    register: RegisterEntities,
    backends: &[DbBackend],
    plan_options: &PlanOptions,
    compare_options: &CompareOptions,
    summary: &[String],
    render: &RenderOptions,
) -> Result<String> {
    let own = render.backend;
    let backends = if backends.is_empty() { vec![own] } else { backends.to_vec() };
    let planned = backends
        .iter()
        .map(|b| plan_for(comparison, register, *b, plan_options, compare_options, own))
        .collect::<Result<Vec<_>>>()?;
    let plans: Vec<BackendPlan> = planned
        .iter()
        .map(|p| BackendPlan {
            plan: &p.plan,
            context: Context { backend: p.backend, current: &comparison.current, desired: &p.desired },
        })
        .collect();
    module(&plans, summary, render)
}

/// The SQL of the migration's `up` on `backend`, as a script.
pub fn preview(
    comparison: &Comparison,
    register: RegisterEntities,
    backend: DbBackend,
    plan_options: &PlanOptions,
    compare_options: &CompareOptions,
    own: DbBackend,
) -> Result<Vec<String>> {
    let planned = plan_for(comparison, register, backend, plan_options, compare_options, own)?;
    sql::preview(
        &planned.plan.up,
        &Context { backend, current: &comparison.current, desired: &planned.desired },
    )
}
