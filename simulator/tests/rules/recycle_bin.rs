//! The Recycle Bin: rules keep deregistered images and deleted snapshots for a
//! while; they cost storage, come back with the same ID, and expire on the
//! simulated clock.

use amisim_simulator::recycle_bin::CreateRule;
use amisim_simulator::ImageState;

use crate::common::*;
use amisim_simulator::{
    DeleteRule, DeleteSnapshot, DeregisterImage, DescribeImage, GetRule, RestoreFromRecycleBin,
    UpdateRule,
};

const DAY: i64 = 86_400;

fn rule(resource_type: &str, days: i64) -> CreateRule {
    CreateRule {
        resource_type: resource_type.into(),
        retention_period_days: days,
        ..CreateRule::default()
    }
}

#[test]
fn a_deregistered_image_waits_in_the_bin_and_comes_back_with_the_same_id() {
    let mut w = World::new();
    let me = at(A, USE1);
    let r = w.ok(|c| c.call(&me, &rule("EC2_IMAGE", 7)));
    assert_eq!(r.id.len(), 11);
    let img = register(&mut w.cloud, &me, "golden");
    w.ok(|c| c.call(&me, &DeregisterImage::new(&img.id, false)));
    assert_eq!(
        w.ok(|c| c.call(&me, &DescribeImage::new(&img.id)))
            .map(|i| i.state),
        Some(ImageState::Deregistered)
    );
    let bin = w.ok(|c| c.recycle_bin(Some(A)));
    assert_eq!(bin.len(), 1);
    assert_eq!(bin[0].id, img.id);
    assert_eq!(bin[0].resource_type, "EC2_IMAGE");
    // Its snapshots were kept, so they go on costing.
    let bill = w.ok(|c| c.bill(Some(A)));
    assert!(bill[0]
        .lines
        .iter()
        .any(|l| l.category.as_str() == "ebs-snapshot-storage"));
    let back = w.ok(|c| c.call(&me, &RestoreFromRecycleBin::new(&img.id)));
    assert_eq!(back.id, img.id);
    let now = w
        .ok(|c| c.call(&me, &DescribeImage::new(&img.id)))
        .expect("restored");
    assert_eq!(now.state, ImageState::Available);
    w.ok(|c| c.call(&me, &launch(&img.id, "t3.micro")));
    assert!(w.ok(|c| c.recycle_bin(Some(A))).is_empty());
}

#[test]
fn images_expire_when_the_longest_matching_retention_passes() {
    let mut w = World::new();
    let me = at(A, USE1);
    w.ok(|c| c.call(&me, &rule("EC2_IMAGE", 1)));
    w.ok(|c| c.call(&me, &rule("EC2_IMAGE", 3)));
    let img = register(&mut w.cloud, &me, "golden");
    w.ok(|c| c.call(&me, &DeregisterImage::new(&img.id, false)));
    w.later(2 * DAY);
    assert_eq!(
        w.ok(|c| c.recycle_bin(None)).len(),
        1,
        "kept for the longest rule"
    );
    w.later(2 * DAY);
    assert!(w.ok(|c| c.recycle_bin(None)).is_empty());
    let err = w.refused("InvalidAMIID.NotFound", |c| {
        c.call(&me, &RestoreFromRecycleBin::new(&img.id))
    });
    assert!(err.message.contains("deleted for good"), "{err}");
}

#[test]
fn rules_match_by_tags_or_cover_the_region_but_excluded_tags() {
    let mut w = World::new();
    let me = at(A, USE1);
    let mut tagged = rule("EC2_IMAGE", 5);
    tagged.resource_tags.insert("keep".into(), "yes".into());
    w.ok(|c| c.call(&me, &tagged));
    let mut kept = image("kept");
    kept.tags.insert("keep".into(), "yes".into());
    let kept = w.ok(|c| c.call(&me, &kept));
    let plain = register(&mut w.cloud, &me, "plain");
    // Another account's and another region's rules do not apply.
    w.ok(|c| c.call(&at(B, USE1), &rule("EC2_IMAGE", 5)));
    w.ok(|c| c.call(&at(A, USW2), &rule("EC2_IMAGE", 5)));
    w.ok(|c| c.call(&me, &DeregisterImage::new(&kept.id, false)));
    w.ok(|c| c.call(&me, &DeregisterImage::new(&plain.id, false)));
    let bin: Vec<String> = w
        .ok(|c| c.recycle_bin(None))
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(bin, std::slice::from_ref(&kept.id));
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(&me, &RestoreFromRecycleBin::new(&plain.id))
    });

    let mut region = rule("EC2_IMAGE", 5);
    region
        .exclude_resource_tags
        .insert("scratch".into(), "true".into());
    let west = at(A, EUW1);
    w.ok(|c| c.call(&west, &region));
    let mut scratch = image("scratch");
    scratch.tags.insert("scratch".into(), "true".into());
    let scratch = w.ok(|c| c.call(&west, &scratch));
    let other = register(&mut w.cloud, &west, "other");
    w.ok(|c| c.call(&west, &DeregisterImage::new(&scratch.id, false)));
    w.ok(|c| c.call(&west, &DeregisterImage::new(&other.id, false)));
    let bin: Vec<String> = w
        .ok(|c| c.recycle_bin(Some(A)))
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert!(
        bin.contains(&other.id) && !bin.contains(&scratch.id),
        "{bin:?}"
    );
}

#[test]
fn deleted_snapshots_wait_in_the_bin_cost_storage_and_can_be_restored() {
    let mut w = World::new();
    let me = at(A, USE1);
    w.ok(|c| c.call(&me, &rule("EBS_SNAPSHOT", 2)));
    let img = register(&mut w.cloud, &me, "golden");
    let snap = img.storage_ids[0].clone();
    w.ok(|c| c.call(&me, &DeregisterImage::new(&img.id, false)));
    assert!(w.ok(|c| c.call(&me, &DeleteSnapshot::new(&snap))));
    assert!(
        storage(&mut w.cloud, &snap).is_none(),
        "gone for every other call"
    );
    let bin = w.ok(|c| c.recycle_bin(Some(A)));
    assert_eq!(bin.len(), 1);
    assert_eq!(bin[0].resource_type, "EBS_SNAPSHOT");
    let bill = w.ok(|c| c.bill(Some(A)));
    let line = bill[0]
        .lines
        .iter()
        .find(|l| l.category.as_str() == "recycle-bin-storage")
        .expect("the bin costs storage");
    assert_eq!(line.quantity, 8);
    w.ok(|c| c.call(&me, &RestoreFromRecycleBin::new(&snap)));
    assert!(storage(&mut w.cloud, &snap).is_some());
    w.ok(|c| c.call(&me, &DeleteSnapshot::new(&snap)));
    w.later(3 * DAY);
    assert!(w.ok(|c| c.bill(Some(A))).iter().all(|b| b
        .lines
        .iter()
        .all(|l| l.category.as_str() != "recycle-bin-storage")));
    let err = w.refused("InvalidSnapshot.NotFound", |c| {
        c.call(&me, &RestoreFromRecycleBin::new(&snap))
    });
    assert!(err.message.contains("deleted for good"), "{err}");
}

#[test]
fn an_image_whose_snapshots_expired_first_cannot_come_back() {
    let mut w = World::new();
    let me = at(A, USE1);
    w.ok(|c| c.call(&me, &rule("EC2_IMAGE", 7)));
    w.ok(|c| c.call(&me, &rule("EBS_SNAPSHOT", 1)));
    let img = register(&mut w.cloud, &me, "golden");
    w.ok(|c| c.call(&me, &DeregisterImage::new(&img.id, true)));
    w.later(2 * DAY);
    let err = w.refused("IncorrectState", |c| {
        c.call(&me, &RestoreFromRecycleBin::new(&img.id))
    });
    assert!(
        err.message
            .contains("snapshot retention shorter than image retention"),
        "{err}"
    );

    // Without any snapshot rule, the snapshots are gone at once.
    let other = register(&mut w.cloud, &at(A, USW2), "golden");
    w.ok(|c| c.call(&at(A, USW2), &rule("EC2_IMAGE", 7)));
    w.ok(|c| c.call(&at(A, USW2), &DeregisterImage::new(&other.id, true)));
    let err = w.refused("IncorrectState", |c| {
        c.call(&at(A, USW2), &RestoreFromRecycleBin::new(&other.id))
    });
    assert!(err.hint.contains("EBS_SNAPSHOT"), "{err}");
}

#[test]
fn restoring_an_image_restores_its_snapshots_from_the_bin_and_needs_its_name_free() {
    let mut w = World::new();
    let me = at(A, USE1);
    w.ok(|c| c.call(&me, &rule("EC2_IMAGE", 7)));
    w.ok(|c| c.call(&me, &rule("EBS_SNAPSHOT", 7)));
    let img = register(&mut w.cloud, &me, "golden");
    w.ok(|c| c.call(&me, &DeregisterImage::new(&img.id, true)));
    assert_eq!(w.ok(|c| c.recycle_bin(None)).len(), 2);
    let taken = register(&mut w.cloud, &me, "golden");
    w.refused("InvalidAMIName.Duplicate", |c| {
        c.call(&me, &RestoreFromRecycleBin::new(&img.id))
    });
    w.ok(|c| c.call(&me, &DeregisterImage::new(&taken.id, false)));
    w.ok(|c| c.call(&me, &RestoreFromRecycleBin::new(&img.id)));
    assert!(storage(&mut w.cloud, &img.storage_ids[0]).is_some());
    assert_eq!(
        w.ok(|c| c.recycle_bin(None)).len(),
        1,
        "only the other image is left"
    );
}

#[test]
fn rules_are_checked_and_owned() {
    let mut w = World::new();
    let me = at(A, USE1);
    for bad in [
        rule("EC2_VOLUME", 7),
        rule("EC2_IMAGE", 0),
        rule("EC2_IMAGE", 366),
    ] {
        w.refused(
            if bad.resource_type == "EC2_VOLUME" {
                "InvalidParameterValue"
            } else {
                "ValidationException"
            },
            |c| c.call(&me, &bad),
        );
    }
    let mut both = rule("EC2_IMAGE", 7);
    both.resource_tags.insert("a".into(), "b".into());
    both.exclude_resource_tags.insert("c".into(), "d".into());
    w.refused("ValidationException", |c| c.call(&me, &both));
    let r = w.ok(|c| c.call(&me, &rule("EC2_IMAGE", 7)));
    assert_eq!(w.ok(|c| c.call(&at(B, USE1), &GetRule::new(&r.id))), None);
    w.refused("ResourceNotFoundException", |c| {
        c.call(
            &at(B, USE1),
            &UpdateRule {
                rule_id: r.id.clone(),
                rule: rule("EC2_IMAGE", 9),
            },
        )
    });
    w.refused("ValidationException", |c| {
        c.call(
            &me,
            &UpdateRule {
                rule_id: r.id.clone(),
                rule: rule("EBS_SNAPSHOT", 9),
            },
        )
    });
    let u = w.ok(|c| {
        c.call(
            &me,
            &UpdateRule {
                rule_id: r.id.clone(),
                rule: rule("EC2_IMAGE", 9),
            },
        )
    });
    assert_eq!(u.retention_period_days, 9);
    assert!(w.ok(|c| c.call(&me, &DeleteRule::new(&r.id))));
    assert!(!w.ok(|c| c.call(&me, &DeleteRule::new(&r.id))));
}
