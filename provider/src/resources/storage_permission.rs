//! `amisim_storage_permission`: let another account read an image's backing storage.

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

/// The state of an `amisim_storage_permission`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub storage_id: Str,
    pub account_id: Str,
}

/// The `amisim_storage_permission` resource.
pub struct StoragePermissionResource {
    shared: Arc<Shared>,
}

impl StoragePermissionResource {
    /// The resource over the provider's shared handle.
    pub fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

pub(crate) fn schema() -> Schema {
    common::resource_schema(
        "Lets another account read the storage behind an image: the create-volume permission of an EBS snapshot (like `aws_snapshot_create_volume_permission`) or the S3 bucket grant of an instance-store bundle. Another account needs it to copy the image. Only the storage's owner can grant it, and storage encrypted with the AWS managed key cannot be shared. Every argument forces replacement.",
        vec![
            ("storage_id", required_string("A snapshot ID (`snap-…`) or bundle ID (`bundle-…`) from an image's `storage_ids`, in the provider's region and owned by the provider's account.")),
            ("account_id", required_string("The 12-digit account allowed to read the storage.")),
            ("id", computed_string("`STORAGE_ID/ACCOUNT_ID`; also the import ID.")),
        ],
    )
}

fn ids(s: &State) -> Option<(String, String)> {
    Some((
        known(&s.storage_id)?.to_string(),
        known(&s.account_id)?.to_string(),
    ))
}

fn state_of(storage_id: &str, account_id: &str) -> State {
    State {
        id: str(&format!("{storage_id}/{account_id}")),
        storage_id: str(storage_id),
        account_id: str(account_id),
    }
}

#[async_trait]
impl Resource for StoragePermissionResource {
    type State<'a> = State;
    type PrivateState<'a> = ValueEmpty;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(schema())
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, c: State) -> Option<()> {
        if let Some(a) = known(&c.account_id) {
            diags::check(diags, "account_id", validate::account_id(a));
        }
        if let Some(s) = known(&c.storage_id) {
            if !validate::resource_id(s, "snap") && !validate::resource_id(s, "bundle") {
                diags::error(
                    diags,
                    "Invalid storage_id: InvalidParameterValue",
                    format!("InvalidParameterValue: {:?} is not a snapshot or bundle ID\n\nUse an ID from an image's storage_ids, such as snap-0123456789abcdef0", validate::shorten(s)),
                    Some("storage_id"),
                );
            }
        }
        Some(())
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        state: State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty)> {
        let cfg = self.shared.get(diags)?;
        let (storage, account) = ids(&state)?;
        match cfg
            .with(|cloud, caller| cloud.describe_storage_permission(caller, &storage, &account))
        {
            Ok(Some(_)) => Some((state, private)),
            Ok(None) => {
                tracing::warn!(storage_id = %storage, account_id = %account, "storage permission is gone; removing it from state");
                common::gone(private)
            }
            Err(e) => {
                diags::refusal(diags, "Unable to read storage permission", &e);
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
            Some((s, a)) => str(&format!("{s}/{a}")),
            None => Value::Unknown,
        };
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
        let replace = changed(&prior, &planned, &["storage_id", "account_id"]);
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
        planned: State,
        _config: State,
        private: ValueEmpty,
        _meta: ValueEmpty,
    ) -> Option<(State, ValueEmpty)> {
        let cfg = self.shared.get(diags)?;
        let (storage, account) = ids(&planned)?;
        cfg.call(
            diags,
            "Unable to share storage",
            Some("storage_id"),
            |cloud, caller| cloud.add_storage_permission(caller, &storage, &account),
        )
        .map(|_| (state_of(&storage, &account), private))
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
        let (storage, account) = ids(&prior)?;
        cfg.call(
            diags,
            "Unable to remove storage permission",
            None,
            |cloud, caller| cloud.remove_storage_permission(caller, &storage, &account),
        )
        .map(|_| ())
    }

    async fn import<'a>(&self, diags: &mut Diagnostics, id: String) -> Option<(State, ValueEmpty)> {
        let cfg = self.shared.get(diags)?;
        let Some((storage, account)) = id.split_once('/') else {
            diags::error(
                diags,
                "Invalid import ID",
                format!("{:?} is not STORAGE_ID/ACCOUNT_ID\n\nUse for example snap-0123456789abcdef0/222222222222", validate::shorten(&id)),
                None,
            );
            return None;
        };
        match cfg.with(|cloud, caller| cloud.describe_storage_permission(caller, storage, account))
        {
            Ok(Some(_)) => Some((state_of(storage, account), ValueEmpty::default())),
            Ok(None) => {
                diags::error(
                    diags,
                    "Cannot import storage permission: InvalidPermission.NotFound",
                    format!("InvalidPermission.NotFound: {storage} in {} has no read permission for {account}\n\nCheck the ID, and that the provider is the storage owner's account and region", cfg.caller.region),
                    None,
                );
                None
            }
            Err(e) => {
                diags::refusal(diags, "Cannot import storage permission", &e);
                None
            }
        }
    }
}
