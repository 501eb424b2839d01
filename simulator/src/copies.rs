//! CopyImage: a new, distinct image in the caller's account and region.

use serde::{Deserialize, Serialize};

use crate::access;
use crate::call::{calls, Ctx};
use crate::error::{refuse, ErrorKind, Result};
use crate::model::RootDevice;
use crate::model::{Image, ImageState, Storage, Tags};
use crate::store::Tx;
use crate::{billing, images, kms, validate};

/// CopyImage's parameters.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CopyImage {
    /// The image to copy.
    pub source_image_id: String,
    /// The region the source lives in.
    pub source_region: String,
    /// The copy's name; unique among the caller's available images in its region.
    pub name: String,
    /// The copy's description.
    pub description: String,
    /// `Some(true)` to encrypt the copy; `Some(false)` asks for an unencrypted copy.
    pub encrypted: Option<bool>,
    /// The key for the copy, in the destination region.
    pub kms_key_id: Option<String>,
    /// The copy's tags; with `copy_image_tags` they win over the source's.
    pub tags: Tags,
    /// Start the copy with the source's user tags (never `aws:` tags).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub copy_image_tags: bool,
}

calls! {
    CopyImage => Image, "CopyImage", changes, Image(source_image_id),
        |r, tx, ctx| copy(tx, ctx, r);
}

pub(crate) fn copy(tx: &mut Tx<'_>, ctx: &Ctx<'_>, req: &CopyImage) -> Result<Image> {
    check_request(req)?;
    let source = copyable_source(tx, ctx, req)?;
    let me = ctx.caller.account_id.as_str();
    let encrypted = check_encryption(tx, ctx, req, &source)?;
    access::check_name_free(tx, ctx, &req.name)?;
    let key = if encrypted {
        images::encryption_for_new(tx, ctx, true, req.kms_key_id.as_deref())?
    } else {
        None
    };
    let created = ctx.time_after(&[&source.creation_date]);
    let id = images::new_image_id(tx, ctx, &req.name)?;
    let kind = source.root_device_type.storage_kind();
    let storage_ids = images::new_storage(tx, ctx, &id, kind, source.size_gb, key.as_deref())?;
    if source.region != ctx.caller.region {
        billing::charge_transfer(tx, ctx, &source, &id)?;
    }
    let copied_tags = copied_tags(req, &source);
    let mut tags = copied_tags.clone();
    tags.extend(req.tags.iter().map(|(k, v)| (k.clone(), v.clone())));
    validate::tags(&tags)?;
    let copy = Image {
        id,
        region: ctx.caller.region.clone(),
        owner_id: me.to_string(),
        owner_alias: None,
        name: req.name.clone(),
        description: req.description.clone(),
        architecture: source.architecture.clone(),
        platform: source.platform.clone(),
        root_device_type: source.root_device_type,
        size_gb: source.size_gb,
        encrypted: key.is_some(),
        kms_key_arn: key,
        storage_ids,
        billing_products: source.billing_products.clone(),
        baked_software: source.baked_software.clone(),
        state: ImageState::Available,
        creation_date: created,
        deregistration_time: None,
        source_image_id: Some(source.id.clone()),
        source_image_region: Some(source.region.clone()),
        source_instance_id: None,
        tags,
        deregistration_protection: crate::model::Protection::Disabled,
        protected_until: None,
        deprecation_time: None,
        last_launched_time: None,
        copied_tags,
        recycle_bin_until: None,
        restored_from: None,
        // A copy is the same image elsewhere: the types it runs on and its
        // watermarks travel with it.
        supported_instance_types: source.supported_instance_types.clone(),
        unsupported_instance_types: source.unsupported_instance_types.clone(),
        watermarks: source.watermarks.clone(),
        fixture: None,
    };
    tx.put(&copy)?;
    Ok(copy)
}

/// What a copy request says on its own: the source's region, and the copy's
/// name, description and tags.
fn check_request(req: &CopyImage) -> Result<()> {
    validate::region(&req.source_region)?;
    validate::image_name(&req.name)?;
    validate::description(&req.description)?;
    validate::tags(&req.tags)?;
    Ok(())
}

/// The source a caller may copy: visible, available and allowed; another
/// account's only without billing products and with its storage readable.
fn copyable_source(tx: &Tx<'_>, ctx: &Ctx<'_>, req: &CopyImage) -> Result<Image> {
    let me = ctx.caller.account_id.as_str();
    let source = access::visible(tx, ctx, &req.source_image_id, &req.source_region)?;
    access::require_available(&source)?;
    crate::settings::check_allowed(tx, ctx, &source, "copied")?;
    let foreign = source.owner_id != me;
    if foreign && !source.billing_products.is_empty() {
        return refuse(
            ErrorKind::InvalidRequest,
            format!(
                "Images with EC2 BillingProduct codes cannot be copied to another AWS account: {} carries {}",
                source.id,
                source.billing_products.join(", ")
            ),
            "Launch an instance from the image (amisim_instance) and create an image from that instance (amisim_image with source_instance_id): the new image keeps the billing product",
        );
    }
    if foreign {
        for storage_id in &source.storage_ids {
            let readable = match tx.get::<Storage>(storage_id)? {
                Some(s) => access::can_read_storage(tx, me, &s)?,
                None => false,
            };
            if !readable {
                return refuse(
                    ErrorKind::InvalidRequest,
                    format!(
                        "You do not have permission to access the storage of this ami: {} of {} (owned by {})",
                        storage_id, source.id, source.owner_id
                    ),
                    format!(
                        "The owner must let account {me} read the image's storage: an amisim_storage_permission for {storage_id}"
                    ),
                );
            }
        }
    }
    Ok(source)
}

/// Whether the copy is encrypted: always when its source is, on request
/// otherwise; the source's key must let the caller copy, and an
/// instance-store bundle is never encrypted.
fn check_encryption(tx: &Tx<'_>, ctx: &Ctx<'_>, req: &CopyImage, source: &Image) -> Result<bool> {
    if source.encrypted && req.encrypted == Some(false) {
        return refuse(
            ErrorKind::InvalidParameterCombination,
            format!(
                "the source image {} is encrypted, so its copy must be encrypted too",
                source.id
            ),
            "Remove encrypted = false (a copy of an encrypted image is always encrypted)",
        );
    }
    if let Some(arn) = &source.kms_key_arn {
        kms::require_decrypt(
            tx,
            ctx,
            arn,
            &format!("the source image {}", source.id),
            kms::COPY_OPERATIONS,
        )?;
    }
    if source.root_device_type == RootDevice::InstanceStore
        && (req.encrypted == Some(true) || req.kms_key_id.is_some())
    {
        return refuse(
            ErrorKind::InvalidParameterCombination,
            format!(
                "the source image {} is instance-store-backed, and instance-store bundles cannot be encrypted with EBS encryption",
                source.id
            ),
            "Remove encrypted and kms_key_id to copy an instance-store-backed image; only EBS-backed images can be encrypted",
        );
    }
    let encrypted = source.encrypted || req.encrypted == Some(true);
    if req.kms_key_id.is_some() && !encrypted {
        return refuse(
            ErrorKind::InvalidParameterCombination,
            "a KMS key was given for a copy that is not encrypted",
            "Set encrypted = true to use kms_key_id, or remove kms_key_id",
        );
    }
    Ok(encrypted)
}

/// The source's user tags a copy starts with (`copy_image_tags`), never its
/// `aws:` tags.
fn copied_tags(req: &CopyImage, source: &Image) -> Tags {
    if req.copy_image_tags {
        source
            .tags
            .iter()
            .filter(|(k, _)| !k.starts_with("aws:"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    } else {
        Tags::new()
    }
}
