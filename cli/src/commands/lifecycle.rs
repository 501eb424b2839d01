//! Today's AMI life cycle from the command line: protection, disabling,
//! deprecation, references and the Recycle Bin.

use std::io::Write;

use amisim_simulator::{RecycledStorage, PROTECTION_OFF};
use anyhow::anyhow;

use super::changes::{as_owner, by_owner, done, image, Change};
use super::Ctx;
use crate::args::Scope;
use crate::{open, table};
use amisim_simulator::{
    DescribeImageReferences, DisableImage, EnableImage, RestoreFromRecycleBin,
    SetDeregistrationProtection, SetImageDeprecation,
};

pub fn protect(
    ctx: &Ctx<'_>,
    out: &mut dyn Write,
    image_id: &str,
    mode: &str,
) -> anyhow::Result<()> {
    let mut cloud = open::Changing::open(ctx)?;
    let before = image(&mut cloud, image_id)?;
    let caller = as_owner(&before.owner_id, &before.region);
    let after = cloud.call(&caller, &SetDeregistrationProtection::new(&before.id, mode))?;
    let changed = after.deregistration_protection != before.deregistration_protection;
    let action = if mode == PROTECTION_OFF {
        "DisableImageDeregistrationProtection"
    } else {
        "EnableImageDeregistrationProtection"
    };
    let change = Change::new(action, &after.id, &caller, changed);
    let text = match (&after.protected_until, mode == PROTECTION_OFF) {
        (Some(until), true) => format!(
            "Turned deregistration protection off for {} {}; its cooldown keeps it protected until {until}",
            after.id,
            by_owner(&caller)
        ),
        (None, true) => format!(
            "Turned deregistration protection off for {} {}; it can be deregistered",
            after.id,
            by_owner(&caller)
        ),
        _ => format!(
            "Protected {} from deregistration ({mode}) {}",
            after.id,
            by_owner(&caller)
        ),
    };
    done(ctx, out, &change, text)
}

pub fn set_enabled(
    ctx: &Ctx<'_>,
    out: &mut dyn Write,
    image_id: &str,
    enabled: bool,
) -> anyhow::Result<()> {
    let mut cloud = open::Changing::open(ctx)?;
    let before = image(&mut cloud, image_id)?;
    let caller = as_owner(&before.owner_id, &before.region);
    let after = if enabled {
        cloud.call(&caller, &EnableImage::new(&before.id))?
    } else {
        cloud.call(&caller, &DisableImage::new(&before.id))?
    };
    let changed = after.state != before.state;
    let action = if enabled {
        "EnableImage"
    } else {
        "DisableImage"
    };
    let change = Change::new(action, &after.id, &caller, changed);
    let text = match (changed, enabled) {
        (false, _) => format!("{} was already {}; nothing changed", after.id, after.state.as_str()),
        (true, true) => format!(
            "Enabled {} {}; no launch permission came back",
            after.id,
            by_owner(&caller)
        ),
        (true, false) => format!(
            "Disabled {} {}; its launch permissions are removed and it can no longer be launched or copied",
            after.id,
            by_owner(&caller)
        ),
    };
    done(ctx, out, &change, text)
}

pub fn deprecate(
    ctx: &Ctx<'_>,
    out: &mut dyn Write,
    image_id: &str,
    at: Option<&str>,
) -> anyhow::Result<()> {
    let mut cloud = open::Changing::open(ctx)?;
    let before = image(&mut cloud, image_id)?;
    let caller = as_owner(&before.owner_id, &before.region);
    let after = cloud.call(&caller, &SetImageDeprecation::new(&before.id, at))?;
    let changed = after.deprecation_time != before.deprecation_time;
    let action = if at.is_some() {
        "EnableImageDeprecation"
    } else {
        "DisableImageDeprecation"
    };
    let change = Change::new(action, &after.id, &caller, changed);
    let text = match &after.deprecation_time {
        Some(t) => format!("{} is deprecated from {t} {}", after.id, by_owner(&caller)),
        None => format!("{} is not deprecated {}", after.id, by_owner(&caller)),
    };
    done(ctx, out, &change, text)
}

pub fn references(ctx: &Ctx<'_>, out: &mut dyn Write, image_id: &str) -> anyhow::Result<()> {
    let (img, refs) = match &ctx.remote {
        // Through a server, as the image's owner where it is (the
        // administrator's key acts as the owner; an account's as itself).
        Some(remote) => {
            let img = image(&mut open::view(ctx)?, image_id)?;
            let refs = remote
                .in_region(&img.region)
                .call_as(Some(&img.owner_id), &DescribeImageReferences::new(&img.id))?;
            (img, refs)
        }
        None => {
            let mut cloud = open::Changing::open(ctx)?;
            let img = image(&mut cloud, image_id)?;
            let caller = as_owner(&img.owner_id, &img.region);
            let refs = cloud.call(&caller, &DescribeImageReferences::new(&img.id))?;
            (img, refs)
        }
    };
    if ctx.json {
        table::print_json(out, &refs)?;
        return Ok(());
    }
    if refs.is_empty() {
        writeln!(
            out,
            "Nothing uses {}: deregistering it strands no instance or copy",
            img.id
        )?;
        return Ok(());
    }
    let mut t = table::new(&["KIND", "ID", "ACCOUNT", "REGION", "USE"]);
    for r in &refs {
        t.add_row(vec![
            r.kind.clone(),
            r.id.clone(),
            r.account_id.clone(),
            r.region.clone(),
            r.detail.clone(),
        ]);
    }
    table::print(out, &t)?;
    Ok(())
}

pub fn recycle_bin(ctx: &Ctx<'_>, out: &mut dyn Write, scope: &Scope) -> anyhow::Result<()> {
    let mut cloud = open::view(ctx)?;
    let mut entries = cloud.recycle_bin(scope.account.as_deref())?;
    if let Some(region) = &scope.region {
        entries.retain(|e| &e.region == region);
    }
    if ctx.json {
        table::print_json(out, &entries)?;
        return Ok(());
    }
    if entries.is_empty() {
        writeln!(out, "The Recycle Bin is empty")?;
        return Ok(());
    }
    let mut t = table::new(&[
        "TYPE",
        "ID",
        "ACCOUNT",
        "REGION",
        "NAME OR IMAGE",
        "SIZE",
        "ENTERED",
        "EXPIRES",
    ]);
    for e in &entries {
        t.add_row(vec![
            e.resource_type.clone(),
            e.id.clone(),
            e.account_id.clone(),
            e.region.clone(),
            e.name.clone(),
            format!("{} GB", e.size_gb),
            e.entered.clone(),
            e.until.clone(),
        ]);
    }
    table::print(out, &t)?;
    Ok(())
}

pub fn restore(ctx: &Ctx<'_>, out: &mut dyn Write, id: &str) -> anyhow::Result<()> {
    let mut cloud = open::Changing::open(ctx)?;
    let (owner, region) = if id.starts_with("ami-") {
        let i = image(&mut cloud, id)?;
        (i.owner_id, i.region)
    } else {
        let r = cloud
            .read(|tx| tx.get::<RecycledStorage>(id))?
            .ok_or_else(|| anyhow!("no snapshot {id} in the Recycle Bin"))?;
        (r.storage.owner_id, r.storage.region)
    };
    let caller = as_owner(&owner, &region);
    let entry = cloud.call(&caller, &RestoreFromRecycleBin::new(id))?;
    let action = if id.starts_with("ami-") {
        "RestoreImageFromRecycleBin"
    } else {
        "RestoreSnapshotFromRecycleBin"
    };
    let change = Change::new(action, &entry.id, &caller, true);
    let hint = if id.starts_with("ami-") {
        "; `terraform import` can manage it again"
    } else {
        ""
    };
    let text = format!("Restored {} {}{hint}", entry.id, by_owner(&caller));
    done(ctx, out, &change, text)
}
