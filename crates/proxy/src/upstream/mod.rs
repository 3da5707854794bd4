//! Upstream pools: round-robin over servers, keep-alive connection reuse (each server keeps a
//! bounded stack of idle connections, [`connections`]), and passive health: a server that
//! refuses a connection is skipped for the pool's `fail_timeout`. When every server is marked
//! down the pool tries them anyway, so it recovers as soon as one comes back.

mod connections;
mod pooled_body;
#[cfg(test)]
mod reuse_tests;

use std::error::Error as StdError;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::uri::Authority;
use http::{Request, Response};
use http_body_util::{Either, Empty};
use hyper::body::Incoming;

use crate::body::TapBody;
use crate::clock;
use crate::config::{parse_server, Pool, Timeouts};

use connections::Connections;
pub(crate) use pooled_body::PooledBody;

/// The body sent upstream: the client's, tapped, or nothing.
pub(crate) type UpstreamBody = Either<TapBody<Incoming>, Empty<Bytes>>;

/// One server of a pool.
#[derive(Debug)]
pub(crate) struct Server {
    conns: Arc<Connections>,
    /// Milliseconds since the pool set's epoch until which the server is skipped; 0 = up.
    down_until: AtomicU64,
}

/// A pool: its servers and their connections.
pub(crate) struct PoolState {
    pub(crate) name: Arc<str>,
    servers: Vec<Server>,
    next: AtomicUsize,
    fail_timeout: Duration,
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
            let servers = pool
                .servers
                .iter()
                .filter_map(|s| parse_server(s).ok())
                .map(|authority| Server {
                    conns: Arc::new(Connections::new(
                        authority,
                        pool.max_idle_per_server,
                        pool.idle_timeout,
                        timeouts.upstream_connect,
                    )),
                    down_until: AtomicU64::new(0),
                })
                .collect();
            out.pools.push(PoolState {
                name: Arc::from(name.as_str()),
                servers,
                next: AtomicUsize::new(0),
                fail_timeout: pool.fail_timeout,
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
        // The clock is read only when some server has been marked down.
        let mut now = None;
        let start = pool.next.fetch_add(1, Ordering::Relaxed);
        let candidates = (0..n)
            .map(|k| (start + k) % n)
            .filter(|i| !tried.contains(i));
        let mut fallback = None;
        for i in candidates {
            let until = pool.servers[i].down_until.load(Ordering::Relaxed);
            if until == 0 || until <= *now.get_or_insert_with(|| self.now_ms()) {
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
        self.servers.get(server).map(|s| s.conns.authority())
    }

    /// Sends `req` (origin-form target, `Host` set) to `server`, on a kept-alive connection
    /// when one is idle.
    pub(crate) async fn send(
        &self,
        server: usize,
        req: Request<UpstreamBody>,
    ) -> Result<Response<PooledBody>, SendError> {
        match self.servers.get(server) {
            Some(s) => s.conns.send(req).await,
            None => Err(SendError::Other(format!("no server {server} in the pool"))),
        }
    }

    /// Idle connections kept, over every server.
    #[cfg(test)]
    pub(crate) fn idle_connections(&self) -> usize {
        self.servers.iter().map(|s| s.conns.idle_count()).sum()
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
