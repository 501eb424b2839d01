//! The rules of the simulated cloud, one test per rule, each named after it.
//!
//! Every refusal is checked for its exact AWS error code and for leaving the
//! store as it was, but for one appended event-log entry (see
//! [`common::World::refused`]).

#[path = "../common/mod.rs"]
mod common;

mod attributes;
mod billing_products;
mod claims;
mod copies;
mod deregistration;
mod encryption;
mod faults;
mod fixtures;
mod instances;
mod launch_permissions;
mod lifecycle;
mod lookups;
mod organizations;
mod recycle_bin;
mod reserved;
mod s3;
mod sharing;
mod storage;
mod usage;
mod wire;
