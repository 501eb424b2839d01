//! Snapshot tests that survive the ways CI jobs apply a configuration: the
//! same configuration applied with `apply -auto-approve`, with `plan -out`
//! then `apply PLAN`, and either with extra plans and refreshes before and
//! after, gives the same `amisim snapshot`, byte for byte. A command that
//! changes nothing moves no clock, and the snapshot holds the changes and
//! refusals of the log, not the reads.

use amisim_acceptance_tests::Workspace;

const CONFIG: &str = r#"
provider "amisim" {
  account_id = "111111111111"
}
provider "amisim" {
  alias      = "west"
  account_id = "111111111111"
  region     = "us-west-2"
}
provider "amisim" {
  alias      = "b"
  account_id = "222222222222"
}

data "amisim_image" "ubuntu" {
  owners      = ["099720109477"]
  most_recent = true
  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"]
  }
  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }
}
resource "amisim_instance" "build" {
  ami           = data.amisim_image.ubuntu.id
  instance_type = "t3.micro"
}
resource "amisim_image" "golden" {
  name               = "golden-1"
  source_instance_id = amisim_instance.build.id
  tags               = { Role = "golden" }
}
resource "amisim_kms_key" "west" {
  provider    = amisim.west
  description = "west copies"
}
resource "amisim_image_copy" "west" {
  provider      = amisim.west
  name          = "golden-1-west"
  source_ami_id = amisim_image.golden.id
  source_region = "us-east-1"
  encrypted     = true
  kms_key_id    = amisim_kms_key.west.id
}
resource "amisim_launch_permission" "to_b" {
  image_id   = amisim_image.golden.id
  account_id = "222222222222"
}
resource "amisim_instance" "app" {
  provider      = amisim.b
  ami           = amisim_image.golden.id
  instance_type = "t3.small"
  depends_on    = [amisim_launch_permission.to_b]
}
"#;

/// The ways CI jobs apply a configuration, as Terraform commands in order.
fn workflows() -> Vec<(&'static str, Vec<Vec<&'static str>>)> {
    let apply = vec!["apply", "-auto-approve", "-no-color"];
    let plan = vec!["plan", "-no-color"];
    let plan_out = vec!["plan", "-no-color", "-out=ci.tfplan"];
    let apply_plan = vec!["apply", "-no-color", "ci.tfplan"];
    let refresh = vec!["refresh", "-no-color"];
    let refresh_only = vec!["apply", "-refresh-only", "-auto-approve", "-no-color"];
    vec![
        ("apply -auto-approve", vec![apply.clone()]),
        (
            "plan -out, apply PLAN",
            vec![plan_out.clone(), apply_plan.clone()],
        ),
        (
            "plans and refreshes around apply -auto-approve",
            vec![
                plan.clone(),
                plan.clone(),
                apply.clone(),
                refresh.clone(),
                plan.clone(),
                refresh_only.clone(),
                apply.clone(),
            ],
        ),
        (
            "plans and refreshes around plan -out, apply PLAN",
            vec![
                plan.clone(),
                refresh_only,
                plan_out,
                apply_plan,
                plan.clone(),
                refresh,
                plan,
            ],
        ),
    ]
}

#[test]
fn four_ways_of_applying_give_one_snapshot() {
    let mut snapshots: Vec<(&str, String, String)> = Vec::new();
    for (name, commands) in workflows() {
        let ws = Workspace::new(CONFIG);
        for args in &commands {
            ws.tf_ok(args);
        }
        ws.assert_plan_empty();
        let snapshot = ws.amisim(&["snapshot"]);
        let json = ws.amisim(&["snapshot", "--json"]);
        assert!(
            !snapshot.contains("\"DescribeImages\""),
            "{name}: the snapshot holds no reads by default:\n{snapshot}"
        );
        // Every call is still in the event log, and `--events all` holds it.
        let all = ws.amisim(&["snapshot", "--events", "all"]);
        assert!(all.contains("\"DescribeImages\""), "{name}:\n{all}");
        let none = ws.amisim(&["snapshot", "--events", "none"]);
        assert!(!none.contains("## events ("), "{name}:\n{none}");
        assert!(ws.amisim(&["events"]).contains("DescribeImages"), "{name}");
        snapshots.push((name, snapshot, json));
    }
    let (first, text, json) = &snapshots[0];
    for (name, other_text, other_json) in &snapshots[1..] {
        assert_eq!(
            other_text, text,
            "`{name}` gave another snapshot than `{first}`"
        );
        assert_eq!(other_json, json, "`{name}` and `{first}` (--json)");
    }
    insta::assert_snapshot!("snapshot", text);
}

#[test]
fn a_saved_snapshot_still_matches_after_a_plan_and_a_refresh() {
    let ws = Workspace::new(CONFIG);
    ws.tf_ok(&["plan", "-no-color", "-out=ci.tfplan"]);
    ws.tf_ok(&["apply", "-no-color", "ci.tfplan"]);
    ws.amisim(&["snapshot", "--update", "expected.snapshot"]);
    let clock = ws.amisim(&["clock", "show"]);
    ws.tf_ok(&["plan", "-no-color"]);
    ws.tf_ok(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    ws.amisim(&["images", "list"]);
    assert_eq!(
        ws.amisim(&["clock", "show"]),
        clock,
        "reads moved the clock"
    );
    let check = ws.amisim(&["snapshot", "--check", "expected.snapshot"]);
    assert!(check.contains("The cloud matches"), "{check}");
    // A real change still shows, and moves the clock.
    let app = ws.resources()["amisim_instance.app"]["id"]
        .as_str()
        .expect("an instance ID")
        .to_string();
    ws.amisim(&["terminate", &app]);
    assert_ne!(
        ws.amisim(&["clock", "show"]),
        clock,
        "a change moves the clock"
    );
    let changed = ws.tf(&["plan", "-no-color", "-detailed-exitcode"]);
    assert_eq!(
        changed.code,
        2,
        "the termination is drift:\n{}",
        changed.all()
    );
}
