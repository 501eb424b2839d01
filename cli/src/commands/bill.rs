//! `amisim bill`: what each account pays per month, line by line.

use std::io::Write;

use amisim_simulator::billing::{self, BillLine};
use amisim_simulator::inventory::{self, StorageTier};
use serde::Serialize;

use super::{nothing, Ctx};
use crate::args::Scope;
use crate::{open, table};

/// One account's bill as shown in JSON: the simulator's lines, with the S3 tiers spelt out.
#[derive(Serialize)]
struct BillJson {
    account_id: String,
    lines: Vec<LineJson>,
    total_micros: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    one_off: Vec<BillLine>,
    #[serde(skip_serializing_if = "is_zero")]
    one_off_micros: i64,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    accrued: std::collections::BTreeMap<String, i64>,
    #[serde(skip_serializing_if = "is_zero")]
    accrued_micros: i64,
}

#[derive(Serialize)]
struct LineJson {
    #[serde(flatten)]
    line: BillLine,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tiers: Vec<StorageTier>,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

pub fn show(ctx: &Ctx<'_>, out: &mut dyn Write, scope: &Scope) -> anyhow::Result<()> {
    let (prices, bills) = match &ctx.remote {
        Some(remote) => (
            remote.call(&amisim_simulator::GetPriceBook {})?.prices,
            remote.call(&inventory::GetBills {
                account: scope.account.clone(),
                region: scope.region.clone(),
            })?,
        ),
        None => open::view(ctx)?.read(|tx| {
            Ok((
                billing::price_book(tx)?,
                inventory::bills(tx, scope.account.as_deref(), scope.region.as_deref())?,
            ))
        })?,
    };
    let bills: Vec<BillJson> = bills
        .into_iter()
        .map(|b| BillJson {
            account_id: b.account_id,
            total_micros: b.total_micros,
            one_off: b.one_off,
            one_off_micros: b.one_off_micros,
            accrued: b.accrued,
            accrued_micros: b.accrued_micros,
            lines: b
                .lines
                .into_iter()
                .map(|line| LineJson {
                    tiers: if line.category == amisim_simulator::BillCategory::S3BundleStorage {
                        inventory::s3_tiers(&prices, line.quantity)
                    } else {
                        Vec::new()
                    },
                    line,
                })
                .collect(),
        })
        .collect();
    if ctx.json {
        table::print_json(out, &bills)?;
        return Ok(());
    }
    if bills.is_empty() {
        nothing(out, "charges", scope, "")?;
        return Ok(());
    }
    for (n, bill) in bills.iter().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "Account {}: {} per month",
            bill.account_id,
            table::usd(bill.total_micros)
        )?;
        let mut t = table::new(&["REGION", "CATEGORY", "DESCRIPTION", "QUANTITY", "AMOUNT"]);
        if bill.lines.is_empty() {
            writeln!(out, "No monthly charges.")?;
        }
        for l in &bill.lines {
            let line = &l.line;
            if l.tiers.is_empty() {
                t.add_row(vec![
                    line.region.clone(),
                    line.category.to_string(),
                    line.description.clone(),
                    format!("{} {}", line.quantity, line.unit),
                    table::usd(line.amount_micros),
                ]);
            }
            for tier in &l.tiers {
                t.add_row(vec![
                    line.region.clone(),
                    line.category.to_string(),
                    format!(
                        "S3 Standard, {} tier ({} per GB-month)",
                        tier.tier,
                        table::usd(tier.price_gb_month_micros)
                    ),
                    format!("{} {}", tier.gb, line.unit),
                    table::usd(tier.amount_micros),
                ]);
            }
        }
        t.add_row(vec![
            String::new(),
            String::new(),
            "Total".to_string(),
            String::new(),
            table::usd(bill.total_micros),
        ]);
        table::right_align(&mut t, &[3, 4]);
        if !bill.lines.is_empty() {
            table::print(out, &t)?;
        }
        if !bill.one_off.is_empty() {
            writeln!(
                out,
                "One-off charges, not part of the monthly run rate: {}",
                table::usd(bill.one_off_micros)
            )?;
            let mut t = table::new(&[
                "MONTH",
                "REGION",
                "CATEGORY",
                "DESCRIPTION",
                "QUANTITY",
                "AMOUNT",
            ]);
            for line in &bill.one_off {
                t.add_row(vec![
                    line.month.clone().unwrap_or_default(),
                    line.region.clone(),
                    line.category.to_string(),
                    line.description.clone(),
                    format!("{} {}", line.quantity, line.unit),
                    table::usd(line.amount_micros),
                ]);
            }
            table::right_align(&mut t, &[4, 5]);
            table::print(out, &t)?;
        }
        if bill.accrued_micros > 0 {
            writeln!(
                out,
                "Accrued over the simulated time that passed (amisim clock advance): {}",
                table::usd(bill.accrued_micros)
            )?;
        }
    }
    if bills.len() > 1 {
        let total: i64 = bills.iter().map(|b| b.total_micros).sum();
        let once: i64 = bills.iter().map(|b| b.one_off_micros).sum();
        writeln!(out)?;
        let one_off = match once {
            0 => String::new(),
            n => format!(", and {} once", table::usd(n)),
        };
        writeln!(
            out,
            "All {} accounts: {} per month{one_off}",
            bills.len(),
            table::usd(total)
        )?;
    }
    Ok(())
}
