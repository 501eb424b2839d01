//! `amisim serve` under test: the real binary on a store, on a free loopback
//! port, for AWS's own clients (boto3 and the AWS CLI, from `.tools/py`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};

/// `amisim serve` on a store, on a free loopback port, stopped when dropped.
pub struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Where the server's standard error goes.
    stderr: tempfile::NamedTempFile,
    /// The folder of the key file [`Served::start`] gave it, if it did.
    _keys: Option<tempfile::TempDir>,
}

impl Served {
    /// Starts the server on `store` and waits for the line naming its
    /// address. Its key file is beside a store file (so a server started
    /// again on it unseals what the first sealed), and in a folder of its
    /// own for a `postgres://` URL, beside which no file can go.
    pub fn start(store: &Path) -> Served {
        if !store.to_string_lossy().starts_with("postgres") {
            return Served::start_keyed(store, &store.with_extension("no-key"));
        }
        let keys = tempfile::tempdir().expect("a folder for the key file");
        let mut served = Served::start_keyed(store, &keys.path().join("secret.key"));
        served._keys = Some(keys);
        served
    }

    /// [`Served::start`] with the key file claims' secrets are sealed under.
    pub fn start_keyed(store: &Path, key_file: &Path) -> Served {
        Served::start_with(store, key_file, &[])
    }

    /// [`Served::start_keyed`] with more arguments of `amisim serve`.
    pub fn start_with(store: &Path, key_file: &Path, args: &[&str]) -> Served {
        Served::start_listening(store, key_file, "127.0.0.1:0", args)
    }

    /// [`Served::start_keyed`] on `address` (`127.0.0.1:PORT`): a server
    /// started again where its clients look for it.
    pub fn start_at(store: &Path, key_file: &Path, address: &str) -> Served {
        Served::start_listening(store, key_file, address, &[])
    }

    fn start_listening(store: &Path, key_file: &Path, address: &str, args: &[&str]) -> Served {
        let mut command = Command::new(crate::amisim_binary());
        command
            .arg("--store")
            .arg(store)
            .args(["serve", "--listen", address])
            .args(args)
            .env_remove("AMISIM_STORE")
            .env("AMISIM_KEY_FILE", key_file);
        let stderr = tempfile::NamedTempFile::new().expect("a file for stderr");
        command.stderr(stderr.reopen().expect("the file for stderr"));
        let (child, url) = crate::console::started(command);
        Served {
            child,
            url,
            stderr,
            _keys: None,
        }
    }

    /// What the server wrote on standard error so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.stderr.path()).unwrap_or_default()
    }

    /// The administrator's access key pair, as the server printed it when it
    /// made it (on a new store), if it did.
    pub fn administrator(&self) -> Option<(String, String)> {
        key_pair(&self.stderr())
    }

    /// The process ID, to signal it.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the server to exit; its status.
    pub fn wait(&mut self) -> std::process::ExitStatus {
        self.child.wait().expect("the server exits")
    }

    /// `python3` with boto3 and the AWS CLI on its path, pointed at the server
    /// as `account` in `region` (the environment `amisim env` prints).
    pub fn python(&self, account: &str, region: &str) -> Command {
        self.python_as(account, "amisim-unclaimed-account", region)
    }

    /// [`Served::python`] with an access key pair.
    pub fn python_as(&self, access_key: &str, secret: &str, region: &str) -> Command {
        let mut cmd = Command::new("python3");
        cmd.env("PYTHONPATH", aws_tools())
            .env("AWS_ENDPOINT_URL", &self.url)
            .env("AWS_ACCESS_KEY_ID", access_key)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .env("AWS_REGION", region)
            .env("AWS_DEFAULT_REGION", region)
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        cmd
    }

    /// The `Host` line naming the server as its clients do, and the lines of
    /// a whole SigV4 signature made now by `account` (an unclaimed account,
    /// for which any secret signs) for `service` in us-east-1: what a raw
    /// request needs to be answered.
    pub fn signed_lines(&self, account: &str, service: &str) -> String {
        let stamp = time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year][month][day]T[hour][minute][second]Z"
            ))
            .expect("a date");
        format!(
            "Host: {}\r\nX-Amz-Date: {stamp}\r\nAuthorization: AWS4-HMAC-SHA256 Credential={account}/{}/us-east-1/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature={}\r\n",
            self.url.trim_start_matches("http://"),
            &stamp[..8],
            "0".repeat(64)
        )
    }

    /// Runs `amisim ARGS…` through the server with the administrator's key
    /// pair (a new store's, as the server printed it); what it printed,
    /// once it succeeded.
    pub fn amisim_as_administrator(&self, args: &[&str]) -> String {
        let (key, secret) = self
            .administrator()
            .expect("the administrator's key pair a new store's server printed");
        let out = Command::new(crate::amisim_binary())
            .arg("--endpoint")
            .arg(&self.url)
            .args(args)
            .env("AWS_ACCESS_KEY_ID", key)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .env_remove("AMISIM_STORE")
            .env_remove("AMISIM_ENDPOINT")
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .expect("amisim runs");
        assert!(
            out.status.success(),
            "amisim {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs the Python `source` (with boto3) as `account` in us-east-1 with
    /// `args`; what it printed, once it succeeded.
    pub fn script(&self, account: &str, source: &str, args: &[&std::ffi::OsStr]) -> Vec<u8> {
        let out = self
            .python(account, "us-east-1")
            .arg("-c")
            .arg(source)
            .args(args)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// Runs a boto3 script as `account` in `region`; its output.
    pub fn boto3(&self, account: &str, region: &str, script: &str) -> Output {
        self.python(account, region)
            .args(["-c", script])
            .output()
            .expect("python3 runs")
    }

    /// Runs `aws ARGS… --output json` (the AWS CLI) as `account` in `region`.
    pub fn aws(&self, account: &str, region: &str, args: &[&str]) -> Output {
        self.python(account, region)
            .args(["-m", "awscli"])
            .args(args)
            .args(["--output", "json"])
            .output()
            .expect("the AWS CLI runs")
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where `make setup` installs boto3 and the AWS CLI.
pub fn aws_tools() -> PathBuf {
    let py = crate::repo_root().join(".tools/py");
    assert!(
        py.join("boto3").is_dir() && py.join("awscli").is_dir(),
        "boto3 and the AWS CLI are not in {}: run `make setup`",
        py.display()
    );
    py
}

/// The access key pair in `printed`, as `amisim accounts claim` and
/// `amisim serve` print them: the lines `export AWS_ACCESS_KEY_ID=…` and
/// `export AWS_SECRET_ACCESS_KEY=…`.
pub fn key_pair(printed: &str) -> Option<(String, String)> {
    let value = |name: &str| {
        printed
            .lines()
            .find_map(|l| l.strip_prefix(&format!("export {name}=")))
            .map(str::to_string)
    };
    Some((value("AWS_ACCESS_KEY_ID")?, value("AWS_SECRET_ACCESS_KEY")?))
}
