//! Any JSON access log, read through a mapping from its keys to the exchange's fields.
//!
//! A mapping names, for each field, the key to read (dotted for nested objects:
//! `request.remote_ip`) and, where it matters, the value's format or unit. Presets cover the
//! logs people have ([`presets`]); a custom mapping is written in the configuration file:
//!
//! ```yaml
//! ingest:
//!   format: mapped
//!   mapping:
//!     time: {key: ts, format: unix_s}
//!     client: {key: request.remote_ip}
//!     method: {key: request.method}
//!     host: {key: request.host}
//!     path: {key: request.uri, format: path_and_query}
//!     status: {key: status}
//!     duration: {key: duration, format: s}
//!     request_headers: {key: request.headers}
//! ```

mod presets;

use rampart_core::{EventTime, Exchange, Headers};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json_value::{number, short};
use crate::nginx::host_only;
use crate::record_error::RecordError;
use crate::url_parts::split_path_and_query;

/// Where one field is read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The key, dotted for nested objects (a key that itself contains dots is tried first).
    pub key: String,
    /// How to read the value: for times `rfc3339`, `unix_s`, `unix_ms`, `unix_ns` or `clf`;
    /// for durations `s`, `ms`, `us` or `ns`; for paths `path_and_query`; for clients
    /// `ip_port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// A mapping from a JSON log's keys to the exchange's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FieldMapping {
    /// Name for messages (a preset's name, or `custom`).
    pub name: String,
    /// When the request was received.
    pub time: Option<Field>,
    /// Client address.
    pub client: Option<Field>,
    /// Request method.
    pub method: Option<Field>,
    /// Host (`Host` header or authority).
    pub host: Option<Field>,
    /// Path, or path and query with `format: path_and_query`.
    pub path: Option<Field>,
    /// Query string.
    pub query: Option<Field>,
    /// Response status.
    pub status: Option<Field>,
    /// Response body size.
    pub response_size: Option<Field>,
    /// Request body size.
    pub request_size: Option<Field>,
    /// Time to serve.
    pub duration: Option<Field>,
    /// User agent.
    pub user_agent: Option<Field>,
    /// An object of request headers (name → value or list of values).
    pub request_headers: Option<Field>,
    /// An object of response headers.
    pub response_headers: Option<Field>,
    /// Top-level keys starting with this prefix are request headers (Traefik's
    /// `request_User-Agent`).
    pub request_header_prefix: Option<String>,
    /// Single keys holding one request header each: header name → key.
    pub headers: std::collections::BTreeMap<String, String>,
}

impl FieldMapping {
    /// A built-in mapping by name: `caddy`, `traefik`, `envoy`, `kong`, `aws-apigw`.
    pub fn preset(name: &str) -> Option<FieldMapping> {
        presets::preset(name)
    }

    /// The names of the built-in mappings.
    pub fn preset_names() -> &'static [&'static str] {
        presets::NAMES
    }

    /// Reads one line.
    pub fn parse(&self, line: &[u8]) -> Result<Exchange, RecordError> {
        let doc: Value =
            serde_json::from_slice(line).map_err(|e| RecordError::new(format!("not JSON: {e}")))?;
        if !doc.is_object() {
            return Err(RecordError::new("a line must be one JSON object"));
        }
        let mut ex = Exchange::default();
        fn get<'a>(doc: &'a Value, f: &'a Option<Field>) -> Option<(&'a Field, &'a Value)> {
            f.as_ref().and_then(|f| lookup(doc, &f.key).map(|v| (f, v)))
        }
        let missing = |what: &str, f: &Option<Field>| {
            RecordError::new(match f {
                Some(f) => format!("{}: `{}` ({what}) missing", self.name, f.key),
                None => format!("{}: the mapping has no {what} field", self.name),
            })
        };
        let (f, v) = get(&doc, &self.time).ok_or_else(|| missing("time", &self.time))?;
        ex.time = read_time(v, f.format.as_deref())
            .ok_or_else(|| RecordError::new(format!("`{}` is not a time: {}", f.key, short(v))))?;
        let (_, v) = get(&doc, &self.method).ok_or_else(|| missing("method", &self.method))?;
        ex.method = text(v).unwrap_or_default().to_ascii_uppercase();
        let (f, v) = get(&doc, &self.path).ok_or_else(|| missing("path", &self.path))?;
        let raw = text(v).unwrap_or_default();
        if f.format.as_deref() == Some("path_and_query") || raw.contains('?') {
            let (path, query) = split_path_and_query(&raw);
            ex.path = path;
            ex.query = query.filter(|q| !q.is_empty());
        } else {
            ex.path = if raw.is_empty() { "/".into() } else { raw };
        }
        if let Some((_, v)) = get(&doc, &self.query) {
            ex.query = text(v).filter(|q| !q.is_empty() && q != "-");
        }
        if let Some((f, v)) = get(&doc, &self.client) {
            let s = text(v).unwrap_or_default();
            let addr = if f.format.as_deref() == Some("ip_port") {
                strip_port(&s)
            } else {
                s.as_str()
            };
            ex.client = addr.parse().ok();
        }
        if let Some((_, v)) = get(&doc, &self.host) {
            ex.host = text(v)
                .filter(|h| !h.is_empty() && h != "-")
                .map(|h| host_only(&h));
        }
        if let Some((_, v)) = get(&doc, &self.status) {
            ex.status = number(v)
                .filter(|n| (0.0..1000.0).contains(n))
                .map(|n| n as u16);
        }
        if let Some((_, v)) = get(&doc, &self.response_size) {
            ex.response_size = number(v).map(|n| n as u64);
        }
        if let Some((_, v)) = get(&doc, &self.request_size) {
            ex.request_size = number(v).map(|n| n as u64);
        }
        if let Some((f, v)) = get(&doc, &self.duration) {
            let scale = match f.format.as_deref() {
                Some("s") | None => 1000.0,
                Some("ms") => 1.0,
                Some("us") => 0.001,
                Some("ns") => 0.000_001,
                Some(_) => 1.0,
            };
            ex.duration_ms = number(v).map(|n| n * scale);
        }
        if let Some((_, v)) = get(&doc, &self.request_headers) {
            headers_from(v, &mut ex.request_headers);
        }
        if let Some((_, v)) = get(&doc, &self.response_headers) {
            headers_from(v, &mut ex.response_headers);
        }
        if let (Some(prefix), Some(obj)) = (&self.request_header_prefix, doc.as_object()) {
            for (k, v) in obj {
                if let (Some(name), Some(s)) = (k.strip_prefix(prefix.as_str()), text(v)) {
                    ex.request_headers.push(name, s);
                }
            }
        }
        for (name, key) in &self.headers {
            if let Some(s) = lookup(&doc, key).and_then(text) {
                if !s.is_empty() && s != "-" {
                    ex.request_headers.push(name, s);
                }
            }
        }
        if let Some((_, v)) = get(&doc, &self.user_agent) {
            if let Some(s) = text(v).filter(|s| !s.is_empty() && s != "-") {
                if ex.user_agent().is_none() {
                    ex.request_headers.push("user-agent", s);
                }
            }
        }
        if ex.host.is_none() {
            ex.host = ex.request_headers.get("host").map(host_only);
        }
        if ex.method.is_empty() {
            return Err(missing("method", &self.method));
        }
        Ok(ex)
    }
}

/// A scalar as text, or the first element of an array (header lists).
fn text(v: &Value) -> Option<String> {
    match v {
        Value::Array(items) => items.first().and_then(text),
        other => crate::json_value::text(other),
    }
}

/// A value by key: the key as written, else a dotted path through nested objects.
fn lookup<'v>(doc: &'v Value, key: &str) -> Option<&'v Value> {
    if let Some(v) = doc.get(key) {
        return Some(v).filter(|v| !v.is_null());
    }
    let mut cur = doc;
    for part in key.split('.') {
        cur = cur.get(part)?;
    }
    Some(cur).filter(|v| !v.is_null())
}

fn strip_port(s: &str) -> &str {
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    match s.rsplit_once(':') {
        Some((ip, port)) if !ip.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => ip,
        _ => s,
    }
}

fn read_time(v: &Value, format: Option<&str>) -> Option<EventTime> {
    let n = number(v);
    match format {
        Some("unix_s") => n.map(|s| EventTime::from_unix_millis((s * 1000.0) as i64)),
        Some("unix_ms") => n.map(|ms| EventTime::from_unix_millis(ms as i64)),
        Some("unix_ns") => n.map(|ns| EventTime::from_unix_millis((ns / 1e6) as i64)),
        Some("clf") => text(v).and_then(|s| crate::nginx::parse_clf(&s)),
        _ => text(v).and_then(|s| EventTime::parse_rfc3339(&s).ok()),
    }
}

fn headers_from(v: &Value, out: &mut Headers) {
    let Some(obj) = v.as_object() else {
        return;
    };
    for (name, value) in obj.iter().take(64) {
        match value {
            Value::Array(items) => {
                for item in items.iter().take(8) {
                    if let Some(s) = text(item) {
                        out.push(name, s);
                    }
                }
            }
            other => {
                if let Some(s) = text(other) {
                    out.push(name, s);
                }
            }
        }
    }
}
