//! The wait for an upstream's response head on an HTTP/1 connection, timed by the connection's
//! watchdog (`listener::watchdog`) rather than by a timer per request: an HTTP/1 connection
//! has at most one request waiting, and a timer armed and cancelled for every request costs
//! more than the rest of its forwarding.
//!
//! The watchdog looks every quarter of the shortest timeout and times a wait from the look
//! that first sees it, so `upstream_response` fires up to two looks (half the shortest timeout,
//! at most 10 s) late, never early. An HTTP/2 connection's requests keep a timer each.

use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Context;
use std::time::{Duration, Instant};

use atomic_waker::AtomicWaker;

/// No request is waiting.
const NONE: u64 = 0;
/// The waiting request ran out of time.
const EXPIRED: u64 = u64::MAX;

/// One connection's waiting request, by number (never [`NONE`] or [`EXPIRED`]), and the waker
/// of the task waiting. Starting a wait reads no clock: the watchdog notes when it first sees a
/// wait (see [`Watch`]).
#[derive(Debug, Default)]
pub(crate) struct UpstreamWait {
    current: AtomicU64,
    started: AtomicU64,
    waker: AtomicWaker,
}

impl UpstreamWait {
    /// A request starts waiting.
    pub(crate) fn start(&self) {
        let n = self.started.fetch_add(1, Ordering::Relaxed) % (EXPIRED - 1) + 1;
        self.current.store(n, Ordering::Release);
    }

    /// The request no longer waits (answered, failed or given up).
    pub(crate) fn clear(&self) {
        self.current.store(NONE, Ordering::Release);
    }

    /// A guard that ends the wait when dropped, however the waiting ends.
    pub(crate) fn cleared_on_drop(&self) -> ClearedOnDrop<'_> {
        ClearedOnDrop(self)
    }

    /// Whether the waiting request has run out of time; registers `cx` to be woken when it
    /// does.
    pub(crate) fn poll_expired(&self, cx: &mut Context<'_>) -> bool {
        self.waker.register(cx.waker());
        self.current.load(Ordering::Acquire) == EXPIRED
    }

    /// Expires wait `n`, if it is still the one waiting, and wakes it. Whether it did.
    fn expire(&self, n: u64) -> bool {
        let expired = self
            .current
            .compare_exchange(n, EXPIRED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if expired {
            self.waker.wake();
        }
        expired
    }
}

/// The watchdog's memory of a connection's wait: which one it saw last and when it first saw
/// it. A wait is at least as old as that, and at most one look older.
#[derive(Debug, Default)]
pub(crate) struct Watch {
    seen: Option<(u64, Instant)>,
}

impl Watch {
    /// A look at `wait` at `now`: expires the waiting request once it has been seen waiting
    /// for `limit`. Whether it did.
    pub(crate) fn look(&mut self, wait: &UpstreamWait, now: Instant, limit: Duration) -> bool {
        let n = wait.current.load(Ordering::Acquire);
        if n == NONE || n == EXPIRED {
            self.seen = None;
            return false;
        }
        match self.seen {
            Some((seen, since)) if seen == n => {
                now.saturating_duration_since(since) >= limit && wait.expire(n)
            }
            _ => {
                self.seen = Some((n, now));
                limit.is_zero() && wait.expire(n)
            }
        }
    }
}

/// See [`UpstreamWait::cleared_on_drop`].
pub(crate) struct ClearedOnDrop<'a>(&'a UpstreamWait);

impl Drop for ClearedOnDrop<'_> {
    fn drop(&mut self) {
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::task::{Wake, Waker};

    use super::*;

    struct Count(std::sync::atomic::AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn only_a_request_seen_waiting_long_enough_expires_and_its_task_is_woken() {
        let count = Arc::new(Count(Default::default()));
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        let (w, mut watch) = (UpstreamWait::default(), Watch::default());
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let limit = Duration::from_millis(100);
        assert!(!watch.look(&w, at(0), limit), "nothing waits");
        w.start();
        assert!(!w.poll_expired(&mut cx));
        assert!(!watch.look(&w, at(50), limit), "first seen");
        assert!(!watch.look(&w, at(149), limit));
        assert!(watch.look(&w, at(150), limit));
        assert!(w.poll_expired(&mut cx));
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert!(!watch.look(&w, at(500), limit), "expires once");
        // The next request is timed afresh, even when the watchdog never saw a gap.
        w.start();
        assert!(!w.poll_expired(&mut cx));
        assert!(!watch.look(&w, at(600), limit));
        w.clear();
        w.start();
        assert!(
            !watch.look(&w, at(700), limit),
            "another wait than the one seen at 600"
        );
        w.clear();
        assert!(!watch.look(&w, at(60_000), limit));
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
    }
}
