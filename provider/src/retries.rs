//! Retrying what AWS's SDKs retry, as hashicorp/aws does: a call refused
//! because AWS throttled it (`RequestLimitExceeded`) or failed inside
//! (`InternalError`, `ServiceUnavailable`, and for a launch
//! `InsufficientInstanceCapacity`, which hashicorp/aws's EC2 client retries
//! too) is made again, up to [`MAX_ATTEMPTS`] times in all, hashicorp/aws's
//! default `max_retries`. A refused call changed nothing, so making it again
//! is safe. The simulated cloud needs no real waiting between attempts, and
//! a refused call does not move the simulated clock, so a run that was
//! retried ends with the state and dates of one that was not.
//!
//! Each resource and data source operation reports what was retried as one
//! warning (see [`reported`]), so a run shows how often it met AWS's errors.

use std::cell::RefCell;

use amisim_simulator::{Error, ErrorKind};
use tf_provider::Diagnostics;

use crate::diags;

/// hashicorp/aws's default `max_retries`: attempts in all, the first included.
pub const MAX_ATTEMPTS: u32 = 25;

/// How many times hashicorp/aws's waiters describe an object that is not
/// found yet before they give up (`NotFoundChecks`).
pub const NOT_FOUND_CHECKS: u32 = 20;

/// One action's calls that were refused and made again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retried {
    /// The action, as the event log names it.
    pub action: &'static str,
    /// The AWS error code that was retried.
    pub code: &'static str,
    /// The fault rule that made the error, if a rule did.
    pub rule: Option<String>,
    /// How many times.
    pub times: u32,
    /// Whether the attempts ran out.
    pub exhausted: bool,
}

/// How many attempts hashicorp/aws makes of a call refused with `e`, if it
/// retries it: throttling and AWS failing inside, and a new object not
/// found yet (AWS's eventual consistency, which only a fault rule makes
/// here: a `…NotFound` that no rule made is the answer, and is not retried).
pub fn retryable(e: &Error) -> Option<u32> {
    match e.kind {
        ErrorKind::RequestLimitExceeded
        | ErrorKind::InternalError
        | ErrorKind::ServiceUnavailable
        | ErrorKind::InsufficientInstanceCapacity => Some(MAX_ATTEMPTS),
        kind if kind.is_not_found() && e.fault.is_some() => Some(NOT_FOUND_CHECKS),
        _ => None,
    }
}

/// Records that a call of `action` was refused with `e` (and is retried,
/// unless `exhausted`).
pub fn note(log: &mut Vec<Retried>, action: &'static str, e: &Error, exhausted: bool) {
    add(
        log,
        Retried {
            action,
            code: e.code(),
            rule: e.fault.clone(),
            times: u32::from(!exhausted),
            exhausted,
        },
    );
}

/// Adds `r` to `log`, beside the entry of the same action, code and rule if
/// there is one.
fn add(log: &mut Vec<Retried>, r: Retried) {
    match log
        .iter_mut()
        .find(|l| l.action == r.action && l.code == r.code && l.rule == r.rule)
    {
        Some(l) => {
            l.times += r.times;
            l.exhausted |= r.exhausted;
        }
        None => log.push(r),
    }
}

/// The refusal that ended the attempts, saying how many were made.
pub fn exhausted(mut e: Error, attempts: u32) -> Error {
    e.hint = format!(
        "Still refused after {attempts} attempts, hashicorp/aws's limit for it. {}",
        e.hint
    );
    e
}

thread_local! {
    /// What the operation running on this thread retried so far.
    static RETRIED: RefCell<Option<Vec<Retried>>> = const { RefCell::new(None) };
}

/// Keeps what a batch of calls retried for the operation running on this
/// thread, if one is collecting (see [`reported`]).
pub fn keep(retried: Vec<Retried>) {
    if retried.is_empty() {
        return;
    }
    RETRIED.with(|cell| {
        if let Some(log) = cell.borrow_mut().as_mut() {
            for r in retried {
                add(log, r);
            }
        }
    });
}

/// Runs one operation of a resource or data source (synchronous: it stays
/// on this thread), and adds to `diags` a warning saying what it retried.
pub fn reported<T>(diags: &mut Diagnostics, op: impl FnOnce(&mut Diagnostics) -> T) -> T {
    let outer = RETRIED.with(|cell| cell.borrow_mut().replace(Vec::new()));
    let out = op(diags);
    let retried = RETRIED
        .with(|cell| std::mem::replace(&mut *cell.borrow_mut(), outer))
        .unwrap_or_default();
    let retried: Vec<&Retried> = retried.iter().filter(|r| r.times > 0).collect();
    if !retried.is_empty() {
        let lines: Vec<String> = retried.iter().map(|r| describe(r)).collect();
        let mut actions: Vec<&str> = retried.iter().map(|r| r.action).collect();
        actions.dedup();
        // Named in the summary: Terraform folds warnings of one summary together.
        diags::warning(
            diags,
            format!(
                "Retried {} after AWS refused it for a while, as hashicorp/aws does",
                actions.join(" and ")
            ),
            format!(
                "{}\n\nEach refused call changed nothing and was made again at once: the simulated cloud needs no real wait, and its clock did not move. `amisim events` lists every attempt",
                lines.join("\n")
            ),
        );
    }
    out
}

/// `CopyImage: RequestLimitExceeded, retried 2 times (fault rule fault-1)`.
fn describe(r: &Retried) -> String {
    let rule = r
        .rule
        .as_deref()
        .map(|rule| format!(" (fault rule {rule})"))
        .unwrap_or_default();
    format!(
        "{}: {}, retried {} time{}{rule}",
        r.action,
        r.code,
        r.times,
        if r.times == 1 { "" } else { "s" }
    )
}
