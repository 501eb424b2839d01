//! `make install`: the provider in Terraform's and OpenTofu's implied local
//! mirror under the user's home, so that a plain `terraform init` in any folder
//! finds it, records a lock file and honours version constraints, with no CLI
//! configuration at all; `make uninstall` removes exactly what it added.

use std::path::Path;
use std::process::{Command, Output};

use amisim_acceptance_tests::{provider_dir, repo_root, terraform_binary};

fn install(home: &Path, uninstall: bool) -> Output {
    let mut cmd = Command::new(repo_root().join("scripts/install"));
    if uninstall {
        cmd.arg("--uninstall");
    }
    cmd.env("HOME", home)
        .env("CARGO_HOME", home.join(".cargo"))
        .env("AMISIM_PROFILE", "debug")
        .output()
        .expect("scripts/install runs")
}

/// Terraform as a user runs it: a home of its own and no CLI configuration.
fn terraform(home: &Path, dir: &Path, args: &[&str]) -> Output {
    Command::new(terraform_binary())
        .args(args)
        .current_dir(dir)
        .env("HOME", home)
        .env_remove("TF_CLI_CONFIG_FILE")
        .env_remove("TERRAFORM_CONFIG")
        .env("TF_IN_AUTOMATION", "1")
        .env("TF_INPUT", "0")
        .env("CHECKPOINT_DISABLE", "1")
        .env("AMISIM_STORE", dir.join("cloud.db"))
        .output()
        .expect("terraform runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn config(constraint: &str) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    amisim = {{
      source  = "amisim/amisim"
      version = "{constraint}"
    }}
  }}
}}

provider "amisim" {{}}

resource "amisim_image" "app" {{
  name = "app-v1"
}}
"#
    )
}

#[test]
fn installed_like_a_registry_provider_a_plain_terraform_init_finds_it() {
    provider_dir();
    let home = tempfile::tempdir().unwrap();
    let out = install(home.path(), false);
    assert!(out.status.success(), "{}", text(&out));
    let version = env!("CARGO_PKG_VERSION");
    let arch = if cfg!(target_arch = "aarch64") {
        "arm64"
    } else {
        "amd64"
    };
    for host in ["registry.terraform.io", "registry.opentofu.org"] {
        let provider = home.path().join(format!(
            ".terraform.d/plugins/{host}/amisim/amisim/{version}/linux_{arch}/terraform-provider-amisim_v{version}"
        ));
        assert!(provider.is_file(), "{}", provider.display());
    }
    assert!(home.path().join(".cargo/bin/amisim").is_file());

    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("main.tf"), config("~> 0.1")).unwrap();
    let out = terraform(home.path(), work.path(), &["init", "-no-color"]);
    assert!(out.status.success(), "{}", text(&out));
    let lock = std::fs::read_to_string(work.path().join(".terraform.lock.hcl")).unwrap();
    assert!(
        lock.contains("provider \"registry.terraform.io/amisim/amisim\"")
            && lock.contains(&format!("version     = \"{version}\"")),
        "{lock}"
    );
    let out = terraform(
        home.path(),
        work.path(),
        &["apply", "-auto-approve", "-no-color"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = terraform(
        home.path(),
        work.path(),
        &["plan", "-no-color", "-detailed-exitcode"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // The installed tool reads the same store.
    let listed = Command::new(home.path().join(".cargo/bin/amisim"))
        .args(["images", "list"])
        .env("AMISIM_STORE", work.path().join("cloud.db"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&listed.stdout).contains("app-v1"));

    // A constraint no installed version meets fails init, as for a registry provider.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("main.tf"), config("~> 0.2")).unwrap();
    let out = terraform(home.path(), other.path(), &["init", "-no-color"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("amisim/amisim"),
        "the error names the provider: {}",
        text(&out)
    );

    // Uninstalled, exactly what the install added is gone.
    let out = terraform(
        home.path(),
        work.path(),
        &["destroy", "-auto-approve", "-no-color"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = install(home.path(), true);
    assert!(out.status.success(), "{}", text(&out));
    // Terraform may keep files of its own in ~/.terraform.d; amisim's are gone.
    for host in ["registry.terraform.io", "registry.opentofu.org"] {
        let ours = home
            .path()
            .join(format!(".terraform.d/plugins/{host}/amisim"));
        assert!(!ours.exists(), "{}", ours.display());
    }
    assert!(!home.path().join(".cargo/bin/amisim").exists());
}
