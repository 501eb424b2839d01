//! Describing storage: a caller sees its own snapshots and those shared with
//! it, names only snapshots it may read, and sees its instances' root
//! volumes while they exist.

use amisim_simulator::{
    AddStoragePermission, DescribeSnapshots, DescribeStoragePermissions, DescribeVolumes,
    TerminateInstance,
};

use crate::common::*;

fn described(w: &mut World, who: &str, ids: &[&str], owners: &[&str]) -> Vec<String> {
    let request = DescribeSnapshots {
        snapshot_ids: ids.iter().map(|i| i.to_string()).collect(),
        owners: owners.iter().map(|o| o.to_string()).collect(),
    };
    let found = w.ok(|c| c.call(&at(who, USE1), &request));
    found.into_iter().map(|s| s.id).collect()
}

#[test]
fn a_snapshot_is_seen_by_its_owner_and_by_accounts_it_is_shared_with() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = w.ok(|c| c.call(&owner, &image("web")));
    let snap = img.storage_ids[0].clone();
    assert_eq!(described(&mut w, A, &[], &["self"]), vec![snap.clone()]);
    assert_eq!(described(&mut w, A, &[&snap], &[]), vec![snap.clone()]);
    // B neither lists it nor may name it, until A shares it.
    assert!(described(&mut w, B, &[], &[]).is_empty());
    w.refused("InvalidSnapshot.NotFound", |c| {
        c.call(
            &at(B, USE1),
            &DescribeSnapshots {
                snapshot_ids: vec![snap.clone()],
                ..DescribeSnapshots::default()
            },
        )
    });
    w.ok(|c| c.call(&owner, &AddStoragePermission::new(&snap, B)));
    assert_eq!(described(&mut w, B, &[&snap], &[]), vec![snap.clone()]);
    assert_eq!(described(&mut w, B, &[], &[A]), vec![snap.clone()]);
    assert!(described(&mut w, B, &[], &["self"]).is_empty());
    // Only the owner reads who may read it.
    let request = DescribeStoragePermissions {
        storage_id: snap.clone(),
    };
    let permissions = w.ok(|c| c.call(&owner, &request));
    assert_eq!(permissions.len(), 1);
    w.refused("AuthFailure", |c| c.call(&at(B, USE1), &request));
    // Another region has its own snapshots.
    let west = w.ok(|c| {
        c.call(
            &at(A, USW2),
            &DescribeSnapshots {
                owners: vec!["self".into()],
                ..DescribeSnapshots::default()
            },
        )
    });
    assert!(west.is_empty());
}

#[test]
fn an_instance_root_volume_is_attached_until_the_instance_terminates() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = w.ok(|c| c.call(&me, &image("web")));
    let i = w.ok(|c| c.call(&me, &launch(&img.id, "t3.micro")));
    let volumes = w.ok(|c| c.call(&me, &DescribeVolumes::default()));
    assert_eq!(volumes.len(), 1);
    let v = &volumes[0];
    assert!(v.id.starts_with("vol-") && v.id.len() == 21, "{}", v.id);
    assert_eq!(v.attached_to.as_deref(), Some(i.id.as_str()));
    assert_eq!(v.snapshot_id.as_deref(), Some(img.storage_ids[0].as_str()));
    assert!(v.delete_on_termination);
    // B has no volumes and may not name A's.
    assert!(w
        .ok(|c| c.call(&at(B, USE1), &DescribeVolumes::default()))
        .is_empty());
    w.refused("InvalidVolume.NotFound", |c| {
        c.call(
            &at(B, USE1),
            &DescribeVolumes {
                volume_ids: vec![v.id.clone()],
            },
        )
    });
    w.ok(|c| c.call(&me, &TerminateInstance::new(&i.id)));
    assert!(w
        .ok(|c| c.call(&me, &DescribeVolumes::default()))
        .is_empty());
}
