//! `examples/testing`: a module tested with `terraform test`, each test file in
//! a cloud of its own, and the same module checked with `amisim snapshot --check`.

use amisim_acceptance_tests::{copy_tree, repo_root, Workspace};

#[test]
fn the_module_passes_terraform_test_with_a_cloud_per_test_file() {
    let ws = Workspace::empty();
    copy_tree(&repo_root().join("examples/testing"), ws.path());
    // The module a test file runs (protected/) is installed first.
    ws.tf_ok(&["get", "-no-color"]);
    let out = ws.tf(&["test", "-no-color"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("5 passed, 0 failed"), "{}", out.stdout);
    // Each test file used the store its provider blocks name, not the workspace's.
    assert!(ws.path().join(".amisim/test-golden.db").is_file());
    assert!(ws.path().join(".amisim/test-plan.db").is_file());
    assert!(ws.path().join(".amisim/test-protected.db").is_file());
    assert!(!ws.store().exists(), "the default store was not touched");
    // Run again: the same result (everything was destroyed at the end of each file).
    let again = ws.tf(&["test", "-no-color"]);
    assert_eq!(again.code, 0, "{}", again.all());
}

#[test]
fn the_module_applied_matches_its_saved_snapshot_and_a_change_shows_as_a_diff() {
    let ws = Workspace::empty();
    copy_tree(&repo_root().join("examples/testing"), ws.path());
    ws.tf_ok(&["-chdir=demo", "get", "-no-color"]);
    ws.tf_ok(&["-chdir=demo", "apply", "-auto-approve", "-no-color"]);
    let saved = ws.path().join("demo/expected.snapshot");
    let saved = saved.to_str().unwrap();
    assert_eq!(
        ws.amisim(&["snapshot", "--check", saved]),
        format!("The cloud matches {saved}\n")
    );
    // Drift: the copy deregistered out of band.
    let dr = ws
        .tf_ok(&["-chdir=demo", "output", "-raw", "dr_image_id"])
        .stdout;
    ws.amisim(&["deregister", dr.trim()]);
    let out = std::process::Command::new(amisim_acceptance_tests::amisim_binary())
        .args(["snapshot", "--check", saved])
        .env("AMISIM_STORE", ws.store())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(diff.contains("+++ the cloud now"), "{diff}");
    assert!(
        diff.lines()
            .any(|l| l.starts_with('+') && l.contains("DeregisterImage")),
        "{diff}"
    );
}
