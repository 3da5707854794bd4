//! One request, in phase order: route, `on_request_head`, limits, forward (with retries for
//! bodiless requests on connect failure), `on_response_head`, stream back. Every failure goes
//! through [`fail_to_proxy`]; nothing here panics on client or upstream input.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::uri::PathAndQuery;
use http::{Request, Response, StatusCode, Uri, Version};
use http_body::Body as _;
use http_body_util::{Either, Empty, Full};
use hyper::body::Incoming;
use hyper::upgrade::OnUpgrade;
use tokio::sync::oneshot;

use crate::body::{BodySample, Side, TapBody};
use crate::clock;
use crate::fail::{call_hook, fail_to_proxy, Disposition, Failure};
use crate::forwarded::{self, Hop};
use crate::listener::ConnInfo;
use crate::phases::{LocalResponse, Outcome, RequestCtx, RouteInfo, Verdict};
use crate::record::Recording;
use crate::route::CompiledRoute;
use crate::server::Shared;
use crate::stats;
use crate::upstream::{PooledBody, SendError, UpstreamBody};
use crate::websocket;

/// The body of every response the proxy sends: the upstream's or its own, tapped.
pub(crate) type ResponseBody = TapBody<Either<PooledBody, Full<Bytes>>>;

/// A response on its way back, before tapping.
struct Reply {
    resp: Response<Either<PooledBody, Full<Bytes>>>,
    outcome: Outcome,
}

impl Reply {
    fn local(local: LocalResponse, outcome: Outcome) -> Self {
        // A 1xx cannot end an exchange; a hook asking for one gets a 500 instead of a broken
        // connection.
        let local = if local.status.is_informational() {
            tracing::warn!(status = %local.status, "a local response cannot be informational");
            LocalResponse::text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "500 Internal Server Error\n",
            )
        } else {
            local
        };
        let mut resp = Response::new(Either::Right(Full::new(local.body)));
        *resp.status_mut() = local.status;
        *resp.headers_mut() = local.headers;
        Reply { resp, outcome }
    }

    fn failure(shared: &Shared, failure: Failure) -> Self {
        match fail_to_proxy(&shared.stats, shared.config.on_hook_error, failure) {
            Disposition::Respond(local, outcome) => Reply::local(local, outcome),
            // Only hook failures fail open; anything else reaching here is a bug, answered
            // as an upstream error rather than a panic.
            Disposition::Continue => Reply::local(
                LocalResponse::text(StatusCode::BAD_GATEWAY, "502 Bad Gateway\n"),
                Outcome::UpstreamError,
            ),
        }
    }
}

/// Serves one request.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    conn: Arc<ConnInfo>,
    req: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    let started = clock::now();
    stats::inc(&shared.stats.requests);
    let (parts, body) = req.into_parts();
    let raw_host = raw_host(&parts);
    let host = raw_host.as_ref().and_then(|h| conn.normalized_host(h));
    let route = shared.router.find(host.as_deref(), parts.uri.path());
    let client = forwarded::client_addr(
        conn.peer.ip(),
        &parts.headers,
        &shared.config.trusted_proxies,
    );
    let ctx = RequestCtx {
        id: shared.next_id.fetch_add(1, Ordering::Relaxed),
        time: clock::event_time(),
        peer: conn.peer,
        client,
        local: conn.local,
        scheme: conn.scheme,
        version: parts.version,
        host,
        route: route.map(|r| RouteInfo {
            index: r.index,
            upstream: r.upstream.clone(),
        }),
        extensions: http::Extensions::new(),
        delay_guard: None,
        head: None,
    };
    let rec = Recording::start(ctx, &parts, started, conn.clone(), shared.done.clone());
    let version = parts.version;
    let had_body = !body.is_end_stream();
    // A `Content-Length` beside `Transfer-Encoding` is dropped by the HTTP/1 parser, which
    // frames the body by the latter (RFC 9112 §6.3) and closes the connection after the answer
    // (RFC 9112 §6.1), so bytes another hop framed differently are never read as a next
    // request; a chunked body alone keeps the connection.
    // Boxed: hyper moves the request's future into place, and this keeps it a few words long.
    let reply = Box::pin(proceed(&shared, &conn, &rec, parts, body, route, raw_host)).await;
    if had_body {
        // A body answered before it was read (block, 404, 413) is recorded as incomplete; a
        // tap that did stream it reports over this when it finishes.
        rec.with(|st| {
            st.request_body.get_or_insert_with(BodySample::default);
        });
    }
    Ok(send_back(&shared, rec, reply, version))
}

/// The host as the client sent it: the URI authority (HTTP/2, absolute form) or `Host`, when
/// it is text.
fn raw_host(parts: &http::request::Parts) -> Option<HeaderValue> {
    if let Some(a) = parts.uri.authority() {
        return HeaderValue::from_str(a.as_str()).ok();
    }
    parts
        .headers
        .get(header::HOST)
        .filter(|v| v.to_str().is_ok())
        .cloned()
}

/// RFC 9112 §3.2 and RFC 9113 §8.3.1: an HTTP/1.1 request carries exactly one `Host` (unless
/// its target names the authority), and that one is a valid host; an HTTP/2 request's `Host`,
/// when present, names the same authority as `:authority`.
fn check_host(parts: &http::request::Parts, conn: &ConnInfo) -> Result<(), &'static str> {
    let mut hosts = parts.headers.get_all(header::HOST).iter();
    let first = hosts.next();
    if hosts.next().is_some() {
        return Err("the request has more than one Host header");
    }
    let authority = parts.uri.authority();
    if authority.is_some_and(|a| !valid_port(a.as_str())) {
        return Err("the request target's port is not a port");
    }
    let Some(value) = first else {
        if parts.version == Version::HTTP_11 && authority.is_none() {
            return Err("an HTTP/1.1 request needs a Host header");
        }
        return Ok(());
    };
    let invalid = "the Host header is not a valid host";
    let text = value.to_str().map_err(|_| invalid)?;
    if text.is_empty() {
        return Ok(());
    }
    // A kept-alive connection names the same host in every request: the one that passed last
    // time is not parsed again.
    if !conn.is_known_host(value) {
        match text.parse::<http::uri::Authority>() {
            Ok(_) if !text.contains('@') && valid_port(text) => conn.remember_host(value),
            _ => return Err(invalid),
        }
    }
    if parts.version == Version::HTTP_2 {
        if let Some(a) = authority {
            if !a.as_str().eq_ignore_ascii_case(text) {
                return Err("the Host header names another authority than :authority");
            }
        }
    }
    Ok(())
}

/// Whether the port of `authority`, if it has one, fits in 16 bits (the URI parser takes any
/// digits).
fn valid_port(authority: &str) -> bool {
    let after_host = match authority.rfind(']') {
        Some(i) => &authority[i + 1..],
        None => authority,
    };
    match after_host.rsplit_once(':') {
        Some((_, port)) => port.is_empty() || port.parse::<u16>().is_ok(),
        None => true,
    }
}

fn content_length(headers: &http::HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

async fn proceed(
    shared: &Shared,
    conn: &ConnInfo,
    rec: &Arc<Recording>,
    mut parts: http::request::Parts,
    body: Incoming,
    route: Option<&CompiledRoute>,
    raw_host: Option<HeaderValue>,
) -> Reply {
    // A head the parser took but that cannot be forwarded as it is (no `Host`, two of them,
    // one that is not a host) is refused before anyone acts on it: routing by one host while
    // the upstream reads another is how requests are smuggled past a proxy.
    if let Err(why) = check_host(&parts, conn) {
        rec.with(|st| st.keep_request_headers(&parts.headers));
        return Reply::failure(shared, Failure::BadRequest { why });
    }

    // Phase 1: the hook sees the request head first.
    let verdict = rec
        .with(|st| {
            let verdict = call_hook("on_request_head", || {
                shared.phases.on_request_head(&mut st.ctx, &parts)
            });
            st.keep_request_headers(&parts.headers);
            verdict
        })
        .unwrap_or(Ok(Verdict::Continue));
    match verdict {
        Ok(Verdict::Continue) => {}
        Ok(Verdict::Delay(d)) => {
            tokio::time::sleep(d.min(shared.config.max_delay)).await;
            let guard = rec.with(|st| st.ctx.delay_guard.take());
            drop(guard);
        }
        Ok(Verdict::Respond(local)) => return Reply::local(local, Outcome::Responded),
        Err(failure) => match fail_to_proxy(&shared.stats, shared.config.on_hook_error, failure) {
            Disposition::Continue => {}
            Disposition::Respond(local, outcome) => return Reply::local(local, outcome),
        },
    }

    let Some(route) = route else {
        return Reply::failure(
            shared,
            Failure::NoRoute {
                host: raw_host.and_then(|h| h.to_str().ok().map(str::to_owned)),
                path: parts.uri.path().to_owned(),
            },
        );
    };
    let Some(pool) = shared.upstreams.pool(route.pool) else {
        return Reply::failure(
            shared,
            Failure::UpstreamUnavailable {
                pool: route.upstream.clone(),
                why: "pool not built".into(),
            },
        );
    };

    let limit = match shared.config.limits.max_body_bytes {
        0 => u64::MAX,
        n => n,
    };
    if content_length(&parts.headers).is_some_and(|n| n > limit) {
        return Reply::failure(shared, Failure::BodyTooLarge { limit });
    }

    // The request head that goes upstream.
    let websocket = websocket::is_upgrade_request(&parts);
    let client_upgrade = if websocket {
        parts.extensions.remove::<OnUpgrade>()
    } else {
        None
    };
    let trusted = forwarded::is_trusted(conn.peer.ip(), &shared.config.trusted_proxies);
    let mut headers = std::mem::take(&mut parts.headers);
    forwarded::strip_hop_by_hop(&mut headers, websocket);
    forwarded::apply_cached(
        &mut headers,
        &Hop {
            peer: conn.peer.ip(),
            trusted,
            proto: conn.scheme.as_str(),
            host: raw_host.as_ref().and_then(|h| h.to_str().ok()),
        },
        &conn.forward_cache,
    );
    // The target's authority (HTTP/2, absolute form) is the host the request was routed by,
    // so it is the one the upstream gets (RFC 9112 §3.2.2: a `Host` beside it is ignored).
    if parts.uri.authority().is_some() || !headers.contains_key(header::HOST) {
        if let Some(v) = raw_host.clone() {
            headers.insert(header::HOST, v);
        }
    }
    let path_and_query = parts
        .uri
        .path_and_query()
        .cloned()
        .unwrap_or_else(|| PathAndQuery::from_static("/"));

    // The body streams through a tap; a bodiless request can be retried on another server.
    let bodiless = body.is_end_stream();
    let (mut body_slot, mut body_sent) = if bodiless {
        (None, None)
    } else {
        let cap = sample_bytes(shared, rec.inspected());
        let (tx, rx) = oneshot::channel();
        let tap = TapBody::new(body, Side::Request, cap, limit, Some(rec.clone()), Some(tx))
            .with_stall_timeout(shared.config.timeouts.request_body);
        (Some(tap), Some(rx))
    };

    let attempts = if bodiless { pool.len() } else { 1 };
    let timeout = shared.config.timeouts.upstream_response;
    let mut tried = Vec::new();
    let mut last_error = String::from("no server is configured");
    while tried.len() < attempts {
        let Some(server) = shared.upstreams.pick(pool, &tried) else {
            break;
        };
        tried.push(server);
        let Some(authority) = pool.authority(server) else {
            break;
        };
        // Origin form: the upstream is reached directly, never through a forward proxy.
        let uri = Uri::from(path_and_query.clone());
        let body: UpstreamBody = match body_slot.take() {
            Some(tap) => Either::Left(tap),
            None => Either::Right(Empty::new()),
        };
        let mut req = Request::new(body);
        *req.method_mut() = parts.method.clone();
        *req.uri_mut() = uri;
        *req.version_mut() = Version::HTTP_11;
        *req.headers_mut() = if tried.len() < attempts {
            headers.clone()
        } else {
            std::mem::take(&mut headers)
        };
        // A request that named no host (HTTP/1.0) names the server it goes to.
        if !req.headers().contains_key(header::HOST) {
            if let Ok(v) = HeaderValue::from_str(authority.as_str()) {
                req.headers_mut().insert(header::HOST, v);
            }
        }
        rec.with(|st| st.upstream_server = Some(authority.clone()));

        let sent = send(conn, pool, server, req, body_sent.take(), timeout).await;
        match sent {
            Ok(resp) => {
                shared.upstreams.mark_up(pool, server);
                return upstream_reply(
                    shared,
                    conn,
                    resp,
                    client_upgrade,
                    websocket,
                    parts.version,
                );
            }
            Err(Sent::Timeout) => {
                return Reply::failure(
                    shared,
                    Failure::UpstreamTimeout {
                        pool: pool.name.clone(),
                        after: timeout,
                    },
                )
            }
            Err(Sent::Error(SendError::BodyTooLarge)) => {
                return Reply::failure(shared, Failure::BodyTooLarge { limit })
            }
            Err(Sent::Error(SendError::BodyStalled)) => {
                let after = shared.config.timeouts.request_body;
                return Reply::failure(shared, Failure::BodyStalled { after });
            }
            Err(Sent::Error(SendError::Connect(why))) => {
                tracing::debug!(upstream = %pool.name, server = %authority, %why, "connect failed; server marked down");
                shared.upstreams.mark_down(pool, server);
                last_error = format!("{authority}: {why}");
            }
            Err(Sent::Error(SendError::Other(why))) => {
                return Reply::failure(
                    shared,
                    Failure::UpstreamBroken {
                        pool: pool.name.clone(),
                        why: format!("{authority}: {why}"),
                    },
                )
            }
        }
    }
    Reply::failure(
        shared,
        Failure::UpstreamUnavailable {
            pool: pool.name.clone(),
            why: last_error,
        },
    )
}

enum Sent {
    Timeout,
    Error(SendError),
}

/// Sends a request; the response timeout starts once the request body has been sent in full.
/// On an HTTP/1 connection the connection's watchdog times it (see `upstream_wait`), on an
/// HTTP/2 one a timer of its own.
async fn send(
    conn: &ConnInfo,
    pool: &crate::upstream::PoolState,
    server: usize,
    req: Request<UpstreamBody>,
    mut body_sent: Option<oneshot::Receiver<()>>,
    timeout: Duration,
) -> Result<Response<PooledBody>, Sent> {
    let response = pool.send(server, req);
    if !conn.is_multiplexed() {
        let wait = &conn.upstream_wait;
        // Cleared however this ends, the future dropped included.
        let _cleared = wait.cleared_on_drop();
        if body_sent.is_none() {
            wait.start();
        }
        tokio::pin!(response);
        return std::future::poll_fn(|cx| {
            if let Some(rx) = body_sent.as_mut() {
                if Pin::new(rx).poll(cx).is_ready() {
                    body_sent = None;
                    wait.start();
                }
            }
            if body_sent.is_none() && wait.poll_expired(cx) {
                return Poll::Ready(Err(Sent::Timeout));
            }
            response.as_mut().poll(cx).map(|r| r.map_err(Sent::Error))
        })
        .await;
    }
    let timer = async move {
        if let Some(rx) = body_sent {
            let _ = rx.await;
        }
        tokio::time::sleep(timeout).await;
    };
    tokio::select! {
        biased;
        res = response => res.map_err(Sent::Error),
        () = timer => Err(Sent::Timeout),
    }
}

/// Prepares the upstream's response for the client; a `101` to a WebSocket handshake starts
/// the tunnel.
fn upstream_reply(
    shared: &Shared,
    conn: &ConnInfo,
    resp: Response<PooledBody>,
    client_upgrade: Option<OnUpgrade>,
    websocket: bool,
    version: Version,
) -> Reply {
    let (mut parts, body) = resp.into_parts();
    let upgraded = websocket && parts.status == StatusCode::SWITCHING_PROTOCOLS;
    let outcome = if upgraded {
        match (client_upgrade, parts.extensions.remove::<OnUpgrade>()) {
            (Some(client), Some(upstream)) => {
                stats::inc(&shared.stats.websocket_upgrades);
                websocket::splice(client, upstream, shared.stats.clone(), conn);
            }
            _ => tracing::debug!("101 without an upgradable connection"),
        }
        Outcome::Upgraded
    } else {
        Outcome::Proxied
    };
    forwarded::strip_hop_by_hop(&mut parts.headers, upgraded);
    parts.version = version;
    Reply {
        resp: Response::from_parts(parts, Either::Left(body)),
        outcome,
    }
}

/// How many bytes of a body the record keeps: none when it is not inspected.
fn sample_bytes(shared: &Shared, inspected: bool) -> usize {
    if inspected {
        usize::try_from(shared.config.inspect_body_bytes).unwrap_or(usize::MAX)
    } else {
        0
    }
}

/// Runs `on_response_head`, records the head and wraps the body in its tap.
fn send_back(
    shared: &Shared,
    rec: Arc<Recording>,
    reply: Reply,
    version: Version,
) -> Response<ResponseBody> {
    let Reply { resp, mut outcome } = reply;
    let (mut parts, mut body) = resp.into_parts();
    let hook = rec
        .with(|st| {
            call_hook("on_response_head", || {
                shared.phases.on_response_head(&mut st.ctx, &mut parts)
            })
        })
        .unwrap_or(Ok(()));
    if let Err(failure) = hook {
        if let Disposition::Respond(local, o) =
            fail_to_proxy(&shared.stats, shared.config.on_hook_error, failure)
        {
            let (p, b) = Reply::local(local, o).resp.into_parts();
            parts = p;
            parts.version = version;
            body = b;
            outcome = o;
        }
    }
    if parts.status.is_informational() && outcome != Outcome::Upgraded {
        tracing::warn!(status = %parts.status, "informational status on a final response replaced by 500");
        parts.status = StatusCode::INTERNAL_SERVER_ERROR;
    }
    shared.stats.response(parts.status.as_u16());
    let inspected = rec
        .with(|st| {
            st.status = Some(parts.status);
            st.outcome = outcome;
            if st.inspected {
                st.response_headers = parts.headers.clone();
            }
            st.inspected
        })
        .unwrap_or(false);
    let cap = sample_bytes(shared, inspected);
    let body = TapBody::new(body, Side::Response, cap, u64::MAX, Some(rec), None);
    Response::from_parts(parts, body)
}
