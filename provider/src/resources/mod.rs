//! One module per resource, named after its type without the `amisim_` prefix.

use std::collections::HashMap;
use std::sync::Arc;

use tf_provider::DynamicResource;

use crate::provider::Shared;

pub mod common;
pub mod image;
pub mod image_copy;
pub mod instance;
pub mod kms_grant;
pub mod kms_key;
pub mod launch_permission;
pub mod storage_permission;

/// Every resource type of the provider, by name without the `amisim_` prefix.
pub fn all(shared: &Arc<Shared>) -> HashMap<String, Box<dyn DynamicResource>> {
    let mut m: HashMap<String, Box<dyn DynamicResource>> = HashMap::new();
    m.insert(
        "image".into(),
        Box::new(image::ImageResource::new(shared.clone())),
    );
    m.insert(
        "image_copy".into(),
        Box::new(image_copy::ImageCopyResource::new(shared.clone())),
    );
    m.insert(
        "launch_permission".into(),
        Box::new(launch_permission::LaunchPermissionResource::new(
            shared.clone(),
        )),
    );
    m.insert(
        "storage_permission".into(),
        Box::new(storage_permission::StoragePermissionResource::new(
            shared.clone(),
        )),
    );
    m.insert(
        "kms_key".into(),
        Box::new(kms_key::KmsKeyResource::new(shared.clone())),
    );
    m.insert(
        "kms_grant".into(),
        Box::new(kms_grant::KmsGrantResource::new(shared.clone())),
    );
    m.insert(
        "instance".into(),
        Box::new(instance::InstanceResource::new(shared.clone())),
    );
    m
}
