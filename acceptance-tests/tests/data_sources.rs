//! The `amisim_image` and `amisim_images` data sources under the real Terraform CLI.

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

#[test]
fn image_data_sources_find_catalogue_own_and_shared_images() {
    let ws = Workspace::new(&format!(
        r#"{PROVIDERS}
data "amisim_image" "ubuntu_arm" {{
  owners      = ["099720109477"]
  most_recent = true
  filter {{
    name   = "name"
    values = ["ubuntu/images/*24.04-arm64*"]
  }}
}}
data "amisim_image" "marketplace" {{
  owners     = ["aws-marketplace"]
  name_regex = "^bitnami-wordpress"
}}
resource "amisim_image" "mine" {{
  name = "golden-1"
}}
resource "amisim_image" "mine2" {{
  name       = "golden-2"
  depends_on = [amisim_image.mine]
}}
resource "amisim_launch_permission" "other" {{
  image_id   = amisim_image.mine.id
  account_id = "222222222222"
}}
data "amisim_images" "golden" {{
  owners     = ["self"]
  name_regex = "^golden-"
  depends_on = [amisim_image.mine, amisim_image.mine2]
}}
data "amisim_images" "shared_with_other" {{
  provider         = amisim.other
  executable_users = ["self"]
  depends_on       = [amisim_launch_permission.other]
}}
output "ubuntu_arm" {{
  value = [data.amisim_image.ubuntu_arm.name, data.amisim_image.ubuntu_arm.architecture, data.amisim_image.ubuntu_arm.owner_alias]
}}
output "marketplace_billing" {{
  value = data.amisim_image.marketplace.billing_products
}}
output "golden" {{
  value = data.amisim_images.golden.ids
}}
output "shared_with_other" {{
  value = data.amisim_images.shared_with_other.ids
}}
output "golden_ids" {{
  value = [amisim_image.mine2.id, amisim_image.mine.id]
}}
"#
    ));
    ws.apply_and_converge();
    let out = ws.outputs();
    assert_eq!(out["golden"], out["golden_ids"], "newest first");
    assert_eq!(
        out["shared_with_other"],
        serde_json::json!([out["golden_ids"][1]])
    );
    insta::assert_json_snapshot!("data_source_outputs", out);
    ws.destroy();
}

#[test]
fn image_data_source_errors() {
    let cases = [
        (
            r#"data "amisim_image" "none" {
  owners = ["self"]
}"#,
            "no results",
        ),
        (
            r#"data "amisim_image" "many" {
  owners = ["amazon"]
}"#,
            "more than one result",
        ),
        (
            r#"data "amisim_image" "guard" {
  most_recent = true
  filter {
    name   = "name"
    values = ["al2023-*"]
  }
}"#,
            "most_recent = true without owners",
        ),
        (
            r#"data "amisim_image" "bad" {
  owners     = ["amazon"]
  name_regex = "(unclosed"
}"#,
            "InvalidParameterValue",
        ),
        (
            r#"data "amisim_image" "bad" {
  owners = ["nobody"]
}"#,
            "is not a valid owner",
        ),
        (
            r#"data "amisim_images" "typo" {
  owners = ["amazon"]
  filter {
    name   = "nme"
    values = ["al2023-*"]
  }
}"#,
            "the filter name \"nme\" is invalid",
        ),
    ];
    for (body, expected) in cases {
        let ws = Workspace::new(&format!("{PROVIDERS}\n{body}"));
        let out = ws.tf(&["plan", "-no-color"]);
        assert_ne!(out.code, 0, "{body}");
        assert!(out.stderr.contains(expected), "{body}\n{}", out.stderr);
    }
    let ws = Workspace::new(&format!(
        r#"{PROVIDERS}
data "amisim_image" "regional" {{
  owners = ["self"]
  filter {{
    name   = "name"
    values = ["nowhere-*"]
  }}
}}"#
    ));
    let out = ws.tf(&["plan", "-no-color"]);
    insta::assert_snapshot!("data_source_no_result", out.stderr);
}
