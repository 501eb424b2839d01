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
//! use amisim_simulator::{Caller, Cloud, DeregisterImage, RegisterImage};
//!
//! let mut cloud = Cloud::memory().unwrap();
//! let me = Caller::new("111111111111", "us-east-1");
//! let golden = RegisterImage { name: "golden-web".into(), ..Default::default() };
//! let image = cloud.call(&me, &golden).unwrap();
//! assert!(image.id.starts_with("ami-"));
//! assert_eq!(image.arn(), format!("arn:aws:ec2:us-east-1::image/{}", image.id));
//!
//! let err = cloud.call(&me, &golden).unwrap_err();
//! assert_eq!(err.code(), "InvalidAMIName.Duplicate");
//!
//! assert!(cloud.call(&me, &DeregisterImage::new(&image.id, true)).unwrap());
//! ```
//!
//! Every operation is a request type beside its rule that implements
//! [`Call`]; [`Cloud::call`] runs any of them (see [`call`]).

pub mod access;
pub mod accounts;
pub mod attributes;
pub mod billing;
pub mod call;
pub mod catalogue;
pub mod claims;
pub mod cloud;
pub mod copies;
pub mod dates;
pub mod error;
pub mod faults;
pub mod filters;
pub mod fixtures;
pub mod ids;
pub mod images;
pub mod instances;
pub mod inventory;
pub mod kms;
pub mod lifecycle;
pub mod lineage;
pub mod model;
pub mod organizations;
pub mod permissions;
pub mod recycle_bin;
pub mod reset;
pub mod s3;
pub mod secrets;
pub mod settings;
pub mod settling;
pub mod storage;
pub mod store;
pub mod usage;
pub mod validate;
pub mod views;
pub mod wire;

pub use accounts::{DeclareAccount, GetCallerIdentity};
pub use attributes::{
    AttachWatermark, DetachWatermark, InstanceTypeSpecification, ReplaceImageInstanceTypes,
};
pub use billing::{
    AdvanceClock, GetClock, GetPriceBook, PricesInForce, SetPriceBook, WaitImageAvailable,
};
pub use call::{Call, Caller, Role, Subject};
pub use claims::{
    AccessKey, ClaimAccount, CreateAdministratorKey, ListClaims, RefuseRequest, ReleaseAccount,
    SealKey,
};
pub use cloud::{Cloud, ImageDetails};
pub use copies::CopyImage;
pub use error::{Error, ErrorKind, Result};
pub use faults::{AddFault, ClearFaults, ListFaults};
pub use images::{
    CreateImage, DeleteSnapshot, DeleteVolume, DeregisterImage, DescribeImage, DescribeImages,
    ModifyImage, RegisterImage,
};
pub use instances::{
    DescribeInstance, DescribeInstanceImageMetadata, DescribeInstances, InstanceImageMetadata,
    ModifyInstanceType, RunInstance, SetRootDeleteOnTermination, StartInstance, StopInstance,
    TagInstance, TerminateInstance,
};
pub use kms::{
    CreateGrant, CreateKey, DescribeGrant, DescribeKey, ListGrants, ListKeys, RetireGrant,
    RevokeGrant, ScheduleKeyDeletion, UpdateKey,
};
pub use lifecycle::{DisableImage, EnableImage, SetDeregistrationProtection, SetImageDeprecation};
pub use lineage::{DescribeImageReferences, GetImageAncestry};
pub use model::*;
pub use permissions::{
    AddLaunchPermission, AddStoragePermission, CancelLaunchPermission, DescribeLaunchPermission,
    DescribeLaunchPermissions, DescribeStoragePermission, RemoveLaunchPermission,
    RemoveStoragePermission,
};
pub use recycle_bin::{
    BinEntry, CreateRule, DeleteRule, GetRule, ListRecycleBin, ListRules, RestoreFromRecycleBin,
    UpdateRule,
};
pub use s3::{
    DeleteStoredImage, DescribeStoreImageTasks, ListStoredImages, RestoreImage, StoreImage,
};
pub use settings::{AllowedImages, GetImageSettings, ReplaceImageCriteria, SetBlockPublicAccess};
pub use storage::{DescribeSnapshots, DescribeStoragePermissions, DescribeVolumes, Volume};
pub use usage::{
    CreateUsageReport, DeleteUsageReport, DescribeUsageReportEntries, DescribeUsageReports,
    ReportedUsage,
};
