//! `amisim permissions list`: launch permissions and storage read permissions.

use std::io::Write;

use amisim_simulator::inventory;
use amisim_simulator::{LaunchPermission, StoragePermission};
use serde::Serialize;

use super::{filter, nothing, Ctx};
use crate::args::Scope;
use crate::{open, table};

/// Both kinds of permission, as shown in JSON.
#[derive(Serialize)]
struct Permissions {
    launch_permissions: Vec<LaunchPermission>,
    storage_permissions: Vec<StoragePermission>,
}

pub fn list(ctx: &Ctx<'_>, out: &mut dyn Write, scope: &Scope, all: bool) -> anyhow::Result<()> {
    let mut cloud = open::view(ctx)?;
    let permissions = cloud.read(|tx| {
        Ok(Permissions {
            launch_permissions: inventory::launch_permissions(tx, filter(scope), all)?,
            storage_permissions: inventory::storage_permissions(tx, filter(scope))?,
        })
    })?;
    if ctx.json {
        table::print_json(out, &permissions)?;
        return Ok(());
    }
    if permissions.launch_permissions.is_empty() && permissions.storage_permissions.is_empty() {
        let hint = if all || scope.account.is_some() {
            ""
        } else {
            " (--all includes the public catalogue's permissions)"
        };
        nothing(out, "permissions", scope, hint)?;
        return Ok(());
    }
    let mut t = table::new(&[
        "PERMISSION",
        "OBJECT",
        "REGION",
        "OWNER",
        "GRANTED TO",
        "PRINCIPAL TYPE",
    ]);
    for p in &permissions.launch_permissions {
        t.add_row(vec![
            "launch".to_string(),
            p.image_id.clone(),
            p.region.clone(),
            table::owner(&p.owner_id),
            p.principal.as_str().to_string(),
            super::images::principal_kind(&p.principal),
        ]);
    }
    for p in &permissions.storage_permissions {
        t.add_row(vec![
            "storage read".to_string(),
            p.storage_id.clone(),
            p.region.clone(),
            table::owner(&p.owner_id),
            p.account_id.clone(),
            "account".to_string(),
        ]);
    }
    table::print(out, &t)?;
    Ok(())
}
