//! One typed call for every operation of the cloud, and the one wrapper that runs it.
//!
//! Every operation is a request type beside its rule (`images::RegisterImage`,
//! `permissions::AddLaunchPermission`, …) that implements [`Call`]: its action
//! name, whether it changes the cloud, who may make it, what it acts on, its
//! output, and the rule that runs it. [`run`] wraps every one of them the same
//! way: one store transaction, the command's clock, the caller's checks, the
//! rule in a savepoint, one event in the log, and the commit. A face (the
//! provider, the CLI, a server) builds a request and hands it to
//! [`crate::Cloud::call`]; it owns no rule.
//!
//! This module sits below the rules: they import [`Ctx`] and [`Call`] from it,
//! and it imports no rule.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{refuse, ErrorKind, Result};
use crate::model::{
    is_read_action, Event, FaultEffect, FaultRule, Grant, Image, ImageSettings, Instance, Key,
    LaunchPermission, RecycleBinRule, Storage, StoragePermission, StoredImage, UsageReport,
};
use crate::store::{Store, Tx};
use crate::{dates, ids, secrets, validate};

pub use crate::model::{ADMINISTRATOR, GLOBAL};

/// Who is calling: an account in a region (one provider block), or the
/// administrator of the whole cloud (see [`Caller::administrator`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    /// The 12-digit account ID, or [`ADMINISTRATOR`].
    pub account_id: String,
    /// The region the call is made in ([`GLOBAL`] for the administrator).
    pub region: String,
    /// The account's secret, which a claimed account's calls must present.
    #[serde(skip)]
    pub secret: Option<String>,
}

impl Caller {
    /// A caller; checked when it makes its first call.
    pub fn new(account_id: impl Into<String>, region: impl Into<String>) -> Caller {
        Caller {
            account_id: account_id.into(),
            region: region.into(),
            secret: None,
        }
    }

    /// The administrator: whoever holds the store itself (the file, or the
    /// database's credentials), and, through a server, whoever holds its
    /// administrator credential. Only the administrator may make the calls
    /// that change the cloud for everyone ([`Role::Administrator`]).
    pub fn administrator() -> Caller {
        Caller::new(ADMINISTRATOR, GLOBAL)
    }

    /// Whether this is the administrator.
    pub fn is_administrator(&self) -> bool {
        self.account_id == ADMINISTRATOR
    }

    /// The same caller presenting `secret` (see [`claims`]); an empty one is none.
    pub fn with_secret(mut self, secret: Option<String>) -> Caller {
        self.secret = secret.filter(|s| !s.is_empty());
        self
    }
}

/// Who may make a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// An account, in its own region, on what its rules let it reach.
    Account,
    /// Only the administrator: a change to the cloud for everyone (the price
    /// book, the clock, claims).
    Administrator,
    /// Anyone, checked for nothing: a call that reaches no object and only
    /// leaves its refusal in the log ([`crate::RefuseRequest`]).
    Anyone,
}

/// What a call acts on: named in its event when its output names nothing,
/// and the object a change is dated after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    /// Nothing in particular (a create, a listing, a setting of the caller's scope).
    Nothing,
    /// An image (its creation date).
    Image(&'a str),
    /// An instance (its launch time).
    Instance(&'a str),
    /// A KMS key, by ID or ARN (its creation date).
    Key(&'a str),
    /// A snapshot, bundle or volume (its start time).
    Storage(&'a str),
    /// Something with no date of its own: a Recycle Bin rule, an entry of
    /// the bin, an account.
    Named(&'a str),
}

impl Subject<'_> {
    /// The subject's ID, if it names one.
    pub fn id(&self) -> Option<&str> {
        match *self {
            Subject::Nothing => None,
            Subject::Image(id)
            | Subject::Instance(id)
            | Subject::Key(id)
            | Subject::Storage(id)
            | Subject::Named(id) => Some(id),
        }
    }

    /// When the subject was made, if it exists and has a date.
    fn date(&self, tx: &Tx<'_>) -> Result<Option<String>> {
        Ok(match *self {
            Subject::Image(id) => tx.get::<Image>(id)?.map(|i| i.creation_date),
            Subject::Instance(id) => tx.get::<Instance>(id)?.map(|i| i.launch_time),
            Subject::Key(id) => {
                let id = id.rsplit('/').next().unwrap_or(id);
                tx.get::<Key>(id)?.map(|k| k.creation_date)
            }
            Subject::Storage(id) => tx.get::<Storage>(id)?.map(|s| s.start_time),
            Subject::Nothing | Subject::Named(_) => None,
        })
    }
}

/// One operation of the cloud: a request, and the rule that answers it.
///
/// Adding a call is adding one such type beside its rule; every face reaches
/// it through [`crate::Cloud::call`].
pub trait Call: Serialize + DeserializeOwned {
    /// What the call returns.
    type Output: Outcome + Serialize + DeserializeOwned;

    /// Every action name [`Call::action`] can give: how the call is named on
    /// the wire (see [`crate::wire`]).
    const ACTIONS: &'static [&'static str];

    /// Whether the call changes the cloud (a read changes nothing but the log).
    const CHANGES: bool;

    /// Who may make it.
    const ROLE: Role = Role::Account;

    /// Whether an answered call leaves no event and moves no clock: the
    /// views of the `amisim` tool and of the provider (what they read
    /// through a server, the listings, the log, the bill, the clock, who the
    /// caller is, as their reads of a store are not logged), and the
    /// server's own set-up (the administrator's key it makes before anything
    /// else), so that a cloud behind a server has the log and the dates of
    /// the same cloud on a store. A refused quiet call is logged, as every
    /// refusal is.
    const QUIET: bool = false;

    /// Whether the call belongs to its handle's command (see
    /// [`ids::command_epoch`]). An operator's call (the clock, the price
    /// book, claims) does not: it happens between commands, is dated at the
    /// simulated time now, and starts no command of its own.
    const STARTS_COMMAND: bool = true;

    /// The action's name, AWS's where AWS has one: it names the call in the
    /// event log and on the wire.
    fn action(&self) -> &'static str;

    /// What it acts on.
    fn subject(&self) -> Subject<'_> {
        Subject::Nothing
    }

    /// The code its refusal is logged with, when the call only records a
    /// refusal a face made itself ([`crate::RefuseRequest`]): the face's
    /// code, which may be one the simulator has no kind for.
    fn refused_with(&self) -> Option<&str> {
        None
    }

    /// Who may make this request: [`Self::ROLE`] unless the request's own
    /// values say otherwise (a forced release needs the administrator).
    fn role(&self) -> Role {
        Self::ROLE
    }

    /// The rule: runs the call in its transaction.
    fn run(&self, tx: &mut Tx<'_>, ctx: &Ctx<'_>) -> Result<Self::Output>;
}

/// Implements [`Call`] for request types whose action is fixed, one line
/// each: `Type => Output, "Action", changes | reads, Subject(field), |request,
/// tx, ctx| rule`. A type whose action, role or clock depends on more writes
/// its `impl Call` out.
macro_rules! calls {
    ($($ty:ident => $out:ty, $action:literal, $kind:ident, $subject:ident $(($field:ident))?,
       |$r:pat_param, $tx:pat_param, $ctx:pat_param| $run:expr;)*) => {
        $(
            impl $crate::call::Call for $ty {
                type Output = $out;
                const ACTIONS: &'static [&'static str] = &[$action];
                const CHANGES: bool = $crate::call::calls!(@changes $kind);
                fn action(&self) -> &'static str {
                    $action
                }
                fn subject(&self) -> $crate::call::Subject<'_> {
                    $crate::call::Subject::$subject $((&self.$field))?
                }
                fn run(
                    &self,
                    $tx: &mut $crate::store::Tx<'_>,
                    $ctx: &$crate::call::Ctx<'_>,
                ) -> $crate::error::Result<$out> {
                    let $r = self;
                    $run
                }
            }
        )*
    };
    (@changes changes) => {
        true
    };
    (@changes reads) => {
        false
    };
}
pub(crate) use calls;

/// What a rule sees of the call it serves.
pub struct Ctx<'a> {
    /// The caller.
    pub caller: &'a Caller,
    /// The start of the command the call belongs to (see [`ids::command_epoch`]).
    pub epoch: i64,
    /// The latest time the call has handed out.
    stamped: std::cell::Cell<i64>,
    /// The key the handle seals new secrets under, if it has one.
    pub seal_key: Option<&'a crate::secrets::SealKey>,
}

impl<'a> Ctx<'a> {
    /// What a call of `caller` sees, in a command that started at `epoch`.
    fn new(
        caller: &'a Caller,
        epoch: i64,
        seal_key: Option<&'a crate::secrets::SealKey>,
    ) -> Ctx<'a> {
        Ctx {
            caller,
            epoch,
            stamped: std::cell::Cell::new(epoch),
            seal_key,
        }
    }

    /// The time of a change that depends on objects dated `after` (a source
    /// image, an instance, a key): one step past the latest of them and of the
    /// command's start. Changes that depend on nothing earlier in the command
    /// are all dated one step after its start: independent calls made in
    /// parallel are made "at once".
    pub fn time_after(&self, after: &[&str]) -> String {
        let t = dates::after(self.epoch, after);
        self.stamped.set(self.stamped.get().max(t));
        dates::format_time(t)
    }

    /// The time of a change that depends on nothing earlier in the command.
    pub fn time(&self) -> String {
        self.time_after(&[])
    }

    /// The latest time this call has handed out (its own time, for what it
    /// creates alongside its main object), or its command's first step.
    pub fn call_time(&self) -> String {
        dates::format_time(self.stamped.get().max(self.epoch + dates::STEP_SECONDS))
    }
}

/// Something a call returns that names the object it created or changed.
pub trait Outcome {
    /// The object's ID, for the event log.
    fn resource_id(&self) -> Option<String> {
        None
    }
}

impl Outcome for () {}
impl Outcome for bool {}
impl Outcome for String {}
impl<T: Outcome> Outcome for Option<T> {
    fn resource_id(&self) -> Option<String> {
        self.as_ref().and_then(Outcome::resource_id)
    }
}
impl<T> Outcome for Vec<T> {}

/// Objects with an ID of their own name it in the event of the call that returns them.
macro_rules! named_outcome {
    ($($t:ty),* $(,)?) => {$(
        impl Outcome for $t {
            fn resource_id(&self) -> Option<String> {
                Some(self.id.clone())
            }
        }
    )*};
}
named_outcome!(
    Image,
    Instance,
    Key,
    Grant,
    LaunchPermission,
    ImageSettings,
    RecycleBinRule,
    StoragePermission,
    StoredImage,
    UsageReport,
    crate::model::Organization,
    crate::model::OrganizationalUnit
);

/// The secrets a handle has checked and the command its calls belong to:
/// what [`run`] keeps between the calls of one handle.
pub(crate) struct Session {
    /// The claimed accounts' secrets this handle has checked.
    pub checked: secrets::Checked,
    /// The command this handle's calls belong to.
    pub command: String,
    /// Whether every call of the command moves the clock, reads and refusals
    /// too (a server's request, dated at its own time), or only changes.
    pub every_call_dated: bool,
    /// The start of a server's request, once its first call began: a
    /// request is a command no later call can belong to, so its start is
    /// kept here and not recorded in the store ([`ids::start_after_latest`]).
    pub request_start: Option<i64>,
    /// How many calls were made since the handle was given its command or
    /// request: a server logs a request it refused itself only when it
    /// made none.
    pub calls: u64,
    /// The access key ID the calls are made with, through a server.
    pub access_key: Option<String>,
    /// The key a server seals new secrets under, for the calls that make
    /// one and were not given one (a claim made over the wire).
    pub seal_key: Option<crate::secrets::SealKey>,
}

impl Session {
    /// A session whose calls belong to `command`.
    pub fn new(command: String) -> Session {
        Session {
            checked: secrets::Checked::default(),
            command,
            every_call_dated: false,
            request_start: None,
            calls: 0,
            access_key: None,
            seal_key: None,
        }
    }
}

/// The start of `command`: a server's request (`request`) keeps its own in
/// `kept`, any other command's is recorded in the store.
fn start_of(tx: &mut Tx<'_>, command: &str, request: bool, kept: &mut Option<i64>) -> Result<i64> {
    if !request {
        return ids::command_epoch(tx, command);
    }
    if let Some(start) = *kept {
        return Ok(start);
    }
    let start = ids::start_after_latest(tx)?;
    *kept = Some(start);
    Ok(start)
}

/// Runs one call: a transaction, the caller's checks, the rule, a log entry,
/// and the clock moved on a change.
///
/// A refusal by the rule is rolled back to a savepoint and only its event
/// (with the AWS error code) is kept; the store failing under a rule undoes
/// the whole call, and the caller hears which call failed.
pub(crate) fn run<R: Call>(
    store: &mut Store,
    session: &mut Session,
    caller: &Caller,
    request: &R,
) -> Result<R::Output> {
    let action = request.action();
    debug_assert!(
        R::ACTIONS.contains(&action) || R::ROLE == Role::Anyone,
        "{action} is not one of the call's ACTIONS"
    );
    debug_assert!(
        R::CHANGES != is_read_action(action) || !R::STARTS_COMMAND || R::ROLE == Role::Anyone,
        "{action}: a call's name says whether it changes the cloud"
    );
    session.calls += 1;
    let parameters = serde_json::to_value(request).unwrap_or(serde_json::Value::Null);
    if !R::CHANGES && !session.every_call_dated && !store.is_grouped() {
        if let Some(result) = read(store, session, caller, request, &parameters)? {
            return result;
        }
    }
    let Session {
        checked,
        command,
        every_call_dated,
        request_start,
        access_key,
        seal_key,
        ..
    } = session;
    store
        .transaction(|tx| {
            let epoch = if R::STARTS_COMMAND {
                start_of(tx, command, *every_call_dated, request_start)?
            } else {
                ids::now(tx)?
            };
            let ctx = Ctx::new(caller, epoch, seal_key.as_ref());
            let subject = request.subject();
            // What the call acts on, as it was before the rule (a deleted
            // volume is gone after it) and as the rule left it (a start moves
            // an instance's launch time on).
            let before = match R::CHANGES && R::STARTS_COMMAND {
                true => subject.date(tx)?,
                false => None,
            };
            // A fault rule's count moves whether or not it refuses the call,
            // so it is taken outside the call's savepoint.
            let result = match authorise(tx, checked, caller, request.role()) {
                Ok(()) => {
                    let injection = injected(
                        tx,
                        caller,
                        action,
                        request.role(),
                        R::QUIET,
                        every_call_dated.then_some(command.as_str()),
                    )?;
                    match injection.error {
                        Some(fault) => Err(fault),
                        None => match tx.atomically(|tx| request.run(tx, &ctx)) {
                            Ok(output) => faulted_output(
                                tx,
                                caller,
                                action,
                                output,
                                &injection.hidden,
                                injection.rules,
                            ),
                            Err(e) => Err(e),
                        },
                    }
                }
                Err(e) => Err(e),
            };
            let result = match result {
                Err(e) if e.is_store_failure() => return Err(e),
                other => other,
            };
            // A change is dated after the object it acts on (a permission after its
            // image, a stop after the instance's launch); a call that changed
            // nothing is dated at its command's start.
            let time = if R::CHANGES && R::STARTS_COMMAND {
                let after = subject.date(tx)?;
                let dates = [before.as_deref(), after.as_deref()].map(Option::unwrap_or_default);
                ctx.stamped.get().max(dates::after(epoch, &dates))
            } else {
                epoch
            };
            let subject = subject.id().map(str::to_string);
            if R::QUIET && result.is_ok() {
                return Ok(result);
            }
            // Only a change moves the clock: a command that changed nothing (a
            // plan, a refresh) leaves the next command's changes dated as if it
            // had not run. A server's request is dated at its own time.
            if (R::CHANGES && result.is_ok()) || *every_call_dated {
                ids::record(tx, time)?;
            }
            tx.append_event(&Event {
                access_key_id: access_key.clone(),
                ..event(
                    caller,
                    action,
                    parameters,
                    time,
                    &result,
                    subject,
                    request.refused_with(),
                )
            })?;
            Ok(result)
        })
        .map_err(|e| e.in_call(action))?
}

/// Runs a call that changes nothing (on a store, not in a server's group,
/// whose every call moves the clock): its rule over a consistent read,
/// taking no write lock, so reads go on beside writers and beside each
/// other; then its event, in a write as short as one row. A read that has
/// nothing to log (a quiet view answered) writes nothing at all. `None`
/// when the rule wanted to write after all (a key made on first use): the
/// call is then made as a change.
fn read<R: Call>(
    store: &mut Store,
    session: &mut Session,
    caller: &Caller,
    request: &R,
    parameters: &serde_json::Value,
) -> Result<Option<Result<R::Output>>> {
    let action = request.action();
    let Session {
        checked,
        command,
        access_key,
        seal_key,
        ..
    } = session;
    let result = store
        .read(|tx| {
            let epoch = if R::STARTS_COMMAND {
                ids::command_epoch_seen(tx, command)?
            } else {
                ids::now(tx)?
            };
            let ctx = Ctx::new(caller, epoch, seal_key.as_ref());
            // A fault rule that matches the call moves its count, and an
            // object a rule keeps unseen counts the call down: writes, so
            // such a call is then made as a change (below).
            let result = authorise(tx, checked, caller, request.role())
                .and_then(|()| injected(tx, caller, action, request.role(), R::QUIET, None))
                .and_then(|injection| match injection.error {
                    Some(fault) => Err(fault),
                    None => request.run(tx, &ctx),
                });
            match result {
                _ if tx.wrote_in_read() => Ok(None),
                Err(e) if e.is_store_failure() => Err(e),
                other => Ok(Some(other)),
            }
        })
        .map_err(|e| e.in_call(action))?;
    let Some(result) = result else {
        return Ok(None);
    };
    if R::QUIET && result.is_ok() {
        return Ok(Some(result));
    }
    let subject = request.subject().id().map(str::to_string);
    store
        .transaction(|tx| {
            // Dated at its command's start, as recorded now.
            let time = if R::STARTS_COMMAND {
                ids::command_epoch(tx, command)?
            } else {
                ids::now(tx)?
            };
            tx.append_event(&Event {
                access_key_id: access_key.clone(),
                ..event(
                    caller,
                    action,
                    parameters.clone(),
                    time,
                    &result,
                    subject,
                    request.refused_with(),
                )
            })
        })
        .map_err(|e| e.in_call(action))?;
    Ok(Some(result))
}

/// The event a call leaves at `time`: its outcome (`ok`, or the refusal's
/// code, or the code a face refused it with) and the object it names (the
/// one it made, or its subject).
fn event<O: Outcome>(
    caller: &Caller,
    action: &str,
    parameters: serde_json::Value,
    time: i64,
    result: &Result<O>,
    subject: Option<String>,
    refused_with: Option<&str>,
) -> Event {
    let (outcome, resource_id, fault) = match result {
        Ok(r) => ("ok".to_string(), r.resource_id().or(subject), None),
        Err(e) => (
            refused_with.unwrap_or(e.code()).to_string(),
            subject,
            e.fault.clone(),
        ),
    };
    Event {
        seq: 0,
        commit: None,
        time: dates::format_time(time),
        account_id: caller.account_id.clone(),
        region: caller.region.clone(),
        action: action.to_string(),
        parameters,
        outcome,
        resource_id,
        access_key_id: None,
        fault,
    }
}

/// What the fault rules do to one call (see [`crate::faults`]): the error
/// a rule injects, if one does, and the objects the call must not show
/// (each with the rule that hides it); and the rules as the call left them,
/// in the order they were added, for what the call's output does to them.
#[derive(Default)]
struct Injection {
    error: Option<crate::Error>,
    hidden: Vec<(String, String)>,
    rules: Vec<FaultRule>,
}

/// What the fault rules do to this call. Only an account's calls to the
/// cloud are faulted: never the administrator's, nor the views that leave
/// no event. Every rule the call matches counts it, in the order the rules
/// were added; the first error rule whose turn it is refuses it. A describe
/// call of an account does not see the objects an `unseen_for` rule keeps
/// from it, and counts down for each.
fn injected(
    tx: &mut Tx<'_>,
    caller: &Caller,
    action: &str,
    role: Role,
    quiet: bool,
    request: Option<&str>,
) -> Result<Injection> {
    let mut injection = Injection::default();
    if role != Role::Account || quiet {
        return Ok(injection);
    }
    let (account, region) = (&caller.account_id, &caller.region);
    let describes = action.starts_with("Describe");
    let mut rules: Vec<FaultRule> = tx.list::<FaultRule>(crate::store::Filter::default())?;
    rules.sort_by_key(FaultRule::number);
    // Images whose pending time has come are available to this call.
    if rules.iter().any(|r| !r.pending.is_empty()) {
        crate::settling::settle(tx, &mut rules, ids::now(tx)?)?;
    }
    for rule in rules.iter_mut() {
        let mut changed = false;
        if describes {
            // One request through a server counts once, however many
            // describe calls it makes; what it counted to nothing is seen
            // from the next one on.
            let before = rule.unseen.len();
            rule.unseen.retain(|u| {
                u.remaining > 0 || (request.is_some() && u.counted_in.as_deref() == request)
            });
            changed |= rule.unseen.len() != before;
            for unseen in &mut rule.unseen {
                if unseen.account_id == *account && unseen.region == *region {
                    injection.hidden.push((unseen.id.clone(), rule.id.clone()));
                    if request.is_none() || unseen.counted_in.as_deref() != request {
                        unseen.remaining = unseen.remaining.saturating_sub(1);
                        unseen.counted_in = request.map(str::to_string);
                    }
                    // A write even when nothing counted down: a read that
                    // hides something is made as a change.
                    changed = true;
                }
            }
            if request.is_none() {
                rule.unseen.retain(|u| u.remaining > 0);
            }
        }
        if let FaultEffect::Error { code, every, times } = &rule.effect {
            if rule.matches(action, account, region) {
                rule.matched += 1;
                changed = true;
                let turn = rule.matched % every.max(&1) == 0;
                let left = times.is_none_or(|t| rule.injected < t);
                if injection.error.is_none() && turn && left {
                    rule.injected += 1;
                    injection.error = Some(injected_error(rule, code, action));
                }
            }
        }
        if changed {
            tx.put(&*rule)?;
        }
    }
    injection.rules = rules;
    Ok(injection)
}

/// A call's output as the fault rules leave it: what an `unseen_for` rule
/// matching the call makes is kept from its owner's next describe calls,
/// and what a describe must not see is left out of its output (a describe
/// of that one object is refused as AWS refuses an unknown ID).
fn faulted_output<O: Serialize + DeserializeOwned>(
    tx: &mut Tx<'_>,
    caller: &Caller,
    action: &str,
    output: O,
    hidden: &[(String, String)],
    rules: Vec<FaultRule>,
) -> Result<O> {
    // The rules that act on what this call made: an unseen rule matching a
    // call that creates, a pending one matching a call that makes an image.
    let acting: Vec<FaultRule> = rules
        .into_iter()
        .filter(|r| {
            let makes = match r.effect {
                FaultEffect::Error { .. } => &[][..],
                FaultEffect::UnseenFor { .. } => crate::model::CREATING_ACTIONS,
                FaultEffect::Pending { .. } => crate::model::IMAGE_MAKING_ACTIONS,
            };
            makes.contains(&action) && r.matches(action, &caller.account_id, &caller.region)
        })
        .collect();
    if acting.is_empty() && hidden.is_empty() {
        return Ok(output);
    }
    let mut json = serde_json::to_value(&output).unwrap_or(serde_json::Value::Null);
    let mut remade = false;
    for mut rule in acting {
        let describes = match rule.effect {
            FaultEffect::UnseenFor { describes } => describes,
            FaultEffect::Pending { seconds } => {
                let Some(mut image) = json["id"]
                    .as_str()
                    .map(|id| tx.get::<Image>(id))
                    .transpose()?
                    .flatten()
                else {
                    continue;
                };
                let made = dates::parse_time(&image.creation_date).unwrap_or_default();
                image.state = crate::model::ImageState::Pending;
                tx.put(&image)?;
                rule.pending.push(crate::model::PendingImage {
                    image: image.key().to_string(),
                    until: dates::format_time(made + seconds),
                });
                rule.matched += 1;
                rule.injected += 1;
                tx.put(&rule)?;
                json["state"] = serde_json::json!(image.state);
                remade = true;
                continue;
            }
            FaultEffect::Error { .. } => continue,
        };
        let mut made: Vec<String> = json["id"]
            .as_str()
            .map(str::to_string)
            .into_iter()
            .collect();
        if let Some(storage) = json["storage_ids"].as_array() {
            made.extend(
                storage
                    .iter()
                    .filter_map(|s| s.as_str().map(str::to_string)),
            );
        }
        rule.matched += 1;
        rule.injected += 1;
        for id in made {
            rule.unseen.push(crate::model::Unseen {
                id,
                account_id: caller.account_id.clone(),
                region: caller.region.clone(),
                remaining: describes,
                counted_in: None,
            });
        }
        tx.put(&rule)?;
    }
    if hidden.is_empty() {
        return Ok(match remade {
            true => serde_json::from_value(json).unwrap_or(output),
            false => output,
        });
    }
    let hides = |v: &serde_json::Value| {
        v["id"]
            .as_str()
            .and_then(|id| hidden.iter().find(|(h, _)| h == id))
    };
    if let Some((id, rule)) = hides(&json) {
        return Err(unseen_error(id, rule));
    }
    let mut left_out = false;
    let mut prune = |list: &mut Vec<serde_json::Value>| {
        let before = list.len();
        list.retain(|item| hides(item).is_none());
        left_out |= list.len() != before;
    };
    match &mut json {
        serde_json::Value::Array(list) => prune(list),
        serde_json::Value::Object(fields) => {
            for value in fields.values_mut() {
                if let serde_json::Value::Array(list) = value {
                    prune(list);
                }
            }
        }
        _ => {}
    }
    if !left_out && !remade {
        return Ok(output);
    }
    Ok(serde_json::from_value(json).unwrap_or(output))
}

/// The refusal of a describe that names an object its owner does not see yet.
fn unseen_error(id: &str, rule: &str) -> crate::Error {
    let (kind, message) = if id.starts_with("i-") {
        (
            ErrorKind::InstanceNotFound,
            format!("The instance ID '{id}' does not exist"),
        )
    } else if id.starts_with("snap-") || id.starts_with("bundle-") {
        (
            ErrorKind::StorageNotFound,
            format!("The snapshot '{id}' does not exist"),
        )
    } else {
        (
            ErrorKind::AmiNotFound,
            format!("The image id '[{id}]' does not exist"),
        )
    };
    crate::Error::new(
        kind,
        message,
        format!(
            "Injected on purpose by fault rule {rule}: AWS's eventual consistency keeps a new object from its owner's next describe calls; describe it again, as hashicorp/aws and AWS's waiters do"
        ),
    )
    .injected_by(rule)
}

/// The error a rule injects: AWS's own code and message, and a hint naming
/// the rule.
fn injected_error(rule: &FaultRule, code: &str, action: &str) -> crate::Error {
    let (kind, message) = ErrorKind::injectable(code).unwrap_or(crate::error::INJECTABLE[1]);
    crate::Error::new(
        kind,
        message,
        format!(
            "Injected on purpose by fault rule {} ({}), at its {} matching call: retry {action} after a pause, as AWS's SDKs do, or remove the rule with amisim faults clear {}",
            rule.id,
            rule.describe(),
            rule.matched,
            rule.id
        ),
    )
    .injected_by(&rule.id)
}

/// Refuses a caller that may not make a call of `role`: the administrator's
/// calls need the administrator, and an account's calls a valid account in a
/// valid region presenting its secret when it is claimed.
fn authorise(
    tx: &Tx<'_>,
    checked: &mut secrets::Checked,
    caller: &Caller,
    role: Role,
) -> Result<()> {
    match (role, caller.is_administrator()) {
        (Role::Anyone, _) => Ok(()),
        (Role::Administrator, true) => Ok(()),
        (Role::Administrator, false) => refuse(
            ErrorKind::UnauthorizedOperation,
            format!(
                "account {} is not authorized to perform this operation: it changes the cloud for every account",
                caller.account_id
            ),
            "Ask the cloud's administrator (whoever holds the store, or the server's administrator credential) to make this change",
        ),
        (Role::Account, true) => refuse(
            ErrorKind::UnauthorizedOperation,
            "the administrator acts on an account's objects as that account",
            "Make the call as the account that owns the object",
        ),
        (Role::Account, false) => {
            validate::caller_account(&caller.account_id)?;
            validate::region(&caller.region)?;
            secrets::require(tx, checked, &caller.account_id, caller.secret.as_deref())
        }
    }
}
