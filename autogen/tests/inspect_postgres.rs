//! Inspection stage, PostgreSQL, against a live server: schemas built with sea-query are read back
//! into exactly the IR we expect.
//!
//! Every test runs on two servers, whose catalogs differ: `TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432`, PostgreSQL 15) in `mod postgres`, and
//! `TEST_POSTGRES18_URL` (default `postgres://postgres@127.0.0.1:5418`, the PostgreSQL 18 that
//! `.ci/run` starts) in `mod postgres18`; both with trust auth. Each test works in its own
//! database `autogen_inspect_pg_<pid>_<test>`, dropped at the end even when the test fails.
//! Without a server the tests print `skipped: ...` and pass, unless `CI` is set, where they fail.

mod common;

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use autogen::pipeline::inspect::{InspectOptions, inspect};
use autogen::pipeline::normalize::expression;
use autogen::pipeline::schema::{
    Action, Check, Column, ColumnType, Default, ForeignKey, Generated, Index, IndexKey, IndexPart, Schema,
    Table as IrTable,
};
use sea_orm::DbBackend;

const PG: DbBackend = DbBackend::Postgres;
use sea_orm::sea_query::extension::postgres::Type;
use sea_orm::sea_query::{
    self, Alias, ColumnDef, Expr, ForeignKey as SqForeignKey, ForeignKeyAction, Index as SqIndex,
    StringLen, Table,
};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

/// A PostgreSQL server to test on: the variable that names its URL, and the URL when it is unset.
#[derive(Debug, Clone, Copy)]
struct Server {
    var: &'static str,
    default: &'static str,
}

/// The machine's PostgreSQL, version 15.
const POSTGRES: Server = Server {
    var: "TEST_POSTGRES_URL",
    default: "postgres://postgres@127.0.0.1:5432",
};

/// PostgreSQL 18, which keeps NOT NULL as constraints and makes generated columns virtual.
const POSTGRES18: Server = Server {
    var: "TEST_POSTGRES18_URL",
    default: "postgres://postgres@127.0.0.1:5418",
};

/// Declares the tests of `both` once per server, in `mod postgres` and `mod postgres18`, and the
/// tests of `postgres18` (syntax older servers reject) in `mod postgres18` alone.
macro_rules! on_servers {
    (both: [$($test:ident),* $(,)?], postgres18: [$($only:ident),* $(,)?] $(,)?) => {
        mod postgres {
            $(#[tokio::test] async fn $test() { super::$test(super::POSTGRES).await })*
        }
        mod postgres18 {
            $(#[tokio::test] async fn $test() { super::$test(super::POSTGRES18).await })*
            $(#[tokio::test] async fn $only() { super::$only(super::POSTGRES18).await })*
        }
    };
}

/// Runs `body` against a fresh database named after `tag` on `server`, then drops the database
/// whatever the outcome. Returns without running `body` when the server does not answer (outside
/// CI).
async fn with_database<F, Fut>(server: Server, tag: &str, body: F)
where
    F: FnOnce(DatabaseConnection) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let admin_url = std::env::var(server.var).unwrap_or_else(|_| server.default.to_owned());
    let admin = match Database::connect(options(&admin_url)).await {
        Ok(admin) => admin,
        Err(e) if std::env::var_os("CI").is_some() => {
            panic!("PostgreSQL at {admin_url} is unreachable: {e}")
        }
        Err(e) => {
            println!("skipped: PostgreSQL at {admin_url} is unreachable: {e}");
            return;
        }
    };
    let name = format!("autogen_inspect_pg_{}_{tag}", std::process::id());
    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    admin
        .execute_unprepared(&drop)
        .await
        .expect("drop a stale test database");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create the test database");

    let mut url = url::Url::parse(&admin_url).expect("the server URL is a URL");
    url.set_path(&format!("/{name}"));
    let db = Database::connect(options(url.as_str()))
        .await
        .expect("connect to the test database");
    // Run the body as a task so that a failed assertion comes back here as an error and the
    // database is still dropped before the panic resumes.
    let outcome = tokio::spawn(body(db.clone())).await;
    db.close().await.expect("close the test connection");
    admin
        .execute_unprepared(&drop)
        .await
        .expect("drop the test database");
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

fn options(url: &str) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(2)
        .connect_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    options
}

async fn run(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn name(s: &str) -> Alias {
    Alias::new(s)
}

/// A column with no default, no comment and no auto-increment.
fn col(name: &str, ty: ColumnType, nullable: bool) -> Column {
    Column {
        name: name.to_owned(),
        ty,
        nullable,
        default: None,
        auto_increment: false,
        comment: None,
        renamed_from: None,
        generated: None,
    }
}

fn with_default(mut column: Column, default: Default) -> Column {
    column.default = Some(default);
    column
}

fn literal(sql: &str) -> Default {
    // Written as SQL in the tables below: a quoted string, a number or a boolean.
    if let Some(inner) = sql.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return Default::String(inner.replace("''", "'"));
    }
    match sql {
        "true" => Default::Bool(true),
        "false" => Default::Bool(false),
        number => Default::Number(number.to_owned()),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Every type a SeaORM entity can declare, with the IR of what PostgreSQL stores for it.
///
/// The same list is checked against `parse_type(render_type(..))` in the unit tests of
/// `inspect::postgres` (which can reach the crate-private parser), so together they show that
/// the inspected type of each column equals the parsed type of sea-query's spelling.
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

async fn every_entity_type_is_read_back_as_stored(server: Server) {
    with_database(server, "types", |db| async move {
        // In a schema of its own, next to a public table and enum of the same names that must
        // not leak into it, which also exercises `InspectOptions::schema`.
        run(&db, "CREATE SCHEMA catalog_check").await;
        run(&db, "CREATE TABLE every_type (only_in_public integer)").await;
        run(&db, "CREATE TYPE public_mood AS ENUM ('happy')").await;
        let mut create = Table::create();
        create.table((name("catalog_check"), name("every_type")));
        for (i, (ty, _)) in entity_types().into_iter().enumerate() {
            create.col(ColumnDef::new_with_type(name(&format!("c{i}")), ty));
        }
        db.execute(&create).await.expect("create every_type");

        let options = InspectOptions {
            schema: Some("catalog_check".to_owned()),
            ..InspectOptions::default()
        };
        let schema = inspect(&db, &options).await.expect("inspect");

        let columns = entity_types()
            .into_iter()
            .enumerate()
            .map(|(i, (_, stored))| col(&format!("c{i}"), stored, true))
            .collect();
        let table = IrTable {
            name: "every_type".to_owned(),
            columns,
            ..IrTable::default()
        };
        let expected = Schema {
            tables: BTreeMap::from([("every_type".to_owned(), table)]),
            ..Schema::default()
        };
        assert_eq!(schema, expected);
    })
    .await;
}

/// Creates a small shop schema with sea-query, plus a hand-written serial table and the
/// migration bookkeeping table.
async fn create_shop(db: &DatabaseConnection) {
    let status = Type::create()
        .as_enum(name("order_status"))
        .values([name("pending"), name("paid"), name("shipped")])
        .to_owned();
    db.execute(&status).await.expect("create order_status");

    let users = Table::create()
        .table(name("users"))
        .col(
            ColumnDef::new(name("id"))
                .uuid()
                .not_null()
                .primary_key()
                .default(Expr::cust("gen_random_uuid()")),
        )
        .col(
            ColumnDef::new(name("email"))
                .string_len(255)
                .not_null()
                .unique_key(),
        )
        .col(
            ColumnDef::new(name("display_name"))
                .string_len(100)
                .not_null()
                .default("anonymous"),
        )
        .col(
            ColumnDef::new(name("is_active"))
                .boolean()
                .not_null()
                .default(true),
        )
        .col(
            ColumnDef::new(name("created_at"))
                .timestamp_with_time_zone()
                .not_null()
                .default(Expr::current_timestamp()),
        )
        .col(ColumnDef::new(name("bio")).text().null())
        .to_owned();
    db.execute(&users).await.expect("create users");

    let orders = Table::create()
        .table(name("orders"))
        .col(
            ColumnDef::new(name("id"))
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(ColumnDef::new(name("user_id")).uuid().null())
        .col(
            ColumnDef::new(name("status"))
                .enumeration(
                    name("order_status"),
                    [name("pending"), name("paid"), name("shipped")],
                )
                .not_null()
                .default("pending"),
        )
        .col(
            ColumnDef::new(name("total"))
                .decimal_len(12, 2)
                .not_null()
                .default(0),
        )
        .col(
            ColumnDef::new(name("quantity"))
                .integer()
                .not_null()
                .default(1),
        )
        .col(ColumnDef::new(name("note")).string().null())
        .col(ColumnDef::new(name("placed_at")).timestamp().null())
        .foreign_key(
            SqForeignKey::create()
                .name("fk_orders_user")
                .from(name("orders"), name("user_id"))
                .to(name("users"), name("id"))
                .on_delete(ForeignKeyAction::SetNull),
        )
        .to_owned();
    db.execute(&orders).await.expect("create orders");

    let items = Table::create()
        .table(name("order_items"))
        .col(ColumnDef::new(name("order_id")).big_integer().not_null())
        .col(ColumnDef::new(name("line_no")).integer().not_null())
        .col(ColumnDef::new(name("sku")).char_len(8).not_null())
        .col(
            ColumnDef::new(name("quantity"))
                .small_integer()
                .not_null()
                .default(1),
        )
        .col(ColumnDef::new(name("unit_price")).decimal_len(10, 2).null())
        .primary_key(SqIndex::create().col(name("order_id")).col(name("line_no")))
        .foreign_key(
            SqForeignKey::create()
                .name("fk_order_items_order")
                .from(name("order_items"), name("order_id"))
                .to(name("orders"), name("id"))
                .on_delete(ForeignKeyAction::Cascade)
                .on_update(ForeignKeyAction::Cascade),
        )
        .to_owned();
    db.execute(&items).await.expect("create order_items");

    let indexes = [
        SqIndex::create()
            .name("idx_orders_placed_at")
            .table(name("orders"))
            .col(name("placed_at"))
            .to_owned(),
        SqIndex::create()
            .name("idx_orders_user_status")
            .table(name("orders"))
            .col(name("user_id"))
            .col(name("status"))
            .to_owned(),
        SqIndex::create()
            .name("uq_order_items_order_sku")
            .table(name("order_items"))
            .col(name("order_id"))
            .col(name("sku"))
            .unique()
            .to_owned(),
    ];
    for index in &indexes {
        db.execute(index).await.expect("create index");
    }

    // What sea-query cannot build: a serial column, an expression index, a dropped column (which
    // leaves a hole in attnum), and comments.
    run(
        db,
        "CREATE TABLE audit_log (
            id serial PRIMARY KEY,
            gone integer,
            message text NOT NULL,
            recorded_at timestamp NOT NULL DEFAULT now()
        )",
    )
    .await;
    run(db, "ALTER TABLE audit_log DROP COLUMN gone").await;
    run(
        db,
        "CREATE INDEX idx_audit_log_lower_message ON audit_log (lower(message))",
    )
    .await;
    run(db, "COMMENT ON TABLE users IS 'People who can sign in'").await;
    run(db, "COMMENT ON COLUMN users.email IS 'Login, unique'").await;
    run(db, "COMMENT ON TABLE orders IS 'Orders placed by users'").await;
    run(
        db,
        "COMMENT ON COLUMN orders.total IS 'Gross amount in EUR'",
    )
    .await;

    // The bookkeeping table, excluded by the default options.
    let migrations = Table::create()
        .table(name("seaql_migrations"))
        .col(
            ColumnDef::new(name("version"))
                .string()
                .not_null()
                .primary_key(),
        )
        .col(ColumnDef::new(name("applied_at")).big_integer().not_null())
        .to_owned();
    db.execute(&migrations)
        .await
        .expect("create seaql_migrations");
    run(
        db,
        "CREATE INDEX idx_seaql_migrations_applied_at ON seaql_migrations (applied_at)",
    )
    .await;
}

/// The IR `create_shop` must read back as.
fn expected_shop() -> Schema {
    use ColumnType as T;

    let users = IrTable {
        name: "users".to_owned(),
        columns: vec![
            with_default(
                col("id", T::Uuid, false),
                Default::Expression(autogen::pipeline::normalize::expression(sea_orm::DbBackend::Postgres, "gen_random_uuid()")),
            ),
            Column {
                comment: Some("Login, unique".to_owned()),
                ..col("email", T::Varchar(Some(255)), false)
            },
            with_default(
                col("display_name", T::Varchar(Some(100)), false),
                literal("'anonymous'"),
            ),
            with_default(col("is_active", T::Boolean, false), literal("true")),
            with_default(
                col("created_at", T::TimestampTz, false),
                Default::CurrentTimestamp,
            ),
            col("bio", T::Text, true),
        ],
        primary_key: strings(&["id"]),
        indexes: vec![Index {
            name: "users_email_key".to_owned(),
            unique: true,
            constraint: true,
            ..Index::on_columns(&["email"], false)
        }],
        foreign_keys: vec![],
        comment: Some("People who can sign in".to_owned()),
        ..IrTable::default()
    };

    let status = T::Enum {
        name: "order_status".to_owned(),
        values: vec![],
    };
    let orders = IrTable {
        name: "orders".to_owned(),
        columns: vec![
            Column {
                auto_increment: true,
                ..col("id", T::BigInt, false)
            },
            col("user_id", T::Uuid, true),
            with_default(col("status", status, false), literal("'pending'")),
            Column {
                default: Some(literal("0")),
                comment: Some("Gross amount in EUR".to_owned()),
                ..col("total", T::Decimal(Some((12, 2))), false)
            },
            with_default(col("quantity", T::Integer, false), literal("1")),
            col("note", T::Varchar(None), true),
            col("placed_at", T::Timestamp, true),
        ],
        primary_key: strings(&["id"]),
        indexes: vec![
            Index {
                name: "idx_orders_placed_at".to_owned(),
                unique: false,
                constraint: false,
                ..Index::on_columns(&["placed_at"], false)
            },
            Index {
                name: "idx_orders_user_status".to_owned(),
                unique: false,
                constraint: false,
                ..Index::on_columns(&["user_id", "status"], false)
            },
        ],
        foreign_keys: vec![ForeignKey {
            name: "fk_orders_user".to_owned(),
            columns: strings(&["user_id"]),
            ref_table: "users".to_owned(),
            ref_columns: strings(&["id"]),
            on_delete: Action::SetNull,
            on_update: Action::NoAction,
        }],
        comment: Some("Orders placed by users".to_owned()),
        ..IrTable::default()
    };

    let order_items = IrTable {
        name: "order_items".to_owned(),
        columns: vec![
            col("order_id", T::BigInt, false),
            col("line_no", T::Integer, false),
            col("sku", T::Char(Some(8)), false),
            with_default(col("quantity", T::SmallInt, false), literal("1")),
            col("unit_price", T::Decimal(Some((10, 2))), true),
        ],
        primary_key: strings(&["order_id", "line_no"]),
        indexes: vec![Index {
            name: "uq_order_items_order_sku".to_owned(),
            unique: true,
            constraint: false,
            ..Index::on_columns(&["order_id", "sku"], false)
        }],
        foreign_keys: vec![ForeignKey {
            name: "fk_order_items_order".to_owned(),
            columns: strings(&["order_id"]),
            ref_table: "orders".to_owned(),
            ref_columns: strings(&["id"]),
            on_delete: Action::Cascade,
            on_update: Action::Cascade,
        }],
        comment: None,
        ..IrTable::default()
    };

    let audit_log = IrTable {
        name: "audit_log".to_owned(),
        columns: vec![
            Column {
                auto_increment: true,
                ..col("id", T::Integer, false)
            },
            col("message", T::Text, false),
            with_default(
                col("recorded_at", T::Timestamp, false),
                Default::CurrentTimestamp,
            ),
        ],
        primary_key: strings(&["id"]),
        // An expression, not a column named `lower(message)`.
        indexes: vec![index("idx_audit_log_lower_message", vec![expression_part("lower(message)")], false)],
        foreign_keys: vec![],
        comment: None,
        ..IrTable::default()
    };

    let mut schema = Schema {
        tables: [users, orders, order_items, audit_log]
            .into_iter()
            .map(|table| (table.name.clone(), table))
            .collect(),
        enums: BTreeMap::from([(
            "order_status".to_owned(),
            strings(&["pending", "paid", "shipped"]),
        )]),
        ..Schema::default()
    };
    // Written in reading order above; compared in the canonical order `inspect` returns.
    schema.sort();
    schema
}

async fn a_realistic_schema_is_read_back_exactly(server: Server) {
    with_database(server, "shop", |db| async move {
        create_shop(&db).await;
        let schema = inspect(&db, &InspectOptions::default())
            .await
            .expect("inspect");
        assert_eq!(schema, expected_shop());
    })
    .await;
}

async fn excluded_tables_are_skipped_and_the_rest_unchanged(server: Server) {
    with_database(server, "exclude", |db| async move {
        create_shop(&db).await;
        let options = InspectOptions {
            schema: Some("public".to_owned()),
            exclude_tables: strings(&["seaql_migrations", "audit_log"]),
        };
        let schema = inspect(&db, &options).await.expect("inspect");
        let mut expected = expected_shop();
        expected.tables.remove("audit_log");
        assert_eq!(schema, expected);
    })
    .await;
}

/// A table whose IR is `columns` and `primary_key` and nothing else: no index, no foreign key.
fn bare_table(name: &str, columns: Vec<Column>, primary_key: &[&str]) -> IrTable {
    IrTable {
        name: name.to_owned(),
        columns,
        primary_key: strings(primary_key),
        ..IrTable::default()
    }
}

/// The one table of an inspected schema, after checking that it is the only one.
async fn only_table(db: &DatabaseConnection) -> IrTable {
    let schema = inspect(db, &InspectOptions::default())
        .await
        .expect("inspect");
    assert_eq!(schema.tables.len(), 1, "{schema:#?}");
    schema.tables.into_values().next().expect("one table")
}

/// PostgreSQL 18 records every NOT NULL as a `pg_constraint` row (`contype = 'n'`), named after
/// the table and column when it is made and never renamed after: none of them may show up as a
/// key or an index, whatever its name, and the columns read exactly as on older servers.
async fn not_null_constraints_are_only_nullability(server: Server) {
    with_database(server, "not_null", |db| async move {
        run(
            &db,
            "CREATE TABLE t (
                id integer PRIMARY KEY,
                named integer CONSTRAINT t_named_must NOT NULL,
                ident bigint GENERATED BY DEFAULT AS IDENTITY,
                before_rename text NOT NULL,
                later integer,
                loose integer
            )",
        )
        .await;
        // On 18 the renamed column keeps `t_before_rename_not_null`, and the new column with the
        // old name gets `t_before_rename_not_null1`.
        run(&db, "ALTER TABLE t RENAME COLUMN before_rename TO renamed").await;
        run(
            &db,
            "ALTER TABLE t ADD COLUMN before_rename text NOT NULL DEFAULT 'x'",
        )
        .await;
        run(&db, "ALTER TABLE t ALTER COLUMN later SET NOT NULL").await;
        run(&db, "ALTER TABLE t RENAME TO t_renamed").await;
        use ColumnType as T;
        let expected = bare_table(
            "t_renamed",
            vec![
                col("id", T::Integer, false),
                col("named", T::Integer, false),
                Column {
                    auto_increment: true,
                    ..col("ident", T::BigInt, false)
                },
                col("renamed", T::Text, false),
                col("later", T::Integer, false),
                col("loose", T::Integer, true),
                with_default(col("before_rename", T::Text, false), literal("'x'")),
            ],
            &["id"],
        );
        assert_eq!(only_table(&db).await, expected);

        // Dropping the key leaves its columns NOT NULL, on 18 through the constraint the key made.
        run(&db, "ALTER TABLE t_renamed DROP CONSTRAINT t_pkey").await;
        let expected = IrTable {
            primary_key: vec![],
            ..expected
        };
        assert_eq!(only_table(&db).await, expected);
    })
    .await;
}

/// PostgreSQL 18's `NOT NULL ... NOT VALID` sets `attnotnull` before older rows are checked: the
/// column may hold NULL, so it reads as nullable until `SET NOT NULL` validates the constraint.
async fn an_unvalidated_not_null_reads_as_nullable(server: Server) {
    with_database(server, "not_valid", |db| async move {
        run(
            &db,
            "CREATE TABLE t (id integer PRIMARY KEY, a integer, b integer)",
        )
        .await;
        run(&db, "INSERT INTO t VALUES (1, NULL, 1)").await;
        run(
            &db,
            "ALTER TABLE t ADD CONSTRAINT t_a_later NOT NULL a NOT VALID",
        )
        .await;
        run(
            &db,
            "ALTER TABLE t ADD CONSTRAINT t_b_later NOT NULL b NOT VALID",
        )
        .await;
        let columns = |a_nullable| {
            vec![
                col("id", ColumnType::Integer, false),
                col("a", ColumnType::Integer, a_nullable),
                col("b", ColumnType::Integer, true),
            ]
        };
        assert_eq!(
            only_table(&db).await,
            bare_table("t", columns(true), &["id"])
        );

        // What `SET NOT NULL` does on 18: validate the constraint, here only for `a`.
        run(&db, "UPDATE t SET a = 0").await;
        run(&db, "ALTER TABLE t ALTER COLUMN a SET NOT NULL").await;
        assert_eq!(
            only_table(&db).await,
            bare_table("t", columns(false), &["id"])
        );
    })
    .await;
}

/// PostgreSQL 18 makes a generated column VIRTUAL unless it says STORED (`attgenerated = 'v'`);
/// its expression sits in `pg_attrdef` like a stored one's, and neither is a default.
async fn virtual_and_stored_generated_columns_have_no_default(server: Server) {
    with_database(server, "generated", |db| async move {
        run(
            &db,
            "CREATE TABLE t (
                id integer PRIMARY KEY,
                a integer NOT NULL DEFAULT 1,
                plain integer GENERATED ALWAYS AS (a * 2),
                virtual_nn integer GENERATED ALWAYS AS (a * 3) VIRTUAL NOT NULL,
                stored text GENERATED ALWAYS AS ('n' || a) STORED
            )",
        )
        .await;
        use ColumnType as T;
        let generated = |column: Column, sql: &str, stored: bool| Column {
            generated: Some(Generated { expression: expression(PG, sql), stored }),
            ..column
        };
        let expected = bare_table(
            "t",
            vec![
                col("id", T::Integer, false),
                with_default(col("a", T::Integer, false), literal("1")),
                generated(col("plain", T::Integer, true), "a * 2", false),
                generated(col("virtual_nn", T::Integer, false), "a * 3", false),
                generated(col("stored", T::Text, true), "'n' || a", true),
            ],
            &["id"],
        );
        let table = only_table(&db).await;
        assert_eq!(table, expected);
        let sql: Vec<&str> = table.columns.iter().filter_map(|c| c.generated.as_ref()).map(|g| g.expression.sql.as_str()).collect();
        assert_eq!(sql, ["(a * 2)", "(a * 3)", "('n'::text || a)"], "the database's own spelling is kept");
    })
    .await;
}


/// A key part on a column, with its order and options.
fn part(column: &str) -> IndexPart {
    IndexPart::column(column)
}

/// A key part on an expression.
fn expression_part(sql: &str) -> IndexPart {
    IndexPart { key: IndexKey::Expression(expression(PG, sql)), ..IndexPart::column("") }
}

/// An index as `inspect` reports it, before its definition (never compared).
fn index(name: &str, parts: Vec<IndexPart>, unique: bool) -> Index {
    Index { name: name.to_owned(), parts, unique, ..Index::on_columns::<&str>(&[], false) }
}

/// What a DBA writes by hand, outside anything an entity declares: partial, expression,
/// GIN/GiST/BRIN/hash, operator class, collation, INCLUDE, DESC/NULLS, NULLS NOT DISTINCT
/// indexes and unique constraints, CHECKs, a stored generated column, views, a materialized view
/// and a trigger, on names with quotes and spaces. Each reads back as exactly what it is, with
/// the database's own definition to recreate it.
async fn objects_a_dba_writes_are_read_back(server: Server) {
    with_database(server, "dba", |db| async move {
        run(
            &db,
            r#"CREATE TABLE "We ""ird"" t" (
                id serial PRIMARY KEY,
                email varchar(100) NOT NULL,
                "Na me" text COLLATE "C",
                tags varchar(20)[],
                scores integer[] NOT NULL DEFAULT '{}',
                span int4range,
                deleted_at timestamptz,
                price numeric(10, 2) CHECK (price > 0),
                qty integer NOT NULL DEFAULT 1,
                total numeric GENERATED ALWAYS AS (price * qty) STORED,
                CONSTRAINT "it's ""checked""" CHECK ("Na me" <> 'it''s' AND qty BETWEEN 1 AND 100),
                CONSTRAINT with_extra UNIQUE (email) INCLUDE (qty)
            )"#,
        )
        .await;
        let t = r#""We ""ird"" t""#;
        for sql in [
            r#"CREATE INDEX "lower ""email""" ON {t} (lower(email))"#,
            "CREATE INDEX live_email ON {t} (email) WHERE deleted_at IS NULL",
            "CREATE INDEX newest ON {t} (qty DESC NULLS LAST, id NULLS FIRST, deleted_at DESC)",
            r#"CREATE INDEX covering ON {t} (email) INCLUDE (qty, "Na me")"#,
            "CREATE UNIQUE INDEX one_null ON {t} (email, qty) NULLS NOT DISTINCT",
            "CREATE INDEX tag_gin ON {t} USING gin (tags)",
            "CREATE INDEX span_gist ON {t} USING gist (span)",
            "CREATE INDEX deleted_brin ON {t} USING brin (deleted_at)",
            "CREATE INDEX email_hash ON {t} USING hash (email)",
            "CREATE INDEX email_pattern ON {t} (email varchar_pattern_ops)",
            r#"CREATE INDEX email_c ON {t} (email COLLATE "C")"#,
            r#"CREATE INDEX name_posix ON {t} (lower("Na me") COLLATE "POSIX")"#,
            r#"CREATE INDEX name_lower ON {t} (lower("Na me"))"#,
            r#"CREATE VIEW "live ""users""" AS SELECT id, email FROM {t} WHERE deleted_at IS NULL"#,
            "CREATE VIEW checked WITH (security_barrier) AS SELECT id FROM {t} WHERE qty > 1 WITH CHECK OPTION",
            "CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n FROM {t} WITH NO DATA",
            "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
            r#"CREATE TRIGGER "touch ""it""" BEFORE UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION touch()"#,
        ] {
            run(&db, &sql.replace("{t}", t)).await;
        }
        let schema = inspect(&db, &InspectOptions::default()).await.expect("inspect");
        let table = &schema.tables[r#"We "ird" t"#];

        // Columns: arrays by element type, the generated column with its expression and no
        // default, the serial key still auto-increment.
        let column = |name: &str| table.column(name).unwrap_or_else(|| panic!("column {name}"));
        assert!(column("id").auto_increment);
        assert_eq!(column("tags").ty, ColumnType::Array(Box::new(ColumnType::Varchar(Some(20)))));
        assert_eq!(column("scores").ty, ColumnType::Array(Box::new(ColumnType::Integer)));
        let total = column("total");
        assert_eq!(total.default, None);
        assert_eq!(total.generated, Some(Generated { expression: expression(PG, "price * qty"), stored: true }));

        // CHECKs, named, compared by meaning; no NOT NULL among them on 18.
        assert_eq!(
            table.checks,
            vec![
                Check { name: r#"We "ird" t_price_check"#.into(), expression: expression(PG, "price > 0") },
                Check {
                    name: r#"it's "checked""#.into(),
                    expression: expression(PG, r#""Na me" <> 'it''s' AND qty >= 1 AND qty <= 100"#),
                },
            ]
        );

        let by_name: BTreeMap<&str, &Index> = table.indexes.iter().map(|i| (i.name.as_str(), i)).collect();
        let desc = |p: IndexPart| IndexPart { descending: true, ..p };
        let expected: Vec<Index> = vec![
            index(r#"lower "email""#, vec![expression_part("lower(email)")], false),
            Index { predicate: Some(expression(PG, "deleted_at IS NULL")), ..index("live_email", vec![part("email")], false) },
            index(
                "newest",
                vec![
                    IndexPart { nulls_first: Some(false), ..desc(part("qty")) },
                    IndexPart { nulls_first: Some(true), ..part("id") },
                    desc(part("deleted_at")),
                ],
                false,
            ),
            Index { include: vec!["qty".into(), "Na me".into()], ..index("covering", vec![part("email")], false) },
            Index { nulls_not_distinct: true, ..index("one_null", vec![part("email"), part("qty")], true) },
            Index { method: Some("gin".into()), ..index("tag_gin", vec![part("tags")], false) },
            Index { method: Some("gist".into()), ..index("span_gist", vec![part("span")], false) },
            Index { method: Some("brin".into()), ..index("deleted_brin", vec![part("deleted_at")], false) },
            Index { method: Some("hash".into()), ..index("email_hash", vec![part("email")], false) },
            index("email_pattern", vec![IndexPart { opclass: Some("varchar_pattern_ops".into()), ..part("email") }], false),
            index("email_c", vec![IndexPart { collation: Some("C".into()), ..part("email") }], false),
            index(
                "name_posix",
                vec![IndexPart { collation: Some("POSIX".into()), ..expression_part(r#"lower("Na me")"#) }],
                false,
            ),
            // The expression's collation is the column's: not the index's own.
            index("name_lower", vec![expression_part(r#"lower("Na me")"#)], false),
            Index {
                constraint: true,
                include: vec!["qty".into()],
                ..index("with_extra", vec![part("email")], true)
            },
        ];
        for want in &expected {
            let got = by_name.get(want.name.as_str()).unwrap_or_else(|| panic!("index {} in {:#?}", want.name, table.indexes));
            assert_eq!(*got, want, "{}", want.name);
            // Verbatim compares equal whatever it holds: look at the text itself.
            assert_eq!(got.parts.len(), want.parts.len());
            for (got_part, want_part) in got.parts.iter().zip(&want.parts) {
                let options = |p: &IndexPart| (p.descending, p.nulls_first, p.opclass.clone(), p.collation.clone());
                assert_eq!(options(got_part), options(want_part), "{}", want.name);
            }
            assert!(got.is_advanced() || got.name == "newest", "{} is advanced", got.name);
        }
        assert_eq!(table.indexes.len(), expected.len(), "{:#?}", table.indexes);
        let definition = |name: &str| by_name[name].definition.text().map(str::to_owned);
        assert_eq!(definition("tag_gin").as_deref(), Some(r#"CREATE INDEX tag_gin ON public."We ""ird"" t" USING gin (tags)"#));
        assert_eq!(
            definition("with_extra").as_deref(),
            Some(r#"ALTER TABLE "We ""ird"" t" ADD CONSTRAINT "with_extra" UNIQUE (email) INCLUDE (qty)"#)
        );
        let lower = by_name[r#"lower "email""#];
        let IndexKey::Expression(e) = &lower.parts[0].key else { panic!("an expression") };
        assert_eq!(e.sql, "lower(email::text)", "the database's spelling is kept");

        // Triggers, with the statement that recreates them.
        assert_eq!(table.triggers.len(), 1);
        assert_eq!(table.triggers[0].name, r#"touch "it""#);
        assert_eq!(
            table.triggers[0].definition.text(),
            Some(r#"CREATE TRIGGER "touch ""it""" BEFORE UPDATE ON public."We ""ird"" t" FOR EACH ROW EXECUTE FUNCTION touch()"#)
        );

        // Views are relations the engine knows, not tables.
        assert_eq!(schema.tables.len(), 1);
        let views: Vec<&str> = schema.views.keys().map(String::as_str).collect();
        assert_eq!(views, ["checked", r#"live "users""#, "totals"]);
        let view = |name: &str| schema.views[name].definition.text().unwrap_or_default().to_owned();
        assert!(view(r#"live "users""#).starts_with(r#"CREATE VIEW "live ""users""" AS SELECT"#), "{}", view(r#"live "users""#));
        assert!(view("checked").starts_with(r#"CREATE VIEW "checked" WITH (security_barrier=true, check_option=cascaded) AS SELECT"#), "{}", view("checked"));
        assert!(view("totals").starts_with(r#"CREATE MATERIALIZED VIEW "totals" AS SELECT"#), "{}", view("totals"));
        assert!(view("totals").ends_with(" WITH NO DATA"), "{}", view("totals"));
        assert!(!view("checked").contains(';'));

        // Every definition recreates its object: drop everything and run them back.
        let definitions: Vec<String> = table
            .indexes
            .iter()
            .filter_map(|i| i.definition.text())
            .chain(table.triggers.iter().filter_map(|t| t.definition.text()))
            .chain(schema.views.values().filter_map(|v| v.definition.text()))
            .map(str::to_owned)
            .collect();
        for view in schema.views.keys() {
            let kind = if view == "totals" { "MATERIALIZED VIEW" } else { "VIEW" };
            run(&db, &format!("DROP {kind} {}", autogen::quote::ident(PG, view))).await;
        }
        run(&db, &format!(r#"DROP TRIGGER "touch ""it""" ON {t}"#)).await;
        for index in &table.indexes {
            let name = autogen::quote::ident(PG, &index.name);
            let drop = if index.constraint { format!("ALTER TABLE {t} DROP CONSTRAINT {name}") } else { format!("DROP INDEX {name}") };
            run(&db, &drop).await;
        }
        for sql in &definitions {
            run(&db, sql).await;
        }
        let again = inspect(&db, &InspectOptions::default()).await.expect("inspect again");
        assert_eq!(again, schema);
    })
    .await;
}

/// pg_trgm's `gin_trgm_ops`, the operator class real projects use most, where the extension is
/// available.
async fn an_extension_operator_class_is_named(server: Server) {
    with_database(server, "trgm", |db| async move {
        if db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm").await.is_err() {
            println!("skipped: pg_trgm is not available");
            return;
        }
        run(&db, "CREATE TABLE t (id integer PRIMARY KEY, name text)").await;
        run(&db, "CREATE INDEX t_name_trgm ON t USING gin (name gin_trgm_ops)").await;
        let table = only_table(&db).await;
        let expected = Index {
            method: Some("gin".into()),
            ..index("t_name_trgm", vec![IndexPart { opclass: Some("gin_trgm_ops".into()), ..part("name") }], false)
        };
        assert_eq!(table.indexes, vec![expected]);
        assert_eq!(table.indexes[0].parts[0].opclass.as_deref(), Some("gin_trgm_ops"));
    })
    .await;
}


/// Entities for [`entities_converge_with_what_the_engine_creates`].
mod converge {
    /// Created by the engine's own migration.
    pub mod engine_made {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "engine_made_with_a_name_of_seventy_characters_which_postgres_cuts_xx")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub tags: Vec<String>,
            pub scores: Vec<i32>,
            #[sea_orm(default_expr = "Expr::cust(\"timezone('utc', now())\")")]
            pub seen_at: DateTime,
            #[sea_orm(default_value = "it's C:\\temp")]
            pub note: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}

        /// Indexes of every kind sea-query can declare.
        pub fn indexes() -> Vec<sea_orm::sea_query::IndexCreateStatement> {
            use sea_orm::sea_query::{ConditionalStatement, ExprTrait, Func, Index, IndexColumn, IndexOrder, IndexType};
            vec![
                Index::create()
                    .name("ix_recent_noted")
                    .table(Entity)
                    .col((Column::SeenAt, IndexOrder::Desc))
                    .and_where(Expr::col(Column::Note).ne(""))
                    .to_owned(),
                Index::create().name("ix_note_hash").table(Entity).col(Column::Note).index_type(IndexType::Hash).to_owned(),
                Index::create().name("ix_tags_gin").table(Entity).col(Column::Tags).index_type(IndexType::Custom("gin".into())).to_owned(),
                Index::create().name("ix_note_lower").table(Entity).col(Func::lower(Expr::col(Column::Note))).to_owned(),
                Index::create()
                    .name("ix_note_pattern")
                    .table(Entity)
                    .col(IndexColumn::from(Column::Note).with_operator_class("varchar_pattern_ops"))
                    .include(Column::Id)
                    .to_owned(),
                Index::create()
                    .name("ix_note_seen_unique")
                    .table(Entity)
                    .col(Column::Note)
                    .col(Column::SeenAt)
                    .unique()
                    .nulls_not_distinct()
                    .to_owned(),
            ]
        }

        /// A CHECK constraint.
        pub fn checks() -> Vec<sea_orm::sea_query::Check> {
            use sea_orm::sea_query::ExprTrait;
            vec![sea_orm::sea_query::Check::named("note_not_blank", Expr::col(Column::Note).ne(" "))]
        }
    }

    /// The same columns, written by hand by a DBA.
    pub mod dba_made {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "dba_made")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub tags: Vec<String>,
            pub scores: Vec<i32>,
            #[sea_orm(default_expr = "Expr::cust(\"timezone('utc', now())\")")]
            pub seen_at: DateTime,
            #[sea_orm(default_value = "it's C:\\temp")]
            pub note: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

/// What the engine creates for entities reads back as exactly what they declare, and so does a
/// DBA's spelling of the same: `Vec<String>` as `character varying[]`, a default with a cast
/// inside a call (`timezone('utc'::text, now())`), a string default with a quote and a backslash
/// (echoed as an E-string), and a 70-character table name that the server cuts at 63 bytes.
async fn entities_converge_with_what_the_engine_creates(server: Server) {
    with_database(server, "converge", |db| async move {
        use autogen::pipeline::desired::DesiredSchema;
        use autogen::pipeline::diff::{Diff, DiffOptions, diff};
        use autogen::pipeline::plan::plan;
        use autogen::pipeline::render::sql::Context;

        run(
            &db,
            r"CREATE TABLE dba_made (
                id serial PRIMARY KEY,
                tags varchar[] NOT NULL,
                scores int[] NOT NULL,
                seen_at timestamp NOT NULL DEFAULT timezone('utc', now()),
                note varchar NOT NULL DEFAULT E'it\'s C:\\temp'
            )",
        )
        .await;
        let mut desired = DesiredSchema::new(PG);
        desired.add(converge::engine_made::Entity);
        desired.add_indexes(converge::engine_made::Entity, converge::engine_made::indexes());
        desired.add_checks(converge::engine_made::Entity, converge::engine_made::checks());
        desired.add(converge::dba_made::Entity);
        let desired = desired.finish().expect("desired schema");
        let options = DiffOptions { backend: PG, manage: std::collections::BTreeSet::new() };

        let before = inspect(&db, &InspectOptions::default()).await.expect("inspect");
        let changes = diff(&before, &desired, &options).changes;
        assert_eq!(changes.len(), 1, "only the engine's table is missing: {changes:#?}");
        let steps = plan(&changes, &before, PG);
        let migration = common::runtime_plan(&steps, &Context::new(PG, &before, &desired));
        common::up(&db, "m_converge", migration).await.expect("the engine's migration applies");

        let after = inspect(&db, &InspectOptions::default()).await.expect("inspect");
        let cut = &"engine_made_with_a_name_of_seventy_characters_which_postgres_cuts_xx"[..63];
        assert!(after.tables.contains_key(cut), "{:?}", after.tables.keys());
        let seen_at = after.tables["dba_made"].column("seen_at").and_then(|c| c.default.clone());
        let Some(Default::Expression(e)) = seen_at else { panic!("an expression default: {seen_at:?}") };
        assert_eq!(e.sql, "timezone('utc'::text, now())", "kept whole, cast and all");
        let note = after.tables["dba_made"].column("note").and_then(|c| c.default.clone());
        assert_eq!(note, Some(Default::String(r"it's C:\temp".into())));
        assert_eq!(diff(&after, &desired, &options), Diff::default());
        // What the entity declares is what the database holds, part for part.
        let declared = &desired.tables[cut];
        let held = &after.tables[cut];
        assert_eq!(held.indexes.len(), declared.indexes.len(), "{:#?}", held.indexes);
        for index in &declared.indexes {
            let found = held.indexes.iter().find(|i| i.name == index.name).unwrap_or_else(|| panic!("{}", index.name));
            assert_eq!(found, index, "{}", index.name);
            assert_eq!(found.is_advanced(), index.is_advanced());
        }
        assert_eq!(held.checks, declared.checks);
    })
    .await;
}


/// With every kind managed, what a DBA wrote is dropped by `up` and put back exactly by `down`,
/// from the definitions inspection read: indexes of every kind, a unique constraint with
/// INCLUDE, CHECKs, a stored generated column, a trigger, a view and a materialized view.
async fn managed_objects_are_dropped_and_restored_exactly(server: Server) {
    with_database(server, "managed", |db| async move {
        use autogen::pipeline::diff::{DiffOptions, ObjectKind, diff};
        use autogen::pipeline::plan::plan;
        use autogen::pipeline::render::sql::Context;

        for sql in [
            r#"CREATE TABLE "M t" (
                id integer PRIMARY KEY,
                email varchar(100) NOT NULL,
                tags text[],
                deleted_at timestamptz,
                qty integer NOT NULL CONSTRAINT "qty ""positive""" CHECK (qty > 0),
                twice integer GENERATED ALWAYS AS (qty * 2) STORED,
                CONSTRAINT m_email_incl UNIQUE (email) INCLUDE (qty)
            )"#,
            r#"CREATE INDEX m_live ON "M t" (lower(email) DESC NULLS LAST) WHERE deleted_at IS NULL"#,
            r#"CREATE INDEX m_tags ON "M t" USING gin (tags)"#,
            r#"CREATE INDEX m_pattern ON "M t" (email text_pattern_ops) INCLUDE (qty)"#,
            r#"CREATE UNIQUE INDEX m_nnd ON "M t" (email, deleted_at) NULLS NOT DISTINCT"#,
            r#"CREATE VIEW "m view" AS SELECT id, email FROM "M t""#,
            r#"CREATE MATERIALIZED VIEW m_counts AS SELECT count(*) AS n FROM "M t""#,
            "CREATE FUNCTION m_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
            r#"CREATE TRIGGER m_touch BEFORE INSERT ON "M t" FOR EACH ROW EXECUTE FUNCTION m_touch()"#,
        ] {
            run(&db, sql).await;
        }
        let current = inspect(&db, &InspectOptions::default()).await.expect("inspect");
        let mut desired = current.clone();
        desired.views.clear();
        let table = desired.tables.get_mut("M t").expect("the table");
        table.indexes.clear();
        table.checks.clear();
        table.triggers.clear();
        table.columns.retain(|c| c.generated.is_none());

        let options = DiffOptions { backend: PG, manage: ObjectKind::ALL.into_iter().collect() };
        let changes = diff(&current, &desired, &options).changes;
        let steps = plan(&changes, &current, PG);
        let migration = common::runtime_plan(&steps, &Context::new(PG, &current, &desired));
        common::up(&db, "m_managed", migration).await.expect("up drops them");
        let after = inspect(&db, &InspectOptions::default()).await.expect("inspect after up");
        assert_eq!(after, desired);
        common::down(&db, "m_managed", migration).await.expect("down restores them");
        let restored = inspect(&db, &InspectOptions::default()).await.expect("inspect after down");
        assert_eq!(restored, current);
        // Verbatim compares equal whatever it holds: the definitions themselves must match too.
        let definitions = |schema: &Schema| -> Vec<Option<String>> {
            let table = &schema.tables["M t"];
            table
                .indexes
                .iter()
                .map(|i| i.definition.text().map(str::to_owned))
                .chain(table.triggers.iter().map(|t| t.definition.text().map(str::to_owned)))
                .chain(schema.views.values().map(|v| v.definition.text().map(str::to_owned)))
                .collect()
        };
        assert_eq!(definitions(&restored), definitions(&current));
    })
    .await;
}


/// An index of a partitioned table is read once, on the parent (partitions are not tables of
/// their own), and its definition, run again, indexes every partition: not `ON ONLY` the parent.
async fn a_partitioned_index_comes_back_on_every_partition(server: Server) {
    with_database(server, "partitioned", |db| async move {
        run(&db, "CREATE TABLE p (id integer NOT NULL, d date NOT NULL) PARTITION BY RANGE (d)").await;
        run(&db, "CREATE TABLE p2020 PARTITION OF p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')").await;
        run(&db, "CREATE INDEX p_recent ON p (d DESC) WHERE id > 0").await;
        let table = only_table(&db).await;
        assert_eq!(table.name, "p");
        let index = &table.indexes[0];
        let definition = index.definition.text().expect("a definition").to_owned();
        assert_eq!(definition, "CREATE INDEX p_recent ON public.p USING btree (d DESC) WHERE (id > 0)");
        run(&db, "DROP INDEX p_recent").await;
        run(&db, &definition).await;
        let partition_indexes = db
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid = 'p2020'::regclass",
            ))
            .await
            .expect("list the partition's indexes");
        assert_eq!(partition_indexes.len(), 1, "the partition is indexed too");
        assert_eq!(only_table(&db).await, table);
    })
    .await;
}

on_servers!(
    both: [
        every_entity_type_is_read_back_as_stored,
        a_realistic_schema_is_read_back_exactly,
        excluded_tables_are_skipped_and_the_rest_unchanged,
        not_null_constraints_are_only_nullability,
        objects_a_dba_writes_are_read_back,
        an_extension_operator_class_is_named,
        entities_converge_with_what_the_engine_creates,
        managed_objects_are_dropped_and_restored_exactly,
        a_partitioned_index_comes_back_on_every_partition,
    ],
    postgres18: [
        an_unvalidated_not_null_reads_as_nullable,
        virtual_and_stored_generated_columns_have_no_default,
    ],
);
