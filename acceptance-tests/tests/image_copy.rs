//! `amisim_image_copy` under the real Terraform CLI: regions, accounts, encryption, billing products.

use amisim_acceptance_tests::Workspace;
use amisim_simulator::Caller;
use amisim_simulator::{DeregisterImage, DescribeImage};

const PROVIDERS: &str = r#"
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}
provider "amisim" {
  alias      = "west"
  account_id = "111111111111"
  region     = "eu-west-1"
}
provider "amisim" {
  alias      = "other"
  account_id = "222222222222"
  region     = "us-east-1"
}
"#;

fn config(body: &str) -> String {
    format!("{PROVIDERS}\n{body}")
}

const SOURCE: &str = r#"
resource "amisim_image" "src" {
  name = "app-v1"
  tags = { Stage = "source" }
}
"#;

#[test]
fn cross_region_copy_is_distinct_owned_and_converges() {
    let ws = Workspace::new(&config(&format!(
        r#"{SOURCE}
resource "amisim_image_copy" "dr" {{
  provider          = amisim.west
  source_ami_id     = amisim_image.src.id
  source_ami_region = "us-east-1"
  name              = "app-v1-dr"
  description       = "disaster recovery"
}}
"#
    )));
    insta::assert_snapshot!("copy_plan", ws.plan());
    ws.apply_and_converge();
    let r = ws.resources();
    let copy = &r["amisim_image_copy.dr"];
    assert_ne!(copy["id"], r["amisim_image.src"]["id"]);
    assert_eq!(copy["region"], "eu-west-1");
    assert_eq!(copy["owner_id"], "111111111111");
    assert_eq!(copy["source_image_id"], r["amisim_image.src"]["id"]);
    assert_eq!(copy["tags"], serde_json::Value::Null, "tags are not copied");
    assert_ne!(copy["storage_ids"], r["amisim_image.src"]["storage_ids"]);
    insta::assert_json_snapshot!("copy_state", r);

    // Description changes in place; the name forces a new copy.
    ws.set_config(&config(&format!(
        r#"{SOURCE}
resource "amisim_image_copy" "dr" {{
  provider      = amisim.west
  source_ami_id     = amisim_image.src.id
  source_ami_region = "us-east-1"
  name          = "app-v1-dr"
  description   = "disaster recovery copy"
}}
"#
    )));
    ws.expect_action("amisim_image_copy.dr", "update");
    ws.apply_and_converge();
    ws.set_config(&config(&format!(
        r#"{SOURCE}
resource "amisim_image_copy" "dr" {{
  provider      = amisim.west
  source_ami_id     = amisim_image.src.id
  source_ami_region = "us-east-1"
  name          = "app-v1-dr2"
  description   = "disaster recovery copy"
}}
"#
    )));
    ws.expect_action("amisim_image_copy.dr", "replace");
    ws.apply_and_converge();

    // The copy survives the source's deregistration (drift on the source only).
    let src = ws.resources()["amisim_image.src"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let copy = ws.resources()["amisim_image_copy.dr"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    ws.cloud()
        .call(
            &Caller::new("111111111111", "us-east-1"),
            &DeregisterImage::new(&src, false),
        )
        .unwrap();
    let actions = ws.planned_actions();
    assert!(
        actions.contains(&("amisim_image.src".into(), "create".into())),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("amisim_image_copy.dr".into(), "replace".into())),
        "a new source means a new copy: {actions:?}"
    );
    let west = Caller::new("111111111111", "eu-west-1");
    assert!(ws
        .cloud()
        .call(&west, &DescribeImage::new(&copy))
        .unwrap()
        .unwrap()
        .is_available());

    ws.apply_and_converge();
    let copy = ws.resources()["amisim_image_copy.dr"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    ws.import_verify("amisim_image_copy.dr", &copy, &[]);
    ws.destroy();
    insta::assert_snapshot!("copy_events", ws.event_log());
}

#[test]
fn copy_refusals_carry_aws_codes() {
    // Another account's image that is not shared: not found.
    let ws = Workspace::new(&config(&format!(
        r#"{SOURCE}
resource "amisim_image_copy" "theirs" {{
  provider      = amisim.other
  source_ami_id = amisim_image.src.id
  source_region = "us-east-1"
  name          = "stolen"
}}
"#
    )));
    ws.apply_expect_error("InvalidAMIID.NotFound");

    // Shared for launch, but its storage is not readable.
    ws.set_config(&config(&format!(
        r#"{SOURCE}
resource "amisim_launch_permission" "other" {{
  image_id   = amisim_image.src.id
  account_id = "222222222222"
}}
resource "amisim_image_copy" "theirs" {{
  provider      = amisim.other
  source_ami_id = amisim_image.src.id
  source_region = "us-east-1"
  name          = "theirs"
  depends_on    = [amisim_launch_permission.other]
}}
"#
    )));
    let out = ws.apply_expect_error("InvalidRequest");
    assert!(
        out.stderr
            .contains("You do not have permission to access the storage of this ami"),
        "{}",
        out.stderr
    );
    insta::assert_snapshot!("copy_storage_refusal", out.stderr);

    // With storage permission the other account copies it and owns the copy.
    ws.set_config(&config(&format!(
        r#"{SOURCE}
resource "amisim_launch_permission" "other" {{
  image_id   = amisim_image.src.id
  account_id = "222222222222"
}}
resource "amisim_storage_permission" "other" {{
  storage_id = amisim_image.src.storage_ids[0]
  account_id = "222222222222"
}}
resource "amisim_image_copy" "theirs" {{
  provider      = amisim.other
  source_ami_id = amisim_image.src.id
  source_region = "us-east-1"
  name          = "theirs"
  depends_on    = [amisim_launch_permission.other, amisim_storage_permission.other]
}}
"#
    )));
    ws.apply_and_converge();
    let r = ws.resources();
    assert_eq!(r["amisim_image_copy.theirs"]["owner_id"], "222222222222");
    assert_eq!(r["amisim_image.src"]["owner_id"], "111111111111");
    ws.destroy();

    // An encrypted source cannot be copied unencrypted.
    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "enc" {
  name      = "enc"
  encrypted = true
}
resource "amisim_image_copy" "plain" {
  source_ami_id = amisim_image.enc.id
  source_region = "us-east-1"
  name          = "plain"
  encrypted     = false
}
"#,
    ));
    ws.apply_expect_error("InvalidParameterCombination");

    // A Windows image of Amazon (billing product) cannot be copied by another account.
    let ws = Workspace::new(&config(
        r#"
data "amisim_image" "windows" {
  owners      = ["amazon"]
  most_recent = true
  filter {
    name   = "platform"
    values = ["windows"]
  }
}
resource "amisim_image_copy" "win" {
  source_ami_id = data.amisim_image.windows.id
  source_region = "us-east-1"
  name          = "my-windows"
}
"#,
    ));
    let out = ws.apply_expect_error("InvalidRequest");
    assert!(out.stderr.contains("BillingProduct"), "{}", out.stderr);
    assert!(
        out.stderr.contains("source_instance_id"),
        "the hint names the way out: {}",
        out.stderr
    );

    // The destination key must be in the destination region.
    let ws = Workspace::new(&config(&format!(
        r#"{SOURCE}
resource "amisim_kms_key" "east" {{
  description = "east key"
}}
resource "amisim_image_copy" "west" {{
  provider      = amisim.west
  source_ami_id = amisim_image.src.id
  source_region = "us-east-1"
  name          = "west-enc"
  encrypted     = true
  kms_key_id    = amisim_kms_key.east.arn
}}
"#
    )));
    ws.apply_expect_error("InvalidParameterValue");
}

/// `source_ami_region`, as aws_ami_copy names it, beside the older
/// `source_region`: a state made with the older name, even one written before
/// `source_ami_region` existed, moves to the new name with nothing replaced.
#[test]
fn source_ami_region_takes_over_from_source_region_without_a_replacement() {
    let copy = |region_argument: &str| {
        config(&format!(
            r#"{SOURCE}
resource "amisim_image_copy" "dr" {{
  provider      = amisim.west
  source_ami_id = amisim_image.src.id
  {region_argument}
  name          = "app-v1-dr"
}}
"#
        ))
    };
    let ws = Workspace::new(&copy(r#"source_region = "us-east-1""#));
    let out = ws.apply();
    assert!(
        out.warns("Deprecated argument: source_region")
            && out.shows("source_region is deprecated and will be removed in 1.0: rename it to source_ami_region"),
        "{}",
        out.all()
    );
    let before = ws.resources()["amisim_image_copy.dr"].clone();
    assert_eq!(before["source_ami_region"], "us-east-1");
    assert_eq!(before["source_region"], "us-east-1");

    // As a state written before source_ami_region existed.
    ws.forget_in_state("source_ami_region");

    ws.set_config(&copy(r#"source_ami_region = "us-east-1""#));
    ws.assert_plan_empty();
    let out = ws.apply();
    assert!(!out.warns("Deprecated argument"), "{}", out.all());
    assert_eq!(ws.resources()["amisim_image_copy.dr"]["id"], before["id"]);

    // Another region is another copy; exactly one of the two names is set.
    ws.set_config(&copy(r#"source_ami_region = "us-west-2""#));
    ws.expect_action("amisim_image_copy.dr", "replace");
    for (arguments, message) in [
        (
            "source_ami_region = \"us-east-1\"\n  source_region = \"us-east-1\"",
            "Conflicting arguments: source_ami_region and source_region",
        ),
        ("", "Missing required argument: source_ami_region"),
    ] {
        ws.set_config(&copy(arguments));
        ws.plan_refused(message);
    }
}
