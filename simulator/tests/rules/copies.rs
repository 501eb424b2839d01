//! CopyImage: a new, distinct image in the caller's account and region.

use std::collections::BTreeMap;

use amisim_simulator::{CopyImage, ImageState, RegisterImage, StorageKind};

use crate::common::*;
use amisim_simulator::{
    AddLaunchPermission, AddStoragePermission, DeregisterImage, DescribeImage,
    RemoveStoragePermission,
};

fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// An image of A in us-east-1 shared with B, with its storage readable by B.
fn shared_with_b(w: &mut World, req: RegisterImage) -> amisim_simulator::Image {
    let owner = at(A, USE1);
    let img = w.ok(|c| c.call(&owner, &req));
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
    for sid in &img.storage_ids {
        w.ok(|c| c.call(&owner, &AddStoragePermission::new(sid, B)));
    }
    img
}

#[test]
fn copy_is_a_distinct_image_with_new_storage_in_the_destination_region() {
    let mut w = World::new();
    let src = register(&mut w.cloud, &at(A, USE1), "golden-web");
    let west = at(A, USW2);
    let copy = w.ok(|c| c.call(&west, &copy_of(&src, "golden-web")));
    assert_ne!(copy.id, src.id);
    assert!(well_formed(&copy.id, "ami"));
    assert_eq!(copy.region, USW2);
    assert_eq!(
        copy.arn(),
        format!("arn:aws:ec2:us-west-2::image/{}", copy.id)
    );
    assert_eq!(copy.owner_id, A);
    assert_eq!(copy.state, ImageState::Available);
    assert_eq!(copy.source_image_id.as_deref(), Some(src.id.as_str()));
    assert_eq!(copy.source_image_region.as_deref(), Some(USE1));
    assert_eq!(copy.size_gb, src.size_gb);
    assert_eq!(copy.architecture, src.architecture);
    assert_eq!(copy.storage_ids.len(), src.storage_ids.len());
    for sid in &copy.storage_ids {
        assert!(!src.storage_ids.contains(sid), "new storage");
        assert!(well_formed(sid, "snap"));
        let s = storage(&mut w.cloud, sid).expect("the copy's snapshot exists");
        assert_eq!((s.region.as_str(), s.owner_id.as_str()), (USW2, A));
        assert_eq!(s.kind, StorageKind::Snapshot);
        assert_eq!(s.created_for_image, copy.id);
    }
    // The source is untouched.
    assert_eq!(stored_image(&mut w.cloud, &src.id), src);
}

#[test]
fn same_region_copy_is_distinct_and_needs_its_own_name() {
    let mut w = World::new();
    let me = at(A, USE1);
    let src = register(&mut w.cloud, &me, "golden-web");
    w.refused("InvalidAMIName.Duplicate", |c| {
        c.call(&me, &copy_of(&src, "golden-web"))
    });
    let copy = w.ok(|c| c.call(&me, &copy_of(&src, "golden-web-2")));
    assert_ne!(copy.id, src.id);
    assert_eq!(copy.region, USE1);
    assert!(copy
        .storage_ids
        .iter()
        .all(|s| !src.storage_ids.contains(s)));
}

#[test]
fn copy_of_instance_store_image_gets_a_new_bundle() {
    let mut w = World::new();
    let src = w.ok(|c| {
        c.call(
            &at(A, USE1),
            &RegisterImage {
                root_device_type: Some("instance-store".into()),
                ..image("legacy")
            },
        )
    });
    assert!(well_formed(&src.storage_ids[0], "bundle"));
    let copy = w.ok(|c| c.call(&at(A, EUW1), &copy_of(&src, "legacy")));
    assert_eq!(copy.root_device_type.as_str(), "instance-store");
    let s = storage(&mut w.cloud, &copy.storage_ids[0]).expect("a new bundle");
    assert_eq!((s.kind, s.region.as_str()), (StorageKind::Bundle, EUW1));
    assert_ne!(copy.storage_ids, src.storage_ids);
}

#[test]
fn copier_owns_the_copy_of_an_image_shared_by_another_account() {
    let mut w = World::new();
    let src = shared_with_b(&mut w, image("shared-web"));
    let b_west = at(B, USW2);
    let copy = w.ok(|c| c.call(&b_west, &copy_of(&src, "my-web")));
    assert_eq!(copy.owner_id, B);
    assert_eq!(copy.region, USW2);
    for sid in &copy.storage_ids {
        assert_eq!(storage(&mut w.cloud, sid).expect("storage").owner_id, B);
    }
    // The copy is B's own: B may share and deregister it, A cannot see it.
    w.ok(|c| c.call(&b_west, &AddLaunchPermission::new(&copy.id, &account(C))));
    assert_eq!(
        w.ok(|c| c.call(&at(A, USW2), &DescribeImage::new(&copy.id))),
        None
    );
    // The source stays A's.
    assert_eq!(stored_image(&mut w.cloud, &src.id).owner_id, A);
}

#[test]
fn copier_owns_the_copy_of_a_public_catalogue_image() {
    let mut w = World::new();
    let me = at(C, USE1);
    let ubuntu = catalogue(&mut w.cloud, &me, UBUNTU);
    let copy = w.ok(|c| c.call(&at(C, EUW1), &copy_of(&ubuntu, "my-ubuntu")));
    assert_eq!(copy.owner_id, C);
    assert_eq!(copy.owner_alias, None);
    assert_eq!(copy.source_image_id.as_deref(), Some(ubuntu.id.as_str()));
}

#[test]
fn cross_account_copy_needs_storage_read_permission() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let other = at(B, USE1);
    let src = register(&mut w.cloud, &owner, "web");
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&src.id, &account(B))));
    let err = w.refused("InvalidRequest", |c| c.call(&other, &copy_of(&src, "web")));
    assert!(
        err.message
            .starts_with("You do not have permission to access the storage of this ami"),
        "{err}"
    );
    assert!(err.hint.contains("amisim_storage_permission"), "{err}");
    // Permission for another account does not help.
    w.ok(|c| c.call(&owner, &AddStoragePermission::new(&src.storage_ids[0], C)));
    w.refused("InvalidRequest", |c| c.call(&other, &copy_of(&src, "web")));
    // Once the owner lets B read the storage, the copy works.
    w.ok(|c| c.call(&owner, &AddStoragePermission::new(&src.storage_ids[0], B)));
    let copy = w.ok(|c| c.call(&other, &copy_of(&src, "web")));
    assert_eq!(copy.owner_id, B);
    // Taking the permission back stops further copies, not the copy made.
    assert!(w.ok(|c| c.call(
        &owner,
        &RemoveStoragePermission::new(&src.storage_ids[0], B)
    )));
    w.refused("InvalidRequest", |c| {
        c.call(&other, &copy_of(&src, "web-2"))
    });
    assert!(stored_image(&mut w.cloud, &copy.id).is_available());
}

#[test]
fn cross_account_copy_needs_launch_permission_too() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let src = register(&mut w.cloud, &owner, "web");
    w.ok(|c| c.call(&owner, &AddStoragePermission::new(&src.storage_ids[0], B)));
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(&at(B, USE1), &copy_of(&src, "web"))
    });
}

#[test]
fn launch_permissions_and_tags_are_not_copied() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let src = w.ok(|c| {
        c.call(
            &owner,
            &RegisterImage {
                tags: tags(&[("team", "web"), ("stage", "golden")]),
                ..image("web")
            },
        )
    });
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&src.id, &account(B))));
    unblock(&mut w.cloud, &owner);
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&src.id, &public())));
    let untagged = w.ok(|c| c.call(&at(A, USW2), &copy_of(&src, "web")));
    assert!(untagged.tags.is_empty());
    assert!(launch_permissions(&mut w.cloud, &untagged.id).is_empty());
    assert!(!w.ok(|c| c.image_details(&untagged)).public);
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(&at(B, USW2), &launch(&untagged.id, "t3.micro"))
    });
    let tagged = w.ok(|c| {
        c.call(
            &at(A, EUW1),
            &CopyImage {
                tags: tags(&[("copy", "yes")]),
                ..copy_of(&src, "web")
            },
        )
    });
    assert_eq!(tagged.tags, tags(&[("copy", "yes")]));
    // The source keeps its own.
    assert_eq!(launch_permissions(&mut w.cloud, &src.id).len(), 2);
    assert_eq!(stored_image(&mut w.cloud, &src.id).tags, src.tags);
}

#[test]
fn copy_lineage_follows_copies_of_copies() {
    let mut w = World::new();
    let src = register(&mut w.cloud, &at(A, USE1), "web");
    let first = w.ok(|c| c.call(&at(A, USW2), &copy_of(&src, "web")));
    let second = w.ok(|c| c.call(&at(A, EUW1), &copy_of(&first, "web")));
    assert_eq!(second.source_image_id.as_deref(), Some(first.id.as_str()));
    assert_eq!(second.source_image_region.as_deref(), Some(USW2));
    assert_eq!(first.source_image_id.as_deref(), Some(src.id.as_str()));
    assert_eq!(src.source_image_id, None);
    let ids = [&src.id, &first.id, &second.id];
    assert!(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2]);
}

#[test]
fn copy_of_a_deregistered_image_is_unavailable() {
    let mut w = World::new();
    let me = at(A, USE1);
    let src = register(&mut w.cloud, &me, "web");
    w.ok(|c| c.call(&me, &DeregisterImage::new(&src.id, false)));
    w.refused("InvalidAMIID.Unavailable", |c| {
        c.call(&at(A, USW2), &copy_of(&src, "web"))
    });
}

#[test]
fn copy_name_follows_aws_naming_rules() {
    let mut w = World::new();
    let src = register(&mut w.cloud, &at(A, USE1), "web");
    for bad in ["ab", "web*", "näme"] {
        w.refused("InvalidAMIName.Malformed", |c| {
            c.call(&at(A, USW2), &copy_of(&src, bad))
        });
    }
}

#[test]
fn cross_account_copy_of_instance_store_image_needs_bundle_read_permission() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let src = w.ok(|c| {
        c.call(
            &owner,
            &RegisterImage {
                root_device_type: Some("instance-store".into()),
                ..image("legacy")
            },
        )
    });
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&src.id, &account(B))));
    let err = w.refused("InvalidRequest", |c| {
        c.call(&at(B, USW2), &copy_of(&src, "legacy"))
    });
    assert!(err.message.contains(&src.storage_ids[0]), "{err}");
    w.ok(|c| c.call(&owner, &AddStoragePermission::new(&src.storage_ids[0], B)));
    let copy = w.ok(|c| c.call(&at(B, USW2), &copy_of(&src, "legacy")));
    assert_eq!(
        (copy.owner_id.as_str(), copy.root_device_type.as_str()),
        (B, "instance-store")
    );
}

#[test]
fn a_copy_is_never_older_than_its_source() {
    let mut w = World::new();
    let east = at(A, USE1);
    for i in 0..5 {
        register(&mut w.cloud, &east, &format!("filler-{i}"));
    }
    let source = register(&mut w.cloud, &east, "source");
    // The destination scope has made no change yet, so its own clock is behind.
    let copy = w.ok(|c| c.call(&at(A, USW2), &copy_of(&source, "copy")));
    assert!(
        copy.creation_date > source.creation_date,
        "{} > {}",
        copy.creation_date,
        source.creation_date
    );
    let instance = w.ok(|c| c.call(&at(A, USW2), &launch(&copy.id, "t3.micro")));
    assert!(instance.launch_time > source.creation_date);
}
