//! Latency percentiles from a fixed log-scale histogram: small, mergeable, good to a few
//! percent.

use serde::{Deserialize, Serialize};

/// Buckets per power of two.
const STEPS: f64 = 4.0;
/// Bucket 0 holds everything under 0.05 ms; the last bucket everything over ~30 minutes.
const BUCKETS: usize = 96;
const BASE_MS: f64 = 0.05;

/// A latency histogram in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latency {
    /// Counts per bucket; empty until the first sample.
    counts: Vec<u64>,
}

impl Latency {
    /// Records one duration.
    pub fn record(&mut self, ms: f64) {
        if !ms.is_finite() || ms < 0.0 {
            return;
        }
        if self.counts.is_empty() {
            self.counts = vec![0; BUCKETS];
        }
        let i = if ms <= BASE_MS {
            0
        } else {
            ((ms / BASE_MS).log2() * STEPS).ceil() as usize
        };
        self.counts[i.min(BUCKETS - 1)] += 1;
    }

    /// Samples recorded.
    pub fn samples(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The `q` quantile (0.0–1.0) in milliseconds (the upper bound of its bucket).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let n = self.samples();
        if n == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * n as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(BASE_MS * 2f64.powf(i as f64 / STEPS));
            }
        }
        None
    }

    /// Adds another histogram.
    pub fn merge(&mut self, other: &Latency) {
        if other.counts.is_empty() {
            return;
        }
        if self.counts.len() != BUCKETS {
            self.counts = vec![0; BUCKETS];
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_a_bucket() {
        let mut l = Latency::default();
        for i in 1..=1000 {
            l.record(i as f64);
        }
        let p50 = l.quantile(0.5).unwrap();
        let p99 = l.quantile(0.99).unwrap();
        assert!((p50 - 500.0).abs() / 500.0 < 0.2, "{p50}");
        assert!((p99 - 990.0).abs() / 990.0 < 0.2, "{p99}");
        assert_eq!(Latency::default().quantile(0.5), None);
        l.record(f64::NAN);
        assert_eq!(l.samples(), 1000);
    }
}
