//! The scenario library (`examples/*`) under the real Terraform CLI.
//!
//! Each test is one lesson: it applies the example as a newcomer would, checks
//! that a second plan shows no changes, runs the refused variants behind the
//! example's variables and asserts their AWS error codes, snapshots the
//! outputs, the monthly bill and the event log, then destroys everything and
//! checks that only what the lesson says survives is left in the store.

use std::cell::{Cell, RefCell};

use amisim_acceptance_tests::{event_line, repo_root, TfOutput, Workspace};
use amisim_simulator::billing::Bill;
use amisim_simulator::catalogue::{usd, PriceBook};
use amisim_simulator::store::Filter;
use amisim_simulator::{
    inventory, Caller, CancelLaunchPermission, InstanceState, Principal, RunInstance, StoredImage,
};
use amisim_simulator::{
    DeleteVolume, DeregisterImage, DescribeImage, DescribeInstance, DescribeKey,
    DescribeLaunchPermission, TerminateInstance,
};
use serde_json::Value;

const PLATFORM: &str = "111111111111";
const APP: &str = "222222222222";

/// One example under test: its workspace and its event log, phase by phase.
///
/// Terraform walks independent resources in an order that varies from run to
/// run, even at `-parallelism=1`. So the log kept here is cut into phases (an
/// apply, a refused apply, an out-of-band call, a destroy), and within a phase
/// the calls are in the log's canonical order (their time, which depends on
/// what they depend on, then what they are), never the order they came in.
struct Scenario {
    ws: Workspace,
    /// The last commit number a phase took.
    seen: Cell<i64>,
    log: RefCell<String>,
}

impl Scenario {
    /// Applies the example, and checks that plan, refresh and plan again show no changes.
    fn start(example: &str) -> Scenario {
        let scenario = Scenario {
            ws: Workspace::from_example(example),
            seen: Cell::new(0),
            log: RefCell::new(String::new()),
        };
        scenario.ws.apply_and_converge();
        scenario.phase("terraform apply");
        // The lesson's picture in the tutorial is this cloud's graph.
        let graph = scenario.ws.amisim(&["graph"]);
        let file = repo_root()
            .join("docs/graphs")
            .join(format!("{example}.mmd"));
        if std::env::var_os("AMISIM_UPDATE_DOCS").is_some() {
            std::fs::create_dir_all(file.parent().expect("a folder")).expect("docs/graphs");
            std::fs::write(&file, &graph).expect("write the graph");
        } else {
            let committed = std::fs::read_to_string(&file).unwrap_or_default();
            assert_eq!(
                committed,
                graph,
                "{} is stale: run make docs",
                file.display()
            );
        }
        scenario
    }

    /// Closes a phase: the calls committed since the last one, with their
    /// times, go into the log under `title`, in the log's canonical order. (A
    /// command that changed nothing moved no clock, so its reads may sort
    /// among the next command's: a phase is cut by commit number.)
    fn phase(&self, title: &str) {
        let mut events =
            amisim_simulator::Cloud::open_store_read_only(&self.ws.store().to_string_lossy())
                .expect("the store opens")
                .store()
                .read(|tx| tx.committed_after(self.seen.get()))
                .expect("the event log");
        if let Some(last) = events.iter().filter_map(|e| e.commit).max() {
            self.seen.set(last);
        }
        events.sort_by_key(|e| e.seq);
        let lines: Vec<String> = events.iter().map(event_line).collect();
        let mut log = self.log.borrow_mut();
        log.push_str(&format!("## {title}\n"));
        for line in lines {
            log.push_str(&line);
            log.push('\n');
        }
    }

    /// Applies with `-var VARIABLE=true`, which must fail with `code`; then
    /// applies the main configuration again (removing what the refused variant
    /// created before it failed) and checks that the plan is empty. Returns the
    /// refused apply's output.
    fn refused(&self, variable: &str, code: &str) -> TfOutput {
        let var = format!("{variable}=true");
        let out = self.ws.apply_with_expect_error(&["-var", &var], code);
        self.phase(&format!("terraform apply -var {var}: {code}"));
        self.ws.apply();
        self.ws.assert_plan_empty();
        self.phase("terraform apply");
        out
    }

    /// `terraform destroy`.
    fn destroy(&self) {
        self.ws.destroy();
        self.phase("terraform destroy");
    }

    /// The event log, phase by phase.
    fn log(&self) -> String {
        self.log.borrow().clone()
    }
}

impl std::ops::Deref for Scenario {
    type Target = Workspace;

    fn deref(&self) -> &Workspace {
        &self.ws
    }
}

/// Whether the diagnostics say `phrase`; Terraform wraps long lines, so any
/// run of whitespace matches any other.
/// The monthly bill of every account, from the simulator.
fn bill(ws: &Scenario) -> Vec<Bill> {
    ws.cloud().bill(None).expect("bill")
}

/// The amount of one bill line, monthly or one-off, in micro-dollars (0 when the line is absent).
fn line(bills: &[Bill], account: &str, region: &str, category: &str) -> i64 {
    bills
        .iter()
        .filter(|b| b.account_id == account)
        .flat_map(|b| b.lines.iter().chain(&b.one_off))
        .filter(|l| l.region == region && l.category.as_str() == category)
        .map(|l| l.amount_micros)
        .sum()
}

/// A string attribute of a resource or output value.
fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("a string: {v}"))
        .to_string()
}

/// What outlives `terraform destroy`, outside the public catalogue, one line
/// each: available images, instances that are not terminated, snapshots and
/// bundles, enabled keys, grants, launch and storage permissions, and the bill
/// lines they (and the one-off charges already paid) still add up to.
fn survivors(ws: &Scenario) -> String {
    let mut cloud = ws.cloud();
    let all = Filter::default();
    let mut lines = cloud
        .store()
        .read(|tx| {
            let mut lines = Vec::new();
            for i in inventory::images(tx, all, false, false)? {
                lines.push(format!(
                    "image {} {} {} {}",
                    i.id, i.region, i.owner_id, i.name
                ));
            }
            for i in inventory::instances(tx, all)? {
                if i.state != InstanceState::Terminated {
                    lines.push(format!(
                        "instance {} {} {} {}",
                        i.id,
                        i.region,
                        i.owner_id,
                        i.state.as_str()
                    ));
                }
            }
            for s in inventory::storage(tx, all, false)? {
                let st = &s.storage;
                lines.push(format!(
                    "storage {} {} {} {} GB, made for {} ({})",
                    st.id,
                    st.region,
                    st.owner_id,
                    st.size_gb,
                    st.created_for_image,
                    s.image_state.map_or("gone", |state| state.as_str())
                ));
            }
            for k in inventory::keys(tx, all)? {
                if k.key.state == "Enabled" {
                    let kind = if k.key.aws_managed {
                        "AWS managed alias/aws/ebs"
                    } else {
                        "customer managed"
                    };
                    lines.push(format!(
                        "key {} {} {} {kind}",
                        k.key.id, k.key.region, k.key.owner_id
                    ));
                }
                for g in k.grants {
                    lines.push(format!("grant {} to {}", g.key_arn, g.grantee_account_id));
                }
            }
            for p in inventory::launch_permissions(tx, all, false)? {
                lines.push(format!(
                    "launch permission {} for {}",
                    p.image_id,
                    p.principal.as_str()
                ));
            }
            for p in inventory::storage_permissions(tx, all)? {
                lines.push(format!(
                    "storage permission {} for {}",
                    p.storage_id, p.account_id
                ));
            }
            for o in tx.list::<StoredImage>(all)? {
                lines.push(format!(
                    "stored image s3://{} {} {} of {}",
                    o.id, o.region, o.account_id, o.image_id
                ));
            }
            Ok(lines)
        })
        .expect("the store reads");
    for b in cloud.bill(None).expect("bill") {
        for l in b.lines.iter().chain(&b.one_off) {
            let once = l
                .month
                .as_ref()
                .map(|m| format!(" once, in {m}"))
                .unwrap_or_default();
            lines.push(format!(
                "bill {} {} {}: {} {} ${}{once}",
                b.account_id,
                l.region,
                l.category,
                l.quantity,
                l.unit,
                usd(l.amount_micros, 4)
            ));
        }
    }
    lines.join("\n")
}

#[test]
fn golden_ami_boots_faster_than_base_image_plus_user_data() {
    let ws = Scenario::start("golden-ami");
    let outputs = ws.outputs();
    let base = outputs["boot_time_from_base_seconds"].as_i64().unwrap();
    let golden = outputs["boot_time_from_golden_seconds"].as_i64().unwrap();
    assert!(golden < base, "golden {golden}s < base {base}s");
    assert!(text(&outputs["base_image"]).contains("owner amazon"));
    let r = ws.resources();
    assert_eq!(
        r["amisim_image.golden"]["source_instance_id"],
        r["amisim_instance.builder"]["id"]
    );
    assert_eq!(r["amisim_image.golden"]["owner_id"], PLATFORM);
    // One AMI, many instances.
    assert_eq!(outputs["web_servers"].as_array().map(Vec::len), Some(2));
    for n in 0..2 {
        assert_eq!(
            r[&format!("amisim_instance.web[{n}]")]["ami"],
            r["amisim_image.golden"]["id"]
        );
    }
    assert_eq!(
        (base, golden),
        (30 + 2 * 45 + 1, 30 + 2),
        "30 s to boot, 45 s per package, 1 s per step that installs nothing"
    );
    // Every base family, from its publisher's account as in AWS; Red Hat
    // and Windows carry their licence.
    let families = &outputs["base_image_families"];
    for (family, owner, licence) in [
        ("Amazon Linux", "137112412989", "none"),
        ("Ubuntu", "099720109477", "none"),
        ("Debian", "136693071363", "none"),
        ("Fedora", "125523088429", "none"),
        ("Red Hat", "309956199498", "bp-6fa54006"),
        ("Windows", "801119661308", "bp-6ba54002"),
    ] {
        let line = text(&families[family]);
        assert!(
            line.contains(&format!("owner {owner};"))
                && line.contains(&format!("billing products: {licence}")),
            "{family}: {line}"
        );
    }
    // Whose images to trust must be said: most_recent without owners is refused.
    let out = ws.refused("try_no_owners", "InvalidParameterCombination");
    assert!(
        out.says("could pick an image published by anyone"),
        "{}",
        out.stderr
    );
    insta::assert_json_snapshot!("golden_ami_outputs", outputs);
    insta::assert_json_snapshot!("golden_ami_bill", bill(&ws));

    ws.destroy();
    insta::assert_snapshot!("golden_ami_events", ws.log());
    let left = survivors(&ws);
    assert_eq!(left, "", "nothing survives the golden AMI pipeline");
}

#[test]
fn disaster_recovery_copies_the_image_to_the_second_region() {
    let ws = Scenario::start("disaster-recovery");
    let outputs = ws.outputs();
    let primary = &outputs["primary_image_id"];
    let dr = &outputs["dr_image"];
    assert_ne!(&outputs["dr_image_id"], primary, "a copy is a new image");
    assert_eq!(dr["region"], "us-west-2");
    assert_eq!(&dr["source_image_id"], primary);
    assert_eq!(dr["source_image_region"], "us-east-1");
    insta::assert_json_snapshot!("disaster_recovery_outputs", outputs);

    // Without the copy, the second region does not know the image.
    let out = ws.refused("try_refused", "InvalidAMIID.NotFound");
    assert!(
        out.says("does not exist") && out.says("in us-west-2"),
        "{}",
        out.stderr
    );

    // Storage in both regions; the transfer is charged to the source's owner.
    let bills = bill(&ws);
    assert_eq!(
        line(&bills, PLATFORM, "us-east-1", "data-transfer"),
        20 * 20_000
    );
    assert_eq!(
        line(&bills, PLATFORM, "us-west-2", "ebs-snapshot-storage"),
        20 * 50_000
    );
    insta::assert_json_snapshot!("disaster_recovery_bill", bills);

    ws.destroy();
    insta::assert_snapshot!("disaster_recovery_events", ws.log());
    // The data transfer was paid once; it stays on the month's bill.
    let left = survivors(&ws);
    insta::assert_snapshot!("disaster_recovery_after_destroy", left);
    assert!(left.lines().all(|l| l.contains("data-transfer")), "{left}");
}

#[test]
fn cross_account_sharing_lends_launch_rights_and_a_copy_gives_ownership() {
    let ws = Scenario::start("cross-account-sharing");
    let outputs = ws.outputs();
    assert_eq!(outputs["shared_image_owner"], PLATFORM);
    assert_eq!(outputs["app_instance"]["owner_id"], APP);
    assert_eq!(outputs["app_instance"]["ami"], outputs["shared_image_id"]);
    assert_eq!(outputs["app_copy"]["owner_id"], APP);
    assert_eq!(
        outputs["app_copy"]["source_image_id"],
        outputs["shared_image_id"]
    );
    insta::assert_json_snapshot!("cross_account_sharing_outputs", outputs);

    // Private by default: the owner launches its image with no permission for
    // itself (the implicit one), while a third account and another region see nothing.
    let image_id = text(&outputs["shared_image_id"]);
    let mut cloud = ws.cloud();
    let owner = Caller::new(PLATFORM, "us-east-1");
    assert!(cloud
        .call(
            &owner,
            &DescribeLaunchPermission::new(&image_id, &Principal::Account(PLATFORM.into()))
        )
        .unwrap()
        .is_none());
    let own = cloud
        .call(
            &owner,
            &RunInstance {
                image_id: image_id.clone(),
                instance_type: "t3.micro".into(),
                ..Default::default()
            },
        )
        .expect("the owner may always launch its image");
    assert!(cloud
        .call(&owner, &TerminateInstance::new(&own.id))
        .unwrap());
    assert_eq!(
        cloud
            .call(
                &Caller::new("333333333333", "us-east-1"),
                &DescribeImage::new(&image_id)
            )
            .unwrap(),
        None
    );
    assert!(
        cloud
            .call(
                &Caller::new(APP, "us-west-2"),
                &DescribeImage::new(&image_id)
            )
            .is_err_and(|e| e.code() == "InvalidAMIID.NotFound")
            || cloud
                .call(
                    &Caller::new(APP, "us-west-2"),
                    &DescribeImage::new(&image_id)
                )
                .unwrap()
                .is_none()
    );
    drop(cloud);
    ws.phase("amisim: the owner launches and terminates an instance; others look");

    // Launch rights do not make the other account an owner: it cannot share.
    let out = ws.refused("try_refused", "AuthFailure");
    assert!(out.says("owned by account 111111111111"), "{}", out.stderr);
    // A copy by another account needs read permission on the storage.
    let out = ws.refused("try_copy_without_storage_permission", "InvalidRequest");
    assert!(
        out.says("You do not have permission to access the storage of this ami"),
        "{}",
        out.stderr
    );

    // The owner pays for the shared image's snapshot; the other account for
    // its instance and its copy's snapshot.
    let bills = bill(&ws);
    assert_eq!(
        line(&bills, PLATFORM, "us-east-1", "instance-hours"),
        0,
        "the owner does not pay for the other account's instance"
    );
    assert!(line(&bills, APP, "us-east-1", "instance-hours") > 0);
    assert_eq!(
        line(&bills, APP, "us-east-1", "ebs-snapshot-storage"),
        8 * 50_000
    );
    insta::assert_json_snapshot!("cross_account_sharing_bill", bills);

    // Shared with an OU: the management account admits the members, and the
    // share reaches the OU's member, not another member of the organization.
    let organization = ["-var", "share_with_organization=true"];
    ws.apply_with(&organization);
    ws.assert_plan_empty_with(&organization);
    ws.phase("terraform apply -var share_with_organization=true");
    let share = ws.outputs()["organization_share"].clone();
    assert_eq!(share["instance_owner"], APP);
    assert!(
        text(&share["ou_arn"]).starts_with(&format!(
            "{}/ou-",
            text(&share["organization_arn"]).replace(":organization/", ":ou/")
        )),
        "{share}"
    );
    let out = ws.apply_with_expect_error(
        &[&organization[..], &["-var", "try_outside_the_ou=true"]].concat(),
        "InvalidAMIID.NotFound",
    );
    assert!(
        out.says("is not shared with account 333333333333"),
        "{}",
        out.stderr
    );
    ws.phase("terraform apply -var share_with_organization=true -var try_outside_the_ou=true: InvalidAMIID.NotFound");

    ws.destroy();
    insta::assert_snapshot!("cross_account_sharing_events", ws.log());
    assert_eq!(survivors(&ws), "", "nothing survives");
}

#[test]
fn encryption_keys_grants_and_the_managed_key_that_cannot_be_shared() {
    let ws = Scenario::start("encryption");
    let r = ws.resources();
    let key_arn = text(&r["amisim_kms_key.images"]["arn"]);
    assert_eq!(r["amisim_image.plain"]["encrypted"], false);
    assert_eq!(r["amisim_image_copy.encrypted"]["encrypted"], true);
    assert_eq!(r["amisim_image_copy.encrypted"]["kms_key_id"], key_arn);
    assert_eq!(r["amisim_image_copy.app"]["owner_id"], APP);
    assert_eq!(
        r["amisim_image_copy.app"]["kms_key_id"],
        r["amisim_kms_key.app"]["arn"]
    );
    let managed = text(&r["amisim_image.managed"]["kms_key_id"]);
    let mut cloud = ws.cloud();
    let key = cloud
        .call(
            &Caller::new(PLATFORM, "us-east-1"),
            &DescribeKey::new(&managed),
        )
        .unwrap()
        .expect("the managed key");
    assert!(key.aws_managed, "{managed} is alias/aws/ebs");
    drop(cloud);
    insta::assert_json_snapshot!("encryption_outputs", ws.outputs());

    let out = ws.refused("try_unencrypted_copy", "InvalidParameterCombination");
    assert!(out.says("copy must be encrypted too"), "{}", out.stderr);
    let out = ws.refused("try_share_managed_key", "InvalidParameter");
    assert!(out.says("AWS managed key"), "{}", out.stderr);
    let out = ws.refused("try_without_grant", "AccessDeniedException");
    assert!(
        out.says("not shared with account 222222222222"),
        "{}",
        out.stderr
    );
    insta::assert_json_snapshot!("encryption_bill", bill(&ws));

    ws.destroy();
    insta::assert_snapshot!("encryption_events", ws.log());
    // Customer managed keys are scheduled for deletion; the AWS managed key
    // of the platform account stays, as it does in AWS (and costs nothing).
    let left = survivors(&ws);
    insta::assert_snapshot!("encryption_after_destroy", left);
    assert_eq!(
        left,
        format!(
            "key {} us-east-1 {PLATFORM} AWS managed alias/aws/ebs",
            managed.rsplit('/').next().unwrap()
        )
    );
}

#[test]
fn billing_products_cannot_be_copied_but_survive_launch_then_image() {
    let ws = Scenario::start("billing-products");
    let r = ws.resources();
    let marketplace = r["data.amisim_image.wordpress"]["billing_products"].clone();
    assert_eq!(marketplace, serde_json::json!(["prod-wordpress-bitnami"]));
    assert_eq!(r["amisim_image.wordpress"]["billing_products"], marketplace);
    assert_eq!(r["amisim_image.wordpress"]["owner_id"], PLATFORM);
    assert_eq!(
        r["amisim_image_copy.wordpress_dr"]["billing_products"],
        marketplace
    );
    assert_eq!(
        r["amisim_instance.windows"]["billing_products"],
        serde_json::json!(["bp-6ba54002"])
    );
    insta::assert_json_snapshot!("billing_products_outputs", ws.outputs());

    let out = ws.refused("try_refused", "InvalidRequest");
    assert!(
        out.says("BillingProduct") && out.says("source_instance_id"),
        "the refusal names the way around it: {}",
        out.stderr
    );

    // t3.medium Windows: 2 vCPUs of licence; two WordPress instances: the fee.
    let bills = bill(&ws);
    assert_eq!(
        line(&bills, PLATFORM, "us-east-1", "software-fees"),
        730 * (2 * 4_600 + 2 * 10_000)
    );
    insta::assert_json_snapshot!("billing_products_bill", bills);

    ws.destroy();
    insta::assert_snapshot!("billing_products_events", ws.log());
    let left = survivors(&ws);
    insta::assert_snapshot!("billing_products_after_destroy", left);
    assert!(left.lines().all(|l| l.contains("data-transfer")), "{left}");
}

#[test]
fn deregistration_keeps_instances_copies_and_snapshots_but_refuses_launches() {
    let ws = Scenario::start("deregistration");
    let outputs = ws.outputs();
    insta::assert_json_snapshot!("deregistration_outputs", outputs);
    let original = text(&outputs["original_image_id"]);
    let copy = text(&outputs["copy_id"]);
    let instance = text(&outputs["instance_id"]);
    let east = Caller::new(PLATFORM, "us-east-1");
    let west = Caller::new(PLATFORM, "us-west-2");
    let before = bill(&ws);
    insta::assert_json_snapshot!("deregistration_bill", before);

    // Out of band, as `amisim deregister` does: keep the snapshot.
    assert!(ws
        .cloud()
        .call(&east, &DeregisterImage::new(&original, false))
        .unwrap());
    ws.phase("amisim deregister (out of band)");
    let mut cloud = ws.cloud();
    let running = cloud
        .call(&east, &DescribeInstance::new(&instance))
        .unwrap()
        .unwrap();
    assert_eq!(
        running.state,
        InstanceState::Running,
        "instances keep running"
    );
    let survivor = cloud
        .call(&west, &DescribeImage::new(&copy))
        .unwrap()
        .unwrap();
    assert!(survivor.is_available(), "the copy is unaffected");
    drop(cloud);
    assert_eq!(
        bill(&ws),
        before,
        "deregistering stops no charge: the instance and the kept snapshot cost as before"
    );

    // Terraform sees the image gone and wants it back; the instance and the
    // copy name its ID, so they would be replaced too.
    let actions = ws.planned_actions();
    for expected in [
        ("amisim_image.v1", "create"),
        ("amisim_instance.web", "replace"),
        ("amisim_image_copy.v1_dr", "replace"),
    ] {
        assert!(
            actions.contains(&(expected.0.into(), expected.1.into())),
            "{actions:?}"
        );
    }

    // New launches are refused. -refresh=false keeps Terraform from acting on
    // the drift, so that the launch is the only change.
    let out = ws.apply_with_expect_error(
        &["-refresh=false", "-var", "try_refused=true"],
        "InvalidAMIID.Unavailable",
    );
    ws.phase("terraform apply -refresh=false -var try_refused=true: InvalidAMIID.Unavailable");
    assert!(out.says(&original), "{}", out.stderr);

    // Applying puts a new app-v1 back (and replaces what used the old one);
    // destroying it keeps its snapshot (delete_snapshots_on_destroy = false).
    ws.apply_and_converge();
    ws.phase("terraform apply (a new app-v1)");
    ws.destroy();
    insta::assert_snapshot!("deregistration_events", ws.log());
    let left = survivors(&ws);
    insta::assert_snapshot!("deregistration_after_destroy", left);
    let kept: Vec<&str> = left.lines().filter(|l| l.starts_with("storage ")).collect();
    assert_eq!(kept.len(), 2, "two kept snapshots: {left}");
    assert!(kept.iter().all(|l| l.ends_with("(deregistered)")), "{left}");
    assert!(
        kept.iter()
            .any(|l| l.contains(&format!("made for {original}"))),
        "{left}"
    );
    assert_eq!(
        line(&bill(&ws), PLATFORM, "us-east-1", "ebs-snapshot-storage"),
        16 * 50_000,
        "kept snapshots go on costing"
    );
}

#[test]
fn instance_store_cannot_stop_or_be_imaged_and_loses_its_root_data() {
    let ws = Scenario::start("instance-store");
    let outputs = ws.outputs();
    let instances = &outputs["instances"];
    assert_eq!(
        instances["instance_store"]["root_device_type"],
        "instance-store"
    );
    assert_eq!(instances["ebs"]["state"], "stopped");
    assert!(
        instances["instance_store"]["boot_time_seconds"].as_i64()
            > instances["ebs"]["boot_time_seconds"].as_i64()
    );
    assert!(
        text(&outputs["storage"]["web-instance-store-v1"]["storage_ids"][0]).starts_with("bundle-")
    );
    // An instance-store-backed image is copied like an EBS-backed one: a new bundle.
    let copied =
        text(&outputs["storage"]["web-instance-store-v1 (us-west-2 copy)"]["storage_ids"][0]);
    assert!(copied.starts_with("bundle-"), "{copied}");
    assert_ne!(
        copied,
        text(&outputs["storage"]["web-instance-store-v1"]["storage_ids"][0])
    );
    insta::assert_json_snapshot!("instance_store_outputs", outputs);

    let out = ws.refused("try_stop", "UnsupportedOperation");
    assert!(out.says("cannot be stopped"), "{}", out.stderr);
    let out = ws.refused("try_image", "UnsupportedOperation");
    assert!(
        out.says("CreateImage works only for EBS-backed instances"),
        "{}",
        out.stderr
    );

    let out = ws.refused("try_modern_type", "UnsupportedOperation");
    assert!(
        out.says("'m5d.large' does not support instance-store-backed AMIs"),
        "{}",
        out.stderr
    );

    // The stopped EBS instance costs no hours; the bundle is S3 storage. The
    // instance-store instance runs on an m3.medium ($0.067 an hour).
    let bills = bill(&ws);
    assert_eq!(
        line(&bills, PLATFORM, "us-east-1", "instance-hours"),
        730 * 67_000
    );
    assert_eq!(
        line(&bills, PLATFORM, "us-east-1", "s3-bundle-storage"),
        10 * 23_000
    );
    insta::assert_json_snapshot!("instance_store_bill", bills);

    let store_instance = text(&outputs["instance_store_instance_id"]);
    let ebs_instance = text(&ws.resources()["amisim_instance.ebs"]["id"]);
    let volume = text(&outputs["ebs_root_volume_id"]);
    assert!(volume.starts_with("vol-"), "{volume}");
    ws.destroy();
    insta::assert_snapshot!("instance_store_events", ws.log());
    let me = Caller::new(PLATFORM, "us-east-1");
    let mut cloud = ws.cloud();
    let lost = cloud
        .call(&me, &DescribeInstance::new(&store_instance))
        .unwrap()
        .unwrap();
    assert_eq!(lost.state, InstanceState::Terminated);
    assert!(lost.root_data_lost, "an instance-store root is lost");
    let kept = cloud
        .call(&me, &DescribeInstance::new(&ebs_instance))
        .unwrap()
        .unwrap();
    assert!(
        !kept.root_data_lost,
        "an EBS root kept on termination (root_delete_on_termination = false) is not"
    );
    drop(cloud);
    // The kept volume outlives the destroy and goes on costing storage until deleted.
    let left = survivors(&ws);
    assert!(left.contains(&volume), "{left}");
    let bills = bill(&ws);
    assert_eq!(
        line(&bills, PLATFORM, "us-east-1", "ebs-volume-storage"),
        10 * 80_000
    );
    assert!(ws.cloud().call(&me, &DeleteVolume::new(&volume)).unwrap());
    let left = survivors(&ws);
    assert!(
        left.lines().all(|l| l.contains("data-transfer")),
        "only the copy's transfer, paid once, is left: {left}"
    );
}

#[test]
fn public_ami_is_launchable_by_anyone_but_never_encrypted() {
    let ws = Scenario::start("public-ami");
    let outputs = ws.outputs();
    assert_eq!(outputs["public_image"]["public"], true);
    assert_eq!(outputs["public_image"]["owner_id"], PLATFORM);
    assert_eq!(outputs["anyone_instance"]["owner_id"], APP);
    assert_eq!(
        ws.resources()["amisim_launch_permission.public"]["group"],
        "all"
    );
    insta::assert_json_snapshot!("public_ami_outputs", outputs);
    assert_eq!(
        ws.resources()["amisim_image_block_public_access.publisher"]["state"],
        "unblocked"
    );

    // A new account still blocks public sharing.
    let out = ws.refused("newcomer_publishes", "OperationNotPermitted");
    assert!(out.says("block-new-sharing"), "{}", out.stderr);
    assert!(
        out.says("amisim_image_block_public_access"),
        "the refusal says what to do: {}",
        out.stderr
    );

    let out = ws.refused("try_refused", "InvalidParameter");
    assert!(
        out.says("Encrypted images cannot be made public"),
        "{}",
        out.stderr
    );
    // Four more public images reach the limit of five; a fifth more is refused.
    ws.apply_with(&["-var", "extra_public_images=4"]);
    ws.phase("terraform apply -var extra_public_images=4");
    let out =
        ws.apply_with_expect_error(&["-var", "extra_public_images=5"], "ResourceLimitExceeded");
    assert!(out.says("already has 5 public images"), "{}", out.stderr);
    ws.phase("terraform apply -var extra_public_images=5: ResourceLimitExceeded");
    ws.apply();
    ws.assert_plan_empty();
    ws.phase("terraform apply");

    let bills = bill(&ws);
    assert_eq!(line(&bills, PLATFORM, "us-east-1", "instance-hours"), 0);
    insta::assert_json_snapshot!("public_ami_bill", bills);

    ws.destroy();
    insta::assert_snapshot!("public_ami_events", ws.log());
    assert_eq!(survivors(&ws), "", "nothing survives");
}

#[test]
fn cost_bills_every_account_with_storage_tiers() {
    let ws = Scenario::start("cost");
    let outputs = ws.outputs();
    insta::assert_json_snapshot!("cost_outputs", outputs);
    let bills = bill(&ws);
    insta::assert_json_snapshot!("cost_bill", bills);

    // Creating an image costs nothing: only its stored bits do, by size.
    let prices = PriceBook::default();
    assert_eq!(
        line(&bills, PLATFORM, "us-east-1", "ebs-snapshot-storage"),
        (2048 + 30) * prices.ebs_snapshot_gb_month
    );
    assert_eq!(
        outputs["image_storage_usd_per_month"]["media-archive"],
        serde_json::json!(102.4)
    );
    // Three bundles of the 10 GB an instance-store root may hold: the first S3 tier.
    let s3 = line(&bills, PLATFORM, "us-east-1", "s3-bundle-storage");
    assert_eq!(s3, 30 * 23_000);
    assert_eq!(s3, prices.s3_month_micros(30));
    assert_eq!(
        line(&bills, PLATFORM, "us-east-1", "data-transfer"),
        30 * 20_000
    );
    // Windows licence (2 vCPUs), Red Hat licence (2 vCPUs) and the OpenVPN fee;
    // the stopped spare costs nothing.
    assert_eq!(
        line(&bills, APP, "us-east-1", "software-fees"),
        730 * (2 * 4_600 + 2 * 14_400 + 70_000)
    );
    assert_eq!(
        line(&bills, APP, "us-east-1", "instance-hours"),
        730 * (83_200 + 41_600 + 8_400)
    );
    assert_eq!(
        outputs["instance_usd_per_hour"]["rhel"],
        serde_json::json!(0.0704)
    );

    ws.destroy();
    insta::assert_snapshot!("cost_events", ws.log());
    let left = survivors(&ws);
    insta::assert_snapshot!("cost_after_destroy", left);
    assert!(left.lines().all(|l| l.contains("data-transfer")), "{left}");
}

#[test]
fn protection_keeps_the_golden_image_until_its_cooldown_passes() {
    let ws = Scenario::start("protection");
    let outputs = ws.outputs();
    assert_eq!(
        outputs["protection"]["deregistration_protection"],
        "enabled-with-cooldown"
    );
    let golden = outputs["golden_id"].as_str().unwrap().to_string();

    let references = ws.amisim(&["images", "references", &golden]);
    let web = ws.resources()["amisim_instance.web"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(references.contains(&web), "{references}");
    ws.phase("amisim images references");

    // The instance goes; the image is refused.
    let out = ws.tf(&["destroy", "-auto-approve", "-no-color", "-parallelism=1"]);
    assert_ne!(out.code, 0, "a protected image is not destroyed");
    assert!(out.says("OperationNotPermitted"), "{}", out.stderr);
    assert!(
        out.says("deregistration_protection = \"disabled\""),
        "{}",
        out.stderr
    );
    assert!(ws.resources().contains_key("amisim_image.golden"));
    ws.phase("terraform destroy: OperationNotPermitted");

    ws.apply_with(&["-var", "protection=disabled"]);
    ws.assert_plan_empty_with(&["-var", "protection=disabled"]);
    ws.phase("terraform apply -var protection=disabled");
    let until = ws.outputs()["protection"]["deregistration_protected_until"].clone();
    assert!(until.is_string(), "the cooldown runs: {until}");

    let out = ws.tf(&[
        "destroy",
        "-auto-approve",
        "-no-color",
        "-var",
        "protection=disabled",
    ]);
    assert!(out.says("24-hour cooldown"), "{}", out.stderr);
    assert!(out.says(until.as_str().unwrap()), "{}", out.stderr);
    ws.phase("terraform destroy -var protection=disabled: OperationNotPermitted");

    ws.amisim(&["clock", "advance", "24h"]);
    ws.tf_ok(&[
        "destroy",
        "-auto-approve",
        "-no-color",
        "-parallelism=1",
        "-var",
        "protection=disabled",
    ]);
    ws.phase("amisim clock advance 24h; terraform destroy -var protection=disabled");
    insta::assert_snapshot!("protection_events", ws.log());
    assert_eq!(survivors(&ws), "", "nothing survives");
}

#[test]
fn retirement_deprecates_disables_deregisters_and_restores_from_the_recycle_bin() {
    let ws = Scenario::start("retirement");
    assert_eq!(ws.outputs()["offered_to_app"], 2);
    let v1 = ws.outputs()["v1_id"].as_str().unwrap().to_string();

    let deprecate = ["-var", "deprecate_v1=true"];
    ws.apply_with(&deprecate);
    ws.phase("terraform apply -var deprecate_v1=true");
    let outputs = ws.outputs();
    assert_eq!(
        outputs["v1_state"]["deprecation_time"],
        "2025-01-08T00:00:00Z"
    );
    assert_eq!(outputs["offered_to_app"], 2, "not deprecated yet");

    ws.amisim(&["clock", "advance", "8d"]);
    ws.apply_with(&deprecate);
    ws.phase("amisim clock advance 8d; terraform apply -var deprecate_v1=true");
    assert_eq!(
        ws.outputs()["offered_to_app"],
        1,
        "the application account's lookup skips the deprecated image"
    );

    ws.apply_with(&["-var", "deprecate_v1=true", "-var", "disable_v1=true"]);
    ws.phase("terraform apply -var deprecate_v1=true -var disable_v1=true");
    assert_eq!(ws.outputs()["v1_state"]["state"], "disabled");
    let app = Caller::new(APP, "us-east-1");
    let run = ws.cloud().call(
        &app,
        &RunInstance {
            image_id: v1.clone(),
            instance_type: "t3.micro".into(),
            ..RunInstance::default()
        },
    );
    let err = run.expect_err("a disabled image is not launched");
    assert_eq!(err.code(), "InvalidAMIID.Unavailable");
    assert!(err.message.contains("disabled"), "{err}");
    ws.phase("RunInstances of the disabled image by the application account");

    ws.apply_with(&["-var", "deprecate_v1=true", "-var", "keep_v1=false"]);
    ws.phase("terraform apply -var deprecate_v1=true -var keep_v1=false");
    let bin = ws.amisim(&["recycle-bin", "list"]);
    assert!(bin.contains(&v1), "{bin}");
    assert!(bin.contains("EBS_SNAPSHOT"), "{bin}");
    let bills = bill(&ws);
    assert_eq!(
        line(&bills, PLATFORM, "us-east-1", "recycle-bin-storage"),
        8 * 50_000,
        "the deleted snapshot still costs"
    );

    let restored = ws.amisim(&["recycle-bin", "restore", &v1]);
    assert!(restored.contains(&format!("Restored {v1}")), "{restored}");
    ws.phase("amisim recycle-bin restore");
    // The restored image holds its name: the configuration imports it instead of registering another.
    let out = ws.apply_expect_error("InvalidAMIName.Duplicate");
    assert!(out.says("import {"), "{}", out.stderr);
    ws.phase("terraform apply: InvalidAMIName.Duplicate");
    ws.tf_ok(&["import", "-no-color", "amisim_image.v1[0]", &v1]);
    ws.apply_and_converge();
    ws.phase("terraform import; terraform apply");
    assert_eq!(ws.outputs()["v1_id"], v1.as_str());
    assert_eq!(ws.outputs()["offered_to_app"], 2);

    ws.destroy();
    insta::assert_snapshot!("retirement_events", ws.log());
}

#[test]
fn allowed_amis_refuse_what_no_criterion_allows_and_audit_mode_only_reports() {
    let ws = Scenario::start("allowed-amis");
    let allowed = ws.outputs()["allowed"].clone();
    assert_eq!(allowed["al2023"], true);
    // In enabled state what the setting does not allow is not discoverable.
    assert_eq!(allowed["marketplace_images"], 0);
    assert_eq!(allowed["amazon_allowed"], allowed["amazon_images"]);
    // Ubuntu is found from Canonical's account, and allowed by its criterion.
    assert_eq!(allowed["ubuntu_images"], 3);
    assert_eq!(allowed["ubuntu_allowed"], 3);
    insta::assert_json_snapshot!("allowed_amis_outputs", allowed);

    let out = ws.refused("try_refused", "InvalidAMIID.NotAllowed");
    assert!(
        out.says("no Allowed AMIs criterion matches it"),
        "{}",
        out.stderr
    );

    ws.apply_with(&[
        "-var",
        "allowed_state=audit-mode",
        "-var",
        "try_refused=true",
    ]);
    ws.phase("terraform apply -var allowed_state=audit-mode -var try_refused=true");
    assert!(ws.resources().contains_key("amisim_instance.blog[0]"));
    // Audit mode hides nothing, and still reports what it would refuse.
    let audited = ws.outputs()["allowed"].clone();
    assert_eq!(audited["marketplace_images"], 3);
    assert_eq!(audited["marketplace_allowed"], 0, "still reported");
    assert!(audited["amazon_allowed"].as_u64() < audited["amazon_images"].as_u64());

    ws.apply();
    ws.assert_plan_empty();
    ws.phase("terraform apply");
    ws.destroy();
    insta::assert_snapshot!("allowed_amis_events", ws.log());
    assert_eq!(survivors(&ws), "", "nothing survives");
}

#[test]
fn ami_in_s3_stores_the_golden_image_as_an_object_and_restores_a_new_image() {
    let ws = Scenario::start("ami-in-s3");
    let outputs = ws.outputs();
    let golden = text(&outputs["golden_id"]);
    assert_eq!(
        outputs["archive"]["object"],
        format!("s3://golden-archive/{golden}.bin").as_str()
    );
    assert_eq!(outputs["archive"]["size_gb"], 20, "the whole image");
    let restored = &outputs["restored"];
    assert_eq!(restored["new_id"], true, "restoring makes a new image");
    assert_eq!(restored["from_golden"], true);
    assert_eq!(restored["owner_id"], PLATFORM);
    insta::assert_json_snapshot!("ami_in_s3_outputs", outputs);

    let listed = ws.amisim(&["buckets", "list"]);
    assert!(listed.contains(&format!("{golden}.bin")), "{listed}");
    let bills = bill(&ws);
    assert_eq!(
        line(&bills, PLATFORM, "us-east-1", "s3-stored-images"),
        20 * 23_000,
        "20 GB of S3 Standard at $0.023 per GB-month"
    );
    ws.phase("amisim buckets list");

    let out = ws.refused("try_refused", "UnsupportedOperation");
    assert!(out.says("instance-store-backed"), "{}", out.stderr);

    ws.destroy();
    insta::assert_snapshot!("ami_in_s3_events", ws.log());
    assert_eq!(
        survivors(&ws),
        "",
        "destroying the store task deletes the object, and nothing else survives"
    );
}

#[test]
fn leave_a_share_removes_the_permission_the_owner_then_sees_as_drift() {
    let ws = Scenario::start("leave-a-share");
    let outputs = ws.outputs();
    assert_eq!(outputs["app_can_launch"], 1);
    let tools = text(&outputs["tools_id"]);
    let al2023 = text(&outputs["al2023_id"]);

    let left = ws.amisim(&["leave", &tools, APP]);
    assert!(
        left.contains("Account 222222222222 left the share"),
        "{left}"
    );
    ws.phase("amisim leave");
    let permissions = ws.amisim(&["permissions", "list"]);
    assert!(!permissions.contains(&tools), "{permissions}");
    // The owner's configuration still shares it: the plan puts it back.
    ws.expect_action("amisim_launch_permission.app[0]", "create");

    ws.apply_with(&["-var", "share_with_app=false"]);
    ws.assert_plan_empty_with(&["-var", "share_with_app=false"]);
    ws.phase("terraform apply -var share_with_app=false");
    assert_eq!(ws.outputs()["app_can_launch"], 0);

    // A public image cannot be left, and an owner has no share to leave.
    let app = Caller::new(APP, "us-east-1");
    let err = ws
        .cloud()
        .call(&app, &CancelLaunchPermission::new(&al2023))
        .expect_err("a public image stays public");
    assert_eq!(err.code(), "InvalidPermission.NotFound");
    let owner = Caller::new(PLATFORM, "us-east-1");
    let err = ws
        .cloud()
        .call(&owner, &CancelLaunchPermission::new(&tools))
        .expect_err("an owner has no share of its own");
    assert_eq!(err.code(), "InvalidParameter");
    ws.phase("CancelImageLaunchPermission of a public image, and by the owner");

    ws.apply();
    ws.assert_plan_empty();
    ws.phase("terraform apply");
    assert_eq!(ws.outputs()["app_can_launch"], 1, "shared again");
    ws.destroy();
    insta::assert_snapshot!("leave_a_share_events", ws.log());
    assert_eq!(survivors(&ws), "", "nothing survives");
}

#[test]
fn image_usage_shows_watermarks_travelling_the_ancestry_and_who_runs_the_image() {
    let ws = Scenario::start("image-usage");
    let outputs = ws.outputs();
    assert_eq!(
        outputs["lineage"],
        serde_json::json!([
            "dr copy (from us-east-1)",
            "golden (from nowhere: the origin)"
        ])
    );
    assert_eq!(outputs["users"], serde_json::json!({ APP: 2 }));
    insta::assert_json_snapshot!("image_usage_outputs", outputs);

    let copy = text(&outputs["dr_copy_id"]);
    let shown = ws.amisim(&["images", "show", &copy]);
    assert!(
        shown.contains("111111111111:approved (from ami-"),
        "the copy carries the watermark: {shown}"
    );
    assert!(shown.contains("t3.*"), "and the instance types: {shown}");
    ws.phase("amisim images show");

    let out = ws.refused("try_refused", "InvalidParameterCombination");
    assert!(out.says("m5.large"), "{}", out.stderr);

    ws.destroy();
    insta::assert_snapshot!("image_usage_events", ws.log());
    assert_eq!(
        survivors(&ws),
        "bill 111111111111 us-east-1 data-transfer: 8 GB $0.1600 once, in 2025-01",
        "only the copy's transfer out of us-east-1, already paid"
    );
}
