//! Fixture images: the IDs code already names, loaded from a file in moto's
//! field names, follow every rule of an image of their owner.

use amisim_simulator::fixtures::{self, LoadImages, Loaded};
use amisim_simulator::{
    AddLaunchPermission, Caller, DeregisterImage, DescribeImage, DescribeImages, DescribeSnapshots,
    Image,
};

use crate::common::*;

/// Two images as a team would write them: one of its own in one region,
/// with two EBS devices, and one with an ID of moto's form, private to its
/// owner, in every region.
const TEAM: &str = r#"[
  {"ami_id": "ami-0abc1234def567890", "name": "golden-2024-05", "owner_id": "333333333333",
   "description": "the production image", "architecture": "arm64", "region_name": "eu-west-1",
   "root_device_name": "/dev/xvda", "creation_date": "2024-05-01T12:00:00Z",
   "block_device_mappings": [
     {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 20, "VolumeType": "gp3", "DeleteOnTermination": true}},
     {"DeviceName": "/dev/sdb", "Ebs": {"VolumeSize": 100}},
     {"DeviceName": "/dev/sdc", "VirtualName": "ephemeral0"}]},
  {"ami_id": "ami-ekslinux", "name": "amazon-eks-node-1.29", "owner_id": "333333333333",
   "public": false, "virtualization_type": "hvm", "hypervisor": "xen", "state": "available",
   "platform": "Linux/UNIX", "image_location": "amazon/amazon-eks-node-1.29", "sriov": "simple"}
]"#;

fn load(w: &mut World, text: &str) -> Loaded {
    let request = fixtures::parse("team.json", text.as_bytes()).expect("a fixture file");
    w.ok(|c| c.call(&Caller::administrator(), &request))
}

fn describe(w: &mut World, who: &Caller, id: &str) -> Option<Image> {
    w.ok(|c| c.call(who, &DescribeImage::new(id)))
}

#[test]
fn an_entry_goes_to_its_region_or_to_every_region_under_the_id_it_names() {
    let mut w = World::new();
    let loaded = load(&mut w, TEAM);
    assert_eq!(loaded.entries, 2);
    assert_eq!(
        loaded.images.len(),
        1 + amisim_simulator::catalogue::REGIONS.len()
    );
    let owner_east = at(C, USE1);
    let owner_europe = at(C, EUW1);
    // One region for the entry that names one.
    let golden = describe(&mut w, &owner_europe, "ami-0abc1234def567890").expect("loaded");
    assert_eq!(describe(&mut w, &owner_east, "ami-0abc1234def567890"), None);
    assert_eq!(golden.owner_id, C);
    assert_eq!(golden.architecture, "arm64");
    assert_eq!(golden.creation_date, "2024-05-01T12:00:00.000Z");
    assert_eq!(golden.root_device_name(), "/dev/xvda");
    assert_eq!(golden.size_gb, 20, "the root device's size");
    // A snapshot per EBS device, owned like the image, in its region.
    assert_eq!(golden.storage_ids.len(), 2);
    for id in &golden.storage_ids {
        let snap = storage(&mut w.cloud, id).expect("a snapshot");
        assert_eq!((snap.owner_id.as_str(), snap.region.as_str()), (C, EUW1));
    }
    // Every region, one ID, for the entry without region_name.
    for region in [USE1, USW2, EUW1, "ap-southeast-2"] {
        let image = describe(&mut w, &at(C, region), "ami-ekslinux").expect("in every region");
        assert_eq!(
            (image.id.as_str(), image.region.as_str()),
            ("ami-ekslinux", region)
        );
        assert_eq!(image.location(), "amazon/amazon-eks-node-1.29");
    }
    // Private: another account neither sees nor launches it.
    assert_eq!(describe(&mut w, &at(A, USE1), "ami-ekslinux"), None);
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(&at(A, USE1), &launch("ami-ekslinux", "t3.micro"))
    });
}

#[test]
fn each_regions_copy_is_an_image_of_its_own() {
    let mut w = World::new();
    load(&mut w, TEAM);
    let (east, west) = (at(C, USE1), at(C, USW2));
    // Shared in one region, it is launched there only.
    w.ok(|c| {
        c.call(
            &east,
            &AddLaunchPermission::new("ami-ekslinux", &account(A)),
        )
    });
    let instance = w.ok(|c| c.call(&at(A, USE1), &launch("ami-ekslinux", "t3.micro")));
    assert_eq!(instance.image_id, "ami-ekslinux");
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(&at(A, USW2), &launch("ami-ekslinux", "t3.micro"))
    });
    // Deregistered in one region, it is still there in another.
    assert!(w.ok(|c| c.call(&west, &DeregisterImage::new("ami-ekslinux", true))));
    let gone = describe(&mut w, &west, "ami-ekslinux").expect("described with its state");
    assert!(!gone.is_registered());
    assert!(describe(&mut w, &east, "ami-ekslinux")
        .unwrap()
        .is_available());
    w.refused("InvalidAMIID.Unavailable", |c| {
        c.call(&west, &launch("ami-ekslinux", "t3.micro"))
    });
    // Its snapshot went with it there (DeleteAssociatedSnapshots), not elsewhere.
    let east_snap = describe(&mut w, &east, "ami-ekslinux").unwrap().storage_ids[0].clone();
    assert!(storage(&mut w.cloud, &east_snap).is_some());
    assert_eq!(storage(&mut w.cloud, &gone.storage_ids[0]), None);
}

#[test]
fn public_images_are_launched_and_listed_by_any_account() {
    let mut w = World::new();
    load(
        &mut w,
        r#"[{"ami_id": "ami-12c6146b", "name": "Windows_Server-2008-R2_SP1-English-64Bit-Base-2017.10.13",
             "owner_id": "801119661308", "public": true, "platform": "windows",
             "root_device_type": "ebs", "root_device_name": "/dev/sda1"}]"#,
    );
    let me = at(A, USW2);
    let image = describe(&mut w, &me, "ami-12c6146b").expect("public");
    assert_eq!(image.platform, "windows");
    assert_eq!(image.owner_alias.as_deref(), Some("amazon"));
    assert_eq!(image.size_gb, fixtures::DEFAULT_ROOT_GB);
    let listed = w.ok(|c| {
        c.call(
            &me,
            &DescribeImages {
                owners: vec!["amazon".into()],
                filters: vec![("image-id".into(), vec!["ami-12c6146b".into()])],
                ..DescribeImages::default()
            },
        )
    });
    assert_eq!(listed.len(), 1);
    let instance = w.ok(|c| c.call(&me, &launch("ami-12c6146b", "t3.micro")));
    assert_eq!(instance.platform, "windows");
    // Its snapshot is readable by all, as a public image's is.
    let snaps = w.ok(|c| {
        c.call(
            &me,
            &DescribeSnapshots {
                snapshot_ids: image.storage_ids.clone(),
                ..DescribeSnapshots::default()
            },
        )
    });
    assert_eq!(snaps.len(), 1);
}

#[test]
fn an_id_neither_loaded_nor_of_awss_form_is_malformed() {
    let mut w = World::new();
    let me = at(C, USE1);
    w.refused("InvalidAMIID.Malformed", |c| {
        c.call(&me, &launch("ami-ekslinux", "t3.micro"))
    });
    load(&mut w, TEAM);
    assert!(describe(&mut w, &me, "ami-ekslinux").is_some());
    w.refused("InvalidAMIID.Malformed", |c| {
        c.call(&me, &launch("ami-ekswindows", "t3.micro"))
    });
    w.refused("InvalidAMIID.NotFound", |c| {
        c.call(&me, &launch("ami-12345678", "t3.micro"))
    });
}

#[test]
fn an_id_in_use_in_a_region_is_refused_and_nothing_is_loaded() {
    let mut w = World::new();
    load(&mut w, TEAM);
    let again = fixtures::parse(
        "again.json",
        br#"[{"ami_id": "ami-0123456789abcdef0", "name": "new-one", "owner_id": "333333333333"},
             {"ami_id": "ami-ekslinux", "name": "again", "owner_id": "333333333333", "region_name": "us-east-1"}]"#,
    )
    .unwrap();
    let err = w.refused("InvalidParameterValue", |c| {
        c.call(&Caller::administrator(), &again)
    });
    assert!(
        err.message.contains("entry 2 (ami-ekslinux), field ami_id")
            && err.message.contains("us-east-1"),
        "{err}"
    );
    assert_eq!(
        describe(&mut w, &at(C, USE1), "ami-0123456789abcdef0"),
        None
    );
}

#[test]
fn only_the_administrator_loads_images() {
    let mut w = World::new();
    let request = fixtures::parse("team.json", TEAM.as_bytes()).unwrap();
    w.refused("UnauthorizedOperation", |c| c.call(&at(C, USE1), &request));
}

#[test]
fn a_bad_file_names_the_entry_and_field_at_fault() {
    let cases: &[(&str, &str)] = &[
        ("{}", "not a list: it holds a JSON object"),
        ("[1]", "entry 1 is a JSON number, not an object"),
        (
            r#"[{"ami_id": "ami-12345678", "name": "x1234", "owner_id": "111111111111", "colour": "red"}]"#,
            "entry 1 (ami-12345678), field colour: is not a field",
        ),
        (
            r#"[{"ami_id": "ami-12345678", "owner_id": "111111111111"}]"#,
            "entry 1 (ami-12345678), field name: is missing",
        ),
        (
            r#"[{"ami_id": "ami-12345678", "name": "abc", "owner_id": "111111111111"},
                {"ami_id": "ami-87654321", "name": "abc", "owner_id": "111111111111", "architecture": "sparc"}]"#,
            "entry 2 (ami-87654321), field architecture: \"sparc\" is not one of x86_64, arm64, i386",
        ),
        (
            r#"[{"ami_id": "AMI-12345678", "name": "abc", "owner_id": "111111111111"}]"#,
            "field ami_id: \"AMI-12345678\" is not an AMI ID",
        ),
        (
            r#"[{"ami_id": "ami-12345678", "name": "abc", "owner_id": "12345"}]"#,
            "field owner_id",
        ),
        (
            r#"[{"ami_id": "ami-12345678", "name": "abc", "owner_id": "111111111111", "region_name": "us-east-1a"}]"#,
            "field region_name: \"us-east-1a\" is not a region",
        ),
        (
            r#"[{"ami_id": "ami-12345678", "name": "abc", "owner_id": "111111111111", "state": "pending"}]"#,
            "field state: \"pending\"",
        ),
        (
            r#"[{"ami_id": "ami-12345678", "name": "abc", "owner_id": "111111111111", "public": "yes"}]"#,
            "field public: is a string, not true or false",
        ),
        (
            r#"[{"ami_id": "ami-12345678", "name": "abc", "owner_id": "111111111111",
                 "block_device_mappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 0}}]}]"#,
            "field block_device_mappings: the volume size of /dev/xvda is 0",
        ),
        (
            r#"[{"ami_id": "ami-12345678", "name": "abc", "owner_id": "111111111111",
                 "block_device_mappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": true}}]}]"#,
            "the volume of /dev/xvda is encrypted",
        ),
        (
            r#"[{"ami_id": "ami-12345678", "name": "abc", "owner_id": "111111111111", "root_device_type": "instance-store",
                 "block_device_mappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}]}]"#,
            "the root device /dev/xvda is not of the image's root_device_type instance-store",
        ),
        (
            r#"[{"ami_id": "ami-12345678", "name": "abc", "owner_id": "111111111111", "creation_date": "yesterday"}]"#,
            "field creation_date: \"yesterday\" is not a date",
        ),
    ];
    for (text, expected) in cases {
        let err = fixtures::parse("bad.json", text.as_bytes()).expect_err(text);
        assert_eq!(err.code(), "InvalidParameterValue", "{text}");
        assert!(
            err.message.contains(expected),
            "{text}: {err} does not say {expected:?}"
        );
        assert!(!err.hint.is_empty());
    }
    let err = fixtures::parse("bad.json", b"[{").unwrap_err();
    assert!(err.message.contains("bad.json is not JSON"), "{err}");
}

#[test]
fn a_gzipped_file_reads_as_the_same_json() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("team.json");
    std::fs::write(&plain, TEAM).unwrap();
    let packed = dir.path().join("team.json.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(TEAM.as_bytes()).unwrap();
    std::fs::write(&packed, gz.finish().unwrap()).unwrap();
    let a = fixtures::read(&plain).unwrap();
    let b = fixtures::read(&packed).unwrap();
    assert_eq!(a.images, b.images);
    assert_eq!(b.file, "team.json.gz");
    let damaged = dir.path().join("damaged.json.gz");
    std::fs::write(&damaged, [0x1f, 0x8b, 8, 0, 1, 2, 3]).unwrap();
    let err = fixtures::read(&damaged).unwrap_err();
    assert!(err.message.contains("gzipped, but damaged"), "{err}");
    let err = fixtures::read(&dir.path().join("missing.json")).unwrap_err();
    assert!(
        err.message.contains("cannot read the fixture file"),
        "{err}"
    );
}

#[test]
fn loading_is_deterministic() {
    let dumps: Vec<_> = (0..2)
        .map(|_| {
            let mut w = World::new();
            load(&mut w, TEAM);
            let events: Vec<String> = w
                .cloud
                .events(0)
                .unwrap()
                .iter()
                .map(|e| {
                    format!(
                        "{} {} {} {}",
                        e.time,
                        e.action,
                        e.outcome,
                        e.parameters.to_string().len()
                    )
                })
                .collect();
            (entity_dump(&mut w.cloud), events)
        })
        .collect();
    assert_eq!(dumps[0], dumps[1]);
}

#[test]
fn the_request_a_server_is_sent_is_checked_as_a_file_is() {
    let mut w = World::new();
    let mut request: LoadImages = fixtures::parse("team.json", TEAM.as_bytes()).unwrap();
    request.images[1].architecture = "sparc".into();
    w.refused("InvalidParameterValue", |c| {
        c.call(&Caller::administrator(), &request)
    });
}

#[test]
fn loading_only_what_is_missing_leaves_a_files_images_as_they_are() {
    let mut w = World::new();
    let mut request = fixtures::parse("team.json", TEAM.as_bytes()).unwrap();
    request.missing_only = true;
    let first = w.ok(|c| c.call(&Caller::administrator(), &request));
    assert_eq!(
        w.ok(|c| fixtures_missing(c, &request)),
        0,
        "nothing is missing once loaded"
    );
    // Deregistered in one region, the image stays as it is: it is there.
    assert!(w.ok(|c| c.call(&at(C, USW2), &DeregisterImage::new("ami-ekslinux", true))));
    let again = w.ok(|c| c.call(&Caller::administrator(), &request));
    assert!(again.images.is_empty());
    assert!(!describe(&mut w, &at(C, USW2), "ami-ekslinux")
        .unwrap()
        .is_registered());
    assert_eq!(
        first.images.len(),
        1 + amisim_simulator::catalogue::REGIONS.len()
    );
    // Another file naming a loaded ID is still refused.
    let mut other = fixtures::parse("other.json", TEAM.as_bytes()).unwrap();
    other.missing_only = true;
    w.refused("InvalidParameterValue", |c| {
        c.call(&Caller::administrator(), &other)
    });
}

fn fixtures_missing(
    c: &mut amisim_simulator::Cloud,
    request: &LoadImages,
) -> amisim_simulator::Result<usize> {
    c.read(|tx| fixtures::missing(tx, request))
}

#[test]
fn an_instance_store_image_has_its_root_bundle_and_a_snapshot_per_ebs_device() {
    let mut w = World::new();
    load(
        &mut w,
        r#"[{"ami_id": "ami-0123456789abcdef0", "name": "legacy-store", "owner_id": "333333333333",
             "region_name": "us-east-1", "root_device_type": "instance-store", "root_device_name": "/dev/sda1",
             "virtualization_type": "paravirtual",
             "block_device_mappings": [
               {"device_name": "/dev/sdb", "ebs": {"volume_size": 50}},
               {"device_name": "/dev/sda1", "virtual_name": "ephemeral0"}]}]"#,
    );
    let me = at(C, USE1);
    let image = describe(&mut w, &me, "ami-0123456789abcdef0").unwrap();
    assert_eq!(image.root_device_name(), "/dev/sda1");
    assert_eq!(image.size_gb, fixtures::DEFAULT_ROOT_GB);
    assert_eq!(image.storage_ids.len(), 2);
    assert!(image.storage_ids[0].starts_with("bundle-"), "{image:?}");
    let snapshot = storage(&mut w.cloud, &image.storage_ids[1]).unwrap();
    assert_eq!(snapshot.size_gb, 50);
    let devices = &image.fixture.as_ref().unwrap().devices;
    assert_eq!(devices[0].device_name, "/dev/sda1", "the root first");
    // It boots on the families an instance-store root needs, as any such image.
    w.ok(|c| c.call(&me, &launch("ami-0123456789abcdef0", "m3.medium")));
    w.refused("UnsupportedOperation", |c| {
        c.call(&me, &launch("ami-0123456789abcdef0", "t3.micro"))
    });
}
