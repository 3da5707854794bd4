//! Humane units in the config file: durations (`10s`, `500ms`, `2m`) and sizes (`64KiB`, `10MB`).
//!
//! A bare integer is accepted too: seconds for durations, bytes for sizes. Parsing never panics;
//! overflow is an error like any other bad value.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

/// Parses a duration such as `250ms`, `10s`, `1.5s`, `2m`, `1h` or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let s = text.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let unit = unit.trim();
    if number.is_empty() {
        return Err(format!(
            "`{text}` is not a duration; write it like `10s`, `500ms` or `2m`"
        ));
    }
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{number}` is not a number in the duration `{text}`"))?;
    let factor_ms = match unit {
        "ms" => 1.0,
        "" | "s" | "sec" | "secs" => 1000.0,
        "m" | "min" | "mins" => 60_000.0,
        "h" => 3_600_000.0,
        _ => {
            return Err(format!(
                "unknown unit `{unit}` in the duration `{text}`; use ms, s, m or h"
            ))
        }
    };
    let ms = value * factor_ms;
    // A week is far beyond any sensible proxy timeout and keeps the arithmetic safe.
    if !ms.is_finite() || ms > 7.0 * 86_400_000.0 {
        return Err(format!(
            "the duration `{text}` is too long (at most a week)"
        ));
    }
    Ok(Duration::from_micros((ms * 1000.0).round() as u64))
}

/// Formats a duration the way [`parse_duration`] reads it back.
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(3_600_000) && ms > 0 {
        format!("{}h", ms / 3_600_000)
    } else if ms.is_multiple_of(60_000) && ms > 0 {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// Parses a size such as `65536`, `64KiB`, `64k`, `10MB`, `1MiB` or `1GiB`. `k`/`KB` mean 1000,
/// `KiB` means 1024 (and so on for M and G).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let s = text.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    if number.is_empty() {
        return Err(format!(
            "`{text}` is not a size; write it like `65536`, `64KiB` or `10MB`"
        ));
    }
    let value: u64 = number
        .parse()
        .map_err(|_| format!("`{number}` is too large in the size `{text}`"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1024,
        "m" | "mb" => 1_000_000,
        "mib" => 1024 * 1024,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1024 * 1024 * 1024,
        other => {
            return Err(format!(
                "unknown unit `{other}` in the size `{text}`; use B, KB, KiB, MB, MiB, GB or GiB"
            ))
        }
    };
    value
        .checked_mul(factor)
        .ok_or_else(|| format!("the size `{text}` is too large"))
}

/// Serde glue for [`Duration`] fields written as humane strings.
pub(crate) mod duration {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_duration(*d))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as `10s`, `500ms` or `2m`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                parse_duration(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                parse_duration(&v.to_string()).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                if v < 0 {
                    return Err(E::custom("a duration cannot be negative"));
                }
                self.visit_u64(v as u64)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                parse_duration(&v.to_string()).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// Serde glue for byte sizes written as integers or humane strings.
pub(crate) mod size {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(n: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(*n)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = u64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a size in bytes such as `65536`, `64KiB` or `10MB`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
                parse_size(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
                Ok(v)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
                u64::try_from(v).map_err(|_| E::custom("a size cannot be negative"))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_common_units() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration(" 3 s "), Ok(Duration::from_secs(3)));
    }

    #[test]
    fn bad_durations_say_why() {
        assert!(parse_duration("").unwrap_err().contains("not a duration"));
        assert!(parse_duration("10 years")
            .unwrap_err()
            .contains("unknown unit"));
        assert!(parse_duration("1.2.3s")
            .unwrap_err()
            .contains("not a number"));
        assert!(parse_duration("99999999999999h")
            .unwrap_err()
            .contains("too long"));
    }

    #[test]
    fn durations_round_trip_through_format() {
        for d in ["10s", "500ms", "2m", "1h", "0s", "1500ms"] {
            let parsed = parse_duration(d).unwrap();
            assert_eq!(parse_duration(&format_duration(parsed)).unwrap(), parsed);
        }
    }

    #[test]
    fn sizes_read_decimal_and_binary_units() {
        assert_eq!(parse_size("65536"), Ok(65536));
        assert_eq!(parse_size("64KiB"), Ok(65536));
        assert_eq!(parse_size("64k"), Ok(64_000));
        assert_eq!(parse_size("10MB"), Ok(10_000_000));
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert!(parse_size("1TB").unwrap_err().contains("unknown unit"));
        assert!(parse_size("99999999999999999999GiB").is_err());
        assert!(parse_size("18446744073709551615GiB")
            .unwrap_err()
            .contains("too large"));
    }
}
