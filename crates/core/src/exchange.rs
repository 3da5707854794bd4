//! The one event type: a request, its response and their metadata.

use std::borrow::Cow;
use std::net::IpAddr;

use crate::time::EventTime;

/// Largest body sample kept on an [`Exchange`], in bytes. Sources truncate longer bodies and set
/// [`Body::truncated`]; inspection never needs more than this prefix.
pub const BODY_SAMPLE_LIMIT: usize = 64 * 1024;

/// One HTTP exchange, normalised from any source.
///
/// Field names follow the OpenTelemetry HTTP semantic conventions where one exists
/// (`client.address`, `http.request.method`, `url.path`, ...). Raw header values (cookies,
/// credentials) live only on this in-flight value; every consumer that keeps anything derived from
/// them hashes or redacts it first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exchange {
    /// When the request was received (`timestamp`).
    pub time: EventTime,
    /// The client's address after trusted-proxy handling (`client.address`).
    pub client: Option<IpAddr>,
    /// Request method, upper case (`http.request.method`).
    pub method: String,
    /// `http` or `https` when known (`url.scheme`).
    pub scheme: Option<String>,
    /// Host the request was addressed to, lower case, without the port (`server.address`).
    pub host: Option<String>,
    /// Path as received, percent-encoding untouched (`url.path`).
    pub path: String,
    /// Query string without the leading `?` (`url.query`).
    pub query: Option<String>,
    /// Response status code (`http.response.status_code`); `None` when the source lacks it.
    pub status: Option<u16>,
    /// Selected request headers, names in lower case (`http.request.header.<name>`).
    pub request_headers: Headers,
    /// Selected response headers, names in lower case (`http.response.header.<name>`).
    pub response_headers: Headers,
    /// Bounded request body sample (`http.request.body`).
    pub request_body: Option<Body>,
    /// Bounded response body sample (`http.response.body`).
    pub response_body: Option<Body>,
    /// Request body size in bytes (`http.request.body.size`).
    pub request_size: Option<u64>,
    /// Response body size in bytes (`http.response.body.size`).
    pub response_size: Option<u64>,
    /// Time to serve the request, in milliseconds (`http.server.request.duration`, in ms).
    pub duration_ms: Option<f64>,
    /// Source fields that have no Exchange field, kept by name (unknown `log_format` variables).
    pub extra: Vec<(String, String)>,
}

impl Exchange {
    /// The `User-Agent` request header (`user_agent.original`).
    pub fn user_agent(&self) -> Option<&str> {
        self.request_headers.get("user-agent")
    }

    /// The response's media type without parameters, lower case (`application/json`).
    pub fn response_content_type(&self) -> Option<&str> {
        self.response_body
            .as_ref()
            .and_then(|b| b.content_type.as_deref())
            .or_else(|| self.response_headers.get("content-type"))
            .map(media_type)
    }

    /// The request's media type without parameters.
    pub fn request_content_type(&self) -> Option<&str> {
        self.request_body
            .as_ref()
            .and_then(|b| b.content_type.as_deref())
            .or_else(|| self.request_headers.get("content-type"))
            .map(media_type)
    }

    /// Query pairs, split on `&` and `=`, still percent-encoded. Empty names are skipped.
    pub fn query_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.query
            .as_deref()
            .unwrap_or("")
            .split('&')
            .filter_map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (!name.is_empty()).then_some((name, value))
            })
    }
}

fn media_type(value: &str) -> &str {
    value.split(';').next().unwrap_or("").trim()
}

/// An ordered list of headers with lower-case names. Lookups are linear: exchanges carry a
/// handful of headers, and a vector beats a map at that size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<(Cow<'static, str>, String)>);

/// Header names common enough to be kept without an allocation.
const COMMON_NAMES: [&str; 12] = [
    "user-agent",
    "referer",
    "authorization",
    "cookie",
    "content-type",
    "host",
    "accept",
    "x-forwarded-for",
    "x-api-key",
    "accept-language",
    "content-length",
    "set-cookie",
];

impl Headers {
    /// An empty header list.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// No headers, with room for `n`.
    pub fn with_capacity(n: usize) -> Self {
        Self(Vec::with_capacity(n))
    }

    /// Appends a header; the name is lower-cased.
    pub fn push(&mut self, name: &str, value: impl Into<String>) {
        let name: Cow<'static, str> =
            match COMMON_NAMES.iter().find(|c| c.eq_ignore_ascii_case(name)) {
                Some(c) => Cow::Borrowed(c),
                None if name.bytes().any(|b| b.is_ascii_uppercase()) => {
                    Cow::Owned(name.to_ascii_lowercase())
                }
                None => Cow::Owned(name.to_owned()),
            };
        self.0.push((name, value.into()));
    }

    /// The first value of a header, by lower-case name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header, by lower-case name.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// All headers in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (&**n, v.as_str()))
    }

    /// Number of headers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A bounded body sample.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body {
    /// Media type as sent (`Content-Type`), parameters included.
    pub content_type: Option<String>,
    /// At most [`BODY_SAMPLE_LIMIT`] bytes of the body, decoded from any transfer encoding.
    pub bytes: Vec<u8>,
    /// Whether the body was longer than the sample.
    pub truncated: bool,
}

impl Body {
    /// A sample of `bytes`, cut to [`BODY_SAMPLE_LIMIT`].
    pub fn sample(content_type: Option<String>, bytes: &[u8]) -> Self {
        let truncated = bytes.len() > BODY_SAMPLE_LIMIT;
        let bytes = bytes[..bytes.len().min(BODY_SAMPLE_LIMIT)].to_vec();
        Self {
            content_type,
            bytes,
            truncated,
        }
    }

    /// Whether the media type says JSON (`application/json`, `application/*+json`).
    pub fn is_json(&self) -> bool {
        match self.content_type.as_deref() {
            Some(ct) => {
                let ct = media_type(ct).to_ascii_lowercase();
                ct == "application/json" || ct.ends_with("+json") || ct == "text/json"
            }
            None => matches!(
                self.bytes.iter().find(|b| !b.is_ascii_whitespace()),
                Some(b'{' | b'[')
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_case_insensitive_by_lowercasing_on_push() {
        let mut h = Headers::new();
        h.push("User-Agent", "curl/8");
        h.push("Cookie", "a=1");
        h.push("cookie", "b=2");
        assert_eq!(h.get("user-agent"), Some("curl/8"));
        assert_eq!(h.get_all("cookie").collect::<Vec<_>>(), vec!["a=1", "b=2"]);
        assert_eq!(h.get("accept"), None);
    }

    #[test]
    fn query_pairs_split_and_skip_empty_names() {
        let ex = Exchange {
            query: Some("zip=10001&sku=A1&&=x&flag".into()),
            ..Exchange::default()
        };
        let pairs: Vec<_> = ex.query_pairs().collect();
        assert_eq!(pairs, vec![("zip", "10001"), ("sku", "A1"), ("flag", "")]);
    }

    #[test]
    fn body_sample_is_bounded() {
        let big = vec![b'a'; BODY_SAMPLE_LIMIT + 10];
        let body = Body::sample(None, &big);
        assert_eq!(body.bytes.len(), BODY_SAMPLE_LIMIT);
        assert!(body.truncated);
    }

    #[test]
    fn json_detection_uses_media_type_then_content() {
        let typed = Body::sample(Some("application/problem+json; charset=utf-8".into()), b"x");
        assert!(typed.is_json());
        let sniffed = Body::sample(None, b"  {\"a\":1}");
        assert!(sniffed.is_json());
        let html = Body::sample(Some("text/html".into()), b"{}");
        assert!(!html.is_json());
    }
}
