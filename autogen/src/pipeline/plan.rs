//! Plan: orders the changes of a diff into steps that a database can run one after another, and
//! derives the `down` steps. Pure: no database, no I/O.
//!
//! Order of `up`: enum types and their new values; foreign keys and indexes that go away; new
//! tables in foreign-key order (a cycle is broken by adding the closing foreign key after both
//! tables exist); column renames, additions, changes and drops; primary keys and comments; tables
//! that go away, referencing tables first; new indexes and foreign keys; enum values and types
//! that go away. `down` is the reverse of `up`, each step reversed. On SQLite, whose ALTER TABLE
//! cannot change a column or a constraint, such changes to one table become one table rebuild.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::DbBackend;

use crate::pipeline::diff::Change;
use crate::pipeline::schema::{Column, Schema, Table};

/// One step of a migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A change run as it is.
    Change(Change),
    /// SQLite: rebuild a table as `desired`, copying the rows of the columns both have
    /// (`renames` maps current column names to desired ones).
    RebuildTable {
        current: Table,
        desired: Table,
        renames: BTreeMap<String, String>,
        /// SQL expressions that fill new columns from each old row (`--backfill`).
        fills: BTreeMap<String, String>,
        /// The changes the rebuild carries out, for the summary.
        changes: Vec<Change>,
    },
    /// Adds a NOT NULL column in three steps: nullable, filled with `expr`, then NOT NULL.
    Backfill { table: String, column: Column, expr: String },
}

impl Step {
    /// The step that undoes this one.
    pub fn reverse(&self) -> Step {
        match self {
            Step::Change(change) => Step::Change(change.reverse()),
            Step::RebuildTable { current, desired, renames, changes, .. } => Step::RebuildTable {
                current: desired.clone(),
                desired: current.clone(),
                renames: renames.iter().map(|(a, b)| (b.clone(), a.clone())).collect(),
                fills: BTreeMap::new(),
                changes: changes.iter().rev().map(Change::reverse).collect(),
            },
            Step::Backfill { table, column, .. } => Step::Change(Change::DropColumn {
                table: table.clone(),
                column: column.clone(),
            }),
        }
    }
}

/// A migration's steps: `up` in running order and `down` that undoes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub up: Vec<Step>,
    pub down: Vec<Step>,
}

/// Choices the developer made for this migration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanOptions {
    /// SQL expressions that fill existing rows of new NOT NULL columns, by (table, column).
    pub backfills: BTreeMap<(String, String), String>,
}

/// Orders `changes` (from `diff(current, desired)`) for `backend`.
pub fn plan(changes: &[Change], current: &Schema, backend: DbBackend) -> Plan {
    plan_with(changes, current, backend, &PlanOptions::default())
}

/// Orders `changes` for `backend`, applying the developer's `options`.
pub fn plan_with(
    changes: &[Change],
    current: &Schema,
    backend: DbBackend,
    options: &PlanOptions,
) -> Plan {
    let mut changes = changes.to_vec();
    let mut rebuilds = Vec::new();
    if backend == DbBackend::Sqlite {
        changes = extract_rebuilds(changes, current, options, &mut rebuilds);
    }
    let mut up: Vec<Step> = order(changes)
        .into_iter()
        .map(|change| match change {
            Change::AddColumn { table, column } => {
                match options.backfills.get(&(table.clone(), column.name.clone())) {
                    Some(expr) => Step::Backfill { table, column, expr: expr.clone() },
                    None => Step::Change(Change::AddColumn { table, column }),
                }
            }
            other => Step::Change(other),
        })
        .collect();
    // Rebuilds run where column changes run: after new tables, before new indexes.
    let position = up
        .iter()
        .position(|s| matches!(s, Step::Change(c) if rank(c) > RANK_COLUMNS))
        .unwrap_or(up.len());
    up.splice(position..position, rebuilds);
    let down = up.iter().rev().map(Step::reverse).collect();
    Plan { up, down }
}

const RANK_COLUMNS: u8 = 4;

fn rank(change: &Change) -> u8 {
    match change {
        Change::CreateEnum { .. } => 0,
        Change::AlterEnum { current, desired, .. } if only_additions(current, desired) => 0,
        // Views and triggers read columns that may change below.
        Change::DropView(_) | Change::DropTrigger { .. } => 1,
        Change::DropForeignKey { .. } | Change::DropCheck { .. } => 1,
        Change::DropIndex { .. } => 2,
        Change::AddTable(_) => 3,
        Change::RenameColumn { .. }
        | Change::AddColumn { .. }
        | Change::AlterColumn { .. }
        | Change::DropColumn { .. }
        | Change::SetPrimaryKey { .. }
        | Change::SetTableComment { .. } => RANK_COLUMNS,
        Change::DropTable(_) => 5,
        Change::AddIndex { .. } => 6,
        Change::AddForeignKey { .. } | Change::AddCheck { .. } => 7,
        Change::AlterEnum { .. } => 8,
        Change::DropEnum { .. } => 9,
        Change::CreateView(_) | Change::CreateTrigger { .. } => 10,
    }
}

/// Whether `desired` is `current` with values inserted, everything else in the same order.
pub fn only_additions(current: &[String], desired: &[String]) -> bool {
    let kept: Vec<&String> = desired.iter().filter(|v| current.contains(v)).collect();
    kept.len() == current.len() && kept.iter().zip(current).all(|(a, b)| *a == b)
}

/// Sorts changes by rank, keeping the diff's order within a rank except for tables, which go in
/// foreign-key order.
fn order(changes: Vec<Change>) -> Vec<Change> {
    let mut by_rank: BTreeMap<u8, Vec<Change>> = BTreeMap::new();
    for change in changes {
        by_rank.entry(rank(&change)).or_default().push(change);
    }
    let mut extra_fks = Vec::new();
    if let Some(adds) = by_rank.remove(&3) {
        let (tables, cut) = order_new_tables(adds);
        extra_fks = cut;
        by_rank.insert(3, tables);
    }
    if let Some(drops) = by_rank.remove(&5) {
        by_rank.insert(5, order_dropped_tables(drops));
    }
    by_rank.entry(7).or_default().splice(0..0, extra_fks);
    if let Some(first) = by_rank.remove(&1) {
        by_rank.insert(1, order_dropped_views(first));
    }
    by_rank.into_values().flatten().collect()
}

/// New tables, each after the new tables it references; foreign keys that close a cycle are cut
/// out and returned as separate changes to run once every table exists.
fn order_new_tables(adds: Vec<Change>) -> (Vec<Change>, Vec<Change>) {
    let mut pending: BTreeMap<String, Table> = adds
        .into_iter()
        .filter_map(|c| match c {
            Change::AddTable(t) => Some((t.name.clone(), t)),
            _ => None,
        })
        .collect();
    let new: BTreeSet<String> = pending.keys().cloned().collect();
    let mut created: BTreeSet<String> = BTreeSet::new();
    let mut ordered = Vec::new();
    let mut cut = Vec::new();
    while !pending.is_empty() {
        let ready = pending.iter().find(|(name, table)| {
            table.foreign_keys.iter().all(|fk| {
                !new.contains(&fk.ref_table) || created.contains(&fk.ref_table) || &&fk.ref_table == name
            })
        });
        let name = match ready {
            Some((name, _)) => name.clone(),
            None => {
                // A cycle: take the first table and defer its references to pending tables.
                let name = pending.keys().next().cloned().expect("pending is not empty");
                let table = pending.get_mut(&name).expect("present");
                let (keep, defer): (Vec<_>, Vec<_>) = table
                    .foreign_keys
                    .drain(..)
                    .partition(|fk| !pending_has(&new, &created, &fk.ref_table, &name));
                table.foreign_keys = keep;
                cut.extend(defer.into_iter().map(|foreign_key| Change::AddForeignKey {
                    table: name.clone(),
                    foreign_key,
                }));
                name
            }
        };
        let table = pending.remove(&name).expect("present");
        created.insert(name);
        ordered.push(Change::AddTable(table));
    }
    (ordered, cut)
}

fn pending_has(new: &BTreeSet<String>, created: &BTreeSet<String>, target: &str, me: &str) -> bool {
    new.contains(target) && !created.contains(target) && target != me
}

/// Views that go away, each before the views that it reads (so that `down`, reversed, creates
/// each after what it reads); the other changes of the rank keep their order after them.
fn order_dropped_views(changes: Vec<Change>) -> Vec<Change> {
    let (mut views, others): (Vec<Change>, Vec<Change>) =
        changes.into_iter().partition(|c| matches!(c, Change::DropView(_)));
    let mut ordered = Vec::new();
    while !views.is_empty() {
        // A view no remaining view reads goes first.
        let reads = |reader: &Change, name: &str| match reader {
            Change::DropView(view) => view.name != name && view.definition.text().is_some_and(|d| d.contains(name)),
            _ => false,
        };
        let next = views
            .iter()
            .position(|candidate| {
                let Change::DropView(view) = candidate else { return true };
                !views.iter().any(|other| reads(other, &view.name))
            })
            .unwrap_or(0);
        ordered.push(views.remove(next));
    }
    ordered.extend(others);
    ordered
}

/// Dropped tables, each before the dropped tables it references.
fn order_dropped_tables(drops: Vec<Change>) -> Vec<Change> {
    let tables: Vec<Table> = drops
        .into_iter()
        .filter_map(|c| match c {
            Change::DropTable(t) => Some(t),
            _ => None,
        })
        .collect();
    // Creating them would go in foreign-key order; dropping goes the other way round.
    let adds = tables.into_iter().map(Change::AddTable).collect();
    let (ordered, _) = order_new_tables(adds);
    let mut by_name: BTreeMap<String, Table> = BTreeMap::new();
    for change in ordered.iter() {
        if let Change::AddTable(t) = change {
            by_name.insert(t.name.clone(), t.clone());
        }
    }
    ordered
        .into_iter()
        .rev()
        .filter_map(|c| match c {
            Change::AddTable(t) => by_name.remove(&t.name).map(Change::DropTable),
            _ => None,
        })
        .collect()
}

/// Whether SQLite's ALTER TABLE can run `change` (rename, add or drop a plain column, indexes).
fn sqlite_can_alter(change: &Change, current: &Schema) -> bool {
    match change {
        Change::AlterColumn { .. } | Change::SetPrimaryKey { .. } => false,
        Change::AddForeignKey { .. } | Change::DropForeignKey { .. } => false,
        Change::AddCheck { .. } | Change::DropCheck { .. } => false,
        // Unique constraints written in CREATE TABLE can only go with a rebuild.
        Change::DropIndex { index, .. } => !index.constraint,
        Change::AddColumn { column, .. } => {
            // SQLite adds a NOT NULL column only with a default, and no key, unique or generated
            // column.
            (column.nullable || column.default.is_some()) && column.generated.is_none()
        }
        Change::DropColumn { table, column } => current.tables.get(table).is_none_or(|t| {
            // A column in a key, an index, a foreign key or a CHECK cannot simply be dropped, nor
            // can a generated one or one that another generated column reads.
            let name = column.name.as_str();
            let mentions = |expr: &crate::pipeline::schema::Expression| expr.canonical.contains(name);
            !t.primary_key.iter().any(|c| c == name)
                && !t.indexes.iter().any(|i| {
                    i.columns().contains(&name)
                        || i.predicate.as_ref().is_some_and(mentions)
                        || i.parts.iter().any(|p| matches!(&p.key, crate::pipeline::schema::IndexKey::Expression(e) if mentions(e)))
                })
                && !t.foreign_keys.iter().any(|fk| fk.columns.iter().any(|c| c == name))
                && !t.checks.iter().any(|c| mentions(&c.expression))
                && !t.columns.iter().any(|c| c.generated.is_some())
        }),
        _ => true,
    }
}

/// Moves every change to an existing table that SQLite cannot ALTER, with the other changes to
/// that table, into one rebuild per table.
fn extract_rebuilds(
    changes: Vec<Change>,
    current: &Schema,
    options: &PlanOptions,
    rebuilds: &mut Vec<Step>,
) -> Vec<Change> {
    // Whole tables and triggers are not part of a rebuild: a trigger that goes is dropped before
    // it (so that the rebuild does not save and restore it), one that comes is created after.
    let apart = |c: &Change| {
        matches!(c, Change::AddTable(_) | Change::DropTable(_) | Change::CreateTrigger { .. } | Change::DropTrigger { .. })
    };
    let rebuilt: BTreeSet<String> = changes
        .iter()
        .filter(|c| !apart(c))
        .filter(|c| !sqlite_can_alter(c, current))
        .filter_map(|c| c.table().map(str::to_owned))
        .collect();
    let mut kept = Vec::new();
    let mut grouped: BTreeMap<String, Vec<Change>> = BTreeMap::new();
    for change in changes {
        match change.table() {
            Some(table) if rebuilt.contains(table) && !apart(&change) => {
                grouped.entry(table.to_owned()).or_default().push(change)
            }
            _ => kept.push(change),
        }
    }
    for (name, changes) in grouped {
        let Some(current_table) = current.tables.get(&name) else {
            continue;
        };
        // The rebuilt table is the current one with these changes made: what the diff leaves
        // alone (an index it does not manage, a CHECK, a generated column) stays.
        let mut desired_table = current_table.clone();
        for change in &changes {
            apply(&mut desired_table, change);
        }
        desired_table.sort();
        // Its statement is written from the changes; the old text describes the old table.
        desired_table.definition = crate::pipeline::schema::Verbatim::default();
        let renames = changes
            .iter()
            .filter_map(|c| match c {
                Change::RenameColumn { current, desired, .. } => Some((current.clone(), desired.clone())),
                _ => None,
            })
            .collect();
        let fills = options
            .backfills
            .iter()
            .filter(|((table, _), _)| *table == name)
            .map(|((_, column), expr)| (column.clone(), expr.clone()))
            .collect();
        rebuilds.push(Step::RebuildTable {
            current: current_table.clone(),
            desired: desired_table,
            renames,
            fills,
            changes,
        });
    }
    kept
}

/// Makes `change` to `table`, as the database would: the table a SQLite rebuild creates.
pub fn apply(table: &mut Table, change: &Change) {
    match change {
        Change::AddColumn { column, .. } => table.columns.push(column.clone()),
        Change::DropColumn { column, .. } => table.columns.retain(|c| c.name != column.name),
        Change::AlterColumn { desired, .. } => {
            if let Some(column) = table.columns.iter_mut().find(|c| c.name == desired.name) {
                *column = desired.clone();
            }
        }
        Change::RenameColumn { current, desired, .. } => {
            let rename = |name: &mut String| {
                if name == current {
                    *name = desired.clone();
                }
            };
            for column in &mut table.columns {
                rename(&mut column.name);
            }
            table.primary_key.iter_mut().for_each(rename);
            for index in &mut table.indexes {
                let before = index.clone();
                for part in &mut index.parts {
                    if let crate::pipeline::schema::IndexKey::Column(name) = &mut part.key {
                        rename(name);
                    }
                }
                index.include.iter_mut().for_each(rename);
                // The database's own statement names the old column: it is written anew.
                if index.parts != before.parts || index.include != before.include {
                    index.definition = crate::pipeline::schema::Verbatim::default();
                }
            }
            for fk in &mut table.foreign_keys {
                fk.columns.iter_mut().for_each(rename);
            }
        }
        Change::AddIndex { index, .. } => table.indexes.push(index.clone()),
        Change::DropIndex { index, .. } => {
            if let Some(at) = table.indexes.iter().position(|i| i == index || (!i.name.is_empty() && i.name == index.name)) {
                table.indexes.remove(at);
            }
        }
        Change::AddForeignKey { foreign_key, .. } => table.foreign_keys.push(foreign_key.clone()),
        Change::DropForeignKey { foreign_key, .. } => table.foreign_keys.retain(|fk| fk != foreign_key),
        Change::AddCheck { check, .. } => table.checks.push(check.clone()),
        Change::DropCheck { check, .. } => table.checks.retain(|c| c != check),
        Change::SetPrimaryKey { desired, .. } => table.primary_key = desired.clone(),
        Change::SetTableComment { desired, .. } => table.comment = desired.clone(),
        Change::CreateTrigger { trigger, .. } => table.triggers.push(trigger.clone()),
        Change::DropTrigger { trigger, .. } => table.triggers.retain(|t| t != trigger),
        Change::CreateEnum { .. }
        | Change::DropEnum { .. }
        | Change::AlterEnum { .. }
        | Change::AddTable(_)
        | Change::DropTable(_)
        | Change::CreateView(_)
        | Change::DropView(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::schema::{Action, Column, ColumnType, ForeignKey, Index};

    fn column(name: &str) -> Column {
        Column::new(name, ColumnType::Integer)
    }

    fn diff(current: &Schema, desired: &Schema) -> Vec<Change> {
        crate::pipeline::diff::diff(current, desired, &crate::pipeline::diff::DiffOptions::new(DbBackend::Postgres)).changes
    }

    fn table(name: &str, refs: &[&str]) -> Table {
        let mut columns = vec![column("id")];
        let mut foreign_keys = Vec::new();
        for target in refs {
            let col = format!("{target}_id");
            columns.push(column(&col));
            foreign_keys.push(ForeignKey {
                name: format!("fk-{name}-{target}"),
                columns: vec![col],
                ref_table: target.to_string(),
                ref_columns: vec!["id".into()],
                on_delete: Action::Cascade,
                on_update: Action::NoAction,
            });
        }
        Table { name: name.into(), columns, primary_key: vec!["id".into()], foreign_keys, ..Table::default() }
    }

    fn schema(tables: Vec<Table>) -> Schema {
        Schema { tables: tables.into_iter().map(|t| (t.name.clone(), t)).collect(), ..Schema::default() }
    }

    fn names(steps: &[Step]) -> Vec<String> {
        steps
            .iter()
            .map(|s| match s {
                Step::Change(Change::AddTable(t)) => format!("+{}", t.name),
                Step::Change(Change::DropTable(t)) => format!("-{}", t.name),
                Step::Change(Change::AddForeignKey { table, foreign_key }) => {
                    format!("+fk {table}->{}", foreign_key.ref_table)
                }
                Step::Change(Change::CreateEnum { name, .. }) => format!("+enum {name}"),
                Step::Change(Change::DropEnum { name, .. }) => format!("-enum {name}"),
                Step::RebuildTable { desired, .. } => format!("rebuild {}", desired.name),
                Step::Backfill { table, column, .. } => format!("backfill {table}.{}", column.name),
                Step::Change(other) => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn new_tables_follow_the_tables_they_reference() {
        let desired = schema(vec![table("a_tokens", &["users", "clients"]), table("clients", &["orgs"]), table("orgs", &[]), table("users", &["orgs"])]);
        let current = Schema::default();
        let p = plan(&diff(&current, &desired), &current, DbBackend::Postgres);
        assert_eq!(names(&p.up), vec!["+orgs", "+clients", "+users", "+a_tokens"]);
        assert_eq!(names(&p.down), vec!["-a_tokens", "-users", "-clients", "-orgs"]);
    }

    #[test]
    fn cycles_are_closed_after_both_tables_exist() {
        let desired = schema(vec![table("a", &["b"]), table("b", &["a"])]);
        let current = Schema::default();
        let p = plan(&diff(&current, &desired), &current, DbBackend::Postgres);
        assert_eq!(names(&p.up), vec!["+a", "+b", "+fk a->b"]);
        assert!(names(&p.down)[0].starts_with("DropForeignKey { table: \"a\""), "{:?}", names(&p.down));
        assert_eq!(names(&p.down)[1..], ["-b", "-a"]);
    }

    #[test]
    fn dropped_tables_go_referencing_first_and_enums_last() {
        let mut current = schema(vec![table("orgs", &[]), table("users", &["orgs"])]);
        current.enums.insert("role".into(), vec!["x".into()]);
        let mut desired = Schema::default();
        desired.enums.insert("status".into(), vec!["on".into()]);
        let p = plan(&diff(&current, &desired), &current, DbBackend::MySql);
        assert_eq!(names(&p.up), vec!["+enum status", "-users", "-orgs", "-enum role"]);
    }

    #[test]
    fn backfills_replace_the_plain_column_addition() {
        let current = schema(vec![table("users", &[])]);
        let mut users = table("users", &[]);
        users.columns.push(column("age"));
        let desired = schema(vec![users]);
        let changes = diff(&current, &desired);
        let options = PlanOptions {
            backfills: [(("users".to_owned(), "age".to_owned()), "18".to_owned())].into_iter().collect(),
        };
        let p = plan_with(&changes, &current, DbBackend::Postgres, &options);
        assert_eq!(names(&p.up), vec!["backfill users.age"]);
        assert!(matches!(&p.down[0], Step::Change(Change::DropColumn { column, .. }) if column.name == "age"));
        // SQLite cannot add a NOT NULL column without a default: the rebuild fills it instead.
        let p = plan_with(&changes, &current, DbBackend::Sqlite, &options);
        match &p.up[..] {
            [Step::RebuildTable { fills, .. }] => assert_eq!(fills.get("age").map(String::as_str), Some("18")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sqlite_rebuilds_what_alter_table_cannot_do() {
        let current = schema(vec![table("orgs", &[]), table("users", &[])]);
        let mut users = table("users", &["orgs"]);
        users.columns.retain(|c| c.name != "orgs_id");
        users.columns.push(Column { nullable: true, ..column("orgs_id") });
        users.indexes.push(Index { name: "i".into(), ..Index::on_columns(&["id"], false) });
        let desired = schema(vec![table("orgs", &[]), users]);
        let changes = diff(&current, &desired);
        let p = plan(&changes, &current, DbBackend::Sqlite);
        assert_eq!(names(&p.up), vec!["rebuild users"]);
        match &p.up[0] {
            Step::RebuildTable { changes, .. } => assert_eq!(changes.len(), 3),
            other => panic!("{other:?}"),
        }
        // Elsewhere the same changes are plain ALTER steps.
        let p = plan(&changes, &current, DbBackend::Postgres);
        assert_eq!(p.up.len(), 3);
        assert_eq!(p.down.len(), 3);
    }

    #[test]
    fn views_go_before_the_views_they_read() {
        use crate::pipeline::schema::{Verbatim, View};
        let view = |name: &str, sql: &str| View { name: name.into(), definition: Verbatim::of(sql) };
        let mut current = Schema::default();
        current.views.insert("active_items".into(), view("active_items", "CREATE VIEW active_items AS SELECT * FROM items"));
        current.views.insert("zz_on_active".into(), view("zz_on_active", "CREATE VIEW zz_on_active AS SELECT id FROM active_items"));
        let manage = crate::pipeline::diff::DiffOptions {
            backend: DbBackend::MySql,
            manage: [crate::pipeline::diff::ObjectKind::Views].into_iter().collect(),
        };
        let changes = crate::pipeline::diff::diff(&current, &Schema::default(), &manage).changes;
        let p = plan(&changes, &current, DbBackend::MySql);
        let names = |steps: &[Step]| -> Vec<String> {
            steps.iter().map(|s| match s {
                Step::Change(Change::DropView(v)) => format!("-{}", v.name),
                Step::Change(Change::CreateView(v)) => format!("+{}", v.name),
                other => format!("{other:?}"),
            }).collect()
        };
        assert_eq!(names(&p.up), vec!["-zz_on_active", "-active_items"]);
        assert_eq!(names(&p.down), vec!["+active_items", "+zz_on_active"]);
    }
}
