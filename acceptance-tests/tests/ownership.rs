//! Nothing is ever taken over: an object belongs to the configuration whose call
//! created it. A second configuration on the same store, a `terraform test` run
//! in an applied folder, and the apply after a Terraform killed mid-apply all
//! meet the existing objects as refusals that name them, never as their own.

use std::time::{Duration, Instant};

use amisim_acceptance_tests::{descendants, import_blocks, named_orphans, Workspace};
use amisim_simulator::{Caller, DescribeImages};

const CONFIG: &str = r#"
provider "amisim" {
  account_id = "111111111111"
}
resource "amisim_image" "app" {
  name = "app-v1"
}
resource "amisim_launch_permission" "share" {
  image_id   = amisim_image.app.id
  account_id = "222222222222"
}
"#;

fn own_images(ws: &Workspace) -> Vec<String> {
    ws.cloud()
        .call(
            &Caller::new("111111111111", "us-east-1"),
            &DescribeImages {
                owners: vec!["self".into()],
                ..Default::default()
            },
        )
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect()
}

fn launch_permissions(ws: &Workspace) -> usize {
    ws.cloud()
        .store()
        .read(|tx| {
            tx.count::<amisim_simulator::LaunchPermission>(amisim_simulator::store::Filter {
                account: Some("111111111111"),
                ..Default::default()
            })
        })
        .unwrap() as usize
}

#[test]
fn a_second_folder_on_the_same_store_is_refused_and_takes_nothing_over() {
    let first = Workspace::new(CONFIG);
    first.apply();
    let state = first.state();
    let image_id = first.resources()["amisim_image.app"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let second = first.sibling();
    let out = second.apply_expect_error("InvalidAMIName.Duplicate");
    let err = out.stderr.replace('\n', " ");
    for needed in [
        &image_id,
        "111111111111",
        "created",
        "import {",
        "to = <this resource's address>",
    ] {
        assert!(
            err.contains(needed),
            "the refusal names {needed}: {}",
            out.stderr
        );
    }
    assert_eq!(
        named_orphans(&out.stderr),
        vec![("amisim_image.app".to_string(), image_id.clone())]
    );
    // Nothing of the first folder changed, and the second one holds nothing.
    assert_eq!(second.resources().len(), 0);
    second.destroy();
    assert_eq!(own_images(&first), vec![image_id.clone()]);
    assert_eq!(launch_permissions(&first), 1);
    assert_eq!(first.state()["resources"], state["resources"]);
    first.assert_plan_empty();
    assert!(
        !first.events().iter().any(|e| e.action == "AdoptImage"),
        "no adoption"
    );
    first.destroy();
    assert!(own_images(&first).is_empty());
}

#[test]
fn terraform_test_in_an_applied_folder_never_touches_the_applied_cloud() {
    let ws = Workspace::new(CONFIG);
    ws.apply();
    let image_id = ws.resources()["amisim_image.app"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::create_dir_all(ws.path().join("tests")).unwrap();
    ws.write(
        "tests/shared.tftest.hcl",
        r#"
run "creates_the_image" {
  command = apply
  assert {
    condition     = amisim_image.app.name == "app-v1"
    error_message = "the image is named app-v1"
  }
}
"#,
    );
    let out = ws.tf(&["test", "-no-color"]);
    assert_ne!(out.code, 0, "{}", out.all());
    assert!(
        out.all().contains("InvalidAMIName.Duplicate"),
        "{}",
        out.all()
    );
    assert_eq!(own_images(&ws), vec![image_id.clone()]);
    assert_eq!(launch_permissions(&ws), 1);
    ws.assert_plan_empty();

    // A test file with a store of its own runs beside the applied cloud and cleans up after itself.
    std::fs::remove_file(ws.path().join("tests/shared.tftest.hcl")).unwrap();
    ws.write(
        "tests/isolated.tftest.hcl",
        r#"
provider "amisim" {
  account_id = "111111111111"
  store      = "test-cloud.db"
}
run "creates_the_image" {
  command = apply
  assert {
    condition     = amisim_image.app.name == "app-v1" && amisim_image.app.id != ""
    error_message = "the image is named app-v1"
  }
}
"#,
    );
    let out = ws.tf(&["test", "-no-color"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("1 passed, 0 failed"), "{}", out.stdout);
    assert_eq!(own_images(&ws), vec![image_id]);
    assert_eq!(launch_permissions(&ws), 1);
    ws.assert_plan_empty();
    ws.destroy();
}

/// Whether `pid` is a provider process still running (an exited one that its
/// new parent has not reaped yet, a zombie, has ended).
fn is_provider(pid: u32) -> bool {
    let running = std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        s.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X")
    });
    running
        && std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .is_ok_and(|c| c.starts_with("terraform-provi"))
}

#[test]
fn after_kill_9_of_terraform_its_providers_exit_and_the_next_apply_names_the_orphans() {
    let ws = Workspace::new(
        r#"
provider "amisim" {
  account_id = "111111111111"
}
provider "amisim" {
  alias      = "west"
  account_id = "111111111111"
  region     = "us-west-2"
}
resource "amisim_image" "x" {
  count = 200
  name  = "img-${count.index}"
}
resource "amisim_image" "w" {
  provider = amisim.west
  count    = 5
  name     = "west-${count.index}"
}
"#,
    );
    let mut child = ws.spawn_tf(&["apply", "-auto-approve", "-no-color", "-parallelism=4"]);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) && own_images(&ws).len() < 20 {
        std::thread::sleep(Duration::from_millis(20));
    }
    let providers: Vec<u32> = descendants(child.id())
        .into_iter()
        .filter(|p| is_provider(*p))
        .collect();
    assert!(!providers.is_empty(), "the apply runs its providers");
    let _ = std::process::Command::new("kill")
        .args(["-9", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let killed = Instant::now();
    while providers.iter().any(|p| is_provider(*p)) && killed.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = killed.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "the providers outlived Terraform by {took:?}"
    );
    let created = own_images(&ws).len();
    assert!(
        created < 200,
        "Terraform was killed before the end ({created} created)"
    );

    // Killed while writing its state, Terraform can leave the file cut short;
    // a user then goes back to the state before it (the backup, or none).
    let state = ws.path().join("terraform.tfstate");
    let whole = std::fs::read(&state)
        .map(|b| serde_json::from_slice::<serde_json::Value>(&b).is_ok())
        .unwrap_or(true);
    if !whole {
        let backup = ws.path().join("terraform.tfstate.backup");
        if backup.exists() {
            std::fs::copy(&backup, &state).unwrap();
        } else {
            std::fs::remove_file(&state).unwrap();
        }
    }
    // The next apply refuses every image the killed apply left outside the state
    // (Terraform had no time to record them), naming each one.
    let in_state = ws
        .resources()
        .keys()
        .filter(|a| a.starts_with("amisim_image.x"))
        .count();
    let out = ws.tf(&["apply", "-auto-approve", "-no-color", "-parallelism=4"]);
    let orphans = named_orphans(&out.stderr);
    let east_orphans = orphans
        .iter()
        .filter(|(a, _)| a.starts_with("amisim_image.x"))
        .count();
    assert_eq!(east_orphans, created - in_state, "{}", out.stderr);
    if !orphans.is_empty() {
        assert_ne!(out.code, 0, "{}", out.all());
        // Importing them on purpose converges: nothing lost, nothing made twice.
        ws.write("imports.tf", &import_blocks(&orphans));
        ws.tf_ok(&["apply", "-auto-approve", "-no-color", "-parallelism=4"]);
    }
    ws.assert_plan_empty();
    assert_eq!(own_images(&ws).len(), 200);
    ws.destroy();
}
