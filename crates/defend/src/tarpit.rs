//! The tarpit's bounds: a cap on how many requests are held at once.
//!
//! Each held request takes a [`TarpitPermit`] from the [`TarpitGate`] and returns it when
//! dropped. When the gate is full, a tarpit verdict becomes a block with the policy's
//! `tarpit_overflow_status` (429 by default), so an attacker cannot use the tarpit to tie up
//! the proxy's connections. The delay itself is capped in the verdict
//! (`limits.max_tarpit_delay`).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use crate::policy::Limits;
use crate::verdict::{Outcome, Verdict};

/// Body of the answer given instead of a tarpit when the gate is full.
pub const OVERFLOW_BODY: &str = "too many requests\n";

#[derive(Debug)]
struct Inner {
    max: usize,
    overflow_status: u16,
    held: AtomicUsize,
    admitted: AtomicU64,
    refused: AtomicU64,
}

/// Counters of the gate, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TarpitStats {
    /// Requests held now.
    pub held: usize,
    /// Requests admitted into the tarpit so far.
    pub admitted: u64,
    /// Tarpit verdicts turned into blocks because the gate was full.
    pub refused: u64,
}

/// Admits tarpitted requests up to a number held at once. Cheap to clone (shared state).
#[derive(Debug, Clone)]
pub struct TarpitGate {
    inner: Arc<Inner>,
}

/// A held request's place in the tarpit; dropping it frees the place.
#[derive(Debug)]
pub struct TarpitPermit {
    inner: Arc<Inner>,
}

impl Drop for TarpitPermit {
    fn drop(&mut self) {
        self.inner.held.fetch_sub(1, Ordering::AcqRel);
    }
}

impl TarpitGate {
    /// A gate holding at most `max_held` requests, answering `overflow_status` above it.
    pub fn new(max_held: usize, overflow_status: u16) -> Self {
        Self {
            inner: Arc::new(Inner {
                max: max_held,
                overflow_status,
                held: AtomicUsize::new(0),
                admitted: AtomicU64::new(0),
                refused: AtomicU64::new(0),
            }),
        }
    }

    /// A gate with the policy's `max_tarpitted` and `tarpit_overflow_status`.
    pub fn from_limits(limits: &Limits) -> Self {
        Self::new(limits.max_tarpitted, limits.tarpit_overflow_status)
    }

    /// A place in the tarpit, or `None` when it is full.
    pub fn try_enter(&self) -> Option<TarpitPermit> {
        let mut n = self.inner.held.load(Ordering::Acquire);
        loop {
            if n >= self.inner.max {
                self.inner.refused.fetch_add(1, Ordering::Relaxed);
                return None;
            }
            match self.inner.held.compare_exchange_weak(
                n,
                n + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    self.inner.admitted.fetch_add(1, Ordering::Relaxed);
                    return Some(TarpitPermit {
                        inner: self.inner.clone(),
                    });
                }
                Err(current) => n = current,
            }
        }
    }

    /// Passes every verdict through, except that a tarpit verdict takes a place (returned
    /// with it, to hold for the delay) or, when the gate is full, becomes a block with the
    /// overflow status.
    pub fn admit(&self, mut verdict: Verdict) -> (Verdict, Option<TarpitPermit>) {
        let Outcome::Tarpit { rule, .. } = &verdict.outcome else {
            return (verdict, None);
        };
        match self.try_enter() {
            Some(permit) => (verdict, Some(permit)),
            None => {
                verdict.outcome = Outcome::Block {
                    status: self.inner.overflow_status,
                    body: Arc::from(OVERFLOW_BODY),
                    rule: rule.clone(),
                };
                (verdict, None)
            }
        }
    }

    /// The counters.
    pub fn stats(&self) -> TarpitStats {
        TarpitStats {
            held: self.inner.held.load(Ordering::Acquire),
            admitted: self.inner.admitted.load(Ordering::Relaxed),
            refused: self.inner.refused.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permits_are_bounded_and_returned_on_drop() {
        let gate = TarpitGate::new(2, 429);
        let a = gate.try_enter().unwrap();
        let _b = gate.try_enter().unwrap();
        assert!(gate.try_enter().is_none());
        drop(a);
        assert!(gate.try_enter().is_some());
        let s = gate.stats();
        assert_eq!((s.held, s.admitted, s.refused), (1, 3, 1));
    }
}
