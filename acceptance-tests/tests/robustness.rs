//! Robustness under the real Terraform CLI: many provider processes at once, a provider
//! killed mid-apply, and stores that cannot be used.

use std::time::{Duration, Instant};

use amisim_acceptance_tests::console::Console;
use amisim_acceptance_tests::{descendants, import_blocks, named_orphans, Workspace};
use amisim_simulator::{Caller, DescribeImages};

fn own_images(ws: &Workspace, account: &str, region: &str) -> usize {
    ws.cloud()
        .call(
            &Caller::new(account, region),
            &DescribeImages {
                owners: vec!["self".into()],
                ..Default::default()
            },
        )
        .unwrap()
        .len()
}

const SCOPES: [(&str, &str, &str); 4] = [
    ("a_east", "111111111111", "us-east-1"),
    ("a_west", "111111111111", "eu-west-1"),
    ("b_east", "222222222222", "us-east-1"),
    ("b_west", "222222222222", "eu-west-1"),
];

#[test]
fn many_provider_processes_at_parallelism_50_lose_nothing() {
    let mut config = String::new();
    for (alias, account, region) in SCOPES {
        config.push_str(&format!(
            "provider \"amisim\" {{\n  alias      = \"{alias}\"\n  account_id = \"{account}\"\n  region     = \"{region}\"\n}}\n\
             resource \"amisim_image\" \"{alias}\" {{\n  provider = amisim.{alias}\n  count    = 100\n  name     = \"img-${{count.index}}\"\n}}\n\
             resource \"amisim_launch_permission\" \"{alias}\" {{\n  provider   = amisim.{alias}\n  count      = 25\n  image_id   = amisim_image.{alias}[count.index].id\n  account_id = \"333333333333\"\n}}\n"
        ));
    }
    let ws = Workspace::new(&config);
    ws.tf_ok(&["apply", "-auto-approve", "-no-color", "-parallelism=50"]);
    for (_, account, region) in SCOPES {
        assert_eq!(own_images(&ws, account, region), 100, "{account} {region}");
    }
    assert_eq!(ws.resources().len(), 4 * 125);
    let out = ws.tf(&["plan", "-no-color", "-detailed-exitcode", "-parallelism=50"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let refused = ws.events().iter().filter(|e| e.outcome != "ok").count();
    assert_eq!(refused, 0, "no false conflicts");
    ws.tf_ok(&["destroy", "-auto-approve", "-no-color", "-parallelism=50"]);
    for (_, account, region) in SCOPES {
        assert_eq!(own_images(&ws, account, region), 0);
    }
}

/// The provider's parallel apply beside a console that opens the store for
/// every page and an `amisim` command that writes to it between the
/// provider's calls: every image the apply created is in the store, and the
/// next plan is empty (no write went into a write-ahead log deleted under a
/// process).
#[test]
fn a_parallel_apply_beside_a_console_and_a_writer_loses_nothing() {
    let scopes = &SCOPES[..2];
    let mut config = String::from(
        "resource \"amisim_image\" \"seed\" {\n  provider = amisim.a_east\n  name     = \"seed\"\n}\n",
    );
    for (alias, account, region) in scopes {
        config.push_str(&format!(
            "provider \"amisim\" {{\n  alias      = \"{alias}\"\n  account_id = \"{account}\"\n  region     = \"{region}\"\n}}\n\
             resource \"amisim_image\" \"{alias}\" {{\n  provider = amisim.{alias}\n  count    = var.n\n  name     = \"img-${{count.index}}\"\n}}\n"
        ));
    }
    config.push_str("variable \"n\" {\n  type = number\n}\n");
    let ws = Workspace::new(&config);
    ws.tf_ok(&["apply", "-auto-approve", "-no-color", "-var", "n=0"]);
    let seed = ws.resources()["amisim_image.seed"]["id"]
        .as_str()
        .expect("the seed image's ID")
        .to_string();
    let console = Console::start(ws.store());
    let done = std::sync::atomic::AtomicBool::new(false);
    let writes = std::thread::scope(|scope| {
        let beside = scope.spawn(|| {
            let mut writes = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                console.page("/");
                let verb = if writes % 2 == 0 {
                    "protect"
                } else {
                    "unprotect"
                };
                ws.amisim(&["images", verb, &seed]);
                writes += 1;
            }
            writes
        });
        ws.tf_ok(&[
            "apply",
            "-auto-approve",
            "-no-color",
            "-parallelism=20",
            "-var",
            "n=100",
        ]);
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        beside.join().expect("the console and the writer ran")
    });
    assert!(
        writes >= 2,
        "the writer wrote during the apply ({writes} writes)"
    );
    // The seed image is the first scope's too.
    for (n, (_, account, region)) in scopes.iter().enumerate() {
        let expected = if n == 0 { 101 } else { 100 };
        assert_eq!(
            own_images(&ws, account, region),
            expected,
            "{account} {region}"
        );
    }
    if writes % 2 == 1 {
        ws.amisim(&["images", "unprotect", &seed]);
    }
    let out = ws.tf(&["plan", "-no-color", "-detailed-exitcode", "-var", "n=100"]);
    assert_eq!(out.code, 0, "{}", out.all());
}

#[test]
fn a_provider_killed_mid_apply_leaves_a_consistent_store_and_the_next_apply_converges() {
    let ws = Workspace::new(
        r#"
provider "amisim" {
  account_id = "111111111111"
}
resource "amisim_image" "x" {
  count = 300
  name  = "img-${count.index}"
}
"#,
    );
    let mut child = ws.spawn_tf(&["apply", "-auto-approve", "-no-color", "-parallelism=4"]);
    // Wait until the apply is under way, then kill every provider process it started.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if ws.store().exists() && own_images(&ws, "111111111111", "us-east-1") >= 30 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    for pid in descendants(child.id()) {
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if comm.starts_with("terraform-provi") {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
        }
    }
    let status = child.wait().unwrap();
    let created = own_images(&ws, "111111111111", "us-east-1");
    assert!(
        created < 300,
        "the provider was killed before the end ({created} created, {status})"
    );

    // The store opens and is consistent. Images whose create was committed but never
    // reported are refused by name, never reused; importing them on purpose converges.
    let out = ws.tf(&["apply", "-auto-approve", "-no-color", "-parallelism=4"]);
    if out.code != 0 {
        let orphans = named_orphans(&out.stderr);
        assert!(!orphans.is_empty(), "{}", out.all());
        ws.write("imports.tf", &import_blocks(&orphans));
        ws.tf_ok(&["apply", "-auto-approve", "-no-color", "-parallelism=4"]);
    }
    ws.assert_plan_empty();
    assert_eq!(own_images(&ws, "111111111111", "us-east-1"), 300);
    ws.destroy();
}

#[test]
fn unusable_stores_are_clear_errors_and_never_overwritten() {
    let body = r#"
provider "amisim" {}
resource "amisim_image" "x" {
  name = "x-image"
}
"#;
    // A store written by a newer amisim.
    let ws = Workspace::new(body);
    ws.apply();
    {
        let conn = rusqlite_free_set_user_version(ws.store(), 99);
        assert!(conn, "set user_version");
    }
    let before = std::fs::read(ws.store()).unwrap();
    let out = ws.tf(&["plan", "-no-color"]);
    assert!(
        out.stderr.contains("Store.TooNew") && out.stderr.contains("newer amisim"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read(ws.store()).unwrap(), before);

    // A truncated store.
    let ws = Workspace::new(body);
    ws.apply();
    let full = std::fs::read(ws.store()).unwrap();
    std::fs::write(ws.store(), &full[..full.len() / 2 + 100]).unwrap();
    let truncated = std::fs::read(ws.store()).unwrap();
    let out = ws.tf(&["plan", "-no-color"]);
    assert!(out.stderr.contains("Store.Damaged"), "{}", out.stderr);
    assert_eq!(std::fs::read(ws.store()).unwrap(), truncated);

    // A location where nothing can be written.
    let ws = Workspace::new(body).env("AMISIM_STORE", "/proc/amisim/cloud.db");
    let out = ws.tf(&["plan", "-no-color"]);
    assert!(
        out.stderr.contains("Store.Unavailable") && out.stderr.contains("/proc/amisim"),
        "{}",
        out.stderr
    );
}

/// Sets `PRAGMA user_version` by patching the database header (offset 60, big-endian).
fn rusqlite_free_set_user_version(path: &std::path::Path, version: u32) -> bool {
    let mut bytes = std::fs::read(path).unwrap();
    if bytes.len() < 100 {
        return false;
    }
    bytes[60..64].copy_from_slice(&version.to_be_bytes());
    std::fs::write(path, bytes).is_ok()
}

/// Mounts a small tmpfs at `dir`; false where this machine does not allow it (not root).
fn mount_tmpfs(dir: &std::path::Path, size: &str) -> bool {
    std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn a_full_disk_is_a_clear_error_and_loses_nothing_stored() {
    let ws = Workspace::new(
        r#"
provider "amisim" {}
resource "amisim_image" "x" {
  count = 200
  name  = "img-${count.index}-with-a-rather-long-name-to-fill-pages-quickly"
  tags  = { Purpose = "filling the disk of the store with many images and tags" }
}
"#,
    );
    // A new store (the public catalogue, about a megabyte) is made elsewhere
    // and copied onto a disk that leaves a few hundred kilobytes free.
    let made = tempfile::tempdir().unwrap();
    drop(amisim_simulator::Cloud::open(&made.path().join("cloud.db")).unwrap());
    let size = std::fs::metadata(made.path().join("cloud.db"))
        .unwrap()
        .len();
    let disk = tempfile::tempdir().unwrap();
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !mount_tmpfs(disk.path(), &format!("{}k", size / 1024 + 600)) {
        assert!(!is_root, "root can mount a tmpfs for this test");
        eprintln!("not root: the full-disk test needs to mount a small tmpfs and was not run");
        return;
    }
    let store = disk.path().join("cloud.db");
    std::fs::copy(made.path().join("cloud.db"), &store).unwrap();
    let ws = ws.env("AMISIM_STORE", store.to_str().unwrap());
    let out = ws.tf(&["apply", "-auto-approve", "-no-color", "-parallelism=1"]);
    let stored_after_failure = if out.code != 0 {
        assert!(
            out.stderr.contains("Store.Unavailable") && out.stderr.contains("full"),
            "a full disk is named: {}",
            out.stderr
        );
        // Whatever was stored before the disk filled up is still there and readable.
        let mut cloud =
            amisim_simulator::Cloud::open_read_only(&store).expect("the store still opens");
        let images = cloud.store().read(|tx| {
            tx.count::<amisim_simulator::Image>(amisim_simulator::store::Filter {
                account: Some("123456789012"),
                ..Default::default()
            })
        });
        let _ = std::process::Command::new("umount")
            .arg(disk.path())
            .status();
        images.expect("readable")
    } else {
        let _ = std::process::Command::new("umount")
            .arg(disk.path())
            .status();
        panic!("the disk did not fill up; make the tmpfs smaller");
    };
    assert!(
        stored_after_failure > 0 && stored_after_failure < 200,
        "{stored_after_failure}"
    );
}

#[test]
fn state_of_an_earlier_shape_is_read_and_completed() {
    // State written before an attribute existed (here: public and the storage cost)
    // is read at the same schema version, and the next refresh fills the new attributes.
    let ws = Workspace::from_example("quickstart");
    ws.apply();
    let path = ws.path().join("terraform.tfstate");
    let mut state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let attrs = state["resources"][0]["instances"][0]["attributes"]
        .as_object_mut()
        .unwrap();
    attrs.remove("monthly_storage_cost_usd");
    attrs.remove("public");
    std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();
    ws.assert_plan_empty();
    ws.tf_ok(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    let r = ws.resources();
    assert_eq!(r["amisim_image.golden"]["monthly_storage_cost_usd"], 0.4);
    assert_eq!(r["amisim_image.golden"]["public"], false);
    ws.destroy();
}

#[test]
fn a_foreign_wal_beside_the_store_is_refused_and_the_store_is_untouched() {
    let ws = Workspace::new(
        r#"
provider "amisim" {}
resource "amisim_image" "x" {
  name = "x-image"
}
"#,
    );
    ws.apply();
    // The reproduction: another SQLite database's WAL, never checkpointed, over STORE-wal.
    let other = ws.path().join("other.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
         CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('not amisim');",
    )
    .unwrap();
    let wal = std::path::PathBuf::from(format!("{}-wal", ws.store().display()));
    std::fs::copy(format!("{}-wal", other.display()), &wal).unwrap();
    drop(conn);
    let _ = std::fs::remove_file(format!("{}-shm", ws.store().display()));
    let before = std::fs::read(ws.store()).unwrap();
    for args in [
        vec!["plan", "-no-color"],
        vec!["apply", "-auto-approve", "-no-color"],
        vec!["destroy", "-auto-approve", "-no-color"],
    ] {
        let out = ws.tf(&args);
        assert_ne!(out.code, 0, "{}", out.all());
        let text = out.stderr.replace('\n', " ");
        assert!(
            text.contains("Store.Damaged")
                && text.contains("does not belong")
                && text.contains("-wal"),
            "{}",
            out.stderr
        );
        assert_eq!(
            std::fs::read(ws.store()).unwrap(),
            before,
            "{args:?} changed the store"
        );
    }
    std::fs::remove_file(&wal).unwrap();
    ws.assert_plan_empty();
    ws.destroy();
}

#[test]
fn fractional_and_huge_numbers_are_diagnostics_at_the_attribute() {
    for value in [
        "8.5",
        "1e26",
        "9223372036854775808",
        "pow(2, 63)",
        "0",
        "16385",
    ] {
        let ws = Workspace::new(&format!(
            "provider \"amisim\" {{}}\nresource \"amisim_image\" \"x\" {{\n  name                = \"x-image\"\n  root_volume_size_gb = {value}\n}}\n"
        ));
        let out = ws.tf(&["validate", "-no-color"]);
        assert_ne!(out.code, 0, "{value}: {}", out.all());
        let text = out.stderr.replace('\n', " ");
        assert!(
            text.contains("Invalid root_volume_size_gb: InvalidParameterValue")
                && text.contains("root_volume_size_gb = ")
                && text.contains("16384"),
            "{value}: {}",
            out.stderr
        );
        assert!(!text.contains("untagged enum"), "{}", out.stderr);
    }
}

/// `amisim events --json --after COMMIT` on `ws`'s store.
fn followed(ws: &Workspace, commit: i64) -> Vec<amisim_simulator::Event> {
    let out = std::process::Command::new(amisim_acceptance_tests::amisim_binary())
        .arg("--store")
        .arg(ws.store())
        .args(["events", "--json", "--after", &commit.to_string()])
        .env_remove("AMISIM_STORE")
        .output()
        .expect("amisim events");
    let error = String::from_utf8_lossy(&out.stderr);
    if error.contains("no store at") {
        // The apply has not made its first call yet.
        return Vec::new();
    }
    assert!(out.status.success(), "{error}");
    serde_json::from_slice(&out.stdout).expect("events as JSON")
}

/// [`followed`]: each event's commit number and the event, without its
/// place in the canonical order (which moves as later calls sort before it).
fn committed_after(ws: &Workspace, commit: i64) -> Vec<(i64, amisim_simulator::Event)> {
    followed(ws, commit)
        .into_iter()
        .map(|e| {
            let commit = e
                .commit
                .expect("a followed event carries its commit number");
            (commit, amisim_simulator::Event { seq: 0, ..e })
        })
        .collect()
}

#[test]
fn following_the_event_log_during_a_200_resource_apply_sees_every_event_once() {
    // Four scopes of 50 images each: their clocks differ, so calls that
    // commit later often sort before earlier ones in the canonical order.
    let mut config = String::new();
    for (alias, account, region) in SCOPES {
        config.push_str(&format!(
            "provider \"amisim\" {{\n  alias      = \"{alias}\"\n  account_id = \"{account}\"\n  region     = \"{region}\"\n}}\n\
             resource \"amisim_image\" \"{alias}\" {{\n  provider = amisim.{alias}\n  count    = 50\n  name     = \"followed-${{count.index}}\"\n}}\n"
        ));
    }
    let ws = Workspace::new(&config);
    let mut apply = ws.spawn_tf(&["apply", "-auto-approve", "-no-color", "-parallelism=20"]);
    let mut seen = Vec::new();
    let mut polls = 0;
    let started = Instant::now();
    loop {
        let done = apply.try_wait().expect("the apply").is_some();
        let last = seen.last().map_or(0, |(c, _)| *c);
        seen.extend(committed_after(&ws, last));
        polls += 1;
        if done {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the apply hung"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(apply.wait().expect("the apply").success());
    // One poll after the apply: nothing more.
    let last = seen.last().map_or(0, |(c, _)| *c);
    assert!(committed_after(&ws, last).is_empty());
    // The whole log in commit order: its canonical numbers are not in that
    // order, so following the canonical numbering would miss events.
    let whole = followed(&ws, 0);
    assert!(
        whole.windows(2).any(|w| w[0].seq > w[1].seq),
        "no call sorted before an earlier one: the test shows nothing"
    );
    let whole = committed_after(&ws, 0);
    let commits: Vec<i64> = seen.iter().map(|(c, _)| *c).collect();
    let mut unique = commits.clone();
    unique.dedup();
    assert_eq!(unique, commits, "an event was seen twice");
    assert!(commits.windows(2).all(|w| w[0] < w[1]), "commit order");
    assert_eq!(seen, whole, "the followed log is the whole log, once");
    assert_eq!(whole.len(), ws.events().len());
    assert!(
        ws.events()
            .iter()
            .filter(|e| e.action == "RegisterImage")
            .count()
            == 200
    );
    eprintln!("followed {} events in {polls} polls", seen.len());
}

#[test]
fn days_past_64_bits_are_out_of_range_and_fractions_are_not_whole() {
    let rule = |days: &str| {
        format!(
            "resource \"amisim_recycle_bin_rule\" \"x\" {{\n  resource_type         = \"EC2_IMAGE\"\n  retention_period_days = {days}\n}}\n"
        )
    };
    let criterion = |days: &str| {
        format!(
            "resource \"amisim_allowed_images_settings\" \"x\" {{\n  state = \"enabled\"\n  image_criterion {{\n    creation_date_condition {{\n      maximum_days_since_created = {days}\n    }}\n  }}\n}}\n"
        )
    };
    for (config, attribute, range) in [
        (rule("1e20"), "retention_period_days", "1 to 365"),
        (rule("-1e20"), "retention_period_days", "1 to 365"),
        (criterion("1e20"), "image_criterion", "0 to 2147483647"),
    ] {
        let ws = Workspace::new(&format!("provider \"amisim\" {{}}\n{config}"));
        let out = ws.tf(&["validate", "-no-color"]);
        assert_ne!(out.code, 0, "{config}: {}", out.all());
        let text = out.stderr.replace('\n', " ");
        assert!(
            text.contains(&format!("Invalid {attribute}"))
                && text.contains("out of range")
                && text.contains("100000000000000000000 days")
                && text.contains(range),
            "{config}: {}",
            out.stderr
        );
        assert!(!text.contains("whole number of days is"), "{}", out.stderr);
        assert!(!text.contains("not a whole number"), "{}", out.stderr);
    }
    for config in [rule("2.5"), criterion("2.5")] {
        let ws = Workspace::new(&format!("provider \"amisim\" {{}}\n{config}"));
        let out = ws.tf(&["validate", "-no-color"]);
        assert_ne!(out.code, 0);
        assert!(out.stderr.contains("not a whole number"), "{}", out.stderr);
    }
}
