//! Inspection stage, MySQL and MariaDB: reads the current database's tables, columns, keys,
//! indexes and comments from `information_schema` into the schema IR.
//!
//! Every fact comes from a fixed set of bulk queries whatever the number of tables: one for the
//! database name and server flavour, then [`TABLES`], [`COLUMNS`], [`STATISTICS`],
//! [`FOREIGN_KEYS`], [`FOREIGN_KEY_RULES`] and, on MariaDB only, [`CHECKS`]. Each restricts itself to the current
//! database minus the excluded tables, so excluded tables are never read beyond their name.
//!
//! MySQL and MariaDB report some facts differently (how defaults are quoted, how JSON is
//! stored, integer display widths); the differences are resolved here so that both servers give
//! the same IR for the same `CREATE TABLE`. Only MariaDB 10.11 was tested; the MySQL 8 paths
//! are written from its documentation and marked as such.

use std::collections::{BTreeMap, HashSet};

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, QueryResult, Statement, TransactionTrait,
    TryGetable, Value,
};

use super::{InspectOptions, query_error};
use crate::pipeline::normalize::default_from_sql;
use crate::pipeline::schema::{Action, Column, ColumnType, Default, ForeignKey, Index, Schema, Table};
use crate::{Error, Result};

/// The current database and whether the server is MariaDB (its `VERSION()` says so, e.g.
/// `10.11.6-MariaDB-0+deb12u1`; MySQL's never does).
const SERVER: &str = "SELECT CAST(DATABASE() AS CHAR) AS db, CAST(VERSION() AS CHAR) AS version";

/// Base tables and their comments. MariaDB's system-versioned tables are base tables too; views
/// and sequences are not tables of the schema.
const TABLES: &str = "
SELECT CAST(t.TABLE_NAME AS CHAR) AS table_name, CAST(t.TABLE_COMMENT AS CHAR) AS table_comment
FROM information_schema.TABLES t
WHERE t.TABLE_SCHEMA = ? AND t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') {exclude}
ORDER BY t.TABLE_NAME";

/// Columns in declared order. Views' columns come too and are dropped when matched to tables:
/// filtering them here would mean a join on `TABLES`, which MariaDB answers by opening every
/// table's definition a second time.
const COLUMNS: &str = "
SELECT CAST(t.TABLE_NAME AS CHAR) AS table_name, CAST(t.COLUMN_NAME AS CHAR) AS column_name,
       CAST(t.COLUMN_TYPE AS CHAR) AS column_type, CAST(t.IS_NULLABLE AS CHAR) AS is_nullable,
       CAST(t.COLUMN_DEFAULT AS CHAR) AS column_default, CAST(t.EXTRA AS CHAR) AS extra,
       CAST(t.COLUMN_COMMENT AS CHAR) AS column_comment
FROM information_schema.COLUMNS t
WHERE t.TABLE_SCHEMA = ? {exclude}
ORDER BY t.TABLE_NAME, t.ORDINAL_POSITION";

/// Every index's columns in index order, the primary key included. `COLUMN_NAME` is NULL for an
/// expression part of a MySQL 8 functional index.
const STATISTICS: &str = "
SELECT CAST(t.TABLE_NAME AS CHAR) AS table_name, CAST(t.INDEX_NAME AS CHAR) AS index_name,
       CAST(t.NON_UNIQUE AS SIGNED) AS non_unique, CAST(t.COLUMN_NAME AS CHAR) AS column_name
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

/// MariaDB's check constraints, read only to recognise JSON columns (`longtext` plus
/// `CHECK (json_valid(col))`). MySQL 8 has a native `json` type, and its `CHECK_CONSTRAINTS` has
/// no `TABLE_NAME` column (nor does the view exist before 8.0.16), so it is not queried there.
const CHECKS: &str = "
SELECT CAST(t.TABLE_NAME AS CHAR) AS table_name, CAST(t.CHECK_CLAUSE AS CHAR) AS check_clause
FROM information_schema.CHECK_CONSTRAINTS t
WHERE t.CONSTRAINT_SCHEMA = ? {exclude}";

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
    let mariadb = version.to_ascii_lowercase().contains("mariadb");

    let (exclude, values) = scope(&database, &options.exclude_tables);
    let run = |sql: &str| query(&txn, sql.replace("{exclude}", &exclude), values.clone());
    let table_rows = run(TABLES).await?;
    let column_rows = run(COLUMNS).await?;
    let index_rows = run(STATISTICS).await?;
    let foreign_key_rows = run(FOREIGN_KEYS).await?;
    let rule_rows = run(FOREIGN_KEY_RULES).await?;
    let check_rows = if mariadb {
        run(CHECKS).await?
    } else {
        Vec::new()
    };
    txn.commit().await.map_err(query_error)?;
    Ok(Fetched { mariadb, table_rows, column_rows, index_rows, foreign_key_rows, rule_rows, check_rows })
}

/// The rows of the catalog queries, as [`fetch`] read them.
pub(super) struct Fetched {
    mariadb: bool,
    table_rows: Vec<QueryResult>,
    column_rows: Vec<QueryResult>,
    index_rows: Vec<QueryResult>,
    foreign_key_rows: Vec<QueryResult>,
    rule_rows: Vec<QueryResult>,
    check_rows: Vec<QueryResult>,
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
    }
}

/// Builds the schema IR from the rows [`fetch`] read.
pub(super) fn assemble(fetched: Fetched) -> Result<Schema> {
    let Fetched { mariadb, table_rows, column_rows, index_rows, foreign_key_rows, rule_rows, check_rows } = fetched;
    let mut schema = Schema::default();
    for row in &table_rows {
        let name: String = get(row, "table_name")?;
        let comment: Option<String> = get(row, "table_comment")?;
        schema.tables.insert(
            name.clone(),
            Table {
                name,
                comment: non_empty(comment),
                ..Table::default()
            },
        );
    }

    // (table, column) pairs that carry MariaDB's JSON check.
    let mut json_columns = HashSet::new();
    for row in &check_rows {
        let table_name: String = get(row, "table_name")?;
        let clause: String = get(row, "check_clause")?;
        if let Some(column) = json_valid_column(&clause) {
            json_columns.insert((table_name, column));
        }
    }

    for row in &column_rows {
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
        let extra = extra.unwrap_or_default().to_ascii_lowercase();

        // MariaDB's JSON is an alias of `longtext` with a `json_valid` check on the column.
        let ty = if column_type.eq_ignore_ascii_case("longtext")
            && json_columns.contains(&(table_name.clone(), name.clone()))
        {
            ColumnType::Json
        } else {
            parse_type(&column_type)
        };
        let default = default
            .as_deref()
            .and_then(|raw| column_default(&ty, raw, &extra, mariadb));
        table.columns.push(Column {
            name,
            ty,
            nullable: is_nullable.eq_ignore_ascii_case("YES"),
            default,
            auto_increment: extra.contains("auto_increment"),
            comment: non_empty(comment),
            renamed_from: None,
            generated: None,
        });
    }

    // Indexes by (table, name), their columns collected in SEQ_IN_INDEX order. An index with an
    // expression part (MySQL 8 functional index) cannot be described by the IR, so it is left out
    // rather than reported with a column missing.
    let mut indexes: BTreeMap<(String, String), (Index, bool)> = BTreeMap::new();
    for row in &index_rows {
        let table_name: String = get(row, "table_name")?;
        let index_name: String = get(row, "index_name")?;
        let non_unique: i64 = get(row, "non_unique")?;
        let column: Option<String> = get(row, "column_name")?;
        let (index, expression) = indexes
            .entry((table_name, index_name.clone()))
            .or_insert_with(|| {
                let index = Index {
                    name: index_name,
                    unique: non_unique == 0,
                    // MySQL has no separate unique constraint: both kinds are dropped with DROP
                    // INDEX, so every index is reported as one.
                    constraint: false,
                    ..Index::on_columns::<&str>(&[], false)
                };
                (index, false)
            });
        match column {
            Some(column) => index.parts.push(crate::pipeline::schema::IndexPart::column(column)),
            None => *expression = true,
        }
    }

    let mut foreign_keys: BTreeMap<(String, String), ForeignKey> = BTreeMap::new();
    // (table, key name) -> (ON UPDATE, ON DELETE)
    let mut rules: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    for row in &rule_rows {
        rules.insert(
            (get(row, "table_name")?, get(row, "fk_name")?),
            (get(row, "update_rule")?, get(row, "delete_rule")?),
        );
    }
    for row in &foreign_key_rows {
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

    for ((table_name, _), (index, expression)) in indexes {
        let Some(table) = schema.tables.get_mut(&table_name) else {
            continue;
        };
        if index.name == "PRIMARY" {
            table.primary_key = index.columns().into_iter().map(str::to_owned).collect();
        } else if !expression && !is_implicit_fk_index(&index, &table_name, &foreign_keys) {
            table.indexes.push(index);
        }
    }
    for ((table_name, _), key) in foreign_keys {
        if let Some(table) = schema.tables.get_mut(&table_name) {
            table.foreign_keys.push(key);
        }
    }
    Ok(schema)
}

/// The exclusion clause shared by every catalog query, and the values bound to its
/// placeholders: the database name first, then one per excluded table.
fn scope(database: &str, exclude_tables: &[String]) -> (String, Vec<Value>) {
    let mut values = vec![Value::from(database.to_owned())];
    if exclude_tables.is_empty() {
        return (String::new(), values);
    }
    let placeholders = vec!["?"; exclude_tables.len()].join(", ");
    values.extend(exclude_tables.iter().map(|name| Value::from(name.clone())));
    (format!("AND t.TABLE_NAME NOT IN ({placeholders})"), values)
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
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // Enum values keep their case, so enums are recognised before lower-casing.
    if let Some(values) = enum_values(&text) {
        return ColumnType::Enum {
            name: String::new(),
            values,
        };
    }
    let text = text.to_ascii_lowercase();
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
/// sea-query's `ENUM('a', 'b')`); `None` when `text` is not an enum.
fn enum_values(text: &str) -> Option<Vec<String>> {
    let lower = text.to_ascii_lowercase();
    if !lower.starts_with("enum") {
        return None;
    }
    let list = text[4..].trim().strip_prefix('(')?.strip_suffix(')')?;
    let mut values = Vec::new();
    let mut chars = list.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next()? != '\'' {
            return None;
        }
        let mut value = String::new();
        loop {
            match chars.next()? {
                // A quote inside a value is doubled.
                '\'' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    value.push('\'');
                }
                '\'' => break,
                c => value.push(c),
            }
        }
        values.push(value);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None => return Some(values),
            Some(',') => {}
            Some(_) => return None,
        }
    }
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
        assert_eq!(column_default(&varchar, "'a\\\\b\\n'", "", true), string("a\\b\n"));
        assert_eq!(column_default(&varchar, "a\\b\n", "", false), string("a\\b\n"));
        assert_eq!(column_default(&varchar, "NULL", "", true), None);
        // On MySQL, `NULL` text is the string: no default is SQL NULL.
        assert_eq!(column_default(&varchar, "NULL", "", false), string("NULL"));
        let decimal = ColumnType::Decimal(Some((10, 2)));
        assert_eq!(column_default(&decimal, "0.00", "", true), Some(Default::Number("0".into())));
        assert_eq!(column_default(&decimal, "0.00", "", false), Some(Default::Number("0".into())));
        assert_eq!(column_default(&ColumnType::Boolean, "1", "", true), Some(Default::Bool(true)));
        assert_eq!(column_default(&ColumnType::Boolean, "1", "", false), Some(Default::Bool(true)));
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
