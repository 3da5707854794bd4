//! Types of JSON values and query parameters, as observed: which JSON types a field had, and
//! which string formats, kept as small bit sets so facts stay fixed-size.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::json_walk::JsonNode;

/// JSON types seen for a field (bit set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Types(pub u8);

impl Types {
    /// `null`.
    pub const NULL: u8 = 1;
    /// `true` / `false`.
    pub const BOOLEAN: u8 = 2;
    /// An integer number.
    pub const INTEGER: u8 = 4;
    /// A number with a fraction or exponent.
    pub const NUMBER: u8 = 8;
    /// A string.
    pub const STRING: u8 = 16;
    /// An object.
    pub const OBJECT: u8 = 32;
    /// An array.
    pub const ARRAY: u8 = 64;

    /// The type of one value met by [`crate::json_walk`].
    pub fn of(node: JsonNode<'_>) -> u8 {
        match node {
            JsonNode::Null => Self::NULL,
            JsonNode::Bool(_) => Self::BOOLEAN,
            JsonNode::Int(_) => Self::INTEGER,
            JsonNode::Float(_) => Self::NUMBER,
            JsonNode::Str(_) => Self::STRING,
            JsonNode::Object => Self::OBJECT,
            JsonNode::Array => Self::ARRAY,
        }
    }

    /// The type a query-string value reads as (`42` integer, `true` boolean, else string).
    pub fn of_text(s: &str) -> u8 {
        if s.is_empty() {
            Self::STRING
        } else if s.parse::<i64>().is_ok() {
            Self::INTEGER
        } else if s.parse::<f64>().is_ok_and(f64::is_finite) && s.contains('.') {
            Self::NUMBER
        } else if s == "true" || s == "false" {
            Self::BOOLEAN
        } else {
            Self::STRING
        }
    }

    /// The OpenAPI `type` for these types (`integer` and `number` together give `number`;
    /// mixed scalar types give `string`).
    pub fn openapi_type(self) -> Option<&'static str> {
        let t = self.0 & !Self::NULL;
        Some(match t {
            0 => return None,
            x if x == Self::BOOLEAN => "boolean",
            x if x == Self::INTEGER => "integer",
            x if x & !(Self::INTEGER | Self::NUMBER) == 0 => "number",
            x if x == Self::OBJECT => "object",
            x if x == Self::ARRAY => "array",
            _ => "string",
        })
    }

    /// Whether `null` was seen.
    pub fn nullable(self) -> bool {
        self.0 & Self::NULL != 0
    }
}

/// String formats seen for a field (bit set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Formats(pub u8);

const FORMAT_NAMES: [&str; 7] = ["uuid", "email", "date", "date-time", "uri", "ipv4", "ipv6"];

impl Formats {
    /// The format of one string, as a bit (0 when none).
    pub fn of(s: &str) -> u8 {
        let b = s.as_bytes();
        let bit = |name: &str| {
            FORMAT_NAMES
                .iter()
                .position(|n| *n == name)
                .map_or(0, |i| 1u8 << i)
        };
        if b.len() == 36 && crate::segment::classify(s) == crate::segment::SegmentKind::Uuid {
            bit("uuid")
        } else if b.len() == 10 && crate::segment::classify(s) == crate::segment::SegmentKind::Date
        {
            bit("date")
        } else if b.len() >= 20
            && b.len() <= 35
            && rampart_core::EventTime::parse_rfc3339(s).is_ok()
        {
            bit("date-time")
        } else if s.starts_with("https://") || s.starts_with("http://") {
            bit("uri")
        } else if s.len() <= 254
            && s.contains('@')
            && crate::segment::classify(s) == crate::segment::SegmentKind::Email
        {
            bit("email")
        } else if s.parse::<std::net::Ipv4Addr>().is_ok() {
            bit("ipv4")
        } else if s.contains(':') && s.parse::<std::net::Ipv6Addr>().is_ok() {
            bit("ipv6")
        } else {
            0
        }
    }

    /// The single format seen, if exactly one was.
    pub fn single(self) -> Option<&'static str> {
        (self.0.count_ones() == 1).then(|| FORMAT_NAMES[self.0.trailing_zeros() as usize])
    }
}

/// What is known of one field (a query parameter or a JSON body field).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldFacts {
    /// Times seen.
    pub count: u64,
    /// JSON types seen.
    pub types: Types,
    /// String formats seen.
    pub formats: Formats,
}

impl FieldFacts {
    /// Records a JSON value met by [`crate::json_walk`].
    pub fn observe(&mut self, node: JsonNode<'_>) {
        self.count += 1;
        self.types.0 |= Types::of(node);
        if let JsonNode::Str(s) = node {
            self.formats.0 |= Formats::of(s);
        }
    }

    /// Records a text value (a query parameter).
    pub fn observe_text(&mut self, s: &str) {
        self.count += 1;
        let t = Types::of_text(s);
        self.types.0 |= t;
        if t == Types::STRING {
            self.formats.0 |= Formats::of(s);
        }
    }

    /// Adds another's observations.
    pub fn merge(&mut self, other: &FieldFacts) {
        self.count += other.count;
        self.types.0 |= other.types.0;
        self.formats.0 |= other.formats.0;
    }

    /// The OpenAPI schema of this field, alone.
    pub fn schema(&self) -> Value {
        let mut s = Map::new();
        if let Some(t) = self.types.openapi_type() {
            s.insert("type".into(), json!(t));
            if t == "string" {
                if let Some(f) = self.formats.single() {
                    s.insert("format".into(), json!(f));
                }
            }
            if t == "array" {
                s.insert("items".into(), json!({}));
            }
        }
        if self.types.nullable() {
            s.insert("nullable".into(), json!(true));
        }
        Value::Object(s)
    }
}

/// Most values visited in one JSON document.
pub const MAX_VISITED: usize = 10_000;
/// Deepest nesting visited in one JSON document.
pub const MAX_DEPTH: usize = 16;

/// Calls `f(path, value)` for every value of a parsed JSON document in the schema's sample
/// (see [`crate::json_walk`]), depth first, with paths like `user.email` and `items[].id` (the
/// root is `$`). Bounded by [`MAX_DEPTH`] and [`MAX_VISITED`].
pub fn walk(doc: &Value, f: &mut dyn FnMut(&str, JsonNode<'_>)) {
    crate::json_walk::walk_value(doc, &mut |place, node| {
        if place.sampled {
            f(
                if place.path.is_empty() {
                    "$"
                } else {
                    place.path
                },
                node,
            );
        }
    });
}

/// Rebuilds an OpenAPI schema from flattened field facts (`$`, `user`, `user.email`,
/// `items[]`, `items[].id`).
pub fn schema_from_fields<'a>(fields: impl Iterator<Item = (&'a str, &'a FieldFacts)>) -> Value {
    let mut root = json!({});
    for (path, facts) in fields {
        let node = locate(&mut root, path);
        let fresh = facts.schema();
        if let (Value::Object(node), Value::Object(fresh)) = (node, fresh) {
            for (k, v) in fresh {
                if k == "type" && node.contains_key("properties") {
                    continue;
                }
                node.entry(k).or_insert(v);
            }
        }
    }
    root
}

/// The schema node for a flattened path, created on the way.
fn locate<'v>(root: &'v mut Value, path: &str) -> &'v mut Value {
    if path == "$" {
        return root;
    }
    let mut node = root;
    let path = path.strip_prefix("$").unwrap_or(path);
    for part in path.split('.') {
        let (name, arrays) = strip_arrays(part);
        if !name.is_empty() {
            node = child_property(node, name);
        }
        for _ in 0..arrays {
            node = array_items(node);
        }
    }
    node
}

fn strip_arrays(part: &str) -> (&str, usize) {
    let mut name = part;
    let mut n = 0;
    while let Some(s) = name.strip_suffix("[]") {
        name = s;
        n += 1;
    }
    (name, n)
}

fn child_property<'v>(node: &'v mut Value, name: &str) -> &'v mut Value {
    if !node.is_object() {
        *node = json!({});
    }
    let obj = node.as_object_mut().expect("just made an object");
    obj.insert("type".into(), json!("object"));
    let props = obj.entry("properties").or_insert_with(|| json!({}));
    if !props.is_object() {
        *props = json!({});
    }
    props
        .as_object_mut()
        .expect("just made an object")
        .entry(name.to_owned())
        .or_insert_with(|| json!({}))
}

fn array_items(node: &mut Value) -> &mut Value {
    if !node.is_object() {
        *node = json!({});
    }
    let obj = node.as_object_mut().expect("just made an object");
    obj.insert("type".into(), json!("array"));
    obj.entry("items").or_insert_with(|| json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_gives_flattened_paths() {
        let doc = json!({"user": {"email": "a@b.co", "tags": ["x"]}, "items": [{"id": 1}]});
        let mut seen = Vec::new();
        walk(&doc, &mut |p, _| seen.push(p.to_owned()));
        assert_eq!(
            seen,
            vec![
                "$",
                "items",
                "items[]",
                "items[].id",
                "user",
                "user.email",
                "user.tags",
                "user.tags[]"
            ]
        );
    }

    #[test]
    fn schema_is_rebuilt_from_fields() {
        let doc = json!({"id": 7, "email": "a@b.co", "items": [{"sku": "x", "price": 1.5}], "note": null});
        let mut fields: std::collections::BTreeMap<String, FieldFacts> = Default::default();
        walk(&doc, &mut |p, v| {
            fields.entry(p.to_owned()).or_default().observe(v)
        });
        let schema = schema_from_fields(fields.iter().map(|(k, v)| (k.as_str(), v)));
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["properties"]["id"]["type"], "integer");
        assert_eq!(schema["properties"]["email"]["format"], "email");
        assert_eq!(schema["properties"]["items"]["type"], "array");
        assert_eq!(
            schema["properties"]["items"]["items"]["properties"]["price"]["type"],
            "number"
        );
        assert_eq!(schema["properties"]["note"]["nullable"], true);
    }

    #[test]
    fn text_types_and_formats() {
        assert_eq!(Types::of_text("42"), Types::INTEGER);
        assert_eq!(Types::of_text("4.5"), Types::NUMBER);
        assert_eq!(Types::of_text("true"), Types::BOOLEAN);
        assert_eq!(Types::of_text("abc"), Types::STRING);
        assert_eq!(
            Formats(Formats::of("2024-05-01T10:00:00Z")).single(),
            Some("date-time")
        );
        assert_eq!(Formats(Formats::of("2024-05-01")).single(), Some("date"));
        assert_eq!(Formats(Formats::of("10.0.0.1")).single(), Some("ipv4"));
        assert_eq!(Formats(Formats::of("hello")).single(), None);
    }

    #[test]
    fn walk_is_bounded() {
        let mut deep = json!(1);
        for _ in 0..100 {
            deep = json!({ "a": deep });
        }
        let mut n = 0;
        walk(&deep, &mut |_, _| n += 1);
        assert!(n <= MAX_DEPTH + 1);
    }
}
