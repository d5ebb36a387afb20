//! The adapter between `migrate check --format json` and the kit's scorer: each change becomes
//! one or more neutral records `{"kind", "table", "name", "detail"}` (see the kit's `score.py`).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use sea_orm::DbBackend;
use serde_json::{Value, json};

use crate::neutral;

/// The kit's names of indexes, unique constraints and foreign keys, by table and columns, on
/// either side: a unique column constraint of an entity carries no name of its own.
struct Names(BTreeMap<(String, Vec<String>, &'static str), String>);

impl Names {
    fn load(gen_dir: &Path, backend: DbBackend) -> Result<Names> {
        let mut names = BTreeMap::new();
        for side in ["db", "desired"] {
            for table in neutral::load(gen_dir, side, backend)?.tables {
                for u in &table.uniques {
                    names.insert((table.name.clone(), u.columns.clone(), "index"), u.name.clone());
                }
                for i in &table.indexes {
                    names.insert((table.name.clone(), i.columns.clone(), "index"), i.name.clone());
                }
                for fk in &table.foreign_keys {
                    names.insert((table.name.clone(), fk.columns.clone(), "fk"), fk.name.clone());
                }
            }
        }
        Ok(Names(names))
    }

    /// The object's own name when it has one, else the kit's name for it.
    fn of(&self, table: &str, object: &Value, what: &'static str) -> Value {
        match object["name"].as_str() {
            Some(name) if !name.is_empty() => json!(name),
            _ => {
                let columns: Vec<String> = object["columns"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default();
                json!(self.0.get(&(table.to_owned(), columns, what)))
            }
        }
    }
}

fn record(kind: &str, table: &str, name: Value, detail: String) -> Value {
    json!({ "kind": kind, "table": table, "name": name, "detail": detail })
}

pub fn observe(check_json: &Path, gen_dir: &Path, backend: DbBackend) -> Result<Vec<Value>> {
    let text = std::fs::read_to_string(check_json).with_context(|| format!("cannot read {}", check_json.display()))?;
    let output: Value = serde_json::from_str(&text).context("check's output is not JSON")?;
    let names = Names::load(gen_dir, backend)?;
    let mut records = Vec::new();
    for change in output["changes"].as_array().context("no `changes` in check's output")? {
        records.extend(records_of(change, &names));
    }
    Ok(records)
}

fn records_of(change: &Value, names: &Names) -> Vec<Value> {
    let kind = change["kind"].as_str().unwrap_or_default();
    let table = change["table"].as_str().or(change["name"].as_str()).unwrap_or("?").to_owned();
    let detail = change.to_string().chars().take(160).collect::<String>();
    let column_name = |key: &str| json!(change[key]["name"]);
    match kind {
        "add_table" | "drop_table" => vec![record(kind, &table, Value::Null, detail)],
        "add_column" | "drop_column" => vec![record(kind, &table, column_name("column"), detail)],
        "alter_column" => {
            let (current, desired) = (&change["current"], &change["desired"]);
            let name = json!(desired["name"]);
            [
                ("ty", "alter_type"),
                ("nullable", "alter_nullable"),
                ("default", "alter_default"),
                ("comment", "alter_comment"),
                ("auto_increment", "other"),
            ]
            .into_iter()
            .filter(|(field, _)| current[field] != desired[field])
            .map(|(_, kind)| record(kind, &table, name.clone(), detail.clone()))
            .collect()
        }
        "add_index" | "drop_index" => {
            let index = &change["index"];
            let kind = match (kind, index["constraint"].as_bool().unwrap_or(false)) {
                ("add_index", true) => "add_unique",
                ("drop_index", true) => "drop_unique",
                (kind, false) => kind,
                _ => "other",
            };
            vec![record(kind, &table, names.of(&table, index, "index"), detail)]
        }
        "add_foreign_key" | "drop_foreign_key" => {
            let kind = if kind == "add_foreign_key" { "add_fk" } else { "drop_fk" };
            vec![record(kind, &table, names.of(&table, &change["foreign_key"], "fk"), detail)]
        }
        _ => vec![record("other", &table, Value::Null, detail)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        let mut map = BTreeMap::new();
        map.insert(("t_1".into(), vec!["c_1".into()], "index"), "uq_t_1_c_1".into());
        Names(map)
    }

    #[test]
    fn an_altered_column_gives_one_record_per_aspect() {
        let change = json!({
            "kind": "alter_column", "table": "t_1",
            "current": { "name": "c_1", "ty": { "varchar": 50 }, "nullable": true, "default": null, "comment": null, "auto_increment": false },
            "desired": { "name": "c_1", "ty": { "varchar": 100 }, "nullable": false, "default": null, "comment": null, "auto_increment": false },
        });
        let kinds: Vec<String> =
            records_of(&change, &names()).iter().map(|r| r["kind"].as_str().unwrap().to_owned()).collect();
        assert_eq!(kinds, ["alter_type", "alter_nullable"]);
    }

    #[test]
    fn unnamed_objects_take_the_kit_name() {
        let change = json!({
            "kind": "add_index", "table": "t_1",
            "index": { "name": "", "columns": ["c_1"], "unique": true, "constraint": true },
        });
        let record = &records_of(&change, &names())[0];
        assert_eq!(record["kind"], "add_unique");
        assert_eq!(record["name"], "uq_t_1_c_1");
        let table = json!({ "kind": "drop_table", "name": "t_9", "columns": [] });
        assert_eq!(records_of(&table, &names())[0]["table"], "t_9");
    }
}
