//! What one entity declares, read into plain data with as little code per entity as possible.
//!
//! The registry a project's binary compiles calls [`EntityParts::of`] once per entity, and the
//! binary is rebuilt whenever an entity changes: every line of code generic over the entity is
//! compiled a thousand times in a project of a thousand entities. So [`EntityParts::of`] is three
//! plain loops over what the entity's own crate has already compiled (its columns' `def()`, its
//! key's columns, its relations' `def()`), with no iterator adaptor and no call into sea-orm's
//! generic schema helpers; everything else (the column statements and the attribute indexes
//! sea-orm's `Schema` would build from them) is built here, by code compiled once.
//!
//! sea-orm keeps five facts of a column definition private: `indexed`, `comment`, `unique_key`,
//! `renamed_from` and `extra` (its helpers read them, but they are generic over the entity).
//! [`Attributes::of`] reads them from the definition's `Debug` text (every string in it escaped,
//! so that the text is read unambiguously) and then proves the reading: the definition rebuilt
//! from what was read through sea-orm's public builder must equal the original. A definition that
//! does not read back (a sea-orm that changed the struct) is an error, never a guess.

use std::collections::BTreeMap;

use sea_orm::sea_query::{self, Alias, ColumnDef, IndexCreateStatement, TableName, TableRef};
use sea_orm::{
    ColumnTrait, ColumnTypeTrait, DbBackend, EntityTrait, IdenStatic, Iterable, PrimaryKeyArity,
    PrimaryKeyToColumn, PrimaryKeyTrait, RelationTrait,
};

use crate::quote;
use crate::{Error, Result};

/// What one entity declares, read once into plain data: everything the desired schema needs
/// from it.
#[derive(Debug, Clone)]
pub struct EntityParts {
    /// The table (and schema) the entity names.
    pub table: TableRef,
    /// The entity's table comment.
    pub comment: Option<String>,
    /// Its columns, in declaration order.
    pub columns: Vec<EntityColumn>,
    /// The names of its primary key's columns, in key order.
    pub primary_key: Vec<String>,
    /// Its relations; those it owns the foreign key of become foreign keys.
    pub relations: Vec<sea_orm::RelationDef>,
    /// The indexes its attributes declare (`indexed`, `unique_key`), as sea-orm builds them.
    pub indexes: Vec<IndexCreateStatement>,
}

/// One column of an [`EntityParts`].
#[derive(Debug, Clone)]
pub struct EntityColumn {
    /// As the entity declares it (the enum's name and values stay here).
    pub declared: sea_orm::ColumnDef,
    /// The column of sea-orm's `CREATE TABLE` for it (key, nullability, default, comment).
    pub statement: ColumnDef,
}

/// What [`EntityParts::of`] reads with code compiled per entity, before anything is built.
struct Declared {
    table: TableRef,
    table_name: &'static str,
    comment: Option<String>,
    columns: Vec<(&'static str, sea_orm::ColumnDef)>,
    primary_key: Vec<&'static str>,
    /// The key's value is a single column (sea-orm marks that column `PRIMARY KEY`).
    single_key: bool,
    auto_increment: bool,
    relations: Vec<sea_orm::RelationDef>,
}

impl EntityParts {
    /// Reads what `entity` declares, for `backend`. The only code compiled per entity: plain
    /// loops that collect, with no logic of their own (see the module's documentation).
    pub fn of<E: EntityTrait>(entity: E, backend: DbBackend) -> Result<EntityParts> {
        let mut declared = Declared {
            table: entity.table_ref(),
            table_name: entity.table_name(),
            comment: entity.comment().map(str::to_owned),
            columns: Vec::new(),
            primary_key: Vec::new(),
            single_key: <<E::PrimaryKey as PrimaryKeyTrait>::ValueType as PrimaryKeyArity>::ARITY == 1,
            auto_increment: E::PrimaryKey::auto_increment(),
            relations: Vec::new(),
        };
        for column in E::Column::iter() {
            declared.columns.push((column.as_str(), column.def()));
        }
        for key in E::PrimaryKey::iter() {
            declared.primary_key.push(key.into_column().as_str());
        }
        for relation in E::Relation::iter() {
            declared.relations.push(relation.def());
        }
        Self::build(declared, backend)
    }

    /// Builds the column statements and attribute indexes sea-orm's `Schema` would build.
    fn build(mut declared: Declared, backend: DbBackend) -> Result<EntityParts> {
        let mut columns = Vec::with_capacity(declared.columns.len());
        let mut indexes = Vec::new();
        let mut unique_keys: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        let index_table = index_table(&declared.table, backend);
        for (name, def) in std::mem::take(&mut declared.columns) {
            let attributes = Attributes::of(&def)
                .map_err(|why| Error::Entities(format!("column {}.{name}: {why}", declared.table_name)))?;
            let key = declared.primary_key.contains(&name).then_some(Key {
                auto_increment: declared.auto_increment,
                single: declared.single_key,
            });
            let statement = column_statement(name, &def, &attributes, backend, key);
            if attributes.indexed && !def.is_unique() {
                indexes.push(
                    sea_query::Index::create()
                        .name(format!("idx-{}-{name}", declared.table_name))
                        .table(index_table.clone())
                        .col(Alias::new(name))
                        .take(),
                );
            }
            if let Some(group) = &attributes.unique_key {
                unique_keys.entry(group.clone()).or_default().push(name);
            }
            columns.push(EntityColumn { declared: def, statement });
        }
        for (group, names) in unique_keys {
            let mut index = sea_query::Index::create();
            index.name(format!("idx-{}-{group}", declared.table_name)).table(index_table.clone()).unique();
            for name in names {
                index.col(Alias::new(name));
            }
            indexes.push(index);
        }
        Ok(EntityParts {
            table: declared.table,
            comment: declared.comment,
            columns,
            primary_key: declared.primary_key.into_iter().map(str::to_owned).collect(),
            relations: declared.relations,
            indexes,
        })
    }
}

/// How the entity's primary key marks a column of it.
struct Key {
    auto_increment: bool,
    /// The key is this column alone: sea-orm writes `PRIMARY KEY` on it.
    single: bool,
}

/// The column of sea-orm's `CREATE TABLE` for column `name` declared as `def`; `key` when the
/// column is one of the primary key's.
fn column_statement(
    name: &str,
    def: &sea_orm::ColumnDef,
    attributes: &Attributes,
    backend: DbBackend,
    key: Option<Key>,
) -> ColumnDef {
    let ty = match def.get_column_type() {
        sea_query::ColumnType::Enum { name, variants } => match backend {
            DbBackend::MySql => {
                let values: Vec<String> = variants.iter().map(|v| quote::string(backend, &v.to_string())).collect();
                sea_query::ColumnType::custom(format!("ENUM({})", values.join(", ")))
            }
            DbBackend::Postgres => sea_query::ColumnType::Custom(name.clone()),
            _ => def.get_column_type().clone(),
        },
        other => other.clone(),
    };
    let mut statement = ColumnDef::new_with_type(Alias::new(name), ty);
    if !def.is_null() {
        statement.not_null();
    }
    if def.is_unique() {
        statement.unique_key();
    }
    if let Some(default) = def.get_column_default() {
        statement.default(default.clone());
    }
    if let Some(extra) = &attributes.extra {
        statement.extra(extra);
    }
    // sea-orm carries `renamed_from` in the comment.
    let comment = match (&attributes.renamed_from, &attributes.comment) {
        (Some(from), Some(comment)) => Some(format!("{comment}; renamed_from \"{from}\"")),
        (Some(from), None) => Some(format!("renamed_from \"{from}\"")),
        (None, comment) => comment.clone(),
    };
    if let Some(comment) = comment {
        statement.comment(comment);
    }
    if let Some(key) = key {
        if key.auto_increment {
            statement.auto_increment();
        }
        if key.single {
            statement.primary_key();
        }
    }
    statement
}

/// The table an attribute index names: PostgreSQL keeps the schema; sea-query's MySQL and SQLite
/// index statements take a bare table name.
fn index_table(table: &TableRef, backend: DbBackend) -> TableRef {
    match (backend, table) {
        (DbBackend::MySql | DbBackend::Sqlite, TableRef::Table(TableName(Some(_), name), alias)) => {
            TableRef::Table(TableName(None, name.clone()), alias.clone())
        }
        _ => table.clone(),
    }
}

/// The facts of a column definition that sea-orm keeps private.
#[derive(Debug, Default, PartialEq)]
struct Attributes {
    indexed: bool,
    comment: Option<String>,
    unique_key: Option<String>,
    renamed_from: Option<String>,
    extra: Option<String>,
}

impl Attributes {
    /// Reads them from `def`'s `Debug` text, and proves the reading by rebuilding `def`.
    fn of(def: &sea_orm::ColumnDef) -> std::result::Result<Attributes, String> {
        // Most columns have none of them: then the definition rebuilds without reading any.
        let none = Attributes::default();
        if none.rebuild(def) == *def {
            return Ok(none);
        }
        let text = format!("{def:?}");
        let fields = debug_fields(&text).ok_or("its definition does not read as sea-orm 2's ColumnDef")?;
        let field = |name: &str| fields.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        let string = |name: &str| -> std::result::Result<Option<String>, String> {
            match field(name) {
                Some("None") => Ok(None),
                Some(value) => value
                    .strip_prefix("Some(")
                    .and_then(|v| v.strip_suffix(')'))
                    .and_then(debug_string)
                    .map(Some)
                    .ok_or_else(|| format!("`{name}` does not read as a string: {value}")),
                None => Err(format!("its definition has no `{name}`")),
            }
        };
        let attributes = Attributes {
            indexed: match field("indexed") {
                Some("true") => true,
                Some("false") => false,
                _ => return Err("its definition has no `indexed`".to_owned()),
            },
            comment: string("comment")?,
            unique_key: string("unique_key")?,
            renamed_from: string("renamed_from")?,
            extra: string("extra")?,
        };
        if attributes.rebuild(def) != *def {
            return Err("its definition does not read back (a sea-orm this engine does not know?)".to_owned());
        }
        Ok(attributes)
    }

    /// `def` rebuilt from its public facts and these, through sea-orm's builder.
    fn rebuild(&self, def: &sea_orm::ColumnDef) -> sea_orm::ColumnDef {
        let mut rebuilt = def.get_column_type().clone().def();
        if def.is_null() {
            rebuilt = rebuilt.null();
        }
        if def.is_unique() {
            rebuilt = rebuilt.unique();
        }
        if self.indexed {
            rebuilt = rebuilt.indexed();
        }
        if let Some(default) = def.get_column_default() {
            rebuilt = rebuilt.default(default.clone());
        }
        if let Some(comment) = &self.comment {
            rebuilt = rebuilt.comment(comment);
        }
        if let Some(key) = &self.unique_key {
            rebuilt = rebuilt.unique_key(key);
        }
        if let Some(from) = &self.renamed_from {
            rebuilt = rebuilt.renamed_from(from);
        }
        if let Some(extra) = &self.extra {
            rebuilt = rebuilt.extra(extra);
        }
        if def.seaography().ignore {
            rebuilt = rebuilt.seaography_ignore();
        }
        rebuilt
    }
}

/// The top-level fields of a derived `Debug` text `Name { a: .., b: .. }`, as (name, value
/// text). Brackets nest, and a string or character literal is skipped whole (its quotes are
/// escaped inside it), so that no text inside a value is taken for structure.
fn debug_fields(text: &str) -> Option<Vec<(&str, &str)>> {
    let open = text.find(" { ")?;
    let body = text[open + 3..].strip_suffix(" }")?;
    let mut fields = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            // A string or character literal, to its closing quote; `\` escapes the next
            // character.
            quote @ ('"' | '\'') => {
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        c if c == quote => break,
                        _ => {}
                    }
                }
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.checked_sub(1)?,
            ',' if depth == 0 => {
                fields.push(field(&body[start..i])?);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return None;
    }
    fields.push(field(&body[start..])?);
    Some(fields)
}

/// `name: value`, trimmed.
fn field(text: &str) -> Option<(&str, &str)> {
    let (name, value) = text.trim().split_once(": ")?;
    Some((name, value))
}

/// The text of a string literal as `Debug` writes it (`"..."` with `\"`, `\\`, `\n`, `\r`, `\t`,
/// `\'`, `\0` and `\u{..}` escapes); `None` for anything else.
fn debug_string(literal: &str) -> Option<String> {
    let inner = literal.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            '0' => '\0',
            c @ ('\\' | '"' | '\'') => c,
            'u' => {
                let rest = chars.as_str().strip_prefix('{')?;
                let (hex, after) = rest.split_once('}')?;
                let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                chars = after.chars();
                c
            }
            _ => return None,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use sea_orm::ColumnTypeTrait;
    use sea_orm::sea_query::{ColumnType, Expr, StringLen};

    use super::*;

    /// Column definitions with every attribute, hostile text included.
    fn definitions() -> Vec<sea_orm::ColumnDef> {
        let base = ColumnType::String(StringLen::N(40)).def();
        vec![
            base.clone(),
            base.clone().null().unique().indexed(),
            base.clone().comment("it's \"quoted\", with \\ and , and } and: colons").extra("CHECK (x <> '}')"),
            base.clone().unique_key("a \" key, }").renamed_from("old\nname\t\u{7}\u{301}"),
            base.clone().default(Expr::val("a \"default\", { }")).comment("ColumnDef { indexed: true }"),
            ColumnType::Char(Some(1)).def().default(Expr::val('{')).comment("a char"),
            ColumnType::Char(Some(1)).def().default(Expr::val('\'')).unique_key("q"),
            ColumnType::Enum {
                name: Alias::new("mood").into_iden(),
                variants: vec![Alias::new("it's").into_iden(), Alias::new("b\"c").into_iden(), Alias::new("x}(y, z: [").into_iden()],
            }
            .def()
            .seaography_ignore(),
        ]
    }

    #[test]
    fn private_attributes_read_back_exactly() {
        let read: Vec<Attributes> = definitions().iter().map(|d| Attributes::of(d).unwrap()).collect();
        assert_eq!(read[0], Attributes::default());
        assert!(read[1].indexed);
        assert_eq!(read[2].comment.as_deref(), Some("it's \"quoted\", with \\ and , and } and: colons"));
        assert_eq!(read[2].extra.as_deref(), Some("CHECK (x <> '}')"));
        assert_eq!(read[3].unique_key.as_deref(), Some("a \" key, }"));
        assert_eq!(read[3].renamed_from.as_deref(), Some("old\nname\t\u{7}\u{301}"));
        assert_eq!(read[4].comment.as_deref(), Some("ColumnDef { indexed: true }"));
        assert!(!read[4].indexed);
        assert_eq!(read[5].comment.as_deref(), Some("a char"));
        assert_eq!(read[6].unique_key.as_deref(), Some("q"));
    }

    #[test]
    fn a_debug_text_that_does_not_read_back_is_refused() {
        assert!(debug_fields("ColumnDef { a: (, b: 1 }").is_none());
        assert!(debug_fields("no fields").is_none());
        assert_eq!(debug_string("\"a\\u{1f600}b\\\"\""), Some("a\u{1f600}b\"".to_owned()));
        assert_eq!(debug_string("\"a\\qb\""), None);
    }

    use sea_orm::sea_query::IntoIden;

    #[test]
    fn a_mysql_enum_has_its_values_quoted() {
        let def = ColumnType::Enum {
            name: Alias::new("mood").into_iden(),
            variants: vec![Alias::new("it's").into_iden(), Alias::new("a\\b").into_iden()],
        }
        .def();
        let attributes = Attributes::of(&def).unwrap();
        let statement = column_statement("mood", &def, &attributes, DbBackend::MySql, None);
        let sql = DbBackend::MySql.build(&sea_query::Table::create().table(Alias::new("t")).col(statement).take());
        assert!(sql.sql.contains("`mood` ENUM('it''s', 'a\\\\b')"), "{}", sql.sql);
    }

    proptest! {
        /// Any text in any private attribute reads back as itself.
        #[test]
        fn any_text_reads_back(comment in any::<String>(), key in any::<String>(), from in any::<String>(), extra in any::<String>(), indexed in any::<bool>()) {
            let mut def = ColumnType::Text.def().comment(&comment).unique_key(&key).renamed_from(&from).extra(&extra);
            if indexed {
                def = def.indexed();
            }
            let read = Attributes::of(&def).unwrap();
            prop_assert_eq!(read, Attributes { indexed, comment: Some(comment), unique_key: Some(key), renamed_from: Some(from), extra: Some(extra) });
        }
    }
}
