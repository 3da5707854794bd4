//! What the traffic generated so far looks like, per minute: the volumetric attacks size
//! themselves against it ("50× normal", "90 % of all traffic").

use rampart_core::Exchange;

use super::acme::WEB_HOST;
use super::catalog::LAUNCH_SKU;

/// Requests per minute of the traffic so far, and the benign rates of the endpoints attacks
/// compare themselves with.
#[derive(Debug, Clone)]
pub(crate) struct Traffic {
    start_ms: i64,
    minutes: Vec<u64>,
    /// Benign requests per minute, all endpoints.
    pub(crate) benign_total: f64,
    /// Benign requests per minute to the web inventory search.
    pub(crate) benign_inventory: f64,
    /// Benign requests per minute to the launch flows: the launch product, checkout, Apple Pay.
    pub(crate) benign_launch: f64,
}

/// Whether an exchange is a web inventory search.
pub(crate) fn is_web_inventory(e: &Exchange) -> bool {
    e.path == "/api/v1/inventory" && e.host.as_deref() == Some(WEB_HOST)
}

fn is_launch(e: &Exchange) -> bool {
    e.path == "/api/v1/payments/checkout"
        || e.path == "/api/v1/payments/applepay/session"
        || (e.path.starts_with("/api/v1/products/") && e.path.ends_with(LAUNCH_SKU))
}

impl Traffic {
    /// Measures the benign traffic of a span.
    pub(crate) fn new<'a>(
        start_ms: i64,
        end_ms: i64,
        benign: impl Iterator<Item = &'a Exchange>,
    ) -> Self {
        let n = usize::try_from((end_ms - start_ms).max(60_000) / 60_000 + 1).unwrap_or(1);
        let mut t = Self {
            start_ms,
            minutes: vec![0; n],
            benign_total: 0.0,
            benign_inventory: 0.0,
            benign_launch: 0.0,
        };
        let (mut all, mut inv, mut launch) = (0u64, 0u64, 0u64);
        for e in benign {
            t.add(e);
            all += 1;
            inv += u64::from(is_web_inventory(e));
            launch += u64::from(is_launch(e));
        }
        let mins = ((end_ms - start_ms) as f64 / 60_000.0).max(1.0);
        t.benign_total = all as f64 / mins;
        t.benign_inventory = inv as f64 / mins;
        t.benign_launch = launch as f64 / mins;
        t
    }

    /// Counts one more exchange.
    pub(crate) fn add(&mut self, e: &Exchange) {
        if let Some(m) = self
            .minute(e.time.as_unix_millis())
            .and_then(|i| self.minutes.get_mut(i))
        {
            *m += 1;
        }
    }

    fn minute(&self, ms: i64) -> Option<usize> {
        usize::try_from((ms - self.start_ms).div_euclid(60_000)).ok()
    }

    /// Mean requests per minute over `[from_ms, to_ms)`, whole minutes.
    pub(crate) fn mean_rate(&self, from_ms: i64, to_ms: i64) -> f64 {
        let (Some(a), Some(b)) = (
            self.minute(from_ms),
            self.minute(to_ms.max(from_ms + 1) - 1),
        ) else {
            return self.benign_total;
        };
        let b = b.min(self.minutes.len().saturating_sub(1));
        let a = a.min(b);
        let slice = &self.minutes[a..=b];
        slice.iter().sum::<u64>() as f64 / slice.len().max(1) as f64
    }
}
