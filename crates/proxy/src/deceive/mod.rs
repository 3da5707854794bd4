//! Decoy bodies for the `deceive` action: plausible fake JSON shaped like the endpoint's real
//! answers, so a scraper or an enumerator keeps collecting junk instead of learning it was
//! caught.
//!
//! [`decoy`] takes the endpoint's learned response schema (the JSON Schema / OpenAPI schema
//! object that `rampart_discover::schema::schema_from_fields` builds: `type`, `properties`,
//! `items`, `format`, `nullable`, and also `required`, `enum`, `allOf` / `oneOf` / `anyOf`,
//! length and range bounds when a spec supplied them) and a seed, and returns a [`Decoy`].
//!
//! - **Plausible.** Every property of an object is filled, required ones first; arrays get 1 to 5
//!   items; strings follow their `format` (`email`, `uuid`, `date-time`, `date`, `uri`, `ipv4`,
//!   `ipv6`, `hostname`) and else the property's name (`email`, `phone`, `first_name`, `city`,
//!   `zip`, `price`, `id`, `token`, `sku`, `created_at`, ...); numbers fall in ranges that fit
//!   the name.
//! - **Obviously synthetic to an operator.** Addresses, hosts and URLs use the reserved
//!   `example.com` / `example.net` domains, phone numbers the fictional 555-01xx block, IP
//!   addresses the documentation networks (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
//!   2001:db8::/32), card numbers the well-known test number: nothing can collide with a real
//!   customer.
//! - **Deterministic.** The same schema and seed give the same bytes (a hand-written splitmix64,
//!   not a library generator whose algorithm may change between versions). Each property draws
//!   from its own stream, seeded by the seed and its name, so a field keeps its value when the
//!   learned schema grows another field. The caller seeds from the path and the actor: a scraper
//!   asking for the same object again sees the same junk.
//! - **Bounded.** At most [`MAX_DEPTH`] levels of nesting, [`MAX_PROPERTIES`] properties per
//!   object, [`MAX_BODY`] bytes of body; any JSON value is accepted as a schema and nothing
//!   panics. Without a usable schema the decoy is a small generic object.

mod hint;
#[cfg(test)]
mod tests;
mod values;

use serde_json::{Map, Number, Value};

use rampart_core::EventTime;

use hint::Hint;
use values::{date_time, integer, number, string};

/// Deepest nesting of objects and arrays in a decoy body (the outermost counts as 1).
pub const MAX_DEPTH: usize = 6;
/// Most properties given to one object.
pub const MAX_PROPERTIES: usize = 64;
/// Largest decoy body, in bytes.
pub const MAX_BODY: usize = 64 * 1024;
/// The media type of every decoy.
pub const CONTENT_TYPE: &str = "application/json";

/// Longest generated string, in characters (`minLength` pads up to it, no further).
const MAX_STRING: usize = 256;
/// Most items of an array.
const MAX_ITEMS: u64 = 5;
/// How far `allOf` / `oneOf` / `anyOf` are followed inside one another.
const MAX_COMPOSITION: u8 = 3;
/// Sub-schemas of one `allOf` merged, branches of one `oneOf` / `anyOf` looked at.
const MAX_PARTS: usize = 8;
/// Longest property name given a value, in bytes.
const MAX_NAME: usize = 1024;
/// Schema objects read while making one decoy: the work is bounded whatever the schema.
const MAX_SCHEMA_READS: usize = 20_000;

/// A decoy answer: its media type and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoy {
    /// The `Content-Type` to answer with ([`CONTENT_TYPE`]).
    pub content_type: &'static str,
    /// The body: one JSON document of at most [`MAX_BODY`] bytes.
    pub body: Vec<u8>,
}

/// A decoy body for an endpoint whose responses look like `schema`, the same for the same
/// `seed`. Without a schema, or with one that says nothing usable, a small generic object
/// (`{"id": ..., "status": "ok", "updated_at": ...}`).
pub fn decoy(schema: Option<&Value>, seed: u64) -> Decoy {
    let body = schema
        .filter(|s| describes_something(s))
        .and_then(|s| {
            // The budget is an estimate of the output size; if escaping in property names made
            // it too low, the body is made again with less room, and the generic body is the
            // last resort.
            [MAX_BODY - 8 * 1024, MAX_BODY / 4, 4 * 1024]
                .into_iter()
                .find_map(|budget| {
                    let mut g = Gen {
                        budget,
                        fuel: MAX_SCHEMA_READS,
                    };
                    let v = g.value(s, None, seed, 1);
                    serde_json::to_vec(&v).ok().filter(|b| b.len() <= MAX_BODY)
                })
        })
        .unwrap_or_else(|| generic(seed));
    Decoy {
        content_type: CONTENT_TYPE,
        body,
    }
}

/// The small object used when there is no schema.
fn generic(seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut m = Map::new();
    m.insert("id".into(), Value::from(rng.range(1000, 999_999)));
    m.insert("status".into(), Value::from("ok"));
    m.insert("updated_at".into(), Value::from(date_time(&mut rng)));
    serde_json::to_vec(&Value::Object(m)).unwrap_or_else(|_| b"{\"status\":\"ok\"}".to_vec())
}

/// Whether a schema says anything about the value's shape (a type, properties, items, an enum,
/// a composition); `{}` and non-objects do not.
fn describes_something(schema: &Value) -> bool {
    let mut fuel = MAX_SCHEMA_READS;
    let v = view(schema, 0, &mut fuel);
    v.kind.is_some() || !v.props.is_empty() || v.items.is_some()
}

// ---------------------------------------------------------------------------------------------
// Randomness: splitmix64, stable forever.

/// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and fixed, so decoys never change between
/// releases for the same seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform enough in `lo..=hi` (the modulo bias is irrelevant for decoys).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (i128::from(hi) - i128::from(lo) + 1) as u128;
        let r = u128::from(self.next()) % span;
        (i128::from(lo) + r as i128) as i64
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs.get(self.below(xs.len())).copied().unwrap_or("")
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn hex(&mut self, n: usize) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        (0..n)
            .map(|_| DIGITS[(self.next() & 15) as usize] as char)
            .collect()
    }
}

/// The splitmix64 finaliser.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of a child: the parent's seed and the child's name (FNV-1a) or index.
fn child_seed(seed: u64, name: &str, index: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(seed ^ mix(h ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
}

// ---------------------------------------------------------------------------------------------
// Reading a schema.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
}

impl Kind {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "object" => Self::Object,
            "array" => Self::Array,
            "string" => Self::String,
            "integer" => Self::Integer,
            "number" => Self::Number,
            "boolean" => Self::Boolean,
            _ => return None,
        })
    }

    fn of(v: &Value) -> Option<Self> {
        Some(match v {
            Value::Null => return None,
            Value::Bool(_) => Self::Boolean,
            Value::Number(n) if n.is_i64() || n.is_u64() => Self::Integer,
            Value::Number(_) => Self::Number,
            Value::String(_) => Self::String,
            Value::Array(_) => Self::Array,
            Value::Object(_) => Self::Object,
        })
    }
}

/// A schema used where none is given (a required property missing from `properties`).
static ANY: Value = Value::Null;

/// What the generator needs of a schema, with `allOf` merged and the first usable `oneOf` /
/// `anyOf` branch taken.
#[derive(Default)]
struct View<'s> {
    /// Names in `props`, to merge `required`, `properties` and `allOf` parts without repeats.
    seen: std::collections::HashSet<&'s str>,
    kind: Option<Kind>,
    format: Option<&'s str>,
    /// Properties to fill, required ones first, at most [`MAX_PROPERTIES`].
    props: Vec<(&'s str, &'s Value)>,
    items: Option<&'s Value>,
    /// `enum` / `const` values usable as they are (small scalars).
    choices: Vec<&'s Value>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    min_len: Option<u64>,
    max_len: Option<u64>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    exclusive_min: bool,
    exclusive_max: bool,
}

fn view<'s>(schema: &'s Value, hops: u8, fuel: &mut usize) -> View<'s> {
    let mut v = View::default();
    merge(&mut v, schema, hops, fuel);
    if v.kind.is_none() {
        v.kind = if !v.props.is_empty() {
            Some(Kind::Object)
        } else if v.items.is_some() {
            Some(Kind::Array)
        } else {
            v.choices.first().and_then(|c| Kind::of(c))
        };
    }
    v
}

fn merge<'s>(v: &mut View<'s>, schema: &'s Value, hops: u8, fuel: &mut usize) {
    let Value::Object(s) = schema else {
        return;
    };
    if *fuel == 0 {
        return;
    }
    *fuel -= 1;
    if v.kind.is_none() {
        v.kind = match s.get("type") {
            Some(Value::String(t)) => Kind::from_name(t),
            // OpenAPI 3.1 / JSON Schema: `["string", "null"]`.
            Some(Value::Array(ts)) => ts
                .iter()
                .take(8)
                .filter_map(Value::as_str)
                .find_map(Kind::from_name),
            _ => None,
        };
    }
    if v.format.is_none() {
        v.format = s.get("format").and_then(Value::as_str);
    }
    let props = s.get("properties").and_then(Value::as_object);
    if let Some(required) = s.get("required").and_then(Value::as_array) {
        for name in required
            .iter()
            .take(MAX_PROPERTIES)
            .filter_map(Value::as_str)
        {
            let sub = props.and_then(|p| p.get(name)).unwrap_or(&ANY);
            add_prop(v, name, sub);
        }
    }
    if let Some(props) = props {
        for (name, sub) in props.iter().take(MAX_PROPERTIES) {
            add_prop(v, name, sub);
        }
    }
    if v.items.is_none() {
        v.items = s.get("items");
    }
    if v.choices.is_empty() {
        if let Some(c) = s.get("const").filter(|c| usable_choice(c)) {
            v.choices.push(c);
        } else if let Some(Value::Array(values)) = s.get("enum") {
            v.choices = values
                .iter()
                .take(64)
                .filter(|c| usable_choice(c))
                .collect();
        }
    }
    let uint = |k: &str| s.get(k).and_then(Value::as_u64);
    let num = |k: &str| s.get(k).and_then(Value::as_f64).filter(|f| f.is_finite());
    v.min_items = v.min_items.or(uint("minItems"));
    v.max_items = v.max_items.or(uint("maxItems"));
    v.min_len = v.min_len.or(uint("minLength"));
    v.max_len = v.max_len.or(uint("maxLength"));
    if v.minimum.is_none() {
        v.minimum = num("minimum");
        match s.get("exclusiveMinimum") {
            Some(Value::Bool(b)) => v.exclusive_min = *b,
            Some(n) => {
                if let Some(f) = n.as_f64().filter(|f| f.is_finite()) {
                    v.minimum = Some(v.minimum.map_or(f, |m| m.max(f)));
                    v.exclusive_min = true;
                }
            }
            None => {}
        }
    }
    if v.maximum.is_none() {
        v.maximum = num("maximum");
        match s.get("exclusiveMaximum") {
            Some(Value::Bool(b)) => v.exclusive_max = *b,
            Some(n) => {
                if let Some(f) = n.as_f64().filter(|f| f.is_finite()) {
                    v.maximum = Some(v.maximum.map_or(f, |m| m.min(f)));
                    v.exclusive_max = true;
                }
            }
            None => {}
        }
    }
    if hops >= MAX_COMPOSITION {
        return;
    }
    if let Some(Value::Array(parts)) = s.get("allOf") {
        for part in parts.iter().take(MAX_PARTS) {
            merge(v, part, hops + 1, fuel);
        }
    }
    if v.kind.is_none() && v.props.is_empty() && v.items.is_none() {
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(branches)) = s.get(key) {
                // The first branch that describes a value (not `{"type": "null"}`).
                if let Some(b) = branches.iter().take(MAX_PARTS).find(|b| {
                    let bv = view(b, hops + 1, fuel);
                    bv.kind.is_some() || !bv.props.is_empty()
                }) {
                    merge(v, b, hops + 1, fuel);
                    break;
                }
            }
        }
    }
}

fn add_prop<'s>(v: &mut View<'s>, name: &'s str, sub: &'s Value) {
    if v.props.len() < MAX_PROPERTIES && v.seen.insert(name) {
        v.props.push((name, sub));
    }
}

/// An `enum` value a decoy may carry as it is: a scalar of reasonable size.
fn usable_choice(c: &Value) -> bool {
    match c {
        Value::String(s) => s.len() <= MAX_STRING,
        Value::Number(_) | Value::Bool(_) => true,
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Generating.

struct Gen {
    /// Bytes of output still allowed (an estimate of the serialised size).
    budget: usize,
    /// Schema objects that may still be read ([`MAX_SCHEMA_READS`]).
    fuel: usize,
}

impl Gen {
    /// A value for `schema`; `name` is the property it fills, `level` the nesting level a
    /// container made here would have.
    fn value(&mut self, schema: &Value, name: Option<&str>, seed: u64, level: usize) -> Value {
        let v = view(schema, 0, &mut self.fuel);
        let mut rng = Rng::new(seed);
        let hint = name.map(Hint::of).unwrap_or(Hint::None);
        if !v.choices.is_empty() {
            let c = v.choices[rng.below(v.choices.len())].clone();
            self.spend(json_len(&c));
            return c;
        }
        let kind = v.kind.unwrap_or_else(|| hint.natural_kind());
        match kind {
            Kind::Object => self.object(&v, seed, level),
            Kind::Array => self.array(&v, name, seed, level),
            Kind::String => {
                let s = string(&v, hint, &mut rng);
                self.spend(s.len() + 2);
                Value::String(s)
            }
            Kind::Integer => {
                let n = integer(&v, hint, &mut rng);
                self.spend(20);
                Value::from(n)
            }
            Kind::Number => {
                let n = number(&v, hint, &mut rng);
                self.spend(24);
                Number::from_f64(n).map_or(Value::from(0), Value::Number)
            }
            Kind::Boolean => {
                self.spend(5);
                Value::Bool(match hint {
                    // Accounts and flags in decoys look alive.
                    Hint::Active => rng.below(10) != 0,
                    _ => rng.below(2) == 0,
                })
            }
        }
    }

    fn object(&mut self, v: &View<'_>, seed: u64, level: usize) -> Value {
        self.spend(2);
        let mut m = Map::new();
        if level >= MAX_DEPTH {
            return Value::Object(m);
        }
        for (name, sub) in &v.props {
            // A name this long is no real API's; leaving it out keeps the work bounded.
            if name.len() > MAX_NAME {
                continue;
            }
            let key_cost = escaped_len(name) + 4;
            // Leave room for at least a short value after the key.
            if self.budget < key_cost + 32 {
                continue;
            }
            self.spend(key_cost);
            let child = self.value(sub, Some(name), child_seed(seed, name, 0), level + 1);
            m.insert((*name).to_owned(), child);
        }
        Value::Object(m)
    }

    fn array(&mut self, v: &View<'_>, name: Option<&str>, seed: u64, level: usize) -> Value {
        self.spend(2);
        if level >= MAX_DEPTH {
            return Value::Array(Vec::new());
        }
        let mut rng = Rng::new(seed);
        let lo = v.min_items.unwrap_or(1).clamp(1, MAX_ITEMS);
        let hi = v.max_items.unwrap_or(MAX_ITEMS).min(MAX_ITEMS);
        let n = if hi < lo {
            hi
        } else {
            rng.range(lo as i64, hi as i64) as u64
        };
        // Items of `tags` are tags: the array's name hints at its items.
        let item_name = name.map(singular);
        let items = v.items.unwrap_or(&ANY);
        let mut out = Vec::new();
        for i in 0..n {
            if self.budget < 48 {
                break;
            }
            self.spend(1);
            out.push(self.value(
                items,
                item_name.as_deref(),
                child_seed(seed, "[]", i),
                level + 1,
            ));
        }
        Value::Array(out)
    }

    fn spend(&mut self, n: usize) {
        self.budget = self.budget.saturating_sub(n.max(1));
    }
}

/// `tags` → `tag`, `addresses` → `address`, `categories` → `category`: a name for one item.
fn singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        format!("{stem}y")
    } else if name.ends_with("sses") || name.ends_with("xes") {
        name[..name.len() - 2].to_owned()
    } else if name.len() > 2
        && name.ends_with('s')
        && !name.ends_with("ss")
        && !name.ends_with("us")
    {
        name[..name.len() - 1].to_owned()
    } else {
        name.to_owned()
    }
}

/// The serialised length of a JSON string's contents.
fn escaped_len(s: &str) -> usize {
    s.chars()
        .map(|c| match c {
            '"' | '\\' => 2,
            c if c.is_control() => 6,
            c => c.len_utf8(),
        })
        .sum()
}

fn json_len(v: &Value) -> usize {
    match v {
        Value::String(s) => escaped_len(s) + 2,
        _ => 24,
    }
}
