//! Event time: when a request happened according to its source, never the wall clock.

use std::fmt;

/// Milliseconds since the Unix epoch, UTC, as stated by the traffic source.
///
/// Windows and baselines run on event time so that replaying a log gives the same answer as
/// living through it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventTime(i64);

/// Why a timestamp could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeParseError(pub &'static str);

impl fmt::Display for TimeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for TimeParseError {}

impl EventTime {
    /// From milliseconds since the Unix epoch.
    pub const fn from_unix_millis(ms: i64) -> Self {
        Self(ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_unix_millis(self) -> i64 {
        self.0
    }

    /// From a civil UTC date and time. Fields are not range-checked here; callers parse them.
    pub fn from_civil(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: u32) -> Self {
        let days = days_from_civil(y, mo, d);
        Self(
            days * 86_400_000
                + i64::from(h) * 3_600_000
                + i64::from(mi) * 60_000
                + i64::from(s) * 1000
                + i64::from(ms),
        )
    }

    /// Parses RFC 3339 / ISO 8601 (`2024-05-01T12:00:00.123+02:00`, `...Z`, a space for `T`,
    /// any number of fraction digits, offset optional meaning UTC).
    pub fn parse_rfc3339(s: &str) -> Result<Self, TimeParseError> {
        let b = s.trim().as_bytes();
        if b.len() < 19 {
            return Err(TimeParseError(
                "timestamp too short for YYYY-MM-DDTHH:MM:SS",
            ));
        }
        let num = |r: std::ops::Range<usize>| -> Result<u32, TimeParseError> {
            let mut v = 0u32;
            for &c in &b[r] {
                if !c.is_ascii_digit() {
                    return Err(TimeParseError("expected a digit in the timestamp"));
                }
                v = v * 10 + u32::from(c - b'0');
            }
            Ok(v)
        };
        if b[4] != b'-'
            || b[7] != b'-'
            || !matches!(b[10], b'T' | b't' | b' ')
            || b[13] != b':'
            || b[16] != b':'
        {
            return Err(TimeParseError("expected YYYY-MM-DDTHH:MM:SS"));
        }
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        check_ranges(mo, d, h, mi, sec)?;
        let mut i = 19;
        let mut ms = 0u32;
        if i < b.len() && (b[i] == b'.' || b[i] == b',') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                if i - start < 3 {
                    ms = ms * 10 + u32::from(b[i] - b'0');
                }
                i += 1;
            }
            if i == start {
                return Err(TimeParseError("empty fraction of a second"));
            }
            for _ in (i - start)..3 {
                ms *= 10;
            }
        }
        let offset_min: i64 = match b.get(i) {
            None | Some(b'Z' | b'z') => 0,
            Some(&sign @ (b'+' | b'-')) => {
                let rest = &s.trim()[i + 1..];
                let digits: String = rest.chars().filter(|c| *c != ':').collect();
                if digits.len() != 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
                    return Err(TimeParseError("offset must be +HH:MM or +HHMM"));
                }
                let hh: i64 = digits[..2].parse().unwrap_or(0);
                let mm: i64 = digits[2..].parse().unwrap_or(0);
                let total = hh * 60 + mm;
                if sign == b'+' {
                    total
                } else {
                    -total
                }
            }
            Some(_) => return Err(TimeParseError("unexpected text after the seconds")),
        };
        let t = Self::from_civil(i64::from(y), mo, d, h, mi, sec, ms);
        Ok(Self(t.0 - offset_min * 60_000))
    }

    /// Formats as RFC 3339 in UTC with milliseconds (`2024-05-01T10:00:00.123Z`).
    pub fn to_rfc3339(self) -> String {
        self.to_string()
    }
}

/// Checks the ranges of civil time fields (a leap second is accepted as 60).
pub(crate) fn check_ranges(mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Result<(), TimeParseError> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return Err(TimeParseError("date or time field out of range"));
    }
    Ok(())
}

impl fmt::Display for EventTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(86_400_000);
        let rem = self.0.rem_euclid(86_400_000);
        let (y, m, d) = civil_from_days(days);
        let (h, mi, s, ms) = (
            rem / 3_600_000,
            rem / 60_000 % 60,
            rem / 1000 % 60,
            rem % 1000,
        );
        write!(f, "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
    }
}

impl serde::Serialize for EventTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for EventTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        EventTime::parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day number since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_common_forms() {
        let z = EventTime::parse_rfc3339("2024-05-01T10:00:00Z").unwrap();
        assert_eq!(z.as_unix_millis(), 1_714_557_600_000);
        let off = EventTime::parse_rfc3339("2024-05-01T12:00:00.5+02:00").unwrap();
        assert_eq!(off.as_unix_millis(), 1_714_557_600_500);
        let compact = EventTime::parse_rfc3339("2024-05-01 07:00:00.123456-0300").unwrap();
        assert_eq!(compact.as_unix_millis(), 1_714_557_600_123);
        assert_eq!(z.to_string(), "2024-05-01T10:00:00.000Z");
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for bad in [
            "",
            "2024",
            "2024-13-01T00:00:00Z",
            "2024-05-01T10:00:00+2",
            "yyyy-mm-ddThh:mm:ssZ",
        ] {
            assert!(EventTime::parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(ms in -2_000_000_000_000i64..8_000_000_000_000i64) {
            let t = EventTime::from_unix_millis(ms);
            prop_assert_eq!(EventTime::parse_rfc3339(&t.to_string()).unwrap(), t);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = EventTime::parse_rfc3339(&s);
        }
    }
}
