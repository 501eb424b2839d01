//! `amisim_organizational_unit`: an OU of the organization the provider's
//! account manages, and the member accounts placed in it.

use amisim_simulator::organizations::{
    CreateOrganizationalUnit, DeleteOrganizationalUnit, DescribeOrganizationalUnit,
    UpdateOrganizationalUnit,
};
use amisim_simulator::{validate, OrganizationalUnit};
use serde::{Deserialize, Serialize};
use tf_provider::schema::Schema;
use tf_provider::value::Value;
use tf_provider::Diagnostics;

use crate::attrs::*;
use crate::diags;
use crate::provider::Configured;
use crate::resources::support::common;
use crate::resources::support::managed::{found, imported, Managed, Typed};
use crate::values::*;

/// The state of an `amisim_organizational_unit`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub arn: Str,
    pub name: Str,
    pub member_account_ids: StrList,
    pub organization_id: Str,
}

/// The resource type `amisim_organizational_unit`.
pub struct OrganizationalUnitType;

/// The `amisim_organizational_unit` resource.
pub type OrganizationalUnitResource = Typed<OrganizationalUnitType>;

pub(crate) fn schema() -> Schema {
    common::resource_schema(
        "An organizational unit of the organization the provider's account manages (`amisim_organization`), like `aws_organizations_organizational_unit` with its accounts. A launch permission for the OU (`amisim_launch_permission`'s `organizational_unit_arn`) reaches exactly the accounts placed in it.",
        vec![
            ("name", required_string("The OU's name, 1 to 128 characters, unique in the organization. Changes in place.")),
            ("member_account_ids", optional_string_set("The accounts placed in the OU: members the organization admitted, each in one OU at most. Changes in place.")),
            ("organization_id", replaces(optional_computed_string("The organization's ID (`amisim_organization.NAME.id`), which makes Terraform create the organization first and delete it last; it must be the organization the provider's account manages. Computed when left out."))),
            ("id", computed_string("The OU ID, `ou-`, 4 characters of the organization's and 8 of its own; also the import ID.")),
            ("arn", computed_string("The OU's ARN, `arn:aws:organizations::MANAGEMENT:ou/o-…/ou-…`: what launch permissions and provider blocks name.")),
        ],
    )
}

fn fill(state: &mut State, unit: &OrganizationalUnit) {
    state.id = str(&unit.id);
    state.arn = str(&unit.arn);
    state.name = str(&unit.name);
    state.member_account_ids = set_or_null(&state.member_account_ids, &unit.member_account_ids);
    state.organization_id = str(&unit.organization_id);
}

/// The OU `id` of the organization the provider's account manages, if any.
fn managed(cfg: &Configured, id: &str) -> amisim_simulator::Result<Option<OrganizationalUnit>> {
    cfg.with(|cloud, caller| cloud.call(caller, &DescribeOrganizationalUnit { id: id.to_string() }))
        .map(|u| u.filter(|u| u.management_account_id == cfg.caller.account_id))
}

impl Managed for OrganizationalUnitType {
    type State = State;

    fn schema() -> Schema {
        schema()
    }

    fn validate(diags: &mut Diagnostics, c: &State) {
        super::organization::check_members(diags, &c.member_account_ids);
    }

    fn plan_update(
        _diags: &mut Diagnostics,
        _cfg: &Configured,
        prior: &State,
        mut planned: State,
        _config: &State,
    ) -> Option<State> {
        planned.id = prior.id.clone();
        planned.arn = prior.arn.clone();
        if matches!(planned.organization_id, Value::Null | Value::Unknown) {
            planned.organization_id = prior.organization_id.clone();
        }
        Some(planned)
    }

    fn read(diags: &mut Diagnostics, cfg: &Configured, mut state: State) -> Option<Option<State>> {
        let id = known(&state.id)?.to_string();
        Some(
            found(diags, "organizational unit", &id, managed(cfg, &id))?.map(|unit| {
                fill(&mut state, &unit);
                state
            }),
        )
    }

    fn plan_create(
        _diags: &mut Diagnostics,
        _cfg: &Configured,
        mut planned: State,
        _config: &State,
    ) -> Option<State> {
        planned.id = Value::Unknown;
        planned.arn = Value::Unknown;
        if matches!(planned.organization_id, Value::Null) {
            planned.organization_id = Value::Unknown;
        }
        Some(planned)
    }

    fn create(diags: &mut Diagnostics, cfg: &Configured, mut planned: State) -> Option<State> {
        if let Some(wanted) = known(&planned.organization_id) {
            let managed = super::organization::managed(cfg).ok().flatten();
            if managed.as_ref().map(|o| o.id.as_str()) != Some(wanted) {
                diags::error(
                    diags,
                    "Unable to create organizational unit: AWSOrganizationsNotInUseException",
                    format!(
                        "account {} does not manage the organization {}: an OU is made in its organization's management account's provider block",
                        cfg.caller.account_id,
                        validate::shorten(wanted)
                    ),
                    Some("organization_id"),
                );
                return None;
            }
        }
        let req = CreateOrganizationalUnit {
            name: known(&planned.name).unwrap_or("").to_string(),
            member_account_ids: list_of(&planned.member_account_ids),
        };
        let unit = cfg.call(
            diags,
            "Unable to create organizational unit",
            None,
            |cloud, caller| cloud.call(caller, &req),
        )?;
        fill(&mut planned, &unit);
        Some(planned)
    }

    fn update(
        diags: &mut Diagnostics,
        cfg: &Configured,
        _prior: &State,
        mut planned: State,
    ) -> Option<State> {
        let req = UpdateOrganizationalUnit {
            id: known(&planned.id)?.to_string(),
            name: known(&planned.name).unwrap_or("").to_string(),
            member_account_ids: list_of(&planned.member_account_ids),
        };
        let unit = cfg.call(
            diags,
            "Unable to update organizational unit",
            None,
            |cloud, caller| cloud.call(caller, &req),
        )?;
        fill(&mut planned, &unit);
        Some(planned)
    }

    fn destroy(diags: &mut Diagnostics, cfg: &Configured, prior: State) -> Option<()> {
        let id = known(&prior.id)?.to_string();
        cfg.call(
            diags,
            "Unable to delete organizational unit",
            None,
            |cloud, caller| cloud.call(caller, &DeleteOrganizationalUnit { id: id.clone() }),
        )
    }

    fn import(diags: &mut Diagnostics, cfg: &Configured, id: &str) -> Option<State> {
        let unit = imported(
            diags,
            "organizational unit",
            managed(cfg, id),
            "OrganizationalUnitNotFoundException",
            || {
                format!(
                    "the organization account {} manages has no organizational unit {}",
                    cfg.caller.account_id,
                    validate::shorten(id)
                )
            },
        )?;
        let mut state = State::default();
        fill(&mut state, &unit);
        Some(state)
    }
}
