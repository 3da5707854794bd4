//! Counters kept with relaxed atomics on the hot path, read as a [`ProxyStats`] snapshot.

use std::sync::atomic::{AtomicU64, Ordering};

/// The live counters. Every field is a plain atomic so that counting never takes a lock.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) requests: AtomicU64,
    pub(crate) responses: [AtomicU64; 5],
    pub(crate) upstream_errors: AtomicU64,
    pub(crate) timeouts: AtomicU64,
    pub(crate) hook_failures: AtomicU64,
    pub(crate) connections_total: AtomicU64,
    pub(crate) active_connections: AtomicU64,
    pub(crate) websocket_upgrades: AtomicU64,
    pub(crate) active_websockets: AtomicU64,
    pub(crate) bytes_in: AtomicU64,
    pub(crate) bytes_out: AtomicU64,
    pub(crate) tls_handshake_errors: AtomicU64,
    pub(crate) body_too_large: AtomicU64,
    pub(crate) idle_closed: AtomicU64,
    pub(crate) done_dropped: AtomicU64,
    pub(crate) connections_refused: AtomicU64,
}

/// Adds one to a counter.
pub(crate) fn inc(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// Adds `n` to a counter.
pub(crate) fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

/// Subtracts one from a gauge, never below zero.
pub(crate) fn dec(gauge: &AtomicU64) {
    let _ = gauge.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| v.checked_sub(1));
}

impl Stats {
    /// Counts a response by its status class (1xx … 5xx).
    pub(crate) fn response(&self, status: u16) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        inc(&self.responses[class]);
    }

    /// A consistent-enough copy of every counter (each read is atomic, the set is not).
    pub(crate) fn snapshot(&self) -> ProxyStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        ProxyStats {
            requests: get(&self.requests),
            responses_1xx: get(&self.responses[0]),
            responses_2xx: get(&self.responses[1]),
            responses_3xx: get(&self.responses[2]),
            responses_4xx: get(&self.responses[3]),
            responses_5xx: get(&self.responses[4]),
            upstream_errors: get(&self.upstream_errors),
            timeouts: get(&self.timeouts),
            hook_failures: get(&self.hook_failures),
            connections_total: get(&self.connections_total),
            active_connections: get(&self.active_connections),
            websocket_upgrades: get(&self.websocket_upgrades),
            active_websockets: get(&self.active_websockets),
            bytes_in: get(&self.bytes_in),
            bytes_out: get(&self.bytes_out),
            tls_handshake_errors: get(&self.tls_handshake_errors),
            connections_refused: get(&self.connections_refused),
            body_too_large: get(&self.body_too_large),
            idle_closed: get(&self.idle_closed),
            done_dropped: get(&self.done_dropped),
        }
    }
}

/// A snapshot of the proxy's counters, for `/metrics` and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProxyStats {
    /// Requests received (every HTTP request, whatever became of it).
    pub requests: u64,
    /// Responses sent with a 1xx status (WebSocket `101 Switching Protocols`).
    pub responses_1xx: u64,
    /// Responses sent with a 2xx status.
    pub responses_2xx: u64,
    /// Responses sent with a 3xx status.
    pub responses_3xx: u64,
    /// Responses sent with a 4xx status (including the proxy's own 404, 413 and hook blocks).
    pub responses_4xx: u64,
    /// Responses sent with a 5xx status (including the proxy's own 502 and 504).
    pub responses_5xx: u64,
    /// Upstream connect failures and broken upstream exchanges.
    pub upstream_errors: u64,
    /// Timeouts: upstream response, TLS handshake, request head read and request body stalls.
    pub timeouts: u64,
    /// Hook calls that panicked or returned an error (each was failed open or closed as set).
    pub hook_failures: u64,
    /// Client connections accepted since start.
    pub connections_total: u64,
    /// Client connections open now (upgraded WebSocket connections are counted separately).
    pub active_connections: u64,
    /// WebSocket upgrades passed through since start.
    pub websocket_upgrades: u64,
    /// WebSocket tunnels open now.
    pub active_websockets: u64,
    /// Bytes read from client sockets (on the wire, TLS included).
    pub bytes_in: u64,
    /// Bytes written to client sockets (on the wire, TLS included).
    pub bytes_out: u64,
    /// TLS handshakes that failed or timed out.
    pub tls_handshake_errors: u64,
    /// Connections closed on accept because `limits.max_connections` were open.
    pub connections_refused: u64,
    /// Requests refused or cut off because their body exceeded `limits.max_body_bytes`.
    pub body_too_large: u64,
    /// Client connections closed for being idle.
    pub idle_closed: u64,
    /// Completed-request records dropped because the `on_done` queue was full.
    pub done_dropped: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_are_counted_by_class_and_gauges_stop_at_zero() {
        let s = Stats::default();
        s.response(101);
        s.response(204);
        s.response(404);
        s.response(999);
        s.response(0);
        dec(&s.active_connections);
        let snap = s.snapshot();
        assert_eq!(snap.responses_1xx, 2);
        assert_eq!(snap.responses_2xx, 1);
        assert_eq!(snap.responses_4xx, 1);
        assert_eq!(snap.responses_5xx, 1);
        assert_eq!(snap.active_connections, 0);
    }
}
