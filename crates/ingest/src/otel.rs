//! JSON lines whose keys are the OpenTelemetry HTTP semantic-convention names, flat
//! (`{"http.request.method": "GET"}`), nested (`{"http": {"request": {"method": "GET"}}}`) or
//! mixed. The schema is documented in `docs/input-formats.md`.

use rampart_core::{Body, EventTime, Exchange};
use serde_json::{Map, Value};

use crate::json_value::{number, short, text};
use crate::record_error::RecordError;
use crate::url_parts::{host_from_authority, split_path_and_query, split_url};

/// Most unknown keys kept in `Exchange::extra` per line.
const MAX_EXTRA: usize = 32;

/// Parses one line.
pub fn parse_otel(line: &[u8]) -> Result<Exchange, RecordError> {
    let value: Value =
        serde_json::from_slice(line).map_err(|e| RecordError::new(format!("not JSON: {e}")))?;
    let Value::Object(obj) = value else {
        return Err(RecordError::new("a line must be one JSON object"));
    };
    let mut flat: Vec<(String, Value)> = Vec::with_capacity(obj.len());
    flatten("", obj, &mut flat, 0);
    from_fields(flat)
}

/// Nested objects become dotted keys; header maps (`http.request.header`) keep their values.
fn flatten(prefix: &str, obj: Map<String, Value>, out: &mut Vec<(String, Value)>, depth: usize) {
    for (k, v) in obj {
        let key = if prefix.is_empty() {
            k
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(inner) if depth < 6 && !is_body_key(&key) => {
                flatten(&key, inner, out, depth + 1)
            }
            other => out.push((key, other)),
        }
    }
}

fn is_body_key(key: &str) -> bool {
    key == "http.request.body" || key == "http.response.body"
}

/// A timestamp: RFC 3339 text, or a number of seconds, milliseconds or nanoseconds.
fn timestamp(v: &Value) -> Option<EventTime> {
    if let Value::String(s) = v {
        if let Ok(t) = EventTime::parse_rfc3339(s) {
            return Some(t);
        }
    }
    let n = number(v)?;
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    let ms = if n < 1e11 {
        n * 1000.0
    } else if n < 1e14 {
        n
    } else if n < 1e17 {
        n / 1000.0
    } else {
        n / 1_000_000.0
    };
    Some(EventTime::from_unix_millis(ms as i64))
}

fn from_fields(fields: Vec<(String, Value)>) -> Result<Exchange, RecordError> {
    let mut ex = Exchange::default();
    let mut full_url: Option<String> = None;
    let mut target: Option<String> = None;
    let mut have_time = false;
    for (key, v) in fields {
        match key.as_str() {
            "timestamp" | "time" | "@timestamp" | "start_time" => {
                ex.time = timestamp(&v).ok_or_else(|| {
                    RecordError::new(format!("`{key}` is not a time: {}", short(&v)))
                })?;
                have_time = true;
            }
            "client.address" | "source.address" | "client.ip" => {
                if let Some(s) = text(&v) {
                    ex.client = s.parse().ok();
                }
            }
            "http.request.method" | "http.method" => {
                ex.method = text(&v).unwrap_or_default().to_ascii_uppercase()
            }
            "url.scheme" | "http.scheme" => ex.scheme = text(&v).map(|s| s.to_ascii_lowercase()),
            "server.address" | "http.host" | "net.host.name" => {
                ex.host = text(&v).and_then(|s| host_from_authority(&s))
            }
            "url.path" => ex.path = text(&v).unwrap_or_default(),
            "url.query" => ex.query = text(&v).filter(|q| !q.is_empty()),
            "url.full" | "http.url" => full_url = text(&v),
            "http.target" => target = text(&v),
            "http.response.status_code" | "http.status_code" => {
                ex.status = number(&v)
                    .filter(|n| (0.0..1000.0).contains(n))
                    .map(|n| n as u16)
            }
            "user_agent.original" | "http.user_agent" => {
                if let Some(s) = text(&v) {
                    ex.request_headers.push("user-agent", s);
                }
            }
            "http.request.body.size" | "http.request_content_length" => {
                ex.request_size = number(&v).map(|n| n as u64)
            }
            "http.response.body.size" | "http.response_content_length" => {
                ex.response_size = number(&v).map(|n| n as u64)
            }
            "http.server.request.duration" => ex.duration_ms = number(&v).map(|s| s * 1000.0),
            "http.request.body" => ex.request_body = body(&v),
            "http.response.body" => ex.response_body = body(&v),
            "server.port" | "url.port" => {}
            _ => {
                if let Some(name) = key.strip_prefix("http.request.header.") {
                    push_header(&mut ex.request_headers, name, &v);
                } else if let Some(name) = key.strip_prefix("http.response.header.") {
                    push_header(&mut ex.response_headers, name, &v);
                } else if ex.extra.len() < MAX_EXTRA {
                    ex.extra.push((key, text(&v).unwrap_or_else(|| short(&v))));
                }
            }
        }
    }
    if ex.path.is_empty() {
        if let Some(url) = full_url.as_deref() {
            let parts = split_url(url);
            ex.path = parts.path;
            ex.query = ex.query.or(parts.query);
            ex.scheme = ex.scheme.or(parts.scheme);
            ex.host = ex.host.or(parts.host);
        } else if let Some(t) = target.as_deref() {
            let (path, query) = split_path_and_query(t);
            ex.path = path;
            ex.query = ex.query.or(query);
        }
    }
    if ex.method.is_empty() {
        return Err(RecordError::new("`http.request.method` missing"));
    }
    if ex.path.is_empty() {
        return Err(RecordError::new("`url.path` (or `url.full`) missing"));
    }
    if !have_time {
        return Err(RecordError::new("`timestamp` missing"));
    }
    if let Some(ct) = ex.request_headers.get("content-type").map(str::to_owned) {
        if let Some(b) = ex.request_body.as_mut() {
            b.content_type = Some(ct);
        }
    }
    if let Some(ct) = ex.response_headers.get("content-type").map(str::to_owned) {
        if let Some(b) = ex.response_body.as_mut() {
            b.content_type = Some(ct);
        }
    }
    Ok(ex)
}

fn push_header(headers: &mut rampart_core::Headers, name: &str, v: &Value) {
    match v {
        Value::Array(items) => {
            for item in items.iter().take(16) {
                if let Some(s) = text(item) {
                    headers.push(name, s);
                }
            }
        }
        other => {
            if let Some(s) = text(other) {
                headers.push(name, s);
            }
        }
    }
}

fn body(v: &Value) -> Option<Body> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(Body::sample(None, s.as_bytes())),
        other => Some(Body::sample(
            Some("application/json".into()),
            other.to_string().as_bytes(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn flat_nested_and_mixed_lines() {
        let flat = br#"{"timestamp":"2024-05-01T10:00:00Z","client.address":"203.0.113.9","http.request.method":"get","url.scheme":"https","server.address":"API.example.com","url.path":"/v1/users/42","url.query":"a=1","http.response.status_code":200,"user_agent.original":"okhttp/4","http.request.header.authorization":["Bearer x"],"http.response.header.content-type":"application/json","http.response.body":"{\"id\":42}","http.server.request.duration":0.0125,"deployment":"blue"}"#;
        let ex = parse_otel(flat).unwrap();
        assert_eq!(ex.method, "GET");
        assert_eq!(ex.host.as_deref(), Some("api.example.com"));
        assert_eq!(ex.path, "/v1/users/42");
        assert_eq!(ex.query.as_deref(), Some("a=1"));
        assert_eq!(ex.status, Some(200));
        assert_eq!(ex.user_agent(), Some("okhttp/4"));
        assert_eq!(ex.request_headers.get("authorization"), Some("Bearer x"));
        assert_eq!(ex.duration_ms, Some(12.5));
        assert!(ex.response_body.as_ref().unwrap().is_json());
        assert_eq!(ex.extra, vec![("deployment".to_owned(), "blue".to_owned())]);

        let nested = br#"{"timestamp":1714557600,"http":{"request":{"method":"POST","header":{"x-api-key":"k"}},"response":{"status_code":"201"}},"url":{"full":"https://h.example/a/b?x=2"}}"#;
        let ex = parse_otel(nested).unwrap();
        assert_eq!(ex.method, "POST");
        assert_eq!(ex.path, "/a/b");
        assert_eq!(ex.host.as_deref(), Some("h.example"));
        assert_eq!(ex.query.as_deref(), Some("x=2"));
        assert_eq!(ex.status, Some(201));
        assert_eq!(ex.request_headers.get("x-api-key"), Some("k"));
        assert_eq!(ex.time.as_unix_millis(), 1_714_557_600_000);
    }

    #[test]
    fn timestamps_in_every_unit() {
        for (v, ms) in [
            (serde_json::json!(1714557600), 1_714_557_600_000i64),
            (serde_json::json!(1714557600.5), 1_714_557_600_500),
            (serde_json::json!(1714557600123i64), 1_714_557_600_123),
            (serde_json::json!(1714557600123456789i64), 1_714_557_600_123),
            (
                serde_json::json!("2024-05-01T10:00:00.123Z"),
                1_714_557_600_123,
            ),
        ] {
            assert_eq!(timestamp(&v).unwrap().as_unix_millis(), ms, "{v}");
        }
    }

    #[test]
    fn missing_fields_are_named() {
        let e = parse_otel(br#"{"timestamp":1,"url.path":"/"}"#).unwrap_err();
        assert!(e.reason.contains("http.request.method"));
        let e = parse_otel(br#"{"timestamp":1,"http.request.method":"GET"}"#).unwrap_err();
        assert!(e.reason.contains("url.path"));
        assert!(parse_otel(b"[1,2]").is_err());
        assert!(parse_otel(b"{\"a\":")
            .unwrap_err()
            .reason
            .starts_with("not JSON"));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(line in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse_otel(&line);
        }

        #[test]
        fn arbitrary_objects_never_panic(keys in prop::collection::vec("(timestamp|url\\.path|url\\.full|http\\.request\\.method|http\\.response\\.status_code|[a-z.]{1,12})", 0..8), vals in prop::collection::vec("[ -~]{0,20}", 8)) {
            let mut obj = serde_json::Map::new();
            for (k, v) in keys.iter().zip(vals.iter()) {
                obj.insert(k.clone(), serde_json::Value::String(v.clone()));
            }
            let _ = parse_otel(serde_json::Value::Object(obj).to_string().as_bytes());
        }
    }
}
