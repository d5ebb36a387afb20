//! Desired schema: what the entities declare, for one backend, in the schema IR.
//!
//! Each entity is read into [`EntityParts`]: the column statements and `CREATE INDEX` statements
//! sea-orm's own `Schema` helper would run for it, built once for all entities (see
//! `entity_parts`). This stage reads those statements back (columns, keys, foreign keys from
//! `belongs_to`, `unique_key` groups, `indexed` columns, comments, `renamed_from`) and normalises
//! each type and default exactly as inspection does for the same backend.

use sea_orm::sea_query::{
    self, ColumnDef, ForeignKeyAction, IndexCreateStatement, MysqlQueryBuilder,
    PostgresQueryBuilder, Query, SqliteQueryBuilder, TableRef,
};
use sea_orm::{DbBackend, EntityTrait};

use crate::pipeline::normalize::{default_from_sql, dialect, expression, index_from, render_type};
use crate::pipeline::render::sql::fit_name;
use crate::pipeline::schema::{Action, Check, Column, ColumnType, ForeignKey, Index, IndexPart, Schema, Table};
use crate::{Error, Result};

/// Builds the desired schema from entities, one `add` per entity.
#[derive(Debug)]
pub struct DesiredSchema {
    backend: DbBackend,
    schema: Schema,
    /// The entity table names each stored table name came from, to find names that the backend
    /// would make one.
    sources: std::collections::BTreeMap<String, Vec<String>>,
    /// The first entity that could not be read, reported by [`Self::finish`].
    unreadable: Option<Error>,
}

pub use crate::pipeline::entity_parts::{EntityColumn, EntityParts};

impl DesiredSchema {
    /// An empty desired schema for `backend`.
    pub fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            schema: Schema::default(),
            sources: Default::default(),
            unreadable: None,
        }
    }

    /// Adds what `entity` declares.
    ///
    /// The registry calls this once per entity, so it is kept a thin shim: it reads what the
    /// entity declares into plain data ([`EntityParts::of`], the only code compiled per entity)
    /// and hands it to [`Self::add_parts`], which is compiled once whatever the number of
    /// entities.
    pub fn add<E: EntityTrait>(&mut self, entity: E) {
        match EntityParts::of(entity, self.backend) {
            Ok(parts) => self.add_parts(parts),
            Err(e) => {
                self.unreadable.get_or_insert(e);
            }
        }
    }

    /// Adds one entity's table from what it declares.
    pub fn add_parts(&mut self, parts: EntityParts) {
        let table = self.table(parts);
        self.insert(table);
    }

    /// Adds a table under the name the backend stores, remembering the entity's own name.
    fn insert(&mut self, mut table: Table) {
        let declared = table.name.clone();
        table.name = self.stored_name(&declared);
        for column in &mut table.columns {
            column.name = self.stored_name(&column.name);
        }
        self.sources.entry(table.name.clone()).or_default().push(declared);
        self.schema.tables.insert(table.name.clone(), table);
    }

    /// A name as the backend stores it: PostgreSQL keeps the first 63 bytes of a longer one.
    fn stored_name(&self, name: &str) -> String {
        if self.backend != DbBackend::Postgres || name.len() <= 63 {
            return name.to_owned();
        }
        let mut cut = 63;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        name[..cut].to_owned()
    }

    /// Adds the indexes that `entity`'s attributes cannot express: an index on several columns,
    /// or one with a name of its own. By convention an entity module declares them in
    /// `pub fn indexes() -> Vec<IndexCreateStatement>`, which the generated registry passes here;
    /// the statements' names, columns and uniqueness are read. Call after [`Self::add`].
    pub fn add_indexes<E: EntityTrait>(&mut self, entity: E, indexes: Vec<IndexCreateStatement>) {
        self.add_indexes_to(entity.table_name(), &indexes);
    }

    /// [`Self::add_indexes`] for the table an entity names `table`.
    pub fn add_indexes_to(&mut self, table: &str, indexes: &[IndexCreateStatement]) {
        let backend = self.backend;
        let name = self.stored_name(table);
        let Some(table) = self.schema.tables.get_mut(&name) else {
            return;
        };
        table.indexes.extend(indexes.iter().map(|i| index_of(backend, i)));
    }

    /// Adds the CHECK constraints of `entity`. By convention an entity module declares them in
    /// `pub fn checks() -> Vec<sea_query::Check>` (`Check::named("price_positive",
    /// Expr::col(Column::Price).gt(0))`), which the generated registry passes here. Call after
    /// [`Self::add`].
    pub fn add_checks<E: EntityTrait>(&mut self, entity: E, checks: Vec<sea_query::Check>) {
        self.add_checks_to(entity.table_name(), &checks);
    }

    /// [`Self::add_checks`] for the table an entity names `table`.
    pub fn add_checks_to(&mut self, table: &str, checks: &[sea_query::Check]) {
        let backend = self.backend;
        let name = self.stored_name(table);
        let Some(table) = self.schema.tables.get_mut(&name) else {
            return;
        };
        table.checks.extend(checks.iter().filter_map(|c| check_of(backend, c)));
    }

    /// The finished schema, in canonical order; an error when two entities name the same table
    /// once the backend has cut their names to its limit.
    pub fn finish(mut self) -> Result<Schema> {
        if let Some(e) = self.unreadable {
            return Err(e);
        }
        if let Some((stored, declared)) = self.sources.iter().find(|(_, declared)| declared.len() > 1) {
            return Err(Error::Entities(format!(
                "the entities' tables {} are all stored as `{stored}` on {:?}, which keeps only the first 63 bytes of a name: shorten one of them",
                declared.join(", "),
                self.backend
            )));
        }
        // PostgreSQL gives every table a row type of its name, in the namespace of types.
        if self.backend == DbBackend::Postgres
            && let Some(name) = self.schema.enums.keys().find(|name| self.schema.tables.contains_key(*name))
        {
            return Err(Error::Entities(format!(
                "the enum type and the table `{name}` would share a name, which PostgreSQL does not allow (every table has a type of its name): rename one of them"
            )));
        }
        for table in self.schema.tables.values() {
            let mut seen = std::collections::BTreeSet::new();
            if let Some(column) = table.columns.iter().find(|c| !seen.insert(c.name.as_str())) {
                return Err(Error::Entities(format!(
                    "table {}: two columns are stored as `{}` on {:?}, which keeps only the first 63 bytes of a name: shorten one of them",
                    table.name, column.name, self.backend
                )));
            }
        }
        self.schema.sort();
        Ok(self.schema)
    }

    fn table(&mut self, parts: EntityParts) -> Table {
        let mut table = Table {
            name: table_name(&parts.table),
            comment: parts.comment.filter(|_| self.backend != DbBackend::Sqlite),
            ..Table::default()
        };
        for column in &parts.columns {
            let def = &column.statement;
            let spec = def.get_column_spec();
            if spec.primary_key {
                table.primary_key.push(def.get_column_name());
            }
            if spec.unique {
                table.indexes.push(Index { constraint: true, ..Index::on_columns(&[def.get_column_name()], true) });
            }
            table.columns.push(self.column(def, column.declared.get_column_type()));
        }
        // A key of several columns is the table's (sea-orm marks a column only for a key of one).
        if parts.primary_key.len() > 1 {
            table.primary_key = parts.primary_key;
        }
        table.indexes.extend(parts.indexes.iter().map(|i| index_of(self.backend, i)));
        for relation in parts.relations {
            if relation.is_owner || relation.skip_fk {
                continue;
            }
            let statement: sea_query::ForeignKeyCreateStatement = relation.into();
            let fk = statement.get_foreign_key();
            table.foreign_keys.push(ForeignKey {
                name: fit_name(self.backend, fk.get_name().unwrap_or_default()),
                columns: fk.get_columns(),
                ref_table: fk.get_ref_table().map(table_name).unwrap_or_default(),
                ref_columns: fk.get_ref_columns(),
                on_delete: self.action(fk.get_on_delete()),
                on_update: self.action(fk.get_on_update()),
            });
        }
        table
    }

    fn column(&mut self, def: &ColumnDef, entity_type: &sea_query::ColumnType) -> Column {
        let spec = def.get_column_spec();
        let ty = self.column_type(entity_type, spec.auto_increment && spec.primary_key);
        let (mut comment, renamed_from) = split_renamed_from(spec.comment.as_deref());
        if self.backend == DbBackend::Sqlite {
            // SQLite keeps no comments.
            comment = None;
        }
        let default = spec
            .default
            .as_ref()
            .and_then(|expr| default_from_sql(self.backend, &ty, &self.render_expr(expr)));
        // Only an integer column can be generated by the database; SeaORM marks every primary
        // key auto-increment unless told otherwise, whatever its type.
        let integer = ty.is_integer();
        Column {
            name: def.get_column_name(),
            nullable: !(spec.primary_key || spec.nullable == Some(false)),
            default,
            auto_increment: spec.auto_increment && integer,
            comment,
            renamed_from,
            generated: None,
            ty,
        }
    }

    /// The IR type the backend stores for an entity's column type.
    fn column_type(&mut self, ty: &sea_query::ColumnType, auto_increment_key: bool) -> ColumnType {
        if let sea_query::ColumnType::Enum { name, variants } = ty {
            // The desired side keeps the whole enum, whatever the backend stores of it, so that
            // a rendered migration can create it anywhere; `diff` compares only what is stored.
            let values: Vec<String> = variants.iter().map(|v| v.to_string()).collect();
            if self.backend == DbBackend::Postgres {
                self.schema.enums.insert(name.to_string(), values.clone());
            }
            return ColumnType::Enum {
                name: name.to_string(),
                values,
            };
        }
        if self.backend == DbBackend::Sqlite && auto_increment_key {
            // SQLite's AUTOINCREMENT needs an `integer primary key`, and sea-query writes that.
            return ColumnType::Integer;
        }
        crate::pipeline::inspect::parse_type(self.backend, &render_type(self.backend, ty))
    }

    fn render_expr(&self, expr: &sea_query::Expr) -> String {
        let select = Query::select().expr(expr.clone()).to_owned();
        let sql = match self.backend {
            DbBackend::MySql => select.to_string(MysqlQueryBuilder),
            DbBackend::Postgres => select.to_string(PostgresQueryBuilder),
            _ => select.to_string(SqliteQueryBuilder),
        };
        sql.strip_prefix("SELECT ").unwrap_or(&sql).to_owned()
    }

    fn action(&self, action: Option<ForeignKeyAction>) -> Action {
        match action {
            None | Some(ForeignKeyAction::NoAction) => Action::NoAction,
            // InnoDB reports RESTRICT and NO ACTION alike; inspection folds them the same way.
            Some(ForeignKeyAction::Restrict) if self.backend == DbBackend::MySql => Action::NoAction,
            Some(ForeignKeyAction::Restrict) => Action::Restrict,
            Some(ForeignKeyAction::Cascade) => Action::Cascade,
            Some(ForeignKeyAction::SetNull) => Action::SetNull,
            Some(ForeignKeyAction::SetDefault) => Action::SetDefault,
            // sea-query may grow actions; treat an unknown one as the database default.
            Some(_) => Action::NoAction,
        }
    }
}

/// The IR of a `CREATE INDEX` statement: everything it says (name, method, key parts with their
/// order and options, INCLUDE columns, predicate), read back from the SQL sea-query writes for it
/// on `backend`, exactly as inspection reads the database's own.
fn index_of(backend: DbBackend, statement: &IndexCreateStatement) -> Index {
    // sea-query's SQLite builder panics on an expression key part; PostgreSQL's spelling of an
    // index is SQLite's, so SQLite reads it from there.
    let (sql, read_as) = match backend {
        DbBackend::MySql => (statement.to_string(MysqlQueryBuilder), backend),
        _ => (statement.to_string(PostgresQueryBuilder), DbBackend::Postgres),
    };
    let spec = statement.get_index_spec();
    let name = fit_name(backend, spec.get_name().unwrap_or_default());
    match crate::pipeline::parse::create_index::parse_create_index(&sql, dialect(read_as)) {
        // InnoDB builds a b-tree whatever USING asks for; only full-text and spatial differ.
        Ok(parsed) if backend == DbBackend::MySql => {
            let index = index_from(backend, &parsed);
            let method = index.method.filter(|m| m == "fulltext" || m == "spatial");
            Index { name, method, ..index }
        }
        Ok(parsed) => Index { name, ..index_from(backend, &parsed) },
        // sea-query writes names without escaping quotes, so a hostile name may not read back;
        // its columns and uniqueness are still known.
        Err(_) => Index {
            name,
            parts: spec.get_column_names().into_iter().map(IndexPart::column).collect(),
            ..Index::on_columns::<&str>(&[], statement.is_unique_key())
        },
    }
}

/// The IR of a CHECK constraint declared with sea-query, read back from the SQL sea-query writes
/// for it on `backend`.
fn check_of(backend: DbBackend, check: &sea_query::Check) -> Option<Check> {
    let statement = sea_query::Table::create()
        .table(sea_query::Alias::new("t"))
        .col(ColumnDef::new(sea_query::Alias::new("c")).integer())
        .check(check.clone())
        .to_owned();
    let sql = match backend {
        DbBackend::MySql => statement.to_string(MysqlQueryBuilder),
        DbBackend::Postgres => statement.to_string(PostgresQueryBuilder),
        _ => statement.to_string(SqliteQueryBuilder),
    };
    // The constraint is `[CONSTRAINT name] CHECK (expr)` in every dialect; read with the
    // backend's own lexer, since each escapes strings its own way.
    let tokens = crate::pipeline::parse::lexer::tokenize(&sql, dialect(backend)).ok()?;
    let at = tokens.iter().position(|t| t.is_word("CHECK"))?;
    let name = match at.checked_sub(2) {
        Some(c) if tokens[c].is_word("CONSTRAINT") => tokens[c + 1].name().unwrap_or_default().to_owned(),
        _ => String::new(),
    };
    let open = tokens.get(at + 1).filter(|t| t.is("("))?;
    let mut depth = 0;
    let close = tokens[at + 1..].iter().find(|t| {
        if t.is("(") {
            depth += 1;
        } else if t.is(")") {
            depth -= 1;
        }
        depth == 0
    })?;
    Some(Check { name, expression: expression(backend, &sql[open.span.end..close.span.start]) })
}

/// The bare name of a table reference.
fn table_name(table: &TableRef) -> String {
    match table {
        TableRef::Table(name, _) => name.1.to_string(),
        other => format!("{other:?}"),
    }
}

/// sea-orm carries `renamed_from` inside the column comment (`...; renamed_from "old"`);
/// separates the two.
fn split_renamed_from(comment: Option<&str>) -> (Option<String>, Option<String>) {
    let Some(comment) = comment else {
        return (None, None);
    };
    match comment.rsplit_once("renamed_from \"") {
        Some((before, after)) if after.ends_with('"') => {
            let old = after.trim_end_matches('"').to_owned();
            let rest = before.trim_end().trim_end_matches(';').trim_end();
            ((!rest.is_empty()).then(|| rest.to_owned()), Some(old))
        }
        _ => (Some(comment.to_owned()), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    mod event {
        use sea_orm::entity::prelude::*;
        use sea_orm::sea_query::{Index, IndexCreateStatement};

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "events")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub org_id: i32,
            #[sea_orm(indexed)]
            pub kind: i32,
            pub created_at: DateTimeUtc,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}

        pub fn indexes() -> Vec<IndexCreateStatement> {
            vec![
                Index::create().name("ix_events_org_created").table(Entity).col(Column::OrgId).col(Column::CreatedAt).to_owned(),
                Index::create().name("uix_events_kind_org").table(Entity).col(Column::Kind).col(Column::OrgId).unique().to_owned(),
            ]
        }

        /// Everything sea-query's index statement can say.
        pub fn advanced_indexes() -> Vec<IndexCreateStatement> {
            use sea_orm::sea_query::{ConditionalStatement, Expr, ExprTrait, IndexOrder, IndexType};
            vec![
                Index::create()
                    .name("ix_events_recent")
                    .table(Entity)
                    .col((Column::CreatedAt, IndexOrder::Desc))
                    .and_where(Expr::col(Column::Kind).gt(0))
                    .to_owned(),
                Index::create()
                    .name("ix_events_org_hash")
                    .table(Entity)
                    .col(Column::OrgId)
                    .index_type(IndexType::Hash)
                    .to_owned(),
            ]
        }

        pub fn checks() -> Vec<sea_orm::sea_query::Check> {
            use sea_orm::sea_query::{Check, Expr, ExprTrait};
            vec![Check::named("positive_kind", Expr::col(Column::Kind).gt(0))]
        }
    }

    #[test]
    fn declared_indexes_join_the_attribute_ones_with_their_names() {
        let mut desired = DesiredSchema::new(DbBackend::Postgres);
        desired.add(event::Entity);
        desired.add_indexes(event::Entity, event::indexes());
        let schema = desired.finish().unwrap();
        let indexes: Vec<(&str, Vec<String>, bool)> = schema.tables["events"]
            .indexes
            .iter()
            .map(|i| (i.name.as_str(), i.columns().into_iter().map(str::to_owned).collect(), i.unique))
            .collect();
        assert_eq!(
            indexes,
            vec![
                ("idx-events-kind", vec!["kind".to_owned()], false),
                ("uix_events_kind_org", vec!["kind".to_owned(), "org_id".to_owned()], true),
                ("ix_events_org_created", vec!["org_id".to_owned(), "created_at".to_owned()], false),
            ]
        );
        // An entity that is not registered is left alone.
        let mut other = DesiredSchema::new(DbBackend::Postgres);
        other.add_indexes(event::Entity, event::indexes());
        assert!(other.finish().unwrap().tables.is_empty());
    }

    #[test]
    fn declared_indexes_and_checks_say_everything_sea_query_can() {
        use crate::pipeline::normalize::expression;
        let mut desired = DesiredSchema::new(DbBackend::Postgres);
        desired.add(event::Entity);
        desired.add_indexes(event::Entity, event::advanced_indexes());
        desired.add_checks(event::Entity, event::checks());
        let schema = desired.finish().unwrap();
        let events = &schema.tables["events"];
        let recent = events.indexes.iter().find(|i| i.name == "ix_events_recent").unwrap();
        assert!(recent.parts[0].descending);
        assert_eq!(recent.predicate, Some(expression(DbBackend::Postgres, "kind > 0")));
        let hash = events.indexes.iter().find(|i| i.name == "ix_events_org_hash").unwrap();
        assert_eq!(hash.method.as_deref(), Some("hash"));
        assert_eq!(events.checks.len(), 1);
        assert_eq!(events.checks[0].name, "positive_kind");
        assert_eq!(events.checks[0].expression, expression(DbBackend::Postgres, "(kind > 0)"));
        // Each backend reads its own spelling.
        let mut lite = DesiredSchema::new(DbBackend::Sqlite);
        lite.add(event::Entity);
        lite.add_checks(event::Entity, event::checks());
        let lite = lite.finish().unwrap();
        assert_eq!(lite.tables["events"].checks[0].expression, expression(DbBackend::Sqlite, "\"kind\" > 0"));
        // MySQL escapes quotes its own way, and reads back alike.
        let quoted = {
            use sea_orm::sea_query::{Check, Expr, ExprTrait};
            vec![Check::named("not_its", Expr::col(event::Column::Kind).ne(Expr::val("it's")))]
        };
        let mut my = DesiredSchema::new(DbBackend::MySql);
        my.add(event::Entity);
        my.add_checks(event::Entity, quoted);
        let my = my.finish().unwrap();
        assert_eq!(my.tables["events"].checks[0].name, "not_its");
        assert_eq!(my.tables["events"].checks[0].expression, expression(DbBackend::MySql, "`kind` <> 'it''s'"));
    }

    /// The declarations README.md shows, as written there.
    #[test]
    fn readme_declarations_read_back() {
        use sea_orm::sea_query::{ConditionalStatement, Expr, ExprTrait, Index, IndexType};
        let gin = Index::create()
            .name("ix_events_kind_gin")
            .table(event::Entity)
            .col(event::Column::Kind)
            .index_type(IndexType::Custom("gin".into()))
            .to_owned();
        let lower = Index::create().name("ix_events_lower").table(event::Entity).col(Expr::cust("lower(kind::text)")).unique().to_owned();
        let open = Index::create()
            .name("ix_events_open")
            .table(event::Entity)
            .col(event::Column::CreatedAt)
            .and_where(Expr::col(event::Column::Kind).is_null())
            .to_owned();
        let mut desired = DesiredSchema::new(DbBackend::Postgres);
        desired.add(event::Entity);
        desired.add_indexes(event::Entity, vec![gin, lower, open]);
        let schema = desired.finish().unwrap();
        let by_name = |name: &str| schema.tables["events"].indexes.iter().find(|i| i.name == name).unwrap().clone();
        assert_eq!(by_name("ix_events_kind_gin").method.as_deref(), Some("gin"));
        assert!(matches!(&by_name("ix_events_lower").parts[0].key, crate::pipeline::schema::IndexKey::Expression(_)));
        assert!(by_name("ix_events_open").predicate.is_some());
    }

    /// Entities that use every attribute the registry reads: a key of two columns, a foreign
    /// key with actions, an enum, a comment with a `renamed_from`, `unique`, `unique_key`,
    /// `indexed` and a default.
    mod shop {
        pub mod order {
            use sea_orm::entity::prelude::*;

            #[derive(Debug, Clone, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
            #[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "order_state")]
            pub enum State {
                #[sea_orm(string_value = "open")]
                Open,
                #[sea_orm(string_value = "paid")]
                Paid,
            }

            #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
            #[sea_orm(table_name = "orders", comment = "what people buy")]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i64,
                #[sea_orm(unique, column_type = "String(StringLen::N(40))")]
                pub reference: String,
                pub state: State,
                #[sea_orm(comment = "in cents", renamed_from = "amount", default_value = 0)]
                pub total: i32,
                #[sea_orm(unique_key = "shop_number")]
                pub shop: i32,
                #[sea_orm(unique_key = "shop_number", indexed)]
                pub number: i32,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {
                #[sea_orm(has_many = "super::line::Entity")]
                Line,
            }

            impl Related<super::line::Entity> for Entity {
                fn to() -> RelationDef {
                    Relation::Line.def()
                }
            }

            impl ActiveModelBehavior for ActiveModel {}
        }

        pub mod line {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
            #[sea_orm(table_name = "order_lines")]
            pub struct Model {
                #[sea_orm(primary_key, auto_increment = false)]
                pub order_id: i64,
                #[sea_orm(primary_key, auto_increment = false)]
                pub position: i32,
                pub note: Option<String>,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {
                #[sea_orm(
                    belongs_to = "super::order::Entity",
                    from = "Column::OrderId",
                    to = "super::order::Column::Id",
                    on_delete = "Cascade",
                    on_update = "Restrict"
                )]
                Order,
            }

            impl Related<super::order::Entity> for Entity {
                fn to() -> RelationDef {
                    Relation::Order.def()
                }
            }

            impl ActiveModelBehavior for ActiveModel {}
        }

        /// Everything else a column can say, in a schema of its own, with hostile text.
        pub mod tag {
            use sea_orm::entity::prelude::*;

            #[derive(Debug, Clone, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
            #[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "tag_kind")]
            pub enum Kind {
                // sea-orm writes a MySQL ENUM's values unescaped; the engine escapes them (a
                // test in entity_parts), so the values here are plain for the comparison.
                #[sea_orm(string_value = "small")]
                Small,
                #[sea_orm(string_value = "large")]
                Large,
            }

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(schema_name = "shop", table_name = "tags", comment = "a \"tag\", {braced}")]
            pub struct Model {
                #[sea_orm(primary_key, auto_increment = false)]
                pub code: String,
                #[sea_orm(indexed, comment = "it's, { not: structure }")]
                pub label: String,
                #[sea_orm(indexed, unique)]
                pub slug: String,
                #[sea_orm(extra = "CHECK (weight <> 0)", default_value = 1.5)]
                pub weight: f64,
                pub kind: Option<Kind>,
                #[sea_orm(unique_key = "pair", renamed_from = "x\"y")]
                pub left: i32,
                #[sea_orm(unique_key = "pair", default_expr = "Expr::cust(\"(1 + 2)\")")]
                pub right: i32,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }
    }

    /// sea-orm's `CREATE TABLE` for an entity, assembled from its [`EntityParts`] alone.
    fn create_table_of(parts: &EntityParts) -> sea_query::TableCreateStatement {
        let mut statement = sea_query::Table::create();
        if let Some(comment) = &parts.comment {
            statement.comment(comment);
        }
        for column in &parts.columns {
            statement.col(column.statement.clone());
        }
        if parts.primary_key.len() > 1 {
            let mut key = sea_query::Index::create();
            for column in &parts.primary_key {
                key.col(sea_query::Alias::new(column));
            }
            statement.primary_key(key.name(format!("pk-{}", table_name(&parts.table))).primary());
        }
        for relation in parts.relations.iter().filter(|r| !r.is_owner && !r.skip_fk) {
            statement.foreign_key(&mut relation.clone().into());
        }
        statement.table(parts.table.clone()).take()
    }

    /// The parts the registry reads hold everything sea-orm's own `CREATE TABLE` and
    /// `CREATE INDEX` statements say, on every backend.
    #[test]
    fn entity_parts_hold_what_sea_orm_declares() {
        for backend in [DbBackend::Postgres, DbBackend::MySql, DbBackend::Sqlite] {
            let helper = sea_orm::Schema::new(backend);
            let check = |parts: EntityParts, create: sea_query::TableCreateStatement, indexes: Vec<IndexCreateStatement>| {
                assert_eq!(backend.build(&create_table_of(&parts)), backend.build(&create), "{backend:?}");
                let built: Vec<_> = parts.indexes.iter().map(|i| backend.build(i)).collect();
                assert_eq!(built, indexes.iter().map(|i| backend.build(i)).collect::<Vec<_>>(), "{backend:?}");
            };
            check(
                EntityParts::of(shop::order::Entity, backend).unwrap(),
                helper.create_table_from_entity(shop::order::Entity),
                helper.create_index_from_entity(shop::order::Entity),
            );
            check(
                EntityParts::of(shop::line::Entity, backend).unwrap(),
                helper.create_table_from_entity(shop::line::Entity),
                helper.create_index_from_entity(shop::line::Entity),
            );
            check(
                EntityParts::of(shop::tag::Entity, backend).unwrap(),
                helper.create_table_from_entity(shop::tag::Entity),
                helper.create_index_from_entity(shop::tag::Entity),
            );
        }
    }

    #[test]
    fn every_attribute_reaches_the_desired_schema() {
        let mut desired = DesiredSchema::new(DbBackend::Postgres);
        desired.add(shop::order::Entity);
        desired.add(shop::line::Entity);
        let schema = desired.finish().unwrap();
        let orders = &schema.tables["orders"];
        assert_eq!(orders.comment.as_deref(), Some("what people buy"));
        assert_eq!(orders.primary_key, vec!["id"]);
        let total = orders.columns.iter().find(|c| c.name == "total").unwrap();
        assert_eq!(total.comment.as_deref(), Some("in cents"));
        assert_eq!(total.renamed_from.as_deref(), Some("amount"));
        assert!(total.default.is_some());
        let state = orders.columns.iter().find(|c| c.name == "state").unwrap();
        assert_eq!(state.ty, ColumnType::Enum { name: "order_state".into(), values: vec!["open".into(), "paid".into()] });
        assert_eq!(schema.enums["order_state"], vec!["open", "paid"]);
        let mut indexes: Vec<(Vec<&str>, bool, bool)> =
            orders.indexes.iter().map(|i| (i.columns(), i.unique, i.constraint)).collect();
        indexes.sort();
        assert_eq!(
            indexes,
            vec![(vec!["number"], false, false), (vec!["reference"], true, true), (vec!["shop", "number"], true, false)]
        );
        assert!(orders.foreign_keys.is_empty(), "the owner side of a relation has no foreign key");
        let lines = &schema.tables["order_lines"];
        assert_eq!(lines.primary_key, vec!["order_id", "position"]);
        assert_eq!(lines.foreign_keys.len(), 1);
        let fk = &lines.foreign_keys[0];
        assert_eq!((fk.columns.clone(), fk.ref_table.as_str(), fk.ref_columns.clone()), (vec!["order_id".into()], "orders", vec!["id".into()]));
        assert_eq!((fk.on_delete, fk.on_update), (Action::Cascade, Action::Restrict));
        assert!(lines.columns.iter().find(|c| c.name == "note").unwrap().nullable);
    }

    #[test]
    fn separates_renamed_from_and_comment() {
        assert_eq!(split_renamed_from(None), (None, None));
        assert_eq!(split_renamed_from(Some("hello")), (Some("hello".into()), None));
        assert_eq!(
            split_renamed_from(Some("renamed_from \"old\"")),
            (None, Some("old".into()))
        );
        assert_eq!(
            split_renamed_from(Some("hi; renamed_from \"old\"")),
            (Some("hi".into()), Some("old".into()))
        );
    }
}
