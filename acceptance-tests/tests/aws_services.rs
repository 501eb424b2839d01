//! The actions beyond images that hashicorp/aws and AMI pipelines call, made
//! by boto3 against the real `amisim serve`: instances, snapshots, volumes,
//! tags, Allowed AMIs, the Recycle Bin (EC2's bin and `rbin`'s rules) and KMS
//! keys and grants, with AWS's codes for each refusal.

use amisim_acceptance_tests::serve::Served;
use amisim_acceptance_tests::Workspace;

const A: &str = "111111111111";
const B: &str = "222222222222";

#[test]
fn what_hashicorp_aws_and_pipelines_call_answers_with_aws_fields_and_codes() {
    let ws = Workspace::empty();
    let served = Served::start(ws.store());
    let out = served.boto3(A, "us-east-1", include_str!("aws/hashicorp_calls.py"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every answer is deterministic, IDs included.
    insta::assert_snapshot!("hashicorp_calls", stdout);
    // Each grantee's and owner's call is logged as the account that made it.
    let events = ws.events();
    for (action, account) in [
        ("RetireGrant", B),
        ("RevokeGrant", A),
        ("CreateGrant", A),
        ("ScheduleKeyDeletion", A),
        ("CreateRule", A),
        ("RestoreImageFromRecycleBin", A),
        ("ReplaceImageCriteriaInAllowedImagesSettings", A),
    ] {
        assert!(
            events
                .iter()
                .any(|e| e.action == action && e.account_id == account && e.outcome == "ok"),
            "{action} by {account} in the log"
        );
    }
    // The grant that allowed only DescribeKey did not let B copy.
    assert!(events
        .iter()
        .any(|e| e.action == "CopyImage" && e.account_id == B && e.outcome != "ok"));
}
