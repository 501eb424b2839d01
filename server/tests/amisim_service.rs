//! amisim's own calls on the wire (`X-Amz-Target: AmisimService.*`): the
//! call's request as JSON in, its output or refusal as JSON out, made as the
//! account that signed it, and logged as every call is.

mod common;

use amisim_server::{Request, Server};
use serde_json::{json, Value};

fn server() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("cloud.db");
    let server = Server::open(store.to_str().unwrap()).unwrap();
    (dir, server)
}

/// `AmisimService.{action}` with `body`, signed by `account` in us-east-1,
/// in the command `command` if any: its status and JSON answer.
fn call(
    server: &Server,
    account: &str,
    action: &str,
    body: &Value,
    command: Option<&str>,
) -> (u16, Value) {
    let mut headers = vec![
        (
            "x-amz-target".to_string(),
            format!("AmisimService.{action}"),
        ),
        (
            "content-type".to_string(),
            "application/x-amz-json-1.1".to_string(),
        ),
    ];
    if let Some(c) = command {
        headers.push(("x-amisim-command".to_string(), c.to_string()));
    }
    headers.extend(common::signed_headers(account, "us-east-1/amisim"));
    let answer = server.answer(&Request {
        method: "POST".into(),
        path: "/".into(),
        query: String::new(),
        headers,
        body: serde_json::to_vec(body).unwrap(),
    });
    assert_eq!(answer.content_type, "application/x-amz-json-1.1");
    let value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    (answer.status, value)
}

fn register(name: &str) -> Value {
    serde_json::to_value(amisim_simulator::RegisterImage {
        name: name.into(),
        ..Default::default()
    })
    .unwrap()
}

#[test]
fn a_call_is_made_as_the_account_that_signed_it_and_answers_its_output() {
    let (_dir, s) = server();
    let (status, image) = call(
        &s,
        "111111111111",
        "RegisterImage",
        &register("golden"),
        None,
    );
    assert_eq!(status, 200, "{image}");
    assert_eq!(image["owner_id"], "111111111111");
    assert_eq!(image["region"], "us-east-1");
    let id = image["id"].as_str().unwrap();
    let (status, one) = call(
        &s,
        "111111111111",
        "DescribeImage",
        &json!({ "image_id": id }),
        None,
    );
    assert_eq!((status, one["name"].as_str()), (200, Some("golden")));
    // Another account sees nothing of it: the call's own rules.
    let (status, none) = call(
        &s,
        "222222222222",
        "DescribeImage",
        &json!({ "image_id": id }),
        None,
    );
    assert_eq!((status, none), (200, Value::Null));
    let (status, refused) = call(
        &s,
        "222222222222",
        "DeregisterImage",
        &json!({ "image_id": id, "delete_associated_snapshots": true }),
        None,
    );
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["__type"]
            .as_str()
            .is_some_and(|t| t.contains("InvalidAMIID")),
        "{refused}"
    );
    // The operator's calls are not an account's.
    let (status, refused) = call(
        &s,
        "111111111111",
        "AdvanceClock",
        &json!({ "seconds": 60 }),
        None,
    );
    assert!((400..500).contains(&status), "{refused}");
}

#[test]
fn a_body_that_is_not_the_request_and_an_unknown_action_are_refused_saying_so() {
    let (_dir, s) = server();
    let mut bad = register("x");
    bad["colour"] = json!("red");
    let (status, refused) = call(&s, "111111111111", "RegisterImage", &bad, None);
    assert_eq!(status, 400);
    assert_eq!(refused["__type"], "SerializationException");
    assert!(
        refused["message"].as_str().unwrap().contains("\"colour\""),
        "{refused}"
    );
    let (status, refused) = call(&s, "111111111111", "FlyToTheMoon", &json!({}), None);
    assert_eq!(status, 400);
    assert_eq!(refused["__type"], "UnknownOperationException");
    let (status, refused) = call(
        &s,
        "111111111111",
        "GetImageSettings",
        &json!({}),
        Some("no spaces allowed"),
    );
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["__type"], "ValidationException");
}

#[test]
fn the_calls_of_one_named_command_share_its_start() {
    let (_dir, s) = server();
    let created = |name: &str, command: Option<&str>| {
        let (status, image) = call(
            &s,
            "111111111111",
            "RegisterImage",
            &register(name),
            command,
        );
        assert_eq!(status, 200, "{image}");
        image["creation_date"].as_str().unwrap().to_string()
    };
    // Independent changes of one command are made "at once", as on a store.
    let a = created("image-a", Some("apply-1"));
    let b = created("image-b", Some("apply-1"));
    assert_eq!(a, b);
    // Each request of its own is a command of its own, dated after the last.
    let c = created("image-c", None);
    assert!(c > b, "{c} after {b}");
    let d = created("image-d", Some("apply-2"));
    assert!(d > c, "{d} after {c}");
}

/// `AmisimService.{action}` with `body`, signed as `key`/`secret`, acting as
/// `account` when given: its status and JSON answer.
fn as_key(
    server: &Server,
    (key, secret): (&str, &str),
    account: Option<&str>,
    action: &str,
    body: &Value,
) -> (u16, Value) {
    let target = format!("AmisimService.{action}");
    let mut headers = vec![
        ("x-amz-target", target.as_str()),
        ("content-type", "application/x-amz-json-1.1"),
    ];
    if let Some(a) = account {
        headers.push(("x-amisim-account", a));
    }
    let answer = server.answer(&common::signed(
        key,
        secret,
        "amisim",
        std::time::SystemTime::now(),
        &headers,
        &body.to_string(),
    ));
    (
        answer.status,
        serde_json::from_slice(&answer.body).unwrap_or(Value::Null),
    )
}

#[test]
fn the_administrators_key_is_made_once_and_signs_as_the_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("cloud.db");
    let seal = amisim_simulator::SealKey::generate().unwrap();
    let b = amisim_simulator::Cloud::open(&store)
        .unwrap()
        .call(
            &amisim_simulator::Caller::administrator(),
            &amisim_simulator::ClaimAccount::new("222222222222").sealed_under(Some(seal.clone())),
        )
        .unwrap();
    let s = Server::open_with_key(store.to_str().unwrap(), Some(seal)).unwrap();
    let admin = s
        .make_administrator_key()
        .unwrap()
        .expect("made on a new store");
    assert!(admin.access_key_id.starts_with("AKIA") && admin.secret_access_key.len() == 40);
    assert!(s.make_administrator_key().unwrap().is_none(), "shown once");
    let pair = (
        admin.access_key_id.as_str(),
        admin.secret_access_key.as_str(),
    );
    // The administrator moves the clock; an account cannot.
    let (status, moved) = as_key(&s, pair, None, "AdvanceClock", &json!({ "seconds": 3600 }));
    assert_eq!(status, 200, "{moved}");
    let (status, _) = as_key(
        &s,
        (&b.access_key_id, &b.secret_access_key),
        None,
        "AdvanceClock",
        &json!({ "seconds": 3600 }),
    );
    assert_eq!(status, 403);
    // A wrong secret for the administrator's key is refused, and logged.
    let (status, refused) = as_key(
        &s,
        (pair.0, "x".repeat(40).as_str()),
        None,
        "AdvanceClock",
        &json!({ "seconds": 3600 }),
    );
    assert_eq!(
        (status, refused["__type"].as_str()),
        (403, Some("SignatureDoesNotMatch"))
    );
    // The administrator acts as a claimed account, with the account's rights.
    let (status, image) = as_key(
        &s,
        (&b.access_key_id, &b.secret_access_key),
        None,
        "RegisterImage",
        &register("student-image"),
    );
    assert_eq!(status, 200, "{image}");
    let id = image["id"].as_str().unwrap();
    let (status, gone) = as_key(
        &s,
        pair,
        Some("222222222222"),
        "DeregisterImage",
        &json!({ "image_id": id, "delete_associated_snapshots": true }),
    );
    assert_eq!((status, gone), (200, json!(true)));
    // An account nobody may act as (a catalogue publisher) is refused, and logged.
    let (status, refused) = as_key(
        &s,
        pair,
        Some("099720109477"),
        "RegisterImage",
        &register("as-a-publisher"),
    );
    assert_eq!(status / 100, 4, "{refused}");
    // The administrator claims an account over the wire; its key pair signs for it.
    let (status, claimed) = as_key(
        &s,
        pair,
        None,
        "ClaimAccount",
        &json!({ "account_id": "333333333333" }),
    );
    assert_eq!(status, 200, "{claimed}");
    let (c_key, c_secret) = (
        claimed["access_key_id"].as_str().unwrap().to_string(),
        claimed["secret_access_key"].as_str().unwrap().to_string(),
    );
    let (status, mine) = as_key(
        &s,
        (&c_key, &c_secret),
        None,
        "RegisterImage",
        &register("claimed-over-the-wire"),
    );
    assert_eq!(
        (status, mine["owner_id"].as_str()),
        (200, Some("333333333333"))
    );
    // A student's key claims nothing.
    let (status, _) = as_key(
        &s,
        (&c_key, &c_secret),
        None,
        "ClaimAccount",
        &json!({ "account_id": "444444444444" }),
    );
    assert_eq!(status, 403);
    // Its key signs amisim's own calls only.
    let answer = s.answer(&common::signed(
        pair.0,
        pair.1,
        "ec2",
        std::time::SystemTime::now(),
        &[(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )],
        "Action=DescribeImages&Owner.1=self",
    ));
    assert_eq!(answer.status, 403);
    assert!(String::from_utf8_lossy(&answer.body).contains("InvalidClientTokenId"));
    drop(s);
    // Every call is logged with the key that made it, refused ones too.
    let mut cloud = amisim_simulator::Cloud::open(&store).unwrap();
    let events = cloud.events(0).unwrap();
    let made_with = |action: &str, account: &str, outcome: &str| {
        events
            .iter()
            .filter(|e| e.action == action && e.account_id == account && e.outcome == outcome)
            .filter_map(|e| e.access_key_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(made_with("AdvanceClock", "administrator", "ok"), [pair.0]);
    assert_eq!(
        made_with("AdvanceClock", "222222222222", "UnauthorizedOperation"),
        std::slice::from_ref(&b.access_key_id)
    );
    assert_eq!(
        made_with("AdvanceClock", "administrator", "SignatureDoesNotMatch"),
        [pair.0]
    );
    assert_eq!(made_with("DeregisterImage", "222222222222", "ok"), [pair.0]);
    let as_publisher = events
        .iter()
        .find(|e| e.action == "RegisterImage" && e.account_id == "administrator")
        .expect("the refused RegisterImage as a publisher is logged");
    assert_eq!(as_publisher.access_key_id.as_deref(), Some(pair.0));
    assert_eq!(as_publisher.outcome, refused["__type"].as_str().unwrap());
}
