//! Diff: compares the current schema (inspected) with the desired one (from entities) and lists
//! the changes that turn the first into the second, and the objects it leaves alone. Pure: no
//! database, no I/O.
//!
//! Constraints and indexes are matched by structure (columns, uniqueness, referenced table,
//! expression), never by name, because the names a database generates differ from the ones
//! SeaORM picks.
//!
//! **Never destroy what the entities cannot declare.** An index with an expression, a predicate,
//! a method other than b-tree (or another advanced property), a CHECK constraint, a generated
//! column, a trigger or a view that the entities do not have is not dropped: it is listed as
//! [`Unmanaged`] and left alone, unless the project manages that kind of object
//! ([`DiffOptions::manage`]); then it is a drop like any other.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::DbBackend;

use crate::pipeline::schema::{Check, Column, ColumnType, ForeignKey, Index, Schema, Table, Trigger, View};

/// One change to the schema. Every change knows its reverse.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// Creates a PostgreSQL enum type.
    CreateEnum { name: String, values: Vec<String> },
    /// Drops a PostgreSQL enum type.
    DropEnum { name: String, values: Vec<String> },
    /// Changes the values of a PostgreSQL enum type: added values are added in place, anything
    /// else (a removed or reordered value) rebuilds the type.
    AlterEnum { name: String, current: Vec<String>, desired: Vec<String> },
    /// Creates a table with its columns, keys, indexes and foreign keys.
    AddTable(Table),
    /// Drops a table.
    DropTable(Table),
    /// Adds a column to an existing table.
    AddColumn { table: String, column: Column },
    /// Drops a column.
    DropColumn { table: String, column: Column },
    /// Renames a column, keeping its data.
    RenameColumn { table: String, current: String, desired: String },
    /// Changes a column's type, nullability, default, auto-increment or comment.
    AlterColumn { table: String, current: Column, desired: Column },
    /// Adds an index or unique constraint.
    AddIndex { table: String, index: Index },
    /// Drops an index or unique constraint.
    DropIndex { table: String, index: Index },
    /// Adds a foreign key.
    AddForeignKey { table: String, foreign_key: ForeignKey },
    /// Drops a foreign key.
    DropForeignKey { table: String, foreign_key: ForeignKey },
    /// Adds a CHECK constraint.
    AddCheck { table: String, check: Check },
    /// Drops a CHECK constraint.
    DropCheck { table: String, check: Check },
    /// Replaces the primary key.
    SetPrimaryKey { table: String, current: Vec<String>, desired: Vec<String> },
    /// Sets or removes a table comment.
    SetTableComment { table: String, current: Option<String>, desired: Option<String> },
    /// Creates a trigger from its definition (only ever the reverse of a drop).
    CreateTrigger { table: String, trigger: Trigger },
    /// Drops a trigger (when the project manages triggers).
    DropTrigger { table: String, trigger: Trigger },
    /// Creates a view from its definition (only ever the reverse of a drop).
    CreateView(View),
    /// Drops a view (when the project manages views).
    DropView(View),
}

impl Change {
    /// The change that undoes this one.
    pub fn reverse(&self) -> Change {
        match self.clone() {
            Change::CreateEnum { name, values } => Change::DropEnum { name, values },
            Change::DropEnum { name, values } => Change::CreateEnum { name, values },
            Change::AlterEnum { name, current, desired } => Change::AlterEnum {
                name,
                current: desired,
                desired: current,
            },
            Change::AddTable(table) => Change::DropTable(table),
            Change::DropTable(table) => Change::AddTable(table),
            Change::AddColumn { table, column } => Change::DropColumn { table, column },
            Change::DropColumn { table, column } => Change::AddColumn { table, column },
            Change::RenameColumn { table, current, desired } => Change::RenameColumn {
                table,
                current: desired,
                desired: current,
            },
            Change::AlterColumn { table, current, desired } => Change::AlterColumn {
                table,
                current: desired,
                desired: current,
            },
            Change::AddIndex { table, index } => Change::DropIndex { table, index },
            Change::DropIndex { table, index } => Change::AddIndex { table, index },
            Change::AddForeignKey { table, foreign_key } => {
                Change::DropForeignKey { table, foreign_key }
            }
            Change::DropForeignKey { table, foreign_key } => {
                Change::AddForeignKey { table, foreign_key }
            }
            Change::AddCheck { table, check } => Change::DropCheck { table, check },
            Change::DropCheck { table, check } => Change::AddCheck { table, check },
            Change::SetPrimaryKey { table, current, desired } => Change::SetPrimaryKey {
                table,
                current: desired,
                desired: current,
            },
            Change::SetTableComment { table, current, desired } => Change::SetTableComment {
                table,
                current: desired,
                desired: current,
            },
            Change::CreateTrigger { table, trigger } => Change::DropTrigger { table, trigger },
            Change::DropTrigger { table, trigger } => Change::CreateTrigger { table, trigger },
            Change::CreateView(view) => Change::DropView(view),
            Change::DropView(view) => Change::CreateView(view),
        }
    }

    /// The table the change belongs to, if any.
    pub fn table(&self) -> Option<&str> {
        match self {
            Change::CreateEnum { .. }
            | Change::DropEnum { .. }
            | Change::AlterEnum { .. }
            | Change::CreateView(_)
            | Change::DropView(_) => None,
            Change::AddTable(t) | Change::DropTable(t) => Some(&t.name),
            Change::AddColumn { table, .. }
            | Change::DropColumn { table, .. }
            | Change::RenameColumn { table, .. }
            | Change::AlterColumn { table, .. }
            | Change::AddIndex { table, .. }
            | Change::DropIndex { table, .. }
            | Change::AddForeignKey { table, .. }
            | Change::DropForeignKey { table, .. }
            | Change::AddCheck { table, .. }
            | Change::DropCheck { table, .. }
            | Change::SetPrimaryKey { table, .. }
            | Change::SetTableComment { table, .. }
            | Change::CreateTrigger { table, .. }
            | Change::DropTrigger { table, .. } => Some(table),
        }
    }
}

/// A kind of object that entities cannot declare, or that a project may leave alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    /// An index with an expression, a predicate, a method other than b-tree, an operator class,
    /// a prefix length, a collation, INCLUDE columns or NULLS NOT DISTINCT.
    AdvancedIndexes,
    /// CHECK constraints.
    Checks,
    /// Generated columns.
    GeneratedColumns,
    /// Triggers.
    Triggers,
    /// Views.
    Views,
}

impl ObjectKind {
    /// Every kind, in the order they are reported.
    pub const ALL: [ObjectKind; 5] = [
        ObjectKind::AdvancedIndexes,
        ObjectKind::Checks,
        ObjectKind::GeneratedColumns,
        ObjectKind::Triggers,
        ObjectKind::Views,
    ];

    /// The name used in the configuration file and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            ObjectKind::AdvancedIndexes => "advanced_indexes",
            ObjectKind::Checks => "checks",
            ObjectKind::GeneratedColumns => "generated_columns",
            ObjectKind::Triggers => "triggers",
            ObjectKind::Views => "views",
        }
    }

    /// The kind named `key`.
    pub fn from_key(key: &str) -> Option<ObjectKind> {
        ObjectKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// An object the diff leaves alone: the entities do not declare it and the project does not
/// manage its kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Unmanaged {
    /// What kind of object.
    pub kind: ObjectKind,
    /// The table it belongs to, if any.
    pub table: Option<String>,
    /// Its name.
    pub name: String,
    /// What it is, for people (`index ix_users_lower_email on (lower(email))`).
    pub description: String,
}

/// How to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffOptions {
    /// The backend both schemas are for; SQLite compares types by how values are stored.
    pub backend: DbBackend,
    /// The kinds of object the project manages: an undeclared one of these is dropped.
    pub manage: BTreeSet<ObjectKind>,
}

impl DiffOptions {
    /// Options for `backend` that manage none of the optional kinds.
    pub fn new(backend: DbBackend) -> Self {
        DiffOptions { backend, manage: BTreeSet::new() }
    }

    fn manages(&self, kind: ObjectKind) -> bool {
        self.manage.contains(&kind)
    }
}

/// What differs between two schemas.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Diff {
    /// The changes that turn the current schema into the desired one.
    pub changes: Vec<Change>,
    /// What the changes leave alone.
    pub unmanaged: Vec<Unmanaged>,
}

/// Lists the changes that turn `current` into `desired`, grouped by table in name order, and the
/// objects left alone.
pub fn diff(current: &Schema, desired: &Schema, options: &DiffOptions) -> Diff {
    let mut out = Diff::default();
    diff_enums(current, desired, &mut out.changes);
    let names: BTreeSet<&String> = current.tables.keys().chain(desired.tables.keys()).collect();
    for name in names {
        match (current.tables.get(name), desired.tables.get(name)) {
            // An entity mapped to a view: the view is what it reads; nothing to create.
            (None, Some(_)) if current.views.contains_key(name) => out.unmanaged.push(Unmanaged {
                kind: ObjectKind::Views,
                table: None,
                name: name.clone(),
                description: format!("view {name} (an entity maps to it)"),
            }),
            (None, Some(desired)) => out.changes.push(Change::AddTable(desired.clone())),
            (Some(current), None) => out.changes.push(Change::DropTable(current.clone())),
            (Some(current), Some(desired)) => diff_table(current, desired, options, &mut out),
            (None, None) => unreachable!("name comes from one of the maps"),
        }
    }
    for (name, view) in &current.views {
        if desired.tables.contains_key(name) || desired.views.contains_key(name) {
            continue;
        }
        if options.manages(ObjectKind::Views) {
            out.changes.push(Change::DropView(view.clone()));
        } else {
            out.unmanaged.push(Unmanaged {
                kind: ObjectKind::Views,
                table: None,
                name: name.clone(),
                description: format!("view {name}"),
            });
        }
    }
    out.unmanaged.sort();
    out
}

fn diff_enums(current: &Schema, desired: &Schema, changes: &mut Vec<Change>) {
    for (name, values) in &desired.enums {
        match current.enums.get(name) {
            None => changes.push(Change::CreateEnum { name: name.clone(), values: values.clone() }),
            Some(existing) if existing != values => changes.push(Change::AlterEnum {
                name: name.clone(),
                current: existing.clone(),
                desired: values.clone(),
            }),
            Some(_) => {}
        }
    }
    for (name, values) in &current.enums {
        if !desired.enums.contains_key(name) {
            changes.push(Change::DropEnum { name: name.clone(), values: values.clone() });
        }
    }
}

fn diff_table(current: &Table, desired: &Table, options: &DiffOptions, out: &mut Diff) {
    let table = &desired.name;
    let changes = &mut out.changes;
    // Renames first: a desired column that names its old self, where only the old one exists.
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    for column in &desired.columns {
        if let Some(old) = &column.renamed_from
            && current.column(&column.name).is_none()
            && current.column(old).is_some()
        {
            renamed.insert(old.clone(), column.name.clone());
            changes.push(Change::RenameColumn {
                table: table.clone(),
                current: old.clone(),
                desired: column.name.clone(),
            });
        }
    }
    let rename = |name: &String| renamed.get(name).cloned().unwrap_or_else(|| name.clone());

    // Foreign keys are dropped before the columns they use and added after.
    let current_fks: Vec<ForeignKey> = current
        .foreign_keys
        .iter()
        .map(|fk| ForeignKey { columns: fk.columns.iter().map(rename).collect(), ..fk.clone() })
        .collect();
    let (fk_drops, fk_adds) = match_by(&current_fks, &desired.foreign_keys, |a, b| {
        a.columns == b.columns
            && a.ref_table == b.ref_table
            && a.ref_columns == b.ref_columns
            && a.on_delete == b.on_delete
            && a.on_update == b.on_update
    });

    let current_indexes: Vec<Index> = current
        .indexes
        .iter()
        .filter(|i| !redundant_with_key(i, &current.primary_key))
        .filter(|i| !(options.backend == DbBackend::MySql && supports_kept_foreign_key(i, desired)))
        .map(|i| {
            let mut index = i.clone();
            for part in &mut index.parts {
                if let crate::pipeline::schema::IndexKey::Column(name) = &mut part.key {
                    *name = rename(name);
                }
            }
            index
        })
        .collect();
    let desired_indexes: Vec<Index> =
        desired.indexes.iter().filter(|i| !redundant_with_key(i, &desired.primary_key)).cloned().collect();
    let (index_drops, index_adds) = match_by(&current_indexes, &desired_indexes, same_index);
    let claimed = |name: &str| !name.is_empty() && index_adds.iter().any(|i| i.name == name);
    for foreign_key in fk_drops {
        changes.push(Change::DropForeignKey { table: table.clone(), foreign_key });
    }
    for index in index_drops {
        // An index the entities cannot see is theirs to drop only when they name it.
        if index.is_advanced() && !options.manages(ObjectKind::AdvancedIndexes) && !claimed(&index.name) {
            out.unmanaged.push(Unmanaged {
                kind: ObjectKind::AdvancedIndexes,
                table: Some(table.clone()),
                name: index.name.clone(),
                description: format!("index {} on {table}", index.name),
            });
        } else {
            changes.push(Change::DropIndex { table: table.clone(), index });
        }
    }

    let (check_drops, check_adds) = match_by(&current.checks, &desired.checks, |a, b| {
        a.expression == b.expression && (a.name.is_empty() || b.name.is_empty() || a.name == b.name)
    });
    for check in check_drops {
        let claimed = !check.name.is_empty() && check_adds.iter().any(|c| c.name == check.name);
        if options.manages(ObjectKind::Checks) || claimed {
            changes.push(Change::DropCheck { table: table.clone(), check });
        } else {
            out.unmanaged.push(Unmanaged {
                kind: ObjectKind::Checks,
                table: Some(table.clone()),
                name: check.name.clone(),
                description: format!("check {} on {table}: {}", check.name, check.expression.sql),
            });
        }
    }
    // A trigger the desired side also has (by name) stays; entities never declare one, but a
    // schema compared with itself must find nothing.
    for trigger in current.triggers.iter().filter(|t| !desired.triggers.iter().any(|d| d.name == t.name)) {
        if options.manages(ObjectKind::Triggers) {
            changes.push(Change::DropTrigger { table: table.clone(), trigger: trigger.clone() });
        } else {
            out.unmanaged.push(Unmanaged {
                kind: ObjectKind::Triggers,
                table: Some(table.clone()),
                name: trigger.name.clone(),
                description: format!("trigger {} on {table}", trigger.name),
            });
        }
    }

    for column in &current.columns {
        let name = rename(&column.name);
        if desired.column(&name).is_some() {
            continue;
        }
        if column.generated.is_some() && !options.manages(ObjectKind::GeneratedColumns) {
            out.unmanaged.push(Unmanaged {
                kind: ObjectKind::GeneratedColumns,
                table: Some(table.clone()),
                name: column.name.clone(),
                description: format!("generated column {table}.{}", column.name),
            });
        } else {
            changes.push(Change::DropColumn { table: table.clone(), column: column.clone() });
        }
    }
    for column in &desired.columns {
        let old_name = renamed
            .iter()
            .find(|(_, new)| *new == &column.name)
            .map(|(old, _)| old.as_str())
            .unwrap_or(&column.name);
        match current.column(old_name) {
            None => changes.push(Change::AddColumn { table: table.clone(), column: column.clone() }),
            // The database computes it; the entity only reads it.
            Some(existing) if existing.generated.is_some() => {}
            Some(existing) => {
                let existing = Column { name: column.name.clone(), ..existing.clone() };
                if !same_column(&existing, column, options.backend) {
                    // A type that compares the same (an enum one side names and the other does
                    // not, a SQLite spelling of the same affinity) stays as the database has it:
                    // the change is about something else, and must neither show nor make a
                    // type change.
                    let ty = if same_type(&existing.ty, &column.ty, options.backend) {
                        existing.ty.clone()
                    } else {
                        column.ty.clone()
                    };
                    changes.push(Change::AlterColumn {
                        table: table.clone(),
                        current: Column { renamed_from: None, ..existing },
                        desired: Column { renamed_from: None, ty, ..column.clone() },
                    });
                }
            }
        }
    }

    let current_pk: Vec<String> = current.primary_key.iter().map(rename).collect();
    if current_pk != desired.primary_key {
        changes.push(Change::SetPrimaryKey {
            table: table.clone(),
            current: current_pk,
            desired: desired.primary_key.clone(),
        });
    }
    for index in index_adds {
        changes.push(Change::AddIndex { table: table.clone(), index });
    }
    for check in check_adds {
        changes.push(Change::AddCheck { table: table.clone(), check });
    }
    for foreign_key in fk_adds {
        changes.push(Change::AddForeignKey { table: table.clone(), foreign_key });
    }
    if current.comment != desired.comment {
        changes.push(Change::SetTableComment {
            table: table.clone(),
            current: current.comment.clone(),
            desired: desired.comment.clone(),
        });
    }
}

/// Whether two indexes are the same index, whatever their names.
pub fn same_index(a: &Index, b: &Index) -> bool {
    let method = |i: &Index| i.method.clone().filter(|m| m != "btree");
    let include = |i: &Index| i.include.iter().cloned().collect::<BTreeSet<_>>();
    a.parts == b.parts
        && a.unique == b.unique
        && method(a) == method(b)
        && include(a) == include(b)
        && a.predicate == b.predicate
        && a.nulls_not_distinct == b.nulls_not_distinct
}

/// A plain unique index on exactly the primary key's columns says nothing the key does not
/// (SeaORM writes one for `#[sea_orm(primary_key, unique)]`), so neither side counts it.
fn redundant_with_key(index: &Index, primary_key: &[String]) -> bool {
    index.unique && !index.is_advanced() && !primary_key.is_empty() && index.columns() == primary_key
}

/// MySQL: InnoDB keeps an index on a foreign key's columns, and makes one itself when there is
/// none (named after the column, for a foreign key declared without a name). An undeclared
/// plain index that leads with the columns of a foreign key the entities keep serves that key:
/// it cannot be dropped while the key exists, so it is not a difference.
fn supports_kept_foreign_key(index: &Index, desired: &Table) -> bool {
    if index.unique || index.is_advanced() {
        return false;
    }
    let columns = index.columns();
    let declared = desired.indexes.iter().any(|i| i.columns() == columns);
    !declared
        && desired
            .foreign_keys
            .iter()
            .any(|fk| columns.len() >= fk.columns.len() && columns.iter().zip(&fk.columns).all(|(a, b)| a == b))
}

/// Whether two columns of the same name agree on everything the database keeps.
fn same_column(current: &Column, desired: &Column, backend: DbBackend) -> bool {
    same_type(&current.ty, &desired.ty, backend)
        && current.nullable == desired.nullable
        && current.default == desired.default
        && current.auto_increment == desired.auto_increment
        && current.comment == desired.comment
}

/// Whether two types are the same. An enum is compared on what both sides know: MySQL keeps no
/// enum name, PostgreSQL keeps the values in the type (compared as `Schema::enums`), SQLite keeps
/// neither. SQLite stores a value by its column's affinity whatever the declared type's spelling,
/// so there types are compared by the kind of value they hold.
pub fn same_type(current: &ColumnType, desired: &ColumnType, backend: DbBackend) -> bool {
    if backend == DbBackend::Sqlite {
        return sqlite_storage(current) == sqlite_storage(desired);
    }
    match (current, desired) {
        (
            ColumnType::Enum { name: a, values: x },
            ColumnType::Enum { name: b, values: y },
        ) => (a.is_empty() || b.is_empty() || a == b) && (x.is_empty() || y.is_empty() || x == y),
        _ => current == desired,
    }
}

/// What SQLite stores for a column of this type, as far as it makes a difference to the values
/// read back: integers (booleans too), other numbers, text (dates, times, uuids, JSON and enums
/// are text to sea-orm on SQLite) or bytes.
fn sqlite_storage(ty: &ColumnType) -> &'static str {
    if ty.is_integer() {
        return "integer";
    }
    match ty {
        ColumnType::Float | ColumnType::Double | ColumnType::Decimal(_) => "number",
        ColumnType::Char(_)
        | ColumnType::Varchar(_)
        | ColumnType::Text
        | ColumnType::Date
        | ColumnType::Time
        | ColumnType::Timestamp
        | ColumnType::TimestampTz
        | ColumnType::Uuid
        | ColumnType::Json
        | ColumnType::Jsonb
        | ColumnType::Enum { .. }
        | ColumnType::Array(_) => "text",
        ColumnType::Binary(_) | ColumnType::VarBinary(_) | ColumnType::Blob => "blob",
        ColumnType::Other(name) => sqlite_affinity(name),
        // Integers returned above; booleans are stored as integers.
        _ => "integer",
    }
}

/// SQLite's rules for the affinity of a declared type name (section 3.1 of its type docs).
fn sqlite_affinity(name: &str) -> &'static str {
    let upper = name.to_ascii_uppercase();
    if upper.contains("INT") {
        "integer"
    } else if upper.contains("CHAR") || upper.contains("CLOB") || upper.contains("TEXT") {
        "text"
    } else if upper.contains("BLOB") || upper.is_empty() {
        "blob"
    } else {
        "number"
    }
}

/// Pairs equal items of two lists (as multisets); returns the unpaired of each side.
fn match_by<T: Clone>(current: &[T], desired: &[T], same: impl Fn(&T, &T) -> bool) -> (Vec<T>, Vec<T>) {
    let mut unmatched_desired: Vec<Option<&T>> = desired.iter().map(Some).collect();
    let mut drops = Vec::new();
    for item in current {
        match unmatched_desired.iter_mut().find(|d| d.is_some_and(|d| same(item, d))) {
            Some(slot) => *slot = None,
            None => drops.push(item.clone()),
        }
    }
    let adds = unmatched_desired.into_iter().flatten().cloned().collect();
    (drops, adds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::schema::{Action, Default};

    fn col(name: &str, ty: ColumnType) -> Column {
        Column::new(name, ty)
    }

    fn users() -> Table {
        Table {
            name: "users".into(),
            columns: vec![
                Column { auto_increment: true, ..col("id", ColumnType::BigInt) },
                col("email", ColumnType::Varchar(Some(255))),
                col("org_id", ColumnType::BigInt),
            ],
            primary_key: vec!["id".into()],
            indexes: vec![Index {
                name: "users_email_key".into(),
                constraint: true,
                ..Index::on_columns(&["email"], true)
            }],
            foreign_keys: vec![ForeignKey {
                name: "users_org_id_fkey".into(),
                columns: vec!["org_id".into()],
                ref_table: "orgs".into(),
                ref_columns: vec!["id".into()],
                on_delete: Action::Cascade,
                on_update: Action::NoAction,
            }],
            ..Table::default()
        }
    }

    fn schema(tables: Vec<Table>) -> Schema {
        Schema { tables: tables.into_iter().map(|t| (t.name.clone(), t)).collect(), ..Schema::default() }
    }

    fn pg() -> DiffOptions {
        DiffOptions::new(DbBackend::Postgres)
    }

    fn changes(current: Table, desired: Table) -> Vec<Change> {
        diff(&schema(vec![current]), &schema(vec![desired]), &pg()).changes
    }

    #[test]
    fn equal_schemas_have_no_changes() {
        assert!(changes(users(), users()).is_empty());
    }

    #[test]
    fn names_of_constraints_and_indexes_are_not_compared() {
        let mut desired = users();
        desired.indexes[0].name = "idx-users-email".into();
        desired.indexes[0].constraint = false;
        desired.foreign_keys[0].name = "fk-users-org_id".into();
        assert!(changes(users(), desired).is_empty());
    }

    #[test]
    fn a_default_change_on_an_enum_column_is_no_type_change() {
        // MySQL keeps no enum name, SQLite stores the enum as text: the types compare the same,
        // so the change carries the database's type on both sides.
        let named = ColumnType::Enum { name: "state".into(), values: vec!["open".into(), "closed".into()] };
        let unnamed = ColumnType::Enum { name: String::new(), values: vec!["open".into(), "closed".into()] };
        for (backend, current_ty) in [(DbBackend::MySql, unnamed), (DbBackend::Sqlite, ColumnType::Varchar(None))] {
            let table = |ty: ColumnType, default: &str| Table {
                name: "t".into(),
                columns: vec![Column { default: Some(Default::String(default.into())), ..col("state", ty) }],
                ..Table::default()
            };
            let got = diff(
                &schema(vec![table(current_ty.clone(), "closed")]),
                &schema(vec![table(named.clone(), "open")]),
                &DiffOptions::new(backend),
            )
            .changes;
            let [Change::AlterColumn { current, desired, .. }] = got.as_slice() else {
                panic!("{backend:?}: one column change expected, got {got:?}");
            };
            assert_eq!(desired.ty, current.ty, "{backend:?}");
            assert_eq!(desired.default, Some(Default::String("open".into())), "{backend:?}");
        }
    }

    #[test]
    fn tables_added_and_dropped() {
        let orgs = Table { name: "orgs".into(), ..Table::default() };
        let got = diff(&schema(vec![users()]), &schema(vec![orgs.clone()]), &pg()).changes;
        assert_eq!(got, vec![Change::AddTable(orgs), Change::DropTable(users())]);
    }

    #[test]
    fn columns_added_dropped_and_altered() {
        let mut desired = users();
        desired.columns.push(Column {
            nullable: true,
            default: Some(Default::CurrentTimestamp),
            ..col("created_at", ColumnType::TimestampTz)
        });
        desired.columns[1].ty = ColumnType::Varchar(Some(320));
        let got = changes(users(), desired.clone());
        assert_eq!(
            got,
            vec![
                Change::AlterColumn {
                    table: "users".into(),
                    current: users().columns[1].clone(),
                    desired: desired.columns[1].clone(),
                },
                Change::AddColumn { table: "users".into(), column: desired.columns[3].clone() },
            ]
        );
        let back = changes(desired, users());
        assert!(matches!(&back[0], Change::DropColumn { column, .. } if column.name == "created_at"));
        assert!(matches!(&back[1], Change::AlterColumn { .. }));
    }

    #[test]
    fn renamed_columns_are_renamed_not_dropped() {
        let mut desired = users();
        desired.columns[1].name = "email_address".into();
        desired.columns[1].renamed_from = Some("email".into());
        desired.indexes[0].parts = vec![crate::pipeline::schema::IndexPart::column("email_address")];
        let got = changes(users(), desired);
        assert_eq!(
            got,
            vec![Change::RenameColumn {
                table: "users".into(),
                current: "email".into(),
                desired: "email_address".into(),
            }]
        );
    }

    #[test]
    fn unique_and_foreign_key_changes() {
        let mut desired = users();
        desired.indexes.clear();
        desired.indexes.push(Index::on_columns(&["email", "org_id"], true));
        desired.foreign_keys[0].on_delete = Action::SetNull;
        let got = changes(users(), desired.clone());
        assert_eq!(
            got,
            vec![
                Change::DropForeignKey { table: "users".into(), foreign_key: users().foreign_keys[0].clone() },
                Change::DropIndex { table: "users".into(), index: users().indexes[0].clone() },
                Change::AddIndex { table: "users".into(), index: desired.indexes[0].clone() },
                Change::AddForeignKey { table: "users".into(), foreign_key: desired.foreign_keys[0].clone() },
            ]
        );
    }

    #[test]
    fn primary_key_and_comment_changes() {
        let mut desired = users();
        desired.primary_key = vec!["id".into(), "org_id".into()];
        desired.comment = Some("people".into());
        let got = changes(users(), desired);
        assert_eq!(
            got,
            vec![
                Change::SetPrimaryKey {
                    table: "users".into(),
                    current: vec!["id".into()],
                    desired: vec!["id".into(), "org_id".into()],
                },
                Change::SetTableComment { table: "users".into(), current: None, desired: Some("people".into()) },
            ]
        );
    }

    #[test]
    fn enums_created_extended_and_dropped() {
        let mut current = Schema::default();
        current.enums.insert("role".into(), vec!["owner".into(), "member".into()]);
        current.enums.insert("old".into(), vec!["x".into()]);
        let mut desired = Schema::default();
        desired.enums.insert("role".into(), vec!["owner".into(), "admin".into(), "member".into()]);
        desired.enums.insert("status".into(), vec!["on".into()]);
        assert_eq!(
            diff(&current, &desired, &pg()).changes,
            vec![
                Change::AlterEnum {
                    name: "role".into(),
                    current: vec!["owner".into(), "member".into()],
                    desired: vec!["owner".into(), "admin".into(), "member".into()],
                },
                Change::CreateEnum { name: "status".into(), values: vec!["on".into()] },
                Change::DropEnum { name: "old".into(), values: vec!["x".into()] },
            ]
        );
    }

    #[test]
    fn enums_compare_on_what_the_backend_keeps() {
        let full = ColumnType::Enum { name: "role".into(), values: vec!["a".into(), "b".into()] };
        let mysql = ColumnType::Enum { name: String::new(), values: vec!["a".into(), "b".into()] };
        let postgres = ColumnType::Enum { name: "role".into(), values: vec![] };
        let sqlite = ColumnType::Enum { name: String::new(), values: vec![] };
        let b = DbBackend::Postgres;
        for stored in [&mysql, &postgres, &sqlite] {
            assert!(same_type(stored, &full, b));
        }
        let changed = ColumnType::Enum { name: "role".into(), values: vec!["a".into()] };
        assert!(!same_type(&mysql, &changed, b));
        assert!(!same_type(&postgres, &ColumnType::Enum { name: "other".into(), values: vec![] }, b));
        assert!(!same_type(&sqlite, &ColumnType::Text, b));
    }

    #[test]
    fn every_change_reverses_to_itself() {
        let table = users();
        let samples = vec![
            Change::AddTable(table.clone()),
            Change::AddColumn { table: "users".into(), column: table.columns[1].clone() },
            Change::RenameColumn { table: "users".into(), current: "a".into(), desired: "b".into() },
            Change::AddIndex { table: "users".into(), index: table.indexes[0].clone() },
            Change::AddForeignKey { table: "users".into(), foreign_key: table.foreign_keys[0].clone() },
            Change::SetPrimaryKey { table: "users".into(), current: vec![], desired: vec!["id".into()] },
            Change::SetTableComment { table: "users".into(), current: None, desired: Some("x".into()) },
            Change::CreateEnum { name: "role".into(), values: vec!["a".into()] },
        ];
        for change in samples {
            assert_eq!(change.reverse().reverse(), change);
            assert_ne!(change.reverse(), change);
        }
    }

    fn advanced(name: &str) -> Index {
        let mut index = Index::on_columns(&["email"], false);
        index.name = name.into();
        index.predicate = Some(crate::pipeline::normalize::expression(DbBackend::Postgres, "deleted_at IS NULL"));
        index
    }

    #[test]
    fn what_the_entities_cannot_declare_is_left_alone_and_reported() {
        let mut current = users();
        current.indexes.push(advanced("ix_live_email"));
        current.checks.push(Check {
            name: "positive".into(),
            expression: crate::pipeline::normalize::expression(DbBackend::Postgres, "id > 0"),
        });
        current.columns.push(Column {
            generated: Some(crate::pipeline::schema::Generated {
                expression: crate::pipeline::normalize::expression(DbBackend::Postgres, "lower(email)"),
                stored: true,
            }),
            ..col("email_lower", ColumnType::Text)
        });
        current.triggers.push(Trigger { name: "touch".into(), definition: crate::pipeline::schema::Verbatim::default() });
        let mut current_schema = schema(vec![current]);
        current_schema.views.insert("v".into(), View { name: "v".into(), definition: crate::pipeline::schema::Verbatim::default() });
        let got = diff(&current_schema, &schema(vec![users()]), &pg());
        assert!(got.changes.is_empty(), "{:#?}", got.changes);
        let kinds: Vec<(ObjectKind, &str)> = got.unmanaged.iter().map(|u| (u.kind, u.name.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                (ObjectKind::AdvancedIndexes, "ix_live_email"),
                (ObjectKind::Checks, "positive"),
                (ObjectKind::GeneratedColumns, "email_lower"),
                (ObjectKind::Triggers, "touch"),
                (ObjectKind::Views, "v"),
            ]
        );
        // A project that manages them drops them.
        let manage = DiffOptions { backend: DbBackend::Postgres, manage: ObjectKind::ALL.into_iter().collect() };
        let got = diff(&current_schema, &schema(vec![users()]), &manage);
        assert!(got.unmanaged.is_empty());
        assert_eq!(got.changes.len(), 5, "{:#?}", got.changes);
    }

    #[test]
    fn an_advanced_index_the_entities_name_is_theirs() {
        let mut current = users();
        current.indexes.push(advanced("ix_live_email"));
        let mut desired = users();
        let mut declared = advanced("ix_live_email");
        declared.predicate = Some(crate::pipeline::normalize::expression(DbBackend::Postgres, "deleted_at IS NOT NULL"));
        desired.indexes.push(declared.clone());
        let got = changes(current.clone(), desired);
        assert_eq!(
            got,
            vec![
                Change::DropIndex { table: "users".into(), index: advanced("ix_live_email") },
                Change::AddIndex { table: "users".into(), index: declared },
            ]
        );
        // Declared alike, it matches whatever its spelling.
        let mut desired = users();
        let mut same = advanced("other_name");
        same.predicate = Some(crate::pipeline::normalize::expression(DbBackend::Postgres, "(deleted_at IS NULL)"));
        desired.indexes.push(same);
        assert!(changes(current, desired).is_empty());
    }

    #[test]
    fn index_order_is_a_difference() {
        let mut current = users();
        current.indexes.push(Index::on_columns(&["org_id"], false));
        let mut desired = users();
        let mut descending = Index::on_columns(&["org_id"], false);
        descending.parts[0].descending = true;
        desired.indexes.push(descending.clone());
        let got = changes(current, desired);
        assert_eq!(got.len(), 2, "{got:#?}");
        assert!(matches!(&got[1], Change::AddIndex { index, .. } if *index == descending));
    }

    #[test]
    fn an_entity_mapped_to_a_view_is_not_a_missing_table() {
        let mut current = Schema::default();
        current.views.insert("report".into(), View { name: "report".into(), definition: crate::pipeline::schema::Verbatim::default() });
        let desired = schema(vec![Table { name: "report".into(), ..Table::default() }]);
        let got = diff(&current, &desired, &pg());
        assert!(got.changes.is_empty());
        assert_eq!(got.unmanaged.len(), 1);
    }

    #[test]
    fn sqlite_compares_types_by_what_it_stores() {
        let lite = DbBackend::Sqlite;
        assert!(same_type(&ColumnType::BigInt, &ColumnType::Integer, lite));
        assert!(same_type(&ColumnType::Text, &ColumnType::Varchar(Some(20)), lite));
        assert!(same_type(&ColumnType::Other("datetime".into()), &ColumnType::Decimal(None), lite));
        assert!(same_type(&ColumnType::Timestamp, &ColumnType::TimestampTz, lite));
        assert!(same_type(&ColumnType::Decimal(Some((10, 2))), &ColumnType::Double, lite));
        assert!(!same_type(&ColumnType::Integer, &ColumnType::Text, lite));
        assert!(!same_type(&ColumnType::Blob, &ColumnType::Text, lite));
        assert!(!same_type(&ColumnType::BigInt, &ColumnType::Integer, DbBackend::Postgres));
    }

    #[test]
    fn a_unique_index_on_the_primary_key_is_the_key() {
        let mut desired = users();
        desired.indexes.push(Index { constraint: true, ..Index::on_columns(&["id"], true) });
        assert!(changes(users(), desired.clone()).is_empty());
        assert!(changes(desired, users()).is_empty());
    }

    #[test]
    fn mysql_keeps_the_index_a_foreign_key_needs() {
        let mut current = users();
        current.indexes.push(Index { name: "org_id".into(), ..Index::on_columns(&["org_id"], false) });
        let got = diff(&schema(vec![current.clone()]), &schema(vec![users()]), &DiffOptions::new(DbBackend::MySql));
        assert!(got.changes.is_empty(), "{:#?}", got.changes);
        // Elsewhere it is an index like any other.
        assert_eq!(changes(current, users()).len(), 1);
    }
}
