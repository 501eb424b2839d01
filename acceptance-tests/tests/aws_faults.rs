//! Fault rules through the AWS API: botocore's own retry modes (legacy,
//! standard, adaptive) retry the errors a rule injects, as they retry AWS's,
//! and a pipeline without retries stops at the same call every time.

use std::process::Command;

use amisim_acceptance_tests::amisim_binary;
use amisim_acceptance_tests::serve::Served;
use amisim_acceptance_tests::Workspace;

/// The accounts of the runs: each run's rules match its own account only.
const RUNS: [(&str, &str, u32); 4] = [
    ("111111111111", "legacy", 0),
    ("222222222222", "standard", 0),
    ("333333333333", "adaptive", 0),
    ("444444444444", "standard", 1),
];

/// Runs `amisim ARGS…` through the server with the administrator's key.
fn administrator(served: &Served, args: &[&str]) -> String {
    let (key, secret) = served.administrator().expect("a new store's administrator");
    let out = Command::new(amisim_binary())
        .arg("--endpoint")
        .arg(&served.url)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env_remove("AMISIM_STORE")
        .env_remove("AMISIM_ENDPOINT")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("amisim runs");
    assert!(
        out.status.success(),
        "amisim {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

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
            administrator(&served, &args);
        }
    }
    let runs: Vec<(&str, &str, u32)> = RUNS.to_vec();
    let out = served
        .python("111111111111", "us-east-1")
        .args(["-c", include_str!("aws/retry_modes.py")])
        .arg(serde_json::to_string(&runs).unwrap())
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = serde_json::from_slice(&out.stdout).unwrap();
    (seen, administrator(&served, &["snapshot"]))
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
