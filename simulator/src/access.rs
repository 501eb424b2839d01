//! Who may see, launch, read or change what: the questions every rule module
//! asks before it acts, answered once, below them all. An image is visible to
//! its owner and to the accounts a launch permission reaches; storage is
//! readable by its owner, when public, or through a storage permission;
//! a disabled or deregistered image is unavailable to everyone else.

use crate::call::Ctx;
use crate::error::{refuse, Error, ErrorKind, Result};
use crate::model::{Image, ImageState, LaunchPermission, Principal, Storage, StoragePermission};
use crate::store::{Filter, Tx};
use crate::validate;

/// The image `image_id` in `region`, if there is one. An ID names one
/// image in a region; a loaded image's ID may name one in each of several
/// (see [`crate::model::Fixture::key`]).
pub fn image_in(tx: &Tx<'_>, image_id: &str, region: &str) -> Result<Option<Image>> {
    match tx.get::<Image>(image_id)? {
        Some(i) if i.region == region => Ok(Some(i)),
        Some(i) if i.fixture.is_some() => tx.get::<Image>(&regional_key(image_id, region)),
        _ => Ok(None),
    }
}

/// The store key of the copy in `region` of a loaded image whose ID is
/// held in another region too.
pub fn regional_key(image_id: &str, region: &str) -> String {
    format!("{image_id}@{region}")
}

/// Refuses an image ID that names no image in `region` and is not of the
/// form AWS gives IDs (`InvalidAMIID.Malformed`): a loaded image's ID is
/// found as it is, whatever its form.
pub(crate) fn check_image_id(tx: &Tx<'_>, image_id: &str, region: &str) -> Result<Option<Image>> {
    let image = image_in(tx, image_id, region)?;
    if image.is_none() {
        validate::image_id(image_id)?;
    }
    Ok(image)
}

/// An image in the caller's region that the caller owns or may launch.
pub(crate) fn visible(tx: &Tx<'_>, ctx: &Ctx<'_>, image_id: &str, region: &str) -> Result<Image> {
    let found = check_image_id(tx, image_id, region)?;
    let hint = format!(
        "AMIs are regional: check that {image_id} exists in {region}, and that its owner shared it with account {}",
        ctx.caller.account_id
    );
    let image = match found {
        Some(i) => i,
        None => {
            return refuse(
                ErrorKind::AmiNotFound,
                format!("The image id '[{image_id}]' does not exist in {region}"),
                hint,
            )
        }
    };
    // A deregistered image is unavailable to everyone, also to accounts whose permission went with it.
    if !image.is_available() && image.owner_id != ctx.caller.account_id {
        require_available(&image)?;
    }
    if image.owner_id != ctx.caller.account_id && !can_launch(tx, &ctx.caller.account_id, &image)? {
        return refuse(
            ErrorKind::AmiNotFound,
            format!(
                "The image id '[{image_id}]' does not exist or is not shared with account {}",
                ctx.caller.account_id
            ),
            hint,
        );
    }
    Ok(image)
}

/// An image the caller owns in its region, for changes only the owner may make.
pub(crate) fn owned(tx: &Tx<'_>, ctx: &Ctx<'_>, image_id: &str) -> Result<Image> {
    let image = visible(tx, ctx, image_id, &ctx.caller.region)?;
    if image.owner_id != ctx.caller.account_id {
        return refuse(
            ErrorKind::AuthFailure,
            format!(
                "Not authorized for image:{image_id}: it is owned by account {}, not {}",
                image.owner_id, ctx.caller.account_id
            ),
            "Only the owner of an AMI can change or share it; copy it into your account first to get an image you own",
        );
    }
    Ok(image)
}

/// Fails with `InvalidAMIID.Unavailable` unless the image is available.
pub(crate) fn require_available(image: &Image) -> Result<()> {
    check_not_disabled(image)?;
    if image.is_available() {
        Ok(())
    } else {
        refuse(
            ErrorKind::AmiUnavailable,
            format!("The image id '[{}]' is no longer available: it was deregistered", image.id),
            "A deregistered AMI cannot be launched, copied or shared; use a copy of it or another image",
        )
    }
}

pub(crate) fn check_name_free(tx: &Tx<'_>, ctx: &Ctx<'_>, name: &str) -> Result<()> {
    let taken = tx
        .list::<Image>(Filter {
            account: Some(&ctx.caller.account_id),
            region: Some(&ctx.caller.region),
            name: Some(name),
        })?
        .into_iter()
        .find(|i| i.is_registered());
    match taken {
        Some(other) => Err(Error::new(
            ErrorKind::AmiNameDuplicate,
            format!(
                "AMI name {name} is already in use by AMI {} (owner {}, region {}, created {})",
                other.id, other.owner_id, other.region, other.creation_date
            ),
            "Image names are unique per account and region: choose another name, or deregister the other image first. amisim never takes over an image that another configuration (or an interrupted apply) created; to manage that image here on purpose, import it",
        )
        .with_existing(other.id)),
        None => Ok(()),
    }
}

/// Refuses to launch, copy or share a disabled image, or one still pending.
pub(crate) fn check_not_disabled(image: &Image) -> Result<()> {
    if image.state == ImageState::Pending {
        return refuse(
            ErrorKind::AmiUnavailable,
            format!(
                "The image id '[{}]' is pending, and cannot be used for this operation until it is available",
                image.id
            ),
            "Wait for the image to become available (AWS's image_available waiter, or `amisim clock advance` past its time), then try again",
        );
    }
    if image.state == ImageState::Disabled {
        return refuse(
            ErrorKind::AmiUnavailable,
            format!("The image id '[{}]' is disabled by its owner", image.id),
            "A disabled AMI cannot be launched, copied or shared until its owner enables it again (enabled = true, or `amisim images enable ID`)",
        );
    }
    Ok(())
}

/// The key of the launch permission of `image` for `principal`: one per
/// image in a region (see [`Image::key`]).
pub(crate) fn launch_permission_id(image: &Image, principal: &Principal) -> String {
    permission_of(image.key(), principal)
}

fn permission_of(image_key: &str, principal: &Principal) -> String {
    format!("{image_key}/{}", principal.as_str())
}

/// The key of the permission that makes the image keyed `image_key` public
/// (`group = all`), which [`is_public`] looks for.
fn public_permission(image_key: &str) -> String {
    permission_of(image_key, &Principal::Group("all".into()))
}

/// Tells the store that the new image `id` is public to no one (nothing
/// is shared before the image is made), so that a group of calls answers
/// [`is_public`] for it from memory.
pub(crate) fn new_image_is_private(tx: &Tx<'_>, id: &str) {
    tx.known_absent::<LaunchPermission>(&public_permission(id));
}

/// Whether `account` may launch `image`: it owns it, or a permission reaches it.
pub fn can_launch(tx: &Tx<'_>, account: &str, image: &Image) -> Result<bool> {
    if image.owner_id == account || is_public(tx, image)? {
        return Ok(true);
    }
    explicitly_launchable(tx, account, image)
}

/// Whether the image is public (`group = all`).
pub fn is_public(tx: &Tx<'_>, image: &Image) -> Result<bool> {
    Ok(tx
        .get::<LaunchPermission>(&public_permission(image.key()))?
        .is_some())
}

/// Whether a permission for the account itself, or for the organization or
/// OU it belongs to, reaches it (see [`crate::organizations::reaching`]).
pub fn explicitly_launchable(tx: &Tx<'_>, account: &str, image: &Image) -> Result<bool> {
    if image.owner_id == account {
        return Ok(true);
    }
    if tx
        .get::<LaunchPermission>(&launch_permission_id(
            image,
            &Principal::Account(account.into()),
        ))?
        .is_some()
    {
        return Ok(true);
    }
    for p in crate::organizations::reaching(tx, account)? {
        if tx
            .get::<LaunchPermission>(&launch_permission_id(image, &p))?
            .is_some()
        {
            return Ok(true);
        }
    }
    Ok(false)
}

pub(crate) fn storage_permission_id(storage_id: &str, account: &str) -> String {
    format!("{storage_id}/{account}")
}

/// Whether `account` may read the storage (owner, public, or a permission).
pub fn can_read_storage(tx: &Tx<'_>, account: &str, storage: &Storage) -> Result<bool> {
    if storage.owner_id == account || storage.public_read {
        return Ok(true);
    }
    Ok(tx
        .get::<StoragePermission>(&storage_permission_id(&storage.id, account))?
        .is_some())
}

/// Whether the caller owns `storage`, for a change only its owner may make.
///
/// A caller that may read the storage but does not own it is refused with
/// `AuthFailure` (and `hint`); one that cannot even read it gets `false`, so
/// that the storage is to it as if it did not exist, and no refusal tells
/// whose it is.
pub(crate) fn owns_storage(
    tx: &Tx<'_>,
    ctx: &Ctx<'_>,
    storage: &Storage,
    hint: &str,
) -> Result<bool> {
    if storage.owner_id == ctx.caller.account_id {
        return Ok(true);
    }
    if !can_read_storage(tx, &ctx.caller.account_id, storage)? {
        return Ok(false);
    }
    refuse(
        ErrorKind::AuthFailure,
        format!(
            "Not authorized for {} {}: it belongs to another account",
            storage.kind.noun(),
            storage.id
        ),
        hint,
    )
}
