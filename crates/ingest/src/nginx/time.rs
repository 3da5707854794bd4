//! Access-log time formats.

use rampart_core::EventTime;

/// `10/Oct/2000:13:55:36 -0700` (brackets optional) to event time.
pub(crate) fn parse_clf_time(s: &str) -> Option<EventTime> {
    let s = s.trim_start_matches('[').trim_end_matches(']');
    let b = s.as_bytes();
    if b.len() < 20
        || b[2] != b'/'
        || b[6] != b'/'
        || b[11] != b':'
        || b[14] != b':'
        || b[17] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        if part.is_empty() {
            return None;
        }
        part.iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let day = num(0..2)?;
    let month = match &b[3..6] {
        b"Jan" => 1,
        b"Feb" => 2,
        b"Mar" => 3,
        b"Apr" => 4,
        b"May" => 5,
        b"Jun" => 6,
        b"Jul" => 7,
        b"Aug" => 8,
        b"Sep" => 9,
        b"Oct" => 10,
        b"Nov" => 11,
        b"Dec" => 12,
        _ => return None,
    };
    let year = num(7..11)?;
    let (h, mi, sec) = (num(12..14)?, num(15..17)?, num(18..20)?);
    if day == 0 || day > 31 || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut offset_min: i64 = 0;
    let rest = s[20..].trim();
    if !rest.is_empty() {
        let rb = rest.as_bytes();
        if rb.len() != 5
            || !(rb[0] == b'+' || rb[0] == b'-')
            || !rb[1..].iter().all(u8::is_ascii_digit)
        {
            return None;
        }
        let hh: i64 = rest[1..3].parse().ok()?;
        let mm: i64 = rest[3..5].parse().ok()?;
        offset_min = hh * 60 + mm;
        if rb[0] == b'-' {
            offset_min = -offset_min;
        }
    }
    let local = EventTime::from_civil(i64::from(year), month, day, h, mi, sec, 0);
    Some(EventTime::from_unix_millis(
        local.as_unix_millis() - offset_min * 60_000,
    ))
}

/// `$msec`: seconds with milliseconds (`1700000000.123`).
pub(crate) fn parse_msec(s: &str) -> Option<EventTime> {
    let v: f64 = s.parse().ok()?;
    if !v.is_finite() || !(0.0..1e11).contains(&v) {
        return None;
    }
    Some(EventTime::from_unix_millis((v * 1000.0).round() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clf_time_with_offset() {
        let t = parse_clf_time("[10/Oct/2000:13:55:36 -0700]").unwrap();
        assert_eq!(t.to_string(), "2000-10-10T20:55:36.000Z");
        assert!(parse_clf_time("10/Foo/2000:13:55:36 -0700").is_none());
        assert!(parse_clf_time("10/Oct/2000:13:55:36 +07").is_none());
        assert_eq!(
            parse_msec("1700000000.123").unwrap().as_unix_millis(),
            1_700_000_000_123
        );
    }
}
