//! Deterministic identities and the simulated clock.
//!
//! An ID is derived from what makes its object distinct (account, region,
//! kind, name or source) and from how many such objects came before, never
//! from a global counter: Terraform creates independent resources in an order
//! that varies, and that order must not change which object gets which ID.

use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::store::{Entity, Tx};

/// The simulated clock's first instant: 2025-01-01T00:00:00Z.
pub const EPOCH_SECONDS: i64 = 1_735_689_600;
/// How far the clock moves on every change to the cloud.
pub const STEP_SECONDS: i64 = 1;

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

/// A new ID `PREFIX-` and 17 hex digits for an object distinguished by `parts`.
///
/// The `n`-th object with the same parts gets another ID, and an ID already
/// taken (a hash collision) is skipped, so IDs are unique in the store.
pub fn derive<T: Entity>(tx: &mut Tx<'_>, prefix: &str, parts: &[&str]) -> Result<String> {
    let key = format!("{prefix}|{}", parts.join("|"));
    loop {
        let n = tx.next_count(&key)?.to_string();
        let mut all: Vec<&str> = vec![prefix];
        all.extend_from_slice(parts);
        all.push(&n);
        let id = format!("{prefix}-{}", &hex(&digest(&all))[..17]);
        if !tx.exists::<T>(&id)? {
            return Ok(id);
        }
    }
}

/// A UUID (version 4 layout) for an object distinguished by `parts`, unique in the store.
pub fn derive_uuid<T: Entity>(tx: &mut Tx<'_>, parts: &[&str]) -> Result<String> {
    let key = format!("uuid|{}", parts.join("|"));
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

/// The simulated time now in one scope (an account in a region), as seconds since the Unix epoch.
///
/// Each account and region has its own clock, so that the order in which
/// Terraform walks independent resources of different provider blocks cannot
/// change the times either of them sees.
pub fn now(tx: &Tx<'_>, account: &str, region: &str) -> Result<i64> {
    Ok(tx
        .meta(&clock_key(account, region))?
        .and_then(|v| v.parse().ok())
        .unwrap_or(EPOCH_SECONDS))
}

/// Moves the scope's clock one step forward and returns the new time.
pub fn tick(tx: &mut Tx<'_>, account: &str, region: &str) -> Result<i64> {
    let t = now(tx, account, region)? + STEP_SECONDS;
    tx.set_meta(&clock_key(account, region), &t.to_string())?;
    Ok(t)
}

/// The time of a call that depends on an object created at `earlier` in another
/// scope: never before it. Moves the scope's clock forward when needed (a
/// Lamport clock), so that a copy is never older than its source.
pub fn not_before(
    tx: &mut Tx<'_>,
    account: &str,
    region: &str,
    now: &str,
    earlier: &str,
) -> Result<String> {
    if earlier < now {
        return Ok(now.to_string());
    }
    let Some(seconds) = parse_time(earlier) else {
        return Ok(now.to_string());
    };
    let t = seconds + STEP_SECONDS;
    tx.set_meta(&clock_key(account, region), &t.to_string())?;
    Ok(format_time(t))
}

/// Reads a time written by [`format_time`].
pub fn parse_time(text: &str) -> Option<i64> {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].000Z");
    time::PrimitiveDateTime::parse(text, &format)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

fn clock_key(account: &str, region: &str) -> String {
    format!("clock:{account}:{region}")
}

/// Formats a time as AWS prints creation dates: `2025-01-01T00:00:01.000Z`.
pub fn format_time(seconds: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(seconds)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn ids_depend_on_parts_and_count_not_on_order() {
        let mut a = Store::memory().unwrap();
        let mut b = Store::memory().unwrap();
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
    fn time_is_formatted_like_aws() {
        assert_eq!(format_time(EPOCH_SECONDS + 61), "2025-01-01T00:01:01.000Z");
        assert_eq!(
            parse_time("2025-01-01T00:01:01.000Z"),
            Some(EPOCH_SECONDS + 61)
        );
    }
}
