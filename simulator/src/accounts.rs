//! Accounts and their declared place in an AWS Organization.

use serde::{Deserialize, Serialize};

use crate::call::{calls, Ctx};
use crate::error::{refuse, ErrorKind, Result};
use crate::model::Account;
use crate::store::Tx;
use crate::validate;

/// The organization and OU a provider block declares for its account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclareAccount {
    /// `arn:aws:organizations::MANAGEMENT:organization/o-…`.
    pub organization_arn: Option<String>,
    /// `arn:aws:organizations::MANAGEMENT:ou/o-…/ou-…`; implies the organization.
    pub organizational_unit_arn: Option<String>,
}

/// STS GetCallerIdentity: the account the caller acts as, once it is
/// allowed to act as it (a claimed account presents its secret).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetCallerIdentity {}

calls! {
    DeclareAccount => bool, "DeclareAccount", changes, Nothing,
        |r, tx, ctx| declare(tx, ctx, r);
    GetCallerIdentity => String, "GetCallerIdentity", reads, Nothing,
        |_, _, ctx| Ok(ctx.caller.account_id.clone());
}

/// Checks the shape of a declaration without looking at the cloud.
pub fn check(req: &DeclareAccount) -> Result<()> {
    let hint = "Use full ARNs, for example arn:aws:organizations::999999999999:organization/o-abc123 and arn:aws:organizations::999999999999:ou/o-abc123/ou-ab12-cdef3456";
    if let Some(org) = &req.organization_arn {
        if !validate::is_organization_arn(org) {
            return refuse(
                ErrorKind::InvalidParameterValue,
                format!("{:?} is not an organization ARN", validate::shorten(org)),
                hint,
            );
        }
    }
    if let Some(ou) = &req.organizational_unit_arn {
        if !validate::is_organizational_unit_arn(ou) {
            return refuse(
                ErrorKind::InvalidParameterValue,
                format!(
                    "{:?} is not an organizational unit ARN",
                    validate::shorten(ou)
                ),
                hint,
            );
        }
        if let Some(org) = &req.organization_arn {
            if validate::organization_id_of(org) != validate::organization_id_of(ou) {
                return refuse(
                    ErrorKind::InvalidParameterCombination,
                    format!("the OU {ou} is not in the organization {org}"),
                    "Give an OU ARN of the same organization (the o-… part must match)",
                );
            }
        }
    }
    Ok(())
}

/// Records a provider block's declaration; whether the organization it
/// names is one the store holds (false: a membership only declared, which
/// is deprecated).
pub(crate) fn declare(tx: &mut Tx<'_>, ctx: &Ctx<'_>, req: &DeclareAccount) -> Result<bool> {
    check(req)?;
    let account = &ctx.caller.account_id;
    // Where the organization is an object of the cloud, a declaration only
    // asserts what its management account decided.
    crate::organizations::check_declaration(
        tx,
        account,
        req.organization_arn.as_deref(),
        req.organizational_unit_arn.as_deref(),
    )?;
    let existing = tx.get::<Account>(account)?.unwrap_or(Account {
        id: account.clone(),
        organization_arn: None,
        organizational_unit_arn: None,
    });
    let organization_arn = req.organization_arn.clone().or_else(|| {
        req.organizational_unit_arn.as_deref().and_then(|ou| {
            let org_id = validate::organization_id_of(ou)?;
            let mgmt = ou.split(':').nth(4)?;
            Some(format!(
                "arn:aws:organizations::{mgmt}:organization/{org_id}"
            ))
        })
    });
    let conflict = |old: &Option<String>, new: &Option<String>| matches!((old, new), (Some(o), Some(n)) if o != n);
    if conflict(&existing.organization_arn, &organization_arn)
        || conflict(
            &existing.organizational_unit_arn,
            &req.organizational_unit_arn,
        )
    {
        return refuse(
            ErrorKind::OrganizationConflict,
            format!(
                "account {account} is already declared in organization {} (OU {}), not {} (OU {})",
                existing.organization_arn.as_deref().unwrap_or("none"),
                existing.organizational_unit_arn.as_deref().unwrap_or("none"),
                organization_arn.as_deref().unwrap_or("none"),
                req.organizational_unit_arn.as_deref().unwrap_or("none"),
            ),
            "Every provider block for the same account must declare the same organization and OU; reset the store to change them",
        );
    }
    let updated = Account {
        id: account.clone(),
        organization_arn: organization_arn.or(existing.organization_arn.clone()),
        organizational_unit_arn: req
            .organizational_unit_arn
            .clone()
            .or(existing.organizational_unit_arn.clone()),
    };
    if updated != existing {
        tx.put(&updated)?;
    }
    crate::organizations::declared_by_the_organization(
        tx,
        account,
        updated.organization_arn.as_deref(),
    )
}
