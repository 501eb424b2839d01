//! Opening the store: read-only for looking, read-write for changing.
//!
//! The store is a path (or `sqlite:PATH`), or a `postgres://` URL of a
//! shared cloud on a PostgreSQL server.

use std::path::Path;

use amisim_simulator::store::StoreLocation;
use amisim_simulator::{Cloud, Result};

fn text(store: &Path) -> String {
    store.to_string_lossy().into_owned()
}

/// Where the store is: a file or a server (refused when the string names neither).
pub fn location(store: &Path) -> Result<StoreLocation> {
    StoreLocation::parse(&text(store))
}

/// Opens an existing store without ever writing to it (a missing store is an error).
pub fn read_only(store: &Path) -> Result<Cloud> {
    Cloud::open_store_read_only(&text(store))
}

/// The cloud a command looks at: the store, opened read-only, or through a
/// server the rows it lets the caller see, read as a store of their own.
pub fn view(ctx: &crate::commands::Ctx<'_>) -> anyhow::Result<Cloud> {
    match &ctx.remote {
        Some(remote) => {
            let rows = remote.call(&amisim_simulator::inventory::GetCloud {})?;
            Ok(Cloud::from_rows(&rows)?)
        }
        None => Ok(read_only(ctx.store)?),
    }
}

/// Opens an existing store for an out-of-band change; a missing store is an error, not a new cloud.
pub fn for_change(store: &Path) -> Result<Cloud> {
    Cloud::open_existing_store(&text(store))
}

/// Opens the store for writing, creating a new cloud if there is none.
pub fn or_create(store: &Path) -> Result<Cloud> {
    Cloud::open_store(&text(store))
}
