//! Upstream pools: round-robin over servers, keep-alive connection reuse through hyper-util's
//! pooled client, and passive health: a server that refuses a connection is skipped for the
//! pool's `fail_timeout`. When every server is marked down the pool tries them anyway, so it
//! recovers as soon as one comes back.

use std::error::Error as StdError;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::uri::Authority;
use http_body_util::{Either, Empty};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::body::{caused_by, is_body_too_large, BodyStalled, TapBody};
use crate::clock;
use crate::config::{parse_server, Pool, Timeouts};

/// The body sent upstream: the client's, tapped, or nothing.
pub(crate) type UpstreamBody = Either<TapBody<Incoming>, Empty<Bytes>>;

/// One server of a pool.
#[derive(Debug)]
pub(crate) struct Server {
    pub(crate) authority: Authority,
    /// Milliseconds since the pool set's epoch until which the server is skipped; 0 = up.
    down_until: AtomicU64,
}

/// A pool and its connection client.
pub(crate) struct PoolState {
    pub(crate) name: Arc<str>,
    servers: Vec<Server>,
    next: AtomicUsize,
    fail_timeout: Duration,
    pub(crate) client: Client<HttpConnector, UpstreamBody>,
}

/// Every pool, by index.
pub(crate) struct Upstreams {
    pools: Vec<PoolState>,
    names: Vec<String>,
    epoch: Instant,
}

/// How sending a request upstream failed.
#[derive(Debug)]
pub(crate) enum SendError {
    /// No connection could be made (refused, unreachable, connect timeout).
    Connect(String),
    /// The client's body grew past the limit while streaming.
    BodyTooLarge,
    /// The client paused its body longer than `timeouts.request_body`.
    BodyStalled,
    /// The connection broke during the exchange.
    Other(String),
}

impl Upstreams {
    /// Builds the pools of a validated config (servers that do not parse are skipped).
    pub(crate) fn new<'a>(
        pools: impl IntoIterator<Item = (&'a String, &'a Pool)>,
        timeouts: &Timeouts,
    ) -> Self {
        let mut out = Upstreams {
            pools: Vec::new(),
            names: Vec::new(),
            epoch: clock::now(),
        };
        for (name, pool) in pools {
            let mut connector = HttpConnector::new();
            connector.set_connect_timeout(Some(timeouts.upstream_connect));
            connector.set_nodelay(true);
            connector.enforce_http(true);
            let client = Client::builder(TokioExecutor::new())
                .pool_idle_timeout(pool.idle_timeout)
                .pool_max_idle_per_host(pool.max_idle_per_server)
                .pool_timer(TokioTimer::new())
                .timer(TokioTimer::new())
                .build(connector);
            let servers = pool
                .servers
                .iter()
                .filter_map(|s| parse_server(s).ok())
                .map(|authority| Server {
                    authority,
                    down_until: AtomicU64::new(0),
                })
                .collect();
            out.pools.push(PoolState {
                name: Arc::from(name.as_str()),
                servers,
                next: AtomicUsize::new(0),
                fail_timeout: pool.fail_timeout,
                client,
            });
            out.names.push(name.clone());
        }
        out
    }

    /// The index of a pool by name.
    pub(crate) fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// A pool by index.
    pub(crate) fn pool(&self, index: usize) -> Option<&PoolState> {
        self.pools.get(index)
    }

    fn now_ms(&self) -> u64 {
        let ms = clock::now()
            .saturating_duration_since(self.epoch)
            .as_millis();
        u64::try_from(ms).unwrap_or(u64::MAX).saturating_add(1)
    }

    /// The next server to try in `pool`, skipping those already `tried` and, while any is
    /// up, those marked down.
    pub(crate) fn pick(&self, pool: &PoolState, tried: &[usize]) -> Option<usize> {
        let n = pool.servers.len();
        if n == 0 || tried.len() >= n {
            return None;
        }
        let now = self.now_ms();
        let start = pool.next.fetch_add(1, Ordering::Relaxed);
        let candidates = (0..n)
            .map(|k| (start + k) % n)
            .filter(|i| !tried.contains(i));
        let mut fallback = None;
        for i in candidates {
            if pool.servers[i].down_until.load(Ordering::Relaxed) <= now {
                return Some(i);
            }
            fallback.get_or_insert(i);
        }
        fallback
    }

    /// Marks a server down for its pool's `fail_timeout` after a connect failure.
    pub(crate) fn mark_down(&self, pool: &PoolState, server: usize) {
        if let Some(s) = pool.servers.get(server) {
            let ms = u64::try_from(pool.fail_timeout.as_millis()).unwrap_or(u64::MAX);
            s.down_until
                .store(self.now_ms().saturating_add(ms), Ordering::Relaxed);
        }
    }

    /// Marks a server up after it answered.
    pub(crate) fn mark_up(&self, pool: &PoolState, server: usize) {
        if let Some(s) = pool.servers.get(server) {
            if s.down_until.load(Ordering::Relaxed) != 0 {
                s.down_until.store(0, Ordering::Relaxed);
            }
        }
    }
}

impl PoolState {
    /// Number of servers.
    pub(crate) fn len(&self) -> usize {
        self.servers.len()
    }

    /// A server's address.
    pub(crate) fn authority(&self, server: usize) -> Option<&Authority> {
        self.servers.get(server).map(|s| &s.authority)
    }
}

/// Sorts a client error into what the proxy does about it.
pub(crate) fn classify(err: hyper_util::client::legacy::Error) -> SendError {
    let e = &err as &(dyn StdError + 'static);
    if is_body_too_large(e) {
        return SendError::BodyTooLarge;
    }
    if caused_by::<BodyStalled>(e) {
        return SendError::BodyStalled;
    }
    let why = describe(&err);
    if err.is_connect() {
        SendError::Connect(why)
    } else {
        SendError::Other(why)
    }
}

/// An error and its causes on one line.
fn describe(err: &(dyn StdError + 'static)) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        out.push_str(": ");
        out.push_str(&e.to_string());
        cur = e.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upstreams(servers: &[&str]) -> Upstreams {
        let pool = Pool::new(servers.iter().copied());
        let name = "api".to_owned();
        Upstreams::new([(&name, &pool)], &Timeouts::default())
    }

    #[test]
    fn round_robin_skips_servers_marked_down() {
        let u = upstreams(&["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"]);
        let pool = u.pool(0).unwrap();
        let picks: Vec<_> = (0..6).map(|_| u.pick(pool, &[]).unwrap()).collect();
        assert_eq!(picks, [0, 1, 2, 0, 1, 2]);
        u.mark_down(pool, 1);
        let picks: Vec<_> = (0..4).map(|_| u.pick(pool, &[]).unwrap()).collect();
        assert!(!picks.contains(&1), "{picks:?}");
        u.mark_up(pool, 1);
        let picks: Vec<_> = (0..3).map(|_| u.pick(pool, &[]).unwrap()).collect();
        assert!(picks.contains(&1), "{picks:?}");
    }

    #[test]
    fn a_pool_all_down_is_tried_anyway_and_tried_servers_are_skipped() {
        let u = upstreams(&["127.0.0.1:1", "127.0.0.1:2"]);
        let pool = u.pool(0).unwrap();
        u.mark_down(pool, 0);
        u.mark_down(pool, 1);
        assert!(u.pick(pool, &[]).is_some());
        assert_eq!(u.pick(pool, &[0]), Some(1));
        assert_eq!(u.pick(pool, &[0, 1]), None);
    }
}
