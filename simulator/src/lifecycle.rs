//! Today's AMI life cycle: deregistration protection, disabling, deprecation,
//! block public access, Allowed AMIs, lineage and references.

use serde::Serialize;

use crate::cloud::Ctx;
use crate::error::{refuse, ErrorKind, Result};
use crate::images::{owned, wildcard};
use crate::model::{
    Image, ImageCriterion, ImageSettings, ImageState, Instance, InstanceState, AMAZON, MARKETPLACE,
    PROTECTION_OFF,
};
use crate::store::{Filter, Tx};
use crate::{ids, permissions, validate};

/// The values of `deregistration_protection`.
pub const PROTECTION_MODES: &[&str] = &["disabled", "enabled", "enabled-with-cooldown"];
/// How long protection enabled with cooldown stays in force after it is lifted.
pub const COOLDOWN_SECONDS: i64 = 24 * 3600;
/// The values of block public access.
pub const BLOCK_PUBLIC_ACCESS_STATES: &[&str] = &["block-new-sharing", "unblocked"];
/// A new account's block public access setting, as in AWS since 2023.
pub const BLOCKED: &str = "block-new-sharing";
/// The values of the Allowed AMIs setting a configuration may set.
pub const ALLOWED_IMAGES_STATES: &[&str] = &["enabled", "audit-mode"];
/// At most this many Allowed AMIs criteria.
pub const MAX_CRITERIA: usize = 10;
/// A deprecation time is at most this far ahead.
pub const MAX_DEPRECATION_SECONDS: i64 = 10 * 365 * 86_400;
/// An ancestry has at most this many entries.
pub const MAX_ANCESTRY: usize = 50;

/// An owned, still registered image, for the life-cycle changes only its owner may make.
fn registered(tx: &Tx<'_>, ctx: &Ctx<'_>, image_id: &str) -> Result<Image> {
    let image = owned(tx, ctx, image_id)?;
    if !image.is_registered() {
        return refuse(
            ErrorKind::AmiUnavailable,
            format!("The image id '[{image_id}]' is no longer available: it was deregistered"),
            "Restore it from the Recycle Bin (amisim recycle-bin restore) if a rule kept it, or use another image",
        );
    }
    Ok(image)
}

/// Enable/DisableImageDeregistrationProtection.
pub(crate) fn set_protection(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    image_id: &str,
    mode: &str,
) -> Result<Image> {
    validate::one_of("deregistration protection", mode, PROTECTION_MODES)?;
    let mut image = registered(tx, ctx, image_id)?;
    if image.deregistration_protection == mode {
        return Ok(image);
    }
    let now = ids::parse_time(&ctx.time_after(&[&image.creation_date])).unwrap_or(ctx.epoch);
    image.protected_until =
        if mode == PROTECTION_OFF && image.deregistration_protection == "enabled-with-cooldown" {
            Some(ids::format_time(now + COOLDOWN_SECONDS))
        } else {
            None
        };
    image.deregistration_protection = mode.to_string();
    tx.put(&image)?;
    Ok(image)
}

/// Refuses to deregister a protected image, or one whose cooldown still runs.
pub(crate) fn check_deregistrable(ctx: &Ctx<'_>, image: &Image) -> Result<()> {
    if image.deregistration_protection != PROTECTION_OFF {
        return refuse(
            ErrorKind::OperationNotPermitted,
            format!(
                "The image {} has deregistration protection {}: it cannot be deregistered",
                image.id, image.deregistration_protection
            ),
            "Set deregistration_protection = \"disabled\" first (or run `amisim images unprotect ID`); protection enabled with cooldown then stays in force for 24 hours",
        );
    }
    if let Some(until) = &image.protected_until {
        if ids::parse_time(until).is_some_and(|u| u > ctx.epoch) {
            return refuse(
                ErrorKind::OperationNotPermitted,
                format!(
                    "The image {} was protected with a 24-hour cooldown: protection stays in force until {until}",
                    image.id
                ),
                "Wait until the cooldown ends (in amisim, `amisim clock advance 24h` moves the simulated clock past it), then deregister",
            );
        }
    }
    Ok(())
}

/// DisableImage: the image stays, its launch permissions go, nobody launches or copies it.
pub(crate) fn disable(tx: &mut Tx<'_>, ctx: &Ctx<'_>, image_id: &str) -> Result<Image> {
    let mut image = registered(tx, ctx, image_id)?;
    if image.state == ImageState::Disabled {
        return Ok(image);
    }
    image.state = ImageState::Disabled;
    tx.put(&image)?;
    permissions::remove_all_for_image(tx, &image)?;
    Ok(image)
}

/// EnableImage: available again, with no launch permission restored.
pub(crate) fn enable(tx: &mut Tx<'_>, ctx: &Ctx<'_>, image_id: &str) -> Result<Image> {
    let mut image = registered(tx, ctx, image_id)?;
    if image.state == ImageState::Available {
        return Ok(image);
    }
    image.state = ImageState::Available;
    tx.put(&image)?;
    Ok(image)
}

/// An RFC 3339 time, rounded down to the minute (seconds of the clock).
pub fn minute_of(text: &str) -> Option<i64> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp().div_euclid(60) * 60)
}

/// Reads a deprecation time (RFC 3339), rounded down to the minute; it must
/// not lie before `now` nor more than 10 years after it.
pub fn deprecation_time(text: &str, now: i64) -> Result<String> {
    let Some(rounded) = minute_of(text) else {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!("{:?} is not an RFC 3339 time", validate::shorten(text)),
            "Write the deprecation time like 2026-01-31T12:00:00Z",
        );
    };
    if rounded < now.div_euclid(60) * 60 {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "the deprecation time {} is in the past: the simulated clock reads {}",
                ids::format_time(rounded),
                ids::format_time(now)
            ),
            "Choose a time after the simulated clock's (`amisim clock show`), or leave deprecation_time unset",
        );
    }
    if rounded > now + MAX_DEPRECATION_SECONDS {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "the deprecation time {} is more than 10 years after {}",
                ids::format_time(rounded),
                ids::format_time(now)
            ),
            "Choose a deprecation time at most 10 years ahead",
        );
    }
    Ok(ids::format_time(rounded))
}

/// EnableImageDeprecation (with a time) or DisableImageDeprecation (without).
pub(crate) fn set_deprecation(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    image_id: &str,
    time: Option<&str>,
) -> Result<Image> {
    let mut image = registered(tx, ctx, image_id)?;
    let wanted = time.map(|t| deprecation_time(t, ctx.epoch)).transpose()?;
    if image.deprecation_time != wanted {
        image.deprecation_time = wanted;
        tx.put(&image)?;
    }
    Ok(image)
}

/// The caller's image settings in its region, with a new account's defaults.
pub(crate) fn settings(tx: &Tx<'_>, account: &str, region: &str) -> Result<ImageSettings> {
    let id = format!("{account}/{region}");
    Ok(tx.get::<ImageSettings>(&id)?.unwrap_or(ImageSettings {
        id,
        account_id: account.to_string(),
        region: region.to_string(),
        block_public_access: BLOCKED.to_string(),
        allowed_images_state: "disabled".to_string(),
        allowed_images_criteria: Vec::new(),
    }))
}

/// EnableImageBlockPublicAccess / DisableImageBlockPublicAccess.
pub(crate) fn set_block_public_access(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    state: &str,
) -> Result<ImageSettings> {
    validate::one_of(
        "block public access state",
        state,
        BLOCK_PUBLIC_ACCESS_STATES,
    )?;
    let mut s = settings(tx, &ctx.caller.account_id, &ctx.caller.region)?;
    s.block_public_access = state.to_string();
    tx.put(&s)?;
    Ok(s)
}

/// Refuses a new public launch permission while the account blocks it.
pub(crate) fn check_public_sharing(tx: &Tx<'_>, ctx: &Ctx<'_>, image: &Image) -> Result<()> {
    let s = settings(tx, &ctx.caller.account_id, &ctx.caller.region)?;
    if s.block_public_access == BLOCKED {
        return refuse(
            ErrorKind::OperationNotPermitted,
            format!(
                "image block public access is on (block-new-sharing) for account {} in {}: {} cannot be made public",
                ctx.caller.account_id, ctx.caller.region, image.id
            ),
            "New accounts block public sharing of AMIs. Share with accounts, an organization or an OU instead; or, if the image must be public, set amisim_image_block_public_access { state = \"unblocked\" } in this account and region first",
        );
    }
    Ok(())
}

/// The Allowed AMIs settings to write (EnableAllowedImagesSettings and
/// ReplaceImageCriteriaInAllowedImagesSettings, or Disable with `disabled`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct AllowedImages {
    /// `enabled`, `audit-mode` or `disabled`.
    pub state: String,
    /// Up to 10 criteria.
    pub criteria: Vec<ImageCriterion>,
}

/// Checks Allowed AMIs settings that do not depend on the cloud.
pub fn check_allowed_images(req: &AllowedImages) -> Result<()> {
    if req.state != "disabled" {
        validate::one_of("Allowed AMIs state", &req.state, ALLOWED_IMAGES_STATES)?;
    }
    if req.criteria.len() > MAX_CRITERIA {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "{} image criteria were given; Allowed AMIs takes at most {MAX_CRITERIA}",
                req.criteria.len()
            ),
            "Merge criteria: values within one field are OR'ed, so one criterion can list several providers or names",
        );
    }
    for c in &req.criteria {
        for p in &c.image_providers {
            let ok = p == AMAZON || p == MARKETPLACE || validate::account_id(p).is_ok();
            if !ok {
                return refuse(
                    ErrorKind::InvalidParameterValue,
                    format!("{:?} is not an image provider", validate::shorten(p)),
                    "Image providers are amazon, aws-marketplace or 12-digit account IDs",
                );
            }
        }
        let empty = c.image_providers.is_empty()
            && c.image_names.is_empty()
            && c.marketplace_product_codes.is_empty()
            && c.maximum_days_since_created.is_none()
            && c.maximum_days_since_deprecated.is_none();
        if empty {
            return refuse(
                ErrorKind::InvalidParameterValue,
                "an image criterion sets no field, so it would allow nothing",
                "Give each image_criterion at least one of image_providers, image_names, marketplace_product_codes, creation_date_condition or deprecation_time_condition",
            );
        }
        for days in [
            c.maximum_days_since_created,
            c.maximum_days_since_deprecated,
        ]
        .into_iter()
        .flatten()
        {
            if !(0..=2_147_483_647).contains(&days) {
                return refuse(
                    ErrorKind::InvalidParameterValue,
                    format!("{days} is not a number of days"),
                    "Use a whole number of days, 0 or more",
                );
            }
        }
    }
    Ok(())
}

/// Writes the caller's Allowed AMIs settings in its region.
pub(crate) fn set_allowed_images(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    req: &AllowedImages,
) -> Result<ImageSettings> {
    check_allowed_images(req)?;
    let mut s = settings(tx, &ctx.caller.account_id, &ctx.caller.region)?;
    s.allowed_images_state = req.state.clone();
    s.allowed_images_criteria = req.criteria.clone();
    tx.put(&s)?;
    Ok(s)
}

fn criterion_allows(c: &ImageCriterion, image: &Image, now: i64) -> bool {
    let provider = c.image_providers.is_empty()
        || c.image_providers
            .iter()
            .any(|p| image.owner_alias.as_deref() == Some(p.as_str()) || *p == image.owner_id);
    let name = c.image_names.is_empty() || c.image_names.iter().any(|n| wildcard(n, &image.name));
    let product = c.marketplace_product_codes.is_empty()
        || c.marketplace_product_codes
            .iter()
            .any(|p| image.billing_products.contains(p));
    let created = c.maximum_days_since_created.is_none_or(|days| {
        ids::parse_time(&image.creation_date).is_some_and(|t| now - t <= days * 86_400)
    });
    let deprecated = c.maximum_days_since_deprecated.is_none_or(|days| {
        match image.deprecation_time.as_deref().and_then(ids::parse_time) {
            Some(t) if t <= now => now - t <= days * 86_400,
            _ => true,
        }
    });
    provider && name && product && created && deprecated
}

/// Whether Allowed AMIs lets `account` use `image` at `now`: always for its
/// own images and when the setting is off; otherwise when a criterion matches.
pub fn image_allowed(settings: &ImageSettings, account: &str, image: &Image, now: i64) -> bool {
    settings.allowed_images_state == "disabled"
        || image.owner_id == account
        || settings
            .allowed_images_criteria
            .iter()
            .any(|c| criterion_allows(c, image, now))
}

/// Refuses to launch or copy (`what`) an image that Allowed AMIs does not allow;
/// in audit mode nothing is refused.
pub(crate) fn check_allowed(tx: &Tx<'_>, ctx: &Ctx<'_>, image: &Image, what: &str) -> Result<()> {
    let s = settings(tx, &ctx.caller.account_id, &ctx.caller.region)?;
    if s.allowed_images_state != "enabled"
        || image_allowed(&s, &ctx.caller.account_id, image, ctx.epoch)
    {
        return Ok(());
    }
    refuse(
        ErrorKind::AmiNotAllowed,
        format!(
            "{} (\"{}\", owner {}) is not allowed in account {} in {}: no Allowed AMIs criterion matches it, so it cannot be {what}",
            image.id, image.name, image.owner_id, ctx.caller.account_id, ctx.caller.region
        ),
        "Use an image the criteria allow (the data sources show image_allowed), add a criterion for this image's provider or name to amisim_allowed_images_settings, or set its state to \"audit-mode\" to only report",
    )
}

/// Refuses to launch or copy a disabled image.
pub(crate) fn check_not_disabled(image: &Image) -> Result<()> {
    if image.state == ImageState::Disabled {
        return refuse(
            ErrorKind::AmiUnavailable,
            format!("The image id '[{}]' is disabled by its owner", image.id),
            "A disabled AMI cannot be launched, copied or shared until its owner enables it again (enabled = true, or `amisim images enable ID`)",
        );
    }
    Ok(())
}

/// One step of an image's lineage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AncestryEntry {
    /// The image.
    pub image_id: String,
    /// The image it was copied from, or whose instance it was created from.
    pub source_image_id: Option<String>,
    /// The region of that image.
    pub source_image_region: Option<String>,
    /// When the image was created.
    pub creation_date: String,
    /// Its owner.
    pub owner_id: String,
}

/// The image's parent: the image it was copied from, or the image of the
/// instance it was created from.
fn parent_of(tx: &Tx<'_>, image: &Image) -> Result<Option<(String, String)>> {
    if let (Some(id), Some(region)) = (&image.source_image_id, &image.source_image_region) {
        return Ok(Some((id.clone(), region.clone())));
    }
    if let Some(instance_id) = &image.source_instance_id {
        if let Some(i) = tx.get::<Instance>(instance_id)? {
            return Ok(Some((i.image_id, i.region)));
        }
    }
    Ok(None)
}

/// GetImageAncestry: from an image the caller can see back to its origin.
pub(crate) fn ancestry(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    image_id: &str,
) -> Result<Vec<AncestryEntry>> {
    let mut image = crate::images::visible(tx, ctx, image_id, &ctx.caller.region)?;
    let mut out = Vec::new();
    loop {
        let parent = parent_of(tx, &image)?;
        out.push(AncestryEntry {
            image_id: image.id.clone(),
            source_image_id: parent.as_ref().map(|p| p.0.clone()),
            source_image_region: parent.as_ref().map(|p| p.1.clone()),
            creation_date: image.creation_date.clone(),
            owner_id: image.owner_id.clone(),
        });
        if out.len() >= MAX_ANCESTRY {
            break;
        }
        // Deregistered parents are kept in the store, so the chain survives them.
        match parent.map(|(id, _)| id).map(|id| tx.get::<Image>(&id)) {
            Some(Ok(Some(p))) => image = p,
            Some(Err(e)) => return Err(e),
            _ => break,
        }
    }
    Ok(out)
}

/// What still uses an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageReference {
    /// `instance` or `image` (a copy, or an image created from an instance of it).
    pub kind: String,
    /// The instance or image ID.
    pub id: String,
    /// Its account.
    pub account_id: String,
    /// Its region.
    pub region: String,
    /// How it uses the image.
    pub detail: String,
}

/// DescribeImageReferences: the instances launched from an image that still
/// exist, and the registered images copied from it.
pub(crate) fn references(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    image_id: &str,
) -> Result<Vec<ImageReference>> {
    let image = owned(tx, ctx, image_id)?;
    let mut out = Vec::new();
    for i in tx.list::<Instance>(Filter {
        name: Some(&image.id),
        ..Filter::default()
    })? {
        if i.state != InstanceState::Terminated {
            out.push(ImageReference {
                kind: "instance".into(),
                id: i.id.clone(),
                account_id: i.owner_id.clone(),
                region: i.region.clone(),
                detail: format!("{} instance launched from it", i.state.as_str()),
            });
        }
    }
    for copy in tx.list::<Image>(Filter::default())? {
        if copy.is_registered() && copy.source_image_id.as_deref() == Some(image.id.as_str()) {
            out.push(ImageReference {
                kind: "image".into(),
                id: copy.id.clone(),
                account_id: copy.owner_id.clone(),
                region: copy.region.clone(),
                detail: format!("copy \"{}\"", copy.name),
            });
        }
    }
    out.sort_by(|a, b| (&a.kind, &a.id).cmp(&(&b.kind, &b.id)));
    Ok(out)
}

/// Records a launch from the image (its `last_launched_time`).
pub(crate) fn record_launch(tx: &mut Tx<'_>, image: &Image, time: &str) -> Result<()> {
    let mut image = image.clone();
    if image.last_launched_time.as_deref() < Some(time) {
        image.last_launched_time = Some(time.to_string());
        tx.put(&image)?;
    }
    Ok(())
}
