//! HAR 1.2 files (browsers, Burp, ZAP, mitmproxy), read entry by entry in constant memory.
//!
//! A byte-level scanner ([`scanner`]) finds `log.entries` and cuts out one entry at a time;
//! each entry alone is deserialised. A malformed entry is an error for that entry only.

mod scanner;

use std::io::BufRead;

use base64::Engine;
use rampart_core::{Body, EventTime, Exchange};
use serde::Deserialize;

use crate::record_error::RecordError;
use crate::url_parts::split_url;
use scanner::{describe, Scanned, Scanner};

/// Largest entry read; bigger ones are skipped with an error.
const MAX_ENTRY: usize = 64 * 1024 * 1024;

/// Streams the entries of a HAR document as exchanges.
pub struct HarReader<R: BufRead> {
    scanner: Scanner<R>,
    state: State,
    entry: usize,
    buf: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    Entries,
    Done,
}

impl<R: BufRead> HarReader<R> {
    /// A reader over a HAR document.
    pub fn new(reader: R) -> Self {
        Self {
            scanner: Scanner::new(reader),
            state: State::Start,
            entry: 0,
            buf: Vec::new(),
        }
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.scanner.bytes_read()
    }

    fn next_entry(&mut self) -> Option<Result<Exchange, RecordError>> {
        loop {
            let b = match self.scanner.skip_ws() {
                Ok(b) => b,
                Err(e) => return self.fail(self.scanner.io_error(&e)),
            };
            match b {
                None => {
                    return self.fail(
                        self.scanner
                            .error("the file ends inside `log.entries` (truncated?)"),
                    )
                }
                Some(b']') => {
                    self.state = State::Done;
                    return None;
                }
                Some(b',') => {
                    self.scanner.bump(b',');
                    continue;
                }
                Some(_) => {}
            }
            let line = self.scanner.line();
            self.entry += 1;
            self.buf.clear();
            let scanned = match self.scanner.value(Some(&mut self.buf), MAX_ENTRY) {
                Ok(s) => s,
                Err(e) => return self.fail(self.scanner.io_error(&e)),
            };
            return Some(match scanned {
                Scanned::Eof => {
                    self.state = State::Done;
                    Err(RecordError::at_line(
                        line,
                        format!("entry {}: the file ends inside it (truncated?)", self.entry),
                    ))
                }
                Scanned::Oversized => Err(RecordError::at_line(
                    line,
                    format!(
                        "entry {}: larger than {MAX_ENTRY} bytes; skipped",
                        self.entry
                    ),
                )),
                Scanned::Complete => entry_to_exchange(&self.buf).map_err(|reason| {
                    RecordError::at_line(line, format!("entry {}: {reason}", self.entry))
                }),
            });
        }
    }

    fn fail(&mut self, e: RecordError) -> Option<Result<Exchange, RecordError>> {
        self.state = State::Done;
        Some(Err(e))
    }
}

impl<R: BufRead> Iterator for HarReader<R> {
    type Item = Result<Exchange, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.state {
            State::Done => None,
            State::Start => match self.scanner.find_entries() {
                Ok(()) => {
                    self.state = State::Entries;
                    self.next_entry()
                }
                Err(e) => self.fail(e),
            },
            State::Entries => self.next_entry(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    started_date_time: Option<String>,
    #[serde(default)]
    time: Option<f64>,
    request: Request,
    #[serde(default)]
    response: Option<Response>,
    /// The client's address: not in HAR 1.2, but written by tools that know it (Rampart's
    /// own simulator, proxies exporting HAR) as the custom field `_clientAddress`.
    #[serde(default, rename = "_clientAddress")]
    client_address: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    method: Option<String>,
    url: Option<String>,
    #[serde(default)]
    headers: Vec<NameValue>,
    #[serde(default)]
    post_data: Option<PostData>,
    #[serde(default)]
    body_size: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    #[serde(default)]
    status: Option<f64>,
    #[serde(default)]
    headers: Vec<NameValue>,
    #[serde(default)]
    content: Option<Content>,
    #[serde(default)]
    body_size: Option<f64>,
}

#[derive(Deserialize)]
struct NameValue {
    name: String,
    #[serde(default)]
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostData {
    mime_type: Option<String>,
    text: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Content {
    size: Option<f64>,
    mime_type: Option<String>,
    text: Option<String>,
    encoding: Option<String>,
}

fn entry_to_exchange(bytes: &[u8]) -> Result<Exchange, String> {
    let entry: Entry = serde_json::from_slice(bytes).map_err(|e| {
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
        match first {
            Some(b'{') => format!("malformed entry: {e}"),
            Some(b) => format!("not an object: starts with {}", describe(b)),
            None => "empty entry".to_owned(),
        }
    })?;
    let time = match entry.started_date_time.as_deref() {
        Some(t) => EventTime::parse_rfc3339(t).map_err(|e| format!("`startedDateTime`: {e}"))?,
        None => return Err("`startedDateTime` missing".into()),
    };
    let method = entry
        .request
        .method
        .filter(|m| !m.is_empty())
        .ok_or("`request.method` missing")?;
    let url = entry.request.url.ok_or("`request.url` missing")?;
    let parts = split_url(&url);
    let mut ex = Exchange {
        time,
        method: method.to_ascii_uppercase(),
        scheme: parts.scheme,
        host: parts.host,
        path: parts.path,
        query: parts.query.filter(|q| !q.is_empty()),
        duration_ms: entry.time.filter(|t| t.is_finite() && *t >= 0.0),
        client: entry
            .client_address
            .as_deref()
            .and_then(|a| a.trim().parse().ok()),
        ..Exchange::default()
    };
    for h in &entry.request.headers {
        if let Some(pseudo) = h.name.strip_prefix(':') {
            if pseudo.eq_ignore_ascii_case("authority") && ex.host.is_none() {
                ex.host = crate::url_parts::host_from_authority(&h.value);
            }
            continue;
        }
        ex.request_headers.push(&h.name, h.value.clone());
    }
    if ex.host.is_none() {
        ex.host = ex
            .request_headers
            .get("host")
            .and_then(crate::url_parts::host_from_authority);
    }
    if let Some(pd) = entry.request.post_data {
        if let Some(text) = pd.text {
            ex.request_body = Some(Body::sample(pd.mime_type, text.as_bytes()));
        }
    }
    ex.request_size = entry
        .request
        .body_size
        .filter(|s| *s >= 0.0)
        .map(|s| s as u64);
    if let Some(resp) = entry.response {
        ex.status = resp
            .status
            .filter(|s| *s > 0.0 && *s < 1000.0)
            .map(|s| s as u16);
        for h in &resp.headers {
            if !h.name.starts_with(':') {
                ex.response_headers.push(&h.name, h.value.clone());
            }
        }
        ex.response_size = resp.body_size.filter(|s| *s >= 0.0).map(|s| s as u64);
        if let Some(c) = resp.content {
            if ex.response_size.is_none() {
                ex.response_size = c.size.filter(|s| *s >= 0.0).map(|s| s as u64);
            }
            if let Some(text) = c.text {
                let bytes = if c.encoding.as_deref() == Some("base64") {
                    base64::engine::general_purpose::STANDARD
                        .decode(text.trim())
                        .map_err(|e| format!("`response.content.text` is not base64: {e}"))?
                } else {
                    text.into_bytes()
                };
                ex.response_body = Some(Body::sample(c.mime_type, &bytes));
            }
        }
    }
    Ok(ex)
}

#[cfg(test)]
mod tests;
