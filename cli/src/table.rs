//! Human output: tables, money and the small words that fill their cells.
//!
//! Tables never wrap or adapt to the terminal, so output is the same in a
//! terminal, a pipe and a snapshot test.

use std::io::{self, Write};

use amisim_simulator::{inventory, AMAZON, AMAZON_ACCOUNT, MARKETPLACE, MARKETPLACE_ACCOUNT};
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};
use serde::Serialize;

/// A header line under the column names, and no other lines.
const STYLE: &str = "     ─              ";

/// A table with these column headers.
pub fn new(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(STYLE)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty()
        .set_header(header.iter().map(Cell::new));
    table
}

/// A two-column table of names and values, without a header.
pub fn key_values(rows: Vec<(&str, String)>) -> Table {
    let mut table = Table::new();
    table
        .load_preset(comfy_table::presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty();
    for (k, v) in rows {
        table.add_row(vec![Cell::new(k), Cell::new(v)]);
    }
    table
}

/// Aligns the given columns to the right (numbers and money).
pub fn right_align(table: &mut Table, columns: &[usize]) {
    for &c in columns {
        if let Some(column) = table.column_mut(c) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// Writes a table, without trailing spaces on its lines.
pub fn print(out: &mut dyn Write, table: &Table) -> io::Result<()> {
    for line in table.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Writes a value as pretty JSON and a newline.
pub fn print_json<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// Micro-dollars as dollars with 2 to 4 decimals: `$0.40`, `$0.0104`, `$1234.5678`.
///
/// Amounts are rounded (half away from zero) to a hundredth of a cent.
pub fn usd(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let hundredths_of_cents = (micros.unsigned_abs() + 50) / 100;
    let dollars = hundredths_of_cents / 10_000;
    let mut decimals = format!("{:04}", hundredths_of_cents % 10_000);
    while decimals.len() > 2 && decimals.ends_with('0') {
        decimals.pop();
    }
    format!("{sign}${dollars}.{decimals}")
}

/// The owner as people know it: the catalogue's alias, or the account ID.
pub fn owner(account: &str) -> String {
    match account {
        AMAZON_ACCOUNT => AMAZON.to_string(),
        MARKETPLACE_ACCOUNT => MARKETPLACE.to_string(),
        other => other.to_string(),
    }
}

/// `yes` or `no`.
pub fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_string()
}

/// The items joined by commas, or `-` for none.
pub fn list(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_string()
    } else {
        items.join(", ")
    }
}

/// The value, or `-` for none.
pub fn or_dash(value: Option<&str>) -> String {
    match value {
        Some(v) if !v.is_empty() => v.to_string(),
        _ => "-".to_string(),
    }
}

/// Tags as `key=value` pairs, or `-`.
pub fn tags(tags: &amisim_simulator::Tags) -> String {
    let pairs: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
    list(&pairs)
}

/// Who may read a snapshot or bundle: everyone, the owner only, or the owner and some accounts.
pub fn readers(view: &inventory::StorageView) -> String {
    if view.storage.public_read {
        "everyone".to_string()
    } else if view.shared_with.is_empty() {
        "owner only".to_string()
    } else {
        format!("owner, {}", view.shared_with.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::usd;

    #[test]
    fn money_has_two_to_four_decimals() {
        assert_eq!(usd(400_000), "$0.40");
        assert_eq!(usd(10_400), "$0.0104");
        assert_eq!(usd(5_200), "$0.0052");
        assert_eq!(usd(0), "$0.00");
        assert_eq!(usd(1_234_567_800), "$1234.5678");
        assert_eq!(usd(50), "$0.0001");
        assert_eq!(usd(49), "$0.00");
        assert_eq!(usd(-230_000), "-$0.23");
        assert_eq!(usd(7_592_000), "$7.592");
    }
}
