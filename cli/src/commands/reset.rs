//! `amisim reset`: delete the store so that the next use starts a fresh cloud.

use std::ffi::OsString;
use std::fs;
use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Serialize;

use super::Ctx;
use crate::table;

/// The first bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";
/// The application ID amisim writes into its stores ("AMIS"), at offset 68 of the header.
const AMISIM_APPLICATION_ID: [u8; 4] = *b"AMIS";

/// What a reset did, as shown in JSON.
#[derive(Serialize)]
struct Reset {
    /// The files deleted: the store, and its write-ahead log and shared memory if present.
    deleted: Vec<PathBuf>,
}

pub fn reset(ctx: &Ctx<'_>, out: &mut dyn Write, yes: bool) -> anyhow::Result<()> {
    let Some(path) = crate::open::file(ctx.store) else {
        bail!(
            "reset deletes a store file; {} is a shared cloud on PostgreSQL, which whoever holds the database's own credentials resets by dropping and creating the database again",
            amisim_simulator::store::server_name(&ctx.store.to_string_lossy())
        );
    };
    // With no store there is nothing to confirm.
    if !yes && path.exists() {
        if !io::stdin().is_terminal() {
            bail!(
                "refusing to delete the store {} without --yes, as stdin is not a terminal",
                path.display()
            );
        }
        eprint!(
            "Delete the simulated cloud in {}? Everything in it is lost. [y/N] ",
            path.display()
        );
        let mut answer = String::new();
        io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
            bail!("reset cancelled; the store was left untouched");
        }
    }
    if !path.exists() {
        if ctx.json {
            table::print_json(
                out,
                &Reset {
                    deleted: Vec::new(),
                },
            )?;
        } else {
            writeln!(out, "No store at {}; nothing to reset", path.display())?;
        }
        return Ok(());
    }
    check_is_store(path)?;
    let mut deleted = Vec::new();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = OsString::from(path.as_os_str());
        name.push(suffix);
        let file = PathBuf::from(name);
        match fs::remove_file(&file) {
            Ok(()) => deleted.push(file),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("cannot delete {}", file.display()));
            }
        }
    }
    if ctx.json {
        table::print_json(out, &Reset { deleted })?;
    } else {
        writeln!(
            out,
            "Deleted the store {}; the next command or terraform apply starts a fresh cloud",
            path.display()
        )?;
    }
    Ok(())
}

/// Refuses to delete a file that is not an amisim store (an empty file is fine).
///
/// Only the header is read, so a store too damaged to open can still be reset.
fn check_is_store(path: &Path) -> anyhow::Result<()> {
    let mut header = Vec::with_capacity(72);
    fs::File::open(path)
        .and_then(|f| f.take(72).read_to_end(&mut header))
        .with_context(|| format!("cannot read {}", path.display()))?;
    let is_store = header.is_empty()
        || (header.len() == 72
            && header.starts_with(SQLITE_HEADER)
            && header[68..72] == AMISIM_APPLICATION_ID);
    if !is_store {
        bail!(
            "{} is not an amisim store, so reset left it alone; delete it by hand if you mean to",
            path.display()
        );
    }
    Ok(())
}
