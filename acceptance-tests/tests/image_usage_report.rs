//! `amisim_image_usage_report` under the real Terraform CLI.

use amisim_acceptance_tests::Workspace;

const CONFIG: &str = r#"
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}
provider "amisim" {
  alias      = "team"
  account_id = "222222222222"
  region     = "us-east-1"
}

resource "amisim_image" "golden" {
  name = "golden-web"
}
resource "amisim_launch_permission" "team" {
  image_id   = amisim_image.golden.id
  account_id = "222222222222"
}
resource "amisim_instance" "team" {
  provider      = amisim.team
  count         = 2
  ami           = amisim_launch_permission.team.image_id
  instance_type = "t3.micro"
}
resource "amisim_image_usage_report" "users" {
  image_id   = amisim_image.golden.id
  depends_on = [amisim_instance.team]
}
data "amisim_image_usage_reports" "golden" {
  image_id   = amisim_image.golden.id
  depends_on = [amisim_image_usage_report.users]
}
output "found" {
  value = [for r in data.amisim_image_usage_reports.golden.reports : [for e in r.entries : "${e.account_id}:${e.usage_count}"]]
}
"#;

#[test]
fn a_report_counts_other_accounts_instances_and_is_made_again_once_expired() {
    let ws = Workspace::new(CONFIG);
    ws.apply_and_converge();
    let report = ws.resources()["amisim_image_usage_report.users"].clone();
    let id = report["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("amiur-"), "{id}");
    assert_eq!(
        report["resource_types"],
        serde_json::json!(["ec2:Instance"])
    );
    assert_eq!(
        report["entries"],
        serde_json::json!([{
            "account_id": "222222222222",
            "resource_type": "ec2:Instance",
            "usage_count": 2
        }])
    );
    // The data source reads the report back, as DescribeImageUsageReports does.
    assert_eq!(
        ws.outputs()["found"],
        serde_json::json!([["222222222222:2"]])
    );
    ws.import_verify("amisim_image_usage_report.users", &id, &[]);
    // A wrong resource type is refused at plan time.
    ws.set_config(&CONFIG.replace(
        "  depends_on = [amisim_instance.team]",
        "  resource_types = [\"ec2:Volume\"]\n  depends_on = [amisim_instance.team]",
    ));
    ws.plan_refused("ec2:Volume");
    ws.set_config(CONFIG);
    // Thirty days on, AWS has deleted the report: the next apply makes another.
    ws.amisim(&["clock", "advance", "31d"]);
    ws.expect_action("amisim_image_usage_report.users", "create");
    ws.apply_and_converge();
    let again = ws.resources()["amisim_image_usage_report.users"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(again, id);
    ws.destroy();
}
