//! Integration tests of the SQLite inspector: schemas created through sea-query and by hand on a
//! temporary database file, read back with `autogen::pipeline::inspect::inspect`.

use std::path::PathBuf;

use autogen::pipeline::inspect::{InspectOptions, inspect};
use autogen::pipeline::schema::{Action, Column, ColumnType, Default, ForeignKey, Index, Schema, Table};
use sea_orm::sea_query::{
    Alias, ColumnDef, ColumnType as SeaType, Expr, ForeignKey as ForeignKeyStatement,
    ForeignKeyAction, Index as IndexStatement, StringLen, Table as TableStatement,
};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

/// A database file in its own temporary directory, removed when dropped.
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
        let db = Database::connect(url).await.expect("connect");
        Self { dir, db }
    }

    async fn run(&self, sql: &str) {
        self.db
            .execute_unprepared(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
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
    // An index on an expression cannot be described by the IR and is left out.
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
    assert_eq!(
        child.indexes,
        vec![index("ix_child_pair", &["pb", "pa"], true, false)]
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
