//! `amisim_kms_key`: a customer managed KMS key.

use amisim_simulator::{validate, CreateKey, Key};
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
use amisim_simulator::{DescribeKey, ScheduleKeyDeletion, UpdateKey};

/// The state of an `amisim_kms_key`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub key_id: Str,
    pub arn: Str,
    pub description: Str,
    pub tags: StrMap,
    pub region: Str,
    pub owner_id: Str,
}

/// The resource type `amisim_kms_key`: its schema and what it does with the cloud.
pub struct KmsKeyType;

/// The `amisim_kms_key` resource.
pub type KmsKeyResource = Typed<KmsKeyType>;

pub(crate) fn schema() -> Schema {
    common::resource_schema(
        "A customer managed KMS key in the provider's account and region, like `aws_kms_key`. Unlike the AWS managed key `alias/aws/ebs`, it can be shared with other accounts (`amisim_kms_grant`), so images encrypted with it can be shared. Destroying it schedules its deletion: storage encrypted with it can no longer be read.",
        vec![
            ("description", optional_string("A description of the key, at most 8192 characters. Changes in place.")),
            ("tags", optional_string_map("Tags of the key. Change in place.")),
            ("id", computed_string("The key ID, a UUID; also the import ID.")),
            ("key_id", computed_string("The key ID again, as `aws_kms_key` names it (`aws_kms_grant` examples write `key_id = aws_kms_key.a.key_id`).")),
            ("arn", computed_string("The key ARN, `arn:aws:kms:REGION:ACCOUNT:key/UUID`.")),
            ("region", computed_string("The key's region: the provider's region. KMS keys are regional.")),
            ("owner_id", computed_string("The account that owns the key: the provider's account.")),
        ],
    )
}

fn fill(state: &mut State, key: &Key) {
    state.id = str(&key.id);
    state.key_id = str(&key.id);
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

impl Managed for KmsKeyType {
    type State = State;

    fn schema() -> Schema {
        schema()
    }

    fn validate(diags: &mut Diagnostics, c: &State) {
        if !map_has_unknown(&c.tags) {
            diags::check(diags, "tags", validate::tags(&tags_of(&c.tags)));
        }
    }

    fn upgrade(state: &mut State) {
        if matches!(state.key_id, Value::Null) {
            state.key_id = state.id.clone();
        }
    }

    fn plan_update(
        _diags: &mut Diagnostics,
        _cfg: &Configured,
        prior: &State,
        mut planned: State,
        _config: &State,
    ) -> Option<State> {
        planned.key_id = prior.key_id.clone();
        Some(planned)
    }

    fn read(diags: &mut Diagnostics, cfg: &Configured, mut state: State) -> Option<Option<State>> {
        let id = known(&state.id)?.to_string();
        // A key pending deletion reads as gone; so does one another account owns.
        let result = cfg.with(|cloud, caller| cloud.call(caller, &DescribeKey::new(&id)));
        let key = result.map(|k| k.filter(|k| k.owner_id == cfg.caller.account_id));
        Some(found(diags, "KMS key", &id, key)?.map(|key| {
            fill(&mut state, &key);
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
        planned.key_id = Value::Unknown;
        planned.arn = Value::Unknown;
        planned.region = str(&cfg.caller.region);
        planned.owner_id = str(&cfg.caller.account_id);
        Some(planned)
    }

    fn create(diags: &mut Diagnostics, cfg: &Configured, mut planned: State) -> Option<State> {
        let req = request(&planned);
        let key = cfg.call(diags, "Unable to create KMS key", None, |cloud, caller| {
            cloud.call(caller, &req)
        })?;
        fill(&mut planned, &key);
        Some(planned)
    }

    fn update(
        diags: &mut Diagnostics,
        cfg: &Configured,
        _prior: &State,
        mut planned: State,
    ) -> Option<State> {
        let id = known(&planned.id)?.to_string();
        let req = request(&planned);
        let key = cfg.call(diags, "Unable to update KMS key", None, |cloud, caller| {
            cloud.call(
                caller,
                &UpdateKey {
                    key_id: id.clone(),
                    key: req.clone(),
                },
            )
        })?;
        fill(&mut planned, &key);
        Some(planned)
    }

    fn destroy(diags: &mut Diagnostics, cfg: &Configured, prior: State) -> Option<()> {
        let id = known(&prior.id)?.to_string();
        cfg.call(diags, "Unable to delete KMS key", None, |cloud, caller| {
            cloud.call(caller, &ScheduleKeyDeletion::new(&id))
        })
        .map(|_| ())
    }

    fn import(diags: &mut Diagnostics, cfg: &Configured, id: &str) -> Option<State> {
        let result = cfg.with(|cloud, caller| cloud.call(caller, &DescribeKey::new(id)));
        let key =
            result.map(|k| k.filter(|k| k.owner_id == cfg.caller.account_id && !k.aws_managed));
        let key = imported(diags, "KMS key", key, "NotFoundException", || {
            format!(
                "no customer managed key {} owned by account {} in {}",
                validate::shorten(id),
                cfg.caller.account_id,
                cfg.caller.region
            )
        })?;
        let mut state = State::default();
        fill(&mut state, &key);
        Some(state)
    }
}
