//! Settings of the `volumetric` detector.

use serde::{Deserialize, Serialize};

/// `detect.volumetric` in the configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VolumetricConfig {
    /// Whether the detector runs.
    pub enabled: bool,
    /// Minutes of an endpoint's traffic learned before its rate is judged.
    pub warmup_minutes: u32,
    /// How many times its baseline rate an endpoint must reach to surge.
    pub surge_factor: f64,
    /// Fewest requests in one minute that can be a surge.
    pub min_surge_per_minute: u64,
    /// Window for shares, in seconds.
    pub share_window_secs: u64,
    /// Share of an endpoint's traffic one address must take to be flagged.
    pub max_actor_share: f64,
    /// Fewest requests of one address in the window before its share is judged.
    pub min_actor_requests: u64,
    /// Share of all traffic one fingerprint must take to be flagged.
    pub max_fingerprint_share: f64,
    /// Fewest requests of one fingerprint in the window before its share is judged.
    pub min_fingerprint_requests: u64,
    /// How many times its usual share a fingerprint must take.
    pub fingerprint_share_factor: f64,
    /// Most endpoints, address-endpoint pairs and fingerprints tracked (each).
    pub max_tracked: usize,
}

impl Default for VolumetricConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            warmup_minutes: 10,
            surge_factor: 10.0,
            min_surge_per_minute: 120,
            share_window_secs: 300,
            max_actor_share: 0.5,
            min_actor_requests: 300,
            max_fingerprint_share: 0.5,
            min_fingerprint_requests: 500,
            fingerprint_share_factor: 2.0,
            max_tracked: 100_000,
        }
    }
}

impl VolumetricConfig {
    /// Problems with the values, as (field, message) pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        use crate::config::{check_positive, check_share};
        let mut out = Vec::new();
        check_share(&mut out, "max_actor_share", self.max_actor_share);
        check_share(
            &mut out,
            "max_fingerprint_share",
            self.max_fingerprint_share,
        );
        check_positive(&mut out, "share_window_secs", self.share_window_secs);
        if self.surge_factor < 1.0 {
            out.push(("surge_factor", "must be at least 1".into()));
        }
        out
    }
}
