//! AMIs are regional; IDs have a fixed shape; callers are checked.

use amisim_simulator::{CopyImage, ModifyImage};

use crate::common::*;
use amisim_simulator::{AddLaunchPermission, DeregisterImage, DescribeImage};

#[test]
fn image_of_another_region_is_not_found() {
    let mut w = World::new();
    let east = at(A, USE1);
    let west = at(A, USW2);
    let img = register(&mut w.cloud, &east, "golden-web");

    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(&west, &launch(&img.id, "t3.micro"))
    });
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(&west, &AddLaunchPermission::new(&img.id, &account(B)))
    });
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(
            &west,
            &ModifyImage {
                image_id: img.id.clone(),
                description: Some("x".into()),
                ..ModifyImage::default()
            },
        )
    });
    // The source region of a copy is where the source is looked up.
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(
            &west,
            &CopyImage {
                source_region: EUW1.into(),
                ..copy_of(&img, "golden-web-copy")
            },
        )
    });
    assert_eq!(w.ok(|c| c.call(&west, &DescribeImage::new(&img.id))), None);
    assert_eq!(
        w.ok(|c| c.call(&east, &DescribeImage::new(&img.id))),
        Some(img.clone())
    );
    // Deregistering from another region is a no-op, not a deregistration.
    assert!(!w.ok(|c| c.call(&west, &DeregisterImage::new(&img.id, true))));
    assert!(stored_image(&mut w.cloud, &img.id).is_available());
}

#[test]
fn catalogue_images_of_one_region_are_not_found_in_another() {
    let mut w = World::new();
    let east = at(A, USE1);
    let europe = at(A, EUW1);
    let ubuntu_east = catalogue(&mut w.cloud, &east, UBUNTU);
    let ubuntu_europe = catalogue(&mut w.cloud, &europe, UBUNTU);
    assert_ne!(
        ubuntu_east.id, ubuntu_europe.id,
        "each region has its own catalogue image"
    );
    assert_eq!(ubuntu_europe.region, EUW1);
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(&europe, &launch(&ubuntu_east.id, "t3.micro"))
    });
    w.ok(|c| c.call(&europe, &launch(&ubuntu_europe.id, "t3.micro")));
}

#[test]
fn malformed_image_ids_are_refused_as_malformed() {
    let mut w = World::new();
    let me = at(A, USE1);
    for bad in [
        "",
        "ami-",
        "ami-123",
        "ami-XYZ",
        "ami-0123456789ABCDEF0",
        "ami-0123456789abcdef",
        "ami-0123456789abcdef01",
        "i-0123456789abcdef0",
        "ami_0123456789abcdef0",
    ] {
        w.refused("InvalidAMIID.Malformed", |c| {
            c.call(&me, &launch(bad, "t3.micro"))
        });
        w.refused("InvalidAMIID.Malformed", |c| {
            c.call(
                &me,
                &CopyImage {
                    source_image_id: bad.into(),
                    source_region: USE1.into(),
                    name: "copy-of-bad".into(),
                    ..CopyImage::default()
                },
            )
        });
        w.refused("InvalidAMIID.Malformed", |c| {
            c.call(&me, &AddLaunchPermission::new(bad, &account(B)))
        });
        w.refused("InvalidAMIID.Malformed", |c| {
            c.call(&me, &DescribeImage::new(bad))
        });
    }
}

#[test]
fn well_formed_unknown_image_ids_are_not_found() {
    let mut w = World::new();
    let me = at(A, USE1);
    for unknown in ["ami-0123456789abcdef0", "ami-12345678"] {
        w.refused("InvalidAMIID.NotFound", |c| {
            c.call(&me, &launch(unknown, "t3.micro"))
        });
        w.refused("InvalidAMIID.NotFound", |c| {
            c.call(
                &me,
                &CopyImage {
                    source_image_id: unknown.into(),
                    source_region: USE1.into(),
                    name: "copy-of-unknown".into(),
                    ..CopyImage::default()
                },
            )
        });
        assert_eq!(w.ok(|c| c.call(&me, &DescribeImage::new(unknown))), None);
    }
}

#[test]
fn unshared_image_of_another_account_is_not_found() {
    let mut w = World::new();
    let img = register(&mut w.cloud, &at(A, USE1), "private-web");
    let other = at(B, USE1);
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(&other, &launch(&img.id, "t3.micro"))
    });
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(&other, &copy_of(&img, "stolen"))
    });
    assert_eq!(w.ok(|c| c.call(&other, &DescribeImage::new(&img.id))), None);
}

#[test]
fn caller_account_must_be_twelve_digits() {
    let mut w = World::new();
    for bad in ["12345", "1234567890123", "12345678901a", ""] {
        let err = w.refused("InvalidParameterValue", |c| {
            c.call(&at(bad, USE1), &image("web"))
        });
        assert!(err.hint.contains("12 digits"), "{err}");
    }
}

#[test]
fn caller_region_must_be_in_the_catalogue() {
    let mut w = World::new();
    for bad in ["us-east-7", "US-EAST-1", "moon-1", ""] {
        let err = w.refused("InvalidParameterValue", |c| {
            c.call(&at(A, bad), &image("web"))
        });
        assert!(
            err.hint.contains("us-east-1") && err.hint.contains("eu-west-1"),
            "names the valid regions: {err}"
        );
    }
}

#[test]
fn regions_launched_since_2023_are_in_the_catalogue_and_other_partitions_are_named() {
    let mut w = World::new();
    for region in [
        "ap-southeast-7",
        "mx-central-1",
        "ca-west-1",
        "il-central-1",
        "ap-southeast-5",
        "ap-east-2",
    ] {
        register(&mut w.cloud, &at(A, region), "web");
        // The public catalogue is there too.
        catalogue(&mut w.cloud, &at(A, region), UBUNTU);
    }
    for (region, partition) in [
        ("cn-north-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("eusc-de-east-1", "aws-eusc"),
    ] {
        let err = w.refused("InvalidParameterValue", |c| {
            c.call(&at(A, region), &image("web"))
        });
        assert!(err.message.contains(partition), "{err}");
    }
}

#[test]
fn an_unknown_filter_name_is_refused_naming_the_valid_ones() {
    let mut w = World::new();
    let err = w.refused("InvalidParameterValue", |c| {
        c.call(
            &at(A, USE1),
            &amisim_simulator::DescribeImages {
                filters: vec![("nme".into(), vec!["web".into()])],
                ..Default::default()
            },
        )
    });
    assert!(err.message.contains("nme"), "{err}");
    assert!(err.hint.contains("root-device-type"), "{err}");
    // Tag filters take any key.
    w.ok(|c| {
        c.call(
            &at(A, USE1),
            &amisim_simulator::DescribeImages {
                filters: vec![("tag:Team".into(), vec!["web".into()])],
                ..Default::default()
            },
        )
    });
}

#[test]
fn copy_source_region_must_be_in_the_catalogue() {
    let mut w = World::new();
    let img = register(&mut w.cloud, &at(A, USE1), "web");
    w.refused("InvalidParameterValue", |c| {
        c.call(
            &at(A, USW2),
            &CopyImage {
                source_region: "us-middle-1".into(),
                ..copy_of(&img, "web-copy")
            },
        )
    });
}

/// The images of `who`'s region that DescribeImages finds with one filter.
fn found_by(w: &mut World, who: &amisim_simulator::Caller, name: &str, value: &str) -> Vec<String> {
    let found = w.ok(|c| {
        c.call(
            who,
            &amisim_simulator::DescribeImages {
                owners: vec!["self".into()],
                filters: vec![(name.into(), vec![value.into()])],
                ..Default::default()
            },
        )
    });
    let mut names: Vec<String> = found.into_iter().map(|i| i.name).collect();
    names.sort();
    names
}

#[test]
fn every_describe_images_filter_aws_documents_is_answered_from_the_image() {
    let mut w = World::new();
    let owner = at(A, USE1);
    unblock(&mut w.cloud, &owner);
    let mut tagged = image("web-arm");
    tagged.architecture = Some("arm64".into());
    tagged.tags.insert("Team".into(), "web".into());
    let arm = w.ok(|c| c.call(&owner, &tagged));
    let x86 = register(&mut w.cloud, &owner, "web-x86");
    w.ok(|c| c.call(&owner, &AddLaunchPermission::new(&arm.id, &public())));
    let both = vec!["web-arm".to_string(), "web-x86".to_string()];
    let arm_only = vec!["web-arm".to_string()];
    let x86_only = vec!["web-x86".to_string()];
    let snapshot = arm.storage_ids[0].clone();
    let cases: Vec<(&str, &str, Vec<String>)> = vec![
        ("name", "web-a*", arm_only.clone()),
        ("image-id", &x86.id, x86_only.clone()),
        ("owner-id", A, both.clone()),
        ("architecture", "arm64", arm_only.clone()),
        ("platform", "linux", both.clone()),
        ("platform-details", "Linux/UNIX", both.clone()),
        ("root-device-type", "ebs", both.clone()),
        ("root-device-name", "/dev/xvda", both.clone()),
        ("state", "available", both.clone()),
        ("is-public", "true", arm_only.clone()),
        ("is-public", "false", x86_only.clone()),
        ("image-type", "machine", both.clone()),
        ("virtualization-type", "hvm", both.clone()),
        ("virtualization-type", "paravirtual", vec![]),
        ("hypervisor", "xen", both.clone()),
        ("ena-support", "true", both.clone()),
        ("boot-mode", "uefi", arm_only.clone()),
        ("boot-mode", "legacy-bios", x86_only.clone()),
        ("creation-date", "20*", both.clone()),
        ("deprecation-time", "*", vec![]),
        ("source-image-id", "*", vec![]),
        ("source-image-region", "*", vec![]),
        ("product-code", "*", vec![]),
        ("product-code.type", "marketplace", vec![]),
        (
            "block-device-mapping.device-name",
            "/dev/xvda",
            both.clone(),
        ),
        ("block-device-mapping.encrypted", "false", both.clone()),
        (
            "block-device-mapping.snapshot-id",
            &snapshot,
            arm_only.clone(),
        ),
        ("block-device-mapping.volume-size", "8", both.clone()),
        ("block-device-mapping.volume-type", "gp3", both.clone()),
        ("tag:Team", "w?b", arm_only.clone()),
        ("tag-key", "Team", arm_only.clone()),
        ("description", "*", both.clone()),
    ];
    let names: Vec<&str> = cases.iter().map(|(n, _, _)| *n).collect();
    for name in amisim_simulator::filters::FILTER_NAMES {
        let covered = names.contains(name) || (*name == "tag:KEY" && names.contains(&"tag:Team"));
        assert!(
            covered || *name == "owner-alias",
            "no case for the filter {name}"
        );
    }
    for (name, value, want) in cases {
        assert_eq!(
            found_by(&mut w, &owner, name, value),
            want,
            "{name} = {value}"
        );
    }
}

#[test]
fn catalogue_filters_answer_licences_products_and_windows_devices() {
    let mut w = World::new();
    let who = at(A, USE1);
    let find = |w: &mut World, filters: Vec<(&str, &str)>| -> Vec<String> {
        let found = w.ok(|c| {
            c.call(
                &who,
                &amisim_simulator::DescribeImages {
                    filters: filters
                        .into_iter()
                        .map(|(n, v)| (n.to_string(), vec![v.to_string()]))
                        .collect(),
                    ..Default::default()
                },
            )
        });
        found.into_iter().map(|i| i.name).collect()
    };
    assert_eq!(
        find(
            &mut w,
            vec![
                ("product-code", "prod-wordpress-*"),
                ("product-code.type", "marketplace")
            ]
        ),
        vec![WORDPRESS.to_string()]
    );
    let windows = find(
        &mut w,
        vec![
            ("platform-details", "Windows"),
            ("root-device-name", "/dev/sda1"),
        ],
    );
    assert!(windows.contains(&WINDOWS.to_string()), "{windows:?}");
    let rhel = find(
        &mut w,
        vec![("platform-details", "Red Hat Enterprise Linux")],
    );
    assert!(
        !rhel.is_empty() && rhel.iter().all(|n| n.starts_with("RHEL-")),
        "{rhel:?}"
    );
    // A licence is a billing product, not a product code.
    assert!(find(&mut w, vec![("product-code", WINDOWS_BP)]).is_empty());
    let ubuntu = find(
        &mut w,
        vec![
            (
                "name",
                "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*",
            ),
            ("virtualization-type", "hvm"),
            ("owner-id", CANONICAL),
        ],
    );
    assert_eq!(ubuntu, vec![UBUNTU.to_string()]);
    // Ubuntu is Canonical's, which has no alias: `amazon` is Amazon Linux and Windows.
    let amazon = find(&mut w, vec![("owner-alias", "amazon")]);
    assert!(
        amazon.iter().all(|n| n.starts_with("al2023-")
            || n.starts_with("amzn2-")
            || n.starts_with("Windows_")),
        "{amazon:?}"
    );
}
