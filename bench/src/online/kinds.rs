//! The tables the benchmark loads and the change kinds it applies to them: each kind is one edit
//! of the inspected schema, the way an entity edit would make it.

use std::time::Instant;

use anyhow::{Context, Result};
use autogen::pipeline::normalize::expression;
use autogen::pipeline::schema::{Action, Column, ColumnType, Default, ForeignKey, Index, Schema, Table};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};

/// The busy table.
pub const EVENTS: &str = "bench_events";
/// The small table that `bench_events.org_id` refers to.
pub const ORGS_TABLE: &str = "bench_orgs";
/// How many rows `bench_orgs` holds.
pub const ORGS: u64 = 100;
/// The values of `bench_events.status`.
pub const STATUSES: [&str; 3] = ["new", "active", "closed"];
/// A helper table of the digits 0-9, whose cross products number the loaded rows.
const DIGITS: &str = "bench_digits";
/// Rows loaded per statement.
const CHUNK: u64 = 100_000;

/// One kind of change the benchmark applies, online and plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum Kind {
    /// An index on `created_at`.
    AddIndex,
    /// A unique constraint on `email`.
    AddUnique,
    /// A foreign key from `org_id` to `bench_orgs`.
    AddForeignKey,
    /// `score` becomes NOT NULL.
    SetNotNull,
    /// A NOT NULL column with a constant default.
    AddColumnDefault,
    /// PostgreSQL: a NOT NULL column whose default, `gen_random_uuid()`, differs per row.
    AddColumnVolatile,
    /// `email` from varchar(50) to varchar(100).
    WidenVarchar,
    /// MySQL/MariaDB: `status` from varchar(20) to varchar(60), which stays within the one length
    /// byte of a utf8mb4 column (under 256 bytes) and so can change in place; varchar(50) to
    /// varchar(100) crosses it and needs a copy of the table.
    WidenVarcharShort,
}

impl Kind {
    /// Every kind, in the order they run.
    pub const ALL: [Kind; 8] = [
        Kind::AddIndex,
        Kind::AddUnique,
        Kind::AddForeignKey,
        Kind::SetNotNull,
        Kind::AddColumnDefault,
        Kind::AddColumnVolatile,
        Kind::WidenVarchar,
        Kind::WidenVarcharShort,
    ];

    /// Whether the kind is measured on `backend`.
    pub fn runs_on(self, backend: DbBackend) -> bool {
        match self {
            Kind::AddColumnVolatile => backend == DbBackend::Postgres,
            // On PostgreSQL every varchar widening is the same change, measured by WidenVarchar.
            Kind::WidenVarcharShort => backend == DbBackend::MySql,
            _ => true,
        }
    }

    /// The key of the kind in the results (`add_index`).
    pub fn key(self) -> &'static str {
        match self {
            Kind::AddIndex => "add_index",
            Kind::AddUnique => "add_unique",
            Kind::AddForeignKey => "add_foreign_key",
            Kind::SetNotNull => "set_not_null",
            Kind::AddColumnDefault => "add_column_default",
            Kind::AddColumnVolatile => "add_column_volatile",
            Kind::WidenVarchar => "widen_varchar",
            Kind::WidenVarcharShort => "widen_varchar_short",
        }
    }

    /// The desired schema: `current` with this kind's edit to `bench_events`.
    pub fn edit(self, current: &Schema, backend: DbBackend) -> Result<Schema> {
        let mut desired = current.clone();
        let events = desired.tables.get_mut(EVENTS).context("bench_events is missing")?;
        let column = |events: &mut Table, name: &str| -> Result<usize> {
            events.columns.iter().position(|c| c.name == name).with_context(|| format!("bench_events.{name} is missing"))
        };
        match self {
            Kind::AddIndex => {
                events.indexes.push(Index { name: "bench_events_created_at_idx".into(), ..Index::on_columns(&["created_at"], false) })
            }
            Kind::AddUnique => events.indexes.push(Index {
                name: "bench_events_email_key".into(),
                constraint: true,
                ..Index::on_columns(&["email"], true)
            }),
            Kind::AddForeignKey => events.foreign_keys.push(ForeignKey {
                name: "bench_events_org_id_fkey".into(),
                columns: vec!["org_id".into()],
                ref_table: ORGS_TABLE.into(),
                ref_columns: vec!["id".into()],
                on_delete: Action::NoAction,
                on_update: Action::NoAction,
            }),
            Kind::SetNotNull => {
                let at = column(events, "score")?;
                events.columns[at].nullable = false;
            }
            Kind::AddColumnDefault => events
                .columns
                .push(Column { default: Some(Default::Number("0".into())), ..Column::new("flags", ColumnType::Integer) }),
            Kind::AddColumnVolatile => events.columns.push(Column {
                default: Some(Default::Expression(expression(backend, "gen_random_uuid()"))),
                ..Column::new("token", ColumnType::Uuid)
            }),
            Kind::WidenVarchar => {
                let at = column(events, "email")?;
                events.columns[at].ty = ColumnType::Varchar(Some(100));
            }
            Kind::WidenVarcharShort => {
                let at = column(events, "status")?;
                events.columns[at].ty = ColumnType::Varchar(Some(60));
            }
        }
        events.sort();
        Ok(desired)
    }
}

/// The two tables before any change: `bench_orgs(id, name)` and `bench_events(id, org_id,
/// email, status, score, created_at)` with an index on `org_id`; `score` may be NULL.
pub fn base() -> Schema {
    let key = Column { auto_increment: true, ..Column::new("id", ColumnType::BigInt) };
    let orgs = Table {
        name: ORGS_TABLE.into(),
        columns: vec![Column::new("id", ColumnType::BigInt), Column::new("name", ColumnType::Varchar(Some(40)))],
        primary_key: vec!["id".into()],
        ..Table::default()
    };
    let mut events = Table {
        name: EVENTS.into(),
        columns: vec![
            key,
            Column::new("org_id", ColumnType::BigInt),
            Column::new("email", ColumnType::Varchar(Some(50))),
            Column::new("status", ColumnType::Varchar(Some(20))),
            Column { nullable: true, ..Column::new("score", ColumnType::Integer) },
            Column { default: Some(Default::CurrentTimestamp), ..Column::new("created_at", ColumnType::TimestampTz) },
        ],
        primary_key: vec!["id".into()],
        indexes: vec![Index { name: "bench_events_org_id_idx".into(), ..Index::on_columns(&["org_id"], false) }],
        ..Table::default()
    };
    events.sort();
    let mut schema = Schema::default();
    schema.tables.insert(orgs.name.clone(), orgs);
    schema.tables.insert(events.name.clone(), events);
    schema
}

/// Drops what an earlier run left: the two tables, the digits, the runtime's progress table.
pub async fn drop_tables(db: &DatabaseConnection) -> Result<()> {
    let backend = db.get_database_backend();
    for table in [EVENTS, ORGS_TABLE, DIGITS, "seaql_migrations_progress"] {
        let sql = format!("DROP TABLE IF EXISTS {}", autogen::quote::ident(backend, table));
        db.execute_unprepared(&sql).await.with_context(|| sql.clone())?;
    }
    Ok(())
}

/// Loads `ORGS` organisations and `rows` events, numbered from 1, with distinct emails, every
/// `score` set and ids continuing after them; says how long it took.
pub async fn fill(db: &DatabaseConnection, rows: u64) -> Result<()> {
    let backend = db.get_database_backend();
    let q = |name: &str| autogen::quote::ident(backend, name);
    let started = Instant::now();
    let digits: Vec<String> = (0..10).map(|d| format!("({d})")).collect();
    for sql in [
        format!("CREATE TABLE {} (d integer NOT NULL)", q(DIGITS)),
        format!("INSERT INTO {} (d) VALUES {}", q(DIGITS), digits.join(", ")),
        format!("INSERT INTO {} ({}, {}) SELECT a.d * 10 + b.d + 1, CONCAT('org ', a.d * 10 + b.d + 1) FROM {d} a CROSS JOIN {d} b", q(ORGS_TABLE), q("id"), q("name"), d = q(DIGITS)),
    ] {
        db.execute_unprepared(&sql).await.with_context(|| sql.clone())?;
    }
    // n runs over 0..CHUNK as the five digits of one chunk.
    let n = "(a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d)";
    let created = match backend {
        DbBackend::Postgres => "TIMESTAMPTZ '2026-01-01 00:00:00+00' + (n.id) * INTERVAL '1 second'",
        _ => "TIMESTAMP '2026-01-01 00:00:00' + INTERVAL (n.id) SECOND",
    };
    let mut base = 0;
    while base < rows {
        let sql = format!(
            "INSERT INTO {events} ({id}, {org}, {email}, {status}, {score}, {created_at}) \
             SELECT n.id, 1 + n.id % {ORGS}, CONCAT('user', n.id, '@example.com'), \
             CASE n.id % 3 WHEN 0 THEN '{s0}' WHEN 1 THEN '{s1}' ELSE '{s2}' END, n.id % 1000, {created} \
             FROM (SELECT {base} + {n} + 1 AS id FROM {d} a CROSS JOIN {d} b CROSS JOIN {d} c CROSS JOIN {d} e CROSS JOIN {d} f) n \
             WHERE n.id <= {rows}",
            events = q(EVENTS),
            id = q("id"),
            org = q("org_id"),
            email = q("email"),
            status = q("status"),
            score = q("score"),
            created_at = q("created_at"),
            s0 = STATUSES[0],
            s1 = STATUSES[1],
            s2 = STATUSES[2],
            d = q(DIGITS),
        );
        db.execute_unprepared(&sql).await.with_context(|| format!("loading rows {}..", base + 1))?;
        base += CHUNK;
        eprintln!("loaded {} of {rows} rows ({:.0} s)", base.min(rows), started.elapsed().as_secs_f64());
    }
    let after = match backend {
        DbBackend::Postgres => vec![
            format!("SELECT setval(pg_get_serial_sequence('{EVENTS}', 'id'), {})", rows.max(1)),
            format!("DROP TABLE {}", q(DIGITS)),
            format!("VACUUM ANALYZE {}", q(EVENTS)),
        ],
        _ => vec![format!("DROP TABLE {}", q(DIGITS)), format!("ANALYZE TABLE {}", q(EVENTS))],
    };
    for sql in after {
        db.execute_unprepared(&sql).await.with_context(|| sql.clone())?;
    }
    Ok(())
}
