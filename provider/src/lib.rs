//! The amisim Terraform/OpenTofu provider: tfplugin6 resources and data sources
//! over the simulated cloud of `amisim-simulator`.
//!
//! The binary `terraform-provider-amisim` serves [`provider::AmisimProvider`]
//! with `tf-provider`; Terraform starts it once per provider block.
//!
//! ```
//! use amisim_provider::provider::AmisimProvider;
//! use tf_provider::{Diagnostics, Provider};
//!
//! let provider = AmisimProvider::new();
//! let mut diags = Diagnostics::default();
//! let resources = provider.get_resources(&mut diags).unwrap();
//! assert!(resources.contains_key("image"));
//! ```

pub mod attrs;
pub mod command;
pub mod data_sources;
pub mod diags;
pub mod logging;
pub mod nodelay;
pub mod provider;
pub mod resources;
pub mod retries;
pub mod values;
pub mod watchdog;

/// The provider's name in resource type names (`amisim_image`).
pub const NAME: &str = "amisim";
/// The value Terraform passes in `TF_PLUGIN_MAGIC_COOKIE` when it starts a provider.
pub const MAGIC_COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
