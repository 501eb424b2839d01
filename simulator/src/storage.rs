//! Describing storage: the snapshots a caller may read, its EBS volumes, and
//! who may read a snapshot it owns.

use serde::{Deserialize, Serialize};

use crate::access::{self, can_read_storage};
use crate::call::{calls, Ctx};
use crate::error::{refuse, ErrorKind, Result};
use crate::model::{Instance, InstanceState, Storage, StorageKind, StoragePermission};
use crate::store::{Filter, Tx};
use crate::validate;

/// DescribeSnapshots: the snapshots of the caller's region it may read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeSnapshots {
    /// Only these snapshots; each must exist and be readable.
    pub snapshot_ids: Vec<String>,
    /// Only snapshots of these owners (`self` for the caller, or account IDs).
    pub owners: Vec<String>,
}

/// DescribeVolumes: the caller's EBS volumes in its region, the root volumes
/// of its instances and those kept after their instance terminated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeVolumes {
    /// Only these volumes; each must exist.
    pub volume_ids: Vec<String>,
}

/// DescribeSnapshotAttribute (createVolumePermission): the accounts that may
/// read a snapshot the caller owns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescribeStoragePermissions {
    /// The snapshot or bundle.
    pub storage_id: String,
}

pub use crate::model::Volume;

calls! {
    DescribeSnapshots => Vec<Storage>, "DescribeSnapshots", reads, Nothing,
        |r, tx, ctx| snapshots(tx, ctx, r);
    DescribeVolumes => Vec<Volume>, "DescribeVolumes", reads, Nothing,
        |r, tx, ctx| volumes(tx, ctx, &r.volume_ids);
    DescribeStoragePermissions => Vec<StoragePermission>, "DescribeSnapshotAttribute", reads, Storage(storage_id),
        |r, tx, ctx| storage_permissions(tx, ctx, &r.storage_id);
}

pub(crate) fn snapshot_not_found<T>(ctx: &Ctx<'_>, id: &str) -> Result<T> {
    refuse(
        ErrorKind::StorageNotFound,
        format!(
            "The snapshot '{}' does not exist in {}",
            validate::shorten(id),
            ctx.caller.region
        ),
        "Use a snapshot ID from an image's block device mapping, in the same region",
    )
}

fn snapshots(tx: &Tx<'_>, ctx: &Ctx<'_>, r: &DescribeSnapshots) -> Result<Vec<Storage>> {
    let me = ctx.caller.account_id.as_str();
    let region = ctx.caller.region.as_str();
    let owners: Vec<&str> = r
        .owners
        .iter()
        .map(|o| if o == "self" { me } else { o.as_str() })
        .collect();
    for o in &owners {
        if *o != "amazon" {
            validate::account_id(o)?;
        }
    }
    let wanted = |s: &Storage| owners.is_empty() || owners.contains(&s.owner_id.as_str());
    let mut out = Vec::new();
    if !r.snapshot_ids.is_empty() {
        for id in &r.snapshot_ids {
            match tx.get::<Storage>(id)? {
                Some(s)
                    if s.kind == StorageKind::Snapshot
                        && s.region == region
                        && can_read_storage(tx, me, &s)? =>
                {
                    if wanted(&s) && !out.contains(&s) {
                        out.push(s);
                    }
                }
                _ => return snapshot_not_found(ctx, id),
            }
        }
        return Ok(out);
    }
    // The caller's own snapshots, and those shared with it by name; public
    // snapshots (the catalogue's) only when their owner is asked for.
    let mut candidates: Vec<Storage> = Vec::new();
    let mut accounts: Vec<&str> = if owners.is_empty() {
        vec![me]
    } else {
        owners.clone()
    };
    accounts.dedup();
    for account in accounts {
        candidates.extend(tx.list::<Storage>(Filter {
            account: Some(account),
            region: Some(region),
            name: None,
        })?);
    }
    if owners.is_empty() {
        for p in tx.list::<StoragePermission>(Filter {
            region: Some(region),
            ..Filter::default()
        })? {
            if p.account_id == me {
                candidates.extend(tx.get::<Storage>(&p.storage_id)?);
            }
        }
    }
    for s in candidates {
        if s.kind == StorageKind::Snapshot
            && wanted(&s)
            && can_read_storage(tx, me, &s)?
            && !out.iter().any(|o: &Storage| o.id == s.id)
        {
            out.push(s);
        }
    }
    out.sort_by(|a, b| (&a.start_time, &a.id).cmp(&(&b.start_time, &b.id)));
    Ok(out)
}

fn not_a_volume<T>(ctx: &Ctx<'_>, id: &str) -> Result<T> {
    refuse(
        ErrorKind::VolumeNotFound,
        format!(
            "The volume '{}' does not exist in account {} in {}",
            validate::shorten(id),
            ctx.caller.account_id,
            ctx.caller.region
        ),
        "List the account's volumes with DescribeVolumes: an instance's root volume, or one kept after it terminated",
    )
}

/// The refusal to delete a volume the caller has no kept volume by that ID:
/// the root volume of one of its live instances is in use, any other is not found.
pub(crate) fn volume_not_found(tx: &Tx<'_>, ctx: &Ctx<'_>, id: &str) -> Result<bool> {
    let mine = Filter {
        account: Some(&ctx.caller.account_id),
        region: Some(&ctx.caller.region),
        name: None,
    };
    let attached = tx
        .list::<Instance>(mine)?
        .into_iter()
        .find(|i| i.state != InstanceState::Terminated && i.root_volume_id.as_deref() == Some(id));
    match attached {
        Some(i) => refuse(
            ErrorKind::VolumeInUse,
            format!("Volume {id} is currently attached to {}: it is that instance's root volume", i.id),
            "Terminate the instance first; its root volume is deleted with it unless DeleteOnTermination is false",
        ),
        None => not_a_volume(ctx, id),
    }
}

fn volumes(tx: &Tx<'_>, ctx: &Ctx<'_>, ids: &[String]) -> Result<Vec<Volume>> {
    let me = Filter {
        account: Some(&ctx.caller.account_id),
        region: Some(&ctx.caller.region),
        name: None,
    };
    let mut all = Vec::new();
    for i in tx.list::<Instance>(me)? {
        let Some(id) = i.root_volume_id.clone() else {
            continue;
        };
        if i.state == InstanceState::Terminated {
            continue;
        }
        let image = access::image_in(tx, &i.image_id, &i.region)?;
        all.push(Volume {
            id,
            region: i.region.clone(),
            owner_id: i.owner_id.clone(),
            size_gb: i.root_volume_size_gb,
            kms_key_arn: image.as_ref().and_then(|im| im.kms_key_arn.clone()),
            create_time: i.launch_time.clone(),
            snapshot_id: image.and_then(|im| im.storage_ids.first().cloned()),
            attached_to: Some(i.id.clone()),
            delete_on_termination: i.root_delete_on_termination,
            platform: i.platform.clone(),
        });
    }
    for s in tx.list::<Storage>(me)? {
        if s.kind == StorageKind::Volume {
            let instance = tx.get::<Instance>(&s.created_for_image)?;
            let image = match &instance {
                Some(i) => access::image_in(tx, &i.image_id, &i.region)?,
                None => None,
            };
            all.push(Volume {
                id: s.id.clone(),
                region: s.region.clone(),
                owner_id: s.owner_id.clone(),
                size_gb: s.size_gb,
                kms_key_arn: s.kms_key_arn.clone(),
                create_time: s.start_time.clone(),
                snapshot_id: image.and_then(|im| im.storage_ids.first().cloned()),
                attached_to: None,
                delete_on_termination: false,
                platform: instance.map(|i| i.platform).unwrap_or_default(),
            });
        }
    }
    all.sort_by(|a, b| (&a.create_time, &a.id).cmp(&(&b.create_time, &b.id)));
    if ids.is_empty() {
        return Ok(all);
    }
    let mut out = Vec::new();
    for id in ids {
        match all.iter().find(|v| &v.id == id) {
            Some(v) => out.push(v.clone()),
            None => return not_a_volume(ctx, id),
        }
    }
    Ok(out)
}

fn storage_permissions(
    tx: &Tx<'_>,
    ctx: &Ctx<'_>,
    storage_id: &str,
) -> Result<Vec<StoragePermission>> {
    let storage = tx
        .get::<Storage>(storage_id)?
        .filter(|s| s.region == ctx.caller.region && s.kind != StorageKind::Volume);
    match storage {
        Some(s)
            if crate::access::owns_storage(
                tx,
                ctx,
                &s,
                "Only the owner of a snapshot can list who may read it",
            )? =>
        {
            tx.list::<StoragePermission>(Filter {
                account: Some(&ctx.caller.account_id),
                region: Some(&ctx.caller.region),
                name: Some(storage_id),
            })
        }
        _ => snapshot_not_found(ctx, storage_id),
    }
}
