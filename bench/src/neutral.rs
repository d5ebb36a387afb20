//! The benchmark kit's neutral schema (`schema_db.json`, `schema_desired.json`), and the few
//! adjustments that make it expressible on MySQL and SQLite.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result};
use sea_orm::DbBackend;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Schema {
    pub tables: Vec<Table>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Table {
    pub name: String,
    pub primary_key: Vec<String>,
    pub columns: Vec<Column>,
    pub uniques: Vec<Unique>,
    pub indexes: Vec<Index>,
    pub foreign_keys: Vec<ForeignKey>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub length: Option<u32>,
    #[serde(default)]
    pub precision: Option<u32>,
    #[serde(default)]
    pub scale: Option<u32>,
    pub nullable: bool,
    pub autoincrement: bool,
    pub default: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Unique {
    pub name: String,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Index {
    pub name: String,
    pub columns: Vec<String>,
    pub unique: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    pub ondelete: Option<String>,
}

/// A column default, decoded from the PostgreSQL expression the kit writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Default {
    Now,
    RandomUuid,
    Bool(bool),
    Int(i64),
    Text(String),
}

impl Column {
    pub fn parsed_default(&self) -> Result<Option<Default>> {
        let Some(sql) = self.default.as_deref() else { return Ok(None) };
        // `'{}'::jsonb`: the cast is the column's own type.
        let sql = sql.strip_suffix("::jsonb").unwrap_or(sql);
        Ok(Some(match sql {
            "now()" => Default::Now,
            "gen_random_uuid()" => Default::RandomUuid,
            "true" => Default::Bool(true),
            "false" => Default::Bool(false),
            quoted if quoted.len() >= 2 && quoted.starts_with('\'') && quoted.ends_with('\'') => {
                Default::Text(quoted[1..quoted.len() - 1].replace("''", "'"))
            }
            number => Default::Int(
                number.parse().with_context(|| format!("unsupported default {sql:?} on {}", self.name))?,
            ),
        }))
    }
}

/// Reads one side (`db` or `desired`) of a generated schema, adjusted for `backend`.
pub fn load(gen_dir: &Path, side: &str, backend: DbBackend) -> Result<Schema> {
    let mut schema = read(&gen_dir.join(format!("schema_{side}.json")))?;
    if backend != DbBackend::Postgres {
        // Both sides must get the same adjustments, so they are decided on both.
        let other = if side == "db" { "desired" } else { "db" };
        let other = read(&gen_dir.join(format!("schema_{other}.json")))?;
        portable(&mut schema, &other);
    }
    Ok(schema)
}

fn read(path: &Path) -> Result<Schema> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("cannot parse {}", path.display()))
}

/// The adjustments for MySQL and SQLite, applied alike to both sides and both backends (so that
/// one entity crate serves both):
/// - `gen_random_uuid()` exists on PostgreSQL only: the uuid key gets no server default;
/// - MySQL cannot index a TEXT column without a prefix length: a `text` column that is a key
///   of an index or unique constraint on either side becomes `varchar(255)`.
fn portable(schema: &mut Schema, other: &Schema) {
    let mut indexed: BTreeSet<(String, String)> = BTreeSet::new();
    for table in schema.tables.iter().chain(&other.tables) {
        let keys = table.indexes.iter().map(|i| &i.columns).chain(table.uniques.iter().map(|u| &u.columns));
        for columns in keys {
            indexed.extend(columns.iter().map(|c| (table.name.clone(), c.clone())));
        }
    }
    for table in &mut schema.tables {
        for column in &mut table.columns {
            if column.default.as_deref() == Some("gen_random_uuid()") {
                column.default = None;
            }
            if column.ty == "text"
                && indexed.contains(&(table.name.clone(), column.name.clone()))
            {
                column.ty = "varchar".into();
                column.length = Some(255);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(default: Option<&str>) -> Column {
        Column {
            name: "c".into(),
            ty: "integer".into(),
            length: None,
            precision: None,
            scale: None,
            nullable: true,
            autoincrement: false,
            default: default.map(str::to_owned),
            comment: None,
        }
    }

    #[test]
    fn defaults_decode() {
        let cases = [
            (None, None),
            (Some("now()"), Some(Default::Now)),
            (Some("gen_random_uuid()"), Some(Default::RandomUuid)),
            (Some("false"), Some(Default::Bool(false))),
            (Some("0"), Some(Default::Int(0))),
            (Some("'active'"), Some(Default::Text("active".into()))),
            (Some("'{}'::jsonb"), Some(Default::Text("{}".into()))),
        ];
        for (sql, expected) in cases {
            assert_eq!(column(sql).parsed_default().unwrap(), expected, "{sql:?}");
        }
        assert!(column(Some("nextval('x')")).parsed_default().is_err());
    }
}
