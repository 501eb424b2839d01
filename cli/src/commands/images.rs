//! `amisim images list` and `amisim images show`.

use std::io::Write;

use amisim_simulator::inventory::{self, Derivation, ImageReport, LineageNode};
use amisim_simulator::{fixtures, Image, Principal};
use anyhow::anyhow;
use serde::Serialize;

use super::{filter, nothing, Ctx};
use crate::args::Scope;
use crate::{open, table};

/// An image as listed in JSON: its stored attributes and its ARN.
#[derive(Serialize)]
struct ImageJson<'a> {
    #[serde(flatten)]
    image: &'a Image,
    arn: String,
}

pub fn list(ctx: &Ctx<'_>, out: &mut dyn Write, scope: &Scope, all: bool) -> anyhow::Result<()> {
    let mut cloud = open::view(ctx)?;
    let images = cloud.read(|tx| inventory::images(tx, filter(scope), all, all))?;
    if ctx.json {
        let rows: Vec<ImageJson<'_>> = images
            .iter()
            .map(|image| ImageJson {
                image,
                arn: image.arn(),
            })
            .collect();
        table::print_json(out, &rows)?;
        return Ok(());
    }
    if images.is_empty() {
        let hint = if all {
            ""
        } else {
            " (--all includes the public catalogue and deregistered images)"
        };
        nothing(out, "images", scope, hint)?;
        return Ok(());
    }
    let mut t = table::new(&[
        "ID",
        "REGION",
        "OWNER",
        "NAME",
        "STATE",
        "ARCH",
        "ROOT",
        "SIZE GB",
        "ENCRYPTED",
        "SOURCE",
    ]);
    for i in &images {
        t.add_row(vec![
            i.id.clone(),
            i.region.clone(),
            table::owner(&i.owner_id),
            i.name.clone(),
            i.state.as_str().to_string(),
            i.architecture.clone(),
            i.root_device_type.to_string(),
            i.size_gb.to_string(),
            table::yes_no(i.encrypted),
            source(i),
        ]);
    }
    table::right_align(&mut t, &[7]);
    table::print(out, &t)?;
    Ok(())
}

/// `amisim images load FILE`: the administrator's LoadImages.
pub fn load(ctx: &Ctx<'_>, out: &mut dyn Write, file: &std::path::Path) -> anyhow::Result<()> {
    let request = fixtures::read(file)?;
    // Fixtures are often the first thing a new cloud holds.
    let loaded = open::administrators(ctx, &request)?;
    if ctx.json {
        table::print_json(out, &loaded)?;
        return Ok(());
    }
    let regions: std::collections::BTreeSet<&str> =
        loaded.images.iter().map(|i| i.region.as_str()).collect();
    let snapshots: usize = loaded.images.iter().map(|i| i.snapshot_ids.len()).sum();
    writeln!(
        out,
        "Loaded {} images of {}: {} entries into {} regions, with {} snapshots or bundles; `amisim images list --all` lists them",
        loaded.images.len(),
        loaded.file,
        loaded.entries,
        regions.len(),
        snapshots
    )?;
    Ok(())
}

/// Where an image came from, in a few words.
fn source(image: &Image) -> String {
    if let Some(fixture) = &image.fixture {
        return format!("fixture {}", fixture.file);
    }
    match (&image.source_image_id, &image.source_instance_id) {
        (Some(id), _) => format!(
            "copy of {id} ({})",
            image.source_image_region.as_deref().unwrap_or("?")
        ),
        (None, Some(instance)) => format!("image of {instance}"),
        (None, None) => "-".to_string(),
    }
}

pub fn show(ctx: &Ctx<'_>, out: &mut dyn Write, image_id: &str) -> anyhow::Result<()> {
    let mut cloud = open::view(ctx)?;
    let report = cloud
        .read(|tx| inventory::image_report(tx, image_id))?
        .ok_or_else(|| anyhow!("no image {image_id} in the store"))?;
    if ctx.json {
        table::print_json(out, &report)?;
        return Ok(());
    }
    print_report(out, &report)?;
    Ok(())
}

fn print_report(out: &mut dyn Write, r: &ImageReport) -> std::io::Result<()> {
    writeln!(out, "Image {}", r.image.id)?;
    table::print(out, &table::key_values(attributes(r)))?;
    print_launch_permissions(out, r)?;
    print_storage(out, r)?;
    print_instances(out, r)?;
    print_lineage(out, r)
}

/// The image's attributes, with its life-cycle settings only when they are in force.
fn attributes(r: &ImageReport) -> Vec<(&'static str, String)> {
    let i = &r.image;
    let owner = match &i.owner_alias {
        Some(alias) => format!("{} ({alias})", i.owner_id),
        None => i.owner_id.clone(),
    };
    let mut attributes = vec![
        ("ID", i.id.clone()),
        ("ARN", r.arn.clone()),
        ("Name", i.name.clone()),
        ("Description", table::or_dash(Some(&i.description))),
        ("Owner", owner),
        ("Region", i.region.clone()),
        ("State", i.state.as_str().to_string()),
        ("Creation date", i.creation_date.clone()),
        (
            "Deregistration time",
            table::or_dash(i.deregistration_time.as_deref()),
        ),
        ("Architecture", i.architecture.clone()),
        ("Platform", i.platform.clone()),
        ("Root device type", i.root_device_type.to_string()),
        ("Size", format!("{} GB", i.size_gb)),
        ("Encrypted", table::yes_no(i.encrypted)),
        ("KMS key", table::or_dash(i.kms_key_arn.as_deref())),
        ("Storage IDs", table::list(&i.storage_ids)),
        ("Billing products", table::list(&i.billing_products)),
        ("Baked software", table::list(&i.baked_software)),
        ("Source image", source_image(i)),
        (
            "Source instance",
            table::or_dash(i.source_instance_id.as_deref()),
        ),
        ("Public", table::yes_no(r.public)),
        (
            "Storage cost",
            format!("{} per month", table::usd(r.monthly_storage_cost_micros)),
        ),
        ("Tags", table::tags(&i.tags)),
    ];
    // Life-cycle settings show only when they are in force.
    if i.deregistration_protection != amisim_simulator::Protection::Disabled
        || i.protected_until.is_some()
    {
        let until = i
            .protected_until
            .as_deref()
            .map(|u| format!(" (cooldown until {u})"))
            .unwrap_or_default();
        attributes.push((
            "Deregistration protection",
            format!("{}{until}", i.deregistration_protection),
        ));
    }
    if let Some(t) = &i.deprecation_time {
        attributes.push(("Deprecation time", t.clone()));
    }
    if let Some(t) = &i.last_launched_time {
        attributes.push(("Last launched", t.clone()));
    }
    if let Some(t) = &i.recycle_bin_until {
        attributes.push(("In the Recycle Bin until", t.clone()));
    }
    // The owner's newer settings, likewise only when set.
    if !i.supported_instance_types.is_empty() {
        attributes.push((
            "Supported instance types",
            table::list(&i.supported_instance_types),
        ));
    }
    if !i.unsupported_instance_types.is_empty() {
        attributes.push((
            "Unsupported instance types",
            table::list(&i.unsupported_instance_types),
        ));
    }
    if !i.watermarks.is_empty() {
        attributes.push(("Watermarks", table::watermarks(&i.id, &i.watermarks)));
    }
    attributes
}

fn print_launch_permissions(out: &mut dyn Write, r: &ImageReport) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(out, "Launch permissions")?;
    if r.launch_permissions.is_empty() {
        writeln!(out, "  none: only the owner may launch it")?;
    } else {
        let mut t = table::new(&["PRINCIPAL", "TYPE"]);
        for p in &r.launch_permissions {
            t.add_row(vec![
                p.principal.as_str().to_string(),
                principal_kind(&p.principal),
            ]);
        }
        table::print(out, &t)?;
    }

    Ok(())
}

fn print_storage(out: &mut dyn Write, r: &ImageReport) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(out, "Storage")?;
    if r.storage.is_empty() {
        writeln!(out, "  none: the image's storage was deleted")?;
    } else {
        let mut t = table::new(&["ID", "KIND", "SIZE GB", "ENCRYPTED", "READABLE BY"]);
        for s in &r.storage {
            t.add_row(vec![
                s.storage.id.clone(),
                super::snapshots::kind(&s.storage),
                s.storage.size_gb.to_string(),
                table::yes_no(s.storage.encrypted),
                table::readers(s),
            ]);
        }
        table::right_align(&mut t, &[2]);
        table::print(out, &t)?;
    }

    Ok(())
}

fn print_instances(out: &mut dyn Write, r: &ImageReport) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(out, "Instances launched from it")?;
    if r.instances.is_empty() {
        writeln!(out, "  none")?;
    } else {
        let mut t = table::new(&["ID", "REGION", "OWNER", "TYPE", "STATE"]);
        for n in &r.instances {
            t.add_row(vec![
                n.id.clone(),
                n.region.clone(),
                n.owner_id.clone(),
                n.instance_type.clone(),
                n.state.as_str().to_string(),
            ]);
        }
        table::print(out, &t)?;
    }

    Ok(())
}

fn print_lineage(out: &mut dyn Write, r: &ImageReport) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(out, "Lineage")?;
    for line in lineage_lines(&r.lineage) {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}

fn source_image(image: &Image) -> String {
    match &image.source_image_id {
        Some(id) => format!(
            "{id} ({})",
            image.source_image_region.as_deref().unwrap_or("?")
        ),
        None => "-".to_string(),
    }
}

/// The kind of a launch permission's principal, in words.
pub fn principal_kind(p: &Principal) -> String {
    match p {
        Principal::Account(_) => "account",
        Principal::Group(_) => "group (public)",
        Principal::Organization(_) => "organization",
        Principal::OrganizationalUnit(_) => "organizational unit",
    }
    .to_string()
}

/// A launch permission's principal in words: `account 111111111111`, `everyone (group all)`.
pub fn principal_phrase(p: &Principal) -> String {
    match p {
        Principal::Account(a) => format!("account {a}"),
        Principal::Group(g) if g == "all" => "everyone (group all)".to_string(),
        Principal::Group(g) => format!("group {g}"),
        Principal::Organization(o) => format!("organization {o}"),
        Principal::OrganizationalUnit(u) => format!("organizational unit {u}"),
    }
}

/// The lineage tree drawn with box-drawing characters, one image per line.
fn lineage_lines(root: &LineageNode) -> Vec<String> {
    let mut lines = vec![node_text(root)];
    draw_children(root, "", &mut lines);
    lines
}

fn draw_children(node: &LineageNode, prefix: &str, lines: &mut Vec<String>) {
    for (n, child) in node.children.iter().enumerate() {
        let last = n + 1 == node.children.len();
        let (branch, next) = if last {
            ("└── ", "    ")
        } else {
            ("├── ", "│   ")
        };
        lines.push(format!("{prefix}{branch}{}", node_text(child)));
        draw_children(child, &format!("{prefix}{next}"), lines);
    }
}

fn node_text(node: &LineageNode) -> String {
    let how = match &node.derivation {
        Derivation::Original => String::new(),
        Derivation::Copy => "copy: ".to_string(),
        Derivation::Restore { object } => format!("restored from s3://{object}: "),
        Derivation::FromInstance { instance_id } => format!("image of {instance_id}: "),
    };
    let mut text = match (&node.owner_id, &node.name, node.state) {
        (Some(owner), Some(name), Some(state)) => format!(
            "{how}{}  {}  {}  {name}  {}",
            node.image_id,
            node.region.as_deref().unwrap_or("?"),
            table::owner(owner),
            state.as_str()
        ),
        _ => format!(
            "{how}{}  {}  (not in the store)",
            node.image_id,
            node.region.as_deref().unwrap_or("?")
        ),
    };
    if node.selected {
        text.push_str("  ◀ this image");
    }
    text
}
