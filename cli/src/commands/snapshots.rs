//! `amisim snapshots list`: the storage behind images, and root volumes kept after termination.

use std::io::Write;

use amisim_simulator::inventory::{self, StorageView};
use amisim_simulator::{Storage, StorageKind};

use super::{filter, nothing, Ctx};
use crate::args::Scope;
use crate::{open, table};

pub fn list(ctx: &Ctx<'_>, out: &mut dyn Write, scope: &Scope, all: bool) -> anyhow::Result<()> {
    let mut cloud = open::view(ctx)?;
    let storage: Vec<StorageView> = cloud.read(|tx| inventory::storage(tx, filter(scope), all))?;
    if ctx.json {
        table::print_json(out, &storage)?;
        return Ok(());
    }
    if storage.is_empty() {
        let hint = if all || scope.account.is_some() {
            ""
        } else {
            " (--all includes the public catalogue's storage)"
        };
        nothing(out, "snapshots, bundles or volumes", scope, hint)?;
        return Ok(());
    }
    let mut t = table::new(&[
        "ID",
        "KIND",
        "REGION",
        "OWNER",
        "SIZE GB",
        "ENCRYPTED",
        "IMAGE",
        "IMAGE STATE",
        "READABLE BY",
    ]);
    for v in &storage {
        let s = &v.storage;
        t.add_row(vec![
            s.id.clone(),
            kind(s),
            s.region.clone(),
            table::owner(&s.owner_id),
            s.size_gb.to_string(),
            table::yes_no(s.encrypted),
            if s.kind == StorageKind::Volume {
                format!("root of {}", s.created_for_image)
            } else {
                s.created_for_image.clone()
            },
            match (s.kind, v.image_state) {
                (StorageKind::Volume, _) => "-".to_string(),
                (_, Some(st)) => st.as_str().to_string(),
                (_, None) => "unknown".to_string(),
            },
            table::readers(v),
        ]);
    }
    table::right_align(&mut t, &[4]);
    table::print(out, &t)?;
    Ok(())
}

/// `snapshot`, `bundle` or `volume`.
pub fn kind(storage: &Storage) -> String {
    match storage.kind {
        StorageKind::Snapshot => "snapshot",
        StorageKind::Bundle => "bundle",
        StorageKind::Volume => "volume",
    }
    .to_string()
}
