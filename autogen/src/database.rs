//! Which database to use, how to show its URL without the password, and how to connect to it.
//!
//! Everything the `migrate` binary prints goes through [`mask_secrets`], which hides the password
//! of any database URL or DSN in a text, whatever its shape, and every password this process has
//! seen in a URL it parsed.
//!
//! Two environment variables tune the timeouts, mostly so that tests need not wait for minutes:
//! `MIGRATE_IDLE_TIMEOUT` (seconds a pooled connection may sit idle before the pool closes it,
//! default 600) and `MIGRATE_LOCK_TIMEOUT` (seconds to wait for another process's migration lock,
//! default 600).

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

use sea_orm::sqlx::mysql::MySqlConnectOptions;
use sea_orm::sqlx::postgres::PgConnectOptions;
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr, RuntimeErr};
use url::Url;

use crate::{Error, Result};

/// How long to wait for a server to answer before giving up.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The embedded default: a SQLite file in the working directory, created on first use.
pub const DEFAULT_SQLITE_URL: &str = "sqlite://app.db";

/// The variable that sets how long a pooled connection may sit idle, in seconds.
pub const IDLE_TIMEOUT_VAR: &str = "MIGRATE_IDLE_TIMEOUT";

/// The variable that sets how long to wait for the migration lock, in seconds.
pub const LOCK_TIMEOUT_VAR: &str = "MIGRATE_LOCK_TIMEOUT";

/// How long a pooled connection may sit idle before the pool closes it ([`IDLE_TIMEOUT_VAR`]).
pub fn idle_timeout() -> Result<Duration> {
    seconds_from_env(IDLE_TIMEOUT_VAR, 600)
}

/// How long to wait for another process's migration lock ([`LOCK_TIMEOUT_VAR`]).
pub fn lock_timeout() -> Result<Duration> {
    seconds_from_env(LOCK_TIMEOUT_VAR, 600)
}

fn seconds_from_env(var: &str, default: u64) -> Result<Duration> {
    seconds(var, std::env::var(var), default)
}

/// The value of the variable `var` as a duration in seconds, `default` when it is not set.
fn seconds(var: &str, value: std::result::Result<String, std::env::VarError>, default: u64) -> Result<Duration> {
    match value {
        Err(std::env::VarError::NotPresent) => Ok(Duration::from_secs(default)),
        Ok(text) => match text.trim().parse::<f64>() {
            Ok(seconds) if seconds.is_finite() && seconds > 0.0 => Ok(Duration::from_secs_f64(seconds)),
            _ => Err(Error::Config(format!("{var} must be a positive number of seconds, not `{text}`"))),
        },
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Error::Config(format!("{var} is not valid UTF-8")))
        }
    }
}

/// A validated database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    raw: String,
    backend: DbBackend,
    parsed: Option<Url>,
}

impl DatabaseUrl {
    /// Validates a URL of the form `postgres://`, `mysql://` or `sqlite:`, and remembers its
    /// password so that [`mask_secrets`] hides it wherever it shows up later.
    pub fn parse(raw: &str) -> Result<Self> {
        let raw = raw.trim();
        let malformed = |reason: &str| {
            // The URL is not one the driver will see, but its password may be quoted back in
            // any form by whoever reads this message: remember it as found in the text.
            for (start, end) in password_spans(raw) {
                remember_secret(&raw[start..end]);
            }
            Error::MalformedUrl { url: mask_secrets(raw), reason: mask_secrets(reason) }
        };
        if raw.starts_with("sqlite:") {
            let path = sqlite_path(raw);
            if path.is_empty() && !raw.contains("mode=memory") {
                return Err(malformed("no file name after `sqlite:` (try sqlite://app.db)"));
            }
            return Ok(Self {
                raw: raw.to_owned(),
                backend: DbBackend::Sqlite,
                parsed: None,
            });
        }
        let parsed = Url::parse(raw).map_err(|e| malformed(&e.to_string()))?;
        if let Some(password) = parsed.password() {
            // A password that is also the user, host or database name (`postgres:postgres@`)
            // is shown as such anyway; hiding that word everywhere would only garble the output.
            let shown = [parsed.username(), parsed.host_str().unwrap_or_default(), parsed.path().trim_start_matches('/')];
            if !shown.contains(&password) {
                remember_secret(password);
            }
        }
        for (key, value) in parsed.query_pairs() {
            if is_password_key(&key) {
                remember_secret(&value);
            }
        }
        let backend = match parsed.scheme() {
            "postgres" | "postgresql" => DbBackend::Postgres,
            "mysql" | "mariadb" => DbBackend::MySql,
            other => {
                return Err(malformed(&format!(
                    "unsupported scheme `{other}`, expected postgres://, mysql:// or sqlite:"
                )));
            }
        };
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(malformed("no host name"));
        }
        Ok(Self {
            raw: raw.to_owned(),
            backend,
            parsed: Some(parsed),
        })
    }

    /// The backend this URL points to.
    pub fn backend(&self) -> DbBackend {
        self.backend
    }

    /// The URL as it may be shown: any password replaced by `****`.
    pub fn masked(&self) -> String {
        match &self.parsed {
            Some(url) if url.password().is_some() => {
                let mut url = url.clone();
                let _ = url.set_password(Some("****"));
                mask_secrets(url.as_str())
            }
            _ => mask_secrets(&self.raw),
        }
    }

    /// Removes the password, and any other secret seen so far, from a message that might quote
    /// it.
    pub fn scrub(&self, message: &str) -> String {
        mask_secrets(message)
    }

    /// The server's host name or address as a socket wants it: an IPv6 address without the
    /// brackets a URL puts around it.
    fn host(&self) -> Option<String> {
        let url = self.parsed.as_ref()?;
        Some(match url.host()? {
            url::Host::Ipv6(address) => address.to_string(),
            url::Host::Ipv4(address) => address.to_string(),
            url::Host::Domain(name) => name.to_owned(),
        })
    }

    /// The server's host and port, for network backends.
    fn address(&self) -> Option<(String, u16)> {
        let url = self.parsed.as_ref()?;
        let port = url.port().unwrap_or(match self.backend {
            DbBackend::MySql => 3306,
            _ => 5432,
        });
        Some((self.host()?, port))
    }

    /// The same server with another database (`""` for none, on MySQL); SQLite gets an
    /// in-memory database.
    pub fn with_database(&self, name: &str) -> DatabaseUrl {
        match &self.parsed {
            Some(url) => {
                let mut url = url.clone();
                url.set_path(&format!("/{name}"));
                if name.is_empty() {
                    url.set_path("");
                }
                DatabaseUrl {
                    raw: url.to_string(),
                    backend: self.backend,
                    parsed: Some(url),
                }
            }
            None => DatabaseUrl {
                raw: "sqlite::memory:".to_owned(),
                backend: DbBackend::Sqlite,
                parsed: None,
            },
        }
    }

    /// The file of a SQLite database, read as the driver reads it; `None` for other backends and
    /// in-memory databases.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        if self.backend != DbBackend::Sqlite || self.is_in_memory() {
            return None;
        }
        // `sqlite:////abs/x.db` leaves `//abs/x.db`: collecting the components gives `/abs/x.db`.
        Some(std::path::Path::new(&percent_decode(sqlite_path(&self.raw))).components().collect())
    }

    fn is_in_memory(&self) -> bool {
        self.raw.contains(":memory:") || self.raw.contains("mode=memory")
    }

    /// The URL handed to the driver.
    fn driver_url(&self) -> String {
        match self.backend {
            // A SQLite file is created on first use unless the URL sets a mode itself.
            DbBackend::Sqlite if !self.raw.contains("mode=") && !self.is_in_memory() => {
                let separator = if self.raw.contains('?') { '&' } else { '?' };
                format!("{}{separator}mode=rwc", self.raw)
            }
            DbBackend::MySql => match &self.parsed {
                Some(url) if url.scheme() == "mariadb" => {
                    format!("mysql{}", &self.raw["mariadb".len()..])
                }
                _ => self.raw.clone(),
            },
            _ => self.raw.clone(),
        }
    }

    /// Connection options for a PostgreSQL connection of our own, outside any pool.
    pub(crate) fn postgres_options(&self) -> Result<PgConnectOptions> {
        let options: PgConnectOptions = self.driver_url().parse().map_err(|e| self.connect_error(&e))?;
        Ok(match self.host() {
            Some(host) => options.host(&host),
            None => options,
        })
    }

    /// Connection options for a MySQL connection of our own, outside any pool.
    pub(crate) fn mysql_options(&self) -> Result<MySqlConnectOptions> {
        let options: MySqlConnectOptions = self.driver_url().parse().map_err(|e| self.connect_error(&e))?;
        Ok(match self.host() {
            Some(host) => options.host(&host),
            None => options,
        })
    }

    /// A connection failure, its reason scrubbed of secrets.
    pub(crate) fn connect_error(&self, reason: &dyn std::fmt::Display) -> Error {
        Error::Connect {
            url: self.masked(),
            reason: mask_secrets(&reason.to_string()),
        }
    }
}

/// The part of a `sqlite:` URL the driver reads as the file name (before any `?`), as sqlx
/// reads it: `sqlite://` or else `sqlite:` taken off the front.
fn sqlite_path(raw: &str) -> &str {
    let rest = raw
        .strip_prefix("sqlite://")
        .or_else(|| raw.strip_prefix("sqlite:"))
        .unwrap_or(raw);
    rest.split('?').next().unwrap_or_default()
}

/// Decodes `%XX` escapes; anything else is kept as it is.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((high * 16 + low) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every secret seen so far: the passwords of the URLs this process parsed, as written and
/// decoded.
static SECRETS: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

/// Secrets shorter than this are hidden only where they sit in a URL or a `password=` pair:
/// replacing every `p` of a text to hide the password `p` would leave nothing readable.
const SHORTEST_SCRUBBED: usize = 4;

/// Remembers a secret (as written and percent-decoded), so that [`mask_secrets`] hides it in any
/// text from now on.
pub fn remember_secret(secret: &str) {
    if let Ok(mut secrets) = SECRETS.lock() {
        for form in [secret.to_owned(), percent_decode(secret)] {
            if form.chars().count() >= SHORTEST_SCRUBBED && form != "****" {
                secrets.insert(form);
            }
        }
    }
}

/// `text` with every password hidden behind `****`: the userinfo password of a URL, with a
/// scheme or without (`postgres://u:p@h/db`, `u:p@h:5432/db`, `postgres:/u:p@h`,
/// `postgres//u:p@h`, `postgres:u:p@h`), a `password=`/`pwd=` pair in a query or a key=value DSN,
/// and every secret remembered by [`remember_secret`], wherever it appears.
pub fn mask_secrets(text: &str) -> String {
    let mut out = text.to_owned();
    if let Ok(secrets) = SECRETS.lock() {
        // Longest first, so that a secret containing another is hidden whole.
        let mut known: Vec<&String> = secrets.iter().collect();
        known.sort_by_key(|s| std::cmp::Reverse(s.len()));
        for secret in known {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), "****");
            }
        }
    }
    let mut spans = password_spans(&out);
    spans.sort_unstable();
    // Replace from the end, so that earlier offsets stay valid; overlapping spans are merged.
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    for (start, end) in merged.into_iter().rev() {
        out.replace_range(start..end, "****");
    }
    out
}

/// Byte ranges of `text` that hold a password, by their place in a URL or DSN.
fn password_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut token_start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (c.is_whitespace(), token_start) {
            (false, None) => token_start = Some(i),
            (true, Some(start)) => {
                spans.extend(userinfo_password(&text[start..i]).map(|(s, e)| (start + s, start + e)));
                token_start = None;
            }
            _ => {}
        }
    }
    spans.extend(key_value_passwords(text));
    spans.retain(|(start, end)| end > start && &text[*start..*end] != "****");
    spans
}

/// The password in the userinfo of a URL-like token (`user:password@host`), if there is one.
fn userinfo_password(token: &str) -> Option<(usize, usize)> {
    // Hosts never hold an `@`, passwords may: the userinfo ends at the last one.
    let at = token.rfind('@')?;
    let head = &token[..at];
    let start = match head.find("://") {
        Some(i) => i + 3,
        None => {
            // Quotes, brackets or a `key=` in front of the URL are not part of it.
            let opening = |text: &str| text.len() - text.trim_start_matches(['\'', '"', '`', '(', '<', '[', '{']).len();
            let mut start = opening(head);
            let key_len = head[start..]
                .find('=')
                .filter(|&eq| head[start..start + eq].chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .map_or(0, |eq| eq + 1);
            start += key_len;
            start += opening(&head[start..]);
            start + scheme_prefix(&head[start..])
        }
    };
    let userinfo = &head[start..];
    let colon = userinfo.find(':')?;
    Some((start + colon + 1, at))
}

/// The length of a scheme written without `://` in front of the userinfo: `postgres:/`,
/// `postgres//`, or a database scheme followed by a bare `:` (`postgres:u:p@h`); 0 when there is
/// none, so that `scott:Tiger99@h` reads as user `scott`.
fn scheme_prefix(head: &str) -> usize {
    let name_len = head
        .char_indices()
        .take_while(|(i, c)| c.is_ascii_alphabetic() || (*i > 0 && (c.is_ascii_alphanumeric() || "+.-".contains(*c))))
        .count();
    if name_len == 0 {
        return 0;
    }
    let rest = &head[name_len..];
    for separator in [":/", "//"] {
        if rest.starts_with(separator) {
            return name_len + separator.len();
        }
    }
    let known = ["postgres", "postgresql", "mysql", "mariadb", "sqlite"];
    if rest.starts_with(':') && known.contains(&head[..name_len].to_ascii_lowercase().as_str()) {
        return name_len + 1;
    }
    0
}

/// Whether a query or DSN key names a password (`password`, `pwd`, `passwd`, `sslpassword`, ...).
fn is_password_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.ends_with("password") || key.ends_with("passwd") || key == "pwd" || key == "pass"
}

/// The values of `password=...` pairs: query parameters (`?password=p&x=1`) and key=value DSNs
/// (`host=h password='p q'`).
fn key_value_passwords(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for (eq, _) in text.match_indices('=') {
        let key_start = text[..eq]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
            .map_or(0, |i| i + 1);
        if !is_password_key(&text[key_start..eq]) {
            continue;
        }
        let value = &text[eq + 1..];
        let span = match value.chars().next() {
            Some(quote @ ('\'' | '"')) => {
                let inner = &value[1..];
                let len = inner.find(quote).unwrap_or(inner.len());
                (eq + 2, eq + 2 + len)
            }
            _ => {
                let len = value
                    .find(|c: char| c.is_whitespace() || "&;'\"".contains(c))
                    .unwrap_or(value.len());
                (eq + 1, eq + 1 + len)
            }
        };
        spans.push(span);
    }
    spans
}

/// The message of a driver error without sea-orm's category prefix, scrubbed of secrets.
pub(crate) fn db_message(err: &DbErr) -> String {
    let text = err.to_string();
    for prefix in ["Connection Error: ", "Execution Error: ", "Query Error: "] {
        if let Some(rest) = text.strip_prefix(prefix) {
            return mask_secrets(rest);
        }
    }
    mask_secrets(&text)
}

/// Checks that the server at `url` answers on its port within [`CONNECT_TIMEOUT`], so that an
/// unreachable server is reported as such rather than as a pool time-out.
pub(crate) async fn reach(url: &DatabaseUrl) -> Result<()> {
    let Some((host, port)) = url.address() else { return Ok(()) };
    let address = display_address(&host, port);
    match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect((host.as_str(), port))).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(Error::Unreachable { address, reason: mask_secrets(&e.to_string()) }),
        Err(_) => Err(Error::Unreachable {
            address,
            reason: format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
        }),
    }
}

/// `host:port`, with an IPv6 address in brackets (`[::1]:5432`).
fn display_address(host: &str, port: u16) -> String {
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

/// Connects to the database, failing within [`CONNECT_TIMEOUT`] when the server is unreachable.
pub async fn connect(url: &DatabaseUrl) -> Result<DatabaseConnection> {
    reach(url).await?;
    // One connection for SQLite: a table rebuild switches foreign keys off on the connection
    // that then runs its transaction, and an in-memory database lives in one connection.
    let connections = if url.backend == DbBackend::Sqlite { 1 } else { 4 };
    let mut options = ConnectOptions::new(url.driver_url());
    options
        .connect_timeout(CONNECT_TIMEOUT)
        .acquire_timeout(CONNECT_TIMEOUT)
        .idle_timeout(idle_timeout()?)
        .max_connections(connections)
        // Every statement is logged at TRACE, where nothing listens unless a migration runs
        // under lifecycle::statement_log, which names the one that fails; never as slow.
        .sqlx_logging(true)
        .sqlx_logging_level(crate::lifecycle::statement_log::LEVEL)
        .sqlx_slow_statements_logging_settings(crate::lifecycle::statement_log::LEVEL, Duration::from_secs(u64::from(u32::MAX)));
    // sqlx hands the host to the resolver as the URL spells it, brackets and all, which no
    // resolver knows for an IPv6 address.
    if let Some(host) = url.host() {
        let pg_host = host.clone();
        options.map_sqlx_postgres_opts(move |o| o.host(&pg_host));
        options.map_sqlx_mysql_opts(move |o| o.host(&host));
    }
    // PostgreSQL: two connections, opened at once. Inspection reads the catalog on both (see
    // `inspect::postgres::fetch`), and opening one can take a while: against a server with TLS
    // (the default `sslmode=prefer` takes it), the handshake takes some 90 ms here, so a second
    // connection opened later, when inspection needs it, would cost that again.
    let two = url.backend == DbBackend::Postgres;
    options.connect_lazy(two);
    let db = Database::connect(options).await.map_err(|e| connect_failed(url, &e))?;
    if two {
        let pool = db.get_postgres_connection_pool();
        let (first, second) = tokio::join!(pool.acquire(), pool.acquire());
        for opened in [first.map(drop), second.map(drop)] {
            opened.map_err(|e| connect_failed(url, &DbErr::Conn(RuntimeErr::SqlxError(std::sync::Arc::new(e)))))?;
        }
        idle_connections(pool, 2, Duration::from_millis(200)).await;
    }
    Ok(db)
}

/// How many connections of `pool` are idle, once `wanted` of them are or `within` has passed.
///
/// sqlx returns a connection to the pool in a task of its own, after a ping; until it is back,
/// the pool opens another one for the next query, which against a server with TLS takes some
/// 90 ms. A connection comes back within a few ms.
pub(crate) async fn idle_connections(pool: &sea_orm::sqlx::PgPool, wanted: usize, within: Duration) -> usize {
    let deadline = tokio::time::Instant::now() + within;
    while pool.num_idle() < wanted && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    pool.num_idle()
}

/// The error of a connection to `url` that failed with `e`.
fn connect_failed(url: &DatabaseUrl, e: &DbErr) -> Error {
    let reason = db_message(e);
    match url.address() {
        // sqlx reports a server that accepts the connection but never completes the
        // handshake as a pool time-out; say what happened instead.
        Some((host, port)) if reason.contains("pool timed out") => Error::Unreachable {
            address: display_address(&host, port),
            reason: format!(
                "the server accepted the connection but did not answer within {} s",
                CONNECT_TIMEOUT.as_secs()
            ),
        },
        _ => url.connect_error(&reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_backends() {
        let pg = DatabaseUrl::parse("postgres://u:p@localhost:5432/app").unwrap();
        assert_eq!(pg.backend(), DbBackend::Postgres);
        let my = DatabaseUrl::parse("mysql://root@127.0.0.1/app").unwrap();
        assert_eq!(my.backend(), DbBackend::MySql);
        assert_eq!(my.address(), Some(("127.0.0.1".into(), 3306)));
        let lite = DatabaseUrl::parse("sqlite://app.db").unwrap();
        assert_eq!(lite.backend(), DbBackend::Sqlite);
        assert_eq!(lite.driver_url(), "sqlite://app.db?mode=rwc");
        assert_eq!(
            DatabaseUrl::parse("sqlite::memory:").unwrap().driver_url(),
            "sqlite::memory:"
        );
        assert_eq!(
            DatabaseUrl::parse("mariadb://root@db/app").unwrap().driver_url(),
            "mysql://root@db/app"
        );
    }

    #[test]
    fn sqlite_files_are_where_the_driver_opens_them() {
        let file = |url: &str| DatabaseUrl::parse(url).unwrap().sqlite_file();
        assert_eq!(file("sqlite://app.db"), Some("app.db".into()));
        assert_eq!(file("sqlite:app.db"), Some("app.db".into()));
        assert_eq!(file("sqlite://dir/app.db?mode=rwc"), Some("dir/app.db".into()));
        assert_eq!(file("sqlite:///tmp/x.db?mode=rwc"), Some("/tmp/x.db".into()));
        assert_eq!(file("sqlite:////abs/path.db"), Some("/abs/path.db".into()));
        assert_eq!(file("sqlite://my%20db.db"), Some("my db.db".into()));
        assert_eq!(file("sqlite::memory:"), None);
        assert_eq!(file("sqlite://x.db?mode=memory"), None);
    }

    #[test]
    fn ipv6_hosts_lose_their_brackets_for_the_socket() {
        let pg = DatabaseUrl::parse("postgres://u@[::1]:5433/db").unwrap();
        assert_eq!(pg.address(), Some(("::1".into(), 5433)));
        assert_eq!(pg.postgres_options().unwrap().get_host(), "::1");
        let my = DatabaseUrl::parse("mysql://root@[::1]/x").unwrap();
        assert_eq!(my.address(), Some(("::1".into(), 3306)));
        assert_eq!(display_address("::1", 3306), "[::1]:3306");
        assert_eq!(display_address("db", 3306), "db:3306");
    }

    #[test]
    fn swaps_the_database() {
        let url = DatabaseUrl::parse("postgres://u:p@h:5432/app?sslmode=disable").unwrap();
        assert_eq!(url.with_database("scratch").masked(), "postgres://u:****@h:5432/scratch?sslmode=disable");
        let my = DatabaseUrl::parse("mysql://root@h/app").unwrap();
        assert_eq!(my.with_database("").masked(), "mysql://root@h");
        let lite = DatabaseUrl::parse("sqlite://app.db").unwrap();
        assert_eq!(lite.with_database("x").driver_url(), "sqlite::memory:");
    }

    #[test]
    fn masks_passwords_of_parsed_urls() {
        let url = DatabaseUrl::parse("postgres://alice:s3cret-x@db.example:5432/app").unwrap();
        assert_eq!(url.masked(), "postgres://alice:****@db.example:5432/app");
        assert_eq!(url.scrub("auth failed: s3cret-x"), "auth failed: ****");
        let no_password = DatabaseUrl::parse("postgres://alice@db/app").unwrap();
        assert_eq!(no_password.masked(), "postgres://alice@db/app");
        // Decoded, as a driver may quote it.
        DatabaseUrl::parse("postgres://u:p%40ss%3Aw0rd@h/db").unwrap();
        assert_eq!(mask_secrets("password p@ss:w0rd rejected"), "password **** rejected");
        // A password that is also the user name is not hidden elsewhere: it is shown anyway.
        let weak = DatabaseUrl::parse("postgres://postgres:postgres@localhost:5432/postgres").unwrap();
        assert_eq!(weak.masked(), "postgres://postgres:****@localhost:5432/postgres");
    }

    #[test]
    fn masks_every_shape_of_url_and_dsn() {
        // (text, what must remain after masking)
        let cases = [
            ("postgres://u:hunter2@h/db", "postgres://u:****@h/db"),
            ("postgresql://u:hunter2@h:5432/db?sslmode=require", "postgresql://u:****@h:5432/db?sslmode=require"),
            ("mysql://root:hunter2@127.0.0.1:3306/x", "mysql://root:****@127.0.0.1:3306/x"),
            ("mariadb://root:hunter2@[::1]:3306/x", "mariadb://root:****@[::1]:3306/x"),
            ("scott:Tiger99@127.0.0.1:5432/db", "scott:****@127.0.0.1:5432/db"),
            ("postgres:/u:hunter2@h/db", "postgres:/u:****@h/db"),
            ("postgres//u:hunter2@h/db", "postgres//u:****@h/db"),
            ("postgres:u:hunter2@h/db", "postgres:u:****@h/db"),
            ("postgres://u:hun%40ter2@h/db", "postgres://u:****@h/db"),
            ("postgres://u:hun@ter2@h/db", "postgres://u:****@h/db"),
            ("postgres://u:hun:ter2@h/db", "postgres://u:****@h/db"),
            ("postgres://u:hun:ter@2@h/db", "postgres://u:****@h/db"),
            ("postgres://u@h/db?password=hunter2&sslmode=disable", "postgres://u@h/db?password=****&sslmode=disable"),
            ("mysql://u@h/db?pwd=hunter2", "mysql://u@h/db?pwd=****"),
            ("host=h user=u password=hunter2 dbname=d", "host=h user=u password=**** dbname=d"),
            ("host=h password='hunter 2' dbname=d", "host=h password='****' dbname=d"),
            ("Server=h;Uid=u;Pwd=hunter2;Database=d", "Server=h;Uid=u;Pwd=****;Database=d"),
            ("PGPASSWORD=hunter2 psql", "PGPASSWORD=**** psql"),
            ("DATABASE_URL=postgres://u:hunter2@h/db", "DATABASE_URL=postgres://u:****@h/db"),
            ("DATABASE_URL=scott:Tiger99@h/db", "DATABASE_URL=scott:****@h/db"),
            ("DATABASE_URL=\"postgres:u:hunter2@h/db\"", "DATABASE_URL=\"postgres:u:****@h/db\""),
            ("error: cannot connect to `postgres://u:hunter2@h/db`: refused", "error: cannot connect to `postgres://u:****@h/db`: refused"),
            ("{\"url\":\"postgres://u:hunter2@h/db\"}", "{\"url\":\"postgres://u:****@h/db\"}"),
            ("(scott:Tiger99@h)", "(scott:****@h)"),
        ];
        for (text, expected) in cases {
            assert_eq!(mask_secrets(text), expected, "{text}");
        }
        // Text without secrets is left alone.
        for plain in [
            "database: sqlite://app.db (default)",
            "postgres://alice@db/app",
            "mysql:root@h/db",
            "applied at 2026-12-01 17:04:23 UTC",
            "git@github.com:org/repo",
            "timings: connect=3.1ms total=5.0ms",
            "Applying m20261101_120000_create_oauth_schema ... done in 12 ms",
        ] {
            assert_eq!(mask_secrets(plain), plain);
        }
    }

    #[test]
    fn rejects_malformed_urls_without_showing_the_password() {
        for bad in [
            "not a url",
            "http://example.com/db",
            "postgres://",
            "sqlite:",
            "postgres://u:hunter2@:5432/db",
            "postgres:/u:hunter2@h/db",
            "postgres//u:hunter2@h/db",
            "postgres:u:hunter2@h/db",
            "u:hunter2@127.0.0.1:5432/db",
        ] {
            let err = DatabaseUrl::parse(bad).unwrap_err();
            assert!(matches!(err, Error::MalformedUrl { .. }), "{bad}: {err}");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
        // Remembered from the malformed URL: hidden wherever it shows up next.
        assert_eq!(mask_secrets("hunter2 again"), "**** again");
    }

    #[test]
    fn timeouts_come_from_the_environment() {
        use std::env::VarError;
        assert_eq!(seconds("X", Err(VarError::NotPresent), 7).unwrap(), Duration::from_secs(7));
        assert_eq!(seconds("X", Ok(" 0.5 ".into()), 7).unwrap(), Duration::from_millis(500));
        for bad in ["0", "-1", "soon", "inf", ""] {
            let err = seconds("MIGRATE_LOCK_TIMEOUT", Ok(bad.into()), 7).unwrap_err();
            assert!(err.to_string().starts_with("MIGRATE_LOCK_TIMEOUT must be a positive number of seconds"), "{err}");
        }
        assert!(seconds("X", Err(VarError::NotUnicode("\u{fffd}".into())), 7).is_err());
    }
}
