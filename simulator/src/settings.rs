//! An account's image settings in a region: image block public access and
//! Allowed AMIs.

use serde::{Deserialize, Serialize};

use crate::call::{calls, Call, Ctx};
use crate::error::{refuse, ErrorKind, Result};
use crate::filters::wildcard;
use crate::model::{
    AllowedImagesState, Image, ImageCriterion, ImageSettings, Watermark, WatermarkFilter, AMAZON,
    BACKUP_VAULT, MARKETPLACE, NO_PROVIDER,
};
use crate::store::Tx;
use crate::{dates, validate};

/// The values of block public access.
pub const BLOCK_PUBLIC_ACCESS_STATES: &[&str] = &["block-new-sharing", "unblocked"];
/// A new account's block public access setting, as in AWS since 2023.
pub const BLOCKED: &str = "block-new-sharing";
/// The values of the Allowed AMIs setting a configuration may set.
pub const ALLOWED_IMAGES_STATES: &[&str] = &["enabled", "audit-mode"];
/// At most this many Allowed AMIs criteria.
pub const MAX_CRITERIA: usize = 10;
/// At most this many image providers in one criterion, as in AWS.
pub const MAX_PROVIDERS: usize = 200;
/// At most this many image name patterns in one criterion, as in AWS.
pub const MAX_NAMES: usize = 50;
/// At most this many Marketplace product codes in one criterion, as in AWS.
pub const MAX_PRODUCT_CODES: usize = 50;
/// At most this many watermark filters in one criterion, as in AWS.
pub const MAX_WATERMARK_FILTERS: usize = 50;

/// GetImageBlockPublicAccessState and GetAllowedImagesSettings: the
/// caller's image settings in its region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetImageSettings {}

/// Enable/DisableImageBlockPublicAccess: `block-new-sharing` or `unblocked`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetBlockPublicAccess {
    /// `block-new-sharing` or `unblocked`.
    pub state: String,
}

impl SetBlockPublicAccess {
    /// Block public access `state`.
    pub fn new(state: impl Into<String>) -> SetBlockPublicAccess {
        SetBlockPublicAccess {
            state: state.into(),
        }
    }
}

calls! {
    GetImageSettings => ImageSettings, "GetImageSettings", reads, Nothing,
        |_, tx, ctx| settings(tx, &ctx.caller.account_id, &ctx.caller.region);
}

impl Call for SetBlockPublicAccess {
    type Output = ImageSettings;
    const ACTIONS: &'static [&'static str] = &[
        "EnableImageBlockPublicAccess",
        "DisableImageBlockPublicAccess",
    ];
    const CHANGES: bool = true;
    fn action(&self) -> &'static str {
        if self.state == BLOCKED {
            "EnableImageBlockPublicAccess"
        } else {
            "DisableImageBlockPublicAccess"
        }
    }
    fn run(&self, tx: &mut Tx<'_>, ctx: &Ctx<'_>) -> Result<ImageSettings> {
        set_block_public_access(tx, ctx, &self.state)
    }
}

impl Call for AllowedImages {
    type Output = ImageSettings;
    const ACTIONS: &'static [&'static str] = &[
        "EnableAllowedImagesSettings",
        "DisableAllowedImagesSettings",
    ];
    const CHANGES: bool = true;
    fn action(&self) -> &'static str {
        if self.state == "disabled" {
            "DisableAllowedImagesSettings"
        } else {
            "EnableAllowedImagesSettings"
        }
    }
    fn run(&self, tx: &mut Tx<'_>, ctx: &Ctx<'_>) -> Result<ImageSettings> {
        set_allowed_images(tx, ctx, self)
    }
}

/// ReplaceImageCriteriaInAllowedImagesSettings: new criteria, the state kept.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReplaceImageCriteria {
    /// Up to 10 criteria.
    pub criteria: Vec<ImageCriterion>,
}

impl Call for ReplaceImageCriteria {
    type Output = ImageSettings;
    const ACTIONS: &'static [&'static str] = &["ReplaceImageCriteriaInAllowedImagesSettings"];
    const CHANGES: bool = true;
    fn action(&self) -> &'static str {
        "ReplaceImageCriteriaInAllowedImagesSettings"
    }
    fn run(&self, tx: &mut Tx<'_>, ctx: &Ctx<'_>) -> Result<ImageSettings> {
        let state = settings(tx, &ctx.caller.account_id, &ctx.caller.region)?.allowed_images_state;
        set_allowed_images(
            tx,
            ctx,
            &AllowedImages {
                state: state.to_string(),
                criteria: self.criteria.clone(),
            },
        )
    }
}

/// The caller's image settings in its region, with a new account's defaults.
pub(crate) fn settings(tx: &Tx<'_>, account: &str, region: &str) -> Result<ImageSettings> {
    let id = format!("{account}/{region}");
    Ok(tx.get::<ImageSettings>(&id)?.unwrap_or(ImageSettings {
        id,
        account_id: account.to_string(),
        region: region.to_string(),
        block_public_access: BLOCKED.to_string(),
        allowed_images_state: AllowedImagesState::Disabled,
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
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
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
        for (field, count, max) in [
            ("image_providers", c.image_providers.len(), MAX_PROVIDERS),
            ("image_names", c.image_names.len(), MAX_NAMES),
            (
                "marketplace_product_codes",
                c.marketplace_product_codes.len(),
                MAX_PRODUCT_CODES,
            ),
            (
                "image_watermarks",
                c.image_watermarks.len(),
                MAX_WATERMARK_FILTERS,
            ),
        ] {
            if count > max {
                return refuse(
                    ErrorKind::InvalidParameterValue,
                    format!("an image criterion lists {count} {field}; Allowed AMIs takes at most {max}"),
                    "Split the values over several image criteria (up to 10), or use a name pattern with * and ? wildcards",
                );
            }
        }
        for name in &c.image_names {
            let len = name.chars().count();
            let allowed = |ch: char| ch.is_ascii_alphanumeric() || "()[] ./-'@_*?".contains(ch);
            if !(1..=128).contains(&len) || !name.chars().all(allowed) {
                return refuse(
                    ErrorKind::InvalidParameterValue,
                    format!("{:?} is not an image name pattern", validate::shorten(name)),
                    "An image name pattern has 1 to 128 characters: those of an AMI name (letters, digits, spaces and ( ) [ ] . / - ' @ _) and the wildcards * and ?",
                );
            }
        }
        for p in &c.image_providers {
            let ok = [AMAZON, MARKETPLACE, BACKUP_VAULT, NO_PROVIDER].contains(&p.as_str())
                || validate::account_id(p).is_ok();
            if !ok {
                return refuse(
                    ErrorKind::InvalidParameterValue,
                    format!("{:?} is not an image provider", validate::shorten(p)),
                    "Image providers are amazon, aws-marketplace, aws-backup-vault, 12-digit account IDs, or none alone (only the account's own images)",
                );
            }
        }
        if c.image_providers.len() > 1 && c.image_providers.iter().any(|p| p == NO_PROVIDER) {
            return refuse(
                ErrorKind::InvalidParameterValue,
                "an image criterion lists none beside other image providers",
                "none stands alone: it allows only the account's own images. Remove the other providers, or remove none",
            );
        }
        for w in &c.image_watermarks {
            check_watermark_filter(w)?;
        }
        let empty = c.image_providers.is_empty()
            && c.image_names.is_empty()
            && c.marketplace_product_codes.is_empty()
            && c.maximum_days_since_created.is_none()
            && c.maximum_days_since_deprecated.is_none()
            && c.image_watermarks.is_empty();
        if empty {
            return refuse(
                ErrorKind::InvalidParameterValue,
                "an image criterion sets no field, so it would allow nothing",
                "Give each image_criterion at least one of image_providers, image_names, marketplace_product_codes, creation_date_condition, deprecation_time_condition or image_watermark",
            );
        }
        for days in [
            c.maximum_days_since_created,
            c.maximum_days_since_deprecated,
        ]
        .into_iter()
        .flatten()
        {
            condition_days(days)?;
        }
    }
    Ok(())
}

/// Checks one watermark filter: it sets a field, its patterns are of a
/// watermark key (`ACCOUNT:NAME`) and a region, and its days are in range.
fn check_watermark_filter(w: &WatermarkFilter) -> Result<()> {
    if w.watermark_key.is_none()
        && w.source_image_region.is_none()
        && w.maximum_days_since_source_image_created.is_none()
        && w.maximum_days_since_watermark_created.is_none()
    {
        return refuse(
            ErrorKind::InvalidParameterValue,
            "an image watermark filter sets no field",
            "Give each image watermark filter at least one of watermark_key, source_image_region, maximum_days_since_source_image_created or maximum_days_since_watermark_created",
        );
    }
    if let Some(key) = &w.watermark_key {
        let len = key.chars().count();
        let allowed = |ch: char| ch.is_ascii_alphanumeric() || "()[] ./-'@_*?:".contains(ch);
        if !(1..=141).contains(&len) || !key.chars().all(allowed) {
            return refuse(
                ErrorKind::InvalidParameterValue,
                format!("{:?} is not a watermark key pattern", validate::shorten(key)),
                "A watermark key is ACCOUNT:NAME, for example 111111111111:approved; * and ? match any characters and one character",
            );
        }
    }
    if let Some(region) = &w.source_image_region {
        let ok = (1..=64).contains(&region.len())
            && region
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || "-*?".contains(ch));
        if !ok {
            return refuse(
                ErrorKind::InvalidParameterValue,
                format!("{:?} is not a region pattern", validate::shorten(region)),
                "Name a region such as us-east-1, with * and ? wildcards if needed",
            );
        }
    }
    for days in [
        w.maximum_days_since_source_image_created,
        w.maximum_days_since_watermark_created,
    ]
    .into_iter()
    .flatten()
    {
        condition_days(days)?;
    }
    Ok(())
}

/// Whether `filter` matches `mark` at `now`: every field it sets.
fn watermark_matches(filter: &WatermarkFilter, mark: &Watermark, now: i64) -> bool {
    let within = |days: Option<i64>, time: &str| {
        days.is_none_or(|d| dates::parse_time(time).is_some_and(|t| now - t <= d * 86_400))
    };
    filter
        .watermark_key
        .as_deref()
        .is_none_or(|p| wildcard(p, &mark.key))
        && filter
            .source_image_region
            .as_deref()
            .is_none_or(|p| wildcard(p, &mark.source_image_region))
        && within(
            filter.maximum_days_since_source_image_created,
            &mark.source_image_creation_time,
        )
        && within(
            filter.maximum_days_since_watermark_created,
            &mark.creation_time,
        )
}

/// The most days a creation date or deprecation time condition may name, as in AWS.
pub const MAX_CONDITION_DAYS: i64 = 2_147_483_647;

/// Checks the days of a creation date or deprecation time condition.
pub fn condition_days(days: i64) -> Result<()> {
    if (0..=MAX_CONDITION_DAYS).contains(&days) {
        return Ok(());
    }
    refuse(
        ErrorKind::InvalidParameterValue,
        format!("a condition of {days} days is out of range"),
        format!("Use a whole number of days from 0 to {MAX_CONDITION_DAYS}"),
    )
}

/// A condition's days that are not a whole number.
pub fn condition_days_not_whole(text: &str) -> Result<()> {
    refuse(
        ErrorKind::InvalidParameterValue,
        format!("{} is not a whole number of days", validate::shorten(text)),
        format!("Use a whole number of days from 0 to {MAX_CONDITION_DAYS}"),
    )
}

/// Writes the caller's Allowed AMIs settings in its region.
pub(crate) fn set_allowed_images(
    tx: &mut Tx<'_>,
    ctx: &Ctx<'_>,
    req: &AllowedImages,
) -> Result<ImageSettings> {
    check_allowed_images(req)?;
    let mut s = settings(tx, &ctx.caller.account_id, &ctx.caller.region)?;
    s.allowed_images_state = validate::word(
        "Allowed AMIs state",
        &req.state,
        AllowedImagesState::NAMES,
        AllowedImagesState::parse,
    )?;
    s.allowed_images_criteria = req.criteria.clone();
    tx.put(&s)?;
    Ok(s)
}

/// The Allowed AMIs image provider a catalogue image counts under: `amazon`
/// for Amazon's and the verified providers' images (Canonical, Red Hat,
/// Fedora, Debian), `aws-marketplace` for sellers'; none for anyone else's.
fn image_provider(image: &Image) -> Option<&'static str> {
    crate::catalogue::publisher(&image.owner_id).map(|p| p.provider)
}

fn criterion_allows(c: &ImageCriterion, image: &Image, now: i64) -> bool {
    let provider = c.image_providers.is_empty()
        || c.image_providers
            .iter()
            .any(|p| *p == image.owner_id || image_provider(image) == Some(p.as_str()));
    let name = c.image_names.is_empty() || c.image_names.iter().any(|n| wildcard(n, &image.name));
    let product = c.marketplace_product_codes.is_empty()
        || c.marketplace_product_codes
            .iter()
            .any(|p| image.billing_products.contains(p));
    let created = c.maximum_days_since_created.is_none_or(|days| {
        dates::parse_time(&image.creation_date).is_some_and(|t| now - t <= days * 86_400)
    });
    let deprecated = c.maximum_days_since_deprecated.is_none_or(|days| {
        match image
            .deprecation_time
            .as_deref()
            .and_then(dates::parse_time)
        {
            Some(t) if t <= now => now - t <= days * 86_400,
            _ => true,
        }
    });
    let watermarked = c.image_watermarks.is_empty()
        || image.watermarks.iter().any(|mark| {
            c.image_watermarks
                .iter()
                .any(|f| watermark_matches(f, mark, now))
        });
    provider && name && product && created && deprecated && watermarked
}

/// Whether Allowed AMIs lets `account` use `image` at `now`: always for its
/// own images and when the setting is off; otherwise when a criterion matches
/// (a criterion of provider `none` matches nothing: it leaves only the
/// account's own).
pub fn image_allowed(settings: &ImageSettings, account: &str, image: &Image, now: i64) -> bool {
    settings.allowed_images_state == AllowedImagesState::Disabled
        || image.owner_id == account
        || settings
            .allowed_images_criteria
            .iter()
            .any(|c| criterion_allows(c, image, now))
}

/// Whether Allowed AMIs hides `image` from the caller: in `enabled` state an
/// image it does not allow is not discoverable, as in AWS; `audit-mode` hides nothing.
pub(crate) fn hidden(settings: &ImageSettings, ctx: &Ctx<'_>, image: &Image) -> bool {
    settings.allowed_images_state == AllowedImagesState::Enabled
        && !image_allowed(settings, &ctx.caller.account_id, image, ctx.epoch)
}

/// Refuses to launch or copy (`what`) an image that Allowed AMIs does not allow;
/// in audit mode nothing is refused.
pub(crate) fn check_allowed(tx: &Tx<'_>, ctx: &Ctx<'_>, image: &Image, what: &str) -> Result<()> {
    let s = settings(tx, &ctx.caller.account_id, &ctx.caller.region)?;
    if !hidden(&s, ctx, image) {
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
