//! Exchanges as OpenTelemetry JSON lines: the format `rampart analyze` reads, written by the
//! simulator and by the proxy's access log.

use serde_json::{Map, Number, Value};

use crate::Exchange;

/// One JSON line with flat OpenTelemetry HTTP semantic-convention keys (`client.address`,
/// `http.request.method`, `url.path`, `http.request.header.<name>`, ...); the duration is in
/// seconds (`http.server.request.duration`). No trailing newline.
pub fn to_otel_json(ex: &Exchange) -> String {
    let mut m = Map::new();
    let mut put = |key: &str, value: Value| {
        m.insert(key.to_owned(), value);
    };
    put("timestamp", Value::String(ex.time.to_rfc3339()));
    if let Some(ip) = ex.client {
        put("client.address", Value::String(ip.to_string()));
    }
    put("http.request.method", Value::String(ex.method.clone()));
    if let Some(s) = &ex.scheme {
        put("url.scheme", Value::String(s.clone()));
    }
    if let Some(h) = &ex.host {
        put("server.address", Value::String(h.clone()));
    }
    put("url.path", Value::String(ex.path.clone()));
    if let Some(q) = &ex.query {
        put("url.query", Value::String(q.clone()));
    }
    if let Some(s) = ex.status {
        put("http.response.status_code", Value::from(s));
    }
    if let Some(ua) = ex.user_agent() {
        put("user_agent.original", Value::String(ua.to_owned()));
    }
    for (name, value) in ex.request_headers.iter() {
        if name != "user-agent" {
            put(
                &format!("http.request.header.{name}"),
                Value::String(value.to_owned()),
            );
        }
    }
    if let Some(ct) = ex.response_headers.get("content-type") {
        put(
            "http.response.header.content-type",
            Value::String(ct.to_owned()),
        );
    }
    if let Some(n) = ex.request_size {
        put("http.request.body.size", Value::from(n));
    }
    if let Some(n) = ex.response_size {
        put("http.response.body.size", Value::from(n));
    }
    if let Some(ms) = ex.duration_ms {
        // Whole microseconds, so that binary fractions do not leak digits into the log.
        if let Some(n) = Number::from_f64((ms * 1000.0).round() / 1_000_000.0) {
            put("http.server.request.duration", Value::Number(n));
        }
    }
    if let Some(b) = &ex.request_body {
        put(
            "http.request.body",
            Value::String(String::from_utf8_lossy(&b.bytes).into_owned()),
        );
    }
    if let Some(b) = &ex.response_body {
        put(
            "http.response.body",
            Value::String(String::from_utf8_lossy(&b.bytes).into_owned()),
        );
    }
    Value::Object(m).to_string()
}
