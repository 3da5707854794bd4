//! Exchanges as a HAR 1.2 document, written entry by entry in constant memory.
//!
//! HAR has no field for the client's address (it was made for browsers, which know it), so each
//! entry carries it in the custom field `_clientAddress` (HAR allows custom fields that start
//! with an underscore); readers that ignore it see no client address.

use std::io::{self, Write};

use rampart_core::{Body, Exchange, Headers};
use serde_json::{json, Value};

/// Streams exchanges into a HAR 1.2 document: [`HarWriter::new`] writes the head,
/// [`HarWriter::write`] one entry, [`HarWriter::finish`] the tail.
#[derive(Debug)]
pub struct HarWriter<W: Write> {
    out: W,
    entries: u64,
}

impl<W: Write> HarWriter<W> {
    /// Starts a document on `out`.
    pub fn new(mut out: W) -> io::Result<Self> {
        let creator = json!({"name": "rampart-sim", "version": env!("CARGO_PKG_VERSION")});
        write!(
            out,
            "{{\"log\":{{\"version\":\"1.2\",\"creator\":{creator},\"entries\":["
        )?;
        Ok(Self { out, entries: 0 })
    }

    /// Appends one entry.
    pub fn write(&mut self, ex: &Exchange) -> io::Result<()> {
        if self.entries > 0 {
            self.out.write_all(b",")?;
        }
        self.out.write_all(b"\n")?;
        serde_json::to_writer(&mut self.out, &har_entry(ex))?;
        self.entries += 1;
        Ok(())
    }

    /// Ends the document and gives the writer back (not flushed).
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"\n]}}\n")?;
        Ok(self.out)
    }
}

fn headers(h: &Headers) -> Value {
    Value::Array(
        h.iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect(),
    )
}

fn text(b: &Body) -> String {
    String::from_utf8_lossy(&b.bytes).into_owned()
}

fn status_text(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// One exchange as a HAR entry; bodies are text.
pub fn har_entry(ex: &Exchange) -> Value {
    let scheme = ex.scheme.as_deref().unwrap_or("https");
    let host = ex.host.as_deref().unwrap_or("localhost");
    let url = match &ex.query {
        Some(q) => format!("{scheme}://{host}{}?{q}", ex.path),
        None => format!("{scheme}://{host}{}", ex.path),
    };
    let query: Vec<Value> = ex
        .query_pairs()
        .map(|(n, v)| json!({"name": n, "value": v}))
        .collect();
    let mut request = json!({
        "method": ex.method,
        "url": url,
        "httpVersion": "HTTP/2",
        "cookies": [],
        "headers": headers(&ex.request_headers),
        "queryString": query,
        "headersSize": -1,
        "bodySize": ex.request_size.map_or(-1, |n| n as i64),
    });
    if let (Some(b), Some(r)) = (&ex.request_body, request.as_object_mut()) {
        let mime = b
            .content_type
            .clone()
            .or_else(|| ex.request_headers.get("content-type").map(str::to_owned))
            .unwrap_or_else(|| "application/octet-stream".into());
        r.insert(
            "postData".into(),
            json!({"mimeType": mime, "text": text(b)}),
        );
    }
    let mime = ex
        .response_headers
        .get("content-type")
        .map(str::to_owned)
        .or_else(|| {
            ex.response_body
                .as_ref()
                .and_then(|b| b.content_type.clone())
        })
        .unwrap_or_default();
    let size = ex.response_size.map_or(-1, |n| n as i64);
    let mut content = json!({"size": size.max(0), "mimeType": mime});
    if let (Some(b), Some(c)) = (&ex.response_body, content.as_object_mut()) {
        c.insert("text".into(), Value::String(text(b)));
    }
    let status = ex.status.unwrap_or(0);
    let time = ex.duration_ms.unwrap_or(0.0);
    let mut entry = json!({
        "startedDateTime": ex.time.to_rfc3339(),
        "time": time,
        "request": request,
        "response": {
            "status": status,
            "statusText": status_text(status),
            "httpVersion": "HTTP/2",
            "cookies": [],
            "headers": headers(&ex.response_headers),
            "content": content,
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": size,
        },
        "cache": {},
        "timings": {"send": 0, "wait": time, "receive": 0},
    });
    if let (Some(ip), Some(o)) = (ex.client, entry.as_object_mut()) {
        o.insert("_clientAddress".into(), Value::String(ip.to_string()));
    }
    entry
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::EventTime;

    #[test]
    fn document_is_valid_json_with_entries() {
        let mut h = Headers::new();
        h.push("user-agent", "curl/8");
        let ex = Exchange {
            time: EventTime::from_civil(2026, 3, 3, 16, 0, 0, 5),
            client: "203.0.113.4".parse().ok(),
            method: "POST".into(),
            host: Some("api.acme.example".into()),
            path: "/api/v1/auth/login".into(),
            query: Some("a=1".into()),
            status: Some(401),
            request_headers: h,
            request_body: Some(Body::sample(Some("application/json".into()), b"{\"u\":1}")),
            response_body: Some(Body::sample(
                Some("application/json".into()),
                b"{\"error\":\"x\"}",
            )),
            ..Exchange::default()
        };
        let mut w = HarWriter::new(Vec::new()).unwrap();
        w.write(&ex).unwrap();
        w.write(&ex).unwrap();
        let bytes = w.finish().unwrap();
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        let entries = v["log"]["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(
            entries[0]["request"]["url"],
            "https://api.acme.example/api/v1/auth/login?a=1"
        );
        assert_eq!(entries[0]["request"]["postData"]["text"], "{\"u\":1}");
        assert_eq!(
            entries[0]["response"]["content"]["text"],
            "{\"error\":\"x\"}"
        );
        assert_eq!(entries[0]["_clientAddress"], "203.0.113.4");
        let empty = HarWriter::new(Vec::new()).unwrap().finish().unwrap();
        let v: Value = serde_json::from_slice(&empty).unwrap();
        assert!(v["log"]["entries"].as_array().unwrap().is_empty());
    }
}
