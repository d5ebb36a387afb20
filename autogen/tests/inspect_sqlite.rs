//! Integration tests of the SQLite inspector: schemas created through sea-query and by hand (the
//! way a DBA, Alembic, Django or Prisma write them) on a temporary database file, read back with
//! `autogen::pipeline::inspect::inspect` and checked field by field; objects declared through
//! sea-query compare equal to the same objects inspected, and what a migration drops comes back
//! the same from the definitions inspection keeps.

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use autogen::pipeline::desired::DesiredSchema;
use autogen::pipeline::diff::{Change, DiffOptions, ObjectKind, diff};
use autogen::pipeline::inspect::{InspectOptions, inspect};
use autogen::pipeline::normalize::expression;
use autogen::pipeline::plan::plan;
use autogen::pipeline::render::sql::Context;
use autogen::pipeline::schema::{
    Action, Check, Column, ColumnType, Default, Expression, ForeignKey, Generated, Index, IndexKey,
    IndexPart, Schema, Table,
};
use sea_orm::sea_query::{
    Alias, ColumnDef, ColumnType as SeaType, Expr, ExprTrait, ForeignKey as ForeignKeyStatement,
    ForeignKeyAction, Index as IndexStatement, StringLen, Table as TableStatement,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// A database file in its own temporary directory, removed when dropped. Its pool holds one
/// connection, as the CLI's does: a table rebuild turns foreign keys off on that connection.
struct TempDb {
    dir: PathBuf,
    db: DatabaseConnection,
}

impl TempDb {
    async fn new(test: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!(
            "autogen-inspect-sqlite-{test}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.join("x.db").display());
        let db = common::single(&url).await;
        Self { dir, db }
    }

    async fn run(&self, sql: &str) {
        self.db
            .execute_unprepared(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    async fn run_all(&self, statements: &[&str]) {
        for sql in statements {
            self.run(sql).await;
        }
    }

    async fn inspect(&self) -> Schema {
        inspect(&self.db, &InspectOptions::default()).await.expect("inspect")
    }

    /// The statement SQLite keeps for the object `name`.
    async fn stored_sql(&self, name: &str) -> String {
        let row = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "SELECT sql FROM sqlite_master WHERE name = ?",
                [name.into()],
            ))
            .await
            .expect("query sqlite_master")
            .unwrap_or_else(|| panic!("no object {name}"));
        row.try_get("", "sql").expect("sql")
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn column(name: &str, ty: ColumnType, nullable: bool) -> Column {
    Column {
        name: name.into(),
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

fn lit(sql: &str) -> Default {
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

fn index(name: &str, columns: &[&str], unique: bool, constraint: bool) -> Index {
    Index {
        name: name.into(),
        unique,
        constraint,
        ..Index::on_columns(columns, false)
    }
}

fn foreign_key(
    columns: &[&str],
    ref_table: &str,
    ref_columns: &[&str],
    on_delete: Action,
    on_update: Action,
) -> ForeignKey {
    ForeignKey {
        name: String::new(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        ref_table: ref_table.into(),
        ref_columns: ref_columns.iter().map(|c| c.to_string()).collect(),
        on_delete,
        on_update,
    }
}

fn enum_type() -> ColumnType {
    ColumnType::Enum {
        name: String::new(),
        values: vec![],
    }
}

/// Every column type a SeaORM entity can declare, with the IR it must inspect as.
#[tokio::test]
async fn every_entity_type_inspects_as_its_ir_type() {
    let temp = TempDb::new("types").await;
    let enumeration = SeaType::Enum {
        name: Alias::new("mood").into(),
        variants: vec![Alias::new("happy").into(), Alias::new("sad").into()],
    };
    let cases: Vec<(&str, SeaType, ColumnType)> = vec![
        ("char_n", SeaType::Char(Some(3)), ColumnType::Char(Some(3))),
        ("char", SeaType::Char(None), ColumnType::Char(None)),
        (
            "string_n",
            SeaType::String(StringLen::N(40)),
            ColumnType::Varchar(Some(40)),
        ),
        (
            "string",
            SeaType::String(StringLen::None),
            ColumnType::Varchar(None),
        ),
        ("text", SeaType::Text, ColumnType::Text),
        ("tiny_integer", SeaType::TinyInteger, ColumnType::TinyInt),
        ("small_integer", SeaType::SmallInteger, ColumnType::SmallInt),
        ("integer", SeaType::Integer, ColumnType::Integer),
        // sea-query writes `integer` for BigInteger on SQLite.
        ("big_integer", SeaType::BigInteger, ColumnType::Integer),
        // ... and the signed spelling for unsigned types.
        ("tiny_unsigned", SeaType::TinyUnsigned, ColumnType::TinyInt),
        (
            "small_unsigned",
            SeaType::SmallUnsigned,
            ColumnType::SmallInt,
        ),
        ("unsigned", SeaType::Unsigned, ColumnType::Integer),
        ("big_unsigned", SeaType::BigUnsigned, ColumnType::Integer),
        ("float", SeaType::Float, ColumnType::Float),
        ("double", SeaType::Double, ColumnType::Double),
        (
            "decimal_n",
            SeaType::Decimal(Some((12, 2))),
            ColumnType::Decimal(Some((12, 2))),
        ),
        ("decimal", SeaType::Decimal(None), ColumnType::Decimal(None)),
        ("date_time", SeaType::DateTime, ColumnType::Timestamp),
        ("timestamp", SeaType::Timestamp, ColumnType::Timestamp),
        (
            "timestamp_tz",
            SeaType::TimestampWithTimeZone,
            ColumnType::TimestampTz,
        ),
        ("time", SeaType::Time, ColumnType::Time),
        ("date", SeaType::Date, ColumnType::Date),
        ("binary", SeaType::Binary(16), ColumnType::Binary(16)),
        (
            "var_binary_n",
            SeaType::VarBinary(StringLen::N(64)),
            ColumnType::VarBinary(Some(64)),
        ),
        (
            "var_binary",
            SeaType::VarBinary(StringLen::None),
            ColumnType::VarBinary(None),
        ),
        ("blob", SeaType::Blob, ColumnType::Blob),
        ("boolean", SeaType::Boolean, ColumnType::Boolean),
        ("json", SeaType::Json, ColumnType::Json),
        ("json_binary", SeaType::JsonBinary, ColumnType::Jsonb),
        ("uuid", SeaType::Uuid, ColumnType::Uuid),
        ("enumeration", enumeration, enum_type()),
    ];
    let mut create = TableStatement::create();
    create.table(Alias::new("every_type"));
    for (name, ty, _) in &cases {
        create.col(ColumnDef::new_with_type(Alias::new(*name), ty.clone()));
    }
    temp.db.execute(&create).await.expect("create table");

    let schema = inspect(&temp.db, &InspectOptions::default())
        .await
        .expect("inspect");
    let table = &schema.tables["every_type"];
    let inspected: Vec<(&str, &ColumnType)> = table
        .columns
        .iter()
        .map(|c| (c.name.as_str(), &c.ty))
        .collect();
    let expected: Vec<(&str, &ColumnType)> =
        cases.iter().map(|(name, _, ir)| (*name, ir)).collect();
    assert_eq!(inspected, expected);
    // Columns without NOT NULL are nullable; nothing else is set.
    assert!(
        table
            .columns
            .iter()
            .all(|c| c.nullable && c.default.is_none() && !c.auto_increment)
    );
    assert!(
        table.primary_key.is_empty() && table.indexes.is_empty() && table.foreign_keys.is_empty()
    );
}

/// A schema as a SeaORM migration would create it, read back whole.
#[tokio::test]
async fn realistic_schema_inspects_exactly() {
    let temp = TempDb::new("realistic").await;
    let user = || Alias::new("user");
    let post = || Alias::new("post");
    let post_tag = || Alias::new("post_tag");
    let col = |name: &str| Alias::new(name);

    let statements = [
        TableStatement::create()
            .table(user())
            .col(ColumnDef::new(col("id")).uuid().not_null().primary_key())
            .col(
                ColumnDef::new(col("email"))
                    .string_len(255)
                    .not_null()
                    .unique_key(),
            )
            .col(ColumnDef::new(col("display_name")).string().null())
            .col(
                ColumnDef::new(col("role"))
                    .enumeration(col("role"), [col("owner"), col("member")])
                    .not_null()
                    .default("member"),
            )
            .col(
                ColumnDef::new(col("active"))
                    .boolean()
                    .not_null()
                    .default(true),
            )
            .col(
                ColumnDef::new(col("created_at"))
                    .timestamp_with_time_zone()
                    .not_null()
                    .default(Expr::current_timestamp()),
            )
            .to_owned(),
        TableStatement::create()
            .table(post())
            .col(
                ColumnDef::new(col("id"))
                    .big_integer()
                    .not_null()
                    .auto_increment()
                    .primary_key(),
            )
            .col(ColumnDef::new(col("author_id")).uuid().not_null())
            .col(ColumnDef::new(col("editor_id")).uuid().null())
            .col(
                ColumnDef::new(col("title"))
                    .string_len(200)
                    .not_null()
                    .default("Untitled"),
            )
            .col(ColumnDef::new(col("views")).integer().not_null().default(0))
            .col(
                ColumnDef::new(col("price"))
                    .decimal_len(10, 2)
                    .not_null()
                    .default(0),
            )
            .col(ColumnDef::new(col("body")).text().null())
            .foreign_key(
                ForeignKeyStatement::create()
                    .name("fk_post_author")
                    .from(post(), col("author_id"))
                    .to(user(), col("id"))
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .foreign_key(
                ForeignKeyStatement::create()
                    .name("fk_post_editor")
                    .from(post(), col("editor_id"))
                    .to(user(), col("id"))
                    .on_delete(ForeignKeyAction::SetNull)
                    .on_update(ForeignKeyAction::Cascade),
            )
            .to_owned(),
        TableStatement::create()
            .table(post_tag())
            .col(ColumnDef::new(col("post_id")).big_integer().not_null())
            .col(ColumnDef::new(col("tag")).string_len(50).not_null())
            // Key order differs from column order on purpose.
            .primary_key(IndexStatement::create().col(col("tag")).col(col("post_id")))
            .foreign_key(
                ForeignKeyStatement::create()
                    .name("fk_post_tag_post")
                    .from(post_tag(), col("post_id"))
                    .to(post(), col("id"))
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
        TableStatement::create()
            .table(col("seaql_migrations"))
            .col(
                ColumnDef::new(col("version"))
                    .string()
                    .not_null()
                    .primary_key(),
            )
            .col(ColumnDef::new(col("applied_at")).big_integer().not_null())
            .to_owned(),
    ];
    for statement in &statements {
        temp.db.execute(statement).await.expect("create table");
    }
    let indexes = [
        IndexStatement::create()
            .name("idx_post_author_title")
            .table(post())
            .col(col("author_id"))
            .col(col("title"))
            .unique()
            .to_owned(),
        IndexStatement::create()
            .name("idx_post_views")
            .table(post())
            .col(col("views"))
            .to_owned(),
        IndexStatement::create()
            .name("idx_post_editor_views")
            .table(post())
            .col(col("editor_id"))
            .col(col("views"))
            .to_owned(),
        IndexStatement::create()
            .name("idx_post_tag_post")
            .table(post_tag())
            .col(col("post_id"))
            .col(col("tag"))
            .to_owned(),
    ];
    for statement in &indexes {
        temp.db.execute(statement).await.expect("create index");
    }

    let mut post_id = column("id", ColumnType::Integer, false);
    post_id.auto_increment = true;
    let mut expected = Schema::default();
    for table in [
        Table {
            name: "user".into(),
            columns: vec![
                column("id", ColumnType::Uuid, false),
                column("email", ColumnType::Varchar(Some(255)), false),
                column("display_name", ColumnType::Varchar(None), true),
                with_default(column("role", enum_type(), false), lit("'member'")),
                with_default(column("active", ColumnType::Boolean, false), lit("true")),
                with_default(
                    column("created_at", ColumnType::TimestampTz, false),
                    Default::CurrentTimestamp,
                ),
            ],
            primary_key: vec!["id".into()],
            indexes: vec![index("sqlite_autoindex_user_2", &["email"], true, true)],
            foreign_keys: vec![],
            comment: None,
            ..Table::default()
        },
        Table {
            name: "post".into(),
            columns: vec![
                post_id,
                column("author_id", ColumnType::Uuid, false),
                column("editor_id", ColumnType::Uuid, true),
                with_default(
                    column("title", ColumnType::Varchar(Some(200)), false),
                    lit("'Untitled'"),
                ),
                with_default(column("views", ColumnType::Integer, false), lit("0")),
                with_default(
                    column("price", ColumnType::Decimal(Some((10, 2))), false),
                    lit("0"),
                ),
                column("body", ColumnType::Text, true),
            ],
            primary_key: vec!["id".into()],
            indexes: vec![
                index(
                    "idx_post_author_title",
                    &["author_id", "title"],
                    true,
                    false,
                ),
                index(
                    "idx_post_editor_views",
                    &["editor_id", "views"],
                    false,
                    false,
                ),
                index("idx_post_views", &["views"], false, false),
            ],
            foreign_keys: vec![
                foreign_key(
                    &["author_id"],
                    "user",
                    &["id"],
                    Action::Cascade,
                    Action::NoAction,
                ),
                foreign_key(
                    &["editor_id"],
                    "user",
                    &["id"],
                    Action::SetNull,
                    Action::Cascade,
                ),
            ],
            comment: None,
            ..Table::default()
        },
        Table {
            name: "post_tag".into(),
            columns: vec![
                column("post_id", ColumnType::Integer, false),
                column("tag", ColumnType::Varchar(Some(50)), false),
            ],
            primary_key: vec!["tag".into(), "post_id".into()],
            indexes: vec![index(
                "idx_post_tag_post",
                &["post_id", "tag"],
                false,
                false,
            )],
            foreign_keys: vec![foreign_key(
                &["post_id"],
                "post",
                &["id"],
                Action::Cascade,
                Action::NoAction,
            )],
            comment: None,
            ..Table::default()
        },
    ] {
        expected.tables.insert(table.name.clone(), table);
    }
    expected.sort();

    let inspected = inspect(&temp.db, &InspectOptions::default())
        .await
        .expect("inspect");
    assert_eq!(inspected, expected);
}

/// Hand-written SQL that sea-query never produces but SQLite accepts.
#[tokio::test]
async fn hand_written_sqlite_quirks() {
    let temp = TempDb::new("quirks").await;
    temp.run(
        "CREATE TABLE parent (
            a INTEGER NOT NULL,
            b TEXT NOT NULL,
            label TEXT,
            PRIMARY KEY (a, b)
        )",
    )
    .await;
    // `id` is the rowid (never NULL) without AUTOINCREMENT; `code` is a TEXT key that SQLite
    // lets hold NULL because it was declared without NOT NULL.
    temp.run("CREATE TABLE rowid_only (id INTEGER PRIMARY KEY, note BIGINT DEFAULT (-7))")
        .await;
    temp.run("CREATE TABLE text_key (code TEXT PRIMARY KEY, n INT)")
        .await;
    // References without columns point at the parent's primary key; a column named like the
    // keyword does not make the table AUTOINCREMENT.
    temp.run(
        "CREATE TABLE child (
            id INTEGER PRIMARY KEY,
            \"autoincrement\" TEXT DEFAULT 'AUTOINCREMENT',
            pa INTEGER,
            pb TEXT,
            owner TEXT REFERENCES text_key ON DELETE RESTRICT ON UPDATE SET DEFAULT,
            ign INTEGER REFERENCES ignored,
            FOREIGN KEY (pa, pb) REFERENCES parent
        )",
    )
    .await;
    temp.run("CREATE INDEX ix_child_lower ON child (lower(pb))")
        .await;
    temp.run("CREATE UNIQUE INDEX ix_child_pair ON child (pb, pa)")
        .await;
    temp.run("CREATE TABLE ignored (id INTEGER PRIMARY KEY AUTOINCREMENT)")
        .await;

    let options = InspectOptions {
        schema: None,
        exclude_tables: vec!["ignored".into(), "seaql_migrations".into()],
    };
    let inspected = inspect(&temp.db, &options).await.expect("inspect");
    // `sqlite_sequence` (created by AUTOINCREMENT) and the excluded table are not reported.
    assert_eq!(
        inspected.tables.keys().collect::<Vec<_>>(),
        ["child", "parent", "rowid_only", "text_key"]
    );

    let rowid_only = &inspected.tables["rowid_only"];
    assert_eq!(
        rowid_only.columns,
        vec![
            column("id", ColumnType::Integer, false),
            with_default(column("note", ColumnType::BigInt, true), lit("-7")),
        ]
    );
    let text_key = &inspected.tables["text_key"];
    assert_eq!(
        text_key.columns,
        vec![
            column("code", ColumnType::Text, true),
            column("n", ColumnType::Integer, true)
        ]
    );
    assert_eq!(text_key.primary_key, ["code"]);
    assert!(text_key.indexes.is_empty());
    assert_eq!(inspected.tables["parent"].primary_key, ["a", "b"]);

    let child = &inspected.tables["child"];
    assert!(!child.columns[0].auto_increment && !child.columns[0].nullable);
    assert_eq!(child.columns[1].default, Some(lit("'AUTOINCREMENT'")));
    // The expression index is read from its statement (it used to be left out).
    assert_eq!(
        child.indexes,
        vec![
            index("ix_child_pair", &["pb", "pa"], true, false),
            Index {
                name: "ix_child_lower".into(),
                parts: vec![expression_part("lower(pb)")],
                ..Index::on_columns::<&str>(&[], false)
            },
        ]
    );
    assert_eq!(
        child.foreign_keys,
        vec![
            // Resolved although the excluded parent's details are never reported.
            foreign_key(
                &["ign"],
                "ignored",
                &["id"],
                Action::NoAction,
                Action::NoAction
            ),
            foreign_key(
                &["owner"],
                "text_key",
                &["code"],
                Action::Restrict,
                Action::SetDefault
            ),
            foreign_key(
                &["pa", "pb"],
                "parent",
                &["a", "b"],
                Action::NoAction,
                Action::NoAction
            ),
        ]
    );
}

fn sqlite_expression(sql: &str) -> Expression {
    expression(DbBackend::Sqlite, sql)
}

fn expression_part(sql: &str) -> IndexPart {
    IndexPart { key: IndexKey::Expression(sqlite_expression(sql)), ..IndexPart::column("") }
}

fn desc(mut part: IndexPart) -> IndexPart {
    part.descending = true;
    part
}

fn collated(mut part: IndexPart, collation: &str) -> IndexPart {
    part.collation = Some(collation.into());
    part
}

/// An index made by `CREATE INDEX`, as the IR describes it.
fn created(name: &str, parts: Vec<IndexPart>, unique: bool, predicate: Option<&str>) -> Index {
    Index {
        name: name.into(),
        parts,
        unique,
        predicate: predicate.map(sqlite_expression),
        ..Index::on_columns::<&str>(&[], false)
    }
}

fn check(name: &str, sql: &str) -> Check {
    Check { name: name.into(), expression: sqlite_expression(sql) }
}

fn manage_all() -> DiffOptions {
    DiffOptions { backend: DbBackend::Sqlite, manage: ObjectKind::ALL.into_iter().collect() }
}

/// Indexes spelled as a DBA, Alembic, Django and Prisma write them: every field the IR holds
/// for an index is read from the statement, which is kept as the definition.
#[tokio::test]
async fn indexes_are_read_from_their_statements() {
    let temp = TempDb::new("indexes").await;
    temp.run_all(&[
        r#"CREATE TABLE "Account" (
            "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            "Email" TEXT NOT NULL COLLATE NOCASE,
            name VARCHAR(80),
            created_at DATETIME NOT NULL,
            deleted_at DATETIME DEFAULT NULL,
            score REAL
        )"#,
        // Prisma: quoted names, no space before the column list.
        r#"CREATE UNIQUE INDEX "Account_Email_key" ON "Account"("Email")"#,
        // Django: a functional index, a DESC index, a conditional unique constraint.
        r#"CREATE INDEX "account_lower_name_idx" ON "Account" (LOWER("name"))"#,
        r#"CREATE INDEX "account_created_desc" ON "Account" ("created_at" DESC, "id")"#,
        r#"CREATE UNIQUE INDEX "uniq_live_name" ON "Account" ("name") WHERE "deleted_at" IS NULL"#,
        // Alembic, `sqlite_where=`: bare names, a predicate with AND.
        "CREATE INDEX ix_account_score ON Account (score) WHERE score > 0 AND deleted_at IS NULL",
        // A DBA: lower case keywords, IF NOT EXISTS, names in another case than declared,
        // collations (one the column has anyway), an expression with DESC, a comment.
        "create index if not exists ix_by_name_email on account (NAME collate nocase, email COLLATE NoCase)",
        "CREATE INDEX ix_score_rounded ON account (round(score, 1) DESC, -- rounded\n id ASC)",
        "CREATE INDEX [ix bracketed] ON `Account` ([name] COLLATE RTRIM)",
        // SQLite reads a string where a column is expected as the column of that name.
        "CREATE INDEX ix_quoted_string ON Account ('deleted_at', \"id\")",
    ])
    .await;
    let schema = temp.inspect().await;
    let account = &schema.tables["Account"];
    let mut expected = vec![
        created("Account_Email_key", vec![IndexPart::column("Email")], true, None),
        created("account_lower_name_idx", vec![expression_part("lower(name)")], false, None),
        created("account_created_desc", vec![desc(IndexPart::column("created_at")), IndexPart::column("id")], false, None),
        created("uniq_live_name", vec![IndexPart::column("name")], true, Some("deleted_at IS NULL")),
        created("ix_account_score", vec![IndexPart::column("score")], false, Some("score > 0 AND deleted_at IS NULL")),
        // `email` is NOCASE already; `name` is not.
        created(
            "ix_by_name_email",
            vec![collated(IndexPart::column("name"), "nocase"), IndexPart::column("Email")],
            false,
            None,
        ),
        created("ix_score_rounded", vec![desc(expression_part("round(score, 1)")), IndexPart::column("id")], false, None),
        created("ix bracketed", vec![collated(IndexPart::column("name"), "rtrim")], false, None),
        created(
            "ix_quoted_string",
            vec![IndexPart::column("deleted_at"), IndexPart::column("id")],
            false,
            None,
        ),
    ];
    let mut expected_table = Table { indexes: std::mem::take(&mut expected), ..account.clone() };
    expected_table.sort();
    assert_eq!(account.indexes, expected_table.indexes);
    // Field by field, since `==` leaves the definition out: each is SQLite's own statement.
    for index in &account.indexes {
        assert_eq!(index.definition.text(), Some(temp.stored_sql(&index.name).await.as_str()), "{}", index.name);
        assert!(!index.constraint, "{}", index.name);
    }
    let mut advanced: Vec<&str> = account.indexes.iter().filter(|i| i.is_advanced()).map(|i| i.name.as_str()).collect();
    advanced.sort();
    assert_eq!(
        advanced,
        [
            "account_lower_name_idx",
            "ix bracketed",
            "ix_account_score",
            "ix_by_name_email",
            "ix_score_rounded",
            "uniq_live_name"
        ]
    );
}

/// UNIQUE in CREATE TABLE makes an index without a statement: it stays a constraint, with the
/// order and collation its key columns have.
#[tokio::test]
async fn unique_constraints_stay_constraints() {
    let temp = TempDb::new("unique").await;
    temp.run(
        "CREATE TABLE member (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            org INTEGER NOT NULL,
            handle TEXT COLLATE NOCASE,
            CONSTRAINT member_org_handle UNIQUE (org, handle),
            UNIQUE (handle COLLATE BINARY, org DESC)
        )",
    )
    .await;
    let schema = temp.inspect().await;
    let member = &schema.tables["member"];
    let constraint = |name: &str, parts: Vec<IndexPart>| Index {
        name: name.into(),
        parts,
        constraint: true,
        ..Index::on_columns::<&str>(&[], true)
    };
    let mut expected = Table {
        indexes: vec![
            constraint("sqlite_autoindex_member_1", vec![IndexPart::column("email")]),
            constraint("sqlite_autoindex_member_2", vec![IndexPart::column("org"), IndexPart::column("handle")]),
            constraint(
                "sqlite_autoindex_member_3",
                vec![collated(IndexPart::column("handle"), "binary"), desc(IndexPart::column("org"))],
            ),
        ],
        ..member.clone()
    };
    expected.sort();
    assert_eq!(member.indexes, expected.indexes);
    assert!(member.indexes.iter().all(|i| i.definition.text().is_none()));
    // SQLite names a UNIQUE constraint's index itself; the constraint's own name is not kept.
    assert!(member.checks.is_empty());
}

/// CHECK constraints on columns and on the table, named and not, in every quoting style.
#[tokio::test]
async fn checks_are_read_from_the_table_statement() {
    let temp = TempDb::new("checks").await;
    temp.run_all(&[
        // Django: a column check from PositiveIntegerField, a named table check.
        r#"CREATE TABLE "shop_item" (
            "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
            "qty" integer unsigned NOT NULL CHECK ("qty" >= 0),
            "price" decimal NOT NULL,
            "sale" decimal NULL,
            CONSTRAINT "price_gte_0" CHECK ("price" >= 0),
            CONSTRAINT "sale_lt_price" CHECK (("sale" IS NULL OR "sale" < "price"))
        )"#,
        // Alembic and a DBA: bare names, a named column check, a check with a string and IN.
        "CREATE TABLE account (
            id INTEGER NOT NULL,
            status VARCHAR(8) CONSTRAINT ck_status CHECK (status IN ('on', 'off')) NOT NULL,
            balance NUMERIC(10, 2) CHECK(balance>=0) CHECK (balance < 1e9),
            PRIMARY KEY (id),
            CHECK (length(status) <= 8)
        )",
    ])
    .await;
    let schema = temp.inspect().await;
    assert_eq!(
        schema.tables["shop_item"].checks,
        vec![
            check("", "qty >= 0"),
            check("price_gte_0", "price >= 0"),
            check("sale_lt_price", "sale IS NULL OR sale < price"),
        ]
    );
    let account = &schema.tables["account"];
    assert_eq!(
        account.checks,
        vec![
            check("", "balance < 1e9"),
            check("", "balance >= 0"),
            check("", "length(status) <= 8"),
            check("ck_status", "status IN ('on', 'off')"),
        ]
    );
    // The spelling is kept to recreate the check as written.
    let balance = account.checks.iter().find(|c| c.expression.canonical == sqlite_expression("balance >= 0").canonical);
    assert_eq!(balance.map(|c| c.expression.sql.as_str()), Some("balance>=0"));
    // The check does not hide the column's other clauses.
    let status = account.column("status").unwrap();
    assert!(!status.nullable);
    assert_eq!(status.ty, ColumnType::Varchar(Some(8)));
}

/// Generated columns, which `pragma_table_info` hides, are reported with their expression and
/// whether they are stored, and without a default.
#[tokio::test]
async fn generated_columns_are_reported() {
    let temp = TempDb::new("generated").await;
    temp.run(
        "CREATE TABLE line (
            id INTEGER PRIMARY KEY,
            qty INTEGER NOT NULL DEFAULT 1,
            price REAL NOT NULL,
            total REAL GENERATED ALWAYS AS (qty * price) STORED,
            label TEXT AS ('#' || id) VIRTUAL,
            \"Upper Label\" GENERATED ALWAYS AS (upper(label)) NOT NULL,
            note TEXT
        )",
    )
    .await;
    let schema = temp.inspect().await;
    let line = &schema.tables["line"];
    let generated = |sql: &str, stored: bool| Some(Generated { expression: sqlite_expression(sql), stored });
    let summary: Vec<(&str, &ColumnType, bool, Option<Generated>)> =
        line.columns.iter().map(|c| (c.name.as_str(), &c.ty, c.nullable, c.generated.clone())).collect();
    assert_eq!(
        summary,
        vec![
            ("id", &ColumnType::Integer, false, None),
            ("qty", &ColumnType::Integer, false, None),
            ("price", &ColumnType::Double, false, None),
            ("total", &ColumnType::Double, true, generated("qty * price", true)),
            ("label", &ColumnType::Text, true, generated("'#' || id", false)),
            // No type and no STORED: VIRTUAL, SQLite's default.
            ("Upper Label", &ColumnType::Other(String::new()), false, generated("upper(label)", false)),
            ("note", &ColumnType::Text, true, None),
        ]
    );
    assert_eq!(line.column("qty").unwrap().default, Some(Default::Number("1".into())));
    assert!(line.columns.iter().filter(|c| c.generated.is_some()).all(|c| c.default.is_none()));
    assert_eq!(line.column("total").unwrap().generated.as_ref().unwrap().expression.sql, "qty * price");
}

/// Views and triggers are known by SQLite's statements; the exclusions apply to them too.
#[tokio::test]
async fn views_and_triggers_are_known_by_their_statements() {
    let temp = TempDb::new("views").await;
    temp.run_all(&[
        "CREATE TABLE post (id INTEGER PRIMARY KEY, title TEXT NOT NULL, updated_at DATETIME, deleted_at DATETIME)",
        "CREATE TABLE legacy (id INTEGER PRIMARY KEY)",
        "CREATE INDEX ix_legacy ON legacy (id DESC)",
        "CREATE VIEW live_post AS SELECT id, title FROM post WHERE deleted_at IS NULL",
        "create view \"Post Titles\" (t) as select title from post",
        "CREATE VIEW legacy_report AS SELECT count(*) AS n FROM legacy",
        "CREATE TRIGGER post_touch AFTER UPDATE OF title ON post FOR EACH ROW \
         BEGIN UPDATE post SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END",
        "create temp trigger not_main after insert on post begin select 1; end",
        "CREATE TRIGGER legacy_guard BEFORE DELETE ON legacy BEGIN SELECT RAISE(ABORT, 'no'); END",
        // A trigger on a view belongs to no table.
        "CREATE TRIGGER live_post_insert INSTEAD OF INSERT ON live_post BEGIN INSERT INTO post (title) VALUES (NEW.title); END",
    ])
    .await;
    let schema = temp.inspect().await;
    assert_eq!(schema.views.keys().collect::<Vec<_>>(), ["Post Titles", "legacy_report", "live_post"]);
    for view in schema.views.values() {
        assert_eq!(view.definition.text(), Some(temp.stored_sql(&view.name).await.as_str()), "{}", view.name);
    }
    assert_eq!(
        schema.views["Post Titles"].definition.text(),
        Some("CREATE VIEW \"Post Titles\" (t) as select title from post")
    );
    let post = &schema.tables["post"];
    let triggers: Vec<(&str, Option<&str>)> = post.triggers.iter().map(|t| (t.name.as_str(), t.definition.text())).collect();
    assert_eq!(
        triggers,
        [(
            "post_touch",
            Some(
                "CREATE TRIGGER post_touch AFTER UPDATE OF title ON post FOR EACH ROW \
                 BEGIN UPDATE post SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END"
            )
        )]
    );
    assert!(!schema.tables.contains_key("live_post"));
    assert_eq!(schema.tables["legacy"].triggers.len(), 1);
    assert_eq!(schema.tables["legacy"].indexes.len(), 1);

    // Excluded: the table with its index and trigger, and a view.
    let options =
        InspectOptions { exclude_tables: vec!["legacy".into(), "legacy_report".into()], ..InspectOptions::default() };
    let schema = inspect(&temp.db, &options).await.expect("inspect");
    assert_eq!(schema.tables.keys().collect::<Vec<_>>(), ["post"]);
    assert_eq!(schema.views.keys().collect::<Vec<_>>(), ["Post Titles", "live_post"]);
}

/// Every table keeps the `CREATE TABLE` text SQLite stores, which is what a rebuild edits.
#[tokio::test]
async fn tables_keep_their_statement() {
    let temp = TempDb::new("definition").await;
    let sql = "CREATE TABLE \"odd table\" (\n  a INTEGER PRIMARY KEY, -- the key\n  b TEXT COLLATE NOCASE CHECK (b <> '')\n) WITHOUT ROWID";
    temp.run(sql).await;
    temp.run("CREATE TABLE plain (x)").await;
    let schema = temp.inspect().await;
    assert_eq!(schema.tables["odd table"].definition.text(), Some(sql));
    assert_eq!(schema.tables["plain"].definition.text(), Some("CREATE TABLE plain (x)"));
    assert_eq!(schema.tables["odd table"].primary_key, ["a"]);
    assert_eq!(schema.tables["odd table"].checks, vec![check("", "b <> ''")]);
}

/// An entity as a SeaORM project declares it, with indexes and checks by the `indexes()` and
/// `checks()` conventions.
mod item {
    use sea_orm::entity::prelude::*;
    use sea_orm::sea_query::{self, ConditionalStatement, ExprTrait, Index, IndexCreateStatement, IndexOrder};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "item")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub sku: String,
        pub name: String,
        pub price: f64,
        pub deleted_at: Option<DateTime>,
        /// Generated by the database.
        pub total: Option<f64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    pub fn indexes() -> Vec<IndexCreateStatement> {
        vec![
            Index::create()
                .name("ix_item_live_name")
                .table(Entity)
                .col(Column::Name)
                .unique()
                .and_where(Expr::col(Column::DeletedAt).is_null())
                .to_owned(),
            Index::create()
                .name("ix_item_price_desc")
                .table(Entity)
                .col((Column::Price, IndexOrder::Desc))
                .col(Column::Id)
                .to_owned(),
            Index::create()
                .name("ix_item_cheap")
                .table(Entity)
                .col(Column::Price)
                .and_where(Expr::col(Column::Price).lt(10).and(Expr::col(Column::DeletedAt).is_null()))
                .to_owned(),
        ]
    }

    pub fn checks() -> Vec<sea_query::Check> {
        vec![
            sea_query::Check::named("price_positive", Expr::col(Column::Price).gte(0)),
            sea_query::Check::from(Expr::col(Column::Name).ne("")),
        ]
    }
}

fn item_desired() -> Schema {
    let mut desired = DesiredSchema::new(DbBackend::Sqlite);
    desired.add(item::Entity);
    desired.add_indexes(item::Entity, item::indexes());
    desired.add_checks(item::Entity, item::checks());
    desired.finish().expect("desired schema")
}

/// The table, indexes and checks of `item` created from sea-query statements as a migration
/// would, with a generated column the entity only reads.
async fn create_item(temp: &TempDb) {
    let col = |name: &str| Alias::new(name);
    let mut table = TableStatement::create();
    table
        .table(col("item"))
        .col(ColumnDef::new(col("id")).integer().not_null().auto_increment().primary_key())
        .col(ColumnDef::new(col("sku")).string().not_null().unique_key())
        .col(ColumnDef::new(col("name")).string().not_null())
        .col(ColumnDef::new(col("price")).double().not_null())
        .col(ColumnDef::new(col("deleted_at")).date_time().null())
        .col(ColumnDef::new(col("total")).double().generated(Expr::col(col("price")).mul(2), true));
    for check in item::checks() {
        table.check(check);
    }
    temp.db.execute(&table).await.expect("create item");
    for index in item::indexes() {
        temp.db.execute(&index).await.expect("create index");
    }
}

/// Objects created from sea-query statements inspect to what the entity declares with the same
/// statements: the diff finds nothing, not even an object to leave alone.
#[tokio::test]
async fn objects_from_sea_query_equal_the_declared_ones() {
    let temp = TempDb::new("sea_query").await;
    create_item(&temp).await;
    let current = temp.inspect().await;
    let desired = item_desired();
    let item = &current.tables["item"];
    assert_eq!(item.indexes.len(), 4, "{:#?}", item.indexes);
    assert_eq!(item.checks.len(), 2);
    assert!(item.column("total").unwrap().generated.as_ref().is_some_and(|g| g.stored));
    for options in [DiffOptions::new(DbBackend::Sqlite), manage_all()] {
        let found = diff(&current, &desired, &options);
        assert_eq!(found.changes, vec![], "changes");
        assert_eq!(found.unmanaged, vec![], "unmanaged");
    }
    // Each object alike, field by field: the generated column aside, which the entity cannot
    // say is generated.
    let declared = &desired.tables["item"];
    // SQLite names the UNIQUE constraint's index itself.
    let unnamed = |indexes: &[Index]| -> Vec<Index> {
        indexes.iter().map(|i| Index { name: String::new(), ..i.clone() }).collect()
    };
    assert_eq!(unnamed(&item.indexes), unnamed(&declared.indexes));
    assert_eq!(item.checks, declared.checks);
    assert_eq!(item.primary_key, declared.primary_key);
}

/// The same objects written by hand in other spellings (keywords, quoting, names in another
/// case than declared, redundant parentheses, a column check for a table one) also compare equal
/// to the declared ones.
#[tokio::test]
async fn hand_written_objects_equal_the_declared_ones() {
    let temp = TempDb::new("hand_sea_query").await;
    temp.run_all(&[
        "create table [item] (
            id integer not null primary key autoincrement,
            `sku` varchar not null,
            \"name\" varchar not null check (NAME != ''),
            price double not null,
            deleted_at datetime_text,
            total double as (price + price) stored,
            unique (SKU),
            constraint price_positive check ((price >= (0)))
        )",
        "create unique index live_name on item (NAME) where DELETED_AT is null",
        "create index by_price on Item (PRICE desc, \"id\" asc)",
        "create index cheap on item (price) where (price < 10) and (deleted_at is null)",
    ])
    .await;
    let current = temp.inspect().await;
    let found = diff(&current, &item_desired(), &DiffOptions::new(DbBackend::Sqlite));
    assert_eq!(found.changes, vec![]);
    assert_eq!(found.unmanaged, vec![]);
}

/// A schema with one of each object class the IR holds beyond plain columns and keys.
const EVERY_CLASS: &[&str] = &[
    "CREATE TABLE org (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
    "CREATE TABLE account (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        org_id INTEGER NOT NULL REFERENCES org (id) ON DELETE CASCADE,
        email TEXT NOT NULL COLLATE NOCASE,
        balance NUMERIC(10,2) NOT NULL DEFAULT 0 CHECK (balance >= 0),
        deleted_at DATETIME,
        domain TEXT GENERATED ALWAYS AS (substr(email, instr(email, '@') + 1)) VIRTUAL,
        doubled NUMERIC AS (balance * 2) STORED,
        UNIQUE (org_id, email),
        CONSTRAINT email_has_at CHECK (instr(email, '@') > 1)
    )",
    "CREATE INDEX ix_account_live ON account (email) WHERE deleted_at IS NULL",
    "CREATE INDEX ix_account_domain ON account (lower(domain) DESC, id)",
    "CREATE INDEX ix_account_org ON account (org_id, email COLLATE BINARY)",
    "CREATE TRIGGER account_soft_delete BEFORE DELETE ON account BEGIN SELECT RAISE(ABORT, 'soft delete only'); END",
    "CREATE VIEW live_account AS SELECT id, email, domain FROM account WHERE deleted_at IS NULL",
    "INSERT INTO org (id, name) VALUES (1, 'acme')",
    "INSERT INTO account (id, org_id, email, balance) VALUES (1, 1, 'a@example.com', 5), (2, 1, 'b@example.org', 7)",
];

/// Asserts two inspections are the same schema, definitions included (`==` leaves them out).
fn assert_same_schema(actual: &Schema, expected: &Schema) {
    assert_eq!(actual, expected);
    for (name, table) in &expected.tables {
        let other = &actual.tables[name];
        let definitions = |t: &Table| -> Vec<(String, Option<String>)> {
            let indexes = t.indexes.iter().map(|i| (i.name.clone(), i.definition.0.clone()));
            indexes.chain(t.triggers.iter().map(|t| (t.name.clone(), t.definition.0.clone()))).collect()
        };
        assert_eq!(definitions(other), definitions(table), "{name}");
    }
    let views = |s: &Schema| -> Vec<Option<String>> { s.views.values().map(|v| v.definition.0.clone()).collect() };
    assert_eq!(views(actual), views(expected));
}

/// Dropping each object and running the definition inspection kept gives back the same IR.
#[tokio::test]
async fn definitions_recreate_what_was_dropped() {
    let temp = TempDb::new("recreate").await;
    temp.run_all(EVERY_CLASS).await;
    let before = temp.inspect().await;
    let account = &before.tables["account"];
    assert_eq!(account.indexes.iter().filter(|i| i.definition.text().is_some()).count(), 3);
    assert_eq!((account.checks.len(), account.triggers.len(), before.views.len()), (2, 1, 1));
    assert_eq!(account.columns.iter().filter(|c| c.generated.is_some()).count(), 2);

    // One object at a time.
    for index in account.indexes.iter().filter(|i| i.definition.text().is_some()) {
        temp.run(&format!("DROP INDEX \"{}\"", index.name)).await;
        temp.run(index.definition.text().unwrap()).await;
    }
    for trigger in &account.triggers {
        temp.run(&format!("DROP TRIGGER \"{}\"", trigger.name)).await;
        temp.run(trigger.definition.text().unwrap()).await;
    }
    for view in before.views.values() {
        temp.run(&format!("DROP VIEW \"{}\"", view.name)).await;
        temp.run(view.definition.text().unwrap()).await;
    }
    assert_same_schema(&temp.inspect().await, &before);

    // The whole table: its statement brings back its checks, generated columns and collations.
    temp.run_all(&["DROP VIEW live_account", "DROP TABLE account"]).await;
    temp.run(account.definition.text().unwrap()).await;
    for index in account.indexes.iter().filter_map(|i| i.definition.text()) {
        temp.run(index).await;
    }
    for trigger in &account.triggers {
        temp.run(trigger.definition.text().unwrap()).await;
    }
    temp.run(before.views["live_account"].definition.text().unwrap()).await;
    let after = temp.inspect().await;
    assert_same_schema(&after, &before);
    assert_eq!(after.tables["account"].definition.text(), account.definition.text());
}

/// Runs the migration from `current` to `desired` (the project manages the kinds `manage`) as a
/// generated module runs it, checks it reaches `desired`, then runs its `down` and checks the
/// database is `current` again, definitions included: `down` restores exactly what `up` removed.
/// Returns the changes, described.
async fn up_and_down(temp: &TempDb, name: &str, current: &Schema, desired: &Schema, manage: &DiffOptions) -> Vec<String> {
    let changes = diff(current, desired, manage).changes;
    let steps = plan(&changes, current, DbBackend::Sqlite);
    let context = Context::new(DbBackend::Sqlite, current, desired);
    let module = common::runtime_plan(&steps, &context);
    common::up(&temp.db, name, module).await.expect("up");
    let after_up = temp.inspect().await;
    assert_eq!(&after_up, desired, "{name}: up did not reach the desired schema");
    common::down(&temp.db, name, module).await.expect("down");
    let after_down = temp.inspect().await;
    // Managing triggers and views means dropping those the entities lack, and entities declare
    // none: the restored schema is compared as it is, not through a managing diff.
    assert_eq!(
        diff(&after_down, current, &DiffOptions::new(DbBackend::Sqlite)).changes,
        vec![],
        "{name}: down did not restore the schema"
    );
    assert_same_schema(&after_down, current);
    let mut described: Vec<String> = changes
        .iter()
        .map(|c| match c {
            Change::DropIndex { index, .. } => format!("drop index {}", index.name),
            Change::DropCheck { check, .. } => format!("drop check {}", check.expression.canonical),
            Change::DropColumn { column, .. } => format!("drop column {}", column.name),
            Change::DropTrigger { trigger, .. } => format!("drop trigger {}", trigger.name),
            Change::DropView(view) => format!("drop view {}", view.name),
            other => format!("{other:?}"),
        })
        .collect();
    described.sort();
    described
}

/// Dropping the indexes, the trigger and the view that SQLite alters in place, and dropping the
/// checks and generated columns that take a table rebuild: each `down` recreates them from
/// their definitions, and the rebuild keeps the rows and the views and triggers reading the
/// table.
#[tokio::test]
async fn down_restores_what_up_dropped() {
    let temp = TempDb::new("down").await;
    temp.run_all(EVERY_CLASS).await;
    let current = temp.inspect().await;

    let mut desired = current.clone();
    desired.views.clear();
    let account = desired.tables.get_mut("account").unwrap();
    account.indexes.retain(|i| i.definition.text().is_none());
    account.triggers.clear();
    assert_eq!(
        up_and_down(&temp, "m_drop_in_place", &current, &desired, &manage_all()).await,
        [
            "drop index ix_account_domain",
            "drop index ix_account_live",
            "drop index ix_account_org",
            "drop trigger account_soft_delete",
            "drop view live_account",
        ]
    );

    // A rebuild writes the new table from the IR, which holds no column collation, so the
    // rebuilt `email` would lose its NOCASE (a renderer limitation, reported): this part starts
    // from a column without one.
    let temp = TempDb::new("down_rebuilt").await;
    let setup: Vec<String> = EVERY_CLASS.iter().map(|sql| sql.replace(" COLLATE NOCASE", "")).collect();
    temp.run_all(&setup.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let current = temp.inspect().await;
    let mut desired = current.clone();
    let account = desired.tables.get_mut("account").unwrap();
    account.checks.clear();
    account.columns.retain(|c| c.generated.is_none());
    // The index reads a generated column; it goes with it.
    account.indexes.retain(|i| i.name != "ix_account_domain");
    // The view reads a generated column too.
    desired.views.clear();
    // The trigger stays: the rebuild saves and restores it.
    let mut manage = manage_all();
    manage.manage.remove(&ObjectKind::Triggers);
    assert_eq!(
        up_and_down(&temp, "m_drop_rebuilt", &current, &desired, &manage).await,
        [
            "drop check balance >= 0",
            "drop check instr(email, '@') > 1",
            "drop column domain",
            "drop column doubled",
            "drop index ix_account_domain",
            "drop view live_account",
        ]
    );
    // The rows came through both rebuilds, and the generated columns compute again.
    let rows = temp
        .db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT a.domain, a.doubled * 1.0 FROM live_account v JOIN account a USING (id) ORDER BY a.id",
        ))
        .await
        .expect("read back");
    let values: Vec<(String, f64)> =
        rows.iter().map(|r| (r.try_get_by_index(0).unwrap(), r.try_get_by_index(1).unwrap())).collect();
    assert_eq!(values, [("example.com".to_owned(), 10.0), ("example.org".to_owned(), 14.0)]);
}

/// The number of catalog queries does not grow with the number of tables or objects.
#[tokio::test]
async fn catalog_queries_are_fixed_in_number() {
    let mut temp = TempDb::new("query_count").await;
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    temp.db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    temp.run("CREATE TABLE lone (id INTEGER PRIMARY KEY)").await;
    count.store(0, Ordering::SeqCst);
    temp.inspect().await;
    let one_table = count.load(Ordering::SeqCst);
    assert!(one_table > 0, "the metric callback saw no query");

    temp.run_all(EVERY_CLASS).await;
    for i in 0..30 {
        temp.run(&format!(
            "CREATE TABLE t{i} (id INTEGER PRIMARY KEY, a TEXT UNIQUE, b INT CHECK (b > 0), c AS (b * 2), \
             d INTEGER REFERENCES org (id))"
        ))
        .await;
        temp.run(&format!("CREATE INDEX ix_t{i} ON t{i} (lower(a)) WHERE b > 1")).await;
        temp.run(&format!("CREATE TRIGGER tr_t{i} AFTER INSERT ON t{i} BEGIN SELECT 1; END")).await;
        temp.run(&format!("CREATE VIEW v{i} AS SELECT * FROM t{i}")).await;
    }
    count.store(0, Ordering::SeqCst);
    let schema = temp.inspect().await;
    assert_eq!(schema.tables.len(), 33);
    assert_eq!(count.load(Ordering::SeqCst), one_table);
}

/// Whole schemas as Prisma, Django and Alembic write them (their migrations' SQL, Prisma's
/// table redefinition included) inspect completely.
#[tokio::test]
async fn schemas_written_by_other_tools() {
    let temp = TempDb::new("tools").await;
    temp.run_all(&[
        // Prisma.
        "CREATE TABLE \"User\" (\n    \"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n    \"email\" TEXT NOT NULL,\n    \"role\" TEXT NOT NULL DEFAULT 'USER',\n    \"createdAt\" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP\n)",
        "CREATE TABLE \"Post\" (\n    \"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n    \"title\" TEXT NOT NULL,\n    \"authorId\" INTEGER,\n    CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\") REFERENCES \"User\" (\"id\") ON DELETE SET NULL ON UPDATE CASCADE\n)",
        "CREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\")",
        // Prisma's RedefineTables: a new table renamed into place.
        "PRAGMA foreign_keys=OFF",
        "CREATE TABLE \"new_Post\" (\n    \"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n    \"title\" TEXT NOT NULL,\n    \"published\" BOOLEAN NOT NULL DEFAULT false,\n    \"authorId\" INTEGER,\n    CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\") REFERENCES \"User\" (\"id\") ON DELETE SET NULL ON UPDATE CASCADE\n)",
        "INSERT INTO \"new_Post\" (\"authorId\", \"id\", \"title\") SELECT \"authorId\", \"id\", \"title\" FROM \"Post\"",
        "DROP TABLE \"Post\"",
        "ALTER TABLE \"new_Post\" RENAME TO \"Post\"",
        "CREATE INDEX \"Post_authorId_idx\" ON \"Post\"(\"authorId\")",
        "PRAGMA foreign_keys=ON",
        // Django.
        r#"CREATE TABLE "blog_author" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "name" varchar(100) NOT NULL, "email" varchar(254) NOT NULL UNIQUE, "age" integer unsigned NULL CHECK ("age" >= 0))"#,
        r#"CREATE TABLE "blog_entry" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "headline" varchar(255) NOT NULL, "pub_date" date NOT NULL, "rating" integer NOT NULL, "author_id" bigint NOT NULL REFERENCES "blog_author" ("id") DEFERRABLE INITIALLY DEFERRED, CONSTRAINT "rating_range" CHECK ("rating" BETWEEN 0 AND 5))"#,
        r#"CREATE INDEX "blog_entry_author_id_5f5a1b49" ON "blog_entry" ("author_id")"#,
        r#"CREATE UNIQUE INDEX "unique_headline_per_day" ON "blog_entry" ("headline", "pub_date") WHERE "rating" > 0"#,
        r#"CREATE INDEX "entry_lower_headline" ON "blog_entry" (LOWER("headline"))"#,
        // Alembic (SQLAlchemy's spacing: a tab before each item, a space before each newline).
        "CREATE TABLE org (\n\tid INTEGER NOT NULL, \n\tPRIMARY KEY (id)\n)",
        "CREATE TABLE account (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(50) NOT NULL, \n\tbalance NUMERIC(10, 2) DEFAULT '0' NOT NULL, \n\tactive BOOLEAN DEFAULT 1 NOT NULL, \n\torg_id INTEGER, \n\tPRIMARY KEY (id), \n\tCONSTRAINT uq_account_name UNIQUE (name), \n\tCONSTRAINT ck_account_positive CHECK (balance >= 0), \n\tCHECK (active IN (0, 1)), \n\tFOREIGN KEY(org_id) REFERENCES org (id) ON DELETE CASCADE\n)",
        "CREATE INDEX ix_account_org_id ON account (org_id)",
        "CREATE INDEX ix_account_live ON account (name) WHERE active = 1",
    ])
    .await;
    let schema = temp.inspect().await;
    assert_eq!(
        schema.tables.keys().collect::<Vec<_>>(),
        ["Post", "User", "account", "blog_author", "blog_entry", "org"]
    );

    let post = &schema.tables["Post"];
    assert_eq!(post.definition.text().map(|sql| sql.starts_with("CREATE TABLE \"Post\" (")), Some(true));
    assert_eq!(post.column("published").unwrap().default, Some(Default::Bool(false)));
    assert!(post.column("id").unwrap().auto_increment);
    assert_eq!(post.indexes, vec![created("Post_authorId_idx", vec![IndexPart::column("authorId")], false, None)]);
    assert_eq!(post.foreign_keys, vec![foreign_key(&["authorId"], "User", &["id"], Action::SetNull, Action::Cascade)]);
    let user = &schema.tables["User"];
    assert_eq!(user.column("createdAt").unwrap().default, Some(Default::CurrentTimestamp));
    assert_eq!(user.indexes, vec![created("User_email_key", vec![IndexPart::column("email")], true, None)]);

    let author = &schema.tables["blog_author"];
    assert_eq!(author.checks, vec![check("", "age >= 0")]);
    assert_eq!(author.column("age").unwrap().ty, ColumnType::Unsigned);
    assert_eq!(author.indexes, vec![index("sqlite_autoindex_blog_author_1", &["email"], true, true)]);
    let entry = &schema.tables["blog_entry"];
    assert_eq!(entry.checks, vec![check("rating_range", "rating BETWEEN 0 AND 5")]);
    let mut expected = Table {
        indexes: vec![
            created("blog_entry_author_id_5f5a1b49", vec![IndexPart::column("author_id")], false, None),
            created(
                "unique_headline_per_day",
                vec![IndexPart::column("headline"), IndexPart::column("pub_date")],
                true,
                Some("rating > 0"),
            ),
            created("entry_lower_headline", vec![expression_part("lower(headline)")], false, None),
        ],
        ..entry.clone()
    };
    expected.sort();
    assert_eq!(entry.indexes, expected.indexes);
    assert_eq!(entry.foreign_keys, vec![foreign_key(&["author_id"], "blog_author", &["id"], Action::NoAction, Action::NoAction)]);

    let account = &schema.tables["account"];
    assert_eq!(account.primary_key, ["id"]);
    assert_eq!(account.column("balance").unwrap().default, Some(Default::Number("0".into())));
    assert_eq!(account.column("active").unwrap().default, Some(Default::Bool(true)));
    assert_eq!(account.checks, vec![check("", "active IN (0, 1)"), check("ck_account_positive", "balance >= 0")]);
    let mut expected = Table {
        indexes: vec![
            index("sqlite_autoindex_account_1", &["name"], true, true),
            created("ix_account_org_id", vec![IndexPart::column("org_id")], false, None),
            created("ix_account_live", vec![IndexPart::column("name")], false, Some("active = 1")),
        ],
        ..account.clone()
    };
    expected.sort();
    assert_eq!(account.indexes, expected.indexes);
}
