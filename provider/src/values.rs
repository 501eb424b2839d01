//! Terraform values in state structs, and conversions to and from the simulator's types.

use std::collections::BTreeMap;

use amisim_simulator::Tags;
use tf_provider::value::Value;

/// A string attribute.
pub type Str = Value<String>;
/// A number attribute.
pub type Num = Value<i64>;
/// A money amount in US dollars (a number attribute with decimals).
pub type Float = Value<Money>;
/// A boolean attribute.
pub type Bool = Value<bool>;
/// A list of strings.
pub type StrList = Value<Vec<Value<String>>>;
/// A map of strings (tags).
pub type StrMap = Value<BTreeMap<String, Value<String>>>;

/// The string if it is known and not null.
pub fn known(v: &Str) -> Option<&str> {
    v.as_ref_option().map(String::as_str)
}

/// A known string, or null.
pub fn opt(v: Option<&str>) -> Str {
    match v {
        Some(s) => Value::Value(s.to_string()),
        None => Value::Null,
    }
}

/// A known string.
pub fn str(v: &str) -> Str {
    Value::Value(v.to_string())
}

/// The tags of a map attribute (null means none).
pub fn tags_of(v: &StrMap) -> Tags {
    v.as_ref_option()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_ref_option().map(|v| (k.clone(), v.clone())))
                .collect()
        })
        .unwrap_or_default()
}

/// Tags as a map attribute; empty tags stay null when the prior value was null.
pub fn tags_value(prior: &StrMap, tags: &Tags) -> StrMap {
    if tags.is_empty() && !matches!(prior, Value::Value(m) if m.is_empty()) {
        Value::Null
    } else {
        Value::Value(
            tags.iter()
                .map(|(k, v)| (k.clone(), Value::Value(v.clone())))
                .collect(),
        )
    }
}

/// The strings of a list attribute (null means empty).
pub fn list_of(v: &StrList) -> Vec<String> {
    v.as_ref_option()
        .map(|l| {
            l.iter()
                .filter_map(|s| s.as_ref_option().cloned())
                .collect()
        })
        .unwrap_or_default()
}

/// Strings as a list attribute.
pub fn list_value(items: &[String]) -> StrList {
    Value::Value(items.iter().map(|s| Value::Value(s.clone())).collect())
}

/// Strings as a set attribute; none stays null when it was (an attribute
/// left out of the configuration).
pub fn set_or_null(prior: &StrList, values: &[String]) -> StrList {
    if values.is_empty() && matches!(prior, Value::Null) {
        Value::Null
    } else {
        list_value(values)
    }
}

/// Whether any value in the list or map is unknown.
pub fn list_has_unknown(v: &StrList) -> bool {
    match v {
        Value::Unknown => true,
        Value::Value(l) => l.iter().any(|s| matches!(s, Value::Unknown)),
        Value::Null => false,
    }
}

/// Whether the map or any of its values is unknown.
pub fn map_has_unknown(v: &StrMap) -> bool {
    match v {
        Value::Unknown => true,
        Value::Value(m) => m.values().any(|s| matches!(s, Value::Unknown)),
        Value::Null => false,
    }
}

/// A whole-number attribute a user writes, as Terraform sent it.
///
/// Terraform numbers are arbitrary-precision: a fraction (`8.5`) or a number
/// past 64 bits (`1e26`, `2^63`) arrives as a float or as decimal text. Reading
/// those into an `i64` would fail before any validation runs, with a decoding
/// error naming no attribute; this type keeps them, so that validation reports
/// the attribute, the code and the valid range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whole {
    /// A whole number that fits in 64 bits.
    Int(i64),
    /// A whole number past 64 bits (`1e20`), as text: out of any range.
    Huge(String),
    /// A fraction, as text.
    NotInt(String),
}

/// A whole-number attribute written by users.
pub type WholeNum = Value<Whole>;

impl Whole {
    /// The number, if it is whole and fits in 64 bits.
    pub fn int(&self) -> Option<i64> {
        match self {
            Whole::Int(n) => Some(*n),
            Whole::Huge(_) | Whole::NotInt(_) => None,
        }
    }

    /// Checks the number with `check`, or with `not_whole` when it is a
    /// fraction. A whole number past 64 bits is checked as the 64-bit number
    /// nearest it, so it gets the range's own refusal, naming the number as
    /// written.
    pub fn check(
        &self,
        check: impl Fn(i64) -> amisim_simulator::Result<()>,
        not_whole: impl Fn(&str) -> amisim_simulator::Result<()>,
    ) -> amisim_simulator::Result<()> {
        match self {
            Whole::Int(n) => check(*n),
            Whole::Huge(text) => {
                let nearest = if text.starts_with('-') {
                    i64::MIN
                } else {
                    i64::MAX
                };
                match check(nearest) {
                    Err(mut e) => {
                        let shown = amisim_simulator::validate::shorten(text);
                        e.message = e.message.replace(&nearest.to_string(), &shown);
                        Err(e)
                    }
                    // No range to name: such a number cannot be held at all.
                    Ok(()) => not_whole(text),
                }
            }
            Whole::NotInt(text) => not_whole(text),
        }
    }

    /// A whole number, or a number of the given text that is not one (a
    /// fraction, or a whole number past 64 bits when it is `huge`).
    fn other(text: String, huge: bool) -> Whole {
        if huge {
            Whole::Huge(text)
        } else {
            Whole::NotInt(text)
        }
    }
}

impl serde::Serialize for Whole {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Whole::Int(n) => s.serialize_i64(*n),
            Whole::Huge(text) | Whole::NotInt(text) => s.serialize_str(text),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Whole {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Whole, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Whole;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Whole, E> {
                Ok(Whole::Int(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Whole, E> {
                Ok(i64::try_from(v)
                    .map(Whole::Int)
                    .unwrap_or_else(|_| Whole::Huge(v.to_string())))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Whole, E> {
                let fits = v >= i64::MIN as f64 && v < i64::MAX as f64;
                Ok(if v.fract() == 0.0 && fits {
                    Whole::Int(v as i64)
                } else {
                    Whole::other(v.to_string(), v.is_finite() && v.fract() == 0.0)
                })
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Whole, E> {
                let digits = v.strip_prefix('-').unwrap_or(v);
                let whole = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
                Ok(v.parse::<i64>()
                    .map(Whole::Int)
                    .unwrap_or_else(|_| Whole::other(v.to_string(), whole)))
            }
        }
        d.deserialize_any(V)
    }
}

/// A money amount in dollars, from micro-dollars, rounded to cents' hundredths.
pub fn dollars(micros: i64) -> Float {
    Value::Value(Money(micros / 100 + i64::from(micros % 100 >= 50)))
}

/// Dollars with four decimals, held as an integer count of hundredths of cents.
///
/// Terraform sends a number that has no exact binary form (0.4) as its decimal
/// text, so this type reads numbers and decimal strings, and writes its exact
/// decimal text, which Terraform reads back as the same number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Money(pub i64);

impl Money {
    /// The amount as decimal text without trailing zeros: `0.4`, `12`, `0.0125`.
    pub fn text(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (whole, frac) = (abs / 10_000, abs % 10_000);
        if frac == 0 {
            format!("{sign}{whole}")
        } else {
            let f = format!("{frac:04}");
            format!("{sign}{whole}.{}", f.trim_end_matches('0'))
        }
    }

    fn parse(text: &str) -> Option<Money> {
        let (neg, t) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        if frac.len() > 4 || whole.is_empty() && frac.is_empty() {
            return None;
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let frac: i64 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<4}").parse().ok()?
        };
        let v = whole.checked_mul(10_000)?.checked_add(frac)?;
        Some(Money(if neg { -v } else { v }))
    }
}

impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Money;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a dollar amount")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Money, E> {
                v.checked_mul(10_000)
                    .map(Money)
                    .ok_or_else(|| E::custom("amount too large"))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Money, E> {
                i64::try_from(v)
                    .map_err(E::custom)
                    .and_then(|v| self.visit_i64(v))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Money, E> {
                Ok(Money((v * 10_000.0).round() as i64))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
                Money::parse(v).ok_or_else(|| E::custom(format!("{v:?} is not a dollar amount")))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_round_trips_as_decimal_text() {
        for (micros, text) in [
            (400_000, "0.4"),
            (12_000_000, "12"),
            (12_500, "0.0125"),
            (0, "0"),
            (49, "0"),
            (50, "0.0001"),
        ] {
            let Value::Value(m) = dollars(micros) else {
                panic!()
            };
            assert_eq!(m.text(), text);
            assert_eq!(Money::parse(text), Some(m));
        }
        assert_eq!(Money::parse("1.23456"), None);
        assert_eq!(Money::parse("x"), None);
    }

    #[test]
    fn any_number_terraform_sends_reads_as_a_whole_number_or_its_text() {
        for (sent, read) in [
            ("8", Whole::Int(8)),
            ("-3", Whole::Int(-3)),
            ("8.0", Whole::Int(8)),
            ("8.5", Whole::NotInt("8.5".into())),
            ("1e26", Whole::Huge("100000000000000000000000000".into())),
            (
                "18446744073709551615",
                Whole::Huge("18446744073709551615".into()),
            ),
            (
                "\"9223372036854775808\"",
                Whole::Huge("9223372036854775808".into()),
            ),
            (
                "\"-9223372036854775809\"",
                Whole::Huge("-9223372036854775809".into()),
            ),
            ("\"1.5e3\"", Whole::NotInt("1.5e3".into())),
            ("\"42\"", Whole::Int(42)),
        ] {
            let v: Value<Whole> = serde_json::from_str(sent).expect(sent);
            assert_eq!(v, Value::Value(read), "{sent}");
        }
        let err = Whole::NotInt("8.5".into())
            .check(
                amisim_simulator::validate::volume_size,
                amisim_simulator::validate::volume_size_not_whole,
            )
            .expect_err("a fraction");
        assert_eq!(err.code(), "InvalidParameterValue");
        assert!(
            err.message.contains("8.5") && err.hint.contains("1 to 16384"),
            "{err}"
        );
        // A whole number past 64 bits is out of the range, and named as written.
        let err = Whole::Huge("100000000000000000000".into())
            .check(
                amisim_simulator::validate::volume_size,
                amisim_simulator::validate::volume_size_not_whole,
            )
            .expect_err("too big");
        assert!(
            err.message.contains("100000000000000000000")
                && !err.message.contains("9223372036854775807"),
            "{err}"
        );
        assert!(!err.message.contains("whole number"), "{err}");
    }
}
