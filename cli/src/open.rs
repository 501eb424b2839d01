//! Opening the store: read-only for looking, read-write for changing.
//!
//! The store is a path (or `sqlite:PATH`), or a `postgres://` URL of a
//! shared cloud on a PostgreSQL server.

use std::path::Path;

use amisim_simulator::store::is_postgres_url;
use amisim_simulator::{Cloud, Result};

fn text(store: &Path) -> String {
    store.to_string_lossy().into_owned()
}

/// The file of a file store (`sqlite:` taken off); `None` for a server.
pub fn file(store: &Path) -> Option<&Path> {
    let s = store.to_str()?;
    if is_postgres_url(s) {
        return None;
    }
    Some(s.strip_prefix("sqlite:").map(Path::new).unwrap_or(store))
}

/// Opens an existing store without ever writing to it (a missing store is an error).
pub fn read_only(store: &Path) -> Result<Cloud> {
    Cloud::open_store_read_only(&text(store))
}

/// Opens an existing store for an out-of-band change; a missing store is an error, not a new cloud.
pub fn for_change(store: &Path) -> Result<Cloud> {
    Cloud::open_existing_store(&text(store))
}

/// Opens the store for writing, creating a new cloud if there is none.
pub fn or_create(store: &Path) -> Result<Cloud> {
    Cloud::open_store(&text(store))
}
