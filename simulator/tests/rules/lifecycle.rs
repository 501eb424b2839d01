//! Today's AMI life cycle: deregistration protection, disabling, deprecation,
//! block public access, Allowed AMIs, lineage, references and usage.

use amisim_simulator::AllowedImages;
use amisim_simulator::{CopyImage, CreateImage, DescribeImages, ImageCriterion, ImageState};

use crate::common::*;
use amisim_simulator::{
    AddLaunchPermission, AddStoragePermission, DeleteSnapshot, DeregisterImage, DescribeImage,
    DescribeImageReferences, DescribeInstance, DisableImage, EnableImage, GetImageAncestry,
    GetImageSettings, RemoveLaunchPermission, SetBlockPublicAccess, SetDeregistrationProtection,
    SetImageDeprecation, TerminateInstance,
};

const DAY: i64 = 86_400;

#[test]
fn a_protected_image_cannot_be_deregistered_until_protection_is_lifted() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "golden");
    let p = w.ok(|c| c.call(&me, &SetDeregistrationProtection::new(&img.id, "enabled")));
    assert_eq!(p.deregistration_protection.as_str(), "enabled");
    let err = w.refused("OperationNotPermitted", |c| {
        c.call(&me, &DeregisterImage::new(&img.id, true))
    });
    assert!(err.message.contains("deregistration protection"), "{err}");
    assert!(err.hint.contains("disabled"), "{err}");
    w.ok(|c| c.call(&me, &SetDeregistrationProtection::new(&img.id, "disabled")));
    // Plain protection lifts at once.
    assert!(w.ok(|c| c.call(&me, &DeregisterImage::new(&img.id, true))));
}

#[test]
fn protection_with_cooldown_stays_in_force_for_24_hours_after_it_is_lifted() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "golden");
    w.ok(|c| {
        c.call(
            &me,
            &SetDeregistrationProtection::new(&img.id, "enabled-with-cooldown"),
        )
    });
    let lifted = w.ok(|c| c.call(&me, &SetDeregistrationProtection::new(&img.id, "disabled")));
    assert_eq!(lifted.deregistration_protection.as_str(), "disabled");
    let until = lifted.protected_until.clone().expect("a cooldown");
    let err = w.refused("OperationNotPermitted", |c| {
        c.call(&me, &DeregisterImage::new(&img.id, true))
    });
    assert!(err.message.contains(&until), "{err}");
    assert!(err.hint.contains("clock advance 24h"), "{err}");
    w.later(23 * 3600);
    w.refused("OperationNotPermitted", |c| {
        c.call(&me, &DeregisterImage::new(&img.id, true))
    });
    w.later(3600);
    assert!(w.ok(|c| c.call(&me, &DeregisterImage::new(&img.id, true))));
}

#[test]
fn only_the_owner_changes_protection_and_the_mode_must_be_known() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "golden");
    w.ok(|c| c.call(&me, &AddLaunchPermission::new(&img.id, &account(B))));
    w.refused("AuthFailure", |c| {
        c.call(
            &at(B, USE1),
            &SetDeregistrationProtection::new(&img.id, "disabled"),
        )
    });
    w.refused("InvalidParameterValue", |c| {
        c.call(&me, &SetDeregistrationProtection::new(&img.id, "on"))
    });
}

#[test]
fn disabling_removes_launch_permissions_and_stops_launches_and_copies() {
    let mut w = World::new();
    let me = at(A, USE1);
    let b = at(B, USE1);
    let img = register(&mut w.cloud, &me, "retiring");
    w.ok(|c| c.call(&me, &AddLaunchPermission::new(&img.id, &account(B))));
    let running = w.ok(|c| c.call(&b, &launch(&img.id, "t3.micro")));
    let disabled = w.ok(|c| c.call(&me, &DisableImage::new(&img.id)));
    assert_eq!(disabled.state, ImageState::Disabled);
    assert!(launch_permissions(&mut w.cloud, &img.id).is_empty());
    let err = w.refused("InvalidAMIID.Unavailable", |c| {
        c.call(&me, &launch(&img.id, "t3.micro"))
    });
    assert!(err.message.contains("disabled"), "{err}");
    w.refused("InvalidAMIID.Unavailable", |c| {
        c.call(&at(A, USW2), &copy_of(&img, "retiring"))
    });
    w.refused("InvalidAMIID.Unavailable", |c| {
        c.call(&me, &AddLaunchPermission::new(&img.id, &account(C)))
    });
    // Running instances are untouched.
    let still = w
        .ok(|c| c.call(&b, &DescribeInstance::new(&running.id)))
        .expect("instance");
    assert_eq!(still, running);
    // The snapshots are in use by the disabled image.
    let err = w.refused("InvalidSnapshot.InUse", |c| {
        c.call(&me, &DeleteSnapshot::new(&img.storage_ids[0]))
    });
    assert!(err.message.contains("disabled"), "{err}");
    // Its name stays taken.
    w.refused("InvalidAMIName.Duplicate", |c| {
        c.call(&me, &image("retiring"))
    });
    // Enabling restores no permission.
    let enabled = w.ok(|c| c.call(&me, &EnableImage::new(&img.id)));
    assert_eq!(enabled.state, ImageState::Available);
    assert!(launch_permissions(&mut w.cloud, &img.id).is_empty());
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(&b, &launch(&img.id, "t3.micro"))
    });
    w.ok(|c| c.call(&me, &launch(&img.id, "t3.micro")));
}

#[test]
fn disabled_images_are_hidden_from_lookups_unless_asked_for() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "retiring");
    w.ok(|c| c.call(&me, &DisableImage::new(&img.id)));
    let mine = DescribeImages {
        owners: vec!["self".into()],
        ..Default::default()
    };
    assert!(w.ok(|c| c.call(&me, &mine)).is_empty());
    let with = DescribeImages {
        include_disabled: true,
        ..mine
    };
    let found = w.ok(|c| c.call(&me, &with));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].state, ImageState::Disabled);
    // The owner still reads it by ID, and may deregister it.
    let read = w
        .ok(|c| c.call(&me, &DescribeImage::new(&img.id)))
        .expect("owner sees it");
    assert_eq!(read.state, ImageState::Disabled);
    w.refused("InvalidAMIID.Unavailable", |c| {
        c.call(&at(B, USE1), &EnableImage::new(&img.id))
    });
    assert!(w.ok(|c| c.call(&me, &DeregisterImage::new(&img.id, true))));
    w.refused("InvalidAMIID.Unavailable", |c| {
        c.call(&me, &EnableImage::new(&img.id))
    });
}

#[test]
fn deprecation_time_is_rounded_down_and_checked_against_the_simulated_clock() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "old");
    assert_eq!(img.creation_date, "2025-01-01T00:00:01.000Z");
    // Not before the image existed: 00:00:30 rounds down to 00:00:00, which
    // the clock allows but the image, created at 00:00:01, does not.
    let err = w.refused("InvalidParameterValue", |c| {
        c.call(
            &me,
            &SetImageDeprecation::new(&img.id, Some("2025-01-01T00:00:30Z")),
        )
    });
    assert!(
        err.message.contains("before") && err.message.contains("was created"),
        "{err}"
    );
    let d = w.ok(|c| {
        c.call(
            &me,
            &SetImageDeprecation::new(&img.id, Some("2025-03-01T10:30:45Z")),
        )
    });
    assert_eq!(
        d.deprecation_time.as_deref(),
        Some("2025-03-01T10:30:00.000Z")
    );
    let err = w.refused("InvalidParameterValue", |c| {
        c.call(
            &me,
            &SetImageDeprecation::new(&img.id, Some("2024-12-31T00:00:00Z")),
        )
    });
    assert!(err.message.contains("in the past"), "{err}");
    let err = w.refused("InvalidParameterValue", |c| {
        c.call(
            &me,
            &SetImageDeprecation::new(&img.id, Some("2036-01-01T00:00:00Z")),
        )
    });
    assert!(err.message.contains("10 years"), "{err}");
    // Ten calendar years, as AWS counts them, not 3650 days.
    let ten_years = w.ok(|c| {
        c.call(
            &me,
            &SetImageDeprecation::new(&img.id, Some("2035-01-01T00:00:00Z")),
        )
    });
    assert_eq!(
        ten_years.deprecation_time.as_deref(),
        Some("2035-01-01T00:00:00.000Z")
    );
    w.refused("InvalidParameterValue", |c| {
        c.call(
            &me,
            &SetImageDeprecation::new(&img.id, Some("next tuesday")),
        )
    });
    let cleared = w.ok(|c| c.call(&me, &SetImageDeprecation::new(&img.id, None)));
    assert_eq!(cleared.deprecation_time, None);
}

#[test]
fn deprecated_images_launch_by_id_but_other_accounts_lookups_skip_them() {
    let mut w = World::new();
    let me = at(A, USE1);
    let b = at(B, USE1);
    let img = register(&mut w.cloud, &me, "old");
    w.ok(|c| c.call(&me, &AddLaunchPermission::new(&img.id, &account(B))));
    w.ok(|c| {
        c.call(
            &me,
            &SetImageDeprecation::new(&img.id, Some("2025-01-02T00:00:00Z")),
        )
    });
    let theirs = DescribeImages {
        owners: vec![A.into()],
        ..Default::default()
    };
    assert_eq!(w.ok(|c| c.call(&b, &theirs)).len(), 1, "not yet deprecated");
    w.later(2 * DAY);
    assert!(w.ok(|c| c.call(&b, &theirs)).is_empty());
    let with = DescribeImages {
        include_deprecated: true,
        ..theirs
    };
    assert_eq!(w.ok(|c| c.call(&b, &with)).len(), 1);
    // The owner always sees it, and it still launches by ID.
    let mine = DescribeImages {
        owners: vec!["self".into()],
        ..Default::default()
    };
    assert_eq!(w.ok(|c| c.call(&me, &mine)).len(), 1);
    w.ok(|c| c.call(&b, &launch(&img.id, "t3.micro")));
}

#[test]
fn a_new_account_cannot_make_an_image_public_until_it_unblocks() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "open");
    let s = w.ok(|c| c.call(&me, &GetImageSettings {}));
    assert_eq!(s.block_public_access, "block-new-sharing");
    let err = w.refused("OperationNotPermitted", |c| {
        c.call(&me, &AddLaunchPermission::new(&img.id, &public()))
    });
    assert!(err.message.contains("block-new-sharing"), "{err}");
    assert!(
        err.hint.contains("amisim_image_block_public_access"),
        "{err}"
    );
    // Sharing with accounts is not blocked.
    w.ok(|c| c.call(&me, &AddLaunchPermission::new(&img.id, &account(B))));
    // The setting is per region.
    w.ok(|c| c.call(&me, &SetBlockPublicAccess::new("unblocked")));
    w.ok(|c| c.call(&me, &AddLaunchPermission::new(&img.id, &public())));
    let west = at(A, USW2);
    let wimg = register(&mut w.cloud, &west, "open");
    w.refused("OperationNotPermitted", |c| {
        c.call(&west, &AddLaunchPermission::new(&wimg.id, &public()))
    });
    // Blocking again keeps what is public public.
    w.ok(|c| c.call(&me, &SetBlockPublicAccess::new("block-new-sharing")));
    assert_eq!(launch_permissions(&mut w.cloud, &img.id).len(), 2);
    w.ok(|c| c.call(&at(C, USE1), &launch(&img.id, "t3.micro")));
    w.refused("InvalidParameterValue", |c| {
        c.call(&me, &SetBlockPublicAccess::new("off"))
    });
}

fn criterion(providers: &[&str], names: &[&str]) -> ImageCriterion {
    ImageCriterion {
        image_providers: providers.iter().map(|s| s.to_string()).collect(),
        image_names: names.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

#[test]
fn allowed_images_refuse_launches_and_copies_of_images_no_criterion_allows() {
    let mut w = World::new();
    let me = at(A, USE1);
    let b = at(B, USE1);
    let ubuntu = catalogue(&mut w.cloud, &me, UBUNTU);
    let windows = catalogue(&mut w.cloud, &me, WINDOWS);
    let theirs = register(&mut w.cloud, &b, "vendor");
    w.ok(|c| c.call(&b, &AddLaunchPermission::new(&theirs.id, &account(A))));
    let mine = register(&mut w.cloud, &me, "mine");
    w.ok(|c| {
        c.call(
            &me,
            &AllowedImages {
                state: "enabled".into(),
                criteria: vec![criterion(&[CANONICAL], &["ubuntu/*"])],
            },
        )
    });
    w.ok(|c| c.call(&me, &launch(&ubuntu.id, "t3.micro")));
    let err = w.refused("InvalidAMIID.NotAllowed", |c| {
        c.call(&me, &launch(&windows.id, "t3.micro"))
    });
    assert!(err.message.contains(&windows.id), "{err}");
    assert!(err.hint.contains("audit-mode"), "{err}");
    w.refused("InvalidAMIID.NotAllowed", |c| {
        c.call(&me, &launch(&theirs.id, "t3.micro"))
    });
    w.refused("InvalidAMIID.NotAllowed", |c| {
        c.call(&me, &copy_of(&theirs, "vendor-copy"))
    });
    // The account's own images are always allowed.
    w.ok(|c| c.call(&me, &launch(&mine.id, "t3.micro")));
    // Criteria are OR'ed; fields within one are AND'ed.
    w.ok(|c| {
        c.call(
            &me,
            &AllowedImages {
                state: "enabled".into(),
                criteria: vec![
                    criterion(&[CANONICAL], &["ubuntu/*"]),
                    criterion(&[B], &["vend?r"]),
                ],
            },
        )
    });
    w.ok(|c| c.call(&me, &launch(&theirs.id, "t3.micro")));
    // Audit mode refuses nothing.
    w.ok(|c| {
        c.call(
            &me,
            &AllowedImages {
                state: "audit-mode".into(),
                criteria: vec![criterion(&["aws-marketplace"], &[])],
            },
        )
    });
    w.ok(|c| c.call(&me, &launch(&windows.id, "t3.micro")));
}

/// The names of the images DescribeImages finds for `who` with `owners`.
fn discoverable(w: &mut World, who: &amisim_simulator::Caller, owners: &[&str]) -> Vec<String> {
    let found = w.ok(|c| {
        c.call(
            who,
            &amisim_simulator::DescribeImages {
                owners: owners.iter().map(|o| o.to_string()).collect(),
                ..Default::default()
            },
        )
    });
    found.into_iter().map(|i| i.name).collect()
}

#[test]
fn in_enabled_state_only_allowed_images_and_the_accounts_own_are_discoverable() {
    let mut w = World::new();
    let me = at(A, USE1);
    let b = at(B, USE1);
    let theirs = register(&mut w.cloud, &b, "vendor");
    w.ok(|c| c.call(&b, &AddLaunchPermission::new(&theirs.id, &account(A))));
    register(&mut w.cloud, &me, "mine");
    let windows = catalogue(&mut w.cloud, &me, WINDOWS);
    let set = |w: &mut World, state: &str, criteria: Vec<ImageCriterion>| {
        w.ok(|c| {
            c.call(
                &me,
                &AllowedImages {
                    state: state.into(),
                    criteria,
                },
            )
        })
    };
    set(
        &mut w,
        "enabled",
        vec![criterion(&[CANONICAL], &["ubuntu/*"])],
    );
    let canonical = discoverable(&mut w, &me, &[CANONICAL]);
    assert!(
        !canonical.is_empty() && canonical.iter().all(|n| n.starts_with("ubuntu/")),
        "{canonical:?}"
    );
    assert!(discoverable(&mut w, &me, &["amazon"]).is_empty());
    assert!(discoverable(&mut w, &me, &["aws-marketplace"]).is_empty());
    assert!(
        discoverable(&mut w, &me, &[B]).is_empty(),
        "a shared image no criterion allows is hidden"
    );
    assert_eq!(
        discoverable(&mut w, &me, &["self"]),
        vec!["mine".to_string()]
    );
    // Named by its ID it is not found either; launching it is refused as not allowed.
    assert_eq!(
        w.ok(|c| c.call(&me, &DescribeImage::new(&windows.id))),
        None
    );
    w.refused("InvalidAMIID.NotAllowed", |c| {
        c.call(&me, &launch(&windows.id, "t3.micro"))
    });
    // Other accounts see what they saw.
    assert!(!discoverable(&mut w, &b, &["aws-marketplace"]).is_empty());
    // The `amazon` provider is Amazon's images and the verified providers'
    // (Canonical, Red Hat, Fedora, Debian), never a Marketplace seller's.
    set(&mut w, "enabled", vec![criterion(&["amazon"], &[])]);
    for publisher in [
        CANONICAL,
        "309956199498",
        "125523088429",
        "136693071363",
        "amazon",
    ] {
        assert!(
            !discoverable(&mut w, &me, &[publisher]).is_empty(),
            "{publisher}"
        );
    }
    assert!(discoverable(&mut w, &me, &["aws-marketplace"]).is_empty());
    // `none` alone: only the account's own images.
    set(&mut w, "enabled", vec![criterion(&["none"], &[])]);
    let all = discoverable(&mut w, &me, &[]);
    assert_eq!(all, vec!["mine".to_string()]);
    // Audit mode hides nothing.
    set(&mut w, "audit-mode", vec![criterion(&["none"], &[])]);
    assert!(discoverable(&mut w, &me, &[B]).contains(&"vendor".to_string()));
    assert!(w
        .ok(|c| c.call(&me, &DescribeImage::new(&windows.id)))
        .is_some());
}

#[test]
fn image_providers_take_none_alone_and_the_backup_vault_as_aws_does() {
    let mut w = World::new();
    let me = at(A, USE1);
    for providers in [
        vec!["none"],
        vec!["aws-backup-vault"],
        vec!["amazon", "aws-backup-vault", B],
    ] {
        w.ok(|c| {
            c.call(
                &me,
                &AllowedImages {
                    state: "enabled".into(),
                    criteria: vec![criterion(&providers, &[])],
                },
            )
        });
    }
    let err = w.refused("InvalidParameterValue", |c| {
        c.call(
            &me,
            &AllowedImages {
                state: "enabled".into(),
                criteria: vec![criterion(&["none", "amazon"], &[])],
            },
        )
    });
    assert!(err.message.contains("none"), "{err}");
    // aws-backup-vault is an owner to search too; amisim's vaults hold no images.
    assert!(discoverable(&mut w, &me, &["aws-backup-vault"]).is_empty());
}

#[test]
fn allowed_images_conditions_on_age_and_deprecation() {
    let mut w = World::new();
    let me = at(A, USE1);
    let b = at(B, USE1);
    let theirs = register(&mut w.cloud, &b, "vendor");
    w.ok(|c| c.call(&b, &AddLaunchPermission::new(&theirs.id, &account(A))));
    let fresh = ImageCriterion {
        maximum_days_since_created: Some(30),
        ..Default::default()
    };
    w.ok(|c| {
        c.call(
            &me,
            &AllowedImages {
                state: "enabled".into(),
                criteria: vec![fresh],
            },
        )
    });
    w.ok(|c| c.call(&me, &launch(&theirs.id, "t3.micro")));
    w.later(31 * DAY);
    w.refused("InvalidAMIID.NotAllowed", |c| {
        c.call(&me, &launch(&theirs.id, "t3.micro"))
    });
    let recent = ImageCriterion {
        maximum_days_since_deprecated: Some(1),
        ..Default::default()
    };
    w.ok(|c| {
        c.call(
            &me,
            &AllowedImages {
                state: "enabled".into(),
                criteria: vec![recent],
            },
        )
    });
    w.ok(|c| c.call(&me, &launch(&theirs.id, "t3.micro")));
    let soon = amisim_simulator::dates::format_time(
        amisim_simulator::dates::parse_time(&w.cloud.now().unwrap()).unwrap() + 3600,
    );
    w.ok(|c| c.call(&b, &SetImageDeprecation::new(&theirs.id, Some(&soon))));
    w.later(3 * DAY);
    w.refused("InvalidAMIID.NotAllowed", |c| {
        c.call(&me, &launch(&theirs.id, "t3.micro"))
    });
}

#[test]
fn allowed_images_settings_are_checked() {
    let mut w = World::new();
    let me = at(A, USE1);
    let eleven = vec![criterion(&["amazon"], &[]); 11];
    let err = w.refused("InvalidParameterValue", |c| {
        c.call(
            &me,
            &AllowedImages {
                state: "enabled".into(),
                criteria: eleven,
            },
        )
    });
    assert!(err.message.contains("at most 10"), "{err}");
    for (state, criteria) in [
        ("on", vec![]),
        ("enabled", vec![ImageCriterion::default()]),
        ("enabled", vec![criterion(&["someone"], &[])]),
    ] {
        w.refused("InvalidParameterValue", |c| {
            c.call(
                &me,
                &AllowedImages {
                    state: state.into(),
                    criteria,
                },
            )
        });
    }
}

#[test]
fn ancestry_runs_from_an_image_back_to_its_origin_across_regions_and_deregistrations() {
    let mut w = World::new();
    let me = at(A, USE1);
    let ubuntu = catalogue(&mut w.cloud, &me, UBUNTU);
    let server = w.ok(|c| c.call(&me, &launch(&ubuntu.id, "t3.micro")));
    let golden = w.ok(|c| {
        c.call(
            &me,
            &CreateImage {
                instance_id: server.id.clone(),
                name: "golden".into(),
                ..Default::default()
            },
        )
    });
    let west = at(A, USW2);
    let dr = w.ok(|c| c.call(&west, &copy_of(&golden, "golden-dr")));
    let dr2 = w.ok(|c| c.call(&west, &copy_of(&dr, "golden-dr-2")));
    w.ok(|c| c.call(&west, &DeregisterImage::new(&dr.id, false)));
    let chain = w.ok(|c| c.call(&west, &GetImageAncestry::new(&dr2.id)));
    let ids: Vec<&str> = chain.iter().map(|e| e.image_id.as_str()).collect();
    assert_eq!(ids, [&dr2.id, &dr.id, &golden.id, &ubuntu.id]);
    assert_eq!(chain[0].source_image_id.as_deref(), Some(dr.id.as_str()));
    assert_eq!(chain[1].source_image_region.as_deref(), Some(USE1));
    assert_eq!(
        chain[2].source_image_id.as_deref(),
        Some(ubuntu.id.as_str())
    );
    assert_eq!(chain[3].source_image_id, None);
    assert_eq!(chain[3].owner_id.as_deref(), Some(CANONICAL));
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(&at(B, USW2), &GetImageAncestry::new(&dr2.id))
    });
}

#[test]
fn ancestry_shows_no_more_of_a_private_ancestor_than_its_id() {
    let mut w = World::new();
    let a = at(A, USE1);
    let b = at(B, USE1);
    let golden = register(&mut w.cloud, &a, "golden");
    w.ok(|c| c.call(&a, &AddLaunchPermission::new(&golden.id, &account(B))));
    w.ok(|c| c.call(&a, &AddStoragePermission::new(&golden.storage_ids[0], B)));
    let mine = w.ok(|c| c.call(&b, &copy_of(&golden, "mine")));
    // While shared, B sees the whole chain.
    let chain = w.ok(|c| c.call(&b, &GetImageAncestry::new(&mine.id)));
    assert_eq!(chain.len(), 2);
    assert_eq!(
        chain[1].creation_date.as_deref(),
        Some(golden.creation_date.as_str())
    );
    // Unshared, A's image is only the ID B's copy names as its source.
    w.ok(|c| c.call(&a, &RemoveLaunchPermission::new(&golden.id, &account(B))));
    let chain = w.ok(|c| c.call(&b, &GetImageAncestry::new(&mine.id)));
    assert_eq!(chain.len(), 2);
    assert_eq!(
        chain[0].source_image_id.as_deref(),
        Some(golden.id.as_str())
    );
    assert_eq!(chain[1].image_id, golden.id);
    assert_eq!(
        (
            &chain[1].creation_date,
            &chain[1].owner_id,
            &chain[1].source_image_id
        ),
        (&None, &None, &None)
    );
    // Its owner still sees it whole.
    let own = w.ok(|c| c.call(&a, &GetImageAncestry::new(&golden.id)));
    assert_eq!(own[0].owner_id.as_deref(), Some(A));
}

#[test]
fn references_list_live_instances_and_copies_and_launches_are_recorded() {
    let mut w = World::new();
    let me = at(A, USE1);
    let img = register(&mut w.cloud, &me, "golden");
    assert_eq!(img.last_launched_time, None);
    assert!(w
        .ok(|c| c.call(&me, &DescribeImageReferences::new(&img.id)))
        .is_empty());
    let i1 = w.ok(|c| c.call(&me, &launch(&img.id, "t3.micro")));
    let copy = w.ok(|c| c.call(&at(A, USW2), &copy_of(&img, "golden")));
    let refs = w.ok(|c| c.call(&me, &DescribeImageReferences::new(&img.id)));
    let ids: Vec<&str> = refs.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, [copy.id.as_str(), i1.id.as_str()]);
    assert_eq!(
        stored_image(&mut w.cloud, &img.id)
            .last_launched_time
            .as_deref(),
        Some(i1.launch_time.as_str())
    );
    w.ok(|c| c.call(&me, &TerminateInstance::new(&i1.id)));
    let refs = w.ok(|c| c.call(&me, &DescribeImageReferences::new(&img.id)));
    assert_eq!(refs.len(), 1, "terminated instances no longer use it");
    w.ok(|c| c.call(&me, &AddLaunchPermission::new(&img.id, &account(B))));
    let err = w.refused("AuthFailure", |c| {
        c.call(&at(B, USE1), &DescribeImageReferences::new(&img.id))
    });
    assert!(err.message.contains("owned by"), "{err}");
}

#[test]
fn copy_image_tags_starts_a_copy_with_the_sources_user_tags() {
    let mut w = World::new();
    let me = at(A, USE1);
    let mut req = image("tagged");
    req.tags.insert("team".into(), "web".into());
    req.tags.insert("tier".into(), "gold".into());
    let src = w.ok(|c| c.call(&me, &req));
    let mut copy = CopyImage {
        copy_image_tags: true,
        ..copy_of(&src, "tagged")
    };
    copy.tags.insert("tier".into(), "dr".into());
    let made = w.ok(|c| c.call(&at(A, USW2), &copy));
    assert_eq!(made.tags.get("team").map(String::as_str), Some("web"));
    assert_eq!(
        made.tags.get("tier").map(String::as_str),
        Some("dr"),
        "the request wins"
    );
    assert_eq!(made.copied_tags.len(), 2);
    let plain = w.ok(|c| c.call(&at(A, EUW1), &copy_of(&src, "tagged")));
    assert!(plain.tags.is_empty());
}

#[test]
fn allowed_images_criteria_are_bounded_as_aws_bounds_them() {
    let mut w = World::new();
    let me = at(A, USE1);
    let set = |criterion: ImageCriterion| AllowedImages {
        state: "enabled".into(),
        criteria: vec![criterion],
    };
    let many = |n: usize, f: &dyn Fn(usize) -> String| (0..n).map(f).collect::<Vec<String>>();
    let accounts = |n| many(n, &|i| format!("{:012}", 100_000_000_000u64 + i as u64));
    let names = |n| many(n, &|i| format!("golden-{i}-*"));
    // At the bounds: accepted.
    w.ok(|c| {
        c.call(
            &me,
            &set(ImageCriterion {
                image_providers: accounts(200),
                image_names: names(50),
                marketplace_product_codes: many(50, &|i| format!("code{i}")),
                ..Default::default()
            }),
        )
    });
    // One past them, or a name pattern AWS would refuse: refused, nothing changed.
    for criterion in [
        ImageCriterion {
            image_providers: accounts(201),
            ..Default::default()
        },
        ImageCriterion {
            image_names: names(51),
            ..Default::default()
        },
        ImageCriterion {
            marketplace_product_codes: many(51, &|i| format!("code{i}")),
            ..Default::default()
        },
        ImageCriterion {
            image_names: vec!["a".repeat(129)],
            ..Default::default()
        },
        ImageCriterion {
            image_names: vec!["<script>*".into()],
            ..Default::default()
        },
        ImageCriterion {
            image_names: vec![String::new()],
            ..Default::default()
        },
    ] {
        let err = w.refused("InvalidParameterValue", |c| c.call(&me, &set(criterion)));
        assert!(!err.hint.is_empty(), "{err}");
    }
}
