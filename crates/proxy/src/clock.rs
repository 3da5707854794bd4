//! The wall clock. This is the one module of the proxy that reads it: request start times
//! become the [`EventTime`] of the exchange, and monotonic instants measure durations.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use rampart_core::EventTime;

/// A monotonic instant, for durations and deadlines.
pub(crate) fn now() -> Instant {
    Instant::now()
}

/// The current time as the event time of a request received now.
pub(crate) fn event_time() -> EventTime {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    EventTime::from_unix_millis(ms)
}

/// The tokio instant `after` from now, for resetting timers.
pub(crate) fn deadline(after: std::time::Duration) -> tokio::time::Instant {
    tokio::time::Instant::now() + after
}
