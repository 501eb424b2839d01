//! `amisim_storage_permission` under the real Terraform CLI.

use amisim_acceptance_tests::Workspace;
use amisim_simulator::Caller;
use amisim_simulator::RemoveStoragePermission;

#[test]
fn storage_permission_lifecycle_import_and_drift() {
    let ws = Workspace::new(
        r#"
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}
resource "amisim_image" "app" {
  name = "app"
}
resource "amisim_storage_permission" "b" {
  storage_id = amisim_image.app.storage_ids[0]
  account_id = "222222222222"
}
"#,
    );
    ws.apply_and_converge();
    let r = ws.resources();
    insta::assert_json_snapshot!("storage_permission_state", r["amisim_storage_permission.b"]);
    let id = r["amisim_storage_permission.b"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let storage = r["amisim_storage_permission.b"]["storage_id"]
        .as_str()
        .unwrap()
        .to_string();
    ws.import_verify("amisim_storage_permission.b", &id, &[]);

    ws.cloud()
        .call(
            &Caller::new("111111111111", "us-east-1"),
            &RemoveStoragePermission::new(&storage, "222222222222"),
        )
        .unwrap();
    ws.expect_action("amisim_storage_permission.b", "create");
    ws.apply_and_converge();

    ws.set_config(
        r#"
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}
resource "amisim_image" "app" {
  name = "app"
}
resource "amisim_storage_permission" "b" {
  storage_id = amisim_image.app.storage_ids[0]
  account_id = "444444444444"
}
"#,
    );
    ws.expect_action("amisim_storage_permission.b", "replace");
    ws.apply_and_converge();
    ws.destroy();

    let ws = Workspace::new(
        r#"
resource "amisim_storage_permission" "bad" {
  storage_id = "vol-123"
  account_id = "abc"
}
"#,
    );
    let out = ws.tf(&["plan", "-no-color"]);
    assert!(
        out.stderr.contains("Invalid storage_id") && out.stderr.contains("Invalid account_id"),
        "{}",
        out.stderr
    );
}
