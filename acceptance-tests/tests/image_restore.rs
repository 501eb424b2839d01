//! `amisim_image_restore` under the real Terraform CLI.

use amisim_acceptance_tests::Workspace;

const CONFIG: &str = r#"
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}

resource "amisim_image" "golden" {
  name = "golden-web"
  tags = { Team = "web" }
}
resource "amisim_image_store_task" "archive" {
  image_id = amisim_image.golden.id
  bucket   = "golden-archive"
}
resource "amisim_image_restore" "back" {
  bucket     = amisim_image_store_task.archive.bucket
  object_key = amisim_image_store_task.archive.object_key
  name       = "golden-web-restored"
  tags       = { Restored = "yes" }
}
"#;

#[test]
fn a_restore_is_a_new_image_whose_source_is_the_image_stored() {
    let ws = Workspace::new(CONFIG);
    ws.apply_and_converge();
    let r = ws.resources();
    let golden = r["amisim_image.golden"]["id"].as_str().unwrap();
    let back = &r["amisim_image_restore.back"];
    let id = back["id"].as_str().unwrap().to_string();
    assert_ne!(id, golden);
    assert_eq!(back["source_image_id"], golden);
    assert_eq!(back["name"], "golden-web-restored");
    assert_eq!(
        back["tags_all"],
        serde_json::json!({"Restored": "yes", "Team": "web"})
    );
    // An instance runs from it, and the ancestry names the image stored.
    let shown = ws.amisim(&["images", "show", &id]);
    assert!(shown.contains(golden), "{shown}");
    let import_id = format!("golden-archive/{golden}.bin/{id}");
    ws.import_verify("amisim_image_restore.back", &import_id, &["tags"]);
    // Without a name, the stored image's is taken, and it is still in use.
    ws.set_config(&format!(
        "{CONFIG}\nresource \"amisim_image_restore\" \"unnamed\" {{\n  bucket     = amisim_image_store_task.archive.bucket\n  object_key = amisim_image_store_task.archive.object_key\n}}\n"
    ));
    let out = ws.apply_expect_error("InvalidAMIName.Duplicate");
    assert!(out.says("golden-web"), "{}", out.all());
    ws.set_config(CONFIG);
    ws.apply_and_converge();
    ws.destroy();
}
