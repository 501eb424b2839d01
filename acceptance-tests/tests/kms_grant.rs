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

/// The source image of account 111111111111 in us-east-1, encrypted with its
/// own key and shared with 222222222222 (launch and storage), and a copy of
/// it by 222222222222 in us-west-2 that needs the grant `grant` makes.
fn copy_of_shared_encrypted(grant: &str) -> String {
    format!(
        r#"{PROVIDERS}
provider "amisim" {{
  alias      = "other_west"
  account_id = "222222222222"
  region     = "us-west-2"
}}
{SHARED_ENCRYPTED}
resource "amisim_storage_permission" "other" {{
  storage_id = amisim_image.enc.storage_ids[0]
  account_id = "222222222222"
}}
resource "amisim_kms_grant" "other" {{
  key_id = amisim_kms_key.k.id
{grant}
}}
resource "amisim_kms_key" "west" {{
  provider    = amisim.other_west
  description = "copies"
}}
resource "amisim_image_copy" "west" {{
  provider          = amisim.other_west
  source_ami_id     = amisim_image.enc.id
  source_ami_region = "us-east-1"
  name              = "enc-west"
  encrypted         = true
  kms_key_id        = amisim_kms_key.west.arn
  depends_on        = [amisim_launch_permission.other, amisim_storage_permission.other, amisim_kms_grant.other]
}}
"#
    )
}

/// `grantee_principal` and `operations` as aws_kms_grant writes them: a copy
/// of a shared encrypted image needs Decrypt, ReEncryptFrom, CreateGrant and
/// DescribeKey, a refusal names the one missing, and writing the grantee the
/// other way (the older `grantee_account_id`, an account ID instead of the
/// root ARN) replaces nothing.
#[test]
fn grant_operations_decide_whether_the_grantee_may_copy() {
    let ws = Workspace::new(&copy_of_shared_encrypted(
        r#"  grantee_principal = "arn:aws:iam::222222222222:root"
  operations        = ["Decrypt"]"#,
    ));
    let out = ws.apply_expect_error("AccessDeniedException");
    assert!(out.stderr.contains("not ReEncryptFrom"), "{}", out.stderr);

    ws.set_config(&copy_of_shared_encrypted(
        r#"  grantee_principal = "arn:aws:iam::222222222222:root"
  operations        = ["DescribeKey", "Decrypt", "CreateGrant", "ReEncryptFrom"]"#,
    ));
    ws.expect_action("amisim_kms_grant.other", "replace");
    ws.apply_and_converge();
    let grant = &ws.resources()["amisim_kms_grant.other"];
    assert_eq!(grant["grantee_account_id"], "222222222222");
    assert_eq!(grant["grantee_principal"], "arn:aws:iam::222222222222:root");
    let id = grant["id"].as_str().unwrap().to_string();
    assert!(
        id.ends_with("/222222222222/CreateGrant,Decrypt,DescribeKey,ReEncryptFrom"),
        "{id}"
    );
    ws.import_verify("amisim_kms_grant.other", &id, &["grantee_principal"]);

    // The older name, for the same account and operations: nothing to do, and
    // a warning naming the new name.
    ws.set_config(&copy_of_shared_encrypted(
        r#"  grantee_account_id = "222222222222"
  operations         = ["DescribeKey", "Decrypt", "CreateGrant", "ReEncryptFrom"]"#,
    ));
    ws.expect_action("amisim_kms_grant.other", "update");
    let out = ws.apply();
    assert!(
        out.warns("Deprecated argument: grantee_account_id")
            && out.shows("grantee_account_id is deprecated and will be removed in 1.0: rename it to grantee_principal"),
        "{}",
        out.all()
    );
    ws.assert_plan_empty();

    // Exactly one of the two names.
    for (grant, message) in [
        (
            r#"  grantee_account_id = "222222222222"
  grantee_principal  = "222222222222""#,
            "Conflicting arguments: grantee_principal and grantee_account_id",
        ),
        ("", "Missing required argument: grantee_principal"),
        (
            r#"  grantee_principal = "arn:aws:iam::222222222222:role/builder""#,
            "InvalidArnException",
        ),
    ] {
        ws.set_config(&copy_of_shared_encrypted(grant));
        ws.plan_refused(message);
    }
    ws.set_config(&copy_of_shared_encrypted(
        r#"  grantee_account_id = "222222222222"
  operations         = ["DescribeKey", "Decrypt", "CreateGrant", "ReEncryptFrom"]"#,
    ));
    ws.destroy();
}
