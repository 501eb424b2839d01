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
