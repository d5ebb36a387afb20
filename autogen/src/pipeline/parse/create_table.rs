//! SQLite's `CREATE TABLE` text, as `sqlite_master.sql` stores it, taken apart into columns and
//! constraints that keep their byte spans, so a rebuild can edit one column definition and keep
//! every other clause byte for byte.

use std::ops::Range;

use super::lexer::{Cursor, TokenKind, tokenize};
use super::{Dialect, ParseError};

/// A parsed `CREATE TABLE` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateTable {
    /// The schema prefix (`main.`, `temp.`), when written.
    pub schema: Option<String>,
    /// The table name, unquoted.
    pub name: String,
    /// Whether the table is `TEMP` or `TEMPORARY`.
    pub temporary: bool,
    /// Whether `IF NOT EXISTS` is written.
    pub if_not_exists: bool,
    /// The column definitions, in order.
    pub columns: Vec<ColumnDef>,
    /// The table constraints, in order.
    pub constraints: Vec<TableConstraint>,
    /// The table options after the closing parenthesis (`WITHOUT ROWID`, `STRICT`), as written.
    pub options: String,
}

/// One column definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDef {
    /// The column name, unquoted.
    pub name: String,
    /// The declared type exactly as written; empty when the column has none.
    pub type_text: String,
    /// The byte span of the whole definition, from its name to its last constraint.
    pub span: Range<usize>,
    /// The column constraints, in order.
    pub constraints: Vec<ColumnConstraint>,
}

/// One column constraint with its optional name and byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnConstraint {
    /// The name given with `CONSTRAINT name`.
    pub name: Option<String>,
    /// What the constraint is.
    pub kind: ColumnConstraintKind,
    /// The byte span, from `CONSTRAINT` (or the constraint keyword) to its last token.
    pub span: Range<usize>,
}

/// The kinds of column constraint SQLite accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnConstraintKind {
    /// `PRIMARY KEY [ASC|DESC] [ON CONFLICT ..] [AUTOINCREMENT]`.
    PrimaryKey { descending: bool, on_conflict: Option<String>, autoincrement: bool },
    /// `NOT NULL [ON CONFLICT ..]`.
    NotNull { on_conflict: Option<String> },
    /// `NULL`.
    Null,
    /// `UNIQUE [ON CONFLICT ..]`.
    Unique { on_conflict: Option<String> },
    /// `CHECK (expr)`, holding the expression text between the parentheses.
    Check(String),
    /// `DEFAULT value`, holding the value as written: a literal, a signed number, a
    /// parenthesised expression or a keyword such as `CURRENT_TIMESTAMP`.
    Default(String),
    /// `COLLATE name`, holding the unquoted collation name.
    Collate(String),
    /// A `REFERENCES` clause.
    References(ForeignKeyClause),
    /// `[GENERATED ALWAYS] AS (expr) [STORED|VIRTUAL]`, holding the expression text.
    Generated { expression: String, stored: bool },
}

/// A `REFERENCES` clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKeyClause {
    /// The referenced table, unquoted.
    pub table: String,
    /// The referenced columns; empty when the clause names none (the primary key).
    pub columns: Vec<String>,
    /// The `ON DELETE` action in lower case (`cascade`, `set null`, ...).
    pub on_delete: Option<String>,
    /// The `ON UPDATE` action in lower case.
    pub on_update: Option<String>,
    /// The `MATCH` and `DEFERRABLE` clauses as written, joined by a space; empty when absent.
    pub extra: String,
}

/// One table constraint with its optional name and byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableConstraint {
    /// The name given with `CONSTRAINT name`.
    pub name: Option<String>,
    /// What the constraint is.
    pub kind: TableConstraintKind,
    /// The byte span, from `CONSTRAINT` (or the constraint keyword) to its last token.
    pub span: Range<usize>,
}

/// The kinds of table constraint SQLite accepts. Per-column `COLLATE` and `ASC`/`DESC` inside a
/// key's column list stay in the constraint's span text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableConstraintKind {
    /// `PRIMARY KEY (columns) [ON CONFLICT ..]`.
    PrimaryKey { columns: Vec<String>, on_conflict: Option<String> },
    /// `UNIQUE (columns) [ON CONFLICT ..]`.
    Unique { columns: Vec<String>, on_conflict: Option<String> },
    /// `CHECK (expr)`, holding the expression text between the parentheses.
    Check(String),
    /// `FOREIGN KEY (columns) REFERENCES ..`.
    ForeignKey { columns: Vec<String>, references: ForeignKeyClause },
}

/// Parses SQLite's `CREATE TABLE` statement `sql`.
pub fn parse_create_table(sql: &str) -> Result<CreateTable, ParseError> {
    let tokens = tokenize(sql, Dialect::Sqlite)?;
    let mut parser = Cursor { sql, tokens: &tokens, pos: 0 };
    parser.create_table()
}

/// Words that end a column's type and start its constraints.
const CONSTRAINT_START: &[&str] =
    &["constraint", "primary", "not", "null", "unique", "check", "default", "collate", "references", "generated", "as"];

impl Cursor<'_, '_, '_> {
    fn create_table(&mut self) -> Result<CreateTable, ParseError> {
        self.expect_word("create")?;
        let temporary = self.eat_word("temp") || self.eat_word("temporary");
        self.expect_word("table")?;
        let if_not_exists = self.eat_word("if");
        if if_not_exists {
            self.expect_word("not")?;
            self.expect_word("exists")?;
        }
        let (schema, name) = self.qualified_name()?;
        if self.peek_is_word("as") {
            return self.error("a column list (CREATE TABLE .. AS SELECT is not supported)");
        }
        self.expect("(")?;
        let mut columns = Vec::new();
        let mut constraints = Vec::new();
        loop {
            let starts_constraint =
                ["constraint", "primary", "unique", "check", "foreign"].iter().any(|w| self.peek_is_word(w));
            if starts_constraint {
                constraints.push(self.table_constraint()?);
            } else if constraints.is_empty() {
                columns.push(self.column()?);
            } else {
                return self.error("a table constraint (columns come before table constraints)");
            }
            if !self.eat(",") {
                break;
            }
        }
        self.expect(")")?;
        let options_start = self.last_end();
        let mut options_end = options_start;
        while let Some(token) = self.peek() {
            if token.is(";") {
                self.pos += 1;
                break;
            }
            if !(token.is(",") || token.kind == TokenKind::Word) {
                return self.error("a table option");
            }
            options_end = token.span.end;
            self.pos += 1;
        }
        if let Some(token) = self.peek() {
            return Err(ParseError::new(format!("unexpected `{}` after the statement", token.text), token.span.start));
        }
        let options = self.sql[options_start..options_end].trim().to_owned();
        Ok(CreateTable { schema, name, temporary, if_not_exists, columns, constraints, options })
    }

    fn at_item_end(&self) -> bool {
        self.peek().is_none_or(|t| t.is(",") || t.is(")"))
    }

    fn column(&mut self) -> Result<ColumnDef, ParseError> {
        let start = self.peek().map_or(self.sql.len(), |t| t.span.start);
        let name = self.name()?;
        let mut type_span: Option<Range<usize>> = None;
        while !self.at_item_end() && !CONSTRAINT_START.iter().any(|w| self.peek_is_word(w)) {
            let token_start = self.peek().map_or(0, |t| t.span.start);
            if self.peek_is("(") {
                self.group()?;
            } else if self.peek().is_some_and(|t| t.name().is_some()) {
                self.pos += 1;
            } else {
                return self.error("a type name or a column constraint");
            }
            let end = self.last_end();
            type_span = Some(type_span.map_or(token_start..end, |span| span.start..end));
        }
        let mut constraints = Vec::new();
        while !self.at_item_end() {
            constraints.push(self.column_constraint()?);
        }
        let type_text = type_span.map_or_else(String::new, |span| self.sql[span].to_owned());
        Ok(ColumnDef { name, type_text, span: start..self.last_end(), constraints })
    }

    /// `CONSTRAINT name` if present, with the byte offset where the constraint starts.
    fn constraint_name(&mut self) -> Result<(Option<String>, usize), ParseError> {
        let start = self.peek().map_or(self.sql.len(), |t| t.span.start);
        let name = if self.eat_word("constraint") { Some(self.name()?) } else { None };
        Ok((name, start))
    }

    fn column_constraint(&mut self) -> Result<ColumnConstraint, ParseError> {
        use ColumnConstraintKind as Kind;
        let (name, start) = self.constraint_name()?;
        let kind = if self.eat_word("primary") {
            self.expect_word("key")?;
            let descending = self.eat_word("desc");
            if !descending {
                self.eat_word("asc");
            }
            let on_conflict = self.conflict_clause()?;
            let autoincrement = self.eat_word("autoincrement");
            Kind::PrimaryKey { descending, on_conflict, autoincrement }
        } else if self.eat_word("not") {
            self.expect_word("null")?;
            Kind::NotNull { on_conflict: self.conflict_clause()? }
        } else if self.eat_word("null") {
            self.conflict_clause()?;
            Kind::Null
        } else if self.eat_word("unique") {
            Kind::Unique { on_conflict: self.conflict_clause()? }
        } else if self.eat_word("check") {
            Kind::Check(self.group_text()?)
        } else if self.eat_word("default") {
            Kind::Default(self.default_value()?)
        } else if self.eat_word("collate") {
            Kind::Collate(self.name()?)
        } else if self.eat_word("references") {
            Kind::References(self.foreign_key_clause()?)
        } else if self.peek_is_word("generated") || self.peek_is_word("as") {
            if self.eat_word("generated") {
                self.expect_word("always")?;
            }
            self.expect_word("as")?;
            let expression = self.group_text()?;
            let stored = self.eat_word("stored");
            if !stored {
                self.eat_word("virtual");
            }
            Kind::Generated { expression, stored }
        } else {
            return self.error("a column constraint");
        };
        Ok(ColumnConstraint { name, kind, span: start..self.last_end() })
    }

    fn default_value(&mut self) -> Result<String, ParseError> {
        let start = self.peek().map_or(self.sql.len(), |t| t.span.start);
        if self.peek_is("(") {
            self.group()?;
        } else {
            let signed = self.eat("+") || self.eat("-");
            let Some(token) = self.peek() else {
                return self.error("a default value");
            };
            let literal = match token.kind {
                TokenKind::Number => true,
                TokenKind::String(_) | TokenKind::Blob(_) | TokenKind::Word | TokenKind::QuotedIdent(_) => !signed,
                _ => false,
            };
            // NULL starts a column constraint too, but after DEFAULT it is the value.
            if !literal
                || (token.kind == TokenKind::Word
                    && !token.is_word("null")
                    && CONSTRAINT_START.contains(&token.text.to_ascii_lowercase().as_str()))
            {
                return self.error("a default value");
            }
            self.pos += 1;
        }
        Ok(self.sql[start..self.last_end()].to_owned())
    }

    fn conflict_clause(&mut self) -> Result<Option<String>, ParseError> {
        if !self.eat_word("on") {
            return Ok(None);
        }
        self.expect_word("conflict")?;
        match self.peek() {
            Some(token) if ["rollback", "abort", "fail", "ignore", "replace"].iter().any(|w| token.is_word(w)) => {
                self.pos += 1;
                Ok(Some(token.text.to_ascii_lowercase()))
            }
            _ => self.error("a conflict resolution"),
        }
    }

    fn foreign_key_clause(&mut self) -> Result<ForeignKeyClause, ParseError> {
        let table = self.name()?;
        let columns = if self.peek_is("(") { self.name_list(false)? } else { Vec::new() };
        let (mut on_delete, mut on_update, mut extra) = (None, None, Vec::new());
        loop {
            let start = self.peek().map_or(0, |t| t.span.start);
            if self.eat_word("on") {
                let delete = self.eat_word("delete");
                if !delete {
                    self.expect_word("update")?;
                }
                let action = self.referential_action()?;
                if delete { on_delete = Some(action) } else { on_update = Some(action) }
            } else if self.eat_word("match") {
                self.name()?;
                extra.push(&self.sql[start..self.last_end()]);
            } else if self.peek_is_word("not") || self.peek_is_word("deferrable") {
                // `NOT DEFERRABLE`, but a column's `NOT NULL` ends the clause.
                if self.tokens.get(self.pos + 1).is_some_and(|t| t.is_word("null")) {
                    break;
                }
                self.eat_word("not");
                self.expect_word("deferrable")?;
                if self.eat_word("initially") && !(self.eat_word("deferred") || self.eat_word("immediate")) {
                    return self.error("`DEFERRED` or `IMMEDIATE`");
                }
                extra.push(&self.sql[start..self.last_end()]);
            } else {
                break;
            }
        }
        Ok(ForeignKeyClause { table, columns, on_delete, on_update, extra: extra.join(" ") })
    }

    fn referential_action(&mut self) -> Result<String, ParseError> {
        let action = if self.eat_word("set") {
            if self.eat_word("null") {
                "set null"
            } else {
                self.expect_word("default")?;
                "set default"
            }
        } else if self.eat_word("cascade") {
            "cascade"
        } else if self.eat_word("restrict") {
            "restrict"
        } else if self.eat_word("no") {
            self.expect_word("action")?;
            "no action"
        } else {
            return self.error("a referential action");
        };
        Ok(action.to_owned())
    }

    fn table_constraint(&mut self) -> Result<TableConstraint, ParseError> {
        use TableConstraintKind as Kind;
        let (name, start) = self.constraint_name()?;
        let kind = if self.eat_word("primary") {
            self.expect_word("key")?;
            let columns = self.name_list(true)?;
            Kind::PrimaryKey { columns, on_conflict: self.conflict_clause()? }
        } else if self.eat_word("unique") {
            let columns = self.name_list(true)?;
            Kind::Unique { columns, on_conflict: self.conflict_clause()? }
        } else if self.eat_word("check") {
            Kind::Check(self.group_text()?)
        } else if self.eat_word("foreign") {
            self.expect_word("key")?;
            let columns = self.name_list(false)?;
            self.expect_word("references")?;
            Kind::ForeignKey { columns, references: self.foreign_key_clause()? }
        } else {
            return self.error("a table constraint");
        };
        Ok(TableConstraint { name, kind, span: start..self.last_end() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ColumnConstraintKind as C;
    use proptest::prelude::*;
    use sea_orm::sea_query::{
        ColumnDef as SeaColumn, Expr, ExprTrait, ForeignKey, ForeignKeyAction, SqliteQueryBuilder, Table,
    };

    fn slice(sql: &str, span: &Range<usize>) -> String {
        sql[span.clone()].to_owned()
    }

    #[test]
    fn reads_what_sea_query_renders() {
        let sql = Table::create()
            .table("post")
            .if_not_exists()
            .col(SeaColumn::new("id").integer().not_null().auto_increment().primary_key())
            .col(SeaColumn::new("title").string_len(100).not_null().default("it's"))
            .col(SeaColumn::new("score").double().default(0.5).check(Expr::col("score").gte(0)))
            .col(SeaColumn::new("created_at").timestamp().default(Expr::current_timestamp()))
            .col(SeaColumn::new("user_id").integer().unique_key())
            .foreign_key(
                ForeignKey::create()
                    .from("post", "user_id")
                    .to("user", "id")
                    .on_delete(ForeignKeyAction::Cascade)
                    .on_update(ForeignKeyAction::SetNull),
            )
            .to_string(SqliteQueryBuilder);
        let table = parse_create_table(&sql).unwrap();
        assert_eq!((table.name.as_str(), table.if_not_exists, table.options.as_str()), ("post", true, ""));
        let columns: Vec<_> =
            table.columns.iter().map(|c| (c.name.as_str(), c.type_text.as_str(), slice(&sql, &c.span))).collect();
        assert_eq!(
            columns,
            [
                ("id", "integer", r#""id" integer NOT NULL PRIMARY KEY AUTOINCREMENT"#.to_owned()),
                ("title", "varchar(100)", r#""title" varchar(100) NOT NULL DEFAULT 'it''s'"#.to_owned()),
                ("score", "double", r#""score" double DEFAULT 0.5 CHECK ("score" >= 0)"#.to_owned()),
                ("created_at", "timestamp_text", r#""created_at" timestamp_text DEFAULT CURRENT_TIMESTAMP"#.to_owned()),
                ("user_id", "integer", r#""user_id" integer UNIQUE"#.to_owned()),
            ]
        );
        let kinds: Vec<Vec<C>> =
            table.columns.iter().map(|c| c.constraints.iter().map(|k| k.kind.clone()).collect()).collect();
        assert_eq!(
            kinds,
            [
                vec![
                    C::NotNull { on_conflict: None },
                    C::PrimaryKey { descending: false, on_conflict: None, autoincrement: true }
                ],
                vec![C::NotNull { on_conflict: None }, C::Default("'it''s'".into())],
                vec![C::Default("0.5".into()), C::Check(r#""score" >= 0"#.into())],
                vec![C::Default("CURRENT_TIMESTAMP".into())],
                vec![C::Unique { on_conflict: None }],
            ]
        );
        assert_eq!(
            table.constraints,
            [TableConstraint {
                name: None,
                kind: TableConstraintKind::ForeignKey {
                    columns: vec!["user_id".into()],
                    references: ForeignKeyClause {
                        table: "user".into(),
                        columns: vec!["id".into()],
                        on_delete: Some("cascade".into()),
                        on_update: Some("set null".into()),
                        extra: String::new(),
                    },
                },
                span: sql.find("FOREIGN").unwrap()..sql.rfind(" )").unwrap(),
            }]
        );
    }

    const EVERYTHING: &str = r#"CREATE TEMP TABLE IF NOT EXISTS main.[My Table] (
        id INTEGER CONSTRAINT pk PRIMARY KEY DESC ON CONFLICT ROLLBACK AUTOINCREMENT,
        `name` VARCHAR ( 10, 2 ) COLLATE "NOCASE" NOT NULL ON CONFLICT IGNORE, -- a comment
        'quoted' UNSIGNED BIG INT NULL UNIQUE ON CONFLICT REPLACE,
        untyped DEFAULT -5,
        d DEFAULT (datetime('now')) CHECK (d > '2000' AND (d < '3000')),
        g AS (id * 2) STORED,
        h INT GENERATED ALWAYS AS (lower(name)) VIRTUAL,
        p INTEGER REFERENCES parent (a, b) ON UPDATE NO ACTION MATCH SIMPLE NOT DEFERRABLE INITIALLY DEFERRED NOT NULL,
        q REFERENCES "other" ON DELETE SET DEFAULT,
        CONSTRAINT "pk 2" PRIMARY KEY ("id" COLLATE nocase DESC, name) ON CONFLICT ABORT,
        UNIQUE (d, g),
        CHECK (id > 0),
        CONSTRAINT fk FOREIGN KEY (p, q) REFERENCES parent (a, b) DEFERRABLE
    ) WITHOUT ROWID, STRICT;"#;

    #[test]
    fn reads_every_clause_with_exact_spans() {
        let table = parse_create_table(EVERYTHING).unwrap();
        assert_eq!((table.schema.as_deref(), table.name.as_str()), (Some("main"), "My Table"));
        assert_eq!(
            (table.temporary, table.if_not_exists, table.options.as_str()),
            (true, true, "WITHOUT ROWID, STRICT")
        );
        let columns: Vec<_> =
            table.columns.iter().map(|c| (c.name.as_str(), c.type_text.as_str(), slice(EVERYTHING, &c.span))).collect();
        let expected = [
            ("id", "INTEGER", "id INTEGER CONSTRAINT pk PRIMARY KEY DESC ON CONFLICT ROLLBACK AUTOINCREMENT"),
            ("name", "VARCHAR ( 10, 2 )", r#"`name` VARCHAR ( 10, 2 ) COLLATE "NOCASE" NOT NULL ON CONFLICT IGNORE"#),
            ("quoted", "UNSIGNED BIG INT", "'quoted' UNSIGNED BIG INT NULL UNIQUE ON CONFLICT REPLACE"),
            ("untyped", "", "untyped DEFAULT -5"),
            ("d", "", "d DEFAULT (datetime('now')) CHECK (d > '2000' AND (d < '3000'))"),
            ("g", "", "g AS (id * 2) STORED"),
            ("h", "INT", "h INT GENERATED ALWAYS AS (lower(name)) VIRTUAL"),
            (
                "p",
                "INTEGER",
                "p INTEGER REFERENCES parent (a, b) ON UPDATE NO ACTION MATCH SIMPLE NOT DEFERRABLE INITIALLY DEFERRED NOT NULL",
            ),
            ("q", "", r#"q REFERENCES "other" ON DELETE SET DEFAULT"#),
        ];
        assert_eq!(columns, expected.map(|(n, t, s)| (n, t, s.to_owned())));

        let constraints: Vec<_> = table
            .columns
            .iter()
            .flat_map(|c| &c.constraints)
            .map(|k| (k.name.as_deref(), k.kind.clone(), slice(EVERYTHING, &k.span)))
            .collect();
        let expected = [
            (
                Some("pk"),
                C::PrimaryKey { descending: true, on_conflict: Some("rollback".into()), autoincrement: true },
                "CONSTRAINT pk PRIMARY KEY DESC ON CONFLICT ROLLBACK AUTOINCREMENT",
            ),
            (None, C::Collate("NOCASE".into()), r#"COLLATE "NOCASE""#),
            (None, C::NotNull { on_conflict: Some("ignore".into()) }, "NOT NULL ON CONFLICT IGNORE"),
            (None, C::Null, "NULL"),
            (None, C::Unique { on_conflict: Some("replace".into()) }, "UNIQUE ON CONFLICT REPLACE"),
            (None, C::Default("-5".into()), "DEFAULT -5"),
            (None, C::Default("(datetime('now'))".into()), "DEFAULT (datetime('now'))"),
            (None, C::Check("d > '2000' AND (d < '3000')".into()), "CHECK (d > '2000' AND (d < '3000'))"),
            (None, C::Generated { expression: "id * 2".into(), stored: true }, "AS (id * 2) STORED"),
            (
                None,
                C::Generated { expression: "lower(name)".into(), stored: false },
                "GENERATED ALWAYS AS (lower(name)) VIRTUAL",
            ),
            (
                None,
                C::References(ForeignKeyClause {
                    table: "parent".into(),
                    columns: vec!["a".into(), "b".into()],
                    on_delete: None,
                    on_update: Some("no action".into()),
                    extra: "MATCH SIMPLE NOT DEFERRABLE INITIALLY DEFERRED".into(),
                }),
                "REFERENCES parent (a, b) ON UPDATE NO ACTION MATCH SIMPLE NOT DEFERRABLE INITIALLY DEFERRED",
            ),
            (None, C::NotNull { on_conflict: None }, "NOT NULL"),
            (
                None,
                C::References(ForeignKeyClause {
                    table: "other".into(),
                    columns: vec![],
                    on_delete: Some("set default".into()),
                    on_update: None,
                    extra: String::new(),
                }),
                r#"REFERENCES "other" ON DELETE SET DEFAULT"#,
            ),
        ];
        assert_eq!(constraints, expected.map(|(n, k, s)| (n, k, s.to_owned())));

        let table_constraints: Vec<_> =
            table.constraints.iter().map(|k| (k.name.as_deref(), k.kind.clone(), slice(EVERYTHING, &k.span))).collect();
        let expected = [
            (
                Some("pk 2"),
                TableConstraintKind::PrimaryKey {
                    columns: vec!["id".into(), "name".into()],
                    on_conflict: Some("abort".into()),
                },
                r#"CONSTRAINT "pk 2" PRIMARY KEY ("id" COLLATE nocase DESC, name) ON CONFLICT ABORT"#,
            ),
            (
                None,
                TableConstraintKind::Unique { columns: vec!["d".into(), "g".into()], on_conflict: None },
                "UNIQUE (d, g)",
            ),
            (None, TableConstraintKind::Check("id > 0".into()), "CHECK (id > 0)"),
            (
                Some("fk"),
                TableConstraintKind::ForeignKey {
                    columns: vec!["p".into(), "q".into()],
                    references: ForeignKeyClause {
                        table: "parent".into(),
                        columns: vec!["a".into(), "b".into()],
                        on_delete: None,
                        on_update: None,
                        extra: "DEFERRABLE".into(),
                    },
                },
                "CONSTRAINT fk FOREIGN KEY (p, q) REFERENCES parent (a, b) DEFERRABLE",
            ),
        ];
        assert_eq!(table_constraints, expected.map(|(n, k, s)| (n, k, s.to_owned())));
    }

    #[test]
    fn default_null_is_a_value() {
        let table = parse_create_table("CREATE TABLE t (a TEXT DEFAULT NULL, b INT DEFAULT null NOT NULL)").unwrap();
        let kinds: Vec<Vec<C>> =
            table.columns.iter().map(|c| c.constraints.iter().map(|k| k.kind.clone()).collect()).collect();
        assert_eq!(
            kinds,
            [vec![C::Default("NULL".into())], vec![C::Default("null".into()), C::NotNull { on_conflict: None }]]
        );
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        let cases = [
            (
                "CREATE TABLE t AS SELECT 1",
                "expected a column list (CREATE TABLE .. AS SELECT is not supported), found `AS`",
            ),
            ("CREATE TABLE t (a INT,)", "expected a name, found `)`"),
            ("CREATE TABLE t (a INT", "expected `)`, found the end"),
            ("CREATE TABLE t (a INT DEFAULT)", "expected a default value, found `)`"),
            (
                "CREATE TABLE t (CHECK (a), b INT)",
                "expected a table constraint (columns come before table constraints), found `b`",
            ),
            ("CREATE TABLE t (a INT REFERENCES p ON DELETE EXPLODE)", "expected a referential action, found `EXPLODE`"),
            ("CREATE TABLE t (a INT) ; x", "unexpected `x` after the statement"),
            ("CREATE INDEX i ON t (a)", "expected `TABLE`, found `INDEX`"),
            ("CREATE TABLE t (a 'unterminated)", "unterminated string"),
        ];
        for (sql, message) in cases {
            assert_eq!(parse_create_table(sql).map_err(|e| e.message).err().as_deref(), Some(message), "{sql}");
        }
    }

    /// A column definition as text, with the texts of its constraints.
    fn column() -> impl Strategy<Value = (String, Vec<String>)> {
        let name = prop_oneof![
            "[a-z][a-z0-9_]{0,6}".prop_filter("not a keyword", |n| !CONSTRAINT_START.contains(&n.as_str())
                && !["foreign", "if", "on"].contains(&n.as_str())),
            "[a-zA-Z ]{1,6}".prop_map(|n| format!("\"{n}\"")),
            "[a-z ]{1,6}".prop_map(|n| format!("[{n}]")),
            "[a-z`]{1,6}".prop_map(|n| format!("`{}`", n.replace('`', "``"))),
        ];
        let ty = prop::sample::select(vec!["", " INTEGER", " varchar(10)", " DECIMAL ( 10 , 2 )", " UNSIGNED BIG INT"]);
        let constraint = prop::sample::select(vec![
            "NOT NULL",
            "NULL",
            "PRIMARY KEY ASC AUTOINCREMENT",
            "UNIQUE ON CONFLICT FAIL",
            "CHECK (x > 0 AND (y <> ')'))",
            "DEFAULT 'it''s, (really)'",
            "DEFAULT -1.5",
            "DEFAULT (lower('X') || \"y\")",
            "DEFAULT CURRENT_TIMESTAMP",
            "COLLATE NOCASE",
            "CONSTRAINT \"c,1\" CHECK (1)",
            "REFERENCES p (a) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE",
            "GENERATED ALWAYS AS (a || 'b') STORED",
            "AS (1)",
        ]);
        let gap = prop::sample::select(vec![" ", "  ", "\n\t", " /* note, (x) */ ", " -- line, )\n "]);
        (name, ty, prop::collection::vec((gap, constraint), 0..4)).prop_map(|(name, ty, constraints)| {
            let mut text = format!("{name}{ty}");
            for (gap, constraint) in &constraints {
                text.push_str(gap);
                text.push_str(constraint);
            }
            (text, constraints.into_iter().map(|(_, c)| c.to_owned()).collect())
        })
    }

    proptest! {
        #[test]
        fn never_panics(tail in r#"[a-zA-Z0-9_ '"`\[\](),.;+*/<>=!-]{0,60}"#, prefix in prop::sample::select(vec!["", "CREATE TABLE t (", "CREATE TABLE t (a INT "])) {
            let _ = parse_create_table(&format!("{prefix}{tail}"));
        }

        #[test]
        fn spans_slice_exactly(columns in prop::collection::vec(column(), 1..5), gap in "[ \n]{0,3}") {
            let body: Vec<&str> = columns.iter().map(|(text, _)| text.as_str()).collect();
            let sql = format!("CREATE TABLE t ({gap}{}{gap})", body.join(&format!("{gap},{gap}")));
            let table = parse_create_table(&sql).unwrap();
            prop_assert_eq!(table.columns.len(), columns.len());
            for (parsed, (text, constraints)) in table.columns.iter().zip(&columns) {
                prop_assert_eq!(&sql[parsed.span.clone()], text.as_str());
                let spans: Vec<&str> = parsed.constraints.iter().map(|c| &sql[c.span.clone()]).collect();
                prop_assert_eq!(spans, constraints.iter().map(String::as_str).collect::<Vec<_>>());
            }
        }
    }
}
