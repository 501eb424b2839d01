//! The provider block: arguments, environment, validation, aliases and the store.

use amisim_acceptance_tests::Workspace;

#[test]
fn provider_settings_come_from_arguments_then_environment_then_defaults() {
    let ws = Workspace::new(
        r#"
provider "amisim" {}
resource "amisim_image" "x" {
  name = "defaults"
}
"#,
    );
    ws.apply();
    let r = ws.resources();
    assert_eq!(r["amisim_image.x"]["owner_id"], "123456789012");
    assert_eq!(r["amisim_image.x"]["region"], "us-east-1");
    ws.destroy();

    let ws = Workspace::new(
        r#"
provider "amisim" {}
resource "amisim_image" "x" {
  name = "from-env"
}
"#,
    )
    .env("AMISIM_ACCOUNT_ID", "444444444444")
    .env("AMISIM_REGION", "ap-southeast-2");
    ws.apply();
    let r = ws.resources();
    assert_eq!(r["amisim_image.x"]["owner_id"], "444444444444");
    assert_eq!(r["amisim_image.x"]["region"], "ap-southeast-2");
    assert!(r["amisim_image.x"]["arn"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:ec2:ap-southeast-2::image/ami-"));
    ws.destroy();
}

#[test]
fn bad_provider_settings_are_clear_errors() {
    let ws = Workspace::new(
        r#"
provider "amisim" {
  account_id = "1234"
  region     = "us-east-9"
}
resource "amisim_image" "x" {
  name = "x-image"
}
"#,
    );
    let out = ws.tf(&["plan", "-no-color"]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("Invalid account_id"), "{}", out.stderr);
    assert!(
        out.stderr.contains("Invalid region") && out.stderr.contains("eu-west-1"),
        "lists the valid regions: {}",
        out.stderr
    );
    insta::assert_snapshot!("provider_bad_settings", out.stderr);

    // A blank store, an unreachable server (named without its password), and
    // regions of other partitions and of today's catalogue.
    for (settings, expected) in [
        ("store = \"   \"", "The store is empty or blank"),
        (
            "store = \"postgres://ada:s3cret-pw@127.0.0.1:1/amisim\"",
            "cannot reach the PostgreSQL store postgres://ada@127.0.0.1:1/amisim",
        ),
        (
            "store = \"Postgres://ada:s3cret-pw@127.0.0.1:1/amisim\"",
            "cannot reach the PostgreSQL store postgres://ada@127.0.0.1:1/amisim",
        ),
        (
            "store = \"POSTGRESQL://ada:s3cret-pw@127.0.0.1:1/amisim\"",
            "cannot reach the PostgreSQL store",
        ),
        ("store = \":memory:\"", "sqlite:PATH"),
        ("store = \"sqlite:\"", "names no file"),
        (
            "store = \"mysql://ada:s3cret-pw@127.0.0.1/amisim\"",
            "postgres://",
        ),
        ("region = \"cn-north-1\"", "aws-cn (AWS China) partition"),
        ("region = \"us-gov-west-1\"", "aws-us-gov"),
    ] {
        let ws = Workspace::new(&format!(
            "provider \"amisim\" {{\n  {settings}\n}}\nresource \"amisim_image\" \"x\" {{\n  name = \"x-image\"\n}}\n"
        ));
        let out = ws.tf(&["plan", "-no-color"]);
        assert_ne!(out.code, 0, "{settings}");
        assert!(
            out.stderr.replace('\n', " ").contains(expected),
            "{settings}: {}",
            out.stderr
        );
        assert!(
            !out.stderr.contains("s3cret-pw"),
            "the password never shows"
        );
        // No file is made for a store string that is not one.
        let made: Vec<_> = std::fs::read_dir(ws.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| !n.starts_with('.') && !n.ends_with(".tf") && n != "terraformrc")
            .collect();
        assert!(made.is_empty(), "{settings}: made {made:?}");
    }
    for region in [
        "ap-southeast-7",
        "mx-central-1",
        "ca-west-1",
        "il-central-1",
    ] {
        let ws = Workspace::new(&format!(
            "provider \"amisim\" {{\n  region = \"{region}\"\n}}\nresource \"amisim_image\" \"x\" {{\n  name = \"x-image\"\n}}\n"
        ));
        ws.apply();
        assert_eq!(ws.resources()["amisim_image.x"]["region"], region);
    }
}

#[test]
fn a_damaged_store_is_a_clear_error_and_left_untouched() {
    let ws = Workspace::new(
        r#"
provider "amisim" {}
resource "amisim_image" "x" {
  name = "x-image"
}
"#,
    );
    std::fs::write(ws.store(), b"this is not a database").unwrap();
    let out = ws.tf(&["plan", "-no-color"]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("Store.Damaged") && out.stderr.contains("not an amisim store"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read(ws.store()).unwrap(),
        b"this is not a database"
    );
}

#[test]
fn conflicting_organization_declarations_are_refused() {
    let ws = Workspace::new(
        r#"
provider "amisim" {
  account_id       = "111111111111"
  organization_arn = "arn:aws:organizations::999999999999:organization/o-abc123"
}
provider "amisim" {
  alias            = "again"
  account_id       = "111111111111"
  region           = "eu-west-1"
  organization_arn = "arn:aws:organizations::888888888888:organization/o-zzz999"
}
resource "amisim_image" "a" {
  name = "a-image"
}
resource "amisim_image" "b" {
  provider = amisim.again
  name     = "b-image"
}
"#,
    );
    let out = ws.tf(&["plan", "-no-color", "-parallelism=1"]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("already declared in"), "{}", out.stderr);
}

#[test]
fn the_binary_answers_version_and_refuses_a_direct_run() {
    let dir = amisim_acceptance_tests::provider_dir();
    let bin = dir.join("terraform-provider-amisim");
    let v = std::process::Command::new(&bin)
        .arg("--version")
        .output()
        .unwrap();
    assert!(v.status.success());
    assert!(String::from_utf8_lossy(&v.stdout).starts_with("terraform-provider-amisim "));
    let direct = std::process::Command::new(&bin)
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .unwrap();
    assert!(!direct.status.success());
    assert!(String::from_utf8_lossy(&direct.stderr).contains("This binary is a plugin"));
    assert!(direct.stdout.is_empty());
}
