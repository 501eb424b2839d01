//! The `amisim` binary, run against stores built through the simulator's API.
//!
//! Every test builds its own cloud in a temporary folder (at the default
//! store path `.amisim/cloud.db`) and runs the real binary there, so output
//! holds no machine-specific path. The simulator is deterministic, so the IDs
//! and times in the snapshots are the same on every run.

use std::fs;
use std::path::{Path, PathBuf};

use amisim_simulator::{
    AddLaunchPermission, AddStoragePermission, CreateGrant, DeregisterImage, SetBlockPublicAccess,
};
use amisim_simulator::{
    Caller, Cloud, CopyImage, CreateImage, CreateKey, DescribeImages, Principal, RegisterImage,
    RunInstance, Tags,
};
use assert_cmd::Command;
use tempfile::TempDir;

const A: &str = "111111111111";
const B: &str = "222222222222";
const EAST: &str = "us-east-1";
const WEST: &str = "us-west-2";

/// A cloud built through the simulator's API, and the IDs of what it holds.
struct World {
    dir: TempDir,
    golden: String,
    golden_dr: String,
    golden_b: String,
    baked: String,
    bundle_image: String,
    old: String,
    key: String,
    web: String,
    windows: String,
    vpn: String,
    bundle_instance: String,
    dr_snapshot: String,
}

impl World {
    fn store(&self) -> PathBuf {
        self.dir.path().join(".amisim/cloud.db")
    }

    /// The binary, run in the world's folder with no store from the environment.
    ///
    /// With `AMISIM_CLI_THROUGH_SERVER` set, a command that names no store
    /// works through an `amisim serve` on the world's store, with the
    /// administrator's key it printed: the suite run the other way.
    fn amisim(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("amisim").unwrap();
        cmd.current_dir(self.dir.path())
            .env_remove("AMISIM_STORE")
            .env_remove("AMISIM_ENDPOINT")
            .env_remove("AWS_ENDPOINT_URL")
            .env("AMISIM_KEY_FILE", self.dir.path().join("secret.key"))
            .env_remove("AMISIM_SECRET_KEY")
            .env("RUST_BACKTRACE", "0")
            .args(args);
        let local = args.iter().any(|a| {
            [
                "--store",
                "serve",
                "console",
                "env",
                "--help",
                "-h",
                "--version",
            ]
            .contains(a)
        });
        if let Some((url, key, secret)) = (through_server() && !local && self.store().exists())
            .then(|| served(self))
            .flatten()
        {
            cmd.env("AMISIM_ENDPOINT", url)
                .env("AWS_ACCESS_KEY_ID", key)
                .env("AWS_SECRET_ACCESS_KEY", secret)
                .env("AWS_REGION", "us-east-1");
        }
        cmd
    }

    /// Runs a command that must succeed quietly; returns its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.amisim(args).output().unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(output.status.success(), "{args:?} failed: {stderr}");
        assert_eq!(stderr, "", "{args:?} wrote to stderr");
        stdout
    }

    /// Runs a command that must succeed and print valid JSON; returns its stdout.
    fn json(&self, args: &[&str]) -> String {
        let stdout = self.ok(args);
        if let Err(e) = serde_json::from_str::<serde_json::Value>(&stdout) {
            panic!("{args:?} printed invalid JSON ({e}): {stdout}");
        }
        stdout
    }

    /// How many events the log holds.
    fn event_count(&self) -> String {
        self.cloud().events(0).unwrap().len().to_string()
    }

    /// Runs a command that must fail with `code` and print nothing; returns its stderr.
    fn fails(&self, args: &[&str], code: i32) -> String {
        let output = self.amisim(args).output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
        assert_eq!(
            String::from_utf8(output.stdout).unwrap(),
            "",
            "{args:?} wrote to stdout"
        );
        stderr
    }

    fn cloud(&self) -> Cloud {
        Cloud::open(&self.store()).unwrap()
    }
}

/// Whether the suite runs through a server (`AMISIM_CLI_THROUGH_SERVER`).
fn through_server() -> bool {
    std::env::var_os("AMISIM_CLI_THROUGH_SERVER").is_some_and(|v| !v.is_empty())
}

/// A server started for a world, and the URL and administrator's key pair it printed.
type Served = (std::process::Child, (String, String, String));

/// The servers started for the worlds of this run, by store: started once
/// per world, stopped when the world is dropped.
static SERVERS: std::sync::Mutex<Option<std::collections::HashMap<PathBuf, Served>>> =
    std::sync::Mutex::new(None);

impl Drop for World {
    fn drop(&mut self) {
        let mut servers = SERVERS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((mut child, _)) = servers
            .get_or_insert_with(Default::default)
            .remove(&self.store())
        {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The server of `w`'s store, started when first asked for; none when the
/// store cannot be served (a damaged one: its commands run on the store).
fn served(w: &World) -> Option<(String, String, String)> {
    use std::io::BufRead;
    let mut servers = SERVERS.lock().unwrap_or_else(|e| e.into_inner());
    let servers = servers.get_or_insert_with(Default::default);
    if let Some((_, s)) = servers.get(&w.store()) {
        return Some(s.clone());
    }
    let log = w.dir.path().join("serve.stderr");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("amisim"))
        .args(["--store"])
        .arg(w.store())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("AMISIM_KEY_FILE", w.dir.path().join("secret.key"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let Some(url) = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .map(|u| u.trim_end_matches('/').to_string())
    else {
        let _ = child.kill();
        let _ = child.wait();
        return None;
    };
    let text = std::fs::read_to_string(&log).unwrap();
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("export {name}=")))
            .unwrap_or_default()
            .to_string()
    };
    let s = (
        url,
        value("AWS_ACCESS_KEY_ID"),
        value("AWS_SECRET_ACCESS_KEY"),
    );
    servers.insert(w.store(), (child, s.clone()));
    Some(s)
}

/// An empty folder, with no store in it.
fn empty() -> World {
    World {
        dir: tempfile::tempdir().unwrap(),
        golden: String::new(),
        golden_dr: String::new(),
        golden_b: String::new(),
        baked: String::new(),
        bundle_image: String::new(),
        old: String::new(),
        key: String::new(),
        web: String::new(),
        windows: String::new(),
        vpn: String::new(),
        bundle_instance: String::new(),
        dr_snapshot: String::new(),
    }
}

/// A golden-image pipeline across two accounts and two regions.
///
/// Account A registers `golden-web` in us-east-1, makes it public, copies it
/// to us-west-2 encrypted with its own key, and shares the copy, its snapshot
/// and the key with account B, which copies it again. A bakes an image from an
/// instance of `golden-web`, keeps an instance-store bundle, deregisters an old
/// image, and runs a Windows instance; B runs a Marketplace instance. One copy
/// by B is refused, so the log holds an error.
fn world() -> World {
    let mut w = empty();
    let mut cloud = Cloud::open(&w.store()).unwrap();
    let a_east = Caller::new(A, EAST);
    let a_west = Caller::new(A, WEST);
    let b_west = Caller::new(B, WEST);
    let b_east = Caller::new(B, EAST);

    let mut tags = Tags::new();
    tags.insert("team".into(), "web".into());
    let golden = cloud
        .call(
            &a_east,
            &RegisterImage {
                name: "golden-web".into(),
                description: "Golden web server".into(),
                tags,
                ..Default::default()
            },
        )
        .unwrap();
    cloud
        .call(&a_east, &SetBlockPublicAccess::new("unblocked"))
        .unwrap();
    cloud
        .call(
            &a_east,
            &AddLaunchPermission::new(&golden.id, &Principal::Group("all".into())),
        )
        .unwrap();
    let bundle_image = cloud
        .call(
            &a_east,
            &RegisterImage {
                name: "legacy-bundle".into(),
                root_device_type: Some("instance-store".into()),
                root_volume_size_gb: Some(10),
                ..Default::default()
            },
        )
        .unwrap();
    let old = cloud
        .call(
            &a_east,
            &RegisterImage {
                name: "old".into(),
                ..Default::default()
            },
        )
        .unwrap();
    cloud
        .call(&a_east, &DeregisterImage::new(&old.id, false))
        .unwrap();

    let key = cloud
        .call(
            &a_west,
            &CreateKey {
                description: "dr key".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let golden_dr = cloud
        .call(
            &a_west,
            &CopyImage {
                source_image_id: golden.id.clone(),
                source_region: EAST.into(),
                name: "golden-web-dr".into(),
                encrypted: Some(true),
                kms_key_id: Some(key.id.clone()),
                ..Default::default()
            },
        )
        .unwrap();
    cloud.call(&a_west, &CreateGrant::new(&key.id, B)).unwrap();
    cloud
        .call(
            &a_west,
            &AddLaunchPermission::new(&golden_dr.id, &Principal::Account(B.into())),
        )
        .unwrap();
    let dr_snapshot = golden_dr.storage_ids[0].clone();
    cloud
        .call(&a_west, &AddStoragePermission::new(&dr_snapshot, B))
        .unwrap();
    let golden_b = cloud
        .call(
            &b_west,
            &CopyImage {
                source_image_id: golden_dr.id.clone(),
                source_region: WEST.into(),
                name: "golden-web-b".into(),
                ..Default::default()
            },
        )
        .unwrap();
    // Refused: B may launch the public golden-web but not read its snapshot.
    let refused = cloud.call(
        &b_east,
        &CopyImage {
            source_image_id: golden.id.clone(),
            source_region: EAST.into(),
            name: "stolen".into(),
            ..Default::default()
        },
    );
    assert_eq!(refused.unwrap_err().code(), "InvalidRequest");

    let web = cloud
        .call(
            &a_east,
            &RunInstance {
                image_id: golden.id.clone(),
                instance_type: "t3.micro".into(),
                user_data: "#!/bin/sh\ndnf install -y nginx\n".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let baked = cloud
        .call(
            &a_east,
            &CreateImage {
                instance_id: web.id.clone(),
                name: "golden-web-baked".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let bundle_instance = cloud
        .call(
            &a_east,
            &RunInstance {
                image_id: bundle_image.id.clone(),
                instance_type: "m1.small".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let windows_image = catalogue_image(&mut cloud, &a_east, "Windows_Server-2022-*");
    let windows = cloud
        .call(
            &a_east,
            &RunInstance {
                image_id: windows_image,
                instance_type: "t3.medium".into(),
                state: Some("stopped".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let vpn_image = catalogue_image(&mut cloud, &b_west, "openvpn-*");
    let vpn = cloud
        .call(
            &b_west,
            &RunInstance {
                image_id: vpn_image,
                instance_type: "t4g.micro".into(),
                ..Default::default()
            },
        )
        .unwrap();

    w.golden = golden.id;
    w.golden_dr = golden_dr.id;
    w.golden_b = golden_b.id;
    w.baked = baked.id;
    w.bundle_image = bundle_image.id;
    w.old = old.id;
    w.key = key.id;
    w.web = web.id;
    w.windows = windows.id;
    w.vpn = vpn.id;
    w.bundle_instance = bundle_instance.id;
    w.dr_snapshot = dr_snapshot;
    w
}

fn catalogue_image(cloud: &mut Cloud, caller: &Caller, name: &str) -> String {
    let found = cloud
        .call(
            caller,
            &DescribeImages {
                filters: vec![("name".into(), vec![name.into()])],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(found.len(), 1, "{name}");
    found[0].id.clone()
}

fn hash_of(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap()
}

// Help and usage.

#[test]
fn help_lists_every_command() {
    let w = empty();
    insta::assert_snapshot!("help", w.ok(&["--help"]));
    insta::assert_snapshot!("help_images_list", w.ok(&["images", "list", "--help"]));
    insta::assert_snapshot!("help_revoke", w.ok(&["revoke", "--help"]));
}

#[test]
fn every_command_has_help() {
    let w = empty();
    for args in [
        vec!["images", "show"],
        vec!["instances", "list"],
        vec!["instances", "show"],
        vec!["snapshots", "list"],
        vec!["keys", "list"],
        vec!["permissions", "list"],
        vec!["events"],
        vec!["bill"],
        vec!["deregister"],
        vec!["terminate"],
        vec!["stop"],
        vec!["start"],
        vec!["revoke", "launch-permission"],
        vec!["revoke", "storage-permission"],
        vec!["revoke", "grant"],
        vec!["leave"],
        vec!["reset"],
        vec!["prices", "show"],
        vec!["prices", "set"],
        vec!["faults", "add"],
        vec!["faults", "list"],
        vec!["faults", "clear"],
        vec!["console"],
    ] {
        let mut with_help = args.clone();
        with_help.push("--help");
        let help = w.ok(&with_help);
        assert!(help.contains("Usage: amisim"), "{args:?}: {help}");
        assert!(help.contains("--store <PATH>"), "{args:?}: {help}");
        assert!(help.contains("AMISIM_STORE"), "{args:?}: {help}");
        assert!(help.contains("--json"), "{args:?}: {help}");
    }
}

#[test]
fn usage_errors_exit_with_2() {
    let w = world();
    let bad_region = w.fails(&["images", "list", "--region", "us-east-7"], 2);
    assert!(bad_region.contains("not an AWS region"), "{bad_region}");
    let bad_account = w.fails(&["bill", "--account", "12345"], 2);
    assert!(bad_account.contains("12 digits"), "{bad_account}");
    w.fails(&["images", "frobnicate"], 2);
    w.fails(&["images", "show"], 2);
    w.fails(&["revoke", "grant", &w.key, "nobody"], 2);
}

// Looking.

#[test]
fn images_list_hides_the_catalogue_and_deregistered_images() {
    let w = world();
    insta::assert_snapshot!("images_list", w.ok(&["images", "list"]));
    insta::assert_snapshot!(
        "images_list_account_b",
        w.ok(&["images", "list", "--account", B])
    );
    let all = w.ok(&["images", "list", "--all", "--region", EAST]);
    assert!(
        all.contains(&w.old) && all.contains("deregistered"),
        "{all}"
    );
    assert!(all.contains("Windows_Server-2022"), "{all}");
    insta::assert_snapshot!(
        "images_list_amazon",
        w.ok(&[
            "images",
            "list",
            "--account",
            "amazon",
            "--region",
            "eu-west-1"
        ])
    );
    insta::assert_snapshot!(
        "images_list_none",
        w.ok(&["images", "list", "--region", "eu-west-1"])
    );
}

#[test]
fn images_list_json() {
    let w = world();
    insta::assert_snapshot!(
        "images_list_json",
        w.json(&["images", "list", "--json", "--region", WEST])
    );
}

#[test]
fn images_show_draws_the_lineage_up_and_down() {
    let w = world();
    insta::assert_snapshot!("images_show_copy", w.ok(&["images", "show", &w.golden_dr]));
    insta::assert_snapshot!("images_show_original", w.ok(&["images", "show", &w.golden]));
    insta::assert_snapshot!("images_show_baked", w.ok(&["images", "show", &w.baked]));
    insta::assert_snapshot!(
        "images_show_deregistered",
        w.ok(&["images", "show", &w.old])
    );
}

#[test]
fn lineage_starts_at_the_public_catalogue() {
    let w = empty();
    let mut cloud = Cloud::open(&w.store()).unwrap();
    let a = Caller::new(A, "eu-west-1");
    let ubuntu = catalogue_image(
        &mut cloud,
        &a,
        "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-*",
    );
    let copy = cloud
        .call(
            &a,
            &CopyImage {
                source_image_id: ubuntu.clone(),
                source_region: "eu-west-1".into(),
                name: "my-ubuntu".into(),
                ..Default::default()
            },
        )
        .unwrap();
    drop(cloud);
    let shown = w.ok(&["images", "show", &copy.id]);
    let lineage = &shown[shown.find("Lineage").unwrap()..];
    insta::assert_snapshot!("lineage_from_catalogue", lineage);
    let original = w.ok(&["images", "show", &ubuntu]);
    assert!(
        original.contains(" Owner                099720109477\n"),
        "{original}"
    );
    assert!(
        original.contains(" all        group (public)\n"),
        "{original}"
    );
    assert!(original.contains("everyone"), "{original}");
}

#[test]
fn images_show_json_holds_the_lineage_tree() {
    let w = world();
    insta::assert_snapshot!(
        "images_show_json",
        w.json(&["--json", "images", "show", &w.golden_b])
    );
}

#[test]
fn unknown_ids_are_errors_naming_the_id() {
    let w = world();
    let missing = "ami-0123456789abcdef0";
    assert_eq!(
        w.fails(&["images", "show", missing], 1),
        format!("error: no image {missing} in the store\n")
    );
    assert_eq!(
        w.fails(&["instances", "show", "i-nope"], 1),
        "error: no instance i-nope in the store\n"
    );
    assert_eq!(
        w.fails(&["deregister", missing], 1),
        format!("error: no image {missing} in the store\n")
    );
    assert_eq!(
        w.fails(&["terminate", "i-nope"], 1),
        "error: no instance i-nope in the store\n"
    );
    assert_eq!(
        w.fails(&["revoke", "storage-permission", "snap-nope", B], 1),
        "error: no snapshot or bundle snap-nope in the store\n"
    );
    assert_eq!(
        w.fails(&["revoke", "grant", "not-a-key", B], 1),
        "error: no KMS key not-a-key in the store\n"
    );
}

#[test]
fn instances_list_and_show() {
    let w = world();
    insta::assert_snapshot!("instances_list", w.ok(&["instances", "list"]));
    insta::assert_snapshot!(
        "instances_list_west",
        w.ok(&["instances", "list", "--region", WEST])
    );
    insta::assert_snapshot!("instances_show", w.ok(&["instances", "show", &w.web]));
    insta::assert_snapshot!(
        "instances_show_json",
        w.json(&["instances", "show", &w.vpn, "--json"])
    );
}

#[test]
fn snapshots_list_shows_size_and_readers() {
    let w = world();
    insta::assert_snapshot!("snapshots_list", w.ok(&["snapshots", "list"]));
    let catalogue = w.ok(&["snapshots", "list", "--all", "--region", "eu-west-3"]);
    assert!(catalogue.contains("everyone"), "{catalogue}");
    insta::assert_snapshot!(
        "snapshots_list_json",
        w.json(&[
            "snapshots",
            "list",
            "--json",
            "--account",
            A,
            "--region",
            WEST
        ])
    );
}

#[test]
fn keys_list_shows_grants() {
    let w = world();
    insta::assert_snapshot!("keys_list", w.ok(&["keys", "list"]));
    insta::assert_snapshot!(
        "keys_list_none",
        w.ok(&["keys", "list", "--region", "eu-west-1"])
    );
    insta::assert_snapshot!(
        "keys_list_json",
        w.json(&["keys", "list", "--json", "--account", A])
    );
}

#[test]
fn permissions_list() {
    let w = world();
    insta::assert_snapshot!("permissions_list", w.ok(&["permissions", "list"]));
    insta::assert_snapshot!(
        "permissions_list_west",
        w.ok(&["permissions", "list", "--region", WEST])
    );
    insta::assert_snapshot!(
        "permissions_list_json",
        w.json(&["permissions", "list", "--json"])
    );
}

#[test]
fn events_are_filtered_by_account_region_action_and_outcome() {
    let w = world();
    insta::assert_snapshot!("events", w.ok(&["events"]));
    insta::assert_snapshot!("events_errors", w.ok(&["events", "--outcome", "error"]));
    assert_eq!(
        w.ok(&["events", "--outcome", "InvalidRequest"]),
        w.ok(&["events", "--outcome", "error"])
    );
    insta::assert_snapshot!(
        "events_b_copies",
        w.ok(&[
            "events",
            "--account",
            B,
            "--action",
            "copyimage",
            "--outcome",
            "ok"
        ])
    );
    insta::assert_snapshot!(
        "events_after",
        w.ok(&["events", "--region", WEST, "--after", "10"])
    );
    insta::assert_snapshot!("events_none", w.ok(&["events", "--outcome", "AuthFailure"]));
    insta::assert_snapshot!(
        "events_json",
        w.json(&["events", "--json", "--action", "CopyImage"])
    );
}

#[test]
fn bill_per_account() {
    let w = world();
    insta::assert_snapshot!("bill", w.ok(&["bill"]));
    insta::assert_snapshot!(
        "bill_a_east",
        w.ok(&["bill", "--account", A, "--region", EAST])
    );
    insta::assert_snapshot!("bill_none", w.ok(&["bill", "--region", "eu-west-1"]));
    insta::assert_snapshot!("bill_json", w.json(&["bill", "--json"]));
}

// Store handling.

#[test]
fn read_only_commands_never_create_a_store() {
    let w = empty();
    for args in [
        vec!["images", "list"],
        vec!["images", "show", "ami-0123456789abcdef0"],
        vec!["instances", "list"],
        vec!["snapshots", "list"],
        vec!["keys", "list"],
        vec!["permissions", "list"],
        vec!["events"],
        vec!["bill"],
        vec!["prices", "show"],
        vec!["deregister", "ami-0123456789abcdef0"],
        vec!["terminate", "i-0123456789abcdef0"],
        vec!["revoke", "grant", "k", B],
    ] {
        let stderr = w.fails(&args, 1);
        assert_eq!(
            stderr,
            "error: no store at .amisim/cloud.db; run terraform apply first, or point AMISIM_STORE (or --store) at an existing store\n",
            "{args:?}"
        );
    }
    assert!(!w.dir.path().join(".amisim").exists());
}

#[test]
fn read_only_commands_leave_the_store_file_unchanged() {
    let w = world();
    let before = hash_of(&w.store());
    let events_before = w.cloud().events(0).unwrap().len();
    for args in [
        vec!["images", "list", "--all"],
        vec!["images", "show", &w.golden_dr],
        vec!["instances", "list"],
        vec!["instances", "show", &w.web],
        vec!["snapshots", "list", "--all"],
        vec!["keys", "list"],
        vec!["permissions", "list", "--all"],
        vec!["events"],
        vec!["bill"],
        vec!["prices", "show"],
    ] {
        w.ok(&args);
        w.ok(&[args.as_slice(), &["--json"]].concat());
    }
    assert!(
        before == hash_of(&w.store()),
        "a read-only command changed the store"
    );
    assert_eq!(w.cloud().events(0).unwrap().len(), events_before);
}

#[test]
fn the_store_comes_from_the_option_then_the_environment() {
    let w = world();
    let elsewhere = w.dir.path().join("elsewhere.db");
    fs::rename(w.store(), &elsewhere).unwrap();
    w.fails(&["images", "list"], 1);
    let from_option = w.ok(&["--store", "elsewhere.db", "images", "list"]);
    let from_env = w
        .amisim(&["images", "list"])
        .env("AMISIM_STORE", "elsewhere.db")
        .output()
        .unwrap();
    assert!(from_env.status.success());
    assert_eq!(String::from_utf8(from_env.stdout).unwrap(), from_option);
    assert!(from_option.contains("golden-web"));
    // The option wins over the environment; an empty variable counts as unset, as in the provider.
    let both = w
        .amisim(&["--store", "elsewhere.db", "images", "list"])
        .env("AMISIM_STORE", "nowhere.db")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(both.stdout).unwrap(), from_option);
    let empty = w
        .amisim(&["images", "list"])
        .env("AMISIM_STORE", "")
        .output()
        .unwrap();
    assert_eq!(empty.status.code(), Some(1));
    assert!(String::from_utf8(empty.stderr)
        .unwrap()
        .starts_with("error: no store at .amisim/cloud.db;"));
}

#[test]
fn a_damaged_store_is_a_one_line_error() {
    let w = empty();
    fs::write(
        w.dir.path().join("junk.db"),
        "this is not a database at all",
    )
    .unwrap();
    assert_eq!(
        w.fails(&["--store", "junk.db", "images", "list"], 1),
        "error: junk.db is not an amisim store (it is empty, truncated or another kind of file); move the file away or point AMISIM_STORE (or the provider's store argument) at another path; this file was left untouched\n"
    );
    assert_eq!(
        fs::read_to_string(w.dir.path().join("junk.db")).unwrap(),
        "this is not a database at all"
    );
    // An amisim store cut short after its header.
    let w = world();
    let bytes = fs::read(w.store()).unwrap();
    fs::write(w.dir.path().join("cut.db"), &bytes[..8192]).unwrap();
    let stderr = w.fails(&["--store", "cut.db", "images", "list"], 1);
    assert!(
        stderr.starts_with("error: ") && stderr.lines().count() == 1,
        "{stderr}"
    );
    // The deregister command opens stores for writing: it must refuse the same way.
    let stderr = w.fails(&["--store", "cut.db", "deregister", &w.golden], 1);
    assert!(
        stderr.starts_with("error: ") && stderr.lines().count() == 1,
        "{stderr}"
    );
}

// Out-of-band changes.

#[test]
fn deregister_acts_as_the_owner_and_is_logged() {
    let w = world();
    insta::assert_snapshot!("deregister", w.ok(&["deregister", &w.golden_dr]));
    let events = w.cloud().events(0).unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        (
            last.action.as_str(),
            last.account_id.as_str(),
            last.region.as_str(),
            last.outcome.as_str()
        ),
        ("DeregisterImage", A, WEST, "ok")
    );
    let image = w
        .cloud()
        .store()
        .read(|tx| tx.get::<amisim_simulator::Image>(&w.golden_dr))
        .unwrap()
        .unwrap();
    assert_eq!(image.state.as_str(), "deregistered");
    assert_eq!(
        w.ok(&["deregister", &w.golden_dr]),
        format!(
            "{} was already deregistered; nothing changed\n",
            w.golden_dr
        )
    );
    // Its launch permissions went with it; the copy made from it is unaffected.
    let permissions = w.ok(&["permissions", "list", "--json", "--region", WEST]);
    assert!(
        !permissions.contains(&format!("\"image_id\": \"{}\"", w.golden_dr)),
        "{permissions}"
    );
    assert!(w.ok(&["images", "list"]).contains(&w.golden_b));
}

#[test]
fn deregister_can_delete_the_snapshots() {
    let w = world();
    insta::assert_snapshot!(
        "deregister_delete_snapshots_json",
        w.json(&["deregister", &w.golden_b, "--delete-snapshots", "--json",])
    );
    let snapshots = w.ok(&["snapshots", "list", "--account", B]);
    assert_eq!(
        snapshots,
        format!("No snapshots, bundles or volumes of account {B}\n")
    );
}

#[test]
fn delete_snapshot_deletes_kept_storage_but_not_storage_in_use() {
    let w = world();
    let out = w.ok(&["deregister", &w.golden_dr, "--json"]);
    let change: serde_json::Value = serde_json::from_str(&out).unwrap();
    let kept = change["kept_storage_ids"][0].as_str().unwrap().to_string();
    let out = w.ok(&["delete-snapshot", &kept]);
    assert!(
        out.starts_with(&format!("Deleted {kept} in {WEST} as its owner")),
        "{out}"
    );
    assert!(!w.ok(&["snapshots", "list", "--all"]).contains(&kept));
    // Storage of an available image is refused with the AWS code.
    let in_use = w
        .cloud()
        .store()
        .read(|tx| tx.get::<amisim_simulator::Image>(&w.golden_b))
        .unwrap()
        .unwrap()
        .storage_ids[0]
        .clone();
    let err = w.fails(&["delete-snapshot", &in_use], 1);
    assert!(err.contains("InvalidSnapshot.InUse"), "{err}");
}

#[test]
fn terminate_stop_and_start_act_as_the_owner() {
    let w = world();
    let before = w.event_count();
    insta::assert_snapshot!(
        "instance_changes",
        [
            w.ok(&["stop", &w.web]),
            w.ok(&["stop", &w.web]),
            w.ok(&["start", &w.web]),
            w.ok(&["start", &w.web]),
            w.ok(&["terminate", &w.vpn]),
            w.ok(&["terminate", &w.vpn]),
            w.ok(&["terminate", &w.bundle_instance]),
        ]
        .concat()
    );
    insta::assert_snapshot!(
        "instance_changes_events",
        w.ok(&["events", "--after", &before])
    );
    // The bill no longer holds B's Marketplace instance.
    assert!(!w.ok(&["bill", "--account", B]).contains("software-fees"));
}

#[test]
fn refusals_from_the_simulator_carry_the_aws_code() {
    let w = world();
    assert_eq!(
        w.fails(&["stop", &w.bundle_instance], 1),
        format!(
            "error: UnsupportedOperation: The instance '{}' does not have an 'ebs' root device type and cannot be stopped; instance-store-backed instances can only run or be terminated; use an EBS-backed image to stop and start\n",
            w.bundle_instance
        )
    );
    w.ok(&["terminate", &w.web]);
    let stderr = w.fails(&["start", &w.web], 1);
    assert!(
        stderr.starts_with("error: IncorrectInstanceState: "),
        "{stderr}"
    );
    // Both refusals are in the log, under the owner's account.
    let refused = w.ok(&["events", "--outcome", "error", "--account", A]);
    assert!(
        refused.contains("StopInstances") && refused.contains("StartInstances"),
        "{refused}"
    );
}

#[test]
fn revoke_permissions_and_grants() {
    let w = world();
    let before = w.event_count();
    insta::assert_snapshot!(
        "revoke",
        [
            w.ok(&["revoke", "launch-permission", &w.golden_dr, B]),
            w.ok(&["revoke", "launch-permission", &w.golden, "all"]),
            w.ok(&["revoke", "storage-permission", &w.dr_snapshot, B]),
            w.ok(&["revoke", "grant", &w.key, B]),
        ]
        .concat()
    );
    assert_eq!(
        w.ok(&["permissions", "list"]),
        "No permissions (--all includes the public catalogue's permissions)\n"
    );
    let keys: serde_json::Value =
        serde_json::from_str(&w.ok(&["keys", "list", "--json", "--account", A, "--region", WEST]))
            .unwrap();
    assert_eq!(keys[0]["grants"], serde_json::json!([]));
    insta::assert_snapshot!("revoke_events", w.ok(&["events", "--after", &before]));
    // Revoking what is not there names it.
    assert_eq!(
        w.fails(&["revoke", "launch-permission", &w.golden_dr, B], 1),
        format!(
            "error: image {} has no launch permission for account {B}\n",
            w.golden_dr
        )
    );
    assert_eq!(
        w.fails(&["revoke", "storage-permission", &w.dr_snapshot, B], 1),
        format!(
            "error: {} has no read permission for account {B}\n",
            w.dr_snapshot
        )
    );
    assert_eq!(
        w.fails(&["revoke", "grant", &w.key, B], 1),
        format!(
            "error: the KMS key {} has no grant for account {B}\n",
            w.key
        )
    );
}

#[test]
fn events_show_the_access_key_a_server_call_was_made_with_and_snapshots_leave_it_out() {
    let w = empty();
    {
        let mut cloud = w.cloud();
        cloud.set_access_key(Some("AKIAEXAMPLEEXAMPLE22".into()));
        cloud
            .call(
                &Caller::new(A, EAST),
                &RegisterImage {
                    name: "made-through-a-server".into(),
                    ..Default::default()
                },
            )
            .unwrap();
    }
    let events = w.ok(&["events"]);
    assert!(
        events.contains("ACCESS KEY") && events.contains("AKIAEXAMPLEEXAMPLE22"),
        "{events}"
    );
    let json = w.ok(&["events", "--json"]);
    assert!(
        json.contains("\"access_key_id\": \"AKIAEXAMPLEEXAMPLE22\""),
        "{json}"
    );
    let snapshot = w.ok(&["snapshot"]);
    assert!(!snapshot.contains("AKIAEXAMPLE"), "{snapshot}");
}

#[test]
fn leave_cancels_the_share_made_to_the_account_and_nothing_else() {
    let w = world();
    let before = w.event_count();
    assert_eq!(
        w.ok(&["leave", &w.golden_dr, B]),
        format!(
            "Account {B} left the share of {} in {WEST}: its owner {A} sees the launch permission gone\n",
            w.golden_dr
        )
    );
    let listed = w.ok(&["permissions", "list", "--json"]);
    assert!(
        !listed.contains(&format!("\"{}\"", w.golden_dr)),
        "{listed}"
    );
    let events = w.ok(&["events", "--after", &before]);
    assert!(
        events.contains("CancelImageLaunchPermission") && events.contains(B),
        "made as the account that leaves: {events}"
    );
    // Left already (the image is no longer there for the account), public,
    // or the owner's own: refused with AWS's codes.
    let again = w.fails(&["leave", &w.golden_dr, B], 1);
    assert!(again.contains("InvalidAMIID.NotFound"), "{again}");
    let public = w.fails(&["leave", &w.golden, "333333333333"], 1);
    assert!(public.contains("InvalidPermission.NotFound"), "{public}");
    let owner = w.fails(&["leave", &w.golden_dr, A], 1);
    assert!(owner.contains("InvalidParameter:"), "{owner}");
    w.fails(&["leave", &w.golden_dr, "nobody"], 2);
}

#[test]
fn revoke_grant_revokes_every_grant_of_the_key_to_the_account() {
    let w = world();
    let mut cloud = Cloud::open(&w.store()).unwrap();
    cloud
        .call(
            &Caller::new(A, WEST),
            &amisim_simulator::CreateGrant {
                operations: vec!["Decrypt".into(), "DescribeKey".into()],
                ..amisim_simulator::CreateGrant::new(&w.key, B)
            },
        )
        .unwrap();
    drop(cloud);
    let out = w.ok(&["revoke", "grant", &w.key, B]);
    assert!(
        out.starts_with(&format!("Revoked the grants of the KMS key {}", w.key)),
        "{out}"
    );
    let keys: serde_json::Value =
        serde_json::from_str(&w.ok(&["keys", "list", "--json", "--account", A, "--region", WEST]))
            .unwrap();
    assert_eq!(keys[0]["grants"], serde_json::json!([]));
}

#[test]
fn revoke_grant_accepts_a_key_arn() {
    let w = world();
    let arn = format!("arn:aws:kms:{WEST}:{A}:key/{}", w.key);
    insta::assert_snapshot!(
        "revoke_grant_json",
        w.json(&["revoke", "grant", &arn, B, "--json"])
    );
}

// Reset.

#[test]
fn reset_needs_yes_without_a_terminal() {
    let w = world();
    assert_eq!(
        w.fails(&["reset"], 1),
        "error: refusing to delete the store .amisim/cloud.db without --yes, as stdin is not a terminal\n"
    );
    assert!(w.store().exists());
    // With no store there is nothing to refuse.
    let e = empty();
    assert_eq!(
        e.ok(&["reset"]),
        "No store at .amisim/cloud.db; nothing to reset\n"
    );
}

#[test]
fn reset_deletes_the_store_and_its_companions() {
    let w = world();
    // A reader leaves the write-ahead log files beside the store.
    w.ok(&["images", "list"]);
    assert_eq!(
        w.ok(&["reset", "--yes"]),
        "Deleted the store .amisim/cloud.db; the next command or terraform apply starts a fresh cloud\n"
    );
    let left: Vec<_> = fs::read_dir(w.dir.path().join(".amisim"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(
        w.ok(&["reset", "--yes"]),
        "No store at .amisim/cloud.db; nothing to reset\n"
    );
    // The next use starts a fresh cloud.
    let set = w
        .amisim(&["prices", "set", "-"])
        .write_stdin("{}")
        .output()
        .unwrap();
    assert!(set.status.success());
    assert_eq!(
        w.ok(&["images", "list"]),
        "No images (--all includes the public catalogue and deregistered images)\n"
    );
}

#[test]
fn reset_leaves_other_files_alone() {
    let w = empty();
    fs::write(w.dir.path().join("notes.txt"), "precious").unwrap();
    assert_eq!(
        w.fails(&["--store", "notes.txt", "reset", "--yes"], 1),
        "error: notes.txt is not an amisim store, so reset left it alone; delete it by hand if you mean to\n"
    );
    assert_eq!(
        fs::read_to_string(w.dir.path().join("notes.txt")).unwrap(),
        "precious"
    );
}

// Prices.

#[test]
fn faults_add_list_and_clear_and_each_injected_refusal_names_its_rule() {
    let w = world();
    assert_eq!(
        w.ok(&[
            "faults",
            "add",
            "CopyImage",
            "--error",
            "RequestLimitExceeded",
            "--every",
            "2"
        ]),
        "Added fault-1: RequestLimitExceeded on every 2nd CopyImage call\n"
    );
    assert_eq!(
        w.ok(&["faults", "add", "--action", "RunInstances", "--account", B, "--region", "us-west-2",
            "--error", "InsufficientInstanceCapacity", "--times", "1"]),
        format!("Added fault-2: InsufficientInstanceCapacity on every RunInstances call of account {B} in us-west-2, 1 time at most\n")
    );
    let stderr = w.fails(
        &[
            "faults",
            "add",
            "CopyImages",
            "--error",
            "RequestLimitExceeded",
        ],
        1,
    );
    assert!(stderr.contains("did you mean CopyImage?"), "{stderr}");
    let stderr = w.fails(&["faults", "add", "CopyImage", "--error", "Throttling"], 1);
    assert!(stderr.contains("InvalidParameterValue"), "{stderr}");

    let mut cloud = w.cloud();
    let copy = |cloud: &mut Cloud, name: &str| {
        cloud.call(
            &Caller::new(A, "us-east-1"),
            &CopyImage {
                source_image_id: w.golden.clone(),
                source_region: "us-east-1".into(),
                name: name.into(),
                ..Default::default()
            },
        )
    };
    copy(&mut cloud, "first-copy").expect("the 1st CopyImage passes");
    let refused = copy(&mut cloud, "second-copy").expect_err("the 2nd is refused");
    assert_eq!(refused.code(), "RequestLimitExceeded");
    copy(&mut cloud, "second-copy").expect("the retry, the 3rd, passes");
    drop(cloud);

    let listed = w.ok(&["faults", "list"]);
    assert!(
        listed.contains("fault-1  RequestLimitExceeded on every 2nd CopyImage call")
            && listed
                .lines()
                .any(|l| l.starts_with(" fault-1") && l.contains(" 3 ") && l.contains(" 1 ")),
        "{listed}"
    );
    let events = w.ok(&["events", "--outcome", "RequestLimitExceeded"]);
    assert!(
        events.contains("RequestLimitExceeded [fault-1]"),
        "{events}"
    );
    let snapshot = w.ok(&["snapshot", "--events", "none"]);
    assert!(snapshot.contains("\n## fault rules (2)\n"), "{snapshot}");
    assert_eq!(w.ok(&["faults", "clear", "fault-2"]), "Cleared fault-2\n");
    assert_eq!(w.ok(&["faults", "clear"]), "Cleared fault-1\n");
    assert_eq!(w.ok(&["faults", "clear"]), "No fault rules to clear\n");
    assert!(!w
        .ok(&["snapshot", "--events", "none"])
        .contains("fault rules"));
    assert_eq!(
        w.ok(&["faults", "add", "RegisterImage", "--unseen-for", "2"]),
        "Added fault-3: what every RegisterImage call creates unseen by its owner's next 2 describe calls\n"
    );
    assert_eq!(
        w.ok(&["faults", "add", "CopyImage", "--pending", "20m"]),
        "Added fault-4: every image a CopyImage call makes pending for 20m\n"
    );
    let stderr = w.fails(&["faults", "add", "CopyImage", "--pending", "soon"], 1);
    assert!(stderr.contains("a duration such as 20m"), "{stderr}");
    // A rule has one effect: an error, unseen objects, or pending images.
    w.fails(&["faults", "add", "CopyImage"], 2);
    w.fails(
        &[
            "faults",
            "add",
            "CopyImage",
            "--error",
            "InternalError",
            "--unseen-for",
            "1",
        ],
        2,
    );
}

#[test]
fn prices_show_and_set() {
    let w = world();
    insta::assert_snapshot!("prices_show", w.ok(&["prices", "show"]));
    let defaults = w.ok(&["prices", "show", "--json"]);
    insta::assert_snapshot!("prices_show_json", defaults);
    fs::write(
        w.dir.path().join("cheap.json"),
        r#"{"ebs_snapshot_gb_month": 25000, "inter_region_transfer_gb": 0}"#,
    )
    .unwrap();
    insta::assert_snapshot!("prices_set", w.ok(&["prices", "set", "cheap.json"]));
    insta::assert_snapshot!("bill_with_cheap_prices", w.ok(&["bill", "--account", A]));
    // What `prices show --json` prints, `prices set` reads back: the defaults again.
    fs::write(w.dir.path().join("defaults.json"), &defaults).unwrap();
    w.ok(&["prices", "set", "defaults.json"]);
    assert_eq!(w.ok(&["prices", "show", "--json"]), defaults);
}

#[test]
fn prices_set_refuses_bad_price_books() {
    let w = world();
    let write = |name: &str, text: &str| fs::write(w.dir.path().join(name), text).unwrap();
    write("broken.json", "{");
    let stderr = w.fails(&["prices", "set", "broken.json"], 1);
    assert!(
        stderr.starts_with("error: the price book is not valid: "),
        "{stderr}"
    );
    write("typo.json", r#"{"ebs_snapshot_gb_mont": 1}"#);
    let stderr = w.fails(&["prices", "set", "typo.json"], 1);
    assert!(
        stderr.starts_with(
            "error: the price book has no price \"ebs_snapshot_gb_mont\"; known prices: "
        ),
        "{stderr}"
    );
    write("negative.json", r#"{"windows_vcpu_hour": -1}"#);
    assert_eq!(
        w.fails(&["prices", "set", "negative.json"], 1),
        "error: the price windows_vcpu_hour is -1; prices are micro-dollars of zero or more\n"
    );
    let stderr = w.fails(&["prices", "set", "missing.json"], 1);
    assert!(
        stderr.starts_with("error: cannot read the price book missing.json: "),
        "{stderr}"
    );
    assert!(w
        .ok(&["prices", "show"])
        .contains("(the defaults: AWS us-east-1 list prices)"));
}

#[test]
fn a_foreign_wal_beside_the_store_is_refused_by_every_command_and_the_store_is_untouched() {
    let w = world();
    // A WAL of another SQLite database, never checkpointed, copied beside the store.
    let other = w.dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
         CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('not amisim');",
    )
    .unwrap();
    let wal = w.dir.path().join(".amisim/cloud.db-wal");
    fs::copy(w.dir.path().join("other.db-wal"), &wal).unwrap();
    drop(conn);
    let _ = fs::remove_file(w.dir.path().join(".amisim/cloud.db-shm"));
    let before = hash_of(&w.store());
    for args in [
        vec!["images", "list"],
        vec!["images", "show", &w.golden],
        vec!["instances", "list"],
        vec!["snapshots", "list"],
        vec!["keys", "list"],
        vec!["permissions", "list"],
        vec!["events"],
        vec!["bill"],
        vec!["prices", "show"],
        vec!["deregister", &w.golden],
        vec!["delete-snapshot", &w.dr_snapshot],
        vec!["terminate", &w.web],
        vec!["stop", &w.web],
        vec!["start", &w.web],
        vec!["revoke", "grant", &w.key, B],
    ] {
        let stderr = w.fails(&args, 1);
        assert_eq!(
            stderr,
            "error: the write-ahead log .amisim/cloud.db-wal does not belong to .amisim/cloud.db: applying it would give a database that is not an amisim store; move .amisim/cloud.db-wal away (with .amisim/cloud.db-shm, if there is one) and run the command again; the store .amisim/cloud.db was left untouched\n",
            "{args:?}"
        );
        assert!(before == hash_of(&w.store()), "{args:?} changed the store");
    }
    // Moved away, the store is whole again.
    fs::remove_file(&wal).unwrap();
    assert!(w.ok(&["images", "list"]).contains("golden-web"));
}

/// The binary, run as a user who is not root (root writes any file whatever its mode).
fn amisim_as_a_user(w: &World, args: &[&str]) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("amisim");
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let mut cmd = if is_root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin);
        c
    } else {
        std::process::Command::new(bin)
    };
    cmd.current_dir(w.dir.path())
        .env_remove("AMISIM_STORE")
        .env("RUST_BACKTRACE", "0")
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn an_unwritable_shm_is_named_and_reading_a_read_only_store_leaves_nothing_beside_it() {
    use std::os::unix::fs::PermissionsExt;
    let w = world();
    let folder = w.dir.path().join(".amisim");
    for dir in [w.dir.path(), folder.as_path()] {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o777)).unwrap();
    }
    // A store this user may only read: listings work and create nothing beside it.
    fs::set_permissions(w.store(), fs::Permissions::from_mode(0o444)).unwrap();
    let out = amisim_as_a_user(&w, &["images", "list"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut files: Vec<String> = fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, vec!["cloud.db".to_string()]);
    // Writable again, but with a -shm this user cannot write: the message names the -shm.
    fs::set_permissions(w.store(), fs::Permissions::from_mode(0o666)).unwrap();
    let shm = folder.join("cloud.db-shm");
    fs::write(&shm, b"").unwrap();
    fs::set_permissions(&shm, fs::Permissions::from_mode(0o444)).unwrap();
    let before = hash_of(&w.store());
    let out = amisim_as_a_user(&w, &["deregister", &w.golden]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: cannot write to .amisim/cloud.db-shm")
            && stderr.contains("make .amisim/cloud.db-shm writable"),
        "{stderr}"
    );
    assert!(before == hash_of(&w.store()));
    // Removed, it is no longer in the way.
    fs::remove_file(&shm).unwrap();
    let out = amisim_as_a_user(&w, &["deregister", &w.golden]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_clock_is_shown_and_moved_forward_and_the_next_command_starts_after_it() {
    let w = world();
    let bill = w.ok(&["bill"]);
    assert_eq!(
        w.ok(&["clock", "show"]),
        "Simulated time 2025-01-01T00:00:03.000Z; the next command starts at the next whole minute\n"
    );
    assert_eq!(
        w.ok(&["clock", "advance", "25h"]),
        "Simulated time moved to 2025-01-02T01:00:03.000Z; the next command starts at the next whole minute\n"
    );
    assert_eq!(
        w.json(&["--json", "clock", "show"]),
        "{\n  \"now\": \"2025-01-02T01:00:03.000Z\"\n}\n"
    );
    // The bill's lines are a monthly rate of the cloud as it stands: time
    // passing changes none of them, and adds what 25 hours of it cost (the
    // one-off transfer excluded): $41.542 x 25 / 730 and $57.632 x 25 / 730.
    let now = w.ok(&["bill"]);
    let accrued = |dollars: &str| {
        format!("Accrued over the simulated time that passed (amisim clock advance): {dollars}\n")
    };
    assert_eq!(
        now.replacen(&accrued("$1.4227"), "", 1)
            .replacen(&accrued("$1.9737"), "", 1),
        bill
    );
    let json = w.json(&["--json", "bill", "--account", A, "--region", EAST]);
    // Per region: us-east-1's lines, 25 hours of $41.142 a month.
    assert!(json.contains("\"us-east-1\": 1408971"), "{json}");
    assert!(!json.contains("us-west-2"), "{json}");
    // An out-of-band change is a command of its own, after the jump.
    w.ok(&["deregister", &w.golden]);
    let events = w.cloud().events(0).unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.time.as_str()),
        ("DeregisterImage", "2025-01-02T01:01:01.000Z")
    );
    let stderr = w.fails(&["clock", "advance", "soon"], 1);
    assert!(stderr.contains("is not a duration"), "{stderr}");
    // Past the year 9999: refused, and the clock is where it was.
    let before = w.ok(&["clock", "show"]);
    let stderr = w.fails(&["clock", "advance", "2933000d"], 1);
    assert!(
        stderr.starts_with("error: InvalidParameterValue: ") && stderr.contains("9999-12-31"),
        "{stderr}"
    );
    assert_eq!(w.ok(&["clock", "show"]), before);
}

#[test]
fn a_root_volume_kept_after_termination_is_listed_billed_and_deleted() {
    let w = world();
    let me = Caller::new(A, EAST);
    let kept = w
        .cloud()
        .call(
            &me,
            &RunInstance {
                image_id: w.golden.clone(),
                instance_type: "t3.micro".into(),
                root_delete_on_termination: Some(false),
                tags: [("Name".to_string(), "kept-root".to_string())].into(),
                ..Default::default()
            },
        )
        .unwrap();
    let volume = kept.root_volume_id.clone().expect("an EBS root");
    let shown = w.ok(&["instances", "show", &kept.id]);
    assert!(
        shown.contains(&format!("{volume} (kept after termination)")),
        "{shown}"
    );
    let out = w.ok(&["terminate", &kept.id]);
    assert!(
        out.contains(&format!("its root volume {volume} is kept")),
        "{out}"
    );
    let listed = w.ok(&["snapshots", "list"]);
    let row = listed
        .lines()
        .find(|l| l.contains(&volume))
        .expect("listed");
    assert!(
        row.contains("volume") && row.contains(&format!("root of {}", kept.id)),
        "{row}"
    );
    let bill = w.ok(&["bill", "--account", A]);
    assert!(bill.contains("ebs-volume-storage"), "{bill}");
    let out = w.ok(&["delete-volume", &volume]);
    assert!(out.contains("no longer billed"), "{out}");
    assert!(!w
        .ok(&["bill", "--account", A])
        .contains("ebs-volume-storage"));
    // The default deletes the root volume with the instance.
    let stderr = w.fails(&["delete-volume", &volume], 1);
    assert!(stderr.contains("no volume"), "{stderr}");
    let out = w.ok(&["terminate", &w.web]);
    assert!(out.contains("EBS root volume was deleted with it"), "{out}");
}

#[test]
fn a_snapshot_is_canonical_text_checked_against_a_saved_one_with_a_diff() {
    let w = world();
    let text = w.ok(&["snapshot"]);
    assert!(
        text.starts_with("# amisim snapshot\nclock 2025-01-01T00:00:03.000Z\n"),
        "{text}"
    );
    for section in [
        "## images (",
        "## storage (",
        "## launch permissions (",
        "## storage permissions (",
        "## keys (",
        "## instances (",
        "## accounts (",
        "## bill (",
        "## events (",
    ] {
        assert!(text.contains(section), "{section}");
    }
    assert!(
        text.contains(&w.golden) && !text.contains("al2023-ami"),
        "no catalogue images"
    );
    // Reading twice gives the same bytes; JSON holds the same.
    assert_eq!(w.ok(&["snapshot"]), text);
    let json: serde_json::Value = serde_json::from_str(&w.json(&["--json", "snapshot"])).unwrap();
    assert_eq!(json["clock"], "2025-01-01T00:00:03.000Z");
    assert!(json["images"].as_array().is_some_and(|a| !a.is_empty()));
    // Scoped by account and region.
    let b = w.ok(&["snapshot", "--account", B, "--region", WEST]);
    assert!(b.contains(&w.golden_b) && !b.contains(&w.golden), "{b}");

    // Saved, then checked: equal passes; an out-of-band change fails with a diff.
    assert_eq!(
        w.ok(&["snapshot", "--update", "saved/cloud.snapshot"]),
        "Saved the snapshot to saved/cloud.snapshot\n"
    );
    assert_eq!(
        std::fs::read_to_string(w.dir.path().join("saved/cloud.snapshot")).unwrap(),
        text
    );
    assert_eq!(
        w.ok(&["snapshot", "--check", "saved/cloud.snapshot"]),
        "The cloud matches saved/cloud.snapshot\n"
    );
    w.ok(&["deregister", &w.golden_dr]);
    let out = w
        .amisim(&["snapshot", "--check", "saved/cloud.snapshot"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(
        diff.starts_with("--- saved/cloud.snapshot\n+++ the cloud now\n"),
        "{diff}"
    );
    assert!(
        diff.lines()
            .any(|l| l.starts_with('+') && l.contains("\"deregistered\"")),
        "{diff}"
    );
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("differs from saved/cloud.snapshot"));
}

/// A snapshot holds the changes and refusals of the event log by default,
/// so what a plan or a refresh reads leaves it as it was; `--events all`
/// adds the reads, `--events none` leaves the log out, and `--check`
/// compares with the same selection.
#[test]
fn a_snapshot_holds_changes_and_refusals_unless_told_otherwise() {
    let w = world();
    let events = |text: &str| -> Vec<String> {
        text.split("## events (")
            .nth(1)
            .map(|rest| rest.lines().skip(1).map(str::to_string).collect())
            .unwrap_or_default()
    };
    let default = w.ok(&["snapshot"]);
    let all = w.ok(&["snapshot", "--events", "all"]);
    assert!(
        events(&default)
            .iter()
            .all(|e| !e.contains("\"Describe") || !e.contains("\"ok\"")),
        "{default}"
    );
    assert!(events(&default).iter().any(|e| e.contains("RegisterImage")));
    assert!(
        events(&default).iter().any(|e| !e.contains("\"ok\"")),
        "refusals are kept: {default}"
    );
    w.ok(&["snapshot", "--update", "saved.snapshot"]);
    // Reads, as a plan or a refresh makes them, change nothing the default holds.
    let mut cloud = w.cloud();
    for _ in 0..3 {
        cloud
            .call(&Caller::new(A, EAST), &DescribeImages::default())
            .unwrap();
    }
    drop(cloud);
    assert_eq!(
        w.ok(&["snapshot", "--check", "saved.snapshot"]),
        "The cloud matches saved.snapshot\n"
    );
    let all_after = w.ok(&["snapshot", "--events", "all"]);
    assert_eq!(events(&all_after).len(), events(&all).len() + 3);
    assert!(!w
        .ok(&["snapshot", "--events", "none"])
        .contains("## events ("));
    let out = w
        .amisim(&["snapshot", "--events", "all", "--check", "saved.snapshot"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "the reads are in --events all");
}

#[test]
fn a_snapshot_shows_a_change_to_the_public_catalogue_in_its_digest() {
    let w = world();
    let text = w.ok(&["snapshot"]);
    let line = text.lines().nth(2).unwrap().to_string();
    assert!(
        line.starts_with("catalogue ") && line.contains(" images sha256:"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&w.json(&["--json", "snapshot"])).unwrap();
    assert!(
        json["catalogue"]["images"].as_u64().is_some_and(|n| n > 10),
        "{json}"
    );
    // A region's snapshot digests that region's catalogue only.
    let west = w.ok(&["snapshot", "--region", WEST]);
    assert_ne!(west.lines().nth(2).unwrap(), line);
    w.ok(&["snapshot", "--update", "saved/cloud.snapshot"]);
    // Nobody can change the catalogue through amisim; whoever edits the store
    // to change it is seen by the next check.
    let conn = rusqlite::Connection::open(w.store()).unwrap();
    let changed = conn
        .execute(
            "UPDATE objects SET body = replace(body, '\"description\":\"', '\"description\":\"tampered ') \
             WHERE kind = 'image' AND account = '137112412989' \
             AND id = (SELECT min(id) FROM objects WHERE kind = 'image' AND account = '137112412989')",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(conn);
    let out = w
        .amisim(&["snapshot", "--check", "saved/cloud.snapshot"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(
        diff.lines().any(|l| l.starts_with("-catalogue "))
            && diff.lines().any(|l| l.starts_with("+catalogue ")),
        "{diff}"
    );
}

#[test]
fn the_graph_draws_copies_shares_grants_and_instances_as_mermaid_and_dot() {
    let w = world();
    let mermaid = w.ok(&["graph"]);
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    assert!(mermaid.contains("copy us-east-1 → us-west-2"), "{mermaid}");
    assert!(
        mermaid.contains("account 111111111111 → 222222222222"),
        "{mermaid}"
    );
    assert!(mermaid.contains("-->|\"grant\"|"), "{mermaid}");
    assert!(mermaid.contains("everyone (group all)"), "{mermaid}");
    insta::assert_snapshot!("graph_mermaid", mermaid);
    let dot = w.ok(&["graph", "--format", "dot"]);
    assert!(
        dot.starts_with("digraph amisim {\n") && dot.ends_with("}\n"),
        "{dot}"
    );
    insta::assert_snapshot!("graph_dot", dot);
    // The same cloud draws the same text; a scope draws less.
    assert_eq!(w.ok(&["graph"]), mermaid);
    let west = w.ok(&["graph", "--account", B, "--region", WEST]);
    assert!(west.contains(&w.golden_b) && west.lines().count() < mermaid.lines().count());
    let stderr = w.fails(&["graph", "--format", "png"], 2);
    assert!(
        stderr.contains("mermaid") && stderr.contains("dot"),
        "{stderr}"
    );
}

#[test]
fn images_protect_disable_deprecate_and_references_act_as_the_owner() {
    let w = world();
    let protected = w.ok(&["images", "protect", &w.golden, "--cooldown"]);
    assert_eq!(
        protected,
        format!(
            "Protected {} from deregistration (enabled-with-cooldown) in us-east-1 as its owner {A}\n",
            w.golden
        )
    );
    let stderr = w.fails(&["deregister", &w.golden], 1);
    assert!(
        stderr.starts_with("error: OperationNotPermitted: "),
        "{stderr}"
    );
    let lifted = w.ok(&["images", "unprotect", &w.golden]);
    assert!(
        lifted.contains("its cooldown keeps it protected until"),
        "{lifted}"
    );
    let shown = w.ok(&["images", "show", &w.golden]);
    assert!(
        shown.contains("Deregistration protection  disabled (cooldown until"),
        "{shown}"
    );
    w.fails(&["deregister", &w.golden], 1);
    w.ok(&["clock", "advance", "24h"]);

    let refs = w.ok(&["images", "references", &w.golden]);
    assert!(
        refs.contains(&w.web) && refs.contains(&w.golden_dr),
        "{refs}"
    );
    let refs = w.json(&["--json", "images", "references", &w.golden]);
    assert!(refs.contains("\"kind\": \"instance\""), "{refs}");

    let disabled = w.ok(&["images", "disable", &w.golden]);
    assert!(
        disabled.contains("its launch permissions are removed"),
        "{disabled}"
    );
    assert_eq!(
        w.ok(&["images", "disable", &w.golden]),
        format!("{} was already disabled; nothing changed\n", w.golden)
    );
    assert!(w
        .ok(&["images", "enable", &w.golden])
        .contains("no launch permission came back"));

    let deprecated = w.ok(&[
        "images",
        "deprecate",
        &w.golden,
        "--at",
        "2030-06-30T12:34:56Z",
    ]);
    assert_eq!(
        deprecated,
        format!(
            "{} is deprecated from 2030-06-30T12:34:00.000Z in us-east-1 as its owner {A}\n",
            w.golden
        )
    );
    let stderr = w.fails(
        &[
            "images",
            "deprecate",
            &w.golden,
            "--at",
            "2020-01-01T00:00:00Z",
        ],
        1,
    );
    assert!(
        stderr.starts_with("error: InvalidParameterValue: "),
        "{stderr}"
    );
    assert!(w
        .ok(&["images", "deprecate", &w.golden, "--cancel"])
        .contains("is not deprecated"));
    w.fails(&["images", "deprecate", &w.golden], 2);
}

#[test]
fn recycle_bin_lists_and_restores_as_the_owner() {
    let w = world();
    assert_eq!(w.ok(&["recycle-bin", "list"]), "The Recycle Bin is empty\n");
    let owner = Caller::new(A, "us-east-1");
    let mut cloud = w.cloud();
    for resource_type in ["EC2_IMAGE", "EBS_SNAPSHOT"] {
        cloud
            .call(
                &owner,
                &amisim_simulator::recycle_bin::CreateRule {
                    resource_type: resource_type.into(),
                    retention_period_days: 3,
                    ..Default::default()
                },
            )
            .unwrap();
    }
    drop(cloud);
    w.ok(&["deregister", &w.baked, "--delete-snapshots"]);
    let list = w.ok(&["recycle-bin", "list"]);
    assert!(
        list.contains(&w.baked) && list.contains("EBS_SNAPSHOT"),
        "{list}"
    );
    let json = w.json(&["--json", "recycle-bin", "list", "--account", A]);
    assert!(json.contains("\"resource_type\": \"EC2_IMAGE\""), "{json}");
    let restored = w.ok(&["recycle-bin", "restore", &w.baked]);
    assert!(
        restored.starts_with(&format!("Restored {} in us-east-1", w.baked)),
        "{restored}"
    );
    assert_eq!(w.ok(&["recycle-bin", "list"]), "The Recycle Bin is empty\n");
    w.ok(&["deregister", &w.baked, "--delete-snapshots"]);
    w.ok(&["clock", "advance", "4d"]);
    let stderr = w.fails(&["recycle-bin", "restore", &w.baked], 1);
    assert!(stderr.contains("deleted for good"), "{stderr}");
    let stderr = w.fails(&["recycle-bin", "restore", "snap-0123456789abcdef0"], 1);
    assert!(
        stderr.contains("no snapshot snap-0123456789abcdef0 in the Recycle Bin"),
        "{stderr}"
    );
}

#[test]
fn claimed_accounts_need_their_secret_for_every_verb() {
    let w = world();
    let out = w.ok(&["accounts", "claim", A]);
    assert!(
        out.starts_with(&format!(
        "Claimed account {A}. Its access key, shown only this once:\nexport AWS_ACCESS_KEY_ID=AKIA"
    )),
        "{out}"
    );
    let secret = out
        .lines()
        .find_map(|l| l.strip_prefix("export AWS_SECRET_ACCESS_KEY="))
        .unwrap()
        .to_string();
    assert_eq!(secret.len(), 40, "{out}");
    // The key file it sealed the secret under is the user's alone.
    use std::os::unix::fs::PermissionsExt;
    let key = std::fs::metadata(w.dir.path().join("secret.key")).unwrap();
    assert_eq!(key.permissions().mode() & 0o777, 0o600);
    assert!(w.ok(&["accounts", "list"]).contains(A));
    let stderr = w.fails(&["images", "protect", &w.golden], 1);
    assert!(stderr.starts_with("error: AuthFailure: "), "{stderr}");
    let wrong = w
        .amisim(&["deregister", &w.golden])
        .env("AMISIM_SECRET_KEY", "amisim-guess")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("not its secret"));
    let right = w
        .amisim(&["images", "protect", &w.golden])
        .env("AMISIM_SECRET_KEY", &secret)
        .output()
        .unwrap();
    assert!(
        right.status.success(),
        "{}",
        String::from_utf8_lossy(&right.stderr)
    );
    // Unclaimed accounts need nothing.
    w.ok(&["stop", &w.vpn]);
    assert!(w
        .fails(&["accounts", "release", A], 1)
        .contains("AuthFailure"));
    assert!(w
        .ok(&["accounts", "release", A, "--force"])
        .starts_with("Released account"));
    assert_eq!(
        w.ok(&["accounts", "list"]),
        "No account is claimed: every account is open\n"
    );
    let stderr = w.fails(&["accounts", "claim", "12"], 1);
    assert!(stderr.contains("InvalidParameterValue"), "{stderr}");
}

#[test]
fn operator_changes_are_calls_logged_as_the_administrator() {
    let w = world();
    let before = w.cloud().events(0).unwrap().len();
    w.ok(&["accounts", "claim", A]);
    std::fs::write(
        w.dir.path().join("cheap.json"),
        r#"{"ebs_snapshot_gb_month": 10000}"#,
    )
    .unwrap();
    w.ok(&["prices", "set", "cheap.json"]);
    w.ok(&["clock", "advance", "2h"]);
    // A release without the account's secret is the account's own call, refused.
    assert!(w
        .fails(&["accounts", "release", A], 1)
        .contains("AuthFailure"));
    w.ok(&["accounts", "release", A, "--force"]);
    let events = w.cloud().events(0).unwrap();
    let logged: Vec<(String, String, String, String)> = events[before..]
        .iter()
        .map(|e| {
            (
                e.account_id.clone(),
                e.action.clone(),
                e.outcome.clone(),
                e.resource_id.clone().unwrap_or_default(),
            )
        })
        .collect();
    let row = |who: &str, action: &str, outcome: &str, id: &str| {
        (who.into(), action.into(), outcome.into(), id.into())
    };
    // Operator calls start no command: the first three happen at the same
    // instant (the clock moves after its call), listed by a stable key.
    assert_eq!(
        logged,
        vec![
            row("administrator", "AdvanceClock", "ok", ""),
            row("administrator", "ClaimAccount", "ok", A),
            row("administrator", "SetPriceBook", "ok", ""),
            row(A, "ReleaseAccount", "AuthFailure", A),
            row("administrator", "ReleaseAccount", "ok", A),
        ]
    );
    let advance = &events[before];
    assert_eq!(advance.parameters["seconds"], 7200);
    assert_eq!(advance.region, "global");
    let listed = w.ok(&["events", "--account", "administrator"]);
    assert!(listed.contains("AdvanceClock"), "{listed}");
}

#[test]
fn out_of_band_changes_never_act_as_the_catalogue_owners() {
    let w = world();
    let mut cloud = w.cloud();
    let al2023 = catalogue_image(
        &mut cloud,
        &Caller::new(A, EAST),
        "al2023-ami-2023.6.20250115.0-kernel-6.1-x86_64",
    );
    drop(cloud);
    let before = w.event_count();
    for args in [
        vec!["deregister", al2023.as_str()],
        vec!["images", "disable", al2023.as_str()],
        vec![
            "images",
            "deprecate",
            al2023.as_str(),
            "--at",
            "2025-06-01T00:00:00Z",
        ],
        vec!["revoke", "launch-permission", al2023.as_str(), "all"],
    ] {
        let stderr = w.fails(&args, 1);
        assert!(
            stderr.starts_with("error: AuthFailure: "),
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains("a publisher of the public catalogue"),
            "{stderr}"
        );
    }
    for publisher in ["137112412989", "099720109477", "136693071363"] {
        assert!(w
            .fails(&["accounts", "claim", publisher], 1)
            .contains("AuthFailure"));
    }
    // Each refusal is a logged call, and the catalogue image is untouched.
    assert_ne!(w.event_count(), before);
    let shown = w.ok(&["images", "show", &al2023]);
    assert!(shown.contains("available"), "{shown}");
}

#[test]
fn text_from_users_reaches_the_terminal_escaped() {
    let w = empty();
    let mut cloud = Cloud::open(&w.store()).unwrap();
    let hostile = "\u{1b}]0;PWNED\u{7}\u{1b}[2J";
    let image = cloud
        .call(
            &Caller::new(A, EAST),
            &RegisterImage {
                name: "tagged".into(),
                tags: [("note".to_string(), hostile.to_string())].into(),
                ..Default::default()
            },
        )
        .unwrap();
    drop(cloud);
    for args in [
        vec!["images", "show", image.id.as_str()],
        vec!["images", "list"],
        vec!["snapshot"],
        vec!["events"],
    ] {
        let out = w.ok(&args);
        assert!(
            !out.chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "{args:?} wrote a raw control character: {out:?}"
        );
    }
    let shown = w.ok(&["images", "show", &image.id]);
    assert!(
        shown.contains("\\u001b]0;PWNED\\u0007\\u001b[2J"),
        "{shown}"
    );
    // JSON was escaped already, and stays as it was.
    let json = w.json(&["--json", "images", "show", &image.id]);
    assert!(json.contains("\\u001b]0;PWNED\\u0007\\u001b[2J"), "{json}");
}

#[test]
fn odd_store_strings_are_clear_errors_that_create_nothing_and_hide_passwords() {
    let w = world();
    let before: Vec<_> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    for store in [
        "Postgres://ada:S3cretPW@127.0.0.1:1/classroom",
        "POSTGRESQL://ada:S3cretPW@127.0.0.1:1/classroom",
    ] {
        // A PostgreSQL server (here one that is not listening), never a file.
        let output = w
            .amisim(&["--store", store, "images", "list"])
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(!output.status.success(), "{store}");
        assert!(!stderr.contains("S3cretPW"), "{stderr}");
        assert!(stderr.contains("127.0.0.1:1"), "{stderr}");
    }
    for (store, says) in [
        (":memory:", "sqlite:PATH"),
        ("sqlite:", "names no file"),
        ("mysql://ada:S3cretPW@127.0.0.1/db", "postgres://"),
    ] {
        let stderr = w.fails(&["--store", store, "images", "list"], 1);
        assert!(stderr.contains(says), "{store}: {stderr}");
        assert!(!stderr.contains("S3cretPW"), "{stderr}");
    }
    // The same for a command that writes: nothing is created.
    let stderr = w.fails(&["--store", ":memory:", "clock", "advance", "1m"], 1);
    assert!(stderr.contains("InvalidParameterValue"), "{stderr}");
    let after: Vec<_> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(before, after, "no file was made");
}

#[test]
fn buckets_list_stored_images_and_delete_one_as_its_owner() {
    let w = world();
    assert_eq!(
        w.ok(&["buckets", "list"]),
        "No images stored in S3 buckets\n"
    );
    let owner = Caller::new(A, "us-east-1");
    let mut cloud = w.cloud();
    let stored = cloud
        .call(
            &owner,
            &amisim_simulator::StoreImage {
                image_id: w.baked.clone(),
                bucket: "golden-archive".into(),
                ..Default::default()
            },
        )
        .unwrap();
    drop(cloud);
    let list = w.ok(&["buckets", "list"]);
    assert!(
        list.contains("golden-archive")
            && list.contains(&stored.object_key)
            && list.contains(&w.baked),
        "{list}"
    );
    let bill = w.ok(&["bill", "--account", A]);
    assert!(bill.contains("s3-stored-images"), "{bill}");
    let snapshot = w.ok(&["snapshot", "--events", "none"]);
    assert!(snapshot.contains("\n## stored images (1)\n"), "{snapshot}");
    assert!(!snapshot.contains("## usage reports"), "{snapshot}");
    let json = w.json(&["--json", "buckets", "list"]);
    assert!(json.contains("\"bucket\": \"golden-archive\""), "{json}");
    let deleted = w.ok(&["buckets", "delete", "golden-archive", &stored.object_key]);
    assert!(
        deleted.starts_with(&format!(
            "Deleted {} from bucket golden-archive in us-east-1",
            stored.object_key
        )),
        "{deleted}"
    );
    assert!(!w.ok(&["bill", "--account", A]).contains("s3-stored-images"));
    assert!(!w
        .ok(&["snapshot", "--events", "none"])
        .contains("## stored images"));
    let stderr = w.fails(
        &["buckets", "delete", "golden-archive", &stored.object_key],
        1,
    );
    assert!(stderr.contains("no object"), "{stderr}");
}

/// `amisim images load`: fixture images into a new cloud, listed as loaded
/// from their file; a file with a fault loads nothing and says where.
#[test]
fn images_load_loads_fixture_images_and_names_a_fault() {
    let w = empty();
    let bad = w.dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"[{"ami_id": "ami-12345678", "name": "web-1", "owner_id": "333333333333", "colour": "red"}]"#,
    )
    .unwrap();
    let stderr = w.fails(&["images", "load", "bad.json"], 1);
    assert!(
        stderr.contains("entry 1 (ami-12345678), field colour: is not a field of a fixture image")
            && stderr.contains("nothing was loaded"),
        "{stderr}"
    );
    assert!(!w.store().exists(), "a bad file makes no store");
    let file = w.dir.path().join("team.json");
    std::fs::write(
        &file,
        r#"[{"ami_id": "ami-0abc1234def567890", "name": "golden-2024-05", "owner_id": "333333333333",
             "region_name": "eu-west-1", "public": true},
            {"ami_id": "ami-ekslinux", "name": "eks-node", "owner_id": "333333333333", "region_name": "us-east-1"}]"#,
    )
    .unwrap();
    assert_eq!(
        w.ok(&["images", "load", "team.json"]),
        "Loaded 2 images of team.json: 2 entries into 2 regions, with 2 snapshots or bundles; `amisim images list --all` lists them\n"
    );
    let list = w.ok(&["images", "list", "--account", "333333333333"]);
    assert!(
        list.contains("ami-0abc1234def567890") && list.contains("fixture team.json"),
        "{list}"
    );
    let events = w.event_count();
    let stderr = w.fails(&["images", "load", "team.json"], 1);
    assert!(
        stderr.contains("entry 1 (ami-0abc1234def567890), field ami_id: ami-0abc1234def567890 is already in use in eu-west-1"),
        "{stderr}"
    );
    assert_eq!(
        w.event_count(),
        (events.parse::<usize>().unwrap() + 1).to_string(),
        "the refusal is logged, and nothing else changed"
    );
    let snapshot = w.ok(&["snapshot", "--events", "none"]);
    assert!(
        snapshot.contains("\"id\":\"ami-0abc1234def567890\"")
            && snapshot.contains("\"file\":\"team.json\""),
        "{snapshot}"
    );
    let json = w.json(&["--json", "images", "show", "ami-ekslinux"]);
    assert!(json.contains("\"file\": \"team.json\""), "{json}");
}
