//! SigV4 for claimed accounts: a request signed with the claim's secret (by
//! the AWS SDK's own signer) is its account's; a wrong secret, a request
//! dated more than 15 minutes away, a changed body, or a scope for another
//! region or service is refused, and logged with the key presented.

mod common;

use std::time::{Duration, SystemTime};

use amisim_server::{Request, Server};
use amisim_simulator::{Caller, ClaimAccount, Cloud, SealKey};

/// `body` signed for EC2 in us-east-1 as `key`/`secret` at `at`.
fn signed(key: &str, secret: &str, at: SystemTime, body: &str) -> Request {
    common::signed(
        key,
        secret,
        "ec2",
        at,
        &[(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )],
        body,
    )
}

#[test]
fn a_claims_key_pair_signs_its_requests_and_nothing_else_does() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("cloud.db");
    let seal = SealKey::generate().unwrap();
    let pair = Cloud::open(&store)
        .unwrap()
        .call(
            &Caller::administrator(),
            &ClaimAccount::new("111111111111").sealed_under(Some(seal.clone())),
        )
        .unwrap();
    let server = Server::open_with_key(store.to_str().unwrap(), Some(seal)).unwrap();
    let (key, secret) = (&pair.access_key_id, &pair.secret_access_key);
    let now = SystemTime::now();
    let body = "Action=RegisterImage&Version=2016-11-15&Name=signed";
    let answer = |r: Request| {
        let a = server.answer(&r);
        (a.status, String::from_utf8(a.body).unwrap())
    };
    let (status, text) = answer(signed(key, secret, now, body));
    assert_eq!(status, 200, "{text}");
    // Another secret, another body than the one signed, or a date 20 minutes off.
    let (status, text) = answer(signed(key, "x".repeat(40).as_str(), now, body));
    assert_eq!(status, 403);
    assert!(
        text.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{text}"
    );
    let mut tampered = signed(key, secret, now, body);
    tampered.body = b"Action=RegisterImage&Version=2016-11-15&Name=tampered".to_vec();
    assert!(answer(tampered).1.contains("SignatureDoesNotMatch"));
    for off in [
        now - Duration::from_secs(20 * 60),
        now + Duration::from_secs(20 * 60),
    ] {
        let (status, text) = answer(signed(key, secret, off, body));
        assert_eq!(status, 403, "{text}");
        assert!(text.contains("15 minutes"), "{text}");
    }
    // Within the skew AWS allows, it is the account's.
    let (status, text) = answer(signed(
        key,
        secret,
        now - Duration::from_secs(10 * 60),
        "Action=DescribeImages&Owner.1=self",
    ));
    assert_eq!(status, 200, "{text}");
    assert!(
        text.contains("<name>signed</name>") && !text.contains("tampered"),
        "{text}"
    );
    // The same signature under a credential scope for another region or
    // another service is not a signature of that scope.
    for (from, to) in [("/us-east-1/", "/eu-west-1/"), ("/ec2/", "/sts/")] {
        let mut moved = signed(key, secret, now, body);
        for (name, value) in moved.headers.iter_mut() {
            if name == "authorization" {
                *value = value.replace(from, to);
            }
        }
        let (status, text) = answer(moved);
        assert_eq!(status, 403, "{to}: {text}");
        assert!(text.contains("SignatureDoesNotMatch"), "{to}: {text}");
    }
    // A claimed account named by its ID, with any secret, is not its own.
    let mut by_id = signed(key, secret, now, "Action=DescribeImages&Owner.1=self");
    for (name, value) in by_id.headers.iter_mut() {
        if name == "authorization" {
            *value = format!(
                "AWS4-HMAC-SHA256 Credential=111111111111/20250101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature={}",
                "0".repeat(64)
            );
        }
    }
    assert!(answer(by_id).1.contains("<Code>AuthFailure</Code>"));
    // Each refusal is in the log as the claimed account, with the key presented.
    let events = Cloud::open_store_read_only(store.to_str().unwrap())
        .unwrap()
        .events(0)
        .unwrap();
    let refused: Vec<_> = events
        .iter()
        .filter(|e| e.outcome == "SignatureDoesNotMatch")
        .collect();
    assert_eq!(refused.len(), 6, "{refused:#?}");
    for e in &refused {
        assert_eq!(e.account_id, "111111111111");
        assert_eq!(e.action, "RegisterImage");
        assert_eq!(e.parameters["access_key_id"], key.as_str());
    }
    assert!(events
        .iter()
        .any(|e| e.outcome == "AuthFailure" && e.action == "DescribeImages"));
    // A server without the key cannot open the claim's secret.
    drop(server);
    let keyless = Server::open_with_key(store.to_str().unwrap(), None).unwrap();
    let a = keyless.answer(&signed(key, secret, now, body));
    assert_eq!(a.status, 401);
}
