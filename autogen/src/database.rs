//! Which database to use, how to show its URL without the password, and how to connect to it.

use std::time::Duration;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};
use url::Url;

use crate::{Error, Result};

/// How long to wait for a server to answer before giving up.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The embedded default: a SQLite file in the working directory, created on first use.
pub const DEFAULT_SQLITE_URL: &str = "sqlite://app.db";

/// A validated database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    raw: String,
    backend: DbBackend,
    parsed: Option<Url>,
}

impl DatabaseUrl {
    /// Validates a URL of the form `postgres://`, `mysql://` or `sqlite:`.
    pub fn parse(raw: &str) -> Result<Self> {
        let raw = raw.trim();
        let malformed = |reason: &str| Error::MalformedUrl {
            url: mask_unparsed(raw),
            reason: reason.to_owned(),
        };
        if raw.starts_with("sqlite:") {
            let rest = raw.trim_start_matches("sqlite:").trim_start_matches("//");
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(malformed("no file name after `sqlite:` (try sqlite://app.db)"));
            }
            return Ok(Self {
                raw: raw.to_owned(),
                backend: DbBackend::Sqlite,
                parsed: None,
            });
        }
        let parsed = Url::parse(raw).map_err(|e| malformed(&e.to_string()))?;
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

    /// The password in the URL, if any, so that messages can be scrubbed of it.
    fn password(&self) -> Option<String> {
        self.parsed
            .as_ref()
            .and_then(|u| u.password())
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
    }

    /// The URL as it may be shown: any password replaced by `****`.
    pub fn masked(&self) -> String {
        match &self.parsed {
            Some(url) if url.password().is_some() => {
                let mut url = url.clone();
                let _ = url.set_password(Some("****"));
                url.to_string()
            }
            _ => self.raw.clone(),
        }
    }

    /// Removes the password from a message that might quote it.
    pub fn scrub(&self, message: &str) -> String {
        match self.password() {
            Some(password) => message.replace(&password, "****"),
            None => message.to_owned(),
        }
    }

    /// `host:port` of the server, for network backends.
    fn address(&self) -> Option<(String, u16)> {
        let url = self.parsed.as_ref()?;
        let host = url.host_str()?.trim_matches(['[', ']']).to_owned();
        let port = url.port().unwrap_or(match self.backend {
            DbBackend::MySql => 3306,
            _ => 5432,
        });
        Some((host, port))
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

    /// The file of a SQLite database; `None` for other backends and in-memory databases.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        if self.backend != DbBackend::Sqlite || self.raw.contains(":memory:") {
            return None;
        }
        let rest = self.raw.trim_start_matches("sqlite:").trim_start_matches("//");
        Some(std::path::PathBuf::from(rest.split('?').next().unwrap_or(rest)))
    }

    /// The URL handed to the driver.
    fn driver_url(&self) -> String {
        match self.backend {
            // A SQLite file is created on first use unless the URL sets a mode itself.
            DbBackend::Sqlite if !self.raw.contains("mode=") && !self.raw.contains(":memory:") => {
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
}

/// Masks what looks like a password in a URL that could not be parsed.
fn mask_unparsed(raw: &str) -> String {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return raw.to_owned();
    };
    match rest.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:****@{host}"),
            None => raw.to_owned(),
        },
        None => raw.to_owned(),
    }
}

/// The message of a driver error without sea-orm's category prefix.
pub(crate) fn db_message(err: &DbErr) -> String {
    let text = err.to_string();
    for prefix in ["Connection Error: ", "Execution Error: ", "Query Error: "] {
        if let Some(rest) = text.strip_prefix(prefix) {
            return rest.to_owned();
        }
    }
    text
}

/// The last statement that failed on a connection, recorded by [`log_failures`].
#[derive(Debug, Clone, Default)]
pub struct FailureLog(std::sync::Arc<std::sync::Mutex<Option<String>>>);

impl FailureLog {
    /// Takes the last failed statement, leaving none.
    pub fn take(&self) -> Option<String> {
        self.0.lock().ok().and_then(|mut last| last.take())
    }
}

/// Records every failing statement of `db`, so that an error can say which statement it was.
pub fn log_failures(db: &mut DatabaseConnection) -> FailureLog {
    let log = FailureLog::default();
    let sink = log.0.clone();
    db.set_metric_callback(move |info| {
        if info.failed
            && let Ok(mut last) = sink.lock()
        {
            *last = Some(info.statement.to_string());
        }
    });
    log
}

/// Connects with a pool of one connection, for session state such as a lock.
pub async fn connect_single(url: &DatabaseUrl) -> Result<DatabaseConnection> {
    connect_with(url, 1).await
}

/// Connects to the database, failing within [`CONNECT_TIMEOUT`] when the server is unreachable.
pub async fn connect(url: &DatabaseUrl) -> Result<DatabaseConnection> {
    // One connection for SQLite: a table rebuild switches foreign keys off on the connection
    // that then runs its transaction, and an in-memory database lives in one connection.
    connect_with(url, if url.backend == DbBackend::Sqlite { 1 } else { 4 }).await
}

async fn connect_with(url: &DatabaseUrl, connections: u32) -> Result<DatabaseConnection> {
    let server = url.address();
    let address = server.as_ref().map(|(host, port)| format!("{host}:{port}"));
    if let (Some((host, port)), Some(address)) = (server, address.clone()) {
        match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect((host, port))).await
        {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                return Err(Error::Unreachable {
                    address,
                    reason: e.to_string(),
                });
            }
            Err(_) => {
                return Err(Error::Unreachable {
                    address,
                    reason: format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
                });
            }
        }
    }
    let mut options = ConnectOptions::new(url.driver_url());
    options
        .connect_timeout(CONNECT_TIMEOUT)
        .acquire_timeout(CONNECT_TIMEOUT)
        .max_connections(connections)
        .sqlx_logging(false);
    Database::connect(options).await.map_err(|e| {
        let reason = url.scrub(&db_message(&e));
        match address {
            // sqlx reports a server that accepts the connection but never completes the
            // handshake as a pool time-out; say what happened instead.
            Some(address) if reason.contains("pool timed out") => Error::Unreachable {
                address,
                reason: format!(
                    "the server accepted the connection but did not answer within {} s",
                    CONNECT_TIMEOUT.as_secs()
                ),
            },
            _ => Error::Connect {
                url: url.masked(),
                reason,
            },
        }
    })
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
        assert_eq!(lite.sqlite_file(), Some(std::path::PathBuf::from("app.db")));
        assert_eq!(DatabaseUrl::parse("sqlite:///tmp/x.db?mode=rwc").unwrap().sqlite_file(), Some("/tmp/x.db".into()));
        assert_eq!(DatabaseUrl::parse("sqlite::memory:").unwrap().sqlite_file(), None);
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
    fn swaps_the_database() {
        let url = DatabaseUrl::parse("postgres://u:p@h:5432/app?sslmode=disable").unwrap();
        assert_eq!(url.with_database("scratch").masked(), "postgres://u:****@h:5432/scratch?sslmode=disable");
        let my = DatabaseUrl::parse("mysql://root@h/app").unwrap();
        assert_eq!(my.with_database("").masked(), "mysql://root@h");
        let lite = DatabaseUrl::parse("sqlite://app.db").unwrap();
        assert_eq!(lite.with_database("x").driver_url(), "sqlite::memory:");
    }

    #[test]
    fn masks_passwords() {
        let url = DatabaseUrl::parse("postgres://alice:s3cret@db.example:5432/app").unwrap();
        assert_eq!(url.masked(), "postgres://alice:****@db.example:5432/app");
        assert_eq!(url.scrub("auth failed: s3cret"), "auth failed: ****");
        let no_password = DatabaseUrl::parse("postgres://alice@db/app").unwrap();
        assert_eq!(no_password.masked(), "postgres://alice@db/app");
    }

    #[test]
    fn rejects_malformed_urls_without_showing_the_password() {
        for bad in [
            "not a url",
            "http://example.com/db",
            "postgres://",
            "sqlite:",
            "postgres://u:hunter2@:5432/db",
        ] {
            let err = DatabaseUrl::parse(bad).unwrap_err();
            assert!(matches!(err, Error::MalformedUrl { .. }), "{bad}: {err}");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    }
}
