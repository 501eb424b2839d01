//! The simulated cloud's times as AWS writes them (`2025-01-01T00:00:01.000Z`)
//! and the durations people type (`25h`, `7d`): pure functions, below
//! every module that dates anything. The clock itself, which the store
//! keeps, is in [`crate::ids`].

/// The simulated clock's first instant: 2025-01-01T00:00:00Z.
pub const EPOCH_SECONDS: i64 = 1_735_689_600;
/// How far a change is dated after what it depends on.
pub const STEP_SECONDS: i64 = 1;

/// One step past the latest of `epoch` and the times in `after`.
pub fn after(epoch: i64, after: &[&str]) -> i64 {
    after
        .iter()
        .filter_map(|t| parse_time(t))
        .fold(epoch, i64::max)
        + STEP_SECONDS
}

/// Parses a duration such as `25h`, `90m`, `30s`, `7d` or `1h30m`.
pub fn parse_duration(text: &str) -> Option<i64> {
    let mut total: i64 = 0;
    let mut number = String::new();
    let mut any = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        let n: i64 = number.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        number.clear();
        any = true;
    }
    (any && number.is_empty()).then_some(total)
}

/// A duration as [`parse_duration`] reads it, in its largest whole units:
/// `20m`, `1h30m`, `2d`, `45s`.
pub fn format_duration(seconds: i64) -> String {
    if seconds <= 0 {
        return "0s".to_string();
    }
    let mut left = seconds;
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if left >= size {
            out.push_str(&format!("{}{unit}", left / size));
            left %= size;
        }
    }
    out
}

/// Reads a time written by [`format_time`].
pub fn parse_time(text: &str) -> Option<i64> {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].000Z");
    time::PrimitiveDateTime::parse(text, &format)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

/// Formats a time as AWS prints creation dates: `2025-01-01T00:00:01.000Z`.
pub fn format_time(seconds: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(seconds)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_the_cli_writes_them() {
        assert_eq!(parse_duration("25h"), Some(90_000));
        assert_eq!(parse_duration("1h30m"), Some(5_400));
        assert_eq!(parse_duration("7d"), Some(604_800));
        assert_eq!(parse_duration("45s"), Some(45));
        for bad in ["", "h", "10", "1x", "-1h", "1h30"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn time_is_formatted_like_aws() {
        assert_eq!(format_time(EPOCH_SECONDS + 61), "2025-01-01T00:01:01.000Z");
        assert_eq!(
            parse_time("2025-01-01T00:01:01.000Z"),
            Some(EPOCH_SECONDS + 61)
        );
    }
}
