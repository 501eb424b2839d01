//! The provider under fault rules (`amisim faults add`): it retries what
//! hashicorp/aws retries, says how often in a warning, and a run that was
//! retried ends with the state of one that was not.

use amisim_acceptance_tests::Workspace;

const CONFIG: &str = r#"
resource "amisim_image" "golden" {
  name = "golden"
}
resource "amisim_image_copy" "copy" {
  count             = 4
  source_ami_id     = amisim_image.golden.id
  source_ami_region = "us-east-1"
  name              = "golden-copy-${count.index}"
}
resource "amisim_instance" "web" {
  ami           = amisim_image_copy.copy[0].id
  instance_type = "t3.micro"
}
"#;

#[test]
fn an_apply_under_a_throttle_retries_and_converges_to_the_state_of_one_without() {
    let throttle = [
        "faults",
        "add",
        "CopyImage",
        "--error",
        "RequestLimitExceeded",
        "--every",
        "3",
    ];
    let capacity = [
        "faults",
        "add",
        "RunInstances",
        "--error",
        "InsufficientInstanceCapacity",
        "--times",
        "2",
    ];
    // The same rules for an account that makes no call: a cloud with the
    // same history (adding a rule dates the next command) and no fault.
    let plain = Workspace::new(CONFIG);
    for rule in [&throttle[..], &capacity[..]] {
        plain.amisim(&[rule, &["--account", "999999999999"]].concat());
    }
    plain.apply_and_converge();

    let throttled = Workspace::new(CONFIG);
    assert_eq!(
        throttled.amisim(&throttle),
        "Added fault-1: RequestLimitExceeded on every 3rd CopyImage call\n"
    );
    throttled.amisim(&capacity);
    let applied = throttled.apply_and_converge();
    for action in ["CopyImage", "RunInstances"] {
        assert!(
            applied.warns(&format!(
                "Retried {action} after AWS refused it for a while, as hashicorp/aws does"
            )),
            "{}",
            applied.all()
        );
    }
    assert!(
        applied.shows("CopyImage: RequestLimitExceeded, retried 1 time (fault rule fault-1)")
            && applied.shows(
                "RunInstances: InsufficientInstanceCapacity, retried 2 times (fault rule fault-2)"
            ),
        "{}",
        applied.all()
    );
    assert_eq!(throttled.resources(), plain.resources());
    let events = throttled.amisim(&["events", "--outcome", "error"]);
    assert_eq!(events.matches("[fault-1]").count(), 1, "{events}");
    assert_eq!(events.matches("[fault-2]").count(), 2, "{events}");
    throttled.destroy();
}

#[test]
fn a_call_refused_every_time_fails_after_hashicorp_aws_s_25_attempts() {
    let ws = Workspace::new(CONFIG);
    ws.amisim(&[
        "faults",
        "add",
        "RegisterImage",
        "--error",
        "ServiceUnavailable",
    ]);
    let out = ws.apply_expect_error("ServiceUnavailable");
    assert!(
        out.says("Still refused after 25 attempts, hashicorp/aws's limit"),
        "{}",
        out.all()
    );
    let listed = ws.amisim(&["faults", "list", "--json"]);
    let rules: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(rules[0]["injected"], 25, "{listed}");
    // Cleared, the same configuration applies.
    ws.amisim(&["faults", "clear"]);
    ws.apply_and_converge();
    ws.destroy();
}

#[test]
fn new_objects_their_owner_does_not_see_yet_are_described_again_until_they_appear() {
    let ws = Workspace::new(CONFIG);
    ws.amisim(&["faults", "add", "CopyImage", "--unseen-for", "3"]);
    ws.amisim(&["faults", "add", "RunInstances", "--unseen-for", "2"]);
    let applied = ws.apply();
    assert_eq!(applied.code, 0, "{}", applied.all());
    // The next plan's refresh meets the new objects unseen (every describe
    // of their owner in their region counts down, whatever it names),
    // describes them again as hashicorp/aws does for a new object, and finds
    // them all: the plan is empty.
    let planned = ws.tf(&["plan", "-no-color", "-detailed-exitcode", "-parallelism=1"]);
    assert_eq!(planned.code, 0, "{}", planned.all());
    assert!(
        planned.warns(
            "Retried DescribeImages after AWS refused it for a while, as hashicorp/aws does"
        ) && planned
            .shows("DescribeImages: InvalidAMIID.NotFound, retried 2 times (fault rule fault-1)"),
        "{}",
        planned.all()
    );
    ws.assert_plan_empty();
    let rules: serde_json::Value =
        serde_json::from_str(&ws.amisim(&["faults", "list", "--json"])).unwrap();
    assert!(
        rules[0]["unseen"].is_null() && rules[1]["unseen"].is_null(),
        "every object appeared: {rules:#}"
    );
    ws.destroy();
}

#[test]
fn a_pending_copy_is_waited_for_in_simulated_time_as_hashicorp_aws_waits() {
    let ws = Workspace::new(CONFIG);
    ws.amisim(&["faults", "add", "CopyImage", "--pending", "20m"]);
    let applied = ws.apply_and_converge();
    assert!(
        applied.shows("to become available, as hashicorp/aws does")
            && applied.shows("no real time passed"),
        "{}",
        applied.all()
    );
    let r = ws.resources();
    for n in 0..4 {
        assert_eq!(
            r[&format!("amisim_image_copy.copy[{n}]")]["state"],
            "available"
        );
    }
    assert_eq!(
        r["amisim_instance.web"]["ami"],
        r["amisim_image_copy.copy[0]"]["id"]
    );
    // The waiter moved the simulated clock to when the copies were ready.
    let clock = ws.amisim(&["clock", "show"]);
    assert!(clock.contains("2025-01-01T00:2"), "{clock}");
    ws.destroy();
}

#[test]
fn an_image_still_pending_after_hashicorp_aws_s_create_timeout_fails_the_apply() {
    let ws = Workspace::new(CONFIG);
    ws.amisim(&["faults", "add", "RegisterImage", "--pending", "2h"]);
    let out = ws.apply_expect_error("IncorrectState");
    assert!(
        out.says("is still pending after 40m of waiting"),
        "{}",
        out.all()
    );
}
