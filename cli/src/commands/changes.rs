//! Out-of-band changes: deregister, terminate, stop, start and revoke.
//!
//! Each change is an API call of the simulator made as the object's owner, in
//! the object's region: it obeys the same rules as the provider's calls, is
//! recorded in the event log, and shows as drift in the next `terraform plan`.

use std::io::Write;

use amisim_simulator::store::Filter;
use amisim_simulator::{
    inventory, Caller, Cloud, Grant, Image, Instance, InstanceState, LaunchPermission, Principal,
    Storage, StorageKind, StoragePermission,
};
use anyhow::{anyhow, bail};
use serde::Serialize;

use super::Ctx;
use crate::args::RevokeCommand;
use crate::{open, table};
use amisim_simulator::{
    CancelLaunchPermission, DeleteSnapshot, DeleteVolume, DeregisterImage, RemoveLaunchPermission,
    RemoveStoragePermission, RevokeGrant, StartInstance, StopInstance, TerminateInstance,
};

/// What a change did, as shown in JSON.
#[derive(Serialize)]
pub(super) struct Change {
    /// The API action called.
    action: &'static str,
    /// The object changed.
    resource_id: String,
    /// The owner the call was made as.
    account_id: String,
    /// The region the call was made in.
    region: String,
    /// False when the object was already in the asked-for state.
    changed: bool,
    /// Storage deleted with a deregistered image.
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted_storage_ids: Option<Vec<String>>,
    /// Storage kept after a deregistration.
    #[serde(skip_serializing_if = "Option::is_none")]
    kept_storage_ids: Option<Vec<String>>,
}

impl Change {
    pub(super) fn new(
        action: &'static str,
        resource_id: &str,
        caller: &Caller,
        changed: bool,
    ) -> Change {
        Change {
            action,
            resource_id: resource_id.to_string(),
            account_id: caller.account_id.clone(),
            region: caller.region.clone(),
            changed,
            deleted_storage_ids: None,
            kept_storage_ids: None,
        }
    }
}

pub(super) fn image(cloud: &mut Cloud, image_id: &str) -> anyhow::Result<Image> {
    cloud
        .read(|tx| tx.get::<Image>(image_id))?
        .ok_or_else(|| anyhow!("no image {image_id} in the store"))
}

fn instance(cloud: &mut Cloud, instance_id: &str) -> anyhow::Result<Instance> {
    cloud
        .read(|tx| tx.get::<Instance>(instance_id))?
        .ok_or_else(|| anyhow!("no instance {instance_id} in the store"))
}

/// Where a change is made from: the owner's account, in the object's region.
pub(super) fn as_owner(owner_id: &str, region: &str) -> Caller {
    Caller::new(owner_id, region).with_secret(secret())
}

/// The secret of a claimed account, from `AMISIM_SECRET_KEY`.
pub(super) fn secret() -> Option<String> {
    std::env::var("AMISIM_SECRET_KEY").ok()
}

pub(super) fn done(
    ctx: &Ctx<'_>,
    out: &mut dyn Write,
    change: &Change,
    text: String,
) -> anyhow::Result<()> {
    if ctx.json {
        table::print_json(out, change)?;
    } else {
        writeln!(out, "{text}")?;
    }
    Ok(())
}

pub(super) fn by_owner(caller: &Caller) -> String {
    format!(
        "in {} as its owner {}",
        caller.region,
        table::owner(&caller.account_id)
    )
}

pub fn deregister(
    ctx: &Ctx<'_>,
    out: &mut dyn Write,
    image_id: &str,
    delete_snapshots: bool,
) -> anyhow::Result<()> {
    let mut cloud = open::Changing::open(ctx)?;
    let image = image(&mut cloud, image_id)?;
    let caller = as_owner(&image.owner_id, &image.region);
    let changed = cloud.call(&caller, &DeregisterImage::new(&image.id, delete_snapshots))?;
    let (kept, deleted): (Vec<String>, Vec<String>) = cloud.read(|tx| {
        let mut kept = Vec::new();
        let mut deleted = Vec::new();
        for id in &image.storage_ids {
            if tx.get::<Storage>(id)?.is_some() {
                kept.push(id.clone());
            } else {
                deleted.push(id.clone());
            }
        }
        Ok((kept, deleted))
    })?;
    let mut change = Change::new("DeregisterImage", &image.id, &caller, changed);
    let text = if !changed {
        format!("{} was already deregistered; nothing changed", image.id)
    } else {
        let mut text = format!("Deregistered {} {}", image.id, by_owner(&caller));
        if !deleted.is_empty() {
            text.push_str(&format!("; deleted {}", deleted.join(", ")));
        }
        if !kept.is_empty() {
            let why = if delete_snapshots {
                "another image uses it"
            } else {
                "still billed; --delete-snapshots deletes storage with its image"
            };
            text.push_str(&format!("; kept {} ({why})", kept.join(", ")));
        }
        text
    };
    change.deleted_storage_ids = Some(deleted);
    change.kept_storage_ids = Some(kept);
    done(ctx, out, &change, text)
}

pub fn delete_snapshot(ctx: &Ctx<'_>, out: &mut dyn Write, storage_id: &str) -> anyhow::Result<()> {
    let mut cloud = open::Changing::open(ctx)?;
    let storage = cloud
        .read(|tx| tx.get::<Storage>(storage_id))?
        .ok_or_else(|| anyhow!("no snapshot or bundle {storage_id} in the store"))?;
    let caller = as_owner(&storage.owner_id, &storage.region);
    let changed = cloud.call(&caller, &DeleteSnapshot::new(&storage.id))?;
    let change = Change::new("DeleteSnapshot", &storage.id, &caller, changed);
    let text = format!(
        "Deleted {} {}; it is no longer billed",
        storage.id,
        by_owner(&caller)
    );
    done(ctx, out, &change, text)
}

pub fn delete_volume(ctx: &Ctx<'_>, out: &mut dyn Write, volume_id: &str) -> anyhow::Result<()> {
    let mut cloud = open::Changing::open(ctx)?;
    let volume = cloud
        .read(|tx| tx.get::<Storage>(volume_id))?
        .filter(|s| s.kind == StorageKind::Volume)
        .ok_or_else(|| anyhow!("no volume {volume_id} in the store"))?;
    let caller = as_owner(&volume.owner_id, &volume.region);
    let changed = cloud.call(&caller, &DeleteVolume::new(&volume.id))?;
    let change = Change::new("DeleteVolume", &volume.id, &caller, changed);
    let text = format!(
        "Deleted {} {}; it is no longer billed",
        volume.id,
        by_owner(&caller)
    );
    done(ctx, out, &change, text)
}

pub fn terminate(ctx: &Ctx<'_>, out: &mut dyn Write, instance_id: &str) -> anyhow::Result<()> {
    let mut cloud = open::Changing::open(ctx)?;
    let instance = instance(&mut cloud, instance_id)?;
    let caller = as_owner(&instance.owner_id, &instance.region);
    let changed = cloud.call(&caller, &TerminateInstance::new(&instance.id))?;
    let change = Change::new("TerminateInstances", &instance.id, &caller, changed);
    let text = if !changed {
        format!("{} was already terminated; nothing changed", instance.id)
    } else if instance.root_device_type == amisim_simulator::RootDevice::InstanceStore {
        format!(
            "Terminated {} {}; its instance-store root data is lost",
            instance.id,
            by_owner(&caller)
        )
    } else if let Some(volume) = instance
        .root_volume_id
        .as_deref()
        .filter(|_| !instance.root_delete_on_termination)
    {
        format!(
            "Terminated {} {}; its root volume {volume} is kept (DeleteOnTermination is false) and goes on costing storage",
            instance.id,
            by_owner(&caller)
        )
    } else {
        format!(
            "Terminated {} {}; its EBS root volume was deleted with it",
            instance.id,
            by_owner(&caller)
        )
    };
    done(ctx, out, &change, text)
}

pub fn stop(ctx: &Ctx<'_>, out: &mut dyn Write, instance_id: &str) -> anyhow::Result<()> {
    let mut cloud = open::Changing::open(ctx)?;
    let instance = instance(&mut cloud, instance_id)?;
    let caller = as_owner(&instance.owner_id, &instance.region);
    let was = instance.state;
    cloud.call(&caller, &StopInstance::new(&instance.id))?;
    let changed = was != InstanceState::Stopped;
    let change = Change::new("StopInstances", &instance.id, &caller, changed);
    let text = if changed {
        format!("Stopped {} {}", instance.id, by_owner(&caller))
    } else {
        format!("{} was already stopped; nothing changed", instance.id)
    };
    done(ctx, out, &change, text)
}

pub fn start(ctx: &Ctx<'_>, out: &mut dyn Write, instance_id: &str) -> anyhow::Result<()> {
    let mut cloud = open::Changing::open(ctx)?;
    let instance = instance(&mut cloud, instance_id)?;
    let caller = as_owner(&instance.owner_id, &instance.region);
    let was = instance.state;
    cloud.call(&caller, &StartInstance::new(&instance.id))?;
    let changed = was != InstanceState::Running;
    let change = Change::new("StartInstances", &instance.id, &caller, changed);
    let text = if changed {
        format!("Started {} {}", instance.id, by_owner(&caller))
    } else {
        format!("{} was already running; nothing changed", instance.id)
    };
    done(ctx, out, &change, text)
}

pub fn revoke(ctx: &Ctx<'_>, out: &mut dyn Write, what: &RevokeCommand) -> anyhow::Result<()> {
    let mut cloud = open::Changing::open(ctx)?;
    match what {
        RevokeCommand::LaunchPermission {
            image_id,
            principal,
        } => revoke_launch_permission(ctx, out, &mut cloud, image_id, principal),
        RevokeCommand::StoragePermission {
            storage_id,
            account_id,
        } => revoke_storage_permission(ctx, out, &mut cloud, storage_id, account_id),
        RevokeCommand::Grant { key_id, account_id } => {
            revoke_grants(ctx, out, &mut cloud, key_id, account_id)
        }
    }
}

/// `amisim leave IMAGE ACCOUNT`: the account cancels the share made to it,
/// in the image's region.
pub fn leave(
    ctx: &Ctx<'_>,
    out: &mut dyn Write,
    image_id: &str,
    account_id: &str,
) -> anyhow::Result<()> {
    let mut cloud = open::Changing::open(ctx)?;
    let image = image(&mut cloud, image_id)?;
    let caller = as_owner(account_id, &image.region);
    cloud.call(&caller, &CancelLaunchPermission::new(&image.id))?;
    let change = Change::new("CancelImageLaunchPermission", &image.id, &caller, true);
    let text = format!(
        "Account {account_id} left the share of {} in {}: its owner {} sees the launch permission gone",
        image.id,
        caller.region,
        table::owner(&image.owner_id)
    );
    done(ctx, out, &change, text)
}

/// `amisim revoke launch-permission IMAGE PRINCIPAL`.
fn revoke_launch_permission(
    ctx: &Ctx<'_>,
    out: &mut dyn Write,
    cloud: &mut open::Changing,
    image_id: &str,
    principal: &str,
) -> anyhow::Result<()> {
    let image = image(cloud, image_id)?;
    let principal = Principal::parse(principal);
    let exists = cloud.read(|tx| {
        Ok(tx
            .list::<LaunchPermission>(Filter {
                name: Some(&image.id),
                ..Filter::default()
            })?
            .iter()
            .any(|p| p.principal == principal))
    })?;
    if !exists {
        bail!(
            "image {} has no launch permission for {}",
            image.id,
            super::images::principal_phrase(&principal)
        );
    }
    let caller = as_owner(&image.owner_id, &image.region);
    let changed = cloud.call(&caller, &RemoveLaunchPermission::new(&image.id, &principal))?;
    let change = Change::new("RemoveLaunchPermission", &image.id, &caller, changed);
    let text = format!(
        "Revoked the launch permission of {} for {} {}",
        image.id,
        super::images::principal_phrase(&principal),
        by_owner(&caller)
    );
    done(ctx, out, &change, text)
}

/// `amisim revoke storage-permission STORAGE ACCOUNT`.
fn revoke_storage_permission(
    ctx: &Ctx<'_>,
    out: &mut dyn Write,
    cloud: &mut open::Changing,
    storage_id: &str,
    account_id: &str,
) -> anyhow::Result<()> {
    let (storage, exists) = cloud.read(|tx| {
        let storage = tx.get::<Storage>(storage_id)?;
        let exists = tx
            .list::<StoragePermission>(Filter {
                name: Some(storage_id),
                ..Filter::default()
            })?
            .iter()
            .any(|p| p.account_id == account_id);
        Ok((storage, exists))
    })?;
    let storage =
        storage.ok_or_else(|| anyhow!("no snapshot or bundle {storage_id} in the store"))?;
    if !exists {
        bail!(
            "{} has no read permission for account {account_id}",
            storage.id
        );
    }
    let caller = as_owner(&storage.owner_id, &storage.region);
    let changed = cloud.call(
        &caller,
        &RemoveStoragePermission::new(&storage.id, account_id),
    )?;
    let change = Change::new("RemoveStoragePermission", &storage.id, &caller, changed);
    let text = format!(
        "Revoked the read permission of {} for account {account_id} {}",
        storage.id,
        by_owner(&caller)
    );
    done(ctx, out, &change, text)
}

/// `amisim revoke grant KEY ACCOUNT`: every grant of the key to the account,
/// whatever operations each allows.
fn revoke_grants(
    ctx: &Ctx<'_>,
    out: &mut dyn Write,
    cloud: &mut open::Changing,
    key_id: &str,
    account_id: &str,
) -> anyhow::Result<()> {
    let (key, grants) = cloud.read(|tx| {
        let key = inventory::find_key(tx, key_id)?;
        let grants = match &key {
            Some(k) => tx
                .list::<Grant>(Filter {
                    name: Some(&k.arn),
                    ..Filter::default()
                })?
                .into_iter()
                .filter(|g| g.grantee_account_id == account_id)
                .collect(),
            None => Vec::new(),
        };
        Ok((key, grants))
    })?;
    let key = key.ok_or_else(|| anyhow!("no KMS key {key_id} in the store"))?;
    if grants.is_empty() {
        bail!(
            "the KMS key {} has no grant for account {account_id}",
            key.id
        );
    }
    let caller = as_owner(&key.owner_id, &key.region);
    let mut changed = false;
    for grant in &grants {
        // The grant of every operation is the account's own; one of listed
        // operations is named by its ID.
        let request = RevokeGrant {
            grant_id: (!grant.operations.is_empty()).then(|| grant.id.clone()),
            ..RevokeGrant::new(&key.id, account_id)
        };
        changed |= cloud.call(&caller, &request)?;
    }
    let change = Change::new("RevokeGrant", &key.id, &caller, changed);
    let text = format!(
        "Revoked the grant{} of the KMS key {} to account {account_id} {}",
        if grants.len() > 1 { "s" } else { "" },
        key.id,
        by_owner(&caller)
    );
    done(ctx, out, &change, text)
}
