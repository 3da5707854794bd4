//! Replays simulated exchanges through the proxy as real HTTP requests: each from its
//! simulated client address (`X-Forwarded-For`, trusted from loopback in the demo), at its
//! recorded event time (`x-rampart-event-time`), and notes what the proxy did to it.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rampart_core::Exchange;
use rampart_proxy::EVENT_TIME_HEADER;

use super::upstream::{SEQ_HEADER, UPSTREAM_HEADER};

/// What happened to one replayed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    /// The upstream answered it, untouched.
    Passed,
    /// The proxy answered it itself: blocked, rate-limited, refused for lack of
    /// credentials, or given a decoy.
    Stopped(u16),
    /// The upstream answered it after a tarpit delay.
    Slowed,
    /// It could not be sent.
    Failed,
}

/// Requests in flight at once.
const CONCURRENCY: usize = 24;
/// Above this extra latency a forwarded request counts as tarpitted.
const SLOWED: Duration = Duration::from_secs(2);

/// Sends every exchange through the proxy at `proxy`; returns each one's fate, in order.
/// `clock` follows the replay: the latest event time (Unix ms) of a request sent.
pub(crate) async fn replay(
    exchanges: Arc<Vec<Exchange>>,
    proxy: SocketAddr,
    clock: Arc<AtomicI64>,
) -> Vec<Fate> {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(CONCURRENCY)
        .build_http();
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, next, exchanges, clock) = (
            client.clone(),
            next.clone(),
            exchanges.clone(),
            clock.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut fates = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(ex) = exchanges.get(i) else {
                    return fates;
                };
                clock.fetch_max(ex.time.as_unix_millis(), Ordering::Relaxed);
                fates.push((i, send(&client, proxy, i, ex).await));
            }
        }));
    }
    let mut all = vec![Fate::Failed; exchanges.len()];
    for w in workers {
        if let Ok(fates) = w.await {
            for (i, f) in fates {
                all[i] = f;
            }
        }
    }
    all
}

async fn send(
    client: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    proxy: SocketAddr,
    seq: usize,
    ex: &Exchange,
) -> Fate {
    let target = match &ex.query {
        Some(q) => format!("http://{proxy}{}?{q}", ex.path),
        None => format!("http://{proxy}{}", ex.path),
    };
    let mut req = http::Request::builder()
        .method(ex.method.as_str())
        .uri(target)
        .header(SEQ_HEADER, seq.to_string())
        .header(EVENT_TIME_HEADER, ex.time.to_rfc3339());
    if let Some(host) = &ex.host {
        req = req.header(http::header::HOST, host.as_str());
    }
    if let Some(ip) = ex.client {
        req = req.header("x-forwarded-for", ip.to_string());
    }
    for (name, value) in ex.request_headers.iter() {
        if matches!(
            name,
            "host" | "content-length" | "transfer-encoding" | "connection" | "x-forwarded-for"
        ) {
            continue;
        }
        req = req.header(name, value);
    }
    let body = ex
        .request_body
        .as_ref()
        .map(|b| Bytes::from(b.bytes.clone()))
        .unwrap_or_default();
    let Ok(req) = req.body(Full::new(body)) else {
        return Fate::Failed;
    };
    let started = Instant::now();
    let Ok(resp) = client.request(req).await else {
        return Fate::Failed;
    };
    let status = resp.status().as_u16();
    let from_upstream = resp.headers().contains_key(UPSTREAM_HEADER);
    let _ = resp.into_body().collect().await;
    match (from_upstream, started.elapsed() >= SLOWED) {
        (false, _) => Fate::Stopped(status),
        (true, true) => Fate::Slowed,
        (true, false) => Fate::Passed,
    }
}
