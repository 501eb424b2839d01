//! The actions beyond images that hashicorp/aws and AMI pipelines call, made
//! by boto3 against the real `amisim serve`: instances, snapshots, volumes,
//! tags, Allowed AMIs, the Recycle Bin (EC2's bin and `rbin`'s rules) and KMS
//! keys and grants, with AWS's codes for each refusal.

use amisim_acceptance_tests::serve::Served;
use amisim_acceptance_tests::Workspace;

const A: &str = "111111111111";
const B: &str = "222222222222";

#[test]
fn what_hashicorp_aws_and_pipelines_call_answers_with_aws_fields_and_codes() {
    let ws = Workspace::empty();
    let served = Served::start(ws.store());
    let out = served.boto3(A, "us-east-1", include_str!("aws/hashicorp_calls.py"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every answer is deterministic, IDs included.
    insta::assert_snapshot!("hashicorp_calls", stdout);
    // Each grantee's and owner's call is logged as the account that made it.
    let events = ws.events();
    for (action, account) in [
        ("RetireGrant", B),
        ("RevokeGrant", A),
        ("CreateGrant", A),
        ("ScheduleKeyDeletion", A),
        ("CreateRule", A),
        ("RestoreImageFromRecycleBin", A),
        ("ReplaceImageCriteriaInAllowedImagesSettings", A),
    ] {
        assert!(
            events
                .iter()
                .any(|e| e.action == action && e.account_id == account && e.outcome == "ok"),
            "{action} by {account} in the log"
        );
    }
    // The grant that allowed only DescribeKey did not let B copy.
    assert!(events
        .iter()
        .any(|e| e.action == "CopyImage" && e.account_id == B && e.outcome != "ok"));
}

/// Runs the AWS CLI as `account` in us-east-1; its JSON answer.
fn aws(served: &Served, account: &str, args: &[&str]) -> serde_json::Value {
    let out = served.aws(account, "us-east-1", args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "aws {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    if stdout.trim().is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&stdout).unwrap()
    }
}

#[test]
fn terraform_and_the_aws_cli_act_on_one_cloud() {
    let ws = Workspace::empty();
    let served = Served::start(ws.store());
    // A shares an image with B through the AWS CLI, snapshot included.
    let id = aws(
        &served,
        A,
        &["ec2", "register-image", "--name", "cli-golden"],
    )["ImageId"]
        .as_str()
        .unwrap()
        .to_string();
    aws(
        &served,
        A,
        &[
            "ec2",
            "modify-image-attribute",
            "--image-id",
            &id,
            "--launch-permission",
            &format!("Add=[{{UserId={B}}}]"),
        ],
    );
    let image = aws(&served, A, &["ec2", "describe-images", "--image-ids", &id]);
    let snapshot = image["Images"][0]["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"]
        .as_str()
        .unwrap()
        .to_string();
    aws(
        &served,
        A,
        &[
            "ec2",
            "modify-snapshot-attribute",
            "--snapshot-id",
            &snapshot,
            "--attribute",
            "createVolumePermission",
            "--operation-type",
            "add",
            "--user-ids",
            B,
        ],
    );
    // B copies it with Terraform; A makes another image with Terraform.
    ws.set_config(&format!(
        r#"
provider "amisim" {{
  account_id = "{B}"
  region     = "us-east-1"
}}
provider "amisim" {{
  alias      = "a"
  account_id = "{A}"
  region     = "us-east-1"
}}
resource "amisim_image_copy" "mine" {{
  source_ami_id = "{id}"
  source_region = "us-east-1"
  name          = "b-copy-of-cli-golden"
}}
resource "amisim_image" "tf" {{
  provider = amisim.a
  name     = "made-by-terraform"
}}
"#
    ));
    ws.apply_and_converge();
    let r = ws.resources();
    let copy = r["amisim_image_copy.mine"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let tf_image = r["amisim_image.tf"]["id"].as_str().unwrap().to_string();
    // The AWS CLI sees B's copy as B's, and A's Terraform image as A's.
    let seen = aws(
        &served,
        B,
        &["ec2", "describe-images", "--image-ids", &copy],
    );
    assert_eq!(seen["Images"][0]["OwnerId"], B);
    assert_eq!(seen["Images"][0]["SourceImageId"], id.as_str());
    let owned = aws(&served, A, &["ec2", "describe-images", "--owners", "self"]);
    let names: Vec<&str> = owned["Images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["cli-golden", "made-by-terraform"]);
    // Deregistered through the AWS CLI, A's image is drift in the next plan.
    aws(
        &served,
        A,
        &["ec2", "deregister-image", "--image-id", &tf_image],
    );
    ws.expect_action("amisim_image.tf", "create");
    ws.expect_action("amisim_image_copy.mine", "no-op");
}

/// What `url` answers to a GET: its status and body (redirects not followed).
fn get(url: &str, host: Option<&str>) -> (u16, String) {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let mut request = agent.get(url);
    if let Some(h) = host {
        request = request.set("Host", h);
    }
    match request.call() {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap_or_default()),
        Err(e) => panic!("{url}: {e}"),
    }
}

#[test]
fn the_console_is_served_under_console_beside_the_api() {
    let ws = Workspace::empty();
    let served = Served::start(ws.store());
    let made = served.boto3(
        A,
        "us-east-1",
        "import boto3\nprint(boto3.client('ec2').register_image(Name='seen-in-the-console')['ImageId'])",
    );
    assert!(made.status.success());
    let id = String::from_utf8_lossy(&made.stdout).trim().to_string();
    // The console's pages and links are under /console/.
    let (status, _) = get(&format!("{}/console", served.url), None);
    assert_eq!(status, 308, "/console redirects to /console/");
    let (status, overview) = get(&format!("{}/console/", served.url), None);
    assert_eq!(status, 200, "{overview}");
    for link in [
        "href=\"/console/static/console.css\"",
        "href=\"/console/images\"",
        "data-base=\"/console/\"",
    ] {
        assert!(overview.contains(link), "{link} in {overview}");
    }
    let (status, images) = get(&format!("{}/console/images", served.url), None);
    assert_eq!(status, 200);
    assert!(
        images.contains(&format!("<a href=\"/console/images/{id}\">{id}</a>")),
        "{images}"
    );
    let (status, page) = get(&format!("{}/console/images/{id}", served.url), None);
    assert_eq!(status, 200);
    assert!(page.contains("seen-in-the-console"));
    // A page another site points at the console (DNS rebinding) is refused.
    let (status, _) = get(&format!("{}/console/", served.url), Some("evil.example:80"));
    assert_eq!(status, 421);
    // The API answers beside it, on the same address.
    let who = served.aws(A, "us-east-1", &["sts", "get-caller-identity"]);
    assert!(who.status.success());
}
