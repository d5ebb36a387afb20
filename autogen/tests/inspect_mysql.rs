//! Inspection of MySQL/MariaDB against a real server: a realistic schema built with sea-query
//! must be read back as exactly the expected IR.
//!
//! The server is `mysql://root@127.0.0.1:3306` unless `TEST_MYSQL_URL` says otherwise. When it
//! cannot be reached the test is skipped, except under CI (`CI` set), where that is a failure.

use autogen::pipeline::inspect::{InspectOptions, inspect};
use autogen::pipeline::schema::{Action, Column, ColumnType, Default, ForeignKey, Index, Schema, Table};
use sea_orm::sea_query::{
    Alias, ColumnDef, Expr, ForeignKey as SqForeignKey, ForeignKeyAction, Index as SqIndex,
    MysqlQueryBuilder, Table as SqTable,
};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use std::time::Duration;

/// A database of its own on the test server, dropped by [`TestDb::drop`].
struct TestDb {
    server: DatabaseConnection,
    db: DatabaseConnection,
    name: String,
}

impl TestDb {
    /// Creates `autogen_inspect_my_<pid>` afresh; `None` when the server is unreachable and the
    /// test should be skipped.
    async fn create() -> Option<Self> {
        let base = std::env::var("TEST_MYSQL_URL")
            .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_owned());
        let server = match connect(&base).await {
            Ok(server) => server,
            Err(e) if std::env::var_os("CI").is_none() => {
                println!("skipped: MySQL server at {base} unreachable: {e}");
                return None;
            }
            Err(e) => panic!("MySQL server at {base} unreachable: {e}"),
        };
        let name = format!("autogen_inspect_my_{}", std::process::id());
        exec(&server, &format!("DROP DATABASE IF EXISTS `{name}`")).await;
        exec(&server, &format!("CREATE DATABASE `{name}`")).await;
        let mut url = url::Url::parse(&base).expect("TEST_MYSQL_URL is a URL");
        url.set_path(&name);
        let db = connect(url.as_str())
            .await
            .expect("connect to the test database");
        Some(Self { server, db, name })
    }

    async fn drop(self) {
        self.db.close().await.ok();
        exec(&self.server, &format!("DROP DATABASE `{}`", self.name)).await;
    }
}

async fn connect(url: &str) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let mut options = ConnectOptions::new(url);
    options
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .max_connections(2)
        .sqlx_logging(false);
    Database::connect(options).await
}

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn name(text: &str) -> Alias {
    Alias::new(text)
}

/// The statements of the schema under test, in dependency order.
fn statements() -> Vec<String> {
    let users = SqTable::create()
        .table(name("users"))
        .comment("Registered users")
        .col(ColumnDef::new(name("id")).uuid().not_null().primary_key())
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
            ColumnDef::new(name("status"))
                .enumeration(name("user_status"), [name("active"), name("banned")])
                .not_null()
                .default("active"),
        )
        .col(
            ColumnDef::new(name("is_admin"))
                .boolean()
                .not_null()
                .default(true),
        )
        .col(
            ColumnDef::new(name("created_at"))
                .timestamp()
                .not_null()
                .default(Expr::current_timestamp()),
        )
        .col(ColumnDef::new(name("profile")).json().null())
        .col(
            ColumnDef::new(name("bio"))
                .text()
                .null()
                .comment("About me"),
        )
        .to_owned();

    let posts = SqTable::create()
        .table(name("posts"))
        .col(
            ColumnDef::new(name("id"))
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(ColumnDef::new(name("author_id")).uuid().not_null())
        .col(ColumnDef::new(name("editor_id")).uuid().null())
        .col(ColumnDef::new(name("title")).string_len(200).not_null())
        .col(
            ColumnDef::new(name("views"))
                .integer()
                .not_null()
                .default(0),
        )
        .col(
            ColumnDef::new(name("price"))
                .decimal_len(10, 2)
                .not_null()
                .default(0),
        )
        .col(ColumnDef::new(name("published_at")).date_time().null())
        // author_id leads idx_posts_author_published, so InnoDB adds no index for this key.
        .foreign_key(
            SqForeignKey::create()
                .name("fk_posts_author")
                .from(name("posts"), name("author_id"))
                .to(name("users"), name("id"))
                .on_delete(ForeignKeyAction::Cascade),
        )
        // editor_id leads no index: InnoDB adds `fk_posts_editor`, which must not be reported.
        .foreign_key(
            SqForeignKey::create()
                .name("fk_posts_editor")
                .from(name("posts"), name("editor_id"))
                .to(name("users"), name("id"))
                .on_delete(ForeignKeyAction::SetNull),
        )
        .to_owned();

    let categories = SqTable::create()
        .table(name("categories"))
        .col(
            ColumnDef::new(name("id"))
                .integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(ColumnDef::new(name("name")).string_len(50).not_null())
        .col(
            ColumnDef::new(name("position"))
                .small_integer()
                .not_null()
                .default(1),
        )
        .to_owned();

    let post_categories = SqTable::create()
        .table(name("post_categories"))
        .col(ColumnDef::new(name("post_id")).big_integer().not_null())
        .col(ColumnDef::new(name("category_id")).integer().not_null())
        .primary_key(
            SqIndex::create()
                .col(name("post_id"))
                .col(name("category_id")),
        )
        .foreign_key(
            SqForeignKey::create()
                .name("fk_post_categories_post")
                .from(name("post_categories"), name("post_id"))
                .to(name("posts"), name("id"))
                .on_update(ForeignKeyAction::Cascade),
        )
        // No action given, and category_id leads no index: InnoDB adds one named after the key.
        .foreign_key(
            SqForeignKey::create()
                .name("fk_post_categories_category")
                .from(name("post_categories"), name("category_id"))
                .to(name("categories"), name("id")),
        )
        .to_owned();

    let migrations = SqTable::create()
        .table(name("seaql_migrations"))
        .col(
            ColumnDef::new(name("version"))
                .string()
                .not_null()
                .primary_key(),
        )
        .col(ColumnDef::new(name("applied_at")).big_integer().not_null())
        .to_owned();

    let indexes = [
        SqIndex::create()
            .name("idx_posts_title")
            .table(name("posts"))
            .col(name("title"))
            .to_owned(),
        SqIndex::create()
            .name("idx_posts_author_published")
            .table(name("posts"))
            .col(name("author_id"))
            .col(name("published_at"))
            .to_owned(),
        SqIndex::create()
            .name("uq_categories_name_position")
            .table(name("categories"))
            .col(name("name"))
            .col(name("position"))
            .unique()
            .to_owned(),
    ];

    let mut sql: Vec<String> = [users, posts, categories, post_categories, migrations]
        .iter()
        .map(|t| t.to_string(MysqlQueryBuilder))
        .collect();
    // The indexes come after the tables, as migrations usually add them: by then InnoDB has
    // already given fk_posts_author an index of its own, which the new composite index makes
    // redundant (MySQL drops it; either way it must not be reported).
    sql.extend(indexes.iter().map(|i| i.to_string(MysqlQueryBuilder)));
    sql
}

fn column(name: &str, ty: ColumnType, nullable: bool) -> Column {
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

fn literal(text: &str) -> Default {
    // Written as SQL in the tables below: a quoted string, a number or a boolean.
    if let Some(inner) = text.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return Default::String(inner.replace("''", "'"));
    }
    match text {
        "true" => Default::Bool(true),
        "false" => Default::Bool(false),
        number => Default::Number(number.to_owned()),
    }
}

fn index(name: &str, columns: &[&str], unique: bool) -> Index {
    Index {
        name: name.to_owned(),
        unique,
        constraint: false,
        ..Index::on_columns(columns, false)
    }
}

fn foreign_key(
    name: &str,
    columns: &[&str],
    ref_table: &str,
    ref_columns: &[&str],
    on_delete: Action,
    on_update: Action,
) -> ForeignKey {
    ForeignKey {
        name: name.to_owned(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        ref_table: ref_table.to_owned(),
        ref_columns: ref_columns.iter().map(|c| (*c).to_owned()).collect(),
        on_delete,
        on_update,
    }
}

fn expected() -> Schema {
    let mut id = column("id", ColumnType::BigInt, false);
    id.auto_increment = true;
    let mut category_id = column("id", ColumnType::Integer, false);
    category_id.auto_increment = true;
    let mut bio = column("bio", ColumnType::Text, true);
    bio.comment = Some("About me".to_owned());

    let users = Table {
        name: "users".to_owned(),
        columns: vec![
            column("id", ColumnType::Binary(16), false),
            column("email", ColumnType::Varchar(Some(255)), false),
            with_default(
                column("display_name", ColumnType::Varchar(Some(100)), false),
                literal("'anonymous'"),
            ),
            with_default(
                column(
                    "status",
                    ColumnType::Enum {
                        name: String::new(),
                        values: vec!["active".to_owned(), "banned".to_owned()],
                    },
                    false,
                ),
                literal("'active'"),
            ),
            with_default(
                column("is_admin", ColumnType::Boolean, false),
                literal("true"),
            ),
            with_default(
                column("created_at", ColumnType::TimestampTz, false),
                Default::CurrentTimestamp,
            ),
            column("profile", ColumnType::Json, true),
            bio,
        ],
        primary_key: vec!["id".to_owned()],
        // An inline UNIQUE is named after its column.
        indexes: vec![index("email", &["email"], true)],
        foreign_keys: vec![],
        comment: Some("Registered users".to_owned()),
        ..Table::default()
    };
    let posts = Table {
        name: "posts".to_owned(),
        columns: vec![
            id,
            column("author_id", ColumnType::Binary(16), false),
            column("editor_id", ColumnType::Binary(16), true),
            column("title", ColumnType::Varchar(Some(200)), false),
            with_default(column("views", ColumnType::Integer, false), literal("0")),
            with_default(
                column("price", ColumnType::Decimal(Some((10, 2))), false),
                literal("0"),
            ),
            column("published_at", ColumnType::Timestamp, true),
        ],
        primary_key: vec!["id".to_owned()],
        indexes: vec![
            index("idx_posts_title", &["title"], false),
            index(
                "idx_posts_author_published",
                &["author_id", "published_at"],
                false,
            ),
        ],
        foreign_keys: vec![
            foreign_key(
                "fk_posts_author",
                &["author_id"],
                "users",
                &["id"],
                Action::Cascade,
                Action::NoAction,
            ),
            foreign_key(
                "fk_posts_editor",
                &["editor_id"],
                "users",
                &["id"],
                Action::SetNull,
                Action::NoAction,
            ),
        ],
        comment: None,
        ..Table::default()
    };
    let categories = Table {
        name: "categories".to_owned(),
        columns: vec![
            category_id,
            column("name", ColumnType::Varchar(Some(50)), false),
            with_default(
                column("position", ColumnType::SmallInt, false),
                literal("1"),
            ),
        ],
        primary_key: vec!["id".to_owned()],
        indexes: vec![index(
            "uq_categories_name_position",
            &["name", "position"],
            true,
        )],
        foreign_keys: vec![],
        comment: None,
        ..Table::default()
    };
    let post_categories = Table {
        name: "post_categories".to_owned(),
        columns: vec![
            column("post_id", ColumnType::BigInt, false),
            column("category_id", ColumnType::Integer, false),
        ],
        primary_key: vec!["post_id".to_owned(), "category_id".to_owned()],
        indexes: vec![],
        foreign_keys: vec![
            foreign_key(
                "fk_post_categories_post",
                &["post_id"],
                "posts",
                &["id"],
                Action::NoAction,
                Action::Cascade,
            ),
            foreign_key(
                "fk_post_categories_category",
                &["category_id"],
                "categories",
                &["id"],
                Action::NoAction,
                Action::NoAction,
            ),
        ],
        comment: None,
        ..Table::default()
    };
    let mut schema = Schema::default();
    for table in [users, posts, categories, post_categories] {
        schema.tables.insert(table.name.clone(), table);
    }
    schema.sort();
    schema
}

#[tokio::test]
async fn inspects_a_realistic_schema() {
    let Some(test) = TestDb::create().await else {
        return;
    };
    for sql in statements() {
        exec(&test.db, &sql).await;
    }
    let result = inspect(&test.db, &InspectOptions::default()).await;
    // Exclusions are applied in the catalog queries too: a table excluded there must vanish with
    // everything that belongs to it, and nothing else may.
    let partial = inspect(
        &test.db,
        &InspectOptions {
            schema: None,
            exclude_tables: vec!["posts".to_owned(), "post_categories".to_owned()],
        },
    )
    .await;
    test.drop().await;

    assert_eq!(result.expect("inspect"), expected());
    let mut expected_partial = expected();
    expected_partial.tables.remove("posts");
    expected_partial.tables.remove("post_categories");
    let mut partial = partial.expect("inspect with exclusions");
    assert!(partial.tables.remove("seaql_migrations").is_some());
    assert_eq!(partial, expected_partial);
}
