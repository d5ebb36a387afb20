//! Online plans: changes to tables that already hold rows, made without blocking the
//! applications that write to them, where the backend allows it. The plain DDL of such changes
//! takes locks that queue every reader and writer for as long as an index build or a table scan
//! takes; these plans keep each lock short.
//!
//! PostgreSQL:
//! - indexes are built and dropped `CONCURRENTLY`, outside any transaction; a build that failed
//!   leaves an invalid index, which the next run drops and builds again;
//! - a unique constraint comes from a concurrently built unique index (`USING INDEX`);
//! - foreign keys and CHECK constraints are added `NOT VALID` (a short lock) and validated in a
//!   transaction of their own (`VALIDATE CONSTRAINT` lets writes go on);
//! - `SET NOT NULL` follows a validated `CHECK (col IS NOT NULL)`, which spares its full scan
//!   under lock;
//! - a new column whose default is volatile (`gen_random_uuid()`) is added without it, gets it
//!   for new rows, and existing rows are filled in batches, each committed by itself;
//! - every transaction sets `lock_timeout` and is retried after a pause when it cannot get its
//!   lock in time (the plan's `lock_timeout_ms` and `lock_retries`).
//!
//! MySQL/MariaDB: `ALTER TABLE` asks for `ALGORITHM=INSTANT`, then `ALGORITHM=INPLACE,
//! LOCK=NONE`; a change the server can make neither way fails instead of copying the table
//! behind the writers' backs. A foreign key is added with `foreign_key_checks` off for the
//! migration's session (in place, without blocking writes), then its rows are checked.
//!
//! A change to a table created in the same migration, or any change that has no online form,
//! is written as plain DDL. What cannot be made safe is reported with a hazard code by
//! `lint`.

use sea_orm::DbBackend;

use super::sql::{Context, Ddl, Statement, backfill_update, fit_name};
use crate::Result;
use crate::pipeline::diff::{Change, same_type};
use crate::pipeline::schema::{Column, ColumnType, Default, ForeignKey, Index};

/// How many rows a batched backfill fills per statement.
pub const BATCH_ROWS: u32 = 1000;

/// The online plan of `change`, or `None` when its plain DDL is the plan (a new table, a change
/// with no online form, SQLite).
pub(super) fn change(ddl: &Ddl, change: &Change, cx: &Context) -> Option<Result<Vec<Statement>>> {
    let table = change.table()?;
    // A table this migration creates has no rows and no writers yet.
    if !cx.current.tables.contains_key(table) {
        return None;
    }
    match cx.backend {
        DbBackend::Postgres => postgres(ddl, change, cx),
        DbBackend::MySql => mysql(ddl, change, cx),
        _ => None,
    }
}

fn postgres(ddl: &Ddl, change: &Change, cx: &Context) -> Option<Result<Vec<Statement>>> {
    match change {
        Change::AddIndex { table, index } => Some(pg_add_index(ddl, table, index)),
        Change::DropIndex { table, index } if !index.constraint || index.name.is_empty() => {
            let name = ddl.id(&ddl.index_name(table, index));
            Some(Ok(vec![Statement::Alone(format!("DROP INDEX CONCURRENTLY IF EXISTS {name}"))]))
        }
        Change::AddForeignKey { table, foreign_key } => Some(Ok(add_then_validate(
            ddl,
            table,
            &foreign_key_name(ddl, table, foreign_key),
            &ddl.foreign_key(table, foreign_key),
        ))),
        Change::AddCheck { table, check } if !check.name.is_empty() => {
            Some(Ok(add_then_validate(ddl, table, &check.name, &ddl.check(check))))
        }
        Change::AlterColumn { table, current, desired } if current.nullable && !desired.nullable => {
            Some(pg_set_not_null(ddl, table, current, desired, cx))
        }
        Change::AddColumn { table, column } if column.default.as_ref().is_some_and(is_volatile) => {
            Some(pg_add_volatile(ddl, table, column, cx))
        }
        _ => None,
    }
}

/// `CREATE INDEX CONCURRENTLY`, recovering from an invalid leftover; a named unique constraint
/// then takes the index over.
fn pg_add_index(ddl: &Ddl, table: &str, index: &Index) -> Result<Vec<Statement>> {
    let name = ddl.index_name(table, index);
    let create = ddl.create_index(table, index)?;
    let create = match create.find("INDEX ") {
        Some(at) => format!("{}INDEX CONCURRENTLY {}", &create[..at], &create[at + "INDEX ".len()..]),
        None => create,
    };
    let mut out = vec![Statement::BuildIndex {
        name: name.clone(),
        create,
        drop: format!("DROP INDEX CONCURRENTLY IF EXISTS {}", ddl.id(&name)),
    }];
    if index.constraint && !index.name.is_empty() && Ddl::is_table_constraint(index) {
        out.push(Statement::Run(format!(
            "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE USING INDEX {}",
            ddl.id(table),
            ddl.id(&index.name),
            ddl.id(&name)
        )));
    }
    Ok(out)
}

fn foreign_key_name(ddl: &Ddl, table: &str, fk: &ForeignKey) -> String {
    let columns: Vec<&str> = fk.columns.iter().map(String::as_str).collect();
    super::sql::object_name(ddl.b, "fk", table, &fk.name, &columns)
}

/// A constraint added `NOT VALID` (a short lock, no scan), committed, then validated in a
/// transaction of its own, which scans the table without blocking writes.
fn add_then_validate(ddl: &Ddl, table: &str, name: &str, clause: &str) -> Vec<Statement> {
    let t = ddl.id(table);
    vec![
        Statement::Run(format!("ALTER TABLE {t} ADD {clause} NOT VALID")),
        Statement::Commit,
        Statement::Run(format!("ALTER TABLE {t} VALIDATE CONSTRAINT {}", ddl.id(name))),
        Statement::Commit,
    ]
}

/// `SET NOT NULL` without its scan under lock: a `CHECK (col IS NOT NULL)` added `NOT VALID` and
/// validated first lets PostgreSQL skip the scan; the check goes afterwards. The column's other
/// changes are made as plain DDL around it.
fn pg_set_not_null(ddl: &Ddl, table: &str, current: &Column, desired: &Column, cx: &Context) -> Result<Vec<Statement>> {
    let others = ddl.plain(
        &Change::AlterColumn {
            table: table.to_owned(),
            current: current.clone(),
            desired: Column { nullable: true, ..desired.clone() },
        },
        cx,
    )?;
    let (t, c) = (ddl.id(table), ddl.id(&desired.name));
    let check = fit_name(DbBackend::Postgres, &format!("{table}_{}_not_null_autogen", desired.name));
    let clause = format!("CONSTRAINT {} CHECK ({c} IS NOT NULL)", ddl.id(&check));
    let mut out = others;
    out.extend(add_then_validate(ddl, table, &check, &clause));
    out.push(Statement::Run(format!("ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL")));
    out.push(Statement::Run(format!("ALTER TABLE {t} DROP CONSTRAINT {}", ddl.id(&check))));
    Ok(out)
}

/// Whether a default must be computed for every row (a volatile function), so that adding a
/// column with it rewrites the table; a constant or `now()` is stored once and costs nothing.
pub fn is_volatile(default: &Default) -> bool {
    const VOLATILE: [&str; 7] =
        ["random(", "gen_random_uuid(", "uuid_generate_v1(", "uuid_generate_v4(", "clock_timestamp(", "timeofday(", "nextval("];
    matches!(default, Default::Expression(e) if VOLATILE.iter().any(|f| e.canonical.contains(f)))
}

/// A new column with a volatile default: added without it (no rewrite), the default set for new
/// rows, existing rows filled in batches, then NOT NULL the online way.
fn pg_add_volatile(ddl: &Ddl, table: &str, column: &Column, cx: &Context) -> Result<Vec<Statement>> {
    let bare = Column { nullable: true, default: None, ..column.clone() };
    let mut out = ddl.plain(&Change::AddColumn { table: table.to_owned(), column: bare.clone() }, cx)?;
    let with_default = Column { default: column.default.clone(), ..bare.clone() };
    out.extend(ddl.plain(
        &Change::AlterColumn { table: table.to_owned(), current: bare, desired: with_default.clone() },
        cx,
    )?);
    out.push(Statement::Commit);
    out.push(Statement::Batches(pg_batch(ddl, table, &column.name, "DEFAULT")));
    if !column.nullable {
        out.extend(pg_set_not_null(ddl, table, &with_default, column, cx)?);
    }
    Ok(out)
}

/// One batch of a PostgreSQL backfill: the next rows whose column is still NULL.
fn pg_batch(ddl: &Ddl, table: &str, column: &str, value: &str) -> String {
    let (t, c) = (ddl.id(table), ddl.id(column));
    format!("UPDATE {t} SET {c} = {value} WHERE ctid IN (SELECT ctid FROM {t} WHERE {c} IS NULL LIMIT {BATCH_ROWS})")
}

/// `--backfill` online: the column arrives nullable, existing rows are filled in batches, each
/// committed by itself, then NOT NULL is set (on PostgreSQL the online way). MySQL fills in
/// batches too.
pub(super) fn backfill(ddl: &Ddl, table: &str, column: &Column, expr: &str, cx: &Context) -> Result<Vec<Statement>> {
    let nullable = Column { nullable: true, ..column.clone() };
    let mut out = ddl.change(&Change::AddColumn { table: table.to_owned(), column: nullable.clone() }, cx)?;
    out.push(Statement::Commit);
    let batch = match cx.backend {
        DbBackend::Postgres => pg_batch(ddl, table, &column.name, &format!("({expr})")),
        _ => format!("{} LIMIT {BATCH_ROWS}", backfill_update(cx.backend, table, &column.name, expr)),
    };
    out.push(Statement::Batches(batch));
    out.extend(ddl.change(&Change::AlterColumn { table: table.to_owned(), current: nullable, desired: column.clone() }, cx)?);
    Ok(out)
}

fn mysql(ddl: &Ddl, change: &Change, cx: &Context) -> Option<Result<Vec<Statement>>> {
    match change {
        // A full-text or spatial index cannot be built without a shared lock.
        Change::AddIndex { index, .. } if index.method.is_some() => None,
        Change::AddIndex { table, index } => Some(
            ddl.index_fits_in(table, index, cx)
                .and_then(|()| ddl.create_index(table, index))
                .map(|create| vec![Statement::FirstOf(vec![format!("{create} ALGORITHM=INPLACE LOCK=NONE")])]),
        ),
        // MariaDB takes no algorithm in DROP INDEX itself; ALTER TABLE does.
        Change::DropIndex { table, index } => {
            let drop = format!("ALTER TABLE {} DROP INDEX {}", ddl.id(table), ddl.id(&ddl.index_name(table, index)));
            Some(Ok(vec![Statement::FirstOf(vec![
                format!("{drop}, ALGORITHM=INSTANT"),
                format!("{drop}, ALGORITHM=INPLACE, LOCK=NONE"),
            ])]))
        }
        Change::AddForeignKey { table, foreign_key } => Some(Ok(mysql_add_foreign_key(ddl, table, foreign_key))),
        Change::AddColumn { .. }
        | Change::DropColumn { .. }
        | Change::RenameColumn { .. }
        | Change::AlterColumn { .. }
        | Change::DropForeignKey { .. }
        | Change::SetPrimaryKey { .. } => Some(ddl.plain(change, cx).map(|statements| {
            statements
                .into_iter()
                .map(|statement| match statement {
                    Statement::Run(sql) if sql.starts_with("ALTER TABLE ") => online_alter(&sql, change),
                    other => other,
                })
                .collect()
        })),
        _ => None,
    }
}

/// A MySQL `ALTER TABLE` asking for the least blocking algorithm the server can do: INSTANT
/// (metadata only) where the change can be, then INPLACE with no lock. A change of type or key
/// may leave the server no way but to copy the table, and so may a change of nullability (MariaDB
/// copies a table with a stored generated column for it, error 1845 otherwise): then the plain
/// statement comes last, and `lint` reports it (OL110) for the reviewer. Any other change the
/// server cannot make without a copy stops the migration rather than block the writers.
fn online_alter(sql: &str, change: &Change) -> Statement {
    let inplace = format!("{sql}, ALGORITHM=INPLACE, LOCK=NONE");
    let (instant_possible, may_copy) = match change {
        Change::AlterColumn { current, desired, .. } => {
            let retype = !same_type(&current.ty, &desired.ty, DbBackend::MySql);
            let renull = current.nullable != desired.nullable;
            (!retype && !renull, retype || renull)
        }
        Change::SetPrimaryKey { .. } => (false, true),
        _ => (true, false),
    };
    let mut alternatives = Vec::new();
    if instant_possible {
        alternatives.push(format!("{sql}, ALGORITHM=INSTANT"));
    }
    alternatives.push(inplace);
    if may_copy {
        alternatives.push(sql.to_owned());
    }
    Statement::FirstOf(alternatives)
}

/// MySQL: a foreign key is built in place without blocking writes only while the session does
/// not check foreign keys; its rows are checked right after, so that none is left pointing
/// nowhere.
fn mysql_add_foreign_key(ddl: &Ddl, table: &str, fk: &ForeignKey) -> Vec<Statement> {
    let t = ddl.id(table);
    let r = ddl.id(&fk.ref_table);
    let join: Vec<String> = fk
        .columns
        .iter()
        .zip(&fk.ref_columns)
        .map(|(c, p)| format!("p.{} = c.{}", ddl.id(p), ddl.id(c)))
        .collect();
    let present: Vec<String> = fk.columns.iter().map(|c| format!("c.{} IS NOT NULL", ddl.id(c))).collect();
    let first_ref = ddl.id(fk.ref_columns.first().map(String::as_str).unwrap_or("id"));
    vec![
        Statement::Run("SET SESSION foreign_key_checks = 0".to_owned()),
        Statement::FirstOf(vec![format!("ALTER TABLE {t} ADD {}, ALGORITHM=INPLACE, LOCK=NONE", ddl.foreign_key(table, fk))]),
        Statement::Run("SET SESSION foreign_key_checks = 1".to_owned()),
        Statement::Refuse {
            query: format!(
                "SELECT 1 FROM {t} c LEFT JOIN {r} p ON {} WHERE {} AND p.{first_ref} IS NULL LIMIT 1",
                join.join(" AND "),
                present.join(" AND ")
            ),
            message: format!(
                "rows of {table} point to no row of {}: the foreign key was added, fix those rows and run the migration again",
                fk.ref_table
            ),
        },
    ]
}

/// Whether changing a PostgreSQL column from `current` to `desired` type keeps the stored bytes
/// (no table rewrite): a longer or unlimited varchar, varchar to text, more numeric precision at
/// the same scale, or the same type.
pub fn pg_safe_widening(current: &ColumnType, desired: &ColumnType) -> bool {
    use ColumnType as T;
    match (current, desired) {
        (T::Varchar(Some(a)), T::Varchar(Some(b))) => b >= a,
        (T::Varchar(_), T::Varchar(None) | T::Text) => true,
        (T::Decimal(Some((p, s))), T::Decimal(Some((q, t)))) => q >= p && s == t,
        (T::Decimal(Some(_)), T::Decimal(None)) => true,
        _ => same_type(current, desired, DbBackend::Postgres),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::normalize::expression;
    use crate::pipeline::plan::Step;
    use crate::pipeline::render::sql::step;
    use crate::pipeline::schema::{Action, Schema, Table};

    fn schema() -> Schema {
        let mut schema = Schema::default();
        let users = Table {
            name: "users".into(),
            columns: vec![Column::new("id", ColumnType::BigInt), Column { nullable: true, ..Column::new("org_id", ColumnType::BigInt) }],
            primary_key: vec!["id".into()],
            ..Table::default()
        };
        schema.tables.insert("users".into(), users);
        schema
    }

    fn online(change: Change, backend: DbBackend) -> Vec<Statement> {
        let schema = schema();
        step(&Step::Change(change), &Context::new(backend, &schema, &schema).online(true)).unwrap()
    }

    #[test]
    fn postgres_builds_indexes_concurrently() {
        let index = Index::on_columns(&["org_id"], false);
        assert_eq!(
            online(Change::AddIndex { table: "users".into(), index: index.clone() }, DbBackend::Postgres),
            vec![Statement::BuildIndex {
                name: "idx-users-org_id".into(),
                create: "CREATE INDEX CONCURRENTLY \"idx-users-org_id\" ON \"users\" (\"org_id\")".into(),
                drop: "DROP INDEX CONCURRENTLY IF EXISTS \"idx-users-org_id\"".into(),
            }]
        );
        assert_eq!(
            online(Change::DropIndex { table: "users".into(), index }, DbBackend::Postgres),
            vec![Statement::Alone("DROP INDEX CONCURRENTLY IF EXISTS \"idx-users-org_id\"".into())]
        );
        let named = Index { name: "users_org_key".into(), constraint: true, ..Index::on_columns(&["org_id"], true) };
        let statements = online(Change::AddIndex { table: "users".into(), index: named }, DbBackend::Postgres);
        assert_eq!(
            statements[1],
            Statement::Run("ALTER TABLE \"users\" ADD CONSTRAINT \"users_org_key\" UNIQUE USING INDEX \"users_org_key\"".into())
        );
    }

    #[test]
    fn postgres_validates_constraints_after_adding_them() {
        let fk = ForeignKey {
            name: "users_org_fk".into(),
            columns: vec!["org_id".into()],
            ref_table: "orgs".into(),
            ref_columns: vec!["id".into()],
            on_delete: Action::Cascade,
            on_update: Action::NoAction,
        };
        assert_eq!(
            online(Change::AddForeignKey { table: "users".into(), foreign_key: fk }, DbBackend::Postgres),
            vec![
                Statement::Run("ALTER TABLE \"users\" ADD CONSTRAINT \"users_org_fk\" FOREIGN KEY (\"org_id\") REFERENCES \"orgs\" (\"id\") ON DELETE CASCADE NOT VALID".into()),
                Statement::Commit,
                Statement::Run("ALTER TABLE \"users\" VALIDATE CONSTRAINT \"users_org_fk\"".into()),
                Statement::Commit,
            ]
        );
    }

    #[test]
    fn postgres_sets_not_null_after_a_validated_check() {
        let current = Column { nullable: true, ..Column::new("org_id", ColumnType::BigInt) };
        let desired = Column { nullable: false, ..current.clone() };
        let statements = online(Change::AlterColumn { table: "users".into(), current, desired }, DbBackend::Postgres);
        let text: Vec<String> = statements.iter().map(|s| format!("{s:?}")).collect();
        assert_eq!(text.len(), 6, "{text:#?}");
        assert!(text[0].contains("CHECK (\\\"org_id\\\" IS NOT NULL) NOT VALID"), "{text:#?}");
        assert!(text[2].contains("VALIDATE CONSTRAINT"), "{text:#?}");
        assert!(text[4].contains("SET NOT NULL"), "{text:#?}");
        assert!(text[5].contains("DROP CONSTRAINT"), "{text:#?}");
    }

    #[test]
    fn volatile_defaults_are_backfilled_in_batches() {
        let column = Column {
            default: Some(Default::Expression(expression(DbBackend::Postgres, "gen_random_uuid()"))),
            ..Column::new("token", ColumnType::Uuid)
        };
        let statements = online(Change::AddColumn { table: "users".into(), column }, DbBackend::Postgres);
        assert_eq!(statements[0], Statement::Run("ALTER TABLE \"users\" ADD COLUMN \"token\" uuid NULL".into()));
        assert_eq!(statements[1], Statement::Run("ALTER TABLE \"users\" ALTER COLUMN \"token\" SET DEFAULT gen_random_uuid()".into()));
        assert_eq!(statements[2], Statement::Commit);
        assert_eq!(
            statements[3],
            Statement::Batches("UPDATE \"users\" SET \"token\" = DEFAULT WHERE ctid IN (SELECT ctid FROM \"users\" WHERE \"token\" IS NULL LIMIT 1000)".into())
        );
        assert!(matches!(statements.last(), Some(Statement::Run(sql)) if sql.contains("DROP CONSTRAINT")));
        // A constant default costs nothing to add.
        let constant = Column { default: Some(Default::Number("0".into())), ..Column::new("n", ColumnType::Integer) };
        assert_eq!(online(Change::AddColumn { table: "users".into(), column: constant }, DbBackend::Postgres).len(), 1);
    }

    #[test]
    fn new_tables_get_plain_ddl() {
        let schema = Schema::default();
        let change = Change::AddIndex { table: "fresh".into(), index: Index::on_columns(&["a"], false) };
        let statements = step(&Step::Change(change), &Context::new(DbBackend::Postgres, &schema, &schema).online(true)).unwrap();
        assert!(matches!(&statements[..], [Statement::Run(sql)] if !sql.contains("CONCURRENTLY")));
    }

    #[test]
    fn mysql_asks_for_instant_then_inplace() {
        let column = Column { nullable: true, ..Column::new("nick", ColumnType::Varchar(Some(20))) };
        assert_eq!(
            online(Change::AddColumn { table: "users".into(), column }, DbBackend::MySql),
            vec![Statement::FirstOf(vec![
                "ALTER TABLE `users` ADD COLUMN `nick` varchar(20) NULL, ALGORITHM=INSTANT".into(),
                "ALTER TABLE `users` ADD COLUMN `nick` varchar(20) NULL, ALGORITHM=INPLACE, LOCK=NONE".into(),
            ])]
        );
        let index = Index::on_columns(&["org_id"], false);
        assert_eq!(
            online(Change::AddIndex { table: "users".into(), index }, DbBackend::MySql),
            vec![Statement::FirstOf(vec!["CREATE INDEX `idx-users-org_id` ON `users` (`org_id`) ALGORITHM=INPLACE LOCK=NONE".into()])]
        );
    }

    #[test]
    fn safe_widenings() {
        assert!(pg_safe_widening(&ColumnType::Varchar(Some(10)), &ColumnType::Varchar(Some(20))));
        assert!(pg_safe_widening(&ColumnType::Varchar(Some(10)), &ColumnType::Text));
        assert!(pg_safe_widening(&ColumnType::Decimal(Some((10, 2))), &ColumnType::Decimal(Some((12, 2)))));
        assert!(!pg_safe_widening(&ColumnType::Varchar(Some(20)), &ColumnType::Varchar(Some(10))));
        assert!(!pg_safe_widening(&ColumnType::Integer, &ColumnType::BigInt));
        assert!(!pg_safe_widening(&ColumnType::Decimal(Some((10, 2))), &ColumnType::Decimal(Some((12, 3)))));
    }
}
