//! KMS keys: customer managed keys, the AWS managed `alias/aws/ebs`, and grants.

use serde::{Deserialize, Serialize};

use crate::call::{calls, Ctx};
use crate::error::{refuse, refuse_duplicate, ErrorKind, Result};
use crate::model::{Grant, Key, Tags};
use crate::store::Tx;
use crate::{dates, ids, validate};

/// The alias of the AWS managed key for EBS.
pub const EBS_MANAGED_ALIAS: &str = "alias/aws/ebs";

/// CreateKey: a customer managed key in the caller's account and region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CreateKey {
    /// Free text, at most 8192 characters.
    pub description: String,
    /// Tags.
    pub tags: Tags,
}

/// KMS DescribeKey for a key the caller owns or was granted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeKey {
    /// The key's ID or ARN.
    pub key_id: String,
}

impl DescribeKey {
    /// The request for `key_id`.
    pub fn new(key_id: impl Into<String>) -> DescribeKey {
        DescribeKey {
            key_id: key_id.into(),
        }
    }
}

/// KMS ScheduleKeyDeletion; answers false if the key was already gone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleKeyDeletion {
    /// The key's ID or ARN.
    pub key_id: String,
}

impl ScheduleKeyDeletion {
    /// The request for `key_id`.
    pub fn new(key_id: impl Into<String>) -> ScheduleKeyDeletion {
        ScheduleKeyDeletion {
            key_id: key_id.into(),
        }
    }
}

/// KMS UpdateKeyDescription / TagResource: a key's description and tags.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UpdateKey {
    /// The key's ID or ARN.
    pub key_id: String,
    /// The key's new description and tags.
    #[serde(flatten)]
    pub key: CreateKey,
}

/// KMS CreateGrant: lets another account use a customer managed key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateGrant {
    /// The key's ID or ARN.
    pub key_id: String,
    /// The account the grant is for.
    pub grantee_account_id: String,
    /// The KMS operations granted ([`GRANT_OPERATIONS`]); none listed means
    /// every operation amisim models.
    #[serde(default)]
    pub operations: Vec<String>,
}

impl CreateGrant {
    /// The request for `grantee_account_id` on `key_id`, for every operation.
    pub fn new(key_id: impl Into<String>, grantee_account_id: impl Into<String>) -> CreateGrant {
        CreateGrant {
            key_id: key_id.into(),
            grantee_account_id: grantee_account_id.into(),
            operations: Vec::new(),
        }
    }
}

/// The operations a KMS grant can allow, as KMS names them.
pub const GRANT_OPERATIONS: &[&str] = &[
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "Sign",
    "Verify",
    "GetPublicKey",
    "CreateGrant",
    "RetireGrant",
    "DescribeKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
];

/// The operation reading storage encrypted with a granted key needs.
pub const DECRYPT: &str = "Decrypt";
/// The operation encrypting new storage with a granted key needs.
pub const ENCRYPT_STORAGE: &str = "GenerateDataKeyWithoutPlaintext";

/// KMS ListKeys: the caller's keys in its region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListKeys {}

/// KMS ListGrants: every grant on a key the caller owns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListGrants {
    /// The key's ID or ARN.
    pub key_id: String,
}

/// KMS RetireGrant: the grantee (or the key's owner) gives a grant up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetireGrant {
    /// The grant's ID.
    pub grant_id: String,
}

/// KMS RevokeGrant; answers false if there was none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeGrant {
    /// The key's ID or ARN.
    pub key_id: String,
    /// The account whose grant for every operation is revoked (when no
    /// `grant_id` is named).
    pub grantee_account_id: String,
    /// The one grant of the key to revoke.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
}

impl RevokeGrant {
    /// The request for `grantee_account_id` on `key_id`.
    pub fn new(key_id: impl Into<String>, grantee_account_id: impl Into<String>) -> RevokeGrant {
        RevokeGrant {
            key_id: key_id.into(),
            grantee_account_id: grantee_account_id.into(),
            grant_id: None,
        }
    }
}

/// KMS ListGrants for one grantee.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeGrant {
    /// The key's ID or ARN.
    pub key_id: String,
    /// The account the grant is for.
    pub grantee_account_id: String,
    /// The operations of the grant looked for, in any order; none for the
    /// grant of every operation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<String>,
}

impl DescribeGrant {
    /// The request for `grantee_account_id` on `key_id`.
    pub fn new(key_id: impl Into<String>, grantee_account_id: impl Into<String>) -> DescribeGrant {
        DescribeGrant {
            key_id: key_id.into(),
            grantee_account_id: grantee_account_id.into(),
            operations: Vec::new(),
        }
    }
}

calls! {
    CreateKey => Key, "CreateKey", changes, Nothing,
        |r, tx, ctx| create(tx, ctx, r);
    DescribeKey => Option<Key>, "DescribeKey", reads, Key(key_id),
        |r, tx, ctx| describe(tx, ctx, &r.key_id);
    UpdateKey => Key, "UpdateKey", changes, Key(key_id),
        |r, tx, ctx| update(tx, ctx, &r.key_id, &r.key);
    ScheduleKeyDeletion => bool, "ScheduleKeyDeletion", changes, Key(key_id),
        |r, tx, ctx| schedule_deletion(tx, ctx, &r.key_id);
    CreateGrant => Grant, "CreateGrant", changes, Key(key_id),
        |r, tx, ctx| grant(tx, ctx, &r.key_id, &r.grantee_account_id, &r.operations);
    RevokeGrant => bool, "RevokeGrant", changes, Key(key_id),
        |r, tx, ctx| revoke(tx, ctx, r);
    DescribeGrant => Option<Grant>, "ListGrants", reads, Key(key_id),
        |r, tx, ctx| describe_grant(tx, ctx, r);
    ListKeys => Vec<Key>, "ListKeys", reads, Nothing,
        |_, tx, ctx| list_keys(tx, ctx);
    ListGrants => Vec<Grant>, "ListGrants", reads, Key(key_id),
        |r, tx, ctx| list_grants(tx, ctx, &r.key_id);
    RetireGrant => bool, "RetireGrant", changes, Named(grant_id),
        |r, tx, ctx| retire(tx, ctx, &r.grant_id);
}

fn key_arn(region: &str, account: &str, id: &str) -> String {
    format!("arn:aws:kms:{region}:{account}:key/{id}")
}

/// The account's AWS managed EBS key in `region`, created on first use.
pub(crate) fn managed_key(tx: &mut Tx<'_>, ctx: &Ctx<'_>, region: &str) -> Result<Key> {
    let account = &ctx.caller.account_id;
    let id = ids::fixed_uuid(&["aws-managed", account, region, EBS_MANAGED_ALIAS]);
    if let Some(k) = tx.get::<Key>(&id)? {
        return Ok(k);
    }
    let key = Key {
        arn: key_arn(region, account, &id),
        id,
        region: region.to_string(),
        owner_id: account.clone(),
        description: "Default key that protects my EBS volumes when no other key is defined".into(),
        aws_managed: true,
        state: "Enabled".into(),
        // Created on first use, but dated as if it always existed: whichever call
        // happens to use it first must not decide its date.
        creation_date: dates::format_time(dates::EPOCH_SECONDS),
        tags: Tags::new(),
    };
    tx.put(&key)?;
    Ok(key)
}

/// Whether the key with this ARN is an AWS managed key.
pub(crate) fn is_aws_managed_arn(tx: &Tx<'_>, arn: &str) -> Result<bool> {
    let id = arn.rsplit('/').next().unwrap_or(arn);
    Ok(tx.get::<Key>(id)?.is_some_and(|k| k.aws_managed))
}

/// Finds a key by ID, ARN or `alias/aws/ebs`, wherever it is.
fn find(tx: &mut Tx<'_>, ctx: &Ctx<'_>, key_ref: &str) -> Result<Option<Key>> {
    if key_ref == EBS_MANAGED_ALIAS {
        return managed_key(tx, ctx, &ctx.caller.region).map(Some);
    }
    if let Some(rest) = key_ref.strip_prefix("arn:aws:kms:") {
        // arn:aws:kms:REGION:ACCOUNT:key/ID or …:alias/aws/ebs
        let parts: Vec<&str> = rest.splitn(3, ':').collect();
        if parts.len() == 3 {
            let (region, account, tail) = (parts[0], parts[1], parts[2]);
            if tail == EBS_MANAGED_ALIAS
                && account == ctx.caller.account_id
                && crate::catalogue::is_region(region)
            {
                return managed_key(tx, ctx, region).map(Some);
            }
            if let Some(id) = tail.strip_prefix("key/") {
                return Ok(tx
                    .get::<Key>(id)?
                    .filter(|k| k.region == region && k.owner_id == account));
            }
        }
        return Ok(None);
    }
    // A bare key ID names a key of the caller's region only, as in AWS.
    Ok(tx
        .get::<Key>(key_ref)?
        .filter(|k| k.region == ctx.caller.region))
}

fn not_found<T>(ctx: &Ctx<'_>, key_ref: &str) -> Result<T> {
    refuse(
        ErrorKind::KeyNotFound,
        format!(
            "Key '{}' does not exist in {} or is not usable by account {}",
            validate::shorten(key_ref),
            ctx.caller.region,
            ctx.caller.account_id
        ),
        "Use the ID or ARN of an amisim_kms_key in the provider's region, or alias/aws/ebs",
    )
}

/// Whether `account` may use the key: it owns it, or holds a grant on it.
pub(crate) fn can_use(tx: &Tx<'_>, account: &str, key: &Key) -> Result<bool> {
    Ok(granted(tx, account, key)?.is_some())
}

/// How `account` may use the key: every operation as its owner (no
/// grants), the operations of its grants, or not at all (`None`).
fn granted(tx: &Tx<'_>, account: &str, key: &Key) -> Result<Option<Vec<Grant>>> {
    if key.owner_id == account {
        return Ok(Some(Vec::new()));
    }
    if key.aws_managed {
        return Ok(None);
    }
    let mut grants = grants_of(tx, &key.arn)?;
    grants.retain(|g| g.grantee_account_id == account);
    Ok((!grants.is_empty()).then_some(grants))
}

/// Every grant on the key `key_arn`.
fn grants_of(tx: &Tx<'_>, key_arn: &str) -> Result<Vec<Grant>> {
    tx.list::<Grant>(crate::store::Filter {
        name: Some(key_arn),
        ..Default::default()
    })
}

/// Refuses a grantee none of whose grants allows `operation` (the owner,
/// with no grants, may do everything).
fn require_operation(grants: &[Grant], operation: &str, what: &str) -> Result<()> {
    if grants.is_empty()
        || grants
            .iter()
            .any(|g| g.operations.is_empty() || g.operations.iter().any(|o| o == operation))
    {
        return Ok(());
    }
    let mut allowed: Vec<&str> = grants
        .iter()
        .flat_map(|g| g.operations.iter().map(String::as_str))
        .collect();
    allowed.sort_unstable();
    allowed.dedup();
    refuse(
        ErrorKind::KeyAccessDenied,
        format!(
            "the grants of the KMS key {} to account {} allow {}, not {operation}, which {what} needs",
            grants[0].key_arn,
            grants[0].grantee_account_id,
            allowed.join(", ")
        ),
        format!("The key's owner must grant {operation} too (operations of amisim_kms_grant, or CreateGrant's Operations)"),
    )
}

/// Resolves the key for new encrypted storage in the caller's region.
pub(crate) fn resolve_for_encryption(tx: &mut Tx<'_>, ctx: &Ctx<'_>, key_ref: &str) -> Result<Key> {
    let Some(key) = find(tx, ctx, key_ref)? else {
        return not_found(ctx, key_ref);
    };
    if key.region != ctx.caller.region {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "the KMS key {} is in {}, but the new storage is in {}",
                key.arn, key.region, ctx.caller.region
            ),
            format!(
                "KMS keys are regional: use a key created in {} (an amisim_kms_key with a provider for that region)",
                ctx.caller.region
            ),
        );
    }
    if key.state != "Enabled" {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!("the KMS key {} is {}", key.arn, key.state),
            "Use an enabled key",
        );
    }
    let Some(grants) = granted(tx, &ctx.caller.account_id, &key)? else {
        return refuse(
            ErrorKind::KeyAccessDenied,
            format!(
                "account {} is not allowed to use the KMS key {}",
                ctx.caller.account_id, key.arn
            ),
            "The key's owner must grant it to this account (amisim_kms_grant)",
        );
    };
    require_operation(&grants, ENCRYPT_STORAGE, "encrypting new storage")?;
    Ok(key)
}

/// The operations of a shared key that copying an image encrypted with it
/// needs, as AWS documents for copying a shared encrypted AMI.
pub const COPY_OPERATIONS: &[&str] = &[DECRYPT, "ReEncryptFrom", "CreateGrant", "DescribeKey"];

/// Checks that the caller may decrypt storage encrypted with `arn` (shared
/// encrypted images): as its owner, or by grants allowing `Decrypt` and each
/// of `also` (what else the action needs of the key).
pub(crate) fn require_decrypt(
    tx: &Tx<'_>,
    ctx: &Ctx<'_>,
    arn: &str,
    what: &str,
    also: &[&str],
) -> Result<()> {
    let id = arn.rsplit('/').next().unwrap_or(arn);
    let Some(key) = tx.get::<Key>(id)? else {
        return refuse(
            ErrorKind::KeyAccessDenied,
            format!("the KMS key {arn} that encrypts {what} no longer exists"),
            "Data encrypted with a deleted key cannot be read; use another image",
        );
    };
    if key.state != "Enabled" {
        return refuse(
            ErrorKind::KeyAccessDenied,
            format!(
                "{what} is encrypted with the KMS key {arn}, which is {}",
                key.state
            ),
            "Data encrypted with a key pending deletion cannot be read; use another image",
        );
    }
    if key.owner_id == ctx.caller.account_id {
        return Ok(());
    }
    if key.aws_managed {
        return refuse(
            ErrorKind::KeyAccessDenied,
            format!("{what} is encrypted with the AWS managed key of account {}, which can never be shared", key.owner_id),
            "Ask the owner to copy the image with a customer managed key and grant that key to this account",
        );
    }
    let Some(grants) = granted(tx, &ctx.caller.account_id, &key)? else {
        return refuse(
            ErrorKind::KeyAccessDenied,
            format!(
                "{what} is encrypted with the KMS key {arn}, which is not shared with account {}",
                ctx.caller.account_id
            ),
            "The key's owner must grant it to this account (amisim_kms_grant with grantee_account_id)",
        );
    };
    require_operation(&grants, DECRYPT, &format!("reading {what}"))?;
    for operation in also {
        require_operation(&grants, operation, &format!("copying {what}"))?;
    }
    Ok(())
}

pub(crate) fn create(tx: &mut Tx<'_>, ctx: &Ctx<'_>, req: &CreateKey) -> Result<Key> {
    check_key_request(req)?;
    let tags = serde_json::to_string(&req.tags).unwrap_or_default();
    let id = ids::derive_uuid::<Key>(
        tx,
        &[
            &ctx.caller.account_id,
            &ctx.caller.region,
            "key",
            &req.description,
            &tags,
        ],
    )?;
    let key = Key {
        arn: key_arn(&ctx.caller.region, &ctx.caller.account_id, &id),
        id,
        region: ctx.caller.region.clone(),
        owner_id: ctx.caller.account_id.clone(),
        description: req.description.clone(),
        aws_managed: false,
        state: "Enabled".into(),
        creation_date: ctx.time(),
        tags: req.tags.clone(),
    };
    tx.put(&key)?;
    Ok(key)
}

fn check_key_request(req: &CreateKey) -> Result<()> {
    if req.description.chars().count() > 8192 {
        return refuse(
            ErrorKind::InvalidParameterValue,
            "a key description has at most 8192 characters",
            "Shorten the description",
        );
    }
    validate::tags(&req.tags)
}

/// A customer managed key the caller owns in its region.
fn own_key(tx: &mut Tx<'_>, ctx: &Ctx<'_>, key_ref: &str) -> Result<Key> {
    match find(tx, ctx, key_ref)? {
        Some(k) if k.region == ctx.caller.region && k.state == "Enabled" => {
            if k.owner_id != ctx.caller.account_id {
                return refuse(
                    ErrorKind::KeyAccessDenied,
                    format!("the KMS key {} belongs to account {}", k.arn, k.owner_id),
                    "Only the key's owner can change or share it",
                );
            }
            Ok(k)
        }
        _ => not_found(ctx, key_ref),
    }
}

pub(crate) fn describe(tx: &mut Tx<'_>, ctx: &Ctx<'_>, key_ref: &str) -> Result<Option<Key>> {
    if key_ref == EBS_MANAGED_ALIAS {
        return managed_key(tx, ctx, &ctx.caller.region).map(Some);
    }
    let key = match find(tx, ctx, key_ref)? {
        Some(k) => k,
        None => return Ok(None),
    };
    if key.state != "Enabled" || !can_use(tx, &ctx.caller.account_id, &key)? {
        return Ok(None);
    }
    Ok(Some(key))
}

pub(crate) fn update(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    key_ref: &str,
    req: &CreateKey,
) -> Result<Key> {
    check_key_request(req)?;
    let mut key = own_key(tx, ctx, key_ref)?;
    if key.aws_managed {
        return refuse(
            ErrorKind::UnsupportedOperation,
            "AWS managed keys cannot be changed",
            "Create a customer managed key (amisim_kms_key) instead",
        );
    }
    key.description = req.description.clone();
    key.tags = req.tags.clone();
    tx.put(&key)?;
    Ok(key)
}

pub(crate) fn schedule_deletion(tx: &mut Tx<'_>, ctx: &Ctx<'_>, key_ref: &str) -> Result<bool> {
    let mut key = match own_key(tx, ctx, key_ref) {
        Ok(k) => k,
        Err(e) if e.kind == ErrorKind::KeyNotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    if key.aws_managed {
        return refuse(
            ErrorKind::UnsupportedOperation,
            "AWS managed keys cannot be deleted",
            "Only customer managed keys can be scheduled for deletion",
        );
    }
    key.state = "PendingDeletion".into();
    tx.put(&key)?;
    for g in tx.list::<Grant>(crate::store::Filter {
        name: Some(&key.arn),
        ..Default::default()
    })? {
        tx.delete::<Grant>(&g.id)?;
    }
    Ok(true)
}

/// A grant's operations as it keeps them: sorted, each once.
pub fn normalized_operations(operations: &[String]) -> Vec<String> {
    let mut operations = operations.to_vec();
    operations.sort();
    operations.dedup();
    operations
}

/// The ID of the grant of `key_arn` to `grantee` for `operations` (in any
/// order; none for every operation): the same grant made again has the same ID.
fn grant_id(key_arn: &str, grantee: &str, operations: &[String]) -> String {
    let operations = normalized_operations(operations);
    if operations.is_empty() {
        ids::long_hex(&["grant", key_arn, grantee])
    } else {
        ids::long_hex(&["grant", key_arn, grantee, &operations.join(",")])
    }
}

pub(crate) fn grant(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    key_ref: &str,
    grantee: &str,
    operations: &[String],
) -> Result<Grant> {
    validate::account_id(grantee)?;
    for op in operations {
        validate::one_of("grant operation", op, GRANT_OPERATIONS)?;
    }
    let operations = normalized_operations(operations);
    let key = own_key(tx, ctx, key_ref)?;
    if key.aws_managed {
        return refuse(
            ErrorKind::UnsupportedOperation,
            format!("the AWS managed key {EBS_MANAGED_ALIAS} ({}) can never be shared with another account", key.arn),
            "Create a customer managed key (amisim_kms_key), copy the image with it, and grant that key instead",
        );
    }
    let id = grant_id(&key.arn, grantee, &operations);
    if tx.exists::<Grant>(&id)? {
        return refuse_duplicate(
            format!(
                "a grant of key {} to account {grantee} for these operations",
                key.id
            ),
            format!("{}/{grantee}", key.id),
        );
    }
    let g = Grant {
        id,
        key_arn: key.arn.clone(),
        region: key.region.clone(),
        owner_id: key.owner_id.clone(),
        grantee_account_id: grantee.to_string(),
        operations,
    };
    tx.put(&g)?;
    Ok(g)
}

fn list_keys(tx: &Tx<'_>, ctx: &Ctx<'_>) -> Result<Vec<Key>> {
    let mut keys = tx.list::<Key>(crate::store::Filter {
        account: Some(&ctx.caller.account_id),
        region: Some(&ctx.caller.region),
        name: None,
    })?;
    keys.retain(|k| k.state == "Enabled" || k.state == "PendingDeletion");
    keys.sort_by(|a, b| (&a.creation_date, &a.id).cmp(&(&b.creation_date, &b.id)));
    Ok(keys)
}

fn list_grants(tx: &mut Tx<'_>, ctx: &Ctx<'_>, key_ref: &str) -> Result<Vec<Grant>> {
    let key = own_key(tx, ctx, key_ref)?;
    let mut grants = grants_of(tx, &key.arn)?;
    grants.sort_by(|a, b| (&a.grantee_account_id, &a.id).cmp(&(&b.grantee_account_id, &b.id)));
    Ok(grants)
}

/// RetireGrant: the grant's grantee or its key's owner removes it.
fn retire(tx: &mut Tx<'_>, ctx: &Ctx<'_>, grant_id: &str) -> Result<bool> {
    let me = &ctx.caller.account_id;
    match tx.get::<Grant>(grant_id)? {
        Some(g) if &g.grantee_account_id == me || &g.owner_id == me => tx.delete::<Grant>(grant_id),
        _ => refuse(
            ErrorKind::KeyNotFound,
            format!(
                "Grant ID {} is not a grant on a key account {me} owns or was granted",
                validate::shorten(grant_id)
            ),
            "List the grants of a key with ListGrants, and retire one of those",
        ),
    }
}

pub(crate) fn revoke(tx: &mut Tx<'_>, ctx: &Ctx<'_>, req: &RevokeGrant) -> Result<bool> {
    match own_key(tx, ctx, &req.key_id) {
        Ok(key) => match &req.grant_id {
            Some(id) => match tx.get::<Grant>(id)? {
                Some(g) if g.key_arn == key.arn => tx.delete::<Grant>(id),
                _ => Ok(false),
            },
            None => tx.delete::<Grant>(&grant_id(&key.arn, &req.grantee_account_id, &[])),
        },
        Err(e) if e.kind == ErrorKind::KeyNotFound => Ok(false),
        Err(e) => Err(e),
    }
}

pub(crate) fn describe_grant(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    req: &DescribeGrant,
) -> Result<Option<Grant>> {
    match own_key(tx, ctx, &req.key_id) {
        Ok(key) => tx.get::<Grant>(&grant_id(
            &key.arn,
            &req.grantee_account_id,
            &req.operations,
        )),
        Err(e) if e.kind == ErrorKind::KeyNotFound => Ok(None),
        Err(e) => Err(e),
    }
}
