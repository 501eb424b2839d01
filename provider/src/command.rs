//! The Terraform command a provider process serves.
//!
//! Terraform starts one provider process per provider block, and starts them
//! again between the phases of one command, always as its own children. The
//! command is named after that parent process (its PID and its start time,
//! so that a PID used again later names another command): every process of
//! one `terraform apply` shares the command's simulated start, whichever
//! opens the store first.

/// The name of the command this process serves.
pub fn current() -> String {
    let parent = rustix::process::getppid()
        .map(|p| p.as_raw_nonzero().get())
        .unwrap_or(0);
    match start_time(parent) {
        Some(t) => format!("terraform:{parent}:{t}"),
        None => format!("terraform:{parent}"),
    }
}

/// The name of the command this process serves, told apart from the
/// commands of every other machine (by the boot's ID): what the provider
/// names its command to a server, which many machines share.
pub fn current_on_this_machine() -> String {
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|b| b.trim().to_string())
        .unwrap_or_default();
    match boot.is_empty() {
        true => current(),
        false => current().replacen("terraform:", &format!("terraform:{boot}:"), 1),
    }
}

/// The start time of process `pid`, in clock ticks since boot.
fn start_time(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name; the start time is field 22 overall.
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_is_named_after_the_parent_process_and_its_start() {
        let name = super::current();
        let parent = rustix::process::getppid().map(|p| p.as_raw_nonzero().get());
        assert!(
            name.starts_with(&format!("terraform:{}:", parent.unwrap_or(0))),
            "{name}"
        );
        assert_eq!(name, super::current(), "stable for the process's life");
        let anywhere = super::current_on_this_machine();
        assert!(
            anywhere.starts_with("terraform:") && anywhere.ends_with(&name["terraform:".len()..]),
            "{anywhere}"
        );
    }
}
