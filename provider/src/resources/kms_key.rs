//! `amisim_kms_key`: a customer managed KMS key.

use std::sync::Arc;

use amisim_simulator::{validate, CreateKey, Key};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_provider::schema::Schema;
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{AttributePath, Diagnostics, Resource};

use crate::attrs::*;
use crate::diags;
use crate::provider::Shared;
use crate::resources::common;
use crate::values::*;

/// The state of an `amisim_kms_key`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub arn: Str,
    pub description: Str,
    pub tags: StrMap,
    pub region: Str,
    pub owner_id: Str,
}

/// The `amisim_kms_key` resource.
pub struct KmsKeyResource {
    shared: Arc<Shared>,
}

impl KmsKeyResource {
    /// The resource over the provider's shared handle.
    pub fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

pub(crate) fn schema() -> Schema {
    common::resource_schema(
        "A customer managed KMS key in the provider's account and region, like `aws_kms_key`. Unlike the AWS managed key `alias/aws/ebs`, it can be shared with other accounts (`amisim_kms_grant`), so images encrypted with it can be shared. Destroying it schedules its deletion: storage encrypted with it can no longer be read.",
        vec![
            ("description", optional_string("A description of the key, at most 8192 characters. Changes in place.")),
            ("tags", optional_string_map("Tags of the key. Change in place.")),
            ("id", computed_string("The key ID, a UUID; also the import ID.")),
            ("arn", computed_string("The key ARN, `arn:aws:kms:REGION:ACCOUNT:key/UUID`.")),
            ("region", computed_string("The key's region: the provider's region. KMS keys are regional.")),
            ("owner_id", computed_string("The account that owns the key: the provider's account.")),
        ],
    )
}

fn fill(state: &mut State, key: &Key) {
    state.id = str(&key.id);
    state.arn = str(&key.arn);
    state.description = common::description_value(&state.description, &key.description);
    state.tags = tags_value(&state.tags, &key.tags);
    state.region = str(&key.region);
    state.owner_id = str(&key.owner_id);
}

fn request(s: &State) -> CreateKey {
    CreateKey {
        description: known(&s.description).unwrap_or("").to_string(),
        tags: tags_of(&s.tags),
    }
}

#[async_trait]
impl Resource for KmsKeyResource {
    type State<'a> = State;
    type PrivateState<'a> = ValueEmpty;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(schema())
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, c: State) -> Option<()> {
        if !map_has_unknown(&c.tags) {
            diags::check(diags, "tags", validate::tags(&tags_of(&c.tags)));
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
        let id = known(&state.id)?.to_string();
        match cfg.with(|cloud, caller| cloud.describe_key(caller, &id)) {
            Ok(Some(key)) if key.owner_id == cfg.caller.account_id => {
                fill(&mut state, &key);
                Some((state, private))
            }
            Ok(_) => {
                tracing::warn!(key_id = %id, "KMS key is gone or pending deletion; removing it from state");
                common::gone(private)
            }
            Err(e) => {
                diags::refusal(diags, "Unable to read KMS key", &e);
                None
            }
        }
    }

    async fn plan_create<'a>(
        &self,
        diags: &mut Diagnostics,
        mut planned: State,
        _config: State,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty)> {
        let cfg = self.shared.get(diags)?;
        planned.id = Value::Unknown;
        planned.arn = Value::Unknown;
        planned.region = str(&cfg.caller.region);
        planned.owner_id = str(&cfg.caller.account_id);
        Some((planned, ValueEmpty::default()))
    }

    async fn plan_update<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior: State,
        planned: State,
        _config: State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty, Vec<AttributePath>)> {
        Some((planned, private, Vec::new()))
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
        let req = request(&planned);
        let key = cfg.call(diags, "Unable to create KMS key", None, |cloud, caller| {
            cloud.create_key(caller, &req)
        })?;
        fill(&mut planned, &key);
        Some((planned, private))
    }

    async fn update<'a>(
        &self,
        diags: &mut Diagnostics,
        _prior: State,
        mut planned: State,
        _config: State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty)> {
        let cfg = self.shared.get(diags)?;
        let id = known(&planned.id)?.to_string();
        let req = request(&planned);
        let key = cfg.call(diags, "Unable to update KMS key", None, |cloud, caller| {
            cloud.update_key(caller, &id, &req)
        })?;
        fill(&mut planned, &key);
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
        let id = known(&prior.id)?.to_string();
        cfg.call(diags, "Unable to delete KMS key", None, |cloud, caller| {
            cloud.schedule_key_deletion(caller, &id)
        })
        .map(|_| ())
    }

    async fn import<'a>(&self, diags: &mut Diagnostics, id: String) -> Option<(State, ValueEmpty)> {
        let cfg = self.shared.get(diags)?;
        match cfg.with(|cloud, caller| cloud.describe_key(caller, &id)) {
            Ok(Some(key)) if key.owner_id == cfg.caller.account_id && !key.aws_managed => {
                let mut state = State::default();
                fill(&mut state, &key);
                Some((state, ValueEmpty::default()))
            }
            Ok(_) => {
                diags::error(
                    diags,
                    "Cannot import KMS key: NotFoundException",
                    format!("NotFoundException: no customer managed key {} owned by account {} in {}\n\nCheck the key ID and the provider's account and region", validate::shorten(&id), cfg.caller.account_id, cfg.caller.region),
                    None,
                );
                None
            }
            Err(e) => {
                diags::refusal(diags, "Cannot import KMS key", &e);
                None
            }
        }
    }
}
