//! Lint: finds the hazards of a migration in the SQL it sends, whoever wrote it. The statements
//! come from running the migration against a recording connection (what `upgrade --sql`
//! prints), so hand-written and generated migrations are judged alike. Each hazard has a code
//! ([`crate::pipeline::safety::HAZARDS`]) and a safe alternative.
//!
//! The rules follow what the statements do to tables that already have rows: a table the same
//! migration creates is empty and has no writers, so nothing done to it blocks anyone. With the
//! current schema at hand, a type change is judged by the type it changes from.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::DbBackend;

use crate::pipeline::normalize::{default_from_sql, dialect};
use crate::pipeline::parse::lexer::{Token, TokenKind, tokenize};
use crate::pipeline::render::online::{is_volatile, pg_safe_widening};
use crate::pipeline::safety::{Finding, hazard};
use crate::pipeline::schema::{ColumnType, Schema};

/// One hazard found at one statement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hazard {
    /// The statement's position in the script, from 0.
    pub statement: usize,
    /// The code and what it means.
    #[serde(flatten)]
    pub finding: Finding,
}

/// Lints the statements a migration sends on `backend`, in order; `current` is the schema before
/// it runs, when known.
pub fn lint(statements: &[String], backend: DbBackend, current: Option<&Schema>) -> Vec<Hazard> {
    let mut linter = Linter::new(backend, current);
    let mut out = Vec::new();
    for (index, sql) in statements.iter().enumerate() {
        for finding in linter.statement(sql) {
            out.push(Hazard { statement: index, finding });
        }
    }
    out
}

struct Linter<'a> {
    backend: DbBackend,
    current: Option<&'a Schema>,
    /// Tables created by this migration: empty, no writers.
    new_tables: BTreeSet<String>,
    /// Indexes created by this migration.
    new_indexes: BTreeSet<String>,
    /// PostgreSQL: a lock timeout set for the session, and one for the current transaction.
    session_timeout: bool,
    local_timeout: bool,
    /// PostgreSQL: `CHECK (col IS NOT NULL)` constraints added, by name, and the (table, column)
    /// pairs whose check was validated.
    not_null_checks: BTreeMap<String, (String, String)>,
    validated: BTreeSet<(String, String)>,
    /// MySQL: the session does not check foreign keys.
    foreign_key_checks_off: bool,
}

impl<'a> Linter<'a> {
    fn new(backend: DbBackend, current: Option<&'a Schema>) -> Self {
        Linter {
            backend,
            current,
            new_tables: BTreeSet::new(),
            new_indexes: BTreeSet::new(),
            session_timeout: false,
            local_timeout: false,
            not_null_checks: BTreeMap::new(),
            validated: BTreeSet::new(),
            foreign_key_checks_off: false,
        }
    }
}

/// A statement's tokens with helpers to read them.
struct Words<'t> {
    tokens: Vec<Token<'t>>,
}

impl<'t> Words<'t> {
    fn word(&self, i: usize) -> Option<String> {
        self.tokens.get(i).filter(|t| t.kind == TokenKind::Word).map(|t| t.text.to_ascii_uppercase())
    }

    fn is(&self, i: usize, word: &str) -> bool {
        self.tokens.get(i).is_some_and(|t| t.is_word(word))
    }

    fn name(&self, i: usize) -> Option<String> {
        self.tokens.get(i).and_then(|t| t.name()).map(str::to_owned)
    }

    /// The name at `i`, possibly schema-qualified (`public.t`): the last part, and the index
    /// after it.
    fn qualified(&self, mut i: usize) -> Option<(String, usize)> {
        let mut name = self.name(i)?;
        while self.tokens.get(i + 1).is_some_and(|t| t.is(".")) {
            i += 2;
            name = self.name(i)?;
        }
        Some((name, i + 1))
    }

    fn has_word(&self, word: &str) -> bool {
        self.tokens.iter().any(|t| t.is_word(word))
    }

    /// The ranges of tokens between top-level commas, from `start`.
    fn actions(&self, start: usize) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let mut depth = 0i32;
        let mut from = start;
        for (i, token) in self.tokens.iter().enumerate().skip(start) {
            if token.is("(") {
                depth += 1;
            } else if token.is(")") {
                depth -= 1;
            } else if token.is(",") && depth == 0 {
                out.push(from..i);
                from = i + 1;
            }
        }
        out.push(from..self.tokens.len());
        out
    }
}

impl Linter<'_> {
    fn statement(&mut self, sql: &str) -> Vec<Finding> {
        let Ok(tokens) = tokenize(sql, dialect(self.backend)) else {
            return Vec::new();
        };
        let w = Words { tokens };
        let Some(first) = w.word(0) else { return Vec::new() };
        let mut found = Vec::new();
        match first.as_str() {
            "BEGIN" | "START" => self.local_timeout = false,
            "COMMIT" | "ROLLBACK" | "END" => self.local_timeout = false,
            "SET" => self.set(&w),
            "CREATE" => self.create(&w, &mut found),
            "DROP" => self.drop(&w, &mut found),
            "ALTER" if w.is(1, "TABLE") => self.alter_table(&w, &mut found),
            // A batch names its rows with LIMIT (PostgreSQL in a subquery).
            "UPDATE" if !w.has_word("LIMIT") => {
                if let Some((table, _)) = w.qualified(1).filter(|(t, _)| !self.new_tables.contains(t)) {
                    found.push(hazard("OL111", format!("UPDATE {table} in one statement")));
                }
            }
            _ => {}
        }
        found
    }

    fn set(&mut self, w: &Words) {
        let local = w.is(1, "LOCAL");
        let at = if local || w.is(1, "SESSION") { 2 } else { 1 };
        let Some(name) = w.word(at) else { return };
        // The value: a number or a string such as '2s'; 0 or DEFAULT switches the timeout off.
        let value = w.tokens.iter().skip(at + 1).find(|t| !t.is("=") && !t.is_word("TO"));
        let on = value.is_some_and(|v| match &v.kind {
            TokenKind::Number => v.text.trim_start_matches('0').chars().any(|c| c.is_ascii_digit() && c != '0'),
            TokenKind::String(s) => s.chars().any(|c| c.is_ascii_digit() && c != '0'),
            _ => false,
        });
        match name.as_str() {
            "LOCK_TIMEOUT" if local => self.local_timeout = on,
            "LOCK_TIMEOUT" | "LOCK_WAIT_TIMEOUT" => self.session_timeout = on,
            "FOREIGN_KEY_CHECKS" => self.foreign_key_checks_off = !on,
            _ => {}
        }
    }

    fn timeout(&self) -> bool {
        self.session_timeout || self.local_timeout
    }

    fn create(&mut self, w: &Words, found: &mut Vec<Finding>) {
        let mut i = 1;
        for word in ["UNIQUE", "FULLTEXT", "SPATIAL", "TEMPORARY", "TEMP", "OR", "REPLACE"] {
            if w.is(i, word) {
                i += 1;
            }
        }
        if w.is(i, "TABLE") {
            i += 1;
            if w.is(i, "IF") {
                i += 3;
            }
            if let Some((table, _)) = w.qualified(i) {
                self.new_tables.insert(table);
            }
            return;
        }
        if !w.is(i, "INDEX") {
            return;
        }
        i += 1;
        let concurrently = w.is(i, "CONCURRENTLY");
        if concurrently {
            i += 1;
        }
        if w.is(i, "IF") {
            i += 3;
        }
        let index = if w.is(i, "ON") { None } else { w.qualified(i).map(|(n, next)| { i = next; n }) };
        if !w.is(i, "ON") {
            return;
        }
        i += 1;
        if w.is(i, "ONLY") {
            i += 1;
        }
        let Some((table, _)) = w.qualified(i) else { return };
        if let Some(index) = index {
            self.new_indexes.insert(index);
        }
        if self.new_tables.contains(&table) {
            return;
        }
        match self.backend {
            DbBackend::Postgres if !concurrently => {
                found.push(hazard("OL101", format!("index on {table}")));
                if !self.timeout() {
                    found.push(hazard("OL108", format!("CREATE INDEX on {table}")));
                }
            }
            DbBackend::MySql if !online_algorithm(w) => found.push(hazard("OL110", format!("CREATE INDEX on {table}"))),
            _ => {}
        }
    }

    fn drop(&mut self, w: &Words, found: &mut Vec<Finding>) {
        match w.word(1).as_deref() {
            Some("TABLE") => {
                let at = if w.is(2, "IF") { 4 } else { 2 };
                if let Some((table, _)) = w.qualified(at) {
                    // A SQLite rebuild drops the old table once its rows are in the new one.
                    let rebuilt = self.new_tables.contains(&format!("__autogen_new_{table}"));
                    if !self.new_tables.remove(&table) && !rebuilt {
                        found.push(crate::pipeline::safety::classify(&crate::pipeline::diff::Change::DropTable(
                            crate::pipeline::schema::Table { name: table, ..Default::default() },
                        ))[0].clone());
                    }
                }
            }
            Some("INDEX") if self.backend == DbBackend::Postgres => {
                let concurrently = w.is(2, "CONCURRENTLY");
                let mut at = if concurrently { 3 } else { 2 };
                if w.is(at, "IF") {
                    at += 2;
                }
                if let Some((index, _)) = w.qualified(at)
                    && !concurrently
                    && !self.new_indexes.contains(&index)
                {
                    found.push(hazard("OL102", format!("index {index}")));
                }
            }
            Some("INDEX") if self.backend == DbBackend::MySql => {
                if let Some(on) = w.tokens.iter().position(|t| t.is_word("ON"))
                    && let Some((table, _)) = w.qualified(on + 1)
                    && !self.new_tables.contains(&table)
                    && !online_algorithm(w)
                {
                    found.push(hazard("OL110", format!("DROP INDEX on {table}")));
                }
            }
            _ => {}
        }
    }

    fn alter_table(&mut self, w: &Words, found: &mut Vec<Finding>) {
        let mut i = 2;
        if w.is(i, "IF") {
            i += 2;
        }
        if w.is(i, "ONLY") {
            i += 1;
        }
        let Some((table, start)) = w.qualified(i) else { return };
        let existing = !self.new_tables.contains(&table);
        let mut locks = false;
        for range in w.actions(start) {
            let action = Words { tokens: w.tokens[range].to_vec() };
            locks |= self.action(&table, &action, existing, found);
        }
        if !existing {
            return;
        }
        match self.backend {
            DbBackend::Postgres if locks && !self.timeout() => found.push(hazard("OL108", format!("ALTER TABLE {table}"))),
            DbBackend::MySql => {
                if !online_algorithm(w) {
                    found.push(hazard("OL110", format!("ALTER TABLE {table}")));
                }
                if !self.session_timeout {
                    found.push(hazard("OL108", format!("ALTER TABLE {table}")));
                }
            }
            _ => {}
        }
    }

    /// One action of an `ALTER TABLE`; returns whether it takes a lock that blocks the table.
    fn action(&mut self, table: &str, a: &Words, existing: bool, found: &mut Vec<Finding>) -> bool {
        let Some(verb) = a.word(0) else { return false };
        let pg = self.backend == DbBackend::Postgres;
        match verb.as_str() {
            "ADD" => {
                let mut i = 1;
                let mut constraint = None;
                if a.is(i, "CONSTRAINT") {
                    constraint = a.name(i + 1);
                    i += 2;
                }
                let not_valid = a.tokens.windows(2).any(|p| p[0].is_word("NOT") && p[1].is_word("VALID"));
                match a.word(i).as_deref() {
                    Some("FOREIGN") if existing && ((pg && !not_valid) || (!pg && !self.foreign_key_checks_off)) => {
                        found.push(hazard("OL103", format!("foreign key on {table}")));
                    }
                    Some("UNIQUE") if existing && pg && !a.has_word("USING") => {
                        found.push(hazard("OL104", format!("unique constraint on {table}")));
                    }
                    Some("PRIMARY") if existing && !a.has_word("USING") => {
                        found.push(hazard("OL112", format!("primary key of {table}")));
                    }
                    Some("CHECK") => {
                        if existing && pg && !not_valid {
                            found.push(hazard("OL109", format!("check on {table}")));
                        }
                        // `CHECK (col IS NOT NULL)`: remembered for a later SET NOT NULL.
                        if let (Some(name), Some(column)) = (constraint, is_not_null_check(a)) {
                            self.not_null_checks.insert(name, (table.to_owned(), column));
                        }
                    }
                    Some("COLUMN") | Some(_) if pg && existing => {
                        // ADD [COLUMN] [IF NOT EXISTS] name type ... DEFAULT expr
                        if let Some(at) = a.tokens.iter().position(|t| t.is_word("DEFAULT")) {
                            let expr: String = a.tokens[at + 1..]
                                .iter()
                                .take_while(|t| !t.is_word("NOT") && !t.is_word("NULL") && !t.is_word("CONSTRAINT"))
                                .map(|t| t.text)
                                .collect::<Vec<_>>()
                                .join(" ");
                            if default_from_sql(self.backend, &ColumnType::Text, &expr).is_some_and(|d| is_volatile(&d)) {
                                found.push(hazard("OL106", format!("{table}: DEFAULT {expr}")));
                            }
                        }
                    }
                    _ => {}
                }
                true
            }
            "VALIDATE" => {
                if let Some(name) = a.name(2)
                    && let Some(pair) = self.not_null_checks.get(&name)
                {
                    self.validated.insert(pair.clone());
                }
                // VALIDATE takes a lock that lets writes go on.
                false
            }
            "ALTER" | "MODIFY" | "CHANGE" => {
                let at = if a.is(1, "COLUMN") { 2 } else { 1 };
                let column = a.name(at).unwrap_or_default();
                if pg && existing {
                    if a.is(at + 1, "SET") && a.is(at + 2, "NOT") && a.is(at + 3, "NULL")
                        && !self.validated.contains(&(table.to_owned(), column.clone()))
                    {
                        found.push(hazard("OL105", format!("{table}.{column}")));
                    }
                    let type_at = if a.is(at + 1, "SET") && a.is(at + 2, "DATA") && a.is(at + 3, "TYPE") {
                        Some(at + 4)
                    } else if a.is(at + 1, "TYPE") {
                        Some(at + 2)
                    } else {
                        None
                    };
                    if let Some(type_at) = type_at {
                        let text: Vec<&str> = a.tokens[type_at..]
                            .iter()
                            .take_while(|t| !t.is_word("USING") && !t.is_word("COLLATE"))
                            .map(|t| t.text)
                            .collect();
                        let target = crate::pipeline::inspect::parse_type(DbBackend::Postgres, &text.join(" "));
                        let from = self.current.and_then(|s| s.tables.get(table)).and_then(|t| t.column(&column)).map(|c| &c.ty);
                        if !from.is_some_and(|from| pg_safe_widening(from, &target)) {
                            found.push(hazard("OL107", format!("{table}.{column}")));
                        }
                    }
                    // Setting or dropping a default or a comment takes its lock for a moment.
                }
                true
            }
            "DROP" => {
                if a.is(1, "COLUMN") || (!pg && a.name(1).is_some() && !a.is(1, "INDEX") && !a.is(1, "FOREIGN") && !a.is(1, "PRIMARY") && !a.is(1, "CONSTRAINT") && !a.is(1, "CHECK")) {
                    let at = if a.is(1, "COLUMN") { 2 } else { 1 };
                    let at = if a.is(at, "IF") { at + 2 } else { at };
                    if existing && let Some(column) = a.name(at) {
                        found.push(crate::pipeline::safety::classify(&crate::pipeline::diff::Change::DropColumn {
                            table: table.to_owned(),
                            column: crate::pipeline::schema::Column::new(column, ColumnType::Text),
                        })[0].clone());
                    }
                }
                true
            }
            // ALGORITHM=, LOCK= and the like are options, not actions.
            "ALGORITHM" | "LOCK" => false,
            _ => true,
        }
    }
}

/// The column of `CHECK (col IS NOT NULL)`.
fn is_not_null_check(a: &Words) -> Option<String> {
    let at = a.tokens.iter().position(|t| t.is_word("CHECK"))?;
    let inside: Vec<&Token> = a.tokens[at + 1..].iter().filter(|t| !t.is("(") && !t.is(")")).collect();
    match inside.as_slice() {
        [column, is, not, null, ..] if is.is_word("IS") && not.is_word("NOT") && null.is_word("NULL") => {
            column.name().map(str::to_owned)
        }
        _ => None,
    }
}

/// MySQL: whether the statement asks for an algorithm that never copies the table.
fn online_algorithm(w: &Words) -> bool {
    w.tokens.windows(3).any(|p| {
        p[0].is_word("ALGORITHM") && p[1].is("=") && (p[2].is_word("INSTANT") || p[2].is_word("INPLACE") || p[2].is_word("NOCOPY"))
    }) || w.tokens.windows(2).any(|p| {
        p[0].is_word("ALGORITHM") && (p[1].is_word("INSTANT") || p[1].is_word("INPLACE") || p[1].is_word("NOCOPY"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::schema::{Column, Table};

    fn codes(statements: &[&str], backend: DbBackend, current: Option<&Schema>) -> Vec<&'static str> {
        let statements: Vec<String> = statements.iter().map(|s| s.to_string()).collect();
        lint(&statements, backend, current).iter().map(|h| h.finding.code).collect()
    }

    fn schema() -> Schema {
        let mut schema = Schema::default();
        schema.tables.insert(
            "users".into(),
            Table {
                name: "users".into(),
                columns: vec![Column::new("email", ColumnType::Varchar(Some(50))), Column::new("age", ColumnType::Integer)],
                ..Table::default()
            },
        );
        schema
    }

    #[test]
    fn postgres_lock_hazards_in_hand_written_sql() {
        let pg = DbBackend::Postgres;
        assert_eq!(codes(&["CREATE INDEX users_email ON users (email)"], pg, None), vec!["OL101", "OL108"]);
        assert_eq!(codes(&["CREATE INDEX CONCURRENTLY users_email ON users (email)"], pg, None), Vec::<&str>::new());
        assert_eq!(codes(&["DROP INDEX users_email"], pg, None), vec!["OL102"]);
        assert_eq!(
            codes(&["SET lock_timeout = '2s'", "ALTER TABLE users ADD CONSTRAINT fk FOREIGN KEY (org_id) REFERENCES orgs (id)"], pg, None),
            vec!["OL103"]
        );
        assert_eq!(
            codes(&["BEGIN", "SET LOCAL lock_timeout = '2s'", "ALTER TABLE users ADD CONSTRAINT fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID", "COMMIT", "ALTER TABLE users VALIDATE CONSTRAINT fk"], pg, None),
            Vec::<&str>::new()
        );
        assert_eq!(codes(&["SET lock_timeout = '1s'", "ALTER TABLE users ADD CONSTRAINT u UNIQUE (email)"], pg, None), vec!["OL104"]);
        assert_eq!(codes(&["SET lock_timeout = '1s'", "ALTER TABLE users ALTER COLUMN email SET NOT NULL"], pg, None), vec!["OL105"]);
        assert_eq!(
            codes(&[
                "SET lock_timeout = '1s'",
                "ALTER TABLE users ADD CONSTRAINT nn CHECK (email IS NOT NULL) NOT VALID",
                "ALTER TABLE users VALIDATE CONSTRAINT nn",
                "ALTER TABLE users ALTER COLUMN email SET NOT NULL",
            ], pg, None),
            Vec::<&str>::new()
        );
        assert_eq!(codes(&["SET lock_timeout = '1s'", "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()"], pg, None), vec!["OL106"]);
        assert_eq!(codes(&["SET lock_timeout = '1s'", "ALTER TABLE users ADD COLUMN n integer NOT NULL DEFAULT 0"], pg, None), Vec::<&str>::new());
        assert_eq!(codes(&["SET lock_timeout = '1s'", "ALTER TABLE users ALTER COLUMN age TYPE bigint"], pg, Some(&schema())), vec!["OL107"]);
        assert_eq!(codes(&["SET lock_timeout = '1s'", "ALTER TABLE users ALTER COLUMN email TYPE varchar(100)"], pg, Some(&schema())), Vec::<&str>::new());
        assert_eq!(codes(&["ALTER TABLE users ADD COLUMN nick text"], pg, None), vec!["OL108"]);
        assert_eq!(codes(&["SET lock_timeout = '1s'", "ALTER TABLE users ADD CONSTRAINT c CHECK (age > 0)"], pg, None), vec!["OL109"]);
        assert_eq!(codes(&["UPDATE users SET age = 0"], pg, None), vec!["OL111"]);
        assert_eq!(codes(&["SET lock_timeout = '1s'", "ALTER TABLE users DROP COLUMN age"], pg, None), vec!["DS102"]);
        assert_eq!(codes(&["DROP TABLE users"], pg, None), vec!["DS101"]);
        // A table the migration creates has no rows and no writers.
        assert_eq!(
            codes(&["CREATE TABLE t (id int)", "CREATE INDEX i ON t (id)", "ALTER TABLE t ADD CONSTRAINT c CHECK (id > 0)"], pg, None),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn mysql_lock_hazards() {
        let my = DbBackend::MySql;
        assert_eq!(codes(&["ALTER TABLE `users` ADD COLUMN `nick` text"], my, None), vec!["OL110", "OL108"]);
        assert_eq!(
            codes(&["SET SESSION lock_wait_timeout = 2", "ALTER TABLE `users` ADD COLUMN `nick` text, ALGORITHM=INSTANT"], my, None),
            Vec::<&str>::new()
        );
        assert_eq!(
            codes(&["SET SESSION lock_wait_timeout = 2", "ALTER TABLE `users` ADD CONSTRAINT fk FOREIGN KEY (o) REFERENCES o (id), ALGORITHM=INPLACE, LOCK=NONE"], my, None),
            vec!["OL103"]
        );
        assert_eq!(codes(&["CREATE INDEX i ON `users` (`email`)"], my, None), vec!["OL110"]);
        assert_eq!(codes(&["CREATE INDEX i ON `users` (`email`) ALGORITHM=INPLACE LOCK=NONE"], my, None), Vec::<&str>::new());
    }

    #[test]
    fn sqlite_rebuilds_are_not_drops() {
        assert_eq!(
            codes(&["CREATE TABLE \"__autogen_new_users\" (id int)", "INSERT INTO \"__autogen_new_users\" SELECT id FROM users", "DROP TABLE \"users\"", "ALTER TABLE \"__autogen_new_users\" RENAME TO \"users\""], DbBackend::Sqlite, None),
            Vec::<&str>::new()
        );
    }
}
