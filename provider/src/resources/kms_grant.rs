//! `amisim_kms_grant`: share a customer managed KMS key with another account.

use std::sync::Arc;

use amisim_simulator::validate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_provider::schema::Schema;
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{AttributePath, Diagnostics, Resource};

use crate::attrs::*;
use crate::diags;
use crate::provider::Shared;
use crate::resources::common::{self, changed};
use crate::values::*;

/// The state of an `amisim_kms_grant`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub key_id: Str,
    pub grantee_account_id: Str,
    pub grant_id: Str,
    pub key_arn: Str,
}

/// The `amisim_kms_grant` resource.
pub struct KmsGrantResource {
    shared: Arc<Shared>,
}

impl KmsGrantResource {
    /// The resource over the provider's shared handle.
    pub fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

pub(crate) fn schema() -> Schema {
    common::resource_schema(
        "Lets another account use a customer managed KMS key of the provider's account, like `aws_kms_grant`: the other account can then launch and copy images encrypted with the key that are shared with it. The AWS managed key `alias/aws/ebs` can never be shared. Every argument forces replacement.",
        vec![
            ("key_id", required_string("The ID or ARN of an `amisim_kms_key` of the provider's account and region.")),
            ("grantee_account_id", required_string("The 12-digit account allowed to use the key.")),
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

#[async_trait]
impl Resource for KmsGrantResource {
    type State<'a> = State;
    type PrivateState<'a> = ValueEmpty;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(schema())
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, c: State) -> Option<()> {
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
        Some(())
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        mut state: State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty)> {
        let cfg = self.shared.get(diags)?;
        let (key, grantee) = ids(&state)?;
        match cfg.with(|cloud, caller| cloud.describe_grant(caller, &key, &grantee)) {
            Ok(Some(g)) => {
                fill(&mut state, &key, &grantee, &g);
                Some((state, private))
            }
            Ok(None) => {
                tracing::warn!(key_id = %key, grantee = %grantee, "KMS grant is gone; removing it from state");
                common::gone(private)
            }
            Err(e) => {
                diags::refusal(diags, "Unable to read KMS grant", &e);
                None
            }
        }
    }

    async fn plan_create<'a>(
        &self,
        _diags: &mut Diagnostics,
        mut planned: State,
        _config: State,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty)> {
        planned.id = match ids(&planned) {
            Some((k, g)) => str(&format!("{k}/{g}")),
            None => Value::Unknown,
        };
        planned.grant_id = Value::Unknown;
        planned.key_arn = Value::Unknown;
        Some((planned, ValueEmpty::default()))
    }

    async fn plan_update<'a>(
        &self,
        _diags: &mut Diagnostics,
        prior: State,
        planned: State,
        _config: State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty, Vec<AttributePath>)> {
        let replace = changed(&prior, &planned, &["key_id", "grantee_account_id"]);
        Some((planned, private, replace))
    }

    async fn plan_destroy<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior: State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<ValueEmpty> {
        Some(private)
    }

    async fn create<'a>(
        &self,
        diags: &mut Diagnostics,
        mut planned: State,
        _config: State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty)> {
        let cfg = self.shared.get(diags)?;
        let (key, grantee) = ids(&planned)?;
        let g = cfg.call(
            diags,
            "Unable to grant KMS key",
            Some("key_id"),
            |cloud, caller| cloud.create_grant(caller, &key, &grantee),
        )?;
        fill(&mut planned, &key, &grantee, &g);
        Some((planned, private))
    }

    async fn update<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior: State,
        planned: State,
        _config: State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty)> {
        Some((planned, private))
    }

    async fn destroy<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: State,
        _private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<()> {
        let cfg = self.shared.get(diags)?;
        let (key, grantee) = ids(&prior)?;
        cfg.call(
            diags,
            "Unable to revoke KMS grant",
            None,
            |cloud, caller| cloud.revoke_grant(caller, &key, &grantee),
        )
        .map(|_| ())
    }

    async fn import<'a>(&self, diags: &mut Diagnostics, id: String) -> Option<(State, ValueEmpty)> {
        let cfg = self.shared.get(diags)?;
        let Some((key, grantee)) = id.rsplit_once('/') else {
            diags::error(
                diags,
                "Invalid import ID",
                format!("{:?} is not KEY_ID/GRANTEE_ACCOUNT_ID\n\nUse for example 1234abcd-12ab-34cd-56ef-1234567890ab/222222222222", validate::shorten(&id)),
                None,
            );
            return None;
        };
        match cfg.with(|cloud, caller| cloud.describe_grant(caller, key, grantee)) {
            Ok(Some(g)) => {
                let mut state = State::default();
                fill(&mut state, key, grantee, &g);
                Some((state, ValueEmpty::default()))
            }
            Ok(None) => {
                diags::error(
                    diags,
                    "Cannot import KMS grant: NotFoundException",
                    format!("NotFoundException: key {key} has no grant for account {grantee}\n\nCheck the ID and the provider's account and region"),
                    None,
                );
                None
            }
            Err(e) => {
                diags::refusal(diags, "Cannot import KMS grant", &e);
                None
            }
        }
    }
}
