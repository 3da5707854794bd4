//! Checks of single values (durations, rates, networks, names) and the problem list they feed.
//!
//! Every check returns what is wrong and how to fix it, so the reader of the policy can put each
//! problem at its line and column. Nothing here panics on any input.

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;
use rampart_core::Severity;

use super::yaml::Pos;
use super::PolicyProblem;
use crate::ratelimit::Rate;

/// The detectors Rampart ships, for catching misspelt names in `detector:`. A detector added
/// to `rampart-detect` belongs here too (or is passed to `Policy::from_yaml_with`).
pub const KNOWN_DETECTORS: [&str; 14] = [
    "agent",
    "credential_stuffing",
    "direct_to_api",
    "enumeration",
    "exploit_probes",
    "infrastructure",
    "pivot",
    "scraping",
    "session_rotation",
    "shadow_api",
    "target_ips",
    "timing",
    "unauthenticated_data",
    "volumetric",
];

/// Severity names, lowest first.
pub(crate) const SEVERITY_NAMES: [&str; 5] = ["info", "low", "medium", "high", "critical"];

/// Longest duration accepted anywhere: a year.
const MAX_DURATION: Duration = Duration::from_secs(366 * 86_400);

/// What is wrong and how to fix it.
pub(crate) type Bad = (String, String);

/// The problems found so far, in the order found.
#[derive(Debug)]
pub(crate) struct Problems {
    source: String,
    pub(crate) list: Vec<PolicyProblem>,
}

impl Problems {
    pub(crate) fn new(source: &str) -> Self {
        Self {
            source: source.to_owned(),
            list: Vec::new(),
        }
    }

    /// Records a problem with `field` at `pos`.
    pub(crate) fn add(
        &mut self,
        pos: Pos,
        field: &str,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.list.push(PolicyProblem {
            source: self.source.clone(),
            line: pos.line,
            column: pos.column,
            field: field.to_owned(),
            message: message.into(),
            fix: fix.into(),
        });
    }

    /// Records `bad` with `field` at `pos`.
    pub(crate) fn bad(&mut self, pos: Pos, field: &str, bad: Bad) {
        self.add(pos, field, bad.0, bad.1);
    }
}

/// Edit distance between two short strings, counting a swap of neighbours as one edit
/// (optimal string alignment), by bytes.
fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// The closest of `options` to `word`, when it is close enough to be a typo.
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

/// A name from a closed set, or a problem naming the set and the likely intended name.
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

/// `value` cut to a length fit for a message.
pub(crate) fn shown(value: &str) -> String {
    let mut out: String = value.chars().take(60).collect();
    if out.len() < value.len() {
        out.push('…');
    }
    out.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A duration: a number and a unit (`500ms`, `30s`, `5m`, `1h`, `1d`), or several (`1h30m`).
pub(crate) fn duration(text: &str) -> Result<Duration, Bad> {
    let t = text.trim();
    let fix = || "write a number and a unit: ms, s, m, h or d (for example 30s, 5m, 1h)".to_owned();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return Err((
            format!("`{}` has no unit", shown(t)),
            format!("write {t}s for seconds, or use ms, m, h or d"),
        ));
    }
    let mut total: u128 = 0;
    let mut rest = t;
    if rest.is_empty() {
        return Err(("the duration is empty".into(), fix()));
    }
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
    let d = Duration::from_millis(u64::try_from(total).unwrap_or(u64::MAX));
    if d > MAX_DURATION {
        return Err((
            format!("`{}` is longer than a year", shown(t)),
            "use at most 366d".into(),
        ));
    }
    Ok(d)
}

/// A rate: `10/min`, `5/s`, `100/hour`, `1000/day`, or a count per duration (`5/10s`).
pub(crate) fn rate(text: &str) -> Result<Rate, Bad> {
    let t = text.trim();
    let fix = || "write requests per unit: 10/s, 10/min, 100/hour, 1000/day or 5/10s".to_owned();
    let Some((count, per)) = t.split_once('/') else {
        return Err((format!("`{}` is not a rate", shown(t)), fix()));
    };
    let count: u32 = match count.trim().parse() {
        Ok(n) if n >= 1 => n,
        _ => {
            return Err((
                format!(
                    "`{}` is not a rate: the count must be a whole number from 1",
                    shown(t)
                ),
                fix(),
            ))
        }
    };
    let period = match per.trim() {
        "s" | "sec" | "second" => Duration::from_secs(1),
        "m" | "min" | "minute" => Duration::from_secs(60),
        "h" | "hour" => Duration::from_secs(3600),
        "d" | "day" => Duration::from_secs(86_400),
        other => match duration(other) {
            Ok(d) if !d.is_zero() => d,
            _ => {
                return Err((
                    format!(
                        "`{}` is not a rate: unknown period `{}`",
                        shown(t),
                        shown(other)
                    ),
                    fix(),
                ))
            }
        },
    };
    Ok(Rate::new(count, period))
}

/// A network in CIDR notation, or a single address (as a /32 or /128).
pub(crate) fn net(text: &str) -> Result<IpNet, Bad> {
    let t = text.trim();
    let (addr, len) = match t.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (t, None),
    };
    let fix = "write an address and a prefix length, like 203.0.113.0/24 or 2001:db8::/32";
    let ip: IpAddr = addr.parse().map_err(|_| {
        (
            format!(
                "`{}` is not a CIDR block: `{}` is not an IP address",
                shown(t),
                shown(addr)
            ),
            fix.to_owned(),
        )
    })?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len: u8 = match len {
        None => max,
        Some(l) => match l.parse::<u8>() {
            Ok(n) if n <= max => n,
            _ => {
                return Err((
                    format!(
                        "`{}` is not a CIDR block: prefix length `{}` must be 0 to {max}",
                        shown(t),
                        shown(l)
                    ),
                    fix.to_owned(),
                ))
            }
        },
    };
    IpNet::new(ip, len).map(|n| n.trunc()).map_err(|_| {
        (
            format!("`{}` is not a CIDR block", shown(t)),
            fix.to_owned(),
        )
    })
}

/// A single address.
pub(crate) fn ip(text: &str) -> Result<IpAddr, Bad> {
    text.trim().parse().map_err(|_| {
        (
            format!("`{}` is not an IP address", shown(text)),
            "write an IPv4 or IPv6 address, like 192.0.2.1; networks go under `cidrs`".into(),
        )
    })
}

/// A country code: two ASCII letters.
pub(crate) fn country(text: &str) -> Result<String, Bad> {
    let t = text.trim();
    if t.len() == 2 && t.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(t.to_ascii_uppercase())
    } else {
        Err((
            format!("`{}` is not a country code", shown(t)),
            "use ISO 3166 alpha-2 codes, like DE or US".into(),
        ))
    }
}

/// An autonomous system number: `64496` or `AS64496`.
pub(crate) fn asn(text: &str) -> Result<u32, Bad> {
    let t = text.trim();
    let digits = t
        .strip_prefix("AS")
        .or_else(|| t.strip_prefix("as"))
        .unwrap_or(t);
    digits.parse().map_err(|_| {
        (
            format!("`{}` is not an AS number", shown(t)),
            "write the number, like 64496 or AS64496".into(),
        )
    })
}

/// A fingerprint hash: hex digits.
pub(crate) fn fingerprint(text: &str) -> Result<String, Bad> {
    let t = text.trim();
    if !t.is_empty() && t.len() <= 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(t.to_ascii_lowercase())
    } else {
        Err((
            format!("`{}` is not a fingerprint hash", shown(t)),
            "copy the hex value from an alert's fingerprint entity".into(),
        ))
    }
}

/// A severity name.
pub(crate) fn severity(text: &str) -> Result<Severity, Bad> {
    let name = choose(text.trim(), "severity", &SEVERITY_NAMES)?;
    Ok(match name {
        "info" => Severity::Info,
        "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        _ => Severity::Critical,
    })
}

/// An HTTP method, returned upper case.
pub(crate) fn method(text: &str) -> Result<String, Bad> {
    let t = text.trim();
    if !t.is_empty() && t.len() <= 20 && t.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(t.to_ascii_uppercase())
    } else {
        Err((
            format!("`{}` is not an HTTP method", shown(t)),
            "write a method such as GET, POST, PUT, PATCH or DELETE".into(),
        ))
    }
}

/// A rule or list name: letters, digits, `-`, `_` and `.`.
pub(crate) fn name(text: &str, what: &str) -> Result<String, Bad> {
    let t = text.trim();
    let ok = !t.is_empty()
        && t.len() <= 100
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(t.to_owned())
    } else {
        Err((
            format!("`{}` is not a valid {what} name", shown(t)),
            "use letters, digits, `-`, `_` and `.`, at most 100 characters".into(),
        ))
    }
}

/// A header name, returned lower case.
pub(crate) fn header_name(text: &str) -> Result<String, Bad> {
    let t = text.trim();
    let ok = !t.is_empty()
        && t.len() <= 100
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.!#$%&'*+^`|~".contains(&b));
    if ok {
        Ok(t.to_ascii_lowercase())
    } else {
        Err((
            format!("`{}` is not a header name", shown(t)),
            "write the header's name, like x-api-key".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_need_a_unit() {
        assert_eq!(duration("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(duration("250ms").unwrap(), Duration::from_millis(250));
        assert!(duration("3600").unwrap_err().1.contains("3600s"));
        assert!(duration("1hour2").is_err());
        assert!(duration("1 h").is_err());
        assert!(duration("1y").unwrap_err().0.contains("unknown unit `y`"));
        assert!(duration("99999999999999999999999d").is_err());
        assert!(duration("").is_err());
    }

    #[test]
    fn rates_take_units_or_durations() {
        assert_eq!(
            rate("10/min").unwrap(),
            Rate::new(10, Duration::from_secs(60))
        );
        assert_eq!(
            rate("5/10s").unwrap(),
            Rate::new(5, Duration::from_secs(10))
        );
        assert!(rate("0/min").is_err());
        assert!(rate("ten/min").is_err());
        assert!(rate("10/fortnight").is_err());
        assert!(rate("10").is_err());
    }

    #[test]
    fn networks_and_addresses() {
        assert_eq!(net("203.0.113.7/24").unwrap().to_string(), "203.0.113.0/24");
        assert_eq!(net("192.0.2.1").unwrap().to_string(), "192.0.2.1/32");
        assert!(net("203.0.113.0/33").unwrap_err().0.contains("0 to 32"));
        assert!(net("300.0.0.0/8")
            .unwrap_err()
            .0
            .contains("not an IP address"));
        assert!(ip("::1").is_ok());
        assert_eq!(asn("AS64496").unwrap(), 64496);
        assert_eq!(country("de").unwrap(), "DE");
        assert!(country("DEU").is_err());
    }

    #[test]
    fn choices_suggest_the_nearest_name() {
        let e = choose("blok", "action", &crate::decision::ACTION_NAMES).unwrap_err();
        assert_eq!(
            e.0,
            "unknown action `blok`; expected one of allow, monitor, block, rate_limit, tarpit, deceive, require_auth"
        );
        assert_eq!(e.1, "did you mean `block`?");
        assert_eq!(
            suggest("ratelimit", &["rate_limit", "tarpit"]),
            Some("rate_limit")
        );
        assert_eq!(suggest("zzzzzz", &["rate_limit"]), None);
    }
}
