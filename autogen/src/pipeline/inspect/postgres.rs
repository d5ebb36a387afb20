//! Inspection stage, PostgreSQL: reads one schema's tables, columns (generated ones with their
//! expression), keys, indexes (method, key parts with order, operator class and collation,
//! INCLUDE columns, predicate, NULLS NOT DISTINCT, definition), CHECK constraints, triggers,
//! views, comments and enum types from `pg_catalog` into the schema IR.
//!
//! Every fact comes from one of eight bulk queries ([`TABLES`], [`COLUMNS`], [`CONSTRAINTS`],
//! [`INDEXES`], [`CHECKS`], [`TRIGGERS`], [`VIEWS`], [`ENUMS`]), each run exactly once by [`read`]
//! whatever the number of tables, all on one snapshot of the catalog (one read-only
//! repeatable-read transaction, or two sharing an exported snapshot: see [`fetch`]). Each query
//! restricts itself to the tables in scope (the chosen schema, minus the excluded tables) so
//! excluded tables are never read beyond their name.

use std::collections::BTreeMap;

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseConnectionType, DatabaseTransaction, DbBackend,
    IsolationLevel, QueryResult, Statement, TransactionTrait, TryGetable, Value,
};

use super::{InspectOptions, query_error};
use crate::database::idle_connections;
use crate::Result;
use crate::pipeline::normalize::{default_from_sql, expression};
use crate::pipeline::parse::Dialect;
use crate::pipeline::parse::create_index::parse_create_index;
use crate::pipeline::parse::lexer::tokenize;
use crate::pipeline::schema::{
    Action, Check, Column, ColumnType, ForeignKey, Generated, Index, IndexKey, IndexPart, Schema, Table, Trigger,
    Verbatim, View,
};
use crate::quote;

/// The tables in scope, shared by the per-table queries: ordinary and partitioned tables of the
/// schema `$1` (`current_schema()` when NULL) whose names are not in `$2`.
///
/// Partitions (`relispartition`) are left out: their structure is the parent's, and entities map
/// to the parent.
const SCOPE: &str = "WITH scope AS (
    SELECT c.oid, c.relnamespace AS nsp, c.relname::text AS table_name
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname::text = COALESCE($1::text, current_schema()::text)
      AND c.relkind IN ('r', 'p')
      AND NOT c.relispartition
      AND c.relname::text <> ALL($2::text[])
)";

/// Tables and their comments.
///
/// Comments come from joining `pg_description`, not from `obj_description()`, which runs a query
/// of its own for every row.
const TABLES: &str = "
SELECT s.table_name, ds.description AS comment
FROM scope s
LEFT JOIN pg_catalog.pg_description ds
       ON ds.objoid = s.oid AND ds.classoid = 'pg_catalog.pg_class'::regclass AND ds.objsubid = 0
ORDER BY s.table_name";

/// Live columns in `attnum` order, with their type as `format_type` spells it, their default
/// expression, identity/generated markers, comment, and the enum name when the type is an enum
/// of the same schema (so that it is reported by name rather than as an opaque type).
///
/// Two choices keep this query, the largest, fast (about 2.4x at 1,000 tables): comments are
/// joined from `pg_description` rather than read with `col_description()`, which runs a query per
/// row; and a default is deparsed without its table (`pg_get_expr(adbin, 0)`), which skips
/// building a deparse context per row. Only a generated column's expression names other columns
/// and needs the table.
///
/// PostgreSQL 18 can add a NOT NULL constraint `NOT VALID`: `attnotnull` is then set although
/// older rows may still hold NULL. Such a column is reported nullable, so that an entity that
/// wants it NOT NULL gets `SET NOT NULL`, which validates the constraint. Before 18 there are no
/// `'n'` rows in `pg_constraint` and the join finds nothing.
const COLUMNS: &str = "
SELECT s.table_name,
       a.attname::text AS column_name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS data_type,
       a.attnotnull AND nv.attnum IS NULL AS not_null,
       a.attidentity::text AS identity,
       a.attgenerated::text AS generated,
       pg_catalog.pg_get_expr(d.adbin, CASE WHEN a.attgenerated <> '' THEN d.adrelid ELSE 0 END) AS default_sql,
       ds.description AS comment,
       CASE WHEN t.typtype = 'e' AND t.typnamespace = s.nsp THEN t.typname::text END AS enum_name
FROM scope s
JOIN pg_catalog.pg_attribute a ON a.attrelid = s.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN (
    SELECT k.conrelid, k.conkey[1] AS attnum FROM pg_catalog.pg_constraint k
    WHERE k.contype = 'n' AND NOT k.convalidated
) nv ON nv.conrelid = a.attrelid AND nv.attnum = a.attnum
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_catalog.pg_description ds
       ON ds.objoid = a.attrelid AND ds.classoid = 'pg_catalog.pg_class'::regclass AND ds.objsubid = a.attnum
ORDER BY s.table_name, a.attnum";

/// Primary keys, unique constraints and foreign keys, one row per key column in key order.
///
/// `unnest(conkey, confkey)` walks both arrays in step, so a foreign key's referenced column
/// stays paired with its referencing column; for the other kinds `confkey` is NULL and the
/// referenced side comes out NULL. Column names are looked up one key column at a time (a
/// scalar subquery on the attribute's primary index): a join makes the planner hash every column
/// of the table for each constraint, three times slower at 1,000 tables.
const CONSTRAINTS: &str = "
SELECT s.table_name,
       k.conname::text AS name,
       k.contype::text AS kind,
       (SELECT a.attname::text FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = k.conrelid AND a.attnum = u.attnum) AS column_name,
       r.relname::text AS ref_table,
       (SELECT ra.attname::text FROM pg_catalog.pg_attribute ra
        WHERE ra.attrelid = k.confrelid AND ra.attnum = u.ref_attnum) AS ref_column,
       k.confdeltype::text AS on_delete,
       k.confupdtype::text AS on_update
FROM scope s
JOIN pg_catalog.pg_constraint k ON k.conrelid = s.oid AND k.contype IN ('p', 'u', 'f')
CROSS JOIN LATERAL unnest(k.conkey, k.confkey) WITH ORDINALITY AS u(attnum, ref_attnum, position)
LEFT JOIN pg_catalog.pg_class r ON r.oid = k.confrelid
ORDER BY s.table_name, k.conname, u.position";

/// Indexes, one row per column of the index in index order: the key parts (`position` up to
/// `key_count`), then the `INCLUDE` columns. Indexes backing a primary key or an exclusion
/// constraint are left out (the first is reported from `pg_constraint`, the IR cannot express
/// the second); an index backing a unique constraint with `INCLUDE` columns or `NULLS NOT
/// DISTINCT` comes with `constraint_kind = 'u'`, so that the constraint, reported from
/// [`CONSTRAINTS`], gets them and its definition.
///
/// Everything is read from `pg_index` rather than parsed from the index's definition: a key part
/// is a column by name, or an expression (`indkey` 0) deparsed alone with
/// `pg_get_indexdef(oid, k, true)`; the `indoption` bits give DESC (1) and NULLS FIRST (2); an
/// operator class is named only when it is not the default for the key's type and method (the
/// rule `pg_get_indexdef` prints by); a collation only when it is not the column's. The
/// index-wide facts (method, predicate, NULLS NOT DISTINCT, definition) are on the first row
/// only. `indnullsnotdistinct` makes this query need PostgreSQL 15 or later (14 reached its end of
/// life in November 2026); reading it through `to_jsonb(i)` instead, which older servers would
/// run, made the query half again as slow at 1,000 tables.
///
/// Speed, at 1,000 tables: deparsing is what costs (a deparse context per call), so the
/// definition (`pg_get_indexdef`) is read only for an index that says more than its columns in
/// ascending order (an expression, a predicate, another method, INCLUDE columns, an order or
/// NULLS placement, an operator class or collation of its own, storage parameters, a
/// tablespace, NULLS NOT DISTINCT): the IR holds everything a plain one is, and the engine
/// writes it back from there. Key parts come from `unnest(indkey)`, whose row estimate keeps the
/// plan on index lookups (with `generate_series` the planner expects 1,000 parts per index,
/// hashes `pg_attribute` twice and compiles the query with JIT: several times slower); a key
/// column is looked up alone (`OFFSET 0`) for the same reason.
///
/// An expression's collation cannot be compared with the expression's own in SQL, so the row
/// carries the index's collation name and [`add_index_row`] keeps it only when the definition
/// spells it.
const INDEXES: &str = "
SELECT s.table_name,
       ic.relname::text AS name,
       g.k::int4 AS position,
       i.indnkeyatts::int4 AS key_count,
       k.contype::text AS constraint_kind,
       i.indisunique AS is_unique,
       CASE WHEN g.k = 1 THEN am.amname::text END AS method,
       CASE WHEN g.k = 1 AND k.oid IS NULL AND (
                i.indexprs IS NOT NULL OR i.indpred IS NOT NULL OR am.amname <> 'btree'
                OR i.indnatts > i.indnkeyatts OR ic.reloptions IS NOT NULL OR ic.reltablespace <> 0
                OR 0 <> ANY (i.indoption::int2[])
                OR i.indnullsnotdistinct
                OR i.indclass::oid[] && (SELECT array_agg(d.oid) FROM pg_catalog.pg_opclass d WHERE NOT d.opcdefault)
                OR NOT i.indcollation::oid[] <@ '{0,100}'::oid[])
            THEN pg_catalog.pg_get_indexdef(i.indexrelid) END AS definition,
       CASE WHEN g.k = 1 AND k.oid IS NOT NULL THEN pg_catalog.pg_get_constraintdef(k.oid) END AS constraint_definition,
       CASE WHEN g.k = 1 AND i.indpred IS NOT NULL THEN pg_catalog.pg_get_expr(i.indpred, i.indrelid, true) END AS predicate,
       CASE WHEN g.k = 1 THEN i.indnullsnotdistinct END AS nulls_not_distinct,
       a.attname::text AS column_name,
       CASE WHEN g.attnum = 0 THEN pg_catalog.pg_get_indexdef(i.indexrelid, g.k::int4, true) END AS expression,
       COALESCE(i.indoption[g.k - 1], 0)::int4 AS options,
       CASE WHEN g.k <= i.indnkeyatts AND (NOT o.opcdefault OR o.opcintype <> t.key_type AND EXISTS (
                SELECT 1 FROM pg_catalog.pg_opclass d
                WHERE d.opcmethod = o.opcmethod AND d.opcdefault AND d.opcintype = t.key_type))
            THEN o.opcname::text END AS opclass,
       CASE WHEN g.k <= i.indnkeyatts AND i.indcollation[g.k - 1] <> 0
                 AND i.indcollation[g.k - 1] IS DISTINCT FROM a.attcollation
            THEN (SELECT co.collname::text FROM pg_catalog.pg_collation co WHERE co.oid = i.indcollation[g.k - 1])
       END AS collation
FROM scope s
JOIN pg_catalog.pg_index i ON i.indrelid = s.oid
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
LEFT JOIN pg_catalog.pg_constraint k
       ON k.conrelid = i.indrelid AND k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x')
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS g(attnum, k)
LEFT JOIN LATERAL (
    SELECT ka.attname, ka.atttypid, ka.attcollation FROM pg_catalog.pg_attribute ka
    WHERE ka.attrelid = i.indrelid AND ka.attnum = g.attnum OFFSET 0
) a ON true
LEFT JOIN pg_catalog.pg_opclass o ON g.k <= i.indnkeyatts AND o.oid = i.indclass[g.k - 1]
CROSS JOIN LATERAL (SELECT COALESCE(a.atttypid, (
    SELECT ia.atttypid FROM pg_catalog.pg_attribute ia WHERE ia.attrelid = i.indexrelid AND ia.attnum = g.k
)) AS key_type) t
WHERE k.contype IS NULL OR k.contype = 'u' AND (i.indnatts > i.indnkeyatts OR i.indnullsnotdistinct)
ORDER BY s.table_name, ic.relname, g.k";

/// CHECK constraints by name, with their condition deparsed (pretty, as `\d` shows it). NOT NULL
/// constraints of PostgreSQL 18 (`contype = 'n'`) are nullability, not checks, and are left out.
const CHECKS: &str = "
SELECT s.table_name,
       k.conname::text AS name,
       pg_catalog.pg_get_expr(k.conbin, k.conrelid, true) AS expression
FROM scope s
JOIN pg_catalog.pg_constraint k ON k.conrelid = s.oid AND k.contype = 'c'
ORDER BY s.table_name, k.conname";

/// Triggers written by users (not the internal ones that enforce foreign keys), with the
/// statement that creates each.
const TRIGGERS: &str = "
SELECT s.table_name,
       t.tgname::text AS name,
       pg_catalog.pg_get_triggerdef(t.oid) AS definition
FROM scope s
JOIN pg_catalog.pg_trigger t ON t.tgrelid = s.oid AND NOT t.tgisinternal
ORDER BY s.table_name, t.tgname";

/// Views and materialized views of the schema `$1` whose names are not in `$2`, with their query
/// (`pg_get_viewdef`), options (`WITH (check_option=..)`) and, for a materialized view, whether
/// it holds data.
const VIEWS: &str = "
SELECT c.relname::text AS name,
       c.relkind::text AS kind,
       pg_catalog.pg_get_viewdef(c.oid, true) AS query,
       pg_catalog.array_to_string(c.reloptions, ', ') AS options,
       c.relispopulated AS populated
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname::text = COALESCE($1::text, current_schema()::text)
  AND c.relkind IN ('v', 'm')
  AND c.relname::text <> ALL($2::text[])
ORDER BY c.relname";

/// Enum types of the schema with their labels in declared order; an enum without labels still
/// gets one row (with a NULL label) so that it is reported.
const ENUMS: &str = "
SELECT t.typname::text AS name, e.enumlabel::text AS label
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
WHERE t.typtype = 'e' AND n.nspname::text = COALESCE($1::text, current_schema()::text)
ORDER BY t.typname, e.enumsortorder";

/// Reads the catalog rows of the schema `options.schema` (or `current_schema()`) of the
/// PostgreSQL database `db`.
///
/// All queries see one snapshot, so that a concurrent migration cannot leave us with columns of a
/// table we did not list, or a foreign key to a table that is already gone. They run on two
/// connections at once when the pool has two open: the second transaction imports the first's
/// snapshot (`pg_export_snapshot`, `SET TRANSACTION SNAPSHOT`), and the columns query, the
/// largest, runs beside the others. On a pool of one connection, or a server that refuses to
/// share the snapshot, they run one after the other in one transaction.
pub(super) async fn fetch(db: &DatabaseConnection, options: &InspectOptions) -> Result<Fetched> {
    if ready_connections(db).await >= 2
        && let Some(fetched) = fetch_on_two_connections(db, options).await?
    {
        return Ok(fetched);
    }
    let txn = read_only_snapshot(db).await?;
    let mut catalog = Catalog::new(&txn, options);
    let fetched = fetch_rows(&mut catalog).await?;
    txn.commit().await.map_err(query_error)?;
    Ok(fetched)
}

/// Whether `db` is a pool that may hold two connections at once.
fn lends_two_connections(db: &DatabaseConnection) -> bool {
    matches!(&db.inner, DatabaseConnectionType::SqlxPostgresPoolConnection(_))
        && db.get_postgres_connection_pool().options().get_max_connections() >= 2
}

/// How many open connections of `db`'s pool are ready for the catalog queries, up to two. One
/// that a query just released (the history's) is waited for, a few ms at most, rather than
/// letting the pool open another: the connections `connect` opened are all there is, and none
/// is opened for the catalog.
async fn ready_connections(db: &DatabaseConnection) -> usize {
    if !lends_two_connections(db) {
        return 1;
    }
    let pool = db.get_postgres_connection_pool();
    let wanted = (pool.size() as usize).min(2);
    idle_connections(pool, wanted, std::time::Duration::from_millis(50)).await.min(2)
}

/// A read-only repeatable-read transaction: every query in it sees the snapshot of its first.
async fn read_only_snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction> {
    db.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly))
        .await
        .map_err(query_error)
}

/// [`fetch`] on two connections sharing one snapshot; `None` when the snapshot could not be
/// shared (both transactions are then rolled back, having read nothing).
async fn fetch_on_two_connections(db: &DatabaseConnection, options: &InspectOptions) -> Result<Option<Fetched>> {
    let (first, second) = tokio::join!(read_only_snapshot(db), read_only_snapshot(db));
    let (first, second) = (first?, second?);
    let export = Statement::from_string(DbBackend::Postgres, "SELECT pg_catalog.pg_export_snapshot() AS snapshot");
    let Ok(Some(row)) = first.query_one_raw(export).await else {
        return Ok(None);
    };
    let snapshot: String = get(&row, "snapshot")?;
    let import = format!("SET TRANSACTION SNAPSHOT {}", quote::string(DbBackend::Postgres, &snapshot));
    if second.execute_unprepared(&import).await.is_err() {
        return Ok(None);
    }
    let (mut columns, mut others) = (Catalog::new(&first, options), Catalog::new(&second, options));
    let (columns, others) = tokio::join!(columns.scoped(COLUMNS), fetch_rows_but_columns(&mut others));
    let mut fetched = others?;
    fetched.columns = columns?;
    first.commit().await.map_err(query_error)?;
    second.commit().await.map_err(query_error)?;
    Ok(Some(fetched))
}

/// The rows of the eight catalog queries.
pub(super) struct Fetched {
    tables: Vec<QueryResult>,
    columns: Vec<QueryResult>,
    constraints: Vec<QueryResult>,
    indexes: Vec<QueryResult>,
    checks: Vec<QueryResult>,
    triggers: Vec<QueryResult>,
    views: Vec<QueryResult>,
    enums: Vec<QueryResult>,
}

impl Fetched {
    /// How many rows the queries returned.
    pub(super) fn rows(&self) -> usize {
        [&self.tables, &self.columns, &self.constraints, &self.indexes, &self.checks, &self.triggers, &self.views, &self.enums]
            .iter()
            .map(|rows| rows.len())
            .sum()
    }
}

/// A connection plus the query parameters every catalog query shares, counting the queries run.
struct Catalog<'a, C> {
    conn: &'a C,
    /// `$1`: the schema to read; NULL for `current_schema()`.
    schema: Option<String>,
    /// `$2`: the tables to skip.
    exclude: Vec<String>,
    /// How many queries have been run, so that tests can check it does not grow with the schema.
    queries: usize,
}

impl<'a, C: ConnectionTrait> Catalog<'a, C> {
    /// A catalog reader for the scope described by `options`.
    fn new(conn: &'a C, options: &InspectOptions) -> Self {
        Self {
            conn,
            schema: options.schema.clone(),
            exclude: options.exclude_tables.clone(),
            queries: 0,
        }
    }

    /// Runs one of the per-table queries, prefixed with the scope of tables it may read.
    async fn scoped(&mut self, body: &str) -> Result<Vec<QueryResult>> {
        let values = vec![
            Value::from(self.schema.clone()),
            Value::from(self.exclude.clone()),
        ];
        self.run(format!("{SCOPE}{body}"), values).await
    }

    /// Runs the enum query, which depends on the schema only.
    async fn enums(&mut self) -> Result<Vec<QueryResult>> {
        let values = vec![Value::from(self.schema.clone())];
        self.run(ENUMS.to_owned(), values).await
    }

    /// Runs the view query, which reads relations of the schema but no table's details.
    async fn views(&mut self) -> Result<Vec<QueryResult>> {
        let values = vec![Value::from(self.schema.clone()), Value::from(self.exclude.clone())];
        self.run(VIEWS.to_owned(), values).await
    }

    /// Runs one statement and counts it.
    async fn run(&mut self, sql: String, values: Vec<Value>) -> Result<Vec<QueryResult>> {
        self.queries += 1;
        let statement = Statement::from_sql_and_values(DbBackend::Postgres, sql, values);
        self.conn
            .query_all_raw(statement)
            .await
            .map_err(query_error)
    }
}

/// Runs the eight catalog queries, in straight-line code: no query runs per table or per object.
async fn fetch_rows<C: ConnectionTrait>(catalog: &mut Catalog<'_, C>) -> Result<Fetched> {
    let columns = catalog.scoped(COLUMNS).await?;
    Ok(Fetched { columns, ..fetch_rows_but_columns(catalog).await? })
}

/// The catalog queries but [`COLUMNS`], whose rows are left empty.
async fn fetch_rows_but_columns<C: ConnectionTrait>(catalog: &mut Catalog<'_, C>) -> Result<Fetched> {
    Ok(Fetched {
        tables: catalog.scoped(TABLES).await?,
        columns: Vec::new(),
        constraints: catalog.scoped(CONSTRAINTS).await?,
        indexes: catalog.scoped(INDEXES).await?,
        checks: catalog.scoped(CHECKS).await?,
        triggers: catalog.scoped(TRIGGERS).await?,
        views: catalog.views().await?,
        enums: catalog.enums().await?,
    })
}

/// Reads the whole schema through `catalog`.
#[cfg(test)]
async fn read<C: ConnectionTrait>(catalog: &mut Catalog<'_, C>) -> Result<Schema> {
    assemble(fetch_rows(catalog).await?)
}

/// Builds the schema IR from the rows [`fetch`] read.
pub(super) fn assemble(fetched: Fetched) -> Result<Schema> {
    let mut tables = BTreeMap::new();
    for row in fetched.tables {
        let name: String = get(&row, "table_name")?;
        let table = Table {
            name: name.clone(),
            comment: get(&row, "comment")?,
            ..Table::default()
        };
        tables.insert(name, table);
    }
    for row in fetched.columns {
        let (table, column) = (get::<String>(&row, "table_name")?, column(&row)?);
        if let Some(table) = tables.get_mut(&table) {
            table.columns.push(column);
        }
    }
    for row in fetched.constraints {
        let table: String = get(&row, "table_name")?;
        if let Some(table) = tables.get_mut(&table) {
            add_constraint_column(table, &row)?;
        }
    }
    for row in fetched.indexes {
        let table: String = get(&row, "table_name")?;
        if let Some(table) = tables.get_mut(&table) {
            add_index_row(table, &row)?;
        }
    }
    for row in fetched.checks {
        let table: String = get(&row, "table_name")?;
        if let Some(table) = tables.get_mut(&table) {
            table.checks.push(Check {
                name: get(&row, "name")?,
                expression: expression(DbBackend::Postgres, &get::<String>(&row, "expression")?),
            });
        }
    }
    for row in fetched.triggers {
        let table: String = get(&row, "table_name")?;
        if let Some(table) = tables.get_mut(&table) {
            table.triggers.push(Trigger {
                name: get(&row, "name")?,
                definition: Verbatim(get(&row, "definition")?),
            });
        }
    }
    let mut views = BTreeMap::new();
    for row in fetched.views {
        let view = view(&row)?;
        views.insert(view.name.clone(), view);
    }
    let mut enums: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in fetched.enums {
        let labels = enums.entry(get(&row, "name")?).or_default();
        labels.extend(get::<Option<String>>(&row, "label")?);
    }
    Ok(Schema { tables, enums, views })
}

/// A view from a row of [`VIEWS`], with the statement that recreates it: `CREATE [MATERIALIZED]
/// VIEW name [WITH (options)] AS query [WITH NO DATA]`.
fn view(row: &QueryResult) -> Result<View> {
    let name: String = get(row, "name")?;
    let materialized = get::<String>(row, "kind")? == "m";
    let options: Option<String> = get(row, "options")?;
    let populated: bool = get(row, "populated")?;
    // `pg_get_viewdef` ends the query with a semicolon; the statement must not.
    let query: Option<String> = get(row, "query")?;
    let definition = query.map(|query| {
        let query = query.trim().trim_end_matches(';').trim_end();
        let mut sql = format!(
            "CREATE {}VIEW {}",
            if materialized { "MATERIALIZED " } else { "" },
            quote::ident(DbBackend::Postgres, &name)
        );
        if let Some(options) = options.filter(|o| !o.is_empty()) {
            sql.push_str(&format!(" WITH ({options})"));
        }
        sql.push_str(" AS ");
        sql.push_str(query);
        if materialized && !populated {
            sql.push_str(" WITH NO DATA");
        }
        sql
    });
    Ok(View { name, definition: Verbatim(definition) })
}

/// One column from a row of [`COLUMNS`].
fn column(row: &QueryResult) -> Result<Column> {
    let ty = match get::<Option<String>>(row, "enum_name")? {
        // The labels live in `Schema::enums`; a column only names its type.
        Some(name) => ColumnType::Enum {
            name,
            values: vec![],
        },
        None => parse_type(&get::<String>(row, "data_type")?),
    };
    let identity: String = get(row, "identity")?;
    let generated: String = get(row, "generated")?;
    let default_sql: Option<String> = get(row, "default_sql")?;
    // serial columns are a sequence default; identity columns have no default at all. Either way
    // the database generates the value, and the sequence name is not part of the design.
    let auto_increment = matches!(identity.as_str(), "a" | "d")
        || default_sql.as_deref().is_some_and(is_sequence_default);
    // A generated column's expression sits in pg_attrdef too, but it is not a default: 's' is
    // STORED, 'v' (PostgreSQL 18) VIRTUAL.
    let (default, generated) = match default_sql {
        Some(sql) if !generated.is_empty() => {
            (None, Some(Generated { expression: expression(DbBackend::Postgres, &sql), stored: generated == "s" }))
        }
        Some(sql) if !auto_increment => (default_from_sql(DbBackend::Postgres, &ty, &sql), None),
        _ => (None, None),
    };
    Ok(Column {
        name: get(row, "column_name")?,
        ty,
        nullable: !get::<bool>(row, "not_null")?,
        default,
        auto_increment,
        comment: get(row, "comment")?,
        renamed_from: None,
        generated,
    })
}

/// Whether a default is a sequence's next value, as `serial` columns have.
fn is_sequence_default(sql: &str) -> bool {
    sql.trim_start()
        .to_ascii_lowercase()
        .starts_with("nextval(")
}

/// Adds one key column from a row of [`CONSTRAINTS`] to the constraint it belongs to; rows of a
/// constraint arrive together and in key order, so a constraint is the last one of its kind.
fn add_constraint_column(table: &mut Table, row: &QueryResult) -> Result<()> {
    let name: String = get(row, "name")?;
    let column: String = get(row, "column_name")?;
    match get::<String>(row, "kind")?.as_str() {
        "p" => table.primary_key.push(column),
        "u" => match table.indexes.last_mut() {
            Some(index) if index.constraint && index.name == name => index.parts.push(IndexPart::column(column)),
            _ => table.indexes.push(Index {
                name,
                unique: true,
                constraint: true,
                ..Index::on_columns(&[column], false)
            }),
        },
        "f" => {
            let ref_column: Option<String> = get(row, "ref_column")?;
            match table.foreign_keys.last_mut() {
                Some(fk) if fk.name == name => {
                    fk.columns.push(column);
                    fk.ref_columns.extend(ref_column);
                }
                _ => table.foreign_keys.push(ForeignKey {
                    name,
                    columns: vec![column],
                    ref_table: get::<Option<String>>(row, "ref_table")?.unwrap_or_default(),
                    ref_columns: ref_column.into_iter().collect(),
                    on_delete: action(&get::<String>(row, "on_delete")?),
                    on_update: action(&get::<String>(row, "on_update")?),
                }),
            }
        }
        // The query asks for the three kinds above only.
        _ => {}
    }
    Ok(())
}

/// Adds one row of [`INDEXES`] to its index: the first row of an index starts it, the others
/// add a key part or an `INCLUDE` column. Rows of an index arrive together and in order.
fn add_index_row(table: &mut Table, row: &QueryResult) -> Result<()> {
    let name: String = get(row, "name")?;
    let position: i32 = get(row, "position")?;
    let key_count: i32 = get(row, "key_count")?;
    let column: Option<String> = get(row, "column_name")?;
    if get::<Option<String>>(row, "constraint_kind")?.is_some() {
        // A unique constraint: its columns came from `pg_constraint`; only what the index adds.
        let Some(index) = table.indexes.iter_mut().find(|i| i.constraint && i.name == name) else {
            return Ok(());
        };
        if position == 1 {
            index.nulls_not_distinct = get::<Option<bool>>(row, "nulls_not_distinct")?.unwrap_or(false);
            // A constraint the engine cannot write from its columns comes back from its own text.
            if let Some(constraint) = get::<Option<String>>(row, "constraint_definition")? {
                index.definition = Verbatim::of(format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} {constraint}",
                    quote::ident(DbBackend::Postgres, &table.name),
                    quote::ident(DbBackend::Postgres, &name)
                ));
            }
        }
        if position > key_count {
            index.include.extend(column);
        }
        return Ok(());
    }
    if position == 1 {
        table.indexes.push(Index {
            name: name.clone(),
            unique: get(row, "is_unique")?,
            constraint: false,
            method: get::<Option<String>>(row, "method")?.filter(|m| m != "btree"),
            predicate: get::<Option<String>>(row, "predicate")?.map(|sql| expression(DbBackend::Postgres, &sql)),
            nulls_not_distinct: get::<Option<bool>>(row, "nulls_not_distinct")?.unwrap_or(false),
            definition: Verbatim(get::<Option<String>>(row, "definition")?.map(|sql| on_every_partition(&sql))),
            ..Index::on_columns::<&str>(&[], false)
        });
    }
    let Some(index) = table.indexes.last_mut().filter(|i| !i.constraint && i.name == name) else {
        return Err(crate::Error::Database(format!("index {name}: catalog rows out of order")));
    };
    if position > key_count {
        index.include.extend(column);
        return Ok(());
    }
    let options: i32 = get(row, "options")?;
    let descending = options & 1 != 0;
    let nulls_first = options & 2 != 0;
    let key = match column {
        Some(column) => IndexKey::Column(column),
        None => IndexKey::Expression(expression(DbBackend::Postgres, &get::<String>(row, "expression")?)),
    };
    let mut collation: Option<String> = get(row, "collation")?;
    if matches!(key, IndexKey::Expression(_)) && collation.is_some() {
        // The query cannot tell an expression's own collation from one the index chose; the
        // definition spells only the latter.
        collation = index
            .definition
            .text()
            .and_then(|sql| parse_create_index(sql, Dialect::Postgres).ok())
            .and_then(|parsed| parsed.parts.into_iter().nth(index.parts.len()))
            .and_then(|part| part.collation);
    }
    index.parts.push(IndexPart {
        key,
        descending,
        // Only an order that is not the default for the direction says something.
        nulls_first: match (nulls_first, descending) {
            (true, false) => Some(true),
            (false, true) => Some(false),
            _ => None,
        },
        opclass: get(row, "opclass")?,
        prefix: None,
        collation,
    });
    Ok(())
}

/// An index definition that, run again, indexes every partition: `pg_get_indexdef` spells an
/// index of a partitioned table `ON ONLY`, which would create it on the parent alone, invalid.
fn on_every_partition(definition: &str) -> String {
    let Ok(tokens) = tokenize(definition, Dialect::Postgres) else {
        return definition.to_owned();
    };
    match tokens.windows(2).position(|pair| pair[0].is_word("on") && pair[1].is_word("only")) {
        Some(at) => format!("{}{}", &definition[..tokens[at + 1].span.start], definition[tokens[at + 1].span.end..].trim_start()),
        None => definition.to_owned(),
    }
}

/// A foreign key action from `confdeltype`/`confupdtype`.
fn action(code: &str) -> Action {
    match code {
        "r" => Action::Restrict,
        "c" => Action::Cascade,
        "n" => Action::SetNull,
        "d" => Action::SetDefault,
        // 'a' is NO ACTION, which is also what an unknown code is safest taken as.
        _ => Action::NoAction,
    }
}

/// Reads a column of a catalog row, as a database error when it is missing or of another type.
fn get<T: TryGetable>(row: &QueryResult, column: &str) -> Result<T> {
    row.try_get("", column).map_err(query_error)
}

/// Parses a PostgreSQL type name into the IR, accepting both the catalog's spelling
/// (`format_type`: `character varying(255)`, `numeric(12,2)`) and sea-query's
/// (`varchar(255)`, `decimal(12, 2)`), so that both sides of a diff agree.
///
/// Names are case-insensitive and whitespace is collapsed. Anything the IR has no variant for
/// (arrays, `interval`, `timetz`, a fractional-seconds precision other than the default 6, ...)
/// is kept as [`ColumnType::Other`] with its lower-cased spelling.
pub(crate) fn parse_type(text: &str) -> ColumnType {
    let spelled = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    let other = || ColumnType::Other(spelled.clone());
    // An array of any dimension is an array of its element type (PostgreSQL does not enforce
    // dimensions, and `format_type` prints one pair of brackets whatever was declared).
    if let Some(element) = spelled.strip_suffix("[]") {
        return ColumnType::Array(Box::new(parse_type(element.trim_end_matches("[]"))));
    }
    // Quoted names (`"char"`, `"bit"`) are distinct internal types.
    if spelled.contains('"') || spelled.contains('[') {
        return other();
    }
    // Split `base(args) rest` into the name `base rest` and the numeric modifiers, so that
    // `timestamp(3) with time zone` and `character varying(10)` parse alike.
    let (name, args) = match spelled.split_once('(') {
        None => (spelled.clone(), vec![]),
        Some((base, tail)) => {
            let Some((inside, rest)) = tail.split_once(')') else {
                return other();
            };
            let args: Option<Vec<u32>> = inside
                .split(',')
                .map(|arg| arg.trim().parse().ok())
                .collect();
            let Some(args) = args else {
                return other();
            };
            let name = format!("{} {}", base.trim(), rest.trim());
            (name.trim().to_owned(), args)
        }
    };
    match (name.as_str(), args.as_slice()) {
        ("character varying" | "varchar", []) => ColumnType::Varchar(None),
        ("character varying" | "varchar", [n]) => ColumnType::Varchar(Some(*n)),
        // In a column definition a bare `char` is `char(1)`; only `bpchar` is unbounded.
        ("character" | "char", []) => ColumnType::Char(Some(1)),
        ("character" | "char" | "bpchar", [n]) => ColumnType::Char(Some(*n)),
        ("bpchar", []) => ColumnType::Char(None),
        ("text", []) => ColumnType::Text,
        ("smallint" | "int2" | "smallserial" | "serial2", []) => ColumnType::SmallInt,
        ("integer" | "int" | "int4" | "serial" | "serial4", []) => ColumnType::Integer,
        ("bigint" | "int8" | "bigserial" | "serial8", []) => ColumnType::BigInt,
        ("real" | "float4", []) => ColumnType::Float,
        ("double precision" | "float8" | "float", []) => ColumnType::Double,
        // `float(p)` is `real` up to 24 bits of mantissa, `double precision` above.
        ("float", [p]) if *p <= 24 => ColumnType::Float,
        ("float", [_]) => ColumnType::Double,
        ("numeric" | "decimal", []) => ColumnType::Decimal(None),
        ("numeric" | "decimal", [p]) => ColumnType::Decimal(Some((*p, 0))),
        ("numeric" | "decimal", [p, s]) => ColumnType::Decimal(Some((*p, *s))),
        ("boolean" | "bool", []) => ColumnType::Boolean,
        ("date", []) => ColumnType::Date,
        // 6 is PostgreSQL's default (and maximum) precision, so `time(6)` is `time`.
        ("time" | "time without time zone", [] | [6]) => ColumnType::Time,
        ("timestamp" | "timestamp without time zone", [] | [6]) => ColumnType::Timestamp,
        ("timestamptz" | "timestamp with time zone", [] | [6]) => ColumnType::TimestampTz,
        ("uuid", []) => ColumnType::Uuid,
        ("json", []) => ColumnType::Json,
        ("jsonb", []) => ColumnType::Jsonb,
        ("bytea", []) => ColumnType::Blob,
        _ => other(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::normalize::render_type;
    use sea_orm::sea_query::{self, StringLen};

    /// Every type a SeaORM entity can declare, with what the catalog reports for a column created
    /// with it, as the IR.
    fn entity_types() -> Vec<(sea_query::ColumnType, ColumnType)> {
        use sea_query::ColumnType as Sq;
        vec![
            (Sq::Char(None), ColumnType::Char(Some(1))),
            (Sq::Char(Some(3)), ColumnType::Char(Some(3))),
            (
                Sq::String(StringLen::N(255)),
                ColumnType::Varchar(Some(255)),
            ),
            (Sq::String(StringLen::None), ColumnType::Varchar(None)),
            (Sq::Text, ColumnType::Text),
            (Sq::TinyInteger, ColumnType::SmallInt),
            (Sq::SmallInteger, ColumnType::SmallInt),
            (Sq::Integer, ColumnType::Integer),
            (Sq::BigInteger, ColumnType::BigInt),
            (Sq::TinyUnsigned, ColumnType::SmallInt),
            (Sq::SmallUnsigned, ColumnType::Integer),
            (Sq::Unsigned, ColumnType::BigInt),
            (Sq::BigUnsigned, ColumnType::BigInt),
            (Sq::Float, ColumnType::Float),
            (Sq::Double, ColumnType::Double),
            (
                Sq::Decimal(Some((12, 2))),
                ColumnType::Decimal(Some((12, 2))),
            ),
            (Sq::Decimal(None), ColumnType::Decimal(None)),
            (Sq::DateTime, ColumnType::Timestamp),
            (Sq::Timestamp, ColumnType::Timestamp),
            (Sq::TimestampWithTimeZone, ColumnType::TimestampTz),
            (Sq::Time, ColumnType::Time),
            (Sq::Date, ColumnType::Date),
            (Sq::Binary(16), ColumnType::Blob),
            (Sq::VarBinary(StringLen::N(64)), ColumnType::Blob),
            (Sq::Blob, ColumnType::Blob),
            (Sq::Boolean, ColumnType::Boolean),
            (Sq::Json, ColumnType::Json),
            (Sq::JsonBinary, ColumnType::Jsonb),
            (Sq::Uuid, ColumnType::Uuid),
        ]
    }

    #[test]
    fn catalog_and_sea_query_spellings_agree() {
        let pairs = [
            (
                "character varying(255)",
                "varchar(255)",
                ColumnType::Varchar(Some(255)),
            ),
            ("character varying", "varchar", ColumnType::Varchar(None)),
            ("character(8)", "char(8)", ColumnType::Char(Some(8))),
            ("character(1)", "char", ColumnType::Char(Some(1))),
            ("text", "TEXT", ColumnType::Text),
            ("smallint", "int2", ColumnType::SmallInt),
            ("integer", "int", ColumnType::Integer),
            ("integer", "int4", ColumnType::Integer),
            ("bigint", "int8", ColumnType::BigInt),
            ("real", "float4", ColumnType::Float),
            ("double precision", "float8", ColumnType::Double),
            (
                "numeric(12,2)",
                "decimal(12, 2)",
                ColumnType::Decimal(Some((12, 2))),
            ),
            (
                "numeric(10,0)",
                "decimal(10)",
                ColumnType::Decimal(Some((10, 0))),
            ),
            ("numeric", "decimal", ColumnType::Decimal(None)),
            ("boolean", "bool", ColumnType::Boolean),
            ("date", "DATE", ColumnType::Date),
            ("time without time zone", "time", ColumnType::Time),
            (
                "timestamp without time zone",
                "timestamp",
                ColumnType::Timestamp,
            ),
            (
                "timestamp(6) without time zone",
                "timestamp",
                ColumnType::Timestamp,
            ),
            (
                "timestamp with time zone",
                "timestamptz",
                ColumnType::TimestampTz,
            ),
            ("uuid", "UUID", ColumnType::Uuid),
            ("json", "json", ColumnType::Json),
            ("jsonb", "jsonb", ColumnType::Jsonb),
            ("bytea", "bytea", ColumnType::Blob),
        ];
        for (catalog, sea_query, expected) in pairs {
            assert_eq!(parse_type(catalog), expected, "{catalog}");
            assert_eq!(parse_type(sea_query), expected, "{sea_query}");
        }
    }

    #[test]
    fn whitespace_and_case_do_not_matter() {
        assert_eq!(
            parse_type("  Character   Varying( 20 ) "),
            ColumnType::Varchar(Some(20))
        );
        assert_eq!(parse_type("DOUBLE\tPRECISION"), ColumnType::Double);
        assert_eq!(
            parse_type("NUMERIC( 5 , 1 )"),
            ColumnType::Decimal(Some((5, 1)))
        );
    }

    #[test]
    fn unknown_types_are_kept_lower_case() {
        let other = |s: &str| ColumnType::Other(s.into());
        assert_eq!(parse_type("interval"), other("interval"));
        assert_eq!(parse_type("INET"), other("inet"));
        assert_eq!(parse_type("integer[]"), ColumnType::Array(Box::new(ColumnType::Integer)));
        assert_eq!(
            parse_type("character varying(20)[]"),
            ColumnType::Array(Box::new(ColumnType::Varchar(Some(20))))
        );
        assert_eq!(parse_type("text[][]"), ColumnType::Array(Box::new(ColumnType::Text)));
        assert_eq!(parse_type("inet[]"), ColumnType::Array(Box::new(other("inet"))));
        assert_eq!(parse_type("\"char\""), other("\"char\""));
        assert_eq!(
            parse_type("time with time zone"),
            other("time with time zone")
        );
        // A precision other than the default is a real difference the IR cannot hold otherwise.
        assert_eq!(
            parse_type("timestamp(3) with time zone"),
            other("timestamp(3) with time zone")
        );
        assert_eq!(parse_type("varchar(abc)"), other("varchar(abc)"));
        assert_eq!(parse_type("public.mood"), other("public.mood"));
    }

    #[test]
    fn bpchar_without_length_is_unbounded() {
        assert_eq!(parse_type("bpchar"), ColumnType::Char(None));
        assert_eq!(parse_type("bpchar(4)"), ColumnType::Char(Some(4)));
    }

    #[test]
    fn every_entity_type_parses_to_what_the_catalog_stores() {
        for (sea_type, stored) in entity_types() {
            let rendered = render_type(DbBackend::Postgres, &sea_type);
            assert_eq!(
                parse_type(&rendered),
                stored,
                "{sea_type:?} rendered as {rendered}"
            );
        }
    }

    #[test]
    fn foreign_key_actions() {
        assert_eq!(action("a"), Action::NoAction);
        assert_eq!(action("r"), Action::Restrict);
        assert_eq!(action("c"), Action::Cascade);
        assert_eq!(action("n"), Action::SetNull);
        assert_eq!(action("d"), Action::SetDefault);
    }

    #[test]
    fn partitioned_index_definitions_index_every_partition() {
        assert_eq!(
            on_every_partition("CREATE INDEX p_d ON ONLY public.p USING btree (d) WHERE (id > 0)"),
            "CREATE INDEX p_d ON public.p USING btree (d) WHERE (id > 0)"
        );
        // A name that reads `on only` is a name.
        assert_eq!(
            on_every_partition(r#"CREATE INDEX "on only" ON public."only" USING btree (d)"#),
            r#"CREATE INDEX "on only" ON public."only" USING btree (d)"#
        );
        assert_eq!(
            on_every_partition(r#"CREATE INDEX "x on only y" ON ONLY public.p USING btree (d)"#),
            r#"CREATE INDEX "x on only y" ON public.p USING btree (d)"#
        );
    }

    #[test]
    fn sequence_defaults_are_recognised() {
        assert!(is_sequence_default("nextval('t_id_seq'::regclass)"));
        assert!(!is_sequence_default("'nextval'::text"));
    }

    #[test]
    fn per_table_queries_read_only_the_tables_in_scope() {
        for body in [TABLES, COLUMNS, CONSTRAINTS, INDEXES, CHECKS, TRIGGERS] {
            assert!(body.contains("FROM scope s"), "{body}");
        }
    }

    /// Tests against live servers: `TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432`,
    /// PostgreSQL 15) and `TEST_POSTGRES18_URL` (default `postgres://postgres@127.0.0.1:5418`).
    mod live {
        use std::time::Duration;

        use sea_orm::sea_query::{Alias, ColumnDef, Table as SqTable};
        use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

        use super::super::{
            Catalog, assemble, fetch, fetch_on_two_connections, lends_two_connections, read, read_only_snapshot,
            ready_connections,
        };
        use super::entity_types;
        use crate::pipeline::inspect::InspectOptions;
        use crate::pipeline::normalize::render_type;

        /// The machine's PostgreSQL 15: the variable naming its URL, and the URL when unset.
        const POSTGRES: (&str, &str) = ("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432");
        /// PostgreSQL 18, whose catalogs differ (NOT NULL constraints, virtual generated columns).
        const POSTGRES18: (&str, &str) =
            ("TEST_POSTGRES18_URL", "postgres://postgres@127.0.0.1:5418");

        /// Connects to a fresh database on `server`, or returns `None` (after saying why) when
        /// the server does not answer outside CI.
        async fn fresh_database(
            (var, default): (&str, &str),
            tag: &str,
        ) -> Option<(DatabaseConnection, DatabaseConnection, String)> {
            let admin_url = std::env::var(var).unwrap_or_else(|_| default.to_owned());
            let mut options = ConnectOptions::new(admin_url.clone());
            options
                .max_connections(1)
                .connect_timeout(Duration::from_secs(5))
                .sqlx_logging(false);
            let admin = match Database::connect(options).await {
                Ok(admin) => admin,
                Err(e) if std::env::var_os("CI").is_some() => {
                    panic!("PostgreSQL at {admin_url} is unreachable: {e}")
                }
                Err(e) => {
                    println!("skipped: PostgreSQL at {admin_url} is unreachable: {e}");
                    return None;
                }
            };
            let name = format!("autogen_inspect_pg_{}_unit_{tag}", std::process::id());
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .expect("drop stale test database");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            let mut options = ConnectOptions::new(database_url((var, default), &name));
            options.max_connections(1).sqlx_logging(false);
            let db = Database::connect(options)
                .await
                .expect("connect to test database");
            Some((admin, db, name))
        }

        /// The URL of database `name` on `server`.
        fn database_url((var, default): (&str, &str), name: &str) -> String {
            let admin_url = std::env::var(var).unwrap_or_else(|_| default.to_owned());
            let mut url = url::Url::parse(&admin_url).expect("valid server URL");
            url.set_path(&format!("/{name}"));
            url.to_string()
        }

        async fn drop_database(admin: DatabaseConnection, db: DatabaseConnection, name: &str) {
            db.close().await.expect("close test connection");
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .expect("drop test database");
        }

        /// A table with one column per entity type, in the order of [`entity_types`].
        async fn create_type_table(db: &DatabaseConnection, table: &str) {
            let mut create = SqTable::create();
            create.table(Alias::new(table));
            for (i, (ty, _)) in entity_types().into_iter().enumerate() {
                create.col(ColumnDef::new_with_type(Alias::new(format!("c{i}")), ty));
            }
            db.execute(&create).await.expect("create type table");
        }

        #[tokio::test]
        async fn catalog_types_match_sea_query_and_query_count_is_fixed() {
            types_and_query_count(POSTGRES).await;
        }

        #[tokio::test]
        async fn catalog_types_match_sea_query_and_query_count_is_fixed_on_18() {
            types_and_query_count(POSTGRES18).await;
        }

        async fn types_and_query_count(server: (&str, &str)) {
            let Some((admin, db, name)) = fresh_database(server, "types").await else {
                return;
            };
            create_type_table(&db, "t0").await;
            let options = InspectOptions::default();
            let mut catalog = Catalog::new(&db, &options);
            let schema = read(&mut catalog).await.expect("inspect");
            let columns = &schema.tables["t0"].columns;
            for (i, (ty, _)) in entity_types().into_iter().enumerate() {
                let rendered = render_type(DbBackend::Postgres, &ty);
                assert_eq!(columns[i].name, format!("c{i}"));
                assert_eq!(
                    columns[i].ty,
                    super::super::parse_type(&rendered),
                    "{ty:?} as {rendered}"
                );
            }
            let queries_for_one = catalog.queries;
            // TABLES, COLUMNS, CONSTRAINTS, INDEXES, CHECKS, TRIGGERS, VIEWS, ENUMS.
            assert_eq!(queries_for_one, 8);

            for t in 1..6 {
                create_type_table(&db, &format!("t{t}")).await;
            }
            let mut catalog = Catalog::new(&db, &options);
            let schema = read(&mut catalog).await.expect("inspect");
            assert_eq!(schema.tables.len(), 6);
            assert_eq!(catalog.queries, queries_for_one);

            // Exclusion happens in SQL, not only in the caller's filter.
            let options = InspectOptions {
                schema: None,
                exclude_tables: vec!["t1".to_owned(), "t2".to_owned()],
            };
            let schema = read(&mut Catalog::new(&db, &options))
                .await
                .expect("inspect");
            let names: Vec<_> = schema.tables.keys().map(String::as_str).collect();
            assert_eq!(names, ["t0", "t3", "t4", "t5"]);

            drop_database(admin, db, &name).await;
        }

        #[tokio::test]
        async fn two_connections_share_one_snapshot_and_read_what_one_reads() {
            two_connections(POSTGRES).await;
        }

        #[tokio::test]
        async fn two_connections_share_one_snapshot_and_read_what_one_reads_on_18() {
            two_connections(POSTGRES18).await;
        }

        async fn two_connections(server: (&str, &str)) {
            let Some((admin, db, name)) = fresh_database(server, "two").await else {
                return;
            };
            for t in 0..3 {
                create_type_table(&db, &format!("t{t}")).await;
            }
            db.execute_unprepared("CREATE INDEX t0_lower ON t0 (lower(c0)) WHERE c1 IS NOT NULL; CREATE VIEW v AS SELECT c0 FROM t1")
                .await
                .expect("index and view");
            let options = InspectOptions::default();
            let one = read(&mut Catalog::new(&db, &options)).await.expect("inspect");
            // The test's pool holds one connection: the queries run in one transaction.
            assert!(!lends_two_connections(&db));
            assert_eq!(ready_connections(&db).await, 1);
            assert_eq!(assemble(fetch(&db, &options).await.expect("fetch")).expect("assemble"), one);

            let mut pool = ConnectOptions::new(database_url(server, &name));
            pool.max_connections(4).sqlx_logging(false);
            let pool = Database::connect(pool).await.expect("connect with four connections");
            assert!(lends_two_connections(&pool));
            // One connection is open: the catalog does not open another.
            assert_eq!(ready_connections(&pool).await, 1);
            let fetched = fetch_on_two_connections(&pool, &options)
                .await
                .expect("fetch")
                .expect("the second connection imports the first one's snapshot");
            assert_eq!(assemble(fetched).expect("assemble"), one);
            // `connect` opens two, and a query that just ran gives its connection back in time.
            let cli = crate::database::connect(&crate::database::DatabaseUrl::parse(&database_url(server, &name)).unwrap())
                .await
                .expect("connect as migrate does");
            assert_eq!(cli.get_postgres_connection_pool().size(), 2);
            for _ in 0..3 {
                cli.execute_unprepared("SELECT 1").await.expect("a query");
                assert_eq!(ready_connections(&cli).await, 2);
            }
            cli.close().await.expect("close");
            // A snapshot that no transaction exports is refused, and the caller falls back.
            let txn = read_only_snapshot(&pool).await.expect("begin");
            assert!(txn.execute_unprepared("SET TRANSACTION SNAPSHOT '00000003-0000001B-1'").await.is_err());
            txn.rollback().await.expect("rollback");
            pool.close().await.expect("close");
            drop_database(admin, db, &name).await;
        }
    }
}
