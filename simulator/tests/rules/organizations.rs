//! Organizations as AWS has them: the management account admits members and
//! places them in OUs; an organization or OU share reaches exactly them; a
//! provider block's declaration is an assertion the organization checks.

use amisim_simulator::organizations::{
    CreateOrganization, CreateOrganizationalUnit, DeleteOrganization, DeleteOrganizationalUnit,
    DescribeOrganization, UpdateOrganization, UpdateOrganizationalUnit,
};
use amisim_simulator::{
    AddLaunchPermission, DeclareAccount, DescribeImage, Organization, OrganizationalUnit, Principal,
};

use crate::common::*;

const MANAGEMENT: &str = "999999999999";

fn organization(w: &mut World, members: &[&str]) -> Organization {
    let request = CreateOrganization {
        member_account_ids: members.iter().map(|m| m.to_string()).collect(),
    };
    w.ok(|c| c.call(&at(MANAGEMENT, USE1), &request))
}

fn unit(w: &mut World, name: &str, members: &[&str]) -> OrganizationalUnit {
    let request = CreateOrganizationalUnit {
        name: name.into(),
        member_account_ids: members.iter().map(|m| m.to_string()).collect(),
    };
    w.ok(|c| c.call(&at(MANAGEMENT, USE1), &request))
}

fn sees(w: &mut World, account: &str, image_id: &str) -> bool {
    w.ok(|c| c.call(&at(account, USE1), &DescribeImage::new(image_id)))
        .is_some()
}

#[test]
fn an_organization_share_reaches_exactly_the_accounts_its_management_account_admitted() {
    let mut w = World::new();
    let org = organization(&mut w, &[B, C]);
    assert!(org.id.starts_with("o-") && org.id.len() == 19, "{org:?}");
    assert_eq!(
        org.arn,
        format!(
            "arn:aws:organizations::{MANAGEMENT}:organization/{}",
            org.id
        )
    );
    let image = register(&mut w.cloud, &at(A, USE1), "shared-web");
    w.ok(|c| {
        c.call(
            &at(A, USE1),
            &AddLaunchPermission::new(&image.id, &Principal::Organization(org.arn.clone())),
        )
    });
    assert!(sees(&mut w, B, &image.id));
    assert!(sees(&mut w, C, &image.id));
    assert!(
        sees(&mut w, MANAGEMENT, &image.id),
        "the management account belongs to it"
    );
    assert!(!sees(&mut w, D, &image.id));
    // Declaring itself a member does not make an account one: refused, and
    // it still does not see the image.
    w.refused("InvalidParameterCombination", |c| {
        c.call(
            &at(D, USE1),
            &DeclareAccount {
                organization_arn: Some(org.arn.clone()),
                organizational_unit_arn: None,
            },
        )
    });
    assert!(!sees(&mut w, D, &image.id));
    // A member's declaration is a true assertion, and accepted.
    w.ok(|c| {
        c.call(
            &at(B, USE1),
            &DeclareAccount {
                organization_arn: Some(org.arn.clone()),
                organizational_unit_arn: None,
            },
        )
    });
    // Admitted later, it is reached; removed, it no longer is.
    w.ok(|c| {
        c.call(
            &at(MANAGEMENT, USE1),
            &UpdateOrganization {
                member_account_ids: vec![B.into(), D.into()],
            },
        )
    });
    assert!(sees(&mut w, D, &image.id));
    assert!(!sees(&mut w, C, &image.id));
}

#[test]
fn an_ou_share_reaches_the_accounts_placed_in_it_and_no_other_member() {
    let mut w = World::new();
    let org = organization(&mut w, &[B, C]);
    let web = unit(&mut w, "web", &[B]);
    assert!(web.id.starts_with("ou-") && web.arn.ends_with(&format!("ou/{}/{}", org.id, web.id)));
    let image = register(&mut w.cloud, &at(A, USE1), "web-only");
    w.ok(|c| {
        c.call(
            &at(A, USE1),
            &AddLaunchPermission::new(&image.id, &Principal::OrganizationalUnit(web.arn.clone())),
        )
    });
    assert!(sees(&mut w, B, &image.id));
    assert!(!sees(&mut w, C, &image.id), "a member outside the OU");
    // An account not admitted to the organization cannot be placed in an OU.
    w.refused("ConstraintViolationException", |c| {
        c.call(
            &at(MANAGEMENT, USE1),
            &UpdateOrganizationalUnit {
                id: web.id.clone(),
                name: "web".into(),
                member_account_ids: vec![B.into(), D.into()],
            },
        )
    });
    // One OU per account, one name per OU.
    w.refused("ConstraintViolationException", |c| {
        c.call(
            &at(MANAGEMENT, USE1),
            &CreateOrganizationalUnit {
                name: "data".into(),
                member_account_ids: vec![B.into()],
            },
        )
    });
    w.refused("DuplicateOrganizationalUnitException", |c| {
        c.call(
            &at(MANAGEMENT, USE1),
            &CreateOrganizationalUnit {
                name: "web".into(),
                member_account_ids: vec![],
            },
        )
    });
    // Renamed in place, it keeps its ID; an account leaving the organization leaves it.
    let renamed = w.ok(|c| {
        c.call(
            &at(MANAGEMENT, USE1),
            &UpdateOrganizationalUnit {
                id: web.id.clone(),
                name: "frontend".into(),
                member_account_ids: vec![B.into(), C.into()],
            },
        )
    });
    assert_eq!(renamed.id, web.id);
    assert!(sees(&mut w, C, &image.id));
    w.ok(|c| {
        c.call(
            &at(MANAGEMENT, USE1),
            &UpdateOrganization {
                member_account_ids: vec![B.into()],
            },
        )
    });
    assert!(!sees(&mut w, C, &image.id));
    // The organization goes only once its OUs have.
    w.refused("ConstraintViolationException", |c| {
        c.call(&at(MANAGEMENT, USE1), &DeleteOrganization {})
    });
    w.ok(|c| {
        c.call(
            &at(MANAGEMENT, USE1),
            &DeleteOrganizationalUnit { id: web.id.clone() },
        )
    });
    w.ok(|c| c.call(&at(MANAGEMENT, USE1), &DeleteOrganization {}));
    assert!(!sees(&mut w, B, &image.id));
}

#[test]
fn only_the_management_account_changes_its_organization_and_an_account_is_in_one_at_most() {
    let mut w = World::new();
    organization(&mut w, &[B]);
    w.refused("AccessDeniedException", |c| {
        c.call(
            &at(B, USE1),
            &UpdateOrganization {
                member_account_ids: vec![C.into()],
            },
        )
    });
    w.refused("AWSOrganizationsNotInUseException", |c| {
        c.call(&at(C, USE1), &DeleteOrganization {})
    });
    w.refused("AlreadyInOrganizationException", |c| {
        c.call(&at(MANAGEMENT, USE1), &CreateOrganization::default())
    });
    w.refused("AlreadyInOrganizationException", |c| {
        c.call(
            &at(C, USE1),
            &CreateOrganization {
                member_account_ids: vec![B.into()],
            },
        )
    });
    w.refused("InvalidParameterValue", |c| {
        c.call(
            &at(MANAGEMENT, USE1),
            &UpdateOrganization {
                member_account_ids: vec![MANAGEMENT.into()],
            },
        )
    });
    let seen = w.ok(|c| c.call(&at(B, USE1), &DescribeOrganization {}));
    assert_eq!(
        seen.map(|o| o.management_account_id),
        Some(MANAGEMENT.to_string())
    );
    assert_eq!(
        w.ok(|c| c.call(&at(C, USE1), &DescribeOrganization {})),
        None
    );
}

#[test]
fn a_declared_membership_of_an_organization_the_store_does_not_hold_still_reaches_until_it_is_made()
{
    let mut w = World::new();
    // An organization's management account, before it makes the organization.
    let declared = format!(
        "arn:aws:organizations::{MANAGEMENT}:organization/{}",
        amisim_simulator::ids::fixed("o", &["organization", MANAGEMENT])
    );
    w.ok(|c| {
        c.call(
            &at(D, USE1),
            &DeclareAccount {
                organization_arn: Some(declared.clone()),
                organizational_unit_arn: None,
            },
        )
    });
    let image = register(&mut w.cloud, &at(A, USE1), "declared-web");
    w.ok(|c| {
        c.call(
            &at(A, USE1),
            &AddLaunchPermission::new(&image.id, &Principal::Organization(declared.clone())),
        )
    });
    assert!(
        sees(&mut w, D, &image.id),
        "the deprecated declaration reaches"
    );
    // Made by its management account without D, the organization no longer reaches it.
    let org = organization(&mut w, &[B]);
    assert_eq!(org.arn, declared);
    assert!(!sees(&mut w, D, &image.id));
    assert!(sees(&mut w, B, &image.id));
}
