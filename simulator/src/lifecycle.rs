//! An image's life after registration: deregistration protection,
//! disabling, deprecation, and its launches.

use serde::{Deserialize, Serialize};

use crate::access;
use crate::call::{calls, Call, Ctx, Subject};
use crate::error::{refuse, ErrorKind, Result};
use crate::model::{Image, ImageState, Protection, PROTECTION_OFF};
use crate::store::Tx;
use crate::{dates, permissions, validate};

/// The values of `deregistration_protection`.
pub const PROTECTION_MODES: &[&str] = Protection::NAMES;
/// How long protection enabled with cooldown stays in force after it is lifted.
pub const COOLDOWN_SECONDS: i64 = 24 * 3600;
/// A deprecation time is at most this many years (calendar years, as AWS
/// counts them) ahead.
pub const MAX_DEPRECATION_YEARS: i32 = 10;

/// `MAX_DEPRECATION_YEARS` calendar years after `now` (a 29 February lands
/// on the 28th).
fn years_after(now: i64) -> i64 {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(now) else {
        return now;
    };
    let year = t.year() + MAX_DEPRECATION_YEARS;
    t.replace_year(year)
        .or_else(|_| t.replace_day(28).and_then(|d| d.replace_year(year)))
        .map(|t| t.unix_timestamp())
        .unwrap_or(now)
}

/// Enable/DisableImageDeregistrationProtection: `disabled`, `enabled` or
/// `enabled-with-cooldown`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetDeregistrationProtection {
    /// The image.
    pub image_id: String,
    /// `disabled`, `enabled` or `enabled-with-cooldown`.
    pub mode: String,
}

impl SetDeregistrationProtection {
    /// Protection `mode` for `image_id`.
    pub fn new(
        image_id: impl Into<String>,
        mode: impl Into<String>,
    ) -> SetDeregistrationProtection {
        SetDeregistrationProtection {
            image_id: image_id.into(),
            mode: mode.into(),
        }
    }
}

/// EnableImage: a disabled image is available again, with no launch permission restored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnableImage {
    /// The image.
    pub image_id: String,
}

impl EnableImage {
    /// EnableImage of `image_id`.
    pub fn new(image_id: impl Into<String>) -> EnableImage {
        EnableImage {
            image_id: image_id.into(),
        }
    }
}

/// DisableImage: the image stays, its launch permissions go, nobody launches or copies it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisableImage {
    /// The image.
    pub image_id: String,
}

impl DisableImage {
    /// DisableImage of `image_id`.
    pub fn new(image_id: impl Into<String>) -> DisableImage {
        DisableImage {
            image_id: image_id.into(),
        }
    }
}

/// EnableImageDeprecation at `deprecate_at` (RFC 3339), or DisableImageDeprecation with none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetImageDeprecation {
    /// The image.
    pub image_id: String,
    /// When the image is deprecated; none cancels its deprecation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecate_at: Option<String>,
}

impl SetImageDeprecation {
    /// Deprecation of `image_id` at `deprecate_at`, or none.
    pub fn new(image_id: impl Into<String>, deprecate_at: Option<&str>) -> SetImageDeprecation {
        SetImageDeprecation {
            image_id: image_id.into(),
            deprecate_at: deprecate_at.map(str::to_string),
        }
    }
}

impl Call for SetDeregistrationProtection {
    type Output = Image;
    const ACTIONS: &'static [&'static str] = &[
        "EnableImageDeregistrationProtection",
        "DisableImageDeregistrationProtection",
    ];
    const CHANGES: bool = true;
    fn action(&self) -> &'static str {
        if self.mode == PROTECTION_OFF {
            "DisableImageDeregistrationProtection"
        } else {
            "EnableImageDeregistrationProtection"
        }
    }
    fn subject(&self) -> Subject<'_> {
        Subject::Image(&self.image_id)
    }
    fn run(&self, tx: &mut Tx<'_>, ctx: &Ctx<'_>) -> Result<Image> {
        set_protection(tx, ctx, &self.image_id, &self.mode)
    }
}

calls! {
    EnableImage => Image, "EnableImage", changes, Image(image_id),
        |r, tx, ctx| enable(tx, ctx, &r.image_id);
    DisableImage => Image, "DisableImage", changes, Image(image_id),
        |r, tx, ctx| disable(tx, ctx, &r.image_id);
}

impl Call for SetImageDeprecation {
    type Output = Image;
    const ACTIONS: &'static [&'static str] = &["EnableImageDeprecation", "DisableImageDeprecation"];
    const CHANGES: bool = true;
    fn action(&self) -> &'static str {
        if self.deprecate_at.is_some() {
            "EnableImageDeprecation"
        } else {
            "DisableImageDeprecation"
        }
    }
    fn subject(&self) -> Subject<'_> {
        Subject::Image(&self.image_id)
    }
    fn run(&self, tx: &mut Tx<'_>, ctx: &Ctx<'_>) -> Result<Image> {
        set_deprecation(tx, ctx, &self.image_id, self.deprecate_at.as_deref())
    }
}

/// An owned, still registered image, for the life-cycle changes only its owner may make.
fn registered(tx: &Tx<'_>, ctx: &Ctx<'_>, image_id: &str) -> Result<Image> {
    let image = access::owned(tx, ctx, image_id)?;
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
    let mode = validate::word(
        "deregistration protection",
        mode,
        PROTECTION_MODES,
        Protection::parse,
    )?;
    let mut image = registered(tx, ctx, image_id)?;
    if image.deregistration_protection == mode {
        return Ok(image);
    }
    let now = dates::parse_time(&ctx.time_after(&[&image.creation_date])).unwrap_or(ctx.epoch);
    image.protected_until = if mode == Protection::Disabled
        && image.deregistration_protection == Protection::EnabledWithCooldown
    {
        Some(dates::format_time(now + COOLDOWN_SECONDS))
    } else {
        None
    };
    image.deregistration_protection = mode;
    tx.put(&image)?;
    Ok(image)
}

/// Refuses to deregister a protected image, or one whose cooldown still runs.
pub(crate) fn check_deregistrable(ctx: &Ctx<'_>, image: &Image) -> Result<()> {
    if image.deregistration_protection != Protection::Disabled {
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
        if dates::parse_time(until).is_some_and(|u| u > ctx.epoch) {
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
                dates::format_time(rounded),
                dates::format_time(now)
            ),
            "Choose a time after the simulated clock's (`amisim clock show`), or leave deprecation_time unset",
        );
    }
    if rounded > years_after(now) {
        return refuse(
            ErrorKind::InvalidParameterValue,
            format!(
                "the deprecation time {} is more than 10 years after {}",
                dates::format_time(rounded),
                dates::format_time(now)
            ),
            "Choose a deprecation time at most 10 years ahead",
        );
    }
    Ok(dates::format_time(rounded))
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
    if let Some(at) = &wanted {
        // An image's clock may run ahead of the caller's (a copy is dated
        // after its source): it cannot be deprecated before it existed.
        if dates::parse_time(at) < dates::parse_time(&image.creation_date) {
            return refuse(
                ErrorKind::InvalidParameterValue,
                format!(
                    "the deprecation time {at} is before {image_id} was created ({})",
                    image.creation_date
                ),
                "Choose a deprecation time after the image's creation date (a time is rounded down to its minute)",
            );
        }
    }
    if image.deprecation_time != wanted {
        image.deprecation_time = wanted;
        tx.put(&image)?;
    }
    Ok(image)
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
