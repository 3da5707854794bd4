//! Reading the small values requests carry: durations, rates, names from a closed set.
//! Each failure is a message and a fix, ready for an [`crate::HttpError`].

use std::time::Duration;

use rampart_defend::Rate;

/// A problem: what is wrong, and how to fix it.
pub(crate) type Bad = (String, String);

/// A duration: a number and a unit (`500ms`, `30s`, `5m`, `1h`, `1d`), or several (`1h30m`),
/// as in the policy.
pub(crate) fn duration(text: &str) -> Result<Duration, Bad> {
    let t = text.trim();
    let fix = || "write a number and a unit: ms, s, m, h or d (for example 30s, 5m, 1h)".to_owned();
    if t.is_empty() {
        return Err(("the duration is empty".into(), fix()));
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return Err((
            format!("`{}` has no unit", shown(t)),
            format!("write {}s for seconds, or use ms, m, h or d", shown(t)),
        ));
    }
    let mut total: u128 = 0;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let unit_len = rest[digits..]
            .bytes()
            .take_while(u8::is_ascii_alphabetic)
            .count();
        if digits == 0 || unit_len == 0 {
            return Err((format!("`{}` is not a duration", shown(t)), fix()));
        }
        let n: u128 = rest[..digits].parse().unwrap_or(u128::MAX);
        let unit = &rest[digits..digits + unit_len];
        let ms: u128 = match unit {
            "ms" => 1,
            "s" | "sec" | "secs" => 1000,
            "m" | "min" | "mins" => 60_000,
            "h" | "hour" | "hours" => 3_600_000,
            "d" | "day" | "days" => 86_400_000,
            _ => {
                return Err((
                    format!(
                        "`{}` is not a duration: unknown unit `{}`",
                        shown(t),
                        shown(unit)
                    ),
                    fix(),
                ))
            }
        };
        total = total.saturating_add(n.saturating_mul(ms));
        rest = &rest[digits + unit_len..];
    }
    Ok(Duration::from_millis(
        u64::try_from(total).unwrap_or(u64::MAX),
    ))
}

/// A duration between `min` and `max`.
pub(crate) fn duration_within(
    text: &str,
    min: Duration,
    max: Duration,
    max_text: &str,
) -> Result<Duration, Bad> {
    let d = duration(text)?;
    if d < min || d > max {
        return Err((
            format!("`{}` is out of range", shown(text)),
            format!("write a duration from {} ms to {max_text}", min.as_millis()),
        ));
    }
    Ok(d)
}

/// A rate as in the policy: `10/min` (per `s`, `min`, `hour`, `day`) or per a duration
/// (`5/10s`).
pub(crate) fn rate(text: &str) -> Result<Rate, Bad> {
    let fix = || "write a count and a period, like 10/min, 100/hour or 5/10s".to_owned();
    let Some((count, per)) = text.trim().split_once('/') else {
        return Err((format!("`{}` is not a rate", shown(text)), fix()));
    };
    let count: u32 = match count.trim().parse() {
        Ok(n) if n >= 1 => n,
        _ => {
            return Err((
                format!("`{}` is not a count of at least 1", shown(count)),
                fix(),
            ))
        }
    };
    let period = match per.trim() {
        "s" | "sec" | "second" => Duration::from_secs(1),
        "min" | "minute" => Duration::from_secs(60),
        "hour" => Duration::from_secs(3600),
        "day" => Duration::from_secs(86_400),
        other => match duration(other) {
            Ok(d) if !d.is_zero() => d,
            _ => return Err((format!("`{}` is not a period", shown(other)), fix())),
        },
    };
    Ok(Rate::new(count, period))
}

/// `value` if it is one of `options`, or a problem naming them and the likely intended one.
pub(crate) fn choose<'o>(value: &str, what: &str, options: &[&'o str]) -> Result<&'o str, Bad> {
    if let Some(o) = options.iter().find(|o| **o == value) {
        return Ok(o);
    }
    let message = format!(
        "unknown {what} `{}`; expected one of {}",
        shown(value),
        options.join(", ")
    );
    let fix = match suggest(value, options) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("use one of {}", options.join(", ")),
    };
    Err((message, fix))
}

/// The option nearest to `word` by edit distance, when near enough.
pub(crate) fn suggest<'o>(word: &str, options: &[&'o str]) -> Option<&'o str> {
    if word.len() > 64 {
        return None;
    }
    let lower = word.to_ascii_lowercase();
    options
        .iter()
        .map(|o| (distance(&lower, o), *o))
        .filter(|(d, o)| *d <= (o.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// `value` cut to a length fit for a message, control characters blanked.
pub(crate) fn shown(value: &str) -> String {
    let mut out: String = value
        .chars()
        .take(60)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if value.chars().count() > 60 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_need_a_unit() {
        assert_eq!(duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(duration(" 2d ").unwrap(), Duration::from_secs(172_800));
        assert!(duration("60").unwrap_err().1.contains("60s"));
        assert!(duration("1hr").unwrap_err().0.contains("unknown unit `hr`"));
        assert!(duration("").is_err());
        assert!(duration("h").is_err());
        assert!(duration("-1h").is_err());
        assert!(duration("99999999999999999999999999999999999999999d").is_ok());
    }

    #[test]
    fn ranges_are_checked() {
        let one = Duration::from_secs(1);
        assert!(duration_within("0s", one, one * 10, "10s").is_err());
        assert!(duration_within("11s", one, one * 10, "10s").is_err());
        assert_eq!(
            duration_within("5s", one, one * 10, "10s").unwrap(),
            one * 5
        );
    }

    #[test]
    fn rates_read_like_the_policy() {
        assert_eq!(
            rate("10/min").unwrap(),
            Rate::new(10, Duration::from_secs(60))
        );
        assert_eq!(
            rate("5/10s").unwrap(),
            Rate::new(5, Duration::from_secs(10))
        );
        assert_eq!(
            rate("1/day").unwrap(),
            Rate::new(1, Duration::from_secs(86_400))
        );
        for bad in ["10", "0/min", "x/min", "10/fortnight", "10/0s"] {
            assert!(rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn choices_suggest_the_nearest() {
        let opts = ["block", "allow", "tarpit"];
        assert_eq!(choose("block", "action", &opts).unwrap(), "block");
        let (msg, fix) = choose("blok", "action", &opts).unwrap_err();
        assert!(
            msg.contains("expected one of block, allow, tarpit"),
            "{msg}"
        );
        assert_eq!(fix, "did you mean `block`?");
        let (_, fix) = choose("zzzzzzzz", "action", &opts).unwrap_err();
        assert!(fix.starts_with("use one of"), "{fix}");
    }

    #[test]
    fn shown_cuts_and_blanks() {
        assert_eq!(shown("a\nb"), "a b");
        assert_eq!(shown(&"x".repeat(100)).chars().count(), 61);
    }
}
