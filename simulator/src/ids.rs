//! Deterministic identities and the simulated clock.
//!
//! An ID is derived from what makes its object distinct (account, region,
//! kind, name or source) and from how many such objects came before, never
//! from a global counter: Terraform creates independent resources in an order
//! that varies, and that order must not change which object gets which ID.

use sha2::{Digest, Sha256};

use crate::dates::{format_time, EPOCH_SECONDS};
use crate::error::Result;
use crate::store::{Entity, Tx};

fn digest(parts: &[&str]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    h.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The counter of the objects made from `parts`: a digest, so that what a
/// user wrote (any length, any character) never becomes a key of the store.
fn counter_key(prefix: &str, parts: &[&str]) -> String {
    format!("{prefix}|{}", hex(&digest(parts)))
}

/// A new ID `PREFIX-` and 17 hex digits for an object distinguished by `parts`.
///
/// The `n`-th object with the same parts gets another ID, and an ID already
/// taken (a hash collision) is skipped, so IDs are unique in the store.
pub fn derive<T: Entity>(tx: &mut Tx<'_>, prefix: &str, parts: &[&str]) -> Result<String> {
    let key = counter_key(prefix, parts);
    let nth = |n: i64| {
        let n = n.to_string();
        let mut all: Vec<&str> = vec![prefix];
        all.extend_from_slice(parts);
        all.push(&n);
        format!("{prefix}-{}", &hex(&digest(&all))[..17])
    };
    // Most objects are the first of their parts: the counter and that ID
    // are looked up together.
    tx.read_counter_with::<T>(&key, &nth(0))?;
    loop {
        let id = nth(tx.next_count(&key)?);
        if !tx.exists::<T>(&id)? {
            return Ok(id);
        }
    }
}

/// A UUID (version 4 layout) for an object distinguished by `parts`, unique in the store.
pub fn derive_uuid<T: Entity>(tx: &mut Tx<'_>, parts: &[&str]) -> Result<String> {
    let key = counter_key("uuid", parts);
    loop {
        let n = tx.next_count(&key)?.to_string();
        let mut all: Vec<&str> = vec!["uuid"];
        all.extend_from_slice(parts);
        all.push(&n);
        let mut b = digest(&all);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h = hex(&b[..16]);
        let id = format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        );
        if tx.meta(&format!("id:{id}"))?.is_none() {
            tx.set_meta(&format!("id:{id}"), "1")?;
            return Ok(id);
        }
    }
}

/// A fixed ID for a fixed object (catalogue images, AWS managed keys), no counting.
pub fn fixed(prefix: &str, parts: &[&str]) -> String {
    let mut all: Vec<&str> = vec![prefix];
    all.extend_from_slice(parts);
    format!("{prefix}-{}", &hex(&digest(&all))[..17])
}

/// A fixed UUID for a fixed object.
pub fn fixed_uuid(parts: &[&str]) -> String {
    let mut b = digest(parts);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A 64-hex-digit ID (KMS grant IDs look like this).
pub fn long_hex(parts: &[&str]) -> String {
    hex(&digest(parts))
}

/// The start of a command's time: the first instant of its calls.
///
/// A command is a unit of work of one client (one `terraform apply`, whose
/// provider processes share it; one run of the `amisim` tool), named by the
/// face that opens the store. Its epoch is fixed by its first call: past every
/// time already recorded in the store (the next whole minute after the latest),
/// or the clock's first instant in a new store. The epoch itself is not
/// recorded: only a change moves the clock (see [`crate::call`]), so a
/// command that changes nothing (a plan, a refresh, a no-op apply) leaves the
/// next command's changes dated as if it had not run. Every time inside the command
/// is its epoch plus the causal depth of the call (see [`crate::call::Ctx`]),
/// so it depends on which command a call belongs to and what it depends on,
/// never on how many unrelated calls committed before it.
///
pub fn command_epoch(tx: &mut Tx<'_>, command: &str) -> Result<i64> {
    let (epoch, recorded) = command_start(tx, command)?;
    if !recorded {
        tx.set_meta(&format!("epoch:{command}"), &epoch.to_string())?;
    }
    Ok(epoch)
}

/// The start of `command` as [`command_epoch`] gives it, writing nothing:
/// what a read that has not logged its event yet is dated at.
pub fn command_epoch_seen(tx: &Tx<'_>, command: &str) -> Result<i64> {
    Ok(command_start(tx, command)?.0)
}

/// The start of `command`, and whether the store has recorded it: a command
/// not seen yet starts on the minute after the latest time recorded.
fn command_start(tx: &Tx<'_>, command: &str) -> Result<(i64, bool)> {
    if let Some(epoch) = tx
        .meta(&format!("epoch:{command}"))?
        .and_then(|v| v.parse().ok())
    {
        return Ok((epoch, true));
    }
    Ok((start_after_latest(tx)?, false))
}

/// The start of a command not seen yet: the minute after the latest time
/// recorded, or the clock's first instant in a new store. A command that no
/// later call can belong to (a server's request) starts here and keeps its
/// start itself, so the store does not record it.
pub fn start_after_latest(tx: &Tx<'_>) -> Result<i64> {
    Ok(match latest(tx)? {
        None => EPOCH_SECONDS,
        Some(t) => (t.div_euclid(60) + 1) * 60,
    })
}

/// The last instant AWS's timestamps can hold: 9999-12-31T23:59:59Z.
pub const LAST_SECOND: i64 = 253_402_300_799;

/// How far the simulated clock may move: 9990-01-01T00:00:00Z, short of
/// [`LAST_SECOND`] by more than the longest time the cloud derives from the
/// clock (a deprecation ten years ahead, a cooldown, a retention period).
pub const CLOCK_LIMIT: i64 = 253_086_768_000;

/// The latest simulated time the store has recorded, if any. A clock more
/// than a day past [`CLOCK_LIMIT`] (the commands after a move to the limit
/// start a minute or so later; a build that did not bound the clock could
/// write anything) is a damaged store: no call is dated from it.
pub fn latest(tx: &Tx<'_>) -> Result<Option<i64>> {
    let latest: Option<i64> = tx.meta(LATEST)?.and_then(|v| v.parse().ok());
    let last = CLOCK_LIMIT + 86_400;
    match latest {
        Some(t) if !(EPOCH_SECONDS..=last).contains(&t) => Err(crate::error::Error::new(
            crate::error::ErrorKind::StoreDamaged,
            format!(
                "the store's simulated clock reads {t} seconds since 1970, outside {} to {}: it was moved past where AWS's timestamps end",
                format_time(EPOCH_SECONDS),
                format_time(last)
            ),
            "Start the cloud again with `amisim reset` (or a new store); this store was left untouched",
        )),
        other => Ok(other),
    }
}

/// The simulated time now: the latest recorded, or the clock's first instant.
pub fn now(tx: &Tx<'_>) -> Result<i64> {
    Ok(latest(tx)?.unwrap_or(EPOCH_SECONDS))
}

/// Records that the store holds a time `t`: the next command starts after it.
pub fn record(tx: &mut Tx<'_>, t: i64) -> Result<()> {
    if latest(tx)?.is_none_or(|l| t > l) {
        tx.set_meta(LATEST, &t.to_string())?;
    }
    Ok(())
}

/// Moves simulated time forward by `seconds`: the next command starts after
/// it. A move past [`CLOCK_LIMIT`] is refused before anything is written.
pub fn advance(tx: &mut Tx<'_>, seconds: i64) -> Result<i64> {
    let t = advanced(tx, seconds)?;
    tx.set_meta(LATEST, &t.to_string())?;
    Ok(t)
}

/// Where [`advance`] would move the clock, or its refusal; writes nothing.
pub fn advanced(tx: &Tx<'_>, seconds: i64) -> Result<i64> {
    let now = now(tx)?;
    let t = match now.checked_add(seconds.max(0)) {
        Some(t) if t <= CLOCK_LIMIT => t,
        _ => {
            return crate::error::refuse(
                crate::error::ErrorKind::InvalidParameterValue,
                format!(
                    "moving the simulated clock {seconds} seconds on from {} would pass {}, beyond which the times the cloud derives from it (ten-year deprecations, cooldowns, retention periods) would pass 9999-12-31, where AWS's timestamps end",
                    format_time(now),
                    format_time(CLOCK_LIMIT)
                ),
                format!(
                    "Move the clock at most {} seconds on (`amisim clock show` tells where it is)",
                    CLOCK_LIMIT - now
                ),
            )
        }
    };
    Ok(t)
}

/// Brings a store that kept one clock per account and region (before command
/// epochs) to the latest of those clocks.
pub fn migrate_scope_clocks(tx: &mut Tx<'_>) -> Result<()> {
    if latest(tx)?.is_some() {
        return Ok(());
    }
    let newest = tx
        .meta_with_prefix("clock:")?
        .into_iter()
        .filter_map(|(_, v)| v.parse::<i64>().ok())
        .max();
    match newest {
        Some(t) => record(tx, t),
        None => Ok(()),
    }
}

const LATEST: &str = "clock:latest";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn ids_depend_on_parts_and_count_not_on_order() {
        let mut a = Store::memory(&crate::store::Setup::NONE).unwrap();
        let mut b = Store::memory(&crate::store::Setup::NONE).unwrap();
        let (x1, y1) = a
            .transaction(|tx| {
                Ok((
                    derive::<crate::model::Image>(tx, "ami", &["x"])?,
                    derive::<crate::model::Image>(tx, "ami", &["y"])?,
                ))
            })
            .unwrap();
        let (y2, x2) = b
            .transaction(|tx| {
                Ok((
                    derive::<crate::model::Image>(tx, "ami", &["y"])?,
                    derive::<crate::model::Image>(tx, "ami", &["x"])?,
                ))
            })
            .unwrap();
        assert_eq!((x1.clone(), y1), (x2, y2));
        assert!(x1.starts_with("ami-") && x1.len() == 21);
        assert!(x1[4..]
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        let again = a
            .transaction(|tx| derive::<crate::model::Image>(tx, "ami", &["x"]))
            .unwrap();
        assert_ne!(again, x1);
    }

    #[test]
    fn uuids_have_the_uuid_shape() {
        let u = fixed_uuid(&["a"]);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }

    #[test]
    fn commands_start_after_everything_recorded() {
        let mut s = Store::memory(&crate::store::Setup::NONE).unwrap();
        s.transaction(|tx| {
            let first = command_epoch(tx, "a")?;
            assert_eq!(first, EPOCH_SECONDS);
            assert_eq!(command_epoch(tx, "a")?, first, "one epoch per command");
            let reader = command_epoch(tx, "reads only")?;
            assert_eq!(
                reader, first,
                "a command that changed nothing moved no clock"
            );
            record(tx, first + 5)?;
            let second = command_epoch(tx, "b")?;
            assert_eq!(second, EPOCH_SECONDS + 60);
            advance(tx, 25 * 3600)?;
            assert_eq!(command_epoch(tx, "c")?, EPOCH_SECONDS + 5 + 25 * 3600 + 55);
            // A command that keeps its own start starts where a new
            // recorded one would.
            assert_eq!(start_after_latest(tx)?, command_epoch(tx, "d")?);
            Ok(())
        })
        .unwrap();
    }
}
