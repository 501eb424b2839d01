//! The actions and rules of `amisim serve` that the other suites do not
//! drive through botocore: dry runs answered for who may act (and making
//! nothing), product codes refused as AWS documents, the undo actions of the
//! image life cycle, tags removed, image block public access, the snapshot
//! Recycle Bin; and an unsigned request naming a claimed account's key,
//! logged as that account as a bad signature is. Organization and OU shares
//! reach exactly the accounts the management account admitted, through EC2.

use std::io::{Read, Write};

use amisim_acceptance_tests::serve::{key_pair, Served};
use amisim_acceptance_tests::Workspace;

#[test]
fn the_actions_no_other_suite_drives_answer_through_botocore() {
    let ws = Workspace::empty();
    let served = Served::start(ws.store());
    let out = served.boto3(
        "111111111111",
        "us-east-1",
        include_str!("aws/wire_coverage.py"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        seen,
        serde_json::json!({
            "dry_run": {
                "owner_modifies": "412 DryRunOperation",
                "other_modifies": "403 UnauthorizedOperation",
                "other_deregisters": "403 UnauthorizedOperation",
                "other_launches": "412 DryRunOperation",
                "owner_registers": "412 DryRunOperation",
                "owner_deregisters_missing": "400 InvalidAMIID.NotFound",
            },
            "dry_run_made_nothing": {"description": "", "instances": 0, "named_dry": 0},
            "product_codes": {"modify": "400 UnsupportedOperation", "describe": []},
            "enable_image": ["disabled", "available"],
            "disable_image_deprecation": ["2030-01-01T00:00:00.000Z", null],
            "delete_tags": [["Keep", "yes"]],
            "block_public_access": {
                "enabled": "block-new-sharing",
                "state": "block-new-sharing",
                "public_share": "400 OperationNotPermitted",
                "disabled": "unblocked",
                "public_share_after": "ok",
            },
            "snapshot_recycle_bin": {
                "binned": [true],
                "described_while_binned": "400 InvalidSnapshot.NotFound",
                "restored": true,
                "described_after": [true],
                "bin_after": 0,
            },
            "refused_as_aws_does": {
                "unencrypted_copy": "400 InvalidParameterCombination",
                "public_encrypted": "400 InvalidParameter",
                "duplicate_name": "400 InvalidAMIName.Duplicate",
                "bad_principal": "400 InvalidAMIAttributeItemValue",
                "state_at_once": "available",
            },
        })
    );
    // A dry run leaves nothing in the log: no DryRun was logged as a change.
    let events = ws.events();
    assert!(
        !events
            .iter()
            .any(|e| e.action == "RegisterImage" && e.parameters.to_string().contains("dry-image")),
        "a dry run is not logged"
    );
}

#[test]
fn an_unsigned_request_naming_a_claimed_accounts_key_is_logged_as_that_account() {
    let ws = Workspace::empty();
    let (key, _) =
        key_pair(&ws.amisim(&["accounts", "claim", "333333333333"])).expect("a key pair");
    let served = Served::start_keyed(ws.store(), &ws.path().join("secret.key"));
    let stamp = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap();
    let body = "Action=DescribeImages&Version=2016-11-15&Owner.1=self";
    let address = served.url.trim_start_matches("http://").to_string();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Amz-Date: {stamp}\r\nAuthorization: AWS4-HMAC-SHA256 Credential={key}/{}/us-east-1/ec2/aws4_request\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        &stamp[..8],
        body.len()
    );
    let mut s = std::net::TcpStream::connect(&address).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("MissingAuthenticationToken"), "{answer}");
    drop(served);
    let refused: Vec<_> = ws
        .events()
        .into_iter()
        .filter(|e| e.outcome == "MissingAuthenticationToken")
        .map(|e| (e.action, e.account_id, e.access_key_id))
        .collect();
    assert_eq!(
        refused,
        [(
            "DescribeImages".to_string(),
            "333333333333".to_string(),
            Some(key)
        )]
    );
}

#[test]
fn organization_and_ou_shares_reach_exactly_the_admitted_accounts_through_ec2() {
    let ws = Workspace::empty();
    let served = Served::start(ws.store());
    let out = served.boto3(
        "111111111111",
        "us-east-1",
        include_str!("aws/organization_shares.py"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // A copy by an admitted account still needs read permission on the
    // snapshot (InvalidRequest); to the others the image does not exist.
    let reached = |executable: &[&str], launch: [&str; 2], copy: [&str; 2]| {
        serde_json::json!({
            "executable": executable,
            "launch": {"organization": launch[0], "ou": launch[1]},
            "copy": {"organization": copy[0], "ou": copy[1]},
        })
    };
    let (ok, missing, storage) = ("ok", "400 InvalidAMIID.NotFound", "400 InvalidRequest");
    assert_eq!(
        seen,
        serde_json::json!({
            "launch_permissions": {"organization": true, "ou": true},
            "in_the_ou": reached(&["organization", "ou"], [ok, ok], [storage, storage]),
            "in_the_organization": reached(&["organization"], [ok, missing], [storage, missing]),
            "management": reached(&["organization"], [ok, missing], [storage, missing]),
            "not_admitted": reached(&[], [missing, missing], [missing, missing]),
        })
    );
}
