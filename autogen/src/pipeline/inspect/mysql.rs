//! Inspection stage, MySQL and MariaDB: reads the current database's tables, columns (generated
//! ones with their expression), keys, indexes (every key part with its order, prefix length or
//! expression), CHECK constraints, triggers, views and comments from `information_schema` into
//! the schema IR.
//!
//! Every fact comes from a fixed set of bulk queries whatever the number of tables: one for the
//! database name and server flavour, then [`TABLES`], [`COLUMNS`], [`STATISTICS`],
//! [`FOREIGN_KEYS`], [`FOREIGN_KEY_RULES`], the checks ([`MARIADB_CHECKS`] or [`MYSQL_CHECKS`]),
//! [`TRIGGERS`] and, when [`TABLES`] found views, [`VIEWS`]. Each restricts itself to the current
//! database minus the excluded tables, so excluded tables are never read beyond their name.
//!
//! Indexes, triggers and views keep a statement that recreates them exactly, built from the
//! catalog rows (MySQL keeps no definition text of an index, and `SHOW CREATE` would be one
//! query per object).
//!
//! MySQL and MariaDB report some facts differently (how defaults are quoted, how JSON is
//! stored, integer display widths, which catalog columns exist); the differences are resolved
//! here so that both servers give the same IR for the same `CREATE TABLE`. Only MariaDB 10.11
//! was tested; the MySQL 8 paths are written from its documentation and marked as such.

use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, QueryResult, Statement, TransactionTrait,
    TryGetable, Value,
};

use super::{InspectOptions, query_error};
use crate::pipeline::normalize::{default_from_sql, expression};
use crate::pipeline::parse::Dialect;
use crate::pipeline::parse::lexer::{TokenKind, tokenize};
use crate::pipeline::schema::{
    Action, Check, Column, ColumnType, Default, ForeignKey, Generated, Index, IndexKey, IndexPart,
    Schema, Table, Trigger, Verbatim, View,
};
use crate::quote;
use crate::{Error, Result};

/// The current database and whether the server is MariaDB (its `VERSION()` says so, e.g.
/// `10.11.6-MariaDB-0+deb12u1`; MySQL's never does).
const SERVER: &str = "SELECT CAST(DATABASE() AS CHAR) AS db, CAST(VERSION() AS CHAR) AS version";

/// Base tables, their storage engine (which decides the default index type) and their comments,
/// and the names of the views. MariaDB's system-versioned tables are base tables too; sequences
/// are not tables of the schema.
const TABLES: &str = "
SELECT CAST(t.TABLE_NAME AS CHAR) AS table_name, CAST(t.TABLE_COMMENT AS CHAR) AS table_comment,
       CAST(t.ENGINE AS CHAR) AS engine, CAST(t.TABLE_TYPE AS CHAR) AS table_type
FROM information_schema.TABLES t
WHERE t.TABLE_SCHEMA = ? AND t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED', 'VIEW') {exclude}
ORDER BY t.TABLE_NAME";

/// Columns in declared order, generated ones with their expression. Views' columns come too and
/// are dropped when matched to tables: filtering them here would mean a join on `TABLES`, which
/// MariaDB answers by opening every table's definition a second time.
const COLUMNS: &str = "
SELECT CAST(t.TABLE_NAME AS CHAR) AS table_name, CAST(t.COLUMN_NAME AS CHAR) AS column_name,
       CAST(t.COLUMN_TYPE AS CHAR) AS column_type, CAST(t.IS_NULLABLE AS CHAR) AS is_nullable,
       CAST(t.COLUMN_DEFAULT AS CHAR) AS column_default, CAST(t.EXTRA AS CHAR) AS extra,
       CAST(t.COLUMN_COMMENT AS CHAR) AS column_comment,
       CAST(t.GENERATION_EXPRESSION AS CHAR) AS generation_expression
FROM information_schema.COLUMNS t
WHERE t.TABLE_SCHEMA = ? {exclude}
ORDER BY t.TABLE_NAME, t.ORDINAL_POSITION";

/// Every index's key parts in index order, the primary key included: column (NULL for an
/// expression part of a MySQL 8 functional index), order (`A`, `D`, NULL when unordered), prefix
/// length, index type, comment and visibility. `{flavour}` is [`Server::statistics_columns`].
const STATISTICS: &str = "
SELECT CAST(t.TABLE_NAME AS CHAR) AS table_name, CAST(t.INDEX_NAME AS CHAR) AS index_name,
       CAST(t.NON_UNIQUE AS SIGNED) AS non_unique, CAST(t.COLUMN_NAME AS CHAR) AS column_name,
       CAST(t.COLLATION AS CHAR) AS part_order, CAST(t.SUB_PART AS SIGNED) AS sub_part,
       CAST(t.INDEX_TYPE AS CHAR) AS index_type, CAST(t.INDEX_COMMENT AS CHAR) AS index_comment,
       {flavour}
FROM information_schema.STATISTICS t
WHERE t.TABLE_SCHEMA = ? {exclude}
ORDER BY t.TABLE_NAME, t.INDEX_NAME, t.SEQ_IN_INDEX";

/// Foreign keys, one row per column pair in key order. Each row pairs a referencing column with
/// the column it references, so key order gives matching orders.
const FOREIGN_KEYS: &str = "
SELECT CAST(t.TABLE_NAME AS CHAR) AS table_name, CAST(t.CONSTRAINT_NAME AS CHAR) AS fk_name,
       CAST(t.COLUMN_NAME AS CHAR) AS column_name,
       CAST(t.REFERENCED_TABLE_NAME AS CHAR) AS ref_table,
       CAST(t.REFERENCED_COLUMN_NAME AS CHAR) AS ref_column
FROM information_schema.KEY_COLUMN_USAGE t
WHERE t.TABLE_SCHEMA = ? AND t.REFERENCED_TABLE_NAME IS NOT NULL {exclude}
ORDER BY t.TABLE_NAME, t.CONSTRAINT_NAME, t.ORDINAL_POSITION";

/// The ON UPDATE / ON DELETE rules of the foreign keys. A query of its own: joined to
/// [`FOREIGN_KEYS`] on the server, MariaDB reads `REFERENTIAL_CONSTRAINTS` once per key (430 ms
/// instead of 20 at 1,000 tables).
const FOREIGN_KEY_RULES: &str = "
SELECT CAST(t.TABLE_NAME AS CHAR) AS table_name, CAST(t.CONSTRAINT_NAME AS CHAR) AS fk_name,
       CAST(t.UPDATE_RULE AS CHAR) AS update_rule, CAST(t.DELETE_RULE AS CHAR) AS delete_rule
FROM information_schema.REFERENTIAL_CONSTRAINTS t
WHERE t.CONSTRAINT_SCHEMA = ? {exclude}";

/// MariaDB's CHECK constraints, column-level ones (named after their column) included. The
/// `json_valid` check behind each JSON column is among them: it tells JSON from `longtext` and
/// is not reported as a check.
const MARIADB_CHECKS: &str = "
SELECT CAST(t.TABLE_NAME AS CHAR) AS table_name, CAST(t.CONSTRAINT_NAME AS CHAR) AS check_name,
       CAST(t.CHECK_CLAUSE AS CHAR) AS check_clause
FROM information_schema.CHECK_CONSTRAINTS t
WHERE t.CONSTRAINT_SCHEMA = ? {exclude}";

/// MySQL 8's CHECK constraints. Its `CHECK_CONSTRAINTS` has no `TABLE_NAME`, so the table comes
/// from `TABLE_CONSTRAINTS`; check names are unique per schema, which makes the join exact.
/// Written from MySQL's documentation; untested (only MariaDB was available).
const MYSQL_CHECKS: &str = "
SELECT CAST(t.TABLE_NAME AS CHAR) AS table_name, CAST(t.CONSTRAINT_NAME AS CHAR) AS check_name,
       CAST(c.CHECK_CLAUSE AS CHAR) AS check_clause
FROM information_schema.TABLE_CONSTRAINTS t
JOIN information_schema.CHECK_CONSTRAINTS c
  ON c.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA AND c.CONSTRAINT_NAME = t.CONSTRAINT_NAME
WHERE t.TABLE_SCHEMA = ? AND t.CONSTRAINT_TYPE = 'CHECK' {exclude}";

/// Triggers with what [`trigger_definition`] needs to recreate them.
const TRIGGERS: &str = "
SELECT CAST(t.EVENT_OBJECT_TABLE AS CHAR) AS table_name, CAST(t.TRIGGER_NAME AS CHAR) AS trigger_name,
       CAST(t.ACTION_TIMING AS CHAR) AS timing, CAST(t.EVENT_MANIPULATION AS CHAR) AS event,
       CAST(t.ACTION_STATEMENT AS CHAR) AS body
FROM information_schema.TRIGGERS t
WHERE t.EVENT_OBJECT_SCHEMA = ? {exclude}
ORDER BY t.EVENT_OBJECT_TABLE, t.TRIGGER_NAME";

/// The views [`TABLES`] named, with what [`view_definition`] needs to recreate them; run only
/// when there are any. `{flavour}` is [`Server::view_columns`]: MySQL has no `ALGORITHM`
/// column. The names are listed (`{names}`) because MariaDB reads every table's definition to
/// find the views of a whole database (20-40 ms at 1,000 tables without a single view), but
/// looks up a listed name directly.
const VIEWS: &str = "
SELECT CAST(t.TABLE_NAME AS CHAR) AS view_name, CAST(t.VIEW_DEFINITION AS CHAR) AS body,
       CAST(t.CHECK_OPTION AS CHAR) AS check_option, CAST(t.SECURITY_TYPE AS CHAR) AS security,
       {flavour}
FROM information_schema.VIEWS t
WHERE t.TABLE_SCHEMA = ? AND t.TABLE_NAME IN ({names})
ORDER BY t.TABLE_NAME";

/// The server's flavour and version, which decide the catalog columns that exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Server {
    mariadb: bool,
    /// `VERSION()`'s leading numbers: `10.11.6-MariaDB` is `(10, 11, 6)`.
    version: (u32, u32, u32),
}

impl Server {
    /// The server `VERSION()` describes.
    fn from_version(text: &str) -> Self {
        let mut numbers = text
            .split(|c: char| !c.is_ascii_digit())
            .take(3)
            .map(|n| n.parse().unwrap_or(0));
        let mut next = || numbers.next().unwrap_or(0);
        Server {
            mariadb: text.to_ascii_lowercase().contains("mariadb"),
            version: (next(), next(), next()),
        }
    }

    /// The flavour-specific columns of [`STATISTICS`]: the expression of a functional key part
    /// (MySQL 8.0.13) and whether the index is hidden from the optimizer (MariaDB 10.6's
    /// `IGNORED`, MySQL 8's `IS_VISIBLE`).
    fn statistics_columns(&self) -> &'static str {
        if self.mariadb && self.version >= (10, 6, 0) {
            "CAST(NULL AS CHAR) AS expression, CAST(t.IGNORED AS CHAR) AS hidden"
        } else if !self.mariadb && self.version >= (8, 0, 13) {
            "CAST(t.EXPRESSION AS CHAR) AS expression, CAST(IF(t.IS_VISIBLE = 'NO', 'YES', 'NO') AS CHAR) AS hidden"
        } else {
            "CAST(NULL AS CHAR) AS expression, CAST('NO' AS CHAR) AS hidden"
        }
    }

    /// The flavour-specific column of [`VIEWS`].
    fn view_columns(&self) -> &'static str {
        if self.mariadb {
            "CAST(t.ALGORITHM AS CHAR) AS algorithm"
        } else {
            "CAST(NULL AS CHAR) AS algorithm"
        }
    }

    /// The query for CHECK constraints, if the server enforces them: MariaDB since 10.2, MySQL
    /// since 8.0.16 (earlier ones parse a CHECK and throw it away).
    fn checks_query(&self) -> Option<&'static str> {
        if self.mariadb {
            Some(MARIADB_CHECKS)
        } else if self.version >= (8, 0, 16) {
            Some(MYSQL_CHECKS)
        } else {
            None
        }
    }

    /// The keyword that hides an index from the optimizer in `CREATE INDEX`.
    fn hidden_keyword(&self) -> &'static str {
        if self.mariadb { "IGNORED" } else { "INVISIBLE" }
    }
}

/// Reads the schema of the current database (`DATABASE()`) behind `db`, leaving out the tables
/// in `options.exclude_tables`.
pub(super) async fn fetch(db: &DatabaseConnection, options: &InspectOptions) -> Result<Fetched> {
    // One transaction pins every query to one connection of the pool, so that `DATABASE()` is
    // the same for all of them. It gives no snapshot: `information_schema` is not transactional.
    let txn = db.begin().await.map_err(query_error)?;
    let server = query(&txn, SERVER.to_owned(), Vec::new()).await?;
    let Some(server) = server.first() else {
        return Err(Error::Database(
            "SELECT DATABASE() returned no row".to_owned(),
        ));
    };
    let database: Option<String> = get(server, "db")?;
    let Some(database) = database else {
        return Err(Error::Database(
            "no database selected: the connection URL must name a database".to_owned(),
        ));
    };
    let version: String = get(server, "version")?;
    let server = Server::from_version(&version);

    let (placeholders, values) = scope(&database, &options.exclude_tables);
    let run = |sql: &str, table_column: &str| {
        let exclude = match &placeholders {
            Some(list) => format!("AND {table_column} NOT IN ({list})"),
            None => String::new(),
        };
        query(&txn, sql.replace("{exclude}", &exclude), values.clone())
    };
    let table_rows = run(TABLES, "t.TABLE_NAME").await?;
    let column_rows = run(COLUMNS, "t.TABLE_NAME").await?;
    let statistics = STATISTICS.replace("{flavour}", server.statistics_columns());
    let index_rows = run(&statistics, "t.TABLE_NAME").await?;
    let foreign_key_rows = run(FOREIGN_KEYS, "t.TABLE_NAME").await?;
    let rule_rows = run(FOREIGN_KEY_RULES, "t.TABLE_NAME").await?;
    let check_rows = match server.checks_query() {
        Some(sql) => run(sql, "t.TABLE_NAME").await?,
        None => Vec::new(),
    };
    let trigger_rows = run(TRIGGERS, "t.EVENT_OBJECT_TABLE").await?;
    let mut view_names = vec![Value::from(database.clone())];
    for row in &table_rows {
        if is_view(row)? {
            view_names.push(Value::from(get::<String>(row, "table_name")?));
        }
    }
    let view_rows = if view_names.len() > 1 {
        let sql = VIEWS
            .replace("{flavour}", server.view_columns())
            .replace("{names}", &vec!["?"; view_names.len() - 1].join(", "));
        query(&txn, sql, view_names).await?
    } else {
        Vec::new()
    };
    txn.commit().await.map_err(query_error)?;
    Ok(Fetched {
        server,
        database,
        table_rows,
        column_rows,
        index_rows,
        foreign_key_rows,
        rule_rows,
        check_rows,
        trigger_rows,
        view_rows,
    })
}

/// The rows of the catalog queries, as [`fetch`] read them.
pub(super) struct Fetched {
    server: Server,
    /// The current database, whose name the views' text qualifies every table with.
    database: String,
    table_rows: Vec<QueryResult>,
    column_rows: Vec<QueryResult>,
    index_rows: Vec<QueryResult>,
    foreign_key_rows: Vec<QueryResult>,
    rule_rows: Vec<QueryResult>,
    check_rows: Vec<QueryResult>,
    trigger_rows: Vec<QueryResult>,
    view_rows: Vec<QueryResult>,
}

impl Fetched {
    /// How many rows the queries returned.
    pub(super) fn rows(&self) -> usize {
        self.table_rows.len()
            + self.column_rows.len()
            + self.index_rows.len()
            + self.foreign_key_rows.len()
            + self.rule_rows.len()
            + self.check_rows.len()
            + self.trigger_rows.len()
            + self.view_rows.len()
    }
}

/// Builds the schema IR from the rows [`fetch`] read.
pub(super) fn assemble(fetched: Fetched) -> Result<Schema> {
    let mut schema = Schema::default();
    // Table name -> storage engine.
    let mut engines = HashMap::new();
    for row in &fetched.table_rows {
        if is_view(row)? {
            continue;
        }
        let name: String = get(row, "table_name")?;
        let comment: Option<String> = get(row, "table_comment")?;
        let engine: Option<String> = get(row, "engine")?;
        engines.insert(name.clone(), engine.unwrap_or_default());
        schema.tables.insert(
            name.clone(),
            Table {
                name,
                comment: non_empty(comment),
                ..Table::default()
            },
        );
    }

    // MariaDB's JSON is an alias of `longtext` with a `json_valid` check on the column; the
    // (table, column) pairs that carry one. MySQL's JSON is a type of its own: there such a
    // check is the user's.
    let mut json_checked = HashSet::new();
    for row in fetched.check_rows.iter().filter(|_| fetched.server.mariadb) {
        let table_name: String = get(row, "table_name")?;
        let clause: String = get(row, "check_clause")?;
        if let Some(column) = json_valid_column(&clause) {
            json_checked.insert((table_name, column));
        }
    }
    let json_columns = add_columns(
        &mut schema,
        &fetched.column_rows,
        &json_checked,
        fetched.server.mariadb,
    )?;
    add_checks(&mut schema, &fetched.check_rows, &json_columns)?;
    let foreign_keys = foreign_keys(&fetched.foreign_key_rows, &fetched.rule_rows)?;
    add_indexes(
        &mut schema,
        &fetched.index_rows,
        &engines,
        &foreign_keys,
        fetched.server,
    )?;
    for ((table_name, _), key) in foreign_keys {
        if let Some(table) = schema.tables.get_mut(&table_name) {
            table.foreign_keys.push(key);
        }
    }
    add_triggers(&mut schema, &fetched.trigger_rows)?;
    add_views(&mut schema, &fetched.view_rows, &fetched.database)?;
    Ok(schema)
}

/// Whether a row of [`TABLES`] is a view.
fn is_view(row: &QueryResult) -> Result<bool> {
    let table_type: String = get(row, "table_type")?;
    Ok(table_type.eq_ignore_ascii_case("VIEW"))
}

/// Adds the columns to their tables; returns the (table, column) pairs that are MariaDB JSON.
fn add_columns(
    schema: &mut Schema,
    rows: &[QueryResult],
    json_checked: &HashSet<(String, String)>,
    mariadb: bool,
) -> Result<HashSet<(String, String)>> {
    let mut json_columns = HashSet::new();
    for row in rows {
        let table_name: String = get(row, "table_name")?;
        let Some(table) = schema.tables.get_mut(&table_name) else {
            continue;
        };
        let name: String = get(row, "column_name")?;
        let column_type: String = get(row, "column_type")?;
        let is_nullable: String = get(row, "is_nullable")?;
        let default: Option<String> = get(row, "column_default")?;
        let extra: Option<String> = get(row, "extra")?;
        let comment: Option<String> = get(row, "column_comment")?;
        let generation: Option<String> = get(row, "generation_expression")?;
        let extra = extra.unwrap_or_default().to_ascii_lowercase();

        let key = (table_name, name);
        let ty = if column_type.eq_ignore_ascii_case("longtext") && json_checked.contains(&key) {
            json_columns.insert(key.clone());
            ColumnType::Json
        } else {
            parse_type(&column_type)
        };
        // `EXTRA` says `VIRTUAL GENERATED` or `STORED GENERATED` (MariaDB's PERSISTENT is
        // STORED); MySQL's `DEFAULT_GENERATED` marks an expression default, not a generated
        // column.
        let stored = extra.contains("stored generated");
        let generated = match generation.filter(|text| !text.trim().is_empty()) {
            Some(text) if stored || extra.contains("virtual generated") => Some(Generated {
                expression: expression(DbBackend::MySql, &text),
                stored,
            }),
            _ => None,
        };
        let default = match generated {
            Some(_) => None,
            None => default
                .as_deref()
                .and_then(|raw| column_default(&ty, raw, &extra, mariadb)),
        };
        table.columns.push(Column {
            name: key.1,
            ty,
            nullable: is_nullable.eq_ignore_ascii_case("YES"),
            default,
            auto_increment: extra.contains("auto_increment"),
            comment: non_empty(comment),
            renamed_from: None,
            generated,
        });
    }
    Ok(json_columns)
}

/// Adds the CHECK constraints to their tables, except the `json_valid` check behind each of
/// `json_columns`, which the server made for the JSON type.
fn add_checks(
    schema: &mut Schema,
    rows: &[QueryResult],
    json_columns: &HashSet<(String, String)>,
) -> Result<()> {
    for row in rows {
        let table_name: String = get(row, "table_name")?;
        let name: String = get(row, "check_name")?;
        let clause: String = get(row, "check_clause")?;
        if json_valid_column(&clause)
            .is_some_and(|column| json_columns.contains(&(table_name.clone(), column)))
        {
            continue;
        }
        if let Some(table) = schema.tables.get_mut(&table_name) {
            table.checks.push(Check {
                name,
                expression: expression(DbBackend::MySql, &clause),
            });
        }
    }
    Ok(())
}

/// The foreign keys by (table, name), their columns in key order.
fn foreign_keys(
    key_rows: &[QueryResult],
    rule_rows: &[QueryResult],
) -> Result<BTreeMap<(String, String), ForeignKey>> {
    let mut foreign_keys: BTreeMap<(String, String), ForeignKey> = BTreeMap::new();
    // (table, key name) -> (ON UPDATE, ON DELETE)
    let mut rules: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    for row in rule_rows {
        rules.insert(
            (get(row, "table_name")?, get(row, "fk_name")?),
            (get(row, "update_rule")?, get(row, "delete_rule")?),
        );
    }
    for row in key_rows {
        let table_name: String = get(row, "table_name")?;
        let name: String = get(row, "fk_name")?;
        let column: String = get(row, "column_name")?;
        let ref_table: String = get(row, "ref_table")?;
        let ref_column: String = get(row, "ref_column")?;
        let (update_rule, delete_rule) = rules
            .get(&(table_name.clone(), name.clone()))
            .cloned()
            .unwrap_or_else(|| ("NO ACTION".to_owned(), "NO ACTION".to_owned()));
        let key = foreign_keys
            .entry((table_name, name.clone()))
            .or_insert_with(|| ForeignKey {
                name,
                columns: Vec::new(),
                ref_table,
                ref_columns: Vec::new(),
                on_delete: action(&delete_rule),
                on_update: action(&update_rule),
            });
        key.columns.push(column);
        key.ref_columns.push(ref_column);
    }
    Ok(foreign_keys)
}

/// One index as `STATISTICS` describes it.
struct IndexRows {
    unique: bool,
    /// `BTREE`, `HASH`, `FULLTEXT`, `SPATIAL` or `RTREE`, upper case.
    index_type: String,
    comment: String,
    hidden: bool,
    parts: Vec<PartRow>,
}

/// One key part of an index as `STATISTICS` describes it.
struct PartRow {
    column: Option<String>,
    /// The expression of a MySQL 8 functional key part.
    expression: Option<String>,
    descending: bool,
    prefix: Option<u32>,
}

/// Adds the primary keys and indexes to their tables, leaving out the indexes InnoDB made by
/// itself for a foreign key.
fn add_indexes(
    schema: &mut Schema,
    rows: &[QueryResult],
    engines: &HashMap<String, String>,
    foreign_keys: &BTreeMap<(String, String), ForeignKey>,
    server: Server,
) -> Result<()> {
    let mut indexes: BTreeMap<(String, String), IndexRows> = BTreeMap::new();
    for row in rows {
        let table_name: String = get(row, "table_name")?;
        let index_name: String = get(row, "index_name")?;
        let non_unique: i64 = get(row, "non_unique")?;
        let index_type: Option<String> = get(row, "index_type")?;
        let comment: Option<String> = get(row, "index_comment")?;
        let hidden: Option<String> = get(row, "hidden")?;
        let order: Option<String> = get(row, "part_order")?;
        let sub_part: Option<i64> = get(row, "sub_part")?;
        let index = indexes
            .entry((table_name, index_name))
            .or_insert_with(|| IndexRows {
                unique: non_unique == 0,
                index_type: index_type.unwrap_or_default().to_ascii_uppercase(),
                comment: comment.unwrap_or_default(),
                hidden: hidden.is_some_and(|h| h.eq_ignore_ascii_case("YES")),
                parts: Vec::new(),
            });
        index.parts.push(PartRow {
            column: get(row, "column_name")?,
            expression: get(row, "expression")?,
            descending: order.is_some_and(|o| o.eq_ignore_ascii_case("D")),
            prefix: sub_part.and_then(|n| u32::try_from(n).ok()),
        });
    }

    for ((table_name, name), rows) in indexes {
        let Some(table) = schema.tables.get_mut(&table_name) else {
            continue;
        };
        if name == "PRIMARY" {
            table.primary_key = rows.parts.iter().filter_map(|p| p.column.clone()).collect();
            continue;
        }
        let engine = engines
            .get(&table_name)
            .map(String::as_str)
            .unwrap_or_default();
        let index = index_of(&table_name, name, &rows, engine, server)?;
        if !is_implicit_fk_index(&index, &table_name, foreign_keys) {
            table.indexes.push(index);
        }
    }
    Ok(())
}

/// The IR of one index, with a `CREATE INDEX` statement that recreates it exactly.
fn index_of(
    table: &str,
    name: String,
    rows: &IndexRows,
    engine: &str,
    server: Server,
) -> Result<Index> {
    let method = match rows.index_type.as_str() {
        "FULLTEXT" => Some("fulltext"),
        "SPATIAL" => Some("spatial"),
        _ => None,
    };
    let parts = rows
        .parts
        .iter()
        .map(|part| {
            let key = match (&part.column, &part.expression) {
                (Some(column), _) => IndexKey::Column(column.clone()),
                (None, Some(sql)) => IndexKey::Expression(expression(DbBackend::MySql, sql)),
                (None, None) => {
                    return Err(Error::Database(format!(
                        "index {name} on {table}: the catalog gives a key part with neither a column nor an expression"
                    )));
                }
            };
            Ok(IndexPart {
                key,
                descending: part.descending,
                nulls_first: None,
                opclass: None,
                // A spatial index reports the size of its bounding box as a prefix; it is not one.
                prefix: part.prefix.filter(|_| method != Some("spatial")),
                collation: None,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let index = Index {
        name,
        parts,
        unique: rows.unique,
        constraint: false,
        method: method.map(str::to_owned),
        ..Index::on_columns::<&str>(&[], false)
    };
    let definition = index_definition(table, &index, rows, engine, server);
    Ok(Index {
        definition: Verbatim::of(definition),
        ..index
    })
}

/// `CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX name ON table (parts) [USING type] [COMMENT '...']
/// [IGNORED|INVISIBLE]` for `index`, read from `rows`.
///
/// The index type is written only where it is not what the statement gives by itself: a
/// B-tree on a MEMORY table (whose default is HASH). A HASH index elsewhere is MariaDB's way of
/// enforcing a UNIQUE key on a long column, which `CREATE UNIQUE INDEX` chooses again by itself;
/// InnoDB ignores a `USING HASH` written for anything else.
fn index_definition(
    table: &str,
    index: &Index,
    rows: &IndexRows,
    engine: &str,
    server: Server,
) -> String {
    let id = |name: &str| quote::ident(DbBackend::MySql, name);
    let kind = match (index.method.as_deref(), index.unique) {
        (Some("fulltext"), _) => "FULLTEXT ",
        (Some("spatial"), _) => "SPATIAL ",
        (_, true) => "UNIQUE ",
        (_, false) => "",
    };
    let parts: Vec<String> = index
        .parts
        .iter()
        .map(|part| {
            let mut text = match &part.key {
                IndexKey::Column(name) => id(name),
                IndexKey::Expression(e) => format!("({})", e.sql),
            };
            if let Some(prefix) = part.prefix {
                text.push_str(&format!("({prefix})"));
            }
            if part.descending {
                text.push_str(" DESC");
            }
            text
        })
        .collect();
    let mut sql = format!(
        "CREATE {kind}INDEX {} ON {} ({})",
        id(&index.name),
        id(table),
        parts.join(", ")
    );
    let memory = engine.eq_ignore_ascii_case("MEMORY") || engine.eq_ignore_ascii_case("HEAP");
    if memory && rows.index_type == "BTREE" {
        sql.push_str(" USING BTREE");
    }
    if !rows.comment.is_empty() {
        sql.push_str(&format!(
            " COMMENT {}",
            quote::string(DbBackend::MySql, &rows.comment)
        ));
    }
    if rows.hidden {
        sql.push(' ');
        sql.push_str(server.hidden_keyword());
    }
    sql
}

/// Adds the triggers to their tables.
fn add_triggers(schema: &mut Schema, rows: &[QueryResult]) -> Result<()> {
    for row in rows {
        let table_name: String = get(row, "table_name")?;
        let name: String = get(row, "trigger_name")?;
        let timing: String = get(row, "timing")?;
        let event: String = get(row, "event")?;
        let body: String = get(row, "body")?;
        if let Some(table) = schema.tables.get_mut(&table_name) {
            let definition = trigger_definition(&table_name, &name, &timing, &event, &body);
            table.triggers.push(Trigger {
                name,
                definition: Verbatim::of(definition),
            });
        }
    }
    Ok(())
}

/// `CREATE TRIGGER name timing event ON table FOR EACH ROW body`. The definer is left out, so
/// that the trigger is recreated as the user who runs the migration; so is the order among
/// triggers of the same timing and event (`FOLLOWS`), which would name a trigger that may not
/// exist yet when several are recreated.
fn trigger_definition(table: &str, name: &str, timing: &str, event: &str, body: &str) -> String {
    format!(
        "CREATE TRIGGER {} {} {} ON {} FOR EACH ROW {}",
        quote::ident(DbBackend::MySql, name),
        timing.to_ascii_uppercase(),
        event.to_ascii_uppercase(),
        quote::ident(DbBackend::MySql, table),
        body.trim()
    )
}

/// Adds the views.
fn add_views(schema: &mut Schema, rows: &[QueryResult], database: &str) -> Result<()> {
    for row in rows {
        let name: String = get(row, "view_name")?;
        let body: Option<String> = get(row, "body")?;
        let check_option: Option<String> = get(row, "check_option")?;
        let security: Option<String> = get(row, "security")?;
        let algorithm: Option<String> = get(row, "algorithm")?;
        // MySQL shows an empty definition to a user without the SHOW VIEW privilege: the view
        // is known, its definition is not.
        let definition = body.filter(|b| !b.trim().is_empty()).map(|body| {
            view_definition(
                &name,
                &unqualified(&body, database),
                algorithm.as_deref().unwrap_or_default(),
                security.as_deref().unwrap_or_default(),
                check_option.as_deref().unwrap_or_default(),
            )
        });
        schema.views.insert(
            name.clone(),
            View {
                name,
                definition: Verbatim(definition),
            },
        );
    }
    Ok(())
}

/// `CREATE [ALGORITHM = a] [SQL SECURITY INVOKER] VIEW name AS body [WITH ... CHECK OPTION]`,
/// each option written only when it is not the default. The definer is left out, as for
/// triggers.
fn view_definition(
    name: &str,
    body: &str,
    algorithm: &str,
    security: &str,
    check_option: &str,
) -> String {
    let mut sql = String::from("CREATE ");
    let algorithm = algorithm.trim().to_ascii_uppercase();
    if !algorithm.is_empty() && algorithm != "UNDEFINED" {
        sql.push_str(&format!("ALGORITHM = {algorithm} "));
    }
    if security.trim().eq_ignore_ascii_case("INVOKER") {
        sql.push_str("SQL SECURITY INVOKER ");
    }
    sql.push_str(&format!(
        "VIEW {} AS {}",
        quote::ident(DbBackend::MySql, name),
        body.trim()
    ));
    let check_option = check_option.trim().to_ascii_uppercase();
    if matches!(check_option.as_str(), "CASCADED" | "LOCAL") {
        sql.push_str(&format!(" WITH {check_option} CHECK OPTION"));
    }
    sql
}

/// `body` without the `` `database`. `` qualifier that `information_schema.VIEWS` puts before
/// every table of the current database, so that the view can be recreated in a database of
/// another name (a copy, a test database). Only identifier tokens are touched: a string that
/// holds the same text stays. Text the lexer rejects is returned as it is.
fn unqualified(body: &str, database: &str) -> String {
    let Ok(tokens) = tokenize(body, Dialect::MySql) else {
        return body.to_owned();
    };
    let mut out = String::with_capacity(body.len());
    let mut copied = 0;
    for pair in tokens.windows(2) {
        let is_database = match &pair[0].kind {
            TokenKind::QuotedIdent(name) => name == database,
            TokenKind::Word => pair[0].text == database,
            _ => false,
        };
        if is_database && pair[1].is(".") && pair[0].span.start >= copied {
            out.push_str(&body[copied..pair[0].span.start]);
            copied = pair[1].span.end;
        }
    }
    out.push_str(&body[copied..]);
    out
}

/// The placeholders of the exclusion list shared by every catalog query (`None` when nothing
/// is excluded), and the values bound to the placeholders: the database name first, then one
/// per excluded table.
fn scope(database: &str, exclude_tables: &[String]) -> (Option<String>, Vec<Value>) {
    let mut values = vec![Value::from(database.to_owned())];
    if exclude_tables.is_empty() {
        return (None, values);
    }
    values.extend(exclude_tables.iter().map(|name| Value::from(name.clone())));
    (Some(vec!["?"; exclude_tables.len()].join(", ")), values)
}

/// Runs one catalog query.
async fn query(
    db: &impl ConnectionTrait,
    sql: String,
    values: Vec<Value>,
) -> Result<Vec<QueryResult>> {
    db.query_all_raw(Statement::from_sql_and_values(
        DbBackend::MySql,
        sql,
        values,
    ))
    .await
    .map_err(query_error)
}

/// Reads one column of a catalog row.
fn get<T: TryGetable>(row: &QueryResult, column: &str) -> Result<T> {
    row.try_get("", column).map_err(query_error)
}

/// A comment, `None` when empty (MySQL stores "no comment" as the empty string).
fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|text| !text.is_empty())
}

/// The column a MariaDB check clause validates as JSON: `json_valid(`col`)` gives `col`.
fn json_valid_column(clause: &str) -> Option<String> {
    let clause = clause.trim();
    let open = clause.find('(')?;
    if !clause[..open].trim().eq_ignore_ascii_case("json_valid") {
        return None;
    }
    let inner = clause[open + 1..].strip_suffix(')')?.trim();
    let name = inner.strip_prefix('`')?.strip_suffix('`')?;
    // A backtick inside a quoted identifier is doubled; any lone one means more than one
    // identifier, i.e. not a plain column reference.
    if name.replace("``", "").contains('`') {
        return None;
    }
    Some(name.replace("``", "`"))
}

/// The canonical default of a column from the catalog's `COLUMN_DEFAULT` and `EXTRA`.
///
/// MariaDB (10.2.7 and later) writes defaults as SQL: strings quoted (`'x'`), `NULL` for a
/// nullable column without default, functions as `current_timestamp()`. MySQL writes a literal
/// default as its bare value (`x`, `0`) and marks expression defaults with `DEFAULT_GENERATED` in
/// `EXTRA` (8.0; 5.7 marks nothing but only allows `CURRENT_TIMESTAMP`), so its literals are
/// quoted here to reach MariaDB's form; `default_from_sql` then unquotes numbers on numeric
/// columns. The MySQL branch is untested (only MariaDB was available).
fn column_default(ty: &ColumnType, raw: &str, extra: &str, mariadb: bool) -> Option<Default> {
    if mariadb || extra.contains("default_generated") {
        return default_from_sql(DbBackend::MySql, ty, raw);
    }
    let is_now = raw
        .trim()
        .to_ascii_lowercase()
        .starts_with("current_timestamp");
    // Bit defaults come as `b'101'`, already SQL.
    let is_bit_literal = raw.starts_with("b'") && raw.ends_with('\'');
    if is_now || is_bit_literal {
        return default_from_sql(DbBackend::MySql, ty, raw);
    }
    default_from_sql(DbBackend::MySql, ty, &quote_like_mariadb(raw))
}

/// Quotes a bare literal the way MariaDB writes it in `COLUMN_DEFAULT` (observed on 10.11): a
/// quote is doubled, a backslash and the control characters `\n`, `\r`, `\0` are
/// backslash-escaped, anything else (tab, `"` and `\x1a` included) is kept as is.
fn quote_like_mariadb(raw: &str) -> String {
    let mut quoted = String::with_capacity(raw.len() + 2);
    quoted.push('\'');
    for c in raw.chars() {
        match c {
            '\'' => quoted.push_str("''"),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\0' => quoted.push_str("\\0"),
            c => quoted.push(c),
        }
    }
    quoted.push('\'');
    quoted
}

/// A foreign key rule as the IR's action. InnoDB treats RESTRICT and NO ACTION alike and reports
/// RESTRICT when no rule was given, so both are `NoAction`.
fn action(rule: &str) -> Action {
    match rule.to_ascii_uppercase().as_str() {
        "CASCADE" => Action::Cascade,
        "SET NULL" => Action::SetNull,
        "SET DEFAULT" => Action::SetDefault,
        _ => Action::NoAction,
    }
}

/// Whether `index` is the one InnoDB created by itself for a foreign key of `table`: when a
/// foreign key's columns are not the leading columns of any index, InnoDB adds a non-unique index
/// named like the constraint. Nobody declared it, so reporting it would read as "index dropped".
fn is_implicit_fk_index(
    index: &Index,
    table: &str,
    foreign_keys: &BTreeMap<(String, String), ForeignKey>,
) -> bool {
    !index.unique
        && foreign_keys
            .get(&(table.to_owned(), index.name.clone()))
            .is_some_and(|key| key.columns.iter().map(String::as_str).eq(index.columns()))
}

/// Parses a MySQL/MariaDB column type into the IR.
///
/// Accepts both the catalog's `COLUMN_TYPE` (`int(11)`, `tinyint(1)`, `decimal(10,2)`,
/// `int(10) unsigned`, `enum('a','b')`) and sea-query's MySQL spelling of an entity type (`int`,
/// `bool`, `decimal(10, 2)`, `int UNSIGNED`, `ENUM('a', 'b')`), and gives both the same value:
/// integer display widths are ignored, `tinyint(1)` is the boolean, `decimal` without precision
/// is `decimal(10,0)`, `char` is `char(1)`, every `*text` is text and every `*blob` is a blob.
/// MariaDB's JSON (`longtext` plus a check) is recognised by the caller, not here. Anything else
/// becomes [`ColumnType::Other`], lower-cased with white space collapsed and display widths
/// removed where they carry no meaning.
pub(crate) fn parse_type(text: &str) -> ColumnType {
    // Enum values keep their case and spaces, so enums are recognised first, as written.
    if let Some(values) = enum_values(text.trim()) {
        return ColumnType::Enum {
            name: String::new(),
            values,
        };
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase();
    let other = || ColumnType::Other(text.clone());
    // `name(args) suffix`, e.g. `int(10) unsigned`: the name is what surrounds the parentheses.
    let (name, args) = match (text.find('('), text.rfind(')')) {
        (Some(open), Some(close)) if open < close => {
            let args: Option<Vec<u32>> = text[open + 1..close]
                .split(',')
                .map(|arg| arg.trim().parse().ok())
                .collect();
            let Some(args) = args else {
                return other();
            };
            let name = format!("{} {}", text[..open].trim(), text[close + 1..].trim());
            (name.trim().to_owned(), args)
        }
        (None, None) => (text.clone(), Vec::new()),
        _ => return other(),
    };
    match (name.as_str(), args.as_slice()) {
        // sea-query writes `bool`, the catalog `tinyint(1)`; MySQL 8 keeps that one display
        // width while dropping all others.
        ("bool" | "boolean", []) | ("tinyint", [1]) => ColumnType::Boolean,
        ("tinyint", [] | [_]) => ColumnType::TinyInt,
        ("smallint", [] | [_]) => ColumnType::SmallInt,
        ("int" | "integer", [] | [_]) => ColumnType::Integer,
        ("bigint", [] | [_]) => ColumnType::BigInt,
        ("tinyint unsigned", [] | [_]) => ColumnType::TinyUnsigned,
        ("smallint unsigned", [] | [_]) => ColumnType::SmallUnsigned,
        ("int unsigned" | "integer unsigned", [] | [_]) => ColumnType::Unsigned,
        ("bigint unsigned", [] | [_]) => ColumnType::BigUnsigned,
        // No IR variant, but the width still must not make MariaDB and MySQL differ.
        ("mediumint" | "mediumint unsigned", [_]) => ColumnType::Other(name.clone()),
        ("float", []) => ColumnType::Float,
        ("double" | "double precision", []) => ColumnType::Double,
        ("decimal" | "numeric" | "dec" | "fixed", []) => ColumnType::Decimal(Some((10, 0))),
        ("decimal" | "numeric" | "dec" | "fixed", [precision]) => {
            ColumnType::Decimal(Some((*precision, 0)))
        }
        ("decimal" | "numeric" | "dec" | "fixed", [precision, scale]) => {
            ColumnType::Decimal(Some((*precision, *scale)))
        }
        ("char" | "character", []) => ColumnType::Char(Some(1)),
        ("char" | "character", [length]) => ColumnType::Char(Some(*length)),
        // MySQL requires a length; a bare `varchar` only comes from hand-written text.
        ("varchar" | "character varying", []) => ColumnType::Varchar(None),
        ("varchar" | "character varying", [length]) => ColumnType::Varchar(Some(*length)),
        // `text(n)` is stored as the smallest text type that holds n, which the IR does not
        // distinguish either.
        ("tinytext" | "mediumtext" | "longtext", []) | ("text", [] | [_]) => ColumnType::Text,
        ("json", []) => ColumnType::Json,
        ("date", []) => ColumnType::Date,
        // Fractional-second precision 0 is the default; any other precision is kept as Other,
        // which the IR's date-time variants cannot carry.
        ("time", [] | [0]) => ColumnType::Time,
        ("datetime", [] | [0]) => ColumnType::Timestamp,
        // MySQL's `timestamp` is stored in UTC and converted to the session time zone.
        ("timestamp", [] | [0]) => ColumnType::TimestampTz,
        ("binary", []) => ColumnType::Binary(1),
        ("binary", [length]) => ColumnType::Binary(*length),
        ("varbinary", [length]) => ColumnType::VarBinary(Some(*length)),
        ("varbinary", []) => ColumnType::VarBinary(None),
        ("tinyblob" | "mediumblob" | "longblob", []) | ("blob", [] | [_]) => ColumnType::Blob,
        // MariaDB reports `year(4)`, MySQL 8 `year`; sea-query writes `year`.
        ("year", [] | [4]) => ColumnType::Other("year".to_owned()),
        // A bare `bit` is `bit(1)`, as the catalog reports it.
        ("bit", []) => ColumnType::Other("bit(1)".to_owned()),
        _ => other(),
    }
}

/// The values of `enum('a','b')` in either spelling (the catalog's `enum('a','it''s')` or
/// sea-query's `ENUM('a', 'b')`); `None` when `text` is not an enum. The catalog escapes values
/// as MySQL string literals (`''`, and `\n`, `\\` for a newline and a backslash), so each is
/// read as one.
fn enum_values(text: &str) -> Option<Vec<String>> {
    use crate::pipeline::parse::Dialect;
    use crate::pipeline::parse::expression::{split_top_level, string_literal};
    let lower = text.to_ascii_lowercase();
    if !lower.starts_with("enum") {
        return None;
    }
    let list = text[4..].trim().strip_prefix('(')?.strip_suffix(')')?;
    split_top_level(list, Dialect::MySql, ',')
        .into_iter()
        .map(|value| value.trim().starts_with('\'').then(|| string_literal(value, Dialect::MySql)).flatten())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::normalize::render_type;
    use sea_orm::sea_query::{self, Alias, ColumnDef, IntoIden, MysqlQueryBuilder, StringLen};

    #[test]
    fn integers_ignore_display_widths() {
        for (text, ty) in [
            ("tinyint(4)", ColumnType::TinyInt),
            ("tinyint", ColumnType::TinyInt),
            ("smallint(6)", ColumnType::SmallInt),
            ("int(11)", ColumnType::Integer),
            ("int", ColumnType::Integer),
            ("integer", ColumnType::Integer),
            ("bigint(20)", ColumnType::BigInt),
            ("tinyint(3) unsigned", ColumnType::TinyUnsigned),
            ("tinyint UNSIGNED", ColumnType::TinyUnsigned),
            ("smallint(5) unsigned", ColumnType::SmallUnsigned),
            ("int(10) unsigned", ColumnType::Unsigned),
            ("int unsigned", ColumnType::Unsigned),
            ("bigint(20) unsigned", ColumnType::BigUnsigned),
            ("BIGINT UNSIGNED", ColumnType::BigUnsigned),
            ("mediumint(9)", ColumnType::Other("mediumint".into())),
            ("mediumint", ColumnType::Other("mediumint".into())),
        ] {
            assert_eq!(parse_type(text), ty, "{text}");
        }
    }

    #[test]
    fn booleans_are_tinyint_1() {
        for text in ["tinyint(1)", "bool", "boolean", "BOOL"] {
            assert_eq!(parse_type(text), ColumnType::Boolean, "{text}");
        }
        // Only the signed one-digit tinyint is MySQL's boolean.
        assert_eq!(parse_type("tinyint(1) unsigned"), ColumnType::TinyUnsigned);
    }

    #[test]
    fn numbers_text_and_time() {
        for (text, ty) in [
            ("float", ColumnType::Float),
            ("double", ColumnType::Double),
            ("decimal(10,2)", ColumnType::Decimal(Some((10, 2)))),
            ("decimal(10, 2)", ColumnType::Decimal(Some((10, 2)))),
            ("decimal", ColumnType::Decimal(Some((10, 0)))),
            ("decimal(10,0)", ColumnType::Decimal(Some((10, 0)))),
            ("decimal(12)", ColumnType::Decimal(Some((12, 0)))),
            ("char(3)", ColumnType::Char(Some(3))),
            ("char", ColumnType::Char(Some(1))),
            ("varchar(255)", ColumnType::Varchar(Some(255))),
            ("text", ColumnType::Text),
            ("tinytext", ColumnType::Text),
            ("mediumtext", ColumnType::Text),
            ("longtext", ColumnType::Text),
            ("json", ColumnType::Json),
            ("date", ColumnType::Date),
            ("time", ColumnType::Time),
            ("datetime", ColumnType::Timestamp),
            ("timestamp", ColumnType::TimestampTz),
            ("datetime(6)", ColumnType::Other("datetime(6)".into())),
            ("binary(16)", ColumnType::Binary(16)),
            ("binary", ColumnType::Binary(1)),
            ("varbinary(255)", ColumnType::VarBinary(Some(255))),
            ("blob", ColumnType::Blob),
            ("tinyblob", ColumnType::Blob),
            ("mediumblob", ColumnType::Blob),
            ("longblob", ColumnType::Blob),
            ("year(4)", ColumnType::Other("year".into())),
            ("year", ColumnType::Other("year".into())),
            ("bit", ColumnType::Other("bit(1)".into())),
            ("bit(1)", ColumnType::Other("bit(1)".into())),
            ("SET('a','b')", ColumnType::Other("set('a','b')".into())),
            ("geometry", ColumnType::Other("geometry".into())),
            ("float(7,3)", ColumnType::Other("float(7,3)".into())),
            (
                "int(10) unsigned zerofill",
                ColumnType::Other("int(10) unsigned zerofill".into()),
            ),
        ] {
            assert_eq!(parse_type(text), ty, "{text}");
        }
    }

    #[test]
    fn enums_keep_values_and_case() {
        let expected = ColumnType::Enum {
            name: String::new(),
            values: vec!["Draft".into(), "it's".into(), "a, b".into()],
        };
        assert_eq!(parse_type("enum('Draft','it''s','a, b')"), expected);
        assert_eq!(parse_type("ENUM('Draft', 'it''s', 'a, b')"), expected);
        assert_eq!(
            parse_type("enum('')"),
            ColumnType::Enum {
                name: String::new(),
                values: vec![String::new()]
            }
        );
        assert!(matches!(parse_type("enum('a'"), ColumnType::Other(_)));
    }

    #[test]
    fn json_checks_name_their_column() {
        assert_eq!(json_valid_column("json_valid(`data`)"), Some("data".into()));
        assert_eq!(
            json_valid_column("JSON_VALID( `a``b` )"),
            Some("a`b".into())
        );
        assert_eq!(json_valid_column("json_valid(`a`) and `b` > 0"), None);
        assert_eq!(json_valid_column("`price` > 0"), None);
    }

    #[test]
    fn mysql_literal_defaults_match_mariadb_ones() {
        let varchar = ColumnType::Varchar(Some(10));
        let string = |s: &str| Some(Default::String(s.into()));
        assert_eq!(column_default(&varchar, "'x'", "", true), string("x"));
        assert_eq!(column_default(&varchar, "x", "", false), string("x"));
        assert_eq!(column_default(&varchar, "it's", "", false), string("it's"));
        assert_eq!(
            column_default(&varchar, "'a\\\\b\\n'", "", true),
            string("a\\b\n")
        );
        assert_eq!(
            column_default(&varchar, "a\\b\n", "", false),
            string("a\\b\n")
        );
        assert_eq!(column_default(&varchar, "NULL", "", true), None);
        // On MySQL, `NULL` text is the string: no default is SQL NULL.
        assert_eq!(column_default(&varchar, "NULL", "", false), string("NULL"));
        let decimal = ColumnType::Decimal(Some((10, 2)));
        assert_eq!(
            column_default(&decimal, "0.00", "", true),
            Some(Default::Number("0".into()))
        );
        assert_eq!(
            column_default(&decimal, "0.00", "", false),
            Some(Default::Number("0".into()))
        );
        assert_eq!(
            column_default(&ColumnType::Boolean, "1", "", true),
            Some(Default::Bool(true))
        );
        assert_eq!(
            column_default(&ColumnType::Boolean, "1", "", false),
            Some(Default::Bool(true))
        );
        let ts = ColumnType::TimestampTz;
        assert_eq!(
            column_default(&ts, "current_timestamp()", "", true),
            Some(Default::CurrentTimestamp)
        );
        assert_eq!(
            column_default(&ts, "CURRENT_TIMESTAMP", "default_generated", false),
            Some(Default::CurrentTimestamp)
        );
        assert_eq!(
            column_default(&ts, "CURRENT_TIMESTAMP", "", false),
            Some(Default::CurrentTimestamp)
        );
    }

    #[test]
    fn versions_decide_the_catalog_columns() {
        let maria = Server::from_version("10.11.6-MariaDB-0+deb12u1");
        assert_eq!(
            maria,
            Server {
                mariadb: true,
                version: (10, 11, 6)
            }
        );
        assert!(maria.statistics_columns().contains("t.IGNORED"));
        assert_eq!(maria.checks_query(), Some(MARIADB_CHECKS));
        let old_maria = Server::from_version("10.5.23-MariaDB");
        assert!(!old_maria.statistics_columns().contains("IGNORED"));
        let mysql = Server::from_version("8.0.36-0ubuntu0.22.04.1");
        assert_eq!(
            mysql,
            Server {
                mariadb: false,
                version: (8, 0, 36)
            }
        );
        assert!(mysql.statistics_columns().contains("t.EXPRESSION"));
        assert_eq!(mysql.checks_query(), Some(MYSQL_CHECKS));
        assert!(!mysql.view_columns().contains("ALGORITHM"));
        let old_mysql = Server::from_version("8.0.12");
        assert!(!old_mysql.statistics_columns().contains("EXPRESSION"));
        assert_eq!(old_mysql.checks_query(), None);
        assert_eq!(Server::from_version("garbage").version, (0, 0, 0));
    }

    fn index_rows(index_type: &str, parts: Vec<PartRow>) -> IndexRows {
        IndexRows {
            unique: false,
            index_type: index_type.into(),
            comment: String::new(),
            hidden: false,
            parts,
        }
    }

    fn part(column: &str, descending: bool, prefix: Option<u32>) -> PartRow {
        PartRow {
            column: Some(column.into()),
            expression: None,
            descending,
            prefix,
        }
    }

    #[test]
    fn index_definitions_say_what_the_catalog_holds() {
        let maria = Server::from_version("10.11.6-MariaDB");
        let rows = IndexRows {
            comment: "it's".into(),
            hidden: true,
            ..index_rows(
                "BTREE",
                vec![part("ti`tle", false, Some(10)), part("at", true, None)],
            )
        };
        let index = index_of("my table", "ix".into(), &rows, "InnoDB", maria).unwrap();
        assert_eq!(index.parts[0].prefix, Some(10));
        assert!(index.parts[1].descending);
        assert_eq!(index.method, None);
        assert_eq!(
            index.definition.text(),
            Some(
                "CREATE INDEX `ix` ON `my table` (`ti``tle`(10), `at` DESC) COMMENT 'it''s' IGNORED"
            )
        );
        let mysql = Server::from_version("8.0.36");
        assert!(
            index_of("t", "ix".into(), &rows, "InnoDB", mysql)
                .unwrap()
                .definition
                .text()
                .unwrap()
                .ends_with(" INVISIBLE")
        );

        // A spatial index's SUB_PART is the size of its bounding box, not a prefix.
        let spatial = index_of(
            "t",
            "sp".into(),
            &index_rows("SPATIAL", vec![part("geo", false, Some(32))]),
            "InnoDB",
            maria,
        )
        .unwrap();
        assert_eq!(spatial.method.as_deref(), Some("spatial"));
        assert_eq!(spatial.parts[0].prefix, None);
        assert_eq!(
            spatial.definition.text(),
            Some("CREATE SPATIAL INDEX `sp` ON `t` (`geo`)")
        );
        let fulltext = index_of(
            "t",
            "ft".into(),
            &index_rows("FULLTEXT", vec![part("body", false, None)]),
            "InnoDB",
            maria,
        )
        .unwrap();
        assert_eq!(
            fulltext.definition.text(),
            Some("CREATE FULLTEXT INDEX `ft` ON `t` (`body`)")
        );

        // MariaDB enforces a long UNIQUE with a hash that `CREATE UNIQUE INDEX` picks again.
        let long = IndexRows {
            unique: true,
            ..index_rows("HASH", vec![part("body", false, None)])
        };
        let long = index_of("t", "uq".into(), &long, "InnoDB", maria).unwrap();
        assert_eq!(long.method, None);
        assert_eq!(
            long.definition.text(),
            Some("CREATE UNIQUE INDEX `uq` ON `t` (`body`)")
        );
        // On a MEMORY table hash is the default and a B-tree is what must be written.
        let memory_hash = index_of(
            "m",
            "a".into(),
            &index_rows("HASH", vec![part("a", false, None)]),
            "MEMORY",
            maria,
        )
        .unwrap();
        assert_eq!(
            memory_hash.definition.text(),
            Some("CREATE INDEX `a` ON `m` (`a`)")
        );
        let memory_btree = index_of(
            "m",
            "b".into(),
            &index_rows("BTREE", vec![part("b", false, None)]),
            "MEMORY",
            maria,
        )
        .unwrap();
        assert_eq!(
            memory_btree.definition.text(),
            Some("CREATE INDEX `b` ON `m` (`b`) USING BTREE")
        );
        assert_eq!(memory_btree.method, None);

        // MySQL 8 functional key parts.
        let functional = index_rows(
            "BTREE",
            vec![PartRow {
                column: None,
                expression: Some("lower(`email`)".into()),
                descending: true,
                prefix: None,
            }],
        );
        let functional =
            index_of("users", "ix_lower".into(), &functional, "InnoDB", mysql).unwrap();
        assert_eq!(
            functional.parts[0].key,
            IndexKey::Expression(expression(DbBackend::MySql, "LOWER(email)"))
        );
        assert_eq!(
            functional.definition.text(),
            Some("CREATE INDEX `ix_lower` ON `users` ((lower(`email`)) DESC)")
        );
        let broken = index_rows(
            "BTREE",
            vec![PartRow {
                column: None,
                expression: None,
                descending: false,
                prefix: None,
            }],
        );
        assert!(index_of("t", "ix".into(), &broken, "InnoDB", mysql).is_err());
    }

    #[test]
    fn trigger_and_view_definitions_are_complete_statements() {
        assert_eq!(
            trigger_definition("order items", "trg`bi", "before", "insert", "SET NEW.a = 1"),
            "CREATE TRIGGER `trg``bi` BEFORE INSERT ON `order items` FOR EACH ROW SET NEW.a = 1"
        );
        assert_eq!(
            view_definition("v", "select 1 AS `a`", "UNDEFINED", "DEFINER", "NONE"),
            "CREATE VIEW `v` AS select 1 AS `a`"
        );
        assert_eq!(
            view_definition("v", "select 1 AS `a`", "MERGE", "INVOKER", "LOCAL"),
            "CREATE ALGORITHM = MERGE SQL SECURITY INVOKER VIEW `v` AS select 1 AS `a` WITH LOCAL CHECK OPTION"
        );
        assert_eq!(
            view_definition("v", "select 1", "", "", "CASCADED"),
            "CREATE VIEW `v` AS select 1 WITH CASCADED CHECK OPTION"
        );
    }

    #[test]
    fn views_lose_the_current_database_qualifier_only() {
        assert_eq!(
            unqualified(
                "select `app`.`t`.`a` AS `a`,'`app`.x' AS `s` from `app`.`t` join `other`.`u`",
                "app"
            ),
            "select `t`.`a` AS `a`,'`app`.x' AS `s` from `t` join `other`.`u`"
        );
        assert_eq!(
            unqualified("select app.t.a from app.t", "app"),
            "select t.a from t"
        );
        // A column named like the database is left alone when no dot follows.
        assert_eq!(
            unqualified("select `app` from `app`.`t`", "app"),
            "select `app` from `t`"
        );
        assert_eq!(
            unqualified("select 'unterminated", "app"),
            "select 'unterminated"
        );
    }

    #[test]
    fn rules_map_to_actions() {
        assert_eq!(action("RESTRICT"), Action::NoAction);
        assert_eq!(action("NO ACTION"), Action::NoAction);
        assert_eq!(action("CASCADE"), Action::Cascade);
        assert_eq!(action("SET NULL"), Action::SetNull);
        assert_eq!(action("SET DEFAULT"), Action::SetDefault);
    }

    /// Every column type a SeaORM entity can declare that MySQL supports, with a column name.
    fn entity_types() -> Vec<(&'static str, sea_query::ColumnType)> {
        use sea_query::ColumnType as T;
        vec![
            ("char_n", T::Char(Some(3))),
            ("char_none", T::Char(None)),
            ("string_n", T::String(StringLen::N(40))),
            ("string_none", T::String(StringLen::None)),
            ("text", T::Text),
            ("tiny_integer", T::TinyInteger),
            ("small_integer", T::SmallInteger),
            ("integer", T::Integer),
            ("big_integer", T::BigInteger),
            ("tiny_unsigned", T::TinyUnsigned),
            ("small_unsigned", T::SmallUnsigned),
            ("unsigned", T::Unsigned),
            ("big_unsigned", T::BigUnsigned),
            ("float", T::Float),
            ("double", T::Double),
            ("decimal_some", T::Decimal(Some((12, 3)))),
            ("decimal_none", T::Decimal(None)),
            ("date_time", T::DateTime),
            ("timestamp", T::Timestamp),
            ("timestamp_tz", T::TimestampWithTimeZone),
            ("time", T::Time),
            ("date", T::Date),
            ("binary", T::Binary(8)),
            ("var_binary", T::VarBinary(StringLen::N(64))),
            ("blob", T::Blob),
            ("boolean", T::Boolean),
            ("json", T::Json),
            ("json_binary", T::JsonBinary),
            ("uuid", T::Uuid),
            (
                "enum",
                T::Enum {
                    name: Alias::new("status").into_iden(),
                    variants: vec![
                        Alias::new("Draft").into_iden(),
                        Alias::new("done").into_iden(),
                    ],
                },
            ),
        ]
    }

    #[test]
    fn sea_query_spellings_parse_to_the_stored_types() {
        for (name, ty) in entity_types() {
            let text = render_type(DbBackend::MySql, &ty);
            let parsed = parse_type(&text);
            assert!(
                !matches!(parsed, ColumnType::Other(_)),
                "{name}: {text} -> {parsed:?}"
            );
        }
    }

    /// Creates a table with every entity type through sea-orm and checks that inspection reads
    /// back exactly what `parse_type` makes of sea-query's spelling of each type.
    #[tokio::test]
    async fn inspected_types_match_sea_query_spellings() {
        use sea_orm::sea_query::Table as SqTable;

        let base = std::env::var("TEST_MYSQL_URL")
            .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_owned());
        let server = match connect(&base).await {
            Ok(db) => db,
            Err(e) if std::env::var_os("CI").is_none() => {
                println!("skipped: MySQL server at {base} unreachable: {e}");
                return;
            }
            Err(e) => panic!("MySQL server at {base} unreachable: {e}"),
        };
        let name = format!("autogen_inspect_types_{}", std::process::id());
        exec(&server, &format!("DROP DATABASE IF EXISTS `{name}`")).await;
        exec(&server, &format!("CREATE DATABASE `{name}`")).await;
        let db = connect(&format!("{}/{name}", base.trim_end_matches('/')))
            .await
            .expect("connect to the test database");

        let mut create = SqTable::create();
        create.table(Alias::new("all_types")).col(
            ColumnDef::new(Alias::new("id"))
                .integer()
                .not_null()
                .primary_key(),
        );
        for (column, ty) in entity_types() {
            create.col(ColumnDef::new_with_type(Alias::new(column).into_iden(), ty));
        }
        exec(&db, &create.to_string(MysqlQueryBuilder)).await;
        let result = super::super::inspect(&db, &InspectOptions::default()).await;
        exec(&server, &format!("DROP DATABASE `{name}`")).await;

        let schema = result.expect("inspect");
        let table = &schema.tables["all_types"];
        for (column, ty) in entity_types() {
            let expected = parse_type(&render_type(DbBackend::MySql, &ty));
            let got = &table.column(column).expect("column exists").ty;
            assert_eq!(got, &expected, "{column}: {ty:?}");
        }
    }

    async fn connect(url: &str) -> std::result::Result<DatabaseConnection, sea_orm::DbErr> {
        let mut options = sea_orm::ConnectOptions::new(url);
        options
            .connect_timeout(std::time::Duration::from_secs(5))
            .acquire_timeout(std::time::Duration::from_secs(5))
            .max_connections(2)
            .sqlx_logging(false);
        sea_orm::Database::connect(options).await
    }

    async fn exec(db: &DatabaseConnection, sql: &str) {
        db.execute_unprepared(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}
