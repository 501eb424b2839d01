//! `amisim_storage_permission`: let another account read an image's backing storage.

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
use amisim_simulator::{AddStoragePermission, DescribeStoragePermission, RemoveStoragePermission};

/// The state of an `amisim_storage_permission`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub storage_id: Str,
    pub account_id: Str,
}

/// The resource type `amisim_storage_permission`: its schema and what it does with the cloud.
pub struct StoragePermissionType;

/// The `amisim_storage_permission` resource.
pub type StoragePermissionResource = Typed<StoragePermissionType>;

pub(crate) fn schema() -> Schema {
    common::resource_schema(
        "Lets another account read the storage behind an image: the create-volume permission of an EBS snapshot (like `aws_snapshot_create_volume_permission`) or the S3 bucket grant of an instance-store bundle. Another account needs it to copy the image. Only the storage's owner can grant it, and storage encrypted with the AWS managed key cannot be shared. Every argument forces replacement.",
        vec![
            ("storage_id", replaces(required_string("A snapshot ID (`snap-…`) or bundle ID (`bundle-…`) from an image's `storage_ids`, in the provider's region and owned by the provider's account."))),
            ("account_id", replaces(required_string("The 12-digit account allowed to read the storage."))),
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

impl Managed for StoragePermissionType {
    type State = State;

    fn schema() -> Schema {
        schema()
    }

    fn validate(diags: &mut Diagnostics, c: &State) {
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
    }

    fn read(diags: &mut Diagnostics, cfg: &Configured, state: State) -> Option<Option<State>> {
        let (storage, account) = ids(&state)?;
        let result = cfg.with(|cloud, caller| {
            cloud.call(caller, &DescribeStoragePermission::new(&storage, &account))
        });
        let id = format!("{storage}/{account}");
        Some(found(diags, "storage permission", &id, result)?.map(|_| state))
    }

    fn plan_create(
        _diags: &mut Diagnostics,
        _cfg: &Configured,
        mut planned: State,
        _config: &State,
    ) -> Option<State> {
        planned.id = match ids(&planned) {
            Some((s, a)) => str(&format!("{s}/{a}")),
            None => Value::Unknown,
        };
        Some(planned)
    }

    fn create(diags: &mut Diagnostics, cfg: &Configured, planned: State) -> Option<State> {
        let (storage, account) = ids(&planned)?;
        cfg.call(
            diags,
            "Unable to share storage",
            Some("storage_id"),
            |cloud, caller| cloud.call(caller, &AddStoragePermission::new(&storage, &account)),
        )
        .map(|_| state_of(&storage, &account))
    }

    fn destroy(diags: &mut Diagnostics, cfg: &Configured, prior: State) -> Option<()> {
        let (storage, account) = ids(&prior)?;
        cfg.call(
            diags,
            "Unable to remove storage permission",
            None,
            |cloud, caller| cloud.call(caller, &RemoveStoragePermission::new(&storage, &account)),
        )
        .map(|_| ())
    }

    fn import(diags: &mut Diagnostics, cfg: &Configured, id: &str) -> Option<State> {
        let (storage, account) = import_parts(
            diags,
            id,
            false,
            "STORAGE_ID/ACCOUNT_ID",
            "snap-0123456789abcdef0/222222222222",
        )?;
        let result = cfg.with(|cloud, caller| {
            cloud.call(caller, &DescribeStoragePermission::new(storage, account))
        });
        imported(
            diags,
            "storage permission",
            result,
            "InvalidPermission.NotFound",
            || {
                format!(
                "{storage} in {} has no read permission for {account}; the provider must be the storage owner's",
                cfg.caller.region
            )
            },
        )?;
        Some(state_of(storage, account))
    }
}
