//! `amisim_organization`: an AWS Organization, made in its management
//! account's provider block, and the accounts it admits.

use amisim_simulator::organizations::{
    CreateOrganization, DeleteOrganization, DescribeOrganization, UpdateOrganization,
};
use amisim_simulator::{validate, Organization};
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

/// The state of an `amisim_organization`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub arn: Str,
    pub master_account_id: Str,
    pub member_account_ids: StrList,
}

/// The resource type `amisim_organization`.
pub struct OrganizationType;

/// The `amisim_organization` resource.
pub type OrganizationResource = Typed<OrganizationType>;

pub(crate) fn schema() -> Schema {
    common::resource_schema(
        "An AWS Organization, like `aws_organizations_organization` with its accounts: made in its management account's provider block (that account is its `master_account_id`), which alone admits member accounts. A launch permission for the organization (`amisim_launch_permission`'s `organization_arn`) reaches exactly the management account and the members it admitted; a member's provider block may assert its membership with `organization_arn`, and is refused if it was not admitted. An account belongs to one organization at most.",
        vec![
            ("member_account_ids", optional_string_set("The accounts the organization admits (12-digit IDs), besides the management account; each in no other organization. Changes in place: an account left out leaves the organization and its OU.")),
            ("id", computed_string("The organization ID, `o-` and 17 hex digits, fixed by the management account; also the import ID.")),
            ("arn", computed_string("The organization's ARN, `arn:aws:organizations::MANAGEMENT:organization/o-…`: what launch permissions and provider blocks name.")),
            ("master_account_id", computed_string("The management account: the provider's account.")),
        ],
    )
}

fn fill(state: &mut State, org: &Organization) {
    state.id = str(&org.id);
    state.arn = str(&org.arn);
    state.master_account_id = str(&org.management_account_id);
    state.member_account_ids = set_or_null(&state.member_account_ids, &org.member_account_ids);
}

/// The organization the provider's account manages, if any.
pub(crate) fn managed(cfg: &Configured) -> amisim_simulator::Result<Option<Organization>> {
    cfg.with(|cloud, caller| cloud.call(caller, &DescribeOrganization {}))
        .map(|o| o.filter(|o| o.management_account_id == cfg.caller.account_id))
}

/// Checks `member_account_ids`, of an organization or an OU: 12-digit IDs.
pub(crate) fn check_members(diags: &mut Diagnostics, members: &StrList) {
    if !list_has_unknown(members) {
        for m in list_of(members) {
            diags::check(diags, "member_account_ids", validate::account_id(&m));
        }
    }
}

impl Managed for OrganizationType {
    type State = State;

    fn schema() -> Schema {
        schema()
    }

    fn validate(diags: &mut Diagnostics, c: &State) {
        check_members(diags, &c.member_account_ids);
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
        planned.master_account_id = prior.master_account_id.clone();
        Some(planned)
    }

    fn read(diags: &mut Diagnostics, cfg: &Configured, mut state: State) -> Option<Option<State>> {
        let id = known(&state.id)?.to_string();
        let org = managed(cfg).map(|o| o.filter(|o| o.id == id));
        Some(found(diags, "organization", &id, org)?.map(|org| {
            fill(&mut state, &org);
            state
        }))
    }

    fn plan_create(
        _diags: &mut Diagnostics,
        cfg: &Configured,
        mut planned: State,
        _config: &State,
    ) -> Option<State> {
        planned.id = Value::Unknown;
        planned.arn = Value::Unknown;
        planned.master_account_id = str(&cfg.caller.account_id);
        Some(planned)
    }

    fn create(diags: &mut Diagnostics, cfg: &Configured, mut planned: State) -> Option<State> {
        let req = CreateOrganization {
            member_account_ids: list_of(&planned.member_account_ids),
        };
        let org = cfg.call(
            diags,
            "Unable to create organization",
            Some("member_account_ids"),
            |cloud, caller| cloud.call(caller, &req),
        )?;
        fill(&mut planned, &org);
        Some(planned)
    }

    fn update(
        diags: &mut Diagnostics,
        cfg: &Configured,
        _prior: &State,
        mut planned: State,
    ) -> Option<State> {
        let req = UpdateOrganization {
            member_account_ids: list_of(&planned.member_account_ids),
        };
        let org = cfg.call(
            diags,
            "Unable to update organization",
            Some("member_account_ids"),
            |cloud, caller| cloud.call(caller, &req),
        )?;
        fill(&mut planned, &org);
        Some(planned)
    }

    fn destroy(diags: &mut Diagnostics, cfg: &Configured, _prior: State) -> Option<()> {
        cfg.call(
            diags,
            "Unable to delete organization",
            None,
            |cloud, caller| cloud.call(caller, &DeleteOrganization {}),
        )
    }

    fn import(diags: &mut Diagnostics, cfg: &Configured, id: &str) -> Option<State> {
        let org = managed(cfg).map(|o| o.filter(|o| o.id == id));
        let org = imported(
            diags,
            "organization",
            org,
            "AWSOrganizationsNotInUseException",
            || {
                format!(
                    "account {} manages no organization {}: import an organization in its management account's provider block",
                    cfg.caller.account_id,
                    validate::shorten(id)
                )
            },
        )?;
        let mut state = State::default();
        fill(&mut state, &org);
        Some(state)
    }
}
