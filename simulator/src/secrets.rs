//! Claimed accounts' secrets: checking the one a call presents against the
//! claim's salted Argon2id hash, once per handle. Below the call layer, which
//! checks every call's caller with it; `claims.rs` makes and releases claims.

use std::collections::BTreeSet;

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;

use crate::error::{refuse, Error, ErrorKind, Result};
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

/// A 256-bit key that claims' secrets are sealed under (XChaCha20-Poly1305),
/// kept outside the store by whoever administers it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SealKey([u8; 32]);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(..)")
    }
}

impl SealKey {
    /// The key of 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> SealKey {
        SealKey(bytes)
    }

    /// A new random key.
    pub fn generate() -> Result<SealKey> {
        let mut key = [0u8; 32];
        key.copy_from_slice(&crate::store::random_bytes(32)?);
        Ok(SealKey(key))
    }

    /// The key's bytes, to keep it.
    pub fn bytes(&self) -> [u8; 32] {
        self.0
    }

    /// `secret` sealed for `account` (which a sealed secret cannot be moved
    /// to another claim without failing to open): hex of nonce and ciphertext.
    pub fn seal(&self, account: &str, secret: &str) -> Result<String> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        let cipher = chacha20poly1305::XChaCha20Poly1305::new((&self.0).into());
        let nonce = crate::store::random_bytes(24)?;
        let sealed = cipher
            .encrypt(
                chacha20poly1305::XNonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: account.as_bytes(),
                },
            )
            .map_err(|_| Error::new(ErrorKind::StoreIo, "cannot seal a secret", "Try again"))?;
        Ok(nonce
            .iter()
            .chain(sealed.iter())
            .map(|b| format!("{b:02x}"))
            .collect())
    }

    /// The secret `sealed` holds for `account`, if this key sealed it for it.
    pub fn open(&self, account: &str, sealed: &str) -> Option<String> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        let bytes: Vec<u8> = (0..sealed.len())
            .step_by(2)
            .map(|i| {
                sealed
                    .get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect::<Option<_>>()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let cipher = chacha20poly1305::XChaCha20Poly1305::new((&self.0).into());
        let plain = cipher
            .decrypt(
                chacha20poly1305::XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: account.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }
}
