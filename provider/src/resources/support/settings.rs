//! What the per-region account settings (`amisim_image_block_public_access`,
//! `amisim_allowed_images_settings`) share: one object per account and region,
//! named by the region, read with GetImageSettings, with a `state` to check.

use amisim_simulator::{validate, ImageSettings};
use tf_provider::Diagnostics;

use crate::diags;
use crate::provider::Configured;
use crate::values::*;
use amisim_simulator::GetImageSettings;

/// The `id`, `account_id` and `region` of the setting of the provider's account and region.
pub fn scope(cfg: &Configured) -> (Str, Str, Str) {
    (
        str(&cfg.caller.region),
        str(&cfg.caller.account_id),
        str(&cfg.caller.region),
    )
}

/// The settings of the provider's account and region; a refusal is reported as "Unable to read `what`".
pub fn read(diags: &mut Diagnostics, cfg: &Configured, what: &str) -> Option<ImageSettings> {
    cfg.call(
        diags,
        &format!("Unable to read {what}"),
        None,
        |cloud, caller| cloud.call(caller, &GetImageSettings {}),
    )
}

/// Checks a configured `state` against the values the setting takes.
pub fn check_state(diags: &mut Diagnostics, state: &Str, allowed: &[&str]) {
    if let Some(s) = known(state) {
        diags::check(diags, "state", validate::one_of("state", s, allowed));
    }
}
