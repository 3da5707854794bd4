//! Building the [`Exchange`] the engine observes from a [`Completed`] record.

use http::HeaderMap;
use rampart_core::{Body, Exchange, Headers};

use crate::body::BodySample;
use crate::phases::Completed;

impl Completed {
    /// The exchange for this request: event time, client address after trusted-proxy
    /// handling, method, scheme, host, path, query, headers, bounded body samples, status,
    /// sizes and duration.
    pub fn to_exchange(&self) -> Exchange {
        build_exchange(self)
    }
}

/// Builds the [`Exchange`] for a completed request (see [`Completed::to_exchange`]).
pub fn build_exchange(c: &Completed) -> Exchange {
    let request_headers = headers(&c.request_headers);
    let response_headers = headers(&c.response_headers);
    let request_body = sample(&c.request_body, request_headers.get("content-type"));
    let response_body = sample(&c.response_body, response_headers.get("content-type"));
    Exchange {
        time: c.time,
        client: Some(c.client),
        method: c.method.as_str().to_ascii_uppercase(),
        scheme: Some(c.scheme.as_str().to_owned()),
        host: c.host.as_deref().map(str::to_owned),
        path: c.uri.path().to_owned(),
        query: c.uri.query().map(str::to_owned),
        status: c.status.map(|s| s.as_u16()),
        request_headers,
        response_headers,
        request_body,
        response_body,
        request_size: Some(c.request_body.size),
        response_size: Some(c.response_body.size),
        duration_ms: Some(c.duration.as_secs_f64() * 1000.0),
        extra: Vec::new(),
    }
}

/// Finishes `head`, the request head as an exchange (time, client, method, scheme, host, path,
/// query and every request header, as [`build_exchange`] would give them), with the rest of
/// `c`: what [`build_exchange`] gives, without converting the request head a second time.
pub(crate) fn finish_exchange(c: &Completed, mut head: Exchange) -> Exchange {
    let response_headers = headers(&c.response_headers);
    head.method.make_ascii_uppercase();
    if head.query.is_none() {
        head.query = c.uri.query().map(str::to_owned);
    }
    head.request_body = sample(&c.request_body, head.request_headers.get("content-type"));
    head.response_body = sample(&c.response_body, response_headers.get("content-type"));
    head.status = c.status.map(|s| s.as_u16());
    head.response_headers = response_headers;
    head.request_size = Some(c.request_body.size);
    head.response_size = Some(c.response_body.size);
    head.duration_ms = Some(c.duration.as_secs_f64() * 1000.0);
    head
}

fn headers(map: &HeaderMap) -> Headers {
    let mut out = Headers::with_capacity(map.len());
    for (name, value) in map {
        let value = match value.to_str() {
            Ok(v) => v.to_owned(),
            Err(_) => String::from_utf8_lossy(value.as_bytes()).into_owned(),
        };
        out.push(name.as_str(), value);
    }
    out
}

fn sample(s: &BodySample, content_type: Option<&str>) -> Option<Body> {
    if s.size == 0 {
        return None;
    }
    Some(Body {
        content_type: content_type.map(str::to_owned),
        bytes: s.bytes.clone(),
        truncated: s.truncated,
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use http::{HeaderValue, Method, StatusCode, Version};
    use rampart_core::EventTime;

    use super::*;
    use crate::phases::{Outcome, Scheme};

    #[test]
    fn a_completed_request_becomes_an_exchange() {
        let mut request_headers = HeaderMap::new();
        request_headers.insert("user-agent", HeaderValue::from_static("curl/8"));
        request_headers.insert("content-type", HeaderValue::from_static("application/json"));
        let mut response_headers = HeaderMap::new();
        response_headers.insert("content-type", HeaderValue::from_static("text/plain"));
        let c = Completed {
            time: EventTime::from_unix_millis(1_700_000_000_000),
            peer: "10.0.0.1:5000".parse().unwrap(),
            client: "1.2.3.4".parse().unwrap(),
            scheme: Scheme::Https,
            version: Version::HTTP_2,
            method: Method::POST,
            uri: "/users/42?x=1".parse().unwrap(),
            host: Some("api.test".into()),
            request_headers,
            status: Some(StatusCode::CREATED),
            response_headers,
            request_body: BodySample {
                bytes: b"{\"a\"".to_vec(),
                size: 9,
                truncated: true,
                complete: true,
            },
            response_body: BodySample::default(),
            duration: Duration::from_micros(1500),
            outcome: Outcome::Proxied,
            upstream_server: Some(http::uri::Authority::from_static("127.0.0.1:9000")),
        };
        let ex = c.to_exchange();
        assert_eq!(ex.client, Some("1.2.3.4".parse().unwrap()));
        assert_eq!(ex.method, "POST");
        assert_eq!(ex.scheme.as_deref(), Some("https"));
        assert_eq!(ex.host.as_deref(), Some("api.test"));
        assert_eq!(ex.path, "/users/42");
        assert_eq!(ex.query.as_deref(), Some("x=1"));
        assert_eq!(ex.status, Some(201));
        assert_eq!(ex.user_agent(), Some("curl/8"));
        let body = ex.request_body.unwrap();
        assert_eq!(body.bytes, b"{\"a\"");
        assert!(body.truncated);
        assert_eq!(body.content_type.as_deref(), Some("application/json"));
        assert!(ex.response_body.is_none());
        assert_eq!(ex.request_size, Some(9));
        assert_eq!(ex.response_size, Some(0));
        assert_eq!(ex.duration_ms, Some(1.5));
    }
}
