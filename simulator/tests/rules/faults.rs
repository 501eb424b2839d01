//! Deterministic faults: a rule refuses exactly the calls it names, with
//! AWS's code, counts every call it matches, leaves its mark in the event
//! log, and never touches the administrator's own calls.

use amisim_simulator::{
    dates, AddFault, Caller, ClearFaults, Cloud, DescribeImage, FaultEffect, FaultRule, ImageState,
    ListFaults, WaitImageAvailable,
};

use crate::common::*;

fn error(code: &str, every: u64, times: Option<u64>) -> FaultEffect {
    FaultEffect::Error {
        code: code.into(),
        every,
        times,
    }
}

fn add(cloud: &mut Cloud, action: &str, effect: FaultEffect) -> FaultRule {
    cloud
        .call(
            &Caller::administrator(),
            &AddFault {
                action: action.into(),
                account_id: None,
                region: None,
                effect,
            },
        )
        .expect("a fault rule")
}

fn rules(cloud: &mut Cloud) -> Vec<FaultRule> {
    cloud
        .call(&Caller::administrator(), &ListFaults {})
        .expect("the rules")
}

/// Registers `name-1`, `name-2`, … `name-n` and answers each outcome: `ok`
/// or the code it was refused with.
fn register_many(cloud: &mut Cloud, who: &Caller, name: &str, n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| match cloud.call(who, &image(&format!("{name}-{i}"))) {
            Ok(_) => "ok".to_string(),
            Err(e) => e.code().to_string(),
        })
        .collect()
}

#[test]
fn an_error_rule_refuses_every_nth_matching_call_up_to_its_limit_and_lets_the_rest_through() {
    let mut w = World::new();
    let rule = add(
        &mut w.cloud,
        "RegisterImage",
        error("RequestLimitExceeded", 3, Some(2)),
    );
    assert_eq!(rule.id, "fault-1");
    let outcomes = register_many(&mut w.cloud, &at(A, USE1), "burst", 10);
    let (ok, limited) = ("ok", "RequestLimitExceeded");
    assert_eq!(outcomes, [ok, ok, limited, ok, ok, limited, ok, ok, ok, ok]);
    let now = &rules(&mut w.cloud)[0];
    assert_eq!((now.matched, now.injected), (10, 2));
    assert_eq!(
        now.describe(),
        "RequestLimitExceeded on every 3rd RegisterImage call, 2 times at most"
    );
    // A refused registration made nothing: its name is free for the retry.
    w.ok(|c| c.call(&at(A, USE1), &image("burst-3")));
}

#[test]
fn an_injected_fault_is_aws_s_error_named_in_the_event_log_with_its_rule() {
    let mut w = World::new();
    add(&mut w.cloud, "*", error("InternalError", 1, Some(1)));
    let e = w
        .cloud
        .call(&at(A, USE1), &image("first"))
        .expect_err("the first call is refused");
    assert_eq!(e.code(), "InternalError");
    assert_eq!(e.message, "An internal error has occurred");
    assert_eq!(e.fault.as_deref(), Some("fault-1"));
    assert!(
        e.hint.contains("fault rule fault-1") && e.hint.contains("amisim faults clear fault-1"),
        "{}",
        e.hint
    );
    let events = w.cloud.events(0).unwrap();
    let refused: Vec<_> = events
        .iter()
        .filter(|e| e.action == "RegisterImage")
        .collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].outcome, "InternalError");
    assert_eq!(refused[0].fault.as_deref(), Some("fault-1"));
    // A refusal a rule of the cloud makes is not marked.
    w.ok(|c| c.call(&at(A, USE1), &image("first")));
    let duplicate = w
        .cloud
        .call(&at(A, USE1), &image("first"))
        .expect_err("a duplicate name");
    assert_eq!(duplicate.fault, None);
    let events = w.cloud.events(0).unwrap();
    assert!(events
        .iter()
        .filter(|e| e.outcome == "InvalidAMIName.Duplicate")
        .all(|e| e.fault.is_none()));
}

#[test]
fn a_rule_matches_only_its_action_account_and_region() {
    let mut w = World::new();
    w.ok(|c| {
        c.call(
            &Caller::administrator(),
            &AddFault {
                action: "RegisterImage".into(),
                account_id: Some(B.into()),
                region: Some(USW2.into()),
                effect: error("ServiceUnavailable", 1, None),
            },
        )
    });
    for who in [at(A, USW2), at(B, USE1), at(A, USE1)] {
        assert_eq!(
            register_many(&mut w.cloud, &who, "elsewhere", 2),
            ["ok", "ok"]
        );
    }
    assert_eq!(
        register_many(&mut w.cloud, &at(B, USW2), "there", 2),
        ["ServiceUnavailable", "ServiceUnavailable"]
    );
    assert_eq!(rules(&mut w.cloud)[0].matched, 2);
}

#[test]
fn reads_are_faulted_too_and_the_administrator_s_calls_never() {
    let mut w = World::new();
    let image = register(&mut w.cloud, &at(A, USE1), "read-me");
    add(&mut w.cloud, "*", error("RequestLimitExceeded", 2, None));
    // DescribeImages: the first passes, the second is refused.
    assert!(w
        .cloud
        .call(&at(A, USE1), &DescribeImage::new(&image.id))
        .is_ok());
    let e = w
        .cloud
        .call(&at(A, USE1), &DescribeImage::new(&image.id))
        .expect_err("every 2nd call");
    assert_eq!(e.code(), "RequestLimitExceeded");
    // The administrator's calls and views are not counted, and always work.
    for _ in 0..3 {
        rules(&mut w.cloud);
        w.later(60);
    }
    assert_eq!(rules(&mut w.cloud)[0].matched, 2);
    let cleared = w.ok(|c| c.call(&Caller::administrator(), &ClearFaults { id: None }));
    assert_eq!(cleared, ["fault-1"]);
    assert!(w
        .cloud
        .call(&at(A, USE1), &DescribeImage::new(&image.id))
        .is_ok());
}

#[test]
fn the_same_calls_under_the_same_rules_fail_at_the_same_places_on_a_new_store() {
    let run = || {
        let mut cloud = Cloud::memory().unwrap();
        add(
            &mut cloud,
            "RegisterImage",
            error("RequestLimitExceeded", 2, None),
        );
        add(&mut cloud, "*", error("InternalError", 5, Some(1)));
        let outcomes = register_many(&mut cloud, &at(A, USE1), "same", 8);
        let events: Vec<String> = cloud
            .events(0)
            .unwrap()
            .iter()
            .map(|e| serde_json::to_string(e).unwrap())
            .collect();
        (outcomes, events, rules(&mut cloud))
    };
    let (outcomes, events, after) = run();
    assert_eq!(
        outcomes,
        [
            "ok",
            "RequestLimitExceeded",
            "ok",
            "RequestLimitExceeded",
            "InternalError",
            "RequestLimitExceeded",
            "ok",
            "RequestLimitExceeded"
        ]
    );
    // Both rules count every call they match; the first whose turn it is refuses.
    assert_eq!(
        after
            .iter()
            .map(|r| (r.matched, r.injected))
            .collect::<Vec<_>>(),
        [(8, 4), (8, 1)]
    );
    assert_eq!(run(), (outcomes, events, after), "byte for byte");
}

#[test]
fn rules_are_the_administrator_s_and_refuse_what_aws_would_never_answer() {
    let mut w = World::new();
    let rule = |action: &str, effect: FaultEffect| AddFault {
        action: action.into(),
        account_id: None,
        region: None,
        effect,
    };
    w.refused("UnauthorizedOperation", |c| {
        c.call(
            &at(A, USE1),
            &rule("CopyImage", error("RequestLimitExceeded", 1, None)),
        )
    });
    let admin = Caller::administrator();
    for (request, code) in [
        (
            rule("CopyImage", error("Throttling", 1, None)),
            "InvalidParameterValue",
        ),
        (
            rule("CopyImage", error("RequestLimitExceeded", 0, None)),
            "InvalidParameterValue",
        ),
        (
            rule("CopyImage", error("RequestLimitExceeded", 1, Some(0))),
            "InvalidParameterValue",
        ),
        (
            rule("copy image", error("RequestLimitExceeded", 1, None)),
            "InvalidParameterValue",
        ),
        (
            rule("CopyImage", error("InsufficientInstanceCapacity", 1, None)),
            "InvalidParameterCombination",
        ),
        (
            AddFault {
                account_id: Some("12345".into()),
                ..rule("CopyImage", error("RequestLimitExceeded", 1, None))
            },
            "InvalidParameterValue",
        ),
    ] {
        w.refused(code, |c| c.call(&admin, &request));
    }
    w.refused("UnauthorizedOperation", |c| {
        c.call(&at(A, USE1), &ClearFaults { id: None })
    });
    w.refused("UnauthorizedOperation", |c| {
        c.call(&at(A, USE1), &ListFaults {})
    });
    let launch = w.ok(|c| {
        c.call(
            &admin,
            &rule(
                "RunInstances",
                error("InsufficientInstanceCapacity", 1, None),
            ),
        )
    });
    w.refused("InvalidParameterValue", |c| {
        c.call(
            &admin,
            &ClearFaults {
                id: Some("fault-9".into()),
            },
        )
    });
    let cleared = w.ok(|c| {
        c.call(
            &admin,
            &ClearFaults {
                id: Some(launch.id.clone()),
            },
        )
    });
    assert_eq!(cleared, [launch.id]);
    assert!(rules(&mut w.cloud).is_empty());
}

#[test]
fn what_an_unseen_for_rule_s_calls_create_is_missing_from_its_owner_s_next_describes_then_appears()
{
    let mut w = World::new();
    let golden = register(&mut w.cloud, &at(A, USE1), "golden");
    add(
        &mut w.cloud,
        "CopyImage",
        FaultEffect::UnseenFor { describes: 2 },
    );
    let west = at(A, USW2);
    let copy = w.ok(|c| c.call(&west, &copy_of(&golden, "golden-west")));
    // Another account, and the owner in another region, see what they saw.
    let listed = |cloud: &mut Cloud, who: &Caller| {
        cloud
            .call(who, &amisim_simulator::DescribeImages::default())
            .unwrap()
            .iter()
            .filter(|i| i.owner_id == A)
            .map(|i| i.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(&mut w.cloud, &at(A, USE1)), ["golden"]);
    // The owner's first two describes in us-west-2 miss it: by ID it is not
    // found, marked with the rule; a listing leaves it (and its snapshot) out.
    let e = w
        .cloud
        .call(&west, &DescribeImage::new(&copy.id))
        .expect_err("not seen yet");
    assert_eq!(e.code(), "InvalidAMIID.NotFound");
    assert_eq!(e.fault.as_deref(), Some("fault-1"));
    assert!(listed(&mut w.cloud, &west).is_empty());
    // Then it appears, and stays.
    for _ in 0..2 {
        assert_eq!(listed(&mut w.cloud, &west), ["golden-west"]);
    }
    let rule = &rules(&mut w.cloud)[0];
    assert_eq!((rule.matched, rule.injected), (1, 1));
    assert!(rule.unseen.is_empty(), "{rule:?}");
    assert_eq!(
        rule.describe(),
        "what every CopyImage call creates unseen by its owner's next 2 describe calls"
    );
    let events = w.cloud.events(0).unwrap();
    let missed: Vec<_> = events.iter().filter(|e| e.fault.is_some()).collect();
    assert_eq!(missed.len(), 1, "the refused describe: {missed:?}");
    assert_eq!(missed[0].outcome, "InvalidAMIID.NotFound");
}

#[test]
fn an_unseen_for_rule_names_a_call_that_creates() {
    let mut w = World::new();
    for (action, describes, code) in [
        ("DescribeImages", 1, "InvalidParameterCombination"),
        ("CopyImage", 0, "InvalidParameterValue"),
    ] {
        w.refused(code, |c| {
            c.call(
                &Caller::administrator(),
                &AddFault {
                    action: action.into(),
                    account_id: None,
                    region: None,
                    effect: FaultEffect::UnseenFor { describes },
                },
            )
        });
    }
}

#[test]
fn a_pending_rule_keeps_new_images_pending_until_the_clock_or_a_waiter_reaches_their_time() {
    let mut w = World::new();
    let golden = register(&mut w.cloud, &at(A, USE1), "golden");
    add(
        &mut w.cloud,
        "CopyImage",
        FaultEffect::Pending { seconds: 20 * 60 },
    );
    assert_eq!(
        rules(&mut w.cloud)[0].describe(),
        "every image a CopyImage call makes pending for 20m"
    );
    let west = at(A, USW2);
    let copy = w.ok(|c| c.call(&west, &copy_of(&golden, "golden-west")));
    assert_eq!(copy.state, ImageState::Pending);
    let described = w.ok(|c| c.call(&west, &DescribeImage::new(&copy.id)));
    assert_eq!(described.map(|i| i.state), Some(ImageState::Pending));
    // Not launched, copied or shared while pending, as AWS answers.
    let e = w
        .cloud
        .call(&west, &launch(&copy.id, "t3.micro"))
        .expect_err("pending");
    assert_eq!(e.code(), "InvalidAMIID.Unavailable");
    assert!(e.message.contains("is pending"), "{e}");
    // Ten minutes on, still pending; a waiter with five minutes to spare
    // waits them out and says so.
    w.later(10 * 60);
    let wait = |c: &mut Cloud, timeout: i64| {
        c.call(
            &west,
            &WaitImageAvailable {
                image_id: copy.id.clone(),
                timeout_seconds: timeout,
            },
        )
    };
    let e = wait(&mut w.cloud, 5 * 60).expect_err("still pending");
    assert_eq!(e.code(), "IncorrectState");
    // A waiter with time enough moves the clock to the image's time.
    let ready = w.ok(|c| wait(c, 40 * 60));
    assert_eq!(ready.state, ImageState::Available);
    let clock = w.ok(|c| c.call(&Caller::administrator(), &amisim_simulator::GetClock {}));
    assert_eq!(
        clock,
        dates::format_time(dates::parse_time(&copy.creation_date).unwrap() + 20 * 60)
    );
    w.ok(|c| c.call(&west, &launch(&copy.id, "t3.micro")));
    assert!(rules(&mut w.cloud)[0].pending.is_empty());
}

#[test]
fn the_clock_moved_past_a_pending_image_s_time_makes_it_available() {
    let mut w = World::new();
    add(
        &mut w.cloud,
        "RegisterImage",
        FaultEffect::Pending { seconds: 90 },
    );
    let image = register(&mut w.cloud, &at(A, USE1), "slow");
    assert_eq!(image.state, ImageState::Pending);
    w.later(120);
    let listed = inventory_state(&mut w.cloud, &image.id);
    assert_eq!(listed, "available", "settled when the clock moved");
}

fn inventory_state(cloud: &mut Cloud, id: &str) -> String {
    cloud
        .read(|tx| {
            Ok(tx
                .get::<amisim_simulator::Image>(id)?
                .map(|i| i.state.as_str().to_string())
                .unwrap_or_default())
        })
        .unwrap()
}

#[test]
fn a_pending_rule_names_a_call_that_makes_an_image() {
    let mut w = World::new();
    for (action, seconds, code) in [
        ("RunInstances", 60, "InvalidParameterCombination"),
        ("CopyImage", 0, "InvalidParameterValue"),
    ] {
        w.refused(code, |c| {
            c.call(
                &Caller::administrator(),
                &AddFault {
                    action: action.into(),
                    account_id: None,
                    region: None,
                    effect: FaultEffect::Pending { seconds },
                },
            )
        });
    }
}
