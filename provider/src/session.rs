//! The provider process's session name, recorded on the images it creates, and the
//! check that the process behind a session has ended.
//!
//! A provider killed between the store's commit of a create and its reply to
//! Terraform leaves an image that Terraform never learned about; its unique name
//! would then block the next apply. An image whose creating process has ended,
//! and that matches the new request exactly, is adopted instead of refused.

/// This process's session: its PID and its start time in clock ticks since boot.
pub fn current() -> Option<String> {
    let pid = std::process::id();
    start_time(pid).map(|t| format!("{pid}:{t}"))
}

/// Whether the process behind `session` is still running.
pub fn alive(session: &str) -> bool {
    let Some((pid, start)) = session.split_once(':') else {
        return false;
    };
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    start_time(pid).is_some_and(|t| t.to_string() == start)
}

fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name; the start time is field 22 overall.
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_made_up_one_is_not() {
        let me = current().expect("a session on Linux");
        assert!(alive(&me));
        assert!(!alive("999999999:1"));
        assert!(!alive("garbage"));
    }
}
