//! The face of the simulated cloud: one method per API call.
//!
//! Every call runs in one store transaction, is recorded in the event log with
//! its outcome, and either changes the cloud and succeeds or changes nothing
//! but the log and returns an [`Error`] with the AWS error code.

use std::path::Path;

use serde::Serialize;

use crate::billing::{self, Bill};
use crate::error::Result;
use crate::ids;
use crate::lifecycle::{AllowedImages, AncestryEntry, ImageReference};
use crate::model::{
    Event, Grant, Image, ImageSettings, Instance, Key, LaunchPermission, RecycleBinRule,
    StoragePermission,
};
use crate::recycle_bin::{BinEntry, RuleRequest};
use crate::store::{Access, Store, Tx};
use crate::{
    accounts, copies, images, instances, kms, lifecycle, permissions, recycle_bin, validate,
};

pub use crate::accounts::DeclareAccount;
pub use crate::copies::CopyImage;
pub use crate::images::{CreateImage, DescribeImages, ModifyImage, RegisterImage};
pub use crate::instances::RunInstance;
pub use crate::kms::CreateKey;

/// Who is calling: an account in a region (one provider block).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Caller {
    /// The 12-digit account ID.
    pub account_id: String,
    /// The region the call is made in.
    pub region: String,
    /// The account's secret, which a claimed account's calls must present.
    #[serde(skip)]
    pub secret: Option<String>,
}

impl Caller {
    /// A caller; checked when it makes its first call.
    pub fn new(account_id: impl Into<String>, region: impl Into<String>) -> Caller {
        Caller {
            account_id: account_id.into(),
            region: region.into(),
            secret: None,
        }
    }

    /// The same caller presenting `secret` (see [`Cloud::claim_account`]); an empty one is none.
    pub fn with_secret(mut self, secret: Option<String>) -> Caller {
        self.secret = secret.filter(|s| !s.is_empty());
        self
    }
}

/// What a rule sees of the call it serves.
pub struct Ctx<'a> {
    /// The caller.
    pub caller: &'a Caller,
    /// The start of the command the call belongs to (see [`ids::command_epoch`]).
    pub epoch: i64,
    /// The latest time the call has handed out.
    stamped: std::cell::Cell<i64>,
}

impl Ctx<'_> {
    /// The time of a change that depends on objects dated `after` (a source
    /// image, an instance, a key): one step past the latest of them and of the
    /// command's start. Changes that depend on nothing earlier in the command
    /// are all dated one step after its start: independent calls made in
    /// parallel are made "at once".
    pub fn time_after(&self, after: &[&str]) -> String {
        let t = ids::after(self.epoch, after);
        self.stamped.set(self.stamped.get().max(t));
        ids::format_time(t)
    }

    /// The time of a change that depends on nothing earlier in the command.
    pub fn time(&self) -> String {
        self.time_after(&[])
    }

    /// The latest time this call has handed out (its own time, for what it
    /// creates alongside its main object), or its command's first step.
    pub fn call_time(&self) -> String {
        ids::format_time(self.stamped.get().max(self.epoch + ids::STEP_SECONDS))
    }
}

/// Something a call returns that names the object it created or changed.
pub trait Outcome {
    /// The object's ID, for the event log.
    fn resource_id(&self) -> Option<String> {
        None
    }
}

impl Outcome for () {}
impl Outcome for bool {}
impl<T: Outcome> Outcome for Option<T> {
    fn resource_id(&self) -> Option<String> {
        self.as_ref().and_then(Outcome::resource_id)
    }
}
impl<T> Outcome for Vec<T> {}
impl Outcome for Image {
    fn resource_id(&self) -> Option<String> {
        Some(self.id.clone())
    }
}
impl Outcome for Instance {
    fn resource_id(&self) -> Option<String> {
        Some(self.id.clone())
    }
}
impl Outcome for Key {
    fn resource_id(&self) -> Option<String> {
        Some(self.id.clone())
    }
}
impl Outcome for Grant {
    fn resource_id(&self) -> Option<String> {
        Some(self.id.clone())
    }
}
impl Outcome for LaunchPermission {
    fn resource_id(&self) -> Option<String> {
        Some(self.id.clone())
    }
}
impl Outcome for ImageSettings {
    fn resource_id(&self) -> Option<String> {
        Some(self.id.clone())
    }
}
impl Outcome for RecycleBinRule {
    fn resource_id(&self) -> Option<String> {
        Some(self.id.clone())
    }
}
impl Outcome for BinEntry {
    fn resource_id(&self) -> Option<String> {
        Some(self.id.clone())
    }
}
impl Outcome for StoragePermission {
    fn resource_id(&self) -> Option<String> {
        Some(self.id.clone())
    }
}

/// What a reader of an image wants besides the image itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageDetails {
    /// Whether the image has a `group = all` launch permission.
    pub public: bool,
    /// The monthly cost of the image's storage, in micro-dollars.
    pub monthly_storage_cost_micros: i64,
}

/// The simulated cloud over one store.
pub struct Cloud {
    store: Store,
    /// The claimed accounts' secrets this handle has checked.
    checked: crate::claims::Checked,
    /// The command this handle's calls belong to (see [`Cloud::in_command`]).
    command: String,
}

/// When the object a call names was made: an image's creation, an instance's
/// launch, a key's creation, a snapshot's start.
fn subject_date(tx: &Tx<'_>, kind: &str, id: &str) -> Result<Option<String>> {
    Ok(match kind {
        "image_id" | "source_image_id" => tx.get::<Image>(id)?.map(|i| i.creation_date),
        "instance_id" => tx.get::<Instance>(id)?.map(|i| i.launch_time),
        "key_id" => {
            let id = id.rsplit('/').next().unwrap_or(id);
            tx.get::<Key>(id)?.map(|k| k.creation_date)
        }
        "storage_id" => tx.get::<crate::model::Storage>(id)?.map(|s| s.start_time),
        _ => None,
    })
}

/// The store a store string names (see [`Cloud::open_store`]).
fn open_store(store: &str, access: Access) -> Result<Store> {
    if crate::store::is_postgres_url(store) {
        return Store::open_postgres(store, access);
    }
    let path = Path::new(store.strip_prefix("sqlite:").unwrap_or(store));
    match access {
        Access::ReadOnly => Store::open_read_only(path),
        Access::Existing if !path.exists() => Err(crate::store::no_store(path)),
        Access::Existing | Access::Create => Store::open(path),
    }
}

/// A name for a handle's own command, unique in this process and in time.
fn own_command() -> String {
    format!("handle:{}", crate::store::unique_token())
}

impl Cloud {
    /// Opens (or creates) the cloud stored at `path`.
    pub fn open(path: &Path) -> Result<Cloud> {
        Ok(Cloud {
            store: Store::open(path)?,
            checked: Default::default(),
            command: own_command(),
        })
    }

    /// Opens an existing cloud for reading only: nothing is ever written.
    pub fn open_read_only(path: &Path) -> Result<Cloud> {
        Ok(Cloud {
            store: Store::open_read_only(path)?,
            checked: Default::default(),
            command: own_command(),
        })
    }

    /// Opens (or creates) the cloud a store string names: a PostgreSQL URL
    /// (`postgres://` or `postgresql://`), `sqlite:PATH`, or a path.
    pub fn open_store(store: &str) -> Result<Cloud> {
        Ok(Cloud {
            store: open_store(store, Access::Create)?,
            checked: Default::default(),
            command: own_command(),
        })
    }

    /// Opens the existing cloud a store string names for changes: a missing
    /// store (or an empty database) is an error, not a new cloud.
    pub fn open_existing_store(store: &str) -> Result<Cloud> {
        Ok(Cloud {
            store: open_store(store, Access::Existing)?,
            checked: Default::default(),
            command: own_command(),
        })
    }

    /// Opens the existing cloud a store string names for reading only.
    pub fn open_store_read_only(store: &str) -> Result<Cloud> {
        Ok(Cloud {
            store: open_store(store, Access::ReadOnly)?,
            checked: Default::default(),
            command: own_command(),
        })
    }

    /// A new cloud in memory.
    pub fn memory() -> Result<Cloud> {
        Ok(Cloud {
            store: Store::memory()?,
            checked: Default::default(),
            command: own_command(),
        })
    }

    /// The same handle, its calls belonging to `command`: a name the client
    /// gives to one unit of its work, shared by every process of it (the
    /// provider processes of one Terraform command name it after that
    /// command's process). A handle that names none is a command of its own.
    pub fn in_command(mut self, command: impl Into<String>) -> Cloud {
        self.set_command(command);
        self
    }

    /// Makes the handle's next calls belong to `command` (see [`Cloud::in_command`]).
    pub fn set_command(&mut self, command: impl Into<String>) {
        self.command = command.into();
    }

    /// The simulated time now: the latest time the store has recorded.
    pub fn now(&mut self) -> Result<String> {
        self.store.read(|tx| ids::now(tx).map(ids::format_time))
    }

    /// Moves simulated time forward by `seconds`: the next command starts
    /// after it. Returns the new time. Each account's bill accrues what the cloud as it stands costs over
    /// that time.
    pub fn advance_clock(&mut self, seconds: i64) -> Result<String> {
        self.store.transaction(|tx| {
            billing::accrue(tx, seconds)?;
            ids::advance(tx, seconds).map(ids::format_time)
        })
    }

    /// The store underneath, for queries that are not API calls (the CLI's listings).
    pub fn store(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Runs one API call: a transaction, a log entry, and the clock moved on a change.
    fn call<Req, R>(
        &mut self,
        caller: &Caller,
        action: &str,
        request: &Req,
        mutates: bool,
        rule: impl FnOnce(&mut Tx<'_>, &Ctx<'_>) -> Result<R>,
    ) -> Result<R>
    where
        Req: Serialize,
        R: Outcome,
    {
        let parameters = serde_json::to_value(request).unwrap_or(serde_json::Value::Null);
        let command = &self.command;
        let checked = &mut self.checked;
        self.store
            .transaction(|tx| {
                let epoch = ids::command_epoch(tx, command)?;
                let ctx = Ctx {
                    caller,
                    epoch,
                    stamped: std::cell::Cell::new(epoch),
                };
                let result = tx.atomically(|tx| {
                    validate::account_id(&caller.account_id)?;
                    validate::region(&caller.region)?;
                    crate::claims::require(
                        tx,
                        checked,
                        &caller.account_id,
                        caller.secret.as_deref(),
                    )?;
                    rule(tx, &ctx)
                });
                // The store failing under a rule is not the rule's refusal: the
                // whole call is undone, and the caller hears which call failed.
                let result = match result {
                    Err(e) if e.is_store_failure() => return Err(e),
                    other => other,
                };
                let subject = [
                    "image_id",
                    "instance_id",
                    "key_id",
                    "storage_id",
                    "source_image_id",
                    "rule_id",
                    "resource_id",
                ]
                .iter()
                .find_map(|k| {
                    parameters
                        .get(*k)
                        .and_then(|v| v.as_str())
                        .map(|v| (*k, v.to_string()))
                });
                // A change is dated after the object it acts on (a permission after its
                // image, a stop after the instance's launch); a call that changed
                // nothing is dated at its command's start.
                let time = if mutates {
                    let date = match &subject {
                        Some((kind, id)) => subject_date(tx, kind, id)?,
                        None => None,
                    };
                    ctx.stamped
                        .get()
                        .max(ids::after(epoch, &[date.as_deref().unwrap_or_default()]))
                } else {
                    epoch
                };
                let subject = subject.map(|(_, id)| id);
                let (outcome, resource_id) = match &result {
                    Ok(r) => ("ok".to_string(), r.resource_id().or(subject)),
                    Err(e) => (e.code().to_string(), subject),
                };
                ids::record(tx, time)?;
                tx.append_event(&Event {
                    seq: 0,
                    time: ids::format_time(time),
                    account_id: caller.account_id.clone(),
                    region: caller.region.clone(),
                    action: action.to_string(),
                    parameters,
                    outcome,
                    resource_id,
                })?;
                Ok(result)
            })
            .map_err(|e| e.in_call(action))?
    }

    /// Declares the caller's account's organization and OU (from the provider block).
    pub fn declare_account(&mut self, caller: &Caller, req: &DeclareAccount) -> Result<()> {
        self.call(caller, "DeclareAccount", req, true, |tx, ctx| {
            accounts::declare(tx, ctx, req)
        })
    }

    /// RegisterImage: a new AMI with new backing storage.
    pub fn register_image(&mut self, caller: &Caller, req: &RegisterImage) -> Result<Image> {
        self.call(caller, "RegisterImage", req, true, |tx, ctx| {
            images::register(tx, ctx, req)
        })
    }

    /// CreateImage: an AMI from an instance of the caller's.
    pub fn create_image(&mut self, caller: &Caller, req: &CreateImage) -> Result<Image> {
        self.call(caller, "CreateImage", req, true, |tx, ctx| {
            images::create_from_instance(tx, ctx, req)
        })
    }

    /// CopyImage: a new AMI in the caller's region and account from a source image.
    pub fn copy_image(&mut self, caller: &Caller, req: &CopyImage) -> Result<Image> {
        self.call(caller, "CopyImage", req, true, |tx, ctx| {
            copies::copy(tx, ctx, req)
        })
    }

    /// DescribeImages for one ID: the image if the caller can see it in its region.
    ///
    /// A deregistered image the caller owns is returned with its state, so that
    /// a reader can tell "gone" from "never existed".
    pub fn describe_image(&mut self, caller: &Caller, image_id: &str) -> Result<Option<Image>> {
        #[derive(Serialize)]
        struct Req<'a> {
            image_id: &'a str,
        }
        self.call(
            caller,
            "DescribeImages",
            &Req { image_id },
            false,
            |tx, ctx| images::describe_one(tx, ctx, image_id),
        )
    }

    /// DescribeImages with owners, executable users, filters and a name pattern.
    pub fn describe_images(&mut self, caller: &Caller, req: &DescribeImages) -> Result<Vec<Image>> {
        self.call(caller, "DescribeImages", req, false, |tx, ctx| {
            images::describe(tx, ctx, req)
        })
    }

    /// ModifyImageAttribute / CreateTags: the description and tags, the only things that change.
    pub fn modify_image(&mut self, caller: &Caller, req: &ModifyImage) -> Result<Image> {
        self.call(caller, "ModifyImageAttribute", req, true, |tx, ctx| {
            images::modify(tx, ctx, req)
        })
    }

    /// DeregisterImage; returns false if it was already deregistered or unknown.
    pub fn deregister_image(
        &mut self,
        caller: &Caller,
        image_id: &str,
        delete_storage: bool,
    ) -> Result<bool> {
        #[derive(Serialize)]
        struct Req<'a> {
            image_id: &'a str,
            delete_associated_snapshots: bool,
        }
        let req = Req {
            image_id,
            delete_associated_snapshots: delete_storage,
        };
        self.call(caller, "DeregisterImage", &req, true, |tx, ctx| {
            images::deregister(tx, ctx, image_id, delete_storage)
        })
    }

    /// DeleteSnapshot (or deleting a bundle): storage no available image uses; false if already gone.
    pub fn delete_storage(&mut self, caller: &Caller, storage_id: &str) -> Result<bool> {
        #[derive(Serialize)]
        struct Req<'a> {
            storage_id: &'a str,
        }
        self.call(
            caller,
            "DeleteSnapshot",
            &Req { storage_id },
            true,
            |tx, ctx| images::delete_storage(tx, ctx, storage_id),
        )
    }

    /// DeleteVolume: an EBS root volume kept after its instance terminated; false if already gone.
    pub fn delete_volume(&mut self, caller: &Caller, volume_id: &str) -> Result<bool> {
        #[derive(Serialize)]
        struct Req<'a> {
            volume_id: &'a str,
        }
        self.call(
            caller,
            "DeleteVolume",
            &Req { volume_id },
            true,
            |tx, ctx| images::delete_volume(tx, ctx, volume_id),
        )
    }

    /// ModifyImageAttribute (add launch permission).
    pub fn add_launch_permission(
        &mut self,
        caller: &Caller,
        image_id: &str,
        principal: &crate::model::Principal,
    ) -> Result<LaunchPermission> {
        let req = permissions::LaunchPermissionRequest {
            image_id,
            principal,
        };
        self.call(caller, "AddLaunchPermission", &req, true, |tx, ctx| {
            permissions::add_launch(tx, ctx, image_id, principal)
        })
    }

    /// ModifyImageAttribute (remove launch permission); false if there was none.
    pub fn remove_launch_permission(
        &mut self,
        caller: &Caller,
        image_id: &str,
        principal: &crate::model::Principal,
    ) -> Result<bool> {
        let req = permissions::LaunchPermissionRequest {
            image_id,
            principal,
        };
        self.call(caller, "RemoveLaunchPermission", &req, true, |tx, ctx| {
            permissions::remove_launch(tx, ctx, image_id, principal)
        })
    }

    /// DescribeImageAttribute (launch permission): the permission if it exists on an available image.
    pub fn describe_launch_permission(
        &mut self,
        caller: &Caller,
        image_id: &str,
        principal: &crate::model::Principal,
    ) -> Result<Option<LaunchPermission>> {
        let req = permissions::LaunchPermissionRequest {
            image_id,
            principal,
        };
        self.call(caller, "DescribeImageAttribute", &req, false, |tx, ctx| {
            permissions::describe_launch(tx, ctx, image_id, principal)
        })
    }

    /// ModifySnapshotAttribute (createVolumePermission add), or the bundle grant.
    pub fn add_storage_permission(
        &mut self,
        caller: &Caller,
        storage_id: &str,
        account_id: &str,
    ) -> Result<StoragePermission> {
        let req = permissions::StoragePermissionRequest {
            storage_id,
            account_id,
        };
        self.call(caller, "AddStoragePermission", &req, true, |tx, ctx| {
            permissions::add_storage(tx, ctx, storage_id, account_id)
        })
    }

    /// Removes a storage read permission; false if there was none.
    pub fn remove_storage_permission(
        &mut self,
        caller: &Caller,
        storage_id: &str,
        account_id: &str,
    ) -> Result<bool> {
        let req = permissions::StoragePermissionRequest {
            storage_id,
            account_id,
        };
        self.call(caller, "RemoveStoragePermission", &req, true, |tx, ctx| {
            permissions::remove_storage(tx, ctx, storage_id, account_id)
        })
    }

    /// The storage read permission, if it exists.
    pub fn describe_storage_permission(
        &mut self,
        caller: &Caller,
        storage_id: &str,
        account_id: &str,
    ) -> Result<Option<StoragePermission>> {
        let req = permissions::StoragePermissionRequest {
            storage_id,
            account_id,
        };
        self.call(
            caller,
            "DescribeStoragePermission",
            &req,
            false,
            |tx, ctx| permissions::describe_storage(tx, ctx, storage_id, account_id),
        )
    }

    /// KMS CreateKey: a customer managed key.
    pub fn create_key(&mut self, caller: &Caller, req: &CreateKey) -> Result<Key> {
        self.call(caller, "CreateKey", req, true, |tx, ctx| {
            kms::create(tx, ctx, req)
        })
    }

    /// KMS DescribeKey for a key the caller owns or was granted.
    pub fn describe_key(&mut self, caller: &Caller, key_id: &str) -> Result<Option<Key>> {
        #[derive(Serialize)]
        struct Req<'a> {
            key_id: &'a str,
        }
        self.call(caller, "DescribeKey", &Req { key_id }, false, |tx, ctx| {
            kms::describe(tx, ctx, key_id)
        })
    }

    /// KMS UpdateKeyDescription / TagResource.
    pub fn update_key(&mut self, caller: &Caller, key_id: &str, req: &CreateKey) -> Result<Key> {
        self.call(caller, "UpdateKey", req, true, |tx, ctx| {
            kms::update(tx, ctx, key_id, req)
        })
    }

    /// KMS ScheduleKeyDeletion; false if the key was already gone.
    pub fn schedule_key_deletion(&mut self, caller: &Caller, key_id: &str) -> Result<bool> {
        #[derive(Serialize)]
        struct Req<'a> {
            key_id: &'a str,
        }
        self.call(
            caller,
            "ScheduleKeyDeletion",
            &Req { key_id },
            true,
            |tx, ctx| kms::schedule_deletion(tx, ctx, key_id),
        )
    }

    /// KMS CreateGrant: lets another account use a customer managed key.
    pub fn create_grant(&mut self, caller: &Caller, key_id: &str, grantee: &str) -> Result<Grant> {
        let req = kms::GrantRequest {
            key_id,
            grantee_account_id: grantee,
        };
        self.call(caller, "CreateGrant", &req, true, |tx, ctx| {
            kms::grant(tx, ctx, key_id, grantee)
        })
    }

    /// KMS RevokeGrant; false if there was none.
    pub fn revoke_grant(&mut self, caller: &Caller, key_id: &str, grantee: &str) -> Result<bool> {
        let req = kms::GrantRequest {
            key_id,
            grantee_account_id: grantee,
        };
        self.call(caller, "RevokeGrant", &req, true, |tx, ctx| {
            kms::revoke(tx, ctx, key_id, grantee)
        })
    }

    /// KMS ListGrants for one grantee.
    pub fn describe_grant(
        &mut self,
        caller: &Caller,
        key_id: &str,
        grantee: &str,
    ) -> Result<Option<Grant>> {
        let req = kms::GrantRequest {
            key_id,
            grantee_account_id: grantee,
        };
        self.call(caller, "ListGrants", &req, false, |tx, ctx| {
            kms::describe_grant(tx, ctx, key_id, grantee)
        })
    }

    /// RunInstances: one instance from an image.
    pub fn run_instance(&mut self, caller: &Caller, req: &RunInstance) -> Result<Instance> {
        self.call(caller, "RunInstances", req, true, |tx, ctx| {
            instances::run(tx, ctx, req)
        })
    }

    /// DescribeInstances for one ID (terminated instances included, with their state).
    pub fn describe_instance(
        &mut self,
        caller: &Caller,
        instance_id: &str,
    ) -> Result<Option<Instance>> {
        #[derive(Serialize)]
        struct Req<'a> {
            instance_id: &'a str,
        }
        self.call(
            caller,
            "DescribeInstances",
            &Req { instance_id },
            false,
            |tx, ctx| instances::describe(tx, ctx, instance_id),
        )
    }

    /// StopInstances.
    pub fn stop_instance(&mut self, caller: &Caller, instance_id: &str) -> Result<Instance> {
        #[derive(Serialize)]
        struct Req<'a> {
            instance_id: &'a str,
        }
        self.call(
            caller,
            "StopInstances",
            &Req { instance_id },
            true,
            |tx, ctx| instances::stop(tx, ctx, instance_id),
        )
    }

    /// StartInstances.
    pub fn start_instance(&mut self, caller: &Caller, instance_id: &str) -> Result<Instance> {
        #[derive(Serialize)]
        struct Req<'a> {
            instance_id: &'a str,
        }
        self.call(
            caller,
            "StartInstances",
            &Req { instance_id },
            true,
            |tx, ctx| instances::start(tx, ctx, instance_id),
        )
    }

    /// ModifyInstanceAttribute / CreateTags: tags change in place.
    pub fn tag_instance(
        &mut self,
        caller: &Caller,
        instance_id: &str,
        tags: &crate::model::Tags,
    ) -> Result<Instance> {
        #[derive(Serialize)]
        struct Req<'a> {
            instance_id: &'a str,
            tags: &'a crate::model::Tags,
        }
        self.call(
            caller,
            "CreateTags",
            &Req { instance_id, tags },
            true,
            |tx, ctx| instances::tag(tx, ctx, instance_id, tags),
        )
    }

    /// ModifyInstanceAttribute (instance type) of a stopped instance.
    pub fn modify_instance_type(
        &mut self,
        caller: &Caller,
        instance_id: &str,
        instance_type: &str,
    ) -> Result<Instance> {
        #[derive(Serialize)]
        struct Req<'a> {
            instance_id: &'a str,
            instance_type: &'a str,
        }
        let req = Req {
            instance_id,
            instance_type,
        };
        self.call(caller, "ModifyInstanceAttribute", &req, true, |tx, ctx| {
            instances::modify_type(tx, ctx, instance_id, instance_type)
        })
    }

    /// ModifyInstanceAttribute (the root volume's DeleteOnTermination).
    pub fn set_root_delete_on_termination(
        &mut self,
        caller: &Caller,
        instance_id: &str,
        delete: bool,
    ) -> Result<Instance> {
        #[derive(Serialize)]
        struct Req<'a> {
            instance_id: &'a str,
            delete_on_termination: bool,
        }
        let req = Req {
            instance_id,
            delete_on_termination: delete,
        };
        self.call(caller, "ModifyInstanceAttribute", &req, true, |tx, ctx| {
            instances::set_root_delete_on_termination(tx, ctx, instance_id, delete)
        })
    }

    /// TerminateInstances; false if it was already terminated or unknown.
    pub fn terminate_instance(&mut self, caller: &Caller, instance_id: &str) -> Result<bool> {
        #[derive(Serialize)]
        struct Req<'a> {
            instance_id: &'a str,
        }
        self.call(
            caller,
            "TerminateInstances",
            &Req { instance_id },
            true,
            |tx, ctx| instances::terminate(tx, ctx, instance_id),
        )
    }

    /// Enable/DisableImageDeregistrationProtection: `disabled`, `enabled` or `enabled-with-cooldown`.
    pub fn set_deregistration_protection(
        &mut self,
        caller: &Caller,
        image_id: &str,
        mode: &str,
    ) -> Result<Image> {
        #[derive(Serialize)]
        struct Req<'a> {
            image_id: &'a str,
            mode: &'a str,
        }
        let action = if mode == crate::model::PROTECTION_OFF {
            "DisableImageDeregistrationProtection"
        } else {
            "EnableImageDeregistrationProtection"
        };
        self.call(caller, action, &Req { image_id, mode }, true, |tx, ctx| {
            lifecycle::set_protection(tx, ctx, image_id, mode)
        })
    }

    /// DisableImage (`enabled = false`) or EnableImage.
    pub fn set_image_enabled(
        &mut self,
        caller: &Caller,
        image_id: &str,
        enabled: bool,
    ) -> Result<Image> {
        #[derive(Serialize)]
        struct Req<'a> {
            image_id: &'a str,
        }
        let action = if enabled {
            "EnableImage"
        } else {
            "DisableImage"
        };
        self.call(caller, action, &Req { image_id }, true, |tx, ctx| {
            if enabled {
                lifecycle::enable(tx, ctx, image_id)
            } else {
                lifecycle::disable(tx, ctx, image_id)
            }
        })
    }

    /// EnableImageDeprecation at `time` (RFC 3339), or DisableImageDeprecation with none.
    pub fn set_image_deprecation(
        &mut self,
        caller: &Caller,
        image_id: &str,
        time: Option<&str>,
    ) -> Result<Image> {
        #[derive(Serialize)]
        struct Req<'a> {
            image_id: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            deprecate_at: Option<&'a str>,
        }
        let action = if time.is_some() {
            "EnableImageDeprecation"
        } else {
            "DisableImageDeprecation"
        };
        let req = Req {
            image_id,
            deprecate_at: time,
        };
        self.call(caller, action, &req, true, |tx, ctx| {
            lifecycle::set_deprecation(tx, ctx, image_id, time)
        })
    }

    /// GetImageBlockPublicAccessState and GetAllowedImagesSettings: the
    /// caller's image settings in its region.
    pub fn image_settings(&mut self, caller: &Caller) -> Result<ImageSettings> {
        #[derive(Serialize)]
        struct Req {}
        self.call(caller, "GetImageSettings", &Req {}, false, |tx, ctx| {
            lifecycle::settings(tx, &ctx.caller.account_id, &ctx.caller.region)
        })
    }

    /// Enable/DisableImageBlockPublicAccess: `block-new-sharing` or `unblocked`.
    pub fn set_block_public_access(
        &mut self,
        caller: &Caller,
        state: &str,
    ) -> Result<ImageSettings> {
        #[derive(Serialize)]
        struct Req<'a> {
            state: &'a str,
        }
        let action = if state == lifecycle::BLOCKED {
            "EnableImageBlockPublicAccess"
        } else {
            "DisableImageBlockPublicAccess"
        };
        self.call(caller, action, &Req { state }, true, |tx, ctx| {
            lifecycle::set_block_public_access(tx, ctx, state)
        })
    }

    /// EnableAllowedImagesSettings with its criteria, or DisableAllowedImagesSettings.
    pub fn set_allowed_images(
        &mut self,
        caller: &Caller,
        req: &AllowedImages,
    ) -> Result<ImageSettings> {
        let action = if req.state == "disabled" {
            "DisableAllowedImagesSettings"
        } else {
            "EnableAllowedImagesSettings"
        };
        self.call(caller, action, req, true, |tx, ctx| {
            lifecycle::set_allowed_images(tx, ctx, req)
        })
    }

    /// GetImageAncestry: the image and the images it came from.
    pub fn image_ancestry(
        &mut self,
        caller: &Caller,
        image_id: &str,
    ) -> Result<Vec<AncestryEntry>> {
        #[derive(Serialize)]
        struct Req<'a> {
            image_id: &'a str,
        }
        self.call(
            caller,
            "GetImageAncestry",
            &Req { image_id },
            false,
            |tx, ctx| lifecycle::ancestry(tx, ctx, image_id),
        )
    }

    /// DescribeImageReferences: what still uses an image the caller owns.
    pub fn image_references(
        &mut self,
        caller: &Caller,
        image_id: &str,
    ) -> Result<Vec<ImageReference>> {
        #[derive(Serialize)]
        struct Req<'a> {
            image_id: &'a str,
        }
        self.call(
            caller,
            "DescribeImageReferences",
            &Req { image_id },
            false,
            |tx, ctx| lifecycle::references(tx, ctx, image_id),
        )
    }

    /// Recycle Bin CreateRule.
    pub fn create_recycle_bin_rule(
        &mut self,
        caller: &Caller,
        req: &RuleRequest,
    ) -> Result<RecycleBinRule> {
        self.call(caller, "CreateRule", req, true, |tx, ctx| {
            recycle_bin::create_rule(tx, ctx, req)
        })
    }

    /// Recycle Bin UpdateRule.
    pub fn update_recycle_bin_rule(
        &mut self,
        caller: &Caller,
        rule_id: &str,
        req: &RuleRequest,
    ) -> Result<RecycleBinRule> {
        #[derive(Serialize)]
        struct Req<'a> {
            rule_id: &'a str,
            #[serde(flatten)]
            rule: &'a RuleRequest,
        }
        let r = Req { rule_id, rule: req };
        self.call(caller, "UpdateRule", &r, true, |tx, ctx| {
            recycle_bin::update_rule(tx, ctx, rule_id, req)
        })
    }

    /// Recycle Bin DeleteRule; false if there was none.
    pub fn delete_recycle_bin_rule(&mut self, caller: &Caller, rule_id: &str) -> Result<bool> {
        #[derive(Serialize)]
        struct Req<'a> {
            rule_id: &'a str,
        }
        self.call(caller, "DeleteRule", &Req { rule_id }, true, |tx, ctx| {
            recycle_bin::delete_rule(tx, ctx, rule_id)
        })
    }

    /// Recycle Bin GetRule.
    pub fn get_recycle_bin_rule(
        &mut self,
        caller: &Caller,
        rule_id: &str,
    ) -> Result<Option<RecycleBinRule>> {
        #[derive(Serialize)]
        struct Req<'a> {
            rule_id: &'a str,
        }
        self.call(caller, "GetRule", &Req { rule_id }, false, |tx, ctx| {
            recycle_bin::get_rule(tx, ctx, rule_id)
        })
    }

    /// RestoreImageFromRecycleBin or RestoreSnapshotFromRecycleBin (by the ID's prefix).
    pub fn restore_from_recycle_bin(&mut self, caller: &Caller, id: &str) -> Result<BinEntry> {
        #[derive(Serialize)]
        struct Req<'a> {
            resource_id: &'a str,
        }
        let action = if id.starts_with("ami-") {
            "RestoreImageFromRecycleBin"
        } else {
            "RestoreSnapshotFromRecycleBin"
        };
        self.call(caller, action, &Req { resource_id: id }, true, |tx, ctx| {
            recycle_bin::restore(tx, ctx, id)
        })
    }

    /// What the Recycle Bin holds now, for one account or all.
    pub fn recycle_bin(&mut self, account: Option<&str>) -> Result<Vec<BinEntry>> {
        self.store.read(|tx| {
            let now = ids::now(tx)?;
            recycle_bin::list(tx, account, now)
        })
    }

    /// Claims `account`: from now on its calls must present the secret this
    /// returns (shown once; only a salted hash is kept).
    pub fn claim_account(&mut self, account: &str) -> Result<String> {
        self.store.transaction(|tx| {
            let now = ids::format_time(ids::now(tx)?);
            crate::claims::claim(tx, account, &now)
        })
    }

    /// Releases the claim on `account`: with its `secret`, or `force`d by
    /// whoever holds the store's own credentials. False if it was not claimed.
    pub fn release_account(
        &mut self,
        account: &str,
        secret: Option<&str>,
        force: bool,
    ) -> Result<bool> {
        self.store.transaction(|tx| {
            if !force {
                let mut checked = crate::claims::Checked::default();
                crate::claims::require(tx, &mut checked, account, secret)?;
            }
            crate::claims::release(tx, account)
        })
    }

    /// The claimed accounts.
    pub fn claims(&mut self) -> Result<Vec<crate::claims::ClaimView>> {
        self.store.read(|tx| crate::claims::list(tx))
    }

    /// The monthly bill of every account (or one), by region and line, from the price book.
    pub fn bill(&mut self, account: Option<&str>) -> Result<Vec<Bill>> {
        self.store.read(|tx| billing::bills(tx, account))
    }

    /// The price book in force for this store.
    pub fn prices(&mut self) -> Result<crate::catalogue::PriceBook> {
        self.store.read(|tx| billing::price_book(tx))
    }

    /// Whether an image is public, and its storage's monthly cost, read without a log entry.
    pub fn image_details(&mut self, image: &Image) -> Result<ImageDetails> {
        self.store.read(|tx| {
            let prices = billing::price_book(tx)?;
            Ok(ImageDetails {
                public: permissions::is_public(tx, image)?,
                monthly_storage_cost_micros: billing::image_storage_month_micros(&prices, image),
            })
        })
    }

    /// The caller's image settings and the simulated time now, read without
    /// a log entry: what a reader of images needs to tell whether Allowed
    /// AMIs allows each of them ([`lifecycle::image_allowed`]).
    pub fn allowed_images_view(&mut self, caller: &Caller) -> Result<(ImageSettings, i64)> {
        self.store.read(|tx| {
            let settings = lifecycle::settings(tx, &caller.account_id, &caller.region)?;
            Ok((settings, ids::now(tx)?))
        })
    }

    /// The event log after `after_seq`.
    pub fn events(&mut self, after_seq: i64) -> Result<Vec<Event>> {
        self.store.read(|tx| tx.events(after_seq))
    }
}
