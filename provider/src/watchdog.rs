//! Ends the provider process when the Terraform process that started it is gone.
//!
//! Terraform normally stops its plugins over gRPC. When Terraform itself is
//! killed (`kill -9`, a CI runner's timeout), nothing tells the plugin: it
//! would keep its port and its store open until Terraform's own timeout, long
//! after its user has started again. A thread watches the parent: once the
//! process is re-parented (its parent ended), it exits within
//! [`POLL`]. Every call is one store transaction, so exiting in the middle of
//! one leaves nothing half-written: SQLite drops the uncommitted transaction.

use std::time::Duration;

/// How often the parent is checked.
pub const POLL: Duration = Duration::from_millis(100);

/// Starts the watch; the process exits with `code` once its parent has ended.
pub fn install(code: i32) {
    let parent = rustix::process::getppid();
    std::thread::spawn(move || loop {
        std::thread::sleep(POLL);
        if rustix::process::getppid() != parent {
            tracing::warn!("the Terraform process that started this provider has ended; exiting");
            std::process::exit(code);
        }
    });
}
