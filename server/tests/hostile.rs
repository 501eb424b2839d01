//! Hostile input to every protocol the server speaks: arbitrary bodies,
//! forms, JSON, paths and headers get an answer with a 4xx (or a 200 for a
//! request that happens to be valid), never a panic or a 5xx, and the store
//! stays readable.

mod common;

use amisim_server::{Request, Server};
use proptest::prelude::*;

/// One server for every case, so that each case also meets what the cases
/// before it stored.
fn server() -> &'static Server {
    static SERVER: std::sync::OnceLock<(tempfile::TempDir, Server)> = std::sync::OnceLock::new();
    &SERVER
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let server = Server::open(dir.path().join("cloud.db").to_str().unwrap()).unwrap();
            (dir, server)
        })
        .1
}

fn signed_for(service: &str, headers: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut headers = headers;
    headers.extend(common::signed_headers(
        "111111111111",
        &format!("us-east-1/{service}"),
    ));
    headers
}

fn request(method: &str, path: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> Request {
    Request {
        method: method.into(),
        path: path.into(),
        query: String::new(),
        headers,
        body,
    }
}

/// A form of arbitrary names and values around real EC2 action names.
fn form() -> impl Strategy<Value = String> {
    let action = prop_oneof![
        Just("DescribeImages".to_string()),
        Just("RegisterImage".to_string()),
        Just("ModifyImageAttribute".to_string()),
        Just("CopyImage".to_string()),
        Just("DescribeSnapshots".to_string()),
        Just("DescribeVolumes".to_string()),
        Just("RunInstances".to_string()),
        Just("DescribeTags".to_string()),
        Just("ReplaceImageCriteriaInAllowedImagesSettings".to_string()),
        "[A-Za-z]{0,40}",
    ];
    let name = prop_oneof![
        Just("ImageId.1".to_string()),
        Just("Filter.1.Name".to_string()),
        Just("Filter.1.Value.1".to_string()),
        Just("LaunchPermission.Add.1.UserId".to_string()),
        Just("BlockDeviceMapping.1.Ebs.VolumeSize".to_string()),
        Just("MaxResults".to_string()),
        Just("NextToken".to_string()),
        Just("Name".to_string()),
        Just("TagSpecification.1.Tag.1.Key".to_string()),
        "[A-Za-z.0-9]{0,30}",
    ];
    let value = prop_oneof!["[ -~]{0,40}", "%[0-9A-Fa-f]{0,2}", "[0-9]{0,25}", ".*"];
    (action, prop::collection::vec((name, value), 0..8)).prop_map(|(action, pairs)| {
        let mut form = format!("Action={action}");
        for (n, v) in pairs {
            form.push('&');
            form.push_str(&n);
            form.push('=');
            form.push_str(&v);
        }
        form
    })
}

/// JSON documents, broken and whole, shaped like KMS and rbin requests.
fn json_body() -> impl Strategy<Value = Vec<u8>> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        ".{0,20}".prop_map(serde_json::Value::from),
    ];
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("KeyId".to_string()),
                    Just("GranteePrincipal".to_string()),
                    Just("Operations".to_string()),
                    Just("Limit".to_string()),
                    Just("Marker".to_string()),
                    Just("ResourceType".to_string()),
                    Just("RetentionPeriod".to_string()),
                    Just("ResourceTags".to_string()),
                    "[A-Za-z]{0,12}",
                ],
                inner,
                0..5
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    });
    prop_oneof![
        value.prop_map(|v| serde_json::to_vec(&v).unwrap()),
        prop::collection::vec(any::<u8>(), 0..200),
        "[{}\\[\\]\":,0-9a-zA-Z ]{0,80}".prop_map(String::into_bytes),
    ]
}

fn assert_answered(server: &Server, request: &Request) -> Result<(), TestCaseError> {
    let answer = server.answer(request);
    prop_assert!(
        answer.status == 200 || (400..500).contains(&answer.status),
        "{} for {:?}: {}",
        answer.status,
        request,
        String::from_utf8_lossy(&answer.body)
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn any_query_form_gets_an_answer_not_a_5xx(form in form(), sts in any::<bool>()) {
        let s = server();
        let service = if sts { "sts" } else { "ec2" };
        let r = request("POST", "/", signed_for(service, vec![]), form.into_bytes());
        assert_answered(s, &r)?;
    }

    #[test]
    fn any_kms_body_and_target_get_an_answer_not_a_5xx(
        body in json_body(),
        target in prop_oneof![
            Just("TrentService.CreateGrant".to_string()),
            Just("TrentService.ListGrants".to_string()),
            Just("TrentService.DescribeKey".to_string()),
            Just("TrentService.CreateKey".to_string()),
            Just("TrentService.ScheduleKeyDeletion".to_string()),
            Just("TrentService.RetireGrant".to_string()),
            ".{0,40}",
        ],
    ) {
        let s = server();
        let headers = signed_for(
            "kms",
            vec![
                ("x-amz-target".into(), target),
                ("content-type".into(), "application/x-amz-json-1.1".into()),
            ],
        );
        assert_answered(s, &request("POST", "/", headers, body))?;
    }

    #[test]
    fn any_rbin_request_gets_an_answer_not_a_5xx(
        body in json_body(),
        method in prop_oneof![Just("GET"), Just("POST"), Just("PATCH"), Just("DELETE"), Just("PUT")],
        path in prop_oneof![
            Just("/rules".to_string()),
            Just("/list-rules".to_string()),
            "/rules/[a-zA-Z0-9]{0,70}",
            "/[ -~]{0,60}",
        ],
    ) {
        let s = server();
        let headers = signed_for("rbin", vec![("content-type".into(), "application/json".into())]);
        assert_answered(s, &request(method, &path, headers, body))?;
    }

    #[test]
    fn any_headers_get_an_answer_not_a_5xx(
        headers in prop::collection::vec(
            (
                prop_oneof![
                    Just("authorization".to_string()),
                    Just("x-amz-target".to_string()),
                    Just("content-type".to_string()),
                    Just("x-amz-date".to_string()),
                    Just("x-amz-security-token".to_string()),
                    "[a-z-]{1,20}",
                ],
                prop_oneof![
                    "AWS4-HMAC-SHA256 Credential=[ -~]{0,80}",
                    "AWS4-HMAC-SHA256 Credential=[0-9A-Z]{0,20}/[0-9]{0,8}/[a-z0-9-]{0,14}/[a-z]{0,6}/aws4_request, SignedHeaders=[a-z;-]{0,30}, Signature=[0-9a-f]{0,64}",
                    "[ -~]{0,80}",
                ],
            ),
            0..6,
        ),
        body in prop::collection::vec(any::<u8>(), 0..100),
    ) {
        let s = server();
        assert_answered(s, &request("POST", "/", headers, body))?;
    }
}
