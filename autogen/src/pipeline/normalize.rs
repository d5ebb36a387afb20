//! Normalisation rules shared by `desired` and `inspect`: how SQL text from either side becomes
//! the canonical values of the IR, so that spelling differences never show up as changes.

use crate::pipeline::schema::{ColumnType, Default};

/// Turns a column default as SQL text (as a catalog reports it, or as sea-query renders an
/// entity's default) into its canonical form. `None` for no default or `NULL`.
pub fn default_from_sql(ty: &ColumnType, sql: &str) -> Option<Default> {
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
    if *ty == ColumnType::Boolean {
        match lower.as_str() {
            "true" | "'t'" | "'true'" | "1" | "'1'" | "b'1'" => {
                return Some(Default::Literal("true".into()));
            }
            "false" | "'f'" | "'false'" | "0" | "'0'" | "b'0'" => {
                return Some(Default::Literal("false".into()));
            }
            _ => {}
        }
    }
    if let Some(number) = canonical_number(text) {
        return Some(Default::Literal(number));
    }
    if text.starts_with('\'') && text.ends_with('\'') && text.len() >= 2 {
        // A quoted number on a numeric column is that number.
        if is_numeric(ty)
            && let Some(number) = canonical_number(&text[1..text.len() - 1])
        {
            return Some(Default::Literal(number));
        }
        return Some(Default::Literal(text.to_owned()));
    }
    Some(Default::Expression(lower))
}

fn is_numeric(ty: &ColumnType) -> bool {
    matches!(
        ty,
        ColumnType::TinyInt
            | ColumnType::SmallInt
            | ColumnType::Integer
            | ColumnType::BigInt
            | ColumnType::TinyUnsigned
            | ColumnType::SmallUnsigned
            | ColumnType::Unsigned
            | ColumnType::BigUnsigned
            | ColumnType::Float
            | ColumnType::Double
            | ColumnType::Decimal(_)
    )
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

/// Removes one trailing PostgreSQL cast (`'x'::character varying`, `0::numeric(12,2)`).
fn strip_cast(text: &str) -> &str {
    let mut in_string = false;
    let mut last_cast = None;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        match c {
            '\'' => in_string = !in_string,
            ':' if !in_string && bytes.get(i + 1) == Some(&b':') => last_cast = Some(i),
            _ => {}
        }
    }
    match last_cast {
        Some(i) if !text[i + 2..].contains('\'') && !text[i + 2..].contains("::") => text[..i].trim(),
        _ => text,
    }
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

    fn lit(s: &str) -> Option<Default> {
        Some(Default::Literal(s.into()))
    }

    #[test]
    fn spellings_of_the_current_time_are_one() {
        for sql in ["CURRENT_TIMESTAMP", "now()", "current_timestamp()", "(CURRENT_TIMESTAMP)", "current_timestamp(6)", "('now'::text)::timestamp"] {
            let got = default_from_sql(&ColumnType::TimestampTz, sql);
            if sql.contains("'now'") {
                // A cast string literal is not the same expression; keep it visible.
                assert_ne!(got, Some(Default::CurrentTimestamp));
            } else {
                assert_eq!(got, Some(Default::CurrentTimestamp), "{sql}");
            }
        }
    }

    #[test]
    fn casts_parens_and_quotes_are_normalised() {
        let varchar = ColumnType::Varchar(Some(10));
        assert_eq!(default_from_sql(&varchar, "'x'::character varying"), lit("'x'"));
        assert_eq!(default_from_sql(&varchar, "('x'::text)"), lit("'x'"));
        assert_eq!(default_from_sql(&varchar, "'it''s'"), lit("'it''s'"));
        let decimal = ColumnType::Decimal(Some((12, 2)));
        assert_eq!(default_from_sql(&decimal, "0.00"), lit("0"));
        assert_eq!(default_from_sql(&decimal, "'1.50'"), lit("1.5"));
        assert_eq!(default_from_sql(&decimal, "0::numeric"), lit("0"));
        assert_eq!(default_from_sql(&ColumnType::Integer, "(-7)"), lit("-7"));
        let enum_ty = ColumnType::Enum { name: "role".into(), values: vec![] };
        assert_eq!(default_from_sql(&enum_ty, "'owner'::role"), lit("'owner'"));
        assert_eq!(default_from_sql(&varchar, "NULL"), None);
        assert_eq!(default_from_sql(&varchar, "NULL::character varying"), None);
    }

    #[test]
    fn booleans_have_one_spelling() {
        for sql in ["true", "TRUE", "1", "'t'", "b'1'"] {
            assert_eq!(default_from_sql(&ColumnType::Boolean, sql), lit("true"), "{sql}");
        }
        for sql in ["false", "0", "'f'"] {
            assert_eq!(default_from_sql(&ColumnType::Boolean, sql), lit("false"), "{sql}");
        }
    }

    #[test]
    fn other_expressions_are_kept_lower_case() {
        assert_eq!(
            default_from_sql(&ColumnType::Uuid, "gen_random_uuid()"),
            Some(Default::Expression("gen_random_uuid()".into()))
        );
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
