//! Quoting: the one place where names and values become SQL text for a backend, and where text
//! becomes a comment line. Every identifier, string literal and comment the engine writes into
//! SQL or into a generated module goes through here (Rust string literals are written by
//! `quote!`, which escapes them itself).
//!
//! The rules, per backend:
//! - identifiers: PostgreSQL and SQLite `"name"`, MySQL `` `name` ``, the quote character doubled
//!   inside;
//! - string literals: PostgreSQL `'text'` with `'` doubled, or `E'...'` with `\` doubled as well
//!   when the text holds a backslash, so it reads the same whatever
//!   `standard_conforming_strings` says; MySQL `'text'` with `'` doubled and `\` and NUL escaped
//!   (the runtime turns `NO_BACKSLASH_ESCAPES` off for the migration's session); SQLite `'text'`
//!   with `'` doubled;
//! - comment lines: one line, control characters replaced by spaces, so that no text can end a
//!   comment and start a statement.

use sea_orm::DbBackend;

/// An identifier quoted for `backend`.
pub fn ident(backend: DbBackend, name: &str) -> String {
    match backend {
        DbBackend::MySql => format!("`{}`", name.replace('`', "``")),
        _ => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}

/// Several identifiers quoted for `backend`, comma-separated.
pub fn idents<S: AsRef<str>>(backend: DbBackend, names: &[S]) -> String {
    names.iter().map(|n| ident(backend, n.as_ref())).collect::<Vec<_>>().join(", ")
}

/// A string literal holding exactly `text` on `backend`.
pub fn string(backend: DbBackend, text: &str) -> String {
    match backend {
        DbBackend::MySql => {
            let mut out = String::with_capacity(text.len() + 2);
            out.push('\'');
            for c in text.chars() {
                match c {
                    '\'' => out.push_str("''"),
                    '\\' => out.push_str("\\\\"),
                    '\0' => out.push_str("\\0"),
                    c => out.push(c),
                }
            }
            out.push('\'');
            out
        }
        DbBackend::Postgres if text.contains('\\') => {
            format!("E'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
        }
        _ => format!("'{}'", text.replace('\'', "''")),
    }
}

/// A PostgreSQL dollar-quoted string holding `body`, with a tag that does not occur in it, for
/// the body of a `DO` block.
pub fn dollar_quoted(body: &str) -> String {
    let mut tag = String::from("autogen");
    let mut n = 0u32;
    while body.contains(&format!("${tag}$")) || body.ends_with(&format!("${tag}")) {
        n += 1;
        tag = format!("autogen{n}");
    }
    format!("${tag}${body}${tag}$")
}

/// `text` made safe for one comment line (`-- text`, `//! text`): every control character,
/// line and paragraph separator becomes a space.
pub fn comment_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() || c == '\u{2028}' || c == '\u{2029}' { ' ' } else { c })
        .collect()
}

/// What a piece of text becomes in SQL, for [`unwritable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// An identifier.
    Name,
    /// A string literal (a default, an enum value).
    Literal,
    /// A table or column comment.
    Comment,
}

/// Why `text` cannot be stored as `what` on `backend` exactly as given, or `None` when it can:
/// PostgreSQL stores no NUL character, SQLite reads SQL text only up to one, and no backend
/// takes one in a name (MySQL alone escapes it in a literal); MySQL keeps comments and names in
/// three-byte UTF-8, so a character outside the Basic Multilingual Plane (an emoji) would come
/// back as `?` (a default and an enum value are kept with the table's definition, alike), and it
/// refuses a name that ends with a blank.
pub fn unwritable(backend: DbBackend, text: &str, what: Text) -> Option<&'static str> {
    if text.contains('\0') && (what == Text::Name || backend != DbBackend::MySql) {
        return Some("it contains a NUL character");
    }
    if backend == DbBackend::MySql {
        if text.chars().any(|c| u32::from(c) > 0xFFFF) {
            return Some("MySQL keeps a table's definition in three-byte UTF-8, which has no room for a character outside the Basic Multilingual Plane (an emoji, say)");
        }
        if what == Text::Name && text.ends_with(char::is_whitespace) {
            return Some("MySQL takes no name that ends with a space or another blank");
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_double_their_quote_character() {
        assert_eq!(ident(DbBackend::Postgres, "users"), "\"users\"");
        assert_eq!(ident(DbBackend::Postgres, "a\"b"), "\"a\"\"b\"");
        assert_eq!(ident(DbBackend::Sqlite, "we\"ird"), "\"we\"\"ird\"");
        assert_eq!(ident(DbBackend::MySql, "a`b"), "`a``b`");
        assert_eq!(ident(DbBackend::MySql, "a\"b"), "`a\"b`");
        assert_eq!(idents(DbBackend::Postgres, &["a", "b"]), "\"a\", \"b\"");
    }

    #[test]
    fn strings_escape_what_each_backend_reads_specially() {
        let hostile = r"C:\temp\ \' ; DROP TABLE audit_events; -- x";
        assert_eq!(
            string(DbBackend::MySql, hostile),
            r"'C:\\temp\\ \\'' ; DROP TABLE audit_events; -- x'"
        );
        assert_eq!(
            string(DbBackend::Postgres, hostile),
            r"E'C:\\temp\\ \\'' ; DROP TABLE audit_events; -- x'"
        );
        assert_eq!(string(DbBackend::Postgres, "it's"), "'it''s'");
        assert_eq!(string(DbBackend::Sqlite, hostile), r"'C:\temp\ \'' ; DROP TABLE audit_events; -- x'");
        assert_eq!(string(DbBackend::MySql, "a\0b"), r"'a\0b'");
    }

    #[test]
    fn dollar_quotes_pick_a_tag_the_body_lacks() {
        assert_eq!(dollar_quoted("BEGIN NULL; END"), "$autogen$BEGIN NULL; END$autogen$");
        let body = "SELECT '$autogen$'";
        let quoted = dollar_quoted(body);
        assert_eq!(quoted, "$autogen1$SELECT '$autogen$'$autogen1$");
        assert_eq!(dollar_quoted("x $$ y"), "$autogen$x $$ y$autogen$");
        // A body ending in the tag's start would run into the closing tag.
        assert_eq!(dollar_quoted("a$autogen"), "$autogen1$a$autogen$autogen1$");
    }

    #[test]
    fn comment_lines_cannot_break_out() {
        assert_eq!(comment_line("a\r\nDROP TABLE x; --"), "a  DROP TABLE x; --");
        assert_eq!(comment_line("tab\there\u{2028}x"), "tab here x");
    }

    #[test]
    fn text_a_backend_would_change_is_refused() {
        assert!(unwritable(DbBackend::Postgres, "a\0", Text::Literal).is_some());
        assert!(unwritable(DbBackend::MySql, "a\0", Text::Literal).is_none());
        assert!(unwritable(DbBackend::MySql, "a\0", Text::Name).is_some());
        assert!(unwritable(DbBackend::Sqlite, "a\0", Text::Literal).is_some());
        assert!(unwritable(DbBackend::Sqlite, "ok", Text::Name).is_none());
        assert!(unwritable(DbBackend::MySql, "smile 😀", Text::Comment).is_some());
        assert!(unwritable(DbBackend::MySql, "smile 😀", Text::Literal).is_some());
        assert!(unwritable(DbBackend::Postgres, "smile 😀", Text::Comment).is_none());
        assert!(unwritable(DbBackend::MySql, "name ", Text::Name).is_some());
    }
}
