//! What the resource types share: the plumbing that serves a type to
//! Terraform (`managed`), schema and state helpers (`common`), the image
//! life-cycle arguments of both image resources (`life`), and the per-region
//! account settings (`settings`).

pub mod common;
pub mod life;
pub mod managed;
pub mod settings;
