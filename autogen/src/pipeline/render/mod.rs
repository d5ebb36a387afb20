//! Render: turns a plan into text for people and machines: the Rust migration module
//! ([`rust`]), the SQL of each backend ([`sql`]), the review diff and summary lines ([`review`]).
//! Pure: no database, no I/O.

pub mod online;
pub mod review;
pub mod rust;
pub mod sql;

use crate::pipeline::schema::{ColumnType, Default};

/// A type as a reviewer reads it (`varchar(255)`, `timestamptz`, `enum role(a, b)`).
pub fn type_name(ty: &ColumnType) -> String {
    match ty {
        ColumnType::TinyInt => "tinyint".into(),
        ColumnType::SmallInt => "smallint".into(),
        ColumnType::Integer => "integer".into(),
        ColumnType::BigInt => "bigint".into(),
        ColumnType::TinyUnsigned => "tinyint unsigned".into(),
        ColumnType::SmallUnsigned => "smallint unsigned".into(),
        ColumnType::Unsigned => "integer unsigned".into(),
        ColumnType::BigUnsigned => "bigint unsigned".into(),
        ColumnType::Float => "float".into(),
        ColumnType::Double => "double".into(),
        ColumnType::Decimal(Some((p, s))) => format!("decimal({p},{s})"),
        ColumnType::Decimal(None) => "decimal".into(),
        ColumnType::Boolean => "boolean".into(),
        ColumnType::Char(Some(n)) => format!("char({n})"),
        ColumnType::Char(None) => "char".into(),
        ColumnType::Varchar(Some(n)) => format!("varchar({n})"),
        ColumnType::Varchar(None) => "varchar".into(),
        ColumnType::Text => "text".into(),
        ColumnType::Date => "date".into(),
        ColumnType::Time => "time".into(),
        ColumnType::Timestamp => "timestamp".into(),
        ColumnType::TimestampTz => "timestamptz".into(),
        ColumnType::Uuid => "uuid".into(),
        ColumnType::Json => "json".into(),
        ColumnType::Jsonb => "jsonb".into(),
        ColumnType::Binary(n) => format!("binary({n})"),
        ColumnType::VarBinary(Some(n)) => format!("varbinary({n})"),
        ColumnType::VarBinary(None) => "varbinary".into(),
        ColumnType::Blob => "blob".into(),
        ColumnType::Enum { name, values } => {
            let name = if name.is_empty() { "enum".to_owned() } else { format!("enum {name}") };
            if values.is_empty() { name } else { format!("{name}({})", values.join(", ")) }
        }
        ColumnType::Array(inner) => format!("{}[]", type_name(inner)),
        ColumnType::Other(text) => text.clone(),
    }
}

/// A default as SQL-ish text (`now()`, `'x'`, `0`).
pub fn default_text(default: &Default) -> String {
    match default {
        Default::CurrentTimestamp => "now()".into(),
        Default::String(text) => format!("'{}'", text.replace('\'', "''")),
        Default::Number(number) => number.clone(),
        Default::Bool(value) => value.to_string(),
        Default::Expression(e) => e.sql.clone(),
    }
}
