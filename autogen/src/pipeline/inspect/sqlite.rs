//! Inspection of SQLite: reads the main database's tables, columns, indexes and foreign keys into
//! the schema IR through SQLite's table-valued pragma functions, in four queries whatever the
//! number of tables.
//!
//! SQLite keeps a column's type as the text `CREATE TABLE` gave it, so [`parse_type`] turns that
//! text back into the IR; it is written against sea-query's spelling of every entity type, so a
//! table created from entities inspects to the same types the entities describe.

use std::collections::{BTreeMap, HashSet};

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, QueryResult, Statement, TransactionTrait, Value,
};

use super::{InspectOptions, query_error};
use crate::Result;
use crate::pipeline::normalize::default_from_sql;
use crate::pipeline::schema::{Action, Column, ColumnType, ForeignKey, Index, Schema, Table};

/// Reads the schema of the main database behind `db`, leaving out SQLite's internal tables,
/// virtual tables and the tables in `options.exclude_tables`.
pub(super) async fn fetch(db: &DatabaseConnection, options: &InspectOptions) -> Result<Fetched> {
    // One read transaction, so that the four queries see one snapshot of the catalog even if
    // another connection changes the schema meanwhile.
    let txn = db.begin().await.map_err(query_error)?;
    let (filter, values) = table_filter(&options.exclude_tables);

    let table_rows = query(
        &txn,
        format!("SELECT m.name AS table_name, m.sql AS table_sql FROM sqlite_master m WHERE {filter} ORDER BY m.name"),
        &values,
    )
    .await?;
    let column_rows = query(
        &txn,
        format!(
            "SELECT m.name AS table_name, p.cid AS cid, p.name AS column_name, p.type AS column_type, \
             p.\"notnull\" AS not_null, p.dflt_value AS default_value, p.pk AS pk \
             FROM sqlite_master m JOIN pragma_table_info(m.name, 'main') p \
             WHERE {filter} ORDER BY m.name, p.cid"
        ),
        &values,
    )
    .await?;
    // An index column without a name is an expression (`CREATE INDEX ... (lower(email))`).
    let index_rows = query(
        &txn,
        format!(
            "SELECT m.name AS table_name, l.name AS index_name, l.\"unique\" AS is_unique, \
             l.origin AS origin, i.seqno AS seqno, i.name AS column_name \
             FROM sqlite_master m JOIN pragma_index_list(m.name, 'main') l \
             JOIN pragma_index_info(l.name, 'main') i \
             WHERE {filter} ORDER BY m.name, l.name, i.seqno"
        ),
        &values,
    )
    .await?;
    // `to` is NULL when the REFERENCES clause names no columns, which means the parent's primary
    // key: resolve it here from the parent's own table_info, which also works when the parent is
    // an excluded table whose details this inspection otherwise never reads.
    let foreign_key_rows = query(
        &txn,
        format!(
            "SELECT m.name AS table_name, f.id AS fk_id, f.seq AS seq, f.\"table\" AS ref_table, \
             f.\"from\" AS column_name, \
             COALESCE(f.\"to\", (SELECT p.name FROM pragma_table_info(f.\"table\", 'main') p \
                                 WHERE p.pk = f.seq + 1)) AS ref_column, \
             f.on_update AS on_update, f.on_delete AS on_delete \
             FROM sqlite_master m JOIN pragma_foreign_key_list(m.name, 'main') f \
             WHERE {filter} ORDER BY m.name, f.id, f.seq"
        ),
        &values,
    )
    .await?;
    txn.commit().await.map_err(query_error)?;
    Ok(Fetched { table_rows, column_rows, index_rows, foreign_key_rows })
}

/// The rows of the catalog queries, as [`fetch`] read them.
pub(super) struct Fetched {
    table_rows: Vec<QueryResult>,
    column_rows: Vec<QueryResult>,
    index_rows: Vec<QueryResult>,
    foreign_key_rows: Vec<QueryResult>,
}

impl Fetched {
    /// How many rows the queries returned.
    pub(super) fn rows(&self) -> usize {
        self.table_rows.len() + self.column_rows.len() + self.index_rows.len() + self.foreign_key_rows.len()
    }
}

/// Builds the schema IR from the rows [`fetch`] read.
pub(super) fn assemble(fetched: Fetched) -> Result<Schema> {
    let Fetched { table_rows, column_rows, index_rows, foreign_key_rows } = fetched;
    let mut schema = Schema::default();
    // Tables declared with AUTOINCREMENT, by name.
    let mut autoincrement = HashSet::new();
    for row in &table_rows {
        let name: String = get(row, "table_name")?;
        let sql: Option<String> = get(row, "table_sql")?;
        if sql.as_deref().is_some_and(has_autoincrement) {
            autoincrement.insert(name.clone());
        }
        schema.tables.insert(
            name.clone(),
            Table {
                name,
                ..Table::default()
            },
        );
    }

    // Column rows come in cid order; keys are collected with their position in the key.
    let mut key_positions: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for row in &column_rows {
        let table_name: String = get(row, "table_name")?;
        let Some(table) = schema.tables.get_mut(&table_name) else {
            continue;
        };
        let name: String = get(row, "column_name")?;
        // A column declared without a type has NULL here in some SQLite versions, "" in others.
        let declared: Option<String> = get(row, "column_type")?;
        let not_null: i64 = get(row, "not_null")?;
        let default: Option<String> = get(row, "default_value")?;
        let pk: i64 = get(row, "pk")?;
        let ty = parse_type(declared.as_deref().unwrap_or(""));
        let default = default
            .as_deref()
            .and_then(|sql| default_from_sql(DbBackend::Sqlite, &ty, sql));
        if pk > 0 {
            key_positions
                .entry(table_name)
                .or_default()
                .push((pk, name.clone()));
        }
        table.columns.push(Column {
            name,
            ty,
            nullable: not_null == 0,
            default,
            auto_increment: false,
            comment: None,
            renamed_from: None,
            generated: None,
        });
    }
    for (table_name, mut keys) in key_positions {
        if let Some(table) = schema.tables.get_mut(&table_name) {
            keys.sort();
            table.primary_key = keys.into_iter().map(|(_, name)| name).collect();
        }
    }

    // Tables whose primary key has its own index; the others' single-column key is the rowid.
    let mut keyed_by_index = HashSet::new();
    // Rows of one index are adjacent and in seqno order. The flag marks an index on an
    // expression, whose column cannot be named: the IR cannot describe it, so it is left out
    // rather than reported with a column missing.
    let mut indexes: Vec<(String, Index, bool)> = Vec::new();
    for row in &index_rows {
        let table_name: String = get(row, "table_name")?;
        let index_name: String = get(row, "index_name")?;
        let origin: String = get(row, "origin")?;
        if origin == "pk" {
            // The primary key is reported as `primary_key`, not as an index.
            keyed_by_index.insert(table_name);
            continue;
        }
        let column: Option<String> = get(row, "column_name")?;
        let continues = indexes
            .last()
            .is_some_and(|(table, index, _)| *table == table_name && index.name == index_name);
        if !continues {
            let unique: i64 = get(row, "is_unique")?;
            // `sqlite_autoindex_*` ('u') come from UNIQUE in CREATE TABLE: a table constraint.
            let constraint = origin == "u";
            let index = Index {
                name: index_name,
                unique: constraint || unique != 0,
                constraint,
                ..Index::on_columns::<&str>(&[], false)
            };
            indexes.push((table_name, index, false));
        }
        if let Some((_, index, expression)) = indexes.last_mut() {
            match column {
                Some(column) => index.parts.push(crate::pipeline::schema::IndexPart::column(column)),
                None => *expression = true,
            }
        }
    }
    for (table_name, index, expression) in indexes {
        if let (Some(table), false) = (schema.tables.get_mut(&table_name), expression) {
            table.indexes.push(index);
        }
    }

    // A single-column INTEGER PRIMARY KEY without an index of its own is the rowid: it can never
    // hold NULL (inserting NULL assigns a new rowid) whatever `notnull` says, and it is the only
    // column AUTOINCREMENT may be declared on.
    for table in schema.tables.values_mut() {
        let [key] = table.primary_key.as_slice() else {
            continue;
        };
        if keyed_by_index.contains(&table.name) {
            continue;
        }
        let key = key.clone();
        let autoincrement = autoincrement.contains(&table.name);
        if let Some(column) = table.columns.iter_mut().find(|c| c.name == key) {
            column.nullable = false;
            column.auto_increment = autoincrement;
        }
    }

    // Rows of one foreign key are adjacent (same table and id) and in seq order.
    let mut foreign_keys: Vec<(String, i64, ForeignKey)> = Vec::new();
    for row in &foreign_key_rows {
        let table_name: String = get(row, "table_name")?;
        let id: i64 = get(row, "fk_id")?;
        let column: String = get(row, "column_name")?;
        let ref_column: Option<String> = get(row, "ref_column")?;
        match foreign_keys.last_mut() {
            Some((table, last_id, fk)) if *table == table_name && *last_id == id => {
                fk.columns.push(column);
                fk.ref_columns.extend(ref_column);
            }
            _ => {
                let ref_table: String = get(row, "ref_table")?;
                let on_update: String = get(row, "on_update")?;
                let on_delete: String = get(row, "on_delete")?;
                foreign_keys.push((
                    table_name,
                    id,
                    ForeignKey {
                        // SQLite does not keep foreign key names.
                        name: String::new(),
                        columns: vec![column],
                        ref_table,
                        // Unresolvable only when the parent has no primary key, a reference
                        // SQLite itself rejects on every write ("foreign key mismatch").
                        ref_columns: ref_column.into_iter().collect(),
                        on_delete: action(&on_delete),
                        on_update: action(&on_update),
                    },
                ));
            }
        }
    }
    for (table_name, _, fk) in foreign_keys {
        if let Some(table) = schema.tables.get_mut(&table_name) {
            table.foreign_keys.push(fk);
        }
    }

    Ok(schema)
}

/// The WHERE condition on `sqlite_master m` that keeps the tables to inspect, with its values.
fn table_filter(exclude: &[String]) -> (String, Vec<Value>) {
    // `_` is a LIKE wildcard, hence the escape. Virtual tables are left out: their columns come
    // from a module that may not be loaded, which would make pragma_table_info fail.
    let mut filter = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
                      AND COALESCE(m.sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%'"
        .to_owned();
    if !exclude.is_empty() {
        let marks = vec!["?"; exclude.len()].join(", ");
        filter.push_str(&format!(" AND m.name NOT IN ({marks})"));
    }
    (
        filter,
        exclude
            .iter()
            .map(|name| Value::from(name.clone()))
            .collect(),
    )
}

/// Runs one catalog query.
async fn query(
    db: &impl ConnectionTrait,
    sql: String,
    values: &[Value],
) -> Result<Vec<QueryResult>> {
    db.query_all_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        sql,
        values.to_vec(),
    ))
    .await
    .map_err(query_error)
}

/// Reads one column of a catalog row.
fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> Result<T> {
    row.try_get("", column).map_err(query_error)
}

/// Whether a table's `CREATE TABLE` text uses the AUTOINCREMENT keyword, ignoring the word inside
/// quoted names and string literals (a column may be called "autoincrement").
fn has_autoincrement(sql: &str) -> bool {
    let mut chars = sql.chars().peekable();
    let mut word = String::new();
    while let Some(c) = chars.next() {
        let close = match c {
            '\'' | '"' | '`' => Some(c),
            '[' => Some(']'),
            _ => None,
        };
        if let Some(close) = close {
            // Doubled quotes inside are two adjacent quoted runs, which this skips just as well.
            for inner in chars.by_ref() {
                if inner == close {
                    break;
                }
            }
            word.clear();
        } else if c.is_alphanumeric() || c == '_' {
            word.push(c);
            if chars
                .peek()
                .is_none_or(|next| !(next.is_alphanumeric() || *next == '_'))
                && word.eq_ignore_ascii_case("autoincrement")
            {
                return true;
            }
        } else {
            word.clear();
        }
    }
    false
}

/// A foreign key action as pragma_foreign_key_list spells it.
fn action(text: &str) -> Action {
    match text.to_ascii_uppercase().as_str() {
        "RESTRICT" => Action::Restrict,
        "CASCADE" => Action::Cascade,
        "SET NULL" => Action::SetNull,
        "SET DEFAULT" => Action::SetDefault,
        _ => Action::NoAction,
    }
}

/// Maps a declared SQLite column type (as `CREATE TABLE` wrote it, any case) to the IR.
///
/// Every spelling sea-query gives an entity type on SQLite maps to a proper variant: the `_text`
/// suffixed names (`uuid_text`, `json_text`, `jsonb_text`, `datetime_text`, `timestamp_text`,
/// `timestamp_with_timezone_text`, `date_text`, `time_text`, `enum_text`), `real(p, s)` and
/// `real_decimal` for decimals, `blob(n)` and `varbinary_blob(n)` for binaries. Plain SQL
/// spellings (`bigint`, `decimal(10,2)`, `timestamp`, ...) map as their names say, and anything
/// else becomes [`ColumnType::Other`] with the text lower-cased and its white space collapsed.
pub(crate) fn parse_type(text: &str) -> ColumnType {
    let text = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    let other = || ColumnType::Other(text.clone());
    // `name(args) suffix`: the name is what surrounds the parentheses, e.g. `tinyint unsigned`
    // for `tinyint(3) unsigned`.
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
    let first = args.first().copied();
    match (name.as_str(), args.as_slice()) {
        ("char" | "character", [] | [_]) => ColumnType::Char(first),
        ("varchar" | "character varying", [] | [_]) => ColumnType::Varchar(first),
        ("text", []) => ColumnType::Text,
        // Integer widths are kept as declared: sea-query writes `tinyint`, `smallint` and
        // `integer` (for both Integer and BigInteger); `bigint` comes from hand-written SQL.
        ("tinyint", [] | [_]) => ColumnType::TinyInt,
        ("smallint", [] | [_]) => ColumnType::SmallInt,
        ("integer" | "int", [] | [_]) => ColumnType::Integer,
        ("bigint", [] | [_]) => ColumnType::BigInt,
        ("tinyint unsigned", [] | [_]) => ColumnType::TinyUnsigned,
        ("smallint unsigned", [] | [_]) => ColumnType::SmallUnsigned,
        ("integer unsigned" | "int unsigned", [] | [_]) => ColumnType::Unsigned,
        ("bigint unsigned", [] | [_]) => ColumnType::BigUnsigned,
        ("float", [] | [_]) => ColumnType::Float,
        // SQLite's REAL is an 8-byte float; with a precision it is sea-query's decimal.
        ("double" | "double precision" | "real", []) => ColumnType::Double,
        ("real" | "decimal" | "numeric", [precision, scale]) => {
            ColumnType::Decimal(Some((*precision, *scale)))
        }
        ("decimal" | "numeric", [precision]) => ColumnType::Decimal(Some((*precision, 0))),
        ("real_decimal" | "decimal" | "numeric", []) => ColumnType::Decimal(None),
        ("boolean" | "bool", []) => ColumnType::Boolean,
        ("date" | "date_text", []) => ColumnType::Date,
        ("time" | "time_text", []) => ColumnType::Time,
        // sea-query's DateTime and Timestamp are two spellings of one IR type: the IR has no
        // third date-time variant.
        (
            "datetime"
            | "datetime_text"
            | "timestamp"
            | "timestamp_text"
            | "timestamp without time zone",
            [],
        ) => ColumnType::Timestamp,
        ("timestamp_with_timezone_text" | "timestamptz" | "timestamp with time zone", []) => {
            ColumnType::TimestampTz
        }
        ("uuid" | "uuid_text", []) => ColumnType::Uuid,
        ("json" | "json_text", []) => ColumnType::Json,
        ("jsonb" | "jsonb_text", []) => ColumnType::Jsonb,
        ("blob", []) => ColumnType::Blob,
        ("blob" | "binary", [length]) => ColumnType::Binary(*length),
        ("varbinary_blob" | "varbinary", [] | [_]) => ColumnType::VarBinary(first),
        // SQLite keeps neither the enum's name nor its values.
        ("enum_text", []) => ColumnType::Enum {
            name: String::new(),
            values: Vec::new(),
        },
        _ => other(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::normalize::render_type;
    use sea_orm::sea_query::{self, Alias, ColumnDef, StringLen, Table as TableStatement};

    /// Every column type a SeaORM entity can declare, with a column name for each.
    fn entity_types() -> Vec<(&'static str, sea_query::ColumnType)> {
        use sea_query::ColumnType as T;
        vec![
            ("char_n", T::Char(Some(3))),
            ("char", T::Char(None)),
            ("string_n", T::String(StringLen::N(40))),
            ("string", T::String(StringLen::None)),
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
            ("decimal_n", T::Decimal(Some((12, 2)))),
            ("decimal", T::Decimal(None)),
            ("date_time", T::DateTime),
            ("timestamp", T::Timestamp),
            ("timestamp_tz", T::TimestampWithTimeZone),
            ("time", T::Time),
            ("date", T::Date),
            ("binary", T::Binary(16)),
            ("var_binary_n", T::VarBinary(StringLen::N(64))),
            ("var_binary", T::VarBinary(StringLen::None)),
            ("blob", T::Blob),
            ("boolean", T::Boolean),
            ("json", T::Json),
            ("json_binary", T::JsonBinary),
            ("uuid", T::Uuid),
            (
                "enumeration",
                T::Enum {
                    name: Alias::new("mood").into(),
                    variants: vec![Alias::new("happy").into(), Alias::new("sad").into()],
                },
            ),
        ]
    }

    /// The IR each entity type must inspect as, by column name.
    fn expected(column: &str) -> ColumnType {
        match column {
            "char_n" => ColumnType::Char(Some(3)),
            "char" => ColumnType::Char(None),
            "string_n" => ColumnType::Varchar(Some(40)),
            "string" => ColumnType::Varchar(None),
            "text" => ColumnType::Text,
            "tiny_integer" | "tiny_unsigned" => ColumnType::TinyInt,
            "small_integer" | "small_unsigned" => ColumnType::SmallInt,
            // sea-query writes `integer` for all four.
            "integer" | "big_integer" | "unsigned" | "big_unsigned" => ColumnType::Integer,
            "float" => ColumnType::Float,
            "double" => ColumnType::Double,
            "decimal_n" => ColumnType::Decimal(Some((12, 2))),
            "decimal" => ColumnType::Decimal(None),
            "date_time" | "timestamp" => ColumnType::Timestamp,
            "timestamp_tz" => ColumnType::TimestampTz,
            "time" => ColumnType::Time,
            "date" => ColumnType::Date,
            "binary" => ColumnType::Binary(16),
            "var_binary_n" => ColumnType::VarBinary(Some(64)),
            "var_binary" => ColumnType::VarBinary(None),
            "blob" => ColumnType::Blob,
            "boolean" => ColumnType::Boolean,
            "json" => ColumnType::Json,
            "json_binary" => ColumnType::Jsonb,
            "uuid" => ColumnType::Uuid,
            "enumeration" => ColumnType::Enum {
                name: String::new(),
                values: Vec::new(),
            },
            other => panic!("no expectation for {other}"),
        }
    }

    /// Pairs of entity types whose SQLite spellings differ but which the IR cannot tell apart.
    const KNOWN_COLLAPSES: &[(&str, &str)] = &[("date_time", "timestamp")];

    #[test]
    fn every_entity_type_maps_to_a_proper_variant() {
        for (column, ty) in entity_types() {
            let rendered = render_type(DbBackend::Sqlite, &ty);
            let parsed = parse_type(&rendered);
            assert!(
                !matches!(parsed, ColumnType::Other(_)),
                "{column}: `{rendered}` parsed as {parsed:?}"
            );
            assert_eq!(parsed, expected(column), "{column}: `{rendered}`");
        }
    }

    #[test]
    fn distinct_spellings_stay_distinct() {
        let types = entity_types();
        for (a, ty_a) in &types {
            for (b, ty_b) in &types {
                let (rendered_a, rendered_b) = (
                    render_type(DbBackend::Sqlite, ty_a),
                    render_type(DbBackend::Sqlite, ty_b),
                );
                if a >= b
                    || rendered_a == rendered_b
                    || KNOWN_COLLAPSES.contains(&(a, b))
                    || KNOWN_COLLAPSES.contains(&(b, a))
                {
                    continue;
                }
                assert_ne!(
                    parse_type(&rendered_a),
                    parse_type(&rendered_b),
                    "{a} (`{rendered_a}`) and {b} (`{rendered_b}`)"
                );
            }
        }
    }

    #[test]
    fn plain_sql_spellings() {
        let cases = [
            ("INTEGER", ColumnType::Integer),
            ("int", ColumnType::Integer),
            ("BIGINT", ColumnType::BigInt),
            ("bigint unsigned", ColumnType::BigUnsigned),
            ("tinyint(3) UNSIGNED", ColumnType::TinyUnsigned),
            ("SmallInt", ColumnType::SmallInt),
            ("VARCHAR( 255 )", ColumnType::Varchar(Some(255))),
            ("character varying(10)", ColumnType::Varchar(Some(10))),
            ("CHAR(2)", ColumnType::Char(Some(2))),
            ("decimal(10,2)", ColumnType::Decimal(Some((10, 2)))),
            ("NUMERIC(8)", ColumnType::Decimal(Some((8, 0)))),
            ("numeric", ColumnType::Decimal(None)),
            ("REAL", ColumnType::Double),
            ("real(10, 2)", ColumnType::Decimal(Some((10, 2)))),
            ("double  precision", ColumnType::Double),
            ("BOOLEAN", ColumnType::Boolean),
            ("DATETIME", ColumnType::Timestamp),
            ("timestamp with time zone", ColumnType::TimestampTz),
            ("UUID_TEXT", ColumnType::Uuid),
            ("BLOB", ColumnType::Blob),
            ("blob(16)", ColumnType::Binary(16)),
            ("varbinary(8)", ColumnType::VarBinary(Some(8))),
        ];
        for (text, ty) in cases {
            assert_eq!(parse_type(text), ty, "{text}");
        }
    }

    #[test]
    fn unknown_spellings_are_kept_lower_case() {
        assert_eq!(parse_type("GEOMETRY"), ColumnType::Other("geometry".into()));
        assert_eq!(
            parse_type("real_money(19, 4)"),
            ColumnType::Other("real_money(19, 4)".into())
        );
        assert_eq!(
            parse_type("varchar(abc)"),
            ColumnType::Other("varchar(abc)".into())
        );
        assert_eq!(
            parse_type("NVARCHAR  (5"),
            ColumnType::Other("nvarchar (5".into())
        );
        assert_eq!(parse_type(""), ColumnType::Other(String::new()));
    }

    #[test]
    fn autoincrement_is_a_keyword_not_a_name() {
        assert!(has_autoincrement(
            "CREATE TABLE t ( id integer NOT NULL PRIMARY KEY AUTOINCREMENT )"
        ));
        assert!(has_autoincrement(
            "create table t (id integer primary key autoincrement)"
        ));
        assert!(!has_autoincrement(
            "CREATE TABLE t ( \"autoincrement\" integer, x text DEFAULT 'AUTOINCREMENT' )"
        ));
        assert!(!has_autoincrement(
            "CREATE TABLE t ( id integer PRIMARY KEY, autoincrement_id integer )"
        ));
    }

    #[test]
    fn actions() {
        assert_eq!(action("NO ACTION"), Action::NoAction);
        assert_eq!(action("RESTRICT"), Action::Restrict);
        assert_eq!(action("CASCADE"), Action::Cascade);
        assert_eq!(action("SET NULL"), Action::SetNull);
        assert_eq!(action("SET DEFAULT"), Action::SetDefault);
    }

    /// A table created from every entity type inspects to `parse_type` of sea-query's spelling.
    #[tokio::test]
    async fn inspected_types_agree_with_parse_type_of_render_type() {
        let db = sea_orm::Database::connect(single_connection_memory())
            .await
            .expect("connect");
        let mut create = TableStatement::create();
        create.table(Alias::new("every_type"));
        for (column, ty) in entity_types() {
            create.col(ColumnDef::new_with_type(Alias::new(column), ty));
        }
        db.execute(&create).await.expect("create table");
        let schema = super::super::inspect(&db, &InspectOptions::default())
            .await
            .expect("inspect");
        let table = &schema.tables["every_type"];
        let types = entity_types();
        assert_eq!(table.columns.len(), types.len());
        for (column, ty) in types {
            let inspected = table.column(column).map(|c| c.ty.clone());
            assert_eq!(
                inspected,
                Some(parse_type(&render_type(DbBackend::Sqlite, &ty))),
                "{column}"
            );
        }
    }

    /// An in-memory database is per connection, so the pool must hold exactly one.
    fn single_connection_memory() -> sea_orm::ConnectOptions {
        let mut options = sea_orm::ConnectOptions::new("sqlite::memory:");
        options
            .max_connections(1)
            .min_connections(1)
            .sqlx_logging(false);
        options
    }
}
