//! Replays simulated exchanges through the proxy as real HTTP requests: each from its
//! simulated client address (`X-Forwarded-For`, trusted from loopback in the demo), at its
//! recorded event time (`x-rampart-event-time`), and notes what the proxy did to it.
//!
//! The replay compresses an hour of traffic into a minute or two, far faster than live
//! traffic comes. A live proxy's engine keeps up with it; one fed sixty times faster on a
//! busy machine falls behind and sheds exchanges (the proxy never waits for inspection),
//! and a demo whose engine saw a tenth of the attack measures nothing. So the replay paces
//! itself to the engine: it sends only while fewer than [`MAX_AHEAD`] requests taken by
//! the proxy are still waiting to be observed.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use rampart_core::Exchange;
use rampart_proxy::EVENT_TIME_HEADER;

use super::clock::SYNC_SLACK_MS;
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
/// Most requests taken by the proxy and not yet observed by its engine before the replay
/// waits (those in flight included).
pub(crate) const MAX_AHEAD: u64 = 64;
/// Longest wait for the engine before a request is sent anyway (an exchange that never
/// reaches the engine must not stop the replay).
const MAX_WAIT: Duration = Duration::from_secs(2);

/// What the replay paces itself to, updated by the caller.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pace {
    /// How far the engine is behind the proxy: requests taken and not yet observed (nor
    /// dropped).
    pub(crate) backlog: Arc<AtomicU64>,
    /// Event time (Unix ms) of the last finished pass of the guard's slow path; 0 before the
    /// first.
    pub(crate) synced: Arc<AtomicI64>,
}

/// Sends every exchange through the proxy at `proxy`; returns each one's fate, in order.
/// `clock` follows the replay: the latest event time (Unix ms) of a request sent. Each request
/// waits until the engine's backlog is at most [`MAX_AHEAD`] and the slow path has run within
/// [`SYNC_SLACK_MS`] of its event time.
pub(crate) async fn replay(
    exchanges: Arc<Vec<Exchange>>,
    proxy: SocketAddr,
    clock: Arc<AtomicI64>,
    pace: Pace,
) -> Vec<Fate> {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(CONCURRENCY)
        .build_http();
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, next, exchanges, clock, pace) = (
            client.clone(),
            next.clone(),
            exchanges.clone(),
            clock.clone(),
            pace.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut fates = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(ex) = exchanges.get(i) else {
                    return fates;
                };
                // The clock moves first, so that the slow path can run up to this request.
                let t = ex.time.as_unix_millis();
                clock.fetch_max(t, Ordering::Relaxed);
                wait_for_engine(&pace, t).await;
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

/// Waits until the engine is at most [`MAX_AHEAD`] requests behind and the slow path has run
/// within [`SYNC_SLACK_MS`] of event time `t`, or [`MAX_WAIT`].
async fn wait_for_engine(pace: &Pace, t: i64) {
    let deadline = Instant::now() + MAX_WAIT;
    let behind = || {
        let synced = pace.synced.load(Ordering::Relaxed);
        pace.backlog.load(Ordering::Relaxed) > MAX_AHEAD
            || (synced != 0 && t > synced + SYNC_SLACK_MS)
    };
    while behind() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
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
