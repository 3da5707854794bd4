//! The guard's counters, and the snapshot metrics read.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rampart_defend::{BookStats, LimiterStats, TarpitStats};

/// Verdict kinds, in the order counters keep them.
pub(crate) const KINDS: [&str; 6] = [
    "allow",
    "block",
    "rate_limited",
    "tarpit",
    "deceive",
    "require_auth",
];

/// Counters updated on the data path (relaxed atomics).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    verdicts: [AtomicU64; 6],
    would_have: AtomicU64,
    decisions_made: AtomicU64,
    store_errors: AtomicU64,
    log_errors: AtomicU64,
    log_lines: AtomicU64,
}

impl Counters {
    pub(crate) fn verdict(&self, kind: &str, would_have: usize) {
        if let Some(i) = KINDS.iter().position(|k| *k == kind) {
            self.verdicts[i].fetch_add(1, Ordering::Relaxed);
        }
        self.would_have
            .fetch_add(would_have as u64, Ordering::Relaxed);
    }

    pub(crate) fn decisions_made(&self, n: usize) {
        self.decisions_made.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub(crate) fn store_error(&self) {
        self.store_errors.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn log_error(&self) {
        self.log_errors.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn log_line(&self) {
        self.log_lines.fetch_add(1, Ordering::Relaxed);
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn snapshot(
        &self,
        actors: usize,
        actors_evicted: u64,
        book: BookStats,
        limiter: LimiterStats,
        tarpit: TarpitStats,
        observed: u64,
        alerts: usize,
        uptime: Duration,
    ) -> GuardStats {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        GuardStats {
            verdicts: KINDS
                .iter()
                .zip(&self.verdicts)
                .map(|(k, c)| (*k, get(c)))
                .collect(),
            would_have: get(&self.would_have),
            decisions_made: get(&self.decisions_made),
            store_errors: get(&self.store_errors),
            log_errors: get(&self.log_errors),
            log_lines: get(&self.log_lines),
            observed,
            alerts,
            actors,
            actors_evicted,
            book,
            limiter,
            tarpit,
            uptime,
        }
    }
}

/// What the guard has done so far.
#[derive(Debug, Clone)]
pub struct GuardStats {
    /// Requests by verdict kind (`allow`, `block`, `rate_limited`, `tarpit`, `deceive`,
    /// `require_auth`).
    pub verdicts: Vec<(&'static str, u64)>,
    /// Outcomes monitor-mode rules would have given.
    pub would_have: u64,
    /// Decisions made from alerts.
    pub decisions_made: u64,
    /// Store writes or reads that failed (the proxy went on).
    pub store_errors: u64,
    /// Access-log writes that failed (the proxy went on).
    pub log_errors: u64,
    /// Access-log lines written.
    pub log_lines: u64,
    /// Exchanges the engine observed.
    pub observed: u64,
    /// Alerts known.
    pub alerts: usize,
    /// Client addresses some alert names (the actors index).
    pub actors: usize,
    /// Addresses the actors index forgot to stay within its cap.
    pub actors_evicted: u64,
    /// The decision book.
    pub book: BookStats,
    /// The rate limiter.
    pub limiter: LimiterStats,
    /// The tarpit.
    pub tarpit: TarpitStats,
    /// Time since the guard started.
    pub uptime: Duration,
}
