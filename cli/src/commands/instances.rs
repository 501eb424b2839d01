//! `amisim instances list` and `amisim instances show`.

use std::io::Write;

use amisim_simulator::{inventory, Instance};
use anyhow::anyhow;
use serde::Serialize;

use super::{filter, nothing, Ctx};
use crate::args::Scope;
use crate::{open, table};

/// An instance as shown in JSON: its stored attributes and its ARN.
#[derive(Serialize)]
struct InstanceJson<'a> {
    #[serde(flatten)]
    instance: &'a Instance,
    arn: String,
}

fn json(instance: &Instance) -> InstanceJson<'_> {
    InstanceJson {
        instance,
        arn: instance.arn(),
    }
}

pub fn list(ctx: &Ctx<'_>, out: &mut dyn Write, scope: &Scope) -> anyhow::Result<()> {
    let mut cloud = open::view(ctx)?;
    let instances = cloud.read(|tx| inventory::instances(tx, filter(scope)))?;
    if ctx.json {
        let rows: Vec<InstanceJson<'_>> = instances.iter().map(json).collect();
        table::print_json(out, &rows)?;
        return Ok(());
    }
    if instances.is_empty() {
        nothing(out, "instances", scope, "")?;
        return Ok(());
    }
    let mut t = table::new(&[
        "ID", "REGION", "OWNER", "IMAGE", "TYPE", "STATE", "ROOT", "BOOT S", "PER HOUR", "LAUNCHED",
    ]);
    for i in &instances {
        t.add_row(vec![
            i.id.clone(),
            i.region.clone(),
            i.owner_id.clone(),
            i.image_id.clone(),
            i.instance_type.clone(),
            i.state.as_str().to_string(),
            i.root_device_type.to_string(),
            i.boot_time_seconds.to_string(),
            table::usd(i.hourly_cost_micros),
            i.launch_time.clone(),
        ]);
    }
    table::right_align(&mut t, &[7, 8]);
    table::print(out, &t)?;
    Ok(())
}

pub fn show(ctx: &Ctx<'_>, out: &mut dyn Write, instance_id: &str) -> anyhow::Result<()> {
    let mut cloud = open::view(ctx)?;
    let instance = cloud
        .read(|tx| tx.get::<Instance>(instance_id))?
        .ok_or_else(|| anyhow!("no instance {instance_id} in the store"))?;
    if ctx.json {
        table::print_json(out, &json(&instance))?;
        return Ok(());
    }
    let i = &instance;
    writeln!(out, "Instance {}", i.id)?;
    let user_data = if i.user_data.is_empty() {
        "-".to_string()
    } else {
        "below".to_string()
    };
    let rows = vec![
        ("ID", i.id.clone()),
        ("ARN", i.arn()),
        ("Owner", i.owner_id.clone()),
        ("Region", i.region.clone()),
        ("Image", i.image_id.clone()),
        ("Instance type", i.instance_type.clone()),
        ("State", i.state.as_str().to_string()),
        ("Launch time", i.launch_time.clone()),
        ("Architecture", i.architecture.clone()),
        ("Platform", i.platform.clone()),
        ("Root device type", i.root_device_type.to_string()),
        ("Root volume size", format!("{} GB", i.root_volume_size_gb)),
        (
            "Root volume",
            match &i.root_volume_id {
                Some(v) if i.root_delete_on_termination => {
                    format!("{v} (deleted on termination)")
                }
                Some(v) => format!("{v} (kept after termination)"),
                None => "- (instance store, lost on termination)".to_string(),
            },
        ),
        ("Root data lost", table::yes_no(i.root_data_lost)),
        ("Billing products", table::list(&i.billing_products)),
        ("Software", table::list(&i.software)),
        ("Boot time", format!("{} s", i.boot_time_seconds)),
        (
            "Hourly cost",
            format!("{} per hour", table::usd(i.hourly_cost_micros)),
        ),
        ("User data", user_data),
        ("Tags", table::tags(&i.tags)),
    ];
    table::print(out, &table::key_values(rows))?;
    if !i.user_data.is_empty() {
        writeln!(out)?;
        writeln!(out, "User data")?;
        for line in i.user_data.lines() {
            writeln!(out, "  {line}")?;
        }
    }
    Ok(())
}
