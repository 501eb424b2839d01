//! `amisim_kms_key` under the real Terraform CLI.

use amisim_acceptance_tests::Workspace;
use amisim_simulator::ScheduleKeyDeletion;

#[test]
fn kms_key_lifecycle_update_import_and_drift() {
    let ws = Workspace::new(
        r#"
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}
resource "amisim_kms_key" "k" {
  description = "image key"
  tags        = { Purpose = "ami" }
}
"#,
    );
    ws.apply_and_converge();
    let r = ws.resources();
    insta::assert_json_snapshot!("kms_key_state", r["amisim_kms_key.k"]);
    let id = r["amisim_kms_key.k"]["id"].as_str().unwrap().to_string();
    ws.import_verify("amisim_kms_key.k", &id, &[]);

    ws.set_config(
        r#"
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}
resource "amisim_kms_key" "k" {
  description = "image key, rotated"
}
"#,
    );
    // A state written before key_id existed updates in place, without a
    // refresh to fill it first.
    ws.forget_in_state("key_id");
    ws.expect_action("amisim_kms_key.k", "update");
    ws.apply_with(&["-refresh=false"]);
    ws.assert_plan_empty();
    assert_eq!(ws.resources()["amisim_kms_key.k"]["key_id"], id.as_str());
    assert_eq!(ws.resources()["amisim_kms_key.k"]["id"], id.as_str());

    ws.cloud()
        .call(
            &amisim_simulator::Caller::new("111111111111", "us-east-1"),
            &ScheduleKeyDeletion::new(&id),
        )
        .unwrap();
    ws.expect_action("amisim_kms_key.k", "create");
    ws.apply_and_converge();
    ws.destroy();
}
