//! Realistic parameter values, chosen by schema and name.

use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::Value;

use crate::words::{COMPANIES, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, NOUNS, WORDS};
use crate::zipf::Zipf;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const HEX: &[u8] = b"0123456789abcdef";

/// What kind of values a parameter takes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ValueKind {
    Integer {
        min: i64,
        max: i64,
    },
    Id,
    Number,
    Boolean,
    Uuid,
    Date,
    DateTime,
    HexId,
    Base62,
    Ulid,
    Prefixed(String),
    /// Twilio-style: a two-letter prefix and 32 hex digits.
    Sid(String),
    Username,
    Slug,
    Email,
    Enum(Vec<String>),
    Mixed,
}

/// The schema's primary type, skipping `null` in type lists.
pub(crate) fn schema_type(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

fn schema_format(schema: &Value) -> Option<&str> {
    schema.get("format").and_then(Value::as_str)
}

fn enum_values(schema: &Value) -> Vec<String> {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .filter(|v| !v.is_null())
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn looks_like_id(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    // `idMember`, `idBoard` (Trello): an id named by prefix.
    let id_prefixed = name.len() > 2
        && name.starts_with("id")
        && name[2..].starts_with(|c: char| c.is_ascii_uppercase() || c == '_');
    lower == "id"
        || id_prefixed
        || lower.ends_with("sid")
        || lower.ends_with("uid")
        || lower.ends_with("guid")
        || lower.ends_with("id")
            && (name.ends_with("Id")
                || name.ends_with("ID")
                || lower.ends_with("_id")
                || lower.ends_with("-id"))
}

/// Picks the value kind of one parameter, once: string ids get one style per parameter.
pub(crate) fn kind_for<R: Rng + ?Sized>(name: &str, schema: &Value, rng: &mut R) -> ValueKind {
    let enums = enum_values(schema);
    if !enums.is_empty() {
        return ValueKind::Enum(enums);
    }
    let lower = name.to_ascii_lowercase();
    match (schema_type(schema), schema_format(schema)) {
        (Some("integer"), _) => {
            let min = schema.get("minimum").and_then(Value::as_i64);
            let max = schema.get("maximum").and_then(Value::as_i64);
            return match (min, max) {
                (None, None) => ValueKind::Id,
                (lo, hi) => {
                    let lo = lo.unwrap_or(0);
                    ValueKind::Integer {
                        min: lo,
                        max: hi.unwrap_or(lo.saturating_add(100_000)).max(lo),
                    }
                }
            };
        }
        (Some("number"), _) => return ValueKind::Number,
        (Some("boolean"), _) => return ValueKind::Boolean,
        (_, Some("uuid")) => return ValueKind::Uuid,
        (_, Some("date")) => return ValueKind::Date,
        (_, Some("date-time")) => return ValueKind::DateTime,
        (_, Some("email")) => return ValueKind::Email,
        _ => {}
    }
    if lower.contains("email") {
        return ValueKind::Email;
    }
    if lower.contains("date") || lower == "day" {
        return ValueKind::Date;
    }
    if lower.ends_with("sid") && name.len() > 3 {
        // Twilio-style SIDs: two capitals and 32 hex digits.
        let initials: String = name
            .chars()
            .filter(char::is_ascii_uppercase)
            .take(2)
            .collect();
        let prefix = if initials.len() == 2 {
            initials
        } else {
            "SD".to_owned()
        };
        return ValueKind::Sid(prefix);
    }
    if looks_like_id(name) {
        let prefix: String = lower
            .trim_end_matches("id")
            .trim_end_matches(['_', '-'])
            .chars()
            .filter(char::is_ascii_alphabetic)
            .take(3)
            .collect();
        return match rng.random_range(0..6) {
            0 => ValueKind::HexId,
            1 => ValueKind::Base62,
            2 => ValueKind::Ulid,
            3 if prefix.len() >= 2 => ValueKind::Prefixed(prefix),
            3 | 4 => ValueKind::Uuid,
            _ => ValueKind::Id,
        };
    }
    if [
        "username", "user", "owner", "login", "author", "member", "handle",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        return ValueKind::Username;
    }
    if [
        "name",
        "slug",
        "repo",
        "org",
        "project",
        "team",
        "workspace",
        "bucket",
        "key",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        return ValueKind::Slug;
    }
    ValueKind::Mixed
}

/// One value of `kind`.
pub(crate) fn sample<R: Rng + ?Sized>(kind: &ValueKind, rng: &mut R) -> String {
    match kind {
        ValueKind::Integer { min, max } => rng.random_range(*min..=*max).to_string(),
        ValueKind::Id => id_number(rng).to_string(),
        ValueKind::Number => format!("{:.2}", rng.random_range(0.5..2_000.0)),
        ValueKind::Boolean => rng.random_bool(0.5).to_string(),
        ValueKind::Uuid => uuid(rng),
        ValueKind::Date => date(rng),
        ValueKind::DateTime => date_time(rng),
        ValueKind::HexId => random_chars(rng, HEX, 24),
        ValueKind::Base62 => {
            let len = rng.random_range(10..=22);
            random_chars(rng, BASE62, len)
        }
        ValueKind::Ulid => format!("01H{}", random_chars(rng, CROCKFORD, 23)),
        ValueKind::Sid(prefix) => format!("{prefix}{}", random_chars(rng, HEX, 32)),
        ValueKind::Prefixed(prefix) => {
            let len = rng.random_range(14..=24);
            format!("{prefix}_{}", random_chars(rng, BASE62, len))
        }
        ValueKind::Username => username(rng),
        ValueKind::Slug => slug(rng),
        ValueKind::Email => email(rng),
        ValueKind::Enum(values) => values.choose(rng).cloned().unwrap_or_default(),
        ValueKind::Mixed => mixed(rng),
    }
}

/// Object ids: mostly small, some large, a few very large.
pub(crate) fn id_number<R: Rng + ?Sized>(rng: &mut R) -> u64 {
    match rng.random_range(0..10) {
        0..=4 => rng.random_range(1..1_000),
        5..=7 => rng.random_range(1_000..100_000),
        _ => rng.random_range(1_000_000..10_000_000_000),
    }
}

pub(crate) fn random_chars<R: Rng + ?Sized>(rng: &mut R, alphabet: &[u8], len: usize) -> String {
    (0..len)
        .map(|_| char::from(alphabet.choose(rng).copied().unwrap_or(b'x')))
        .collect()
}

pub(crate) fn uuid<R: Rng + ?Sized>(rng: &mut R) -> String {
    let hex = random_chars(rng, HEX, 32);
    let variant = char::from(b"89ab".choose(rng).copied().unwrap_or(b'8'));
    format!(
        "{}-{}-4{}-{}{}-{}",
        hex.get(0..8).unwrap_or(""),
        hex.get(8..12).unwrap_or(""),
        hex.get(12..15).unwrap_or(""),
        variant,
        hex.get(15..18).unwrap_or(""),
        hex.get(18..30).unwrap_or("")
    )
}

pub(crate) fn date<R: Rng + ?Sized>(rng: &mut R) -> String {
    format!(
        "{}-{:02}-{:02}",
        rng.random_range(2019..=2024),
        rng.random_range(1..=12),
        rng.random_range(1..=28)
    )
}

pub(crate) fn date_time<R: Rng + ?Sized>(rng: &mut R) -> String {
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        date(rng),
        rng.random_range(0..24),
        rng.random_range(0..60),
        rng.random_range(0..60)
    )
}

fn pick<R: Rng + ?Sized>(rng: &mut R, words: &[&'static str]) -> &'static str {
    words.choose(rng).copied().unwrap_or("x")
}

pub(crate) fn username<R: Rng + ?Sized>(rng: &mut R) -> String {
    let first = pick(rng, FIRST_NAMES);
    let last = pick(rng, LAST_NAMES);
    match rng.random_range(0..5) {
        0 => first.to_owned(),
        1 => format!("{first}-{last}"),
        2 => format!(
            "{}{last}{}",
            first.get(..1).unwrap_or(""),
            rng.random_range(1..100)
        ),
        3 => format!("{first}_{last}"),
        _ => format!("{first}{}", rng.random_range(1..2000)),
    }
}

pub(crate) fn slug<R: Rng + ?Sized>(rng: &mut R) -> String {
    match rng.random_range(0..4) {
        0 => format!("{}-{}", pick(rng, COMPANIES), pick(rng, NOUNS)),
        1 => pick(rng, NOUNS).to_owned(),
        2 => format!("{}-{}", pick(rng, NOUNS), pick(rng, WORDS)),
        _ => username(rng),
    }
}

pub(crate) fn email<R: Rng + ?Sized>(rng: &mut R) -> String {
    let first = pick(rng, FIRST_NAMES);
    let last = pick(rng, LAST_NAMES);
    let domain = pick(rng, EMAIL_DOMAINS);
    match rng.random_range(0..3) {
        0 => format!("{first}.{last}@{domain}"),
        1 => format!("{first}{}@{domain}", rng.random_range(1..100)),
        _ => format!("{}{last}@{domain}", first.get(..1).unwrap_or("")),
    }
}

pub(crate) fn mixed<R: Rng + ?Sized>(rng: &mut R) -> String {
    match rng.random_range(0..5) {
        0 => format!(
            "{}-{}-{}",
            pick(rng, WORDS),
            pick(rng, WORDS),
            rng.random_range(2019..2025)
        ),
        1 => random_chars(rng, BASE62, 6),
        2 => format!("{}_{}", pick(rng, WORDS), pick(rng, NOUNS)),
        3 => format!("{}-{}", pick(rng, WORDS), pick(rng, NOUNS)),
        _ => format!("{}{}", pick(rng, NOUNS), rng.random_range(1..50)),
    }
}

/// A per-parameter set of objects, some requested far more often than others.
#[derive(Debug, Clone)]
pub(crate) struct ValuePool {
    values: Vec<String>,
    zipf: Zipf,
}

impl ValuePool {
    /// A pool for a parameter on an endpoint expected to see `requests` requests.
    pub(crate) fn new<R: Rng + ?Sized>(kind: &ValueKind, requests: u64, rng: &mut R) -> Self {
        let values: Vec<String> = match kind {
            ValueKind::Enum(values) => values.clone(),
            ValueKind::Boolean => vec!["true".into(), "false".into()],
            _ => {
                // Objects per request varies by endpoint: a profile page sees few distinct
                // users, an item lookup sees many.
                let share = rng.random_range(0.05..0.7);
                let size = ((requests as f64 * share).ceil() as usize).clamp(1, 20_000);
                let mut seen = std::collections::HashSet::new();
                (0..size * 2)
                    .map(|_| sample(kind, rng))
                    .filter(|v| !v.is_empty() && seen.insert(v.clone()))
                    .take(size)
                    .collect()
            }
        };
        let zipf = Zipf::new(values.len(), rng.random_range(0.8..1.3));
        Self { values, zipf }
    }

    /// One value, hot objects more often.
    pub(crate) fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> &str {
        self.values
            .get(self.zipf.sample(rng))
            .map(String::as_str)
            .unwrap_or("0")
    }
}

/// Percent-encodes what may not appear raw in a path segment or query value.
pub(crate) fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@:!$'()*+,;".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A query value, by the parameter's usual meaning first, its schema second.
pub(crate) fn query_value<R: Rng + ?Sized>(name: &str, schema: &Value, rng: &mut R) -> String {
    let lower = name.to_ascii_lowercase();
    let enums = enum_values(schema);
    if !enums.is_empty() {
        return enums.choose(rng).cloned().unwrap_or_default();
    }
    let value = match lower.as_str() {
        "page" => rng.random_range(1..=20).to_string(),
        "limit" | "per_page" | "perpage" | "page_size" | "pagesize" | "size" | "count" | "max" => {
            ["10", "20", "25", "50", "100"]
                .choose(rng)
                .copied()
                .unwrap_or("20")
                .to_owned()
        }
        "offset" | "skip" | "start" => (rng.random_range(0..50) * 20).to_string(),
        "sort" | "sort_by" | "sortby" | "order_by" | "orderby" => [
            "created_at",
            "-created_at",
            "name",
            "updated_at",
            "-updated_at",
        ]
        .choose(rng)
        .copied()
        .unwrap_or("name")
        .to_owned(),
        "order" | "direction" | "dir" => ["asc", "desc"]
            .choose(rng)
            .copied()
            .unwrap_or("asc")
            .to_owned(),
        "q" | "query" | "search" | "term" | "keyword" => {
            format!("{} {}", pick(rng, WORDS), pick(rng, NOUNS))
        }
        "cursor" | "after" | "before" | "page_token" | "pagetoken" | "next" | "starting_after" => {
            let len = rng.random_range(16..40);
            random_chars(rng, BASE62, len)
        }
        "fields" | "include" | "expand" => ["id,name", "owner", "items", "id,email,created_at"]
            .choose(rng)
            .copied()
            .unwrap_or("id")
            .to_owned(),
        "since" | "until" | "from" | "to" | "start_date" | "end_date" => date(rng),
        _ => {
            let kind = kind_for(name, schema, rng);
            let kind = if kind == ValueKind::Id {
                ValueKind::Integer { min: 1, max: 5_000 }
            } else {
                kind
            };
            sample(&kind, rng)
        }
    };
    percent_encode(&value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::SmallRng, SeedableRng};
    use serde_json::json;

    #[test]
    fn kinds_follow_schema_then_name() {
        let mut rng = SmallRng::seed_from_u64(3);
        assert_eq!(
            kind_for("id", &json!({"type": "integer"}), &mut rng),
            ValueKind::Id
        );
        assert_eq!(
            kind_for("x", &json!({"type": "string", "format": "uuid"}), &mut rng),
            ValueKind::Uuid
        );
        assert_eq!(
            kind_for("owner", &json!({"type": "string"}), &mut rng),
            ValueKind::Username
        );
        assert_eq!(
            kind_for("repo", &json!({"type": "string"}), &mut rng),
            ValueKind::Slug
        );
        assert_eq!(
            kind_for("contact_email", &json!({}), &mut rng),
            ValueKind::Email
        );
        assert_eq!(
            kind_for(
                "state",
                &json!({"type": "string", "enum": ["open", "closed"]}),
                &mut rng
            ),
            ValueKind::Enum(vec!["open".into(), "closed".into()])
        );
        assert_eq!(
            kind_for(
                "day",
                &json!({"type": ["string", "null"], "format": "date"}),
                &mut rng
            ),
            ValueKind::Date
        );
    }

    #[test]
    fn string_ids_get_an_id_style() {
        let mut rng = SmallRng::seed_from_u64(9);
        for _ in 0..20 {
            let kind = kind_for("customerId", &json!({"type": "string"}), &mut rng);
            assert!(
                !matches!(
                    kind,
                    ValueKind::Mixed | ValueKind::Slug | ValueKind::Username
                ),
                "{kind:?}"
            );
            let v = sample(&kind, &mut rng);
            assert!(
                v.len() >= 3
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
                "{v}"
            );
        }
    }

    #[test]
    fn uuid_shape() {
        let mut rng = SmallRng::seed_from_u64(5);
        let u = uuid(&mut rng);
        let re = regex_lite(&u);
        assert!(re, "{u}");
    }

    fn regex_lite(u: &str) -> bool {
        let parts: Vec<usize> = u.split('-').map(str::len).collect();
        parts == vec![8, 4, 4, 4, 12] && u.chars().nth(14) == Some('4')
    }

    #[test]
    fn pools_are_skewed_and_bounded() {
        let mut rng = SmallRng::seed_from_u64(1);
        let pool = ValuePool::new(&ValueKind::Id, 1000, &mut rng);
        assert!(!pool.values.is_empty() && pool.values.len() <= 1000);
        let first = pool.values.first().cloned().unwrap_or_default();
        let hits = (0..1000).filter(|_| pool.draw(&mut rng) == first).count();
        assert!(hits > 20, "{hits}");
    }

    #[test]
    fn percent_encoding_keeps_segments_whole() {
        assert_eq!(percent_encode("a b/c?d"), "a%20b%2Fc%3Fd");
        assert_eq!(percent_encode("alice@example.com"), "alice@example.com");
    }
}
