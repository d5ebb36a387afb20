//! The lexer: SQL text cut into tokens that keep their byte span, by the rules of one dialect.

use std::ops::Range;

use super::{Dialect, ParseError};

/// What a token is, with the decoded value of strings and quoted identifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// A keyword or a bare identifier.
    Word,
    /// A quoted identifier, holding the name without its quotes.
    QuotedIdent(String),
    /// A string literal, holding its decoded text.
    String(String),
    /// A blob or bit-string literal (`x'ab'`, `b'01'`), holding the text between the quotes.
    Blob(String),
    /// A numeric literal.
    Number,
    /// An operator such as `=`, `<>`, `||` or `::`.
    Operator,
    /// One of `(`, `)`, `,`, `;`, `.`, `[`, `]`.
    Punct,
    /// A bind parameter (`$1`, `?`, `:name`).
    Param,
}

/// One token of the input: its kind, its exact text and its byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    /// What the token is.
    pub kind: TokenKind,
    /// The token exactly as written.
    pub text: &'a str,
    /// Where the token is in the input.
    pub span: Range<usize>,
}

impl Token<'_> {
    /// The decoded text of a string literal or quoted identifier; `None` for other tokens.
    pub fn value(&self) -> Option<&str> {
        match &self.kind {
            TokenKind::QuotedIdent(value) | TokenKind::String(value) => Some(value),
            _ => None,
        }
    }

    /// Whether the token is the bare word `word`, ignoring case.
    pub fn is_word(&self, word: &str) -> bool {
        self.kind == TokenKind::Word && self.text.eq_ignore_ascii_case(word)
    }

    /// Whether the token is the punctuation or operator `symbol`.
    pub fn is(&self, symbol: &str) -> bool {
        matches!(self.kind, TokenKind::Punct | TokenKind::Operator) && self.text == symbol
    }

    /// The name this token stands for when used as an identifier: a bare word as written, a
    /// quoted identifier decoded. SQLite also takes a string literal as a name.
    pub fn name(&self) -> Option<&str> {
        match &self.kind {
            TokenKind::Word => Some(self.text),
            TokenKind::QuotedIdent(name) | TokenKind::String(name) => Some(name),
            _ => None,
        }
    }
}

/// A position in the tokens of one statement, with the steps the statement parsers share.
pub(super) struct Cursor<'s, 't, 'a> {
    pub(super) sql: &'s str,
    pub(super) tokens: &'t [Token<'a>],
    pub(super) pos: usize,
}

impl<'t, 'a> Cursor<'_, 't, 'a> {
    pub(super) fn peek(&self) -> Option<&'t Token<'a>> {
        self.tokens.get(self.pos)
    }

    pub(super) fn peek_is_word(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| t.is_word(word))
    }

    pub(super) fn peek_is(&self, symbol: &str) -> bool {
        self.peek().is_some_and(|t| t.is(symbol))
    }

    pub(super) fn error<T>(&self, expected: &str) -> Result<T, ParseError> {
        Err(match self.peek() {
            Some(token) => ParseError::new(format!("expected {expected}, found `{}`", token.text), token.span.start),
            None => ParseError::new(format!("expected {expected}, found the end"), self.sql.len()),
        })
    }

    pub(super) fn eat_word(&mut self, word: &str) -> bool {
        let found = self.peek_is_word(word);
        self.pos += usize::from(found);
        found
    }

    pub(super) fn eat(&mut self, symbol: &str) -> bool {
        let found = self.peek_is(symbol);
        self.pos += usize::from(found);
        found
    }

    pub(super) fn expect_word(&mut self, word: &str) -> Result<(), ParseError> {
        if self.eat_word(word) { Ok(()) } else { self.error(&format!("`{}`", word.to_uppercase())) }
    }

    pub(super) fn expect(&mut self, symbol: &str) -> Result<(), ParseError> {
        if self.eat(symbol) { Ok(()) } else { self.error(&format!("`{symbol}`")) }
    }

    /// End byte of the token before the current one.
    pub(super) fn last_end(&self) -> usize {
        self.pos.checked_sub(1).map_or(0, |i| self.tokens[i].span.end)
    }

    pub(super) fn name(&mut self) -> Result<String, ParseError> {
        match self.peek().and_then(Token::name) {
            Some(name) => {
                self.pos += 1;
                Ok(name.to_owned())
            }
            None => self.error("a name"),
        }
    }

    /// A name with an optional `schema.` prefix: `(schema, name)`.
    pub(super) fn qualified_name(&mut self) -> Result<(Option<String>, String), ParseError> {
        let first = self.name()?;
        if self.eat(".") { Ok((Some(first), self.name()?)) } else { Ok((None, first)) }
    }

    /// Skips a parenthesised group at the current position and returns the span between the
    /// parentheses.
    pub(super) fn group(&mut self) -> Result<Range<usize>, ParseError> {
        let open = self.peek().filter(|t| t.is("(")).map(|t| t.span.end);
        let Some(inner_start) = open else {
            return self.error("`(`");
        };
        let mut depth = 0usize;
        while let Some(token) = self.peek() {
            self.pos += 1;
            if token.is("(") {
                depth += 1;
            } else if token.is(")") {
                depth -= 1;
                if depth == 0 {
                    return Ok(inner_start..token.span.start);
                }
            }
        }
        self.error("`)`")
    }

    /// The text between the parentheses of the group at the current position, trimmed.
    pub(super) fn group_text(&mut self) -> Result<String, ParseError> {
        let inner = self.group()?;
        Ok(self.sql[inner].trim().to_owned())
    }

    /// `(name, name, ..)`; with `modifiers`, each name may be followed by `COLLATE x` and
    /// `ASC`/`DESC`.
    pub(super) fn name_list(&mut self, modifiers: bool) -> Result<Vec<String>, ParseError> {
        self.expect("(")?;
        let mut names = Vec::new();
        loop {
            names.push(self.name()?);
            if modifiers {
                if self.eat_word("collate") {
                    self.name()?;
                }
                let _ = self.eat_word("asc") || self.eat_word("desc");
            }
            if !self.eat(",") {
                break;
            }
        }
        self.expect(")")?;
        Ok(names)
    }
}

/// Cuts `sql` into tokens; comments and whitespace are skipped.
pub fn tokenize(sql: &str, dialect: Dialect) -> Result<Vec<Token<'_>>, ParseError> {
    let mut lexer = Lexer { sql, bytes: sql.as_bytes(), pos: 0, dialect, tokens: Vec::new() };
    while lexer.next()? {}
    Ok(lexer.tokens)
}

/// Operators of MySQL and SQLite, longest first so that the longest match wins.
const FIXED_OPERATORS: &[&str] = &[
    "<=>", "->>", "<<", ">>", "<=", ">=", "<>", "!=", "==", "||", "&&", "->", ":=", "::", "+", "-", "*", "/", "%", "<",
    ">", "=", "!", "~", "&", "|", "^", ":",
];

/// Characters PostgreSQL builds operators from.
const PG_OPERATOR_CHARS: &[u8] = b"+-*/<>=~!@#%^&|`?";

struct Lexer<'a> {
    sql: &'a str,
    bytes: &'a [u8],
    pos: usize,
    dialect: Dialect,
    tokens: Vec<Token<'a>>,
}

impl<'a> Lexer<'a> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        let span = start..self.pos;
        self.tokens.push(Token { kind, text: &self.sql[span.clone()], span });
    }

    fn error<T>(&self, message: &str, offset: usize) -> Result<T, ParseError> {
        Err(ParseError::new(message, offset))
    }

    /// Reads one token or skips one comment or whitespace run; `false` at the end.
    fn next(&mut self) -> Result<bool, ParseError> {
        let Some(c) = self.peek(0) else { return Ok(false) };
        let start = self.pos;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c' => self.pos += 1,
            b'-' if self.peek(1) == Some(b'-') && self.line_comment_after_dashes() => self.skip_line(),
            b'#' if self.dialect == Dialect::MySql => self.skip_line(),
            b'/' if self.peek(1) == Some(b'*') => self.skip_block_comment()?,
            b'\'' => {
                let value = self.quoted(b'\'', self.dialect == Dialect::MySql)?;
                self.push(TokenKind::String(value), start);
            }
            b'"' if self.dialect == Dialect::MySql => {
                // MySQL's default sql_mode reads a double-quoted text as a string.
                let value = self.quoted(b'"', true)?;
                self.push(TokenKind::String(value), start);
            }
            b'"' => {
                let value = self.quoted(b'"', false)?;
                self.push(TokenKind::QuotedIdent(value), start);
            }
            b'`' if self.dialect != Dialect::Postgres => {
                let value = self.quoted(b'`', false)?;
                self.push(TokenKind::QuotedIdent(value), start);
            }
            b'[' if self.dialect == Dialect::Sqlite => {
                let Some(end) = self.sql[start + 1..].find(']') else {
                    return self.error("unterminated quoted identifier", start);
                };
                self.pos = start + 1 + end + 1;
                self.push(TokenKind::QuotedIdent(self.sql[start + 1..start + 1 + end].to_owned()), start);
            }
            b'$' if self.dialect == Dialect::Postgres => self.dollar()?,
            b'?' if self.dialect != Dialect::Postgres => {
                self.pos += 1;
                self.skip_while(|b| b.is_ascii_digit());
                self.push(TokenKind::Param, start);
            }
            b':' | b'@' | b'$'
                if self.peek(1).is_some_and(is_word_byte)
                    && (self.dialect == Dialect::Sqlite || (c != b'$' && self.dialect == Dialect::MySql)) =>
            {
                // SQLite's named parameters and MySQL's user variables.
                self.pos += 1;
                self.skip_while(|b| is_word_byte(b) || b == b'@');
                self.push(TokenKind::Param, start);
            }
            b'0'..=b'9' => self.number(),
            b'.' if self.peek(1).is_some_and(|b| b.is_ascii_digit()) => self.number(),
            b'(' | b')' | b',' | b';' | b'.' | b'[' | b']' => {
                self.pos += 1;
                self.push(TokenKind::Punct, start);
            }
            c if is_word_start(c) || (c == b'$' && self.dialect == Dialect::MySql) => self.word()?,
            _ => self.operator()?,
        }
        Ok(true)
    }

    fn line_comment_after_dashes(&self) -> bool {
        // MySQL needs a space or control character after `--`; `a--1` is `a - -1` there.
        self.dialect != Dialect::MySql || self.peek(2).is_none_or(|b| b <= b' ')
    }

    fn skip_while(&mut self, keep: impl Fn(u8) -> bool) {
        while self.peek(0).is_some_and(&keep) {
            self.pos += 1;
        }
    }

    fn skip_line(&mut self) {
        self.skip_while(|b| b != b'\n');
    }

    fn skip_block_comment(&mut self) -> Result<(), ParseError> {
        let start = self.pos;
        self.pos += 2;
        // PostgreSQL nests block comments; MySQL and SQLite end at the first `*/`.
        let mut depth = 1;
        while depth > 0 {
            match (self.peek(0), self.peek(1)) {
                (None, _) => return self.error("unterminated comment", start),
                (Some(b'*'), Some(b'/')) => {
                    depth -= 1;
                    self.pos += 2;
                }
                (Some(b'/'), Some(b'*')) if self.dialect == Dialect::Postgres => {
                    depth += 1;
                    self.pos += 2;
                }
                _ => self.pos += 1,
            }
        }
        Ok(())
    }

    /// Reads a text between `quote`s starting at the current position, a doubled quote
    /// standing for one; with `backslashes`, MySQL's backslash escapes too.
    fn quoted(&mut self, quote: u8, backslashes: bool) -> Result<String, ParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut value = String::new();
        loop {
            let rest = &self.sql[self.pos..];
            let Some(c) = rest.chars().next() else {
                let what = if quote == b'\'' || backslashes { "string" } else { "quoted identifier" };
                return self.error(&format!("unterminated {what}"), start);
            };
            self.pos += c.len_utf8();
            if c == quote as char {
                if self.peek(0) == Some(quote) {
                    self.pos += 1;
                    value.push(c);
                    continue;
                }
                return Ok(value);
            }
            if c == '\\' && backslashes {
                let Some(escaped) = self.sql[self.pos..].chars().next() else {
                    continue;
                };
                self.pos += escaped.len_utf8();
                match escaped {
                    '0' => value.push('\0'),
                    'b' => value.push('\x08'),
                    'n' => value.push('\n'),
                    'r' => value.push('\r'),
                    't' => value.push('\t'),
                    'Z' => value.push('\x1a'),
                    // MySQL keeps the backslash of `\%` and `\_` so LIKE patterns still see it.
                    '%' | '_' => {
                        value.push('\\');
                        value.push(escaped);
                    }
                    other => value.push(other),
                }
                continue;
            }
            value.push(c);
        }
    }

    /// Reads PostgreSQL's `E'...'` string with C-style backslash escapes.
    fn escape_string(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut bytes = Vec::new();
        loop {
            let Some(c) = self.peek(0) else {
                return self.error("unterminated string", start);
            };
            self.pos += 1;
            match c {
                b'\'' if self.peek(0) == Some(b'\'') => {
                    self.pos += 1;
                    bytes.push(b'\'');
                }
                b'\'' => break,
                b'\\' => {
                    let Some(e) = self.peek(0) else { continue };
                    self.pos += 1;
                    match e {
                        b'b' => bytes.push(8),
                        b'f' => bytes.push(12),
                        b'n' => bytes.push(b'\n'),
                        b'r' => bytes.push(b'\r'),
                        b't' => bytes.push(b'\t'),
                        b'0'..=b'7' => {
                            let mut code = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek(0) {
                                    Some(d @ b'0'..=b'7') => {
                                        code = code * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            bytes.push(code as u8);
                        }
                        b'x' if self.peek(0).is_some_and(|d| d.is_ascii_hexdigit()) => {
                            let code = self.hex_digits(2);
                            bytes.push(code as u8);
                        }
                        b'u' | b'U' => {
                            let digits = if e == b'u' { 4 } else { 8 };
                            let at = self.pos - 2;
                            let code = self.hex_digits(digits);
                            let Some(ch) = char::from_u32(code) else {
                                return self.error("invalid unicode escape", at);
                            };
                            bytes.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                        }
                        other => {
                            // An escaped multi-byte character stands for itself: copy it whole.
                            bytes.push(other);
                        }
                    }
                }
                other => bytes.push(other),
            }
        }
        String::from_utf8(bytes).or_else(|_| self.error("invalid byte sequence in string", start))
    }

    fn hex_digits(&mut self, at_most: usize) -> u32 {
        let mut code = 0;
        for _ in 0..at_most {
            match self.peek(0).and_then(|d| (d as char).to_digit(16)) {
                Some(d) => {
                    code = code * 16 + d;
                    self.pos += 1;
                }
                None => break,
            }
        }
        code
    }

    /// `$1` parameters and `$tag$...$tag$` strings of PostgreSQL.
    fn dollar(&mut self) -> Result<(), ParseError> {
        let start = self.pos;
        if self.peek(1).is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
            self.skip_while(|b| b.is_ascii_digit());
            self.push(TokenKind::Param, start);
            return Ok(());
        }
        let rest = &self.sql[start + 1..];
        let tag_len = rest.find('$').filter(|&n| {
            let tag = &rest[..n];
            tag.bytes().enumerate().all(|(i, b)| b == b'_' || b.is_ascii_alphabetic() || (i > 0 && b.is_ascii_digit()))
        });
        let Some(tag_len) = tag_len else {
            return self.error("unexpected character `$`", start);
        };
        let delimiter = &self.sql[start..start + tag_len + 2];
        let body_start = start + delimiter.len();
        let Some(body_len) = self.sql[body_start..].find(delimiter) else {
            return self.error("unterminated dollar-quoted string", start);
        };
        self.pos = body_start + body_len + delimiter.len();
        self.push(TokenKind::String(self.sql[body_start..body_start + body_len].to_owned()), start);
        Ok(())
    }

    fn number(&mut self) {
        let start = self.pos;
        if self.peek(0) == Some(b'0')
            && matches!(self.peek(1), Some(b'x' | b'X'))
            && self.peek(2).is_some_and(|b| b.is_ascii_hexdigit())
        {
            self.pos += 2;
            self.skip_while(|b| b.is_ascii_hexdigit());
        } else {
            self.skip_while(|b| b.is_ascii_digit());
            if self.peek(0) == Some(b'.') {
                self.pos += 1;
                self.skip_while(|b| b.is_ascii_digit());
            }
            if matches!(self.peek(0), Some(b'e' | b'E')) {
                let sign = usize::from(matches!(self.peek(1), Some(b'+' | b'-')));
                if self.peek(1 + sign).is_some_and(|b| b.is_ascii_digit()) {
                    self.pos += 1 + sign;
                    self.skip_while(|b| b.is_ascii_digit());
                }
            }
        }
        self.push(TokenKind::Number, start);
    }

    fn word(&mut self) -> Result<(), ParseError> {
        let start = self.pos;
        let dollar = self.dialect != Dialect::Sqlite;
        self.skip_while(|b| is_word_byte(b) || (dollar && b == b'$'));
        if self.peek(0) != Some(b'\'') {
            self.push(TokenKind::Word, start);
            return Ok(());
        }
        let word = &self.sql[start..self.pos];
        let lower = word.to_ascii_lowercase();
        match (lower.as_str(), self.dialect) {
            ("e", Dialect::Postgres) => {
                let value = self.escape_string()?;
                self.push(TokenKind::String(value), start);
            }
            ("x", _) | ("b", Dialect::Postgres | Dialect::MySql) => {
                // Hex and bit digits hold no quote to escape: the first quote ends the literal.
                let Some(len) = self.sql[self.pos + 1..].find('\'') else {
                    return self.error("unterminated string", start);
                };
                let value = self.sql[self.pos + 1..self.pos + 1 + len].to_owned();
                self.pos += len + 2;
                self.push(TokenKind::Blob(value), start);
            }
            // `N'..'` national strings, and MySQL's charset introducers such as `_utf8mb4'..'`.
            ("n", Dialect::Postgres | Dialect::MySql) => {
                let value = self.quoted(b'\'', self.dialect == Dialect::MySql)?;
                self.push(TokenKind::String(value), start);
            }
            (w, Dialect::MySql) if w.starts_with('_') => {
                let value = self.quoted(b'\'', true)?;
                self.push(TokenKind::String(value), start);
            }
            _ => self.push(TokenKind::Word, start),
        }
        Ok(())
    }

    fn operator(&mut self) -> Result<(), ParseError> {
        let start = self.pos;
        let rest = &self.sql[start..];
        if rest.starts_with("::") {
            self.pos += 2;
        } else if self.dialect == Dialect::Postgres {
            self.pos += postgres_operator_len(rest.as_bytes());
        } else if let Some(op) = FIXED_OPERATORS.iter().find(|op| rest.starts_with(**op)) {
            self.pos += op.len();
        }
        if self.pos == start {
            let c = rest.chars().next().unwrap_or(' ');
            return self.error(&format!("unexpected character `{c}`"), start);
        }
        self.push(TokenKind::Operator, start);
        Ok(())
    }
}

/// Length of the PostgreSQL operator at the start of `bytes`, by the server's own rule: the
/// longest run of operator characters, stopping before a comment start, and without trailing
/// `+` or `-` unless the operator holds one of `~ ! @ # % ^ & | \` ?`.
fn postgres_operator_len(bytes: &[u8]) -> usize {
    if bytes.first() == Some(&b':') {
        // A lone `:` is the array slice separator.
        return 1;
    }
    let mut len = 0;
    while len < bytes.len() && PG_OPERATOR_CHARS.contains(&bytes[len]) {
        if len > 0 && matches!(&bytes[len - 1..=len], b"--" | b"/*") {
            len -= 1;
            break;
        }
        len += 1;
    }
    let special = bytes[..len].iter().any(|b| b"~!@#%^&|`?".contains(b));
    while len > 1 && !special && matches!(bytes[len - 1], b'+' | b'-') {
        len -= 1;
    }
    len
}

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str, dialect: Dialect) -> Vec<(TokenKind, &str)> {
        tokenize(sql, dialect).unwrap().into_iter().map(|t| (t.kind, t.text)).collect()
    }

    fn values(sql: &str, dialect: Dialect) -> Vec<String> {
        tokenize(sql, dialect).unwrap().iter().map(|t| t.value().unwrap_or(t.text).to_owned()).collect()
    }

    #[test]
    fn decodes_strings_and_identifiers_per_dialect() {
        use Dialect::*;
        let cases: &[(&str, Dialect, &[&str])] = &[
            (r#""x""y" 'it''s'"#, Postgres, &["x\"y", "it's"]),
            (r"E'it\'s\n' e'\x41\101\u00e9'", Postgres, &["it's\n", "AAé"]),
            (r"'C:\temp'", Postgres, &[r"C:\temp"]),
            ("$$a'b$$ $tag$x$$y$tag$", Postgres, &["a'b", "x$$y"]),
            (r#"`x``y` 'it\'s' 'a''b' "dq\"x""#, MySql, &["x`y", "it's", "a'b", "dq\"x"]),
            (r"_utf8mb4'it\'s' N'n' 'a\_b\%c\\d\0'", MySql, &["it's", "n", "a\\_b\\%c\\d\0"]),
            (r#"[a b] `c` "d" 'e''f'"#, Sqlite, &["a b", "c", "d", "e'f"]),
        ];
        for (sql, dialect, expected) in cases {
            assert_eq!(values(sql, *dialect), *expected, "{sql}");
        }
    }

    #[test]
    fn keeps_spans_and_skips_comments() {
        let sql = "a /* x /* nested */ y */ -- line\n <> 'b'";
        let tokens = tokenize(sql, Dialect::Postgres).unwrap();
        let texts: Vec<_> = tokens.iter().map(|t| &sql[t.span.clone()]).collect();
        assert_eq!(texts, ["a", "<>", "'b'"]);
        assert_eq!(
            kinds("a # c\n= 1", Dialect::MySql),
            [(TokenKind::Word, "a"), (TokenKind::Operator, "="), (TokenKind::Number, "1")]
        );
        // MySQL reads `--` without a following space as two minus signs.
        assert_eq!(kinds("a--1", Dialect::MySql).len(), 4);
    }

    #[test]
    fn operators_parameters_numbers_and_blobs() {
        use TokenKind::*;
        assert_eq!(
            kinds("a::text !~~* b ->> 'k' @> x'AB' $1 >= -1.5e3", Dialect::Postgres),
            [
                (Word, "a"),
                (Operator, "::"),
                (Word, "text"),
                (Operator, "!~~*"),
                (Word, "b"),
                (Operator, "->>"),
                (String("k".into()), "'k'"),
                (Operator, "@>"),
                (Blob("AB".into()), "x'AB'"),
                (Param, "$1"),
                (Operator, ">="),
                (Operator, "-"),
                (Number, "1.5e3"),
            ]
        );
        // PostgreSQL cuts a trailing sign off an operator made only of plain characters.
        assert_eq!(kinds("a=-1", Dialect::Postgres)[1], (Operator, "="));
        assert_eq!(kinds("a@-1", Dialect::Postgres)[1], (Operator, "@-"));
        assert_eq!(
            kinds("a <=> ? || :p", Dialect::MySql)[1..],
            [(Operator, "<=>"), (Param, "?"), (Operator, "||"), (Param, ":p")]
        );
        assert_eq!(
            kinds("x[1] != .5", Dialect::Postgres)[1..],
            [(Punct, "["), (Number, "1"), (Punct, "]"), (Operator, "!="), (Number, ".5")]
        );
    }

    #[test]
    fn reports_unterminated_text_with_its_offset() {
        let cases = [
            ("a = 'x", Dialect::Postgres, "unterminated string", 4),
            ("\"x", Dialect::Postgres, "unterminated quoted identifier", 0),
            ("$a$ x", Dialect::Postgres, "unterminated dollar-quoted string", 0),
            ("1 /* x", Dialect::Sqlite, "unterminated comment", 2),
            ("a \\ b", Dialect::Postgres, "unexpected character `\\`", 2),
        ];
        for (sql, dialect, message, offset) in cases {
            assert_eq!(tokenize(sql, dialect), Err(ParseError::new(message, offset)), "{sql}");
        }
    }
}
