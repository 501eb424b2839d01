//! Claimed accounts: in a shared cloud, an account whose calls must present
//! its secret.
//!
//! Claiming records only a salted Argon2id hash of a new random secret, and
//! hands the secret out once. Unclaimed accounts stay open, so a cloud of
//! one's own needs no secrets. Whoever holds the store's own credentials (the
//! file, or the database's user) can still change anything: a claim guards
//! the API, not the store.

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

use crate::call::{Call, Ctx, Role, Subject};
use crate::dates;
use crate::error::{refuse, Error, ErrorKind, Result};
use crate::ids;
pub use crate::model::{AdministratorKey, Claim};
pub use crate::secrets::SealKey;
use crate::store::Tx;
use crate::validate;

/// What `amisim accounts list` shows of a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimView {
    /// The account.
    pub account_id: String,
    /// When it was claimed.
    pub claimed: String,
}

fn hash(secret: &str) -> Result<String> {
    let salt = SaltString::encode_b64(&crate::store::random_bytes(16)?).map_err(|e| {
        Error::new(
            ErrorKind::StoreIo,
            format!("cannot make a salt: {e}"),
            "Try again",
        )
    })?;
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            Error::new(
                ErrorKind::StoreIo,
                format!("cannot hash a secret: {e}"),
                "Try again",
            )
        })
}

/// Claims an account (the administrator's): from now on its calls must
/// present the secret this answers, shown once; only a salted hash is kept,
/// and, given a [`SealKey`], the secret sealed under it for checking SigV4
/// signatures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimAccount {
    /// The account.
    pub account_id: String,
    /// The key the secret is sealed under, kept outside the store; never logged.
    #[serde(skip)]
    pub seal_key: Option<SealKey>,
}

/// What a claim hands out once: the account's access key pair. The secret
/// access key is also the secret the provider's `secret_key` presents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    /// The account.
    pub account_id: String,
    /// `AKIA` and 16 characters.
    pub access_key_id: String,
    /// 40 characters.
    pub secret_access_key: String,
}

impl crate::call::Outcome for AccessKey {
    fn resource_id(&self) -> Option<String> {
        Some(self.account_id.clone())
    }
}

/// The claim whose access key ID is `access_key_id`, if any.
pub fn by_access_key(tx: &Tx<'_>, access_key_id: &str) -> Result<Option<Claim>> {
    Ok(tx
        .list::<Claim>(crate::store::Filter::default())?
        .into_iter()
        .find(|c| c.access_key_id.as_deref() == Some(access_key_id)))
}

/// A request a face refused itself: before any rule, for how it was signed
/// (a signature that does not match, a date too far away, a claimed account
/// named without its key pair), or for how it was written (a parameter
/// missing or malformed, an action the face does not serve). Always refused
/// with its code, and logged with that code as the account the request
/// named, with the access key it presented.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefuseRequest {
    /// The action the request asked for, as the face names it
    /// (`Authenticate` when it names none it knows).
    #[serde(skip)]
    pub action: &'static str,
    /// The access key ID the request presented.
    pub access_key_id: String,
    /// The refusal's code: `SignatureDoesNotMatch`, `InvalidClientTokenId`,
    /// `IncompleteSignature`, `MissingAuthenticationToken`, `RequestExpired`,
    /// `AccessDenied`, `MisdirectedRequest`, `UnknownService`, `AuthFailure`,
    /// or the code of a request refused for how it was written
    /// (`MissingParameter`, `InvalidParameterValue`, …), as it is logged.
    pub code: String,
    /// Why it was refused.
    pub reason: String,
}

impl Call for RefuseRequest {
    type Output = ();
    const ACTIONS: &'static [&'static str] = &[];
    const CHANGES: bool = false;
    const ROLE: Role = Role::Anyone;
    fn action(&self) -> &'static str {
        if self.action.is_empty() {
            "Authenticate"
        } else {
            self.action
        }
    }
    fn refused_with(&self) -> Option<&str> {
        Some(&self.code)
    }
    fn run(&self, _tx: &mut Tx<'_>, _ctx: &Ctx<'_>) -> Result<()> {
        let kind = match self.code.as_str() {
            "SignatureDoesNotMatch" => ErrorKind::SignatureDoesNotMatch,
            "InvalidClientTokenId" => ErrorKind::InvalidClientTokenId,
            "IncompleteSignature" => ErrorKind::IncompleteSignature,
            "MissingAuthenticationToken" => ErrorKind::MissingAuthenticationToken,
            "RequestExpired" => ErrorKind::RequestExpired,
            "AccessDenied" => ErrorKind::AccessDenied,
            "MisdirectedRequest" => ErrorKind::MisdirectedRequest,
            "UnknownService" => ErrorKind::UnknownService,
            _ => ErrorKind::AuthFailure,
        };
        Err(Error::new(
            kind,
            self.reason.chars().take(400).collect::<String>(),
            "Sign the request with the access key pair of the account it acts as",
        ))
    }
}

/// Releases the claim on an account: as the account itself, presenting its
/// secret, or `force`d by the administrator. Answers false if it was not claimed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseAccount {
    /// The account.
    pub account_id: String,
    /// Release it without its secret (the administrator's).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub force: bool,
}

impl ClaimAccount {
    /// ClaimAccount of `account_id`.
    pub fn new(account_id: impl Into<String>) -> ClaimAccount {
        ClaimAccount {
            account_id: account_id.into(),
            seal_key: None,
        }
    }

    /// The same claim, its secret sealed under `key`.
    pub fn sealed_under(mut self, key: Option<SealKey>) -> ClaimAccount {
        self.seal_key = key;
        self
    }
}

impl ReleaseAccount {
    /// ReleaseAccount of `account_id`, `force`d or not.
    pub fn new(account_id: impl Into<String>, force: bool) -> ReleaseAccount {
        ReleaseAccount {
            account_id: account_id.into(),
            force,
        }
    }
}

impl Call for ClaimAccount {
    type Output = AccessKey;
    const ACTIONS: &'static [&'static str] = &["ClaimAccount"];
    const CHANGES: bool = true;
    const ROLE: Role = Role::Administrator;
    const STARTS_COMMAND: bool = false;
    fn action(&self) -> &'static str {
        "ClaimAccount"
    }
    fn subject(&self) -> Subject<'_> {
        Subject::Named(&self.account_id)
    }
    fn run(&self, tx: &mut Tx<'_>, ctx: &Ctx<'_>) -> Result<AccessKey> {
        let now = dates::format_time(ids::now(tx)?);
        claim(
            tx,
            &self.account_id,
            &now,
            self.seal_key.as_ref().or(ctx.seal_key),
        )
    }
}

impl Call for ReleaseAccount {
    type Output = bool;
    const ACTIONS: &'static [&'static str] = &["ReleaseAccount"];
    const CHANGES: bool = true;
    const STARTS_COMMAND: bool = false;
    fn action(&self) -> &'static str {
        "ReleaseAccount"
    }
    fn subject(&self) -> Subject<'_> {
        Subject::Named(&self.account_id)
    }
    fn role(&self) -> Role {
        if self.force {
            Role::Administrator
        } else {
            Role::Account
        }
    }
    fn run(&self, tx: &mut Tx<'_>, ctx: &Ctx<'_>) -> Result<bool> {
        if !self.force && ctx.caller.account_id != self.account_id {
            return refuse(
                ErrorKind::UnauthorizedOperation,
                format!(
                    "account {} cannot release the claim on account {}",
                    ctx.caller.account_id, self.account_id
                ),
                "An account releases only its own claim; the administrator can release any (amisim accounts release ACCOUNT --force)",
            );
        }
        release(tx, &self.account_id)
    }
}

/// `n` characters of `alphabet` (at most 256), each as likely as the others.
fn random_text(alphabet: &[u8], n: usize) -> Result<String> {
    // Bytes past the last whole multiple of the alphabet's length are
    // skipped, so that no character is likelier than another.
    let limit = 256 - 256 % alphabet.len();
    let mut out = String::with_capacity(n);
    while out.len() < n {
        for b in crate::store::random_bytes(2 * n)? {
            if usize::from(b) < limit && out.len() < n {
                out.push(alphabet[usize::from(b) % alphabet.len()] as char);
            }
        }
    }
    Ok(out)
}

/// Makes the administrator's access key pair when the store has none
/// (`amisim serve` on a new store), its secret sealed under `seal_key`;
/// answers it once, and never again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateAdministratorKey {
    /// The key the secret is sealed under, so that a server can check
    /// signatures; never logged.
    #[serde(skip)]
    pub seal_key: Option<SealKey>,
}

impl Call for CreateAdministratorKey {
    type Output = Option<AccessKey>;
    const ACTIONS: &'static [&'static str] = &["CreateAdministratorKey"];
    const CHANGES: bool = true;
    const ROLE: Role = Role::Administrator;
    const STARTS_COMMAND: bool = false;
    const QUIET: bool = true;
    fn action(&self) -> &'static str {
        "CreateAdministratorKey"
    }
    fn run(&self, tx: &mut Tx<'_>, ctx: &Ctx<'_>) -> Result<Option<AccessKey>> {
        if !tx
            .list::<AdministratorKey>(crate::store::Filter::default())?
            .is_empty()
        {
            return Ok(None);
        }
        let (access_key_id, secret) = new_key_pair()?;
        let sealed_secret = self
            .seal_key
            .as_ref()
            .or(ctx.seal_key)
            .map(|k| k.seal(crate::call::ADMINISTRATOR, &secret))
            .transpose()?;
        tx.put(&AdministratorKey {
            access_key_id: access_key_id.clone(),
            secret_hash: hash(&secret)?,
            sealed_secret,
            created: ctx.call_time(),
        })?;
        Ok(Some(AccessKey {
            account_id: crate::call::ADMINISTRATOR.to_string(),
            access_key_id,
            secret_access_key: secret,
        }))
    }
}

/// Who holds the access key pair `access_key_id` / `secret`, checked
/// against the stored hash: the administrator ([`crate::call::ADMINISTRATOR`])
/// or a claimed account; none for a pair that matches nothing. What a face
/// that is handed the secret itself checks (the console's login).
pub fn holder(tx: &Tx<'_>, access_key_id: &str, secret: &str) -> Result<Option<String>> {
    if let Some(admin) = administrator_by_access_key(tx, access_key_id)? {
        let ok = crate::secrets::matches(&admin.secret_hash, secret);
        return Ok(ok.then(|| crate::call::ADMINISTRATOR.to_string()));
    }
    Ok(by_access_key(tx, access_key_id)?
        .filter(|claim| crate::secrets::matches(&claim.secret_hash, secret))
        .map(|claim| claim.account_id))
}

/// The administrator's key whose access key ID is `access_key_id`, if any.
pub fn administrator_by_access_key(
    tx: &Tx<'_>,
    access_key_id: &str,
) -> Result<Option<AdministratorKey>> {
    tx.get::<AdministratorKey>(access_key_id)
}

/// A new access key pair, as AWS shapes them: `AKIA` and 16 of A-Z and 2-7;
/// 40 of letters and digits.
fn new_key_pair() -> Result<(String, String)> {
    let access_key_id = format!(
        "AKIA{}",
        random_text(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)?
    );
    let secret = random_text(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        40,
    )?;
    Ok((access_key_id, secret))
}

/// Claims `account` at `now`; returns its new access key pair, shown once.
pub(crate) fn claim(
    tx: &mut Tx<'_>,
    account: &str,
    now: &str,
    seal_key: Option<&SealKey>,
) -> Result<AccessKey> {
    validate::caller_account(account)?;
    if tx.get::<Claim>(account)?.is_some() {
        return refuse(
            ErrorKind::AccountClaimed,
            format!("account {account} is claimed already"),
            "Ask whoever claimed it for its secret, or release it first (amisim accounts release ACCOUNT --force, with the store's own credentials)",
        );
    }
    let (access_key_id, secret) = new_key_pair()?;
    tx.put(&Claim {
        account_id: account.to_string(),
        secret_hash: hash(&secret)?,
        claimed: now.to_string(),
        access_key_id: Some(access_key_id.clone()),
        sealed_secret: seal_key.map(|k| k.seal(account, &secret)).transpose()?,
    })?;
    Ok(AccessKey {
        account_id: account.to_string(),
        access_key_id,
        secret_access_key: secret,
    })
}

/// Releases the claim on `account`; false if there was none.
pub(crate) fn release(tx: &mut Tx<'_>, account: &str) -> Result<bool> {
    tx.delete::<Claim>(account)
}

/// ListClaims: every claim, by account; the administrator's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListClaims {}

impl Call for ListClaims {
    type Output = Vec<ClaimView>;
    const ACTIONS: &'static [&'static str] = &["ListClaims"];
    const CHANGES: bool = false;
    const QUIET: bool = true;
    const ROLE: Role = Role::Administrator;
    const STARTS_COMMAND: bool = false;
    fn action(&self) -> &'static str {
        "ListClaims"
    }
    fn run(&self, tx: &mut Tx<'_>, _: &Ctx<'_>) -> Result<Vec<ClaimView>> {
        list(tx)
    }
}

/// Every claim, by account.
pub fn list(tx: &Tx<'_>) -> Result<Vec<ClaimView>> {
    Ok(tx
        .list::<Claim>(crate::store::Filter::default())?
        .into_iter()
        .map(|c| ClaimView {
            account_id: c.account_id,
            claimed: c.claimed,
        })
        .collect())
}
