//! Fake values: names, places, prices, dates and addresses in reserved ranges.

use super::*;

const FIRST_NAMES: &[&str] = &[
    "Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory",
    "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Wendy",
];
const LAST_NAMES: &[&str] = &[
    "Anderson", "Baker", "Carter", "Diaz", "Evans", "Foster", "Garcia", "Hughes", "Ito", "Jensen",
    "Kim", "Lopez", "Miller", "Nguyen", "Okafor", "Patel", "Quinn", "Rossi", "Schmidt", "Tanaka",
];
const CITIES: &[&str] = &[
    "Springfield",
    "Riverton",
    "Fairview",
    "Greenville",
    "Madison",
    "Franklin",
    "Clinton",
    "Georgetown",
    "Salem",
    "Bristol",
    "Arlington",
    "Ashland",
];
const STATES: &[&str] = &["CA", "NY", "TX", "WA", "IL", "MA", "OR", "CO", "GA", "FL"];
const COUNTRIES: &[&str] = &[
    "United States",
    "Canada",
    "Germany",
    "France",
    "Japan",
    "Brazil",
    "Australia",
    "Spain",
];
const COUNTRY_CODES: &[&str] = &["US", "CA", "DE", "FR", "JP", "BR", "AU", "ES", "GB", "NL"];
const STREETS: &[&str] = &[
    "Oak", "Maple", "Cedar", "Pine", "Elm", "Birch", "Willow", "Lake", "Hill", "Park",
];
const STREET_KINDS: &[&str] = &["St", "Ave", "Rd", "Ln", "Blvd", "Way"];
const COMPANIES: &[&str] = &[
    "Example Corp",
    "Acme Widgets",
    "Initech",
    "Globex",
    "Umbrella Supplies",
    "Northwind Traders",
    "Contoso",
    "Fabrikam",
];
const ADJECTIVES: &[&str] = &[
    "Classic", "Premium", "Compact", "Deluxe", "Everyday", "Ultra", "Organic", "Vintage", "Smart",
    "Portable",
];
const NOUNS: &[&str] = &[
    "Backpack",
    "Water Bottle",
    "T-Shirt",
    "Headphones",
    "Desk Lamp",
    "Sneakers",
    "Notebook",
    "Coffee Mug",
    "Phone Case",
    "Blender",
];
const WORDS: &[&str] = &[
    "order", "account", "delivery", "quality", "service", "update", "request", "customer", "team",
    "project", "review", "support", "payment", "shipping", "product", "feature", "report",
    "sample", "record", "detail", "item", "process", "status", "value",
];
const STATUSES: &[&str] = &["active", "pending", "completed", "processing", "shipped"];
const CURRENCIES: &[&str] = &["USD", "EUR", "GBP", "JPY", "CAD"];
const LOCALES: &[&str] = &["en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "ja-JP"];
const COLORS: &[&str] = &["red", "blue", "green", "black", "white", "gray", "navy"];
const AREA_CODES: &[i64] = &[202, 212, 303, 312, 415, 503, 617, 718];
const DOMAINS: &[&str] = &["example.com", "example.net"];
pub(super) const TEST_NETS: &[&str] = &["192.0.2", "198.51.100", "203.0.113"];

pub(super) fn string(v: &View<'_>, hint: Hint, rng: &mut Rng) -> String {
    let s = match v.format {
        Some("email") => email(rng),
        Some("uuid") => uuid(rng),
        Some("date-time") => date_time(rng),
        Some("date") => date_time(rng)[..10].to_owned(),
        Some("time") => date_time(rng)[11..19].to_owned(),
        Some("uri" | "url" | "uri-reference" | "iri") => url(rng),
        Some("ipv4") => ipv4(rng),
        Some("ipv6") => format!("2001:db8::{:x}", rng.range(1, 0xffff)),
        Some("hostname" | "idn-hostname") => host(rng),
        Some("byte") => "ZGVjb3k=".to_owned(),
        _ => by_hint(hint, rng),
    };
    fit_length(s, v.min_len, v.max_len)
}

pub(super) fn by_hint(hint: Hint, rng: &mut Rng) -> String {
    match hint {
        Hint::Email => email(rng),
        Hint::Phone => phone(rng),
        Hint::FirstName => rng.pick(FIRST_NAMES).to_owned(),
        Hint::LastName => rng.pick(LAST_NAMES).to_owned(),
        Hint::FullName => format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES)),
        Hint::Username => format!(
            "{}{}",
            rng.pick(FIRST_NAMES).to_ascii_lowercase(),
            rng.range(1, 999)
        ),
        Hint::ProductName => format!("{} {}", rng.pick(ADJECTIVES), rng.pick(NOUNS)),
        Hint::Company => rng.pick(COMPANIES).to_owned(),
        Hint::City => rng.pick(CITIES).to_owned(),
        Hint::State => rng.pick(STATES).to_owned(),
        Hint::Country => rng.pick(COUNTRIES).to_owned(),
        Hint::CountryCode => rng.pick(COUNTRY_CODES).to_owned(),
        Hint::Street => format!(
            "{} {} {}",
            rng.range(1, 9999),
            rng.pick(STREETS),
            rng.pick(STREET_KINDS)
        ),
        Hint::Zip => format!("{:05}", rng.range(10_000, 99_999)),
        Hint::Price => format!("{:.2}", price(rng)),
        Hint::Currency => rng.pick(CURRENCIES).to_owned(),
        Hint::Id => rng.hex(16),
        Hint::Uuid => uuid(rng),
        Hint::Token => format!("tok_test_{}", rng.hex(32)),
        Hint::Sku => format!(
            "SKU-{}-{:04}",
            rng.hex(4).to_ascii_uppercase(),
            rng.range(0, 9999)
        ),
        Hint::Url => url(rng),
        Hint::Ip => ipv4(rng),
        Hint::Host => host(rng),
        Hint::DateTime => date_time(rng),
        Hint::Date => date_time(rng)[..10].to_owned(),
        Hint::Status => rng.pick(STATUSES).to_owned(),
        Hint::Text => sentence(rng, 6, 14),
        Hint::Title => title(rng),
        Hint::Latitude => format!("{:.5}", rng.unit() * 180.0 - 90.0),
        Hint::Longitude => format!("{:.5}", rng.unit() * 360.0 - 180.0),
        Hint::Age => rng.range(18, 90).to_string(),
        Hint::Count => rng.range(1, 50).to_string(),
        Hint::Year => rng.range(2015, 2025).to_string(),
        Hint::Rating => format!("{:.1}", 1.0 + rng.unit() * 4.0),
        Hint::Percent => format!("{:.2}", rng.unit()),
        // The well-known test card numbers, never a real card.
        Hint::Card => rng
            .pick(&["4111111111111111", "5555555555554444", "4242424242424242"])
            .to_owned(),
        // Area number 000 is never issued.
        Hint::Ssn => format!("000-{:02}-{:04}", rng.range(10, 99), rng.range(1000, 9999)),
        Hint::Locale => rng.pick(LOCALES).to_owned(),
        Hint::Color => rng.pick(COLORS).to_owned(),
        Hint::Active => if rng.below(2) == 0 { "true" } else { "false" }.to_owned(),
        Hint::None => {
            if rng.below(3) == 0 {
                title(rng)
            } else {
                format!("{}-{}", rng.pick(WORDS), rng.range(100, 9999))
            }
        }
    }
}

pub(super) fn fit_length(mut s: String, min: Option<u64>, max: Option<u64>) -> String {
    let cap = |n: u64| usize::try_from(n).unwrap_or(usize::MAX).min(MAX_STRING);
    if let Some(max) = max.map(cap) {
        if let Some((i, _)) = s.char_indices().nth(max) {
            s.truncate(i);
        }
    }
    if let Some(min) = min.map(cap) {
        let have = s.chars().count();
        if have < min {
            s.extend(std::iter::repeat_n('x', min - have));
        }
    }
    s
}

pub(super) fn integer(v: &View<'_>, hint: Hint, rng: &mut Rng) -> i64 {
    let (hint_lo, hint_hi) = match hint {
        Hint::Id => (1000, 999_999),
        Hint::Age => (18, 90),
        Hint::Count => (1, 50),
        Hint::Year => (2015, 2025),
        Hint::Price => (100, 50_000), // in cents
        Hint::Rating => (1, 5),
        Hint::Percent => (0, 100),
        Hint::Zip => (10_000, 99_999),
        Hint::DateTime | Hint::Date => (1_672_531_200, 1_767_225_599), // Unix seconds, 2023-2025
        Hint::Latitude => (-90, 90),
        Hint::Longitude => (-180, 180),
        _ => (1, 1000),
    };
    let to_int = |f: f64| f.clamp(i64::MIN as f64, i64::MAX as f64) as i64;
    let lo = v
        .minimum
        .map(|m| to_int(m.ceil()).saturating_add(i64::from(v.exclusive_min && m.fract() == 0.0)));
    let hi = v
        .maximum
        .map(|m| to_int(m.floor()).saturating_sub(i64::from(v.exclusive_max && m.fract() == 0.0)));
    let (mut a, mut b) = (
        lo.map_or(hint_lo, |l| l.max(hint_lo)),
        hi.map_or(hint_hi, |h| h.min(hint_hi)),
    );
    if a > b {
        // The hint's range lies outside the bounds: use the bounds.
        a = lo.unwrap_or_else(|| hi.map_or(hint_lo, |h| h.saturating_sub(1000)));
        b = hi.unwrap_or_else(|| a.saturating_add(1000));
        if a > b {
            b = a;
        }
    }
    rng.range(a, b)
}

pub(super) fn number(v: &View<'_>, hint: Hint, rng: &mut Rng) -> f64 {
    let (hint_lo, hint_hi, decimals) = match hint {
        Hint::Price => (1.0, 500.0, 2),
        Hint::Latitude => (-90.0, 90.0, 5),
        Hint::Longitude => (-180.0, 180.0, 5),
        Hint::Rating => (1.0, 5.0, 1),
        Hint::Percent => (0.0, 1.0, 2),
        Hint::Age => (18.0, 90.0, 0),
        Hint::Count => (1.0, 50.0, 0),
        _ => (0.0, 1000.0, 2),
    };
    let lo = v.minimum.map_or(hint_lo, |m| m.max(hint_lo));
    let hi = v.maximum.map_or(hint_hi, |m| m.min(hint_hi));
    let (lo, hi) = if lo <= hi {
        (lo, hi)
    } else {
        let a = v.minimum.unwrap_or(hint_lo);
        (a, v.maximum.unwrap_or(a + 1000.0).max(a))
    };
    let x = lo + rng.unit() * (hi - lo);
    let scale = 10f64.powi(decimals);
    let rounded = (x * scale).round() / scale;
    let outside = |y: f64| {
        y < lo
            || y > hi
            || (v.exclusive_min && v.minimum.is_some_and(|m| y <= m))
            || (v.exclusive_max && v.maximum.is_some_and(|m| y >= m))
    };
    let out = if !outside(rounded) {
        rounded
    } else if !outside(x) {
        x
    } else {
        // The bounds leave (almost) no room: the middle of them.
        lo + (hi - lo) / 2.0
    };
    if out.is_finite() {
        out
    } else {
        0.0
    }
}

pub(super) fn price(rng: &mut Rng) -> f64 {
    // Prices end in .99, .49 or .00 more often than not.
    let whole = rng.range(1, 499) as f64;
    whole
        + *[0.99, 0.49, 0.0, 0.25][..]
            .get(rng.below(4))
            .unwrap_or(&0.99)
}

pub(super) fn email(rng: &mut Rng) -> String {
    format!(
        "{}.{}{}@{}",
        rng.pick(FIRST_NAMES).to_ascii_lowercase(),
        rng.pick(LAST_NAMES).to_ascii_lowercase(),
        rng.range(1, 99),
        rng.pick(DOMAINS)
    )
}

/// A North American number in the fictional 555-0100..555-0199 block.
pub(super) fn phone(rng: &mut Rng) -> String {
    let area = AREA_CODES[rng.below(AREA_CODES.len())];
    format!("+1-{area}-555-01{:02}", rng.range(0, 99))
}

pub(super) fn uuid(rng: &mut Rng) -> String {
    let h = rng.hex(32);
    let variant = ["8", "9", "a", "b"][rng.below(4)];
    format!(
        "{}-{}-4{}-{}{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        variant,
        &h[17..20],
        &h[20..32]
    )
}

/// A time in 2023–2025, to the second, as RFC 3339 in UTC.
pub(super) fn date_time(rng: &mut Rng) -> String {
    let start = 1_672_531_200_000i64; // 2023-01-01T00:00:00Z
    let span_s = 3 * 365 * 86_400;
    let t = EventTime::from_unix_millis(start + rng.range(0, span_s) * 1000);
    t.to_rfc3339()
}

pub(super) fn url(rng: &mut Rng) -> String {
    format!(
        "https://{}/{}/{}",
        rng.pick(DOMAINS),
        rng.pick(WORDS),
        rng.range(1, 99_999)
    )
}

pub(super) fn host(rng: &mut Rng) -> String {
    format!("{}.{}", rng.pick(WORDS), rng.pick(DOMAINS))
}

pub(super) fn ipv4(rng: &mut Rng) -> String {
    format!("{}.{}", rng.pick(TEST_NETS), rng.range(1, 254))
}

pub(super) fn title(rng: &mut Rng) -> String {
    let mut s = sentence(rng, 2, 4);
    s.pop(); // the full stop
    s
}

pub(super) fn sentence(rng: &mut Rng, min: i64, max: i64) -> String {
    let n = rng.range(min, max);
    let mut s = String::new();
    for i in 0..n {
        let w = rng.pick(WORDS);
        if i == 0 {
            let mut cs = w.chars();
            if let Some(c) = cs.next() {
                s.push(c.to_ascii_uppercase());
                s.push_str(cs.as_str());
            }
        } else {
            s.push(' ');
            s.push_str(w);
        }
    }
    s.push('.');
    s
}
