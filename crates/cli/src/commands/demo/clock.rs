//! The demo's clock: the replay's event time, not the wall clock.
//!
//! The replay sends an hour of recorded traffic in about a minute, each request carrying its
//! event time, and the guard judges and expires decisions on those times. Its slow path (new
//! alerts becoming decisions) must run on the same clock: on the wall clock every decision
//! would be made months after the traffic it stops, last forever in event time, and a tick
//! would expire every decision made on event time. So the demo runs the slow path every
//! [`SYNC_EVERY_MS`] of event time, as the proxy runs it every 500 ms of live traffic.
//!
//! A pass takes the same wall time as live, but the replay runs some thirty times faster than
//! live traffic: while one pass runs, tens of seconds of event time would go by, and decisions
//! would come that much later than the proxy makes them. So the ticker publishes the event
//! time of its last finished pass, and the replay waits for it to be at most
//! [`SYNC_SLACK_MS`] behind the request it sends next.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rampart_core::EventTime;
use rampart_proxy::Guard;

/// Event time between two runs of the guard's slow path (the proxy's live cadence).
pub(crate) const SYNC_EVERY_MS: i64 = 500;

/// Event time between two writes to the store (the proxy's live `persist_every`); the passes
/// between them only decide.
pub(crate) const PERSIST_EVERY_MS: i64 = 5_000;

/// How far a request's event time may be ahead of the last finished pass of the slow path.
pub(crate) const SYNC_SLACK_MS: i64 = 2 * SYNC_EVERY_MS;

/// How often the ticker looks at the replay's clock (wall clock).
const LOOK_EVERY: Duration = Duration::from_millis(1);

/// The replay's event time as the guard reads it.
pub(crate) fn event_time(clock: &AtomicI64) -> EventTime {
    EventTime::from_unix_millis(clock.load(Ordering::Relaxed))
}

/// Runs the guard's slow path whenever the replay's clock has moved [`SYNC_EVERY_MS`] of event
/// time (alerts into decisions, expiry) and writes to the store every [`PERSIST_EVERY_MS`],
/// until the task is aborted; after each pass, `synced` holds the event time it ran at.
pub(crate) fn spawn_event_ticker(
    guard: Arc<Guard>,
    clock: Arc<AtomicI64>,
    synced: Arc<AtomicI64>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(LOOK_EVERY);
        let mut last = i64::MIN;
        let mut last_persist = i64::MIN;
        loop {
            every.tick().await;
            let now = clock.load(Ordering::Relaxed);
            if now == 0 || now.saturating_sub(last) < SYNC_EVERY_MS {
                continue;
            }
            last = now;
            let persist = now.saturating_sub(last_persist) >= PERSIST_EVERY_MS;
            if persist {
                last_persist = now;
            }
            let g = guard.clone();
            // The store may be slow: off the runtime's worker threads.
            let _ = tokio::task::spawn_blocking(move || {
                let t = EventTime::from_unix_millis(now);
                if persist {
                    g.flush(t);
                } else {
                    g.sync(t);
                }
            })
            .await;
            synced.fetch_max(now, Ordering::Relaxed);
        }
    })
}
