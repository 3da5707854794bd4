//! Exchanges as OpenTelemetry JSON lines: the format `rampart analyze` reads, written by the
//! simulator and by the proxy's access log.

use std::borrow::Cow;

use serde_json::Number;
#[cfg(test)]
use serde_json::{Map, Value};

use crate::Exchange;

/// One JSON line with flat OpenTelemetry HTTP semantic-convention keys (`client.address`,
/// `http.request.method`, `url.path`, `http.request.header.<name>`, ...); the duration is in
/// seconds (`http.server.request.duration`). No trailing newline.
pub fn to_otel_json(ex: &Exchange) -> String {
    // Written field by field in the order (and with the escaping) of a serialised JSON map:
    // the keys sorted, the last of two equal keys kept. No map, no copies of the values.
    let mut fields: Vec<(Cow<'_, str>, Field<'_>)> =
        Vec::with_capacity(16 + ex.request_headers.len());
    let mut push = |key: &'static str, value| fields.push((Cow::Borrowed(key), value));
    push("timestamp", Field::Text(Cow::Owned(ex.time.to_rfc3339())));
    if let Some(ip) = ex.client {
        push("client.address", Field::Text(Cow::Owned(ip.to_string())));
    }
    push(
        "http.request.method",
        Field::Text(Cow::Borrowed(&ex.method)),
    );
    if let Some(s) = &ex.scheme {
        push("url.scheme", Field::Text(Cow::Borrowed(s)));
    }
    if let Some(h) = &ex.host {
        push("server.address", Field::Text(Cow::Borrowed(h)));
    }
    push("url.path", Field::Text(Cow::Borrowed(&ex.path)));
    if let Some(q) = &ex.query {
        push("url.query", Field::Text(Cow::Borrowed(q)));
    }
    if let Some(s) = ex.status {
        push("http.response.status_code", Field::Int(u64::from(s)));
    }
    if let Some(ua) = ex.user_agent() {
        push("user_agent.original", Field::Text(Cow::Borrowed(ua)));
    }
    if let Some(ct) = ex.response_headers.get("content-type") {
        push(
            "http.response.header.content-type",
            Field::Text(Cow::Borrowed(ct)),
        );
    }
    if let Some(n) = ex.request_size {
        push("http.request.body.size", Field::Int(n));
    }
    if let Some(n) = ex.response_size {
        push("http.response.body.size", Field::Int(n));
    }
    if let Some(ms) = ex.duration_ms {
        // Whole microseconds, so that binary fractions do not leak digits into the log.
        if let Some(n) = Number::from_f64((ms * 1000.0).round() / 1_000_000.0) {
            push("http.server.request.duration", Field::Number(n));
        }
    }
    if let Some(b) = &ex.request_body {
        push(
            "http.request.body",
            Field::Text(String::from_utf8_lossy(&b.bytes)),
        );
    }
    if let Some(b) = &ex.response_body {
        push(
            "http.response.body",
            Field::Text(String::from_utf8_lossy(&b.bytes)),
        );
    }
    for (name, value) in ex.request_headers.iter() {
        if name != "user-agent" {
            fields.push((
                Cow::Owned(format!("http.request.header.{name}")),
                Field::Text(Cow::Borrowed(value)),
            ));
        }
    }
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::with_capacity(512);
    out.push(b'{');
    for (i, (key, value)) in fields.iter().enumerate() {
        if fields.get(i + 1).is_some_and(|next| next.0 == *key) {
            continue;
        }
        if out.len() > 1 {
            out.push(b',');
        }
        // Writing to a vector cannot fail.
        let _ = serde_json::to_writer(&mut out, &**key);
        out.push(b':');
        let _ = match value {
            Field::Text(t) => serde_json::to_writer(&mut out, &**t),
            Field::Int(n) => serde_json::to_writer(&mut out, n),
            Field::Number(n) => serde_json::to_writer(&mut out, n),
        };
    }
    out.push(b'}');
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A value of one line's field.
enum Field<'a> {
    Text(Cow<'a, str>),
    Int(u64),
    Number(Number),
}

#[cfg(test)]
mod tests;

/// The line as a JSON map builds it: what [`to_otel_json`] must write, byte for byte.
#[cfg(test)]
pub(crate) fn reference(ex: &Exchange) -> String {
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
