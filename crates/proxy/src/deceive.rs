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

use serde_json::{Map, Number, Value};

use rampart_core::EventTime;

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

// ---------------------------------------------------------------------------------------------
// What a property's name says about its value.

/// A guess at what a field holds, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hint {
    None,
    Email,
    Phone,
    FirstName,
    LastName,
    FullName,
    Username,
    ProductName,
    Company,
    City,
    State,
    Country,
    CountryCode,
    Street,
    Zip,
    Price,
    Currency,
    Id,
    Uuid,
    Token,
    Sku,
    Url,
    Ip,
    Host,
    DateTime,
    Date,
    Status,
    Text,
    Title,
    Latitude,
    Longitude,
    Age,
    Count,
    Year,
    Rating,
    Percent,
    Card,
    Ssn,
    Locale,
    Color,
    Active,
}

impl Hint {
    fn of(name: &str) -> Self {
        let words = words(name);
        let joined: String = words.concat();
        let last = words.last().map_or("", String::as_str);
        let first = words.first().map_or("", String::as_str);
        let has = |w: &str| words.iter().any(|x| x == w);
        let j = joined.as_str();
        if matches!(first, "is" | "has" | "can" | "should" | "enabled")
            || matches!(
                j,
                "active" | "enabled" | "verified" | "deleted" | "disabled"
            )
        {
            return Self::Active;
        }
        if j.contains("email") || last == "mail" {
            return Self::Email;
        }
        if [
            "phone",
            "mobile",
            "tel",
            "telephone",
            "msisdn",
            "fax",
            "cell",
        ]
        .iter()
        .any(|w| has(w))
            || j.contains("phone")
        {
            return Self::Phone;
        }
        if matches!(j, "firstname" | "givenname" | "forename" | "fname") {
            return Self::FirstName;
        }
        if matches!(j, "lastname" | "surname" | "familyname" | "lname") {
            return Self::LastName;
        }
        if matches!(
            j,
            "username" | "login" | "handle" | "nickname" | "screenname" | "userlogin" | "nick"
        ) {
            return Self::Username;
        }
        if matches!(j, "uuid" | "guid") || last == "uuid" || last == "guid" {
            return Self::Uuid;
        }
        if matches!(last, "id" | "ids" | "pk") || j == "id" {
            return Self::Id;
        }
        if matches!(
            last,
            "token" | "secret" | "key" | "password" | "passwd" | "hash" | "signature" | "nonce"
        ) || matches!(j, "apikey" | "jwt" | "accesstoken" | "refreshtoken")
        {
            return Self::Token;
        }
        if matches!(last, "sku" | "upc" | "ean" | "gtin" | "mpn") {
            return Self::Sku;
        }
        if matches!(
            last,
            "url"
                | "uri"
                | "link"
                | "href"
                | "website"
                | "homepage"
                | "avatar"
                | "image"
                | "img"
                | "photo"
                | "picture"
                | "thumbnail"
                | "icon"
                | "logo"
        ) {
            return Self::Url;
        }
        if matches!(j, "ip" | "ipaddress" | "ipaddr" | "remoteaddr" | "clientip") || last == "ip" {
            return Self::Ip;
        }
        if matches!(last, "host" | "hostname" | "domain" | "fqdn") {
            return Self::Host;
        }
        if (last == "at" && words.len() > 1)
            || matches!(
                j,
                "timestamp" | "datetime" | "time" | "lastlogin" | "lastseen" | "ts" | "modified"
            )
            || last == "timestamp"
            || last == "time"
        {
            return Self::DateTime;
        }
        if matches!(j, "dob" | "birthday" | "birthdate" | "dateofbirth")
            || last == "date"
            || last == "on"
        {
            return Self::Date;
        }
        if matches!(
            j,
            "zip" | "zipcode" | "postalcode" | "postcode" | "postal" | "plz"
        ) {
            return Self::Zip;
        }
        if matches!(last, "city" | "town") {
            return Self::City;
        }
        if j == "countrycode" || (has("country") && matches!(last, "code" | "iso")) {
            return Self::CountryCode;
        }
        if has("country") {
            return Self::Country;
        }
        if matches!(last, "province" | "region" | "county") || j == "state" {
            return Self::State;
        }
        if matches!(last, "street" | "address" | "line1" | "line2" | "addr")
            || j.starts_with("addressline")
        {
            return Self::Street;
        }
        if matches!(
            last,
            "price"
                | "amount"
                | "cost"
                | "total"
                | "subtotal"
                | "balance"
                | "fee"
                | "tax"
                | "discount"
                | "salary"
                | "revenue"
        ) {
            return Self::Price;
        }
        if matches!(last, "currency") {
            return Self::Currency;
        }
        if matches!(j, "lat" | "latitude") || last == "latitude" {
            return Self::Latitude;
        }
        if matches!(j, "lng" | "lon" | "long" | "longitude") || last == "longitude" {
            return Self::Longitude;
        }
        if last == "age" {
            return Self::Age;
        }
        if last == "year" {
            return Self::Year;
        }
        if matches!(last, "rating" | "score" | "stars") {
            return Self::Rating;
        }
        if matches!(last, "percent" | "percentage" | "ratio" | "rate") {
            return Self::Percent;
        }
        if matches!(
            last,
            "count" | "quantity" | "qty" | "stock" | "number" | "num" | "size" | "page" | "limit"
        ) || first == "num"
            || first == "total"
        {
            return Self::Count;
        }
        if matches!(j, "card" | "cardnumber" | "pan" | "creditcard" | "ccnumber") {
            return Self::Card;
        }
        if matches!(j, "ssn" | "socialsecuritynumber" | "nationalid") {
            return Self::Ssn;
        }
        if matches!(last, "language" | "locale" | "lang") {
            return Self::Locale;
        }
        if matches!(last, "color" | "colour") {
            return Self::Color;
        }
        if matches!(
            last,
            "company" | "organization" | "organisation" | "org" | "employer" | "vendor" | "brand"
        ) {
            return Self::Company;
        }
        if matches!(
            last,
            "status" | "state" | "stage" | "type" | "kind" | "role"
        ) {
            return Self::Status;
        }
        if matches!(
            last,
            "description"
                | "bio"
                | "comment"
                | "comments"
                | "message"
                | "text"
                | "body"
                | "summary"
                | "note"
                | "notes"
                | "content"
                | "details"
        ) {
            return Self::Text;
        }
        if matches!(last, "title" | "subject" | "headline" | "label" | "tag") {
            return Self::Title;
        }
        if last == "name" {
            return if ["product", "item", "sku", "article"].iter().any(|w| has(w)) {
                Self::ProductName
            } else if [
                "company",
                "org",
                "organization",
                "business",
                "store",
                "shop",
            ]
            .iter()
            .any(|w| has(w))
            {
                Self::Company
            } else if has("user") || has("account") {
                Self::Username
            } else {
                Self::FullName
            };
        }
        Self::None
    }

    /// The type a field of this name has when its schema does not say.
    fn natural_kind(self) -> Kind {
        match self {
            Self::Id | Self::Age | Self::Count | Self::Year => Kind::Integer,
            Self::Price | Self::Latitude | Self::Longitude | Self::Rating | Self::Percent => {
                Kind::Number
            }
            Self::Active => Kind::Boolean,
            _ => Kind::String,
        }
    }
}

/// The lower-case words of a field name: `createdAt`, `created_at` and `created-at` all give
/// `["created", "at"]`. At most 8 words of 32 bytes, as names are attacker-chosen.
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars().take(128) {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        if cur.len() < 32 {
            cur.push(c.to_ascii_lowercase());
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out.truncate(8);
    out
}

// ---------------------------------------------------------------------------------------------
// Fake values.

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
const TEST_NETS: &[&str] = &["192.0.2", "198.51.100", "203.0.113"];

fn string(v: &View<'_>, hint: Hint, rng: &mut Rng) -> String {
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

fn by_hint(hint: Hint, rng: &mut Rng) -> String {
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

fn fit_length(mut s: String, min: Option<u64>, max: Option<u64>) -> String {
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

fn integer(v: &View<'_>, hint: Hint, rng: &mut Rng) -> i64 {
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

fn number(v: &View<'_>, hint: Hint, rng: &mut Rng) -> f64 {
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

fn price(rng: &mut Rng) -> f64 {
    // Prices end in .99, .49 or .00 more often than not.
    let whole = rng.range(1, 499) as f64;
    whole
        + *[0.99, 0.49, 0.0, 0.25][..]
            .get(rng.below(4))
            .unwrap_or(&0.99)
}

fn email(rng: &mut Rng) -> String {
    format!(
        "{}.{}{}@{}",
        rng.pick(FIRST_NAMES).to_ascii_lowercase(),
        rng.pick(LAST_NAMES).to_ascii_lowercase(),
        rng.range(1, 99),
        rng.pick(DOMAINS)
    )
}

/// A North American number in the fictional 555-0100..555-0199 block.
fn phone(rng: &mut Rng) -> String {
    let area = AREA_CODES[rng.below(AREA_CODES.len())];
    format!("+1-{area}-555-01{:02}", rng.range(0, 99))
}

fn uuid(rng: &mut Rng) -> String {
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
fn date_time(rng: &mut Rng) -> String {
    let start = 1_672_531_200_000i64; // 2023-01-01T00:00:00Z
    let span_s = 3 * 365 * 86_400;
    let t = EventTime::from_unix_millis(start + rng.range(0, span_s) * 1000);
    t.to_rfc3339()
}

fn url(rng: &mut Rng) -> String {
    format!(
        "https://{}/{}/{}",
        rng.pick(DOMAINS),
        rng.pick(WORDS),
        rng.range(1, 99_999)
    )
}

fn host(rng: &mut Rng) -> String {
    format!("{}.{}", rng.pick(WORDS), rng.pick(DOMAINS))
}

fn ipv4(rng: &mut Rng) -> String {
    format!("{}.{}", rng.pick(TEST_NETS), rng.range(1, 254))
}

fn title(rng: &mut Rng) -> String {
    let mut s = sentence(rng, 2, 4);
    s.pop(); // the full stop
    s
}

fn sentence(rng: &mut Rng, min: i64, max: i64) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_hints() {
        assert_eq!(Hint::of("createdAt"), Hint::DateTime);
        assert_eq!(Hint::of("created_at"), Hint::DateTime);
        assert_eq!(Hint::of("first_name"), Hint::FirstName);
        assert_eq!(Hint::of("firstName"), Hint::FirstName);
        assert_eq!(Hint::of("user_id"), Hint::Id);
        assert_eq!(Hint::of("postal_code"), Hint::Zip);
        assert_eq!(Hint::of("contactEmail"), Hint::Email);
        assert_eq!(Hint::of("product_name"), Hint::ProductName);
        assert_eq!(Hint::of("name"), Hint::FullName);
        assert_eq!(Hint::of("unit_price"), Hint::Price);
        assert_eq!(Hint::of("is_active"), Hint::Active);
        assert_eq!(Hint::of("country_code"), Hint::CountryCode);
        assert_eq!(Hint::of("paid"), Hint::None);
    }

    #[test]
    fn arrays_name_their_items() {
        assert_eq!(singular("tags"), "tag");
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("addresses"), "address");
        assert_eq!(singular("boxes"), "box");
        assert_eq!(singular("status"), "status");
        assert_eq!(singular("emails"), "email");
    }

    #[test]
    fn fake_values_use_reserved_ranges() {
        let mut rng = Rng::new(7);
        for _ in 0..200 {
            let e = email(&mut rng);
            assert!(
                e.ends_with("@example.com") || e.ends_with("@example.net"),
                "{e}"
            );
            let p = phone(&mut rng);
            assert!(p.contains("-555-01"), "{p}");
            let ip = ipv4(&mut rng);
            assert!(
                TEST_NETS.iter().any(|n| ip.starts_with(&format!("{n}."))),
                "{ip}"
            );
            let u = uuid(&mut rng);
            assert_eq!(u.len(), 36);
            assert_eq!(&u[14..15], "4");
        }
    }
}
