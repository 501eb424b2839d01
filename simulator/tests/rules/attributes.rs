//! What an owner sets on an image besides its description and shares: the
//! instance types it runs on, and watermarks that travel to every image
//! copied or created from it.

use amisim_simulator::{
    AddLaunchPermission, AllowedImages, AttachWatermark, CreateImage, DetachWatermark,
    ImageCriterion, InstanceTypeSpecification, ReplaceImageInstanceTypes, WatermarkFilter,
};

use crate::common::*;

fn specify(image_id: &str, supported: &[&str], unsupported: &[&str]) -> ReplaceImageInstanceTypes {
    ReplaceImageInstanceTypes {
        image_id: image_id.into(),
        specification: Some(InstanceTypeSpecification {
            supported: supported.iter().map(|s| s.to_string()).collect(),
            unsupported: unsupported.iter().map(|s| s.to_string()).collect(),
        }),
    }
}

fn watermark(image_id: &str, name: &str) -> AttachWatermark {
    AttachWatermark {
        image_id: image_id.into(),
        name: name.into(),
    }
}

#[test]
fn an_image_runs_only_on_the_instance_types_its_owner_allows() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = register(&mut w.cloud, &owner, "web");
    w.ok(|c| c.call(&owner, &specify(&img.id, &["t3.*"], &["t3.nano"])));
    w.ok(|c| c.call(&owner, &launch(&img.id, "t3.micro")));
    let err = w.refused("InvalidParameterCombination", |c| {
        c.call(&owner, &launch(&img.id, "m5.large"))
    });
    assert!(err.message.contains("t3.*"), "{err}");
    w.refused("InvalidParameterCombination", |c| {
        c.call(&owner, &launch(&img.id, "t3.nano"))
    });
    // Unsupported types alone leave every other type.
    w.ok(|c| c.call(&owner, &specify(&img.id, &[], &["m5.*"])));
    w.ok(|c| c.call(&owner, &launch(&img.id, "t3.nano")));
    w.refused("InvalidParameterCombination", |c| {
        c.call(&owner, &launch(&img.id, "m5.large"))
    });
    // A copy is the same image elsewhere: the specification travels.
    let copy = w.ok(|c| c.call(&at(A, USW2), &copy_of(&img, "web-west")));
    assert_eq!(copy.unsupported_instance_types, ["m5.*"]);
    // Removing the specification allows every type again.
    w.ok(|c| {
        c.call(
            &owner,
            &ReplaceImageInstanceTypes {
                image_id: img.id.clone(),
                specification: None,
            },
        )
    });
    w.ok(|c| c.call(&owner, &launch(&img.id, "m5.large")));
}

#[test]
fn only_the_owner_sets_instance_types_and_the_lists_are_checked() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = register(&mut w.cloud, &owner, "web");
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
    w.refused("AuthFailure", |c| {
        c.call(&at(B, USE1), &specify(&img.id, &["t3.*"], &[]))
    });
    for (supported, unsupported) in [
        (vec!["t3.**"], vec![]),
        (vec![""], vec![]),
        (vec!["t3.micro;rm"], vec![]),
        (vec!["abcdefghijklmnopqrstuvwxy"], vec![]),
        (vec!["t3.micro", "t3.micro"], vec![]),
        (vec!["t3.micro"], vec!["t3.micro"]),
    ] {
        w.refused("InvalidParameterValue", |c| {
            c.call(&owner, &specify(&img.id, &supported, &unsupported))
        });
    }
    let many: Vec<String> = (0..101).map(|n| format!("m{n}.large")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    w.refused("InvalidParameterValue", |c| {
        c.call(&owner, &specify(&img.id, &many, &[]))
    });
    w.ok(|c| c.call(&owner, &specify(&img.id, &many[..100], &[])));
    // An image with AWS Marketplace product codes cannot have one.
    let wordpress = catalogue(&mut w.cloud, &owner, WORDPRESS);
    let instance = w.ok(|c| c.call(&owner, &launch(&wordpress.id, "t3.micro")));
    let mine = w.ok(|c| {
        c.call(
            &owner,
            &CreateImage {
                instance_id: instance.id.clone(),
                name: "my-wordpress".into(),
                ..CreateImage::default()
            },
        )
    });
    w.refused("InvalidParameter", |c| {
        c.call(&owner, &specify(&mine.id, &["t3.*"], &[]))
    });
}

#[test]
fn watermarks_travel_to_every_image_made_from_a_marked_one() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let img = register(&mut w.cloud, &owner, "golden");
    let key = w.ok(|c| c.call(&owner, &watermark(&img.id, "approved (2026)")));
    assert_eq!(key, format!("{A}:approved (2026)"));
    // Attaching it again keeps one.
    w.ok(|c| c.call(&owner, &watermark(&img.id, "approved (2026)")));
    let marked = stored_image(&mut w.cloud, &img.id);
    assert_eq!(marked.watermarks.len(), 1);
    let mark = &marked.watermarks[0];
    assert_eq!(
        (
            mark.source_image_id.as_str(),
            mark.source_image_region.as_str()
        ),
        (img.id.as_str(), USE1)
    );
    assert_eq!(mark.source_image_creation_time, img.creation_date);
    // A copy carries it, and an image created from an instance of the copy too.
    let copy = w.ok(|c| c.call(&at(A, USW2), &copy_of(&img, "golden-west")));
    assert_eq!(copy.watermarks, marked.watermarks);
    let instance = w.ok(|c| c.call(&at(A, USW2), &launch(&copy.id, "t3.micro")));
    let baked = w.ok(|c| {
        c.call(
            &at(A, USW2),
            &CreateImage {
                instance_id: instance.id.clone(),
                name: "baked".into(),
                ..CreateImage::default()
            },
        )
    });
    assert_eq!(baked.watermarks, marked.watermarks);
    // Detaching it from the source leaves what was made from it marked.
    w.ok(|c| {
        c.call(
            &owner,
            &DetachWatermark {
                image_id: img.id.clone(),
                key: key.clone(),
            },
        )
    });
    assert!(stored_image(&mut w.cloud, &img.id).watermarks.is_empty());
    assert_eq!(stored_image(&mut w.cloud, &copy.id).watermarks.len(), 1);
    // Detaching one that is not there succeeds.
    w.ok(|c| {
        c.call(
            &owner,
            &DetachWatermark {
                image_id: img.id.clone(),
                key,
            },
        )
    });
}

#[test]
fn a_watermarked_image_is_never_public_and_only_its_owner_marks_it() {
    let mut w = World::new();
    let owner = at(A, USE1);
    unblock(&mut w.cloud, &owner);
    let img = register(&mut w.cloud, &owner, "golden");
    w.ok(|c| c.call(&owner, &watermark(&img.id, "approved")));
    let err = w.refused("InvalidParameter", |c| {
        c.call(&owner, &AddLaunchPermission::new(&img.id, &public()))
    });
    assert!(err.message.contains("approved"), "{err}");
    // A public image takes no watermark.
    let open = register(&mut w.cloud, &owner, "open");
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&open.id, &public())));
    w.refused("InvalidParameter", |c| {
        c.call(&owner, &watermark(&open.id, "approved"))
    });
    // Only the owner marks; names are checked.
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
    w.refused("AuthFailure", |c| {
        c.call(&at(B, USE1), &watermark(&img.id, "mine"))
    });
    for bad in ["ab", "semi;colon", &"x".repeat(129)] {
        w.refused("InvalidParameterValue", |c| {
            c.call(&owner, &watermark(&img.id, bad))
        });
    }
}

#[test]
fn allowed_amis_can_admit_only_images_carrying_an_approved_watermark() {
    let mut w = World::new();
    let owner = at(A, USE1);
    let user = at(B, USE1);
    let approved = register(&mut w.cloud, &owner, "approved-web");
    let other = register(&mut w.cloud, &owner, "other-web");
    for i in [&approved, &other] {
        w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&i.id, &account(B))));
    }
    w.ok(|c| c.call(&owner, &watermark(&approved.id, "approved")));
    w.later(3 * 86_400);
    let filter = |key: &str, days: Option<i64>| WatermarkFilter {
        watermark_key: Some(key.into()),
        maximum_days_since_watermark_created: days,
        ..WatermarkFilter::default()
    };
    let allow = |filters: Vec<WatermarkFilter>| AllowedImages {
        state: "enabled".into(),
        criteria: vec![ImageCriterion {
            image_watermarks: filters,
            ..ImageCriterion::default()
        }],
    };
    w.ok(|c| c.call(&user, &allow(vec![filter(&format!("{A}:appr*"), None)])));
    w.ok(|c| c.call(&user, &launch(&approved.id, "t3.micro")));
    let err = w.refused("InvalidAMIID.NotAllowed", |c| {
        c.call(&user, &launch(&other.id, "t3.micro"))
    });
    assert!(err.message.contains(&other.id), "{err}");
    // Another account's mark of the same name is not the owner's approval.
    w.ok(|c| c.call(&user, &allow(vec![filter(&format!("{B}:approved"), None)])));
    w.refused("InvalidAMIID.NotAllowed", |c| {
        c.call(&user, &launch(&approved.id, "t3.micro"))
    });
    // Every field a filter sets must match the same watermark: attached three
    // days ago is too old for one day.
    w.ok(|c| {
        c.call(
            &user,
            &allow(vec![filter(&format!("{A}:approved"), Some(1))]),
        )
    });
    w.refused("InvalidAMIID.NotAllowed", |c| {
        c.call(&user, &launch(&approved.id, "t3.micro"))
    });
    w.ok(|c| {
        c.call(
            &user,
            &allow(vec![WatermarkFilter {
                source_image_region: Some("us-*".into()),
                maximum_days_since_source_image_created: Some(7),
                ..WatermarkFilter::default()
            }]),
        )
    });
    w.ok(|c| c.call(&user, &launch(&approved.id, "t3.micro")));
    // A filter that sets nothing, a bad key and too many filters are refused.
    for bad in [
        vec![WatermarkFilter::default()],
        vec![filter("no\nkey", None)],
        vec![filter("*", None); 51],
        vec![filter("*", Some(-1))],
    ] {
        w.refused("InvalidParameterValue", |c| c.call(&user, &allow(bad)));
    }
}
