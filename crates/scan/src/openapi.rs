//! Reading the API documents a target serves (OpenAPI 3.x or Swagger 2.0, JSON or YAML) just
//! enough to try their GET operations: the base path, each path template with its parameters
//! filled with plausible values, and whether the document declares security for it.
//!
//! Documents come from the target: parsing is bounded (operations, lengths) and never panics.

use serde_json::{Map, Value};

/// What a document says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiDoc {
    /// `OpenAPI 3.0.3` or `Swagger 2.0`.
    pub(crate) label: String,
    /// `info.title`.
    pub(crate) title: String,
    /// Path templates in the document.
    pub(crate) paths: usize,
    /// GET operations to try, at most the limit given.
    pub(crate) gets: Vec<GetOp>,
    /// GET operations in the document.
    pub(crate) total_gets: usize,
}

/// One GET operation, ready to request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GetOp {
    /// The template as documented (`/users/{id}`).
    pub(crate) template: String,
    /// The request path: base path, template with values, required query parameters.
    pub(crate) path: String,
    /// Whether the document declares a security requirement for it.
    pub(crate) secured: bool,
}

/// Paths whose GET may change state on badly built APIs; never tried.
const UNSAFE_WORDS: &[&str] = &[
    "logout",
    "signout",
    "sign-out",
    "delete",
    "remove",
    "destroy",
    "reset",
    "unsubscribe",
    "shutdown",
    "restart",
];

/// Reads a document; `None` when it is neither OpenAPI 3 nor Swagger 2.
pub(crate) fn parse(body: &[u8], max_ops: usize) -> Option<ApiDoc> {
    let doc = read_value(body)?;
    let obj = doc.as_object()?;
    let label = if let Some(v) = obj.get("openapi").and_then(Value::as_str) {
        if !v.starts_with('3') {
            return None;
        }
        format!("OpenAPI {}", short(v, 16))
    } else if let Some(v) = obj.get("swagger").and_then(scalar) {
        if !v.starts_with('2') {
            return None;
        }
        format!("Swagger {}", short(&v, 16))
    } else {
        return None;
    };
    let paths = obj.get("paths")?.as_object()?;
    let title = obj
        .get("info")
        .and_then(|i| i.get("title"))
        .and_then(Value::as_str)
        .map(|t| short(t, 120))
        .unwrap_or_default();
    let base = base_path(obj);
    let global_secured = obj.get("security").map(secured);
    let mut gets = Vec::new();
    let mut total_gets = 0;
    for (template, item) in paths.iter().take(10_000) {
        let Some(item) = item.as_object() else {
            continue;
        };
        let Some(op) = item.get("get").and_then(Value::as_object) else {
            continue;
        };
        total_gets += 1;
        if gets.len() >= max_ops || !template.starts_with('/') || template.len() > 512 {
            continue;
        }
        if template
            .chars()
            .any(|c| c.is_control() || c.is_whitespace())
        {
            continue;
        }
        let lower = template.to_ascii_lowercase();
        if UNSAFE_WORDS.iter().any(|w| lower.contains(w)) {
            continue;
        }
        let params = params(item.get("parameters"), op.get("parameters"));
        let Some(path) = concrete(&base, template, &params) else {
            continue;
        };
        let secured = op
            .get("security")
            .map(secured)
            .or(global_secured)
            .unwrap_or(false);
        gets.push(GetOp {
            template: template.clone(),
            path,
            secured,
        });
    }
    Some(ApiDoc {
        label,
        title,
        paths: paths.len(),
        gets,
        total_gets,
    })
}

/// JSON, else YAML.
fn read_value(body: &[u8]) -> Option<Value> {
    if matches!(crate::http::first_byte(body), Some(b'{')) {
        return serde_json::from_slice(body).ok();
    }
    if matches!(crate::http::first_byte(body), Some(b'<') | None) {
        return None;
    }
    let text = std::str::from_utf8(body).ok()?;
    serde_saphyr::from_str::<Value>(text).ok()
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn short(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The base path: OpenAPI 3's first server URL (only its path: the scan never follows a
/// document to another host), or Swagger 2's `basePath`.
fn base_path(obj: &Map<String, Value>) -> String {
    let raw = obj
        .get("servers")
        .and_then(Value::as_array)
        .and_then(|s| s.first())
        .and_then(|s| s.get("url"))
        .and_then(Value::as_str)
        .map(|u| match u.split_once("://") {
            Some((_, rest)) => rest.find('/').map(|i| &rest[i..]).unwrap_or(""),
            None => u,
        })
        .or_else(|| obj.get("basePath").and_then(Value::as_str))
        .unwrap_or("");
    let raw = raw.split(['?', '#']).next().unwrap_or("");
    if !raw.starts_with('/')
        || raw.contains('{')
        || raw.len() > 256
        || raw.chars().any(char::is_whitespace)
    {
        return String::new();
    }
    raw.trim_end_matches('/').to_owned()
}

/// Whether a `security` value requires something (`[]` and `[{}]` mean none).
fn secured(v: &Value) -> bool {
    v.as_array().is_some_and(|reqs| {
        !reqs.is_empty()
            && reqs
                .iter()
                .all(|r| r.as_object().is_some_and(|o| !o.is_empty()))
    })
}

/// A parameter, as far as filling it needs.
#[derive(Debug, Clone)]
struct Param {
    name: String,
    location: String,
    required: bool,
    value: String,
}

fn params(item: Option<&Value>, op: Option<&Value>) -> Vec<Param> {
    let mut out: Vec<Param> = Vec::new();
    for list in [item, op].into_iter().flatten() {
        let Some(list) = list.as_array() else {
            continue;
        };
        for p in list.iter().take(64) {
            let Some(name) = p.get("name").and_then(Value::as_str) else {
                continue;
            };
            let location = p.get("in").and_then(Value::as_str).unwrap_or("").to_owned();
            let param = Param {
                name: short(name, 64),
                required: p.get("required").and_then(Value::as_bool).unwrap_or(false)
                    || location == "path",
                value: plausible(p),
                location,
            };
            // Operation parameters override path-item ones of the same name and place.
            out.retain(|q| !(q.name == param.name && q.location == param.location));
            out.push(param);
        }
    }
    out
}

/// A plausible value: the documented example, default or first enum value, else one by type
/// and format.
fn plausible(p: &Value) -> String {
    let schema = p.get("schema").unwrap_or(p);
    let given = [
        p.get("example"),
        schema.get("example"),
        schema.get("default"),
    ]
    .into_iter()
    .flatten()
    .chain(
        schema
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.first()),
    )
    .find_map(scalar)
    .filter(|v| !v.is_empty() && v.len() <= 64);
    if let Some(v) = given {
        return v;
    }
    let ty = schema.get("type").and_then(Value::as_str).unwrap_or("");
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    match (ty, format) {
        (_, "uuid") => "00000000-0000-4000-8000-000000000001".into(),
        (_, "date") => "2024-01-01".into(),
        (_, "date-time") => "2024-01-01T00:00:00Z".into(),
        (_, "email") => "user@example.com".into(),
        ("boolean", _) => "true".into(),
        _ => "1".into(),
    }
}

/// Fills the template; `None` when it cannot be made a valid request path.
fn concrete(base: &str, template: &str, params: &[Param]) -> Option<String> {
    let mut path = String::with_capacity(base.len() + template.len());
    path.push_str(base);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        path.push_str(&rest[..open]);
        let close = rest[open..].find('}')? + open;
        let name = &rest[open + 1..close];
        let value = params
            .iter()
            .find(|p| p.location == "path" && p.name == name)
            .map(|p| p.value.as_str())
            .unwrap_or("1");
        path.push_str(&encode(value));
        rest = &rest[close + 1..];
    }
    path.push_str(rest);
    let query: Vec<String> = params
        .iter()
        .filter(|p| p.location == "query" && p.required)
        .map(|p| format!("{}={}", encode(&p.name), encode(&p.value)))
        .collect();
    if !query.is_empty() {
        path.push('?');
        path.push_str(&query.join("&"));
    }
    (path.starts_with('/') && path.parse::<http::Uri>().is_ok()).then_some(path)
}

/// Percent-encodes everything but unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn openapi3_gets_with_filled_parameters() {
        let doc = br#"{"openapi":"3.0.3","info":{"title":"Shop"},
            "servers":[{"url":"https://other.example/api/v1/"}],
            "security":[{"bearer":[]}],
            "paths":{
              "/users":{"get":{"security":[]}},
              "/users/{id}":{"parameters":[{"name":"id","in":"path","schema":{"type":"integer"}}],"get":{}},
              "/orders/{orderId}":{"get":{"parameters":[{"name":"orderId","in":"path","schema":{"type":"string","format":"uuid"}},{"name":"page","in":"query","required":true,"example":"2"}]}},
              "/logout":{"get":{}},
              "/items":{"post":{}}
            }}"#;
        let d = parse(doc, 10).unwrap();
        assert_eq!(d.label, "OpenAPI 3.0.3");
        assert_eq!(d.title, "Shop");
        assert_eq!(d.paths, 5);
        assert_eq!(d.total_gets, 4);
        let mut by: Vec<_> = d
            .gets
            .iter()
            .map(|g| (g.path.as_str(), g.secured))
            .collect();
        by.sort();
        assert_eq!(
            by,
            vec![
                (
                    "/api/v1/orders/00000000-0000-4000-8000-000000000001?page=2",
                    true
                ),
                ("/api/v1/users", false),
                ("/api/v1/users/1", true),
            ]
        );
    }

    #[test]
    fn swagger2_yaml_and_limits() {
        let doc = b"swagger: '2.0'\ninfo:\n  title: Old\nbasePath: /v2\npaths:\n  /pets/{petId}:\n    get:\n      parameters:\n        - name: petId\n          in: path\n          type: integer\n  /a:\n    get: {}\n";
        let d = parse(doc, 5).unwrap();
        assert_eq!(d.label, "Swagger 2.0");
        assert_eq!(d.total_gets, 2);
        let mut paths: Vec<_> = d.gets.iter().map(|g| g.path.as_str()).collect();
        paths.sort();
        assert_eq!(paths, vec!["/v2/a", "/v2/pets/1"]);
        assert_eq!(parse(doc, 1).unwrap().gets.len(), 1, "bounded");
        assert!(parse(b"<html>", 5).is_none());
        assert!(parse(br#"{"openapi":"3.1.0"}"#, 5).is_none());
        assert!(parse(br#"{"hello":"world","paths":{}}"#, 5).is_none());
    }

    #[test]
    fn odd_values_are_encoded() {
        let doc = br#"{"openapi":"3.0.0","paths":{"/q/{x}":{"get":{"parameters":[{"name":"x","in":"path","example":"a b/../\u001b"}]}}}}"#;
        let d = parse(doc, 5).unwrap();
        assert_eq!(d.gets[0].path, "/q/a%20b%2F..%2F%1B");
    }

    proptest! {
        #[test]
        fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse(&bytes, 5);
        }

        #[test]
        fn never_panics_on_documents(
            path in "\\PC{0,40}",
            base in "\\PC{0,20}",
            example in "\\PC{0,20}",
        ) {
            let doc = serde_json::json!({
                "openapi": "3.0.0",
                "servers": [{"url": base}],
                "paths": {path: {"get": {"parameters": [{"name": "id", "in": "path", "example": example}]}}}
            });
            if let Some(d) = parse(doc.to_string().as_bytes(), 5) {
                for g in d.gets {
                    prop_assert!(g.path.starts_with('/'));
                }
            }
        }

        #[test]
        fn yaml_never_panics(text in "[a-z:{}\\[\\] \n\t'\"&*!|>-]{0,200}") {
            let _ = parse(text.as_bytes(), 5);
        }
    }
}
