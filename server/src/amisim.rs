//! amisim's own calls over JSON 1.1 (`X-Amz-Target: AmisimService.*`,
//! signed for the service `amisim`): one generic adapter over the
//! simulator's call layer (see [`amisim_simulator::wire`]). The body is the
//! call's request as the event log shows it; the answer is its output as
//! JSON, or its refusal in JSON 1.1's error shape. A request may name the
//! command it belongs to in the header `X-Amisim-Command`, so that the calls
//! of one Terraform or `amisim` command share that command's start, as they
//! do on a store.

use amisim_simulator::wire::{self, WireError};
use amisim_simulator::{Caller, Cloud};
use serde_json::Value;

use crate::fault::Fault;
use crate::operations::{Effect, Row};

use amisim_simulator::wire::TARGET;

/// The longest command name a request may give.
const MAX_COMMAND: usize = 128;

/// The rows of docs/aws-api.md: one per action name, with the request
/// types it takes.
pub fn rows() -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for call in wire::calls() {
        for action in call.actions {
            let effect = if call.changes {
                Effect::Changes
            } else {
                Effect::Reads
            };
            match rows.iter_mut().find(|r| r.name == *action) {
                Some(row) => row.params.push_str(&format!(" or `{}`", call.request)),
                None => rows.push(Row {
                    name: action,
                    params: format!("the JSON of `{}`", call.request),
                    effect,
                    served: true,
                }),
            }
        }
    }
    rows
}

/// The command a request names in `X-Amisim-Command`. The name alone names
/// it, whichever key signs: the provider blocks of one Terraform command
/// sign with the keys of their own accounts, and their calls share the
/// command's start as on a store. A command is only a start date, so a name
/// borrowed from another's command dates the borrower's calls, nothing more.
pub fn command(header: Option<&str>) -> Result<Option<String>, Fault> {
    let Some(name) = header else {
        return Ok(None);
    };
    let ok = !name.is_empty()
        && name.len() <= MAX_COMMAND
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
    if !ok {
        return Err(Fault::bad(
            "ValidationException",
            format!(
                "The X-Amisim-Command header names a command with 1 to {MAX_COMMAND} letters, digits and - _ . :; this one is {:?}",
                name.chars().take(64).collect::<String>()
            ),
        ));
    }
    Ok(Some(format!("remote:{name}")))
}

/// Answers `target` (`AmisimService.Action`) with `body` as `caller`.
pub fn answer(
    cloud: &mut Cloud,
    caller: &Caller,
    target: Option<&str>,
    body: &[u8],
) -> Result<Value, Fault> {
    let action = target
        .and_then(|t| t.strip_prefix(TARGET))
        .ok_or_else(|| unknown(target.unwrap_or_default()))?;
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice::<Value>(body).map_err(|e| {
            Fault::bad(
                "SerializationException",
                format!("The request body is not JSON: {e}"),
            )
        })?
    };
    match wire::call_json(cloud, caller, action, &body) {
        Ok(output) => Ok(output),
        Err(WireError::UnknownAction(_)) => Err(unknown(target.unwrap_or_default())),
        Err(WireError::Malformed(why)) => Err(Fault::bad(
            "SerializationException",
            format!("The body of {action} is not its request: {why}. Send the request as the event log shows it (amisim events --json)"),
        )),
        Err(WireError::Refused(e)) => Err(Fault::from(e)),
    }
}

fn unknown(target: &str) -> Fault {
    Fault::bad(
        "UnknownOperationException",
        format!(
            "The X-Amz-Target {:?} is not a call of amisim's: name one as AmisimService.ACTION, with ACTION as the event log names it or its request type (docs/aws-api.md lists them)",
            target.chars().take(64).collect::<String>()
        ),
    )
}
