//! Two `amisim serve` processes on one store (a classroom's or a team's
//! PostgreSQL database, or one SQLite file), boto3 clients on both at once:
//! one cloud, every answered call applied once, no update lost, one event
//! log; and a server killed with SIGKILL beside the other loses no answered
//! call. Bounded: a few seconds of load, to 127.0.0.1 only.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::Stdio;

use amisim_acceptance_tests::serve::Served;
use amisim_acceptance_tests::Workspace;
use serde_json::{json, Value};

/// Rounds of each client in the test without a kill: 4 clients, 2 per server.
const ROUNDS: usize = 12;

#[test]
fn two_servers_on_one_store_serve_one_cloud() {
    let (ws, a, b) = two_servers();
    let made = load(&a, &[&a.url, &b.url, &ROUNDS.to_string()]);
    let clients = 4;
    let answered = clients * ROUNDS;
    // What every client made, seen through the server the other half used.
    assert_eq!(
        check(&b, &made),
        json!({
            "answered": answered, "missing": 0, "doubled": 0, "unanswered": 0,
            "shares_missing": 0, "grants_answered": answered, "grants_missing": 0,
            "grants_unanswered": 0, "copies_missing": 0, "instances_missing": 0,
        })
    );
    // Seen through the first server too.
    assert_eq!(check(&a, &made)["missing"], 0);
    drop((a, b));

    // One event log: every answered change once, each with its own commit number.
    let events: Vec<Value> =
        serde_json::from_str(&ws.amisim(&["events", "--after", "0", "--json"])).unwrap();
    let commits: BTreeSet<i64> = events
        .iter()
        .map(|e| e["commit"].as_i64().unwrap())
        .collect();
    assert_eq!(commits.len(), events.len(), "commit numbers are distinct");
    let mut changes: BTreeMap<&str, usize> = BTreeMap::new();
    for e in events.iter().filter(|e| e["outcome"] == "ok") {
        *changes.entry(e["action"].as_str().unwrap()).or_default() += 1;
    }
    let per_client = |every: usize| clients * ROUNDS.div_ceil(every);
    assert_eq!(changes["RegisterImage"], answered + 1, "{changes:?}");
    assert_eq!(changes["ModifyImageAttribute"], 2 * answered, "{changes:?}");
    assert_eq!(changes["CopyImage"], per_client(3), "{changes:?}");
    assert_eq!(changes["RunInstances"], per_client(4), "{changes:?}");
    let registered: Vec<&str> = events
        .iter()
        .filter(|e| e["action"] == "RegisterImage" && e["outcome"] == "ok")
        .map(|e| e["resource_id"].as_str().unwrap())
        .collect();
    let distinct: BTreeSet<&str> = registered.iter().copied().collect();
    assert_eq!(distinct.len(), registered.len(), "no image is made twice");
}

#[test]
fn a_server_killed_beside_another_loses_no_answered_call() {
    let (_ws, a, b) = two_servers();
    let made = load(&a, &[&a.url, &b.url, "kill", &a.pid().to_string()]);
    drop(a);
    let counts = check(&b, &made);
    assert!(
        counts["answered"].as_u64().unwrap() >= 8,
        "load was made: {counts}"
    );
    for lost in [
        "missing",
        "doubled",
        "shares_missing",
        "grants_missing",
        "copies_missing",
        "instances_missing",
    ] {
        assert_eq!(counts[lost], 0, "{lost}: {counts}");
    }
    // At most the calls in flight on the killed server (one per client of
    // it) were applied unanswered.
    assert!(counts["unanswered"].as_u64().unwrap() <= 2, "{counts}");
    assert!(
        counts["grants_unanswered"].as_u64().unwrap() <= 2,
        "{counts}"
    );
    let stopped: Vec<&Value> = made["clients"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|c| c.get("stopped"))
        .collect();
    assert_eq!(
        stopped.len(),
        2,
        "the clients of the killed server stopped: {made}"
    );
}

/// A new store and two servers on it, sealing under one key file.
fn two_servers() -> (Workspace, Served, Served) {
    let ws = Workspace::empty();
    let key = ws.path().join("server.key");
    let a = Served::start_keyed(ws.store(), &key);
    let b = Served::start_keyed(ws.store(), &key);
    (ws, a, b)
}

/// Runs two_servers_load.py with `args`; what each client's answered calls made.
fn load(served: &Served, args: &[&str]) -> Value {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    let out = served.script(
        "555555555500",
        include_str!("aws/two_servers_load.py"),
        &args,
    );
    serde_json::from_slice(&out).unwrap()
}

/// Counts through `served` what the calls in `made` left in the cloud.
fn check(served: &Served, made: &Value) -> Value {
    let mut child = served
        .python("555555555500", "us-east-1")
        .arg("-c")
        .arg(include_str!("aws/two_servers_check.py"))
        .arg(&served.url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(made.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
