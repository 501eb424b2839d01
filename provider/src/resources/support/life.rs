//! The life-cycle attributes `amisim_image` and `amisim_image_copy` share:
//! deregistration protection, enabled, deprecation, last launch and `tags_all`.

use amisim_simulator::{dates, lifecycle, validate, Image, Tags};
use tf_provider::schema::Attribute;
use tf_provider::value::Value;
use tf_provider::Diagnostics;

use crate::attrs::*;
use crate::diags;
use crate::provider::Configured;
use crate::values::*;
use amisim_simulator::{
    DisableImage, EnableImage, SetDeregistrationProtection, SetImageDeprecation,
};

/// The life-cycle attributes of an image resource's state.
pub struct Life<'a> {
    pub state: &'a mut Str,
    pub deregistration_protection: &'a mut Str,
    pub deregistration_protected_until: &'a mut Str,
    pub enabled: &'a mut Bool,
    pub deprecation_time: &'a mut Str,
    pub last_launched_time: &'a mut Str,
    pub tags: &'a mut StrMap,
    pub tags_all: &'a mut StrMap,
}

/// A state with the life-cycle attributes.
pub trait HasLife {
    /// Its life-cycle attributes.
    fn life(&mut self) -> Life<'_>;
}

/// Implements [`HasLife`] for a state struct with the attributes' names.
macro_rules! has_life {
    ($state:ty) => {
        impl $crate::resources::support::life::HasLife for $state {
            fn life(&mut self) -> $crate::resources::support::life::Life<'_> {
                $crate::resources::support::life::Life {
                    state: &mut self.state,
                    deregistration_protection: &mut self.deregistration_protection,
                    deregistration_protected_until: &mut self.deregistration_protected_until,
                    enabled: &mut self.enabled,
                    deprecation_time: &mut self.deprecation_time,
                    last_launched_time: &mut self.last_launched_time,
                    tags: &mut self.tags,
                    tags_all: &mut self.tags_all,
                }
            }
        }
    };
}
pub(crate) use has_life;

/// The schema of the life-cycle attributes.
pub fn attributes() -> Vec<(&'static str, Attribute)> {
    vec![
        ("deregistration_protection", optional_computed_string("Deregistration protection: `disabled` (default), `enabled`, or `enabled-with-cooldown`. While protected, destroying the image (or `amisim deregister`) is refused with `OperationNotPermitted`; protection enabled with cooldown stays in force for 24 simulated hours after it is set back to `disabled` (see `deregistration_protected_until`). Only the owner can change it. Changes in place.")),
        ("deregistration_protected_until", computed_string("When protection lifted from `enabled-with-cooldown` ends; null when no cooldown runs. Until then the image cannot be deregistered.")),
        ("enabled", optional_computed_bool("Whether the image is enabled (default `true`). Disabling it (`false`) removes every launch permission (enabling it again restores none), refuses new launches and copies with `InvalidAMIID.Unavailable`, leaves running instances alone, keeps its snapshots in use, and hides it from the data sources unless `include_disabled = true`; `state` then reads `disabled`. Changes in place.")),
        ("deprecation_time", optional_string("When the image is deprecated, in RFC 3339 (`2026-06-30T00:00:00Z`), rounded down to the minute by the cloud; not before the simulated clock's time, at most 10 years ahead. A deprecated image still launches by ID, but the data sources skip it for other accounts and for `most_recent` unless `include_deprecated = true`. Changes in place.")),
        ("last_launched_time", computed_string("The simulated time of the latest launch from the image, or null if it was never launched.")),
        ("tags_all", computed_string_map("Every tag the image carries: `tags`, and on a copy with `copy_image_tags` the tags taken from its source (`tags` wins on a shared key).")),
    ]
}

/// Checks what the configuration alone can tell.
pub fn validate(diags: &mut Diagnostics, protection: &Str, deprecation: &Str) {
    if let Some(p) = known(protection) {
        diags::check(
            diags,
            "deregistration_protection",
            validate::one_of("deregistration protection", p, lifecycle::PROTECTION_MODES),
        );
    }
    if let Some(d) = known(deprecation) {
        if lifecycle::minute_of(d).is_none() {
            diags::check(
                diags,
                "deprecation_time",
                lifecycle::deprecation_time(d, 0).map(|_| ()),
            );
        }
    }
}

/// Checks a deprecation time against the simulated clock, at plan time.
fn check_deprecation(diags: &mut Diagnostics, cfg: &Configured, deprecation: &Str) {
    let Some(d) = known(deprecation) else {
        return;
    };
    let now = cfg
        .with(|cloud, caller| cloud.call(caller, &amisim_simulator::GetClock {}))
        .ok()
        .and_then(|t| dates::parse_time(&t))
        .unwrap_or(dates::EPOCH_SECONDS);
    diags::check(
        diags,
        "deprecation_time",
        lifecycle::deprecation_time(d, now).map(|_| ()),
    );
}

fn planned_state(life: &mut Life<'_>) {
    *life.state = match life.enabled {
        Value::Value(false) => str("disabled"),
        Value::Value(true) => str("available"),
        _ => Value::Unknown,
    };
}

/// Fills in the defaults of a new image; `tags_all` is known unless `copies_tags`.
pub fn plan_create(
    diags: &mut Diagnostics,
    cfg: &Configured,
    mut life: Life<'_>,
    copies_tags: bool,
) {
    if matches!(life.deregistration_protection, Value::Null) {
        *life.deregistration_protection = str(amisim_simulator::PROTECTION_OFF);
    }
    if matches!(life.enabled, Value::Null) {
        *life.enabled = Value::Value(true);
    }
    planned_state(&mut life);
    *life.deregistration_protected_until = Value::Null;
    *life.last_launched_time = Value::Null;
    *life.tags_all = if copies_tags || map_has_unknown(life.tags) {
        Value::Unknown
    } else {
        Value::Value(
            tags_of(life.tags)
                .into_iter()
                .map(|(k, v)| (k, Value::Value(v)))
                .collect(),
        )
    };
    check_deprecation(diags, cfg, life.deprecation_time);
}

/// Plans an in-place change: defaults for unset arguments, and what follows from the change.
pub fn plan_update(
    diags: &mut Diagnostics,
    cfg: &Configured,
    prior: Life<'_>,
    mut planned: Life<'_>,
) {
    if matches!(planned.deregistration_protection, Value::Null) {
        *planned.deregistration_protection = str(amisim_simulator::PROTECTION_OFF);
    }
    if matches!(planned.enabled, Value::Null) {
        *planned.enabled = Value::Value(true);
    }
    planned_state(&mut planned);
    if planned.deregistration_protection != prior.deregistration_protection {
        *planned.deregistration_protected_until = Value::Unknown;
    }
    if tags_of(planned.tags) != tags_of(prior.tags) || map_has_unknown(planned.tags) {
        *planned.tags_all = Value::Unknown;
    }
    if planned.deprecation_time != prior.deprecation_time {
        check_deprecation(diags, cfg, planned.deprecation_time);
    }
}

/// Writes the image's life cycle into a state, keeping the configuration's
/// spelling of the deprecation time when it names the same minute.
pub fn fill(life: Life<'_>, image: &Image) {
    *life.state = str(image.state.as_str());
    *life.deregistration_protection = str(image.deregistration_protection.as_str());
    *life.deregistration_protected_until = opt(image.protected_until.as_deref());
    *life.enabled = Value::Value(image.state != amisim_simulator::ImageState::Disabled);
    let same_minute = match (known(life.deprecation_time), &image.deprecation_time) {
        (Some(p), Some(c)) => {
            lifecycle::minute_of(p).is_some() && lifecycle::minute_of(p) == dates::parse_time(c)
        }
        _ => false,
    };
    if !same_minute {
        *life.deprecation_time = opt(image.deprecation_time.as_deref());
    }
    *life.last_launched_time = opt(image.last_launched_time.as_deref());
    *life.tags_all = Value::Value(
        image
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), Value::Value(v.clone())))
            .collect(),
    );
    *life.tags = tags_value(life.tags, &user_tags(life.tags, image));
}

/// The image's tags that the configuration manages: all but those a copy
/// took from its source, unless the configuration names them.
fn user_tags(prior: &StrMap, image: &Image) -> Tags {
    let named = tags_of(prior);
    image
        .tags
        .iter()
        .filter(|(k, v)| named.contains_key(*k) || image.copied_tags.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Makes the cloud's image match the planned life cycle, one call per
/// change, in an order that always succeeds: enable before anything else,
/// disable last. Returns the image as it then is; after a refusal (in
/// `diags`), as it was before the refused call.
/// What both image resources do once their image exists or changed: the
/// life-cycle arguments applied, then what their state reads of the image.
pub fn settle(
    diags: &mut Diagnostics,
    cfg: &Configured,
    image: Image,
    planned: Life<'_>,
) -> Option<(Image, amisim_simulator::ImageDetails)> {
    let image = apply(diags, cfg, image, planned);
    let details = super::common::image_computed(diags, cfg, &image)?;
    Some((image, details))
}

fn apply(diags: &mut Diagnostics, cfg: &Configured, image: Image, planned: Life<'_>) -> Image {
    let mut image = image;
    let id = image.id.clone();
    let enabled = !matches!(planned.enabled, Value::Value(false));
    let was_disabled = image.state == amisim_simulator::ImageState::Disabled;
    let wanted_deprecation = known(planned.deprecation_time);
    let current_deprecation = image
        .deprecation_time
        .as_deref()
        .and_then(dates::parse_time);
    let mut steps: Vec<(&str, &str, Step<'_>)> = Vec::new();
    if enabled && was_disabled {
        steps.push(("Unable to enable image", "enabled", Step::Enabled(true)));
    }
    if let Some(mode) = known(planned.deregistration_protection) {
        if mode != image.deregistration_protection.as_str() {
            steps.push((
                "Unable to change deregistration protection",
                "deregistration_protection",
                Step::Protection(mode),
            ));
        }
    }
    if wanted_deprecation.and_then(lifecycle::minute_of) != current_deprecation {
        steps.push((
            "Unable to change the deprecation time",
            "deprecation_time",
            Step::Deprecation(wanted_deprecation),
        ));
    }
    if !enabled && !was_disabled {
        steps.push(("Unable to disable image", "enabled", Step::Enabled(false)));
    }
    for (what, attribute, step) in steps {
        let result = cfg.call(diags, what, Some(attribute), |c, k| match step {
            Step::Enabled(true) => c.call(k, &EnableImage::new(&id)),
            Step::Enabled(false) => c.call(k, &DisableImage::new(&id)),
            Step::Protection(mode) => c.call(k, &SetDeregistrationProtection::new(&id, mode)),
            Step::Deprecation(time) => c.call(k, &SetImageDeprecation::new(&id, time)),
        });
        match result {
            Some(changed) => image = changed,
            None => break,
        }
    }
    image
}

/// One life-cycle change.
enum Step<'a> {
    Enabled(bool),
    Protection(&'a str),
    Deprecation(Option<&'a str>),
}
