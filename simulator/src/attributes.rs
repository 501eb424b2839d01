//! What an image's owner sets on it besides its description and shares: the
//! instance types it runs on (ReplaceImageInstanceTypeSpecification) and
//! its watermarks (AttachImageWatermark, DetachImageWatermark). Copies carry
//! both; an image created from an instance carries the watermarks of the
//! image the instance was launched from.

use serde::{Deserialize, Serialize};

use crate::access;
use crate::call::{calls, Ctx};
use crate::error::{refuse, ErrorKind, Result};
use crate::filters::wildcard;
use crate::model::{Image, Watermark};
use crate::store::Tx;
use crate::validate;

/// The most entries each list of an instance type specification may hold.
pub const MAX_INSTANCE_TYPE_ENTRIES: usize = 100;

/// ReplaceImageInstanceTypeSpecification: the instance types an image runs
/// on, or none to remove the specification.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplaceImageInstanceTypes {
    /// The image.
    pub image_id: String,
    /// The new specification; `None` removes it.
    pub specification: Option<InstanceTypeSpecification>,
}

/// Which instance types an image runs on: those that match `supported`
/// (every type when it is empty) and match nothing in `unsupported`.
/// Entries are type names or patterns with `*` (`t3.*`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceTypeSpecification {
    /// The types it supports.
    #[serde(default)]
    pub supported: Vec<String>,
    /// The types it does not support.
    #[serde(default)]
    pub unsupported: Vec<String>,
}

/// AttachImageWatermark: a named mark on one of the caller's non-public images.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachWatermark {
    /// The image.
    pub image_id: String,
    /// The watermark's name; its key is `ACCOUNT:NAME`.
    pub name: String,
}

/// DetachImageWatermark: removes a watermark from one image (not from the
/// images already made from it); removing one that is not there succeeds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetachWatermark {
    /// The image.
    pub image_id: String,
    /// The watermark's key, `ACCOUNT:NAME`.
    pub key: String,
}

calls! {
    ReplaceImageInstanceTypes => Image, "ReplaceImageInstanceTypeSpecification", changes, Image(image_id),
        |r, tx, ctx| replace_instance_types(tx, ctx, r);
    AttachWatermark => String, "AttachImageWatermark", changes, Image(image_id),
        |r, tx, ctx| attach_watermark(tx, ctx, &r.image_id, &r.name);
    DetachWatermark => Image, "DetachImageWatermark", changes, Image(image_id),
        |r, tx, ctx| detach_watermark(tx, ctx, &r.image_id, &r.key);
}

/// An image of the caller's, available, for its owner to change.
fn changeable(tx: &Tx<'_>, ctx: &Ctx<'_>, image_id: &str) -> Result<Image> {
    let image = access::owned(tx, ctx, image_id)?;
    access::require_available(&image)?;
    Ok(image)
}

pub(crate) fn replace_instance_types(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    req: &ReplaceImageInstanceTypes,
) -> Result<Image> {
    let mut image = changeable(tx, ctx, &req.image_id)?;
    if let Some(code) = image.product_codes().next() {
        return refuse(
            ErrorKind::InvalidParameter,
            format!(
                "Image {} is listed in AWS Marketplace (product code {code}): a Marketplace image cannot have an instance type specification",
                image.id
            ),
            "Set the instance types on an image of your own without Marketplace product codes",
        );
    }
    let spec = req.specification.clone().unwrap_or_default();
    check_specification(&spec)?;
    image.supported_instance_types = spec.supported;
    image.unsupported_instance_types = spec.unsupported;
    tx.put(&image)?;
    Ok(image)
}

/// The lists' rules: at most 100 entries each, each 1 to 24 of
/// `A-Za-z0-9_.*-` without `**`, and no entry twice, in one list or both.
pub fn check_specification(spec: &InstanceTypeSpecification) -> Result<()> {
    let hint = "Give instance type names or patterns such as t3.micro or m7g.*, at most 100 in each list, each once";
    for (list, entries) in [
        ("SupportedInstanceTypes", &spec.supported),
        ("UnsupportedInstanceTypes", &spec.unsupported),
    ] {
        if entries.len() > MAX_INSTANCE_TYPE_ENTRIES {
            return refuse(
                ErrorKind::InvalidParameterValue,
                format!(
                    "{list} has {} entries; at most {MAX_INSTANCE_TYPE_ENTRIES} are allowed",
                    entries.len()
                ),
                hint,
            );
        }
        for entry in entries {
            let ok = (1..=24).contains(&entry.len())
                && entry
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_.*-".contains(&b))
                && !entry.contains("**");
            if !ok {
                return refuse(
                    ErrorKind::InvalidParameterValue,
                    format!(
                        "{list} entry \"{}\" is not an instance type or pattern: 1 to 24 of A-Z, a-z, 0-9, _ . - and *, with no **",
                        validate::shorten(entry)
                    ),
                    hint,
                );
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for entry in spec.supported.iter().chain(&spec.unsupported) {
        if !seen.insert(entry) {
            return refuse(
                ErrorKind::InvalidParameterValue,
                format!("The instance type entry \"{entry}\" is given twice"),
                hint,
            );
        }
    }
    Ok(())
}

/// Whether `image` runs on the instance type `name`.
pub fn runs_on(image: &Image, name: &str) -> bool {
    let matches = |patterns: &[String]| patterns.iter().any(|p| wildcard(p, name));
    (image.supported_instance_types.is_empty() || matches(&image.supported_instance_types))
        && !matches(&image.unsupported_instance_types)
}

/// Refuses to launch `image` on a type its specification does not allow.
pub(crate) fn check_instance_type(image: &Image, name: &str) -> Result<()> {
    if runs_on(image, name) {
        return Ok(());
    }
    let mut said = Vec::new();
    if !image.supported_instance_types.is_empty() {
        said.push(format!(
            "it supports {}",
            image.supported_instance_types.join(", ")
        ));
    }
    if !image.unsupported_instance_types.is_empty() {
        said.push(format!(
            "not {}",
            image.unsupported_instance_types.join(", ")
        ));
    }
    refuse(
        ErrorKind::InvalidParameterCombination,
        format!(
            "The instance type {name} is not compatible with image {}: {}",
            image.id,
            said.join(", ")
        ),
        "Choose an instance type the image's instance type specification allows, or ask its owner to change it",
    )
}

/// Checks a watermark's name: 3 to 128 letters, digits, spaces and `()[]./-'@_`.
pub fn check_watermark_name(name: &str) -> Result<()> {
    let ok = (3..=128).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "()[] ./-'@_".contains(c));
    if ok {
        return Ok(());
    }
    refuse(
        ErrorKind::InvalidParameterValue,
        format!(
            "The watermark name \"{}\" is not valid: 3 to 128 letters, digits, spaces and ( ) [ ] . / - ' @ _",
            validate::shorten(name)
        ),
        "Name the watermark with those characters only, for example approved-2026",
    )
}

pub(crate) fn attach_watermark(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    image_id: &str,
    name: &str,
) -> Result<String> {
    check_watermark_name(name)?;
    let mut image = changeable(tx, ctx, image_id)?;
    if access::is_public(tx, &image)? {
        return refuse(
            ErrorKind::InvalidParameter,
            format!("Image {image_id} is public: a watermark can be attached only to an image that is not public"),
            "Make the image private first (remove its group = \"all\" launch permission), then attach the watermark",
        );
    }
    let key = format!("{}:{name}", ctx.caller.account_id);
    if !image.watermarks.iter().any(|w| w.key == key) {
        let at = ctx.time_after(&[&image.creation_date]);
        image.watermarks.push(Watermark {
            key: key.clone(),
            source_image_id: image.id.clone(),
            source_image_region: image.region.clone(),
            source_image_creation_time: image.creation_date.clone(),
            creation_time: at,
        });
        tx.put(&image)?;
    }
    Ok(key)
}

pub(crate) fn detach_watermark(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    image_id: &str,
    key: &str,
) -> Result<Image> {
    if key.is_empty() || key.len() > 141 {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "The watermark key \"{}\" is not ACCOUNT:NAME",
                validate::shorten(key)
            ),
            "Give the key AttachImageWatermark answered, such as 111111111111:approved",
        );
    }
    let mut image = changeable(tx, ctx, image_id)?;
    let before = image.watermarks.len();
    image.watermarks.retain(|w| w.key != key);
    if image.watermarks.len() != before {
        tx.put(&image)?;
    }
    Ok(image)
}
