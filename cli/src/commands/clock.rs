//! `amisim clock`: the simulated time, and moving it forward.
//!
//! Every Terraform command (and every run of this tool) starts after the latest
//! time the store holds; its calls are dated from that start by what they
//! depend on. `clock advance` moves that latest time on, so that the next
//! command starts after the jump.

use std::io::Write;

use amisim_simulator::dates;
use anyhow::bail;
use serde::Serialize;

use super::Ctx;
use crate::open;
use amisim_simulator::{AdvanceClock, Caller, GetClock};

/// The clock, as shown in JSON.
#[derive(Serialize)]
struct Clock {
    /// The latest simulated time the store holds.
    now: String,
}

pub fn show(ctx: &Ctx<'_>, out: &mut dyn Write) -> anyhow::Result<()> {
    let now = match &ctx.remote {
        Some(remote) => remote.call(&GetClock {})?,
        None => open::view(ctx)?.now()?,
    };
    print(ctx, out, &now, "Simulated time")
}

pub fn advance(ctx: &Ctx<'_>, out: &mut dyn Write, duration: &str) -> anyhow::Result<()> {
    let Some(seconds) = dates::parse_duration(duration) else {
        bail!(
            "{duration:?} is not a duration; write a number with a unit (d, h, m or s), for example 25h, 90m or 1h30m"
        );
    };
    let request = AdvanceClock { seconds };
    let now = match &ctx.remote {
        Some(remote) => remote.call(&request)?,
        None => open::for_change(ctx.store)?.call(&Caller::administrator(), &request)?,
    };
    print(ctx, out, &now, "Simulated time moved to")
}

fn print(ctx: &Ctx<'_>, out: &mut dyn Write, now: &str, what: &str) -> anyhow::Result<()> {
    if ctx.json {
        serde_json::to_writer_pretty(&mut *out, &Clock { now: now.into() })?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{what} {now}; the next command starts at the next whole minute"
        )?;
    }
    Ok(())
}
