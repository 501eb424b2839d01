//! `amisim prices show` and `amisim prices set`: the price book the bill uses.

use std::io::{self, Read, Write};
use std::path::Path;

use amisim_simulator::catalogue::{self, PriceBook};
use amisim_simulator::{billing, GetPriceBook, SetPriceBook};
use anyhow::{bail, Context};

use super::Ctx;
use crate::{open, table};

pub fn show(ctx: &Ctx<'_>, out: &mut dyn Write) -> anyhow::Result<()> {
    let (prices, overridden) = match &ctx.remote {
        Some(remote) => {
            let book = remote.call(&GetPriceBook {})?;
            (book.prices, book.overridden)
        }
        None => open::view(ctx)?
            .read(|tx| Ok((billing::price_book(tx)?, tx.meta("price_book")?.is_some())))?,
    };
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
    let request = SetPriceBook {
        prices: prices.clone(),
    };
    open::administrators(ctx, &request)?;
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
    if let Some(p) = prices.prices().into_iter().find(|p| p.micros < 0) {
        bail!(
            "the price {} is {}; prices are micro-dollars of zero or more",
            p.name,
            p.micros
        );
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
    for price in p.prices() {
        let amount = if price.name == "hours_per_month" {
            price.micros.to_string()
        } else {
            table::usd(price.micros)
        };
        t.add_row(vec![price.what, price.name, amount, price.per.to_string()]);
    }
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
