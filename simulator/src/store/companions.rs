//! The files SQLite keeps beside a store, checked before SQLite may touch them.
//!
//! SQLite applies a write-ahead log (`STORE-wal`) or a rollback journal
//! (`STORE-journal`) that it finds beside a database without asking whether
//! it belongs to that database: a file of another database, or of an older
//! copy of the store, would be written into the store the first time it is
//! checkpointed. So before SQLite opens a store:
//!
//! - a store or companion that is not a regular file (a FIFO, socket, device
//!   or folder) is refused at once, before anything blocks on it;
//! - a non-empty journal is refused: amisim stores use a WAL and never a journal;
//! - a companion this user cannot write is named, for a read-write open;
//! - a WAL that no running process is using (a process ended without closing
//!   the store) is applied to a private copy first, and the store is used only
//!   if that copy is a sound amisim store of the same identity. Otherwise the
//!   store is refused with every byte unchanged.
//!
//! A WAL in use by a running process (its `-shm` holds that process's locks)
//! is that process's own, and is used as it is.

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, ErrorKind, Result};

use super::{APPLICATION_ID, SCHEMA_VERSION};

/// What is beside a store, once it is known to be safe to open.
pub(super) enum Beside {
    /// No WAL with content: the store file holds everything.
    Quiet,
    /// A WAL another process (or this one) is using right now.
    Live,
    /// A WAL left by a process that ended, checked on a private copy,
    /// which holds the store with that WAL applied.
    Recovered(Scratch),
}

/// `path` with SQLite's companion `suffix` (`-wal`, `-shm`, `-journal`).
pub(super) fn companion(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// Refuses a store path that names something other than a regular file.
/// A path that does not exist is fine (it is created, or reported missing).
pub(super) fn check_store_kind(path: &Path) -> Result<()> {
    let blank = |s: &std::ffi::OsStr| s.to_string_lossy().trim().is_empty();
    if blank(path.as_os_str()) || path.file_name().is_some_and(blank) {
        return Err(Error::new(
            ErrorKind::StoreIo,
            format!("the store path {:?} has no file name", path.display().to_string()),
            "Give the store a file path, for example .amisim/cloud.db, or leave it unset for the default",
        ));
    }
    match fs::metadata(path) {
        Ok(meta) if !meta.is_file() => Err(Error::new(
            ErrorKind::StoreDamaged,
            format!(
                "{} is {}, not a store file",
                path.display(),
                kind_of(&meta)
            ),
            "Point AMISIM_STORE (or the provider's store argument) at a regular file; nothing was read from or written to this one",
        )),
        _ => Ok(()),
    }
}

/// Checks the companions of an existing store; see the module's documentation.
///
/// The last process to close a store folds its WAL in and removes it, and a
/// process that opens it meanwhile writes to it, so what is beside the store
/// can change while it is checked: a check that saw the WAL change under it is
/// made again, and a WAL that keeps changing is in use.
///
/// Unless this is the process's `first` connection to the store, nothing is
/// opened outside SQLite but a WAL left by an ended process (see `held`).
pub(super) fn inspect(path: &Path, read_only: bool, first: bool) -> Result<Beside> {
    check_files(path, read_only || !first)?;
    let wal = companion(path, "-wal");
    for _ in 0..5 {
        let Some(before) = wal_stamp(&wal) else {
            return Ok(Beside::Quiet);
        };
        if in_use(path) {
            return Ok(Beside::Live);
        }
        let outcome = recover_copy(path, &wal);
        if wal_stamp(&wal) == Some(before) && !in_use(path) {
            return outcome.map(Beside::Recovered);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Ok(Beside::Live)
}

/// The size and modification time of a WAL that holds something SQLite would
/// apply (it is longer than its 32-byte header), or `None`.
fn wal_stamp(wal: &Path) -> Option<(u64, Option<std::time::SystemTime>)> {
    let meta = fs::metadata(wal).ok()?;
    (meta.len() >= 32).then(|| (meta.len(), meta.modified().ok()))
}

/// Refuses companions that are not regular files, a journal, and (for a
/// read-write open) files this user cannot write.
fn check_files(path: &Path, read_only: bool) -> Result<()> {
    for suffix in ["-wal", "-shm", "-journal"] {
        let c = companion(path, suffix);
        if let Ok(meta) = fs::symlink_metadata(&c) {
            if !meta.is_file() {
                return Err(in_the_way(
                    path,
                    &c,
                    format!(
                        "{} is {}, not a file SQLite can keep beside the store",
                        c.display(),
                        kind_of(&meta)
                    ),
                ));
            }
        }
    }
    let journal = companion(path, "-journal");
    if fs::metadata(&journal).is_ok_and(|m| m.len() > 0) {
        return Err(in_the_way(
            path,
            &journal,
            format!(
                "{} is a rollback journal, which amisim stores never use: it belongs to another database, and SQLite would write it into {}",
                journal.display(),
                path.display()
            ),
        ));
    }
    if read_only {
        return Ok(());
    }
    for file in [
        path.to_path_buf(),
        companion(path, "-wal"),
        companion(path, "-shm"),
    ] {
        if !file.exists() {
            continue;
        }
        if let Err(e) = fs::OpenOptions::new().write(true).open(&file) {
            return Err(Error::new(
                ErrorKind::StoreIo,
                format!("cannot write to {}: {e}", file.display()),
                format!(
                    "Make {} writable for this user (a -wal or -shm file may also be removed while no amisim process runs); the store was left untouched",
                    file.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Whether a running process holds SQLite's locks on the store's `-shm` file.
fn in_use(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = fs::metadata(companion(path, "-shm")) else {
        return false;
    };
    let Ok(locks) = fs::read_to_string("/proc/locks") else {
        return false;
    };
    let dev = meta.dev();
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    let wanted = format!("{major:02x}:{minor:02x}:{}", meta.ino());
    locks
        .lines()
        .any(|line| line.split_whitespace().any(|field| field == wanted))
}

/// Applies `wal` to a private copy of the store and checks the result.
fn recover_copy(path: &Path, wal: &Path) -> Result<Scratch> {
    let scratch = Scratch::new()?;
    let copy = scratch.store();
    let copied = fs::copy(path, &copy).and_then(|_| fs::copy(wal, companion(&copy, "-wal")));
    if let Err(e) = copied {
        return Err(Error::new(
            ErrorKind::StoreIo,
            format!(
                "cannot check the write-ahead log {} before using it (copying to {} failed: {e})",
                wal.display(),
                scratch.dir.display()
            ),
            "Free some space in the temporary folder (TMPDIR) and run the command again; the store was left untouched",
        ));
    }
    let identity = |conn: &Connection| -> Option<String> {
        conn.query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| {
            r.get(0)
        })
        .ok()
    };
    let before = Connection::open_with_flags(
        super::immutable_uri(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    )
    .ok()
    .and_then(|c| identity(&c));
    let problem = match Connection::open(&copy) {
        Err(e) => Some(format!("SQLite cannot open the result ({e})")),
        Ok(conn) => {
            let number = |pragma: &str| -> Option<i64> {
                conn.query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))
                    .ok()
            };
            let check: Option<String> = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).ok();
            if number("application_id") != Some(APPLICATION_ID) {
                Some("a database that is not an amisim store".to_string())
            } else if number("user_version").is_none_or(|v| v > SCHEMA_VERSION) {
                Some("a store of another schema version".to_string())
            } else if check.as_deref() != Some("ok") {
                Some(format!(
                    "a damaged store ({})",
                    check.unwrap_or_else(|| "unreadable".into())
                ))
            } else if before.is_some() && identity(&conn) != before {
                Some("another amisim store".to_string())
            } else {
                None
            }
        }
    };
    match problem {
        None => Ok(scratch),
        Some(what) => Err(in_the_way(
            path,
            wal,
            format!(
                "the write-ahead log {} does not belong to {}: applying it would give {what}",
                wal.display(),
                path.display()
            ),
        )),
    }
}

/// A refusal naming the companion file that is in the way.
fn in_the_way(path: &Path, file: &Path, message: String) -> Error {
    Error::new(
        ErrorKind::StoreDamaged,
        message,
        format!(
            "Move {} away (with {}-shm, if there is one) and run the command again; the store {} was left untouched",
            file.display(),
            path.display(),
            path.display()
        ),
    )
}

fn kind_of(meta: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

/// A private temporary folder, removed with everything in it when dropped.
pub(super) struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new() -> Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("amisim-check-{}", super::unique_token()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).map_err(|e| {
            Error::new(
                ErrorKind::StoreIo,
                format!("cannot create the temporary folder {}: {e}", dir.display()),
                "Set TMPDIR to a writable folder and run the command again; the store was left untouched",
            )
        })?;
        Ok(Scratch { dir })
    }

    /// The copy of the store inside.
    pub(super) fn store(&self) -> PathBuf {
        self.dir.join("store.db")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}
