//! Claimed accounts: a claimed account's calls present its secret; others stay open.

use crate::common::*;

#[test]
fn a_claimed_account_needs_its_secret_for_every_call_and_others_stay_open() {
    let mut w = World::new();
    let secret = w.ok(|c| c.claim_account(B));
    assert!(
        secret.starts_with("amisim-") && secret.len() > 40,
        "{secret}"
    );
    assert!(
        w.dump().iter().all(|row| !row.contains(&secret)),
        "only a hash of the secret is kept"
    );
    // Unclaimed accounts need nothing.
    let a = at(A, USE1);
    let img = register(&mut w.cloud, &a, "open");
    w.ok(|c| c.add_launch_permission(&a, &img.id, &account(B)));

    let b = at(B, USE1);
    let err = w.refused("AuthFailure", |c| {
        c.run_instance(&b, &launch(&img.id, "t3.micro"))
    });
    assert!(err.message.contains("claimed"), "{err}");
    assert!(err.hint.contains("secret_key"), "{err}");
    w.refused("AuthFailure", |c| c.describe_image(&b, &img.id));
    let wrong = at(B, USE1).with_secret(Some("amisim-not-it".into()));
    let err = w.refused("AuthFailure", |c| c.register_image(&wrong, &image("mine")));
    assert!(err.message.contains("not its secret"), "{err}");
    let right = at(B, USE1).with_secret(Some(secret.clone()));
    w.ok(|c| c.run_instance(&right, &launch(&img.id, "t3.micro")));
    w.ok(|c| c.register_image(&right, &image("mine")));
    // In every region.
    w.refused("AuthFailure", |c| {
        c.register_image(&at(B, USW2), &image("west"))
    });

    assert_admin_refusal(&mut w, "AccountAlreadyClaimed", |c| {
        c.claim_account(B).map(|_| ())
    });
    let listed = w.ok(|c| c.claims());
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].account_id, B);
}

#[test]
fn a_claim_is_released_with_its_secret_or_by_force() {
    let mut w = World::new();
    let secret = w.ok(|c| c.claim_account(C));
    assert_admin_refusal(&mut w, "AuthFailure", |c| {
        c.release_account(C, None, false).map(|_| ())
    });
    assert_admin_refusal(&mut w, "AuthFailure", |c| {
        c.release_account(C, Some("amisim-wrong"), false)
            .map(|_| ())
    });
    assert!(w.ok(|c| c.release_account(C, Some(&secret), false)));
    w.ok(|c| c.register_image(&at(C, USE1), &image("open-again")));
    let again = w.ok(|c| c.claim_account(C));
    assert_ne!(again, secret, "a new claim has a new secret");
    assert!(w.ok(|c| c.release_account(C, None, true)));
    assert!(
        !w.ok(|c| c.release_account(C, None, true)),
        "nothing to release"
    );
    assert_admin_refusal(&mut w, "InvalidParameterValue", |c| {
        c.claim_account("not-an-account").map(|_| ())
    });
}

/// Claiming and releasing are not calls of an account: refused, they change
/// nothing, and the event log does not record them.
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
    assert_eq!(w.cloud.events(0).unwrap().len(), events);
}
