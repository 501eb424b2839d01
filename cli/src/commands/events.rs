//! `amisim events`: the event log.

use std::io::Write;

use amisim_simulator::inventory::{self, EventQuery, OutcomeFilter};
use serde_json::Value;

use super::Ctx;
use crate::args::EventsArgs;
use crate::{open, table};

pub fn list(ctx: &Ctx<'_>, out: &mut dyn Write, args: &EventsArgs) -> anyhow::Result<()> {
    let outcome = args.outcome.as_deref().map(OutcomeFilter::parse);
    let query = EventQuery {
        account: args.account.as_deref(),
        region: args.region.as_deref(),
        action: args.action.as_deref(),
        outcome,
        // Commit numbers are never past i64, where SQLite's and PostgreSQL's rows end.
        after_commit: args.after.map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
    };
    let events = match &ctx.remote {
        Some(remote) => remote.call(&inventory::ListEvents {
            account: args.account.clone(),
            region: args.region.clone(),
            action: args.action.clone(),
            outcome: args.outcome.clone(),
            after_commit: query.after_commit,
        })?,
        None => open::view(ctx)?.read(|tx| inventory::events(tx, &query))?,
    };
    if ctx.json {
        table::print_json(out, &events)?;
        return Ok(());
    }
    if events.is_empty() {
        writeln!(out, "No events")?;
        return Ok(());
    }
    // Following the log, each event is numbered by its commit, the number to
    // follow on from; the canonical listing numbers them in its order.
    let following = args.after.is_some();
    // Calls made through a server carry the access key they were signed with.
    let keyed = events.iter().any(|e| e.access_key_id.is_some());
    let mut header = vec![if following { "COMMIT" } else { "SEQ" }, "TIME", "ACCOUNT"];
    if keyed {
        header.push("ACCESS KEY");
    }
    header.extend(["REGION", "ACTION", "OUTCOME", "RESOURCE", "PARAMETERS"]);
    let mut t = table::new(&header);
    for e in &events {
        let mut row = vec![
            match (following, e.commit) {
                (true, Some(commit)) => commit.to_string(),
                _ => e.seq.to_string(),
            },
            e.time.clone(),
            table::owner(&e.account_id),
        ];
        if keyed {
            row.push(table::or_dash(e.access_key_id.as_deref()));
        }
        row.extend([
            e.region.clone(),
            e.action.clone(),
            // An injected fault names the rule that made it.
            match &e.fault {
                Some(rule) => format!("{} [{rule}]", e.outcome),
                None => e.outcome.clone(),
            },
            table::or_dash(e.resource_id.as_deref()),
            parameters(&e.parameters),
        ]);
        t.add_row(row);
    }
    table::right_align(&mut t, &[0]);
    table::print(out, &t)?;
    Ok(())
}

/// A call's parameters in brief: `key=value` for every parameter that was given.
///
/// Empty, false and null parameters are left out; `--json` shows them all.
fn parameters(value: &Value) -> String {
    let Value::Object(map) = value else {
        return brief(value);
    };
    let parts: Vec<String> = map
        .iter()
        .filter(|(_, v)| !is_empty(v))
        .map(|(k, v)| match v {
            Value::Bool(true) => k.clone(),
            v => format!("{k}={}", brief(v)),
        })
        .collect();
    table::list(&parts)
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Number(_) | Value::Bool(true) => false,
    }
}

fn brief(v: &Value) -> String {
    match v {
        Value::String(s) => one_line(s),
        Value::Array(items) => items.iter().map(brief).collect::<Vec<_>>().join(","),
        // A launch permission's principal: `account:111111111111`, `group:all`.
        Value::Object(o) if o.len() == 2 && o.contains_key("kind") && o.contains_key("value") => {
            format!("{}:{}", brief(&o["kind"]), brief(&o["value"]))
        }
        other => other.to_string(),
    }
}

/// A string on one line (line breaks shown as `\n`), cut short after 40 characters.
fn one_line(text: &str) -> String {
    const MAX: usize = 40;
    let escaped = text.replace('\n', "\\n");
    if escaped.chars().count() > MAX {
        let cut: String = escaped.chars().take(MAX - 1).collect();
        format!("{cut}…")
    } else {
        escaped
    }
}
