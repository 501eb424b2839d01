//! Opening the store: read-only for looking, read-write for changing.

use std::path::Path;

use amisim_simulator::{Cloud, Result};

/// Opens an existing store without ever writing to it (a missing store is an error).
pub fn read_only(path: &Path) -> Result<Cloud> {
    Cloud::open_read_only(path)
}

/// Opens an existing store for an out-of-band change; a missing store is an error, not a new cloud.
pub fn for_change(path: &Path) -> Result<Cloud> {
    if !path.exists() {
        // The read-only opener gives the same clear error for a missing store.
        Cloud::open_read_only(path)?;
    }
    Cloud::open(path)
}

/// Opens the store for writing, creating a new cloud if there is none.
pub fn or_create(path: &Path) -> Result<Cloud> {
    Cloud::open(path)
}
