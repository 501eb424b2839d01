//! Storing an image as an object in a bucket and restoring it: the object is
//! the caller's, billed as S3 storage, and a restore makes a new image.

use amisim_simulator::{
    AddLaunchPermission, AddStoragePermission, BillCategory, DeleteStoredImage,
    DescribeStoreImageTasks, GetImageAncestry, ListStoredImages, RegisterImage, RestoreImage,
    StoreImage,
};

use crate::common::*;

fn store(image_id: &str, bucket: &str) -> StoreImage {
    StoreImage {
        image_id: image_id.into(),
        bucket: bucket.into(),
        ..StoreImage::default()
    }
}

fn restore(bucket: &str, key: &str, name: Option<&str>) -> RestoreImage {
    RestoreImage {
        bucket: bucket.into(),
        object_key: key.into(),
        name: name.map(str::to_string),
        ..RestoreImage::default()
    }
}

fn s3_gb(w: &mut World, account: &str) -> i64 {
    w.cloud
        .bill(Some(account))
        .unwrap()
        .iter()
        .flat_map(|b| b.lines.iter())
        .filter(|l| l.category == BillCategory::S3StoredImages)
        .map(|l| l.quantity)
        .sum()
}

#[test]
fn an_image_is_stored_as_one_object_billed_as_s3_and_restored_as_a_new_image() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = register(&mut w.cloud, &owner, "golden");
    let stored = w.ok(|c| c.call(&owner, &store(&img.id, "my-ami-archive")));
    assert_eq!(stored.object_key, format!("{}.bin", img.id));
    assert_eq!(
        (stored.size_gb, stored.name.as_str()),
        (img.size_gb, "golden")
    );
    let tasks = w.ok(|c| c.call(&owner, &DescribeStoreImageTasks::default()));
    assert_eq!(tasks, std::slice::from_ref(&stored));
    assert_eq!(s3_gb(&mut w, A), img.size_gb);
    // The name is the account's in the region: the restore takes another.
    w.refused("InvalidAMIName.Duplicate", |c| {
        c.call(&owner, &restore("my-ami-archive", &stored.object_key, None))
    });
    let back = w.ok(|c| {
        c.call(
            &owner,
            &restore(
                "my-ami-archive",
                &stored.object_key,
                Some("golden-restored"),
            ),
        )
    });
    assert_ne!(back.id, img.id);
    assert_eq!((back.owner_id.as_str(), back.size_gb), (A, img.size_gb));
    assert_eq!(back.source_image_id.as_deref(), Some(img.id.as_str()));
    assert_eq!(back.restored_from, Some(stored.id.clone()));
    assert!(
        back.creation_date > stored.task_start_time,
        "dated after its object"
    );
    let chain = w.ok(|c| c.call(&owner, &GetImageAncestry::new(&back.id)));
    assert_eq!(chain[1].image_id, img.id);
    w.ok(|c| c.call(&owner, &launch(&back.id, "t3.micro")));
    // Deleting the object ends its charge; it cannot be restored again.
    assert!(w.ok(|c| {
        c.call(
            &owner,
            &DeleteStoredImage {
                bucket: "my-ami-archive".into(),
                object_key: stored.object_key.clone(),
            },
        )
    }));
    assert_eq!(s3_gb(&mut w, A), 0);
    w.refused("InvalidParameterValue", |c| {
        c.call(
            &owner,
            &restore("my-ami-archive", &stored.object_key, Some("again")),
        )
    });
}

#[test]
fn a_bucket_is_its_accounts_in_its_region_and_holds_an_image_once() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = register(&mut w.cloud, &owner, "golden");
    for bad in ["ab", "Upper-Case", "-starts-with-dash", "two..dots"] {
        w.refused("InvalidParameterValue", |c| {
            c.call(&owner, &store(&img.id, bad))
        });
    }
    let stored = w.ok(|c| c.call(&owner, &store(&img.id, "archive")));
    w.refused("InvalidParameter", |c| {
        c.call(&owner, &store(&img.id, "archive"))
    });
    // Another account's bucket, and one of another region, are refused.
    let theirs = register(&mut w.cloud, &at(B, USE1), "theirs");
    w.refused("AccessDenied", |c| {
        c.call(&at(B, USE1), &store(&theirs.id, "archive"))
    });
    w.refused("AccessDenied", |c| {
        c.call(
            &at(B, USE1),
            &restore("archive", &stored.object_key, Some("stolen")),
        )
    });
    let west = register(&mut w.cloud, &at(A, USW2), "west");
    w.refused("InvalidParameterValue", |c| {
        c.call(&at(A, USW2), &store(&west.id, "archive"))
    });
    // At most 20 images per DescribeStoreImageTasks; tasks are listed 31 days.
    let many: Vec<String> = (0..21).map(|n| format!("ami-{n:017x}")).collect();
    w.refused("InvalidParameterValue", |c| {
        c.call(&owner, &DescribeStoreImageTasks { image_ids: many })
    });
    w.later(32 * 86_400);
    assert!(w
        .ok(|c| c.call(&owner, &DescribeStoreImageTasks::default()))
        .is_empty());
    assert_eq!(s3_gb(&mut w, A), 8, "the object stays, and is billed");
    let listed = w.ok(|c| {
        c.call(
            &owner,
            &ListStoredImages {
                bucket: Some("archive".into()),
            },
        )
    });
    assert_eq!(listed, std::slice::from_ref(&stored));
    assert!(w
        .ok(|c| c.call(&at(B, USE1), &ListStoredImages::default()))
        .is_empty());
}

#[test]
fn only_an_image_owned_or_shared_directly_with_its_snapshots_can_be_stored() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let other = at(B, USE1);
    let img = register(&mut w.cloud, &owner, "golden");
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
    w.refused("AuthFailure", |c| {
        c.call(&other, &store(&img.id, "b-archive"))
    });
    for sid in &img.storage_ids {
        w.ok(|c| c.call(&owner, &AddStoragePermission::new(sid, B)));
    }
    w.ok(|c| c.call(&other, &store(&img.id, "b-archive")));
    // A public image is not shared with the account itself.
    let al = catalogue(&mut w.cloud, &other, AL2023_ARM);
    w.refused("AuthFailure", |c| {
        c.call(&other, &store(&al.id, "b-archive"))
    });
    // Only EBS-backed images are stored.
    let legacy = w.ok(|c| {
        c.call(
            &owner,
            &RegisterImage {
                root_device_type: Some("instance-store".into()),
                root_volume_size_gb: Some(10),
                ..image("legacy")
            },
        )
    });
    w.refused("UnsupportedOperation", |c| {
        c.call(&owner, &store(&legacy.id, "archive"))
    });
}
