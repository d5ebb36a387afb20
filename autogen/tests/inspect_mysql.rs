//! Inspection of MySQL/MariaDB against a real server: a realistic schema built with sea-query
//! must be read back as exactly the expected IR.
//!
//! The server is `mysql://root@127.0.0.1:3306` unless `TEST_MYSQL_URL` says otherwise. When it
//! cannot be reached the test is skipped, except under CI (`CI` set), where that is a failure.

//! Inspection of MySQL/MariaDB against a real server: schemas written the way a DBA, Alembic,
//! Django or Prisma write them, and schemas built with sea-query as entities declare them, must be
//! read back as exactly the expected IR; every object the IR keeps a definition of must come back
//! the same after `down` recreates it from that definition.
//!
//! The server is `mysql://root@127.0.0.1:3306` unless `TEST_MYSQL_URL` says otherwise. When it
//! cannot be reached the test is skipped, except under CI (`CI` set), where that is a failure.

mod common;

use autogen::pipeline::desired::DesiredSchema;
use autogen::pipeline::diff::{Diff, DiffOptions, ObjectKind, Unmanaged, diff};
use autogen::pipeline::inspect::{InspectOptions, inspect};
use autogen::pipeline::normalize::expression;
use autogen::pipeline::plan::plan;
use autogen::pipeline::render::sql::Context;
use autogen::pipeline::schema::{
    Action, Check, Column, ColumnType, Default, ForeignKey, Generated, Index, IndexPart, Schema,
    Table,
};
use common::{Scratch, runtime_plan};
use sea_orm::sea_query::{
    Alias, ColumnDef, Expr, ExprTrait, ForeignKey as SqForeignKey, ForeignKeyAction,
    Index as SqIndex, MysqlQueryBuilder, Table as SqTable,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};

const MYSQL: DbBackend = DbBackend::MySql;

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Whether the server is MariaDB, whose catalogs spell some things differently from MySQL's.
async fn is_mariadb(db: &DatabaseConnection) -> bool {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            MYSQL,
            "SELECT CAST(VERSION() AS CHAR)",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<String>(0)
        .unwrap()
        .to_ascii_lowercase()
        .contains("mariadb")
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
    let Some(test) = Scratch::new(MYSQL, "my_realistic").await else {
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

// ---------------------------------------------------------------------------------------------
// Everything else the schema holds: advanced indexes, checks, generated columns, triggers, views.
// ---------------------------------------------------------------------------------------------

fn key_part(column: &str, descending: bool, prefix: Option<u32>) -> IndexPart {
    IndexPart {
        descending,
        prefix,
        ..IndexPart::column(column)
    }
}

fn advanced_index(name: &str, parts: Vec<IndexPart>, unique: bool, method: Option<&str>) -> Index {
    Index {
        name: name.to_owned(),
        parts,
        unique,
        method: method.map(str::to_owned),
        ..Index::on_columns::<&str>(&[], false)
    }
}

/// The index `name` of `table`, which must exist.
fn index_named<'t>(table: &'t Table, name: &str) -> &'t Index {
    table
        .indexes
        .iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("no index {name} in {:?}", table.indexes))
}

/// Every definition the schema keeps (indexes, triggers, views), by object, to compare as text:
/// the IR's own equality leaves them out.
fn definitions(schema: &Schema) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for table in schema.tables.values() {
        for index in &table.indexes {
            out.push((
                format!("index {}.{}", table.name, index.name),
                index.definition.text().map(str::to_owned),
            ));
        }
        for trigger in &table.triggers {
            out.push((
                format!("trigger {}", trigger.name),
                trigger.definition.text().map(str::to_owned),
            ));
        }
    }
    for view in schema.views.values() {
        out.push((
            format!("view {}", view.name),
            view.definition.text().map(str::to_owned),
        ));
    }
    out
}

/// Takes the database from `current` to `desired` with a rendered migration that manages every
/// kind of object, checks it got there, runs its `down` and returns what inspection then reads:
/// the objects `up` dropped, recreated from the definitions `current` kept.
async fn drop_and_restore(test: &Scratch, current: &Schema, desired: &Schema) -> Schema {
    let options = DiffOptions {
        backend: MYSQL,
        manage: ObjectKind::ALL.into_iter().collect(),
    };
    let changes = diff(current, desired, &options).changes;
    assert!(!changes.is_empty(), "nothing to drop");
    let steps = plan(&changes, current, MYSQL);
    let migration = runtime_plan(
        &steps,
        &Context::new(MYSQL, current, desired),
    );
    common::up(&test.db, "m_drop", migration)
        .await
        .expect("up drops the objects");
    let dropped = inspect(&test.db, &InspectOptions::default()).await.unwrap();
    assert_eq!(
        diff(&dropped, desired, &options),
        Diff::default(),
        "up left something behind"
    );
    common::down(&test.db, "m_drop", migration)
        .await
        .expect("down recreates the objects");
    inspect(&test.db, &InspectOptions::default()).await.unwrap()
}

#[tokio::test]
async fn indexes_as_people_write_them() {
    let Some(test) = Scratch::new(MYSQL, "my_indexes").await else {
        return;
    };
    let mariadb = is_mariadb(&test.db).await;
    let hidden = if mariadb { "IGNORED" } else { "INVISIBLE" };
    test.exec(&[
        // A DBA's table, every index inline.
        "CREATE TABLE `Docs` (
           id int NOT NULL AUTO_INCREMENT,
           title varchar(200) NOT NULL,
           slug VARCHAR(100) DEFAULT NULL,
           body TEXT,
           email varchar(255) NOT NULL,
           created_at datetime NOT NULL,
           geo POINT NOT NULL,
           score INT,
           PRIMARY KEY (id),
           KEY `IX_Title_Prefix` (`title`(20), `created_at` DESC),
           FULLTEXT KEY ft_body (body),
           SPATIAL INDEX sp_geo (geo),
           UNIQUE INDEX uq_slug (slug) COMMENT 'lookup by ''slug''',
           UNIQUE KEY (email(50)),
           INDEX ix_score_desc (score DESC) USING BTREE,
           UNIQUE (body(100), title)
         ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        // Alembic: bare names.
        "CREATE INDEX ix_Docs_created_at ON Docs (created_at)",
        // Django: quoted names, a hashed suffix.
        "CREATE INDEX `Docs_slug_created_8b3e1f_idx` ON `Docs` (`slug`, `created_at` DESC)",
        // Prisma.
        "CREATE UNIQUE INDEX `Docs_email_score_key` ON `Docs`(`email`, `score`)",
        // A UNIQUE on a whole TEXT column: MariaDB enforces it with a hash.
        "ALTER TABLE Docs ADD UNIQUE KEY uq_body_full (body)",
        // A MEMORY table, whose default index type is HASH.
        "CREATE TABLE mem_cache (k INT NOT NULL, v INT, KEY ix_k (k), KEY ix_v USING BTREE (v)) ENGINE=MEMORY",
    ])
    .await;
    exec(
        &test.db,
        &format!(
            "ALTER TABLE Docs ALTER INDEX ix_score_desc {}",
            if mariadb { "IGNORED" } else { "INVISIBLE" }
        ),
    )
    .await;

    let schema = inspect(&test.db, &InspectOptions::default()).await.unwrap();
    let docs = &schema.tables["Docs"];
    let expected = [
        (
            advanced_index(
                "IX_Title_Prefix",
                vec![
                    key_part("title", false, Some(20)),
                    key_part("created_at", true, None),
                ],
                false,
                None,
            ),
            "CREATE INDEX `IX_Title_Prefix` ON `Docs` (`title`(20), `created_at` DESC)".to_owned(),
        ),
        (
            advanced_index(
                "ft_body",
                vec![key_part("body", false, None)],
                false,
                Some("fulltext"),
            ),
            "CREATE FULLTEXT INDEX `ft_body` ON `Docs` (`body`)".to_owned(),
        ),
        (
            // The SUB_PART the catalog reports for a spatial key is not a prefix.
            advanced_index(
                "sp_geo",
                vec![key_part("geo", false, None)],
                false,
                Some("spatial"),
            ),
            "CREATE SPATIAL INDEX `sp_geo` ON `Docs` (`geo`)".to_owned(),
        ),
        (
            advanced_index("uq_slug", vec![key_part("slug", false, None)], true, None),
            "CREATE UNIQUE INDEX `uq_slug` ON `Docs` (`slug`) COMMENT 'lookup by ''slug'''"
                .to_owned(),
        ),
        (
            // An unnamed key is named after its first column.
            advanced_index(
                "email",
                vec![key_part("email", false, Some(50))],
                true,
                None,
            ),
            "CREATE UNIQUE INDEX `email` ON `Docs` (`email`(50))".to_owned(),
        ),
        (
            advanced_index(
                "ix_score_desc",
                vec![key_part("score", true, None)],
                false,
                None,
            ),
            format!("CREATE INDEX `ix_score_desc` ON `Docs` (`score` DESC) {hidden}"),
        ),
        (
            advanced_index(
                "body",
                vec![
                    key_part("body", false, Some(100)),
                    key_part("title", false, None),
                ],
                true,
                None,
            ),
            "CREATE UNIQUE INDEX `body` ON `Docs` (`body`(100), `title`)".to_owned(),
        ),
        (
            advanced_index(
                "ix_Docs_created_at",
                vec![key_part("created_at", false, None)],
                false,
                None,
            ),
            "CREATE INDEX `ix_Docs_created_at` ON `Docs` (`created_at`)".to_owned(),
        ),
        (
            advanced_index(
                "Docs_slug_created_8b3e1f_idx",
                vec![
                    key_part("slug", false, None),
                    key_part("created_at", true, None),
                ],
                false,
                None,
            ),
            "CREATE INDEX `Docs_slug_created_8b3e1f_idx` ON `Docs` (`slug`, `created_at` DESC)"
                .to_owned(),
        ),
        (
            advanced_index(
                "Docs_email_score_key",
                vec![
                    key_part("email", false, None),
                    key_part("score", false, None),
                ],
                true,
                None,
            ),
            "CREATE UNIQUE INDEX `Docs_email_score_key` ON `Docs` (`email`, `score`)".to_owned(),
        ),
        (
            // A hash only because the column is long: a plain unique index to every reader.
            advanced_index(
                "uq_body_full",
                vec![key_part("body", false, None)],
                true,
                None,
            ),
            "CREATE UNIQUE INDEX `uq_body_full` ON `Docs` (`body`)".to_owned(),
        ),
    ];
    assert_eq!(docs.indexes.len(), expected.len(), "{:#?}", docs.indexes);
    for (index, definition) in &expected {
        let got = index_named(docs, &index.name);
        assert_eq!(got, index);
        assert_eq!(got.definition.text(), Some(definition.as_str()));
    }
    assert_eq!(docs.primary_key, ["id"]);
    let memory = &schema.tables["mem_cache"];
    assert_eq!(
        index_named(memory, "ix_k"),
        &advanced_index("ix_k", vec![key_part("k", false, None)], false, None)
    );
    assert_eq!(
        index_named(memory, "ix_k").definition.text(),
        Some("CREATE INDEX `ix_k` ON `mem_cache` (`k`)")
    );
    assert_eq!(index_named(memory, "ix_v").method, None);
    assert_eq!(
        index_named(memory, "ix_v").definition.text(),
        Some("CREATE INDEX `ix_v` ON `mem_cache` (`v`) USING BTREE")
    );

    // Every index dropped by a migration and put back by its `down` is the same index, with the
    // same definition.
    let mut bare = schema.clone();
    for table in bare.tables.values_mut() {
        table.indexes.clear();
    }
    let restored = drop_and_restore(&test, &schema, &bare).await;
    assert_eq!(restored, schema);
    assert_eq!(definitions(&restored), definitions(&schema));
    test.drop().await;
}

#[tokio::test]
async fn checks_as_people_write_them() {
    let Some(test) = Scratch::new(MYSQL, "my_checks").await else {
        return;
    };
    test.exec(&[
        "CREATE TABLE prices (
           id INT PRIMARY KEY,
           amount DECIMAL(10,2) NOT NULL CHECK (amount >= 0),
           currency CHAR(3) NOT NULL,
           status VARCHAR(10),
           data JSON,
           payload VARCHAR(200) CHECK (json_valid(payload)),
           CONSTRAINT chk_currency CHECK (currency IN ('EUR', 'USD')),
           CHECK (status <> 'it''s'),
           CONSTRAINT `Ck Mixed Case` CHECK (`amount` < 1000000 AND status IS NOT NULL)
         )",
        // Django adds its checks afterwards.
        "ALTER TABLE prices ADD CONSTRAINT prices_amount_positive CHECK (amount > 0)",
    ])
    .await;
    let mariadb = is_mariadb(&test.db).await;
    let schema = inspect(&test.db, &InspectOptions::default()).await.unwrap();
    let prices = &schema.tables["prices"];
    let check = |name: &str, sql: &str| Check {
        name: name.to_owned(),
        expression: expression(MYSQL, sql),
    };
    // Compared with the text as written: the server's own spelling (backticks, lower case, its
    // escapes) must not make a difference.
    let mut expected = vec![
        check("chk_currency", "currency IN ('EUR', 'USD')"),
        check("Ck Mixed Case", "`amount` < 1000000 AND status IS NOT NULL"),
        check("prices_amount_positive", "amount > 0"),
    ];
    if mariadb {
        // MariaDB names column-level checks after their column and unnamed ones CONSTRAINT_<n>.
        expected.extend([
            check("amount", "amount >= 0"),
            check("payload", "json_valid(payload)"),
            check("CONSTRAINT_1", "status <> 'it''s'"),
        ]);
    }
    expected.sort();
    assert_eq!(prices.checks, expected);
    // The check behind MariaDB's JSON type is the type, not a check of the user's.
    assert_eq!(prices.column("data").unwrap().ty, ColumnType::Json);
    assert_eq!(
        prices.column("payload").unwrap().ty,
        ColumnType::Varchar(Some(200))
    );

    // Table-level checks dropped by a migration come back the same from its `down`. (MariaDB
    // cannot drop a column-level check with DROP CONSTRAINT; those stay.)
    let mut fewer = schema.clone();
    fewer
        .tables
        .get_mut("prices")
        .unwrap()
        .checks
        .retain(|c| c.name == "amount" || c.name == "payload");
    let restored = drop_and_restore(&test, &schema, &fewer).await;
    assert_eq!(restored, schema);
    test.drop().await;
}

#[tokio::test]
async fn generated_columns_as_people_write_them() {
    let Some(test) = Scratch::new(MYSQL, "my_generated").await else {
        return;
    };
    test.exec(&["CREATE TABLE line_items (
           id INT PRIMARY KEY,
           price DECIMAL(10,2) NOT NULL,
           qty INT NOT NULL DEFAULT 1,
           email VARCHAR(255),
           total DECIMAL(12,2) AS (price * qty) STORED,
           lower_email VARCHAR(255) GENERATED ALWAYS AS (lower(email)) VIRTUAL,
           label VARCHAR(40) AS (concat('it''s ', qty)) STORED,
           next_qty INT GENERATED ALWAYS AS (qty + 1)
         )"])
        .await;
    let schema = inspect(&test.db, &InspectOptions::default()).await.unwrap();
    let items = &schema.tables["line_items"];
    let generated = |name: &str, ty: ColumnType, sql: &str, stored: bool| Column {
        // MariaDB accepts no NOT NULL on a generated column, so it reports every one nullable.
        nullable: true,
        generated: Some(Generated {
            expression: expression(MYSQL, sql),
            stored,
        }),
        ..Column::new(name, ty)
    };
    let expected = vec![
        Column::new("id", ColumnType::Integer),
        Column::new("price", ColumnType::Decimal(Some((10, 2)))),
        Column {
            default: Some(Default::Number("1".into())),
            ..Column::new("qty", ColumnType::Integer)
        },
        Column {
            nullable: true,
            ..Column::new("email", ColumnType::Varchar(Some(255)))
        },
        generated(
            "total",
            ColumnType::Decimal(Some((12, 2))),
            "price * qty",
            true,
        ),
        // MariaDB stores `lower` as its synonym `lcase`, which compares equal.
        generated(
            "lower_email",
            ColumnType::Varchar(Some(255)),
            "lower(email)",
            false,
        ),
        generated(
            "label",
            ColumnType::Varchar(Some(40)),
            "concat('it''s ', qty)",
            true,
        ),
        generated("next_qty", ColumnType::Integer, "qty + 1", false),
    ];
    assert_eq!(items.columns, expected);

    // The expression kept is SQL the server takes back: dropped and re-added from it, each
    // column reads the same.
    for column in items.columns.iter().filter(|c| c.generated.is_some()) {
        let generated = column.generated.as_ref().unwrap();
        let ty = match column.name.as_str() {
            "total" => "DECIMAL(12,2)",
            "next_qty" => "INT",
            "label" => "VARCHAR(40)",
            _ => "VARCHAR(255)",
        };
        let kind = if generated.stored {
            "STORED"
        } else {
            "VIRTUAL"
        };
        exec(
            &test.db,
            &format!("ALTER TABLE line_items DROP COLUMN `{}`", column.name),
        )
        .await;
        exec(
            &test.db,
            &format!(
                "ALTER TABLE line_items ADD COLUMN `{}` {ty} AS ({}) {kind}",
                column.name, generated.expression.sql
            ),
        )
        .await;
    }
    // Re-added columns go last; their order is not what is compared.
    let readded = inspect(&test.db, &InspectOptions::default()).await.unwrap();
    let mut columns = readded.tables["line_items"].columns.clone();
    columns.sort_by(|a, b| a.name.cmp(&b.name));
    let mut expected = expected;
    expected.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(columns, expected);
    test.drop().await;
}

#[tokio::test]
async fn triggers_and_views_as_people_write_them() {
    let Some(test) = Scratch::new(MYSQL, "my_trg_views").await else {
        return;
    };
    let database = test.url.rsplit('/').next().unwrap().to_owned();
    let au_body = "BEGIN\n  IF NEW.qty < 0 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'it''s negative'; END IF;\n  INSERT INTO audit_log (msg) VALUES (concat('updated `', OLD.id, '`'));\nEND";
    test.exec(&[
        "CREATE TABLE `order items` (id INT PRIMARY KEY, status VARCHAR(20) NOT NULL DEFAULT 'new', qty INT NOT NULL)",
        "CREATE TABLE audit_log (id INT AUTO_INCREMENT PRIMARY KEY, msg TEXT)",
        "CREATE TRIGGER trg_items_bi BEFORE INSERT ON `order items` FOR EACH ROW SET NEW.status = lower(NEW.status)",
        &format!("CREATE TRIGGER `Trg Items AU` AFTER UPDATE ON `order items` FOR EACH ROW {au_body}"),
        "create trigger trg_items_bd before delete on `order items` for each row insert into audit_log (msg) values ('deleted')",
        "CREATE VIEW active_items AS SELECT id, status FROM `order items` WHERE status <> 'done'",
        "CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW `Big Items` AS SELECT i.id, i.qty FROM `order items` i WHERE i.qty > 10 WITH LOCAL CHECK OPTION",
    ])
    .await;
    // A string that holds the database's name is left alone when the qualifiers are removed.
    exec(&test.db, &format!("CREATE VIEW labels AS SELECT id, concat('{database}.', status) AS label FROM `order items`")).await;

    let schema = inspect(&test.db, &InspectOptions::default()).await.unwrap();
    let items = &schema.tables["order items"];
    let triggers: Vec<(&str, Option<&str>)> = items
        .triggers
        .iter()
        .map(|t| (t.name.as_str(), t.definition.text()))
        .collect();
    let au = format!(
        "CREATE TRIGGER `Trg Items AU` AFTER UPDATE ON `order items` FOR EACH ROW {au_body}"
    );
    assert_eq!(
        triggers,
        [
            ("Trg Items AU", Some(au.as_str())),
            (
                "trg_items_bd",
                Some(
                    "CREATE TRIGGER `trg_items_bd` BEFORE DELETE ON `order items` FOR EACH ROW insert into audit_log (msg) values ('deleted')"
                )
            ),
            (
                "trg_items_bi",
                Some(
                    "CREATE TRIGGER `trg_items_bi` BEFORE INSERT ON `order items` FOR EACH ROW SET NEW.status = lower(NEW.status)"
                )
            ),
        ]
    );
    assert!(schema.tables["audit_log"].triggers.is_empty());

    // Views are views, not tables, and their definitions name no database.
    assert_eq!(
        schema.tables.keys().collect::<Vec<_>>(),
        ["audit_log", "order items"]
    );
    assert_eq!(
        schema.views.keys().collect::<Vec<_>>(),
        ["Big Items", "active_items", "labels"]
    );
    let view = |name: &str| schema.views[name].definition.text().unwrap().to_owned();
    let active = view("active_items");
    assert!(
        active.starts_with("CREATE VIEW `active_items` AS select "),
        "{active}"
    );
    assert!(!active.contains(&database), "{active}");
    let big = view("Big Items");
    assert!(
        big.starts_with(
            "CREATE ALGORITHM = MERGE SQL SECURITY INVOKER VIEW `Big Items` AS select "
        ),
        "{big}"
    );
    assert!(big.ends_with(" WITH LOCAL CHECK OPTION"), "{big}");
    assert!(!big.contains(&format!("`{database}`")), "{big}");
    let labels = view("labels");
    assert!(labels.contains(&format!("'{database}.'")), "{labels}");
    assert!(!labels.contains(&format!("`{database}`")), "{labels}");

    // Nothing of this is the entities' to declare: left alone, and listed.
    let mut tables_only = schema.clone();
    tables_only.views.clear();
    for table in tables_only.tables.values_mut() {
        table.triggers.clear();
    }
    let left_alone = diff(&schema, &tables_only, &DiffOptions::new(MYSQL));
    assert_eq!(left_alone.changes, vec![]);
    let listed: Vec<(ObjectKind, &str)> = left_alone
        .unmanaged
        .iter()
        .map(|u: &Unmanaged| (u.kind, u.name.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            (ObjectKind::Triggers, "Trg Items AU"),
            (ObjectKind::Triggers, "trg_items_bd"),
            (ObjectKind::Triggers, "trg_items_bi"),
            (ObjectKind::Views, "Big Items"),
            (ObjectKind::Views, "active_items"),
            (ObjectKind::Views, "labels"),
        ]
    );

    // Dropped by a migration that manages them, they come back from their definitions.
    let restored = drop_and_restore(&test, &schema, &tables_only).await;
    assert_eq!(restored, schema);
    assert_eq!(definitions(&restored), definitions(&schema));
    test.drop().await;
}

/// An entity as a SeaORM project writes it, with the indexes and checks its module declares.
mod item {
    use sea_orm::entity::prelude::*;
    use sea_orm::sea_query::{Check, ExprTrait, Index, IndexCreateStatement, IndexOrder};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "items")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(column_type = "String(StringLen::N(200))")]
        pub title: String,
        #[sea_orm(column_type = "Text")]
        pub body: String,
        pub price: f64,
        pub qty: i32,
        pub created_at: i64,
        /// Computed by the database; the entity only reads it.
        pub total: Option<f64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    pub fn indexes() -> Vec<IndexCreateStatement> {
        vec![
            Index::create()
                .name("ix_items_title_prefix")
                .table(Entity)
                .col((Column::Title, 20))
                .to_owned(),
            Index::create()
                .name("ix_items_recent")
                .table(Entity)
                .col((Column::CreatedAt, IndexOrder::Desc))
                .col(Column::Qty)
                .to_owned(),
            Index::create()
                .name("ft_items_body")
                .table(Entity)
                .col(Column::Body)
                .full_text()
                .to_owned(),
            Index::create()
                .name("uq_items_title_qty")
                .table(Entity)
                .col(Column::Title)
                .col(Column::Qty)
                .unique()
                .to_owned(),
        ]
    }

    pub fn checks() -> Vec<Check> {
        vec![
            Check::named("items_qty_positive", Expr::col(Column::Qty).gt(0)),
            Check::named(
                "items_title_known",
                Expr::col(Column::Title)
                    .is_in(["draft", "live"])
                    .or(Expr::col(Column::Qty).lt(10)),
            ),
            Check::unnamed(Expr::col(Column::Price).gte(0)),
        ]
    }
}

#[tokio::test]
async fn objects_entities_declare_are_the_ones_inspected() {
    let Some(test) = Scratch::new(MYSQL, "my_entity").await else {
        return;
    };
    // The table as sea-orm creates it, its indexes and checks as the entity's module declares
    // them, and `total` made a generated column, as a DBA would.
    let mut create = sea_orm::Schema::new(MYSQL).create_table_from_entity(item::Entity);
    for check in item::checks() {
        create.check(check);
    }
    exec(&test.db, &create.to_string(MysqlQueryBuilder)).await;
    for index in item::indexes() {
        exec(&test.db, &index.to_string(MysqlQueryBuilder)).await;
    }
    let total = SqTable::alter()
        .table(Alias::new("items"))
        .drop_column(Alias::new("total"))
        .to_owned();
    exec(&test.db, &total.to_string(MysqlQueryBuilder)).await;
    let total = SqTable::alter()
        .table(Alias::new("items"))
        .add_column(ColumnDef::new(Alias::new("total")).double().generated(
            Expr::col(Alias::new("price")).mul(Expr::col(Alias::new("qty"))),
            true,
        ))
        .to_owned();
    exec(&test.db, &total.to_string(MysqlQueryBuilder)).await;

    let current = inspect(&test.db, &InspectOptions::default()).await.unwrap();
    let mut desired = DesiredSchema::new(MYSQL);
    desired.add(item::Entity);
    desired.add_indexes(item::Entity, item::indexes());
    desired.add_checks(item::Entity, item::checks());
    let desired = desired.finish().unwrap();
    let items = &current.tables["items"];
    assert_eq!(items.indexes.len(), 4, "{:#?}", items.indexes);
    assert_eq!(items.checks.len(), 3, "{:#?}", items.checks);
    assert!(
        items
            .column("total")
            .unwrap()
            .generated
            .as_ref()
            .is_some_and(|g| g.stored)
    );
    let everything = DiffOptions {
        backend: MYSQL,
        manage: ObjectKind::ALL.into_iter().collect(),
    };
    for options in [DiffOptions::new(MYSQL), everything] {
        assert_eq!(
            diff(&current, &desired, &options),
            Diff::default(),
            "{:#?}\n{:#?}",
            current,
            desired
        );
    }
    test.drop().await;
}

#[tokio::test]
async fn catalog_queries_do_not_grow_with_the_schema() {
    let Some(test) = Scratch::new(MYSQL, "my_queries").await else {
        return;
    };
    // One connection, so that the session's statement counter sees every catalog query.
    let db = common::single(&test.url).await;
    let object_set = |n: usize| {
        vec![
            format!(
                "CREATE TABLE t{n} (id INT PRIMARY KEY, a VARCHAR(50), b INT CHECK (b > 0), c INT AS (b + 1) VIRTUAL, KEY ix_a (a(10) DESC, b))"
            ),
            format!(
                "CREATE TRIGGER trg_t{n} BEFORE INSERT ON t{n} FOR EACH ROW SET NEW.b = NEW.b + 1"
            ),
            format!("CREATE VIEW v{n} AS SELECT id, a FROM t{n}"),
        ]
    };
    let questions = |db: DatabaseConnection| async move {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                MYSQL,
                "SHOW SESSION STATUS LIKE 'Questions'",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<String>(1)
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    let count = |db: DatabaseConnection| async move {
        let before = questions(db.clone()).await;
        let schema = inspect(&db, &InspectOptions::default()).await.unwrap();
        let after = questions(db.clone()).await;
        // The second SHOW counts itself.
        (after - before - 1, schema)
    };
    for sql in object_set(0) {
        exec(&db, &sql).await;
    }
    // A first run prepares the statements once for the connection.
    inspect(&db, &InspectOptions::default()).await.unwrap();
    let (small, schema) = count(db.clone()).await;
    assert_eq!(schema.tables.len(), 1);
    for n in 1..8 {
        for sql in object_set(n) {
            exec(&db, &sql).await;
        }
    }
    let (large, schema) = count(db.clone()).await;
    assert_eq!(schema.tables.len(), 8);
    assert_eq!(schema.views.len(), 8);
    assert!(
        schema
            .tables
            .values()
            .all(|t| t.triggers.len() == 1 && t.checks.len() == 1 && t.indexes.len() == 1)
    );
    assert_eq!(small, large, "the catalog queries grew with the schema");
    // At most BEGIN, the server query, nine catalog queries and COMMIT.
    assert!(small <= 12, "{small} statements");
    db.close().await.ok();
    test.drop().await;
}
