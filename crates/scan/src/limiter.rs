//! The requests-per-second limit shared by every connection of a scan: each connection takes
//! the next free slot on an evenly spaced schedule (no bursts), so the target never sees more
//! than the rate, whatever the concurrency.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Spaces connection attempts `1 / rate` apart.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// At most `per_second` slots per second (at least one).
    pub(crate) fn new(per_second: u32) -> Self {
        Self {
            interval: Duration::from_secs(1) / per_second.max(1),
            next: Mutex::new(None),
        }
    }

    /// Waits for the next slot.
    pub(crate) async fn acquire(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = match *next {
                Some(n) if n > now => n,
                _ => now,
            };
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn slots_are_evenly_spaced() {
        let l = RateLimiter::new(100);
        let start = Instant::now();
        for _ in 0..21 {
            l.acquire().await;
        }
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(200), "{took:?}");
        assert!(took < Duration::from_millis(1000), "{took:?}");
    }
}
