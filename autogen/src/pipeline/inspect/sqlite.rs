//! Inspection of SQLite: reads the main database's tables, columns, keys, indexes, foreign keys,
//! CHECK constraints, generated columns, triggers and views into the schema IR, in five queries
//! whatever the number of tables.
//!
//! SQLite's table-valued pragma functions give the columns (`pragma_table_xinfo`, which unlike
//! `pragma_table_info` lists generated columns too), the indexes behind PRIMARY KEY and UNIQUE
//! constraints, and the foreign keys. The rest is read from the statements SQLite keeps in
//! `sqlite_master.sql`, through the parsers `desired` reads sea-query's SQL with: a table's
//! `CREATE TABLE` gives its CHECK constraints, its generated columns' expressions, its columns'
//! collations and AUTOINCREMENT; a `CREATE INDEX` gives everything the index says (expressions,
//! order, collations, predicate). Each statement is also kept as the object's definition, so that
//! `down` and a rebuild recreate the object exactly.
//!
//! SQLite keeps a column's type as the text `CREATE TABLE` gave it, so [`parse_type`] turns that
//! text back into the IR; it is written against sea-query's spelling of every entity type, so a
//! table created from entities inspects to the same types the entities describe.

use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, QueryResult, Statement, TransactionTrait, Value,
};

use super::{InspectOptions, query_error};
use crate::pipeline::normalize::{default_from_sql, expression, index_from, string_literal};
use crate::pipeline::parse::create_index::parse_create_index;
use crate::pipeline::parse::create_table::{
    ColumnConstraintKind, CreateTable, TableConstraintKind, parse_create_table,
};
use crate::pipeline::parse::{Dialect, ParseError};
use crate::pipeline::schema::{
    Action, Check, Column, ColumnType, ForeignKey, Generated, Index, IndexKey, IndexPart, Schema,
    Table, Trigger, Verbatim, View,
};
use crate::{Error, Result};

/// Reads the schema of the main database behind `db`, leaving out SQLite's internal tables,
/// virtual tables and the tables in `options.exclude_tables`.
pub(super) async fn fetch(db: &DatabaseConnection, options: &InspectOptions) -> Result<Fetched> {
    // One read transaction, so that the queries see one snapshot of the catalog even if another
    // connection changes the schema meanwhile.
    let txn = db.begin().await.map_err(query_error)?;
    let (filter, values) = table_filter(&options.exclude_tables);

    let table_rows = query(
        &txn,
        format!("SELECT m.name AS table_name, m.sql AS table_sql FROM sqlite_master m WHERE {filter} ORDER BY m.name"),
        &values,
    )
    .await?;
    // `hidden` is 2 for a generated VIRTUAL column and 3 for a STORED one.
    let column_rows = query(
        &txn,
        format!(
            "SELECT m.name AS table_name, p.cid AS cid, p.name AS column_name, p.type AS column_type, \
             p.\"notnull\" AS not_null, p.dflt_value AS default_value, p.pk AS pk, p.hidden AS hidden \
             FROM sqlite_master m JOIN pragma_table_xinfo(m.name, 'main') p \
             WHERE {filter} ORDER BY m.name, p.cid"
        ),
        &values,
    )
    .await?;
    // The indexes SQLite makes for PRIMARY KEY ('pk') and UNIQUE ('u') constraints have no
    // statement of their own: their key columns come from pragma_index_xinfo (`key = 1` leaves
    // out the rowid it appends). The indexes of CREATE INDEX ('c') are read from their statements.
    let index_rows = query(
        &txn,
        format!(
            "SELECT m.name AS table_name, l.name AS index_name, l.origin AS origin, x.seqno AS seqno, \
             x.name AS column_name, x.\"desc\" AS descending, x.coll AS collation \
             FROM sqlite_master m JOIN pragma_index_list(m.name, 'main') l \
             JOIN pragma_index_xinfo(l.name, 'main') x \
             WHERE {filter} AND l.origin <> 'c' AND x.key = 1 ORDER BY m.name, l.name, x.seqno"
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
    // Every other object with a statement: indexes made by CREATE INDEX, triggers and views. A
    // view's `tbl_name` is its own name, so the exclusions apply to views as to tables.
    let object_rows = query(
        &txn,
        format!(
            "SELECT m.type AS object_type, m.name AS object_name, m.tbl_name AS table_name, \
             m.sql AS object_sql FROM sqlite_master m \
             WHERE m.type IN ('index', 'trigger', 'view') AND m.sql IS NOT NULL{} \
             ORDER BY m.type, m.name",
            not_in("m.tbl_name", values.len())
        ),
        &values,
    )
    .await?;
    txn.commit().await.map_err(query_error)?;
    Ok(Fetched { table_rows, column_rows, index_rows, foreign_key_rows, object_rows })
}

/// The rows of the catalog queries, as [`fetch`] read them.
pub(super) struct Fetched {
    table_rows: Vec<QueryResult>,
    column_rows: Vec<QueryResult>,
    index_rows: Vec<QueryResult>,
    foreign_key_rows: Vec<QueryResult>,
    object_rows: Vec<QueryResult>,
}

impl Fetched {
    /// How many rows the queries returned.
    pub(super) fn rows(&self) -> usize {
        self.table_rows.len()
            + self.column_rows.len()
            + self.index_rows.len()
            + self.foreign_key_rows.len()
            + self.object_rows.len()
    }
}

/// Builds the schema IR from the rows [`fetch`] read.
pub(super) fn assemble(fetched: Fetched) -> Result<Schema> {
    let Fetched { table_rows, column_rows, index_rows, foreign_key_rows, object_rows } = fetched;
    let mut schema = Schema::default();
    // Each table's CREATE TABLE, parsed, by table name.
    let mut statements: HashMap<String, CreateTable> = HashMap::new();
    for row in &table_rows {
        let name: String = get(row, "table_name")?;
        let sql: Option<String> = get(row, "table_sql")?;
        let mut table = Table { name: name.clone(), ..Table::default() };
        if let Some(sql) = sql {
            let parsed = parse_create_table(&sql).map_err(|e| unreadable("table", &name, &e))?;
            table.checks = checks(&parsed);
            table.definition = Verbatim::of(sql);
            statements.insert(name.clone(), parsed);
        }
        schema.tables.insert(name, table);
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
        let hidden: i64 = get(row, "hidden")?;
        let ty = parse_type(declared.as_deref().unwrap_or(""));
        let generated = match hidden {
            2 | 3 => {
                let sql = statements
                    .get(&table_name)
                    .and_then(|statement| generated_expression(statement, &name))
                    .ok_or_else(|| {
                        Error::Database(format!(
                            "the statement of table {table_name} does not say how its generated column {name} is computed"
                        ))
                    })?;
                Some(Generated { expression: expression(DbBackend::Sqlite, sql), stored: hidden == 3 })
            }
            _ => None,
        };
        // A generated column has no default; SQLite would reject one.
        let default = default
            .as_deref()
            .filter(|_| generated.is_none())
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
            generated,
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
    // Rows of one index are adjacent and in seqno order. Only the indexes of PRIMARY KEY and
    // UNIQUE constraints are here, and neither may hold an expression.
    let mut constraints: Vec<(String, Index)> = Vec::new();
    for row in &index_rows {
        let table_name: String = get(row, "table_name")?;
        let index_name: String = get(row, "index_name")?;
        let origin: String = get(row, "origin")?;
        if origin == "pk" {
            // The primary key is reported as `primary_key`, not as an index.
            keyed_by_index.insert(table_name);
            continue;
        }
        let column: String = get(row, "column_name")?;
        let descending: i64 = get(row, "descending")?;
        let collation: String = get(row, "collation")?;
        let continues = constraints
            .last()
            .is_some_and(|(table, index)| *table == table_name && index.name == index_name);
        if !continues {
            // `sqlite_autoindex_*` come from UNIQUE in CREATE TABLE: a table constraint.
            let index = Index { name: index_name, constraint: true, ..Index::on_columns::<&str>(&[], true) };
            constraints.push((table_name.clone(), index));
        }
        let statement = statements.get(&table_name);
        if let Some((_, index)) = constraints.last_mut() {
            index.parts.push(IndexPart {
                descending: descending != 0,
                collation: other_collation(statement, Some(&column), &collation),
                ..IndexPart::column(column)
            });
        }
    }
    for (table_name, index) in constraints {
        if let Some(table) = schema.tables.get_mut(&table_name) {
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
        let autoincrement = statements.get(&table.name).is_some_and(has_autoincrement);
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

    for row in &object_rows {
        let kind: String = get(row, "object_type")?;
        let name: String = get(row, "object_name")?;
        let table_name: String = get(row, "table_name")?;
        let sql: String = get(row, "object_sql")?;
        if kind == "view" {
            schema.views.insert(name.clone(), View { name, definition: Verbatim::of(sql) });
            continue;
        }
        // An index or trigger of an excluded table is left out with it. So is a trigger on a
        // view (INSTEAD OF): the IR keeps triggers per table, and a rebuild of a table the view
        // reads saves and restores the view's triggers with the view.
        let Some(table) = schema.tables.get_mut(&table_name) else {
            continue;
        };
        if kind == "trigger" {
            table.triggers.push(Trigger { name, definition: Verbatim::of(sql) });
        } else {
            let index = created_index(table, statements.get(&table_name), name, sql)?;
            table.indexes.push(index);
        }
    }

    Ok(schema)
}

/// The index a `CREATE INDEX` statement made, as the IR describes it, with the statement as its
/// definition.
fn created_index(table: &Table, statement: Option<&CreateTable>, name: String, sql: String) -> Result<Index> {
    let parsed = parse_create_index(&sql, Dialect::Sqlite).map_err(|e| unreadable("index", &name, &e))?;
    let mut index = index_from(DbBackend::Sqlite, &parsed);
    for part in &mut index.parts {
        let named = match &part.key {
            IndexKey::Column(name) => Some(name.clone()),
            // SQLite reads a string in an index's column list as the column of that name.
            IndexKey::Expression(e) => string_literal(DbBackend::Sqlite, &e.sql),
        };
        // SQLite matches names without case; the IR spells a column as its table declares it.
        if let Some(declared) = named.and_then(|name| table.columns.iter().find(|c| c.name.eq_ignore_ascii_case(&name))) {
            part.key = IndexKey::Column(declared.name.clone());
        }
        part.collation = match part.collation.take() {
            Some(collation) => other_collation(statement, part.column_name(), &collation),
            None => None,
        };
    }
    Ok(Index { name, definition: Verbatim::of(sql), ..index })
}

/// The CHECK constraints of a table, its columns' then its own, in the statement's order.
fn checks(statement: &CreateTable) -> Vec<Check> {
    let of_columns = statement
        .columns
        .iter()
        .flat_map(|column| &column.constraints)
        .filter_map(|c| match &c.kind {
            ColumnConstraintKind::Check(sql) => Some((&c.name, sql)),
            _ => None,
        });
    let of_table = statement.constraints.iter().filter_map(|c| match &c.kind {
        TableConstraintKind::Check(sql) => Some((&c.name, sql)),
        _ => None,
    });
    of_columns
        .chain(of_table)
        .map(|(name, sql)| Check {
            name: name.clone().unwrap_or_default(),
            expression: expression(DbBackend::Sqlite, sql),
        })
        .collect()
}

/// The definition of the column `name` in a table's statement; SQLite matches names without
/// case.
fn column_definition<'s>(
    statement: &'s CreateTable,
    name: &str,
) -> Option<&'s crate::pipeline::parse::create_table::ColumnDef> {
    statement.columns.iter().find(|c| c.name.eq_ignore_ascii_case(name))
}

/// The expression a generated column is computed from, as its statement writes it.
fn generated_expression<'s>(statement: &'s CreateTable, column: &str) -> Option<&'s str> {
    column_definition(statement, column)?.constraints.iter().find_map(|c| match &c.kind {
        ColumnConstraintKind::Generated { expression, .. } => Some(expression.as_str()),
        _ => None,
    })
}

/// An index key part's collation, lower case, when it is not the one the part has anyway: the
/// column's own (from its `COLLATE` clause), or `binary` for an expression and for a column
/// declared without one.
fn other_collation(statement: Option<&CreateTable>, column: Option<&str>, collation: &str) -> Option<String> {
    let declared = statement
        .zip(column)
        .and_then(|(statement, column)| column_definition(statement, column))
        .and_then(|definition| {
            // The last COLLATE clause is the one SQLite applies.
            definition.constraints.iter().rev().find_map(|c| match &c.kind {
                ColumnConstraintKind::Collate(name) => Some(name.as_str()),
                _ => None,
            })
        })
        .unwrap_or("binary");
    (!collation.eq_ignore_ascii_case(declared)).then(|| collation.to_ascii_lowercase())
}

/// Whether a table's key is declared AUTOINCREMENT.
fn has_autoincrement(statement: &CreateTable) -> bool {
    statement
        .columns
        .iter()
        .flat_map(|column| &column.constraints)
        .any(|c| matches!(c.kind, ColumnConstraintKind::PrimaryKey { autoincrement: true, .. }))
}

/// The error for a statement in `sqlite_master` that the parsers cannot read.
fn unreadable(kind: &str, name: &str, error: &ParseError) -> Error {
    Error::Database(format!("cannot read the statement of {kind} {name}: {error}"))
}

/// The WHERE condition on `sqlite_master m` that keeps the tables to inspect, with its values.
fn table_filter(exclude: &[String]) -> (String, Vec<Value>) {
    // `_` is a LIKE wildcard, hence the escape. Virtual tables are left out: their columns come
    // from a module that may not be loaded, which would make pragma_table_info fail.
    let filter = format!(
        "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         AND COALESCE(m.sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%'{}",
        not_in("m.name", exclude.len())
    );
    (filter, exclude.iter().map(|name| Value::from(name.clone())).collect())
}

/// ` AND column NOT IN (?, ..)` with `count` placeholders, or nothing when there are none.
fn not_in(column: &str, count: usize) -> String {
    if count == 0 {
        return String::new();
    }
    format!(" AND {column} NOT IN ({})", vec!["?"; count].join(", "))
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
        let autoincrement = |sql: &str| has_autoincrement(&parse_create_table(sql).unwrap());
        assert!(autoincrement("CREATE TABLE t ( id integer NOT NULL PRIMARY KEY AUTOINCREMENT )"));
        assert!(autoincrement("create table t (id integer primary key autoincrement)"));
        assert!(!autoincrement(
            "CREATE TABLE t ( \"autoincrement\" integer, x text DEFAULT 'AUTOINCREMENT' )"
        ));
        assert!(!autoincrement("CREATE TABLE t ( id integer PRIMARY KEY, autoincrement_id integer )"));
    }

    #[test]
    fn collations_count_only_where_they_differ_from_the_column() {
        let statement =
            parse_create_table("CREATE TABLE t (a TEXT COLLATE NOCASE, b TEXT, \"C\" TEXT COLLATE rtrim COLLATE nocase)")
                .unwrap();
        let other = |column: Option<&str>, collation: &str| other_collation(Some(&statement), column, collation);
        assert_eq!(other(Some("a"), "nocase"), None);
        assert_eq!(other(Some("A"), "NOCASE"), None);
        assert_eq!(other(Some("a"), "BINARY"), Some("binary".to_owned()));
        assert_eq!(other(Some("b"), "BINARY"), None);
        assert_eq!(other(Some("b"), "NoCase"), Some("nocase".to_owned()));
        // The last clause is the column's collation.
        assert_eq!(other(Some("c"), "nocase"), None);
        assert_eq!(other(None, "binary"), None);
        assert_eq!(other(None, "nocase"), Some("nocase".to_owned()));
    }

    #[test]
    fn checks_come_from_columns_and_table_with_their_names() {
        let statement = parse_create_table(
            "CREATE TABLE t (a INT CONSTRAINT \"a positive\" CHECK (a > 0) CHECK(a < 10), b INT, CHECK (b <> a), CONSTRAINT b_small CHECK (b < 5))",
        )
        .unwrap();
        let found: Vec<(String, String)> =
            checks(&statement).into_iter().map(|c| (c.name, c.expression.sql)).collect();
        let expected = [("a positive", "a > 0"), ("", "a < 10"), ("", "b <> a"), ("b_small", "b < 5")];
        assert_eq!(found, expected.map(|(n, e)| (n.to_owned(), e.to_owned())));
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
