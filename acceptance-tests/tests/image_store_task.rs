//! `amisim_image_store_task` under the real Terraform CLI.

use amisim_acceptance_tests::Workspace;

const CONFIG: &str = r#"
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}

resource "amisim_image" "golden" {
  name = "golden-web"
}
resource "amisim_image_store_task" "archive" {
  image_id    = amisim_image.golden.id
  bucket      = "golden-archive"
  object_tags = { Keep = "1y" }
}
"#;

#[test]
fn a_stored_image_is_an_object_billed_until_the_resource_is_destroyed() {
    let ws = Workspace::new(CONFIG);
    ws.apply_and_converge();
    let r = ws.resources();
    let task = &r["amisim_image_store_task.archive"];
    let image = r["amisim_image.golden"]["id"].as_str().unwrap();
    assert_eq!(task["object_key"], format!("{image}.bin").as_str());
    assert_eq!(task["id"], format!("golden-archive/{image}.bin").as_str());
    assert_eq!(task["task_state"], "Completed");
    assert_eq!(task["size_gb"], 8);
    let id = task["id"].as_str().unwrap().to_string();
    ws.import_verify("amisim_image_store_task.archive", &id, &[]);
    assert!(ws.amisim(&["bill"]).contains("s3-stored-images"));
    // Past DescribeStoreImageTasks' 31 days the object is still there, and still managed.
    ws.amisim(&["clock", "advance", "40d"]);
    ws.assert_plan_empty();
    // A bucket name S3 refuses is refused at plan time.
    ws.set_config(&CONFIG.replace("golden-archive", "Golden_Archive"));
    ws.plan_refused("Golden_Archive");
    ws.set_config(CONFIG);
    // Deleted out of band, it is made again; destroyed, it is no longer billed.
    ws.amisim(&[
        "buckets",
        "delete",
        "golden-archive",
        &format!("{image}.bin"),
    ]);
    ws.expect_action("amisim_image_store_task.archive", "create");
    ws.apply_and_converge();
    ws.destroy();
    assert!(!ws.amisim(&["bill"]).contains("s3-stored-images"));
}
