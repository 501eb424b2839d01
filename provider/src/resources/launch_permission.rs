//! `amisim_launch_permission`: share an AMI with an account, an organization, an OU, or everyone.

use amisim_simulator::{validate, Principal};
use serde::{Deserialize, Serialize};
use tf_provider::schema::Schema;
use tf_provider::value::Value;
use tf_provider::Diagnostics;

use crate::attrs::*;
use crate::diags;
use crate::provider::Configured;
use crate::resources::support::common;
use crate::resources::support::managed::{found, import_parts, imported, Managed, Typed};
use crate::values::*;
use amisim_simulator::{AddLaunchPermission, DescribeLaunchPermission, RemoveLaunchPermission};

/// The state of an `amisim_launch_permission`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub image_id: Str,
    pub account_id: Str,
    pub group: Str,
    pub organization_arn: Str,
    pub organizational_unit_arn: Str,
}

const TARGETS: &[&str] = &[
    "account_id",
    "group",
    "organization_arn",
    "organizational_unit_arn",
];

/// The resource type `amisim_launch_permission`: its schema and what it does with the cloud.
pub struct LaunchPermissionType;

/// The `amisim_launch_permission` resource.
pub type LaunchPermissionResource = Typed<LaunchPermissionType>;

pub(crate) fn schema() -> Schema {
    common::resource_schema(
        "Lets another account, an AWS Organization, an organizational unit, or everyone launch an AMI, like `aws_ami_launch_permission`. Only the image's owner can share it, and sharing never changes ownership: it gives launch rights only. Images with encrypted storage or billing products cannot be made public; images encrypted with the AWS managed key cannot be shared at all; an account can have at most 5 public images per region. Set exactly one of `account_id`, `group`, `organization_arn` and `organizational_unit_arn`. Every argument forces replacement.",
        vec![
            ("image_id", replaces(required_string("The image to share, in the provider's region and owned by the provider's account."))),
            ("account_id", replaces(optional_string("The 12-digit account to share with."))),
            ("group", replaces(optional_string("`all` makes the image public."))),
            ("organization_arn", replaces(optional_string("Share with every account declared in this organization, for example `arn:aws:organizations::999999999999:organization/o-abc123`."))),
            ("organizational_unit_arn", replaces(optional_string("Share with every account declared in this organizational unit, for example `arn:aws:organizations::999999999999:ou/o-abc123/ou-ab12-cdef3456`."))),
            ("id", computed_string("`PRINCIPAL/IMAGE_ID`, where PRINCIPAL is the account ID, `all`, or the organization or OU ARN; also the import ID.")),
        ],
    )
}

fn principal_of(s: &State) -> Option<Principal> {
    if let Some(a) = known(&s.account_id) {
        Some(Principal::Account(a.to_string()))
    } else if let Some(g) = known(&s.group) {
        Some(Principal::Group(g.to_string()))
    } else if let Some(o) = known(&s.organization_arn) {
        Some(Principal::Organization(o.to_string()))
    } else {
        known(&s.organizational_unit_arn).map(|u| Principal::OrganizationalUnit(u.to_string()))
    }
}

fn state_of(image_id: &str, principal: &Principal) -> State {
    let mut s = State {
        id: str(&format!("{}/{image_id}", principal.as_str())),
        image_id: str(image_id),
        ..State::default()
    };
    match principal {
        Principal::Account(a) => s.account_id = str(a),
        Principal::Group(g) => s.group = str(g),
        Principal::Organization(o) => s.organization_arn = str(o),
        Principal::OrganizationalUnit(u) => s.organizational_unit_arn = str(u),
    }
    s
}

impl Managed for LaunchPermissionType {
    type State = State;

    fn schema() -> Schema {
        schema()
    }

    fn validate(diags: &mut Diagnostics, c: &State) {
        let set = [
            &c.account_id,
            &c.group,
            &c.organization_arn,
            &c.organizational_unit_arn,
        ]
        .iter()
        .filter(|v| !matches!(v, Value::Null))
        .count();
        if set != 1 {
            diags::error(
                diags,
                "Invalid launch permission: InvalidParameterCombination",
                format!("InvalidParameterCombination: a launch permission has exactly one target, but {set} of account_id, group, organization_arn and organizational_unit_arn are set\n\nKeep exactly one; use one amisim_launch_permission per target"),
                None,
            );
        }
        if let Some(v) = known(&c.image_id) {
            diags::check(diags, "image_id", validate::image_id_shape(v));
        }
        if let Some(p) = principal_of(c) {
            let attr = TARGETS.iter().find(|t| match **t {
                "account_id" => !matches!(c.account_id, Value::Null),
                "group" => !matches!(c.group, Value::Null),
                "organization_arn" => !matches!(c.organization_arn, Value::Null),
                _ => true,
            });
            diags::check(
                diags,
                attr.copied().unwrap_or("account_id"),
                amisim_simulator::permissions::check_principal(&p),
            );
        }
    }

    fn read(diags: &mut Diagnostics, cfg: &Configured, state: State) -> Option<Option<State>> {
        let image_id = known(&state.image_id)?.to_string();
        let principal = principal_of(&state)?;
        let result = cfg.with(|cloud, caller| {
            cloud.call(
                caller,
                &DescribeLaunchPermission::new(&image_id, &principal),
            )
        });
        let id = format!("{}/{image_id}", principal.as_str());
        Some(found(diags, "launch permission", &id, result)?.map(|_| state))
    }

    fn plan_create(
        _diags: &mut Diagnostics,
        _cfg: &Configured,
        mut planned: State,
        _config: &State,
    ) -> Option<State> {
        planned.id = match (known(&planned.image_id), principal_of(&planned)) {
            (Some(image), Some(p)) => str(&format!("{}/{image}", p.as_str())),
            _ => Value::Unknown,
        };
        Some(planned)
    }

    fn create(diags: &mut Diagnostics, cfg: &Configured, planned: State) -> Option<State> {
        let image_id = known(&planned.image_id)?.to_string();
        let principal = principal_of(&planned)?;
        match cfg.with(|cloud, caller| {
            cloud.call(caller, &AddLaunchPermission::new(&image_id, &principal))
        }) {
            Ok(_) => Some(state_of(&image_id, &principal)),
            Err(e) => {
                let attr = match e.kind {
                    amisim_simulator::ErrorKind::AmiNotFound
                    | amisim_simulator::ErrorKind::AuthFailure => Some("image_id"),
                    _ => None,
                };
                diags::refusal_at(diags, "Unable to share image", &e, attr);
                None
            }
        }
    }

    fn destroy(diags: &mut Diagnostics, cfg: &Configured, prior: State) -> Option<()> {
        let image_id = known(&prior.image_id)?.to_string();
        let principal = principal_of(&prior)?;
        match cfg.with(|cloud, caller| {
            cloud.call(caller, &RemoveLaunchPermission::new(&image_id, &principal))
        }) {
            Ok(_) => Some(()),
            Err(e) => {
                diags::refusal(diags, "Unable to remove launch permission", &e);
                None
            }
        }
    }

    fn import(diags: &mut Diagnostics, cfg: &Configured, id: &str) -> Option<State> {
        let (principal, image_id) = import_parts(
            diags,
            id,
            true,
            "PRINCIPAL/IMAGE_ID",
            "222222222222/ami-0123456789abcdef0, all/ami-…, or an organization or OU ARN followed by /ami-…",
        )?;
        let principal = Principal::parse(principal);
        let result = cfg.with(|cloud, caller| {
            cloud.call(caller, &DescribeLaunchPermission::new(image_id, &principal))
        });
        imported(
            diags,
            "launch permission",
            result,
            "InvalidPermission.NotFound",
            || {
                format!(
                "image {image_id} in {} has no launch permission for {}; the provider must be the image owner's",
                cfg.caller.region,
                principal.as_str()
            )
            },
        )?;
        Some(state_of(image_id, &principal))
    }
}
