//! Byte-identical reruns at any parallelism: the same configuration applied to
//! new stores at `-parallelism=10` twice and at `-parallelism=50` once gives
//! the same state, event log, bill and listings, byte for byte.

use amisim_acceptance_tests::Workspace;

/// Every resource type across two accounts and two regions: dozens of
/// independent images of one account and region, copies of copies, launch and
/// storage shares, keys and grants, instances, data sources, and refusals.
fn config() -> String {
    let mut c = String::from(
        r#"
provider "amisim" {
  account_id = "111111111111"
}
provider "amisim" {
  alias      = "a_west"
  account_id = "111111111111"
  region     = "us-west-2"
}
provider "amisim" {
  alias      = "b"
  account_id = "222222222222"
}
provider "amisim" {
  alias      = "b_west"
  account_id = "222222222222"
  region     = "us-west-2"
}

data "amisim_image" "al2023" {
  owners      = ["amazon"]
  most_recent = true
  filter {
    name   = "name"
    values = ["al2023-ami-*-x86_64"]
  }
}

resource "amisim_kms_key" "east" {
  description = "east images"
}
resource "amisim_kms_key" "west" {
  provider    = amisim.a_west
  description = "west copies"
}
resource "amisim_kms_grant" "west_to_b" {
  provider           = amisim.a_west
  key_id             = amisim_kms_key.west.id
  grantee_account_id = "222222222222"
}

resource "amisim_image" "many" {
  count = 24
  name  = "app-${count.index}"
  tags  = { index = count.index }
}
resource "amisim_image" "secret" {
  name       = "secret"
  encrypted  = true
  kms_key_id = amisim_kms_key.east.id
}
resource "amisim_image_copy" "west" {
  provider          = amisim.a_west
  count             = 6
  name              = "app-${count.index}-west"
  source_ami_id     = amisim_image.many[count.index].id
  source_region     = "us-east-1"
  encrypted         = true
  kms_key_id        = amisim_kms_key.west.id
}
resource "amisim_launch_permission" "west_to_b" {
  provider   = amisim.a_west
  count      = 6
  image_id   = amisim_image_copy.west[count.index].id
  account_id = "222222222222"
}
resource "amisim_storage_permission" "west_to_b" {
  provider   = amisim.a_west
  count      = 6
  storage_id = amisim_image_copy.west[count.index].storage_ids[0]
  account_id = "222222222222"
}
resource "amisim_image_copy" "b_owned" {
  provider      = amisim.b_west
  count         = 6
  name          = "b-app-${count.index}"
  source_ami_id = amisim_image_copy.west[count.index].id
  source_region = "us-west-2"
  depends_on    = [amisim_launch_permission.west_to_b, amisim_storage_permission.west_to_b, amisim_kms_grant.west_to_b]
}
resource "amisim_image_copy" "b_back_east" {
  provider      = amisim.b
  count         = 3
  name          = "b-app-${count.index}-east"
  source_ami_id = amisim_image_copy.b_owned[count.index].id
  source_region = "us-west-2"
}
resource "amisim_instance" "web" {
  count         = 8
  ami           = amisim_image.many[count.index].id
  instance_type = "t3.micro"
  tags          = { Name = "web-${count.index}" }
}
resource "amisim_instance" "base" {
  ami           = data.amisim_image.al2023.id
  instance_type = "t3.small"
}
resource "amisim_image_block_public_access" "a" {
  state = "unblocked"
}
resource "amisim_launch_permission" "public" {
  image_id   = amisim_image.many[0].id
  group      = "all"
  depends_on = [amisim_image_block_public_access.a]
}

# Refused every time: B cannot copy an image of A's that is not shared with it.
resource "amisim_image_copy" "refused" {
  provider      = amisim.b
  name          = "not-shared"
  source_ami_id = amisim_image.many[1].id
  source_region = "us-east-1"
}
"#,
    );
    c.push('\n');
    c
}

/// Everything a user can observe, as text.
fn observe(ws: &Workspace) -> Vec<(String, String)> {
    let mut out = vec![(
        "terraform show -json".to_string(),
        ws.tf_ok(&["show", "-json"]).stdout,
    )];
    for args in [
        vec!["events", "--json"],
        vec!["bill", "--json"],
        vec!["images", "list", "--all", "--json"],
        vec!["instances", "list", "--json"],
        vec!["snapshots", "list", "--all", "--json"],
        vec!["keys", "list", "--json"],
        vec!["permissions", "list", "--all", "--json"],
        vec!["events"],
        vec!["images", "list"],
        vec!["snapshot"],
        vec!["snapshot", "--json"],
    ] {
        out.push((format!("amisim {}", args.join(" ")), ws.amisim(&args)));
    }
    out
}

fn run(parallelism: u32) -> Vec<(String, String)> {
    let ws = Workspace::new(&config());
    let p = format!("-parallelism={parallelism}");
    let out = ws.tf(&["apply", "-auto-approve", "-no-color", &p]);
    assert_ne!(out.code, 0, "the refused copy fails the apply");
    assert!(
        out.stderr
            .contains("Unable to copy image: InvalidAMIID.NotFound")
            || out.stderr.contains("Unable to copy image: InvalidRequest"),
        "{}",
        out.stderr
    );
    // A second command: a refresh, with its reads and the same refusal.
    let again = ws.tf(&["apply", "-auto-approve", "-no-color", &p]);
    assert_ne!(again.code, 0);
    observe(&ws)
}

#[test]
fn reruns_are_byte_identical_at_any_parallelism() {
    let first = run(10);
    let second = run(10);
    let third = run(50);
    for ((what, a), ((_, b), (_, c))) in first.iter().zip(second.iter().zip(third.iter())) {
        assert!(a == b, "{what} differs between two runs at -parallelism=10");
        assert!(
            a == c,
            "{what} differs between -parallelism=10 and -parallelism=50"
        );
    }
    // The state holds the times, and independent images of one command were made at once.
    let state = &first[0].1;
    assert!(state.contains("\"creation_date\":\"2025-01-01T00:00:01.000Z\""));
    assert!(state.contains("\"launch_time\":\"2025-01-01T00:00:02.000Z\""));
    // Through a server the log is the same, and shows the access key each
    // call was signed with.
    let name = match amisim_acceptance_tests::through_server() {
        false => "determinism_events",
        true => "determinism_events_through_a_server",
    };
    insta::assert_snapshot!(name, &first[8].1);
}
