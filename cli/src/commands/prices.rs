//! `amisim prices show` and `amisim prices set`: the price book the bill uses.

use std::io::{self, Read, Write};
use std::path::Path;

use amisim_simulator::catalogue::{self, PriceBook};
use amisim_simulator::{billing, Caller, SetPriceBook};
use anyhow::{bail, Context};

use super::Ctx;
use crate::{open, table};

pub fn show(ctx: &Ctx<'_>, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut cloud = open::read_only(ctx.store)?;
    let (prices, overridden) =
        cloud.read(|tx| Ok((billing::price_book(tx)?, tx.meta("price_book")?.is_some())))?;
    if ctx.json {
        table::print_json(out, &prices)?;
        return Ok(());
    }
    print_book(out, &prices, overridden)?;
    Ok(())
}

pub fn set(ctx: &Ctx<'_>, out: &mut dyn Write, file: &Path) -> anyhow::Result<()> {
    let text = if file == Path::new("-") {
        let mut text = String::new();
        io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the price book from stdin")?;
        text
    } else {
        std::fs::read_to_string(file)
            .with_context(|| format!("cannot read the price book {}", file.display()))?
    };
    let prices = PriceBook::from_json(&text).map_err(anyhow::Error::msg)?;
    check(&text, &prices)?;
    let mut cloud = open::or_create(ctx.store)?;
    cloud.call(
        &Caller::administrator(),
        &SetPriceBook {
            prices: prices.clone(),
        },
    )?;
    if ctx.json {
        table::print_json(out, &prices)?;
        return Ok(());
    }
    writeln!(out, "Prices set; bills use them from now on")?;
    writeln!(out)?;
    print_book(out, &prices, true)?;
    Ok(())
}

/// Refuses what `PriceBook::from_json` lets through: unknown names (typos) and negative prices.
fn check(text: &str, prices: &PriceBook) -> anyhow::Result<()> {
    let given: serde_json::Value = serde_json::from_str(text)?;
    let known = serde_json::to_value(PriceBook::default())?;
    if let (Some(given), Some(known)) = (given.as_object(), known.as_object()) {
        for name in given.keys() {
            if !known.contains_key(name) {
                let names: Vec<&str> = known.keys().map(String::as_str).collect();
                bail!(
                    "the price book has no price {name:?}; known prices: {}",
                    names.join(", ")
                );
            }
        }
    }
    let mut all = vec![
        ("ebs_snapshot_gb_month", prices.ebs_snapshot_gb_month),
        ("s3_first_50tb_gb_month", prices.s3_first_50tb_gb_month),
        ("s3_next_450tb_gb_month", prices.s3_next_450tb_gb_month),
        ("s3_over_500tb_gb_month", prices.s3_over_500tb_gb_month),
        ("inter_region_transfer_gb", prices.inter_region_transfer_gb),
        ("windows_vcpu_hour", prices.windows_vcpu_hour),
        ("hours_per_month", prices.hours_per_month),
    ];
    all.extend(
        prices
            .software_fees_hour
            .iter()
            .map(|(k, v)| (k.as_str(), *v)),
    );
    if let Some((name, value)) = all.iter().find(|(_, v)| *v < 0) {
        bail!("the price {name} is {value}; prices are micro-dollars of zero or more");
    }
    Ok(())
}

fn print_book(out: &mut dyn Write, p: &PriceBook, overridden: bool) -> io::Result<()> {
    let source = if overridden {
        "overridden with amisim prices set"
    } else {
        "the defaults: AWS us-east-1 list prices"
    };
    writeln!(out, "Price book ({source})")?;
    let mut t = table::new(&["PRICE", "NAME", "AMOUNT", "PER"]);
    let rows = [
        (
            "EBS snapshot storage",
            "ebs_snapshot_gb_month",
            p.ebs_snapshot_gb_month,
            "GB-month",
        ),
        (
            "S3 Standard, first 50 TB",
            "s3_first_50tb_gb_month",
            p.s3_first_50tb_gb_month,
            "GB-month",
        ),
        (
            "S3 Standard, next 450 TB",
            "s3_next_450tb_gb_month",
            p.s3_next_450tb_gb_month,
            "GB-month",
        ),
        (
            "S3 Standard, over 500 TB",
            "s3_over_500tb_gb_month",
            p.s3_over_500tb_gb_month,
            "GB-month",
        ),
        (
            "Inter-region data transfer",
            "inter_region_transfer_gb",
            p.inter_region_transfer_gb,
            "GB",
        ),
        (
            "Windows Server licence",
            "windows_vcpu_hour",
            p.windows_vcpu_hour,
            "vCPU-hour",
        ),
    ];
    for (what, name, micros, per) in rows {
        t.add_row(vec![
            what.to_string(),
            name.to_string(),
            table::usd(micros),
            per.to_string(),
        ]);
    }
    for (product, micros) in &p.software_fees_hour {
        t.add_row(vec![
            format!("Software fee of {product}"),
            format!("software_fees_hour.{product}"),
            table::usd(*micros),
            "hour".to_string(),
        ]);
    }
    t.add_row(vec![
        "Hours in a billing month".to_string(),
        "hours_per_month".to_string(),
        p.hours_per_month.to_string(),
        "month".to_string(),
    ]);
    table::right_align(&mut t, &[2]);
    table::print(out, &t)?;

    writeln!(out)?;
    writeln!(
        out,
        "Instance types (on-demand Linux, from the instance catalogue; not overridable)"
    )?;
    let mut t = table::new(&["TYPE", "ARCHITECTURES", "VCPUS", "PER HOUR"]);
    for it in catalogue::INSTANCE_TYPES {
        t.add_row(vec![
            it.name.to_string(),
            it.architectures.join(", "),
            it.vcpus.to_string(),
            table::usd(it.hourly_micros),
        ]);
    }
    table::right_align(&mut t, &[2, 3]);
    table::print(out, &t)?;
    Ok(())
}
