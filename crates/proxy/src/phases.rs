//! The hook the engine plugs into: pingora's `ProxyHttp` phases, in request order, with one
//! [`RequestCtx`] per request.
//!
//! 1. [`Phases::on_request_head`] runs once the request head is read and routed, before anything
//!    goes upstream. It returns a [`Verdict`]: continue, answer locally (block, rate limit,
//!    decoy), or delay then continue (tarpit).
//! 2. The request streams upstream; its first `inspect_body_bytes` are sampled on the way.
//! 3. [`Phases::on_response_head`] sees (and may edit) the response head before it is sent.
//! 4. The response streams back, sampled the same way.
//! 5. [`Phases::on_done`] gets the context and a [`Completed`] record once both bodies have
//!    finished streaming or were aborted. It runs on a background thread, off the latency path;
//!    [`Completed::to_exchange`] turns the record into a [`rampart_core::Exchange`].
//!
//! Hooks are called inside `catch_unwind`: a panic or an `Err` never drops the request. It is
//! counted (`hook_failures`), logged, and the request fails open (or closed, when configured).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, Version};
use rampart_core::EventTime;

pub use crate::body::BodySample;

/// An error a hook may return; the proxy counts and logs it and fails open.
pub type HookError = Box<dyn std::error::Error + Send + Sync>;

/// The phase hook. Every method has a default, so an implementation overrides only what it
/// needs. Methods are synchronous and should be quick: they run on the request path (except
/// `on_done`).
pub trait Phases: Send + Sync + 'static {
    /// After the request head is read and routed, before anything is sent upstream. `req` is
    /// the request as the client sent it (hop-by-hop and forwarding headers untouched).
    fn on_request_head(
        &self,
        ctx: &mut RequestCtx,
        req: &http::request::Parts,
    ) -> Result<Verdict, HookError> {
        let _ = (ctx, req);
        Ok(Verdict::Continue)
    }

    /// Before the response head goes to the client: the upstream's, or the proxy's own (404,
    /// 413, 502, 504, a `Respond` verdict). Headers may be edited here.
    fn on_response_head(
        &self,
        ctx: &mut RequestCtx,
        resp: &mut http::response::Parts,
    ) -> Result<(), HookError> {
        let _ = (ctx, resp);
        Ok(())
    }

    /// After the response body finished streaming (or the exchange was aborted), on a
    /// background thread. Build the [`rampart_core::Exchange`] with
    /// [`Completed::to_exchange`].
    fn on_done(&self, ctx: RequestCtx, record: Completed) {
        let _ = (ctx, record);
    }
}

/// The hook that does nothing: plain reverse proxying.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopPhases;

impl Phases for NoopPhases {}

/// What to do with a request after `on_request_head`.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Forward it upstream.
    Continue,
    /// Answer it here and never contact the upstream (block, rate limit, decoy).
    Respond(LocalResponse),
    /// Wait this long, then forward it (tarpit). Capped by `max_delay`.
    Delay(Duration),
}

impl Verdict {
    /// A local answer with a plain-text body.
    pub fn respond(status: StatusCode, body: impl Into<Bytes>) -> Self {
        Verdict::Respond(LocalResponse::text(status, body))
    }

    /// `429 Too Many Requests` with `Retry-After` in whole seconds (rounded up).
    pub fn rate_limited(retry_after: Duration) -> Self {
        let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
        let mut local = LocalResponse::text(
            StatusCode::TOO_MANY_REQUESTS,
            "429 Too Many Requests: slow down\n",
        );
        local
            .headers
            .insert(http::header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        Verdict::Respond(local)
    }
}

/// A response the proxy makes itself.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalResponse {
    /// Status code.
    pub status: StatusCode,
    /// Headers; `Content-Length` is set by the proxy.
    pub headers: HeaderMap,
    /// Body, sent as is.
    pub body: Bytes,
}

impl LocalResponse {
    /// A response with a `text/plain; charset=utf-8` body.
    pub fn text(status: StatusCode, body: impl Into<Bytes>) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        Self {
            status,
            headers,
            body: body.into(),
        }
    }
}

/// `http` or `https`: how the client reached the proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
}

impl Scheme {
    /// `"http"` or `"https"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// The route a request matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    /// Position of the route in the config's `routes:`.
    pub index: usize,
    /// Name of the upstream pool.
    pub upstream: Arc<str>,
}

/// Per-request state, created when the request head is read and handed to every phase, then
/// by value to [`Phases::on_done`].
#[derive(Debug)]
pub struct RequestCtx {
    /// Request number since the proxy started (unique per proxy).
    pub id: u64,
    /// When the request head was received.
    pub time: EventTime,
    /// The TCP peer.
    pub peer: SocketAddr,
    /// The client after trusted-proxy handling (the peer unless the peer is trusted).
    pub client: IpAddr,
    /// The local address the request arrived on.
    pub local: SocketAddr,
    /// How the client reached the proxy.
    pub scheme: Scheme,
    /// HTTP version the client spoke.
    pub version: Version,
    /// The requested host: lower case, without port (from the URI authority or `Host`).
    pub host: Option<Arc<str>>,
    /// The route, when one matched.
    pub route: Option<RouteInfo>,
    /// The hook's own per-request state, carried from phase to phase.
    pub extensions: http::Extensions,
    /// Dropped as soon as a `Delay` verdict's wait is over (or the request ends): a place for a
    /// tarpit permit that counts held requests.
    pub delay_guard: Option<DelayGuard>,
    /// The guard's request head as an exchange, kept from `on_request_head` to `on_done`
    /// without the map lookups of `extensions`.
    pub(crate) head: Option<Box<crate::guard::Head>>,
}

impl RequestCtx {
    /// Whether `on_done` needs the request headers in the record: not when the guard's head
    /// exchange holds every one of them already.
    pub(crate) fn needs_request_headers(&self) -> bool {
        !self.head.as_ref().is_some_and(|h| h.every_header)
    }
}

/// Anything kept alive for exactly the length of a `Delay` (see [`RequestCtx::delay_guard`]).
pub struct DelayGuard {
    _held: Box<dyn std::any::Any + Send + Sync>,
}

impl DelayGuard {
    /// Wraps a value (a permit, a counter guard) to be dropped when the delay ends.
    pub fn new(value: impl std::any::Any + Send + Sync) -> Self {
        Self {
            _held: Box::new(value),
        }
    }
}

impl std::fmt::Debug for DelayGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DelayGuard")
    }
}

/// How a request ended, from the proxy's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Forwarded and answered by the upstream.
    Proxied,
    /// Answered by a `Respond` verdict of the hook.
    Responded,
    /// Refused with 503 because a hook failed and `on_hook_error` is `closed`.
    HookFailedClosed,
    /// Refused with 400: a missing, repeated or invalid `Host` (the parser answers worse
    /// heads itself, before any hook runs).
    BadRequest,
    /// No route matched (404).
    NoRoute,
    /// Body over `limits.max_body_bytes` (413).
    BodyTooLarge,
    /// The client paused its body longer than `timeouts.request_body` (408).
    BodyStalled,
    /// The upstream could not be reached or broke the exchange (502).
    UpstreamError,
    /// The upstream did not answer in time (504).
    UpstreamTimeout,
    /// A WebSocket (or other) upgrade was passed through (101).
    Upgraded,
    /// The client went away before a response head was sent.
    Aborted,
}

/// Everything the proxy saw of one request: what [`Phases::on_done`] receives.
#[derive(Debug, Clone)]
pub struct Completed {
    /// When the request head was received.
    pub time: EventTime,
    /// The TCP peer.
    pub peer: SocketAddr,
    /// The client after trusted-proxy handling.
    pub client: IpAddr,
    /// How the client reached the proxy.
    pub scheme: Scheme,
    /// HTTP version the client spoke.
    pub version: Version,
    /// Request method.
    pub method: Method,
    /// Request target as received (path and query, and the authority for HTTP/2).
    pub uri: Uri,
    /// Requested host, lower case, without port.
    pub host: Option<Arc<str>>,
    /// Request headers as the client sent them (left empty when the proxy's own guard kept
    /// them, converted, with the request head in the context).
    pub request_headers: HeaderMap,
    /// Response status sent to the client; `None` when none was sent.
    pub status: Option<StatusCode>,
    /// Response headers sent to the client.
    pub response_headers: HeaderMap,
    /// The request body's sample and size.
    pub request_body: BodySample,
    /// The response body's sample and size.
    pub response_body: BodySample,
    /// From the request head to the end of the response body.
    pub duration: Duration,
    /// How it ended.
    pub outcome: Outcome,
    /// The upstream server used (`host:port`), when one was.
    pub upstream_server: Option<http::uri::Authority>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limited_rounds_retry_after_up() {
        let Verdict::Respond(r) = Verdict::rate_limited(Duration::from_millis(1500)) else {
            panic!("a local response")
        };
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers[http::header::RETRY_AFTER], "2");
        let Verdict::Respond(r) = Verdict::rate_limited(Duration::ZERO) else {
            panic!("a local response")
        };
        assert_eq!(r.headers[http::header::RETRY_AFTER], "1");
    }
}
