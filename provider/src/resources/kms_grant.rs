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
    pub grantee_principal: Str,
    pub grantee_account_id: Str,
    pub operations: StrList,
    pub grant_id: Str,
    pub key_arn: Str,
}

/// The resource type `amisim_kms_grant`: its schema and what it does with the cloud.
pub struct KmsGrantType;

/// The `amisim_kms_grant` resource.
pub type KmsGrantResource = Typed<KmsGrantType>;

pub(crate) fn schema() -> Schema {
    common::resource_schema(
        "Lets another account use a customer managed KMS key of the provider's account, like `aws_kms_grant`: the other account can then launch and copy images encrypted with the key that are shared with it, as far as the grant's `operations` allow. The AWS managed key `alias/aws/ebs` can never be shared. Every argument forces replacement.",
        vec![
            ("key_id", replaces(required_string("The ID or ARN of an `amisim_kms_key` of the provider's account and region."))),
            ("grantee_principal", optional_computed_string("Who may use the key, as `aws_kms_grant` names it: a 12-digit account ID or the account's root, `arn:aws:iam::ACCOUNT:root` (amisim has no IAM users or roles). Exactly one of `grantee_principal` and `grantee_account_id` is set. Naming another account replaces the grant; writing the same account the other way changes nothing.")),
            ("grantee_account_id", replaces(optional_computed_string("Deprecated, removed in 1.0: the older name of `grantee_principal`, for an account ID (renaming it replaces nothing). Always holds the grantee's account ID in the state. Changing it replaces the grant."))),
            ("operations", replaces(optional_computed_string_set("The KMS operations the grant allows, as `aws_kms_grant` lists them (`Decrypt`, `ReEncryptFrom`, `CreateGrant`, `DescribeKey`, `GenerateDataKeyWithoutPlaintext`, …). Launching a shared encrypted image needs `Decrypt`; copying it needs `Decrypt`, `ReEncryptFrom`, `CreateGrant` and `DescribeKey`; encrypting new storage with this key needs `GenerateDataKeyWithoutPlaintext`. Unset, the grant allows every operation (amisim's older default; the state then holds an empty set). Changing it replaces the grant."))),
            ("id", computed_string("`KEY_ID/GRANTEE_ACCOUNT_ID`, followed by `/OPERATIONS` (sorted, comma-separated) when the grant lists operations; also the import ID.")),
            ("grant_id", computed_string("The grant's ID (64 hex digits).")),
            ("key_arn", computed_string("The ARN of the granted key.")),
        ],
    )
}

/// The grantee account and the grant's operations a configuration or state names.
fn grantee(s: &State) -> Option<String> {
    let principal = common::renamed_value(&s.grantee_principal, &s.grantee_account_id);
    validate::principal_account(known(&principal)?).map(str::to_string)
}

/// The key, the grantee account and the operations (sorted, each once).
fn ids(s: &State) -> Option<(String, String, Vec<String>)> {
    let operations = match &s.operations {
        Value::Null => Vec::new(),
        list if list_has_unknown(list) => return None,
        list => amisim_simulator::kms::normalized_operations(&list_of(list)),
    };
    Some((known(&s.key_id)?.to_string(), grantee(s)?, operations))
}

fn grant_name(key: &str, grantee: &str, operations: &[String]) -> String {
    if operations.is_empty() {
        format!("{key}/{grantee}")
    } else {
        format!("{key}/{grantee}/{}", operations.join(","))
    }
}

fn fill(state: &mut State, key_id: &str, grantee: &str, grant: &amisim_simulator::Grant) {
    state.id = str(&grant_name(key_id, grantee, &grant.operations));
    state.key_id = str(key_id);
    if !matches!(state.grantee_principal, Value::Value(_)) {
        state.grantee_principal = str(grantee);
    }
    state.grantee_account_id = str(grantee);
    if !matches!(state.operations, Value::Value(_)) || list_has_unknown(&state.operations) {
        state.operations = list_value(&grant.operations);
    }
    state.grant_id = str(&grant.id);
    state.key_arn = str(&grant.key_arn);
}

fn describe(key: &str, grantee: &str, operations: &[String]) -> DescribeGrant {
    DescribeGrant {
        operations: operations.to_vec(),
        ..DescribeGrant::new(key, grantee)
    }
}

impl Managed for KmsGrantType {
    type State = State;

    fn schema() -> Schema {
        schema()
    }

    fn validate(diags: &mut Diagnostics, c: &State) {
        common::check_renamed(
            diags,
            ("grantee_principal", &c.grantee_principal),
            ("grantee_account_id", &c.grantee_account_id),
        );
        if let Some(a) = known(&c.grantee_account_id) {
            diags::check(diags, "grantee_account_id", validate::account_id(a));
        }
        if let Some(p) = known(&c.grantee_principal) {
            if validate::principal_account(p).is_none() {
                diags::error(
                    diags,
                    "Invalid grantee_principal: InvalidArnException",
                    format!("InvalidArnException: {:?} is neither an account ID nor an account's root ARN; amisim grants keys to accounts, not to IAM users or roles\n\nUse a 12-digit account ID or arn:aws:iam::ACCOUNT:root", validate::shorten(p)),
                    Some("grantee_principal"),
                );
            }
        }
        if !list_has_unknown(&c.operations) {
            for op in list_of(&c.operations) {
                diags::check(
                    diags,
                    "operations",
                    validate::one_of(
                        "grant operation",
                        &op,
                        amisim_simulator::kms::GRANT_OPERATIONS,
                    ),
                );
            }
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

    fn upgrade(state: &mut State) {
        if matches!(state.grantee_principal, Value::Null) {
            state.grantee_principal = state.grantee_account_id.clone();
        }
    }

    fn read(diags: &mut Diagnostics, cfg: &Configured, mut state: State) -> Option<Option<State>> {
        let (key, grantee, operations) = ids(&state)?;
        let result =
            cfg.with(|cloud, caller| cloud.call(caller, &describe(&key, &grantee, &operations)));
        let id = grant_name(&key, &grantee, &operations);
        Some(found(diags, "KMS grant", &id, result)?.map(|g| {
            fill(&mut state, &key, &grantee, &g);
            state
        }))
    }

    fn plan_create(
        _diags: &mut Diagnostics,
        _cfg: &Configured,
        mut planned: State,
        config: &State,
    ) -> Option<State> {
        plan_grantee(&mut planned, config);
        if matches!(config.operations, Value::Null) {
            planned.operations = list_value(&[]);
        }
        planned.id = match ids(&planned) {
            Some((k, g, ops)) => str(&grant_name(&k, &g, &ops)),
            None => Value::Unknown,
        };
        planned.grant_id = Value::Unknown;
        planned.key_arn = Value::Unknown;
        Some(planned)
    }

    fn plan_update(
        _diags: &mut Diagnostics,
        _cfg: &Configured,
        _prior: &State,
        mut planned: State,
        config: &State,
    ) -> Option<State> {
        plan_grantee(&mut planned, config);
        Some(planned)
    }

    fn create(diags: &mut Diagnostics, cfg: &Configured, mut planned: State) -> Option<State> {
        let (key, grantee, operations) = ids(&planned)?;
        let g = cfg.call(
            diags,
            "Unable to grant KMS key",
            Some("key_id"),
            |cloud, caller| {
                cloud.call(
                    caller,
                    &CreateGrant {
                        operations: operations.clone(),
                        ..CreateGrant::new(&key, &grantee)
                    },
                )
            },
        )?;
        fill(&mut planned, &key, &grantee, &g);
        Some(planned)
    }

    fn destroy(diags: &mut Diagnostics, cfg: &Configured, prior: State) -> Option<()> {
        let (key, grantee, _) = ids(&prior)?;
        let request = RevokeGrant {
            grant_id: known(&prior.grant_id).map(str::to_string),
            ..RevokeGrant::new(&key, &grantee)
        };
        cfg.call(
            diags,
            "Unable to revoke KMS grant",
            None,
            |cloud, caller| cloud.call(caller, &request),
        )
        .map(|_| ())
    }

    fn import(diags: &mut Diagnostics, cfg: &Configured, id: &str) -> Option<State> {
        let (key, rest) = import_parts(
            diags,
            id,
            false,
            "KEY_ID/GRANTEE_ACCOUNT_ID or KEY_ID/GRANTEE_ACCOUNT_ID/OPERATIONS",
            "1234abcd-12ab-34cd-56ef-1234567890ab/222222222222/Decrypt,DescribeKey",
        )?;
        let (grantee, operations) = match rest.split_once('/') {
            Some((grantee, ops)) => (grantee, ops.split(',').map(str::to_string).collect()),
            None => (rest, Vec::new()),
        };
        let result =
            cfg.with(|cloud, caller| cloud.call(caller, &describe(key, grantee, &operations)));
        let g = imported(diags, "KMS grant", result, "NotFoundException", || {
            format!("key {key} has no grant for account {grantee} with these operations")
        })?;
        let mut state = State::default();
        fill(&mut state, key, grantee, &g);
        Some(state)
    }
}

/// Plans the grantee as the configuration names it, under both names: the
/// principal as written, the account ID it names.
fn plan_grantee(planned: &mut State, config: &State) {
    let principal = common::renamed_value(&config.grantee_principal, &config.grantee_account_id);
    if matches!(principal, Value::Null) {
        return;
    }
    planned.grantee_account_id = grantee(config).map_or(Value::Unknown, |a| str(&a));
    planned.grantee_principal = principal;
}
