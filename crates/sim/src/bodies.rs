//! JSON bodies from schemas, with realistic (and personal) values by property name.

use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::{Map, Number, Value};

use crate::values::{date, date_time, email, id_number, random_chars, schema_type, username, uuid};
use crate::words::{CITIES, FIRST_NAMES, LAST_NAMES, NOUNS, STREETS, WORDS};

/// Largest generated body, in bytes.
pub(crate) const MAX_BODY: usize = 4096;
const MAX_DEPTH: usize = 4;

/// A JSON body for `schema`, at most [`MAX_BODY`] bytes once serialised.
pub(crate) fn body_from_schema<R: Rng + ?Sized>(schema: &Value, rng: &mut R) -> Vec<u8> {
    let mut budget = MAX_BODY as i64 - 256;
    let value = value_for(schema, "", 0, &mut budget, rng);
    let bytes = serde_json::to_vec(&value).unwrap_or_default();
    if bytes.len() <= MAX_BODY && !bytes.is_empty() {
        bytes
    } else {
        small_object(rng)
    }
}

/// A small object for endpoints that document no body schema.
pub(crate) fn small_object<R: Rng + ?Sized>(rng: &mut R) -> Vec<u8> {
    let value = match rng.random_range(0..3) {
        0 => serde_json::json!({"id": id_number(rng), "status": "ok"}),
        1 => serde_json::json!({"id": uuid(rng), "created_at": date_time(rng)}),
        _ => serde_json::json!({"ok": true}),
    };
    serde_json::to_vec(&value).unwrap_or_default()
}

/// An error body such as real frameworks send.
pub(crate) fn error_body<R: Rng + ?Sized>(status: u16, rng: &mut R) -> Vec<u8> {
    let (code, message) = match status {
        400 => ("bad_request", "Invalid request parameters"),
        401 => ("unauthorized", "Authentication required"),
        403 => ("forbidden", "You do not have access to this resource"),
        404 => ("not_found", "Resource not found"),
        429 => ("rate_limited", "Too many requests"),
        _ => ("internal_error", "An unexpected error occurred"),
    };
    let value = if rng.random_bool(0.5) {
        serde_json::json!({"error": {"code": code, "message": message}})
    } else {
        serde_json::json!({"status": status, "error": code, "message": message, "request_id": uuid(rng)})
    };
    serde_json::to_vec(&value).unwrap_or_default()
}

fn value_for<R: Rng + ?Sized>(
    schema: &Value,
    name: &str,
    depth: usize,
    budget: &mut i64,
    rng: &mut R,
) -> Value {
    if depth > MAX_DEPTH || *budget <= 0 {
        return Value::Null;
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        if let Some(v) = values.choose(rng) {
            *budget -= 12;
            return v.clone();
        }
    }
    if let Some(v) = schema
        .get("example")
        .filter(|v| !v.is_object() && !v.is_array())
    {
        if rng.random_bool(0.3) {
            *budget -= 12;
            return v.clone();
        }
    }
    for combinator in ["oneOf", "anyOf"] {
        if let Some(choices) = schema.get(combinator).and_then(Value::as_array) {
            if let Some(choice) = choices.choose(rng) {
                return value_for(choice, name, depth, budget, rng);
            }
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in parts {
            match value_for(part, name, depth, budget, rng) {
                Value::Object(fields) => merged.extend(fields),
                other if parts.len() == 1 => return other,
                _ => {}
            }
        }
        return Value::Object(merged);
    }
    let has_properties = schema.get("properties").is_some_and(Value::is_object);
    match schema_type(schema) {
        Some("object") => object_for(schema, depth, budget, rng),
        None if has_properties => object_for(schema, depth, budget, rng),
        Some("array") => {
            let items = schema.get("items").cloned().unwrap_or(Value::Null);
            let n = rng.random_range(1..=3);
            let mut out = Vec::with_capacity(n);
            for _ in 0..n {
                if *budget <= 0 {
                    break;
                }
                out.push(value_for(&items, name, depth + 1, budget, rng));
            }
            Value::Array(out)
        }
        Some("integer") => {
            *budget -= 10;
            Value::Number(integer_for(schema, name, rng).into())
        }
        Some("number") => {
            *budget -= 10;
            let v = if name.to_ascii_lowercase().contains("lat") {
                rng.random_range(-60.0..60.0)
            } else {
                (rng.random_range(100..500_000) as f64) / 100.0
            };
            Number::from_f64(v)
                .map(Value::Number)
                .unwrap_or(Value::Null)
        }
        Some("boolean") => {
            *budget -= 5;
            Value::Bool(rng.random_bool(0.5))
        }
        _ => {
            let s = string_for(schema, name, rng);
            *budget -= s.len() as i64 + 4;
            Value::String(s)
        }
    }
}

fn object_for<R: Rng + ?Sized>(
    schema: &Value,
    depth: usize,
    budget: &mut i64,
    rng: &mut R,
) -> Value {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = Map::new();
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (key, prop) in props {
            if *budget <= 0 {
                break;
            }
            if !required.contains(&key.as_str()) && rng.random_bool(0.2) {
                continue;
            }
            *budget -= key.len() as i64 + 4;
            out.insert(key.clone(), value_for(prop, key, depth + 1, budget, rng));
        }
    }
    if out.is_empty() && depth == 0 {
        out.insert("id".into(), Value::Number(id_number(rng).into()));
    }
    Value::Object(out)
}

fn integer_for<R: Rng + ?Sized>(schema: &Value, name: &str, rng: &mut R) -> i64 {
    let lower = name.to_ascii_lowercase();
    let (lo, hi) = if lower.contains("age") {
        (18, 90)
    } else if lower.contains("year") {
        (1970, 2024)
    } else if lower.contains("count") || lower.contains("total") || lower.contains("quantity") {
        (0, 500)
    } else if lower.ends_with("id") {
        let id = i64::try_from(id_number(rng)).unwrap_or(1);
        (id, id)
    } else {
        (0, 10_000)
    };
    let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(lo);
    let max = schema
        .get("maximum")
        .and_then(Value::as_i64)
        .unwrap_or(hi.max(min));
    if min > max {
        return min;
    }
    rng.random_range(min..=max)
}

fn string_for<R: Rng + ?Sized>(schema: &Value, name: &str, rng: &mut R) -> String {
    match schema.get("format").and_then(Value::as_str) {
        Some("email") => return email(rng),
        Some("uuid") => return uuid(rng),
        Some("date") => return date(rng),
        Some("date-time") => return date_time(rng),
        Some("uri" | "url") => {
            return format!("https://cdn.example.com/{}/{}", pick(rng, NOUNS), uuid(rng))
        }
        Some("ipv4") => return ipv4(rng),
        Some("byte") => {
            return random_chars(
                rng,
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                24,
            )
        }
        _ => {}
    }
    by_name(name, rng).unwrap_or_else(|| {
        let first = pick(rng, WORDS);
        let second = pick(rng, NOUNS);
        format!("{first} {second}")
    })
}

fn by_name<R: Rng + ?Sized>(name: &str, rng: &mut R) -> Option<String> {
    let key: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    let has = |w: &str| key.contains(w);
    let (city, state, zip) = CITIES
        .choose(rng)
        .copied()
        .unwrap_or(("Austin", "TX", "78701"));
    let value = if has("email") {
        email(rng)
    } else if has("phone") || has("mobile") || key == "tel" || has("telephone") {
        format!("+1 415 555 01{:02}", rng.random_range(0..100))
    } else if has("cardnumber") || has("ccnumber") || key == "pan" || has("creditcard") {
        luhn_card(rng)
    } else if has("ssn") || has("socialsecurity") {
        format!(
            "{:03}-{:02}-{:04}",
            rng.random_range(100..666),
            rng.random_range(10..99),
            rng.random_range(1000..9999)
        )
    } else if has("iban") {
        format!("DE89370400440532{:06}", rng.random_range(0..1_000_000))
    } else if has("firstname") || has("givenname") {
        capitalise(pick(rng, FIRST_NAMES))
    } else if has("lastname") || has("surname") || has("familyname") {
        capitalise(pick(rng, LAST_NAMES))
    } else if has("username") || has("login") || has("handle") {
        username(rng)
    } else if key == "name"
        || has("fullname")
        || has("displayname")
        || has("holder")
        || has("customername")
    {
        format!(
            "{} {}",
            capitalise(pick(rng, FIRST_NAMES)),
            capitalise(pick(rng, LAST_NAMES))
        )
    } else if has("street") || has("address") || has("line1") {
        format!("{} {}", rng.random_range(1..2500), pick(rng, STREETS))
    } else if has("city") {
        city.to_owned()
    } else if has("state") && !has("status") || has("region") {
        state.to_owned()
    } else if has("zip") || has("postal") {
        zip.to_owned()
    } else if has("country") {
        "US".to_owned()
    } else if has("birth") || key == "dob" {
        format!(
            "{}-{:02}-{:02}",
            rng.random_range(1950..2005),
            rng.random_range(1..=12),
            rng.random_range(1..=28)
        )
    } else if key.ends_with("at") || has("date") || has("time") {
        date_time(rng)
    } else if has("url") || has("avatar") || has("website") || has("link") {
        format!(
            "https://cdn.example.com/{}/{}.png",
            pick(rng, NOUNS),
            random_chars(rng, b"abcdef0123456789", 12)
        )
    } else if key == "ip" || has("ipaddress") {
        ipv4(rng)
    } else if has("currency") {
        ["USD", "EUR", "GBP"]
            .choose(rng)
            .copied()
            .unwrap_or("USD")
            .to_owned()
    } else if has("status") {
        ["active", "pending", "suspended", "closed"]
            .choose(rng)
            .copied()
            .unwrap_or("active")
            .to_owned()
    } else if key.ends_with("id") {
        uuid(rng)
    } else if has("description") || has("comment") || has("note") || has("message") || has("title")
    {
        format!(
            "{} {} {}",
            capitalise(pick(rng, WORDS)),
            pick(rng, NOUNS),
            pick(rng, WORDS)
        )
    } else {
        return None;
    };
    Some(value)
}

fn pick<R: Rng + ?Sized>(rng: &mut R, words: &[&'static str]) -> &'static str {
    words.choose(rng).copied().unwrap_or("x")
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn ipv4<R: Rng + ?Sized>(rng: &mut R) -> String {
    format!(
        "{}.{}.{}.{}",
        rng.random_range(11..223),
        rng.random_range(0..256),
        rng.random_range(0..256),
        rng.random_range(1..255)
    )
}

/// A 16-digit card number with a valid Luhn check digit, on a test-card prefix.
pub(crate) fn luhn_card<R: Rng + ?Sized>(rng: &mut R) -> String {
    let prefix: &[u8] = match rng.random_range(0..3) {
        0 => b"4",
        1 => b"51",
        _ => b"37",
    };
    let mut digits: Vec<u8> = prefix.iter().map(|d| d - b'0').collect();
    while digits.len() < 15 {
        digits.push(rng.random_range(0..10));
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    digits.push(((10 - sum % 10) % 10) as u8);
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// Whether a digit string passes the Luhn check.
#[cfg(test)]
pub(crate) fn luhn_valid(number: &str) -> bool {
    let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() < 12 {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::SmallRng, SeedableRng};
    use serde_json::json;

    #[test]
    fn cards_pass_luhn() {
        let mut rng = SmallRng::seed_from_u64(4);
        for _ in 0..100 {
            let card = luhn_card(&mut rng);
            assert_eq!(card.len(), 16);
            assert!(luhn_valid(&card), "{card}");
        }
        assert!(!luhn_valid("4111111111111112"));
        assert!(luhn_valid("4111111111111111"));
    }

    #[test]
    fn objects_follow_schema_and_names() {
        let schema = json!({
            "type": "object",
            "required": ["email", "card_number", "phone", "items", "id"],
            "properties": {
                "id": {"type": "integer"},
                "email": {"type": "string"},
                "card_number": {"type": "string"},
                "phone": {"type": "string"},
                "items": {"type": "array", "items": {"type": "object", "required": ["sku"], "properties": {"sku": {"type": "string"}}}}
            }
        });
        let mut rng = SmallRng::seed_from_u64(8);
        let body: Value = serde_json::from_slice(&body_from_schema(&schema, &mut rng)).unwrap();
        assert!(body["email"].as_str().unwrap().contains('@'));
        assert!(luhn_valid(body["card_number"].as_str().unwrap()));
        assert!(body["phone"].as_str().unwrap().starts_with("+1 415 555 01"));
        let items = body["items"].as_array().unwrap();
        assert!((1..=3).contains(&items.len()));
        assert!(body["id"].is_u64());
    }

    #[test]
    fn deep_and_wide_schemas_stay_bounded() {
        // Deep nesting through one property, width at every level.
        let mut schema = json!({"type": "string"});
        for i in 0..10 {
            let mut props = Map::new();
            props.insert("child".into(), schema);
            for j in 0..30 {
                props.insert(
                    format!("field_{i}_{j}"),
                    json!({"type": "string", "maxLength": 200}),
                );
            }
            schema = json!({"type": "array", "items": {"type": "object", "properties": props}});
        }
        let mut rng = SmallRng::seed_from_u64(2);
        let body = body_from_schema(&schema, &mut rng);
        assert!(body.len() <= MAX_BODY);
        assert!(serde_json::from_slice::<Value>(&body).is_ok());
    }
}
