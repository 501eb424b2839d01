//! `amisim console` under test: the real binary on a store, on a free
//! loopback port, read over HTTP (and by [`crate::browser::Browser`]).

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// `amisim console` on a store, on a free loopback port, stopped when dropped.
pub struct Console {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Console {
    /// Starts the console on `store` and waits for the line naming its address.
    pub fn start(store: &Path) -> Console {
        Console::start_with(store, &[])
    }

    /// [`Console::start`] with more arguments of `amisim console`.
    pub fn start_with(store: &Path, args: &[&str]) -> Console {
        let mut command = Command::new(crate::amisim_binary());
        command
            .arg("--store")
            .arg(store)
            .args(["console", "--listen", "127.0.0.1:0"])
            .args(args)
            .env_remove("AMISIM_STORE");
        let (child, url) = started(command);
        Console { child, url }
    }

    /// The status and body of GET `path`.
    pub fn get(&self, path: &str) -> (u16, String) {
        match ureq::get(&format!("{}{path}", self.url)).call() {
            Ok(r) => (r.status(), r.into_string().expect("a body")),
            Err(ureq::Error::Status(code, r)) => (code, r.into_string().expect("a body")),
            Err(e) => panic!("GET {path}: {e}"),
        }
    }

    /// The body of GET `path`, which must answer 200.
    pub fn page(&self, path: &str) -> String {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }
}

/// Spawns a serving `amisim` command and waits for its first line, which
/// names the URL it serves: the process and that URL, without its last `/`.
pub fn started(mut command: Command) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .expect("amisim starts serving");
    let mut first = String::new();
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    stdout.read_line(&mut first).expect("its first line");
    // The rest (a warning when it listens beyond loopback) is read too: a
    // pipe closed under it would end the server at its next line.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .trim_end_matches('/')
        .to_string();
    (child, url)
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
