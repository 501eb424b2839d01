//! `amisim_launch_permission` under the real Terraform CLI.

use amisim_acceptance_tests::Workspace;
use amisim_simulator::RemoveLaunchPermission;
use amisim_simulator::{Caller, Principal};

const PROVIDERS: &str = r#"
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}
provider "amisim" {
  alias                   = "member"
  account_id              = "333333333333"
  region                  = "us-east-1"
  organizational_unit_arn = "arn:aws:organizations::999999999999:ou/o-abc123/ou-ab12-cdef3456"
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

#[test]
fn sharing_with_an_account_an_ou_and_everyone() {
    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "app" {
  name = "app"
}
resource "amisim_launch_permission" "account" {
  image_id   = amisim_image.app.id
  account_id = "222222222222"
}
resource "amisim_launch_permission" "ou" {
  image_id                = amisim_image.app.id
  organizational_unit_arn = "arn:aws:organizations::999999999999:ou/o-abc123/ou-ab12-cdef3456"
}
resource "amisim_instance" "other" {
  provider      = amisim.other
  ami           = amisim_image.app.id
  instance_type = "t3.micro"
  depends_on    = [amisim_launch_permission.account]
}
resource "amisim_instance" "member" {
  provider      = amisim.member
  ami           = amisim_image.app.id
  instance_type = "t3.micro"
  depends_on    = [amisim_launch_permission.ou]
}
"#,
    ));
    let applied = ws.apply_and_converge();
    // The store holds no organization o-abc123: the member's own declaration
    // still places it, for a deprecation period, with a warning.
    assert!(
        applied.warns("A membership the account declares for itself is deprecated"),
        "{}",
        applied.all()
    );
    let r = ws.resources();
    insta::assert_json_snapshot!("launch_permission_state", r);
    let image = r["amisim_image.app"]["id"].as_str().unwrap().to_string();
    assert_eq!(r["amisim_instance.other"]["owner_id"], "222222222222");
    assert_eq!(
        r["amisim_image.app"]["owner_id"], "111111111111",
        "sharing never changes ownership"
    );

    ws.import_verify(
        "amisim_launch_permission.account",
        &format!("222222222222/{image}"),
        &[],
    );
    ws.import_block_verify(
        "amisim_launch_permission.account",
        &format!("222222222222/{image}"),
    );
    ws.import_verify(
        "amisim_launch_permission.ou",
        &format!("arn:aws:organizations::999999999999:ou/o-abc123/ou-ab12-cdef3456/{image}"),
        &[],
    );

    // Drift: revoked out of band, the next plan shares again.
    ws.cloud()
        .call(
            &Caller::new("111111111111", "us-east-1"),
            &RemoveLaunchPermission::new(&image, &Principal::Account("222222222222".into())),
        )
        .unwrap();
    ws.expect_action("amisim_launch_permission.account", "create");
    ws.apply_and_converge();

    // Public, then the public flag shows on the image after a refresh.
    ws.set_config(&config(
        r#"
resource "amisim_image" "app" {
  name = "app"
}
resource "amisim_image_block_public_access" "this" {
  state = "unblocked"
}
resource "amisim_launch_permission" "public" {
  image_id   = amisim_image.app.id
  group      = "all"
  depends_on = [amisim_image_block_public_access.this]
}
"#,
    ));
    ws.apply_and_converge();
    assert_eq!(ws.resources()["amisim_image.app"]["public"], true);
    ws.import_verify(
        "amisim_launch_permission.public",
        &format!("all/{image}"),
        &[],
    );
    ws.destroy();
}

#[test]
fn launch_permission_refusals_carry_aws_codes() {
    // Two targets in one permission: a plan-time error.
    let ws = Workspace::new(&config(
        r#"
resource "amisim_launch_permission" "two" {
  image_id   = "ami-0123456789abcdef0"
  account_id = "222222222222"
  group      = "all"
}
"#,
    ));
    let out = ws.tf(&["plan", "-no-color"]);
    assert!(
        out.stderr.contains("InvalidParameterCombination") && out.stderr.contains("exactly one"),
        "{}",
        out.stderr
    );

    // A malformed account.
    let ws = Workspace::new(&config(
        r#"
resource "amisim_launch_permission" "bad" {
  image_id   = "ami-0123456789abcdef0"
  account_id = "12345"
}
"#,
    ));
    let out = ws.tf(&["plan", "-no-color"]);
    assert!(
        out.stderr.contains("InvalidAMIAttributeItemValue"),
        "{}",
        out.stderr
    );

    // Encrypted images cannot be public; managed-key images cannot be shared at all.
    let ws = Workspace::new(&config(
        r#"
resource "amisim_kms_key" "k" {}
resource "amisim_image" "enc" {
  name       = "enc"
  encrypted  = true
  kms_key_id = amisim_kms_key.k.arn
}
resource "amisim_launch_permission" "public" {
  image_id = amisim_image.enc.id
  group    = "all"
}
"#,
    ));
    let out = ws.apply_expect_error("InvalidParameter");
    insta::assert_snapshot!("launch_permission_encrypted_public", out.stderr);
    ws.destroy();
    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "managed" {
  name      = "managed"
  encrypted = true
}
resource "amisim_launch_permission" "b" {
  image_id   = amisim_image.managed.id
  account_id = "222222222222"
}
"#,
    ));
    let out = ws.apply_expect_error("InvalidParameter");
    assert!(out.stderr.contains("AWS managed key"), "{}", out.stderr);

    // Only the owner may share.
    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "mine" {
  name = "mine"
}
resource "amisim_image_block_public_access" "this" {
  state = "unblocked"
}
resource "amisim_launch_permission" "pub" {
  image_id   = amisim_image.mine.id
  group      = "all"
  depends_on = [amisim_image_block_public_access.this]
}
resource "amisim_launch_permission" "not_mine" {
  provider   = amisim.other
  image_id   = amisim_image.mine.id
  account_id = "333333333333"
  depends_on = [amisim_launch_permission.pub]
}
"#,
    ));
    ws.apply_expect_error("AuthFailure");

    // At most five public images per account and region.
    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "many" {
  count = 6
  name  = "public-${count.index}"
}
resource "amisim_image_block_public_access" "this" {
  state = "unblocked"
}
resource "amisim_launch_permission" "pub" {
  count      = 6
  image_id   = amisim_image.many[count.index].id
  group      = "all"
  depends_on = [amisim_image_block_public_access.this]
}
"#,
    ));
    ws.apply_expect_error("ResourceLimitExceeded");
}
