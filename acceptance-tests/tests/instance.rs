//! `amisim_instance` under the real Terraform CLI.

use amisim_acceptance_tests::Workspace;
use amisim_simulator::Caller;
use amisim_simulator::{
    DeleteVolume, DeregisterImage, DescribeInstance, SetRootDeleteOnTermination, StopInstance,
    TerminateInstance,
};

const PROVIDER: &str = r#"
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}
provider "amisim" {
  alias      = "west"
  account_id = "111111111111"
  region     = "eu-west-1"
}
"#;

fn config(body: &str) -> String {
    format!("{PROVIDER}\n{body}")
}

fn instance(extra: &str) -> String {
    config(&format!(
        r#"
resource "amisim_image" "base" {{
  name = "base"
}}
resource "amisim_instance" "web" {{
  ami           = amisim_image.base.id
  {extra}
}}
"#
    ))
}

#[test]
fn instance_lifecycle_stop_start_type_change_import_and_drift() {
    let ws = Workspace::new(&instance(
        "instance_type = \"t3.micro\"\n  tags = { Name = \"web\" }",
    ));
    ws.apply_and_converge();
    let r = ws.resources();
    insta::assert_json_snapshot!("instance_state", r["amisim_instance.web"]);
    let id = r["amisim_instance.web"]["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("i-") && id.len() == 19, "{id}");

    // Stop in place, then change the type in place, then start again.
    ws.set_config(&instance(
        "instance_type = \"t3.micro\"\n  instance_state = \"stopped\"\n  tags = { Name = \"web\" }",
    ));
    ws.expect_action("amisim_instance.web", "update");
    ws.apply_and_converge();
    ws.set_config(&instance(
        "instance_type = \"t3.small\"\n  instance_state = \"running\"\n  tags = { Name = \"web\" }",
    ));
    ws.expect_action("amisim_instance.web", "update");
    ws.apply_and_converge();
    let r = ws.resources();
    assert_eq!(r["amisim_instance.web"]["id"], id.as_str());
    assert_eq!(r["amisim_instance.web"]["hourly_cost_usd"], 0.0208);

    // User data forces a new instance.
    ws.set_config(&instance(
        "instance_type = \"t3.small\"\n  user_data = \"yum install -y httpd\"\n  tags = { Name = \"web\" }",
    ));
    ws.expect_action("amisim_instance.web", "replace");
    ws.apply_and_converge();
    let id = ws.resources()["amisim_instance.web"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    ws.import_verify("amisim_instance.web", &id, &[]);
    ws.import_block_verify("amisim_instance.web", &id);

    // Drift: stopped out of band shows as an update; terminated shows as a create.
    let me = Caller::new("111111111111", "us-east-1");
    ws.cloud().call(&me, &StopInstance::new(&id)).unwrap();
    ws.expect_action("amisim_instance.web", "update");
    ws.apply_and_converge();
    ws.cloud().call(&me, &TerminateInstance::new(&id)).unwrap();
    ws.expect_action("amisim_instance.web", "create");
    ws.apply_and_converge();
    ws.destroy();
    insta::assert_snapshot!("instance_events", ws.event_log());
}

#[test]
fn deregistered_image_keeps_instances_but_refuses_new_ones() {
    let ws = Workspace::new(&instance("instance_type = \"t3.micro\""));
    ws.apply_and_converge();
    let r = ws.resources();
    let image = r["amisim_image.base"]["id"].as_str().unwrap().to_string();
    let me = Caller::new("111111111111", "us-east-1");
    ws.cloud()
        .call(&me, &DeregisterImage::new(&image, false))
        .unwrap();
    // The running instance is not drift: only the image is.
    let actions = ws.planned_actions();
    assert!(
        actions.contains(&("amisim_image.base".into(), "create".into())),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("amisim_instance.web".into(), "replace".into())),
        "{actions:?}"
    );
    let instance = r["amisim_instance.web"]["id"].as_str().unwrap();
    assert!(ws
        .cloud()
        .call(&me, &DescribeInstance::new(instance))
        .unwrap()
        .is_some());

    // New launches of the deregistered image are refused, in the same store.
    ws.set_config(&config(&format!(
        r#"
resource "amisim_image" "base" {{
  name = "base"
}}
resource "amisim_instance" "web" {{
  ami           = "{image}"
  instance_type = "t3.micro"
}}
resource "amisim_instance" "late" {{
  ami           = "{image}"
  instance_type = "t3.micro"
}}
"#
    )));
    ws.apply_expect_error("InvalidAMIID.Unavailable");
}

#[test]
fn instance_refusals_carry_aws_codes() {
    // AMIs are regional: an image of us-east-1 is not found in eu-west-1.
    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "east" {
  name = "east-only"
}
resource "amisim_instance" "west" {
  provider      = amisim.west
  ami           = amisim_image.east.id
  instance_type = "t3.micro"
}
"#,
    ));
    let out = ws.apply_expect_error("InvalidAMIID.NotFound");
    insta::assert_snapshot!("instance_regional_error", out.stderr);

    // The instance type's architecture must match the image's.
    let ws = Workspace::new(&instance("instance_type = \"t4g.micro\""));
    let out = ws.apply_expect_error("InvalidParameterValue");
    assert!(out.stderr.contains("architecture"), "{}", out.stderr);

    // Unknown instance types are caught at plan time.
    let ws = Workspace::new(&instance("instance_type = \"t9.huge\""));
    let out = ws.tf(&["plan", "-no-color"]);
    assert!(
        out.stderr.contains("InvalidParameterValue") && out.stderr.contains("t3.micro"),
        "{}",
        out.stderr
    );

    // Instance-store instances cannot be stopped.
    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "store" {
  name             = "store"
  root_device_type = "instance-store"
}
resource "amisim_instance" "s" {
  ami            = amisim_image.store.id
  instance_type  = "m1.small"
}
"#,
    ));
    ws.apply_and_converge();
    ws.set_config(&config(
        r#"
resource "amisim_image" "store" {
  name             = "store"
  root_device_type = "instance-store"
}
resource "amisim_instance" "s" {
  ami            = amisim_image.store.id
  instance_type  = "m1.small"
  instance_state = "stopped"
}
"#,
    ));
    let out = ws.apply_expect_error("UnsupportedOperation");
    assert!(out.stderr.contains("cannot be stopped"), "{}", out.stderr);
}

#[test]
fn golden_image_boots_faster_than_base_plus_user_data() {
    let ws = Workspace::new(&config(
        r##"
resource "amisim_image" "base" {
  name = "base"
}
resource "amisim_instance" "builder" {
  ami           = amisim_image.base.id
  instance_type = "t3.micro"
  user_data     = "#!/bin/bash\nyum install -y httpd php\n"
}
resource "amisim_image" "golden" {
  name               = "golden"
  source_instance_id = amisim_instance.builder.id
}
resource "amisim_instance" "from_golden" {
  ami           = amisim_image.golden.id
  instance_type = "t3.micro"
  user_data     = "#!/bin/bash\nyum install -y httpd php\n"
}
"##,
    ));
    ws.apply_and_converge();
    let r = ws.resources();
    let base = r["amisim_instance.builder"]["boot_time_seconds"]
        .as_i64()
        .unwrap();
    let golden = r["amisim_instance.from_golden"]["boot_time_seconds"]
        .as_i64()
        .unwrap();
    assert!(golden < base, "golden {golden}s < base {base}s");
    insta::assert_snapshot!(
        "boot_times",
        format!("base+user data: {base}s\ngolden: {golden}s")
    );
    ws.destroy();
}

#[test]
fn the_root_volume_is_deleted_on_termination_unless_kept_and_that_changes_in_place() {
    let ws = Workspace::new(&instance("instance_type = \"t3.micro\""));
    ws.apply_and_converge();
    let r = &ws.resources()["amisim_instance.web"];
    assert_eq!(r["root_delete_on_termination"], true, "AWS's default");
    let volume = r["root_volume_id"].as_str().unwrap().to_string();
    assert!(volume.starts_with("vol-"), "{volume}");
    let id = r["id"].as_str().unwrap().to_string();

    // Kept on termination: an in-place change.
    ws.set_config(&instance(
        "instance_type = \"t3.micro\"\n  root_delete_on_termination = false",
    ));
    ws.expect_action("amisim_instance.web", "update");
    ws.apply_and_converge();
    assert_eq!(ws.resources()["amisim_instance.web"]["id"], id.as_str());
    ws.import_verify("amisim_instance.web", &id, &[]);

    // Drift: changed back out of band, the next plan puts it right.
    ws.cloud()
        .call(
            &Caller::new("111111111111", "us-east-1"),
            &SetRootDeleteOnTermination::new(&id, true),
        )
        .unwrap();
    ws.expect_action("amisim_instance.web", "update");
    ws.apply_and_converge();

    // Destroyed, the instance leaves its root volume, which costs storage.
    ws.destroy();
    let me = Caller::new("111111111111", "us-east-1");
    let bills = ws.cloud().bill(Some("111111111111")).unwrap();
    assert!(
        bills[0]
            .lines
            .iter()
            .any(|l| l.category.as_str() == "ebs-volume-storage" && l.quantity == 8),
        "{bills:?}"
    );
    assert!(ws.cloud().call(&me, &DeleteVolume::new(&volume)).unwrap());

    // An instance-store root cannot be kept; an instance-store image holds at most 10 GiB.
    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "legacy" {
  name             = "legacy"
  root_device_type = "instance-store"
}
resource "amisim_instance" "web" {
  ami                        = amisim_image.legacy.id
  instance_type              = "m3.medium"
  root_delete_on_termination = false
}
"#,
    ));
    let out = ws.apply_expect_error("InvalidParameterCombination");
    assert!(
        out.stderr
            .replace('\n', " ")
            .contains("always lost when the instance terminates"),
        "{}",
        out.stderr
    );
    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "legacy" {
  name                = "legacy"
  root_device_type    = "instance-store"
  root_volume_size_gb = 11
}
"#,
    ));
    let out = ws.tf(&["validate", "-no-color"]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr
            .replace('\n', " ")
            .contains("holds at most 10 GiB"),
        "{}",
        out.stderr
    );
}
