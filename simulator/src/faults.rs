//! Deterministic faults: the errors AWS makes on its bad days, made on
//! purpose where the administrator asks, the same way on every run, so that a
//! pipeline's retries can be tested.
//!
//! A rule ([`FaultRule`]) names an action (or `*`), optionally an account
//! and a region, and an effect. The call layer applies the rules to every
//! call an account makes ([`crate::call`]), before the call's own rule runs:
//! every face (the provider, the `amisim` command, the AWS API) meets the
//! same fault at the same call. The administrator's own calls are never
//! faulted, so `amisim faults clear` always works.

use serde::{Deserialize, Serialize};

use crate::call::{Call, Ctx, Role, Subject};
use crate::error::{refuse, ErrorKind, Result, INJECTABLE};
use crate::model::{FaultEffect, FaultRule, CREATING_ACTIONS, IMAGE_MAKING_ACTIONS};
use crate::store::{Filter, Tx};
use crate::validate;

/// The actions AWS answers `InsufficientInstanceCapacity` for: the ones that
/// need an instance's capacity.
const CAPACITY_ACTIONS: &[&str] = &["RunInstances", "StartInstances"];

/// AddFault: a new fault rule (the administrator's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddFault {
    /// The action it matches, as the event log names it, or `*`.
    pub action: String,
    /// The only account whose calls it matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The only region whose calls it matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// What it does.
    pub effect: FaultEffect,
}

/// ListFaults: every fault rule, in the order they were added, with what
/// each has done so far (the administrator's view).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListFaults {}

/// ClearFaults: removes one rule, or every rule (the administrator's).
/// Answers the IDs of the rules removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearFaults {
    /// The rule to remove; every rule when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl Call for AddFault {
    type Output = FaultRule;
    const ACTIONS: &'static [&'static str] = &["AddFault"];
    const CHANGES: bool = true;
    const ROLE: Role = Role::Administrator;
    const STARTS_COMMAND: bool = false;
    fn action(&self) -> &'static str {
        "AddFault"
    }
    fn run(&self, tx: &mut Tx<'_>, ctx: &Ctx<'_>) -> Result<FaultRule> {
        add(tx, ctx, self)
    }
}

impl crate::call::Outcome for FaultRule {
    fn resource_id(&self) -> Option<String> {
        Some(self.id.clone())
    }
}

impl Call for ListFaults {
    type Output = Vec<FaultRule>;
    const ACTIONS: &'static [&'static str] = &["ListFaults"];
    const CHANGES: bool = false;
    const ROLE: Role = Role::Administrator;
    // A view, as `amisim`'s listings are: it leaves no event.
    const QUIET: bool = true;
    const STARTS_COMMAND: bool = false;
    fn action(&self) -> &'static str {
        "ListFaults"
    }
    fn run(&self, tx: &mut Tx<'_>, _: &Ctx<'_>) -> Result<Vec<FaultRule>> {
        list(tx)
    }
}

impl Call for ClearFaults {
    type Output = Vec<String>;
    const ACTIONS: &'static [&'static str] = &["ClearFaults"];
    const CHANGES: bool = true;
    const ROLE: Role = Role::Administrator;
    const STARTS_COMMAND: bool = false;
    fn action(&self) -> &'static str {
        "ClearFaults"
    }
    fn subject(&self) -> Subject<'_> {
        self.id.as_deref().map_or(Subject::Nothing, Subject::Named)
    }
    fn run(&self, tx: &mut Tx<'_>, _: &Ctx<'_>) -> Result<Vec<String>> {
        clear(tx, self.id.as_deref())
    }
}

/// An action name as the event log gives it: letters and digits, from a capital.
fn action_shape(action: &str) -> Result<()> {
    let mut chars = action.chars();
    let shaped = action == "*"
        || (chars.next().is_some_and(|c| c.is_ascii_uppercase())
            && chars.all(|c| c.is_ascii_alphanumeric())
            && action.len() <= 64);
    if shaped {
        Ok(())
    } else {
        refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "{:?} is not an action: a fault rule names one action as the event log names it",
                action.chars().take(64).collect::<String>()
            ),
            "Name an action such as CopyImage, DescribeImages or RunInstances, or * for every action",
        )
    }
}

/// Refuses an effect on an action that does not make what it acts on.
fn creating(action: &str, makers: &[&str], effect: &str, why: &str) -> Result<()> {
    if action == "*" || makers.contains(&action) {
        return Ok(());
    }
    refuse(
        ErrorKind::InvalidParameterCombination,
        format!("{action} {why}"),
        format!(
            "Match a call that makes one with {effect}: {}",
            makers.join(", ")
        ),
    )
}

/// Refuses a code no rule may inject.
fn injectable(code: &str) -> Result<()> {
    match ErrorKind::injectable(code) {
        Some(_) => Ok(()),
        None => refuse(
            ErrorKind::InvalidParameterValue,
            format!("{code:?} is not an error a fault rule can inject"),
            format!(
                "Inject one of {}",
                INJECTABLE
                    .iter()
                    .map(|(kind, _)| kind.code())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
    }
}

fn add(tx: &mut Tx<'_>, ctx: &Ctx<'_>, r: &AddFault) -> Result<FaultRule> {
    action_shape(&r.action)?;
    if let Some(account) = &r.account_id {
        validate::account_id(account)?;
    }
    if let Some(region) = &r.region {
        validate::region(region)?;
    }
    match &r.effect {
        FaultEffect::Error { code, every, times } => {
            injectable(code)?;
            if *every == 0 || *times == Some(0) {
                return refuse(
                    ErrorKind::InvalidParameterValue,
                    "a fault rule's --every and --times are counts of calls, from 1",
                    "Give --every 1 to refuse every matching call, --every 3 for every third",
                );
            }
            if code == "InsufficientInstanceCapacity"
                && !CAPACITY_ACTIONS.contains(&r.action.as_str())
            {
                return refuse(
                    ErrorKind::InvalidParameterCombination,
                    format!(
                        "AWS answers InsufficientInstanceCapacity only to calls that need an instance's capacity, not to {}",
                        r.action
                    ),
                    format!(
                        "Match {} with it, or inject RequestLimitExceeded, InternalError or ServiceUnavailable",
                        CAPACITY_ACTIONS.join(" or ")
                    ),
                );
            }
        }
        FaultEffect::UnseenFor { describes } => {
            if *describes == 0 {
                return refuse(
                    ErrorKind::InvalidParameterValue,
                    "--unseen-for counts the describe calls that do not see a new object, from 1",
                    "Give --unseen-for 2 for an object its owner's next two describe calls miss",
                );
            }
            creating(
                &r.action,
                CREATING_ACTIONS,
                "--unseen-for",
                "creates no image, snapshot or instance for its owner not to see yet",
            )?;
        }
        FaultEffect::Pending { seconds } => {
            if *seconds <= 0 {
                return refuse(
                    ErrorKind::InvalidParameterValue,
                    "--pending is how long a new image stays pending: a duration such as 20m or 1h",
                    "Give --pending 20m for an image that is available twenty minutes after it was made",
                );
            }
            creating(
                &r.action,
                IMAGE_MAKING_ACTIONS,
                "--pending",
                "makes no image to keep pending",
            )?;
        }
    }
    let rule = FaultRule {
        id: format!("fault-{}", tx.next_count("fault-rule")? + 1),
        action: r.action.clone(),
        account_id: r.account_id.clone(),
        region: r.region.clone(),
        effect: r.effect.clone(),
        matched: 0,
        injected: 0,
        created: crate::dates::format_time(ctx.epoch),
        unseen: Vec::new(),
        pending: Vec::new(),
    };
    tx.put(&rule)?;
    Ok(rule)
}

fn list(tx: &Tx<'_>) -> Result<Vec<FaultRule>> {
    let mut rules = tx.list::<FaultRule>(Filter::default())?;
    rules.sort_by_key(FaultRule::number);
    Ok(rules)
}

fn clear(tx: &mut Tx<'_>, id: Option<&str>) -> Result<Vec<String>> {
    let rules = list(tx)?;
    let gone: Vec<String> = match id {
        None => rules.into_iter().map(|r| r.id).collect(),
        Some(id) if rules.iter().any(|r| r.id == id) => vec![id.to_string()],
        Some(id) => {
            return refuse(
                ErrorKind::InvalidParameterValue,
                format!("there is no fault rule {id}"),
                "List the rules with amisim faults list",
            )
        }
    };
    for id in &gone {
        tx.delete::<FaultRule>(id)?;
    }
    Ok(gone)
}
