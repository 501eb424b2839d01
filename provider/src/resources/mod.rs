//! One module per resource, named after its type without the `amisim_` prefix.

use std::collections::HashMap;
use std::sync::Arc;

use tf_provider::DynamicResource;

use crate::provider::Shared;
use support::managed::{Managed, Typed};

pub mod allowed_images_settings;
pub mod image;
pub mod image_block_public_access;
pub mod image_copy;
pub mod image_restore;
pub mod image_store_task;
pub mod image_usage_report;
pub mod instance;
pub mod kms_grant;
pub mod kms_key;
pub mod launch_permission;
pub mod organization;
pub mod organizational_unit;
pub mod recycle_bin_rule;
pub mod storage_permission;
pub mod support;

/// A resource type: its name without the `amisim_` prefix, how it is built
/// over the provider's shared handle, and the names its state and schema
/// hold (which must agree).
pub struct Entry {
    pub name: &'static str,
    pub serve: fn(Arc<Shared>) -> Box<dyn DynamicResource>,
    pub names: fn() -> Names,
}

/// The attribute names a resource type's state serializes and its schema
/// declares (attributes and nested blocks), and those that force replacement.
#[derive(Debug)]
pub struct Names {
    pub state: Vec<String>,
    pub schema: Vec<String>,
    pub replacing: Vec<String>,
}

/// Every resource type of the provider. A new type is one line here.
pub const TYPES: &[Entry] = &[
    entry::<image::ImageType>("image"),
    entry::<image_copy::ImageCopyType>("image_copy"),
    entry::<launch_permission::LaunchPermissionType>("launch_permission"),
    entry::<storage_permission::StoragePermissionType>("storage_permission"),
    entry::<kms_key::KmsKeyType>("kms_key"),
    entry::<kms_grant::KmsGrantType>("kms_grant"),
    entry::<instance::InstanceType>("instance"),
    entry::<image_block_public_access::ImageBlockPublicAccessType>("image_block_public_access"),
    entry::<recycle_bin_rule::RecycleBinRuleType>("recycle_bin_rule"),
    entry::<allowed_images_settings::AllowedImagesSettingsType>("allowed_images_settings"),
    entry::<image_usage_report::ImageUsageReportType>("image_usage_report"),
    entry::<image_store_task::ImageStoreTaskType>("image_store_task"),
    entry::<image_restore::ImageRestoreType>("image_restore"),
    entry::<organization::OrganizationType>("organization"),
    entry::<organizational_unit::OrganizationalUnitType>("organizational_unit"),
];

const fn entry<M: Managed>(name: &'static str) -> Entry {
    Entry {
        name,
        serve: serve::<M>,
        names: names::<M>,
    }
}

/// A [`Managed`] type served to Terraform.
fn serve<M: Managed>(shared: Arc<Shared>) -> Box<dyn DynamicResource> {
    Box::new(Typed::<M>::new(shared))
}

fn names<M: Managed>() -> Names {
    let state = match serde_json::to_value(M::State::default()) {
        Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    };
    let schema = M::schema();
    let mut declared: Vec<String> = schema
        .block
        .attributes
        .keys()
        .chain(schema.block.blocks.keys())
        .cloned()
        .collect();
    declared.sort();
    Names {
        state,
        schema: declared,
        replacing: crate::attrs::replacing(&schema),
    }
}

/// Every resource type of the provider, by name without the `amisim_` prefix.
pub fn all(shared: &Arc<Shared>) -> HashMap<String, Box<dyn DynamicResource>> {
    TYPES
        .iter()
        .map(|t| (t.name.to_string(), (t.serve)(shared.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::TYPES;

    #[test]
    fn each_state_type_and_schema_name_the_same_attributes() {
        for t in TYPES {
            let names = (t.names)();
            assert!(!names.schema.is_empty(), "{}", t.name);
            assert_eq!(names.state, names.schema, "amisim_{}", t.name);
        }
    }

    #[test]
    fn the_arguments_aws_cannot_change_in_place_force_replacement() {
        let replacing = |name: &str| {
            let t = TYPES.iter().find(|t| t.name == name).expect(name);
            (t.names)().replacing
        };
        let sorted = |names: &[&str]| {
            let mut v: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            v.sort();
            v
        };
        let expected: &[(&str, &[&str])] = &[
            (
                "image",
                &[
                    "name",
                    "architecture",
                    "platform",
                    "root_device_type",
                    "root_volume_size_gb",
                    "encrypted",
                    "kms_key_id",
                    "source_instance_id",
                    "billing_products",
                ],
            ),
            (
                "image_copy",
                &[
                    "source_ami_id",
                    "source_ami_region",
                    "source_region",
                    "name",
                    "encrypted",
                    "kms_key_id",
                    "copy_image_tags",
                ],
            ),
            (
                "launch_permission",
                &[
                    "image_id",
                    "account_id",
                    "group",
                    "organization_arn",
                    "organizational_unit_arn",
                ],
            ),
            ("storage_permission", &["storage_id", "account_id"]),
            ("kms_key", &[]),
            // grantee_principal is not listed: the account it names
            // (grantee_account_id) is, so writing the same account the other
            // way replaces nothing.
            ("kms_grant", &["key_id", "grantee_account_id", "operations"]),
            ("instance", &["ami", "user_data"]),
            ("image_block_public_access", &[]),
            ("recycle_bin_rule", &["resource_type"]),
            ("allowed_images_settings", &[]),
            (
                "image_usage_report",
                &["image_id", "resource_types", "account_ids"],
            ),
            ("image_store_task", &["image_id", "bucket", "object_tags"]),
            ("image_restore", &["bucket", "object_key", "name", "tags"]),
            ("organization", &[]),
            ("organizational_unit", &["organization_id"]),
        ];
        assert_eq!(expected.len(), TYPES.len());
        for (name, names) in expected {
            assert_eq!(replacing(name), sorted(names), "amisim_{name}");
        }
    }
}
