//! `amisim`: look inside the simulated cloud and change it out of band.
//!
//! The tool reads and changes the store the provider uses (`--store`, else
//! `AMISIM_STORE`, else `.amisim/cloud.db`). Looking never writes; changes go
//! through the simulator's API as the object's owner, so they are logged and
//! show as drift in the next plan. Exit codes: 0 for success, 1 for an error
//! about the store or an object, 2 for a usage error.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

mod args;
mod commands;
mod console;
mod open;
mod table;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    if matches!(cli.command, args::Command::Serve(_)) {
        give_back_large_buffers();
    }
    let stdout = io::stdout();
    // What users wrote (names, descriptions, tags) never reaches the terminal raw.
    let mut out = table::Shielded::new(stdout.lock());
    let result = commands::run(&cli, &mut out).and_then(|()| Ok(out.flush()?));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", table::shield(&one_line(&e)));
            ExitCode::from(1)
        }
    }
}

/// Whether the reader of our output went away (`amisim events | head`): not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// An error as one line: the AWS code and rule for refusals, then what to do instead.
fn one_line(e: &anyhow::Error) -> String {
    // A refusal reads the same whether the store or a server refused it:
    // through a server it is the simulator's own error too.
    let refusal = e
        .downcast_ref::<amisim_simulator::Error>()
        .map(|sim| (sim.code(), &sim.message, &sim.hint));
    let text = match refusal {
        Some((code, message, hint)) => {
            let mut text = if code.starts_with("Store.") {
                message.clone()
            } else {
                format!("{code}: {message}")
            };
            if !hint.is_empty() {
                text.push_str("; ");
                text.push_str(&sentence_tail(hint));
            }
            text
        }
        None => format!("{e:#}"),
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A sentence made fit to follow a semicolon: lower-case first letter (unless an acronym), no final period.
fn sentence_tail(sentence: &str) -> String {
    let mut chars = sentence.chars();
    let tail = match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => first
            .to_lowercase()
            .chain(sentence.chars().skip(1))
            .collect(),
        _ => sentence.to_string(),
    };
    tail.trim_end_matches('.').to_string()
}

/// Has glibc give the memory of large buffers (request bodies) back to the
/// system as soon as they are freed, so that a burst of large or stalled
/// requests leaves `amisim serve`'s memory as it was: by default glibc raises
/// its threshold for mapping such buffers apart after the first is freed, and
/// keeps the later ones in its heap for good. The threshold is fixed by
/// glibc's own environment variable, read when a process starts, so the
/// command starts itself again once with it set (the same process ID).
fn give_back_large_buffers() {
    const SETTING: &str = "MALLOC_MMAP_THRESHOLD_";
    if !cfg!(all(target_os = "linux", target_env = "gnu")) || std::env::var_os(SETTING).is_some() {
        return;
    }
    let Ok(me) = std::env::current_exe() else {
        return;
    };
    use std::os::unix::process::CommandExt;
    // exec returns only when it fails: then the command goes on as it is.
    let _ = std::process::Command::new(me)
        .args(std::env::args_os().skip(1))
        .env(SETTING, "131072")
        .exec();
}
