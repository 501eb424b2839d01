//! One module per resource, named after its type without the `amisim_` prefix.

use std::collections::HashMap;
use std::sync::Arc;

use tf_provider::DynamicResource;

use crate::provider::Shared;

pub mod allowed_images_settings;
pub mod common;
pub mod image;
pub mod image_block_public_access;
pub mod image_copy;
pub mod instance;
pub mod kms_grant;
pub mod kms_key;
pub mod launch_permission;
pub mod life;
pub mod managed;
pub mod recycle_bin_rule;
pub mod settings;
pub mod storage_permission;

/// Every resource type of the provider, by name without the `amisim_` prefix.
pub fn all(shared: &Arc<Shared>) -> HashMap<String, Box<dyn DynamicResource>> {
    let mut m: HashMap<String, Box<dyn DynamicResource>> = HashMap::new();
    let mut add = |name: &str, resource: Box<dyn DynamicResource>| {
        m.insert(name.to_string(), resource);
    };
    add("image", Box::new(image::ImageResource::new(shared.clone())));
    add(
        "image_copy",
        Box::new(image_copy::ImageCopyResource::new(shared.clone())),
    );
    add(
        "launch_permission",
        Box::new(launch_permission::LaunchPermissionResource::new(
            shared.clone(),
        )),
    );
    add(
        "storage_permission",
        Box::new(storage_permission::StoragePermissionResource::new(
            shared.clone(),
        )),
    );
    add(
        "kms_key",
        Box::new(kms_key::KmsKeyResource::new(shared.clone())),
    );
    add(
        "kms_grant",
        Box::new(kms_grant::KmsGrantResource::new(shared.clone())),
    );
    add(
        "instance",
        Box::new(instance::InstanceResource::new(shared.clone())),
    );
    add(
        "image_block_public_access",
        Box::new(image_block_public_access::ImageBlockPublicAccessResource::new(shared.clone())),
    );
    add(
        "recycle_bin_rule",
        Box::new(recycle_bin_rule::RecycleBinRuleResource::new(
            shared.clone(),
        )),
    );
    add(
        "allowed_images_settings",
        Box::new(allowed_images_settings::AllowedImagesSettingsResource::new(
            shared.clone(),
        )),
    );
    m
}
