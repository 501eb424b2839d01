//! The server answering requests directly (no HTTP): AWS's Query protocol as
//! botocore sends it, answers and errors in AWS's shapes, determinism.

mod common;

use amisim_server::{Request, Server};

/// A request signed (as far as the server reads it) by `account` for `service` in `region`.
fn request(account: &str, region: &str, service: &str, body: &str) -> Request {
    Request {
        method: "POST".into(),
        path: "/".into(),
        query: String::new(),
        headers: common::signed_headers(account, &format!("{region}/{service}")),
        body: body.as_bytes().to_vec(),
    }
}

fn server() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("cloud.db");
    let server = Server::open(store.to_str().unwrap()).unwrap();
    (dir, server)
}

/// The status and body of an EC2 request by account A in us-east-1.
fn ec2(server: &Server, body: &str) -> (u16, String) {
    let a = server.answer(&request("111111111111", "us-east-1", "ec2", body));
    (a.status, String::from_utf8(a.body).unwrap())
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let start = text.find(open).map(|i| i + open.len()).unwrap_or(0);
    let end = text[start..].find(close).map_or(text.len(), |i| start + i);
    &text[start..end]
}

#[test]
fn images_are_registered_described_shared_copied_and_deregistered() {
    let (_dir, s) = server();
    let (status, body) = ec2(
        &s,
        "Action=RegisterImage&Version=2016-11-15&Name=golden-web&Description=a%20%3Cb%3E&TagSpecification.1.ResourceType=image&TagSpecification.1.Tag.1.Key=Role&TagSpecification.1.Tag.1.Value=golden",
    );
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(
            "<RegisterImageResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>"
        ),
        "{body}"
    );
    let id = between(&body, "<imageId>", "</imageId>").to_string();
    let (status, body) = ec2(&s, &format!("Action=DescribeImages&ImageId.1={id}"));
    assert_eq!(status, 200, "{body}");
    for element in [
        "<imageState>available</imageState>",
        "<imageOwnerId>111111111111</imageOwnerId>",
        "<isPublic>false</isPublic>",
        "<description>a &lt;b&gt;</description>",
        "<tagSet><item><key>Role</key><value>golden</value></item></tagSet>",
        "<rootDeviceName>/dev/xvda</rootDeviceName>",
        "<blockDeviceMapping><item><deviceName>/dev/xvda</deviceName><ebs><snapshotId>snap-",
        "<deregistrationProtection>disabled</deregistrationProtection>",
    ] {
        assert!(body.contains(element), "{element} in {body}");
    }
    // Shared with B, who sees it (and copies it to its own region) but cannot share it on.
    let (status, body) = ec2(
        &s,
        &format!(
            "Action=ModifyImageAttribute&ImageId={id}&LaunchPermission.Add.1.UserId=222222222222"
        ),
    );
    assert_eq!(status, 200, "{body}");
    let (_, body) = ec2(
        &s,
        &format!("Action=DescribeImageAttribute&ImageId={id}&Attribute=launchPermission"),
    );
    assert!(
        body.contains(
            "<launchPermission><item><userId>222222222222</userId></item></launchPermission>"
        ),
        "{body}"
    );
    let b = s.answer(&request(
        "222222222222",
        "us-east-1",
        "ec2",
        &format!("Action=ModifyImageAttribute&ImageId={id}&LaunchPermission.Add.1.Group=all"),
    ));
    assert_eq!(b.status, 401);
    assert!(String::from_utf8(b.body)
        .unwrap()
        .contains("<Code>AuthFailure</Code>"));
    // Public sharing is blocked in a new account until the account unblocks it.
    let (status, body) = ec2(
        &s,
        &format!("Action=ModifyImageAttribute&ImageId={id}&LaunchPermission.Add.1.Group=all"),
    );
    assert_eq!(status, 400);
    assert!(
        body.contains("<Code>OperationNotPermitted</Code>"),
        "{body}"
    );
    let (_, body) = ec2(&s, "Action=GetImageBlockPublicAccessState");
    assert!(
        body.contains(
            "<imageBlockPublicAccessState>block-new-sharing</imageBlockPublicAccessState>"
        ),
        "{body}"
    );
    let (_, body) = ec2(&s, "Action=DisableImageBlockPublicAccess");
    assert!(
        body.contains("<imageBlockPublicAccessState>unblocked</imageBlockPublicAccessState>"),
        "{body}"
    );
    // Public makes isPublic true; adding what exists again changes nothing, as in AWS.
    for _ in 0..2 {
        let (status, body) = ec2(&s, &format!("Action=ModifyImageAttribute&ImageId={id}&Attribute=launchPermission&OperationType=add&UserGroup.1=all"));
        assert_eq!(status, 200, "{body}");
    }
    assert!(ec2(&s, &format!("Action=DescribeImages&ImageId.1={id}"))
        .1
        .contains("<isPublic>true</isPublic>"));
    let west = s.answer(&request("111111111111", "us-west-2", "ec2", &format!("Action=CopyImage&SourceImageId={id}&SourceRegion=us-east-1&Name=golden-web-dr&ClientToken=abc")));
    let copy = String::from_utf8(west.body).unwrap();
    assert_eq!(west.status, 200, "{copy}");
    let (status, body) = ec2(&s, &format!("Action=DeregisterImage&ImageId={id}"));
    assert_eq!(
        (status, body.contains("<return>true</return>")),
        (200, true),
        "{body}"
    );
    let (status, body) = ec2(&s, &format!("Action=DeregisterImage&ImageId={id}"));
    assert_eq!(status, 400, "{body}");
}

#[test]
fn errors_are_in_aws_shape_with_the_codes_amisim_uses_everywhere() {
    let (_dir, s) = server();
    let (status, body) = ec2(&s, "Action=DescribeImages&ImageId.1=ami-0123456789abcdef0");
    assert_eq!(status, 400);
    assert!(body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>InvalidAMIID.NotFound</Code><Message>"), "{body}");
    assert!(body.contains("</Errors><RequestID>"), "{body}");
    assert!(ec2(&s, "Action=DescribeImages&ImageId.1=nope")
        .1
        .contains("InvalidAMIID.Malformed"));
    let (status, body) = ec2(&s, "Action=RegisterImage&Name=bad%3Cname%3E");
    assert_eq!(status, 400);
    assert!(
        body.contains("<Code>InvalidAMIName.Malformed</Code>"),
        "{body}"
    );
    // A parameter amisim does not model is refused naming it, never dropped.
    let (status, body) = ec2(&s, "Action=RegisterImage&Name=web&KernelId=aki-12345678");
    assert_eq!(status, 400);
    assert!(
        body.contains("<Code>InvalidParameter</Code>") && body.contains("KernelId"),
        "{body}"
    );
    // An action outside the list, a missing parameter, a malformed list.
    assert!(ec2(&s, "Action=AttachVolume")
        .1
        .contains("<Code>InvalidAction</Code>"));
    assert!(ec2(&s, "Action=RegisterImage")
        .1
        .contains("<Code>MissingParameter</Code>"));
    assert!(ec2(&s, "Action=DescribeImages&ImageId.0=ami-1")
        .1
        .contains("<Code>InvalidParameterValue</Code>"));
    assert!(ec2(&s, "Action=DescribeImages&MaxResults=2")
        .1
        .contains("between 5 and 1000"));
    assert!(ec2(&s, "Action=DescribeImages&NextToken=forged")
        .1
        .contains("NextToken"));
    // DryRun answers whether the request would have been made, and makes nothing.
    let (status, body) = ec2(&s, "Action=RegisterImage&Name=dry&DryRun=true");
    assert_eq!(status, 412);
    assert!(body.contains("<Code>DryRunOperation</Code>"), "{body}");
    assert!(!ec2(&s, "Action=DescribeImages&Owner.1=self")
        .1
        .contains("<name>dry</name>"));
    // Unsigned, or signed for a service amisim does not serve.
    let unsigned = s.answer(&Request {
        body: b"Action=DescribeImages".to_vec(),
        ..Request::default()
    });
    assert_eq!(unsigned.status, 401);
    assert!(String::from_utf8(unsigned.body)
        .unwrap()
        .contains("MissingAuthenticationToken"));
    let s3 = s.answer(&request("111111111111", "us-east-1", "s3", ""));
    assert_eq!(s3.status, 400);
    // The catalogue's owners are nobody's to act as.
    let amazon = s.answer(&request(
        "137112412989",
        "us-east-1",
        "ec2",
        "Action=RegisterImage&Name=mine",
    ));
    assert_eq!(amazon.status, 401);
}

#[test]
fn pages_of_images_cover_the_listing_once() {
    let (_dir, s) = server();
    let (_, all) = ec2(
        &s,
        "Action=DescribeImages&Owner.1=amazon&Owner.2=099720109477",
    );
    let total = all.matches("<imageId>").count();
    assert!(total > 5);
    let mut seen = 0;
    let mut token = String::new();
    loop {
        let extra = if token.is_empty() {
            String::new()
        } else {
            format!("&NextToken={token}")
        };
        let (status, page) = ec2(
            &s,
            &format!(
                "Action=DescribeImages&Owner.1=amazon&Owner.2=099720109477&MaxResults=5{extra}"
            ),
        );
        assert_eq!(status, 200, "{page}");
        seen += page.matches("<imageId>").count();
        match page.find("<nextToken>") {
            Some(_) => token = between(&page, "<nextToken>", "</nextToken>").to_string(),
            None => break,
        }
    }
    assert_eq!(seen, total);
}

#[test]
fn the_same_requests_to_a_new_server_give_the_same_bytes() {
    let run = || {
        let (_dir, s) = server();
        let mut out = Vec::new();
        for body in [
            "Action=RegisterImage&Name=one",
            "Action=RegisterImage&Name=two&Description=second",
            "Action=DescribeImages&Owner.1=self",
            "Action=RegisterImage&Name=one",
        ] {
            out.push(ec2(&s, body));
        }
        let sts = s.answer(&request(
            "111111111111",
            "us-east-1",
            "sts",
            "Action=GetCallerIdentity&Version=2011-06-15",
        ));
        out.push((sts.status, String::from_utf8(sts.body).unwrap()));
        out
    };
    let first = run();
    assert_eq!(first, run());
    let identity = &first[4].1;
    assert!(
        identity.contains("<Arn>arn:aws:iam::111111111111:root</Arn>")
            && identity.contains("<Account>111111111111</Account>"),
        "{identity}"
    );
}

#[test]
fn lists_over_1000_items_and_parameters_given_twice_are_refused() {
    let (_dir, s) = server();
    let many: String = (1..=1001)
        .map(|n| format!("&ImageId.{n}=ami-0123456789abcdef0"))
        .collect();
    let (status, body) = ec2(&s, &format!("Action=DescribeImages{many}"));
    assert_eq!(status, 400);
    assert!(body.contains("at most 1000"), "{body}");
    let (status, body) = ec2(&s, "Action=DescribeImages&Owner.1=self&Owner.1=amazon");
    assert_eq!(status, 400);
    assert!(body.contains("given twice"), "{body}");
    // GET with the parameters in the query string works as POST does.
    let mut get = request("111111111111", "us-east-1", "ec2", "");
    get.method = "GET".into();
    get.query = "Action=DescribeRegions&RegionName.1=eu-west-1".into();
    let answer = s.answer(&get);
    let body = String::from_utf8(answer.body).unwrap();
    assert_eq!(answer.status, 200, "{body}");
    assert!(
        body.contains("<regionName>eu-west-1</regionName>"),
        "{body}"
    );
    assert_eq!(body.matches("<regionName>").count(), 1);
}

#[test]
fn an_instance_type_is_described_as_exactly_one_item() {
    let (_dir, s) = server();
    let (status, body) = ec2(&s, "Action=DescribeInstanceTypes&InstanceType.1=t3.micro");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.matches("<instanceType>").count(), 1, "{body}");
    assert!(
        body.contains("<defaultVCpus>2</defaultVCpus>") && body.contains("<item>x86_64</item>"),
        "{body}"
    );
    let (status, body) = ec2(&s, "Action=DescribeInstanceTypes&InstanceType.1=z9.huge");
    assert_eq!(status, 400);
    assert!(body.contains("<Code>InvalidInstanceType</Code>"), "{body}");
}

/// Every request is in the event log with the access key it presented, the
/// ones refused before anyone could be named too (no signature, a malformed
/// one, another site's page, an unknown service) and reads such as
/// GetCallerIdentity; each is dated at its own time, in the order answered.
#[test]
fn every_request_is_in_the_log_each_at_its_own_time() {
    let (dir, s) = server();
    let unsigned = Request {
        method: "GET".into(),
        path: "/".into(),
        query: "Action=DeregisterImage&ImageId=ami-1&X-Amz-Credential=333333333333%2F20250101%2Fus-east-1%2Fec2%2Faws4_request".into(),
        ..Request::default()
    };
    let mut malformed = request("444444444444", "us-east-1", "ec2", "Action=DescribeImages");
    for (name, value) in malformed.headers.iter_mut() {
        if name == "authorization" {
            *value = value.replace("SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date");
        }
    }
    let mut cross_site = request("555555555555", "us-east-1", "ec2", "Action=DescribeImages");
    cross_site
        .headers
        .push(("sec-fetch-site".into(), "cross-site".into()));
    let sent = [
        (unsigned, 401),
        (malformed, 400),
        (cross_site, 403),
        (
            request("666666666666", "us-east-1", "s3", "Action=ListBuckets"),
            400,
        ),
        (
            request(
                "777777777777",
                "us-east-1",
                "sts",
                "Action=GetCallerIdentity&Version=2011-06-15",
            ),
            200,
        ),
        (
            request(
                "111111111111",
                "us-east-1",
                "ec2",
                "Action=DescribeImages&Owner.1=self",
            ),
            200,
        ),
    ];
    for (r, status) in &sent {
        let a = s.answer(r);
        assert_eq!(a.status, *status, "{}", String::from_utf8_lossy(&a.body));
    }
    drop(s);
    let events = amisim_simulator::Cloud::open_read_only(&dir.path().join("cloud.db"))
        .unwrap()
        .events(0)
        .unwrap();
    let seen: Vec<(String, String, String, String)> = events
        .iter()
        .map(|e| {
            (
                e.account_id.clone(),
                e.action.clone(),
                e.outcome.clone(),
                e.parameters["access_key_id"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect();
    let row = |account: &str, action: &str, outcome: &str, key: &str| {
        (
            account.to_string(),
            action.to_string(),
            outcome.to_string(),
            key.to_string(),
        )
    };
    assert_eq!(
        seen,
        [
            row(
                "333333333333",
                "DeregisterImage",
                "MissingAuthenticationToken",
                "333333333333"
            ),
            row(
                "444444444444",
                "DescribeImages",
                "IncompleteSignature",
                "444444444444"
            ),
            row(
                "555555555555",
                "DescribeImages",
                "AccessDenied",
                "555555555555"
            ),
            row(
                "666666666666",
                "Authenticate",
                "UnknownService",
                "666666666666"
            ),
            row("777777777777", "GetCallerIdentity", "ok", ""),
            row("111111111111", "DescribeImages", "ok", ""),
        ]
    );
    let times: Vec<&str> = events.iter().map(|e| e.time.as_str()).collect();
    assert!(
        times.windows(2).all(|w| w[0] < w[1]),
        "each request at its own time: {times:?}"
    );
}

/// A KMS request by `account` in us-east-1.
fn kms(server: &Server, account: &str, target: &str, body: &str) -> (u16, String) {
    let mut headers = common::signed_headers(account, "us-east-1/kms");
    headers.push(("x-amz-target".into(), format!("TrentService.{target}")));
    headers.push(("content-type".into(), "application/x-amz-json-1.1".into()));
    let a = server.answer(&Request {
        method: "POST".into(),
        path: "/".into(),
        query: String::new(),
        headers,
        body: body.as_bytes().to_vec(),
    });
    (a.status, String::from_utf8(a.body).unwrap())
}

/// An alias ARN names the alias of the account and region in it: another
/// account's `alias/aws/ebs` is not the caller's own key, and the caller's
/// own alias ARN is.
#[test]
fn describe_key_reads_an_alias_arn_in_the_account_it_names() {
    let (_dir, s) = server();
    let arn = |account: &str| format!("arn:aws:kms:us-east-1:{account}:alias/aws/ebs");
    let (status, body) = kms(
        &s,
        "111111111111",
        "DescribeKey",
        &format!("{{\"KeyId\":\"{}\"}}", arn("111111111111")),
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"AWSAccountId\":\"111111111111\""), "{body}");
    let (status, body) = kms(
        &s,
        "222222222222",
        "DescribeKey",
        &format!("{{\"KeyId\":\"{}\"}}", arn("111111111111")),
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("NotFoundException"), "{body}");
    assert!(
        !body.contains("\"AWSAccountId\":\"222222222222\""),
        "{body}"
    );
}

#[test]
fn no_publisher_of_the_catalogue_can_be_acted_as() {
    let (_dir, s) = server();
    let publishers = amisim_simulator::catalogue::PUBLISHERS;
    assert_eq!(publishers.len(), 7, "docs/aws-api.md names each publisher");
    for publisher in publishers {
        let a = s.answer(&request(
            publisher.account,
            "us-east-1",
            "ec2",
            "Action=DescribeImages&Owner.1=self",
        ));
        let body = String::from_utf8(a.body).unwrap();
        assert_eq!(a.status, 401, "{}: {body}", publisher.account);
        assert!(body.contains("<Code>AuthFailure</Code>"), "{body}");
    }
}

#[test]
fn modify_image_attribute_is_one_change_made_whole_or_not_at_all() {
    let (_dir, s) = server();
    let (_, body) = ec2(&s, "Action=RegisterImage&Name=web");
    let id = between(&body, "<imageId>", "</imageId>").to_string();
    let permissions = |s: &Server| {
        let (_, body) = ec2(
            s,
            &format!("Action=DescribeImageAttribute&ImageId={id}&Attribute=launchPermission"),
        );
        between(&body, "<launchPermission>", "</launchPermission>").to_string()
    };
    // The group is refused (public sharing is blocked in a new account), so
    // the account named before it is not shared with, nor the description set.
    let (status, body) = ec2(
        &s,
        &format!("Action=ModifyImageAttribute&ImageId={id}&LaunchPermission.Add.1.UserId=222222222222&LaunchPermission.Add.2.Group=all&Description.Value=half"),
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("<Code>OperationNotPermitted</Code>"),
        "{body}"
    );
    assert_eq!(permissions(&s), "");
    // Adding a permission twice keeps one, as AWS does.
    for _ in 0..2 {
        let (status, body) = ec2(
            &s,
            &format!("Action=ModifyImageAttribute&ImageId={id}&LaunchPermission.Add.1.UserId=222222222222"),
        );
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(
        permissions(&s),
        "<item><userId>222222222222</userId></item>"
    );
    // An image that does not exist is not found, even for a removal.
    let (status, body) = ec2(
        &s,
        "Action=ModifyImageAttribute&ImageId=ami-0123456789abcdef0&LaunchPermission.Remove.1.UserId=222222222222",
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("<Code>InvalidAMIID.NotFound</Code>"),
        "{body}"
    );
}

/// A request the adapter refuses before it makes any call (a parameter
/// missing or malformed, an action not served) is in the event log with its
/// code, as the account that sent it; a call's own refusal is logged once.
#[test]
fn a_request_refused_for_how_it_was_written_is_logged_with_its_code_once() {
    let (dir, s) = server();
    let refusals = [
        ("Action=RegisterImage&Version=2016-11-15", "RegisterImage"),
        (
            "Action=DescribeImages&Version=2016-11-15&MaxResults=banana",
            "DescribeImages",
        ),
        ("Action=LaunchRockets&Version=2016-11-15", "Authenticate"),
    ];
    let mut codes = Vec::new();
    for (body, _) in refusals {
        let (status, answer) = ec2(&s, body);
        assert_eq!(status, 400, "{answer}");
        codes.push(common::error_code(&answer).expect("an error code"));
    }
    // A refusal of the rules themselves, logged by its call.
    let (status, answer) = ec2(
        &s,
        "Action=CopyImage&Version=2016-11-15&SourceImageId=ami-0123456789abcdef0&SourceRegion=us-east-1&Name=copy",
    );
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("InvalidAMIID.NotFound"), "{answer}");
    drop(s);
    let mut cloud = amisim_simulator::Cloud::open(&dir.path().join("cloud.db")).unwrap();
    let events = cloud.events(0).unwrap();
    let logged: Vec<(String, String, String)> = events
        .iter()
        .map(|e| (e.action.clone(), e.outcome.clone(), e.account_id.clone()))
        .collect();
    let mut expected: Vec<(String, String, String)> = refusals
        .iter()
        .zip(&codes)
        .map(|((_, action), code)| (action.to_string(), code.clone(), "111111111111".into()))
        .collect();
    expected.push((
        "CopyImage".into(),
        "InvalidAMIID.NotFound".into(),
        "111111111111".into(),
    ));
    assert_eq!(logged, expected);
    assert_eq!(codes[0], "MissingParameter");
    assert_eq!(codes[2], "InvalidAction");
}

#[test]
fn a_delete_of_what_is_not_there_is_logged_with_the_code_its_client_got() {
    let (dir, s) = server();
    let (_, body) = ec2(&s, "Action=RegisterImage&Version=2016-11-15&Name=web");
    let image = between(&body, "<imageId>", "</imageId>").to_string();
    let (_, body) = ec2(
        &s,
        &format!("Action=DescribeImages&Version=2016-11-15&ImageId.1={image}"),
    );
    let snapshot = between(&body, "<snapshotId>", "</snapshotId>").to_string();
    let (status, body) = ec2(
        &s,
        &format!("Action=RunInstances&Version=2016-11-15&ImageId={image}&InstanceType=t3.micro&MinCount=1&MaxCount=1"),
    );
    assert_eq!(status, 200, "{body}");
    let instance = between(&body, "<instanceId>", "</instanceId>").to_string();
    let (_, body) = ec2(
        &s,
        &format!("Action=DescribeVolumes&Version=2016-11-15&Filter.1.Name=attachment.instance-id&Filter.1.Value.1={instance}"),
    );
    let volume = between(&body, "<volumeId>", "</volumeId>").to_string();
    assert!(volume.starts_with("vol-"), "{body}");
    let deletes = [
        format!("Action=DeregisterImage&Version=2016-11-15&ImageId={image}"),
        format!("Action=DeregisterImage&Version=2016-11-15&ImageId={image}"),
        "Action=DeregisterImage&Version=2016-11-15&ImageId=ami-0123456789abcdef0".to_string(),
        "Action=DeleteSnapshot&Version=2016-11-15&SnapshotId=snap-0123456789abcdef0".to_string(),
        format!("Action=DeleteVolume&Version=2016-11-15&VolumeId={volume}"),
        "Action=DeleteVolume&Version=2016-11-15&VolumeId=vol-0123456789abcdef0".to_string(),
    ];
    let mut answered = Vec::new();
    for body in &deletes {
        let (status, answer) = ec2(&s, body);
        answered.push(match status {
            200 => "ok".to_string(),
            _ => common::error_code(&answer).expect("an error code"),
        });
    }
    assert_eq!(
        answered,
        [
            "ok",
            "InvalidAMIID.Unavailable",
            "InvalidAMIID.NotFound",
            "InvalidSnapshot.NotFound",
            "VolumeInUse",
            "InvalidVolume.NotFound"
        ]
    );
    // The snapshot of a deregistered image is still there (its image was
    // deregistered without DeleteAssociatedSnapshots): deleting it is no refusal.
    let (status, answer) = ec2(
        &s,
        &format!("Action=DeleteSnapshot&Version=2016-11-15&SnapshotId={snapshot}"),
    );
    assert_eq!(status, 200, "{answer}");
    answered.push("ok".into());
    drop(s);
    let mut cloud = amisim_simulator::Cloud::open(&dir.path().join("cloud.db")).unwrap();
    let events = cloud.events(0).unwrap();
    let deleting = ["DeregisterImage", "DeleteSnapshot", "DeleteVolume"];
    let logged: Vec<String> = events
        .iter()
        .filter(|e| deleting.contains(&e.action.as_str()))
        .map(|e| e.outcome.clone())
        .collect();
    // One event for each request, with the code its client was answered;
    // nothing else was logged after the volume was described.
    assert_eq!(logged, answered);
    assert!(
        events.last().is_some_and(|e| e.action == "DeleteSnapshot"),
        "{events:?}"
    );
    assert_eq!(events.len(), 4 + answered.len());
}
