//! The store files this process holds SQLite connections to.
//!
//! POSIX advisory locks belong to a process and a file, not to a descriptor:
//! closing *any* descriptor of a file drops every lock the process holds on
//! it. SQLite keeps its own descriptors of one file together for that
//! reason, but a check that opened the store (or its `-wal` or `-shm`) with
//! the standard library and closed it again would silently release the
//! locks of this process's connections. Another process would then believe
//! it is the store's last user, fold the WAL in and delete it under this
//! one, and every later commit of this process would go into a deleted file.
//!
//! So the checks that read a store's files outside SQLite, and the opening
//! of the connection that follows them, run under one lock of this process,
//! and the files are read outside SQLite only while this process holds no
//! connection to that store (see [`open`]). A connection counts from
//! its opening until after it is closed ([`Hold`]).

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use crate::error::{Error, ErrorKind, Result};

/// A store file by its device and inode, whatever path names it.
type FileId = (u64, u64);

/// How many connections of this process each store file has.
static HELD: Mutex<BTreeMap<FileId, usize>> = Mutex::new(BTreeMap::new());

fn held() -> MutexGuard<'static, BTreeMap<FileId, usize>> {
    HELD.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn file_id(path: &Path) -> std::io::Result<FileId> {
    fs::metadata(path).map(|meta| (meta.dev(), meta.ino()))
}

/// Opens a connection to the store at `path` with `open`, under this
/// process's lock: `open` is told whether this process holds no connection
/// to that store yet (only then may it read the store's files outside
/// SQLite). The connection it opens is counted once it is open.
pub(super) fn open<T>(path: &Path, open: impl FnOnce(bool) -> Result<T>) -> Result<(T, Hold)> {
    let mut held = held();
    let id = file_id(path).map_err(|e| {
        Error::new(
            ErrorKind::StoreIo,
            format!("cannot read the store {}: {e}", path.display()),
            "Check the file's permissions, or point AMISIM_STORE at another file",
        )
    })?;
    let first = !held.contains_key(&id);
    let opened = open(first)?;
    *held.entry(id).or_insert(0) += 1;
    Ok((opened, Hold { id }))
}

/// One connection of this process to a store file, counted until dropped:
/// drop it after the connection is closed.
pub(super) struct Hold {
    id: FileId,
}

impl Drop for Hold {
    fn drop(&mut self) {
        let mut held = held();
        if let Some(n) = held.get_mut(&self.id) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.id);
            }
        }
    }
}

/// Runs `read`, which reads the store at `path` outside SQLite, unless this
/// process holds a connection to it: then reading it would drop that
/// connection's locks, and the answer is an error instead.
pub(super) fn outside_sqlite<T>(
    path: &Path,
    read: impl FnOnce() -> std::io::Result<T>,
) -> std::io::Result<T> {
    let held = held();
    let id = file_id(path)?;
    if held.contains_key(&id) {
        return Err(std::io::Error::other(format!(
            "{} is open in this process; close it first",
            path.display()
        )));
    }
    read()
}
