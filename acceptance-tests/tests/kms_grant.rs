//! `amisim_kms_grant` under the real Terraform CLI: shared encrypted images need the key.

use amisim_acceptance_tests::Workspace;

const PROVIDERS: &str = r#"
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}
provider "amisim" {
  alias      = "other"
  account_id = "222222222222"
  region     = "us-east-1"
}
"#;

const SHARED_ENCRYPTED: &str = r#"
resource "amisim_kms_key" "k" {
  description = "shared"
}
resource "amisim_image" "enc" {
  name       = "enc"
  encrypted  = true
  kms_key_id = amisim_kms_key.k.arn
}
resource "amisim_launch_permission" "other" {
  image_id   = amisim_image.enc.id
  account_id = "222222222222"
}
"#;

#[test]
fn shared_encrypted_image_needs_the_key_granted() {
    let ws = Workspace::new(&format!(
        r#"{PROVIDERS}{SHARED_ENCRYPTED}
resource "amisim_instance" "other" {{
  provider      = amisim.other
  ami           = amisim_image.enc.id
  instance_type = "t3.micro"
  depends_on    = [amisim_launch_permission.other]
}}
"#
    ));
    let out = ws.apply_expect_error("AccessDeniedException");
    assert!(
        out.stderr.contains("amisim_kms_grant"),
        "the hint names the way out: {}",
        out.stderr
    );

    ws.set_config(&format!(
        r#"{PROVIDERS}{SHARED_ENCRYPTED}
resource "amisim_kms_grant" "other" {{
  key_id             = amisim_kms_key.k.id
  grantee_account_id = "222222222222"
}}
resource "amisim_instance" "other" {{
  provider      = amisim.other
  ami           = amisim_image.enc.id
  instance_type = "t3.micro"
  depends_on    = [amisim_launch_permission.other, amisim_kms_grant.other]
}}
"#
    ));
    ws.apply_and_converge();
    let r = ws.resources();
    insta::assert_json_snapshot!("kms_grant_state", r["amisim_kms_grant.other"]);
    let id = r["amisim_kms_grant.other"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    ws.import_verify("amisim_kms_grant.other", &id, &[]);
    ws.destroy();
}

#[test]
fn the_aws_managed_key_can_never_be_granted() {
    let ws = Workspace::new(&format!(
        r#"{PROVIDERS}
resource "amisim_kms_grant" "managed" {{
  key_id             = "alias/aws/ebs"
  grantee_account_id = "222222222222"
}}
"#
    ));
    let out = ws.tf(&["plan", "-no-color"]);
    assert!(
        out.stderr.contains("UnsupportedOperation"),
        "{}",
        out.stderr
    );
}
