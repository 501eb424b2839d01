//! AWS's filters: `*` and `?` wildcards, `tag:KEY` and `tag-key`, and the
//! values each DescribeImages filter reads from an image, for the
//! simulator's lookups and the server's alike.

use crate::error::ErrorKind;
use crate::error::{refuse, Result};
use crate::model::RootDevice;
use crate::model::{Image, Instance, Storage, Tags, Volume};
use crate::store::Tx;

/// The values an image has for a DescribeImages filter, as DescribeImages
/// answers them (an image matches when a value matches one of the
/// filter's patterns): none when the image has no such field.
pub(crate) fn image_values(tx: &Tx<'_>, image: &Image, name: &str) -> Result<Vec<String>> {
    let one = |v: &str| vec![v.to_string()];
    let ebs = image.root_device_type == RootDevice::Ebs;
    let if_ebs = |v: String| if ebs { vec![v] } else { Vec::new() };
    let opt = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
    Ok(match name {
        "name" => one(&image.name),
        "image-id" => one(&image.id),
        "owner-id" => one(&image.owner_id),
        "owner-alias" => opt(&image.owner_alias),
        "description" => one(&image.description),
        "architecture" => one(&image.architecture),
        "platform" => one(&image.platform),
        "platform-details" => one(image.platform_details().0),
        "root-device-type" => one(image.root_device_type.as_str()),
        "root-device-name" => one(image.root_device_name()),
        "state" => one(image.state.as_str()),
        "is-public" => one(&crate::access::is_public(tx, image)?.to_string()),
        "image-type" => one("machine"),
        "virtualization-type" => one(crate::model::VIRTUALIZATION_TYPE),
        "hypervisor" => one(crate::model::HYPERVISOR),
        "ena-support" => one("true"),
        "boot-mode" => one(image.boot_mode()),
        "creation-date" => one(&image.creation_date),
        "deprecation-time" => opt(&image.deprecation_time),
        "source-image-id" => opt(&image.source_image_id),
        "source-image-region" => opt(&image.source_image_region),
        "product-code" => image.product_codes().map(str::to_string).collect(),
        "product-code.type" => image
            .product_codes()
            .next()
            .map(|_| "marketplace".to_string())
            .into_iter()
            .collect(),
        "block-device-mapping.device-name" => one(image.root_device_name()),
        "block-device-mapping.encrypted" => if_ebs(image.encrypted.to_string()),
        "block-device-mapping.snapshot-id" => image
            .storage_ids
            .first()
            .cloned()
            .map(if_ebs)
            .unwrap_or_default(),
        "block-device-mapping.volume-size" => if_ebs(image.size_gb.to_string()),
        "block-device-mapping.volume-type" => if_ebs(crate::model::ROOT_VOLUME_TYPE.to_string()),
        _ => tag_values(name, &image.tags),
    })
}

/// The values of a `tag:KEY` filter, or of `tag-key`, from an item's tags;
/// none for any other name.
pub fn tag_values(name: &str, tags: &Tags) -> Vec<String> {
    if name == "tag-key" {
        return tags.keys().cloned().collect();
    }
    match name.strip_prefix("tag:") {
        Some(key) => tags.get(key).cloned().into_iter().collect(),
        None => Vec::new(),
    }
}

/// Whether one filter passes: one of an item's values for the filter's name
/// matches one of its patterns. An item passes a request's filters when it
/// passes each of them (values OR'ed, filters AND'ed, as in AWS).
pub fn matches(patterns: &[String], values: &[String]) -> bool {
    patterns
        .iter()
        .any(|p| values.iter().any(|v| wildcard(p, v)))
}

/// AWS filter matching: `*` matches any run of characters, `?` any one.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// The names of the filters [`DescribeImages`] understands.
pub const FILTER_NAMES: &[&str] = &[
    "name",
    "image-id",
    "owner-id",
    "owner-alias",
    "description",
    "architecture",
    "platform",
    "platform-details",
    "root-device-type",
    "root-device-name",
    "state",
    "is-public",
    "image-type",
    "virtualization-type",
    "hypervisor",
    "ena-support",
    "boot-mode",
    "creation-date",
    "deprecation-time",
    "source-image-id",
    "source-image-region",
    "product-code",
    "product-code.type",
    "block-device-mapping.device-name",
    "block-device-mapping.encrypted",
    "block-device-mapping.snapshot-id",
    "block-device-mapping.volume-size",
    "block-device-mapping.volume-type",
    "tag:KEY",
    "tag-key",
];

/// Compiles a `name_regex` (Rust regex syntax, close to Go's RE2).
pub fn compile_name_regex(pattern: &str) -> Result<regex::Regex> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .or_else(|e| {
            refuse(
                ErrorKind::InvalidParameterValue,
                format!("name_regex is not a valid regular expression: {e}"),
                "Fix the regular expression (it uses Rust regex syntax, like Go's RE2)",
            )
        })
}

/// The filters DescribeInstances takes.
pub const INSTANCE_FILTERS: &[&str] = &[
    "instance-id",
    "image-id",
    "instance-type",
    "instance-state-name",
    "instance-state-code",
    "architecture",
    "platform",
    "root-device-type",
    "tag-key",
    "tag:",
];

pub fn instance_values(i: &Instance, name: &str) -> Vec<String> {
    let one = |v: &str| vec![v.to_string()];
    match name {
        "instance-id" => one(&i.id),
        "image-id" => one(&i.image_id),
        "instance-type" => one(&i.instance_type),
        "instance-state-name" => one(i.state.as_str()),
        "instance-state-code" => one(crate::model::instance_state_code(i.state.as_str())),
        "architecture" => one(&i.architecture),
        "platform" if i.platform == "windows" => one("windows"),
        "root-device-type" => one(i.root_device_type.as_str()),
        _ => tag_values(name, &i.tags),
    }
}

/// The filters DescribeSnapshots takes.
pub const SNAPSHOT_FILTERS: &[&str] = &[
    "snapshot-id",
    "owner-id",
    "status",
    "encrypted",
    "volume-size",
    "kms-key-id",
];

/// The filters DescribeVolumes takes.
pub const VOLUME_FILTERS: &[&str] = &[
    "volume-id",
    "status",
    "size",
    "encrypted",
    "snapshot-id",
    "attachment.instance-id",
    "attachment.delete-on-termination",
];

pub fn snapshot_values(s: &Storage, name: &str) -> Vec<String> {
    vec![match name {
        "snapshot-id" => s.id.clone(),
        "owner-id" => s.owner_id.clone(),
        "status" => "completed".to_string(),
        "encrypted" => s.encrypted.to_string(),
        "volume-size" => s.size_gb.to_string(),
        "kms-key-id" => s.kms_key_arn.clone().unwrap_or_default(),
        _ => return Vec::new(),
    }]
}

pub fn volume_values(v: &Volume, name: &str) -> Vec<String> {
    let state = if v.attached_to.is_some() {
        "in-use"
    } else {
        "available"
    };
    match name {
        "volume-id" => vec![v.id.clone()],
        "status" => vec![state.to_string()],
        "size" => vec![v.size_gb.to_string()],
        "encrypted" => vec![v.kms_key_arn.is_some().to_string()],
        "snapshot-id" => v.snapshot_id.clone().into_iter().collect(),
        "attachment.instance-id" => v.attached_to.clone().into_iter().collect(),
        "attachment.delete-on-termination" => v
            .attached_to
            .as_ref()
            .map(|_| v.delete_on_termination.to_string())
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::wildcard;

    #[test]
    fn wildcards() {
        assert!(wildcard(
            "ubuntu/*24.04*",
            "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64"
        ));
        assert!(wildcard("a?c", "abc"));
        assert!(!wildcard("a?c", "ac"));
        assert!(wildcard("*", ""));
        assert!(!wildcard("x", "xy"));
    }
}
