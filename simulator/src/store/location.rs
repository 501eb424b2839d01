//! Where a store lives: a store string read once, for every face.
//!
//! A store string is a path (or `sqlite:PATH`), the embedded SQLite store, or
//! a `postgres://` / `postgresql://` URL, a shared cloud on a PostgreSQL
//! server. URL schemes are case-insensitive (RFC 3986 §3.1); a string that
//! names any other scheme, or no store at all, is refused here, so that no
//! face ever makes a file out of a mistyped URL (whose password would then
//! be its name).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};

/// The schemes a store string may name.
pub const SCHEMES: &[&str] = &["sqlite:", "postgres://", "postgresql://"];

/// A store string, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// An SQLite file.
    File(PathBuf),
    /// A PostgreSQL server: the URL, its scheme in lower case.
    Postgres(String),
}

impl StoreLocation {
    /// Reads a store string.
    pub fn parse(text: &str) -> Result<StoreLocation> {
        if text.trim().is_empty() {
            return Err(refused("the store is empty or blank".to_string()));
        }
        if let Some(rest) = strip_scheme(text, "postgres://")
            .map(|r| ("postgres://", r))
            .or_else(|| strip_scheme(text, "postgresql://").map(|r| ("postgresql://", r)))
        {
            return Ok(StoreLocation::Postgres(format!("{}{}", rest.0, rest.1)));
        }
        if let Some((scheme, _)) = text.split_once("://") {
            return Err(refused(format!(
                "the store names the scheme {:?}, which is not a store's",
                scheme.chars().take(40).collect::<String>()
            )));
        }
        let path = strip_scheme(text, "sqlite:").unwrap_or(text);
        if path.trim().is_empty() {
            return Err(refused(
                "the store sqlite: names no file after the scheme".to_string(),
            ));
        }
        if path == ":memory:" || path.starts_with("file:") {
            return Err(refused(format!(
                "the store {path:?} is an SQLite connection string, not a file"
            )));
        }
        Ok(StoreLocation::File(PathBuf::from(path)))
    }

    /// The file of an SQLite store; `None` for a server.
    pub fn file(&self) -> Option<&Path> {
        match self {
            StoreLocation::File(path) => Some(path),
            StoreLocation::Postgres(_) => None,
        }
    }

    /// Whether the store is on a PostgreSQL server.
    pub fn is_server(&self) -> bool {
        matches!(self, StoreLocation::Postgres(_))
    }
}

/// The store as errors and listings name it: the file's path, or the
/// server's `postgres://user@host:port/db`, never its password.
impl fmt::Display for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreLocation::File(path) => write!(f, "{}", path.display()),
            StoreLocation::Postgres(url) => write!(f, "{}", super::server_name(url)),
        }
    }
}

impl std::str::FromStr for StoreLocation {
    type Err = Error;

    fn from_str(text: &str) -> Result<StoreLocation> {
        StoreLocation::parse(text)
    }
}

/// `text` after `scheme`, matched without regard to case.
fn strip_scheme<'a>(text: &'a str, scheme: &str) -> Option<&'a str> {
    let head = text.get(..scheme.len())?;
    head.eq_ignore_ascii_case(scheme)
        .then(|| &text[scheme.len()..])
}

fn refused(message: String) -> Error {
    Error::new(
        ErrorKind::InvalidParameterValue,
        message,
        "Give a file path (or sqlite:PATH), or postgres://USER:PASSWORD@HOST:5432/DATABASE for a cloud on a PostgreSQL server",
    )
}

#[cfg(test)]
mod tests {
    use super::StoreLocation;
    use std::path::Path;

    #[test]
    fn store_strings() {
        let file = |t: &str| {
            StoreLocation::parse(t)
                .unwrap()
                .file()
                .map(Path::to_path_buf)
        };
        assert_eq!(
            file(".amisim/cloud.db").unwrap(),
            Path::new(".amisim/cloud.db")
        );
        assert_eq!(file("sqlite:/tmp/c.db").unwrap(), Path::new("/tmp/c.db"));
        assert_eq!(file("SQLite:c.db").unwrap(), Path::new("c.db"));
        for url in [
            "postgres://u:pw@127.0.0.1:5432/db",
            "Postgres://u:pw@127.0.0.1:5432/db",
            "POSTGRESQL://u:pw@127.0.0.1:5432/db",
        ] {
            let loc = StoreLocation::parse(url).unwrap();
            assert!(loc.is_server(), "{url}");
            assert!(!loc.to_string().contains("pw"), "{loc}");
            let StoreLocation::Postgres(normal) = loc else {
                unreachable!()
            };
            assert!(normal.starts_with("postgres"), "{normal}");
        }
        for bad in [
            "",
            "  ",
            "sqlite:",
            ":memory:",
            "sqlite::memory:",
            "file:c.db?mode=memory",
            "mysql://u:S3cret@h/db",
            "http://example/store",
        ] {
            let err = StoreLocation::parse(bad).expect_err(bad);
            assert_eq!(err.code(), "InvalidParameterValue", "{bad}: {err}");
            assert!(!err.message.contains("S3cret"), "{err}");
        }
    }
}
