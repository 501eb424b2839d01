//! `amisim_image_block_public_access`: whether the account may make AMIs public in a region.

use amisim_simulator::ImageSettings;
use serde::{Deserialize, Serialize};
use tf_provider::schema::Schema;
use tf_provider::Diagnostics;

use crate::attrs::*;
use crate::provider::Configured;
use crate::resources::support::managed::{region_import_id, Managed, Typed};
use crate::resources::support::{common, settings};
use crate::values::*;
use amisim_simulator::SetBlockPublicAccess;

/// The state of an `amisim_image_block_public_access`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub state: Str,
    pub account_id: Str,
    pub region: Str,
}

/// The resource type `amisim_image_block_public_access`: its schema and what it does with the cloud.
pub struct ImageBlockPublicAccessType;

/// The `amisim_image_block_public_access` resource.
pub type ImageBlockPublicAccessResource = Typed<ImageBlockPublicAccessType>;

fn fill(state: &mut State, s: &ImageSettings) {
    state.id = str(&s.region);
    state.state = str(&s.block_public_access);
    state.account_id = str(&s.account_id);
    state.region = str(&s.region);
}

fn set(diags: &mut Diagnostics, cfg: &Configured, mut planned: State) -> Option<State> {
    let wanted = known(&planned.state)?.to_string();
    let s = cfg.call(
        diags,
        "Unable to set image block public access",
        Some("state"),
        |cloud, caller| cloud.call(caller, &SetBlockPublicAccess::new(&wanted)),
    )?;
    fill(&mut planned, &s);
    Some(planned)
}

impl Managed for ImageBlockPublicAccessType {
    type State = State;

    fn schema() -> Schema {
        common::resource_schema(
            "Image block public access of the provider's account in its region, like `aws_ec2_image_block_public_access`. There is one setting per account and region, and a new account starts with `block-new-sharing`, as in AWS today: a launch permission with `group = \"all\"` is then refused with `OperationNotPermitted`. Turning blocking on again leaves images that are already public public. Destroying the resource leaves the setting as it is.",
            vec![
                ("state", required_string("`block-new-sharing` (no image can be made public) or `unblocked`. Changes in place.")),
                ("id", computed_string("The region; also the import ID.")),
                ("account_id", computed_string("The account the setting belongs to: the provider's account.")),
                ("region", computed_string("The region the setting applies in: the provider's region.")),
            ],
        )
    }

    fn validate(diags: &mut Diagnostics, c: &State) {
        settings::check_state(
            diags,
            &c.state,
            amisim_simulator::settings::BLOCK_PUBLIC_ACCESS_STATES,
        );
    }

    fn plan_create(
        _diags: &mut Diagnostics,
        cfg: &Configured,
        mut planned: State,
        _config: &State,
    ) -> Option<State> {
        (planned.id, planned.account_id, planned.region) = settings::scope(cfg);
        Some(planned)
    }

    fn read(diags: &mut Diagnostics, cfg: &Configured, mut state: State) -> Option<Option<State>> {
        let s = settings::read(diags, cfg, "image block public access")?;
        fill(&mut state, &s);
        Some(Some(state))
    }

    fn create(diags: &mut Diagnostics, cfg: &Configured, planned: State) -> Option<State> {
        set(diags, cfg, planned)
    }

    fn update(
        diags: &mut Diagnostics,
        cfg: &Configured,
        _prior: &State,
        planned: State,
    ) -> Option<State> {
        set(diags, cfg, planned)
    }

    fn destroy(_diags: &mut Diagnostics, _cfg: &Configured, _prior: State) -> Option<()> {
        // Like terraform-provider-aws: forgetting the resource changes no setting.
        Some(())
    }

    fn import_state(diags: &mut Diagnostics, cfg: &Configured, id: &str) -> Option<State> {
        region_import_id(diags, cfg, id, "image block public access")?;
        Some(State::default())
    }
}
