//! Organizations as AWS has them: an organization is made by its management
//! account, which alone admits members and places them in organizational
//! units. A launch permission for an organization or OU reaches exactly the
//! accounts admitted to it (see [`reaching`]).
//!
//! Stores from before organizations were objects hold memberships that
//! accounts declared for themselves (a provider block's `organization_arn`).
//! Such a declaration still reaches an organization or OU of which the store
//! holds no object, for a deprecation period, and the provider warns; once
//! the management account makes the organization, only the accounts it
//! admitted belong to it, and a declaration is an assertion, refused when
//! untrue.

use serde::{Deserialize, Serialize};

use crate::call::{calls, Ctx};
use crate::error::{refuse, ErrorKind, Result};
use crate::ids;
use crate::model::{Account, Organization, OrganizationalUnit, Principal};
use crate::store::{Filter, Tx};
use crate::validate;

/// CreateOrganization: the caller becomes the management account of a new
/// organization admitting `member_account_ids`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateOrganization {
    /// The accounts it admits (12-digit IDs), besides the caller.
    pub member_account_ids: Vec<String>,
}

/// UpdateOrganization: the caller's organization admits exactly
/// `member_account_ids`; an account no longer admitted leaves its OU too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateOrganization {
    /// The accounts it admits, besides the management account.
    pub member_account_ids: Vec<String>,
}

/// DeleteOrganization: the caller's organization ends, with no OU left in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteOrganization {}

/// DescribeOrganization: the organization the caller manages or belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeOrganization {}

/// CreateOrganizationalUnit: an OU of the caller's organization.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateOrganizationalUnit {
    /// Unique in the organization.
    pub name: String,
    /// Accounts the organization admitted, each in one OU at most.
    pub member_account_ids: Vec<String>,
}

/// UpdateOrganizationalUnit: an OU's name and accounts, in place.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateOrganizationalUnit {
    /// The OU, `ou-…`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its accounts.
    pub member_account_ids: Vec<String>,
}

/// DeleteOrganizationalUnit: an OU of the caller's organization goes; its
/// accounts stay in the organization.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteOrganizationalUnit {
    /// The OU, `ou-…`.
    pub id: String,
}

/// DescribeOrganizationalUnit: an OU of the organization the caller
/// manages or belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeOrganizationalUnit {
    /// The OU, `ou-…`.
    pub id: String,
}

calls! {
    CreateOrganization => Organization, "CreateOrganization", changes, Nothing,
        |r, tx, ctx| create(tx, ctx, r);
    UpdateOrganization => Organization, "UpdateOrganization", changes, Nothing,
        |r, tx, ctx| update(tx, ctx, &r.member_account_ids);
    DeleteOrganization => (), "DeleteOrganization", changes, Nothing,
        |_, tx, ctx| delete(tx, ctx);
    DescribeOrganization => Option<Organization>, "DescribeOrganization", reads, Nothing,
        |_, tx, ctx| of_account(tx, &ctx.caller.account_id);
    CreateOrganizationalUnit => OrganizationalUnit, "CreateOrganizationalUnit", changes, Nothing,
        |r, tx, ctx| create_unit(tx, ctx, &r.name, &r.member_account_ids);
    UpdateOrganizationalUnit => OrganizationalUnit, "UpdateOrganizationalUnit", changes, Named(id),
        |r, tx, ctx| update_unit(tx, ctx, r);
    DeleteOrganizationalUnit => (), "DeleteOrganizationalUnit", changes, Named(id),
        |r, tx, ctx| delete_unit(tx, ctx, &r.id);
    DescribeOrganizationalUnit => Option<OrganizationalUnit>, "DescribeOrganizationalUnit", reads, Named(id),
        |r, tx, ctx| describe_unit(tx, ctx, &r.id);
}

/// The organization `account` manages or was admitted to, if any.
pub fn of_account(tx: &Tx<'_>, account: &str) -> Result<Option<Organization>> {
    Ok(tx
        .list::<Organization>(Filter::default())?
        .into_iter()
        .find(|o| o.admits(account)))
}

/// The OU `account` is placed in, if any.
fn unit_of(tx: &Tx<'_>, account: &str) -> Result<Option<OrganizationalUnit>> {
    Ok(tx
        .list::<OrganizationalUnit>(Filter::default())?
        .into_iter()
        .find(|u| u.member_account_ids.iter().any(|m| m == account)))
}

/// The organization the caller manages, or `AWSOrganizationsNotInUseException`.
fn managed(tx: &Tx<'_>, ctx: &Ctx<'_>) -> Result<Organization> {
    let me = &ctx.caller.account_id;
    match of_account(tx, me)? {
        Some(o) if &o.management_account_id == me => Ok(o),
        Some(o) => refuse(
            ErrorKind::OrganizationAccessDenied,
            format!("account {me} is a member of the organization {}, not its management account {}", o.id, o.management_account_id),
            "Only an organization's management account changes it: make the change in that account's provider block",
        ),
        None => refuse(
            ErrorKind::OrganizationNotFound,
            format!("account {me} manages no organization"),
            "Create the organization first (amisim_organization in this account's provider block)",
        ),
    }
}

/// Checks a list of member accounts: 12-digit IDs, each once, not `me`.
fn check_members(me: &str, members: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for m in members {
        validate::account_id(m)?;
        if m == me {
            return refuse(
                ErrorKind::InvalidParameterValue,
                format!("account {m} is the organization's management account, which belongs to it without being a member"),
                "Leave the management account out of member_account_ids",
            );
        }
        if !out.contains(m) {
            out.push(m.clone());
        }
    }
    out.sort();
    Ok(out)
}

/// Refuses members that belong to another organization than `org_id`.
fn check_free(tx: &Tx<'_>, org_id: Option<&str>, members: &[String]) -> Result<()> {
    for m in members {
        if let Some(other) = of_account(tx, m)? {
            if Some(other.id.as_str()) != org_id {
                return refuse(
                    ErrorKind::AlreadyInOrganization,
                    format!("account {m} already belongs to the organization {} (management account {})", other.id, other.management_account_id),
                    "An account belongs to one organization at most: that organization's management account removes it first",
                );
            }
        }
    }
    Ok(())
}

fn create(tx: &mut Tx<'_>, ctx: &Ctx<'_>, req: &CreateOrganization) -> Result<Organization> {
    let me = ctx.caller.account_id.clone();
    if let Some(o) = of_account(tx, &me)? {
        return refuse(
            ErrorKind::AlreadyInOrganization,
            format!("account {me} already belongs to the organization {} (management account {})", o.id, o.management_account_id),
            "An account belongs to one organization at most: import the organization it manages, or leave the other first",
        );
    }
    let members = check_members(&me, &req.member_account_ids)?;
    check_free(tx, None, &members)?;
    let id = ids::fixed("o", &["organization", &me]);
    let org = Organization {
        arn: format!("arn:aws:organizations::{me}:organization/{id}"),
        id,
        management_account_id: me,
        member_account_ids: members,
    };
    tx.put(&org)?;
    Ok(org)
}

fn update(tx: &mut Tx<'_>, ctx: &Ctx<'_>, members: &[String]) -> Result<Organization> {
    let mut org = managed(tx, ctx)?;
    let members = check_members(&org.management_account_id, members)?;
    check_free(tx, Some(&org.id), &members)?;
    // An account that leaves the organization leaves its OU with it.
    for mut unit in tx.list::<OrganizationalUnit>(Filter {
        name: Some(&org.id),
        ..Filter::default()
    })? {
        let before = unit.member_account_ids.len();
        unit.member_account_ids.retain(|m| members.contains(m));
        if unit.member_account_ids.len() != before {
            tx.put(&unit)?;
        }
    }
    org.member_account_ids = members;
    tx.put(&org)?;
    Ok(org)
}

fn delete(tx: &mut Tx<'_>, ctx: &Ctx<'_>) -> Result<()> {
    let org = managed(tx, ctx)?;
    let units = tx.count::<OrganizationalUnit>(Filter {
        name: Some(&org.id),
        ..Filter::default()
    })?;
    if units > 0 {
        return refuse(
            ErrorKind::OrganizationConstraint,
            format!("the organization {} still has {units} organizational units", org.id),
            "Delete its organizational units first (destroy the amisim_organizational_unit resources)",
        );
    }
    tx.delete::<Organization>(&org.id)?;
    Ok(())
}

/// Checks an OU's name and members against the organization's other OUs.
fn check_unit(
    tx: &Tx<'_>,
    org: &Organization,
    id: Option<&str>,
    name: &str,
    members: &[String],
) -> Result<Vec<String>> {
    if name.is_empty() || name.chars().count() > 128 || name.chars().any(char::is_control) {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "{:?} is not an organizational unit name",
                validate::shorten(name)
            ),
            "Give a name of 1 to 128 printable characters",
        );
    }
    let members = check_members(&org.management_account_id, members)?;
    for m in &members {
        if !org.admits(m) {
            return refuse(
                ErrorKind::OrganizationConstraint,
                format!("account {m} is not a member of the organization {}", org.id),
                "Admit the account to the organization first (member_account_ids of amisim_organization)",
            );
        }
    }
    for other in tx.list::<OrganizationalUnit>(Filter {
        name: Some(&org.id),
        ..Filter::default()
    })? {
        if Some(other.id.as_str()) == id {
            continue;
        }
        if other.name == name {
            return refuse(
                ErrorKind::OrganizationalUnitDuplicate,
                format!(
                    "the organization {} has an organizational unit named {name:?} already ({})",
                    org.id, other.id
                ),
                "Give each organizational unit of an organization a name of its own",
            );
        }
        if let Some(m) = members
            .iter()
            .find(|m| other.member_account_ids.contains(m))
        {
            return refuse(
                ErrorKind::OrganizationConstraint,
                format!(
                    "account {m} is in the organizational unit {} ({}) already",
                    other.id, other.name
                ),
                "An account is in one organizational unit at most: remove it from the other first",
            );
        }
    }
    Ok(members)
}

fn create_unit(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    name: &str,
    members: &[String],
) -> Result<OrganizationalUnit> {
    let org = managed(tx, ctx)?;
    let members = check_unit(tx, &org, None, name, members)?;
    // Fixed by the organization and the name it was made with (a rename
    // keeps it); `ou-` then 4 characters of the organization's root, as AWS's.
    let digits = ids::fixed("ou", &["organizational-unit", &org.id, name]);
    let root = &org.id[2..6];
    let id = format!("ou-{root}-{}", &digits[3..11]);
    let unit = OrganizationalUnit {
        arn: format!(
            "arn:aws:organizations::{}:ou/{}/{id}",
            org.management_account_id, org.id
        ),
        id,
        organization_id: org.id.clone(),
        management_account_id: org.management_account_id.clone(),
        name: name.to_string(),
        member_account_ids: members,
    };
    tx.put(&unit)?;
    Ok(unit)
}

/// The OU `id` of the caller's organization, or `OrganizationalUnitNotFoundException`.
fn unit_in(tx: &Tx<'_>, org: &Organization, id: &str) -> Result<OrganizationalUnit> {
    match tx.get::<OrganizationalUnit>(id)? {
        Some(u) if u.organization_id == org.id => Ok(u),
        _ => refuse(
            ErrorKind::OrganizationalUnitNotFound,
            format!(
                "the organization {} has no organizational unit {id}",
                org.id
            ),
            "Check the OU's ID (ou-…); it may have been deleted",
        ),
    }
}

fn update_unit(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    req: &UpdateOrganizationalUnit,
) -> Result<OrganizationalUnit> {
    let org = managed(tx, ctx)?;
    let mut unit = unit_in(tx, &org, &req.id)?;
    unit.member_account_ids =
        check_unit(tx, &org, Some(&unit.id), &req.name, &req.member_account_ids)?;
    unit.name = req.name.clone();
    tx.put(&unit)?;
    Ok(unit)
}

fn delete_unit(tx: &mut Tx<'_>, ctx: &Ctx<'_>, id: &str) -> Result<()> {
    let org = managed(tx, ctx)?;
    let unit = unit_in(tx, &org, id)?;
    tx.delete::<OrganizationalUnit>(&unit.id)?;
    Ok(())
}

fn describe_unit(tx: &mut Tx<'_>, ctx: &Ctx<'_>, id: &str) -> Result<Option<OrganizationalUnit>> {
    let Some(org) = of_account(tx, &ctx.caller.account_id)? else {
        return Ok(None);
    };
    Ok(tx
        .get::<OrganizationalUnit>(id)?
        .filter(|u| u.organization_id == org.id))
}

/// The organization and OU principals whose launch permissions reach
/// `account`: those it was admitted to, and for a deprecation period the
/// ones it declared of which the store holds no object.
pub(crate) fn reaching(tx: &Tx<'_>, account: &str) -> Result<Vec<Principal>> {
    let mut out = Vec::new();
    if let Some(org) = of_account(tx, account)? {
        out.push(Principal::Organization(org.arn));
    }
    if let Some(unit) = unit_of(tx, account)? {
        out.push(Principal::OrganizationalUnit(unit.arn));
    }
    if let Some(declared) = tx.get::<Account>(account)? {
        if let Some(org) = declared
            .organization_arn
            .filter(|a| !out.contains(&Principal::Organization(a.clone())))
        {
            if organization_of_arn(tx, &org)?.is_none() {
                out.push(Principal::Organization(org));
            }
        }
        if let Some(ou) = declared.organizational_unit_arn {
            if !holds_organization_of(tx, &ou)?
                && !out.contains(&Principal::OrganizationalUnit(ou.clone()))
            {
                out.push(Principal::OrganizationalUnit(ou));
            }
        }
    }
    Ok(out)
}

/// Whether the store holds the organization an OU's ARN names (its `o-…`).
fn holds_organization_of(tx: &Tx<'_>, unit_arn: &str) -> Result<bool> {
    match validate::organization_id_of(unit_arn) {
        Some(id) => tx.exists::<Organization>(id),
        None => Ok(false),
    }
}

/// The organization an organization ARN names, if the store holds it.
pub(crate) fn organization_of_arn(tx: &Tx<'_>, arn: &str) -> Result<Option<Organization>> {
    let Some(id) = validate::organization_id_of(arn) else {
        return Ok(None);
    };
    Ok(tx.get::<Organization>(id)?.filter(|o| o.arn == arn))
}

/// Whether `account`'s declared organization (if any) is one the store
/// holds, and so admitted it: false for a membership only declared.
pub(crate) fn declared_by_the_organization(
    tx: &Tx<'_>,
    account: &str,
    organization_arn: Option<&str>,
) -> Result<bool> {
    match organization_arn {
        None => Ok(true),
        Some(arn) => Ok(organization_of_arn(tx, arn)?.is_some_and(|o| o.admits(account))),
    }
}

/// Refuses a provider block's declaration that the store's organizations
/// contradict: an organization or OU that exists and did not admit `account`.
pub(crate) fn check_declaration(
    tx: &Tx<'_>,
    account: &str,
    organization_arn: Option<&str>,
    organizational_unit_arn: Option<&str>,
) -> Result<()> {
    if let Some(arn) = organization_arn {
        if let Some(org) = organization_of_arn(tx, arn)? {
            if !org.admits(account) {
                return refuse(
                    ErrorKind::OrganizationConflict,
                    format!("account {account} is not a member of the organization {}: its management account {} has not admitted it", org.id, org.management_account_id),
                    "Ask the management account to add the account to member_account_ids of its amisim_organization, or remove organization_arn from this provider block",
                );
            }
        }
    }
    if let Some(arn) = organizational_unit_arn {
        let unit = tx
            .list::<OrganizationalUnit>(Filter::default())?
            .into_iter()
            .find(|u| u.arn == arn);
        let org_exists = holds_organization_of(tx, arn)?;
        let placed = unit
            .as_ref()
            .is_some_and(|u| u.member_account_ids.iter().any(|m| m == account));
        if org_exists && !placed {
            return refuse(
                ErrorKind::OrganizationConflict,
                format!("account {account} is not in the organizational unit {arn}: its organization's management account has not placed it there"),
                "Ask the management account to add the account to member_account_ids of the amisim_organizational_unit, or remove organizational_unit_arn from this provider block",
            );
        }
    }
    Ok(())
}
