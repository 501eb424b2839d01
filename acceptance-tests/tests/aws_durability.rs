//! `amisim serve` killed with SIGKILL under load from 8 boto3 clients: every
//! call answered 200 is in the store, and none is half applied. Bounded:
//! about a second of load once every client is answered, to 127.0.0.1 only.

use std::io::Write;
use std::process::Stdio;

use amisim_acceptance_tests::serve::Served;
use amisim_acceptance_tests::Workspace;

#[test]
fn every_answer_given_before_a_sigkill_is_in_the_store_whole() {
    let ws = Workspace::empty();
    let served = Served::start(ws.store());
    let out = served
        .python("111111111111", "us-east-1")
        .arg("-c")
        .arg(include_str!("aws/register_until_killed.py"))
        .arg(served.pid().to_string())
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(served);
    let answered = out.stdout;
    let restarted = Served::start(ws.store());
    let mut check = restarted
        .python("111111111111", "us-east-1")
        .arg("-c")
        .arg(include_str!("aws/count_survivors.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    check.stdin.take().unwrap().write_all(&answered).unwrap();
    let counted = check.wait_with_output().unwrap();
    assert!(
        counted.status.success(),
        "{}",
        String::from_utf8_lossy(&counted.stderr)
    );
    let counts: serde_json::Value = serde_json::from_slice(&counted.stdout).unwrap();
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
