//! Fault rules through the AWS API: botocore's own retry modes (legacy,
//! standard, adaptive) retry the errors a rule injects, as they retry AWS's,
//! and a pipeline without retries stops at the same call every time.

use amisim_acceptance_tests::serve::Served;
use amisim_acceptance_tests::Workspace;

/// The accounts of the runs: each run's rules match its own account only.
const RUNS: [(&str, &str, u32); 4] = [
    ("111111111111", "legacy", 0),
    ("222222222222", "standard", 0),
    ("333333333333", "adaptive", 0),
    ("444444444444", "standard", 1),
];

/// The pipeline under the same rules on a new store: what each run saw,
/// and the event log as the snapshot shows it.
fn pipeline_on_a_new_store() -> (serde_json::Value, String) {
    let ws = Workspace::empty();
    let served = Served::start(ws.store());
    for (account, _, _) in RUNS {
        for rule in [
            vec![
                "RegisterImage",
                "--error",
                "InternalError",
                "--every",
                "2",
                "--times",
                "1",
            ],
            vec![
                "CopyImage",
                "--error",
                "RequestLimitExceeded",
                "--every",
                "3",
            ],
            vec![
                "DescribeImages",
                "--error",
                "ServiceUnavailable",
                "--every",
                "1",
                "--times",
                "1",
            ],
            vec![
                "RunInstances",
                "--error",
                "InsufficientInstanceCapacity",
                "--times",
                "1",
            ],
        ] {
            let mut args = vec!["faults", "add"];
            args.extend(rule);
            args.extend(["--account", account]);
            served.amisim_as_administrator(&args);
        }
    }
    let runs = serde_json::to_string(&RUNS.to_vec()).unwrap();
    let out = served.script(
        "111111111111",
        include_str!("aws/retry_modes.py"),
        &[std::ffi::OsStr::new(&runs)],
    );
    let seen = serde_json::from_slice(&out).unwrap();
    (seen, served.amisim_as_administrator(&["snapshot"]))
}

#[test]
fn botocore_s_retry_modes_retry_injected_faults_and_no_retries_stops_at_the_same_call_every_time() {
    let (seen, snapshot) = pipeline_on_a_new_store();
    let finished = serde_json::json!([
        "register 1",
        "register 2",
        "register 3",
        "copy 1",
        "copy 2",
        "copy 3",
        "describe",
        "launch"
    ]);
    // Each retrying run met four faults: the 2nd RegisterImage, the 3rd
    // CopyImage, the 1st DescribeImages and the 1st RunInstances.
    for mode in ["legacy default", "standard default", "adaptive default"] {
        assert_eq!(
            seen[mode],
            serde_json::json!({"finished": finished, "retries": 4}),
            "{mode}: {seen:#}"
        );
    }
    // With no retries the pipeline stops at the first fault, as AWS answers it.
    assert_eq!(
        seen["standard 1"],
        serde_json::json!({"finished": ["register 1"], "stopped": "500 InternalError", "retries": 0}),
        "{seen:#}"
    );
    // Every injected refusal is in the log, marked with its rule.
    let marked = snapshot
        .lines()
        .filter(|l| l.contains("\"fault\":\"fault-"))
        .count();
    assert_eq!(marked, 4 * 3 + 1, "{snapshot}");
    assert!(snapshot.contains("\n## fault rules (16)\n"), "{snapshot}");

    // On a new store the same requests under the same rules fail and succeed
    // at the same calls, byte for byte.
    assert_eq!(pipeline_on_a_new_store(), (seen, snapshot));
}

#[test]
fn boto3_s_image_available_waiter_waits_out_a_pending_copy_and_image_exists_an_unseen_one() {
    let ws = Workspace::empty();
    let served = Served::start(ws.store());
    served.amisim_as_administrator(&["faults", "add", "CopyImage", "--pending", "5m"]);
    served.amisim_as_administrator(&[
        "faults",
        "add",
        "RegisterImage",
        "--unseen-for",
        "3",
        "--account",
        "222222222222",
    ]);
    let out = served.script("111111111111", include_str!("aws/pending_waiter.py"), &[]);
    let seen: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        seen,
        serde_json::json!({
            "state": "pending",
            "launch": "InvalidAMIID.Unavailable",
            "waited": true,
            "state_after": "available",
            "launch_after": true,
            "unseen": "InvalidAMIID.NotFound",
            // The describe above was the first of three that miss it; the
            // waiter's first two miss it too, and its third finds it.
            "exists_after_describes": 3,
        })
    );
}
