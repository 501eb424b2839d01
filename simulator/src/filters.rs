//! AWS's filters: `*` and `?` wildcards, `tag:KEY` and `tag-key`, and the
//! values each DescribeImages filter reads from an image, for the
//! simulator's lookups and the server's alike.

use crate::error::ErrorKind;
use crate::error::{refuse, Result};
use crate::model::{Image, Tags};
use crate::store::Tx;

/// The values an image has for a DescribeImages filter, as DescribeImages
/// answers them (an image matches when a value matches one of the
/// filter's patterns): none when the image has no such field.
pub(crate) fn image_values(tx: &Tx<'_>, image: &Image, name: &str) -> Result<Vec<String>> {
    let one = |v: &str| vec![v.to_string()];
    let ebs = image.root_device_type == "ebs";
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
        "root-device-type" => one(&image.root_device_type),
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
