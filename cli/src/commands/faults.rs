//! `amisim faults add|list|clear`: errors injected on purpose where the
//! administrator asks, the same way on every run, so that a pipeline's
//! retries can be tested (see `amisim_simulator::faults`).

use std::io::Write;

use amisim_simulator::{
    wire, AddFault, Caller, ClearFaults, FaultEffect, FaultRule, ListFaults, Role,
};
use anyhow::bail;

use super::Ctx;
use crate::args::FaultAddArgs;
use crate::{open, table};

/// The actions an account's calls are logged as: what a rule may name.
fn actions() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = wire::calls()
        .iter()
        .filter(|c| c.role == Role::Account)
        .flat_map(|c| c.actions.iter().copied())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Refuses an action no account's call is logged as, naming the nearest.
fn check_action(action: &str) -> anyhow::Result<()> {
    let known = actions();
    if action == "*" || known.contains(&action) {
        return Ok(());
    }
    let lower = action.to_ascii_lowercase();
    let near: Vec<&str> = known
        .iter()
        .copied()
        .filter(|k| {
            let k = k.to_ascii_lowercase();
            k.contains(&lower)
                || lower.contains(&k)
                || k.trim_end_matches('s') == lower.trim_end_matches('s')
        })
        .take(5)
        .collect();
    let hint = if near.is_empty() {
        "`amisim events` shows the actions calls are logged as".to_string()
    } else {
        format!("did you mean {}?", near.join(" or "))
    };
    bail!("no call is logged as the action {action:?}: a fault rule names an action as the event log does, or * for every action; {hint}")
}

pub fn add(ctx: &Ctx<'_>, out: &mut dyn Write, args: &FaultAddArgs) -> anyhow::Result<()> {
    let action = match (&args.action, &args.action_flag) {
        (Some(a), None) | (None, Some(a)) => a.clone(),
        (Some(_), Some(_)) => bail!("name the action once: as the argument, or with --action"),
        (None, None) => bail!("name the action to fault (CopyImage, DescribeImages, RunInstances, … or * for every action)"),
    };
    check_action(&action)?;
    let request = AddFault {
        action,
        account_id: args.account.clone(),
        region: args.region.clone(),
        effect: match (&args.error, args.unseen_for, &args.pending) {
            (Some(code), _, _) => FaultEffect::Error {
                code: code.clone(),
                every: args.every,
                times: args.times,
            },
            (None, Some(describes), _) => FaultEffect::UnseenFor { describes },
            (None, None, Some(duration)) => match amisim_simulator::dates::parse_duration(duration)
            {
                Some(seconds) => FaultEffect::Pending { seconds },
                None => {
                    bail!("--pending takes a duration such as 20m, 1h30m or 45s, not {duration:?}")
                }
            },
            (None, None, None) => {
                bail!("give the rule an effect: --error CODE, --unseen-for N or --pending DURATION")
            }
        },
    };
    let rule = open::administrators(ctx, &request)?;
    if ctx.json {
        table::print_json(out, &rule)?;
        return Ok(());
    }
    writeln!(out, "Added {}: {}", rule.id, rule.describe())?;
    Ok(())
}

pub fn list(ctx: &Ctx<'_>, out: &mut dyn Write) -> anyhow::Result<()> {
    let rules: Vec<FaultRule> = match &ctx.remote {
        Some(remote) => remote.call(&ListFaults {})?,
        None => open::view(ctx)?.call(&Caller::administrator(), &ListFaults {})?,
    };
    if ctx.json {
        table::print_json(out, &rules)?;
        return Ok(());
    }
    if rules.is_empty() {
        writeln!(
            out,
            "No fault rules: every call is answered as the cloud's rules say"
        )?;
        return Ok(());
    }
    let mut t = table::new(&["RULE", "FAULT", "MATCHED", "INJECTED", "ADDED"]);
    for r in &rules {
        t.add_row(vec![
            r.id.clone(),
            r.describe(),
            r.matched.to_string(),
            r.injected.to_string(),
            r.created.clone(),
        ]);
    }
    table::right_align(&mut t, &[2, 3]);
    table::print(out, &t)?;
    Ok(())
}

pub fn clear(ctx: &Ctx<'_>, out: &mut dyn Write, id: Option<&str>) -> anyhow::Result<()> {
    let cleared = open::administrators(
        ctx,
        &ClearFaults {
            id: id.map(str::to_string),
        },
    )?;
    if ctx.json {
        table::print_json(out, &cleared)?;
        return Ok(());
    }
    match cleared.as_slice() {
        [] => writeln!(out, "No fault rules to clear")?,
        ids => writeln!(out, "Cleared {}", ids.join(", "))?,
    }
    Ok(())
}
