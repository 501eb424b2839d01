//! Who may launch an image: its owner, an account it is shared with, the
//! accounts declared in an organization or OU it is shared with, or anyone
//! when it is public.

use amisim_simulator::{DeclareAccount, Principal};

use crate::common::*;
use amisim_simulator::{
    AddLaunchPermission, CancelLaunchPermission, DeregisterImage, DescribeImage,
    DescribeLaunchPermission, DescribeLaunchPermissions, RemoveLaunchPermission,
};

fn declare(w: &mut World, who: &str, org: Option<&str>, ou: Option<&str>) {
    w.ok(|c| {
        c.call(
            &at(who, USE1),
            &DeclareAccount {
                organization_arn: org.map(str::to_string),
                organizational_unit_arn: ou.map(str::to_string),
            },
        )
    });
}

/// Whether `who` can launch `image_id` in us-east-1; a refusal must be `InvalidAMIID.NotFound`.
fn can_launch(w: &mut World, who: &str, image_id: &str) -> bool {
    let caller = at(who, USE1);
    let before = w.dump();
    match w.cloud.call(&caller, &launch(image_id, "t3.micro")) {
        Ok(i) => {
            assert_eq!(i.owner_id, who);
            true
        }
        Err(e) => {
            assert_eq!(e.code(), "InvalidAMIID.NotFound", "{e}");
            assert_same_dump(&before, &w.dump());
            false
        }
    }
}

#[test]
fn owner_can_launch_its_image_without_any_permission() {
    let mut w = World::new();
    let img = register(&mut w.cloud, &at(A, USE1), "web");
    assert!(launch_permissions(&mut w.cloud, &img.id).is_empty());
    assert!(can_launch(&mut w, A, &img.id));
}

#[test]
fn account_permission_reaches_exactly_that_account() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = register(&mut w.cloud, &owner, "web");
    assert!(!can_launch(&mut w, B, &img.id));
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
    assert!(can_launch(&mut w, B, &img.id));
    assert!(!can_launch(&mut w, C, &img.id));
    assert!(!can_launch(&mut w, D, &img.id));
    // The image is visible to the grantee, still owned by the owner.
    let seen = w
        .ok(|c| c.call(&at(B, USE1), &DescribeImage::new(&img.id)))
        .expect("visible");
    assert_eq!(seen.owner_id, A);
}

#[test]
fn removing_a_permission_takes_the_launch_right_away() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = register(&mut w.cloud, &owner, "web");
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
    assert!(can_launch(&mut w, B, &img.id));
    assert!(w.ok(|c| c.call(&owner, &RemoveLaunchPermission::new(&img.id, &account(B)))));
    assert!(!w.ok(|c| c.call(&owner, &RemoveLaunchPermission::new(&img.id, &account(B)))));
    assert!(!can_launch(&mut w, B, &img.id));
}

#[test]
fn organization_permission_reaches_exactly_the_accounts_declared_in_it() {
    let mut w = World::new();
    let owner = at(A, USE1);
    declare(&mut w, B, Some(ORG), None);
    declare(&mut w, C, Some(OTHER_ORG), None);
    // Declaring only an OU puts the account in the OU's organization.
    let e = "555555555555";
    declare(&mut w, e, None, Some(OU2));
    let img = register(&mut w.cloud, &owner, "web");
    w.ok(|c| {
        c.call(
            &owner,
            &AddLaunchPermission::new(&img.id, &Principal::Organization(ORG.into())),
        )
    });
    assert!(can_launch(&mut w, B, &img.id));
    assert!(can_launch(&mut w, e, &img.id));
    assert!(!can_launch(&mut w, C, &img.id), "another organization");
    assert!(
        !can_launch(&mut w, D, &img.id),
        "an account declared nowhere"
    );
}

#[test]
fn ou_permission_reaches_exactly_the_accounts_declared_in_that_ou() {
    let mut w = World::new();
    let owner = at(A, USE1);
    declare(&mut w, B, Some(ORG), Some(OU1));
    declare(&mut w, C, Some(ORG), Some(OU2));
    let e = "555555555555";
    declare(&mut w, e, Some(ORG), None);
    let img = register(&mut w.cloud, &owner, "web");
    w.ok(|c| {
        c.call(
            &owner,
            &AddLaunchPermission::new(&img.id, &Principal::OrganizationalUnit(OU1.into())),
        )
    });
    assert!(can_launch(&mut w, B, &img.id));
    assert!(
        !can_launch(&mut w, C, &img.id),
        "another OU of the same organization"
    );
    assert!(
        !can_launch(&mut w, e, &img.id),
        "in the organization but in no declared OU"
    );
    assert!(
        !can_launch(&mut w, D, &img.id),
        "an account declared nowhere"
    );
}

#[test]
fn public_image_is_launchable_by_every_account() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = register(&mut w.cloud, &owner, "web");
    unblock(&mut w.cloud, &owner);
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &public())));
    for who in [B, C, D, "987654321098"] {
        assert!(can_launch(&mut w, who, &img.id), "{who}");
    }
    assert!(w.ok(|c| c.image_details(&img)).public);
}

#[test]
fn catalogue_images_are_public_in_every_region() {
    let mut w = World::new();
    for region in [USE1, USW2, EUW1, "ap-southeast-2", "sa-east-1"] {
        let me = at(D, region);
        for name in [UBUNTU, WINDOWS, WORDPRESS] {
            let img = catalogue(&mut w.cloud, &me, name);
            assert!(w.ok(|c| c.image_details(&img)).public);
            assert!(amisim_simulator::inventory::is_catalogue_account(
                &img.owner_id
            ));
        }
    }
}

#[test]
fn conflicting_organization_declaration_is_refused() {
    let mut w = World::new();
    declare(&mut w, B, Some(ORG), Some(OU1));
    // The same declaration again is fine, and so is one that says less.
    declare(&mut w, B, Some(ORG), Some(OU1));
    declare(&mut w, B, Some(ORG), None);
    let me = at(B, USE1);
    w.refused("InvalidParameterCombination", |c| {
        c.call(
            &me,
            &DeclareAccount {
                organization_arn: Some(OTHER_ORG.into()),
                organizational_unit_arn: None,
            },
        )
    });
    w.refused("InvalidParameterCombination", |c| {
        c.call(
            &me,
            &DeclareAccount {
                organization_arn: None,
                organizational_unit_arn: Some(OU2.into()),
            },
        )
    });
}

#[test]
fn organization_declaration_must_use_full_arns() {
    let mut w = World::new();
    let me = at(B, USE1);
    w.refused("InvalidParameterValue", |c| {
        c.call(
            &me,
            &DeclareAccount {
                organization_arn: Some("o-abc1234567".into()),
                organizational_unit_arn: None,
            },
        )
    });
    // An OU of another organization than the one declared.
    w.refused("InvalidParameterCombination", |c| {
        c.call(
            &me,
            &DeclareAccount {
                organization_arn: Some(OTHER_ORG.into()),
                organizational_unit_arn: Some(OU1.into()),
            },
        )
    });
}

#[test]
fn malformed_account_principal_is_an_invalid_attribute_item_value() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = register(&mut w.cloud, &owner, "web");
    for bad in [
        account("12345"),
        account("1234567890123"),
        account("abcdefghijkl"),
        account(""),
        Principal::Group("everyone".into()),
        Principal::Organization("o-abc1234567".into()),
        Principal::Organization(OU1.into()),
        Principal::OrganizationalUnit(ORG.into()),
    ] {
        w.refused("InvalidAMIAttributeItemValue", |c| {
            c.call(&owner, &AddLaunchPermission::new(&img.id, &bad))
        });
    }
    assert!(launch_permissions(&mut w.cloud, &img.id).is_empty());
}

#[test]
fn permission_of_a_deregistered_image_reads_as_gone() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = register(&mut w.cloud, &owner, "web");
    let p = w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
    assert_eq!(p.id, format!("{}/{B}", img.id));
    assert_eq!(
        w.ok(|c| c.call(&owner, &DescribeLaunchPermission::new(&img.id, &account(B)))),
        Some(p)
    );
    w.ok(|c| c.call(&owner, &DeregisterImage::new(&img.id, false)));
    assert_eq!(
        w.ok(|c| c.call(&owner, &DescribeLaunchPermission::new(&img.id, &account(B)))),
        None
    );
}

#[test]
fn a_grantee_cancels_a_share_made_to_its_account() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let grantee = at(B, USE1);
    let img = register(&mut w.cloud, &owner, "web");
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(C))));
    let before = w.cloud.events(0).unwrap();
    w.ok(|c| c.call(&grantee, &CancelLaunchPermission::new(&img.id)));
    // One event, as the grantee, naming the image.
    let added = new_events(&before, &w.cloud.events(0).unwrap());
    assert_eq!(added.len(), 1);
    assert_eq!(
        (added[0].action.as_str(), added[0].account_id.as_str()),
        ("CancelImageLaunchPermission", B)
    );
    assert_eq!(added[0].resource_id.as_deref(), Some(img.id.as_str()));
    // The owner sees the permission gone, and the other grantee's kept.
    let left: Vec<Principal> = w
        .ok(|c| {
            c.call(
                &owner,
                &DescribeLaunchPermissions {
                    image_id: img.id.clone(),
                },
            )
        })
        .into_iter()
        .map(|p| p.principal)
        .collect();
    assert_eq!(left, [account(C)]);
    assert!(!can_launch(&mut w, B, &img.id));
    assert!(can_launch(&mut w, C, &img.id));
    // Once cancelled there is nothing left to cancel; the owner may share again.
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(&grantee, &CancelLaunchPermission::new(&img.id))
    });
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
    assert!(can_launch(&mut w, B, &img.id));
}

#[test]
fn only_a_share_to_the_account_itself_can_be_cancelled() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = register(&mut w.cloud, &owner, "web");
    // The owner has no share of its own.
    w.refused("InvalidParameter", |c| {
        c.call(&owner, &CancelLaunchPermission::new(&img.id))
    });
    // An image shared with the account's organization stays shared.
    declare(&mut w, B, Some(ORG), None);
    w.ok(|c| {
        c.call(
            &owner,
            &AddLaunchPermission::new(&img.id, &Principal::Organization(ORG.into())),
        )
    });
    w.refused("InvalidPermission.NotFound", |c| {
        c.call(&at(B, USE1), &CancelLaunchPermission::new(&img.id))
    });
    // So does a public image.
    unblock(&mut w.cloud, &owner);
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &public())));
    w.refused("InvalidPermission.NotFound", |c| {
        c.call(&at(C, USE1), &CancelLaunchPermission::new(&img.id))
    });
    assert!(can_launch(&mut w, C, &img.id));
    // An image not shared with the account, or in another region, is not found.
    let private = register(&mut w.cloud, &owner, "private");
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(&at(D, USE1), &CancelLaunchPermission::new(&private.id))
    });
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&private.id, &account(D))));
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(&at(D, USW2), &CancelLaunchPermission::new(&private.id))
    });
    w.refused("InvalidAMIID.Malformed", |c| {
        c.call(&at(D, USE1), &CancelLaunchPermission::new("not-an-image"))
    });
}
