//! `amisim serve` driven by AWS's own clients: boto3 and the AWS CLI (v1,
//! both on botocore), signing with SigV4, against the real binary over HTTP.
//! The cloud they change is the one the provider and `amisim` read.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use amisim_acceptance_tests::serve::{key_pair, Served};
use amisim_acceptance_tests::Workspace;

const A: &str = "111111111111";
const B: &str = "222222222222";

/// Runs a boto3 `script` as account A in `region` against a server on a new
/// store, and reads the JSON it prints; the workspace stays for the log.
fn boto3_on_new_store(region: &str, script: &str) -> (Workspace, serde_json::Value) {
    let ws = Workspace::empty();
    let served = Served::start(ws.store());
    let out = serde_json::from_str(&ok(served.boto3(A, region, script))).unwrap();
    drop(served);
    (ws, out)
}

fn ok(out: std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A boto3 pipeline as people write them: find the base image, register a
/// golden image, share it, copy it across regions, look at it; and the
/// refusals AWS would give, with AWS's codes.
const PIPELINE: &str = r#"
import json, boto3, botocore
east = boto3.client("ec2")
west = boto3.client("ec2", region_name="us-west-2")
sts = boto3.client("sts")
out = {"account": sts.get_caller_identity()["Account"]}
base = east.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": ["al2023-ami-*-x86_64"]}])["Images"]
out["base"] = [i["Name"] for i in base]
east.disable_image_block_public_access()
golden = east.register_image(Name="golden-web", Description="built by boto3",
    BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 16, "VolumeType": "gp3"}}],
    TagSpecifications=[{"ResourceType": "image", "Tags": [{"Key": "Role", "Value": "golden"}]}])["ImageId"]
east.get_waiter("image_available").wait(ImageIds=[golden])
east.modify_image_attribute(ImageId=golden, LaunchPermission={"Add": [{"UserId": "222222222222"}]})
out["shared"] = east.describe_image_attribute(ImageId=golden, Attribute="launchPermission")["LaunchPermissions"]
# Another account copies the shared image once it may read its snapshot.
b = boto3.client("ec2", aws_access_key_id="222222222222", aws_secret_access_key="any")
snapshot = east.describe_images(ImageIds=[golden])["Images"][0]["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"]
def b_copy(name):
    try:
        return b.copy_image(SourceImageId=golden, SourceRegion="us-east-1", Name=name)["ImageId"]
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
out["b_copy_before"] = b_copy("b-copy")
east.modify_snapshot_attribute(SnapshotId=snapshot, Attribute="createVolumePermission", OperationType="add", UserIds=["222222222222"])
out["b_copy_after"] = b_copy("b-copy").split("-")[0]
copy = west.copy_image(SourceImageId=golden, SourceRegion="us-east-1", Name="golden-web-dr")["ImageId"]
image = west.describe_images(ImageIds=[copy])["Images"][0]
out["copy"] = {k: image[k] for k in ["Name", "State", "OwnerId", "Public", "RootDeviceName", "SourceImageId"]}
east.create_tags(Resources=[golden], Tags=[{"Key": "Stage", "Value": "prod"}])
out["tags"] = sorted((t["Key"], t["Value"]) for t in east.describe_images(ImageIds=[golden])["Images"][0]["Tags"])
pages = east.get_paginator("describe_images").paginate(Owners=["amazon"], PaginationConfig={"PageSize": 5})
out["paged"] = sum(len(p["Images"]) for p in pages)
out["unpaged"] = len(east.describe_images(Owners=["amazon"])["Images"])
def code(f):
    try:
        f()
        return "ok"
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
out["errors"] = {
    "duplicate": code(lambda: east.register_image(Name="golden-web")),
    "missing": code(lambda: east.describe_images(ImageIds=["ami-0123456789abcdef0"])),
    "dry_run": code(lambda: east.register_image(Name="dry", DryRun=True)),
    "unmodelled": code(lambda: east.register_image(Name="kernel-image", KernelId="aki-12345678")),
    "not_owner": code(lambda: boto3.client("ec2", aws_access_key_id="222222222222", aws_secret_access_key="any").modify_image_attribute(
        ImageId=golden, LaunchPermission={"Add": [{"UserId": "333333333333"}]})),
    "unknown_action": code(lambda: east.describe_vpcs()),
}
out["golden"] = golden
out["deregistered"] = east.deregister_image(ImageId=golden)["Return"]
print(json.dumps(out))
"#;

#[test]
fn a_boto3_pipeline_runs_against_amisim_with_aws_rules_and_codes() {
    let (ws, out) = boto3_on_new_store("us-east-1", PIPELINE);
    assert_eq!(out["account"], A);
    assert_eq!(out["base"].as_array().unwrap().len(), 1, "{out}");
    assert_eq!(out["shared"], serde_json::json!([{"UserId": B}]));
    assert_eq!(
        out["b_copy_before"], "InvalidRequest",
        "no copy without the snapshot"
    );
    assert_eq!(out["b_copy_after"], "ami");
    assert_eq!(out["copy"]["Name"], "golden-web-dr");
    assert_eq!(out["copy"]["State"], "available");
    assert_eq!(out["copy"]["OwnerId"], A);
    assert_eq!(out["copy"]["Public"], false);
    assert_eq!(out["copy"]["RootDeviceName"], "/dev/xvda");
    assert_eq!(out["copy"]["SourceImageId"], out["golden"]);
    assert_eq!(
        out["tags"],
        serde_json::json!([["Role", "golden"], ["Stage", "prod"]])
    );
    assert_eq!(out["paged"], out["unpaged"]);
    assert_eq!(
        out["errors"],
        serde_json::json!({
            "duplicate": "InvalidAMIName.Duplicate",
            "missing": "InvalidAMIID.NotFound",
            "dry_run": "DryRunOperation",
            "unmodelled": "InvalidParameter",
            "not_owner": "AuthFailure",
            "unknown_action": "InvalidAction",
        })
    );
    assert_eq!(out["deregistered"], true);
    // The same cloud the provider and amisim read: the calls are in its log,
    // as the account that made them.
    let golden = out["golden"].as_str().unwrap();
    let shown = ws.amisim(&["images", "show", golden]);
    assert!(
        shown.contains("deregistered") && shown.contains("built by boto3"),
        "{shown}"
    );
    let events = ws.events();
    let made = events
        .iter()
        .find(|e| e.action == "RegisterImage" && e.outcome == "ok")
        .expect("the registration");
    assert_eq!(
        (made.account_id.as_str(), made.region.as_str()),
        (A, "us-east-1")
    );
    assert!(events
        .iter()
        .any(|e| e.action == "CopyImage" && e.region == "us-west-2"));
    assert!(events
        .iter()
        .any(|e| e.account_id == B && e.outcome == "AuthFailure"));
}

#[test]
fn the_aws_cli_lists_shares_and_names_its_account_with_the_env_amisim_prints() {
    let ws = Workspace::empty();
    let served = Served::start(ws.store());
    let env = ws.amisim(&[
        "env",
        "--account",
        A,
        "--region",
        "eu-west-1",
        "--endpoint",
        &served.url,
    ]);
    assert!(
        env.contains(&format!("export AWS_ENDPOINT_URL={}\n", served.url)),
        "{env}"
    );
    assert!(
        env.contains(&format!("export AWS_ACCESS_KEY_ID={A}\n")),
        "{env}"
    );
    assert!(
        env.contains("export AWS_REGION=eu-west-1\nexport AWS_DEFAULT_REGION=eu-west-1\n"),
        "{env}"
    );
    let who: serde_json::Value = serde_json::from_str(&ok(served.aws(
        A,
        "eu-west-1",
        &["sts", "get-caller-identity"],
    )))
    .unwrap();
    assert_eq!(who["Arn"], format!("arn:aws:iam::{A}:root"));
    let made: serde_json::Value = serde_json::from_str(&ok(served.aws(
        A,
        "eu-west-1",
        &[
            "ec2",
            "register-image",
            "--name",
            "cli-image",
            "--description",
            "from the AWS CLI",
        ],
    )))
    .unwrap();
    let id = made["ImageId"].as_str().unwrap().to_string();
    ok(served.aws(
        A,
        "eu-west-1",
        &[
            "ec2",
            "modify-image-attribute",
            "--image-id",
            &id,
            "--launch-permission",
            "Add=[{UserId=222222222222}]",
        ],
    ));
    // B sees the shared image; in another region nobody does.
    let seen: serde_json::Value = serde_json::from_str(&ok(served.aws(
        B,
        "eu-west-1",
        &["ec2", "describe-images", "--executable-users", "self"],
    )))
    .unwrap();
    let names: Vec<&str> = seen["Images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["cli-image"]);
    let elsewhere = served.aws(
        B,
        "us-east-1",
        &["ec2", "describe-images", "--image-ids", &id],
    );
    assert!(!elsewhere.status.success());
    assert!(String::from_utf8_lossy(&elsewhere.stderr).contains("InvalidAMIID.NotFound"));
    let regions: serde_json::Value = serde_json::from_str(&ok(served.aws(
        A,
        "eu-west-1",
        &["ec2", "describe-regions"],
    )))
    .unwrap();
    assert!(regions["Regions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["RegionName"] == "ap-southeast-7"));
}

/// Raw HTTP to the server: what it answers to `request`.
fn raw(url: &str, request: &[u8]) -> String {
    let address = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(address).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn hostile_requests_get_a_4xx_and_stalled_clients_hold_nothing_up() {
    let ws = Workspace::empty();
    let served = Served::start(ws.store());
    let auth = served.signed_lines(A, "ec2");
    let big = vec![b'a'; (1 << 20) + 10];
    let mut request = format!(
        "POST / HTTP/1.1\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n",
        big.len()
    )
    .into_bytes();
    request.extend_from_slice(&big);
    assert!(
        raw(&served.url, &request).starts_with("HTTP/1.1 413"),
        "a body over 1 MiB"
    );
    for body in [
        "Action=DescribeImages&ImageId.1=%ZZ",
        "\u{0}\u{1}binary",
        "Action=DescribeImages&ImageId.99999999999999999999=x",
        "Action=DescribeImages&Filter.1.Value.1=x",
    ] {
        let answer = raw(
            &served.url,
            format!(
                "POST / HTTP/1.1\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        );
        assert!(answer.starts_with("HTTP/1.1 4"), "{body:?}: {answer}");
        assert!(answer.contains("<Code>"), "{answer}");
    }
    assert!(raw(&served.url, b"GARBAGE\r\n\r\n").starts_with("HTTP/1.1 4"));
    // Ten clients send half a request and stall; others are served meanwhile,
    // and the stalled ones are disconnected.
    let address = served.url.trim_start_matches("http://").to_string();
    let stalled: Vec<std::net::TcpStream> = (0..10)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(&address).unwrap();
            s.write_all(b"POST / HTTP/1.1\r\nHost: ").unwrap();
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            s
        })
        .collect();
    let who = ok(served.boto3(
        A,
        "us-east-1",
        "import boto3; print(boto3.client('sts').get_caller_identity()['Account'])",
    ));
    assert_eq!(who.trim(), A);
    // Three more send a whole head and half a body, then pause.
    let paused: Vec<std::net::TcpStream> = (0..3)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(&address).unwrap();
            s.write_all(
                format!("POST / HTTP/1.1\r\n{auth}Content-Length: 100\r\n\r\nAction=Desc")
                    .as_bytes(),
            )
            .unwrap();
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            s
        })
        .collect();
    let started = Instant::now();
    for mut s in stalled {
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
    }
    for mut s in paused {
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    }
    assert!(started.elapsed() < Duration::from_secs(25));
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let ws = Workspace::empty();
    let mut served = Served::start(ws.store());
    ok(served.boto3(
        A,
        "us-east-1",
        "import boto3; boto3.client('ec2').register_image(Name='kept')",
    ));
    let status = std::process::Command::new("kill")
        .args(["-TERM", &served.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(served.wait().success(), "a clean exit on SIGTERM");
    assert!(ws.amisim(&["images", "list"]).contains("kept"));
}

/// What a boto3 call as `key`/`secret` answers: `ok:VALUE` or the error code.
const WHO: &str = r#"
import boto3, botocore
try:
    print("ok:" + boto3.client("sts").get_caller_identity()["Account"])
    boto3.client("ec2").describe_images(Owners=["self"])
except botocore.exceptions.ClientError as e:
    print(e.response["Error"]["Code"])
"#;

/// amisim's own calls as any SigV4 client sends them: botocore signs a JSON
/// 1.1 request for the service `amisim`.
const AMISIM_SERVICE: &str = r#"
import json, os, sys, urllib.request, urllib.error
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
creds = botocore.session.get_session().get_credentials()
def call(action, body, secret=None):
    c = creds if secret is None else type(creds)(creds.access_key, secret)
    req = AWSRequest(method="POST", url=os.environ["AWS_ENDPOINT_URL"] + "/", data=json.dumps(body),
        headers={"X-Amz-Target": "AmisimService." + action, "Content-Type": "application/x-amz-json-1.1"})
    SigV4Auth(c, "amisim", "us-east-1").add_auth(req)
    r = urllib.request.Request(req.url, data=req.body.encode() if isinstance(req.body, str) else req.body,
        headers=dict(req.headers), method="POST")
    try:
        with urllib.request.urlopen(r) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)
out = {}
status, image = call("RegisterImage", {"name": "wire-image", "description": "", "architecture": None,
    "platform": None, "root_device_type": None, "root_volume_size_gb": None, "encrypted": False,
    "kms_key_id": None, "billing_products": [], "tags": {"Made": "over the wire"}})
out["registered"] = [status, image.get("owner_id"), image.get("tags")]
status, found = call("DescribeImages", {"owners": ["self"], "executable_users": [], "name_regex": None, "filters": []})
out["found"] = [status, [i["name"] for i in found]]
status, refused = call("RegisterImage", {"name": "x"}, secret="wrong-secret-wrong-secret-wrong-secret-00")
out["wrong_secret"] = [status, refused.get("__type")]
print(json.dumps(out))
"#;

#[test]
fn amisims_own_calls_answer_a_sigv4_signed_json_request_as_the_claimed_account() {
    let ws = Workspace::empty();
    let (key, secret) = key_pair(&ws.amisim(&["accounts", "claim", A])).expect("the key pair");
    let served = Served::start_keyed(ws.store(), &ws.path().join("secret.key"));
    let out: serde_json::Value = serde_json::from_str(&ok(served
        .python_as(&key, &secret, "us-east-1")
        .args(["-c", AMISIM_SERVICE])
        .output()
        .unwrap()))
    .unwrap();
    assert_eq!(
        out,
        serde_json::json!({
            "registered": [200, A, {"Made": "over the wire"}],
            "found": [200, ["wire-image"]],
            "wrong_secret": [403, "SignatureDoesNotMatch"],
        })
    );
    drop(served);
    let events = ws.events();
    assert!(events
        .iter()
        .any(|e| e.action == "RegisterImage" && e.account_id == A && e.outcome == "ok"));
    assert!(events
        .iter()
        .any(|e| e.action == "RegisterImage" && e.outcome == "SignatureDoesNotMatch"));
}

#[test]
fn serve_prints_the_administrators_credential_once_and_it_alone_moves_the_clock() {
    let ws = Workspace::empty();
    let key_file = ws.path().join("secret.key");
    let served = Served::start_keyed(ws.store(), &key_file);
    let (key, secret) = served.administrator().expect("printed on a new store");
    assert!(key.starts_with("AKIA"), "{}", served.stderr());
    let script = r#"
import json, os, urllib.request, urllib.error
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
creds = botocore.session.get_session().get_credentials()
def call(action, body):
    req = AWSRequest(method="POST", url=os.environ["AWS_ENDPOINT_URL"] + "/", data=json.dumps(body),
        headers={"X-Amz-Target": "AmisimService." + action, "Content-Type": "application/x-amz-json-1.1"})
    SigV4Auth(creds, "amisim", "us-east-1").add_auth(req)
    data = req.body if isinstance(req.body, bytes) else req.body.encode()
    r = urllib.request.Request(req.url, data=data, headers=dict(req.headers), method="POST")
    try:
        with urllib.request.urlopen(r) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return [e.code, json.load(e)["__type"]]
print(json.dumps(call("AdvanceClock", {"seconds": 86400})))
"#;
    let run = |k: &str, s: &str| {
        ok(served
            .python_as(k, s, "us-east-1")
            .args(["-c", script])
            .output()
            .unwrap())
        .trim()
        .to_string()
    };
    assert_eq!(run(&key, &secret), "200");
    assert_eq!(run(A, "any"), r#"[403, "UnauthorizedOperation"]"#);
    drop(served);
    // Started again on the same store, it makes and prints no other.
    let again = Served::start_keyed(ws.store(), &key_file);
    assert!(again.administrator().is_none(), "{}", again.stderr());
    assert_eq!(run_again(&again, &key, &secret, script), "200");
    drop(again);
    let clock = ws.amisim(&["clock", "show"]);
    assert!(clock.contains("2025-01-03"), "two days on: {clock}");
}

fn run_again(served: &Served, key: &str, secret: &str, script: &str) -> String {
    ok(served
        .python_as(key, secret, "us-east-1")
        .args(["-c", script])
        .output()
        .unwrap())
    .trim()
    .to_string()
}

#[test]
fn a_claimed_account_signs_with_its_key_pair_and_a_copy_of_the_store_signs_as_no_one() {
    let ws = Workspace::empty();
    let (key, secret) = key_pair(&ws.amisim(&["accounts", "claim", A])).expect("the key pair");
    let key_file = ws.path().join("secret.key");
    let served = Served::start_keyed(ws.store(), &key_file);
    let who = |k: &str, s: &str| {
        ok(served
            .python_as(k, s, "us-east-1")
            .args(["-c", WHO])
            .output()
            .unwrap())
        .trim()
        .to_string()
    };
    assert_eq!(who(&key, &secret), format!("ok:{A}"));
    let made = ok(served
        .python_as(&key, &secret, "us-east-1")
        .args(["-c", "import boto3; print(boto3.client('ec2').register_image(Name='signed-image')['ImageId'])"])
        .output()
        .unwrap());
    assert!(made.trim().starts_with("ami-"), "{made}");
    // A wrong secret, the account's ID without its key, or another's key.
    assert_eq!(
        who(&key, "wrong-secret-wrong-secret-wrong-secret-00"),
        "SignatureDoesNotMatch"
    );
    assert_eq!(
        who(A, "anything"),
        "InvalidClientTokenId",
        "the account ID alone is no key"
    );
    let refused = ok(served
        .python(A, "us-east-1")
        .args(["-c", "import boto3, botocore\ntry:\n    boto3.client('ec2').describe_images(Owners=['self'])\nexcept botocore.exceptions.ClientError as e:\n    print(e.response['Error']['Code'])"])
        .output()
        .unwrap());
    assert_eq!(refused.trim(), "AuthFailure");
    // The image was made as the account, and is in its log.
    assert!(ws
        .events()
        .iter()
        .any(|e| e.action == "RegisterImage" && e.account_id == A && e.outcome == "ok"));
    drop(served);
    // A server on a copy of the store, without the key file, cannot open the
    // sealed secret: even the right key pair is refused there. (On
    // PostgreSQL, the same database is the copy.)
    let copy = Workspace::empty();
    let on_postgres = ws.store().to_string_lossy().starts_with("postgres");
    let stolen = match on_postgres {
        true => Served::start(ws.store()),
        false => {
            std::fs::copy(ws.store(), copy.store()).unwrap();
            Served::start(copy.store())
        }
    };
    let out = stolen
        .python_as(&key, &secret, "us-east-1")
        .args(["-c", WHO])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "AuthFailure");
}

/// Instances and the image life cycle through boto3, with its waiters.
const INSTANCES: &str = r#"
import json, boto3, botocore
ec2 = boto3.client("ec2")
out = {}
base = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": ["al2023-ami-*-x86_64"]}])["Images"][0]["ImageId"]
i = ec2.run_instances(ImageId=base, InstanceType="t3.micro", MinCount=1, MaxCount=1, UserData="echo hi",
    TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}])["Instances"][0]
iid = i["InstanceId"]
out["launched"] = {k: i[k] for k in ["ImageId", "InstanceType", "State"]}
out["zone"] = i["Placement"]["AvailabilityZone"]
ec2.get_waiter("instance_running").wait(InstanceIds=[iid])
out["stopped"] = ec2.stop_instances(InstanceIds=[iid])["StoppingInstances"][0]["CurrentState"]["Name"]
ec2.get_waiter("instance_stopped").wait(InstanceIds=[iid])
out["started"] = ec2.start_instances(InstanceIds=[iid])["StartingInstances"][0]["CurrentState"]["Name"]
ec2.create_tags(Resources=[iid], Tags=[{"Key": "Stage", "Value": "prod"}])
out["tags"] = sorted(t["Key"] for t in ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]["Tags"])
out["terminated"] = ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"][0]["CurrentState"]["Name"]
ec2.get_waiter("instance_terminated").wait(InstanceIds=[iid])
out["still_described"] = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]["State"]["Name"]
g = ec2.register_image(Name="retired-web")["ImageId"]
out["protection"] = ec2.enable_image_deregistration_protection(ImageId=g, WithCooldown=True)["Return"]
try:
    ec2.deregister_image(ImageId=g)
    out["protected"] = "deregistered"
except botocore.exceptions.ClientError as e:
    out["protected"] = e.response["Error"]["Code"]
ec2.enable_image_deprecation(ImageId=g, DeprecateAt="2026-01-01T00:00:00Z")
out["deprecation"] = ec2.describe_images(ImageIds=[g])["Images"][0]["DeprecationTime"]
ec2.disable_image(ImageId=g)
out["disabled"] = ec2.describe_images(ImageIds=[g], IncludeDisabled=True)["Images"][0]["State"]
try:
    ec2.run_instances(ImageId=base, InstanceType="t3.micro", MinCount=1, MaxCount=1, KeyName="my-key")
except botocore.exceptions.ClientError as e:
    out["key_name"] = e.response["Error"]["Code"]
print(json.dumps(out))
"#;

#[test]
fn instances_run_stop_start_and_terminate_and_images_retire_through_boto3() {
    let (ws, out) = boto3_on_new_store("eu-west-1", INSTANCES);
    assert_eq!(out["launched"]["InstanceType"], "t3.micro");
    assert_eq!(out["launched"]["State"]["Name"], "running");
    assert_eq!(out["zone"], "eu-west-1a");
    assert_eq!(
        (&out["stopped"], &out["started"], &out["terminated"]),
        (
            &serde_json::json!("stopped"),
            &serde_json::json!("running"),
            &serde_json::json!("terminated")
        )
    );
    assert_eq!(out["tags"], serde_json::json!(["Name", "Stage"]));
    assert_eq!(out["still_described"], "terminated");
    assert_eq!(out["protection"], "enabled-with-cooldown");
    assert_eq!(out["protected"], "OperationNotPermitted");
    assert_eq!(out["deprecation"], "2026-01-01T00:00:00.000Z");
    assert_eq!(out["disabled"], "disabled");
    assert_eq!(out["key_name"], "InvalidParameter");
    // The provider's and amisim's view of the same instance.
    let listed = ws.amisim(&["instances", "list"]);
    assert!(
        listed.contains("terminated") && listed.contains("t3.micro"),
        "{listed}"
    );
}

#[test]
fn on_sigterm_a_request_in_flight_is_answered_before_the_server_exits() {
    let ws = Workspace::empty();
    let mut served = Served::start(ws.store());
    let body = "Action=RegisterImage&Version=2016-11-15&Name=in-flight";
    let auth = served.signed_lines(A, "ec2");
    let address = served.url.trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&address).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(
        format!(
            "POST / HTTP/1.1\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .unwrap();
    s.write_all(&body.as_bytes()[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let status = std::process::Command::new("kill")
        .args(["-TERM", &served.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(300));
    s.write_all(&body.as_bytes()[10..]).unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(served.wait().success());
    assert!(ws.amisim(&["images", "list"]).contains("in-flight"));
}

#[test]
fn it_serves_loopback_by_default_and_warns_when_told_to_listen_wider() {
    let ws = Workspace::empty();
    let mut command = std::process::Command::new(amisim_acceptance_tests::amisim_binary());
    command
        .arg("--store")
        .arg(ws.store())
        .args(["serve", "--listen", "0.0.0.0:0"]);
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
    let first = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        first.starts_with("amisim serve at http://0.0.0.0:"),
        "{first}"
    );
    assert!(
        second.contains("reachable from other machines") && second.contains("plain HTTP"),
        "{second}"
    );
    let help = ws.amisim(&["serve", "--help"]);
    assert!(help.contains("[default: 127.0.0.1:4566]"), "{help}");
}

/// What a page of another site can make a browser send reaches nothing: a
/// URL with a credential and no signature (an `<img>`), a request a browser
/// marks as sent for another site (a form), a request naming another host
/// (DNS rebinding), and an expired presigned URL. A fresh presigned URL and
/// AWS's own clients are answered.
#[test]
fn no_page_of_another_site_acts_through_the_api() {
    let ws = Workspace::empty();
    let served = Served::start(ws.store());
    let c = "333333333333";
    let image = ok(served.boto3(
        c,
        "us-east-1",
        "import boto3; print(boto3.client('ec2').register_image(Name='target')['ImageId'])",
    ))
    .trim()
    .to_string();
    let address = served.url.trim_start_matches("http://").to_string();
    let port = address.rsplit(':').next().unwrap().to_string();
    let scope = format!("{c}%2F20261206%2Fus-east-1%2Fec2%2Faws4_request");
    let refused = |request: String| {
        let answer = raw(&served.url, request.as_bytes());
        let status = answer
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_string();
        let code = answer
            .split("<Code>")
            .nth(1)
            .and_then(|rest| rest.split("</Code>").next())
            .unwrap_or_default()
            .to_string();
        (status, code)
    };
    let deregister = format!("Action=DeregisterImage&ImageId={image}");
    let share =
        format!("Action=ModifyImageAttribute&ImageId={image}&LaunchPermission.Add.1.Group=all");
    let form = |headers: &str, body: &str| {
        format!(
            "POST / HTTP/1.1\r\n{headers}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let signed = served.signed_lines(c, "ec2");
    let cases = [
        (
            "an <img> of another site",
            format!("GET /?{deregister}&X-Amz-Credential={scope} HTTP/1.1\r\nHost: {address}\r\nSec-Fetch-Site: cross-site\r\nConnection: close\r\n\r\n"),
            ("403", "AccessDenied"),
        ),
        (
            "an <img> from a browser that does not say where it comes from",
            format!("GET /?{deregister}&X-Amz-Credential={scope} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"),
            ("401", "MissingAuthenticationToken"),
        ),
        (
            "a credential and no signature",
            form(&format!("Host: {address}\r\nAuthorization: AWS4-HMAC-SHA256 Credential={}\r\n", scope.replace("%2F", "/")), &deregister),
            ("401", "MissingAuthenticationToken"),
        ),
        (
            "a form of another site",
            form(&format!("{signed}Origin: http://pages.example\r\n"), &share),
            ("403", "AccessDenied"),
        ),
        (
            "a form of a sibling site",
            form(&format!("{signed}Sec-Fetch-Site: same-site\r\n"), &share),
            ("403", "AccessDenied"),
        ),
        (
            "a page whose name was rebound to 127.0.0.1",
            form(&signed.replace(&format!("Host: {address}"), &format!("Host: pages.example:{port}")), &share),
            ("421", "MisdirectedRequest"),
        ),
    ];
    for (what, request, expected) in cases {
        let (status, code) = refused(request);
        assert_eq!((status.as_str(), code.as_str()), expected, "{what}");
    }
    // The same form from the server's own origin, as a client sends it, is answered.
    let (status, _) = refused(form(
        &format!("{signed}Origin: {}\r\n", served.url),
        "Action=DescribeImages&Owner.1=self",
    ));
    assert_eq!(status, "200");
    let script = format!(
        r#"
import boto3, json, time, urllib.request, urllib.error
ec2 = boto3.client("ec2")
def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return [r.status, r.read().decode()]
    except urllib.error.HTTPError as e:
        return [e.code, e.read().decode()]
image = ec2.describe_images(ImageIds=["{image}"])["Images"][0]
shared = ec2.describe_image_attribute(ImageId="{image}", Attribute="launchPermission")["LaunchPermissions"]
fresh = get(ec2.generate_presigned_url("describe_images", Params={{"ImageIds": ["{image}"]}}, ExpiresIn=60))
short = ec2.generate_presigned_url("describe_images", Params={{"ImageIds": ["{image}"]}}, ExpiresIn=1)
time.sleep(2.5)
expired = get(short)
print(json.dumps({{"state": image["State"], "shared": shared,
    "fresh": [fresh[0], "{image}" in fresh[1]], "expired": [expired[0], "RequestExpired" in expired[1]]}}))
"#
    );
    let seen: serde_json::Value =
        serde_json::from_str(&ok(served.boto3(c, "us-east-1", &script))).unwrap();
    assert_eq!(
        seen,
        serde_json::json!({"state": "available", "shared": [], "fresh": [200, true], "expired": [403, true]})
    );
}

/// The server's resident memory, in MiB.
fn rss_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the server runs");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS");
    kib / 1024
}

/// Bursts of clients that send most of a 1 MiB body and stall are each
/// refused (408) at the stall limit, and the server's memory is back to its
/// level after each burst; one client cannot hold more than its share of
/// connections, and is served again once it closes some.
#[test]
fn bursts_of_stalled_bodies_and_connections_leave_the_server_as_it_was() {
    let ws = Workspace::empty();
    let served = Served::start(ws.store());
    let who = "import boto3; print(boto3.client('sts').get_caller_identity()['Account'])";
    assert_eq!(ok(served.boto3(A, "us-east-1", who)).trim(), A);
    let address = served.url.trim_start_matches("http://").to_string();
    let before = rss_mib(served.pid());
    for burst in 0..2 {
        let auth = served.signed_lines(A, "ec2");
        let chunk = vec![b'a'; 1 << 20];
        let stalled: Vec<std::net::TcpStream> = (0..100)
            .map(|_| {
                let mut s = std::net::TcpStream::connect(&address).unwrap();
                s.write_all(
                    format!(
                        "POST / HTTP/1.1\r\n{auth}Content-Length: {}\r\n\r\nAction=DescribeImages&Name=",
                        (1 << 20) + 100
                    )
                    .as_bytes(),
                )
                .unwrap();
                s.write_all(&chunk[..(1 << 20) - 100]).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
                s
            })
            .collect();
        std::thread::sleep(Duration::from_secs(2));
        let during = rss_mib(served.pid());
        assert!(
            during > before + 50,
            "burst {burst}: the bodies were held ({before} MiB before, {during} MiB during)"
        );
        for mut s in stalled {
            let mut answer = String::new();
            let _ = s.read_to_string(&mut answer);
            assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        }
        std::thread::sleep(Duration::from_secs(1));
        let after = rss_mib(served.pid());
        eprintln!("burst {burst}: {before} MiB before, {during} MiB during, {after} MiB after");
        assert!(
            after < before + 20,
            "burst {burst}: {before} MiB before, {during} MiB during, {after} MiB after"
        );
    }
    // One client's connections beyond its share are answered 503 and closed.
    let held: Vec<std::net::TcpStream> = (0..amisim_server::http::CLIENT_CONNECTIONS)
        .map(|_| std::net::TcpStream::connect(&address).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let mut extra = std::net::TcpStream::connect(&address).unwrap();
    extra
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = String::new();
    let _ = extra.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("Too many open connections"), "{answer}");
    drop(held);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(ok(served.boto3(A, "us-east-1", who)).trim(), A);
}

#[test]
fn every_ami_action_of_botocores_model_is_answered_or_refused_by_name() {
    // The AMI actions are those botocore's EC2 model names with `Image`,
    // FPGA images and Windows fast launch included, and the two about an
    // image that do not say so.
    let out = ok(std::process::Command::new("python3")
        .env("PYTHONPATH", amisim_acceptance_tests::serve::aws_tools())
        .args([
            "-c",
            "import botocore.session\nm = botocore.session.get_session().get_service_model('ec2')\nprint('\\n'.join(n for n in m.operation_names if 'Image' in n or n in ('EnableFastLaunch', 'DisableFastLaunch')))",
        ])
        .output()
        .unwrap());
    let botocore: Vec<&str> = out.lines().collect();
    assert!(botocore.len() >= 50, "{botocore:?}");
    let ec2 = amisim_server::SERVICES
        .iter()
        .find(|s| s.name == "EC2")
        .expect("EC2");
    let rows = (ec2.rows)();
    let missing: Vec<&&str> = botocore
        .iter()
        .filter(|name| !rows.iter().any(|r| r.name == **name))
        .collect();
    assert!(
        missing.is_empty(),
        "AMI actions of botocore's model that amisim serve neither answers nor refuses by name: {missing:?}"
    );
    // Every action answered or refused is one botocore's model has.
    for row in &rows {
        assert!(
            !row.name.contains("Image") || botocore.contains(&row.name),
            "{} is not an action of botocore's EC2 model",
            row.name
        );
    }
}

/// The AMI actions AWS added most recently, through boto3 as the User
/// Guide's examples call them.
const NEWEST_AMI_ACTIONS: &str = r#"
import json, boto3, botocore
a = boto3.client("ec2")
b = boto3.client("ec2", aws_access_key_id="222222222222", aws_secret_access_key="any")
def code(f):
    try:
        f()
        return "ok"
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
out = {}
image = a.register_image(Name="shared-web",
    BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}])["ImageId"]
a.modify_image_attribute(ImageId=image, LaunchPermission={"Add": [{"UserId": "222222222222"}, {"UserId": "333333333333"}]})
out["b_sees"] = [i["ImageId"] for i in b.describe_images(ExecutableUsers=["self"])["Images"]] == [image]
out["cancel_dry_run"] = code(lambda: b.cancel_image_launch_permission(ImageId=image, DryRun=True))
out["cancelled"] = b.cancel_image_launch_permission(ImageId=image)["Return"]
out["b_sees_after"] = b.describe_images(ExecutableUsers=["self"])["Images"]
out["left"] = a.describe_image_attribute(ImageId=image, Attribute="launchPermission")["LaunchPermissions"]
out["cancel_again"] = code(lambda: b.cancel_image_launch_permission(ImageId=image))
out["cancel_own"] = code(lambda: a.cancel_image_launch_permission(ImageId=image))
a.disable_image_block_public_access()
a.modify_image_attribute(ImageId=image, LaunchPermission={"Add": [{"Group": "all"}]})
out["cancel_public"] = code(lambda: b.cancel_image_launch_permission(ImageId=image))
# Ancestry: a copy of a copy of Amazon Linux, traced back to its root.
base = a.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": ["al2023-ami-2023*-x86_64"]}])["Images"][0]["ImageId"]
first = a.copy_image(SourceImageId=base, SourceRegion="us-east-1", Name="golden-1")["ImageId"]
west = boto3.client("ec2", region_name="us-west-2")
second = west.copy_image(SourceImageId=first, SourceRegion="us-east-1", Name="golden-2")["ImageId"]
chain = west.get_image_ancestry(ImageId=second)["ImageAncestryEntries"]
out["ancestry"] = [[e["ImageId"] == i, e.get("SourceImageId") == s, e.get("SourceImageRegion"), e.get("ImageOwnerAlias"), "CreationDate" in e]
    for e, i, s in zip(chain, [second, first, base], [first, base, None])]
out["ancestry_elsewhere"] = code(lambda: a.get_image_ancestry(ImageId=second))
# What an instance was launched from, after its image was deregistered.
instance = a.run_instances(ImageId=first, InstanceType="t3.micro", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
a.deregister_image(ImageId=first)
meta = a.describe_instance_image_metadata(InstanceIds=[instance])["InstanceImageMetadata"][0]
image_meta = meta["ImageMetadata"]
out["launched_from"] = [meta["InstanceId"] == instance, meta["AvailabilityZone"], meta["ZoneId"], meta["State"]["Name"],
    image_meta["ImageId"] == first, image_meta["Name"], image_meta["State"], image_meta["OwnerId"], image_meta["IsPublic"], image_meta["ImageAllowed"]]
out["filtered"] = len(a.describe_instance_image_metadata(Filters=[{"Name": "image-allowed", "Values": ["false"]}])["InstanceImageMetadata"])
out["not_yours"] = code(lambda: b.describe_instance_image_metadata(InstanceIds=[instance]))
# The instance types an image runs on.
out["specified"] = west.replace_image_instance_type_specification(ImageId=second,
    InstanceTypeSpecification={"SupportedInstanceTypes": ["t3.*"], "UnsupportedInstanceTypes": ["t3.nano"]})["ReturnValue"]
out["specification"] = west.describe_images(ImageIds=[second])["Images"][0]["InstanceTypeSpecification"]
out["wrong_type"] = code(lambda: west.run_instances(ImageId=second, InstanceType="m5.large", MinCount=1, MaxCount=1))
out["bad_entry"] = code(lambda: west.replace_image_instance_type_specification(ImageId=second,
    InstanceTypeSpecification={"SupportedInstanceTypes": ["t3.**"]}))
west.replace_image_instance_type_specification(ImageId=second)
out["unspecified"] = "InstanceTypeSpecification" in west.describe_images(ImageIds=[second])["Images"][0]
# Watermarks travel to copies; a public image takes none.
out["watermark"] = west.attach_image_watermark(ImageId=second, WatermarkName="approved")["WatermarkKey"]
third = a.copy_image(SourceImageId=second, SourceRegion="us-west-2", Name="golden-3")["ImageId"]
marks = a.describe_images(ImageIds=[third])["Images"][0]["ImageWatermarks"]
out["travelled"] = [[m["WatermarkKey"], m["SourceImageId"] == second, m["SourceImageRegion"]] for m in marks]
out["public_mark"] = code(lambda: a.attach_image_watermark(ImageId=image, WatermarkName="approved"))
out["public_marked"] = code(lambda: a.modify_image_attribute(ImageId=third, LaunchPermission={"Add": [{"Group": "all"}]}))
out["detached"] = west.detach_image_watermark(ImageId=second, WatermarkKey="111111111111:approved")["Return"]
out["still_on_copy"] = len(a.describe_images(ImageIds=[third])["Images"][0]["ImageWatermarks"])
# Allowed AMIs can admit only images that carry an approved watermark.
a.modify_image_attribute(ImageId=third, LaunchPermission={"Add": [{"UserId": "222222222222"}]})
b.replace_image_criteria_in_allowed_images_settings(ImageCriteria=[{"ImageWatermarks": [{"WatermarkKey": "111111111111:appr*", "MaximumDaysSinceWatermarkCreated": 30}]}])
b.enable_allowed_images_settings(AllowedImagesSettingsState="enabled")
out["watermark_criterion"] = b.get_allowed_images_settings()["ImageCriteria"]
out["watermark_allowed"] = [i["ImageId"] == third for i in b.describe_images(ImageIds=[third])["Images"]]
out["unmarked_refused"] = code(lambda: b.run_instances(ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1))
out["bad_filter"] = code(lambda: b.replace_image_criteria_in_allowed_images_settings(ImageCriteria=[{"ImageWatermarks": [{"MaximumDaysSinceWatermarkCreated": -1}]}]))
b.disable_allowed_images_settings()
# Who uses my image: a usage report.
c = boto3.client("ec2", aws_access_key_id="333333333333", aws_secret_access_key="any")
for client in [b, c, c]:
    client.run_instances(ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1)
report = a.create_image_usage_report(ImageId=image, ResourceTypes=[{"ResourceType": "ec2:Instance"}],
    TagSpecifications=[{"ResourceType": "image-usage-report", "Tags": [{"Key": "why", "Value": "before deregistering"}]}])["ReportId"]
described = a.describe_image_usage_reports(ImageIds=[image])["ImageUsageReports"]
out["report"] = [[r["ReportId"] == report, r["State"], r["ResourceTypes"], r["Tags"]] for r in described]
entries = a.describe_image_usage_report_entries(ReportIds=[report])["ImageUsageReportEntries"]
out["entries"] = [[e["AccountId"], e["ResourceType"], e["UsageCount"], e["ImageId"] == image] for e in entries]
out["report_not_owner"] = code(lambda: b.create_image_usage_report(ImageId=image, ResourceTypes=[{"ResourceType": "ec2:Instance"}]))
out["report_deleted"] = a.delete_image_usage_report(ReportId=report)["Return"]
out["report_gone"] = code(lambda: a.describe_image_usage_reports(ReportIds=[report]))
# Where an AMI's files live: stored in a bucket, and restored as a new image.
key = a.create_store_image_task(ImageId=third, Bucket="golden-archive", S3ObjectTags=[{"Key": "keep", "Value": "1y"}])["ObjectKey"]
out["object_key"] = key == third + ".bin"
tasks = a.describe_store_image_tasks(Filters=[{"Name": "bucket", "Values": ["golden-archive"]}])["StoreImageTaskResults"]
out["tasks"] = [[t["AmiId"] == third, t["S3objectKey"] == key, t["StoreTaskState"], t["ProgressPercentage"]] for t in tasks]
restored = a.create_restore_image_task(Bucket="golden-archive", ObjectKey=key, Name="golden-restored")["ImageId"]
r = a.describe_images(ImageIds=[restored])["Images"][0]
out["restored"] = [restored != third, r["Name"], r["State"], r["SourceImageId"] == third, r["OwnerId"]]
out["store_twice"] = code(lambda: a.create_store_image_task(ImageId=third, Bucket="golden-archive"))
out["no_such_object"] = code(lambda: a.create_restore_image_task(Bucket="golden-archive", ObjectKey="ami-0123456789abcdef0.bin", Name="nothing"))
out["not_their_bucket"] = code(lambda: b.create_restore_image_task(Bucket="golden-archive", ObjectKey=key, Name="stolen"))
print(json.dumps(out))
"#;

#[test]
fn the_newest_ami_actions_answer_through_boto3() {
    let (ws, out) = boto3_on_new_store("us-east-1", NEWEST_AMI_ACTIONS);
    assert_eq!(
        out,
        serde_json::json!({
            "b_sees": true,
            "cancel_dry_run": "DryRunOperation",
            "cancelled": true,
            "b_sees_after": [],
            "left": [{"UserId": "333333333333"}],
            "cancel_again": "InvalidAMIID.NotFound",
            "cancel_own": "InvalidParameter",
            "cancel_public": "InvalidPermission.NotFound",
            "ancestry": [
                [true, true, "us-east-1", null, true],
                [true, true, "us-east-1", null, true],
                [true, true, null, "amazon", true],
            ],
            "ancestry_elsewhere": "InvalidAMIID.NotFound",
            "launched_from": [true, "us-east-1a", "use1-az1", "running", true, "golden-1", "deregistered", "111111111111", false, true],
            "filtered": 0,
            "not_yours": "InvalidInstanceID.NotFound",
            "specified": true,
            "specification": {
                "SupportedInstanceTypes": [{"InstanceType": "t3.*"}],
                "UnsupportedInstanceTypes": [{"InstanceType": "t3.nano"}],
            },
            "wrong_type": "InvalidParameterCombination",
            "bad_entry": "InvalidParameterValue",
            "unspecified": false,
            "watermark": "111111111111:approved",
            "travelled": [["111111111111:approved", true, "us-west-2"]],
            "public_mark": "InvalidParameter",
            "public_marked": "InvalidParameter",
            "detached": true,
            "still_on_copy": 1,
            "watermark_criterion": [{"ImageWatermarks": [{"WatermarkKey": "111111111111:appr*", "MaximumDaysSinceWatermarkCreated": 30}]}],
            "watermark_allowed": [true],
            "unmarked_refused": "InvalidAMIID.NotAllowed",
            "bad_filter": "InvalidParameterValue",
            "report": [[true, "available", [{"ResourceType": "ec2:Instance"}], [{"Key": "why", "Value": "before deregistering"}]]],
            "entries": [["222222222222", "ec2:Instance", 1, true], ["333333333333", "ec2:Instance", 2, true]],
            "report_not_owner": "AuthFailure",
            "report_deleted": true,
            "report_gone": "InvalidImageUsageReportId.NotFound",
            "object_key": true,
            "tasks": [[true, true, "Completed", 100]],
            "restored": [true, "golden-restored", "available", true, "111111111111"],
            "store_twice": "InvalidParameter",
            "no_such_object": "InvalidParameterValue",
            "not_their_bucket": "AccessDenied",
        })
    );
    assert!(ws
        .events()
        .iter()
        .any(|e| e.action == "CancelImageLaunchPermission"
            && e.account_id == B
            && e.outcome == "ok"));
}

#[test]
fn the_fidelity_details_aws_clients_check_answer_as_aws_does() {
    let (_ws, out) = boto3_on_new_store(
        "us-east-1",
        r#"
import json, boto3, botocore
ec2 = boto3.client("ec2")
def code(f):
    try:
        f()
        return ["ok", ""]
    except botocore.exceptions.ClientError as e:
        return [e.response["Error"]["Code"], e.response["Error"]["Message"]]
image = ec2.register_image(Name="fidelity", RootDeviceName="/dev/xvda",
    BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}])["ImageId"]
a, b = "ami-0000000000000000a", "ami-0000000000000000b"
out = {
    "two missing": code(lambda: ec2.describe_images(ImageIds=[a, b, a])),
    "one missing": code(lambda: ec2.describe_images(ImageIds=[image, a])),
    "malformed describe": code(lambda: ec2.describe_images(ImageIds=["ami-xyz"])),
    "malformed deregister": code(lambda: ec2.deregister_image(ImageId="ami-xyz")),
    "malformed attribute": code(lambda: ec2.describe_image_attribute(ImageId="ami-xyz", Attribute="description")),
    "malformed copy": code(lambda: ec2.copy_image(SourceImageId="ami-12", SourceRegion="us-east-1", Name="copy")),
    "malformed launch": code(lambda: ec2.run_instances(ImageId="ami-zz", MinCount=1, MaxCount=1)),
    "unknown deregister": code(lambda: ec2.deregister_image(ImageId=a)),
    "block devices": code(lambda: ec2.describe_image_attribute(ImageId=image, Attribute="blockDeviceMapping")),
    "mapping by describe": len(ec2.describe_images(ImageIds=[image])["Images"][0]["BlockDeviceMappings"]),
}
ec2.deregister_image(ImageId=image)
out["deregistered twice"] = code(lambda: ec2.deregister_image(ImageId=image))
print(json.dumps(out))
"#,
    );
    let code = |what: &str| out[what][0].as_str().unwrap_or_default().to_string();
    let message = |what: &str| out[what][1].as_str().unwrap_or_default().to_string();
    assert_eq!(code("two missing"), "InvalidAMIID.NotFound");
    assert_eq!(
        message("two missing"),
        "The image ids '[ami-0000000000000000a, ami-0000000000000000b]' do not exist"
    );
    assert_eq!(code("one missing"), "InvalidAMIID.NotFound");
    assert!(message("one missing").contains("'[ami-0000000000000000a]'"));
    for what in [
        "malformed describe",
        "malformed deregister",
        "malformed attribute",
        "malformed copy",
        "malformed launch",
    ] {
        assert_eq!(code(what), "InvalidAMIID.Malformed", "{what}: {out}");
    }
    assert_eq!(code("unknown deregister"), "InvalidAMIID.NotFound");
    assert_eq!(code("deregistered twice"), "InvalidAMIID.Unavailable");
    assert_eq!(code("block devices"), "AuthFailure");
    assert_eq!(out["mapping by describe"], 1);
}
