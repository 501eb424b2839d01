//! Human output: tables, money and the small words that fill their cells.
//!
//! Tables never wrap or adapt to the terminal, so output is the same in a
//! terminal, a pipe and a snapshot test.

use std::io::{self, Write};

use amisim_simulator::{catalogue, inventory};
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
    match catalogue::publisher(account).and_then(|p| p.alias) {
        Some(alias) => alias.to_string(),
        None => account.to_string(),
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

/// An image's watermarks, each with the image and region it was attached in.
pub fn watermarks(image_id: &str, marks: &[amisim_simulator::Watermark]) -> String {
    let marks: Vec<String> = marks
        .iter()
        .map(|w| {
            if w.source_image_id == image_id {
                format!("{} (attached to this image)", w.key)
            } else {
                format!(
                    "{} (from {} in {})",
                    w.key, w.source_image_id, w.source_image_region
                )
            }
        })
        .collect();
    list(&marks)
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

/// Output that no text from a user can take over: control characters (but
/// line breaks and tabs) are written as `\u001b`-style escapes, as `--json`
/// writes them, so a hostile tag cannot retitle, clear or move about the
/// terminal of whoever lists it. JSON passes through unchanged: it never
/// holds a raw control character.
pub struct Shielded<W: Write> {
    inner: W,
    /// A lead byte of a two-byte UTF-8 sequence held back until the next write.
    pending: Option<u8>,
}

impl<W: Write> Shielded<W> {
    /// `inner`, shielded.
    pub fn new(inner: W) -> Shielded<W> {
        Shielded {
            inner,
            pending: None,
        }
    }
}

impl<W: Write> Write for Shielded<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut out = Vec::with_capacity(buf.len());
        for &b in buf {
            match (self.pending.take(), b) {
                // C1 controls (U+0080 to U+009F) are 0xC2 0x80..=0x9F in UTF-8.
                (Some(0xC2), 0x80..=0x9F) => out.extend(format!("\\u{:04x}", b).bytes()),
                (Some(lead), _) => {
                    out.push(lead);
                    self.push(&mut out, b);
                }
                (None, _) => self.push(&mut out, b),
            }
        }
        self.inner.write_all(&out)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if let Some(lead) = self.pending.take() {
            self.inner.write_all(&[lead])?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Shielded<W> {
    fn push(&mut self, out: &mut Vec<u8>, b: u8) {
        match b {
            b'\n' | b'\t' => out.push(b),
            0x00..=0x1F | 0x7F => out.extend(format!("\\u{b:04x}").bytes()),
            0xC2 => self.pending = Some(b),
            _ => out.push(b),
        }
    }
}

/// `text` with its control characters escaped as [`Shielded`] writes them.
pub fn shield(text: &str) -> String {
    let mut out = Shielded::new(Vec::new());
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    String::from_utf8_lossy(&out.inner).into_owned()
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

    #[test]
    fn control_characters_are_escaped_and_text_is_not() {
        assert_eq!(
            super::shield("a\u{1b}]0;PWNED\u{7}\u{1b}[2J\r\u{9b}b\n\tc é ü ✓"),
            "a\\u001b]0;PWNED\\u0007\\u001b[2J\\u000d\\u009bb\n\tc é ü ✓"
        );
        assert_eq!(
            super::shield("{\"x\": \"\\u001b\"}\n"),
            "{\"x\": \"\\u001b\"}\n"
        );
    }
}
