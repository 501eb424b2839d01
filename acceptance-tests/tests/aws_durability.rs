//! `amisim serve` killed with SIGKILL under load from boto3 clients: every
//! call answered 200 is in the store, and none is half applied, also when
//! the server's process opened the store again (the console) and another
//! process wrote to it meanwhile. Bounded: seconds of load, to 127.0.0.1 only.

use std::io::Write;
use std::process::Stdio;

use amisim_acceptance_tests::serve::Served;
use amisim_acceptance_tests::Workspace;

#[test]
fn every_answer_given_before_a_sigkill_is_in_the_store_whole() {
    let ws = Workspace::empty();
    let served = Served::start(ws.store());
    let answered = script(
        &served,
        include_str!("aws/register_until_killed.py"),
        &[served.pid().to_string().as_ref()],
    );
    drop(served);
    let counts = survivors(ws.store(), &answered);
    assert!(
        counts["answered"].as_u64().unwrap() >= 8,
        "load was made: {counts}"
    );
    assert_eq!(counts["missing"], 0, "{counts}");
    assert_eq!(counts["half_applied"], 0, "{counts}");
    // At most the calls in flight when it was killed were applied unanswered.
    let extra = counts["stored"].as_u64().unwrap() - counts["answered"].as_u64().unwrap();
    assert!(extra <= 8, "{counts}");
}

/// Opening the store again in the server's process (each console page does)
/// must not drop the locks of the server's own connection: otherwise the
/// next process to close the store deletes the server's write-ahead log
/// under it, and every call answered after that is lost at the next kill.
#[test]
fn a_console_page_and_a_writer_beside_the_server_lose_no_answered_call() {
    let ws = Workspace::empty();
    let served = Served::start(ws.store());
    let out = script(
        &served,
        include_str!("aws/console_beside_writer.py"),
        &[
            served.pid().to_string().as_ref(),
            served.url.as_ref(),
            amisim_acceptance_tests::amisim_binary().as_os_str(),
            ws.store().as_os_str(),
        ],
    );
    drop(served);
    let seen: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        seen["deleted"],
        serde_json::json!([]),
        "the server wrote to files deleted under it"
    );
    let counts = survivors(ws.store(), &serde_json::to_vec(&seen["answered"]).unwrap());
    assert!(
        counts["answered"].as_u64().unwrap() >= 120,
        "load was made: {counts}"
    );
    assert_eq!(counts["missing"], 0, "{counts}");
    assert_eq!(counts["half_applied"], 0, "{counts}");
}

/// Runs the boto3 `source` (as account 111111111111 in us-east-1) with
/// `args` against `served`; what it printed, once it succeeded.
fn script(served: &Served, source: &str, args: &[&std::ffi::OsStr]) -> Vec<u8> {
    served.script("111111111111", source, args)
}

/// Counts, through a new server on `store`, which of the images `answered`
/// (account → image IDs, as JSON) are missing or half applied.
fn survivors(store: &std::path::Path, answered: &[u8]) -> serde_json::Value {
    let restarted = Served::start(store);
    let mut check = restarted
        .python("111111111111", "us-east-1")
        .arg("-c")
        .arg(include_str!("aws/count_survivors.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    check.stdin.take().unwrap().write_all(answered).unwrap();
    let counted = check.wait_with_output().unwrap();
    assert!(
        counted.status.success(),
        "{}",
        String::from_utf8_lossy(&counted.stderr)
    );
    serde_json::from_slice(&counted.stdout).unwrap()
}

/// A call that cannot get the store in time (another process holds its
/// write lock) is answered 503 `ServiceUnavailable` before any client gives
/// up, and is never applied later; botocore's retries then apply it once.
#[test]
fn a_call_that_cannot_get_the_store_in_time_is_answered_503_and_never_applied() {
    let ws = Workspace::empty();
    let served = Served::start_with(
        ws.store(),
        &ws.store().with_extension("no-key"),
        &["--lock-wait", "2"],
    );
    let out = script(
        &served,
        include_str!("aws/store_held_elsewhere.py"),
        &[ws.store().as_os_str(), "3".as_ref()],
    );
    let seen: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        seen,
        serde_json::json!({
            "refused": ["503 ServiceUnavailable", "503 ServiceUnavailable", "503 ServiceUnavailable", "503 ServiceUnavailable"],
            "answered_while_held": true,
            "refused_stored": [],
            "retried_attempts": true,
            "retried_stored": ["retried"],
        })
    );
}
