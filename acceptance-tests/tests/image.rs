//! `amisim_image` under the real Terraform CLI.

use amisim_acceptance_tests::Workspace;
use amisim_simulator::Caller;
use amisim_simulator::DeregisterImage;

const PROVIDER: &str = r#"
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}
"#;

fn config(body: &str) -> String {
    format!("{PROVIDER}\n{body}")
}

#[test]
fn image_lifecycle_update_replace_import_drift_destroy() {
    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "web" {
  name        = "web-v1"
  description = "first"
  tags        = { Team = "web" }
}
"#,
    ));
    ws.apply_and_converge();
    let state = ws.resources();
    insta::assert_json_snapshot!("image_created", state);
    let id = state["amisim_image.web"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Description and tags change in place.
    ws.set_config(&config(
        r#"
resource "amisim_image" "web" {
  name        = "web-v1"
  description = "second"
  tags        = { Team = "web", Tier = "gold" }
}
"#,
    ));
    ws.expect_action("amisim_image.web", "update");
    ws.apply_and_converge();
    assert_eq!(
        ws.resources()["amisim_image.web"]["id"],
        id.as_str(),
        "updated in place"
    );

    // Anything else forces a replacement, and the plan says which attribute.
    ws.set_config(&config(
        r#"
resource "amisim_image" "web" {
  name                = "web-v1"
  description         = "second"
  root_volume_size_gb = 16
  tags                = { Team = "web", Tier = "gold" }
}
"#,
    ));
    ws.expect_action("amisim_image.web", "replace");
    let plan = ws.plan();
    assert!(plan.contains("# forces replacement"), "{plan}");
    insta::assert_snapshot!("image_replace_plan", plan);
    ws.apply_and_converge();
    let id = ws.resources()["amisim_image.web"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    ws.import_verify("amisim_image.web", &id, &[]);
    ws.import_block_verify("amisim_image.web", &id);
    // A malformed ID is refused as malformed, as the event log records it.
    let bad = Workspace::new(&format!(
        "{PROVIDER}\nresource \"amisim_image\" \"web\" {{\n  name = \"web\"\n}}\n"
    ));
    let out = bad.tf(&["import", "-no-color", "amisim_image.web", "ami-NOT-AN-ID"]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr
            .contains("Cannot import image: InvalidAMIID.Malformed"),
        "{}",
        out.stderr
    );
    assert_eq!(
        bad.events().last().map(|e| e.outcome.clone()).as_deref(),
        Some("InvalidAMIID.Malformed")
    );

    // Drift: deregistered out of band, the next plan recreates it.
    ws.cloud()
        .call(
            &Caller::new("111111111111", "us-east-1"),
            &DeregisterImage::new(&id, false),
        )
        .unwrap();
    ws.expect_action("amisim_image.web", "create");
    ws.apply_and_converge();

    ws.destroy();
    let images = ws
        .cloud()
        .call(
            &Caller::new("111111111111", "us-east-1"),
            &amisim_simulator::DescribeImages {
                owners: vec!["self".into()],
                ..Default::default()
            },
        )
        .unwrap();
    assert!(images.is_empty(), "nothing is left: {images:?}");
    insta::assert_snapshot!("image_events", ws.event_log());
}

#[test]
fn image_refusals_carry_aws_codes() {
    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "a" {
  name = "same-name"
}
resource "amisim_image" "b" {
  name       = "same-name"
  depends_on = [amisim_image.a]
}
"#,
    ));
    let out = ws.apply_expect_error("InvalidAMIName.Duplicate");
    insta::assert_snapshot!("image_duplicate_error", out.stderr);

    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "bad" {
  name = "no*stars"
}
"#,
    ));
    let out = ws.tf(&["plan", "-no-color"]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("InvalidAMIName.Malformed"),
        "{}",
        out.stderr
    );

    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "bad" {
  name       = "keyed"
  encrypted  = false
  kms_key_id = "alias/aws/ebs"
}
"#,
    ));
    let out = ws.tf(&["plan", "-no-color"]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("InvalidParameterCombination"),
        "{}",
        out.stderr
    );
    insta::assert_snapshot!("image_kms_without_encryption_error", out.stderr);

    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "bad" {
  name         = "arch"
  architecture = "sparc"
}
"#,
    ));
    let out = ws.tf(&["plan", "-no-color"]);
    assert!(
        out.stderr.contains("InvalidParameterValue") && out.stderr.contains("x86_64, arm64, i386"),
        "{}",
        out.stderr
    );
}

#[test]
fn encrypted_image_uses_the_managed_key_or_a_customer_key() {
    let ws = Workspace::new(&config(
        r#"
resource "amisim_kms_key" "k" {
  description = "images"
}
resource "amisim_image" "managed" {
  name      = "enc-managed"
  encrypted = true
}
resource "amisim_image" "custom" {
  name       = "enc-custom"
  encrypted  = true
  kms_key_id = amisim_kms_key.k.id
}
"#,
    ));
    ws.apply_and_converge();
    let r = ws.resources();
    let managed = r["amisim_image.managed"]["kms_key_id"].as_str().unwrap();
    assert!(
        managed.starts_with("arn:aws:kms:us-east-1:111111111111:key/"),
        "{managed}"
    );
    assert_eq!(
        r["amisim_image.custom"]["kms_key_id"],
        r["amisim_kms_key.k"]["id"]
    );
    let id = r["amisim_image.custom"]["id"].as_str().unwrap().to_string();
    ws.import_verify("amisim_image.custom", &id, &["kms_key_id"]);
    ws.destroy();
}

#[test]
fn image_from_instance_inherits_and_instance_store_is_refused() {
    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "base" {
  name         = "base-arm"
  architecture = "arm64"
  platform     = "linux"
}
resource "amisim_instance" "builder" {
  ami           = amisim_image.base.id
  instance_type = "t4g.micro"
  user_data     = "dnf install -y nginx"
}
resource "amisim_image" "golden" {
  name               = "golden-arm"
  source_instance_id = amisim_instance.builder.id
}
"#,
    ));
    ws.apply_and_converge();
    let r = ws.resources();
    assert_eq!(r["amisim_image.golden"]["architecture"], "arm64");
    assert_eq!(
        r["amisim_image.golden"]["source_instance_id"],
        r["amisim_instance.builder"]["id"]
    );
    let id = r["amisim_image.golden"]["id"].as_str().unwrap().to_string();
    ws.import_verify("amisim_image.golden", &id, &[]);
    ws.destroy();

    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "store" {
  name             = "store-backed"
  root_device_type = "instance-store"
}
resource "amisim_instance" "i" {
  ami           = amisim_image.store.id
  instance_type = "m1.small"
}
resource "amisim_image" "from_store" {
  name               = "from-store"
  source_instance_id = amisim_instance.i.id
}
"#,
    ));
    let out = ws.apply_expect_error("UnsupportedOperation");
    assert!(out.stderr.contains("instance-store"), "{}", out.stderr);
}

#[test]
fn image_from_an_instance_with_an_encrypted_root_keeps_its_customer_key() {
    let base = r#"
resource "amisim_kms_key" "k" {
  description = "images"
}
resource "amisim_image" "secret" {
  name       = "secret-base"
  encrypted  = true
  kms_key_id = amisim_kms_key.k.id
}
resource "amisim_instance" "builder" {
  ami           = amisim_image.secret.id
  instance_type = "t3.micro"
}
"#;
    // encrypted = false contradicts the volume: refused before anything is made of it.
    let ws = Workspace::new(&config(&format!(
        r#"{base}
resource "amisim_image" "golden" {{
  name               = "golden"
  source_instance_id = amisim_instance.builder.id
  encrypted          = false
}}
"#
    )));
    let out = ws.apply_expect_error("InvalidParameterCombination");
    assert!(out.says("is encrypted with"), "{}", out.stderr);
    assert!(!out.says("inconsistent result"), "{}", out.stderr);
    // Left to the volume, the image keeps the customer managed key and converges.
    ws.set_config(&config(&format!(
        r#"{base}
resource "amisim_image" "golden" {{
  name               = "golden"
  source_instance_id = amisim_instance.builder.id
}}
"#
    )));
    ws.apply_and_converge();
    let r = ws.resources();
    assert_eq!(r["amisim_image.golden"]["encrypted"], true);
    assert_eq!(
        r["amisim_image.golden"]["kms_key_id"],
        r["amisim_kms_key.k"]["arn"]
    );
    ws.destroy();
}

/// An image that runs on t3 types but t3.nano, marked `approved`.
const MARKED: &str = r#"
resource "amisim_image" "web" {
  name                       = "web"
  supported_instance_types   = ["t3.*"]
  unsupported_instance_types = ["t3.nano"]
  watermarks                 = ["approved"]
}
"#;

#[test]
fn instance_types_and_watermarks_change_in_place_and_rule_launches() {
    let ws = Workspace::new(&config(&format!(
        r#"{MARKED}
resource "amisim_image_copy" "dr" {{
  source_ami_id     = amisim_image.web.id
  source_ami_region = "us-east-1"
  name              = "web-dr"
}}
"#
    )));
    ws.apply_and_converge();
    let state = ws.resources();
    let web = &state["amisim_image.web"];
    assert_eq!(web["supported_instance_types"], serde_json::json!(["t3.*"]));
    assert_eq!(web["watermarks"], serde_json::json!(["approved"]));
    // The copy carries both, as the AWS API shows it.
    let copy_id = state["amisim_image_copy.dr"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let shown = ws.amisim(&["images", "show", &copy_id]);
    assert!(
        shown.contains("Watermarks")
            && shown.contains("111111111111:approved")
            && shown.contains("t3.nano"),
        "{shown}"
    );
    // A launch on a type the image does not run on is refused at apply.
    ws.set_config(&config(&format!(
        r#"{MARKED}
resource "amisim_instance" "app" {{
  ami           = amisim_image.web.id
  instance_type = "m5.large"
}}
"#
    )));
    let out = ws.apply_expect_error("InvalidParameterCombination");
    assert!(out.says("t3.*"), "{}", out.all());
    // The lists and the watermarks change in place; the launch then succeeds.
    ws.set_config(&config(
        r#"
resource "amisim_image" "web" {
  name                     = "web"
  supported_instance_types = ["t3.*", "m5.*"]
  watermarks               = ["approved-2026"]
}

resource "amisim_instance" "app" {
  ami           = amisim_image.web.id
  instance_type = "m5.large"
}
"#,
    ));
    ws.expect_action("amisim_image.web", "update");
    ws.apply_and_converge();
    let web = &ws.resources()["amisim_image.web"];
    assert_eq!(web["unsupported_instance_types"], serde_json::Value::Null);
    assert_eq!(web["watermarks"], serde_json::json!(["approved-2026"]));
    // Bad entries are refused at plan time, naming the rule.
    ws.set_config(&config(
        r#"
resource "amisim_image" "web" {
  name                     = "web"
  supported_instance_types = ["t3.**"]
  watermarks               = ["no"]
}
"#,
    ));
    ws.plan_refused("InvalidParameterValue");
}
