//! Safety: classifies every change as safe, data-losing, rule-dropping or
//! may-fail-on-existing-rows, with short stable codes that `create` and `check` print and
//! `--format json` carries. Pure.

use crate::pipeline::diff::Change;
use crate::pipeline::schema::ColumnType;

/// How a change can hurt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Running it destroys data.
    DataLoss,
    /// It drops a rule the database enforces for the application (a unique constraint, a
    /// default, a CHECK, a trigger): nothing is lost now, but the data may go wrong later.
    DropsRule,
    /// It may fail on a table that already has rows.
    MayFail,
    /// It holds a lock that blocks the application's reads or writes for longer than a moment
    /// (found by `lint` in the SQL a migration runs).
    Blocks,
}

/// One thing a reviewer must know about a change.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// The stable code, such as `DS102`.
    pub code: &'static str,
    /// Data loss or may fail.
    pub class: Class,
    /// What happens, in a few words.
    pub message: String,
}

/// The codes, for the README and `--help`: (code, what it means).
pub const CODES: [(&str, &str); 18] = [
    ("DS101", "drops a table and its rows"),
    ("DS102", "drops a column and its values"),
    ("DS103", "narrows a type: values that do not fit are cut or rejected"),
    ("DS104", "drops enum values that rows may use"),
    ("DS105", "converts a column to another type, which may not keep every value"),
    ("MF101", "adds a NOT NULL column without a default to a table that may have rows"),
    ("MF102", "makes a column NOT NULL: fails where rows hold NULL"),
    ("MF103", "adds a unique constraint or index: fails where rows repeat"),
    ("MF104", "adds a foreign key: fails where rows point nowhere"),
    ("MF105", "narrows a type: fails where values do not fit"),
    ("MF106", "changes the primary key: fails where rows repeat or hold NULL"),
    ("MF107", "adds a CHECK constraint: fails where rows break it"),
    ("RL101", "drops a unique constraint or index: rows may repeat from now on"),
    ("RL102", "drops a column default: inserts that leave the column out get NULL or fail"),
    ("RL103", "drops a CHECK constraint: rows may break the rule from now on"),
    ("RL104", "drops a trigger or a view: what it did or served is gone"),
    ("RL105", "drops an index: the queries it served may get slow"),
    ("RL106", "drops a foreign key: rows may point nowhere from now on"),
];

fn finding(code: &'static str, message: String) -> Finding {
    let class = match &code[..2] {
        "DS" => Class::DataLoss,
        "RL" => Class::DropsRule,
        "OL" => Class::Blocks,
        _ => Class::MayFail,
    };
    Finding { code, class, message }
}

/// The lock hazards `lint` finds in the SQL of a migration: (code, what blocks and why, the safe
/// alternative). References: squawk's rules, strong_migrations' checks, Atlas's analyzers.
pub const HAZARDS: [(&str, &str, &str); 12] = [
    (
        "OL101",
        "creates an index on a table that has rows without CONCURRENTLY: writes wait for the whole build",
        "CREATE INDEX CONCURRENTLY, outside a transaction (online plans do it)",
    ),
    (
        "OL102",
        "drops an index without CONCURRENTLY: queries on the table wait for the lock",
        "DROP INDEX CONCURRENTLY, outside a transaction",
    ),
    (
        "OL103",
        "adds a foreign key checked at once: both tables are locked while every row is checked (MySQL copies the table)",
        "PostgreSQL: ADD ... NOT VALID, then VALIDATE CONSTRAINT in its own transaction; MySQL: foreign_key_checks off, ALGORITHM=INPLACE, then check the rows",
    ),
    (
        "OL104",
        "adds a unique constraint by building its index under an exclusive lock",
        "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX",
    ),
    (
        "OL105",
        "sets NOT NULL, which scans the whole table under an exclusive lock",
        "ADD CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (no scan) and drop the check",
    ),
    (
        "OL106",
        "adds a column whose default is volatile: the table is rewritten under an exclusive lock",
        "add the column without the default, set the default, fill existing rows in batches",
    ),
    (
        "OL107",
        "changes a column's type in a way that rewrites the table under an exclusive lock",
        "only a longer varchar, varchar to text or more numeric precision are free; otherwise add a new column, backfill it in batches and switch over",
    ),
    (
        "OL108",
        "runs DDL without a lock timeout: while it waits for its lock, every query on the table queues behind it",
        "SET lock_timeout (MySQL lock_wait_timeout) and retry on timeout (online plans do both)",
    ),
    (
        "OL109",
        "adds a CHECK constraint checked at once: the table is locked while every row is checked",
        "ADD ... NOT VALID, then VALIDATE CONSTRAINT in its own transaction",
    ),
    (
        "OL110",
        "alters a MySQL/MariaDB table without asking for an online algorithm: the server may copy the table, blocking writes",
        "ALGORITHM=INSTANT or ALGORITHM=INPLACE, LOCK=NONE, so that the server refuses rather than copy; copy in a maintenance window",
    ),
    (
        "OL111",
        "updates every row in one statement: one long transaction locks every row it touches",
        "update in batches (LIMIT), each committed by itself",
    ),
    (
        "OL112",
        "changes a primary key: the table's key index is rebuilt under an exclusive lock",
        "build the unique index concurrently, then ADD PRIMARY KEY USING INDEX, in a quiet moment",
    ),
];

/// A lock hazard, as `lint` reports it.
pub fn hazard(code: &'static str, detail: impl Into<String>) -> Finding {
    let (_, what, _) = HAZARDS.iter().find(|(c, _, _)| *c == code).expect("a known hazard code");
    Finding { code, class: Class::Blocks, message: format!("{}: {what}", detail.into()) }
}

/// The safe alternative of a hazard code.
pub fn alternative(code: &str) -> Option<&'static str> {
    HAZARDS.iter().find(|(c, _, _)| *c == code).map(|(_, _, alternative)| *alternative)
}

/// What a change risks; empty when it is safe.
pub fn classify(change: &Change) -> Vec<Finding> {
    match change {
        Change::DropTable(table) => vec![finding("DS101", format!("drops table {} and its rows", table.name))],
        Change::DropColumn { table, column } => {
            vec![finding("DS102", format!("drops column {table}.{} and its values", column.name))]
        }
        Change::AlterEnum { name, current, desired } => {
            let gone: Vec<&str> = current.iter().filter(|v| !desired.contains(v)).map(String::as_str).collect();
            if gone.is_empty() {
                Vec::new()
            } else {
                vec![finding("DS104", format!("drops value {} of enum {name}", gone.join(", ")))]
            }
        }
        Change::DropEnum { .. } => Vec::new(),
        Change::AddColumn { table, column } if !column.nullable && column.default.is_none() && !column.auto_increment => {
            vec![finding("MF101", format!("adds {table}.{} NOT NULL without a default", column.name))]
        }
        Change::AlterColumn { table, current, desired } => {
            let name = format!("{table}.{}", desired.name);
            let mut found = Vec::new();
            match conversion(&current.ty, &desired.ty) {
                Conversion::Same | Conversion::Widening => {}
                Conversion::Narrowing => {
                    found.push(finding("DS103", format!("narrows {name} from {} to {}", ty(&current.ty), ty(&desired.ty))));
                    found.push(finding("MF105", format!("{name} may hold values that do not fit {}", ty(&desired.ty))));
                }
                Conversion::DropsEnumValues(values) => {
                    found.push(finding("DS104", format!("drops value {} from {name}", values.join(", "))));
                }
                Conversion::Other => found.push(finding(
                    "DS105",
                    format!("converts {name} from {} to {}", ty(&current.ty), ty(&desired.ty)),
                )),
            }
            if current.nullable && !desired.nullable {
                found.push(finding("MF102", format!("makes {name} NOT NULL")));
            }
            if current.default.is_some() && desired.default.is_none() {
                found.push(finding("RL102", format!("drops the default of {name}")));
            }
            found
        }
        Change::AddIndex { table, index } if index.unique => vec![finding(
            "MF103",
            format!("adds a unique index on {table} ({})", index.columns().join(", ")),
        )],
        Change::DropIndex { table, index } if index.unique => vec![finding(
            "RL101",
            format!("drops the unique {} on {table} ({})", if index.constraint { "constraint" } else { "index" }, index.columns().join(", ")),
        )],
        Change::DropIndex { table, index } => vec![finding(
            "RL105",
            format!("drops the index {} on {table} ({})", index.name, index.columns().join(", ")),
        )],
        Change::DropForeignKey { table, foreign_key } => vec![finding(
            "RL106",
            format!(
                "drops the foreign key {table} ({}) -> {}",
                foreign_key.columns.join(", "),
                foreign_key.ref_table
            ),
        )],
        Change::AddCheck { table, check } => {
            vec![finding("MF107", format!("adds check {} on {table}: {}", check.name, check.expression.sql))]
        }
        Change::DropCheck { table, check } => {
            vec![finding("RL103", format!("drops check {} on {table}: {}", check.name, check.expression.sql))]
        }
        Change::DropTrigger { table, trigger } => {
            vec![finding("RL104", format!("drops trigger {} on {table}", trigger.name))]
        }
        Change::DropView(view) => vec![finding("RL104", format!("drops view {}", view.name))],
        Change::AddForeignKey { table, foreign_key } => vec![finding(
            "MF104",
            format!("adds a foreign key {table} ({}) -> {}", foreign_key.columns.join(", "), foreign_key.ref_table),
        )],
        Change::SetPrimaryKey { table, desired, .. } if !desired.is_empty() => vec![finding(
            "MF106",
            format!("sets the primary key of {table} to ({})", desired.join(", ")),
        )],
        _ => Vec::new(),
    }
}

fn ty(ty: &ColumnType) -> String {
    crate::pipeline::render::type_name(ty)
}

enum Conversion {
    Same,
    Widening,
    Narrowing,
    DropsEnumValues(Vec<String>),
    Other,
}

/// The rank of an integer type among its signed or unsigned family.
fn integer_rank(ty: &ColumnType) -> Option<(bool, u8)> {
    Some(match ty {
        ColumnType::TinyInt => (true, 1),
        ColumnType::SmallInt => (true, 2),
        ColumnType::Integer => (true, 3),
        ColumnType::BigInt => (true, 4),
        ColumnType::TinyUnsigned => (false, 1),
        ColumnType::SmallUnsigned => (false, 2),
        ColumnType::Unsigned => (false, 3),
        ColumnType::BigUnsigned => (false, 4),
        _ => return None,
    })
}

/// The length limit of a text type (`None` = unlimited), if it is one.
fn text_limit(ty: &ColumnType) -> Option<Option<u32>> {
    match ty {
        ColumnType::Char(n) => Some(Some(n.unwrap_or(1))),
        ColumnType::Varchar(n) => Some(*n),
        ColumnType::Text => Some(None),
        _ => None,
    }
}

fn conversion(current: &ColumnType, desired: &ColumnType) -> Conversion {
    use ColumnType as T;
    if current == desired {
        return Conversion::Same;
    }
    if let (Some((signed_a, a)), Some((signed_b, b))) = (integer_rank(current), integer_rank(desired)) {
        return match (signed_a == signed_b, b >= a) {
            (true, true) => Conversion::Widening,
            (true, false) => Conversion::Narrowing,
            // Unsigned into a wider signed type keeps every value.
            (false, _) if !signed_a && signed_b && b > a => Conversion::Widening,
            _ => Conversion::Narrowing,
        };
    }
    if let (Some(a), Some(b)) = (text_limit(current), text_limit(desired)) {
        return match (a, b) {
            (_, None) => Conversion::Widening,
            (Some(a), Some(b)) if b >= a => Conversion::Widening,
            _ => Conversion::Narrowing,
        };
    }
    match (current, desired) {
        (T::Decimal(Some((p1, s1))), T::Decimal(Some((p2, s2)))) => {
            if p2 - s2 >= p1 - s1 && s2 >= s1 { Conversion::Widening } else { Conversion::Narrowing }
        }
        (T::Decimal(Some(_)), T::Decimal(None)) => Conversion::Widening,
        (T::Float, T::Double) => Conversion::Widening,
        (T::Double, T::Float) => Conversion::Narrowing,
        (T::Timestamp, T::TimestampTz) | (T::TimestampTz, T::Timestamp) => Conversion::Widening,
        (T::Json, T::Jsonb) | (T::Jsonb, T::Json) => Conversion::Widening,
        (T::Enum { values: a, .. }, T::Enum { values: b, .. }) => {
            let gone: Vec<String> = a.iter().filter(|v| !b.contains(v)).cloned().collect();
            if gone.is_empty() || b.is_empty() { Conversion::Widening } else { Conversion::DropsEnumValues(gone) }
        }
        (_, T::Text) => Conversion::Widening,
        _ => Conversion::Other,
    }
}

/// The data-losing findings among `changes`, each with its change's summary line.
pub fn destructive(changes: &[Change]) -> Vec<Finding> {
    changes.iter().flat_map(classify).filter(|f| f.class == Class::DataLoss).collect()
}

/// The findings a reviewer must read before anything else: data loss and dropped rules.
pub fn warnings(changes: &[Change]) -> Vec<Finding> {
    changes
        .iter()
        .flat_map(classify)
        .filter(|f| matches!(f.class, Class::DataLoss | Class::DropsRule))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::schema::{Column, Default, Index, Table};

    fn col(ty: ColumnType, nullable: bool) -> Column {
        Column { nullable, ..Column::new("c", ty) }
    }

    fn alter(current: ColumnType, desired: ColumnType) -> Vec<&'static str> {
        let change = Change::AlterColumn { table: "t".into(), current: col(current, false), desired: col(desired, false) };
        classify(&change).iter().map(|f| f.code).collect()
    }

    #[test]
    fn drops_lose_data() {
        let table = Table { name: "t".into(), ..Table::default() };
        assert_eq!(classify(&Change::DropTable(table))[0].code, "DS101");
        let drop = Change::DropColumn { table: "t".into(), column: col(ColumnType::Integer, true) };
        assert_eq!(classify(&drop)[0].message, "drops column t.c and its values");
        let enum_change = Change::AlterEnum { name: "e".into(), current: vec!["a".into(), "b".into()], desired: vec!["a".into()] };
        assert_eq!(classify(&enum_change)[0].code, "DS104");
        let grow = Change::AlterEnum { name: "e".into(), current: vec!["a".into()], desired: vec!["a".into(), "b".into()] };
        assert!(classify(&grow).is_empty());
    }

    #[test]
    fn type_changes_are_widening_narrowing_or_conversions() {
        assert!(alter(ColumnType::Varchar(Some(50)), ColumnType::Varchar(Some(100))).is_empty());
        assert!(alter(ColumnType::Varchar(Some(50)), ColumnType::Text).is_empty());
        assert!(alter(ColumnType::Integer, ColumnType::BigInt).is_empty());
        assert!(alter(ColumnType::Decimal(Some((10, 2))), ColumnType::Decimal(Some((12, 4)))).is_empty());
        assert!(alter(ColumnType::Timestamp, ColumnType::TimestampTz).is_empty());
        assert_eq!(alter(ColumnType::Varchar(Some(100)), ColumnType::Varchar(Some(50))), ["DS103", "MF105"]);
        assert_eq!(alter(ColumnType::BigInt, ColumnType::SmallInt), ["DS103", "MF105"]);
        assert_eq!(alter(ColumnType::Decimal(Some((12, 4))), ColumnType::Decimal(Some((12, 2)))), ["DS103", "MF105"]);
        assert_eq!(alter(ColumnType::Text, ColumnType::Integer), ["DS105"]);
        let mysql_enum = |values: &[&str]| ColumnType::Enum { name: String::new(), values: values.iter().map(|v| v.to_string()).collect() };
        assert_eq!(alter(mysql_enum(&["a", "b"]), mysql_enum(&["a"])), ["DS104"]);
        assert!(alter(mysql_enum(&["a"]), mysql_enum(&["a", "b"])).is_empty());
    }

    #[test]
    fn changes_that_may_fail_on_rows() {
        let add = |nullable, default| Change::AddColumn {
            table: "t".into(),
            column: Column { default, ..col(ColumnType::Integer, nullable) },
        };
        assert_eq!(classify(&add(false, None))[0].code, "MF101");
        assert!(classify(&add(false, Some(Default::Number("0".into())))).is_empty());
        assert!(classify(&add(true, None)).is_empty());
        let tighten = Change::AlterColumn { table: "t".into(), current: col(ColumnType::Integer, true), desired: col(ColumnType::Integer, false) };
        assert_eq!(classify(&tighten)[0].code, "MF102");
        let unique = Change::AddIndex {
            table: "t".into(),
            index: Index::on_columns(&["c"], true),
        };
        assert_eq!(classify(&unique)[0].code, "MF103");
        let key = Change::SetPrimaryKey { table: "t".into(), current: vec![], desired: vec!["c".into()] };
        assert_eq!(classify(&key)[0].code, "MF106");
    }

    #[test]
    fn every_dropped_index_and_foreign_key_has_a_code() {
        let drop = |unique| Change::DropIndex { table: "t".into(), index: Index::on_columns(&["c"], unique) };
        assert_eq!(classify(&drop(true))[0].code, "RL101");
        assert_eq!(classify(&drop(false))[0].code, "RL105");
        assert_eq!(warnings(&[drop(false)]).len(), 1);
    }

    #[test]
    fn every_code_is_documented_once() {
        let mut codes: Vec<&str> = CODES.iter().map(|(c, _)| *c).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), CODES.len());
    }
}
