//! `CREATE INDEX` text taken apart: PostgreSQL's `pg_get_indexdef`, SQLite's
//! `sqlite_master.sql` and sea-query's renderings for all three backends.

use super::lexer::{Cursor, Token, TokenKind, tokenize};
use super::{Dialect, ParseError};

/// A parsed `CREATE INDEX` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateIndex {
    /// Whether the index is `UNIQUE`.
    pub unique: bool,
    /// MySQL's `FULLTEXT` or `SPATIAL`, when written.
    pub kind: Option<IndexKind>,
    /// The index name, unquoted.
    pub name: String,
    /// The schema: of the table on PostgreSQL (`ON public.t`), of the index on SQLite
    /// (`CREATE INDEX main.i`).
    pub schema: Option<String>,
    /// The table name, unquoted.
    pub table: String,
    /// The access method in lower case (`btree`, `gin`, `hash`), `None` when not written.
    pub method: Option<String>,
    /// The indexed columns and expressions, in order.
    pub parts: Vec<IndexPart>,
    /// The `INCLUDE` columns of PostgreSQL.
    pub include: Vec<String>,
    /// Whether `NULLS NOT DISTINCT` is written.
    pub nulls_not_distinct: bool,
    /// The partial-index predicate, without `WHERE`, as written.
    pub predicate: Option<String>,
    /// The storage parameters between the parentheses of `WITH (..)`, as written.
    pub storage: Option<String>,
    /// The `TABLESPACE` of PostgreSQL.
    pub tablespace: Option<String>,
}

/// MySQL's special index kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    /// `CREATE FULLTEXT INDEX`.
    FullText,
    /// `CREATE SPATIAL INDEX`.
    Spatial,
}

/// One indexed column or expression with its modifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexPart {
    /// What is indexed.
    pub target: IndexTarget,
    /// The `COLLATE` name, unquoted.
    pub collation: Option<String>,
    /// The PostgreSQL operator class (`gin_trgm_ops`).
    pub operator_class: Option<String>,
    /// Whether `DESC` is written.
    pub descending: bool,
    /// `NULLS FIRST` or `NULLS LAST`, when written.
    pub nulls: Option<NullsOrder>,
    /// The MySQL prefix length of `col(10)`.
    pub prefix: Option<u32>,
}

/// What an index part indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexTarget {
    /// A column, by its unquoted name.
    Column(String),
    /// An expression, as written, without the parentheses that only mark it as one.
    Expression(String),
}

/// Where an index puts nulls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullsOrder {
    /// `NULLS FIRST`.
    First,
    /// `NULLS LAST`.
    Last,
}

/// Parses the `CREATE INDEX` statement `sql` written in `dialect`.
pub fn parse_create_index(sql: &str, dialect: Dialect) -> Result<CreateIndex, ParseError> {
    let tokens = tokenize(sql, dialect)?;
    let mut cursor = Cursor { sql, tokens: &tokens, pos: 0 };
    cursor.create_index(dialect)
}

impl Cursor<'_, '_, '_> {
    fn create_index(&mut self, dialect: Dialect) -> Result<CreateIndex, ParseError> {
        self.expect_word("create")?;
        let unique = self.eat_word("unique");
        let kind = if self.eat_word("fulltext") {
            Some(IndexKind::FullText)
        } else if self.eat_word("spatial") {
            Some(IndexKind::Spatial)
        } else {
            None
        };
        self.expect_word("index")?;
        self.eat_word("concurrently");
        if self.eat_word("if") {
            self.expect_word("not")?;
            self.expect_word("exists")?;
        }
        if self.peek_is_word("on") || self.peek_is_word("using") {
            return self.error("an index name");
        }
        let (index_schema, name) = self.qualified_name()?;
        let mut method = self.method()?;
        self.expect_word("on")?;
        self.eat_word("only");
        let (table_schema, table) = self.qualified_name()?;
        method = method.or(self.method()?);
        let open = self.pos;
        let list = self.group()?;
        let parts = split_parts(&self.tokens[open + 1..self.pos - 1])
            .into_iter()
            .map(|part| index_part(self.sql, part, dialect, list.end))
            .collect::<Result<Vec<_>, _>>()?;
        let mut index = CreateIndex {
            unique,
            kind,
            name,
            schema: table_schema.or(index_schema),
            table,
            method,
            parts,
            include: Vec::new(),
            nulls_not_distinct: false,
            predicate: None,
            storage: None,
            tablespace: None,
        };
        while let Some(token) = self.peek() {
            if self.peek_is_word("using") {
                index.method = self.method()?;
            } else if self.eat_word("include") {
                index.include = self.name_list(false)?;
            } else if self.eat_word("nulls") {
                index.nulls_not_distinct = self.eat_word("not");
                self.expect_word("distinct")?;
            } else if self.eat_word("with") {
                index.storage = Some(self.group_text()?);
            } else if self.eat_word("tablespace") {
                index.tablespace = Some(self.name()?);
            } else if self.eat_word("where") {
                let start = self.last_end();
                let end = self.tokens.iter().rposition(|t| !t.is(";")).map_or(start, |i| self.tokens[i].span.end);
                if end <= start {
                    return self.error("a predicate");
                }
                index.predicate = Some(self.sql[start..end].trim().to_owned());
                self.pos = self.tokens.len();
            } else if token.is(";") && self.pos + 1 == self.tokens.len() {
                self.pos += 1;
            } else {
                return Err(ParseError::new(format!("unsupported index option `{}`", token.text), token.span.start));
            }
        }
        Ok(index)
    }

    fn method(&mut self) -> Result<Option<String>, ParseError> {
        if self.eat_word("using") { Ok(Some(self.name()?.to_ascii_lowercase())) } else { Ok(None) }
    }
}

/// The tokens of each comma-separated part of an index's column list.
fn split_parts<'t, 'a>(tokens: &'t [Token<'a>]) -> Vec<&'t [Token<'a>]> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, token) in tokens.iter().enumerate() {
        if token.is("(") || token.is("[") {
            depth += 1;
        } else if token.is(")") || token.is("]") {
            depth = depth.saturating_sub(1);
        } else if token.is(",") && depth == 0 {
            parts.push(&tokens[start..i]);
            start = i + 1;
        }
    }
    parts.push(&tokens[start..]);
    parts
}

/// One part: modifiers are taken off the end (in any order, as sea-query writes `DESC` before
/// the operator class), what is left is a column or an expression.
fn index_part(sql: &str, tokens: &[Token], dialect: Dialect, list_end: usize) -> Result<IndexPart, ParseError> {
    if tokens.is_empty() {
        return Err(ParseError::new("expected an index column", list_end));
    }
    let mut part = IndexPart {
        target: IndexTarget::Column(String::new()),
        collation: None,
        operator_class: None,
        descending: false,
        nulls: None,
        prefix: None,
    };
    let mut order_seen = false;
    let mut end = tokens.len();
    let is_name = |t: &Token| matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent(_));
    let modifier = |t: &Token| ["asc", "desc", "nulls", "first", "last", "collate"].iter().any(|w| t.is_word(w));
    while end >= 2 {
        let (before, last) = (&tokens[end - 2], &tokens[end - 1]);
        if part.nulls.is_none()
            && before.is_word("nulls")
            && (last.is_word("first") || last.is_word("last"))
            && end >= 3
        {
            part.nulls = Some(if last.is_word("first") { NullsOrder::First } else { NullsOrder::Last });
            end -= 2;
        } else if !order_seen && (last.is_word("asc") || last.is_word("desc")) {
            order_seen = true;
            part.descending = last.is_word("desc");
            end -= 1;
        } else if part.collation.is_none() && before.is_word("collate") && end >= 3 {
            part.collation = last.name().map(str::to_owned);
            end -= 2;
        } else if dialect == Dialect::Postgres
            && part.operator_class.is_none()
            && is_name(last)
            && !modifier(last)
            && ((is_name(before) && !modifier(before))
                || before.is(")")
                || before.is_word("desc")
                || before.is_word("asc"))
        {
            part.operator_class = last.name().map(str::to_owned);
            end -= 1;
        } else {
            break;
        }
    }
    let head = &tokens[..end];
    part.target = match head {
        [name] if is_name(name) => IndexTarget::Column(name.name().unwrap_or_default().to_owned()),
        [name, open, length, close]
            if is_name(name) && open.is("(") && close.is(")") && length.kind == TokenKind::Number =>
        {
            part.prefix =
                Some(length.text.parse().map_err(|_| ParseError::new("invalid prefix length", length.span.start))?);
            IndexTarget::Column(name.name().unwrap_or_default().to_owned())
        }
        _ => IndexTarget::Expression(expression_text(sql, head)),
    };
    Ok(part)
}

/// The text of an expression part, without one pair of parentheses around all of it.
fn expression_text(sql: &str, tokens: &[Token]) -> String {
    let (Some(first), Some(last)) = (tokens.first(), tokens.last()) else {
        return String::new();
    };
    let mut depth = 0usize;
    let wraps_all = first.is("(")
        && tokens.iter().enumerate().all(|(i, t)| {
            if t.is("(") {
                depth += 1;
            } else if t.is(")") {
                depth = depth.saturating_sub(1);
            }
            depth > 0 || i == tokens.len() - 1
        });
    if wraps_all && tokens.len() > 2 {
        sql[first.span.end..last.span.start].trim().to_owned()
    } else {
        sql[first.span.start..last.span.end].to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::parse::expression::canonical;
    use Dialect::{MySql, Postgres, Sqlite};
    use sea_orm::sea_query::{
        Alias, ConditionalStatement, Expr, ExprTrait, Func, Index, IndexColumn, IndexOrder, IndexType,
        MysqlQueryBuilder, PostgresQueryBuilder, SeaRc, SqliteQueryBuilder,
    };

    /// A one-line summary of every field, so that the cases below read as tables.
    fn describe(index: &CreateIndex) -> String {
        let mut out = String::new();
        out += if index.unique { "unique " } else { "" };
        out += match index.kind {
            Some(IndexKind::FullText) => "fulltext ",
            Some(IndexKind::Spatial) => "spatial ",
            None => "",
        };
        let schema = index.schema.as_ref().map_or(String::new(), |s| format!("{s}."));
        out += &format!("{} on {schema}{}", index.name, index.table);
        let parts: Vec<String> = index
            .parts
            .iter()
            .map(|part| {
                let mut text = match &part.target {
                    IndexTarget::Column(name) => name.clone(),
                    IndexTarget::Expression(text) => format!("expr[{text}]"),
                };
                let nulls = part.nulls.map(|n| if n == NullsOrder::First { "first" } else { "last" });
                for (label, value) in [
                    ("prefix", part.prefix.map(|p| p.to_string()).as_deref()),
                    ("collate", part.collation.as_deref()),
                    ("opclass", part.operator_class.as_deref()),
                    ("desc", part.descending.then_some("")),
                    ("nulls", nulls),
                ] {
                    if let Some(value) = value {
                        text += &format!(" {label}{}{value}", if value.is_empty() { "" } else { " " });
                    }
                }
                text
            })
            .collect();
        out += &format!(
            "{} ({})",
            index.method.as_ref().map_or(String::new(), |m| format!(" using {m}")),
            parts.join(", ")
        );
        if !index.include.is_empty() {
            out += &format!(" include ({})", index.include.join(", "));
        }
        out += if index.nulls_not_distinct { " nulls not distinct" } else { "" };
        for (label, value) in [("with", &index.storage), ("tablespace", &index.tablespace), ("where", &index.predicate)]
        {
            if let Some(value) = value {
                out += &format!(" {label} [{value}]");
            }
        }
        out
    }

    #[test]
    fn reads_what_the_backends_echo() {
        let cases = [
            // PostgreSQL 15's `pg_get_indexdef`.
            (
                Postgres,
                "CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)",
                "unique users_email_key on public.users using btree (email)",
            ),
            (
                Postgres,
                "CREATE INDEX ix ON public.t USING btree (lower((email)::text))",
                "ix on public.t using btree (expr[lower((email)::text)])",
            ),
            (
                Postgres,
                "CREATE INDEX ix_trgm ON public.t USING gin (title gin_trgm_ops)",
                "ix_trgm on public.t using gin (title opclass gin_trgm_ops)",
            ),
            (
                Postgres,
                "CREATE INDEX ix_desc ON public.t USING btree (created_at DESC NULLS LAST, a NULLS FIRST)",
                "ix_desc on public.t using btree (created_at desc nulls last, a nulls first)",
            ),
            (
                Postgres,
                "CREATE INDEX ix_partial ON public.t USING btree (email) INCLUDE (a, b) WHERE (deleted_at IS NULL)",
                "ix_partial on public.t using btree (email) include (a, b) where [(deleted_at IS NULL)]",
            ),
            (
                Postgres,
                "CREATE INDEX ix_ff ON public.t USING btree (a) WITH (fillfactor='70')",
                "ix_ff on public.t using btree (a) with [fillfactor='70']",
            ),
            (
                Postgres,
                "CREATE UNIQUE INDEX ux_nnd ON public.t USING btree (a, b) NULLS NOT DISTINCT",
                "unique ux_nnd on public.t using btree (a, b) nulls not distinct",
            ),
            (
                Postgres,
                r#"CREATE INDEX ix_coll ON public.t USING btree (title COLLATE "C" text_pattern_ops)"#,
                "ix_coll on public.t using btree (title collate C opclass text_pattern_ops)",
            ),
            (
                Postgres,
                "CREATE INDEX ix_expr2 ON public.t USING btree (((a + b)), lower((name)::text))",
                "ix_expr2 on public.t using btree (expr[(a + b)], expr[lower((name)::text)])",
            ),
            (
                Postgres,
                r#"CREATE INDEX "Ix Quoted" ON public.t USING btree ("Mixed Case") TABLESPACE fast"#,
                "Ix Quoted on public.t using btree (Mixed Case) tablespace [fast]",
            ),
            (Postgres, "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix ON ONLY public.t (a);", "ix on public.t (a)"),
            // SQLite's `sqlite_master.sql` is the text it was given.
            (
                Sqlite,
                r#"CREATE UNIQUE INDEX "i" ON "t" ("a" DESC, lower(b) COLLATE NOCASE ASC, c + 1) WHERE c IS NOT NULL"#,
                "unique i on t (a desc, expr[lower(b)] collate NOCASE, expr[c + 1]) where [c IS NOT NULL]",
            ),
            (Sqlite, "CREATE INDEX IF NOT EXISTS main.[i x] ON `t` (a)", "i x on main.t (a)"),
            // MySQL forms.
            (MySql, "CREATE FULLTEXT INDEX ft ON t (title, body)", "fulltext ft on t (title, body)"),
            (MySql, "CREATE SPATIAL INDEX sp ON t (g)", "spatial sp on t (g)"),
            (
                MySql,
                "CREATE INDEX ix USING HASH ON t (name(10) DESC, b)",
                "ix on t using hash (name prefix 10 desc, b)",
            ),
            (MySql, "CREATE UNIQUE INDEX `ix` ON `t` (`a`) USING BTREE", "unique ix on t using btree (a)"),
        ];
        for (dialect, sql, expected) in cases {
            assert_eq!(parse_create_index(sql, dialect).map(|i| describe(&i)), Ok(expected.to_owned()), "{sql}");
        }
    }

    #[test]
    fn reads_what_sea_query_renders() {
        let title_desc = IndexColumn::from(("title", IndexOrder::Desc)).with_operator_class("gin_trgm_ops");
        let statements = [
            Index::create()
                .name("ix_a")
                .table("t")
                .col("a")
                .col(("b", IndexOrder::Desc))
                .col(("c", 10))
                .include("d")
                .and_where(Expr::col("deleted_at").is_null())
                .nulls_not_distinct()
                .unique()
                .to_owned(),
            Index::create()
                .name("ix_b")
                .table("t")
                .col(Expr::cust("lower(email)"))
                .col(Func::lower(Expr::col("name")))
                .index_type(IndexType::Custom(SeaRc::new(Alias::new("gin"))))
                .to_owned(),
            Index::create().name("ix_c").table("t").col(title_desc).full_text().to_owned(),
            Index::create()
                .name("ix_d")
                .table("t")
                .col(("a", 10, IndexOrder::Desc))
                .index_type(IndexType::Hash)
                .to_owned(),
        ];
        let expected: [[Option<&str>; 3]; 4] = [
            [
                Some(
                    r#"unique ix_a on t (a, b desc, c prefix 10) include (d) nulls not distinct where ["deleted_at" IS NULL]"#,
                ),
                Some("unique ix_a on t (a, b desc, c prefix 10) where [`deleted_at` IS NULL]"),
                Some(r#"unique ix_a on t (a, b desc, c) where ["deleted_at" IS NULL]"#),
            ],
            [
                Some(r#"ix_b on t using gin (expr[lower(email)], expr[LOWER("name")])"#),
                Some("ix_b on t using gin (expr[lower(email)], expr[LOWER(`name`)])"),
                // sea-query's SQLite builder has no expression columns.
                None,
            ],
            [
                Some("ix_c on t using gin (title opclass gin_trgm_ops desc)"),
                Some("fulltext ix_c on t (title desc)"),
                Some("ix_c on t (title desc)"),
            ],
            [
                Some("ix_d on t using hash (a prefix 10 desc)"),
                Some("ix_d on t using hash (a prefix 10 desc)"),
                Some("ix_d on t (a desc)"),
            ],
        ];
        for (statement, expected) in statements.iter().zip(expected) {
            let rendered = [
                (Postgres, statement.to_string(PostgresQueryBuilder)),
                (MySql, statement.to_string(MysqlQueryBuilder)),
                (Sqlite, expected[2].map(|_| statement.to_string(SqliteQueryBuilder)).unwrap_or_default()),
            ];
            for ((dialect, sql), expected) in rendered.into_iter().zip(expected) {
                if let Some(expected) = expected {
                    assert_eq!(
                        parse_create_index(&sql, dialect).map(|i| describe(&i)),
                        Ok(expected.to_owned()),
                        "{sql}"
                    );
                }
            }
        }
    }

    /// An index created from sea-query's text and what PostgreSQL 15 echoes for it read the same
    /// once expressions and predicates go through `canonical`.
    #[test]
    fn sea_query_text_and_postgres_echo_agree() {
        let pairs = [
            (
                r#"CREATE UNIQUE INDEX "ix_a" ON "public"."t2" ("a", "b" DESC) INCLUDE ("d") NULLS NOT DISTINCT WHERE "deleted_at" IS NULL"#,
                "CREATE UNIQUE INDEX ix_a ON public.t2 USING btree (a, b DESC) INCLUDE (d) NULLS NOT DISTINCT WHERE (deleted_at IS NULL)",
            ),
            (
                r#"CREATE INDEX "ix_b" ON "t2" ((lower(email)), (LOWER("name")))"#,
                "CREATE INDEX ix_b ON public.t2 USING btree (lower(email), lower((name)::text))",
            ),
            (
                r#"CREATE INDEX "ix_c" ON "t2" USING GIN ("title" gin_trgm_ops)"#,
                "CREATE INDEX ix_c ON public.t2 USING gin (title gin_trgm_ops)",
            ),
            (
                r#"CREATE INDEX "ix_e" ON "t2" ("a") WHERE "a" IN (3, 4) AND "b" BETWEEN 1 AND 2"#,
                "CREATE INDEX ix_e ON public.t2 USING btree (a) WHERE ((a = ANY (ARRAY[3, 4])) AND ((b >= 1) AND (b <= 2)))",
            ),
        ];
        let normalised = |sql: &str| {
            let mut index = parse_create_index(sql, Postgres).unwrap();
            for part in &mut index.parts {
                if let IndexTarget::Expression(text) = &part.target {
                    part.target = IndexTarget::Expression(canonical(text, Postgres));
                }
            }
            index.predicate = index.predicate.map(|p| canonical(&p, Postgres));
            // The echo names the schema and the default method that the source leaves out.
            (index.schema, index.method) = (None, None);
            index
        };
        for (source, echo) in pairs {
            assert_eq!(normalised(source), normalised(echo), "{source}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(
            tail in r#"[a-zA-Z0-9_ '"`\[\](),.;+*/<>=!-]{0,60}"#,
            prefix in proptest::sample::select(vec!["", "CREATE INDEX i ON t (", "CREATE INDEX i ON t (a) "]),
            dialect in proptest::sample::select(vec![Postgres, MySql, Sqlite]),
        ) {
            let _ = parse_create_index(&format!("{prefix}{tail}"), dialect);
        }
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        let cases = [
            ("CREATE INDEX ON t (a)", Postgres, "expected an index name, found `ON`"),
            ("CREATE INDEX i ON t ()", Postgres, "expected an index column"),
            ("CREATE INDEX i ON t (a, )", Postgres, "expected an index column"),
            ("CREATE INDEX i ON t (a", Postgres, "expected `)`, found the end"),
            ("CREATE INDEX i ON t (a) COMMENT 'x'", MySql, "unsupported index option `COMMENT`"),
            ("CREATE INDEX i ON t (a) WHERE", Sqlite, "expected a predicate, found the end"),
            ("CREATE TABLE t (a)", Sqlite, "expected `INDEX`, found `TABLE`"),
        ];
        for (sql, dialect, message) in cases {
            assert_eq!(
                parse_create_index(sql, dialect).map_err(|e| e.message).err().as_deref(),
                Some(message),
                "{sql}"
            );
        }
    }
}
