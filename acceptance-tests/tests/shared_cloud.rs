//! The shared cloud through a server: `amisim --endpoint` prints what it
//! prints on a store, with the administrator's key printed by `amisim
//! serve`; and a student's key reaches only the student's account, each
//! refusal logged with the key presented. On the test PostgreSQL server with
//! `AMISIM_TEST_POSTGRES`, else on a store file.

use std::process::Command;

use amisim_acceptance_tests::serve::{key_pair, Served};
use amisim_acceptance_tests::{amisim_binary, Workspace};

const ALICE: &str = "111111111111";
const BOB: &str = "222222222222";

/// `amisim ARGS` through the server `served`, signed with `key`/`secret`:
/// its exit code, standard output and standard error.
fn through(served: &Served, (key, secret): (&str, &str), args: &[&str]) -> (i32, String, String) {
    let out = Command::new(amisim_binary())
        .args(args)
        .env("AMISIM_ENDPOINT", &served.url)
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_REGION", "us-east-1")
        .env_remove("AMISIM_STORE")
        .env_remove("AMISIM_SECRET_KEY")
        .output()
        .expect("amisim runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The output of `amisim ARGS` through the server, which must succeed.
fn ok_through(served: &Served, key: (&str, &str), args: &[&str]) -> String {
    let (code, out, err) = through(served, key, args);
    assert_eq!(code, 0, "amisim {args:?} through the server: {err}");
    out
}

/// The key pair lines of a claim, masked: they are random.
fn masked(text: &str) -> String {
    text.lines()
        .map(|l| match l.split_once('=') {
            Some((name, _)) if name.starts_with("export AWS_") => format!("{name}=…"),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The key pair `amisim accounts claim` printed.
fn pair(printed: &str) -> (String, String) {
    key_pair(printed).expect("the key pair lines")
}

#[test]
fn through_a_server_the_operators_commands_print_what_they_print_on_a_store() {
    let local = Workspace::empty();
    let shared = Workspace::empty();
    let served = Served::start_keyed(shared.store(), &shared.path().join("secret.key"));
    let (key, secret) = served
        .administrator()
        .expect("the administrator's credential");
    let admin = (key.as_str(), secret.as_str());
    let prices = local.path().join("prices.json");
    std::fs::write(&prices, r#"{"ebs_snapshot_gb_month": 60000}"#).unwrap();
    let prices = prices.to_str().unwrap();
    for args in [
        vec!["accounts", "claim", ALICE],
        vec!["accounts", "claim", BOB, "--json"],
        vec!["accounts", "list"],
        vec!["accounts", "list", "--json"],
        vec!["clock", "advance", "36h"],
        vec!["clock", "show"],
        vec!["clock", "show", "--json"],
        vec!["prices", "set", prices],
        vec!["prices", "show"],
        vec!["prices", "show", "--json"],
        vec!["accounts", "release", BOB, "--force"],
        vec!["accounts", "list"],
        vec!["bill"],
        vec!["bill", "--json"],
        vec!["events", "--action", "ClaimAccount", "--json"],
        vec!["events", "--outcome", "AccountAlreadyClaimed", "--json"],
    ] {
        let on_store = local.amisim(&args);
        let on_server = ok_through(&served, admin, &args);
        let masked_json = |t: &str| {
            let mut v: serde_json::Value = match serde_json::from_str(t) {
                Ok(v) => v,
                Err(_) => return masked(t),
            };
            // The keys are random, and through a server each call carries
            // the access key it was signed with.
            let mask = |o: &mut serde_json::Value| {
                for k in ["access_key_id", "secret_access_key"] {
                    if o.get(k).is_some() {
                        o[k] = "…".into();
                    }
                }
            };
            match v.as_array_mut() {
                Some(items) => items.iter_mut().for_each(|o| {
                    if let Some(map) = o.as_object_mut() {
                        map.remove("access_key_id");
                    }
                }),
                None => mask(&mut v),
            }
            v.to_string()
        };
        assert_eq!(
            masked_json(&on_server),
            masked_json(&on_store),
            "amisim {args:?}"
        );
    }
    // The same refusal, worded the same.
    let (code, _, on_server) = through(&served, admin, &["accounts", "claim", ALICE]);
    assert_eq!(code, 1);
    let on_store = Command::new(amisim_binary())
        .args(["accounts", "claim", ALICE])
        .env("AMISIM_STORE", local.store())
        .env("AMISIM_KEY_FILE", local.path().join("secret.key"))
        .output()
        .unwrap();
    assert_eq!(on_server, String::from_utf8_lossy(&on_store.stderr));
    assert!(on_server.contains("AccountAlreadyClaimed"), "{on_server}");
}

#[test]
fn through_a_server_a_students_key_reaches_only_the_students_account() {
    let shared = Workspace::empty();
    let served = Served::start_keyed(shared.store(), &shared.path().join("secret.key"));
    let (key, secret) = served
        .administrator()
        .expect("the administrator's credential");
    let admin = (key.as_str(), secret.as_str());
    let alice = pair(&ok_through(&served, admin, &["accounts", "claim", ALICE]));
    let bob = pair(&ok_through(&served, admin, &["accounts", "claim", BOB]));
    let bob_key = (bob.0.as_str(), bob.1.as_str());
    let prices = shared.path().join("prices.json");
    std::fs::write(&prices, r#"{"ebs_snapshot_gb_month": 2500000}"#).unwrap();
    // Bob tries what a student must not: release or take another's claim,
    // change the prices or the clock, list the claims.
    for (args, code) in [
        (
            vec!["accounts", "release", ALICE, "--force"],
            "UnauthorizedOperation",
        ),
        (vec!["accounts", "release", ALICE], "UnauthorizedOperation"),
        (
            vec!["accounts", "claim", "333333333333"],
            "UnauthorizedOperation",
        ),
        (
            vec!["prices", "set", prices.to_str().unwrap()],
            "UnauthorizedOperation",
        ),
        (vec!["clock", "advance", "3650d"], "UnauthorizedOperation"),
        (vec!["accounts", "list"], "UnauthorizedOperation"),
        (vec!["reset", "--yes"], "UnauthorizedOperation"),
    ] {
        let (exit, _, err) = through(&served, bob_key, &args);
        assert_eq!(exit, 1, "amisim {args:?} as Bob: {err}");
        assert!(err.contains(code), "amisim {args:?} as Bob: {err}");
    }
    // A wrong secret signs as no one.
    let (exit, _, err) = through(
        &served,
        (&alice.0, "wrong-secret-wrong-secret-wrong-secret-00"),
        &["clock", "show"],
    );
    assert_eq!(exit, 1);
    assert!(err.contains("SignatureDoesNotMatch"), "{err}");
    // Nothing changed: both claims stand, the clock and the prices are the cloud's.
    let claims = ok_through(&served, admin, &["accounts", "list"]);
    assert!(claims.contains(ALICE) && claims.contains(BOB), "{claims}");
    let clock = ok_through(&served, bob_key, &["clock", "show"]);
    assert!(clock.contains("2025-01-01"), "{clock}");
    let book = ok_through(&served, bob_key, &["prices", "show", "--json"]);
    assert!(!book.contains("2500000"), "{book}");
    // Bob sees his own calls and bill, and no one else's.
    let mine = ok_through(&served, bob_key, &["events", "--json"]);
    let mine: Vec<serde_json::Value> = serde_json::from_str(&mine).unwrap();
    assert!(!mine.is_empty() && mine.iter().all(|e| e["account_id"] == BOB));
    for args in [
        vec!["events", "--account", ALICE],
        vec!["bill", "--account", ALICE],
    ] {
        let (exit, _, err) = through(&served, bob_key, &args);
        assert_eq!(exit, 1, "amisim {args:?} as Bob: {err}");
        assert!(err.contains("UnauthorizedOperation"), "{err}");
    }
    // Bob releases his own claim with his own key.
    let released = ok_through(&served, bob_key, &["accounts", "release", BOB]);
    assert!(
        released.contains("Released account 222222222222"),
        "{released}"
    );
    drop(served);
    // Each refusal is in the log with the key Bob presented.
    let events = shared.events();
    for action in [
        "ReleaseAccount",
        "ClaimAccount",
        "SetPriceBook",
        "AdvanceClock",
        "ListClaims",
        "ResetCloud",
    ] {
        assert!(
            events.iter().any(|e| e.action == action
                && e.account_id == BOB
                && e.outcome == "UnauthorizedOperation"
                && e.access_key_id.as_deref() == Some(bob.0.as_str())),
            "{action} refused to Bob, with his key, in the log"
        );
    }
    assert!(events.iter().any(|e| e.outcome == "SignatureDoesNotMatch"
        && e.access_key_id.as_deref() == Some(alice.0.as_str())));
    // The administrator starts the class over: the claims stay, the rest goes.
    let served = Served::start_keyed(shared.store(), &shared.path().join("secret.key"));
    let made = ok_through(&served, (&alice.0, &alice.1), &["images", "list"]);
    assert!(made.contains("No images"), "{made}");
    let reset = ok_through(&served, admin, &["reset", "--yes"]);
    assert!(reset.contains("Reset the cloud at"), "{reset}");
    let reset = ok_through(&served, admin, &["reset", "--yes", "--json"]);
    assert!(
        reset.contains(&format!("\"reset\": \"{}\"", served.url)),
        "{reset}"
    );
    let claims = ok_through(&served, admin, &["accounts", "list"]);
    assert!(claims.contains(ALICE), "{claims}");
    let log = ok_through(&served, admin, &["events", "--json"]);
    assert!(
        !log.contains("UnauthorizedOperation"),
        "the log starts again: {log}"
    );
    assert!(log.contains("ResetCloud"), "{log}");
}

#[test]
fn through_a_server_store_and_endpoint_together_are_refused_naming_both() {
    let ws = Workspace::empty();
    let out = Command::new(amisim_binary())
        .args([
            "--store",
            "x.db",
            "--endpoint",
            "http://127.0.0.1:9",
            "clock",
            "show",
        ])
        .current_dir(ws.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--store x.db") && err.contains("--endpoint http://127.0.0.1:9"),
        "{err}"
    );
    // A server that is not there is a clear error.
    let out = Command::new(amisim_binary())
        .args(["--endpoint", "http://127.0.0.1:9", "clock", "show"])
        .env("AWS_ACCESS_KEY_ID", ALICE)
        .env("AWS_SECRET_ACCESS_KEY", "any")
        .current_dir(ws.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot reach amisim serve"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn through_a_server_aws_endpoint_url_is_the_server_unless_a_store_is_named() {
    let ws = Workspace::empty();
    let clock = |envs: &[(&str, &str)]| {
        let mut cmd = Command::new(amisim_binary());
        cmd.args(["clock", "show"])
            .current_dir(ws.path())
            .env_remove("AMISIM_STORE")
            .env_remove("AMISIM_ENDPOINT")
            .env("AWS_ACCESS_KEY_ID", ALICE)
            .env("AWS_SECRET_ACCESS_KEY", "any");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // The AWS tools' own setting names the server when amisim is told no store.
    let (code, err) = clock(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:9")]);
    assert_eq!(code, Some(1));
    assert!(err.contains("cannot reach amisim serve"), "{err}");
    // A store named for amisim wins over it; AMISIM_ENDPOINT wins over both.
    let store = ws.store().to_str().unwrap().to_string();
    let (code, err) = clock(&[
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ("AMISIM_STORE", &store),
    ]);
    assert_eq!(code, Some(1));
    // (a file, or an empty PostgreSQL database, holds no store yet)
    assert!(err.contains("no store") && err.contains(&store), "{err}");
    let (code, err) = clock(&[
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ("AMISIM_STORE", &store),
        ("AMISIM_ENDPOINT", "http://127.0.0.1:9"),
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("cannot reach amisim serve"), "{err}");
}

/// The same small cloud: two accounts, an image shared, copied and run.
fn populate(cloud: &mut amisim_simulator::Cloud) {
    use amisim_simulator::{
        AddLaunchPermission, Caller, CopyImage, Principal, RegisterImage, RunInstance,
    };
    let a = Caller::new(ALICE, "us-east-1");
    let golden = cloud
        .call(
            &a,
            &RegisterImage {
                name: "golden-web".into(),
                ..Default::default()
            },
        )
        .unwrap();
    cloud
        .call(
            &a,
            &AddLaunchPermission::new(&golden.id, &Principal::Account(BOB.into())),
        )
        .unwrap();
    cloud
        .call(
            &Caller::new(ALICE, "eu-west-1"),
            &CopyImage {
                source_image_id: golden.id.clone(),
                source_region: "us-east-1".into(),
                name: "golden-web-dr".into(),
                ..Default::default()
            },
        )
        .unwrap();
    cloud
        .call(
            &Caller::new(BOB, "us-east-1"),
            &RunInstance {
                image_id: golden.id,
                instance_type: "t3.micro".into(),
                ..Default::default()
            },
        )
        .unwrap();
}

/// Two stores holding the same small cloud, one served, with the
/// administrator's key the server printed (the local twin makes one too, so
/// both logs hold the same calls).
fn twins() -> (Workspace, Workspace, Served, (String, String)) {
    let local = Workspace::empty();
    let shared = Workspace::empty();
    populate(&mut local.cloud());
    populate(&mut shared.cloud());
    local
        .cloud()
        .call(
            &amisim_simulator::Caller::administrator(),
            &amisim_simulator::CreateAdministratorKey::default(),
        )
        .unwrap();
    let served = Served::start_keyed(shared.store(), &shared.path().join("secret.key"));
    let admin = served
        .administrator()
        .expect("the administrator's credential");
    (local, shared, served, admin)
}

#[test]
fn through_a_server_every_look_at_the_cloud_prints_what_it_prints_on_a_store() {
    let (local, _shared, served, (key, secret)) = twins();
    let admin = (key.as_str(), secret.as_str());
    let golden = local
        .amisim(&["images", "list", "--json"])
        .split('"')
        .find(|w| w.starts_with("ami-"))
        .unwrap()
        .to_string();
    for args in [
        vec!["images", "list"],
        vec!["images", "list", "--all", "--region", "us-east-1"],
        vec!["images", "show", &golden],
        vec!["images", "references", &golden],
        vec!["instances", "list"],
        vec!["snapshots", "list", "--json"],
        vec!["keys", "list"],
        vec!["permissions", "list"],
        vec!["bill"],
        vec!["recycle-bin", "list"],
        vec!["graph"],
        vec!["snapshot"],
        vec!["events", "--action", "CopyImage"],
    ] {
        let on_store = local.amisim(&args);
        let on_server = ok_through(&served, admin, &args);
        assert_eq!(on_server, on_store, "amisim {args:?}");
    }
    // A student sees their own account and the catalogue, never another's.
    let bob = pair(&ok_through(&served, admin, &["accounts", "claim", BOB]));
    let bob_key = (bob.0.as_str(), bob.1.as_str());
    let theirs = ok_through(&served, bob_key, &["images", "list", "--json"]);
    assert!(!theirs.contains("golden-web"), "{theirs}");
    let instances = ok_through(&served, bob_key, &["instances", "list"]);
    assert!(instances.contains(BOB), "{instances}");
    let snapshot = ok_through(&served, bob_key, &["snapshot"]);
    assert!(!snapshot.contains(ALICE), "{snapshot}");
}

#[test]
fn through_a_server_out_of_band_changes_act_as_the_owner_and_a_student_reaches_only_their_own() {
    let (local, shared, served, (key, secret)) = twins();
    let admin = (key.as_str(), secret.as_str());
    let images = local.amisim(&["images", "list", "--json"]);
    let ids: Vec<&str> = images
        .split('"')
        .filter(|w| w.starts_with("ami-"))
        .collect();
    let instance = local
        .amisim(&["instances", "list", "--json"])
        .split('"')
        .find(|w| w.starts_with("i-"))
        .unwrap()
        .to_string();
    let bob = pair(&ok_through(&served, admin, &["accounts", "claim", BOB]));
    let bob_key = (bob.0.as_str(), bob.1.as_str());
    // Bob cannot touch Alice's image: his key finds no such object.
    let (exit, _, err) = through(&served, bob_key, &["deregister", ids[0]]);
    assert_eq!(exit, 1);
    assert!(err.contains(&format!("no image {}", ids[0])), "{err}");
    // Bob stops his own instance with his own key.
    let stopped = ok_through(&served, bob_key, &["stop", &instance]);
    assert!(stopped.contains(&instance), "{stopped}");
    ok_through(&served, bob_key, &["start", &instance]);
    // The administrator's key makes each change as the owner, printing
    // what the change prints on the store.
    for args in [
        vec!["images", "protect", ids[1]],
        vec!["images", "unprotect", ids[1]],
        vec!["revoke", "launch-permission", ids[0], BOB],
        vec!["terminate", &instance],
        vec!["deregister", ids[1], "--delete-snapshots"],
    ] {
        let on_store = local.amisim(&args);
        let on_server = ok_through(&served, admin, &args);
        assert_eq!(on_server, on_store, "amisim {args:?}");
    }
    drop(served);
    let events = shared.events();
    assert!(events.iter().any(|e| e.action == "DeregisterImage"
        && e.account_id == ALICE
        && e.access_key_id.as_deref() == Some(key.as_str())));
}

/// `GET url` with HTTP Basic credentials, if given: status and body.
fn console_get(url: &str, pair: Option<(&str, &str)>) -> (u16, String, Option<String>) {
    use base64::Engine;
    let mut request = ureq::get(url);
    if let Some((key, secret)) = pair {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"));
        request = request.set("Authorization", &format!("Basic {token}"));
    }
    match request.call() {
        Ok(r) => (r.status(), r.into_string().unwrap_or_default(), None),
        Err(ureq::Error::Status(code, r)) => {
            let asks = r.header("www-authenticate").map(str::to_string);
            (code, r.into_string().unwrap_or_default(), asks)
        }
        Err(e) => panic!("{url}: {e}"),
    }
}

#[test]
fn through_a_server_beyond_loopback_the_console_asks_who_and_shows_a_student_only_their_own() {
    let teacher = Workspace::empty();
    let alice = pair(&teacher.amisim(&["accounts", "claim", ALICE]));
    let bob = pair(&teacher.amisim(&["accounts", "claim", BOB]));
    let served = Served::start_at(
        teacher.store(),
        &teacher.path().join("secret.key"),
        "0.0.0.0:0",
    );
    let (admin_key, admin_secret) = served.administrator().expect("the administrator's key");
    let admin = (admin_key.as_str(), admin_secret.as_str());
    let alice = (alice.0.as_str(), alice.1.as_str());
    let bob = (bob.0.as_str(), bob.1.as_str());
    // Reached from this machine, at the address it listens on for all.
    let url = served.url.replace("0.0.0.0", "127.0.0.1");
    // Each student registers an image with boto3.
    let register = |(key, secret): (&str, &str), name: &str| {
        let script = format!(
            "import boto3\nprint(boto3.client('ec2').register_image(Name='{name}', RootDeviceName='/dev/xvda', BlockDeviceMappings=[{{'DeviceName': '/dev/xvda', 'Ebs': {{'VolumeSize': 8}}}}])['ImageId'])\n"
        );
        let out = served
            .python_as(key, secret, "us-east-1")
            .env("AWS_ENDPOINT_URL", &url)
            .args(["-c", &script])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let alices = register(alice, "alice-tools");
    let bobs = register(bob, "bob-tools");
    let images = format!("{url}/console/images");

    // No credential, or a wrong one: the browser is asked to sign in.
    let (status, body, asks) = console_get(&images, None);
    assert_eq!(status, 401, "{body}");
    assert!(asks.is_some_and(|a| a.starts_with("Basic ")));
    let (status, _, _) = console_get(&images, Some((alice.0, "not-her-secret")));
    assert_eq!(status, 401);
    let (status, _, _) = console_get(&images, Some((ALICE, "any")));
    assert_eq!(status, 401, "an account ID opens no console");

    // The administrator sees the whole cloud.
    let (status, whole, _) = console_get(&images, Some(admin));
    assert_eq!(status, 200);
    assert!(whole.contains(&alices) && whole.contains(&bobs), "{whole}");
    // Alice sees her own console only: her image, not Bob's, not even by its ID.
    let (status, own, _) = console_get(&images, Some(alice));
    assert_eq!(status, 200);
    assert!(own.contains(&alices) && !own.contains(&bobs), "{own}");
    assert!(own.contains("(account 111111111111)"), "{own}");
    let (status, _, _) = console_get(&format!("{images}/{bobs}"), Some(alice));
    assert_eq!(status, 404);
    let (status, events, _) = console_get(&format!("{url}/console/events"), Some(alice));
    assert_eq!(status, 200);
    assert!(
        events.contains("alice-tools") && !events.contains("bob-tools"),
        "{events}"
    );
}
