//! `amisim reset`: delete the store so that the next use starts a fresh cloud.

use std::ffi::OsString;
use std::fs;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Serialize;

use super::Ctx;
use crate::table;

/// What a reset did, as shown in JSON.
#[derive(Serialize)]
struct Reset {
    /// The files deleted: the store, and its write-ahead log and shared memory if present.
    deleted: Vec<PathBuf>,
}

pub fn reset(ctx: &Ctx<'_>, out: &mut dyn Write, yes: bool) -> anyhow::Result<()> {
    if let Some(remote) = &ctx.remote {
        return reset_through(remote, out, yes, ctx.json);
    }
    let location = crate::open::location(ctx.store)?;
    let Some(path) = location.file() else {
        bail!(
            "reset deletes a store file; {location} is a shared cloud on PostgreSQL, which whoever holds the database's own credentials resets by dropping and creating the database again"
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
    let is_store = amisim_simulator::store::is_store_file(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if !is_store {
        bail!(
            "{} is not an amisim store, so reset left it alone; delete it by hand if you mean to",
            path.display()
        );
    }
    Ok(())
}

/// `amisim reset` through a server: the administrator's `ResetCloud`, which
/// empties the cloud but keeps the claims and the administrator's key.
fn reset_through(
    remote: &amisim_client::Remote,
    out: &mut dyn Write,
    yes: bool,
    json: bool,
) -> anyhow::Result<()> {
    if !yes {
        if !io::stdin().is_terminal() {
            bail!(
                "refusing to reset the cloud at {} without --yes, as stdin is not a terminal",
                remote.endpoint()
            );
        }
        eprint!(
            "Reset the simulated cloud at {}? Everything in it is lost but the claims. [y/N] ",
            remote.endpoint()
        );
        let mut answer = String::new();
        io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
            bail!("reset cancelled; the cloud was left untouched");
        }
    }
    remote.call(&amisim_simulator::reset::ResetCloud {})?;
    if json {
        table::print_json(out, &serde_json::json!({ "reset": remote.endpoint() }))?;
        return Ok(());
    }
    writeln!(
        out,
        "Reset the cloud at {}: it holds the public catalogue again and nothing else but the claims and the administrator's key",
        remote.endpoint()
    )?;
    Ok(())
}
