//! Turns on `TCP_NODELAY` for the gRPC connections Terraform opens to this plugin.
//!
//! tf-provider accepts connections on a listener it owns and never sets
//! `TCP_NODELAY`, so Nagle's algorithm meets Terraform's delayed
//! acknowledgements and every sequential RPC waits tens of milliseconds. On
//! Linux an accepted socket inherits `TCP_NODELAY` from its listener, and
//! Terraform connects only after it reads the handshake line from standard
//! output. So standard output goes through a pipe: a relay thread reads the
//! handshake, finds the listening socket by the port the handshake names,
//! sets the option on it, and only then passes the line on to Terraform.
//! Where any step is not possible, the line is passed on unchanged.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::OwnedFd;

use rustix::process::{pidfd_getfd, pidfd_open, Pid, PidfdFlags, PidfdGetfdFlags};

/// Routes standard output through the relay; returns false if it could not.
pub fn install() -> bool {
    let setup = || -> std::io::Result<(OwnedFd, OwnedFd)> {
        let original = rustix::io::dup(std::io::stdout())?;
        let (read, write) = rustix::pipe::pipe()?;
        rustix::stdio::dup2_stdout(&write)?;
        Ok((read, original))
    };
    match setup() {
        Ok((read, original)) => {
            std::thread::spawn(move || relay(read, original));
            true
        }
        Err(_) => false,
    }
}

/// The port of the handshake line `1|6|tcp|127.0.0.1:PORT|grpc|…`.
pub fn handshake_port(line: &str) -> Option<u16> {
    let address = line.split('|').nth(3)?;
    address.rsplit(':').next()?.parse().ok()
}

fn relay(read: OwnedFd, original: OwnedFd) {
    let mut reader = BufReader::new(File::from(read));
    let mut out = File::from(original);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) > 0 {
        if let Some(port) = handshake_port(&line) {
            if let Err(e) = set_nodelay_on_listener(port) {
                tracing::debug!(error = %e, "could not set TCP_NODELAY on the plugin listener");
            }
        }
        let _ = out.write_all(line.as_bytes());
        let _ = out.flush();
    }
    let _ = std::io::copy(&mut reader, &mut out);
}

fn set_nodelay_on_listener(port: u16) -> std::io::Result<()> {
    let pidfd = pidfd_open(
        Pid::from_raw(std::process::id() as i32).ok_or(std::io::ErrorKind::NotFound)?,
        PidfdFlags::empty(),
    )?;
    for entry in std::fs::read_dir("/proc/self/fd")?.flatten() {
        let Some(n) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        let is_socket = std::fs::read_link(entry.path())
            .map(|p| p.to_string_lossy().starts_with("socket:"))
            .unwrap_or(false);
        if !is_socket {
            continue;
        }
        let Ok(fd) = pidfd_getfd(&pidfd, n, PidfdGetfdFlags::empty()) else {
            continue;
        };
        let bound = rustix::net::getsockname(&fd)
            .ok()
            .and_then(|a| std::net::SocketAddr::try_from(a).ok());
        if bound.is_some_and(|a| a.port() == port) {
            rustix::net::sockopt::set_tcp_nodelay(&fd, true)?;
            tracing::debug!(port, "set TCP_NODELAY on the plugin listener");
            return Ok(());
        }
    }
    Err(std::io::ErrorKind::NotFound.into())
}

#[cfg(test)]
mod tests {
    use super::handshake_port;

    #[test]
    fn reads_the_port_of_the_handshake() {
        assert_eq!(
            handshake_port("1|6|tcp|127.0.0.1:40123|grpc|MIIB\n"),
            Some(40123)
        );
        assert_eq!(handshake_port("garbage"), None);
    }
}
