//! Normalisation rules shared by `desired` and `inspect`: how SQL text from either side becomes
//! the canonical values of the IR, so that spelling differences never show up as changes.

use sea_orm::DbBackend;

use crate::pipeline::parse::Dialect;
use crate::pipeline::parse::create_index::{CreateIndex, IndexKind, IndexTarget, NullsOrder};
use crate::pipeline::parse::expression::canonical;
use crate::pipeline::schema::{ColumnType, Default, Expression, Index, IndexKey, IndexPart, Verbatim};

/// Turns a column default as SQL text (as a catalog reports it, or as sea-query renders an
/// entity's default) into its canonical form. `None` for no default or `NULL`.
pub fn default_from_sql(backend: DbBackend, ty: &ColumnType, sql: &str) -> Option<Default> {
    let mut text = sql.trim();
    loop {
        let stripped = strip_cast(strip_parens(text));
        if stripped == text {
            break;
        }
        text = stripped;
    }
    if text.is_empty() || text.eq_ignore_ascii_case("null") {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    let is_now = matches!(
        lower.trim_end_matches("()").trim_end_matches(|c: char| c == ')' || c.is_ascii_digit()).trim_end_matches('('),
        "current_timestamp" | "now" | "localtimestamp" | "transaction_timestamp" | "statement_timestamp"
    );
    if is_now {
        return Some(Default::CurrentTimestamp);
    }
    let literal = string_literal(backend, text);
    if *ty == ColumnType::Boolean {
        let word = literal.as_deref().unwrap_or(&lower).to_ascii_lowercase();
        match word.as_str() {
            "true" | "t" | "1" | "b'1'" | "y" | "yes" | "on" => return Some(Default::Bool(true)),
            "false" | "f" | "0" | "b'0'" | "n" | "no" | "off" => return Some(Default::Bool(false)),
            _ => {}
        }
    }
    if let Some(number) = canonical_number(text) {
        return Some(Default::Number(number));
    }
    if let Some(literal) = literal {
        // A quoted number on a numeric column is that number.
        if ty.is_numeric()
            && let Some(number) = canonical_number(&literal)
        {
            return Some(Default::Number(number));
        }
        return Some(Default::String(literal));
    }
    Some(Default::Expression(expression(backend, sql.trim())))
}

/// An SQL expression with its canonical text.
pub fn expression(backend: DbBackend, sql: &str) -> Expression {
    Expression { sql: sql.to_owned(), canonical: canonical(sql, dialect(backend)) }
}

/// The dialect the parsers read `backend`'s SQL in.
pub fn dialect(backend: DbBackend) -> Dialect {
    match backend {
        DbBackend::Postgres => Dialect::Postgres,
        DbBackend::MySql => Dialect::MySql,
        _ => Dialect::Sqlite,
    }
}

/// The text of an expression that is a single string literal, decoded as `backend` reads it:
/// `'it''s'`, PostgreSQL `E'it\'s'`, MySQL `'it\'s'` and `_utf8mb4'x'`.
pub fn string_literal(backend: DbBackend, sql: &str) -> Option<String> {
    crate::pipeline::parse::expression::string_literal(sql, dialect(backend))
}

/// An index as a parsed `CREATE INDEX` statement describes it, on `backend`: method, parts,
/// INCLUDE columns, predicate. Uniqueness and name are the statement's; `constraint` is false.
pub fn index_from(backend: DbBackend, parsed: &CreateIndex) -> Index {
    let method = match parsed.kind {
        Some(IndexKind::FullText) => Some("fulltext".to_owned()),
        Some(IndexKind::Spatial) => Some("spatial".to_owned()),
        None => parsed.method.clone().map(|m| m.to_ascii_lowercase()).filter(|m| m != "btree"),
    };
    let parts = parsed
        .parts
        .iter()
        .map(|p| IndexPart {
            key: match &p.target {
                IndexTarget::Column(name) => IndexKey::Column(name.clone()),
                IndexTarget::Expression(sql) => IndexKey::Expression(expression(backend, sql)),
            },
            descending: p.descending,
            // Only an order that is not the default for the direction says something.
            nulls_first: match (p.nulls, p.descending) {
                (Some(NullsOrder::First), false) => Some(true),
                (Some(NullsOrder::Last), true) => Some(false),
                _ => None,
            },
            opclass: p.operator_class.clone(),
            prefix: p.prefix,
            collation: p.collation.clone(),
        })
        .collect();
    Index {
        name: parsed.name.clone(),
        parts,
        unique: parsed.unique,
        constraint: false,
        method,
        include: parsed.include.clone(),
        predicate: parsed.predicate.as_deref().map(|sql| expression(backend, sql)),
        nulls_not_distinct: parsed.nulls_not_distinct,
        definition: Verbatim::default(),
    }
}


/// Removes one pair of parentheses around the whole expression.
fn strip_parens(text: &str) -> &str {
    let text = text.trim();
    if !(text.starts_with('(') && text.ends_with(')')) {
        return text;
    }
    // Only when the first parenthesis closes at the very end.
    let mut depth = 0usize;
    let mut in_string = false;
    for (i, c) in text.char_indices() {
        match c {
            '\'' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => {
                depth -= 1;
                if depth == 0 && i != text.len() - 1 {
                    return text;
                }
            }
            _ => {}
        }
    }
    text[1..text.len() - 1].trim()
}

/// Removes one trailing PostgreSQL cast at the top level (`'x'::character varying`,
/// `0::numeric(12,2)`, `'{}'::text[]`), leaving casts inside calls alone:
/// `timezone('utc'::text, now())` keeps its cast.
fn strip_cast(text: &str) -> &str {
    let mut in_string = false;
    let mut depth = 0i32;
    let mut last_cast = None;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        match c {
            '\'' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => depth -= 1,
            ':' if !in_string && depth == 0 && bytes.get(i + 1) == Some(&b':') && (i == 0 || bytes[i - 1] != b':') => {
                last_cast = Some(i)
            }
            _ => {}
        }
    }
    match last_cast {
        Some(i) if is_type_name(&text[i + 2..]) => text[..i].trim(),
        _ => text,
    }
}

/// Whether `text` is a type name as a cast writes it: words (possibly quoted or
/// schema-qualified), an optional list of numbers in parentheses, optional `[]`s.
fn is_type_name(text: &str) -> bool {
    let text = text.trim();
    let (name, rest) = match text.find(['(', '[']) {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, ""),
    };
    let name_ok = !name.trim().is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ' ' | '.' | '"'));
    let mut rest = rest.trim();
    if let Some(args) = rest.strip_prefix('(') {
        let Some(close) = args.find(')') else { return false };
        if !args[..close].chars().all(|c| c.is_ascii_digit() || c == ',' || c == ' ') {
            return false;
        }
        rest = args[close + 1..].trim();
    }
    while let Some(after) = rest.strip_prefix('[') {
        let Some(after) = after.trim_start().strip_prefix(']') else { return false };
        rest = after.trim();
    }
    name_ok && rest.is_empty()
}

/// A plain number in canonical form: no plus sign, no trailing zeros after the point.
fn canonical_number(text: &str) -> Option<String> {
    let text = text.trim();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    if digits.matches('.').count() > 1 || digits == "." {
        return None;
    }
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let body = if frac.is_empty() {
        int.to_owned()
    } else {
        format!("{int}.{frac}")
    };
    Some(if body == "0" { body } else { format!("{sign}{body}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(s: &str) -> Option<Default> {
        Some(Default::String(s.into()))
    }

    fn number(s: &str) -> Option<Default> {
        Some(Default::Number(s.into()))
    }

    const PG: DbBackend = DbBackend::Postgres;

    #[test]
    fn spellings_of_the_current_time_are_one() {
        for sql in ["CURRENT_TIMESTAMP", "now()", "current_timestamp()", "(CURRENT_TIMESTAMP)", "current_timestamp(6)"] {
            assert_eq!(default_from_sql(PG, &ColumnType::TimestampTz, sql), Some(Default::CurrentTimestamp), "{sql}");
        }
        // A cast string literal is not the same expression; keep it visible.
        assert_eq!(default_from_sql(PG, &ColumnType::TimestampTz, "('now'::text)::timestamp"), string("now"));
    }

    #[test]
    fn casts_parens_and_quotes_are_normalised() {
        let varchar = ColumnType::Varchar(Some(10));
        assert_eq!(default_from_sql(PG, &varchar, "'x'::character varying"), string("x"));
        assert_eq!(default_from_sql(PG, &varchar, "('x'::text)"), string("x"));
        assert_eq!(default_from_sql(PG, &varchar, "'it''s'"), string("it's"));
        let decimal = ColumnType::Decimal(Some((12, 2)));
        assert_eq!(default_from_sql(PG, &decimal, "0.00"), number("0"));
        assert_eq!(default_from_sql(PG, &decimal, "'1.50'"), number("1.5"));
        assert_eq!(default_from_sql(PG, &decimal, "0::numeric"), number("0"));
        assert_eq!(default_from_sql(PG, &ColumnType::Integer, "(-7)"), number("-7"));
        let enum_ty = ColumnType::Enum { name: "role".into(), values: vec![] };
        assert_eq!(default_from_sql(PG, &enum_ty, "'owner'::role"), string("owner"));
        assert_eq!(default_from_sql(PG, &varchar, "NULL"), None);
        assert_eq!(default_from_sql(PG, &varchar, "NULL::character varying"), None);
    }

    #[test]
    fn string_defaults_are_compared_by_their_decoded_text() {
        let text = ColumnType::Text;
        for (backend, sql) in [
            (PG, "'it''s'"),
            (PG, "E'it\\'s'"),
            (PG, "'it''s'::text"),
            (DbBackend::MySql, "'it\\'s'"),
            (DbBackend::MySql, "_utf8mb4'it\\'s'"),
            (DbBackend::Sqlite, "'it''s'"),
        ] {
            assert_eq!(default_from_sql(backend, &text, sql), string("it's"), "{backend:?} {sql}");
        }
        assert_eq!(default_from_sql(PG, &text, "'C:\\temp'"), string("C:\\temp"));
        assert_eq!(default_from_sql(PG, &text, "E'C:\\\\temp'"), string("C:\\temp"));
        assert_eq!(default_from_sql(DbBackend::MySql, &text, "'C:\\\\temp'"), string("C:\\temp"));
    }

    #[test]
    fn casts_inside_calls_stay() {
        let ts = ColumnType::TimestampTz;
        let Some(Default::Expression(e)) = default_from_sql(PG, &ts, "timezone('utc'::text, now())") else {
            panic!("an expression")
        };
        assert_eq!(e.sql, "timezone('utc'::text, now())");
        assert_eq!(strip_cast("'{}'::character varying[]"), "'{}'");
        assert_eq!(strip_cast("(a)::numeric(10, 2)"), "(a)");
        assert_eq!(strip_cast("f(x::int)"), "f(x::int)");
    }

    #[test]
    fn booleans_have_one_spelling() {
        for sql in ["true", "TRUE", "1", "'t'", "b'1'"] {
            assert_eq!(default_from_sql(PG, &ColumnType::Boolean, sql), Some(Default::Bool(true)), "{sql}");
        }
        for sql in ["false", "0", "'f'"] {
            assert_eq!(default_from_sql(PG, &ColumnType::Boolean, sql), Some(Default::Bool(false)), "{sql}");
        }
    }

    #[test]
    fn other_expressions_keep_their_spelling_and_compare_canonically() {
        let got = default_from_sql(PG, &ColumnType::Uuid, "gen_random_uuid()");
        assert_eq!(got, Some(Default::Expression(expression(PG, "GEN_RANDOM_UUID()"))));
        let Some(Default::Expression(e)) = got else { unreachable!() };
        assert_eq!(e.sql, "gen_random_uuid()");
    }
}

/// The SQL spelling sea-query gives `ty` on `backend`, as it would appear in `CREATE TABLE`.
pub fn render_type(backend: sea_orm::DbBackend, ty: &sea_orm::sea_query::ColumnType) -> String {
    use sea_orm::sea_query::{Alias, ColumnDef, MysqlQueryBuilder, PostgresQueryBuilder, SqliteQueryBuilder, Table};
    let statement = Table::create()
        .table(Alias::new("t"))
        .col(ColumnDef::new_with_type(Alias::new("c"), ty.clone()))
        .to_owned();
    let sql = match backend {
        sea_orm::DbBackend::MySql => statement.to_string(MysqlQueryBuilder),
        sea_orm::DbBackend::Postgres => statement.to_string(PostgresQueryBuilder),
        _ => statement.to_string(SqliteQueryBuilder),
    };
    // `CREATE TABLE "t" ( "c" <type> )`: the type is what follows the column name.
    let start = sql.find("c\" ").or_else(|| sql.find("c` ")).map(|i| i + 3).unwrap_or(0);
    let end = sql.rfind(" )").unwrap_or(sql.len());
    sql[start..end].trim().to_owned()
}

#[cfg(test)]
mod render_tests {
    use super::render_type;
    use sea_orm::DbBackend;
    use sea_orm::sea_query::{ColumnType, StringLen};

    #[test]
    fn renders_types_as_create_table_does() {
        let varchar = ColumnType::String(StringLen::N(50));
        assert_eq!(render_type(DbBackend::Postgres, &varchar), "varchar(50)");
        assert_eq!(render_type(DbBackend::MySql, &varchar), "varchar(50)");
        assert_eq!(render_type(DbBackend::Sqlite, &ColumnType::Uuid), "uuid_text");
        assert_eq!(render_type(DbBackend::MySql, &ColumnType::Uuid), "binary(16)");
        assert_eq!(render_type(DbBackend::Postgres, &ColumnType::TimestampWithTimeZone), "timestamp with time zone");
    }
}
