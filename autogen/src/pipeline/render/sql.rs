//! The SQL a plan runs on one backend, for reviewers and DBAs; and the backend-specific SQL text
//! that the Rust module also embeds, so both say exactly the same thing.

use std::collections::BTreeMap;

use sea_orm::DbBackend;
use sea_orm::sea_query::{
    self, Alias, ColumnDef, Expr, ForeignKey as ForeignKeyStmt, ForeignKeyAction, Index as IndexStmt,
    IntoIden, MysqlQueryBuilder, PostgresQueryBuilder, SchemaStatementBuilder, SqliteQueryBuilder,
    StringLen, Table as TableStmt, extension::postgres::Type,
};

use crate::pipeline::diff::Change;
use crate::pipeline::plan::{Step, only_additions};
use crate::pipeline::schema::{Action, Column, ColumnType, Default, ForeignKey, Index, Table};

/// `"name"` with inner quotes doubled.
pub(crate) fn pg_quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `'text'` with inner quotes doubled.
pub(crate) fn sql_string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The name a new index or foreign key gets when the schema gives none, sea-orm style.
pub(crate) fn object_name(prefix: &str, table: &str, name: &str, columns: &[String]) -> String {
    if name.is_empty() { format!("{prefix}-{table}-{}", columns.join("-")) } else { name.to_owned() }
}

/// PostgreSQL: the statements that change one column's type, nullability, default and comment.
pub(crate) fn pg_alter_column(table: &str, current: &Column, desired: &Column) -> Vec<String> {
    let (t, c) = (pg_quote(table), pg_quote(&desired.name));
    let mut out = Vec::new();
    if current.ty != desired.ty {
        let ty = crate::pipeline::normalize::render_type(DbBackend::Postgres, &sea_type(&desired.ty));
        out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} TYPE {ty} USING {c}::{ty}"));
    }
    if current.nullable != desired.nullable {
        let verb = if desired.nullable { "DROP" } else { "SET" };
        out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} {verb} NOT NULL"));
    }
    if current.default != desired.default {
        out.push(match &desired.default {
            None => format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"),
            Some(Default::CurrentTimestamp) => {
                format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT CURRENT_TIMESTAMP")
            }
            Some(Default::Literal(sql) | Default::Expression(sql)) => {
                format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {sql}")
            }
        });
    }
    if current.comment != desired.comment {
        let text = desired.comment.as_deref().map(sql_string).unwrap_or_else(|| "NULL".into());
        out.push(format!("COMMENT ON COLUMN {t}.{c} IS {text}"));
    }
    out
}

/// PostgreSQL: adds new enum values in their declared place, or, when a value goes away or the
/// order changes, replaces the type with one holding exactly the desired values, converting every
/// column of the schema that uses it.
pub(crate) fn pg_alter_enum(name: &str, current: &[String], desired: &[String]) -> Vec<String> {
    let q = pg_quote(name);
    if only_additions(current, desired) {
        return desired
            .iter()
            .enumerate()
            .filter(|(_, v)| !current.contains(v))
            .map(|(i, value)| {
                let place = match i {
                    0 => desired.get(1).map(|next| format!(" BEFORE {}", sql_string(next))).unwrap_or_default(),
                    _ => format!(" AFTER {}", sql_string(&desired[i - 1])),
                };
                format!("ALTER TYPE {q} ADD VALUE IF NOT EXISTS {}{place}", sql_string(value))
            })
            .collect();
    }
    let values = desired.iter().map(|v| sql_string(v)).collect::<Vec<_>>().join(", ");
    let old_name = format!("{name}__autogen_old");
    let old = pg_quote(&old_name);
    // Rows that use a value that goes away stop the migration with a message saying where.
    let kept = desired.iter().map(|v| sql_string(v)).collect::<Vec<_>>().join(", ").replace('\'', "''");
    let convert = format!(
        "DO $$ DECLARE r record; n bigint; BEGIN FOR r IN SELECT c.relname, a.attname FROM pg_attribute a \
         JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE a.atttypid = {}::regtype AND n.nspname = current_schema() AND c.relkind = 'r' LOOP \
         EXECUTE format('SELECT count(*) FROM %I WHERE %I::text NOT IN ({kept})', r.relname, r.attname) INTO n; \
         IF n > 0 THEN RAISE EXCEPTION 'enum {name}: % rows of %.% hold a value that this migration removes; change them first', n, r.relname, r.attname; END IF; \
         EXECUTE format('ALTER TABLE %I ALTER COLUMN %I TYPE {q} USING %I::text::{q}', r.relname, r.attname, r.attname); \
         END LOOP; END $$",
        sql_string(&old_name)
    );
    vec![
        format!("ALTER TYPE {q} RENAME TO {old}"),
        format!("CREATE TYPE {q} AS ENUM ({values})"),
        convert,
        format!("DROP TYPE {old}"),
    ]
}

/// The statements that replace a table's primary key on `backend` (PostgreSQL or MySQL).
pub(crate) fn set_primary_key(table: &str, desired: &[String], backend: DbBackend) -> Vec<String> {
    match backend {
        DbBackend::Postgres => {
            // The key's constraint name depends on who made it; look it up.
            let mut out = vec![format!(
                "DO $$ DECLARE k text; BEGIN SELECT conname INTO k FROM pg_constraint \
                 WHERE conrelid = {}::regclass AND contype = 'p'; \
                 IF k IS NOT NULL THEN EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', {}, k); END IF; END $$",
                sql_string(&pg_quote(table)),
                sql_string(table)
            )];
            if !desired.is_empty() {
                let columns = desired.iter().map(|c| pg_quote(c)).collect::<Vec<_>>().join(", ");
                out.push(format!("ALTER TABLE {} ADD PRIMARY KEY ({columns})", pg_quote(table)));
            }
            out
        }
        _ => {
            let columns = desired.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
            vec![if desired.is_empty() {
                format!("ALTER TABLE `{table}` DROP PRIMARY KEY")
            } else {
                format!("ALTER TABLE `{table}` DROP PRIMARY KEY, ADD PRIMARY KEY ({columns})")
            }]
        }
    }
}

/// The statement that sets or removes a table comment on `backend` (PostgreSQL or MySQL).
pub(crate) fn table_comment(table: &str, desired: Option<&str>, backend: DbBackend) -> String {
    let text = desired.map(sql_string);
    match backend {
        DbBackend::Postgres => {
            format!("COMMENT ON TABLE {} IS {}", pg_quote(table), text.unwrap_or_else(|| "NULL".into()))
        }
        _ => format!("ALTER TABLE `{table}` COMMENT = {}", text.unwrap_or_else(|| "''".into())),
    }
}

/// PostgreSQL: the comment of a new column, which CREATE TABLE and ADD COLUMN cannot carry.
pub(crate) fn pg_column_comment(table: &str, column: &Column) -> Option<String> {
    column.comment.as_ref().map(|text| {
        format!("COMMENT ON COLUMN {}.{} IS {}", pg_quote(table), pg_quote(&column.name), sql_string(text))
    })
}

/// PostgreSQL: a named unique constraint.
pub(crate) fn pg_add_unique(table: &str, index: &Index) -> String {
    let columns = index.columns.iter().map(|c| pg_quote(c)).collect::<Vec<_>>().join(", ");
    format!("ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({columns})", pg_quote(table), pg_quote(&index.name))
}

/// PostgreSQL: drops a constraint by name.
pub(crate) fn pg_drop_constraint(table: &str, name: &str) -> String {
    format!("ALTER TABLE {} DROP CONSTRAINT {}", pg_quote(table), pg_quote(name))
}

/// Whether an index is a named unique constraint that PostgreSQL should keep as a constraint.
pub(crate) fn is_named_constraint(index: &Index) -> bool {
    index.constraint && index.unique && !index.name.is_empty()
}

/// Whether a table's index is written inline as a column's `UNIQUE`.
pub(crate) fn is_inline_unique(index: &Index) -> bool {
    index.unique && index.constraint && index.columns.len() == 1
}

/// The name a SQLite rebuild gives the new table while the old one still exists.
pub(crate) fn rebuild_name(table: &str) -> String {
    format!("__autogen_new_{table}")
}

/// SQLite rebuild: copies the columns both tables have, under their new names, and fills new
/// columns that have a backfill expression.
pub(crate) fn rebuild_copy(
    current: &Table,
    desired: &Table,
    renames: &BTreeMap<String, String>,
    fills: &BTreeMap<String, String>,
) -> String {
    let mut pairs: Vec<(String, String)> = current
        .columns
        .iter()
        .filter_map(|c| {
            let to = renames.get(&c.name).cloned().unwrap_or_else(|| c.name.clone());
            desired.column(&to).map(|_| (pg_quote(&c.name), to))
        })
        .collect();
    for (column, expr) in fills {
        if !pairs.iter().any(|(_, to)| to == column) && desired.column(column).is_some() {
            pairs.push((format!("({expr})"), column.clone()));
        }
    }
    let targets = pairs.iter().map(|(_, to)| pg_quote(to)).collect::<Vec<_>>().join(", ");
    let sources = pairs.iter().map(|(from, _)| from.as_str()).collect::<Vec<_>>().join(", ");
    format!(
        "INSERT INTO {} ({targets}) SELECT {sources} FROM {}",
        pg_quote(&rebuild_name(&desired.name)),
        pg_quote(&current.name)
    )
}

/// SQLite: the statements that recreate the triggers of `table`.
pub(crate) fn sqlite_triggers_query(table: &str) -> String {
    format!("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = {}", sql_string(table))
}

/// An identifier quoted for `backend`.
pub(crate) fn quote_ident(backend: DbBackend, name: &str) -> String {
    match backend {
        DbBackend::MySql => format!("`{}`", name.replace('`', "``")),
        _ => pg_quote(name),
    }
}

/// `--backfill`: fills the rows a new column left NULL.
pub(crate) fn backfill_update(backend: DbBackend, table: &str, column: &str, expr: &str) -> String {
    let (t, c) = (quote_ident(backend, table), quote_ident(backend, column));
    format!("UPDATE {t} SET {c} = ({expr}) WHERE {c} IS NULL")
}

/// The sea-query type for an IR type.
pub(crate) fn sea_type(ty: &ColumnType) -> sea_query::ColumnType {
    use sea_query::ColumnType as T;
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
        ColumnType::Enum { name, values } if !values.is_empty() => T::Enum {
            name: Alias::new(name.as_str()).into_iden(),
            variants: values.iter().map(|v| Alias::new(v.as_str()).into_iden()).collect(),
        },
        ColumnType::Enum { name, .. } if !name.is_empty() => T::Custom(Alias::new(name.as_str()).into_iden()),
        ColumnType::Enum { .. } => T::Custom(Alias::new("enum_text").into_iden()),
        ColumnType::Other(text) => T::Custom(Alias::new(text.as_str()).into_iden()),
    }
}

/// The SQL of `steps` on `backend`, one statement per entry, in running order.
pub fn preview(steps: &[Step], backend: DbBackend) -> Vec<String> {
    let mut sql = Sql { backend, out: Vec::new() };
    let rebuilds = steps.iter().any(|s| matches!(s, Step::RebuildTable { .. }));
    if rebuilds {
        sql.raw("PRAGMA foreign_keys = OFF");
        sql.raw("BEGIN");
    }
    for step in steps {
        match step {
            Step::Change(change) => sql.change(change),
            Step::RebuildTable { current, desired, renames, fills, .. } => {
                sql.rebuild(current, desired, renames, fills)
            }
            Step::Backfill { table, column, expr } => sql.backfill(table, column, expr),
        }
    }
    if rebuilds {
        sql.raw("PRAGMA foreign_key_check");
        sql.raw("COMMIT");
        sql.raw("PRAGMA foreign_keys = ON");
    }
    sql.out
}

struct Sql {
    backend: DbBackend,
    out: Vec<String>,
}

impl Sql {
    fn raw(&mut self, sql: impl Into<String>) {
        self.out.push(sql.into());
    }

    fn statement<S: SchemaStatementBuilder>(&mut self, statement: &S) {
        let text = match self.backend {
            DbBackend::MySql => statement.to_string(MysqlQueryBuilder),
            DbBackend::Postgres => statement.to_string(PostgresQueryBuilder),
            _ => statement.to_string(SqliteQueryBuilder),
        };
        self.out.push(text);
    }

    fn postgres(&self) -> bool {
        self.backend == DbBackend::Postgres
    }

    fn change(&mut self, change: &Change) {
        match change {
            Change::CreateEnum { name, values } if self.postgres() => self.raw(
                Type::create()
                    .as_enum(Alias::new(name.as_str()))
                    .values(values.iter().map(|v| Alias::new(v.as_str())))
                    .to_owned()
                    .to_string(PostgresQueryBuilder),
            ),
            Change::DropEnum { name, .. } if self.postgres() => {
                self.raw(Type::drop().name(Alias::new(name.as_str())).to_owned().to_string(PostgresQueryBuilder))
            }
            Change::AlterEnum { name, current, desired } if self.postgres() => {
                self.out.extend(pg_alter_enum(name, current, desired))
            }
            Change::CreateEnum { .. } | Change::DropEnum { .. } | Change::AlterEnum { .. } => {}
            Change::AddTable(table) => self.create_table(table, &table.name),
            Change::DropTable(table) => {
                self.statement(&TableStmt::drop().table(Alias::new(table.name.as_str())).to_owned())
            }
            Change::AddColumn { table, column } => {
                let mut def = column_def(column, false);
                self.statement(&TableStmt::alter().table(Alias::new(table.as_str())).add_column(&mut def).to_owned());
                if self.postgres() {
                    self.out.extend(pg_column_comment(table, column));
                }
            }
            Change::DropColumn { table, column } => self.statement(
                &TableStmt::alter()
                    .table(Alias::new(table.as_str()))
                    .drop_column(Alias::new(column.name.as_str()))
                    .to_owned(),
            ),
            Change::RenameColumn { table, current, desired } => self.statement(
                &TableStmt::alter()
                    .table(Alias::new(table.as_str()))
                    .rename_column(Alias::new(current.as_str()), Alias::new(desired.as_str()))
                    .to_owned(),
            ),
            Change::AlterColumn { table, current, desired } => {
                if self.postgres() {
                    self.out.extend(pg_alter_column(table, current, desired));
                } else {
                    let mut def = column_def(desired, false);
                    self.statement(&TableStmt::alter().table(Alias::new(table.as_str())).modify_column(&mut def).to_owned());
                }
            }
            Change::AddIndex { table, index } => self.create_index(table, index),
            Change::DropIndex { table, index } => {
                if self.postgres() && index.constraint && !index.name.is_empty() {
                    self.raw(pg_drop_constraint(table, &index.name));
                } else {
                    let name = object_name("idx", table, &index.name, &index.columns);
                    self.statement(&IndexStmt::drop().name(name).table(Alias::new(table.as_str())).to_owned());
                }
            }
            Change::AddForeignKey { table, foreign_key } => {
                self.statement(&foreign_key_create(table, foreign_key))
            }
            Change::DropForeignKey { table, foreign_key } => {
                let name = object_name("fk", table, &foreign_key.name, &foreign_key.columns);
                self.statement(&ForeignKeyStmt::drop().name(name.as_str()).table(Alias::new(table.as_str())).to_owned());
                if self.backend == DbBackend::MySql {
                    self.raw(format!("-- only where InnoDB made it for the foreign key:\nDROP INDEX `{name}` ON `{table}`"));
                }
            }
            Change::SetPrimaryKey { table, desired, .. } => {
                self.out.extend(set_primary_key(table, desired, self.backend))
            }
            Change::SetTableComment { table, desired, .. } => {
                if self.backend != DbBackend::Sqlite {
                    self.raw(table_comment(table, desired.as_deref(), self.backend));
                }
            }
        }
    }

    fn create_index(&mut self, table: &str, index: &Index) {
        if self.postgres() && is_named_constraint(index) {
            self.raw(pg_add_unique(table, index));
        } else {
            self.statement(&index_create(table, index));
        }
    }

    fn create_table(&mut self, table: &Table, as_name: &str) {
        let mut create = TableStmt::create();
        create.table(Alias::new(as_name));
        let single_key = table.primary_key.len() == 1;
        for column in &table.columns {
            let mut def = column_def(column, single_key && table.primary_key[0] == column.name);
            if table.indexes.iter().any(|i| is_inline_unique(i) && i.columns == [column.name.clone()]) {
                def.unique_key();
            }
            create.col(&mut def);
        }
        if table.primary_key.len() > 1 {
            let mut key = IndexStmt::create();
            for column in &table.primary_key {
                key.col(Alias::new(column.as_str()));
            }
            create.primary_key(&mut key);
        }
        for fk in &table.foreign_keys {
            create.foreign_key(&mut foreign_key_create(&table.name, fk));
        }
        if let Some(comment) = &table.comment {
            create.comment(comment);
        }
        self.statement(&create);
        for index in table.indexes.iter().filter(|i| !is_inline_unique(i)) {
            self.create_index(as_name, index);
        }
        if self.postgres() {
            if let Some(text) = &table.comment {
                self.raw(format!("COMMENT ON TABLE {} IS {}", pg_quote(as_name), sql_string(text)));
            }
            for column in &table.columns {
                self.out.extend(pg_column_comment(as_name, column));
            }
        }
    }

    fn backfill(&mut self, table: &str, column: &Column, expr: &str) {
        let nullable = Column { nullable: true, ..column.clone() };
        self.change(&Change::AddColumn { table: table.to_owned(), column: nullable.clone() });
        self.raw(backfill_update(self.backend, table, &column.name, expr));
        self.change(&Change::AlterColumn { table: table.to_owned(), current: nullable, desired: column.clone() });
    }

    fn rebuild(
        &mut self,
        current: &Table,
        desired: &Table,
        renames: &BTreeMap<String, String>,
        fills: &BTreeMap<String, String>,
    ) {
        let temp = rebuild_name(&desired.name);
        let mut inline = desired.clone();
        inline.indexes.retain(is_inline_unique);
        self.create_table(&inline, &temp);
        self.raw(rebuild_copy(current, desired, renames, fills));
        self.raw(format!("-- the triggers of {} are read here and recreated after the rename", current.name));
        self.statement(&TableStmt::drop().table(Alias::new(current.name.as_str())).to_owned());
        self.statement(
            &TableStmt::rename()
                .table(Alias::new(temp.as_str()), Alias::new(desired.name.as_str()))
                .to_owned(),
        );
        for index in desired.indexes.iter().filter(|i| !is_inline_unique(i)) {
            self.create_index(&desired.name, index);
        }
    }
}

fn column_def(column: &Column, primary_key: bool) -> ColumnDef {
    let mut def = ColumnDef::new_with_type(Alias::new(column.name.as_str()), sea_type(&column.ty));
    if column.nullable {
        def.null();
    } else {
        def.not_null();
    }
    if column.auto_increment {
        def.auto_increment();
    }
    if primary_key {
        def.primary_key();
    }
    match &column.default {
        Some(Default::CurrentTimestamp) => {
            def.default(Expr::current_timestamp());
        }
        Some(Default::Literal(sql) | Default::Expression(sql)) => {
            def.default(Expr::cust(sql.clone()));
        }
        None => {}
    }
    if let Some(comment) = &column.comment {
        def.comment(comment);
    }
    def
}

fn action(action: Action) -> ForeignKeyAction {
    match action {
        Action::NoAction => ForeignKeyAction::NoAction,
        Action::Restrict => ForeignKeyAction::Restrict,
        Action::Cascade => ForeignKeyAction::Cascade,
        Action::SetNull => ForeignKeyAction::SetNull,
        Action::SetDefault => ForeignKeyAction::SetDefault,
    }
}

fn foreign_key_create(table: &str, fk: &ForeignKey) -> sea_query::ForeignKeyCreateStatement {
    let mut create = ForeignKeyStmt::create();
    create
        .name(object_name("fk", table, &fk.name, &fk.columns))
        .from_tbl(Alias::new(table))
        .to_tbl(Alias::new(fk.ref_table.as_str()))
        .on_delete(action(fk.on_delete))
        .on_update(action(fk.on_update));
    for column in &fk.columns {
        create.from_col(Alias::new(column.as_str()));
    }
    for column in &fk.ref_columns {
        create.to_col(Alias::new(column.as_str()));
    }
    create
}

fn index_create(table: &str, index: &Index) -> sea_query::IndexCreateStatement {
    let mut create = IndexStmt::create();
    create.name(object_name("idx", table, &index.name, &index.columns)).table(Alias::new(table));
    for column in &index.columns {
        create.col(Alias::new(column.as_str()));
    }
    if index.unique {
        create.unique();
    }
    create
}
