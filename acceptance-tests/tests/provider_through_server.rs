//! The provider through `amisim serve`: a student holding only an endpoint
//! and a key pair applies, plans empty, shares with a neighbour, meets drift
//! and imports, with the same IDs, dates, diagnostics and event log as on a
//! store; and every way of pointing it wrong is one clear diagnostic. On the
//! test PostgreSQL server with `AMISIM_TEST_POSTGRES`, else on a store file.

use amisim_acceptance_tests::serve::{key_pair, Served};
use amisim_acceptance_tests::{event_line, Workspace};

const ALICE: &str = "111111111111";
const BOB: &str = "222222222222";

/// The key pair `amisim accounts claim ACCOUNT` printed on the teacher's store.
fn claim(teacher: &Workspace, account: &str) -> (String, String) {
    key_pair(&teacher.amisim(&["accounts", "claim", account])).expect("the key pair lines")
}

/// A teacher's store with Alice and Bob claimed, and a server on it.
fn class() -> (Workspace, Served, (String, String), (String, String)) {
    let teacher = Workspace::empty();
    let alice = claim(&teacher, ALICE);
    let bob = claim(&teacher, BOB);
    let served = Served::start_keyed(teacher.store(), &teacher.path().join("secret.key"));
    (teacher, served, alice, bob)
}

fn pair(p: &(String, String)) -> (&str, &str) {
    (p.0.as_str(), p.1.as_str())
}

/// The event log as lines, without the calls of `amisim` itself (the
/// claims, the administrator's key) and so without the log's numbers.
fn log_of_terraform(ws: &Workspace) -> Vec<String> {
    ws.events()
        .iter()
        .filter(|e| e.account_id != amisim_simulator::ADMINISTRATOR)
        .map(|e| {
            let line = event_line(e);
            let line = line.trim_start();
            line[line.find(' ').unwrap_or(0)..].to_string()
        })
        .collect()
}

#[test]
fn through_a_server_the_classroom_applies_as_on_a_store_call_for_call() {
    // The exercise on a store, each student holding the store and a secret.
    let local = Workspace::empty();
    let (_, alice_secret) = claim(&local, ALICE);
    let (_, bob_secret) = claim(&local, BOB);
    let alice_local = Workspace::from_example("classroom/alice")
        .on_store_of(&local)
        .env("AMISIM_SECRET_KEY", &alice_secret);
    alice_local.apply_and_converge();
    let bob_local = Workspace::from_example("classroom/bob")
        .on_store_of(&local)
        .env("AMISIM_SECRET_KEY", &bob_secret);
    bob_local.apply_and_converge();

    // The same exercise through a server, each student holding only the
    // endpoint and a key pair.
    let (teacher, served, alice_key, bob_key) = class();
    let alice = Workspace::from_example("classroom/alice")
        .on_store_of(&teacher)
        .through(&served.url, pair(&alice_key));
    alice.apply_and_converge();
    let bob = Workspace::from_example("classroom/bob")
        .on_store_of(&teacher)
        .through(&served.url, pair(&bob_key));
    bob.apply_and_converge();

    // The same objects, IDs and dates, and the same calls in the same order.
    assert_eq!(alice.resources(), alice_local.resources());
    assert_eq!(bob.resources(), bob_local.resources());
    assert_eq!(log_of_terraform(&teacher), log_of_terraform(&local));
    // Every call through the server carries the student's own key.
    for e in teacher.events() {
        if e.account_id == ALICE {
            assert_eq!(
                e.access_key_id.as_deref(),
                Some(alice_key.0.as_str()),
                "{e:?}"
            );
        }
    }
    // The key never shows in Terraform's output or state.
    let shown = alice.tf_ok(&["show", "-no-color"]).stdout;
    assert!(!shown.contains(&alice_key.1));

    bob.destroy();
    alice.destroy();
    drop(served);
    bob_local.destroy();
    alice_local.destroy();
    assert_eq!(log_of_terraform(&teacher), log_of_terraform(&local));
}

#[test]
fn through_a_server_refusals_drift_and_import_read_as_on_a_store() {
    let (teacher, served, alice_key, bob_key) = class();
    let config = r#"
provider "amisim" {}

resource "amisim_image" "tools" {
  name = "alice-tools-v1"
}
"#;
    let alice = Workspace::new(config)
        .on_store_of(&teacher)
        .through(&served.url, pair(&alice_key));
    alice.apply_and_converge();
    let image = alice.resources()["amisim_image.tools"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        alice.resources()["amisim_image.tools"]["owner_id"],
        ALICE,
        "the account is the key's"
    );

    // A rule's refusal is the same diagnostic as on a store.
    let twin = r#"
provider "amisim" {}

resource "amisim_image" "again" {
  name = "alice-tools-v1"
}
"#;
    let through = Workspace::new(twin)
        .on_store_of(&teacher)
        .through(&served.url, pair(&alice_key))
        .apply_expect_error("InvalidAMIName.Duplicate");
    // The same on a store with the same history.
    let first = Workspace::new(config);
    let (_, secret) = claim(&first, ALICE);
    claim(&first, BOB);
    let first = first
        .env("AMISIM_ACCOUNT_ID", ALICE)
        .env("AMISIM_SECRET_KEY", &secret);
    first.apply_and_converge();
    let local = Workspace::new(twin)
        .on_store_of(&first)
        .env("AMISIM_ACCOUNT_ID", ALICE)
        .env("AMISIM_SECRET_KEY", &secret)
        .apply_expect_error("InvalidAMIName.Duplicate");
    let diagnostic = |out: &str| -> String {
        out.lines()
            .skip_while(|l| !l.contains("Error:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        diagnostic(&through.stderr).contains(&image),
        "{}",
        through.stderr
    );
    assert_eq!(diagnostic(&through.stderr), diagnostic(&local.stderr));

    // Bob's key reaches none of Alice's images: his import finds nothing.
    let bob = Workspace::new(config)
        .on_store_of(&teacher)
        .through(&served.url, pair(&bob_key));
    let out = bob.tf(&["import", "-no-color", "amisim_image.tools", &image]);
    assert_ne!(out.code, 0, "{}", out.all());
    // Alice's second folder imports her image through the server.
    let again = Workspace::new(config)
        .on_store_of(&teacher)
        .through(&served.url, pair(&alice_key));
    again.tf_ok(&["import", "-no-color", "amisim_image.tools", &image]);
    again.assert_plan_empty();

    // Deregistered out of band: the next plan creates it again.
    let out = std::process::Command::new(amisim_acceptance_tests::amisim_binary())
        .args(["--endpoint", &served.url, "deregister", &image])
        .env("AWS_ACCESS_KEY_ID", &alice_key.0)
        .env("AWS_SECRET_ACCESS_KEY", &alice_key.1)
        .env_remove("AMISIM_STORE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    alice.expect_action("amisim_image.tools", "create");
}

#[test]
fn through_a_server_pointing_the_provider_wrong_is_one_clear_diagnostic() {
    let (teacher, served, alice_key, _) = class();
    let (admin_key, admin_secret) = served.administrator().expect("the administrator's key");
    let plan = |config: &str, ws: Workspace| {
        let ws = ws.on_store_of(&teacher);
        ws.set_config(config);
        ws.tf(&["plan", "-no-color"])
    };
    let image = "resource \"amisim_image\" \"i\" {\n  name = \"image-x\"\n}\n";

    // A store and an endpoint both named.
    let out = plan(
        &format!(
            "provider \"amisim\" {{\n  store    = \"x.db\"\n  endpoint = \"{}\"\n}}\n{image}",
            served.url
        ),
        Workspace::empty(),
    );
    assert!(out.says("Conflicting store and endpoint"), "{}", out.all());

    // A server that is not there.
    let out = plan(
        &format!("provider \"amisim\" {{}}\n{image}"),
        Workspace::empty().through("http://127.0.0.1:9", pair(&alice_key)),
    );
    assert!(
        out.says("cannot reach amisim serve at http://127.0.0.1:9"),
        "{}",
        out.all()
    );

    // A key the server does not know signs nothing.
    let out = plan(
        &format!("provider \"amisim\" {{}}\n{image}"),
        Workspace::empty().through(&served.url, (alice_key.0.as_str(), "not-her-secret")),
    );
    assert!(out.says("SignatureDoesNotMatch"), "{}", out.all());

    // An account other than the key's.
    let out = plan(
        &format!("provider \"amisim\" {{\n  account_id = \"{BOB}\"\n}}\n{image}"),
        Workspace::empty().through(&served.url, pair(&alice_key)),
    );
    assert!(
        out.says(&format!("acts as account {ALICE}, not {BOB}")),
        "{}",
        out.all()
    );

    // The administrator's key acts as the account the block names, and only then.
    let admin = (admin_key.as_str(), admin_secret.as_str());
    let out = plan(
        &format!("provider \"amisim\" {{}}\n{image}"),
        Workspace::empty().through(&served.url, admin),
    );
    assert!(out.says("Missing account_id"), "{}", out.all());
    let out = plan(
        &format!("provider \"amisim\" {{\n  account_id = \"333333333333\"\n}}\n{image}"),
        Workspace::empty().through(&served.url, admin),
    );
    assert_eq!(out.code, 0, "{}", out.all());

    // An unclaimed account needs no key of its own: its ID and any secret.
    let out = plan(
        &format!("provider \"amisim\" {{\n  account_id = \"444444444444\"\n}}\n{image}"),
        Workspace::empty().env("AMISIM_ENDPOINT", &served.url),
    );
    assert_eq!(out.code, 0, "{}", out.all());
}

#[test]
fn through_a_server_the_provider_blocks_of_one_command_share_its_start() {
    // Two accounts in one configuration, each block signing as its own
    // (unclaimed) account: the calls of both share the command's start, as
    // on a store, whichever block's process calls first.
    let local = Workspace::from_example("cross-account-sharing");
    local.tf_ok(&["apply", "-auto-approve", "-no-color"]);
    local.assert_plan_empty();

    let shared = Workspace::empty();
    let served = Served::start_keyed(shared.store(), &shared.path().join("secret.key"));
    let through = Workspace::from_example("cross-account-sharing")
        .on_store_of(&shared)
        .env("AMISIM_ENDPOINT", &served.url);
    through.tf_ok(&["apply", "-auto-approve", "-no-color"]);
    through.assert_plan_empty();
    assert_eq!(through.resources(), local.resources());
    let mut a = log_of_terraform(&shared);
    let mut b = log_of_terraform(&local);
    // Parallel calls may be logged in either order; their dates may not differ.
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[test]
fn through_a_server_killed_mid_apply_nothing_answered_is_lost_and_the_next_apply_goes_on() {
    let (teacher, served, alice_key, _) = class();
    let address = served.url.trim_start_matches("http://").to_string();
    let images: String = (0..12)
        .map(|n| {
            format!("resource \"amisim_image\" \"i{n:02}\" {{\n  name = \"image-{n:02}\"\n}}\n")
        })
        .collect();
    let ws = Workspace::new(&format!("provider \"amisim\" {{}}\n{images}"))
        .on_store_of(&teacher)
        .through(&served.url, pair(&alice_key));
    let registered = || {
        teacher
            .events()
            .iter()
            .filter(|e| e.action == "RegisterImage" && e.outcome == "ok")
            .count()
    };
    // The server is killed once the apply has made a few images.
    let out = std::thread::scope(|s| {
        let apply = s.spawn(|| ws.tf(&["apply", "-auto-approve", "-no-color", "-parallelism=1"]));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while registered() < 3 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        drop(served);
        apply.join().expect("the apply ends")
    });
    assert_ne!(out.code, 0, "{}", out.all());
    assert!(out.says("Store.Unavailable"), "{}", out.all());
    // Every image Terraform recorded, the server had answered: it is there.
    let stored: Vec<String> = {
        let mut cloud = teacher.cloud();
        cloud
            .read(|tx| {
                amisim_simulator::inventory::images(
                    tx,
                    amisim_simulator::store::Filter {
                        account: Some(ALICE),
                        ..Default::default()
                    },
                    false,
                    false,
                )
            })
            .unwrap()
            .into_iter()
            .map(|i| i.id)
            .collect()
    };
    let recorded: Vec<String> = ws
        .resources()
        .values()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!recorded.is_empty());
    for id in &recorded {
        assert!(stored.contains(id), "{id} was answered, so it is stored");
    }
    // At most the call in flight was made unanswered.
    assert!(
        stored.len() <= recorded.len() + 1,
        "{stored:?} {recorded:?}"
    );

    // The server started again where the students look for it: the next
    // apply goes on, and an image made unanswered is named for import.
    let _again = Served::start_at(
        teacher.store(),
        &teacher.path().join("secret.key"),
        &address,
    );
    let out = ws.tf(&["apply", "-auto-approve", "-no-color", "-parallelism=1"]);
    if out.code != 0 {
        assert!(out.says("InvalidAMIName.Duplicate"), "{}", out.all());
        let orphans = amisim_acceptance_tests::named_orphans(&out.stderr);
        assert_eq!(orphans.len(), 1, "{}", out.all());
        ws.write(
            "imports.tf",
            &amisim_acceptance_tests::import_blocks(&orphans),
        );
        ws.apply();
    }
    ws.assert_plan_empty();
    assert_eq!(ws.resources().len(), 12);
    let images = ws.amisim(&["images", "list", "--json"]);
    for n in 0..12 {
        assert_eq!(
            images.matches(&format!("\"image-{n:02}\"")).count(),
            1,
            "{images}"
        );
    }
}
