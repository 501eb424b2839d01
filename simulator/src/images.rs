//! Images: registration, creation from instances, lookups, changes and deregistration.

use serde::{Deserialize, Serialize};

use crate::access;
use crate::call::{calls, Ctx};
use crate::catalogue::{self, PUBLIC_IMAGES};
use crate::error::{refuse, ErrorKind, Result};
use crate::filters;
use crate::model::RootDevice;
use crate::model::{
    Image, ImageState, Instance, InstanceState, Principal, Storage, StorageKind, Tags, AMAZON,
    MARKETPLACE,
};
use crate::store::{Filter, Tx};
use crate::{dates, ids, kms, permissions, settings, validate};

/// RegisterImage: everything about a new image.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RegisterImage {
    /// Required; unique among the account's available images in the region.
    pub name: String,
    /// Free text.
    pub description: String,
    /// `x86_64` (default), `arm64` or `i386`.
    pub architecture: Option<String>,
    /// `linux` (default) or `windows`.
    pub platform: Option<String>,
    /// `ebs` (default) or `instance-store`.
    pub root_device_type: Option<String>,
    /// Root volume size in GiB; default 8.
    pub root_volume_size_gb: Option<i64>,
    /// Encrypt the new storage.
    pub encrypted: bool,
    /// A key ID, key ARN or `alias/aws/ebs`; requires `encrypted`.
    pub kms_key_id: Option<String>,
    /// Billing product codes.
    pub billing_products: Vec<String>,
    /// Tags.
    pub tags: Tags,
}

/// CreateImage: an image of one of the caller's instances.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CreateImage {
    /// The instance to image; in the caller's account and region.
    pub instance_id: String,
    /// Required; unique among the account's available images in the region.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Encrypt the new snapshots.
    pub encrypted: bool,
    /// A key ID, key ARN or `alias/aws/ebs`; requires `encrypted`.
    pub kms_key_id: Option<String>,
    /// Tags.
    pub tags: Tags,
}

/// ModifyImageAttribute and tags: the only in-place changes an image allows,
/// made together or not at all: launch permissions added (one already
/// there is kept, as AWS keeps it), then removed, then the description and
/// tags.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModifyImage {
    /// The image.
    pub image_id: String,
    /// The new description, if it changes.
    pub description: Option<String>,
    /// The new tags, if they change.
    pub tags: Option<Tags>,
    /// Launch permissions to add.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub launch_permission_add: Vec<Principal>,
    /// Launch permissions to remove.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub launch_permission_remove: Vec<Principal>,
}

/// DescribeImages: the criteria the `amisim_image(s)` data sources offer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DescribeImages {
    /// `self`, an account ID, `amazon` or `aws-marketplace`; empty means any visible owner.
    pub owners: Vec<String>,
    /// `self` (or an account ID): images the caller may launch through an explicit permission.
    pub executable_users: Vec<String>,
    /// A regular expression the name must match.
    pub name_regex: Option<String>,
    /// DescribeImages filters ([`filters::FILTER_NAMES`]), each with values that may use `*` and `?`.
    pub filters: Vec<(String, Vec<String>)>,
    /// Also list disabled images (hidden otherwise).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_disabled: bool,
    /// Also list other accounts' deprecated images (hidden otherwise).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_deprecated: bool,
}

/// DescribeImages for one ID: the image if the caller can see it in its region.
///
/// A deregistered image the caller owns is returned with its state, so that
/// a reader can tell "gone" from "never existed".
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DescribeImage {
    /// The image.
    pub image_id: String,
}

/// DeregisterImage; answers false if it was already deregistered or unknown.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeregisterImage {
    /// The image.
    pub image_id: String,
    /// Also delete the snapshots (or bundle) no other image uses.
    pub delete_associated_snapshots: bool,
    /// Refuse an image that is not there (as the AWS API does) instead of
    /// answering false (as Terraform's delete, finding it gone, expects).
    #[serde(skip)]
    pub refuse_absent: bool,
}

/// DeleteSnapshot (or deleting a bundle): storage no available image uses;
/// answers false if it was already gone.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeleteSnapshot {
    /// The snapshot or bundle.
    pub storage_id: String,
    /// Refuse a snapshot or bundle that is not there (as the AWS API does) instead of
    /// answering false (as Terraform's delete, finding it gone, expects).
    #[serde(skip)]
    pub refuse_absent: bool,
}

/// DeleteVolume: an EBS root volume kept after its instance terminated;
/// answers false if it was already gone.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeleteVolume {
    /// The volume.
    pub volume_id: String,
    /// Refuse a volume that is not there (as the AWS API does) instead of
    /// answering false (as Terraform's delete, finding it gone, expects).
    #[serde(skip)]
    pub refuse_absent: bool,
}

impl DescribeImage {
    /// DescribeImages for `image_id`.
    pub fn new(image_id: impl Into<String>) -> DescribeImage {
        DescribeImage {
            image_id: image_id.into(),
        }
    }
}

impl DeregisterImage {
    /// DeregisterImage of `image_id`, deleting its storage when `delete_associated_snapshots`.
    pub fn new(image_id: impl Into<String>, delete_associated_snapshots: bool) -> DeregisterImage {
        DeregisterImage {
            image_id: image_id.into(),
            delete_associated_snapshots,
            refuse_absent: false,
        }
    }

    /// The same call refusing an image that is not there.
    pub fn refusing_absent(self) -> DeregisterImage {
        DeregisterImage {
            refuse_absent: true,
            ..self
        }
    }
}

impl DeleteSnapshot {
    /// DeleteSnapshot of `storage_id`.
    pub fn new(storage_id: impl Into<String>) -> DeleteSnapshot {
        DeleteSnapshot {
            storage_id: storage_id.into(),
            refuse_absent: false,
        }
    }

    /// The same call refusing a snapshot or bundle that is not there.
    pub fn refusing_absent(self) -> DeleteSnapshot {
        DeleteSnapshot {
            refuse_absent: true,
            ..self
        }
    }
}

impl DeleteVolume {
    /// DeleteVolume of `volume_id`.
    pub fn new(volume_id: impl Into<String>) -> DeleteVolume {
        DeleteVolume {
            volume_id: volume_id.into(),
            refuse_absent: false,
        }
    }

    /// The same call refusing a volume that is not there.
    pub fn refusing_absent(self) -> DeleteVolume {
        DeleteVolume {
            refuse_absent: true,
            ..self
        }
    }
}

calls! {
    RegisterImage => Image, "RegisterImage", changes, Nothing,
        |r, tx, ctx| register(tx, ctx, r);
    CreateImage => Image, "CreateImage", changes, Instance(instance_id),
        |r, tx, ctx| create_from_instance(tx, ctx, r);
    DescribeImage => Option<Image>, "DescribeImages", reads, Image(image_id),
        |r, tx, ctx| describe_one(tx, ctx, &r.image_id);
    DescribeImages => Vec<Image>, "DescribeImages", reads, Nothing,
        |r, tx, ctx| describe(tx, ctx, r);
    ModifyImage => Image, "ModifyImageAttribute", changes, Image(image_id),
        |r, tx, ctx| modify(tx, ctx, r);
    DeregisterImage => bool, "DeregisterImage", changes, Image(image_id),
        |r, tx, ctx| deregister(tx, ctx, r);
    DeleteSnapshot => bool, "DeleteSnapshot", changes, Storage(storage_id),
        |r, tx, ctx| delete_storage(tx, ctx, r);
    DeleteVolume => bool, "DeleteVolume", changes, Storage(volume_id),
        |r, tx, ctx| delete_volume(tx, ctx, r);
}

/// Seeds the public catalogue into every region of the catalogue that does not
/// have it yet: all of them in a new store, and the regions added to the
/// catalogue since an older store was made.
pub(crate) fn seed_catalogue(tx: &mut Tx<'_>) -> Result<()> {
    let seeded = tx.meta("catalogue_regions")?;
    let wanted = catalogue::catalogue_version();
    if seeded.as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    // A catalogue whose images changed (a licence added) is written again in full.
    let reseed = seeded.is_some_and(|s| !s.starts_with(catalogue::CATALOGUE_REVISION));
    let created = dates::format_time(dates::EPOCH_SECONDS);
    for region in catalogue::REGIONS {
        let first = PUBLIC_IMAGES
            .first()
            .map(|c| ids::fixed("ami", &[region, c.name]));
        if let Some(first) = first {
            if !reseed && tx.exists::<Image>(&first)? {
                continue;
            }
        }
        for c in PUBLIC_IMAGES {
            let owner = c.publisher.account;
            let id = ids::fixed("ami", &[region, c.name]);
            let snap = ids::fixed("snap", &[region, c.name]);
            tx.put(&Storage {
                id: snap.clone(),
                kind: StorageKind::Snapshot,
                region: region.to_string(),
                owner_id: owner.to_string(),
                size_gb: c.size_gb,
                encrypted: false,
                kms_key_arn: None,
                created_for_image: id.clone(),
                public_read: true,
                start_time: created.clone(),
            })?;
            let image = Image {
                owner_alias: c.publisher.alias.map(str::to_string),
                description: c.description.to_string(),
                architecture: c.architecture.to_string(),
                platform: c.platform.to_string(),
                size_gb: c.size_gb,
                storage_ids: vec![snap],
                billing_products: c.billing_products.iter().map(|s| s.to_string()).collect(),
                ..Image::made_whole(&id, region, owner, c.name, &created)
            };
            tx.put(&image)?;
            permissions::make_public(tx, &image)?;
        }
    }
    tx.set_meta("catalogue_regions", &wanted)
}

/// Checks the parts of a new image that do not depend on the cloud's state.
fn check_new_image(name: &str, description: &str, tags: &Tags) -> Result<()> {
    validate::image_name(name)?;
    validate::description(description)?;
    validate::tags(tags)
}

/// The new image's encryption: whether it is encrypted and with which key's ARN.
pub(crate) fn encryption_for_new(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    encrypted: bool,
    kms_key_id: Option<&str>,
) -> Result<Option<String>> {
    match (encrypted, kms_key_id) {
        (false, Some(_)) => refuse(
            ErrorKind::InvalidParameterCombination,
            "a KMS key was given for storage that is not encrypted",
            "Set encrypted = true to use kms_key_id, or remove kms_key_id",
        ),
        (false, None) => Ok(None),
        (true, None) => Ok(Some(kms::managed_key(tx, ctx, &ctx.caller.region)?.arn)),
        (true, Some(key)) => Ok(Some(kms::resolve_for_encryption(tx, ctx, key)?.arn)),
    }
}

/// Creates the backing storage of a new image in the caller's account and region.
pub(crate) fn new_storage(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    image_id: &str,
    kind: StorageKind,
    size_gb: i64,
    kms_key_arn: Option<&str>,
) -> Result<Vec<String>> {
    let prefix = match kind {
        StorageKind::Snapshot => "snap",
        StorageKind::Bundle => "bundle",
        StorageKind::Volume => "vol",
    };
    let id = ids::derive::<Storage>(tx, prefix, &[image_id])?;
    tx.put(&Storage {
        id: id.clone(),
        kind,
        region: ctx.caller.region.clone(),
        owner_id: ctx.caller.account_id.clone(),
        size_gb,
        encrypted: kms_key_arn.is_some(),
        kms_key_arn: kms_key_arn.map(str::to_string),
        created_for_image: image_id.to_string(),
        public_read: false,
        start_time: ctx.call_time(),
    })?;
    Ok(vec![id])
}

/// A new image ID in the caller's scope for `name`.
pub(crate) fn new_image_id(tx: &mut Tx<'_>, ctx: &Ctx<'_>, name: &str) -> Result<String> {
    let id = ids::derive::<Image>(
        tx,
        "ami",
        &[&ctx.caller.account_id, &ctx.caller.region, "image", name],
    )?;
    access::new_image_is_private(tx, &id);
    Ok(id)
}

pub(crate) fn register(tx: &mut Tx<'_>, ctx: &Ctx<'_>, req: &RegisterImage) -> Result<Image> {
    check_new_image(&req.name, &req.description, &req.tags)?;
    let architecture = req.architecture.as_deref().unwrap_or("x86_64");
    validate::one_of("architecture", architecture, validate::ARCHITECTURES)?;
    let platform = req.platform.as_deref().unwrap_or("linux");
    validate::one_of("platform", platform, validate::PLATFORMS)?;
    let root_word = req.root_device_type.as_deref().unwrap_or("ebs");
    let root_device_type = validate::word(
        "root device type",
        root_word,
        validate::ROOT_DEVICE_TYPES,
        RootDevice::parse,
    )?;
    let size_gb = req.root_volume_size_gb.unwrap_or(8);
    validate::volume_size(size_gb)?;
    validate::root_device_size(root_word, size_gb)?;
    if platform == "windows" && architecture != "x86_64" {
        return refuse(
            ErrorKind::InvalidParameterCombination,
            format!("Windows images run only on x86_64, not on {architecture}"),
            "Use architecture = \"x86_64\" for a Windows image",
        );
    }
    for product in &req.billing_products {
        check_billing_product(product)?;
    }
    if root_device_type == RootDevice::InstanceStore && (req.encrypted || req.kms_key_id.is_some())
    {
        return refuse(
            ErrorKind::InvalidParameterCombination,
            "instance-store bundles cannot be encrypted with EBS encryption",
            "Use root_device_type = \"ebs\" for an encrypted image, or leave encrypted unset",
        );
    }
    access::check_name_free(tx, ctx, &req.name)?;
    let key = encryption_for_new(tx, ctx, req.encrypted, req.kms_key_id.as_deref())?;
    let created = ctx.time();
    let id = new_image_id(tx, ctx, &req.name)?;
    let kind = root_device_type.storage_kind();
    let storage_ids = new_storage(tx, ctx, &id, kind, size_gb, key.as_deref())?;
    let mut billing_products = req.billing_products.clone();
    if platform == "windows"
        && !billing_products
            .iter()
            .any(|p| p == crate::model::WINDOWS_BILLING_PRODUCT)
    {
        billing_products.insert(0, crate::model::WINDOWS_BILLING_PRODUCT.to_string());
    }
    let image = Image {
        description: req.description.clone(),
        architecture: architecture.to_string(),
        platform: platform.to_string(),
        root_device_type,
        size_gb,
        encrypted: key.is_some(),
        kms_key_arn: key,
        storage_ids,
        billing_products,
        tags: req.tags.clone(),
        ..Image::made_whole(
            &id,
            &ctx.caller.region,
            &ctx.caller.account_id,
            &req.name,
            &created,
        )
    };
    tx.put(&image)?;
    Ok(image)
}

fn check_billing_product(product: &str) -> Result<()> {
    let ok = (1..=64).contains(&product.len())
        && product
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        refuse(
            ErrorKind::InvalidParameterValue,
            format!("{:?} is not a billing product code", validate::shorten(product)),
            "A billing product code has 1 to 64 lowercase letters, digits and hyphens, for example \"bp-6ba54002\"",
        )
    }
}

pub(crate) fn create_from_instance(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    req: &CreateImage,
) -> Result<Image> {
    check_new_image(&req.name, &req.description, &req.tags)?;
    let instance = crate::instances::own_instance(tx, ctx, &req.instance_id)?;
    if instance.state == InstanceState::Terminated {
        return refuse(
            ErrorKind::IncorrectInstanceState,
            format!("the instance {} is terminated", instance.id),
            "Launch a new instance and create the image from it",
        );
    }
    if instance.root_device_type == RootDevice::InstanceStore {
        return refuse(
            ErrorKind::UnsupportedOperation,
            format!(
                "the instance {} has an instance-store root device; CreateImage works only for EBS-backed instances",
                instance.id
            ),
            "Bundle instance-store instances with the AMI tools, or launch from an EBS-backed image and create the image from that instance",
        );
    }
    access::check_name_free(tx, ctx, &req.name)?;
    // The snapshots of an encrypted root volume keep its key, as in AWS.
    let key = match source_key(tx, &instance)? {
        Some(volume_key) => {
            if let Some(asked) = req.kms_key_id.as_deref() {
                let asked = kms::resolve_for_encryption(tx, ctx, asked)?.arn;
                if asked != volume_key {
                    return refuse(
                        ErrorKind::InvalidParameterCombination,
                        format!(
                            "the root volume of {} is encrypted with {volume_key}: an image created from it keeps that key, not {asked}",
                            instance.id
                        ),
                        "Leave kms_key_id unset (or set it to the volume's key), then copy the image with the key you want",
                    );
                }
            }
            Some(volume_key)
        }
        None => encryption_for_new(tx, ctx, req.encrypted, req.kms_key_id.as_deref())?,
    };
    let created = ctx.time_after(&[&instance.launch_time]);
    let id = new_image_id(tx, ctx, &req.name)?;
    let storage_ids = new_storage(
        tx,
        ctx,
        &id,
        StorageKind::Snapshot,
        instance.root_volume_size_gb,
        key.as_deref(),
    )?;
    let image = Image {
        id,
        region: ctx.caller.region.clone(),
        owner_id: ctx.caller.account_id.clone(),
        owner_alias: None,
        name: req.name.clone(),
        description: req.description.clone(),
        architecture: instance.architecture.clone(),
        platform: instance.platform.clone(),
        root_device_type: instance.root_device_type,
        size_gb: instance.root_volume_size_gb,
        encrypted: key.is_some(),
        kms_key_arn: key,
        storage_ids,
        billing_products: instance.billing_products.clone(),
        baked_software: instance.software.clone(),
        state: ImageState::Available,
        creation_date: created,
        deregistration_time: None,
        source_image_id: None,
        source_image_region: None,
        source_instance_id: Some(instance.id.clone()),
        tags: req.tags.clone(),
        deregistration_protection: crate::model::Protection::Disabled,
        protected_until: None,
        deprecation_time: None,
        last_launched_time: None,
        copied_tags: Tags::new(),
        recycle_bin_until: None,
        restored_from: None,
        supported_instance_types: Vec::new(),
        unsupported_instance_types: Vec::new(),
        // Watermarks travel from the image the instance was launched from.
        watermarks: access::image_in(tx, &instance.image_id, &instance.region)?
            .map(|launched| launched.watermarks)
            .unwrap_or_default(),
        fixture: None,
    };
    tx.put(&image)?;
    Ok(image)
}

/// The key of the image an instance was launched from, if its storage was encrypted.
/// The key of `instance_id`'s root volume, if the instance exists and its
/// root is encrypted: what an image created from it is encrypted with.
/// A read for plan-time checks; it logs nothing.
pub fn instance_root_key(tx: &Tx<'_>, instance_id: &str) -> Result<Option<String>> {
    match tx.get::<Instance>(instance_id)? {
        Some(instance) => source_key(tx, &instance),
        None => Ok(None),
    }
}

fn source_key(tx: &Tx<'_>, instance: &Instance) -> Result<Option<String>> {
    Ok(access::image_in(tx, &instance.image_id, &instance.region)?.and_then(|i| i.kms_key_arn))
}

pub(crate) fn describe_one(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    image_id: &str,
) -> Result<Option<Image>> {
    match access::visible(tx, ctx, image_id, &ctx.caller.region) {
        Ok(i) => {
            let s = settings::settings(tx, &ctx.caller.account_id, &ctx.caller.region)?;
            Ok((!settings::hidden(&s, ctx, &i)).then_some(i))
        }
        Err(e) if matches!(e.kind, ErrorKind::AmiNotFound | ErrorKind::AmiUnavailable) => Ok(None),
        Err(e) => Err(e),
    }
}

pub(crate) fn describe(tx: &mut Tx<'_>, ctx: &Ctx<'_>, req: &DescribeImages) -> Result<Vec<Image>> {
    let name_regex = req
        .name_regex
        .as_deref()
        .map(filters::compile_name_regex)
        .transpose()?;
    let me = ctx.caller.account_id.as_str();
    for owner in &req.owners {
        let known = ["self", AMAZON, MARKETPLACE, crate::model::BACKUP_VAULT]
            .contains(&owner.as_str())
            || validate::account_id(owner).is_ok();
        if !known {
            return refuse(
                ErrorKind::InvalidParameterValue,
                format!("{:?} is not a valid owner", validate::shorten(owner)),
                "Owners are self, amazon, aws-marketplace, aws-backup-vault or 12-digit account IDs",
            );
        }
    }
    for (name, _) in &req.filters {
        let known = filters::FILTER_NAMES.contains(&name.as_str())
            || name.strip_prefix("tag:").is_some_and(|k| !k.is_empty());
        if !known {
            return refuse(
                ErrorKind::InvalidParameterValue,
                format!("the filter name {:?} is invalid", validate::shorten(name)),
                format!(
                    "Use one of the filters: {}",
                    filters::FILTER_NAMES.join(", ")
                ),
            );
        }
    }
    let allowed = settings::settings(tx, me, &ctx.caller.region)?;
    let mut out = Vec::new();
    for image in candidates(tx, ctx, req)? {
        let owner_matches = req.owners.is_empty()
            || req.owners.iter().any(|o| {
                (o == "self" && image.owner_id == me)
                    || o == &image.owner_id
                    || image.owner_alias.as_deref() == Some(o.as_str())
            });
        if !owner_matches {
            continue;
        }
        let mine = image.owner_id == me;
        if !mine && !access::can_launch(tx, me, &image)? {
            continue;
        }
        if settings::hidden(&allowed, ctx, &image) {
            continue;
        }
        if !req.executable_users.is_empty() {
            let mut ok = false;
            for user in &req.executable_users {
                let account = if user == "self" { me } else { user.as_str() };
                if user == "all" {
                    ok |= access::is_public(tx, &image)?;
                } else {
                    ok |= access::explicitly_launchable(tx, account, &image)?;
                }
            }
            if !ok {
                continue;
            }
        }
        let state_filtered = req.filters.iter().any(|(n, _)| n == "state");
        let shown = image.is_available()
            || image.state == ImageState::Pending
            || (req.include_disabled && image.state == ImageState::Disabled);
        if !state_filtered && !shown {
            continue;
        }
        if !mine && !req.include_deprecated && image.is_deprecated_at(ctx.epoch) {
            continue;
        }
        let mut matches = true;
        for (name, patterns) in &req.filters {
            matches &= filters::matches(patterns, &filters::image_values(tx, &image, name)?);
            if !matches {
                break;
            }
        }
        if !matches {
            continue;
        }
        if let Some(re) = &name_regex {
            if !re.is_match(&image.name) {
                continue;
            }
        }
        out.push(image);
    }
    out.sort_by(|a, b| a.creation_date.cmp(&b.creation_date).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// The images of the caller's region a request can match: those it names
/// by an exact `image-id` filter, read one by one, else every image there.
fn candidates(tx: &mut Tx<'_>, ctx: &Ctx<'_>, req: &DescribeImages) -> Result<Vec<Image>> {
    let exact = req.filters.iter().find(|(name, values)| {
        name == "image-id" && values.iter().all(|v| !v.contains(['*', '?']))
    });
    let Some((_, ids)) = exact else {
        return tx.list::<Image>(Filter {
            region: Some(&ctx.caller.region),
            ..Filter::default()
        });
    };
    let mut out = Vec::new();
    for id in ids.iter().collect::<std::collections::BTreeSet<_>>() {
        if let Some(image) = access::image_in(tx, id, &ctx.caller.region)? {
            out.push(image);
        }
    }
    Ok(out)
}

pub(crate) fn modify(tx: &mut Tx<'_>, ctx: &Ctx<'_>, req: &ModifyImage) -> Result<Image> {
    for principal in &req.launch_permission_add {
        match permissions::add_launch(tx, ctx, &req.image_id, principal) {
            Err(e) if e.kind != ErrorKind::PermissionDuplicate => return Err(e),
            _ => {}
        }
    }
    for principal in &req.launch_permission_remove {
        permissions::remove_launch(tx, ctx, &req.image_id, principal)?;
    }
    let shared = !(req.launch_permission_add.is_empty() && req.launch_permission_remove.is_empty());
    let mut image = access::owned(tx, ctx, &req.image_id)?;
    if shared && req.description.is_none() && req.tags.is_none() {
        // Only who may launch it changed, not the image.
        return Ok(image);
    }
    if !image.is_registered() {
        access::require_available(&image)?;
    }
    if let Some(d) = &req.description {
        validate::description(d)?;
        image.description = d.clone();
    }
    if let Some(t) = &req.tags {
        // Tags a copy took from its source stay unless the request sets their keys.
        let mut tags = image.copied_tags.clone();
        tags.extend(t.iter().map(|(k, v)| (k.clone(), v.clone())));
        validate::tags(&tags)?;
        image.tags = tags;
    }
    tx.put(&image)?;
    Ok(image)
}

/// What a delete answers for an object that is not there: false, as
/// Terraform's delete expects of what it finds gone, or when the call
/// `refuses` it (the AWS API's way), the refusal.
fn absent(refuses: bool, refusal: impl FnOnce() -> Result<bool>) -> Result<bool> {
    if refuses {
        refusal()
    } else {
        Ok(false)
    }
}

pub(crate) fn deregister(tx: &mut Tx<'_>, ctx: &Ctx<'_>, r: &DeregisterImage) -> Result<bool> {
    let image_id = r.image_id.as_str();
    let region = ctx.caller.region.as_str();
    let mut image = match access::check_image_id(tx, image_id, region)? {
        Some(i) if i.is_registered() => i,
        // One that was there and is deregistered is unavailable; one never there is not found.
        found => {
            return absent(r.refuse_absent, || match found {
                Some(gone) => access::require_available(&gone).map(|_| false),
                None => access::visible(tx, ctx, image_id, region).map(|_| false),
            })
        }
    };
    if image.owner_id != ctx.caller.account_id {
        return access::owned(tx, ctx, image_id).map(|_| false);
    }
    crate::lifecycle::check_deregistrable(ctx, &image)?;
    let at = ctx.time_after(&[&image.creation_date]);
    image.state = ImageState::Deregistered;
    image.deregistration_time = Some(at.clone());
    crate::recycle_bin::retain_image(tx, &mut image, &at)?;
    tx.put(&image)?;
    permissions::remove_all_for_image(tx, &image)?;
    if r.delete_associated_snapshots {
        for storage_id in &image.storage_ids {
            if !storage_in_use(tx, &image, storage_id)? {
                permissions::remove_all_for_storage(tx, storage_id)?;
                if let Some(storage) = tx.get::<Storage>(storage_id)? {
                    crate::recycle_bin::delete_storage(tx, storage, &at)?;
                }
            }
        }
    }
    Ok(true)
}

/// DeleteSnapshot: deletes storage the caller owns that no available image uses any more.
pub(crate) fn delete_storage(tx: &mut Tx<'_>, ctx: &Ctx<'_>, r: &DeleteSnapshot) -> Result<bool> {
    let storage_id = r.storage_id.as_str();
    let gone = || crate::storage::snapshot_not_found(ctx, storage_id);
    let storage = match tx.get::<Storage>(storage_id)? {
        Some(s) if s.region == ctx.caller.region && s.kind != StorageKind::Volume => s,
        _ => return absent(r.refuse_absent, gone),
    };
    if !access::owns_storage(
        tx,
        ctx,
        &storage,
        "Only the owner of a snapshot or bundle can delete it",
    )? {
        return absent(r.refuse_absent, gone);
    }
    if let Some(image) = access::image_in(tx, &storage.created_for_image, &storage.region)? {
        if image.is_registered() && image.storage_ids.iter().any(|s| s == storage_id) {
            return refuse(
                ErrorKind::StorageInUse,
                format!("The snapshot {storage_id} is currently in use by {} ({})", image.id, image.state.as_str()),
                "Deregister the image first (or destroy it with delete_snapshots_on_destroy = true); a disabled image still uses its snapshots",
            );
        }
    }
    permissions::remove_all_for_storage(tx, storage_id)?;
    let at = ctx.time_after(&[&storage.start_time]);
    crate::recycle_bin::delete_storage(tx, storage, &at)?;
    Ok(true)
}

pub(crate) fn delete_volume(tx: &mut Tx<'_>, ctx: &Ctx<'_>, r: &DeleteVolume) -> Result<bool> {
    let volume_id = r.volume_id.as_str();
    let gone = || crate::storage::volume_not_found(tx, ctx, volume_id);
    let volume = match tx.get::<Storage>(volume_id)? {
        Some(s) if s.region == ctx.caller.region && s.kind == StorageKind::Volume => s,
        Some(s) if s.kind == StorageKind::Volume => return absent(r.refuse_absent, gone),
        Some(_) => {
            return refuse(
                ErrorKind::VolumeNotFound,
                format!("The volume '{volume_id}' does not exist: it is a snapshot or bundle"),
                "Delete snapshots and bundles with DeleteSnapshot (amisim delete-snapshot)",
            )
        }
        None => return absent(r.refuse_absent, gone),
    };
    if !access::owns_storage(tx, ctx, &volume, "Only the owner of a volume can delete it")? {
        return absent(r.refuse_absent, gone);
    }
    tx.delete::<Storage>(volume_id)
}

/// Whether another available image is backed by the same storage.
///
/// Storage belongs to the image it was created for; it is shared only when
/// that image is not the one being deregistered and is still available.
fn storage_in_use(tx: &Tx<'_>, image: &Image, storage_id: &str) -> Result<bool> {
    let Some(storage) = tx.get::<Storage>(storage_id)? else {
        return Ok(false);
    };
    if storage.created_for_image == image.id {
        return Ok(false);
    }
    Ok(
        access::image_in(tx, &storage.created_for_image, &storage.region)?
            .is_some_and(|i| i.is_registered() && i.storage_ids.iter().any(|s| s == storage_id)),
    )
}
