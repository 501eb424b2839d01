//! Claimed accounts: a claimed account's calls present its secret; others stay open.

use crate::common::*;
use amisim_simulator::{
    AddLaunchPermission, AdvanceClock, Caller, ClaimAccount, DescribeImage, ReleaseAccount,
    SetPriceBook,
};

#[test]
fn a_claimed_account_needs_its_secret_for_every_call_and_others_stay_open() {
    let mut w = World::new();
    let key = w.ok(|c| c.call(&Caller::administrator(), &ClaimAccount::new(B)));
    // An access key pair of AWS's shape.
    assert_eq!(key.account_id, B);
    assert!(
        key.access_key_id.starts_with("AKIA") && key.access_key_id.len() == 20,
        "{key:?}"
    );
    assert_eq!(key.secret_access_key.len(), 40, "{key:?}");
    let secret = key.secret_access_key;
    assert!(
        w.dump().iter().all(|row| !row.contains(&secret)),
        "only a hash of the secret is kept"
    );
    // Unclaimed accounts need nothing.
    let a = at(A, USE1);
    let img = register(&mut w.cloud, &a, "open");
    w.ok(|c| c.call(&a, &AddLaunchPermission::new(&img.id, &account(B))));

    let b = at(B, USE1);
    let err = w.refused("AuthFailure", |c| c.call(&b, &launch(&img.id, "t3.micro")));
    assert!(err.message.contains("claimed"), "{err}");
    assert!(err.hint.contains("secret_key"), "{err}");
    w.refused("AuthFailure", |c| c.call(&b, &DescribeImage::new(&img.id)));
    let wrong = at(B, USE1).with_secret(Some("amisim-not-it".into()));
    let err = w.refused("AuthFailure", |c| c.call(&wrong, &image("mine")));
    assert!(err.message.contains("not its secret"), "{err}");
    let right = at(B, USE1).with_secret(Some(secret.clone()));
    w.ok(|c| c.call(&right, &launch(&img.id, "t3.micro")));
    w.ok(|c| c.call(&right, &image("mine")));
    // In every region.
    w.refused("AuthFailure", |c| c.call(&at(B, USW2), &image("west")));

    assert_admin_refusal(&mut w, "AccountAlreadyClaimed", |c| {
        c.call(&Caller::administrator(), &ClaimAccount::new(B))
            .map(|_| ())
    });
    let listed = w.ok(|c| c.claims());
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].account_id, B);
}

#[test]
fn a_claim_is_released_with_its_secret_or_by_force() {
    let mut w = World::new();
    let secret = w
        .ok(|c| c.call(&Caller::administrator(), &ClaimAccount::new(C)))
        .secret_access_key;
    assert_admin_refusal(&mut w, "AuthFailure", |c| {
        c.call(&at(C, USE1), &ReleaseAccount::new(C, false))
            .map(|_| ())
    });
    assert_admin_refusal(&mut w, "AuthFailure", |c| {
        c.call(
            &at(C, USE1).with_secret(Some("amisim-wrong".into())),
            &ReleaseAccount::new(C, false),
        )
        .map(|_| ())
    });
    assert!(w.ok(|c| c.call(
        &at(C, USE1).with_secret(Some(secret.clone())),
        &ReleaseAccount::new(C, false),
    )));
    w.ok(|c| c.call(&at(C, USE1), &image("open-again")));
    let again = w.ok(|c| c.call(&Caller::administrator(), &ClaimAccount::new(C)));
    assert_ne!(
        again.secret_access_key, secret,
        "a new claim has a new secret"
    );
    assert!(w.ok(|c| c.call(&Caller::administrator(), &ReleaseAccount::new(C, true))));
    assert!(
        !w.ok(|c| c.call(&Caller::administrator(), &ReleaseAccount::new(C, true))),
        "nothing to release"
    );
    assert_admin_refusal(&mut w, "InvalidParameterValue", |c| {
        c.call(
            &Caller::administrator(),
            &ClaimAccount::new("not-an-account"),
        )
        .map(|_| ())
    });
}

/// Claiming and releasing are the administrator's calls: refused, they
/// change nothing but the log, which records the refusal with its caller.
fn assert_admin_refusal(
    w: &mut World,
    code: &str,
    call: impl FnOnce(&mut amisim_simulator::Cloud) -> amisim_simulator::Result<()>,
) {
    let before = w.dump();
    let events = w.cloud.events(0).unwrap().len();
    let err = call(&mut w.cloud).expect_err("refused");
    assert_eq!(err.code(), code, "{err}");
    assert!(!err.hint.is_empty());
    assert_same_dump(&before, &w.dump());
    let after = w.cloud.events(0).unwrap();
    assert_eq!(after.len(), events + 1, "one event for the refusal");
    assert!(
        after
            .iter()
            .any(|e| e.outcome == code && e.action.ends_with("Account")),
        "{after:#?}"
    );
}

#[test]
fn operator_calls_are_logged_with_their_caller_and_refused_to_accounts() {
    let mut w = World::new();
    let admin = Caller::administrator();
    let secret = w
        .ok(|c| c.call(&admin, &ClaimAccount::new(B)))
        .secret_access_key;
    let b = at(B, USE1).with_secret(Some(secret));
    // An account cannot claim, force a release, set prices or move the clock.
    let before = w.dump();
    for err in [
        w.cloud.call(&b, &ClaimAccount::new(C)).map(|_| ()),
        w.cloud.call(&b, &ReleaseAccount::new(B, true)).map(|_| ()),
        w.cloud
            .call(&at(A, USE1), &ReleaseAccount::new(B, false))
            .map(|_| ()),
        w.cloud
            .call(&b, &AdvanceClock { seconds: 3600 })
            .map(|_| ()),
        w.cloud
            .call(
                &b,
                &SetPriceBook {
                    prices: Default::default(),
                },
            )
            .map(|_| ()),
    ] {
        let err = err.expect_err("refused");
        assert_eq!(err.code(), "UnauthorizedOperation", "{err}");
    }
    assert_same_dump(&before, &w.dump());
    let now = w.ok(|c| c.now());
    w.ok(|c| c.call(&admin, &AdvanceClock { seconds: 3600 }));
    w.ok(|c| {
        c.call(
            &admin,
            &SetPriceBook {
                prices: Default::default(),
            },
        )
    });
    assert!(w.ok(|c| c.call(&admin, &ReleaseAccount::new(B, true))));
    // Compared as sets: the log orders calls of one instant by a stable key.
    let mut log: Vec<(String, String, String, String)> = w
        .cloud
        .events(0)
        .unwrap()
        .into_iter()
        .filter(|e| !e.action.starts_with("Describe"))
        .map(|e| {
            (
                e.account_id,
                e.action,
                e.outcome,
                e.resource_id.unwrap_or_default(),
            )
        })
        .collect();
    let row = |who: &str, action: &str, outcome: &str, id: &str| {
        (
            who.to_string(),
            action.to_string(),
            outcome.to_string(),
            id.to_string(),
        )
    };
    log.sort();
    let mut expected = vec![
        row("administrator", "ClaimAccount", "ok", B),
        row(B, "ClaimAccount", "UnauthorizedOperation", C),
        row(B, "ReleaseAccount", "UnauthorizedOperation", B),
        row(A, "ReleaseAccount", "UnauthorizedOperation", B),
        row(B, "AdvanceClock", "UnauthorizedOperation", ""),
        row(B, "SetPriceBook", "UnauthorizedOperation", ""),
        row("administrator", "AdvanceClock", "ok", ""),
        row("administrator", "SetPriceBook", "ok", ""),
        row("administrator", "ReleaseAccount", "ok", B),
    ];
    expected.sort();
    assert_eq!(log, expected);
    // Operator calls start no command: the clock moved exactly as asked.
    let moved = amisim_simulator::dates::parse_time(&w.ok(|c| c.now())).unwrap();
    assert_eq!(
        moved - amisim_simulator::dates::parse_time(&now).unwrap(),
        3600
    );
}

#[test]
fn the_clock_stops_short_of_where_aws_timestamps_end() {
    let mut w = World::new();
    let admin = Caller::administrator();
    let now = amisim_simulator::dates::parse_time(&w.ok(|c| c.now())).unwrap();
    // 2933000 days is past the year 9999: refused, nothing moved or accrued.
    let err = w.refused("InvalidParameterValue", |c| {
        c.call(
            &admin,
            &AdvanceClock {
                seconds: 2_933_000 * 86_400,
            },
        )
    });
    assert!(err.message.contains("9999-12-31"), "{err}");
    w.refused("InvalidParameterValue", |c| {
        c.call(&admin, &AdvanceClock { seconds: i64::MAX })
    });
    // Up to the limit it moves, and only forward.
    let limit = amisim_simulator::ids::CLOCK_LIMIT;
    w.ok(|c| {
        c.call(
            &admin,
            &AdvanceClock {
                seconds: limit - now,
            },
        )
    });
    assert_eq!(w.ok(|c| c.now()), "9990-01-01T00:00:00.000Z");
    w.refused("InvalidParameterValue", |c| {
        c.call(&admin, &AdvanceClock { seconds: 1 })
    });
    // A later command is still later, and dated in range.
    let img = register(&mut w.cloud, &at(A, USE1), "late");
    assert!(
        img.creation_date.starts_with("9990-01-01T00:01:"),
        "{img:?}"
    );
}

#[test]
fn a_store_whose_clock_was_moved_past_the_end_of_time_is_named_not_used() {
    let mut w = World::new();
    register(&mut w.cloud, &at(A, USE1), "before");
    w.cloud
        .store()
        .transaction(|tx| tx.set_meta("clock:latest", "253402300800000"))
        .unwrap();
    let err = w
        .cloud
        .call(&at(A, USE1), &image("after"))
        .expect_err("a damaged clock");
    assert_eq!(err.code(), "Store.Damaged", "{err}");
    assert!(err.message.contains("simulated clock"), "{err}");
    assert!(err.hint.contains("amisim reset"), "{err}");
}

#[test]
fn a_claims_secret_is_sealed_for_its_account_under_a_key_outside_the_store() {
    use amisim_simulator::SealKey;
    let mut w = World::new();
    let key = SealKey::generate().unwrap();
    let pair = w.ok(|c| {
        c.call(
            &Caller::administrator(),
            &ClaimAccount::new(B).sealed_under(Some(key.clone())),
        )
    });
    let claim = w
        .cloud
        .read(|tx| amisim_simulator::claims::by_access_key(tx, &pair.access_key_id))
        .unwrap()
        .expect("the claim, by its access key ID");
    assert_eq!(claim.account_id, B);
    let sealed = claim.sealed_secret.expect("sealed");
    assert!(!w
        .dump()
        .iter()
        .any(|row| row.contains(&pair.secret_access_key)));
    // Only the key opens it, and only for its own account.
    assert_eq!(
        key.open(B, &sealed).as_deref(),
        Some(pair.secret_access_key.as_str())
    );
    assert_eq!(
        key.open(C, &sealed),
        None,
        "moved to another claim, it opens for no one"
    );
    assert_eq!(SealKey::generate().unwrap().open(B, &sealed), None);
    assert_eq!(key.open(B, "zz"), None);
    // The key is never logged.
    let events = w.cloud.events(0).unwrap();
    let logged = events.iter().find(|e| e.action == "ClaimAccount").unwrap();
    assert_eq!(logged.parameters, serde_json::json!({"account_id": B}));
}

#[test]
fn the_administrators_key_dates_no_command_after_it() {
    // Two clouds, one with the administrator's key made first: the same
    // commands are dated alike in both.
    let mut plain = World::new();
    let mut served = World::new();
    let key = served.ok(|c| {
        c.call(
            &Caller::administrator(),
            &amisim_simulator::CreateAdministratorKey::default(),
        )
    });
    assert!(key.is_some());
    let me = at(A, USE1);
    let a = register(&mut plain.cloud, &me, "golden-web");
    let b = register(&mut served.cloud, &me, "golden-web");
    assert_eq!(a.creation_date, b.creation_date);
    assert_eq!(a.id, b.id);
    // Made once: asking again makes nothing.
    let again = served.ok(|c| {
        c.call(
            &Caller::administrator(),
            &amisim_simulator::CreateAdministratorKey::default(),
        )
    });
    assert!(again.is_none());
}
