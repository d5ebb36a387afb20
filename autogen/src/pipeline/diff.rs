//! Diff: compares the current schema (inspected) with the desired one (from entities) and lists
//! the changes that turn the first into the second. Pure: no database, no I/O.
//!
//! Constraints and indexes are matched by structure (columns, uniqueness, referenced table), never
//! by name, because the names a database generates differ from the ones SeaORM picks.

use std::collections::{BTreeMap, BTreeSet};

use crate::pipeline::schema::{Column, ColumnType, ForeignKey, Index, Schema, Table};

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
    /// Replaces the primary key.
    SetPrimaryKey { table: String, current: Vec<String>, desired: Vec<String> },
    /// Sets or removes a table comment.
    SetTableComment { table: String, current: Option<String>, desired: Option<String> },
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
        }
    }

    /// The table the change belongs to, if any.
    pub fn table(&self) -> Option<&str> {
        match self {
            Change::CreateEnum { .. }
            | Change::DropEnum { .. }
            | Change::AlterEnum { .. } => None,
            Change::AddTable(t) | Change::DropTable(t) => Some(&t.name),
            Change::AddColumn { table, .. }
            | Change::DropColumn { table, .. }
            | Change::RenameColumn { table, .. }
            | Change::AlterColumn { table, .. }
            | Change::AddIndex { table, .. }
            | Change::DropIndex { table, .. }
            | Change::AddForeignKey { table, .. }
            | Change::DropForeignKey { table, .. }
            | Change::SetPrimaryKey { table, .. }
            | Change::SetTableComment { table, .. } => Some(table),
        }
    }
}

/// Lists the changes that turn `current` into `desired`, grouped by table in name order.
pub fn diff(current: &Schema, desired: &Schema) -> Vec<Change> {
    let mut changes = Vec::new();
    diff_enums(current, desired, &mut changes);
    let names: BTreeSet<&String> = current.tables.keys().chain(desired.tables.keys()).collect();
    for name in names {
        match (current.tables.get(name), desired.tables.get(name)) {
            (None, Some(desired)) => changes.push(Change::AddTable(desired.clone())),
            (Some(current), None) => changes.push(Change::DropTable(current.clone())),
            (Some(current), Some(desired)) => diff_table(current, desired, &mut changes),
            (None, None) => unreachable!("name comes from one of the maps"),
        }
    }
    changes
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

fn diff_table(current: &Table, desired: &Table, changes: &mut Vec<Change>) {
    let table = &desired.name;
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
        .map(|i| Index { columns: i.columns.iter().map(rename).collect(), ..i.clone() })
        .collect();
    let (index_drops, index_adds) = match_by(&current_indexes, &desired.indexes, |a, b| {
        a.columns == b.columns && a.unique == b.unique
    });
    for foreign_key in fk_drops {
        changes.push(Change::DropForeignKey { table: table.clone(), foreign_key });
    }
    for index in index_drops {
        changes.push(Change::DropIndex { table: table.clone(), index });
    }

    for column in &current.columns {
        let name = rename(&column.name);
        if desired.column(&name).is_none() {
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
            Some(existing) => {
                let existing = Column { name: column.name.clone(), ..existing.clone() };
                if !same_column(&existing, column) {
                    changes.push(Change::AlterColumn {
                        table: table.clone(),
                        current: Column { renamed_from: None, ..existing },
                        desired: Column { renamed_from: None, ..column.clone() },
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

/// Whether two columns of the same name agree on everything the database keeps.
fn same_column(current: &Column, desired: &Column) -> bool {
    same_type(&current.ty, &desired.ty)
        && current.nullable == desired.nullable
        && current.default == desired.default
        && current.auto_increment == desired.auto_increment
        && current.comment == desired.comment
}

/// Whether two types are the same. An enum is compared on what both sides know: MySQL keeps no
/// enum name, PostgreSQL keeps the values in the type (compared as `Schema::enums`), SQLite keeps
/// neither.
fn same_type(current: &ColumnType, desired: &ColumnType) -> bool {
    match (current, desired) {
        (
            ColumnType::Enum { name: a, values: x },
            ColumnType::Enum { name: b, values: y },
        ) => (a.is_empty() || b.is_empty() || a == b) && (x.is_empty() || y.is_empty() || x == y),
        _ => current == desired,
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
        Column {
            name: name.into(),
            ty,
            nullable: false,
            default: None,
            auto_increment: false,
            comment: None,
            renamed_from: None,
        }
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
                columns: vec!["email".into()],
                unique: true,
                constraint: true,
            }],
            foreign_keys: vec![ForeignKey {
                name: "users_org_id_fkey".into(),
                columns: vec!["org_id".into()],
                ref_table: "orgs".into(),
                ref_columns: vec!["id".into()],
                on_delete: Action::Cascade,
                on_update: Action::NoAction,
            }],
            comment: None,
        }
    }

    fn schema(tables: Vec<Table>) -> Schema {
        Schema { tables: tables.into_iter().map(|t| (t.name.clone(), t)).collect(), enums: BTreeMap::new() }
    }

    fn changes(current: Table, desired: Table) -> Vec<Change> {
        diff(&schema(vec![current]), &schema(vec![desired]))
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
    fn tables_added_and_dropped() {
        let orgs = Table { name: "orgs".into(), ..Table::default() };
        let got = diff(&schema(vec![users()]), &schema(vec![orgs.clone()]));
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
        desired.indexes[0].columns = vec!["email_address".into()];
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
        desired.indexes.push(Index {
            name: String::new(),
            columns: vec!["email".into(), "org_id".into()],
            unique: true,
            constraint: false,
        });
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
            diff(&current, &desired),
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
        for stored in [&mysql, &postgres, &sqlite] {
            assert!(same_type(stored, &full));
        }
        let changed = ColumnType::Enum { name: "role".into(), values: vec!["a".into()] };
        assert!(!same_type(&mysql, &changed));
        assert!(!same_type(&postgres, &ColumnType::Enum { name: "other".into(), values: vec![] }));
        assert!(!same_type(&sqlite, &ColumnType::Text));
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
}
