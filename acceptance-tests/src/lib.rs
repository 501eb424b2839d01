//! A small harness that runs the real Terraform CLI against the amisim provider.
//!
//! Each [`Workspace`] is a temporary working directory with its own CLI
//! configuration (`dev_overrides` for `amisim/amisim` pointing at the freshly
//! built provider) and its own store. The Terraform binary comes from
//! `AMISIM_TF`, else from the set-up's choice in `.tools/terraform-path`, else
//! `terraform` on PATH.
//!
//! ```no_run
//! use amisim_acceptance_tests::Workspace;
//!
//! let ws = Workspace::new(r#"resource "amisim_image" "x" { name = "x-image" }"#);
//! ws.apply();
//! ws.assert_plan_empty();
//! ws.destroy();
//! ```

pub mod browser;
pub mod console;
pub mod docs;
pub mod serve;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use amisim_simulator::{Cloud, Event};
use serde_json::Value;

/// The `terraform` block every test configuration starts with.
pub const PROVIDER_REQUIREMENTS: &str = r#"terraform {
  required_providers {
    amisim = {
      source = "amisim/amisim"
    }
  }
}
"#;

/// The root of the repository.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
}

/// Builds the provider and the `amisim` tool once per test process, with the
/// same command as `scripts/setup`: one package selection means one set of
/// features, so every caller shares one build instead of each making its own.
fn built_binaries() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "-p",
                "amisim-provider",
                "-p",
                "amisim-cli",
            ])
            .current_dir(repo_root())
            .status()
            .expect("cargo runs");
        assert!(status.success(), "the provider and the amisim tool build");
        target_dir().join("debug")
    })
    .clone()
}

/// The folder holding the built provider.
pub fn provider_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(built_binaries)
}

/// The built `amisim` command-line tool.
pub fn amisim_binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| built_binaries().join("amisim"))
}

/// Copies the folder `from` into `to`, leaving out what a Terraform run leaves
/// behind (`.amisim/`, `.terraform/`, state files).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a folder");
    for entry in std::fs::read_dir(from).expect("a folder").flatten() {
        let name = entry.file_name();
        if name == ".amisim" || name == ".terraform" {
            continue;
        }
        let target = to.join(&name);
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else if !name.to_string_lossy().ends_with(".tfstate") {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every process below `pid` (its children, theirs, and so on), from `/proc`.
pub fn descendants(pid: u32) -> Vec<u32> {
    let parent_of = |p: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).ok()?;
        // The parent PID is the second field after the parenthesised command name.
        stat.rsplit_once(')')?
            .1
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    let all: Vec<(u32, Option<u32>)> = std::fs::read_dir("/proc")
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.file_name().to_string_lossy().parse().ok())
                .map(|p| (p, parent_of(p)))
                .collect()
        })
        .unwrap_or_default();
    let mut found = Vec::new();
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        for &(c, parent) in &all {
            if parent == Some(p) && !found.contains(&c) {
                found.push(c);
                todo.push(c);
            }
        }
    }
    found
}

/// One event as a line: number, time, caller, action, outcome and subject.
pub fn event_line(e: &Event) -> String {
    format!(
        "{:>4} {} {} {} {} {}{}",
        e.seq,
        e.time,
        e.account_id,
        e.region,
        e.action,
        e.outcome,
        e.resource_id
            .as_deref()
            .map(|r| format!(" {r}"))
            .unwrap_or_default()
    )
}

/// The Terraform (or OpenTofu) binary the tests run.
pub fn terraform_binary() -> PathBuf {
    if let Some(tf) = std::env::var_os("AMISIM_TF").filter(|v| !v.is_empty()) {
        return PathBuf::from(tf);
    }
    let chosen = repo_root().join(".tools/terraform-path");
    if let Ok(text) = std::fs::read_to_string(chosen) {
        let path = text.trim();
        if !path.is_empty() {
            return PathBuf::from(path);
        }
    }
    PathBuf::from("terraform")
}

/// The result of one Terraform command.
#[derive(Debug)]
pub struct TfOutput {
    /// Exit code.
    pub code: i32,
    /// Standard output, normalised.
    pub stdout: String,
    /// Standard error, normalised.
    pub stderr: String,
}

impl TfOutput {
    /// Whether the error output says `phrase`, however Terraform wrapped it.
    pub fn says(&self, phrase: &str) -> bool {
        let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        flat(&self.stderr).contains(&flat(phrase))
    }

    /// Whether either output shows `phrase`, however Terraform wrapped it.
    pub fn shows(&self, phrase: &str) -> bool {
        let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        flat(&self.all()).contains(&flat(phrase))
    }

    /// Whether Terraform warned with `summary`.
    pub fn warns(&self, summary: &str) -> bool {
        self.shows(&format!("Warning: {summary}"))
    }

    /// Standard output and error together.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// A Terraform working directory with its own store: a file in it, or with
/// `AMISIM_TEST_POSTGRES` set (the URL of a PostgreSQL server's
/// administrative database), a new database on that server.
pub struct Workspace {
    dir: tempfile::TempDir,
    store: PathBuf,
    extra_env: Vec<(String, String)>,
    /// With [`through_server`], the server on the store, shared by every
    /// workspace on it and started at its first Terraform command.
    served: std::sync::Arc<std::sync::OnceLock<serve::Served>>,
    _database: Option<std::sync::Arc<Database>>,
}

/// Whether Terraform works through `amisim serve` rather than on the store
/// (`AMISIM_TEST_THROUGH_SERVER` set and not empty): the suites run again so
/// in CI, to show the provider behaves the same both ways.
pub fn through_server() -> bool {
    std::env::var("AMISIM_TEST_THROUGH_SERVER").is_ok_and(|v| !v.is_empty())
}

/// A database of the test PostgreSQL server, dropped when the last workspace using it ends.
pub struct Database {
    admin: String,
    name: String,
}

impl Database {
    /// A new, empty database on the server of `admin`; returns it and its URL.
    fn create(admin: &str) -> (Database, String) {
        use std::sync::atomic::{AtomicU32, Ordering};
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "amisim_w_{}_{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::SeqCst)
        );
        let mut client =
            postgres::Client::connect(admin, postgres::NoTls).expect("the test PostgreSQL server");
        for sql in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ] {
            client.batch_execute(&sql).expect("a test database");
        }
        let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
        let url = format!("{base}/{name}");
        (
            Database {
                admin: admin.to_string(),
                name,
            },
            url,
        )
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The PostgreSQL server the acceptance tests run against, if any.
pub fn postgres_admin() -> Option<String> {
    std::env::var("AMISIM_TEST_POSTGRES")
        .ok()
        .filter(|v| !v.is_empty())
}

impl Workspace {
    /// A workspace whose `main.tf` is the provider requirements plus `body`.
    pub fn new(body: &str) -> Workspace {
        let ws = Workspace::empty();
        ws.write("main.tf", &format!("{PROVIDER_REQUIREMENTS}\n{body}"));
        ws
    }

    /// A workspace with the `.tf` files of `examples/NAME`.
    pub fn from_example(name: &str) -> Workspace {
        let ws = Workspace::empty();
        let src = repo_root().join("examples").join(name);
        for entry in std::fs::read_dir(&src).expect("example exists").flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "tf") {
                std::fs::copy(&path, ws.dir.path().join(entry.file_name())).expect("copy");
            }
        }
        ws
    }

    /// An empty workspace.
    pub fn empty() -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("amisim-acc-")
            .tempdir()
            .expect("temp dir");
        let (store, database) = match postgres_admin() {
            Some(admin) => {
                let (db, url) = Database::create(&admin);
                (PathBuf::from(url), Some(std::sync::Arc::new(db)))
            }
            None => (dir.path().join("cloud.db"), None),
        };
        let rc = dir.path().join("terraformrc");
        let providers = provider_dir().display().to_string();
        std::fs::write(
            &rc,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"registry.terraform.io/amisim/amisim\" = \"{providers}\"\n    \"registry.opentofu.org/amisim/amisim\" = \"{providers}\"\n  }}\n  direct {{}}\n}}\n"
            ),
        )
        .expect("write CLI config");
        Workspace {
            dir,
            store,
            extra_env: Vec::new(),
            served: Default::default(),
            _database: database,
        }
    }

    /// A second workspace sharing this one's store (for import checks).
    pub fn sibling(&self) -> Workspace {
        let mut ws = Workspace::empty();
        ws.store = self.store.clone();
        ws.served = self.served.clone();
        ws._database = self._database.clone();
        for entry in std::fs::read_dir(self.dir.path()).expect("dir").flatten() {
            if entry.path().extension().is_some_and(|e| e == "tf") {
                std::fs::copy(entry.path(), ws.dir.path().join(entry.file_name())).expect("copy");
            }
        }
        ws
    }

    /// This workspace, on the store of `other` (another student's folder on one cloud).
    pub fn on_store_of(mut self, other: &Workspace) -> Workspace {
        self.store = other.store.clone();
        self.served = other.served.clone();
        self._database = other._database.clone();
        self
    }

    /// Sets an environment variable for every Terraform command of this workspace.
    pub fn env(mut self, key: &str, value: &str) -> Workspace {
        self.extra_env.push((key.into(), value.into()));
        self
    }

    /// This workspace working through the `amisim serve` at `url` with a
    /// key pair, as a student holding only those: every Terraform command
    /// gets `AMISIM_ENDPOINT` and the AWS key variables.
    pub fn through(self, url: &str, (key, secret): (&str, &str)) -> Workspace {
        self.env("AMISIM_ENDPOINT", url)
            .env("AWS_ACCESS_KEY_ID", key)
            .env("AWS_SECRET_ACCESS_KEY", secret)
    }

    /// The working directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The store file.
    pub fn store(&self) -> &Path {
        &self.store
    }

    /// Writes a file into the working directory.
    pub fn write(&self, name: &str, content: &str) {
        std::fs::write(self.dir.path().join(name), content).expect("write");
    }

    /// Replaces `main.tf` with the provider requirements plus `body`.
    pub fn set_config(&self, body: &str) {
        self.write("main.tf", &format!("{PROVIDER_REQUIREMENTS}\n{body}"));
    }

    /// Runs Terraform with `args` (and `-no-color` added where it applies).
    pub fn tf(&self, args: &[&str]) -> TfOutput {
        let out: Output = self.command(args).output().expect("terraform runs");
        TfOutput {
            code: out.status.code().unwrap_or(-1),
            stdout: self.normalise(&String::from_utf8_lossy(&out.stdout)),
            stderr: self.normalise(&String::from_utf8_lossy(&out.stderr)),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(terraform_binary());
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("TF_CLI_CONFIG_FILE", self.dir.path().join("terraformrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env("CHECKPOINT_DISABLE", "1")
            .env("RUST_LIB_BACKTRACE", "0")
            .env("AMISIM_STORE", &self.store)
            .env_remove("TF_LOG")
            .env_remove("AMISIM_ACCOUNT_ID")
            .env_remove("AMISIM_REGION")
            .env_remove("AMISIM_SECRET_KEY")
            // A server only when the test names one.
            .env_remove("AMISIM_ENDPOINT")
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION");
        if through_server() {
            let served = self.served.get_or_init(|| {
                serve::Served::start_keyed(&self.store, &self.dir.path().join("secret.key"))
            });
            cmd.env("AMISIM_ENDPOINT", &served.url);
        }
        for (k, v) in &self.extra_env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Starts Terraform with `args` in the background (output discarded).
    pub fn spawn_tf(&self, args: &[&str]) -> std::process::Child {
        self.command(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("terraform starts")
    }

    /// Runs Terraform and fails the test unless it succeeds.
    pub fn tf_ok(&self, args: &[&str]) -> TfOutput {
        let out = self.tf(args);
        assert_eq!(out.code, 0, "terraform {args:?} failed:\n{}", out.all());
        out
    }

    /// `terraform apply` at parallelism 1 (deterministic IDs and times); fails unless it succeeds.
    pub fn apply(&self) -> TfOutput {
        self.tf_ok(&["apply", "-auto-approve", "-no-color", "-parallelism=1"])
    }

    /// `terraform apply` that must fail with `code` in an error summary; returns the output.
    pub fn apply_expect_error(&self, code: &str) -> TfOutput {
        self.apply_with_expect_error(&[], code)
    }

    /// `terraform apply` with extra arguments (`-var`, `NAME=VALUE`, `-refresh=false`…); fails unless it succeeds.
    pub fn apply_with(&self, extra: &[&str]) -> TfOutput {
        let mut args = vec!["apply", "-auto-approve", "-no-color", "-parallelism=1"];
        args.extend_from_slice(extra);
        self.tf_ok(&args)
    }

    /// `terraform apply` with extra arguments that must fail with `code` in an error summary.
    pub fn apply_with_expect_error(&self, extra: &[&str], code: &str) -> TfOutput {
        let mut args = vec!["apply", "-auto-approve", "-no-color", "-parallelism=1"];
        args.extend_from_slice(extra);
        let out = self.tf(&args);
        assert_ne!(out.code, 0, "apply should fail with {code}:\n{}", out.all());
        assert!(
            out.stderr.contains(&format!(": {code}\n"))
                || out.stderr.contains(&format!("Error: {code}")),
            "apply should fail with {code}, got:\n{}",
            out.all()
        );
        out
    }

    /// `terraform plan` that must fail saying `message`; returns the output.
    pub fn plan_refused(&self, message: &str) -> TfOutput {
        let out = self.tf(&["plan", "-no-color"]);
        assert_ne!(
            out.code,
            0,
            "plan should fail with {message}:\n{}",
            out.all()
        );
        assert!(
            out.says(message),
            "plan should say {message}:\n{}",
            out.stderr
        );
        out
    }

    /// `terraform plan` text (normalised); fails unless planning succeeds.
    pub fn plan(&self) -> String {
        self.tf_ok(&["plan", "-no-color", "-parallelism=1"]).stdout
    }

    /// Asserts that a plan (with refresh) shows no changes.
    pub fn assert_plan_empty(&self) {
        self.assert_plan_empty_with(&[]);
    }

    /// Asserts that a plan with extra arguments (`-var NAME=VALUE`) shows no changes.
    pub fn assert_plan_empty_with(&self, extra: &[&str]) {
        let mut args = vec!["plan", "-no-color", "-detailed-exitcode", "-parallelism=1"];
        args.extend_from_slice(extra);
        let out = self.tf(&args);
        assert_eq!(out.code, 0, "plan should show no changes:\n{}", out.all());
        assert!(out.stdout.contains("No changes."), "{}", out.stdout);
    }

    /// Applies, then checks that plan, refresh and plan again show no changes.
    pub fn apply_and_converge(&self) -> TfOutput {
        let out = self.apply();
        self.assert_plan_empty();
        self.tf_ok(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
        self.assert_plan_empty();
        out
    }

    /// The planned action of each resource address, from `terraform show -json` of a saved plan.
    pub fn planned_actions(&self) -> Vec<(String, String)> {
        self.tf_ok(&["plan", "-no-color", "-out=tfplan", "-parallelism=1"]);
        let json = self.tf_ok(&["show", "-json", "tfplan"]).stdout;
        let plan: Value = serde_json::from_str(&json).expect("plan JSON");
        plan["resource_changes"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|rc| {
                let actions: Vec<String> = rc["change"]["actions"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|a| a.as_str().map(str::to_string))
                    .collect();
                let action = match actions
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .as_slice()
                {
                    ["no-op"] => "no-op",
                    ["create"] => "create",
                    ["update"] => "update",
                    ["delete"] => "delete",
                    ["read"] => "read",
                    ["delete", "create"] | ["create", "delete"] => "replace",
                    _ => "other",
                };
                (
                    rc["address"].as_str().unwrap_or("").to_string(),
                    action.to_string(),
                )
            })
            .collect()
    }

    /// Asserts the planned action of one resource.
    pub fn expect_action(&self, address: &str, action: &str) {
        let actions = self.planned_actions();
        let found = actions.iter().find(|(a, _)| a == address);
        assert_eq!(
            found.map(|(_, act)| act.as_str()),
            Some(action),
            "planned actions: {actions:?}"
        );
    }

    /// Removes `attribute` from every resource instance in the state file, as
    /// a state written by a provider version before the attribute existed.
    pub fn forget_in_state(&self, attribute: &str) {
        let path = self.dir.path().join("terraform.tfstate");
        let text = std::fs::read_to_string(&path).expect("a state file");
        let mut state: Value = serde_json::from_str(&text).expect("state JSON");
        for resource in state["resources"].as_array_mut().into_iter().flatten() {
            for instance in resource["instances"].as_array_mut().into_iter().flatten() {
                if let Some(attributes) = instance["attributes"].as_object_mut() {
                    attributes.remove(attribute);
                }
            }
        }
        let text = serde_json::to_string_pretty(&state).expect("state JSON");
        std::fs::write(&path, text).expect("the state file is written");
    }

    /// The state as `terraform show -json` gives it.
    pub fn state(&self) -> Value {
        let json = self.tf_ok(&["show", "-json"]).stdout;
        serde_json::from_str(&json).expect("state JSON")
    }

    /// The attributes of every resource in state, by address, sorted.
    pub fn resources(&self) -> serde_json::Map<String, Value> {
        let state = self.state();
        let mut out = serde_json::Map::new();
        collect_resources(&state["values"]["root_module"], &mut out);
        out
    }

    /// The outputs, as `terraform output -json` gives them (values only).
    pub fn outputs(&self) -> Value {
        let json = self.tf_ok(&["output", "-json"]).stdout;
        let all: Value = serde_json::from_str(&json).expect("output JSON");
        let mut out = serde_json::Map::new();
        if let Some(map) = all.as_object() {
            for (k, v) in map {
                out.insert(k.clone(), v["value"].clone());
            }
        }
        Value::Object(out)
    }

    /// `terraform destroy`; fails unless it succeeds.
    pub fn destroy(&self) -> TfOutput {
        self.tf_ok(&["destroy", "-auto-approve", "-no-color", "-parallelism=1"])
    }

    /// Imports `id` as `address` into a fresh workspace with the same configuration
    /// and store, and checks that the imported attributes equal the applied ones
    /// (but those in `ignore`). Returns the fresh workspace for further checks.
    pub fn import_verify(&self, address: &str, id: &str, ignore: &[&str]) -> Workspace {
        let applied = self.resources();
        let fresh = self.sibling();
        fresh.tf_ok(&["import", "-no-color", address, id]);
        let imported = fresh.resources();
        let a = applied
            .get(address)
            .unwrap_or_else(|| panic!("{address} in state"));
        let b = imported
            .get(address)
            .unwrap_or_else(|| panic!("{address} imported"));
        let (a, b) = (
            a.as_object().expect("object"),
            b.as_object().expect("object"),
        );
        for (k, v) in a {
            if ignore.contains(&k.as_str()) {
                continue;
            }
            assert_eq!(
                b.get(k),
                Some(v),
                "import of {address}: attribute {k} differs"
            );
        }
        fresh
    }

    /// Forgets `address` (`terraform state rm`), then brings it back with an `import`
    /// block: the plan must import it and change nothing, and the imported
    /// attributes must equal the applied ones.
    pub fn import_block_verify(&self, address: &str, id: &str) {
        let applied = self.resources();
        self.tf_ok(&["state", "rm", "-no-color", address]);
        self.import_with_block(address, id);
        assert_eq!(
            self.resources().get(address),
            applied.get(address),
            "import block of {address}"
        );
    }

    /// Brings the object `id` under `address` with an `import` block: the
    /// plan must import it and change nothing, and the plan after is empty.
    pub fn import_with_block(&self, address: &str, id: &str) {
        self.write(
            "imports.tf",
            &format!("import {{\n  to = {address}\n  id = \"{id}\"\n}}\n"),
        );
        let plan = self.plan();
        assert!(
            plan.contains("1 to import, 0 to add, 0 to change, 0 to destroy"),
            "the plan only imports {address}:\n{plan}"
        );
        self.apply();
        std::fs::remove_file(self.path().join("imports.tf")).expect("remove imports.tf");
        self.assert_plan_empty();
    }

    /// The store's event log.
    pub fn events(&self) -> Vec<Event> {
        let mut cloud =
            Cloud::open_store_read_only(&self.store.to_string_lossy()).expect("store opens");
        cloud.events(0).expect("events")
    }

    /// The whole event log as text lines, for snapshots: every call, reads and
    /// refusals included, in the log's canonical order, with its number and time.
    pub fn event_log(&self) -> String {
        self.events()
            .iter()
            .map(event_line)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Runs the `amisim` command-line tool on this workspace's store; fails unless it succeeds.
    pub fn amisim(&self, args: &[&str]) -> String {
        let out = Command::new(amisim_binary())
            .args(args)
            .current_dir(self.dir.path())
            .env("AMISIM_STORE", &self.store)
            .env("AMISIM_KEY_FILE", self.dir.path().join("secret.key"))
            .env("RUST_BACKTRACE", "0")
            .output()
            .expect("amisim runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "amisim {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    /// Opens the store for checks.
    pub fn cloud(&self) -> Cloud {
        Cloud::open_store(&self.store.to_string_lossy()).expect("store opens")
    }

    fn normalise(&self, text: &str) -> String {
        let mut out = strip_dev_override_warning(text);
        out = out.replace(&self.dir.path().display().to_string(), "[WORKDIR]");
        out = out.replace(&provider_dir().display().to_string(), "[PROVIDERS]");
        out
    }
}

fn collect_resources(module: &Value, out: &mut serde_json::Map<String, Value>) {
    if let Some(resources) = module["resources"].as_array() {
        for r in resources {
            if let Some(addr) = r["address"].as_str() {
                out.insert(addr.to_string(), r["values"].clone());
            }
        }
    }
    if let Some(children) = module["child_modules"].as_array() {
        for c in children {
            collect_resources(c, out);
        }
    }
}

/// The (address, ID) pairs of the objects a refused apply names, from each
/// refusal's `with ADDRESS,` line and its import block's `id = "…"` line.
pub fn named_orphans(output: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut address = None;
    for line in output.lines() {
        let line = line.trim_start_matches(['│', ' ']);
        if let Some(rest) = line.strip_prefix("with ") {
            address = rest.strip_suffix(',').map(str::to_string);
        } else if let Some(rest) = line.strip_prefix("id = \"") {
            if let (Some(a), Some(id)) = (address.take(), rest.strip_suffix('"')) {
                found.push((a, id.to_string()));
            }
        }
    }
    found.sort();
    found
}

/// `import` blocks adopting the objects `orphans` names, on purpose.
pub fn import_blocks(orphans: &[(String, String)]) -> String {
    orphans
        .iter()
        .map(|(to, id)| format!("import {{\n  to = {to}\n  id = \"{id}\"\n}}\n"))
        .collect()
}

/// Removes Terraform's warning that development overrides are in effect.
pub fn strip_dev_override_warning(text: &str) -> String {
    let re = regex::Regex::new(
        r"(?s)(╷\n│ )?Warning: Provider development overrides are in effect\n.*?releases\.\n(╵\n)?\n?",
    )
    .expect("regex");
    re.replace_all(text, "").into_owned()
}
