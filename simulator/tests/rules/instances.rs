//! Instances and images made from them: root device rules, names, instance
//! type architectures and boot times.

use amisim_simulator::instances::{BOOT_EBS_SECONDS, INSTALL_PACKAGE_SECONDS};
use amisim_simulator::{CreateImage, InstanceState, RegisterImage, RunInstance};

use crate::common::*;
use amisim_simulator::{
    DeleteVolume, DeregisterImage, DescribeInstance, SetRootDeleteOnTermination, StartInstance,
    StopInstance, TerminateInstance,
};

fn instance_store(name: &str) -> RegisterImage {
    RegisterImage {
        root_device_type: Some("instance-store".into()),
        root_volume_size_gb: Some(10),
        ..image(name)
    }
}

fn create_image(instance_id: &str, name: &str) -> CreateImage {
    CreateImage {
        instance_id: instance_id.into(),
        name: name.into(),
        ..CreateImage::default()
    }
}

#[test]
fn instance_store_images_boot_only_on_the_families_aws_lists() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = w.ok(|c| c.call(&me, &instance_store("legacy")));
    for name in [
        "c1.medium",
        "c3.large",
        "d2.xlarge",
        "i2.xlarge",
        "m1.small",
        "m2.xlarge",
        "m3.medium",
        "r3.large",
        "x1.16xlarge",
    ] {
        let i = w.ok(|c| c.call(&me, &launch(&img.id, name)));
        assert_eq!(i.root_device_type.as_str(), "instance-store", "{name}");
    }
    for name in ["m5d.large", "t3.micro", "c5d.large", "i3.large"] {
        let err = w.refused("UnsupportedOperation", |c| {
            c.call(&me, &launch(&img.id, name))
        });
        assert!(err.message.contains(&format!("'{name}'")), "{err}");
        assert!(
            err.message.contains("C1, C3, D2, I2, M1, M2, M3, R3, X1"),
            "{err}"
        );
        assert!(err.hint.contains("m3.medium"), "{err}");
    }
    // An EBS-backed image boots on every family.
    let ebs = register(&mut w.cloud, &me, "modern");
    for name in ["m5d.large", "m3.medium"] {
        w.ok(|c| c.call(&me, &launch(&ebs.id, name)));
    }
}

#[test]
fn instance_store_instances_cannot_be_stopped() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = w.ok(|c| c.call(&me, &instance_store("legacy")));
    let i = w.ok(|c| c.call(&me, &launch(&img.id, "m3.medium")));
    assert_eq!(i.root_device_type.as_str(), "instance-store");
    w.refused("UnsupportedOperation", |c| {
        c.call(&me, &StopInstance::new(&i.id))
    });
    w.refused("UnsupportedOperation", |c| {
        c.call(
            &me,
            &RunInstance {
                state: Some("stopped".into()),
                ..launch(&img.id, "m3.medium")
            },
        )
    });
}

#[test]
fn instance_store_instances_cannot_be_imaged() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = w.ok(|c| c.call(&me, &instance_store("legacy")));
    let i = w.ok(|c| c.call(&me, &launch(&img.id, "m3.medium")));
    w.refused("UnsupportedOperation", |c| {
        c.call(&me, &create_image(&i.id, "legacy-image"))
    });
}

#[test]
fn root_data_is_lost_on_termination_unless_an_ebs_root_is_kept() {
    let mut w = World::new();
    let me = at(A, USE1);
    let legacy = w.ok(|c| c.call(&me, &instance_store("legacy")));
    let modern = register(&mut w.cloud, &me, "modern");
    let a = w.ok(|c| c.call(&me, &launch(&legacy.id, "m3.medium")));
    let b = w.ok(|c| c.call(&me, &launch(&modern.id, "t3.micro")));
    let keep = RunInstance {
        root_delete_on_termination: Some(false),
        tags: [("Name".to_string(), "kept".to_string())].into(),
        ..launch(&modern.id, "t3.micro")
    };
    let k = w.ok(|c| c.call(&me, &keep));
    assert_eq!(
        a.root_volume_id, None,
        "an instance-store root is no EBS volume"
    );
    assert!(
        b.root_delete_on_termination,
        "deleted on termination by default, as in AWS"
    );
    assert!(well_formed(
        k.root_volume_id.as_deref().expect("an EBS root"),
        "vol"
    ));
    // An instance-store root cannot be kept.
    w.refused("InvalidParameterCombination", |c| {
        c.call(
            &me,
            &RunInstance {
                root_delete_on_termination: Some(false),
                ..launch(&legacy.id, "m3.medium")
            },
        )
    });
    w.refused("InvalidParameterCombination", |c| {
        c.call(&me, &SetRootDeleteOnTermination::new(&a.id, false))
    });
    for i in [&a, &b, &k] {
        assert!(w.ok(|c| c.call(&me, &TerminateInstance::new(&i.id))));
    }
    assert!(
        !w.ok(|c| c.call(&me, &TerminateInstance::new(&a.id))),
        "terminating twice is a no-op"
    );
    let described = |w: &mut World, id: &str| {
        w.ok(|c| c.call(&me, &DescribeInstance::new(id)))
            .expect("terminated, still described")
    };
    // Instance store: lost. EBS with the default: the volume is deleted with the instance.
    for i in [&a, &b] {
        let i = described(&mut w, &i.id);
        assert_eq!(
            (i.state, i.root_data_lost),
            (InstanceState::Terminated, true)
        );
    }
    // EBS kept: the volume survives, owned by the account, and costs storage until deleted.
    let kept = described(&mut w, &k.id);
    assert_eq!(
        (kept.state, kept.root_data_lost),
        (InstanceState::Terminated, false)
    );
    let volume_id = kept.root_volume_id.clone().expect("a volume");
    let volume = storage(&mut w.cloud, &volume_id).expect("the kept volume");
    assert_eq!(volume.kind, amisim_simulator::StorageKind::Volume);
    assert_eq!(
        (volume.owner_id.as_str(), volume.size_gb),
        (A, modern.size_gb)
    );
    assert!(storage(&mut w.cloud, &b.root_volume_id.clone().expect("a volume")).is_none());
    let bill = w.ok(|c| c.bill(Some(A)));
    assert!(
        bill[0]
            .lines
            .iter()
            .any(|l| l.category.as_str() == "ebs-volume-storage"
                && l.quantity == 8
                && l.amount_micros == 8 * 80_000),
        "{bill:?}"
    );
    // A snapshot is not a volume, and only the owner deletes one.
    w.refused("InvalidVolume.NotFound", |c| {
        c.call(&me, &DeleteVolume::new(&modern.storage_ids[0]))
    });
    // To another account the volume does not exist: nothing is deleted.
    assert!(!w.ok(|c| c.call(&at(B, USE1), &DeleteVolume::new(&volume_id))));
    assert!(storage(&mut w.cloud, &volume_id).is_some());
    assert!(w.ok(|c| c.call(&me, &DeleteVolume::new(&volume_id))));
    assert!(storage(&mut w.cloud, &volume_id).is_none());
    // Its event names the volume and is dated after the volume was made.
    let deleted = w
        .cloud
        .events(0)
        .unwrap()
        .into_iter()
        .find(|e| e.action == "DeleteVolume" && e.outcome == "ok")
        .expect("the DeleteVolume event");
    assert_eq!(deleted.resource_id.as_deref(), Some(volume_id.as_str()));
    assert!(deleted.time > volume.start_time, "{deleted:?} {volume:?}");
    assert!(
        !w.ok(|c| c.call(&me, &DeleteVolume::new(&volume_id))),
        "already gone"
    );
}

#[test]
fn deletion_on_termination_changes_in_place() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "modern");
    let i = w.ok(|c| c.call(&me, &launch(&img.id, "t3.micro")));
    let i = w.ok(|c| c.call(&me, &SetRootDeleteOnTermination::new(&i.id, false)));
    assert!(!i.root_delete_on_termination);
    assert!(w.ok(|c| c.call(&me, &TerminateInstance::new(&i.id))));
    assert!(storage(&mut w.cloud, i.root_volume_id.as_deref().expect("a volume")).is_some());
}

#[test]
fn terminated_instances_cannot_be_stopped_started_or_imaged() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "web");
    let i = w.ok(|c| c.call(&me, &launch(&img.id, "t3.micro")));
    w.ok(|c| c.call(&me, &TerminateInstance::new(&i.id)));
    w.refused("IncorrectInstanceState", |c| {
        c.call(&me, &StopInstance::new(&i.id))
    });
    w.refused("IncorrectInstanceState", |c| {
        c.call(&me, &StartInstance::new(&i.id))
    });
    w.refused("IncorrectInstanceState", |c| {
        c.call(&me, &create_image(&i.id, "too-late"))
    });
}

#[test]
fn ebs_instances_stop_and_start() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "web");
    let i = w.ok(|c| c.call(&me, &launch(&img.id, "t3.micro")));
    assert_eq!(
        w.ok(|c| c.call(&me, &StopInstance::new(&i.id))).state,
        InstanceState::Stopped
    );
    assert_eq!(
        w.ok(|c| c.call(&me, &StartInstance::new(&i.id))).state,
        InstanceState::Running
    );
    let stopped = w.ok(|c| {
        c.call(
            &me,
            &RunInstance {
                state: Some("stopped".into()),
                ..launch(&img.id, "t3.micro")
            },
        )
    });
    assert_eq!(stopped.state, InstanceState::Stopped);
}

#[test]
fn instances_belong_to_their_account_and_region() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "web");
    let i = w.ok(|c| c.call(&me, &launch(&img.id, "t3.micro")));
    assert!(well_formed(&i.id, "i"));
    assert_eq!(i.arn(), format!("arn:aws:ec2:{USE1}:{A}:instance/{}", i.id));
    for other in [at(B, USE1), at(A, USW2)] {
        w.refused("InvalidInstanceID.NotFound", |c| {
            c.call(&other, &StopInstance::new(&i.id))
        });
        w.refused("InvalidInstanceID.NotFound", |c| {
            c.call(&other, &create_image(&i.id, "not-mine"))
        });
        assert_eq!(
            w.ok(|c| c.call(&other, &DescribeInstance::new(&i.id))),
            None
        );
        assert!(!w.ok(|c| c.call(&other, &TerminateInstance::new(&i.id))));
    }
    let still = w
        .ok(|c| c.call(&me, &DescribeInstance::new(&i.id)))
        .expect("mine");
    assert_eq!(still.state, InstanceState::Running);
}

#[test]
fn image_names_are_unique_per_account_and_region() {
    let mut w = World::new();
    let me = at(A, USE1);
    let first = register(&mut w.cloud, &me, "golden-web");
    let err = w.refused("InvalidAMIName.Duplicate", |c| {
        c.call(&me, &image("golden-web"))
    });
    assert!(err.message.contains(&first.id), "{err}");
    // The detail names the existing image's owner and creation, and the ID that
    // imports it: a create never takes the existing image over.
    assert!(
        err.message.contains(A) && err.message.contains(&first.creation_date),
        "{err}"
    );
    assert_eq!(err.existing.as_deref(), Some(first.id.as_str()));
    assert!(err.hint.contains("import"), "{err}");
    // Another region, another account: the same name is free.
    let west = register(&mut w.cloud, &at(A, USW2), "golden-web");
    let other = register(&mut w.cloud, &at(B, USE1), "golden-web");
    assert!(first.id != west.id && first.id != other.id && west.id != other.id);
    // From an instance too.
    let i = w.ok(|c| c.call(&me, &launch(&first.id, "t3.micro")));
    w.refused("InvalidAMIName.Duplicate", |c| {
        c.call(&me, &create_image(&i.id, "golden-web"))
    });
}

#[test]
fn image_name_is_reusable_after_deregistration() {
    let mut w = World::new();
    let me = at(A, USE1);
    let first = register(&mut w.cloud, &me, "golden-web");
    w.ok(|c| c.call(&me, &DeregisterImage::new(&first.id, true)));
    let second = register(&mut w.cloud, &me, "golden-web");
    assert_ne!(second.id, first.id, "a new image gets a new ID");
    assert_ne!(second.storage_ids, first.storage_ids);
    assert_eq!(
        stored_image(&mut w.cloud, &first.id).state,
        amisim_simulator::ImageState::Deregistered
    );
}

#[test]
fn image_names_follow_aws_naming_rules() {
    let mut w = World::new();
    for bad in ["", "ab", "name*", "tab\tname", &"n".repeat(129)] {
        w.refused("InvalidAMIName.Malformed", |c| {
            c.call(&at(A, USE1), &image(bad))
        });
    }
    register(
        &mut w.cloud,
        &at(A, USE1),
        "web (v1) [x86]/2025.01 @team's_build",
    );
}

#[test]
fn instance_type_architecture_must_match_the_image() {
    let mut w = World::new();
    let me = at(A, USE1);
    let x86 = register(&mut w.cloud, &me, "x86");
    let arm = w.ok(|c| {
        c.call(
            &me,
            &RegisterImage {
                architecture: Some("arm64".into()),
                ..image("arm")
            },
        )
    });
    let i386 = w.ok(|c| {
        c.call(
            &me,
            &RegisterImage {
                architecture: Some("i386".into()),
                ..image("old")
            },
        )
    });
    let err = w.refused("InvalidParameterValue", |c| {
        c.call(&me, &launch(&x86.id, "t4g.micro"))
    });
    assert!(
        err.hint.contains("t3.micro"),
        "the hint lists types of the image's architecture: {err}"
    );
    w.refused("InvalidParameterValue", |c| {
        c.call(&me, &launch(&arm.id, "t3.micro"))
    });
    w.refused("InvalidParameterValue", |c| {
        c.call(&me, &launch(&i386.id, "t3.micro"))
    });
    let ubuntu_arm = catalogue(&mut w.cloud, &me, AL2023_ARM);
    w.refused("InvalidParameterValue", |c| {
        c.call(&me, &launch(&ubuntu_arm.id, "m5.large"))
    });
    w.ok(|c| c.call(&me, &launch(&x86.id, "t3.micro")));
    w.ok(|c| c.call(&me, &launch(&arm.id, "t4g.micro")));
    w.ok(|c| c.call(&me, &launch(&i386.id, "t1.micro")));
    w.ok(|c| c.call(&me, &launch(&ubuntu_arm.id, "m7g.large")));
}

#[test]
fn instance_type_must_be_in_the_catalogue() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "web");
    for bad in ["t3.mega", "", "T3.MICRO"] {
        w.refused("InvalidParameterValue", |c| {
            c.call(&me, &launch(&img.id, bad))
        });
    }
}

#[test]
fn image_from_instance_inherits_the_instance() {
    let mut w = World::new();
    let me = at(A, USE1);
    let base = w.ok(|c| {
        c.call(
            &me,
            &RegisterImage {
                architecture: Some("arm64".into()),
                root_volume_size_gb: Some(20),
                billing_products: vec!["bp-1234abcd".into()],
                ..image("base")
            },
        )
    });
    let i = w.ok(|c| {
        c.call(
            &me,
            &RunInstance {
                user_data: "#!/bin/sh\ndnf install -y nginx\n".into(),
                ..launch(&base.id, "t4g.small")
            },
        )
    });
    let img = w.ok(|c| c.call(&me, &create_image(&i.id, "from-instance")));
    assert_eq!(img.architecture, "arm64");
    assert_eq!(img.platform, "linux");
    assert_eq!(img.root_device_type.as_str(), "ebs");
    assert_eq!(img.size_gb, 20);
    assert_eq!(img.billing_products, vec!["bp-1234abcd".to_string()]);
    assert_eq!(img.baked_software, vec!["nginx".to_string()]);
    assert_eq!(img.source_instance_id.as_deref(), Some(i.id.as_str()));
    assert_eq!(img.owner_id, A);
    assert!(
        img.storage_ids
            .iter()
            .all(|s| !base.storage_ids.contains(s)),
        "new snapshots"
    );
    let s = storage(&mut w.cloud, &img.storage_ids[0]).expect("a new snapshot");
    assert_eq!(
        (s.size_gb, s.region.as_str(), s.owner_id.as_str()),
        (20, USE1, A)
    );
}

#[test]
fn golden_image_boots_faster_than_base_image_with_the_same_user_data() {
    let mut w = World::new();
    let me = at(A, USE1);
    let base = catalogue(&mut w.cloud, &me, UBUNTU);
    let user_data = "#!/bin/bash\napt-get update\napt-get install -y nginx php-fpm\n";
    let builder = w.ok(|c| {
        c.call(
            &me,
            &RunInstance {
                user_data: user_data.into(),
                ..launch(&base.id, "t3.micro")
            },
        )
    });
    let golden = w.ok(|c| c.call(&me, &create_image(&builder.id, "golden-web")));
    let from_base = w.ok(|c| {
        c.call(
            &me,
            &RunInstance {
                user_data: user_data.into(),
                ..launch(&base.id, "t3.micro")
            },
        )
    });
    let from_golden = w.ok(|c| {
        c.call(
            &me,
            &RunInstance {
                user_data: user_data.into(),
                ..launch(&golden.id, "t3.micro")
            },
        )
    });
    let bare_golden = w.ok(|c| c.call(&me, &launch(&golden.id, "t3.micro")));
    assert!(
        from_golden.boot_time_seconds < from_base.boot_time_seconds,
        "golden {} vs base {}",
        from_golden.boot_time_seconds,
        from_base.boot_time_seconds
    );
    assert!(from_base.boot_time_seconds >= BOOT_EBS_SECONDS + 2 * INSTALL_PACKAGE_SECONDS);
    assert_eq!(bare_golden.boot_time_seconds, BOOT_EBS_SECONDS);
    assert_eq!(from_golden.software, from_base.software);
    // Deterministic: the same launch again boots in the same time.
    let again = w.ok(|c| {
        c.call(
            &me,
            &RunInstance {
                user_data: user_data.into(),
                ..launch(&base.id, "t3.micro")
            },
        )
    });
    assert_eq!(again.boot_time_seconds, from_base.boot_time_seconds);
}

#[test]
fn user_data_over_16_kb_is_refused() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "web");
    w.refused("InvalidParameterValue", |c| {
        c.call(
            &me,
            &RunInstance {
                user_data: "#".repeat(16 * 1024 + 1),
                ..launch(&img.id, "t3.micro")
            },
        )
    });
}

#[test]
fn an_instance_tells_what_it_was_launched_from_whatever_became_of_the_image() {
    use amisim_simulator::{
        AddLaunchPermission, DescribeInstanceImageMetadata, RemoveLaunchPermission,
    };
    let mut w = World::new();
    let owner = at(A, USE1);
    let user = at(B, USE1);
    let img = register(&mut w.cloud, &owner, "vendor-web");
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&img.id, &account(B))));
    let mine = w.ok(|c| c.call(&user, &launch(&img.id, "t3.micro")));
    // The owner stops sharing and deregisters it: the user can no longer see
    // the image, but its instance still says what it came from.
    w.ok(|c| c.call(&owner, &RemoveLaunchPermission::new(&img.id, &account(B))));
    w.ok(|c| c.call(&owner, &DeregisterImage::new(&img.id, false)));
    let all = w.ok(|c| c.call(&user, &DescribeInstanceImageMetadata::default()));
    assert_eq!(all.len(), 1);
    let m = &all[0];
    assert_eq!(m.instance.id, mine.id);
    let image = m.image.as_ref().expect("the image it was launched from");
    assert_eq!(
        (image.id.as_str(), image.owner_id.as_str()),
        (img.id.as_str(), A)
    );
    assert_eq!(image.state, amisim_simulator::ImageState::Deregistered);
    assert!(!m.image_public);
    assert!(m.image_allowed, "Allowed AMIs is off");
    // Named instances must be the caller's, in its region.
    let named = w.ok(|c| {
        c.call(
            &user,
            &DescribeInstanceImageMetadata {
                instance_ids: vec![mine.id.clone()],
            },
        )
    });
    assert_eq!(named, all);
    w.refused("InvalidInstanceID.NotFound", |c| {
        c.call(
            &owner,
            &DescribeInstanceImageMetadata {
                instance_ids: vec![mine.id.clone()],
            },
        )
    });
    w.refused("InvalidInstanceID.NotFound", |c| {
        c.call(
            &at(B, USW2),
            &DescribeInstanceImageMetadata {
                instance_ids: vec![mine.id.clone()],
            },
        )
    });
    assert!(w
        .ok(|c| c.call(&owner, &DescribeInstanceImageMetadata::default()))
        .is_empty());
    // Allowed AMIs that no longer allow the image say so.
    w.ok(|c| {
        c.call(
            &user,
            &amisim_simulator::AllowedImages {
                state: "audit-mode".into(),
                criteria: vec![amisim_simulator::ImageCriterion {
                    image_providers: vec![CANONICAL.into()],
                    ..Default::default()
                }],
            },
        )
    });
    let audited = w.ok(|c| c.call(&user, &DescribeInstanceImageMetadata::default()));
    assert!(!audited[0].image_allowed);
}
