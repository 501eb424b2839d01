//! Launch permissions (sharing images) and storage read permissions.

use serde::{Deserialize, Serialize};

use crate::access;
use crate::call::{calls, Ctx};
use crate::error::{refuse, refuse_duplicate, ErrorKind, Result};
use crate::model::{Image, LaunchPermission, Principal, Storage, StoragePermission};
use crate::store::{Filter, Tx};
use crate::{kms, validate};

/// How many public images one account may have in one region.
pub const PUBLIC_IMAGE_LIMIT: usize = 5;

/// ModifyImageAttribute (launchPermission add): shares an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddLaunchPermission {
    /// The image.
    pub image_id: String,
    /// Whom the permission is for.
    pub principal: Principal,
}

impl AddLaunchPermission {
    /// The request for `principal` on `image_id`.
    pub fn new(image_id: impl Into<String>, principal: &Principal) -> AddLaunchPermission {
        AddLaunchPermission {
            image_id: image_id.into(),
            principal: principal.clone(),
        }
    }
}

calls! {
    AddLaunchPermission => LaunchPermission, "AddLaunchPermission", changes, Image(image_id),
        |r, tx, ctx| add_launch(tx, ctx, &r.image_id, &r.principal);
    RemoveLaunchPermission => bool, "RemoveLaunchPermission", changes, Image(image_id),
        |r, tx, ctx| remove_launch(tx, ctx, &r.image_id, &r.principal);
    CancelLaunchPermission => (), "CancelImageLaunchPermission", changes, Image(image_id),
        |r, tx, ctx| cancel_launch(tx, ctx, &r.image_id);
    DescribeLaunchPermission => Option<LaunchPermission>, "DescribeImageAttribute", reads, Image(image_id),
        |r, tx, ctx| describe_launch(tx, ctx, &r.image_id, &r.principal);
    DescribeLaunchPermissions => Vec<LaunchPermission>, "DescribeImageAttribute", reads, Image(image_id),
        |r, tx, ctx| launch_permissions_of(tx, ctx, &r.image_id);
    AddStoragePermission => StoragePermission, "AddStoragePermission", changes, Storage(storage_id),
        |r, tx, ctx| add_storage(tx, ctx, &r.storage_id, &r.account_id);
    RemoveStoragePermission => bool, "RemoveStoragePermission", changes, Storage(storage_id),
        |r, tx, ctx| remove_storage(tx, ctx, &r.storage_id, &r.account_id);
    DescribeStoragePermission => Option<StoragePermission>, "DescribeStoragePermission", reads, Storage(storage_id),
        |r, tx, ctx| describe_storage(tx, ctx, &r.storage_id, &r.account_id);
}

/// ModifyImageAttribute (launchPermission remove); answers false if there was none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveLaunchPermission {
    /// The image.
    pub image_id: String,
    /// Whom the permission is for.
    pub principal: Principal,
}

impl RemoveLaunchPermission {
    /// The request for `principal` on `image_id`.
    pub fn new(image_id: impl Into<String>, principal: &Principal) -> RemoveLaunchPermission {
        RemoveLaunchPermission {
            image_id: image_id.into(),
            principal: principal.clone(),
        }
    }
}

/// CancelImageLaunchPermission: the account an image was shared with leaves
/// the share. Only a share made to the account itself can be left: a
/// public image, or one shared with the account's organization or OU,
/// stays as its owner set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelLaunchPermission {
    /// The image shared with the caller.
    pub image_id: String,
}

impl CancelLaunchPermission {
    /// The request to leave the share of `image_id`.
    pub fn new(image_id: impl Into<String>) -> CancelLaunchPermission {
        CancelLaunchPermission {
            image_id: image_id.into(),
        }
    }
}

/// DescribeImageAttribute (launchPermission): the permission if it exists on an available image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeLaunchPermission {
    /// The image.
    pub image_id: String,
    /// Whom the permission is for.
    pub principal: Principal,
}

impl DescribeLaunchPermission {
    /// The request for `principal` on `image_id`.
    pub fn new(image_id: impl Into<String>, principal: &Principal) -> DescribeLaunchPermission {
        DescribeLaunchPermission {
            image_id: image_id.into(),
            principal: principal.clone(),
        }
    }
}

/// DescribeImageAttribute (launchPermission) of a whole image: every launch
/// permission of an image the caller owns, as AWS lists them to the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeLaunchPermissions {
    /// The image.
    pub image_id: String,
}

/// ModifySnapshotAttribute (createVolumePermission add), or the bundle grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddStoragePermission {
    /// The snapshot or bundle.
    pub storage_id: String,
    /// The account that may read it.
    pub account_id: String,
}

impl AddStoragePermission {
    /// The request for `account_id` on `storage_id`.
    pub fn new(
        storage_id: impl Into<String>,
        account_id: impl Into<String>,
    ) -> AddStoragePermission {
        AddStoragePermission {
            storage_id: storage_id.into(),
            account_id: account_id.into(),
        }
    }
}

/// Removes a storage read permission; answers false if there was none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveStoragePermission {
    /// The snapshot or bundle.
    pub storage_id: String,
    /// The account that may read it.
    pub account_id: String,
}

impl RemoveStoragePermission {
    /// The request for `account_id` on `storage_id`.
    pub fn new(
        storage_id: impl Into<String>,
        account_id: impl Into<String>,
    ) -> RemoveStoragePermission {
        RemoveStoragePermission {
            storage_id: storage_id.into(),
            account_id: account_id.into(),
        }
    }
}

/// The storage read permission, if it exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeStoragePermission {
    /// The snapshot or bundle.
    pub storage_id: String,
    /// The account that may read it.
    pub account_id: String,
}

impl DescribeStoragePermission {
    /// The request for `account_id` on `storage_id`.
    pub fn new(
        storage_id: impl Into<String>,
        account_id: impl Into<String>,
    ) -> DescribeStoragePermission {
        DescribeStoragePermission {
            storage_id: storage_id.into(),
            account_id: account_id.into(),
        }
    }
}

/// Makes a catalogue image public while seeding.
pub(crate) fn make_public(tx: &mut Tx<'_>, image: &Image) -> Result<()> {
    let principal = Principal::Group("all".into());
    tx.put(&LaunchPermission {
        id: access::launch_permission_id(image, &principal),
        image_id: image.id.clone(),
        region: image.region.clone(),
        owner_id: image.owner_id.clone(),
        principal,
    })
}

/// Checks that a launch permission principal is well formed.
pub fn check_principal(principal: &Principal) -> Result<()> {
    let hint = "Use a 12-digit account ID, group = \"all\", or a full organization or OU ARN such as arn:aws:organizations::999999999999:organization/o-abc123";
    let ok = match principal {
        Principal::Account(a) => validate::account_id(a).is_ok(),
        Principal::Group(g) => g == "all",
        Principal::Organization(o) => validate::is_organization_arn(o),
        Principal::OrganizationalUnit(u) => validate::is_organizational_unit_arn(u),
    };
    if ok {
        Ok(())
    } else {
        refuse(
            ErrorKind::AmiAttributeItemValue,
            format!(
                "Invalid attribute item value \"{}\" for launchPermission item type",
                validate::shorten(principal.as_str())
            ),
            hint,
        )
    }
}

pub(crate) fn add_launch(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    image_id: &str,
    principal: &Principal,
) -> Result<LaunchPermission> {
    check_principal(principal)?;
    let image = access::owned(tx, ctx, image_id)?;
    access::require_available(&image)?;
    if let Some(key) = &image.kms_key_arn {
        if kms::is_aws_managed_arn(tx, key)? {
            return refuse(
                ErrorKind::InvalidParameter,
                format!(
                    "Snapshots encrypted with the AWS managed key (alias/aws/ebs) can't be shared: image {image_id} cannot be shared"
                ),
                "Copy the image with a customer managed key (amisim_kms_key), share that copy, and grant the key to the other account (amisim_kms_grant)",
            );
        }
    }
    if let Principal::Group(_) = principal {
        if image.encrypted {
            return refuse(
                ErrorKind::InvalidParameter,
                format!("Encrypted images cannot be made public: image {image_id} has encrypted storage"),
                "Share the image with specific accounts or an organization instead, and grant them the key",
            );
        }
        if let Some(mark) = image.watermarks.first() {
            return refuse(
                ErrorKind::InvalidParameter,
                format!(
                    "Watermarked images cannot be made public: image {image_id} carries the watermark {}",
                    mark.key
                ),
                "Share the image with specific accounts or an organization instead, or make a public image without watermarks",
            );
        }
        if !image.billing_products.is_empty() {
            return refuse(
                ErrorKind::InvalidParameter,
                format!(
                    "Images with billing products cannot be made public: image {image_id} has {}",
                    image.billing_products.join(", ")
                ),
                "Share the image with specific accounts instead",
            );
        }
        crate::settings::check_public_sharing(tx, ctx, &image)?;
        let public = tx
            .list::<LaunchPermission>(Filter {
                account: Some(&ctx.caller.account_id),
                region: Some(&ctx.caller.region),
                name: None,
            })?
            .into_iter()
            .filter(|p| matches!(p.principal, Principal::Group(_)) && p.image_id != image.id)
            .count();
        if public >= PUBLIC_IMAGE_LIMIT {
            return refuse(
                ErrorKind::ResourceLimitExceeded,
                format!(
                    "account {} already has {public} public images in {}, the most allowed",
                    ctx.caller.account_id, ctx.caller.region
                ),
                "Make another image private first (destroy its group = \"all\" permission), or share with accounts instead",
            );
        }
    }
    let id = access::launch_permission_id(&image, principal);
    if tx.exists::<LaunchPermission>(&id)? {
        return refuse_duplicate(
            format!(
                "the launch permission of image {image_id} for {}",
                principal.as_str()
            ),
            format!("{}/{image_id}", principal.as_str()),
        );
    }
    let permission = LaunchPermission {
        id,
        image_id: image_id.to_string(),
        region: image.region.clone(),
        owner_id: image.owner_id.clone(),
        principal: principal.clone(),
    };
    tx.put(&permission)?;
    Ok(permission)
}

pub(crate) fn remove_launch(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    image_id: &str,
    principal: &Principal,
) -> Result<bool> {
    let image = match access::owned(tx, ctx, image_id) {
        Ok(image) => image,
        Err(e) if e.kind == ErrorKind::AmiNotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    tx.delete::<LaunchPermission>(&access::launch_permission_id(&image, principal))
}

pub(crate) fn cancel_launch(tx: &mut Tx<'_>, ctx: &Ctx<'_>, image_id: &str) -> Result<()> {
    let image = access::visible(tx, ctx, image_id, &ctx.caller.region)?;
    let account = &ctx.caller.account_id;
    if image.owner_id == *account {
        return refuse(
            ErrorKind::InvalidParameter,
            format!("Image {image_id} is owned by account {account}: an owner has no share of its own to cancel"),
            "To stop sharing your image with an account, remove that account's launch permission (ModifyImageAttribute LaunchPermission.Remove, or destroy its amisim_launch_permission)",
        );
    }
    let mine = access::launch_permission_id(&image, &Principal::Account(account.clone()));
    if !tx.delete::<LaunchPermission>(&mine)? {
        return refuse(
            ErrorKind::PermissionNotFound,
            format!("Image {image_id} is not shared with account {account} itself: it reaches the account as a public image or through its organization or OU, which only the owner can change"),
            "Cancel only a share made to your account; ask the image's owner to change a public or organization share",
        );
    }
    Ok(())
}

pub(crate) fn describe_launch(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    image_id: &str,
    principal: &Principal,
) -> Result<Option<LaunchPermission>> {
    let image = match access::owned(tx, ctx, image_id) {
        Ok(i) => i,
        Err(e) if e.kind == ErrorKind::AmiNotFound || e.kind == ErrorKind::AmiMalformed => {
            return Ok(None)
        }
        Err(e) => return Err(e),
    };
    if !image.is_available() {
        return Ok(None);
    }
    tx.get::<LaunchPermission>(&access::launch_permission_id(&image, principal))
}

/// Every launch permission of an image the caller owns, in principal order.
pub(crate) fn launch_permissions_of(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    image_id: &str,
) -> Result<Vec<LaunchPermission>> {
    let image = access::owned(tx, ctx, image_id)?;
    let mut out = tx.list::<LaunchPermission>(Filter {
        name: Some(&image.id),
        region: Some(&image.region),
        ..Filter::default()
    })?;
    out.sort_by(|a, b| a.principal.cmp(&b.principal));
    Ok(out)
}

/// Deletes every launch permission of an image (on deregistration).
pub(crate) fn remove_all_for_image(tx: &mut Tx<'_>, image: &Image) -> Result<()> {
    for p in tx.list::<LaunchPermission>(Filter {
        name: Some(&image.id),
        region: Some(&image.region),
        ..Filter::default()
    })? {
        tx.delete::<LaunchPermission>(&p.id)?;
    }
    Ok(())
}

fn own_storage(tx: &Tx<'_>, ctx: &Ctx<'_>, storage_id: &str) -> Result<Storage> {
    let storage = tx
        .get::<Storage>(storage_id)?
        .filter(|s| s.region == ctx.caller.region);
    match storage {
        Some(s) if access::owns_storage(tx, ctx, &s, "Only the owner of a snapshot or bundle can share it")? => {
            Ok(s)
        }
        _ => refuse(
            ErrorKind::StorageNotFound,
            format!("The storage '{storage_id}' does not exist in {}", ctx.caller.region),
            "Use a snapshot or bundle ID from an image's storage_ids, in the same region as the provider",
        ),
    }
}

pub(crate) fn add_storage(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    storage_id: &str,
    account_id: &str,
) -> Result<StoragePermission> {
    validate::account_id(account_id)?;
    let storage = own_storage(tx, ctx, storage_id)?;
    if let Some(key) = &storage.kms_key_arn {
        if kms::is_aws_managed_arn(tx, key)? {
            return refuse(
                ErrorKind::InvalidParameter,
                format!("Snapshots encrypted with the AWS managed key (alias/aws/ebs) can't be shared: {storage_id}"),
                "Copy the image with a customer managed key (amisim_kms_key) and share the copy's storage",
            );
        }
    }
    let id = access::storage_permission_id(storage_id, account_id);
    if tx.exists::<StoragePermission>(&id)? {
        return refuse_duplicate(
            format!("the read permission of {storage_id} for account {account_id}"),
            id,
        );
    }
    let p = StoragePermission {
        id,
        storage_id: storage_id.to_string(),
        region: storage.region,
        owner_id: storage.owner_id,
        account_id: account_id.to_string(),
    };
    tx.put(&p)?;
    Ok(p)
}

pub(crate) fn remove_storage(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    storage_id: &str,
    account_id: &str,
) -> Result<bool> {
    match own_storage(tx, ctx, storage_id) {
        Ok(_) => {
            tx.delete::<StoragePermission>(&access::storage_permission_id(storage_id, account_id))
        }
        Err(e) if e.kind == ErrorKind::StorageNotFound => Ok(false),
        Err(e) => Err(e),
    }
}

pub(crate) fn describe_storage(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    storage_id: &str,
    account_id: &str,
) -> Result<Option<StoragePermission>> {
    match own_storage(tx, ctx, storage_id) {
        Ok(_) => {
            tx.get::<StoragePermission>(&access::storage_permission_id(storage_id, account_id))
        }
        Err(e) if e.kind == ErrorKind::StorageNotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Deletes every read permission of a storage object (when the storage is deleted).
pub(crate) fn remove_all_for_storage(tx: &mut Tx<'_>, storage_id: &str) -> Result<()> {
    for p in tx.list::<StoragePermission>(Filter {
        name: Some(storage_id),
        ..Filter::default()
    })? {
        tx.delete::<StoragePermission>(&p.id)?;
    }
    Ok(())
}
