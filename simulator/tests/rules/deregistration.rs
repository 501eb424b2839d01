//! Deregistration: no new launches, copies or shares; everything already made
//! from the image stays; its launch permissions go; its storage stays unless
//! deleted.

use amisim_simulator::{ImageState, InstanceState, ModifyImage};

use crate::common::*;
use amisim_simulator::{
    AddLaunchPermission, AddStoragePermission, DeleteSnapshot, DeleteVolume, DeregisterImage,
    DescribeImage, DescribeInstance, StartInstance, StopInstance,
};

#[test]
fn deregistered_image_cannot_launch_new_instances() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "web");
    assert!(w.ok(|c| c.call(&me, &DeregisterImage::new(&img.id, false))));
    let err = w.refused("InvalidAMIID.Unavailable", |c| {
        c.call(&me, &launch(&img.id, "t3.micro"))
    });
    assert!(err.message.contains(&img.id), "{err}");
}

#[test]
fn deregistration_leaves_running_instances_running() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "web");
    let mine = w.ok(|c| c.call(&me, &launch(&img.id, "t3.micro")));
    w.ok(|c| c.call(&me, &AddLaunchPermission::new(&img.id, &account(B))));
    let theirs = w.ok(|c| c.call(&at(B, USE1), &launch(&img.id, "t3.micro")));
    w.ok(|c| c.call(&me, &DeregisterImage::new(&img.id, true)));
    let mine_now = w
        .ok(|c| c.call(&me, &DescribeInstance::new(&mine.id)))
        .expect("still there");
    assert_eq!(mine_now, mine);
    let theirs_now = w
        .ok(|c| c.call(&at(B, USE1), &DescribeInstance::new(&theirs.id)))
        .expect("still there");
    assert_eq!(theirs_now.state, InstanceState::Running);
    // They can still be stopped and started.
    w.ok(|c| c.call(&me, &StopInstance::new(&mine.id)));
    w.ok(|c| c.call(&me, &StartInstance::new(&mine.id)));
}

#[test]
fn deregistration_leaves_copies_usable() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "web");
    let copy = w.ok(|c| c.call(&at(A, USW2), &copy_of(&img, "web")));
    let same_region = w.ok(|c| c.call(&me, &copy_of(&img, "web-2")));
    w.ok(|c| c.call(&me, &DeregisterImage::new(&img.id, true)));
    for (who, cp) in [(at(A, USW2), &copy), (me.clone(), &same_region)] {
        let now = w
            .ok(|c| c.call(&who, &DescribeImage::new(&cp.id)))
            .expect("copy");
        assert_eq!(&now, cp);
        for sid in &cp.storage_ids {
            assert!(
                storage(&mut w.cloud, sid).is_some(),
                "the copy's storage stays"
            );
        }
        w.ok(|c| c.call(&who, &launch(&cp.id, "t3.micro")));
    }
}

#[test]
fn deregistration_keeps_snapshots_unless_deleted() {
    let mut w = World::new();
    let me = at(A, USE1);
    let kept = register(&mut w.cloud, &me, "kept");
    let deleted = register(&mut w.cloud, &me, "deleted");
    w.ok(|c| c.call(&me, &AddStoragePermission::new(&deleted.storage_ids[0], B)));
    w.ok(|c| c.call(&me, &DeregisterImage::new(&kept.id, false)));
    w.ok(|c| c.call(&me, &DeregisterImage::new(&deleted.id, true)));
    assert!(storage(&mut w.cloud, &kept.storage_ids[0]).is_some());
    assert!(storage(&mut w.cloud, &deleted.storage_ids[0]).is_none());
    // The permissions of deleted storage go with it.
    let perms = w
        .cloud
        .store()
        .read(|tx| {
            tx.list::<amisim_simulator::StoragePermission>(
                amisim_simulator::store::Filter::default(),
            )
        })
        .unwrap();
    assert!(perms.is_empty(), "{perms:?}");
}

#[test]
fn deregistration_removes_the_launch_permissions() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "web");
    w.ok(|c| c.call(&me, &AddLaunchPermission::new(&img.id, &account(B))));
    unblock(&mut w.cloud, &me);
    w.ok(|c| c.call(&me, &AddLaunchPermission::new(&img.id, &public())));
    assert_eq!(launch_permissions(&mut w.cloud, &img.id).len(), 2);
    w.ok(|c| c.call(&me, &DeregisterImage::new(&img.id, false)));
    assert!(launch_permissions(&mut w.cloud, &img.id).is_empty());
    // For the accounts it was shared with the image is gone, and launching it is refused as unavailable.
    assert_eq!(
        w.ok(|c| c.call(&at(B, USE1), &DescribeImage::new(&img.id))),
        None
    );
    w.refused("InvalidAMIID.Unavailable", |c| {
        c.call(&at(C, USE1), &launch(&img.id, "t3.micro"))
    });
    // For the owner it reads as deregistered.
    let seen = w
        .ok(|c| c.call(&me, &DescribeImage::new(&img.id)))
        .expect("own image");
    assert_eq!(seen.state, ImageState::Deregistered);
    assert!(seen.deregistration_time.is_some());
}

#[test]
fn deregistering_twice_is_not_an_error() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "web");
    assert!(w.ok(|c| c.call(&me, &DeregisterImage::new(&img.id, false))));
    let before = w.dump();
    assert!(!w.ok(|c| c.call(&me, &DeregisterImage::new(&img.id, false))));
    assert!(!w.ok(|c| c.call(&me, &DeregisterImage::new(&img.id, true))));
    assert!(!w.ok(|c| c.call(&me, &DeregisterImage::new("ami-0123456789abcdef0", true))));
    // A no-op changes the store no more than the clock and the log.
    let ignore_clock = |d: Vec<String>| -> Vec<String> {
        d.into_iter()
            .filter(|l| !l.starts_with("meta: clock"))
            .collect()
    };
    assert_same_dump(&ignore_clock(before), &ignore_clock(w.dump()));
    assert!(storage(&mut w.cloud, &img.storage_ids[0]).is_some());
}

#[test]
fn a_delete_refusing_what_is_not_there_says_why_and_changes_nothing() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "web");
    w.ok(|c| c.call(&me, &DeregisterImage::new(&img.id, false)));
    // Each refusal changes nothing but the log, which holds it with its code.
    w.refused("InvalidAMIID.Unavailable", |c| {
        c.call(&me, &DeregisterImage::new(&img.id, true).refusing_absent())
    });
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(
            &me,
            &DeregisterImage::new("ami-0123456789abcdef0", true).refusing_absent(),
        )
    });
    // Another account's image, not shared with it: not found, as AWS answers.
    let other = register(&mut w.cloud, &me, "other");
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(
            &at(B, USE1),
            &DeregisterImage::new(&other.id, true).refusing_absent(),
        )
    });
    w.refused("InvalidSnapshot.NotFound", |c| {
        c.call(
            &me,
            &DeleteSnapshot::new("snap-0123456789abcdef0").refusing_absent(),
        )
    });
    w.refused("InvalidVolume.NotFound", |c| {
        c.call(
            &me,
            &DeleteVolume::new("vol-0123456789abcdef0").refusing_absent(),
        )
    });
}

#[test]
fn deregistered_image_cannot_be_shared_or_changed() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "web");
    w.ok(|c| c.call(&me, &DeregisterImage::new(&img.id, false)));
    w.refused("InvalidAMIID.Unavailable", |c| {
        c.call(&me, &AddLaunchPermission::new(&img.id, &account(B)))
    });
    w.refused("InvalidAMIID.Unavailable", |c| {
        c.call(
            &me,
            &ModifyImage {
                image_id: img.id.clone(),
                description: Some("new".into()),
                ..ModifyImage::default()
            },
        )
    });
}

#[test]
fn only_the_owner_can_deregister() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "web");
    w.ok(|c| c.call(&me, &AddLaunchPermission::new(&img.id, &account(B))));
    w.refused("AuthFailure", |c| {
        c.call(&at(B, USE1), &DeregisterImage::new(&img.id, true))
    });
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(&at(C, USE1), &DeregisterImage::new(&img.id, true))
    });
    let ubuntu = catalogue(&mut w.cloud, &me, UBUNTU);
    w.refused("AuthFailure", |c| {
        c.call(&me, &DeregisterImage::new(&ubuntu.id, true))
    });
    assert!(stored_image(&mut w.cloud, &img.id).is_available());
}
