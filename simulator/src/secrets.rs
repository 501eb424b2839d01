//! Claimed accounts' secrets: checking the one a call presents against the
//! claim's salted Argon2id hash, once per handle. Below the call layer, which
//! checks every call's caller with it; `claims.rs` makes and releases claims.

use std::collections::BTreeSet;

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;

use crate::error::{refuse, ErrorKind, Result};
use crate::model::Claim;
use crate::store::Tx;

/// Whether `secret` is the one `secret_hash` was made from.
pub fn matches(secret_hash: &str, secret: &str) -> bool {
    PasswordHash::new(secret_hash)
        .map(|h| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The secrets a handle has already checked, by the claim's hash: Argon2 is
/// slow on purpose, so each secret is checked once per handle.
#[derive(Default)]
pub(crate) struct Checked(BTreeSet<(String, String)>);

/// Refuses a call as a claimed `account` unless `secret` is its secret.
pub(crate) fn require(
    tx: &Tx<'_>,
    checked: &mut Checked,
    account: &str,
    secret: Option<&str>,
) -> Result<()> {
    let Some(claim) = tx.get::<Claim>(account)? else {
        return Ok(());
    };
    let Some(secret) = secret else {
        return refuse(
            ErrorKind::AuthFailure,
            format!("account {account} is claimed: calls acting as it must present its secret"),
            "Set secret_key in the provider block (or AMISIM_SECRET_KEY) to the secret printed when the account was claimed",
        );
    };
    let key = (claim.secret_hash.clone(), secret.to_string());
    if checked.0.contains(&key) {
        return Ok(());
    }
    if !matches(&claim.secret_hash, secret) {
        return refuse(
            ErrorKind::AuthFailure,
            format!("the secret presented for account {account} is not its secret"),
            "Check secret_key in the provider block (or AMISIM_SECRET_KEY): it is the secret printed when the account was claimed",
        );
    }
    checked.0.insert(key);
    Ok(())
}
