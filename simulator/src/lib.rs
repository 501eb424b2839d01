//! The simulated AMI cloud of amisim: a plain library with no Terraform in it.
//!
//! It models accounts, regions, images, their backing storage, KMS keys and
//! grants, launch and storage permissions, instances, an event log and a
//! billing ledger, and owns every rule about them. Each API call is one
//! transaction in an embedded SQLite store shared by every process that opens
//! the same file; a refusal is an [`Error`] carrying the AWS error code and
//! changes nothing but the event log.
//!
//! IDs, ARNs and times are deterministic: the same calls on a new store give
//! the same results, byte for byte.
//!
//! ```
//! use amisim_simulator::{Caller, Cloud, RegisterImage};
//!
//! let mut cloud = Cloud::memory().unwrap();
//! let me = Caller::new("111111111111", "us-east-1");
//! let image = cloud
//!     .register_image(&me, &RegisterImage { name: "golden-web".into(), ..Default::default() })
//!     .unwrap();
//! assert!(image.id.starts_with("ami-"));
//! assert_eq!(image.arn(), format!("arn:aws:ec2:us-east-1::image/{}", image.id));
//!
//! let err = cloud
//!     .register_image(&me, &RegisterImage { name: "golden-web".into(), ..Default::default() })
//!     .unwrap_err();
//! assert_eq!(err.code(), "InvalidAMIName.Duplicate");
//! ```

pub mod accounts;
pub mod billing;
pub mod catalogue;
pub mod claims;
pub mod cloud;
pub mod copies;
pub mod error;
pub mod ids;
pub mod images;
pub mod instances;
pub mod inventory;
pub mod kms;
pub mod lifecycle;
pub mod model;
pub mod permissions;
pub mod recycle_bin;
pub mod store;
pub mod validate;

pub use cloud::{
    Caller, Cloud, CopyImage, CreateImage, CreateKey, DeclareAccount, DescribeImages, ImageDetails,
    ModifyImage, RegisterImage, RunInstance,
};
pub use error::{Error, ErrorKind, Result};
pub use model::*;
