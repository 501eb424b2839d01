//! Storing an image as one object in an S3 bucket and restoring it
//! (CreateStoreImageTask, DescribeStoreImageTasks, CreateRestoreImageTask):
//! where an AMI's files can be seen as a file. The bucket is simulated: no S3
//! API is served, the object is held in the store, listed, and billed as S3
//! Standard storage until it is deleted. A store task completes at once.

use serde::{Deserialize, Serialize};

use crate::access;
use crate::call::{calls, Ctx};
use crate::dates;
use crate::error::{refuse, ErrorKind, Result};
use crate::images::{self, RegisterImage};
use crate::model::{Image, RootDevice, Storage, StoredImage, Tags};
use crate::store::{Filter, Tx};
use crate::validate;

/// The largest image that can be stored, in GB before compression.
pub const MAX_STORED_IMAGE_GB: i64 = 5_000;
/// How far back DescribeStoreImageTasks lists tasks: 31 days.
pub const TASK_HISTORY_SECONDS: i64 = 31 * 86_400;
/// The most images one DescribeStoreImageTasks may name.
pub const MAX_TASK_IMAGE_IDS: usize = 20;

/// CreateStoreImageTask: the image as one object, `IMAGE-ID.bin`, in a bucket
/// of the caller's in its region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreImage {
    /// The image: the caller's, or one shared with its account with its
    /// snapshots.
    pub image_id: String,
    /// The bucket.
    pub bucket: String,
    /// The object's tags.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub object_tags: Tags,
}

/// DescribeStoreImageTasks: the caller's store tasks of the last 31 days in
/// its region, newest first; those of the images named (at most 20), or all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeStoreImageTasks {
    /// The images.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_ids: Vec<String>,
}

/// CreateRestoreImageTask: a new image in the caller's account and region
/// from an object a store task made in one of its buckets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreImage {
    /// The bucket.
    pub bucket: String,
    /// The object's key.
    pub object_key: String,
    /// The new image's name; the stored image's when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Tags for the new image, over the stored image's own.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// The caller's objects (those in its buckets, in its region), whenever they
/// were stored: what `aws s3 ls` would list of them, for the faces that
/// track an object past the 31 days DescribeStoreImageTasks covers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListStoredImages {
    /// Only this bucket's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
}

/// Deletes a stored image's object from its bucket (what `aws s3 rm` does),
/// which ends its S3 charge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteStoredImage {
    /// The bucket.
    pub bucket: String,
    /// The object's key.
    pub object_key: String,
}

calls! {
    StoreImage => StoredImage, "CreateStoreImageTask", changes, Image(image_id),
        |r, tx, ctx| store(tx, ctx, r);
    DescribeStoreImageTasks => Vec<StoredImage>, "DescribeStoreImageTasks", reads, Nothing,
        |r, tx, ctx| tasks(tx, ctx, &r.image_ids);
    RestoreImage => Image, "CreateRestoreImageTask", changes, Nothing,
        |r, tx, ctx| restore(tx, ctx, r);
    ListStoredImages => Vec<StoredImage>, "ListStoredImages", reads, Nothing,
        |r, tx, ctx| objects(tx, ctx, r.bucket.as_deref());
    DeleteStoredImage => bool, "DeleteStoredImage", changes, Nothing,
        |r, tx, ctx| delete(tx, ctx, &r.bucket, &r.object_key);
}

/// Checks a bucket's name as S3 does: 3 to 63 lowercase letters, digits,
/// dots and hyphens, beginning and ending with a letter or digit, no `..`.
pub fn check_bucket(bucket: &str) -> Result<()> {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let ok = (3..=63).contains(&bucket.len())
        && bucket
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && edge(bucket.chars().next())
        && edge(bucket.chars().last())
        && !bucket.contains("..");
    if ok {
        return Ok(());
    }
    refuse(
        ErrorKind::InvalidParameterValue,
        format!(
            "The bucket name \"{}\" is not valid: 3 to 63 lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit",
            validate::shorten(bucket)
        ),
        "Name the bucket as S3 allows, for example my-ami-archive",
    )
}

/// The objects in `bucket`, whoever stored them.
fn objects_in(tx: &Tx<'_>, bucket: &str) -> Result<Vec<StoredImage>> {
    tx.list::<StoredImage>(Filter {
        name: Some(bucket),
        ..Filter::default()
    })
}

/// Refuses a bucket another account holds, or one in another region: a
/// bucket's first object makes it the caller's in its region.
fn check_bucket_is_callers(tx: &Tx<'_>, ctx: &Ctx<'_>, bucket: &str) -> Result<()> {
    check_bucket(bucket)?;
    if let Some(other) = objects_in(tx, bucket)?.into_iter().next() {
        if other.account_id != ctx.caller.account_id {
            return refuse(
                ErrorKind::AccessDenied,
                format!(
                    "The bucket {bucket} belongs to another account: account {} cannot write to it or read from it",
                    ctx.caller.account_id
                ),
                "Use a bucket of your own: bucket names are global, so choose one no other account uses",
            );
        }
        if other.region != ctx.caller.region {
            return refuse(
                ErrorKind::InvalidParameterValue,
                format!(
                    "The bucket {bucket} is in {}, not {}: an image is stored in a bucket of the region it is in",
                    other.region, ctx.caller.region
                ),
                "Store the image in a bucket of its own region, or copy the image to the bucket's region first",
            );
        }
    }
    Ok(())
}

/// The image the caller may store: its own, or one shared with its account
/// itself whose snapshots it may read; available, EBS-backed, at most 5,000 GB
/// and not sold through AWS Marketplace.
fn storable(tx: &Tx<'_>, ctx: &Ctx<'_>, image_id: &str) -> Result<Image> {
    let image = access::visible(tx, ctx, image_id, &ctx.caller.region)?;
    access::require_available(&image)?;
    let me = &ctx.caller.account_id;
    if image.owner_id != *me {
        let shared_with_me =
            access::launch_permission_id(&image, &crate::model::Principal::Account(me.clone()));
        let mut readable = tx
            .get::<crate::model::LaunchPermission>(&shared_with_me)?
            .is_some();
        for id in &image.storage_ids {
            let can_read = match tx.get::<Storage>(id)? {
                Some(s) => access::can_read_storage(tx, me, &s)?,
                None => false,
            };
            readable &= can_read;
        }
        if !readable {
            return refuse(
                ErrorKind::AuthFailure,
                format!(
                    "Not authorized to store image {image_id}: account {me} neither owns it nor has it and its snapshots shared with it directly"
                ),
                "Ask the owner to share the image with your account and its snapshots (createVolumePermission), or copy it into your account first",
            );
        }
    }
    if image.root_device_type != RootDevice::Ebs {
        return refuse(
            ErrorKind::UnsupportedOperation,
            format!("Image {image_id} is instance-store-backed: only EBS-backed images can be stored in S3"),
            "Store an EBS-backed image",
        );
    }
    if image.size_gb > MAX_STORED_IMAGE_GB {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "Image {image_id} holds {} GB: at most {MAX_STORED_IMAGE_GB} GB can be stored in S3",
                image.size_gb
            ),
            "Store a smaller image",
        );
    }
    if let Some(code) = image.product_codes().next() {
        return refuse(
            ErrorKind::InvalidParameter,
            format!("Image {image_id} carries the AWS Marketplace product code {code}: a Marketplace image cannot be stored in S3"),
            "Store an image without Marketplace product codes",
        );
    }
    Ok(image)
}

pub(crate) fn store(tx: &mut Tx<'_>, ctx: &Ctx<'_>, req: &StoreImage) -> Result<StoredImage> {
    check_bucket_is_callers(tx, ctx, &req.bucket)?;
    validate::tags(&req.object_tags)?;
    let image = storable(tx, ctx, &req.image_id)?;
    let object_key = format!("{}.bin", image.id);
    let id = format!("{}/{object_key}", req.bucket);
    if tx.get::<StoredImage>(&id)?.is_some() {
        return refuse(
            ErrorKind::InvalidParameter,
            format!(
                "Image {} is already stored in bucket {} as {object_key}: a bucket holds one copy of an image",
                image.id, req.bucket
            ),
            "Restore from the object that is there, or store the image in another bucket",
        );
    }
    let stored = StoredImage {
        id,
        account_id: ctx.caller.account_id.clone(),
        region: ctx.caller.region.clone(),
        bucket: req.bucket.clone(),
        object_key,
        object_tags: req.object_tags.clone(),
        task_start_time: ctx.time_after(&[&image.creation_date]),
        image_id: image.id.clone(),
        image_owner_id: image.owner_id.clone(),
        name: image.name.clone(),
        description: image.description.clone(),
        architecture: image.architecture.clone(),
        platform: image.platform.clone(),
        size_gb: image.size_gb,
        billing_products: image.billing_products.clone(),
        creation_date: image.creation_date.clone(),
        tags: image.tags.clone(),
    };
    tx.put(&stored)?;
    Ok(stored)
}

pub(crate) fn tasks(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    image_ids: &[String],
) -> Result<Vec<StoredImage>> {
    if image_ids.len() > MAX_TASK_IMAGE_IDS {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "DescribeStoreImageTasks names at most {MAX_TASK_IMAGE_IDS} images, not {}",
                image_ids.len()
            ),
            "Ask in several requests, or name none to list every task",
        );
    }
    let since = ctx.epoch - TASK_HISTORY_SECONDS;
    let mut out: Vec<StoredImage> = tx
        .list::<StoredImage>(Filter {
            account: Some(&ctx.caller.account_id),
            region: Some(&ctx.caller.region),
            name: None,
        })?
        .into_iter()
        .filter(|s| dates::parse_time(&s.task_start_time).is_some_and(|t| t >= since))
        .filter(|s| image_ids.is_empty() || image_ids.contains(&s.image_id))
        .collect();
    out.sort_by(|a, b| (&b.task_start_time, &b.id).cmp(&(&a.task_start_time, &a.id)));
    Ok(out)
}

/// The caller's object `key` in `bucket`.
fn object(tx: &Tx<'_>, ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<StoredImage> {
    check_bucket(bucket)?;
    match tx.get::<StoredImage>(&format!("{bucket}/{key}"))? {
        Some(s) if s.account_id == ctx.caller.account_id => Ok(s),
        Some(_) => refuse(
            ErrorKind::AccessDenied,
            format!(
                "The bucket {bucket} belongs to another account: account {} cannot read {key}",
                ctx.caller.account_id
            ),
            "Restore from a bucket of your own",
        ),
        None => refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "The bucket {bucket} holds no object {}",
                validate::shorten(key)
            ),
            "Give the ObjectKey CreateStoreImageTask answered (the image's ID and .bin); DescribeStoreImageTasks lists them",
        ),
    }
}

pub(crate) fn restore(tx: &mut Tx<'_>, ctx: &Ctx<'_>, req: &RestoreImage) -> Result<Image> {
    let stored = object(tx, ctx, &req.bucket, &req.object_key)?;
    // The new image and its snapshots are dated after the object they come from.
    let created = ctx.time_after(&[&stored.task_start_time]);
    let mut tags = stored.tags.clone();
    tags.extend(req.tags.iter().map(|(k, v)| (k.clone(), v.clone())));
    let mut image = images::register(
        tx,
        ctx,
        &RegisterImage {
            name: req.name.clone().unwrap_or_else(|| stored.name.clone()),
            description: stored.description.clone(),
            architecture: Some(stored.architecture.clone()),
            platform: Some(stored.platform.clone()),
            root_device_type: Some("ebs".into()),
            root_volume_size_gb: Some(stored.size_gb),
            encrypted: false,
            kms_key_id: None,
            billing_products: stored.billing_products.clone(),
            tags,
        },
    )?;
    // The restored image names the image it was stored from, as AWS's ancestry does.
    image.source_image_id = Some(stored.image_id.clone());
    image.source_image_region = Some(stored.region.clone());
    image.creation_date = created;
    image.restored_from = Some(stored.id.clone());
    tx.put(&image)?;
    Ok(image)
}

pub(crate) fn objects(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    bucket: Option<&str>,
) -> Result<Vec<StoredImage>> {
    tx.list::<StoredImage>(Filter {
        account: Some(&ctx.caller.account_id),
        region: Some(&ctx.caller.region),
        name: bucket,
    })
}

pub(crate) fn delete(tx: &mut Tx<'_>, ctx: &Ctx<'_>, bucket: &str, key: &str) -> Result<bool> {
    let stored = object(tx, ctx, bucket, key)?;
    tx.delete::<StoredImage>(&stored.id)
}
