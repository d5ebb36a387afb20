//! The review output: one summary line per change (`+ column users.created_at timestamptz null
//! default now()`), and the per-table diff that `check` prints for people.

use std::collections::BTreeMap;

use similar::TextDiff;

use super::{default_text, type_name};
use crate::pipeline::diff::Change;
use crate::pipeline::plan::Step;
use crate::pipeline::schema::{Column, ForeignKey, Index, IndexKey, Table};

/// Describes a column's definition on one line.
pub fn column_text(column: &Column) -> String {
    let mut text = format!("{} {}", column.name, type_name(&column.ty));
    text.push_str(if column.nullable { " null" } else { " not null" });
    if column.auto_increment {
        text.push_str(" auto_increment");
    }
    if let Some(default) = &column.default {
        text.push_str(&format!(" default {}", default_text(default)));
    }
    if let Some(generated) = &column.generated {
        let kind = if generated.stored { "stored" } else { "virtual" };
        text.push_str(&format!(" generated as ({}) {kind}", generated.expression.sql));
    }
    if let Some(comment) = &column.comment {
        text.push_str(&format!(" comment {comment:?}"));
    }
    text
}

/// An index on one line: `unique index (email)`, `index ix using gin (title gin_trgm_ops) where
/// (deleted_at is null)`.
pub fn index_text(index: &Index) -> String {
    let parts: Vec<String> = index
        .parts
        .iter()
        .map(|p| {
            let mut text = match &p.key {
                IndexKey::Column(name) => name.clone(),
                IndexKey::Expression(e) => format!("({})", e.sql),
            };
            if let Some(prefix) = p.prefix {
                text.push_str(&format!("({prefix})"));
            }
            if let Some(collation) = &p.collation {
                text.push_str(&format!(" collate {collation}"));
            }
            if let Some(opclass) = &p.opclass {
                text.push_str(&format!(" {opclass}"));
            }
            if p.descending {
                text.push_str(" desc");
            }
            match p.nulls_first {
                Some(true) => text.push_str(" nulls first"),
                Some(false) => text.push_str(" nulls last"),
                None => {}
            }
            text
        })
        .collect();
    let mut text = format!("{}index", if index.unique { "unique " } else { "" });
    if index.is_advanced() && !index.name.is_empty() {
        text.push_str(&format!(" {}", index.name));
    }
    if let Some(method) = index.method.as_deref().filter(|m| *m != "btree") {
        text.push_str(&format!(" using {method}"));
    }
    text.push_str(&format!(" ({})", parts.join(", ")));
    if !index.include.is_empty() {
        text.push_str(&format!(" include ({})", index.include.join(", ")));
    }
    if index.nulls_not_distinct {
        text.push_str(" nulls not distinct");
    }
    if let Some(predicate) = &index.predicate {
        text.push_str(&format!(" where ({})", predicate.sql));
    }
    text
}

fn fk_text(fk: &ForeignKey) -> String {
    format!(
        "foreign key ({}) -> {}({}) on delete {:?} on update {:?}",
        fk.columns.join(", "),
        fk.ref_table,
        fk.ref_columns.join(", "),
        fk.on_delete,
        fk.on_update
    )
}

/// The one-line summary of a change, starting with `+`, `-` or `~`.
pub fn summary(change: &Change) -> String {
    match change {
        Change::CreateEnum { name, values } => format!("+ enum {name} ({})", values.join(", ")),
        Change::DropEnum { name, .. } => format!("- enum {name}"),
        Change::AlterEnum { name, current, desired } => {
            let added: Vec<&str> = desired.iter().filter(|v| !current.contains(v)).map(String::as_str).collect();
            let removed: Vec<&str> = current.iter().filter(|v| !desired.contains(v)).map(String::as_str).collect();
            match (added.is_empty(), removed.is_empty()) {
                (false, true) => format!("+ enum value {name}.{}", added.join(", ")),
                (true, false) => format!("- enum value {name}.{}", removed.join(", ")),
                _ => format!("~ enum {name} ({}) -> ({})", current.join(", "), desired.join(", ")),
            }
        }
        Change::AddTable(table) => format!("+ table {} ({} columns)", table.name, table.columns.len()),
        Change::DropTable(table) => format!("- table {}", table.name),
        Change::AddColumn { table, column } => format!("+ column {table}.{}", column_text(column)),
        Change::DropColumn { table, column } => format!("- column {table}.{}", column.name),
        Change::RenameColumn { table, current, desired } => {
            format!("~ column {table}.{current} renamed to {desired}")
        }
        Change::AlterColumn { table, current, desired } => {
            let mut parts = Vec::new();
            if current.ty != desired.ty {
                parts.push(format!("type {} -> {}", type_name(&current.ty), type_name(&desired.ty)));
            }
            if current.nullable != desired.nullable {
                parts.push(if desired.nullable { "null".into() } else { "not null".to_owned() });
            }
            if current.default != desired.default {
                let show = |d: &Option<crate::pipeline::schema::Default>| d.as_ref().map(default_text).unwrap_or_else(|| "none".into());
                parts.push(format!("default {} -> {}", show(&current.default), show(&desired.default)));
            }
            if current.auto_increment != desired.auto_increment {
                parts.push(format!("auto_increment {}", desired.auto_increment));
            }
            if current.comment != desired.comment {
                parts.push("comment".into());
            }
            format!("~ column {table}.{}: {}", desired.name, parts.join(", "))
        }
        Change::AddIndex { table, index } => format!("+ {} on {table}", index_text(index)),
        Change::DropIndex { table, index } => format!("- {} on {table}", index_text(index)),
        Change::AddForeignKey { table, foreign_key } => format!("+ {} on {table}", fk_text(foreign_key)),
        Change::DropForeignKey { table, foreign_key } => format!("- {} on {table}", fk_text(foreign_key)),
        Change::SetPrimaryKey { table, current, desired } => {
            format!("~ primary key {table} ({}) -> ({})", current.join(", "), desired.join(", "))
        }
        Change::SetTableComment { table, desired, .. } => match desired {
            Some(text) => format!("~ comment on {table}: {text:?}"),
            None => format!("~ comment on {table} removed"),
        },
        Change::AddCheck { table, check } => format!("+ check {} on {table}: {}", check.name, check.expression.sql),
        Change::DropCheck { table, check } => format!("- check {} on {table}: {}", check.name, check.expression.sql),
        Change::CreateTrigger { table, trigger } => format!("+ trigger {} on {table}", trigger.name),
        Change::DropTrigger { table, trigger } => format!("- trigger {} on {table}", trigger.name),
        Change::CreateView(view) => format!("+ view {}", view.name),
        Change::DropView(view) => format!("- view {}", view.name),
    }
}

/// The one-line summary of a plan step: its change, or what a rebuild or backfill does.
pub fn step_summary(step: &Step) -> String {
    match step {
        Step::Change(change) => summary(change),
        Step::RebuildTable { desired, changes, .. } => {
            let what: Vec<String> = changes.iter().map(summary).collect();
            format!("~ rebuild table {} (SQLite): {}", desired.name, what.join("; "))
        }
        Step::Backfill { table, column, expr } => {
            format!("+ column {table}.{}, existing rows filled with {expr}", column_text(column))
        }
    }
}

/// The summary line of a change followed by its safety codes (`- column t.c  [DS102]`).
pub fn summary_with_codes(change: &Change) -> String {
    let codes: Vec<&str> = crate::pipeline::safety::classify(change).iter().map(|f| f.code).collect();
    let line = summary(change);
    if codes.is_empty() { line } else { format!("{line}  [{}]", codes.join(", ")) }
}

/// A table's full definition, one line per part, for a textual diff of a changed table.
pub fn table_lines(table: &Table) -> Vec<String> {
    let mut lines: Vec<String> = table.columns.iter().map(|c| format!("column {}", column_text(c))).collect();
    if !table.primary_key.is_empty() {
        lines.push(format!("primary key ({})", table.primary_key.join(", ")));
    }
    lines.extend(table.indexes.iter().map(index_text));
    lines.extend(table.foreign_keys.iter().map(fk_text));
    lines.extend(table.checks.iter().map(|c| format!("check {} ({})", c.name, c.expression.sql)));
    if let Some(comment) = &table.comment {
        lines.push(format!("comment {comment:?}"));
    }
    lines
}

/// The review diff: changes grouped under their table, each a `+`/`-`/`~` line; a changed column
/// also shows its old and new definition as a line diff.
pub fn review(changes: &[Change]) -> String {
    let mut groups: BTreeMap<String, Vec<&Change>> = BTreeMap::new();
    for change in changes {
        let key = match change.table() {
            Some(table) => format!("table {table}"),
            None if matches!(change, Change::CreateView(_) | Change::DropView(_)) => "views".to_owned(),
            None => "enum types".to_owned(),
        };
        groups.entry(key).or_default().push(change);
    }
    let mut out = String::new();
    for (group, changes) in groups {
        out.push_str(&group);
        out.push('\n');
        for change in changes {
            out.push_str("  ");
            out.push_str(&summary_with_codes(change));
            out.push('\n');
            if let Change::AlterColumn { current, desired, .. } = change {
                let old = column_text(current) + "\n";
                let new = column_text(desired) + "\n";
                for line in TextDiff::from_lines(&old, &new).iter_all_changes() {
                    let sign = match line.tag() {
                        similar::ChangeTag::Delete => "-",
                        similar::ChangeTag::Insert => "+",
                        similar::ChangeTag::Equal => " ",
                    };
                    out.push_str(&format!("      {sign} {}", line.value()));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::schema::{ColumnType, Default};

    fn created_at() -> Column {
        Column { nullable: true, default: Some(Default::CurrentTimestamp), ..Column::new("created_at", ColumnType::TimestampTz) }
    }

    #[test]
    fn summary_lines_read_like_the_change() {
        let add = Change::AddColumn { table: "users".into(), column: created_at() };
        assert_eq!(summary(&add), "+ column users.created_at timestamptz null default now()");
        let alter = Change::AlterColumn {
            table: "users".into(),
            current: Column { ty: ColumnType::Varchar(Some(50)), ..created_at() },
            desired: Column { ty: ColumnType::Varchar(Some(100)), nullable: false, ..created_at() },
        };
        assert_eq!(summary(&alter), "~ column users.created_at: type varchar(50) -> varchar(100), not null");
    }

    #[test]
    fn review_groups_by_table_and_diffs_changed_columns() {
        let alter = Change::AlterColumn {
            table: "users".into(),
            current: Column { ty: ColumnType::Varchar(Some(50)), ..created_at() },
            desired: Column { ty: ColumnType::Varchar(Some(100)), ..created_at() },
        };
        let text = review(&[
            alter,
            Change::AlterEnum { name: "role".into(), current: vec!["a".into()], desired: vec!["a".into(), "guest".into()] },
        ]);
        assert_eq!(
            text,
            "enum types\n  + enum value role.guest\ntable users\n  ~ column users.created_at: type varchar(50) -> varchar(100)\n      - created_at varchar(50) null default now()\n      + created_at varchar(100) null default now()\n"
        );
    }
}
