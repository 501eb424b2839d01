//! KMS over its JSON 1.1 protocol (`X-Amz-Target: TrentService.*`): the
//! customer managed keys and grants amisim models, over the simulator's key
//! calls.

use amisim_simulator::kms::{normalized_operations, EBS_MANAGED_ALIAS};
use amisim_simulator::{
    dates, Caller, Cloud, CreateGrant, CreateKey, DescribeKey, ErrorKind, Grant, Key, ListGrants,
    ListKeys, RetireGrant, RevokeGrant, ScheduleKeyDeletion,
};
use serde_json::{json, Value};

use crate::fault::Fault;
use crate::json::Body;
use crate::operations::{changes, reads, Row, Table};
use crate::page::Page;

/// The actions answered: the members each reads (as docs/aws-api.md shows
/// them), whether it changes the cloud, and its adapter.
static OPERATIONS: Table<Handler> = Table(&[
    changes(
        "CreateKey",
        "`Description`, `Tags` (`TagKey`/`TagValue`), `KeyUsage` ENCRYPT_DECRYPT, `KeySpec` SYMMETRIC_DEFAULT, `Origin` AWS_KMS, `MultiRegion` false",
        |k| k.create_key(),
    ),
    reads(
        "DescribeKey",
        "`KeyId` (key ID, key ARN, `alias/aws/ebs` or its ARN; another account's alias is not found)",
        |k| k.describe_key(),
    ),
    reads(
        "ListKeys",
        "`Limit`, `Marker`",
        |k| k.list_keys(),
    ),
    reads(
        "ListAliases",
        "`KeyId`, `Limit`, `Marker` (the AWS managed `alias/aws/ebs`)",
        |k| k.list_aliases(),
    ),
    changes(
        "CreateGrant",
        "`KeyId`, `GranteePrincipal` (an account ID or `arn:aws:iam::ACCOUNT:root`), `Operations` (what the grant allows: a launch needs `Decrypt`; a copy `Decrypt`, `ReEncryptFrom`, `CreateGrant` and `DescribeKey`; encrypting with the key `GenerateDataKeyWithoutPlaintext`)",
        |k| k.create_grant(),
    ),
    reads(
        "ListGrants",
        "`KeyId`, `GrantId`, `GranteePrincipal`, `Limit`, `Marker`",
        |k| k.list_grants(),
    ),
    changes(
        "RevokeGrant",
        "`KeyId`, `GrantId`",
        |k| k.revoke_grant(),
    ),
    changes(
        "RetireGrant",
        "`GrantId` (with `KeyId`), by the grantee or the key's owner",
        |k| k.retire_grant(),
    ),
    changes(
        "ScheduleKeyDeletion",
        "`KeyId`, `PendingWindowInDays` (7 to 30)",
        |k| k.schedule_key_deletion(),
    ),
]);

/// A KMS adapter: reads the request's members, makes its calls, answers JSON.
type Handler = fn(&mut Kms<'_>) -> Result<Value, Fault>;

/// The rows of docs/aws-api.md.
pub fn rows() -> Vec<Row> {
    OPERATIONS.rows()
}

/// Answers a KMS request for `target` (`TrentService.Action`) as `caller`.
pub fn answer(
    cloud: &mut Cloud,
    caller: &Caller,
    target: Option<&str>,
    body: &Body,
) -> Result<Value, Fault> {
    let (op, handler) = target
        .and_then(|t| t.strip_prefix("TrentService."))
        .and_then(|action| OPERATIONS.find_served(action))
        .ok_or_else(|| {
            Fault::bad(
                "UnknownOperationException",
                format!(
                    "The X-Amz-Target {:?} is not a KMS action amisim answers; it answers {}",
                    target.unwrap_or("").chars().take(64).collect::<String>(),
                    OPERATIONS.names("TrentService.")
                ),
            )
        })?;
    handler(&mut Kms {
        cloud,
        caller,
        body,
        action: op.name,
    })
}

struct Kms<'a> {
    cloud: &'a mut Cloud,
    caller: &'a Caller,
    body: &'a Body,
    action: &'static str,
}

fn validation(message: impl Into<String>) -> Fault {
    Fault::bad("ValidationException", message)
}

impl Kms<'_> {
    fn call<R: amisim_simulator::Call>(&mut self, request: &R) -> Result<R::Output, Fault> {
        self.cloud.call(self.caller, request).map_err(Fault::from)
    }

    fn ready(&self) -> Result<(), Fault> {
        self.body.check_all_read(self.action)
    }

    /// The key `key_id` names, as the caller may use it, or `NotFoundException`.
    fn key(&mut self, key_id: &str) -> Result<Key, Fault> {
        self.call(&DescribeKey::new(key_id))?.ok_or_else(|| {
            Fault::bad(
                "NotFoundException",
                format!(
                    "Key '{}' does not exist in {} or is not usable by account {}",
                    key_id.chars().take(128).collect::<String>(),
                    self.caller.region,
                    self.caller.account_id
                ),
            )
        })
    }

    fn create_key(&mut self) -> Result<Value, Fault> {
        let b = self.body;
        for (member, only) in [
            ("KeyUsage", "ENCRYPT_DECRYPT"),
            ("KeySpec", "SYMMETRIC_DEFAULT"),
            ("CustomerMasterKeySpec", "SYMMETRIC_DEFAULT"),
            ("Origin", "AWS_KMS"),
        ] {
            if let Some(v) = b.str(member)? {
                if v != only {
                    return Err(validation(format!(
                        "amisim's keys are symmetric encryption keys: {member} {} is not modelled; leave it out or give {only}",
                        v.chars().take(64).collect::<String>()
                    )));
                }
            }
        }
        if b.bool("MultiRegion")? == Some(true) {
            return Err(validation(
                "amisim's keys are regional: MultiRegion true is not modelled",
            ));
        }
        let _ = b.bool("BypassPolicyLockoutSafetyCheck")?;
        let mut tags = amisim_simulator::Tags::new();
        for t in b.objects("Tags")? {
            let key = t.required("TagKey")?;
            let value = t.str("TagValue")?.unwrap_or_default();
            t.check_all_read(self.action)?;
            tags.insert(key, value);
        }
        let request = CreateKey {
            description: b.str("Description")?.unwrap_or_default(),
            tags,
        };
        self.ready()?;
        let key = self.call(&request)?;
        Ok(json!({ "KeyMetadata": metadata(&key) }))
    }

    fn describe_key(&mut self) -> Result<Value, Fault> {
        let key_id = self.body.required("KeyId")?;
        let _ = self.body.strings("GrantTokens")?;
        self.ready()?;
        // The simulator reads an alias ARN as the alias in the account and
        // region it names: another account's alias/aws/ebs is not the caller's.
        let key = match self.key(&key_id) {
            Ok(key) => key,
            // The caller's own key scheduled for deletion is still described,
            // in its state, as KMS describes it until it is deleted.
            Err(fault) => self
                .call(&ListKeys {})?
                .into_iter()
                .find(|k| k.state == "PendingDeletion" && (k.id == key_id || k.arn == key_id))
                .ok_or(fault)?,
        };
        Ok(json!({ "KeyMetadata": metadata(&key) }))
    }

    fn list_keys(&mut self) -> Result<Value, Fault> {
        let page = marked_page(self.body)?;
        self.ready()?;
        let keys = self.call(&ListKeys {})?;
        let listed: Vec<Value> = keys
            .iter()
            .map(|k| json!({ "KeyId": k.id, "KeyArn": k.arn }))
            .collect();
        Ok(marked(&page, "Keys", listed))
    }

    fn list_aliases(&mut self) -> Result<Value, Fault> {
        let key_id = self.body.str("KeyId")?;
        let page = marked_page(self.body)?;
        self.ready()?;
        let managed = self.key(EBS_MANAGED_ALIAS)?;
        let alias_arn = format!(
            "arn:aws:kms:{}:{}:{EBS_MANAGED_ALIAS}",
            managed.region, managed.owner_id
        );
        if let Some(k) = &key_id {
            // An alias list for a key: only the managed key has one.
            self.key(k)?;
        }
        let mut aliases = Vec::new();
        if key_id.as_ref().is_none_or(|k| {
            [EBS_MANAGED_ALIAS, &alias_arn, &managed.id, &managed.arn].contains(&k.as_str())
        }) {
            aliases.push(json!({
                "AliasName": EBS_MANAGED_ALIAS,
                "AliasArn": alias_arn,
                "TargetKeyId": managed.id,
            }));
        }
        Ok(marked(&page, "Aliases", aliases))
    }

    fn create_grant(&mut self) -> Result<Value, Fault> {
        let b = self.body;
        let key_id = b.required("KeyId")?;
        let grantee = grantee_account(&b.required("GranteePrincipal")?)?;
        let operations = b.strings("Operations")?;
        if operations.is_empty() {
            return Err(validation(
                "1 validation error detected: Value null at 'operations' failed to satisfy constraint: Member must not be null: list the operations the grant allows (Decrypt, GenerateDataKeyWithoutPlaintext, …)",
            ));
        }
        let _ = b.strings("GrantTokens")?;
        self.ready()?;
        let key = self.key(&key_id)?;
        let request = CreateGrant {
            operations,
            ..CreateGrant::new(&key.arn, &grantee)
        };
        let grant = match self.cloud.call(self.caller, &request) {
            Ok(g) => g,
            // A grant made again is answered with the grant there is, as KMS
            // answers a repeated CreateGrant.
            Err(e) if e.kind == ErrorKind::PermissionDuplicate => self
                .call(&ListGrants {
                    key_id: key.arn.clone(),
                })?
                .into_iter()
                .find(|g| {
                    g.grantee_account_id == grantee
                        && g.operations == normalized_operations(&request.operations)
                })
                .ok_or_else(|| Fault::from(e))?,
            Err(e) => return Err(e.into()),
        };
        Ok(json!({ "GrantId": grant.id, "GrantToken": grant_token(&grant) }))
    }

    fn list_grants(&mut self) -> Result<Value, Fault> {
        let b = self.body;
        let key_id = b.required("KeyId")?;
        let grant_id = b.str("GrantId")?;
        let grantee = b
            .str("GranteePrincipal")?
            .map(|g| grantee_account(&g))
            .transpose()?;
        let page = marked_page(b)?;
        self.ready()?;
        let key = self.key(&key_id)?;
        let grants: Vec<Value> = self
            .call(&ListGrants { key_id: key.arn })?
            .iter()
            .filter(|g| grant_id.as_ref().is_none_or(|id| *id == g.id))
            .filter(|g| grantee.as_ref().is_none_or(|a| *a == g.grantee_account_id))
            .map(grant_entry)
            .collect();
        Ok(marked(&page, "Grants", grants))
    }

    fn revoke_grant(&mut self) -> Result<Value, Fault> {
        let key_id = self.body.required("KeyId")?;
        let grant_id = self.body.required("GrantId")?;
        self.ready()?;
        let key = self.key(&key_id)?;
        let grant = self
            .call(&ListGrants {
                key_id: key.arn.clone(),
            })?
            .into_iter()
            .find(|g| g.id == grant_id)
            .ok_or_else(|| {
                Fault::bad(
                    "NotFoundException",
                    format!(
                        "Grant ID {} is not a grant of the key {}",
                        grant_id.chars().take(64).collect::<String>(),
                        key.arn
                    ),
                )
            })?;
        self.call(&RevokeGrant {
            grant_id: Some(grant.id.clone()),
            ..RevokeGrant::new(&key.arn, &grant.grantee_account_id)
        })?;
        Ok(json!({}))
    }

    fn retire_grant(&mut self) -> Result<Value, Fault> {
        let grant_id = self.body.str("GrantId")?;
        let token = self.body.str("GrantToken")?;
        let _ = self.body.str("KeyId")?;
        self.ready()?;
        let grant_id = match (grant_id, token) {
            (Some(id), _) => id,
            (None, Some(t)) => t
                .strip_prefix("amisim-grant-")
                .map(str::to_string)
                .ok_or_else(|| {
                    Fault::bad(
                        "InvalidGrantTokenException",
                        "The grant token is not one this server gave",
                    )
                })?,
            (None, None) => {
                return Err(validation(
                    "RetireGrant needs GrantId (with KeyId) or GrantToken",
                ))
            }
        };
        self.call(&RetireGrant { grant_id })?;
        Ok(json!({}))
    }

    fn schedule_key_deletion(&mut self) -> Result<Value, Fault> {
        let key_id = self.body.required("KeyId")?;
        let days = self.body.int("PendingWindowInDays")?.unwrap_or(30);
        if !(7..=30).contains(&days) {
            return Err(validation(format!(
                "1 validation error detected: Value '{days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30"
            )));
        }
        self.ready()?;
        let key = self.key(&key_id)?;
        if key.aws_managed {
            return Err(Fault::bad(
                "UnsupportedOperationException",
                "AWS managed keys cannot be deleted: only customer managed keys can be scheduled for deletion",
            ));
        }
        self.call(&ScheduleKeyDeletion::new(&key.arn))?;
        let now = self.cloud.now().map_err(Fault::from)?;
        let deletion = dates::parse_time(&now).unwrap_or(0) + days * 86_400;
        Ok(json!({
            "KeyId": key.arn,
            "DeletionDate": deletion,
            "KeyState": "PendingDeletion",
            "PendingWindowInDays": days,
        }))
    }
}

/// The account a grantee principal names: an account ID or its root.
fn grantee_account(principal: &str) -> Result<String, Fault> {
    if let Some(account) = amisim_simulator::validate::principal_account(principal) {
        return Ok(account.to_string());
    }
    Err(validation(format!(
        "The grantee principal {} is not an account: amisim grants keys to accounts, named by ID or as arn:aws:iam::ACCOUNT:root",
        principal.chars().take(128).collect::<String>()
    )))
}

/// A grant token: amisim's grants are usable at once, so the token only names the grant.
fn grant_token(grant: &Grant) -> String {
    format!("amisim-grant-{}", grant.id)
}

fn grant_entry(g: &Grant) -> Value {
    let operations: Vec<&str> = if g.operations.is_empty() {
        amisim_simulator::kms::GRANT_OPERATIONS.to_vec()
    } else {
        g.operations.iter().map(String::as_str).collect()
    };
    json!({
        "KeyId": g.key_arn,
        "GrantId": g.id,
        "GranteePrincipal": format!("arn:aws:iam::{}:root", g.grantee_account_id),
        "IssuingAccount": format!("arn:aws:iam::{}:root", g.owner_id),
        "Operations": operations,
    })
}

/// KMS's `KeyMetadata` of a key.
fn metadata(key: &Key) -> Value {
    json!({
        "AWSAccountId": key.owner_id,
        "KeyId": key.id,
        "Arn": key.arn,
        "CreationDate": dates::parse_time(&key.creation_date).unwrap_or(0),
        "Enabled": key.state == "Enabled",
        "Description": key.description,
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeyState": key.state,
        "Origin": "AWS_KMS",
        "KeyManager": if key.aws_managed { "AWS" } else { "CUSTOMER" },
        "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
        "MultiRegion": false,
    })
}

/// `Limit` (1 to 1000) and `Marker`: which part of a listing to answer.
/// The page KMS's `Limit` and `Marker` ask for.
fn marked_page(b: &Body) -> Result<Page, Fault> {
    let limit = b.int("Limit")?.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(validation(format!(
            "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 1000"
        )));
    }
    Page::asked(b.str("Marker")?.as_deref(), Some(limit as usize)).ok_or_else(|| {
        Fault::bad(
            "InvalidMarkerException",
            "The Marker is not one this server gave",
        )
    })
}

/// `{member: [...], Truncated, NextMarker}` for `page` of `items`.
fn marked(page: &Page, member: &str, items: Vec<Value>) -> Value {
    let (shown, next) = page.cut(&items);
    let mut v = json!({ member: shown.to_vec(), "Truncated": next.is_some() });
    if let Some(next) = next {
        v["NextMarker"] = json!(next);
    }
    v
}
