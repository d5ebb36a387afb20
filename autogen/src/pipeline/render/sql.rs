//! The SQL of a plan on one backend, as the statements the runtime runs
//! (`sea_orm_autogen_runtime::Stmt`): the generated module embeds exactly these, and `create --sql`
//! prints them. Every name and value goes through [`crate::quote`]. Pure.

use std::collections::BTreeMap;

use sea_orm::DbBackend;

use crate::pipeline::diff::{Change, same_type};
use crate::pipeline::plan::{Step, only_additions};
use crate::pipeline::schema::{
    Action, Check, Column, ColumnType, Default, ForeignKey, Index, IndexKey, IndexPart, Schema, Table,
};
use crate::quote;
use crate::{Error, Result};

/// One statement of a migration and how it must run; mirrors `sea_orm_autogen_runtime::Stmt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    /// Runs in the current transaction.
    Run(String),
    /// Commits the current transaction before what follows.
    Commit,
    /// Runs by itself, outside any transaction.
    Alone(String),
    /// Runs until it changes no row, each run committed by itself.
    Batches(String),
    /// A query that must find no row, else the migration stops with the message.
    Refuse { query: String, message: String },
    /// PostgreSQL: a concurrent index build, recovering from an invalid leftover.
    BuildIndex { name: String, create: String, drop: String },
    /// The first statement the server can do.
    FirstOf(Vec<String>),
    /// Saves the (drop, create) pairs a query returns and runs the drops.
    Save(String),
    /// Runs the creates the last `Save` kept.
    Restore,
}

impl Statement {
    /// Whether it can run inside a transaction that the runner opened around the migration.
    pub fn fits_runner_transaction(&self) -> bool {
        matches!(self, Statement::Run(_) | Statement::Refuse { .. } | Statement::Save(_) | Statement::Restore | Statement::FirstOf(_))
    }

    /// The statement as a line of a script, with a comment for what a script cannot say.
    pub fn script(&self) -> Vec<String> {
        match self {
            Statement::Run(sql) => vec![sql.clone()],
            Statement::Commit => vec!["COMMIT".to_owned(), "BEGIN".to_owned()],
            Statement::Alone(sql) => vec!["-- outside any transaction:".to_owned(), sql.clone()],
            Statement::Batches(sql) => vec!["-- repeated until it changes no row, each run committed:".to_owned(), sql.clone()],
            Statement::Refuse { query, message } => vec![
                format!("-- the migration stops if this finds a row: {}", quote::comment_line(message)),
                query.clone(),
            ],
            Statement::BuildIndex { create, .. } => {
                vec!["-- outside any transaction; an invalid index left by a failed build is dropped first:".to_owned(), create.clone()]
            }
            Statement::FirstOf(alternatives) => {
                let mut out = vec!["-- the first of these the server can do:".to_owned()];
                out.extend(alternatives.iter().cloned());
                out
            }
            Statement::Save(query) => {
                vec!["-- saves, then drops, the views and triggers this finds (recreated below):".to_owned(), query.clone()]
            }
            Statement::Restore => vec!["-- recreates the saved views and triggers".to_owned()],
        }
    }
}

/// What rendering needs besides a step: the backend, the schemas before and after the
/// migration (for `down`, swapped), and whether to write online plans.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub backend: DbBackend,
    pub current: &'a Schema,
    pub desired: &'a Schema,
    /// Changes to tables that exist are made without blocking their writers where the backend
    /// allows it (PostgreSQL concurrent indexes, NOT VALID constraints validated afterwards,
    /// batched backfills; MySQL ALGORITHM=INSTANT or INPLACE, LOCK=NONE). See
    /// [`super::online`].
    pub online: bool,
}

impl<'a> Context<'a> {
    /// The plain context (no online plans) for `backend`, from `current` to `desired`.
    pub fn new(backend: DbBackend, current: &'a Schema, desired: &'a Schema) -> Self {
        Context { backend, current, desired, online: false }
    }

    /// The same context, writing online plans or not.
    pub fn online(self, online: bool) -> Self {
        Context { online, ..self }
    }

    /// The context of the reverse steps.
    pub fn reversed(&self) -> Context<'a> {
        Context { current: self.desired, desired: self.current, ..*self }
    }
}

/// The statements of one step.
pub fn step(step: &Step, cx: &Context) -> Result<Vec<Statement>> {
    let ddl = Ddl { b: cx.backend };
    match step {
        Step::Change(change) => ddl.change(change, cx),
        Step::RebuildTable { current, desired, renames, fills, changes } => {
            ddl.rebuild(current, desired, renames, fills, changes)
        }
        Step::Backfill { table, column, expr } if cx.online && cx.backend != DbBackend::Sqlite => {
            super::online::backfill(&ddl, table, column, expr, cx)
        }
        Step::Backfill { table, column, expr } => {
            let nullable = Column { nullable: true, ..column.clone() };
            let mut out = ddl.change(&Change::AddColumn { table: table.clone(), column: nullable.clone() }, cx)?;
            out.push(Statement::Run(backfill_update(cx.backend, table, &column.name, expr)));
            out.extend(ddl.change(
                &Change::AlterColumn { table: table.clone(), current: nullable, desired: column.clone() },
                cx,
            )?);
            Ok(out)
        }
    }
}

/// The SQL of `steps` on the context's backend as a script, one statement per entry, each
/// step introduced by its summary as a comment.
pub fn preview(steps: &[Step], cx: &Context) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for s in steps {
        out.push(format!("-- {}", quote::comment_line(&crate::pipeline::render::review::step_summary(s))));
        for statement in step(s, cx)? {
            out.extend(statement.script());
        }
    }
    Ok(out)
}

/// The name a new index or foreign key gets when the schema gives none, sea-orm style
/// (`idx-users-email`), kept within the backend's limit on names: a longer one is cut and given
/// a stable hash of the whole, so that two long names never end up the same.
pub fn object_name(backend: DbBackend, prefix: &str, table: &str, name: &str, columns: &[&str]) -> String {
    if !name.is_empty() {
        return name.to_owned();
    }
    fit_name(backend, &format!("{prefix}-{table}-{}", columns.join("-")))
}

/// Whether a view's definition creates a PostgreSQL materialized view.
fn is_materialized_view(definition: &str) -> bool {
    let words: Vec<String> = definition.split_whitespace().take(3).map(str::to_ascii_lowercase).collect();
    words.len() == 3 && words[0] == "create" && words[1] == "materialized" && words[2] == "view"
}

/// `name` cut to the backend's limit (PostgreSQL 63 bytes, MySQL 64 characters) with a stable
/// hash suffix when it is longer.
pub fn fit_name(backend: DbBackend, name: &str) -> String {
    let limit = match backend {
        DbBackend::Postgres => 63,
        DbBackend::MySql => 64,
        _ => return name.to_owned(),
    };
    if name.len() <= limit {
        return name.to_owned();
    }
    let hash = format!("_{:08x}", fnv1a(name) as u32);
    let mut cut = limit - hash.len();
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{hash}", &name[..cut])
}

/// A 64-bit FNV-1a hash: stable across runs and platforms, which is what a name suffix needs.
fn fnv1a(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The name a SQLite rebuild gives the new table while the old one still exists.
pub(crate) fn rebuild_name(table: &str) -> String {
    format!("__autogen_new_{table}")
}

/// `--backfill`: fills the rows a new column left NULL.
pub(crate) fn backfill_update(backend: DbBackend, table: &str, column: &str, expr: &str) -> String {
    let (t, c) = (quote::ident(backend, table), quote::ident(backend, column));
    format!("UPDATE {t} SET {c} = ({expr}) WHERE {c} IS NULL")
}

/// The sea-query type for an IR type, for the spellings sea-query gives the types it knows.
pub(crate) fn sea_type(ty: &ColumnType) -> sea_orm::sea_query::ColumnType {
    use sea_orm::sea_query::{Alias, ColumnType as T, IntoIden, StringLen};
    match ty {
        ColumnType::TinyInt => T::TinyInteger,
        ColumnType::SmallInt => T::SmallInteger,
        ColumnType::Integer => T::Integer,
        ColumnType::BigInt => T::BigInteger,
        ColumnType::TinyUnsigned => T::TinyUnsigned,
        ColumnType::SmallUnsigned => T::SmallUnsigned,
        ColumnType::Unsigned => T::Unsigned,
        ColumnType::BigUnsigned => T::BigUnsigned,
        ColumnType::Float => T::Float,
        ColumnType::Double => T::Double,
        ColumnType::Decimal(p) => T::Decimal(*p),
        ColumnType::Boolean => T::Boolean,
        ColumnType::Char(n) => T::Char(*n),
        ColumnType::Varchar(Some(n)) => T::String(StringLen::N(*n)),
        ColumnType::Varchar(None) => T::String(StringLen::None),
        ColumnType::Text => T::Text,
        ColumnType::Date => T::Date,
        ColumnType::Time => T::Time,
        ColumnType::Timestamp => T::DateTime,
        ColumnType::TimestampTz => T::TimestampWithTimeZone,
        ColumnType::Uuid => T::Uuid,
        ColumnType::Json => T::Json,
        ColumnType::Jsonb => T::JsonBinary,
        ColumnType::Binary(n) => T::Binary(*n),
        ColumnType::VarBinary(Some(n)) => T::VarBinary(StringLen::N(*n)),
        ColumnType::VarBinary(None) => T::VarBinary(StringLen::None),
        ColumnType::Blob => T::Blob,
        ColumnType::Array(inner) => T::Array(std::sync::Arc::new(sea_type(inner))),
        // Enums and other types are written by `Ddl::ty`, which quotes what needs it.
        ColumnType::Enum { .. } | ColumnType::Other(_) => T::Custom(Alias::new("text").into_iden()),
    }
}

fn backend_name(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "PostgreSQL",
        DbBackend::MySql => "MySQL/MariaDB",
        _ => "SQLite",
    }
}

/// Writes DDL for one backend.
pub(super) struct Ddl {
    pub(super) b: DbBackend,
}

impl Ddl {
    pub(super) fn id(&self, name: &str) -> String {
        quote::ident(self.b, name)
    }

    pub(super) fn ids<S: AsRef<str>>(&self, names: &[S]) -> String {
        quote::idents(self.b, names)
    }

    pub(super) fn text(&self, text: &str) -> String {
        quote::string(self.b, text)
    }

    pub(super) fn pg(&self) -> bool {
        self.b == DbBackend::Postgres
    }

    pub(super) fn mysql(&self) -> bool {
        self.b == DbBackend::MySql
    }

    pub(super) fn sqlite(&self) -> bool {
        self.b == DbBackend::Sqlite
    }

    pub(super) fn unsupported(&self, change: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::Unsupported { change: change.into(), backend: backend_name(self.b), reason: reason.into() }
    }

    /// Refuses text the backend cannot store.
    pub(super) fn writable(&self, what: &str, text: &str, kind: quote::Text) -> Result<()> {
        match quote::unwritable(self.b, text, kind) {
            None => Ok(()),
            Some(reason) => Err(Error::Unwritable { what: what.to_owned(), backend: backend_name(self.b), reason }),
        }
    }

    /// The type of a column as this backend spells it.
    pub(super) fn ty(&self, ty: &ColumnType, auto_increment: bool) -> String {
        match ty {
            ColumnType::Enum { name, values } => match self.b {
                DbBackend::Postgres if !name.is_empty() => self.id(name),
                DbBackend::MySql if !values.is_empty() => {
                    format!("ENUM({})", values.iter().map(|v| self.text(v)).collect::<Vec<_>>().join(", "))
                }
                _ => "text".to_owned(),
            },
            ColumnType::Other(text) => text.clone(),
            ColumnType::Array(inner) if self.pg() => format!("{}[]", self.ty(inner, false)),
            ColumnType::SmallInt if auto_increment && self.pg() => "smallserial".to_owned(),
            ColumnType::Integer if auto_increment && self.pg() => "serial".to_owned(),
            ColumnType::BigInt if auto_increment && self.pg() => "bigserial".to_owned(),
            other => crate::pipeline::normalize::render_type(self.b, &sea_type(other)),
        }
    }

    /// A default's SQL on this backend.
    pub(super) fn default(&self, default: &Default) -> String {
        match default {
            Default::String(text) => self.text(text),
            Default::Number(number) => number.clone(),
            Default::Bool(value) => match (self.b, value) {
                (DbBackend::Postgres, true) => "true".to_owned(),
                (DbBackend::Postgres, false) => "false".to_owned(),
                (_, true) => "1".to_owned(),
                (_, false) => "0".to_owned(),
            },
            Default::CurrentTimestamp => "CURRENT_TIMESTAMP".to_owned(),
            Default::Expression(e) if self.pg() => e.sql.clone(),
            // MySQL and SQLite take an expression default only in parentheses.
            Default::Expression(e) => format!("({})", e.sql),
        }
    }

    /// Whether a column is written as SQLite's `INTEGER PRIMARY KEY AUTOINCREMENT`.
    fn sqlite_rowid_key(&self, column: &Column, table_key: &[String]) -> bool {
        self.sqlite() && column.auto_increment && table_key.len() == 1 && table_key[0] == column.name
    }

    /// A column definition for CREATE TABLE, ADD COLUMN and MySQL's MODIFY COLUMN.
    pub(super) fn column(&self, column: &Column, table_key: &[String]) -> Result<String> {
        self.writable(&format!("column name {:?}", column.name), &column.name, quote::Text::Name)?;
        let auto = column.auto_increment && column.ty.is_integer();
        let mut out = format!("{} ", self.id(&column.name));
        if self.sqlite_rowid_key(column, table_key) {
            out.push_str("integer PRIMARY KEY AUTOINCREMENT");
        } else {
            out.push_str(&self.ty(&column.ty, auto));
        }
        if let Some(generated) = &column.generated {
            let kind = if generated.stored { "STORED" } else { "VIRTUAL" };
            if self.mysql() {
                out.push_str(&format!(" AS ({}) {kind}", generated.expression.sql));
            } else {
                out.push_str(&format!(" GENERATED ALWAYS AS ({}) {kind}", generated.expression.sql));
            }
        }
        // MariaDB takes no nullability on a generated column: it follows the expression.
        if !(self.mysql() && column.generated.is_some()) {
            out.push_str(if column.nullable { " NULL" } else { " NOT NULL" });
        }
        if let Some(default) = &column.default
            && column.generated.is_none()
        {
            if let Default::String(text) = default {
                self.writable(&format!("the default of {}", column.name), text, quote::Text::Literal)?;
            }
            out.push_str(&format!(" DEFAULT {}", self.default(default)));
        }
        if auto && self.mysql() {
            out.push_str(" AUTO_INCREMENT");
        }
        if self.mysql()
            && let Some(comment) = &column.comment
        {
            self.writable(&format!("the comment of {}", column.name), comment, quote::Text::Comment)?;
            out.push_str(&format!(" COMMENT {}", self.text(comment)));
        }
        Ok(out)
    }

    fn action(action: Action) -> &'static str {
        match action {
            Action::NoAction => "NO ACTION",
            Action::Restrict => "RESTRICT",
            Action::Cascade => "CASCADE",
            Action::SetNull => "SET NULL",
            Action::SetDefault => "SET DEFAULT",
        }
    }

    /// `CONSTRAINT name FOREIGN KEY (...) REFERENCES t (...) ON DELETE ... ON UPDATE ...`.
    pub(super) fn foreign_key(&self, table: &str, fk: &ForeignKey) -> String {
        let columns: Vec<&str> = fk.columns.iter().map(String::as_str).collect();
        let name = object_name(self.b, "fk", table, &fk.name, &columns);
        let mut out = format!(
            "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
            self.id(&name),
            self.ids(&fk.columns),
            self.id(&fk.ref_table),
            self.ids(&fk.ref_columns)
        );
        if fk.on_delete != Action::NoAction {
            out.push_str(&format!(" ON DELETE {}", Self::action(fk.on_delete)));
        }
        if fk.on_update != Action::NoAction {
            out.push_str(&format!(" ON UPDATE {}", Self::action(fk.on_update)));
        }
        out
    }

    pub(super) fn check(&self, check: &Check) -> String {
        if check.name.is_empty() {
            format!("CHECK ({})", check.expression.sql)
        } else {
            format!("CONSTRAINT {} CHECK ({})", self.id(&check.name), check.expression.sql)
        }
    }

    /// An index key part: column or expression, with its order and options.
    fn part(&self, part: &IndexPart) -> String {
        let mut out = match &part.key {
            IndexKey::Column(name) => self.id(name),
            IndexKey::Expression(e) => format!("({})", e.sql),
        };
        if let Some(prefix) = part.prefix {
            out.push_str(&format!("({prefix})"));
        }
        if let Some(collation) = &part.collation {
            out.push_str(&format!(" COLLATE {}", self.id(collation)));
        }
        if let Some(opclass) = &part.opclass {
            out.push_str(&format!(" {opclass}"));
        }
        if part.descending {
            out.push_str(" DESC");
        }
        match part.nulls_first {
            Some(true) => out.push_str(" NULLS FIRST"),
            Some(false) => out.push_str(" NULLS LAST"),
            None => {}
        }
        out
    }

    pub(super) fn index_name(&self, table: &str, index: &Index) -> String {
        object_name(self.b, "idx", table, &index.name, &index.columns())
    }

    /// `CREATE INDEX` for an index of `table`, or the database's own statement for it.
    pub(super) fn create_index(&self, table: &str, index: &Index) -> Result<String> {
        if let Some(definition) = index.definition.text() {
            return Ok(definition.to_owned());
        }
        let what = format!("create index {} on {table}", self.index_name(table, index));
        let method = index.method.as_deref().filter(|m| *m != "btree");
        let kind = match (self.b, method) {
            (DbBackend::MySql, Some("fulltext")) => "FULLTEXT ",
            (DbBackend::MySql, Some("spatial")) => "SPATIAL ",
            _ if index.unique => "UNIQUE ",
            _ => "",
        };
        if self.mysql() && (index.predicate.is_some() || !index.include.is_empty() || index.nulls_not_distinct) {
            return Err(self.unsupported(what, "MySQL has no partial indexes, INCLUDE columns or NULLS NOT DISTINCT"));
        }
        if self.sqlite() && (method.is_some() || !index.include.is_empty() || index.nulls_not_distinct) {
            return Err(self.unsupported(what, "SQLite has no index methods, INCLUDE columns or NULLS NOT DISTINCT"));
        }
        if !self.mysql() && index.parts.iter().any(|p| p.prefix.is_some()) {
            return Err(self.unsupported(what, "only MySQL indexes a prefix of a column"));
        }
        let using = match (self.b, method) {
            (DbBackend::Postgres, Some(m)) => format!(" USING {m}"),
            _ => String::new(),
        };
        let parts = index.parts.iter().map(|p| self.part(p)).collect::<Vec<_>>().join(", ");
        let mut out = format!(
            "CREATE {kind}INDEX {} ON {}{using} ({parts})",
            self.id(&self.index_name(table, index)),
            self.id(table)
        );
        if self.mysql() && method == Some("hash") {
            out.push_str(" USING HASH");
        }
        if !index.include.is_empty() {
            out.push_str(&format!(" INCLUDE ({})", self.ids(&index.include)));
        }
        if index.nulls_not_distinct {
            out.push_str(" NULLS NOT DISTINCT");
        }
        if let Some(predicate) = &index.predicate {
            out.push_str(&format!(" WHERE {}", predicate.sql));
        }
        Ok(out)
    }

    /// MySQL indexes a TEXT, BLOB or JSON column only by a prefix of it (FULLTEXT and SPATIAL
    /// aside, and a UNIQUE one, which MariaDB enforces with a hash): an index or primary key on
    /// one without a prefix length is refused when the migration is written, rather than fail
    /// when it runs.
    fn indexable(&self, table: &Table, what: impl FnOnce() -> String, parts: &[(&str, Option<u32>)], method: Option<&str>) -> Result<()> {
        if !self.mysql() || matches!(method, Some("fulltext" | "spatial")) {
            return Ok(());
        }
        let unprefixed = parts.iter().find(|(name, prefix)| {
            prefix.is_none()
                && table.column(name).is_some_and(|c| {
                    matches!(c.ty, ColumnType::Text | ColumnType::Blob | ColumnType::Json | ColumnType::Jsonb)
                })
        });
        match unprefixed {
            None => Ok(()),
            Some((name, _)) => Err(self.unsupported(
                what(),
                format!("MySQL/MariaDB index the TEXT, BLOB or JSON column {name} only by a prefix length: declare one in `indexes()`, or make the column a varchar"),
            )),
        }
    }

    /// [`Self::indexable`] for an index of `table`.
    fn index_fits(&self, table: &Table, index: &Index) -> Result<()> {
        let parts: Vec<(&str, Option<u32>)> =
            index.parts.iter().filter_map(|p| p.column_name().map(|name| (name, p.prefix))).collect();
        if index.unique {
            return Ok(());
        }
        self.indexable(
            table,
            || format!("create index {} on {}", self.index_name(&table.name, index), table.name),
            &parts,
            index.method.as_deref(),
        )
    }

    /// [`Self::index_fits`] for an index added to `table` as the context desires it.
    pub(super) fn index_fits_in(&self, table: &str, index: &Index, cx: &Context) -> Result<()> {
        match cx.desired.tables.get(table) {
            Some(t) => self.index_fits(t, index),
            None => Ok(()),
        }
    }

    /// Whether an index is written in CREATE TABLE as a `UNIQUE (...)` constraint.
    pub(super) fn is_table_constraint(index: &Index) -> bool {
        index.constraint && index.unique && index.on_columns_only() && !index.is_advanced()
    }

    /// `[CONSTRAINT name] UNIQUE (...)`.
    pub(super) fn unique_constraint(&self, index: &Index) -> String {
        let columns = self.ids(&index.columns());
        if index.name.is_empty() {
            format!("UNIQUE ({columns})")
        } else {
            format!("CONSTRAINT {} UNIQUE ({columns})", self.id(&index.name))
        }
    }

    /// `CREATE TABLE` (as `as_name`) with every column, the primary key, unique constraints,
    /// foreign keys and checks; then its other indexes and PostgreSQL comments.
    fn create_table(&self, table: &Table, as_name: &str) -> Result<Vec<Statement>> {
        self.writable(&format!("table name {:?}", table.name), &table.name, quote::Text::Name)?;
        let key: Vec<(&str, Option<u32>)> = table.primary_key.iter().map(|c| (c.as_str(), None)).collect();
        self.indexable(table, || format!("create table {} with its primary key", table.name), &key, None)?;
        for index in &table.indexes {
            self.index_fits(table, index)?;
        }
        let mut items = Vec::new();
        for column in &table.columns {
            items.push(self.column(column, &table.primary_key)?);
        }
        let rowid_key = table.columns.iter().any(|c| self.sqlite_rowid_key(c, &table.primary_key));
        if !table.primary_key.is_empty() && !rowid_key {
            items.push(format!("PRIMARY KEY ({})", self.ids(&table.primary_key)));
        }
        for index in table.indexes.iter().filter(|i| Self::is_table_constraint(i)) {
            items.push(self.unique_constraint(index));
        }
        for fk in &table.foreign_keys {
            items.push(self.foreign_key(&table.name, fk));
        }
        for check in &table.checks {
            items.push(self.check(check));
        }
        let mut create = format!("CREATE TABLE {} ( {} )", self.id(as_name), items.join(", "));
        if self.mysql()
            && let Some(comment) = &table.comment
        {
            self.writable(&format!("the comment of {}", table.name), comment, quote::Text::Comment)?;
            create.push_str(&format!(" COMMENT = {}", self.text(comment)));
        }
        let mut out = vec![Statement::Run(create)];
        for index in table.indexes.iter().filter(|i| !Self::is_table_constraint(i)) {
            out.push(Statement::Run(self.create_index(as_name, index)?));
        }
        // Triggers go with their table; a table that comes back gets them back.
        for trigger in &table.triggers {
            if let Some(definition) = trigger.definition.text() {
                out.push(Statement::Run(definition.to_owned()));
            }
        }
        if self.pg() {
            if let Some(comment) = &table.comment {
                out.push(Statement::Run(self.table_comment(as_name, Some(comment))?));
            }
            for column in &table.columns {
                if let Some(comment) = &column.comment {
                    out.push(Statement::Run(self.pg_column_comment(as_name, &column.name, Some(comment))?));
                }
            }
        }
        Ok(out)
    }

    fn table_comment(&self, table: &str, comment: Option<&str>) -> Result<String> {
        if let Some(text) = comment {
            self.writable(&format!("the comment of {table}"), text, quote::Text::Comment)?;
        }
        Ok(match self.b {
            DbBackend::Postgres => format!(
                "COMMENT ON TABLE {} IS {}",
                self.id(table),
                comment.map(|c| self.text(c)).unwrap_or_else(|| "NULL".to_owned())
            ),
            _ => format!(
                "ALTER TABLE {} COMMENT = {}",
                self.id(table),
                self.text(comment.unwrap_or_default())
            ),
        })
    }

    fn pg_column_comment(&self, table: &str, column: &str, comment: Option<&str>) -> Result<String> {
        if let Some(text) = comment {
            self.writable(&format!("the comment of {table}.{column}"), text, quote::Text::Comment)?;
        }
        Ok(format!(
            "COMMENT ON COLUMN {}.{} IS {}",
            self.id(table),
            self.id(column),
            comment.map(|c| self.text(c)).unwrap_or_else(|| "NULL".to_owned())
        ))
    }

    /// The statements of one change: its online plan where the context asks for one and the
    /// change has one, else the plain DDL.
    pub(super) fn change(&self, change: &Change, cx: &Context) -> Result<Vec<Statement>> {
        if cx.online
            && let Some(online) = super::online::change(self, change, cx)
        {
            return online;
        }
        self.plain(change, cx)
    }

    /// The plain DDL of one change.
    pub(super) fn plain(&self, change: &Change, cx: &Context) -> Result<Vec<Statement>> {
        let run = |sql: String| Ok(vec![Statement::Run(sql)]);
        match change {
            Change::CreateEnum { name, values } if self.pg() => {
                self.writable(&format!("enum type name {name:?}"), name, quote::Text::Name)?;
                for value in values {
                    self.writable(&format!("a value of enum {name}"), value, quote::Text::Literal)?;
                }
                let values = values.iter().map(|v| self.text(v)).collect::<Vec<_>>().join(", ");
                run(format!("CREATE TYPE {} AS ENUM ({values})", self.id(name)))
            }
            Change::DropEnum { name, .. } if self.pg() => run(format!("DROP TYPE {}", self.id(name))),
            Change::AlterEnum { name, current, desired } if self.pg() => self.alter_enum(name, current, desired, cx),
            Change::CreateEnum { .. } | Change::DropEnum { .. } | Change::AlterEnum { .. } => Ok(Vec::new()),
            Change::AddTable(table) => self.create_table(table, &table.name),
            Change::DropTable(table) => run(format!("DROP TABLE {}", self.id(&table.name))),
            Change::AddColumn { table, column } => {
                if self.sqlite() && self.sqlite_rowid_key(column, &[column.name.clone()]) {
                    return Err(self.unsupported(format!("add column {table}.{}", column.name), "SQLite adds no key column to a table"));
                }
                // MySQL puts the column where the schema has it (so `down` restores a dropped
                // column in its place); elsewhere it goes last.
                let place = if self.mysql() { self.mysql_place(table, &column.name, cx) } else { String::new() };
                let mut out = vec![Statement::Run(format!(
                    "ALTER TABLE {} ADD COLUMN {}{place}",
                    self.id(table),
                    self.column(column, &[])?
                ))];
                if self.pg()
                    && let Some(comment) = &column.comment
                {
                    out.push(Statement::Run(self.pg_column_comment(table, &column.name, Some(comment))?));
                }
                Ok(out)
            }
            Change::DropColumn { table, column } => {
                run(format!("ALTER TABLE {} DROP COLUMN {}", self.id(table), self.id(&column.name)))
            }
            Change::RenameColumn { table, current, desired } => {
                self.writable(&format!("column name {desired:?}"), desired, quote::Text::Name)?;
                run(format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {}",
                    self.id(table),
                    self.id(current),
                    self.id(desired)
                ))
            }
            Change::AlterColumn { table, current, desired } => self.alter_column(table, current, desired),
            Change::AddIndex { table, index } => {
                self.index_fits_in(table, index, cx)?;
                self.add_index(table, index)
            }
            Change::DropIndex { table, index } => self.drop_index(table, index),
            Change::AddForeignKey { table, foreign_key } if !self.sqlite() => {
                run(format!("ALTER TABLE {} ADD {}", self.id(table), self.foreign_key(table, foreign_key)))
            }
            Change::DropForeignKey { table, foreign_key } if !self.sqlite() => {
                let columns: Vec<&str> = foreign_key.columns.iter().map(String::as_str).collect();
                let name = self.id(&object_name(self.b, "fk", table, &foreign_key.name, &columns));
                let verb = if self.mysql() { "DROP FOREIGN KEY" } else { "DROP CONSTRAINT" };
                let mut out = vec![Statement::Run(format!("ALTER TABLE {} {verb} {name}", self.id(table)))];
                // InnoDB made an index named after the key when the table had none on its
                // columns; it stays when the key goes, so it goes too. An index the schema knows
                // of is dropped (or kept) as a change of its own.
                let indexed = cx.current.tables.get(table.as_str()).is_some_and(|t| {
                    t.indexes.iter().any(|i| {
                        let key = i.columns();
                        key.len() >= columns.len() && key.iter().zip(&columns).all(|(a, b)| a == b)
                    })
                });
                if self.mysql() && !indexed {
                    out.push(Statement::Run(format!("DROP INDEX {name} ON {}", self.id(table))));
                }
                Ok(out)
            }
            Change::AddCheck { table, check } if !self.sqlite() => {
                run(format!("ALTER TABLE {} ADD {}", self.id(table), self.check(check)))
            }
            Change::DropCheck { table, check } if !self.sqlite() => {
                if check.name.is_empty() {
                    return Err(self.unsupported(format!("drop a check on {table}"), "the constraint has no name"));
                }
                // MariaDB names a column's own CHECK after the column and drops it only by
                // restating the column without it.
                let column = cx.current.tables.get(table.as_str()).and_then(|t| t.column(&check.name));
                if let Some(column) = column.filter(|_| self.mysql()) {
                    return run(format!("ALTER TABLE {} MODIFY COLUMN {}", self.id(table), self.column(column, &[])?));
                }
                run(format!("ALTER TABLE {} DROP CONSTRAINT {}", self.id(table), self.id(&check.name)))
            }
            Change::AddForeignKey { table, .. }
            | Change::DropForeignKey { table, .. }
            | Change::AddCheck { table, .. }
            | Change::DropCheck { table, .. } => Err(self.unsupported(
                format!("change a constraint of {table}"),
                "SQLite changes constraints only by rebuilding the table (the plan does that)",
            )),
            Change::SetPrimaryKey { table, current, desired } => self.set_primary_key(table, current, desired, cx),
            Change::SetTableComment { table, desired, .. } => match self.b {
                DbBackend::Sqlite => Ok(Vec::new()),
                _ => run(self.table_comment(table, desired.as_deref())?),
            },
            Change::CreateTrigger { trigger, .. } => match trigger.definition.text() {
                Some(sql) => run(sql.to_owned()),
                None => Err(self.unsupported(format!("create trigger {}", trigger.name), "its definition is unknown")),
            },
            Change::DropTrigger { table, trigger } => run(match self.b {
                DbBackend::Postgres => format!("DROP TRIGGER {} ON {}", self.id(&trigger.name), self.id(table)),
                _ => format!("DROP TRIGGER {}", self.id(&trigger.name)),
            }),
            Change::CreateView(view) => match view.definition.text() {
                Some(sql) => run(sql.to_owned()),
                None => Err(self.unsupported(format!("create view {}", view.name), "its definition is unknown")),
            },
            // A materialized view is dropped as one; its definition says which it is.
            Change::DropView(view) => run(format!(
                "DROP {}VIEW {}",
                if view.definition.text().is_some_and(is_materialized_view) { "MATERIALIZED " } else { "" },
                self.id(&view.name)
            )),
        }
    }

    /// MySQL: where a new column goes so that it lands where the schema has it: after the
    /// nearest column before it that exists under its name both before and after the migration
    /// (any other may be renamed, added or dropped by the time this runs), or first.
    fn mysql_place(&self, table: &str, column: &str, cx: &Context) -> String {
        let (Some(after), Some(before)) = (cx.desired.tables.get(table), cx.current.tables.get(table)) else {
            return String::new();
        };
        let Some(at) = after.columns.iter().position(|c| c.name == column) else {
            return String::new();
        };
        let stable = after.columns[..at].iter().rev().find(|c| before.column(&c.name).is_some());
        match stable {
            Some(previous) => format!(" AFTER {}", self.id(&previous.name)),
            None if at == 0 => " FIRST".to_owned(),
            None => String::new(),
        }
    }

    pub(super) fn add_index(&self, table: &str, index: &Index) -> Result<Vec<Statement>> {
        self.writable(&format!("index name {:?}", index.name), &index.name, quote::Text::Name)?;
        // A named unique constraint comes back as a constraint on PostgreSQL, so that a later
        // `DROP CONSTRAINT` finds it; elsewhere a unique index is the same thing.
        if self.pg() && index.constraint && !index.name.is_empty() && Self::is_table_constraint(index) {
            return Ok(vec![Statement::Run(format!("ALTER TABLE {} ADD {}", self.id(table), self.unique_constraint(index)))]);
        }
        Ok(vec![Statement::Run(self.create_index(table, index)?)])
    }

    pub(super) fn drop_index(&self, table: &str, index: &Index) -> Result<Vec<Statement>> {
        let name = self.id(&self.index_name(table, index));
        Ok(vec![Statement::Run(match self.b {
            DbBackend::Postgres if index.constraint && !index.name.is_empty() => {
                format!("ALTER TABLE {} DROP CONSTRAINT {name}", self.id(table))
            }
            DbBackend::MySql => format!("DROP INDEX {name} ON {}", self.id(table)),
            // A UNIQUE of the table's definition has an automatic index only a rebuild removes;
            // a unique index this engine made (from a column's `unique`) is an index.
            DbBackend::Sqlite if index.constraint && index.name.starts_with("sqlite_autoindex_") => {
                return Err(self.unsupported(
                    format!("drop the unique constraint {} of {table}", index.name),
                    "SQLite drops a constraint only by rebuilding the table (the plan does that)",
                ));
            }
            _ => format!("DROP INDEX {name}"),
        })])
    }

    pub(super) fn alter_column(&self, table: &str, current: &Column, desired: &Column) -> Result<Vec<Statement>> {
        match self.b {
            DbBackend::MySql => Ok(vec![Statement::Run(format!(
                "ALTER TABLE {} MODIFY COLUMN {}",
                self.id(table),
                self.column(desired, &[])?
            ))]),
            DbBackend::Postgres => {
                let (t, c) = (self.id(table), self.id(&desired.name));
                let mut out = Vec::new();
                let retype = !same_type(&current.ty, &desired.ty, self.b);
                // A default may not convert to the new type: it goes first and comes back after.
                let default_changes = current.default != desired.default || (retype && current.default.is_some());
                if default_changes && current.default.is_some() {
                    out.push(Statement::Run(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT")));
                }
                if retype {
                    let ty = self.ty(&desired.ty, false);
                    out.push(Statement::Run(format!("ALTER TABLE {t} ALTER COLUMN {c} TYPE {ty} USING {c}::{ty}")));
                }
                if current.nullable != desired.nullable {
                    let verb = if desired.nullable { "DROP" } else { "SET" };
                    out.push(Statement::Run(format!("ALTER TABLE {t} ALTER COLUMN {c} {verb} NOT NULL")));
                }
                if default_changes && let Some(default) = &desired.default {
                    if let Default::String(text) = default {
                        self.writable(&format!("the default of {table}.{}", desired.name), text, quote::Text::Literal)?;
                    }
                    out.push(Statement::Run(format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {}", self.default(default))));
                }
                if current.comment != desired.comment {
                    out.push(Statement::Run(self.pg_column_comment(table, &desired.name, desired.comment.as_deref())?));
                }
                Ok(out)
            }
            _ => Err(self.unsupported(
                format!("change column {table}.{}", desired.name),
                "SQLite changes a column only by rebuilding the table (the plan does that)",
            )),
        }
    }

    pub(super) fn set_primary_key(&self, table: &str, current: &[String], desired: &[String], cx: &Context) -> Result<Vec<Statement>> {
        let t = self.id(table);
        match self.b {
            DbBackend::Postgres => {
                let mut out = Vec::new();
                if !current.is_empty() {
                    let name = cx
                        .current
                        .tables
                        .get(table)
                        .and_then(|t| t.primary_key_name.text().map(str::to_owned))
                        .unwrap_or_else(|| fit_name(self.b, &format!("{table}_pkey")));
                    out.push(Statement::Run(format!("ALTER TABLE {t} DROP CONSTRAINT {}", self.id(&name))));
                }
                if !desired.is_empty() {
                    out.push(Statement::Run(format!("ALTER TABLE {t} ADD PRIMARY KEY ({})", self.ids(desired))));
                }
                Ok(out)
            }
            DbBackend::MySql => {
                let mut parts = Vec::new();
                if !current.is_empty() {
                    parts.push("DROP PRIMARY KEY".to_owned());
                }
                if !desired.is_empty() {
                    parts.push(format!("ADD PRIMARY KEY ({})", self.ids(desired)));
                }
                Ok(vec![Statement::Run(format!("ALTER TABLE {t} {}", parts.join(", ")))])
            }
            _ => Err(self.unsupported(
                format!("change the primary key of {table}"),
                "SQLite changes a key only by rebuilding the table (the plan does that)",
            )),
        }
    }

    /// PostgreSQL: adds new enum values in their declared place, or, when a value goes away or
    /// the order changes, replaces the type with one holding exactly the desired values and
    /// converts every column that uses it. Rows that hold a value that goes away stop the
    /// migration first, naming the column.
    fn alter_enum(&self, name: &str, current: &[String], desired: &[String], cx: &Context) -> Result<Vec<Statement>> {
        for value in desired {
            self.writable(&format!("a value of enum {name}"), value, quote::Text::Literal)?;
        }
        let q = self.id(name);
        if only_additions(current, desired) {
            let mut out: Vec<Statement> = desired
                .iter()
                .enumerate()
                .filter(|(_, v)| !current.contains(v))
                .map(|(i, value)| {
                    let place = match i {
                        0 => desired.get(1).map(|next| format!(" BEFORE {}", self.text(next))).unwrap_or_default(),
                        _ => format!(" AFTER {}", self.text(&desired[i - 1])),
                    };
                    Statement::Run(format!("ALTER TYPE {q} ADD VALUE IF NOT EXISTS {}{place}", self.text(value)))
                })
                .collect();
            // A new value can be used only once it is committed; a default of this migration
            // may use it.
            let added: Vec<&String> = desired.iter().filter(|v| !current.contains(v)).collect();
            let used = enum_columns(cx.desired, name)
                .iter()
                .any(|(_, column)| matches!(&column.default, Some(Default::String(v)) if added.contains(&v)));
            if used {
                out.push(Statement::Commit);
            }
            return Ok(out);
        }
        let columns = enum_columns(cx.desired, name);
        let kept = desired.iter().map(|v| self.text(v)).collect::<Vec<_>>().join(", ");
        let mut out = Vec::new();
        for (table, column) in &columns {
            out.push(Statement::Refuse {
                query: format!(
                    "SELECT 1 FROM {} WHERE {}::text NOT IN ({kept}) LIMIT 1",
                    self.id(table),
                    self.id(&column.name)
                ),
                message: format!(
                    "enum {name}: rows of {table}.{} hold a value that this migration removes; change them first",
                    column.name
                ),
            });
        }
        let old = self.id(&format!("{name}__autogen_old"));
        out.push(Statement::Run(format!("ALTER TYPE {q} RENAME TO {old}")));
        out.push(Statement::Run(format!("CREATE TYPE {q} AS ENUM ({kept})")));
        for (table, column) in &columns {
            let (t, c) = (self.id(table), self.id(&column.name));
            if column.default.is_some() {
                out.push(Statement::Run(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT")));
            }
            out.push(Statement::Run(format!("ALTER TABLE {t} ALTER COLUMN {c} TYPE {q} USING {c}::text::{q}")));
            if let Some(default) = &column.default {
                out.push(Statement::Run(format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {}", self.default(default))));
            }
        }
        out.push(Statement::Run(format!("DROP TYPE {old}")));
        Ok(out)
    }

    /// SQLite: rebuilds `current` as `desired` (SQLite's documented procedure): the new table is
    /// created aside, the rows copied, the old table dropped and the new one renamed into its
    /// place, its indexes recreated; the views and triggers that read the table are saved and put
    /// back; foreign keys are off meanwhile and checked before the commit.
    fn rebuild(
        &self,
        current: &Table,
        desired: &Table,
        renames: &BTreeMap<String, String>,
        fills: &BTreeMap<String, String>,
        changes: &[Change],
    ) -> Result<Vec<Statement>> {
        let temp = rebuild_name(&desired.name);
        let mut out = vec![Statement::Alone("PRAGMA foreign_keys = OFF".to_owned())];
        let t = self.text(&current.name);
        out.push(Statement::Save(format!(
            "SELECT printf('DROP %s IF EXISTS \"%w\"', upper(type), name), sql FROM sqlite_master \
             WHERE type IN ('view', 'trigger') AND sql IS NOT NULL \
             AND (tbl_name = {t} OR instr(lower(sql), lower({t})) > 0) \
             ORDER BY CASE type WHEN 'view' THEN 0 ELSE 1 END, rowid"
        )));
        let mut table = desired.clone();
        let indexes = std::mem::take(&mut table.indexes);
        table.indexes = indexes.iter().filter(|i| Self::is_table_constraint(i)).cloned().collect();
        let edited = current.definition.text().and_then(|text| self.edit_create_table(text, &table, renames, changes, &temp));
        match (desired.definition.text(), edited) {
            // `down` puts back the table exactly as the database had it.
            (Some(definition), _) => out.push(Statement::Run(renamed_definition(definition, &self.id(&temp)))),
            // `up` edits the database's own statement, keeping what it does not change.
            (None, Some(edited)) => out.push(Statement::Run(edited?)),
            (None, None) => out.extend(self.create_table(&table, &temp)?),
        }
        out.push(Statement::Run(rebuild_copy(current, desired, renames, fills)));
        out.push(Statement::Run(format!("DROP TABLE {}", self.id(&current.name))));
        out.push(Statement::Run(format!("ALTER TABLE {} RENAME TO {}", self.id(&temp), self.id(&desired.name))));
        for index in indexes.iter().filter(|i| !Self::is_table_constraint(i)) {
            out.push(Statement::Run(self.create_index(&desired.name, index)?));
        }
        out.push(Statement::Restore);
        out.push(Statement::Refuse {
            query: "PRAGMA foreign_key_check".to_owned(),
            message: format!("rows would break a foreign key after the rebuild of {}", desired.name),
        });
        out.push(Statement::Alone("PRAGMA foreign_keys = ON".to_owned()));
        Ok(out)
    }
}

impl Ddl {
    /// SQLite: the `CREATE TABLE` of a rebuild, written by editing the table's own statement
    /// (`definition`): the columns and constraints the changes touch are rewritten from `target`,
    /// every other column definition and constraint is kept byte for byte (declared types,
    /// COLLATE, CHECK, generated columns, conflict clauses), renamed columns renamed wherever
    /// they are named. `None` when the statement cannot be read; then the table is written from
    /// the IR.
    fn edit_create_table(
        &self,
        definition: &str,
        target: &Table,
        renames: &BTreeMap<String, String>,
        changes: &[Change],
        as_name: &str,
    ) -> Option<Result<String>> {
        use crate::pipeline::parse::create_table::{ColumnConstraintKind, TableConstraintKind, parse_create_table};
        let parsed = parse_create_table(definition).ok()?;
        let renamed = |name: &str| renames.get(name).cloned().unwrap_or_else(|| name.to_owned());
        // What the changes touch, by the names the columns end up with.
        let mut altered = std::collections::BTreeSet::new();
        let mut dropped_fks = Vec::new();
        let mut dropped_uniques = Vec::new();
        let mut dropped_checks = Vec::new();
        let mut added = Vec::new();
        let mut key_changed = false;
        for change in changes {
            match change {
                Change::AlterColumn { desired, .. } => {
                    altered.insert(desired.name.clone());
                }
                Change::DropForeignKey { foreign_key, .. } => dropped_fks.push(foreign_key.columns.clone()),
                Change::DropIndex { index, .. } if index.constraint => {
                    dropped_uniques.push(index.columns().into_iter().map(str::to_owned).collect::<Vec<_>>())
                }
                Change::DropCheck { check, .. } => dropped_checks.push(check.expression.clone()),
                Change::AddForeignKey { foreign_key, .. } => {
                    added.push(self.foreign_key(&target.name, foreign_key));
                }
                Change::AddIndex { index, .. } if Self::is_table_constraint(index) => added.push(self.unique_constraint(index)),
                Change::AddCheck { check, .. } => added.push(self.check(check)),
                Change::SetPrimaryKey { .. } => key_changed = true,
                _ => {}
            }
        }
        let renamed_list = |names: &[String]| names.iter().map(|n| renamed(n)).collect::<Vec<_>>();
        let text_of = |span: &std::ops::Range<usize>| rename_names(&definition[span.clone()], renames);
        let mut items: Vec<String> = Vec::new();
        for column in &target.columns {
            let original = parsed.columns.iter().find(|c| renamed(&c.name) == column.name);
            let Some(original) = original.filter(|_| !altered.contains(&column.name)) else {
                // New or changed: written from the IR, keeping a COLLATE the IR does not hold.
                let mut text = match self.column(column, &target.primary_key) {
                    Ok(text) => text,
                    Err(e) => return Some(Err(e)),
                };
                if let Some(original) = original {
                    for constraint in &original.constraints {
                        if matches!(constraint.kind, ColumnConstraintKind::Collate(_)) {
                            text.push(' ');
                            text.push_str(&definition[constraint.span.clone()]);
                        }
                    }
                }
                items.push(text);
                continue;
            };
            // Kept: its own text, less the constraints that the changes remove; a new name for
            // its name, and in its CHECKs (a REFERENCES clause names another table's columns).
            let mut text = String::new();
            let mut at = original.span.start;
            if let Some(new) = renames.get(&original.name) {
                text.push_str(&self.id(new));
                at = original.span.start + first_token_end(&definition[original.span.clone()])?;
            }
            for constraint in &original.constraints {
                let goes = match &constraint.kind {
                    ColumnConstraintKind::PrimaryKey { .. } => key_changed,
                    ColumnConstraintKind::Unique { .. } => dropped_uniques.contains(&vec![column.name.clone()]),
                    ColumnConstraintKind::References(_) => dropped_fks.contains(&vec![original.name.clone()])
                        || dropped_fks.contains(&vec![column.name.clone()]),
                    ColumnConstraintKind::Check(sql) => {
                        dropped_checks.contains(&crate::pipeline::normalize::expression(self.b, sql))
                    }
                    _ => false,
                };
                let own = &definition[constraint.span.clone()];
                if goes {
                    text.push_str(definition[at..constraint.span.start].trim_end());
                } else if matches!(constraint.kind, ColumnConstraintKind::Check(_)) {
                    text.push_str(&definition[at..constraint.span.start]);
                    text.push_str(&rename_names(own, renames));
                } else {
                    text.push_str(&definition[at..constraint.span.end]);
                }
                at = constraint.span.end;
            }
            text.push_str(&definition[at..original.span.end]);
            items.push(text);
        }
        for constraint in &parsed.constraints {
            let goes = match &constraint.kind {
                TableConstraintKind::PrimaryKey { .. } => key_changed,
                TableConstraintKind::Unique { columns, .. } => dropped_uniques.contains(&renamed_list(columns)),
                TableConstraintKind::Check(sql) => {
                    dropped_checks.contains(&crate::pipeline::normalize::expression(self.b, sql))
                }
                TableConstraintKind::ForeignKey { columns, .. } => {
                    dropped_fks.contains(columns) || dropped_fks.contains(&renamed_list(columns))
                }
            };
            if !goes {
                let own = &definition[constraint.span.clone()];
                items.push(match &constraint.kind {
                    // The referenced columns are another table's: only the key's own list renames.
                    TableConstraintKind::ForeignKey { .. } => match own.to_ascii_uppercase().find("REFERENCES") {
                        Some(at) => format!("{}{}", rename_names(&own[..at], renames), &own[at..]),
                        None => own.to_owned(),
                    },
                    _ => text_of(&constraint.span),
                });
            }
        }
        let rowid_key = target.columns.iter().any(|c| self.sqlite_rowid_key(c, &target.primary_key));
        if key_changed && !target.primary_key.is_empty() && !rowid_key {
            items.push(format!("PRIMARY KEY ({})", self.ids(&target.primary_key)));
        }
        items.extend(added);
        let options = parsed.options.trim();
        let options = if options.is_empty() { String::new() } else { format!(" {options}") };
        Some(Ok(format!("CREATE TABLE {} ({}){options}", self.id(as_name), items.join(", "))))
    }
}

/// Where the first token of `text` ends.
fn first_token_end(text: &str) -> Option<usize> {
    let tokens = crate::pipeline::parse::lexer::tokenize(text, crate::pipeline::parse::Dialect::Sqlite).ok()?;
    tokens.first().map(|t| t.span.end)
}

/// SQL text with every name in `renames` (as a bare or quoted identifier) replaced by its new
/// name, quoted.
fn rename_names(text: &str, renames: &BTreeMap<String, String>) -> String {
    use crate::pipeline::parse::lexer::{TokenKind, tokenize};
    if renames.is_empty() {
        return text.to_owned();
    }
    let Ok(tokens) = tokenize(text, crate::pipeline::parse::Dialect::Sqlite) else {
        return text.to_owned();
    };
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for token in &tokens {
        let name = match &token.kind {
            TokenKind::Word => Some(token.text),
            TokenKind::QuotedIdent(name) => Some(name.as_str()),
            _ => None,
        };
        if let Some(new) = name.and_then(|n| renames.get(n)) {
            out.push_str(&text[at..token.span.start]);
            out.push_str(&quote::ident(DbBackend::Sqlite, new));
            at = token.span.end;
        }
    }
    out.push_str(&text[at..]);
    out
}

/// A SQLite `CREATE TABLE name (...)` statement with its table name replaced by `name`.
fn renamed_definition(definition: &str, name: &str) -> String {
    // The name follows `CREATE TABLE` (and possibly `IF NOT EXISTS`) and ends where the column
    // list starts.
    match definition.find('(') {
        Some(open) => format!("CREATE TABLE {name} {}", &definition[open..]),
        None => definition.to_owned(),
    }
}

/// The columns of `schema` whose type is the enum `name`.
fn enum_columns<'s>(schema: &'s Schema, name: &str) -> Vec<(&'s str, &'s Column)> {
    schema
        .tables
        .values()
        .flat_map(|t| t.columns.iter().map(move |c| (t.name.as_str(), c)))
        .filter(|(_, c)| matches!(&c.ty, ColumnType::Enum { name: n, .. } if n == name))
        .collect()
}

/// SQLite rebuild: copies the columns both tables have, under their new names, and fills new
/// columns that have a backfill expression. Generated columns are computed, not copied.
pub(crate) fn rebuild_copy(
    current: &Table,
    desired: &Table,
    renames: &BTreeMap<String, String>,
    fills: &BTreeMap<String, String>,
) -> String {
    let q = |name: &str| quote::ident(DbBackend::Sqlite, name);
    let mut pairs: Vec<(String, String)> = current
        .columns
        .iter()
        .filter(|c| c.generated.is_none())
        .filter_map(|c| {
            let to = renames.get(&c.name).cloned().unwrap_or_else(|| c.name.clone());
            desired.column(&to).filter(|d| d.generated.is_none()).map(|_| (q(&c.name), to))
        })
        .collect();
    for (column, expr) in fills {
        if !pairs.iter().any(|(_, to)| to == column) && desired.column(column).is_some() {
            pairs.push((format!("({expr})"), column.clone()));
        }
    }
    let targets = pairs.iter().map(|(_, to)| q(to)).collect::<Vec<_>>().join(", ");
    let sources = pairs.iter().map(|(from, _)| from.as_str()).collect::<Vec<_>>().join(", ");
    format!(
        "INSERT INTO {} ({targets}) SELECT {sources} FROM {}",
        q(&rebuild_name(&desired.name)),
        q(&current.name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::schema::Expression;

    fn cx(backend: DbBackend, schema: &Schema) -> Context<'_> {
        Context::new(backend, schema, schema)
    }

    fn sql(change: Change, backend: DbBackend) -> Vec<String> {
        let schema = Schema::default();
        step(&Step::Change(change), &cx(backend, &schema))
            .unwrap()
            .into_iter()
            .map(|s| match s {
                Statement::Run(sql) => sql,
                other => format!("{other:?}"),
            })
            .collect()
    }

    fn users() -> Table {
        let mut email = Column::new("email", ColumnType::Varchar(Some(255)));
        email.comment = Some("it's".into());
        Table {
            name: "users".into(),
            columns: vec![Column { auto_increment: true, ..Column::new("id", ColumnType::BigInt) }, email],
            primary_key: vec!["id".into()],
            indexes: vec![Index { constraint: true, ..Index::on_columns(&["email"], true) }],
            ..Table::default()
        }
    }

    #[test]
    fn create_table_on_each_backend() {
        assert_eq!(
            sql(Change::AddTable(users()), DbBackend::Postgres),
            vec![
                "CREATE TABLE \"users\" ( \"id\" bigserial NOT NULL, \"email\" varchar(255) NOT NULL, PRIMARY KEY (\"id\"), UNIQUE (\"email\") )",
                "COMMENT ON COLUMN \"users\".\"email\" IS 'it''s'",
            ]
        );
        assert_eq!(
            sql(Change::AddTable(users()), DbBackend::MySql),
            vec!["CREATE TABLE `users` ( `id` bigint NOT NULL AUTO_INCREMENT, `email` varchar(255) NOT NULL COMMENT 'it''s', PRIMARY KEY (`id`), UNIQUE (`email`) )"]
        );
        assert_eq!(
            sql(Change::AddTable(users()), DbBackend::Sqlite),
            vec!["CREATE TABLE \"users\" ( \"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"email\" varchar(255) NOT NULL, UNIQUE (\"email\") )"]
        );
    }

    #[test]
    fn hostile_text_is_quoted_for_each_backend() {
        let hostile = "C:\\temp\\ \\' ; DROP TABLE audit_events; -- x";
        let change = Change::SetTableComment { table: "t\"`x".into(), current: None, desired: Some(hostile.into()) };
        assert_eq!(
            sql(change.clone(), DbBackend::MySql),
            vec!["ALTER TABLE `t\"``x` COMMENT = 'C:\\\\temp\\\\ \\\\'' ; DROP TABLE audit_events; -- x'"]
        );
        assert_eq!(
            sql(change, DbBackend::Postgres),
            vec!["COMMENT ON TABLE \"t\"\"`x\" IS E'C:\\\\temp\\\\ \\\\'' ; DROP TABLE audit_events; -- x'"]
        );
        let column = Column {
            ty: ColumnType::Enum { name: "mo\"od".into(), values: vec!["it's".into(), "$$".into()] },
            ..Column::new("m", ColumnType::Text)
        };
        assert_eq!(
            sql(Change::AddColumn { table: "t".into(), column: column.clone() }, DbBackend::Postgres),
            vec!["ALTER TABLE \"t\" ADD COLUMN \"m\" \"mo\"\"od\" NOT NULL"]
        );
        assert_eq!(
            sql(Change::AddColumn { table: "t".into(), column }, DbBackend::MySql),
            vec!["ALTER TABLE `t` ADD COLUMN `m` ENUM('it''s', '$$') NOT NULL"]
        );
        assert_eq!(
            sql(Change::CreateEnum { name: "mo\"od".into(), values: vec!["it's".into()] }, DbBackend::Postgres),
            vec!["CREATE TYPE \"mo\"\"od\" AS ENUM ('it''s')"]
        );
    }

    #[test]
    fn nul_characters_are_refused_not_written() {
        let schema = Schema::default();
        let change = Change::SetTableComment { table: "t".into(), current: None, desired: Some("a\0b".into()) };
        let err = step(&Step::Change(change), &cx(DbBackend::Postgres, &schema)).unwrap_err();
        assert!(err.to_string().contains("NUL"), "{err}");
    }

    #[test]
    fn removing_an_enum_value_checks_rows_then_swaps_the_type() {
        let mut schema = Schema::default();
        let mut t = Table { name: "t".into(), ..Table::default() };
        t.columns.push(Column {
            default: Some(Default::String("a".into())),
            ..Column::new("level", ColumnType::Enum { name: "lvl".into(), values: vec![] })
        });
        schema.tables.insert("t".into(), t);
        let change = Change::AlterEnum { name: "lvl".into(), current: vec!["a".into(), "b$$".into()], desired: vec!["a".into()] };
        let statements = step(&Step::Change(change), &cx(DbBackend::Postgres, &schema)).unwrap();
        assert_eq!(
            statements[0],
            Statement::Refuse {
                query: "SELECT 1 FROM \"t\" WHERE \"level\"::text NOT IN ('a') LIMIT 1".into(),
                message: "enum lvl: rows of t.level hold a value that this migration removes; change them first".into(),
            }
        );
        let text: Vec<String> = statements[1..].iter().map(|s| format!("{s:?}")).collect();
        assert_eq!(
            text,
            vec![
                "Run(\"ALTER TYPE \\\"lvl\\\" RENAME TO \\\"lvl__autogen_old\\\"\")",
                "Run(\"CREATE TYPE \\\"lvl\\\" AS ENUM ('a')\")",
                "Run(\"ALTER TABLE \\\"t\\\" ALTER COLUMN \\\"level\\\" DROP DEFAULT\")",
                "Run(\"ALTER TABLE \\\"t\\\" ALTER COLUMN \\\"level\\\" TYPE \\\"lvl\\\" USING \\\"level\\\"::text::\\\"lvl\\\"\")",
                "Run(\"ALTER TABLE \\\"t\\\" ALTER COLUMN \\\"level\\\" SET DEFAULT 'a'\")",
                "Run(\"DROP TYPE \\\"lvl__autogen_old\\\"\")",
            ]
        );
    }

    #[test]
    fn a_new_enum_value_a_default_uses_is_committed_first() {
        let mut schema = Schema::default();
        let mut t = Table { name: "t".into(), ..Table::default() };
        t.columns.push(Column {
            default: Some(Default::String("new".into())),
            ..Column::new("level", ColumnType::Enum { name: "lvl".into(), values: vec![] })
        });
        schema.tables.insert("t".into(), t);
        let change = Change::AlterEnum { name: "lvl".into(), current: vec!["a".into()], desired: vec!["a".into(), "new".into()] };
        let statements = step(&Step::Change(change.clone()), &cx(DbBackend::Postgres, &schema)).unwrap();
        assert_eq!(
            statements,
            vec![
                Statement::Run("ALTER TYPE \"lvl\" ADD VALUE IF NOT EXISTS 'new' AFTER 'a'".into()),
                Statement::Commit,
            ]
        );
        let empty = Schema::default();
        let statements = step(&Step::Change(change), &cx(DbBackend::Postgres, &empty)).unwrap();
        assert_eq!(statements.len(), 1);
    }

    #[test]
    fn an_enum_default_change_alone_does_not_retype_the_column() {
        let ty = ColumnType::Enum { name: "lvl".into(), values: vec![] };
        let current = Column { default: Some(Default::String("a".into())), ..Column::new("level", ty.clone()) };
        let desired = Column {
            ty: ColumnType::Enum { name: "lvl".into(), values: vec!["a".into(), "b".into()] },
            default: Some(Default::String("b".into())),
            ..current.clone()
        };
        assert_eq!(
            sql(Change::AlterColumn { table: "t".into(), current, desired }, DbBackend::Postgres),
            vec![
                "ALTER TABLE \"t\" ALTER COLUMN \"level\" DROP DEFAULT",
                "ALTER TABLE \"t\" ALTER COLUMN \"level\" SET DEFAULT 'b'",
            ]
        );
    }

    #[test]
    fn indexes_say_everything_the_schema_holds() {
        let mut index = Index::on_columns(&["title"], false);
        index.name = "ix".into();
        index.method = Some("gin".into());
        index.parts[0].opclass = Some("gin_trgm_ops".into());
        index.predicate = Some(Expression { sql: "deleted_at IS NULL".into(), canonical: "deleted_at is null".into() });
        assert_eq!(
            sql(Change::AddIndex { table: "t".into(), index: index.clone() }, DbBackend::Postgres),
            vec!["CREATE INDEX \"ix\" ON \"t\" USING gin (\"title\" gin_trgm_ops) WHERE deleted_at IS NULL"]
        );
        let schema = Schema::default();
        let err = step(&Step::Change(Change::AddIndex { table: "t".into(), index }), &cx(DbBackend::MySql, &schema))
            .unwrap_err();
        assert!(err.to_string().starts_with("cannot create index ix on t on MySQL/MariaDB: "), "{err}");
        let mut desc = Index::on_columns(&["a", "b"], false);
        desc.parts[1].descending = true;
        assert_eq!(
            sql(Change::AddIndex { table: "t".into(), index: desc }, DbBackend::Sqlite),
            vec!["CREATE INDEX \"idx-t-a-b\" ON \"t\" (\"a\", \"b\" DESC)"]
        );
    }

    #[test]
    fn sqlite_drops_a_unique_index_it_made_but_not_a_table_constraint() {
        // A column's `unique` is added as a unique index; taking it back drops that index.
        let unique = Index { constraint: true, ..Index::on_columns(&["v"], true) };
        assert_eq!(
            sql(Change::AddIndex { table: "t".into(), index: unique.clone() }, DbBackend::Sqlite),
            vec!["CREATE UNIQUE INDEX \"idx-t-v\" ON \"t\" (\"v\")"]
        );
        assert_eq!(sql(Change::DropIndex { table: "t".into(), index: unique }, DbBackend::Sqlite), vec!["DROP INDEX \"idx-t-v\""]);
        // UNIQUE in CREATE TABLE goes only with a rebuild, which the plan makes.
        let schema = Schema::default();
        let inline = Index { name: "sqlite_autoindex_t_1".into(), constraint: true, ..Index::on_columns(&["v"], true) };
        let err = step(&Step::Change(Change::DropIndex { table: "t".into(), index: inline }), &cx(DbBackend::Sqlite, &schema))
            .unwrap_err();
        assert!(err.to_string().contains("by rebuilding the table"), "{err}");
    }

    #[test]
    fn mysql_refuses_an_index_on_a_whole_text_column_when_the_migration_is_written() {
        let mut table = users();
        table.columns.push(Column::new("bio", ColumnType::Text));
        let index = Index { name: "ix_bio".into(), ..Index::on_columns(&["bio"], false) };
        table.indexes.push(index.clone());
        let mut schema = Schema::default();
        schema.tables.insert("users".into(), table.clone());
        let create = Change::AddTable(table.clone());
        let err = step(&Step::Change(create), &cx(DbBackend::MySql, &schema)).unwrap_err();
        assert!(err.to_string().contains("the TEXT, BLOB or JSON column bio only by a prefix length"), "{err}");
        for online in [false, true] {
            let cx = cx(DbBackend::MySql, &schema).online(online);
            let add = Change::AddIndex { table: "users".into(), index: index.clone() };
            let err = step(&Step::Change(add), &cx).unwrap_err();
            assert!(err.to_string().starts_with("cannot create index ix_bio on users on MySQL/MariaDB: "), "{err}");
        }
        // With a prefix length, a full-text index, or on another backend, it is written.
        let mut prefixed = index.clone();
        prefixed.parts[0].prefix = Some(100);
        let add = Change::AddIndex { table: "users".into(), index: prefixed };
        assert!(step(&Step::Change(add), &cx(DbBackend::MySql, &schema)).is_ok());
        let fulltext = Index { method: Some("fulltext".into()), ..index.clone() };
        let add = Change::AddIndex { table: "users".into(), index: fulltext };
        assert!(step(&Step::Change(add), &cx(DbBackend::MySql, &schema)).is_ok());
        // MariaDB enforces a UNIQUE on a whole TEXT column with a hash.
        let unique = Index { unique: true, ..index.clone() };
        let add = Change::AddIndex { table: "users".into(), index: unique };
        assert!(step(&Step::Change(add), &cx(DbBackend::MySql, &schema)).is_ok());
        let add = Change::AddIndex { table: "users".into(), index };
        assert!(step(&Step::Change(add), &cx(DbBackend::Postgres, &schema)).is_ok());
    }

    #[test]
    fn generated_names_fit_the_backend() {
        let long = "a".repeat(70);
        let name = object_name(DbBackend::Postgres, "idx", &long, "", &["x"]);
        assert!(name.len() <= 63, "{name}");
        let other = object_name(DbBackend::Postgres, "idx", &long, "", &["y"]);
        assert_ne!(name, other);
        assert_eq!(name, object_name(DbBackend::Postgres, "idx", &long, "", &["x"]));
        assert_eq!(object_name(DbBackend::Sqlite, "idx", &long, "", &["x"]).len(), 76);
        assert_eq!(fit_name(DbBackend::Postgres, "short"), "short");
        let unicode = "é".repeat(40);
        assert!(fit_name(DbBackend::Postgres, &unicode).len() <= 63);
    }

    #[test]
    fn every_type_reads_back_as_itself() {
        use crate::pipeline::inspect::parse_type;
        let types = [
            ColumnType::SmallInt,
            ColumnType::Integer,
            ColumnType::BigInt,
            ColumnType::Float,
            ColumnType::Double,
            ColumnType::Decimal(Some((12, 2))),
            ColumnType::Boolean,
            ColumnType::Char(Some(3)),
            ColumnType::Varchar(Some(40)),
            ColumnType::Text,
            ColumnType::Date,
            ColumnType::Time,
            ColumnType::Timestamp,
            ColumnType::TimestampTz,
            ColumnType::Uuid,
            ColumnType::Json,
            ColumnType::Jsonb,
            ColumnType::Blob,
            ColumnType::Array(Box::new(ColumnType::Varchar(None))),
            ColumnType::Array(Box::new(ColumnType::Integer)),
        ];
        let ddl = Ddl { b: DbBackend::Postgres };
        for ty in types {
            assert_eq!(parse_type(DbBackend::Postgres, &ddl.ty(&ty, false)), ty, "{ty:?}");
        }
    }

    #[test]
    fn a_sqlite_rebuild_keeps_every_clause_it_does_not_change() {
        use crate::pipeline::schema::Verbatim;
        let definition = "CREATE TABLE \"items\" (\n  id INTEGER PRIMARY KEY,\n  price NUMERIC(10,2) NOT NULL CHECK (price > 0),\n  name TEXT COLLATE NOCASE NOT NULL DEFAULT 'x  y',\n  old TEXT,\n  total REAL GENERATED ALWAYS AS (price * 2) STORED,\n  parent_id INTEGER REFERENCES parents(id) ON DELETE CASCADE,\n  CONSTRAINT uq UNIQUE (old),\n  CHECK (length(old) < 10)\n) STRICT";
        let mut current = Table { name: "items".into(), definition: Verbatim::of(definition), ..Table::default() };
        current.columns = vec![
            Column::new("id", ColumnType::Integer),
            Column::new("price", ColumnType::Decimal(Some((10, 2)))),
            Column { default: Some(Default::String("x  y".into())), ..Column::new("name", ColumnType::Text) },
            Column { nullable: true, ..Column::new("old", ColumnType::Text) },
            Column { nullable: true, ..Column::new("total", ColumnType::Double) },
            Column { nullable: true, ..Column::new("parent_id", ColumnType::Integer) },
        ];
        current.primary_key = vec!["id".into()];
        let fk = ForeignKey {
            name: String::new(),
            columns: vec!["parent_id".into()],
            ref_table: "parents".into(),
            ref_columns: vec!["id".into()],
            on_delete: Action::Cascade,
            on_update: Action::NoAction,
        };
        current.foreign_keys = vec![fk.clone()];
        let changes = vec![
            Change::RenameColumn { table: "items".into(), current: "old".into(), desired: "renamed".into() },
            Change::AlterColumn {
                table: "items".into(),
                current: current.columns[2].clone(),
                desired: Column { nullable: true, ..current.columns[2].clone() },
            },
            Change::DropForeignKey { table: "items".into(), foreign_key: fk },
        ];
        let mut target = current.clone();
        for change in &changes {
            crate::pipeline::plan::apply(&mut target, change);
        }
        target.definition = Verbatim::default();
        let renames: BTreeMap<String, String> = [("old".to_owned(), "renamed".to_owned())].into();
        let ddl = Ddl { b: DbBackend::Sqlite };
        let text = ddl.edit_create_table(definition, &target, &renames, &changes, "__autogen_new_items").unwrap().unwrap();
        assert_eq!(
            text,
            "CREATE TABLE \"__autogen_new_items\" (id INTEGER PRIMARY KEY, price NUMERIC(10,2) NOT NULL CHECK (price > 0), \"name\" text NULL DEFAULT 'x  y' COLLATE NOCASE, \"renamed\" TEXT, total REAL GENERATED ALWAYS AS (price * 2) STORED, parent_id INTEGER, CONSTRAINT uq UNIQUE (\"renamed\"), CHECK (length(\"renamed\") < 10)) STRICT"
        );
    }
}
