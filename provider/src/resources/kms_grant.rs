//! `amisim_kms_grant`: share a customer managed KMS key with another account.

use amisim_simulator::validate;
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
use amisim_simulator::{CreateGrant, DescribeGrant, RevokeGrant};

/// The state of an `amisim_kms_grant`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub key_id: Str,
    pub grantee_account_id: Str,
    pub grant_id: Str,
    pub key_arn: Str,
}

/// The resource type `amisim_kms_grant`: its schema and what it does with the cloud.
pub struct KmsGrantType;

/// The `amisim_kms_grant` resource.
pub type KmsGrantResource = Typed<KmsGrantType>;

pub(crate) fn schema() -> Schema {
    common::resource_schema(
        "Lets another account use a customer managed KMS key of the provider's account, like `aws_kms_grant`: the other account can then launch and copy images encrypted with the key that are shared with it. The AWS managed key `alias/aws/ebs` can never be shared. Every argument forces replacement.",
        vec![
            ("key_id", replaces(required_string("The ID or ARN of an `amisim_kms_key` of the provider's account and region."))),
            ("grantee_account_id", replaces(required_string("The 12-digit account allowed to use the key."))),
            ("id", computed_string("`KEY_ID/GRANTEE_ACCOUNT_ID`; also the import ID.")),
            ("grant_id", computed_string("The grant's ID (64 hex digits).")),
            ("key_arn", computed_string("The ARN of the granted key.")),
        ],
    )
}

fn ids(s: &State) -> Option<(String, String)> {
    Some((
        known(&s.key_id)?.to_string(),
        known(&s.grantee_account_id)?.to_string(),
    ))
}

fn fill(state: &mut State, key_id: &str, grantee: &str, grant: &amisim_simulator::Grant) {
    state.id = str(&format!("{key_id}/{grantee}"));
    state.key_id = str(key_id);
    state.grantee_account_id = str(grantee);
    state.grant_id = str(&grant.id);
    state.key_arn = str(&grant.key_arn);
}

impl Managed for KmsGrantType {
    type State = State;

    fn schema() -> Schema {
        schema()
    }

    fn validate(diags: &mut Diagnostics, c: &State) {
        if let Some(a) = known(&c.grantee_account_id) {
            diags::check(diags, "grantee_account_id", validate::account_id(a));
        }
        if known(&c.key_id).is_some_and(|k| {
            k == amisim_simulator::kms::EBS_MANAGED_ALIAS || k.ends_with(":alias/aws/ebs")
        }) {
            diags::error(
                diags,
                "Invalid key_id: UnsupportedOperation",
                "UnsupportedOperation: the AWS managed key alias/aws/ebs can never be shared with another account\n\nCreate an amisim_kms_key, encrypt (or copy) the image with it, and grant that key instead",
                Some("key_id"),
            );
        }
    }

    fn read(diags: &mut Diagnostics, cfg: &Configured, mut state: State) -> Option<Option<State>> {
        let (key, grantee) = ids(&state)?;
        let result =
            cfg.with(|cloud, caller| cloud.call(caller, &DescribeGrant::new(&key, &grantee)));
        let id = format!("{key}/{grantee}");
        Some(found(diags, "KMS grant", &id, result)?.map(|g| {
            fill(&mut state, &key, &grantee, &g);
            state
        }))
    }

    fn plan_create(
        _diags: &mut Diagnostics,
        _cfg: &Configured,
        mut planned: State,
        _config: &State,
    ) -> Option<State> {
        planned.id = match ids(&planned) {
            Some((k, g)) => str(&format!("{k}/{g}")),
            None => Value::Unknown,
        };
        planned.grant_id = Value::Unknown;
        planned.key_arn = Value::Unknown;
        Some(planned)
    }

    fn create(diags: &mut Diagnostics, cfg: &Configured, mut planned: State) -> Option<State> {
        let (key, grantee) = ids(&planned)?;
        let g = cfg.call(
            diags,
            "Unable to grant KMS key",
            Some("key_id"),
            |cloud, caller| cloud.call(caller, &CreateGrant::new(&key, &grantee)),
        )?;
        fill(&mut planned, &key, &grantee, &g);
        Some(planned)
    }

    fn destroy(diags: &mut Diagnostics, cfg: &Configured, prior: State) -> Option<()> {
        let (key, grantee) = ids(&prior)?;
        cfg.call(
            diags,
            "Unable to revoke KMS grant",
            None,
            |cloud, caller| cloud.call(caller, &RevokeGrant::new(&key, &grantee)),
        )
        .map(|_| ())
    }

    fn import(diags: &mut Diagnostics, cfg: &Configured, id: &str) -> Option<State> {
        let (key, grantee) = import_parts(
            diags,
            id,
            true,
            "KEY_ID/GRANTEE_ACCOUNT_ID",
            "1234abcd-12ab-34cd-56ef-1234567890ab/222222222222",
        )?;
        let result =
            cfg.with(|cloud, caller| cloud.call(caller, &DescribeGrant::new(key, grantee)));
        let g = imported(diags, "KMS grant", result, "NotFoundException", || {
            format!("key {key} has no grant for account {grantee}")
        })?;
        let mut state = State::default();
        fill(&mut state, key, grantee, &g);
        Some(state)
    }
}
