//! Sharing an image: only the owner shares, sharing never changes ownership,
//! and public images are limited.

use amisim_simulator::{ModifyImage, Principal};

use crate::common::*;
use amisim_simulator::{
    AddLaunchPermission, AddStoragePermission, CreateGrant, DeregisterImage, DescribeImage,
    DescribeStoragePermission, RemoveLaunchPermission, RevokeGrant,
};

#[test]
fn sharing_never_changes_ownership() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let other = at(B, USE1);
    let img = register(&mut w.cloud, &owner, "web");
    let p = w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
    assert_eq!(p.owner_id, A);
    unblock(&mut w.cloud, &owner);
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &public())));
    let seen = w
        .ok(|c| c.call(&other, &DescribeImage::new(&img.id)))
        .expect("shared");
    assert_eq!(seen.owner_id, A);
    assert_eq!(stored_image(&mut w.cloud, &img.id).owner_id, A);
    // The grantee got launch rights only: it cannot change, share or deregister the image.
    w.refused("AuthFailure", |c| {
        c.call(
            &other,
            &ModifyImage {
                image_id: img.id.clone(),
                description: Some("mine now".into()),
                ..ModifyImage::default()
            },
        )
    });
    w.refused("AuthFailure", |c| {
        c.call(&other, &DeregisterImage::new(&img.id, true))
    });
    // Its storage was not shared with the grantee: to it, the snapshot does not exist.
    for sid in &img.storage_ids {
        let err = w.refused("InvalidSnapshot.NotFound", |c| {
            c.call(&other, &AddStoragePermission::new(sid, C))
        });
        assert!(!err.to_string().contains(A), "{err}");
    }
    // An instance the grantee launches is the grantee's, the image stays the owner's.
    let i = w.ok(|c| c.call(&other, &launch(&img.id, "t3.micro")));
    assert_eq!(i.owner_id, B);
    assert_eq!(stored_image(&mut w.cloud, &img.id).owner_id, A);
    // Imaging that instance is a copy in all but name, without any storage
    // permission: sharing an image gives it away.
    let taken = w.ok(|c| {
        c.call(
            &other,
            &amisim_simulator::CreateImage {
                instance_id: i.id.clone(),
                name: "taken".into(),
                ..Default::default()
            },
        )
    });
    assert_eq!(taken.owner_id, B);
    assert_eq!(taken.source_instance_id.as_deref(), Some(i.id.as_str()));
    w.ok(|c| c.call(&owner, &RemoveLaunchPermission::new(&img.id, &account(B))));
    w.ok(|c| c.call(&owner, &RemoveLaunchPermission::new(&img.id, &public())));
    w.ok(|c| c.call(&other, &launch(&taken.id, "t3.micro")));
}

#[test]
fn only_the_owner_can_share() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let other = at(B, USE1);
    let img = register(&mut w.cloud, &owner, "web");
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
    // Visible to B through the permission, but B is not the owner.
    w.refused("AuthFailure", |c| {
        c.call(&other, &AddLaunchPermission::new(&img.id, &account(C)))
    });
    w.refused("AuthFailure", |c| {
        c.call(&other, &AddLaunchPermission::new(&img.id, &public()))
    });
    w.refused("AuthFailure", |c| {
        c.call(&other, &RemoveLaunchPermission::new(&img.id, &account(B)))
    });
    // A public catalogue image is visible to everyone and shareable by no one.
    let ubuntu = catalogue(&mut w.cloud, &other, UBUNTU);
    w.refused("AuthFailure", |c| {
        c.call(&other, &AddLaunchPermission::new(&ubuntu.id, &account(C)))
    });
    // An account that cannot even see the image is told it does not exist.
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(
            &at(C, USE1),
            &AddLaunchPermission::new(&img.id, &account(C)),
        )
    });
}

#[test]
fn at_most_five_public_images_per_account_and_region() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let mut images = Vec::new();
    for n in 0..7 {
        images.push(register(&mut w.cloud, &owner, &format!("public-{n}")));
    }
    unblock(&mut w.cloud, &owner);
    for img in &images[..5] {
        w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &public())));
    }
    // Making a public image public again is a duplicate, not a sixth.
    w.refused("InvalidPermission.Duplicate", |c| {
        c.call(&owner, &AddLaunchPermission::new(&images[0].id, &public()))
    });
    let err = w.refused("ResourceLimitExceeded", |c| {
        c.call(&owner, &AddLaunchPermission::new(&images[5].id, &public()))
    });
    assert!(err.message.contains('5'), "{err}");
    // Sharing with accounts is not limited.
    w.ok(|c| {
        c.call(
            &owner,
            &AddLaunchPermission::new(&images[5].id, &account(B)),
        )
    });
    w.ok(|c| {
        c.call(
            &owner,
            &AddLaunchPermission::new(&images[5].id, &Principal::Organization(ORG.into())),
        )
    });

    // The limit is per region and per account.
    let west = at(A, USW2);
    unblock(&mut w.cloud, &west);
    for n in 0..5 {
        let img = register(&mut w.cloud, &west, &format!("public-{n}"));
        w.ok(|c| c.call(&west, &AddLaunchPermission::new(&img.id, &public())));
    }
    let b = at(B, USE1);
    unblock(&mut w.cloud, &b);
    let bimg = register(&mut w.cloud, &b, "public-b");
    w.ok(|c| c.call(&b, &AddLaunchPermission::new(&bimg.id, &public())));

    // Making one private frees a place; so does deregistering one.
    assert!(w.ok(|c| c.call(
        &owner,
        &RemoveLaunchPermission::new(&images[0].id, &public())
    )));
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&images[5].id, &public())));
    w.refused("ResourceLimitExceeded", |c| {
        c.call(&owner, &AddLaunchPermission::new(&images[6].id, &public()))
    });
    assert!(w.ok(|c| c.call(&owner, &DeregisterImage::new(&images[1].id, false))));
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&images[6].id, &public())));
}

#[test]
fn storage_permission_is_only_for_the_storage_owner_and_a_valid_account() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = register(&mut w.cloud, &owner, "web");
    let sid = img.storage_ids[0].clone();
    w.refused("InvalidParameterValue", |c| {
        c.call(&owner, &AddStoragePermission::new(&sid, "12345"))
    });
    w.refused("InvalidSnapshot.NotFound", |c| {
        c.call(&at(A, USW2), &AddStoragePermission::new(&sid, B))
    });
    w.refused("InvalidSnapshot.NotFound", |c| {
        c.call(
            &owner,
            &AddStoragePermission::new("snap-0123456789abcdef0", B),
        )
    });
    // A non-owner that cannot read the storage is told it does not exist, as
    // a missing one, with nothing that names its owner.
    let err = w.refused("InvalidSnapshot.NotFound", |c| {
        c.call(&at(B, USE1), &AddStoragePermission::new(&sid, C))
    });
    assert!(!err.to_string().contains(A), "{err}");
    let p = w.ok(|c| c.call(&owner, &AddStoragePermission::new(&sid, B)));
    assert_eq!((p.owner_id.as_str(), p.account_id.as_str()), (A, B));
    // One that may read it may still not share it.
    let err = w.refused("AuthFailure", |c| {
        c.call(&at(B, USE1), &AddStoragePermission::new(&sid, C))
    });
    assert!(
        err.message.contains("another account") && !err.to_string().contains(A),
        "{err}"
    );
    assert_eq!(
        w.ok(|c| c.call(&owner, &DescribeStoragePermission::new(&sid, B))),
        Some(p)
    );
}

#[test]
fn a_permission_or_grant_that_exists_already_is_a_duplicate_never_taken_over() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = register(&mut w.cloud, &owner, "shared");
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
    let err = w.refused("InvalidPermission.Duplicate", |c| {
        c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B)))
    });
    assert_eq!(err.existing, Some(format!("{B}/{}", img.id)), "{err}");

    let snap = img.storage_ids[0].clone();
    w.ok(|c| c.call(&owner, &AddStoragePermission::new(&snap, B)));
    let err = w.refused("InvalidPermission.Duplicate", |c| {
        c.call(&owner, &AddStoragePermission::new(&snap, B))
    });
    assert_eq!(err.existing, Some(format!("{snap}/{B}")), "{err}");

    let key = w.ok(|c| c.call(&owner, &amisim_simulator::CreateKey::default()));
    w.ok(|c| c.call(&owner, &CreateGrant::new(&key.id, B)));
    let err = w.refused("InvalidPermission.Duplicate", |c| {
        c.call(&owner, &CreateGrant::new(&key.id, B))
    });
    assert_eq!(err.existing, Some(format!("{}/{B}", key.id)), "{err}");
    // Removing the one that exists makes room again.
    assert!(w.ok(|c| c.call(&owner, &RevokeGrant::new(&key.id, B))));
    w.ok(|c| c.call(&owner, &CreateGrant::new(&key.id, B)));
}

#[test]
fn one_modify_image_attribute_changes_everything_or_nothing() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = register(&mut w.cloud, &owner, "web");
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
    // Public sharing is blocked in a new account: the whole request is
    // refused, and the account listed before the group is not shared with.
    w.refused("OperationNotPermitted", |c| {
        c.call(
            &owner,
            &ModifyImage {
                image_id: img.id.clone(),
                description: Some("half done".into()),
                launch_permission_add: vec![account(C), public()],
                ..ModifyImage::default()
            },
        )
    });
    // Adding what is there already keeps it; one call, one event.
    let before = w.cloud.events(0).unwrap();
    let changed = w.ok(|c| {
        c.call(
            &owner,
            &ModifyImage {
                image_id: img.id.clone(),
                description: Some("shared with C".into()),
                launch_permission_add: vec![account(B), account(C)],
                launch_permission_remove: vec![account(B)],
                ..ModifyImage::default()
            },
        )
    });
    assert_eq!(changed.description, "shared with C");
    let granted: Vec<Principal> = launch_permissions(&mut w.cloud, &img.id)
        .into_iter()
        .map(|p| p.principal)
        .collect();
    assert_eq!(granted, [account(C)]);
    let added = new_events(&before, &w.cloud.events(0).unwrap());
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].action, "ModifyImageAttribute");
    // Launch permissions alone leave the image as it was.
    let same = w.ok(|c| {
        c.call(
            &owner,
            &ModifyImage {
                image_id: img.id.clone(),
                launch_permission_remove: vec![account(C)],
                ..ModifyImage::default()
            },
        )
    });
    assert_eq!(same.description, "shared with C");
    assert!(launch_permissions(&mut w.cloud, &img.id).is_empty());
}
