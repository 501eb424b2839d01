//! Today's AMI life cycle under the real Terraform CLI: deregistration
//! protection, enabled, deprecation, copied tags, block public access, the
//! Recycle Bin, Allowed AMIs, ancestry and usage.

use amisim_acceptance_tests::Workspace;
use amisim_simulator::Caller;
use amisim_simulator::{DeleteRule, GetImageSettings, SetBlockPublicAccess};

const PROVIDERS: &str = r#"
provider "amisim" {
  account_id = "111111111111"
  region     = "us-east-1"
}
provider "amisim" {
  alias      = "west"
  account_id = "111111111111"
  region     = "us-west-2"
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

fn a_east() -> Caller {
    Caller::new("111111111111", "us-east-1")
}

fn id_of(ws: &Workspace, address: &str) -> String {
    ws.resources()[address]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{address} has an ID"))
        .to_string()
}

#[test]
fn image_protection_enabled_and_deprecation_change_in_place_with_drift_and_refusals() {
    let image = |protection: &str, enabled: bool, deprecation: &str| {
        config(&format!(
            r#"
resource "amisim_image" "golden" {{
  name                      = "golden"
  tags                      = {{ team = "web" }}
  deregistration_protection = "{protection}"
  enabled                   = {enabled}
  deprecation_time          = "{deprecation}"
}}
"#
        ))
    };
    let ws = Workspace::new(&image("enabled", true, "2030-01-01T00:00:30Z"));
    ws.apply_and_converge();
    let state = ws.resources()["amisim_image.golden"].clone();
    assert_eq!(state["deregistration_protection"], "enabled");
    assert_eq!(
        state["deregistration_protected_until"],
        serde_json::Value::Null
    );
    assert_eq!(
        state["deprecation_time"], "2030-01-01T00:00:30Z",
        "the configuration's spelling stays"
    );
    assert_eq!(state["state"], "available");
    assert_eq!(state["tags_all"]["team"], "web");
    let id = id_of(&ws, "amisim_image.golden");
    let image_now = ws.amisim(&["images", "show", &id]);
    assert!(
        image_now.contains("2030-01-01T00:00:00.000Z"),
        "rounded down in the cloud:\n{image_now}"
    );
    ws.import_verify("amisim_image.golden", &id, &["deprecation_time"]);

    // Destroying a protected image is refused, with the way out.
    let out = ws.tf(&["destroy", "-auto-approve", "-no-color"]);
    assert_ne!(out.code, 0);
    assert!(out.says("OperationNotPermitted"), "{}", out.stderr);
    assert!(
        out.says("deregistration_protection = \"disabled\""),
        "{}",
        out.stderr
    );

    // In place: protection with cooldown, disabled, no deprecation change.
    ws.set_config(&image(
        "enabled-with-cooldown",
        false,
        "2030-01-01T00:00:30Z",
    ));
    ws.expect_action("amisim_image.golden", "update");
    ws.apply_and_converge();
    let state = ws.resources()["amisim_image.golden"].clone();
    assert_eq!(state["state"], "disabled");
    assert_eq!(state["enabled"], false);
    assert_eq!(state["id"], id.as_str());

    // Drift: enabled again out of band; the plan disables it again.
    ws.amisim(&["images", "enable", &id]);
    ws.expect_action("amisim_image.golden", "update");
    ws.apply_and_converge();

    // Lifting cooldown protection keeps the image protected for 24 hours.
    ws.set_config(&image("disabled", false, "2030-01-01T00:00:30Z"));
    ws.apply_and_converge();
    let until = ws.resources()["amisim_image.golden"]["deregistration_protected_until"].clone();
    assert!(until.is_string(), "a cooldown runs: {until}");
    let out = ws.tf(&["destroy", "-auto-approve", "-no-color"]);
    assert!(out.says("24-hour cooldown"), "{}", out.stderr);
    ws.amisim(&["clock", "advance", "24h"]);
    ws.destroy();
    assert!(ws.resources().is_empty());
}

#[test]
fn life_cycle_arguments_are_checked_at_plan_time() {
    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "a" {
  name                      = "aaa"
  deregistration_protection = "on"
}
"#,
    ));
    let out = ws.tf(&["validate", "-no-color"]);
    assert!(
        out.says("Invalid deregistration_protection: InvalidParameterValue"),
        "{}",
        out.stderr
    );

    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "a" {
  name             = "aaa"
  deprecation_time = "2024-06-01T00:00:00Z"
}
resource "amisim_image" "b" {
  name             = "bbb"
  deprecation_time = "2040-06-01T00:00:00Z"
}
"#,
    ));
    let out = ws.tf(&["plan", "-no-color"]);
    assert!(out.says("is in the past"), "{}", out.stderr);
    assert!(out.says("more than 10 years"), "{}", out.stderr);
    ws.set_config(&config(
        r#"
resource "amisim_image" "c" {
  name             = "ccc"
  deprecation_time = "soon"
}
"#,
    ));
    let out = ws.tf(&["validate", "-no-color"]);
    assert!(out.says("is not an RFC 3339 time"), "{}", out.stderr);
    assert!(
        ws.events().is_empty()
            || ws
                .events()
                .iter()
                .all(|e| !e.action.starts_with("Register"))
    );
}

#[test]
fn a_disabled_copy_is_not_launched_and_copied_tags_show_in_tags_all() {
    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "src" {
  name = "src"
  tags = { team = "web", tier = "gold" }
}
resource "amisim_image_copy" "dr" {
  provider        = amisim.west
  source_ami_id   = amisim_image.src.id
  source_region   = "us-east-1"
  name            = "src-dr"
  copy_image_tags = true
  tags            = { tier = "dr" }
}
"#,
    ));
    ws.apply_and_converge();
    let copy = ws.resources()["amisim_image_copy.dr"].clone();
    insta::assert_json_snapshot!(
        "lifecycle_copy_tags",
        (copy["tags"].clone(), copy["tags_all"].clone())
    );
    let id = copy["id"].as_str().unwrap().to_string();
    ws.import_verify("amisim_image_copy.dr", &id, &[]);

    ws.set_config(&config(
        r#"
resource "amisim_image" "src" {
  name = "src"
  tags = { team = "web", tier = "gold" }
}
resource "amisim_image_copy" "dr" {
  provider        = amisim.west
  source_ami_id   = amisim_image.src.id
  source_region   = "us-east-1"
  name            = "src-dr"
  copy_image_tags = true
  tags            = { tier = "dr", site = "oregon" }
  enabled         = false
}
resource "amisim_instance" "dr" {
  provider      = amisim.west
  ami           = amisim_image_copy.dr.id
  instance_type = "t3.micro"
}
"#,
    ));
    let out = ws.apply_expect_error("InvalidAMIID.Unavailable");
    assert!(
        out.stderr
            .replace('\n', " ")
            .contains("is disabled by its owner"),
        "{}",
        out.stderr
    );
    let copy = ws.resources()["amisim_image_copy.dr"].clone();
    assert_eq!(copy["state"], "disabled");
    assert_eq!(copy["tags_all"]["team"], "web");
    assert_eq!(copy["tags_all"]["site"], "oregon");
    ws.destroy();
}

#[test]
fn block_public_access_is_one_setting_per_account_and_region() {
    let body = |state: &str| {
        config(&format!(
            r#"
resource "amisim_image_block_public_access" "this" {{
  state = "{state}"
}}
resource "amisim_image" "app" {{
  name = "app"
}}
resource "amisim_launch_permission" "public" {{
  image_id   = amisim_image.app.id
  group      = "all"
  depends_on = [amisim_image_block_public_access.this]
}}
"#
        ))
    };
    // A new account is blocked: the same configuration without the setting is refused.
    let ws = Workspace::new(&config(
        r#"
resource "amisim_image" "app" {
  name = "app"
}
resource "amisim_launch_permission" "public" {
  image_id = amisim_image.app.id
  group    = "all"
}
"#,
    ));
    let out = ws.apply_expect_error("OperationNotPermitted");
    insta::assert_snapshot!("lifecycle_block_public_access_refused", out.stderr);

    ws.set_config(&body("unblocked"));
    ws.apply_and_converge();
    let r = ws.resources();
    assert_eq!(
        r["amisim_image_block_public_access.this"]["id"],
        "us-east-1"
    );
    assert_eq!(r["amisim_image.app"]["public"], true);
    ws.import_verify("amisim_image_block_public_access.this", "us-east-1", &[]);
    ws.import_block_verify("amisim_image_block_public_access.this", "us-east-1");
    let out = ws.sibling().tf(&[
        "import",
        "-no-color",
        "amisim_image_block_public_access.this",
        "eu-west-1",
    ]);
    assert!(
        out.says("is not the provider's region us-east-1"),
        "{}",
        out.stderr
    );

    // Drift: blocked again out of band; public images stay public.
    ws.cloud()
        .call(&a_east(), &SetBlockPublicAccess::new("block-new-sharing"))
        .unwrap();
    ws.expect_action("amisim_image_block_public_access.this", "update");
    assert_eq!(ws.resources()["amisim_image.app"]["public"], true);
    ws.apply_and_converge();

    // In place, then destroy leaves the setting as it is.
    ws.set_config(
        &body("block-new-sharing")
            .replace(
                "resource \"amisim_launch_permission\" \"public\"",
                "resource \"amisim_launch_permission\" \"gone\"",
            )
            .replace("group      = \"all\"", "account_id = \"222222222222\""),
    );
    ws.apply_and_converge();
    ws.destroy();
    let s = ws.cloud().call(&a_east(), &GetImageSettings {}).unwrap();
    assert_eq!(s.block_public_access, "block-new-sharing");

    let bad = Workspace::new(&config(
        r#"
resource "amisim_image_block_public_access" "this" {
  state = "off"
}
"#,
    ));
    let out = bad.tf(&["validate", "-no-color"]);
    assert!(
        out.says("Invalid state: InvalidParameterValue"),
        "{}",
        out.stderr
    );
}

#[test]
fn recycle_bin_rules_keep_images_to_restore_and_import() {
    let body = |days: u32, image: bool| {
        let image = if image {
            r#"
resource "amisim_image" "golden" {
  name = "golden"
  tags = { keep = "yes" }
}
"#
        } else {
            ""
        };
        config(&format!(
            r#"
resource "amisim_recycle_bin_rule" "images" {{
  resource_type         = "EC2_IMAGE"
  retention_period_days = {days}
  resource_tags         = {{ keep = "yes" }}
  description           = "keep golden images"
}}
resource "amisim_recycle_bin_rule" "snapshots" {{
  resource_type         = "EBS_SNAPSHOT"
  retention_period_days = 30
}}
{image}
"#
        ))
    };
    let ws = Workspace::new(&body(7, true));
    ws.apply_and_converge();
    let rule = ws.resources()["amisim_recycle_bin_rule.images"].clone();
    let rule_id = rule["id"].as_str().unwrap().to_string();
    assert_eq!(rule_id.len(), 11);
    assert!(rule["arn"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:rbin:us-east-1:111111111111:rule/"));
    ws.import_verify("amisim_recycle_bin_rule.images", &rule_id, &[]);

    // In place.
    ws.set_config(&body(9, true));
    ws.expect_action("amisim_recycle_bin_rule.images", "update");
    ws.apply_and_converge();

    // The image, destroyed, waits in the bin; restored, Terraform imports it again.
    let image = id_of(&ws, "amisim_image.golden");
    ws.set_config(&body(9, false));
    ws.apply_and_converge();
    let bin = ws.amisim(&["recycle-bin", "list"]);
    assert!(bin.contains(&image), "{bin}");
    assert!(
        bin.contains("EBS_SNAPSHOT"),
        "its snapshot waits too: {bin}"
    );
    let bill = ws.amisim(&["bill"]);
    assert!(bill.contains("recycle-bin-storage"), "{bill}");
    let restored = ws.amisim(&["recycle-bin", "restore", &image]);
    assert!(
        restored.contains(&format!("Restored {image}")),
        "{restored}"
    );
    ws.set_config(&body(9, true));
    ws.import_with_block("amisim_image.golden", &image);

    // Drift: the rule deleted out of band is planned again.
    ws.cloud()
        .call(&a_east(), &DeleteRule::new(&rule_id))
        .unwrap();
    ws.expect_action("amisim_recycle_bin_rule.images", "create");
    ws.apply_and_converge();
    ws.destroy();

    let bad = Workspace::new(&config(
        r#"
resource "amisim_recycle_bin_rule" "r" {
  resource_type         = "EC2_VOLUME"
  retention_period_days = 400
  resource_tags         = { a = "b" }
  exclude_resource_tags = { c = "d" }
}
"#,
    ));
    let out = bad.tf(&["validate", "-no-color"]);
    for expected in [
        "Invalid resource_type: InvalidParameterValue",
        "Invalid retention_period_days: ValidationException",
        "Invalid exclude_resource_tags: ValidationException",
    ] {
        assert!(out.says(expected), "{expected}: {}", out.stderr);
    }
}

#[test]
fn allowed_images_admit_images_by_their_watermark() {
    let body = |key: &str| {
        config(&format!(
            r#"
resource "amisim_image" "approved" {{
  provider   = amisim.other
  name       = "vendor-approved"
  watermarks = ["approved"]
}}
resource "amisim_image" "plain" {{
  provider = amisim.other
  name     = "vendor-plain"
}}
resource "amisim_launch_permission" "approved" {{
  provider   = amisim.other
  image_id   = amisim_image.approved.id
  account_id = "111111111111"
}}
resource "amisim_launch_permission" "plain" {{
  provider   = amisim.other
  image_id   = amisim_image.plain.id
  account_id = "111111111111"
}}
resource "amisim_allowed_images_settings" "this" {{
  state = "enabled"
  image_criterion {{
    image_watermark {{
      watermark_key                        = "{key}"
      maximum_days_since_watermark_created = 30
    }}
  }}
}}
data "amisim_images" "vendor" {{
  owners     = ["222222222222"]
  depends_on = [amisim_allowed_images_settings.this, amisim_launch_permission.approved, amisim_launch_permission.plain]
}}
output "found" {{
  value = [for id in data.amisim_images.vendor.ids : id == amisim_image.approved.id ? "approved" : "plain"]
}}
"#
        ))
    };
    let ws = Workspace::new(&body("222222222222:appr*"));
    ws.apply_and_converge();
    assert_eq!(ws.outputs()["found"], serde_json::json!(["approved"]));
    let criterion = &ws.resources()["amisim_allowed_images_settings.this"]["image_criterion"][0];
    assert_eq!(
        criterion["image_watermark"][0]["watermark_key"],
        "222222222222:appr*"
    );
    ws.import_verify("amisim_allowed_images_settings.this", "us-east-1", &[]);
    // A mark of the same name by another account is not the vendor's approval.
    ws.set_config(&body("111111111111:approved"));
    ws.expect_action("amisim_allowed_images_settings.this", "update");
    ws.apply_and_converge();
    assert_eq!(ws.outputs()["found"], serde_json::json!([]));
    ws.destroy();

    let bad = Workspace::new(&config(
        r#"
resource "amisim_allowed_images_settings" "x" {
  state = "enabled"
  image_criterion {
    image_watermark {
      maximum_days_since_watermark_created = 1.5
    }
  }
  image_criterion {
    image_watermark {}
  }
}
"#,
    ));
    let out = bad.tf(&["validate", "-no-color"]);
    assert!(out.says("not a whole number of days"), "{}", out.stderr);
    assert!(out.says("sets no field"), "{}", out.stderr);
}

#[test]
fn allowed_images_refuse_launches_and_the_data_sources_say_which_are_allowed() {
    // The Windows image's ID, as another account (no setting) finds it: an ID
    // copied from elsewhere.
    let windows_id = {
        let ws = Workspace::new(&config(""));
        let found = ws
            .cloud()
            .call(
                &Caller::new("222222222222", "us-east-1"),
                &amisim_simulator::DescribeImages {
                    filters: vec![("name".into(), vec!["Windows_Server-2022-*".into()])],
                    ..Default::default()
                },
            )
            .unwrap();
        found[0].id.clone()
    };
    let body = |state: &str, instance: bool| {
        let instance = if instance {
            format!(
                r#"
resource "amisim_instance" "win" {{
  ami           = "{windows_id}"
  instance_type = "t3.micro"
  depends_on    = [amisim_allowed_images_settings.this]
}}
"#
            )
        } else {
            String::new()
        };
        config(&format!(
            r#"
resource "amisim_allowed_images_settings" "this" {{
  state = "{state}"
  image_criterion {{
    image_providers = ["amazon"]
    image_names     = ["ubuntu/*", "al2023-*"]
  }}
  image_criterion {{
    image_providers = ["222222222222"]
    creation_date_condition {{
      maximum_days_since_created = 300
    }}
  }}
}}
data "amisim_images" "windows" {{
  owners = ["amazon"]
  filter {{
    name   = "name"
    values = ["Windows_Server-2022-*"]
  }}
  depends_on = [amisim_allowed_images_settings.this]
}}
data "amisim_images" "amazon" {{
  owners     = ["amazon"]
  depends_on = [amisim_allowed_images_settings.this]
}}
output "windows" {{
  value = [length(data.amisim_images.windows.ids), length(data.amisim_images.windows.allowed_ids)]
}}
output "allowed_count" {{
  value = [length(data.amisim_images.amazon.ids), length(data.amisim_images.amazon.allowed_ids)]
}}
{instance}
"#
        ))
    };
    let ws = Workspace::new(&body("enabled", false));
    ws.apply_and_converge();
    let outputs = ws.outputs();
    // Enabled: what the setting does not allow is not discoverable.
    assert_eq!(outputs["windows"], serde_json::json!([0, 0]));
    let counts = outputs["allowed_count"].as_array().unwrap().clone();
    assert_eq!(counts[1], counts[0], "{counts:?}");
    ws.import_verify("amisim_allowed_images_settings.this", "us-east-1", &[]);

    ws.set_config(&body("enabled", true));
    let out = ws.apply_expect_error("InvalidAMIID.NotAllowed");
    assert!(
        out.stderr
            .replace('\n', " ")
            .contains("no Allowed AMIs criterion matches it"),
        "{}",
        out.stderr
    );

    // Audit mode hides and refuses nothing, in place, and still reports.
    ws.set_config(&body("audit-mode", true));
    ws.expect_action("amisim_allowed_images_settings.this", "update");
    ws.apply_and_converge();
    assert_eq!(
        ws.outputs()["windows"],
        serde_json::json!([1, 0]),
        "audit mode still reports"
    );
    let counts = ws.outputs()["allowed_count"].as_array().unwrap().clone();
    assert!(counts[1].as_u64() < counts[0].as_u64(), "{counts:?}");

    // Drift: turned off out of band, the setting is planned again.
    ws.cloud()
        .call(
            &a_east(),
            &amisim_simulator::AllowedImages {
                state: "disabled".into(),
                criteria: vec![],
            },
        )
        .unwrap();
    ws.expect_action("amisim_allowed_images_settings.this", "create");
    ws.apply_and_converge();
    ws.destroy();
    let s = ws.cloud().call(&a_east(), &GetImageSettings {}).unwrap();
    assert_eq!(
        s.allowed_images_state.as_str(),
        "disabled",
        "destroy turns the setting off"
    );

    let eleven = (0..11)
        .map(|n| format!("image_criterion {{\n image_names = [\"n{n}-*\"]\n}}\n"))
        .collect::<String>();
    let bad = Workspace::new(&config(&format!(
        "resource \"amisim_allowed_images_settings\" \"x\" {{\n state = \"on\"\n{eleven}}}\n"
    )));
    let out = bad.tf(&["validate", "-no-color"]);
    assert!(
        out.says("Invalid state: InvalidParameterValue"),
        "{}",
        out.stderr
    );
    assert!(out.says("takes at most 10"), "{}", out.stderr);
    let bad = Workspace::new(&config(
        r#"
resource "amisim_allowed_images_settings" "x" {
  state = "enabled"
  image_criterion {
    creation_date_condition {
      maximum_days_since_created = 1.5
    }
  }
}
"#,
    ));
    let out = bad.tf(&["validate", "-no-color"]);
    assert!(
        out.says("1.5 is not a whole number of days"),
        "{}",
        out.stderr
    );
}

#[test]
fn ancestry_and_usage_follow_an_image_back_to_its_origin() {
    let ws = Workspace::new(&config(
        r#"
data "amisim_image" "ubuntu" {
  owners      = ["099720109477"]
  most_recent = true
  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-*"]
  }
}
resource "amisim_instance" "builder" {
  ami           = data.amisim_image.ubuntu.id
  instance_type = "t3.micro"
}
resource "amisim_image" "golden" {
  name               = "golden"
  source_instance_id = amisim_instance.builder.id
}
resource "amisim_image_copy" "dr" {
  provider      = amisim.west
  source_ami_id = amisim_image.golden.id
  source_region = "us-east-1"
  name          = "golden-dr"
}
resource "amisim_instance" "web" {
  ami           = amisim_image.golden.id
  instance_type = "t3.micro"
}
data "amisim_image_ancestry" "dr" {
  provider = amisim.west
  image_id = amisim_image_copy.dr.id
}
output "chain" {
  value = [for e in data.amisim_image_ancestry.dr.entries : e.image_id]
}
"#,
    ));
    ws.apply_and_converge();
    let r = ws.resources();
    let ubuntu = r["data.amisim_image.ubuntu"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let golden = id_of(&ws, "amisim_image.golden");
    let dr = id_of(&ws, "amisim_image_copy.dr");
    let chain: Vec<String> = ws.outputs()["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(chain, [dr.clone(), golden.clone(), ubuntu]);
    ws.assert_plan_empty();
    let golden_state = ws.resources()["amisim_image.golden"].clone();
    assert!(
        golden_state["last_launched_time"].is_string(),
        "{golden_state}"
    );

    let refs = ws.amisim(&["images", "references", &golden]);
    assert!(refs.contains(&dr), "{refs}");
    assert!(refs.contains(&id_of(&ws, "amisim_instance.web")), "{refs}");
    ws.destroy();
}

#[test]
fn deprecated_and_disabled_images_in_the_data_sources() {
    let body = |lookups: bool| {
        let lookups = if lookups {
            r#"
data "amisim_image" "mine" {
  owners      = ["self"]
  most_recent = true
  filter {
    name   = "name"
    values = ["old-*"]
  }
}
data "amisim_images" "theirs" {
  provider = amisim.other
  owners   = ["111111111111"]
}
data "amisim_images" "theirs_all" {
  provider           = amisim.other
  owners             = ["111111111111"]
  include_deprecated = true
}
data "amisim_images" "mine_disabled" {
  owners           = ["self"]
  include_disabled = true
}
data "amisim_images" "mine_enabled" {
  owners = ["self"]
}
output "found" {
  value = {
    mine          = data.amisim_image.mine.id
    mine_launched = data.amisim_image.mine.last_launched_time
    theirs        = length(data.amisim_images.theirs.ids)
    theirs_all    = length(data.amisim_images.theirs_all.ids)
    with_disabled = length(data.amisim_images.mine_disabled.ids)
    enabled_only  = length(data.amisim_images.mine_enabled.ids)
  }
}
"#
        } else {
            ""
        };
        config(&format!(
            r#"
resource "amisim_image" "old" {{
  name             = "old-1"
  deprecation_time = "2025-01-02T00:00:00Z"
}}
resource "amisim_image" "retired" {{
  name    = "retired-1"
  enabled = false
}}
resource "amisim_launch_permission" "old" {{
  image_id   = amisim_image.old.id
  account_id = "222222222222"
}}
resource "amisim_instance" "web" {{
  ami           = amisim_image.old.id
  instance_type = "t3.micro"
}}
{lookups}
"#
        ))
    };
    let ws = Workspace::new(&body(false));
    ws.apply_and_converge();
    ws.amisim(&["clock", "advance", "2d"]);
    ws.set_config(&body(true));
    ws.apply_and_converge();
    let found = ws.outputs()["found"].clone();
    assert_eq!(found["mine"], ws.resources()["amisim_image.old"]["id"]);
    assert!(
        found["mine_launched"].is_string(),
        "the owner sees the last launch: {found}"
    );
    assert_eq!(
        found["theirs"], 0,
        "another account's lookup skips the deprecated image"
    );
    assert_eq!(found["theirs_all"], 1);
    assert_eq!(found["with_disabled"], 2);
    assert_eq!(found["enabled_only"], 1);
    ws.destroy();
}
