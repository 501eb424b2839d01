//! amisim's own calls on the wire: every call by its action name, its
//! request as the JSON the event log shows, its output as JSON.

use amisim_simulator::wire::{call_json, calls, WireError};
use amisim_simulator::{Caller, DescribeImages};
use serde_json::json;

use crate::common::*;

fn refused_code(e: WireError) -> String {
    match e {
        WireError::Refused(e) => e.code().to_string(),
        other => panic!("not a refusal: {other:?}"),
    }
}

fn malformed(e: WireError) -> String {
    match e {
        WireError::Malformed(why) => why,
        other => panic!("not a malformed body: {other:?}"),
    }
}

#[test]
fn a_call_on_the_wire_is_the_call_its_action_names() {
    let mut w = World::new();
    let me = at(A, USE1);
    // The body is the whole request, as the event log shows it.
    let mut request = serde_json::to_value(image("golden-web")).unwrap();
    request["root_volume_size_gb"] = json!(20);
    let image = call_json(&mut w.cloud, &me, "RegisterImage", &request).expect("registered");
    let id = image["id"].as_str().expect("an image ID").to_string();
    assert_eq!(image["owner_id"], A);
    assert_eq!(stored_image(&mut w.cloud, &id).size_gb, 20);
    // The body is what the event log shows: the logged request made again
    // is the same call.
    let logged = w.cloud.events(0).unwrap().pop().expect("an event");
    assert_eq!(logged.action, "RegisterImage");
    let mut again = logged.parameters.clone();
    again["name"] = json!("golden-web-2");
    call_json(&mut w.cloud, &me, &logged.action, &again).expect("registered again");
    // The request type's name works too, and one action of several types
    // takes the type whose fields the body sets.
    let one = call_json(
        &mut w.cloud,
        &me,
        "DescribeImages",
        &json!({ "image_id": id }),
    )
    .expect("one image");
    assert_eq!(one["name"], "golden-web");
    let found = call_json(
        &mut w.cloud,
        &me,
        "DescribeImages",
        &serde_json::to_value(DescribeImages {
            owners: vec!["self".into()],
            ..DescribeImages::default()
        })
        .unwrap(),
    )
    .expect("a search");
    assert_eq!(found.as_array().map(Vec::len), Some(2));
    let by_type = call_json(
        &mut w.cloud,
        &me,
        "DescribeImage",
        &json!({ "image_id": id }),
    )
    .expect("by the type's name");
    assert_eq!(by_type, one);
    // An action of a type with two names is the one its body asks for.
    call_json(
        &mut w.cloud,
        &me,
        "EnableImageDeregistrationProtection",
        &json!({ "image_id": id, "mode": "enabled" }),
    )
    .expect("protected");
    let why = malformed(
        call_json(
            &mut w.cloud,
            &me,
            "EnableImageDeregistrationProtection",
            &json!({ "image_id": id, "mode": "disabled" }),
        )
        .expect_err("the body asks for the other action"),
    );
    assert!(
        why.contains("AmisimService.DisableImageDeregistrationProtection"),
        "{why}"
    );
}

#[test]
fn the_wire_refuses_what_the_call_refuses_and_bodies_that_are_not_its_request() {
    let mut w = World::new();
    let me = at(A, USE1);
    // The rule's refusal, with its code, logged as every refusal is.
    let code = refused_code(
        call_json(
            &mut w.cloud,
            &me,
            "RunInstances",
            &serde_json::to_value(launch("ami-0123456789abcdef0", "t3.micro")).unwrap(),
        )
        .expect_err("no such image"),
    );
    assert_eq!(code, "InvalidAMIID.NotFound");
    let last = w.cloud.events(0).unwrap().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.outcome.as_str()),
        ("RunInstances", "InvalidAMIID.NotFound")
    );
    // What only the operator may do is refused to an account.
    let code = refused_code(
        call_json(
            &mut w.cloud,
            &me,
            "AdvanceClock",
            &json!({ "seconds": 86400 }),
        )
        .expect_err("an account cannot move the clock"),
    );
    assert!(!code.is_empty());
    assert!(w.cloud.events(0).unwrap().last().unwrap().outcome != "ok");
    // A field the request does not have, a missing one, a wrong type.
    let before = w.dump();
    for (body, says) in [
        (
            {
                let mut b = serde_json::to_value(image("x")).unwrap();
                b["colour"] = json!("red");
                b
            },
            "\"colour\"",
        ),
        (json!({}), "missing field `name`"),
        (
            {
                let mut b = serde_json::to_value(image("x")).unwrap();
                b["name"] = json!(7);
                b
            },
            "invalid type",
        ),
    ] {
        let why = malformed(
            call_json(&mut w.cloud, &me, "RegisterImage", &body).expect_err("not a request"),
        );
        assert!(why.contains(says), "{body}: {why}");
    }
    // A field the log leaves out when empty is still known when given.
    let mut tagged = serde_json::to_value(image("tagged")).unwrap();
    tagged["tags"] = json!({});
    tagged["billing_products"] = json!([]);
    call_json(&mut w.cloud, &me, "RegisterImage", &tagged).expect("empty fields are fields");
    assert!(matches!(
        call_json(&mut w.cloud, &me, "FlyToTheMoon", &json!({})),
        Err(WireError::UnknownAction(_))
    ));
    // The server's record of a refused request is not a call anyone can make.
    assert!(matches!(
        call_json(&mut w.cloud, &me, "RefuseRequest", &json!({})),
        Err(WireError::UnknownAction(_))
    ));
    let _ = before;
    let admin = Caller::administrator();
    call_json(
        &mut w.cloud,
        &admin,
        "AdvanceClock",
        &json!({ "seconds": 60 }),
    )
    .expect("the operator moves the clock");
}

#[test]
fn every_call_of_the_cloud_is_on_the_wire() {
    // Calls are declared in `calls!` blocks (`Type => Output, "Action", …`)
    // or by `impl Call for Type`: each must be in the wire's list, but the
    // server's own record of a refused request.
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let declared = regex::Regex::new(r#"(?m)^\s+([A-Z][A-Za-z]+) => [^,]+, "[A-Za-z]+","#).unwrap();
    let implemented = regex::Regex::new(r"impl Call for ([A-Z][A-Za-z]+)").unwrap();
    let mut types = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for re in [&declared, &implemented] {
                types.extend(re.captures_iter(&text).map(|c| c[1].to_string()));
            }
        }
    }
    types.sort();
    types.dedup();
    assert!(types.len() > 60, "{types:?}");
    let wired: Vec<&str> = calls().iter().map(|c| c.request).collect();
    for t in &types {
        if t == "RefuseRequest" {
            assert!(!wired.contains(&t.as_str()));
            continue;
        }
        assert!(wired.contains(&t.as_str()), "{t} is not in wire.rs's list");
    }
    assert_eq!(wired.len(), types.len() - 1, "a type listed twice");
}

#[test]
fn reset_cloud_empties_the_cloud_but_keeps_who_may_use_it() {
    use amisim_simulator::reset::ResetCloud;
    use amisim_simulator::{ClaimAccount, CreateAdministratorKey, DescribeImages};
    let mut w = World::new();
    let admin = Caller::administrator();
    let me = at(A, USE1);
    let first = register(&mut w.cloud, &me, "golden-web");
    w.ok(|c| c.call(&admin, &ClaimAccount::new(B)));
    w.ok(|c| c.call(&admin, &CreateAdministratorKey::default()));
    // Only the administrator resets.
    w.refused("UnauthorizedOperation", |c| c.call(&me, &ResetCloud {}));
    w.ok(|c| c.call(&admin, &ResetCloud {}));
    let mine = w.ok(|c| {
        c.call(
            &me,
            &DescribeImages {
                owners: vec!["self".into()],
                ..DescribeImages::default()
            },
        )
    });
    assert!(mine.is_empty(), "{mine:?}");
    let amazon = w.ok(|c| {
        c.call(
            &me,
            &DescribeImages {
                owners: vec!["amazon".into()],
                ..DescribeImages::default()
            },
        )
    });
    assert!(!amazon.is_empty(), "the catalogue is there again");
    assert_eq!(w.cloud.claims().unwrap().len(), 1, "the claims stay");
    let events = w.cloud.events(0).unwrap();
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>()[..2],
        ["ResetCloud", "DescribeImages"]
    );
    // IDs start again: the same image is the same ID.
    let again = register(&mut w.cloud, &me, "golden-web");
    assert_eq!(again.id, first.id);
}
