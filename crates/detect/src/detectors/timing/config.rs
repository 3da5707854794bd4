//! Settings of the `timing` detector.

use serde::{Deserialize, Serialize};

/// `detect.timing` in the configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimingConfig {
    /// Whether the detector runs.
    pub enabled: bool,
    /// Inter-arrival gaps needed before regularity is judged.
    pub min_gaps: u32,
    /// Coefficient of variation of the gaps (standard deviation over mean) at or below which
    /// timing is too regular for a person.
    pub max_cv: f64,
    /// Longest mean gap, in seconds, that still counts (slower schedules are not judged).
    pub max_mean_gap_secs: f64,
    /// Mean gap, in seconds, from which one regular address is a scheduled client (an uptime
    /// monitor, a cron job): reported at `info` severity only.
    pub scheduled_gap_secs: f64,
    /// Share of a fingerprint's requests on an endpoint that must come from distinct addresses
    /// for its regular timing to be a rotating campaign.
    pub min_rotation_share: f64,
    /// Most addresses and fingerprint-endpoint pairs tracked (each).
    pub max_tracked: usize,
}

impl Default for TimingConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            min_gaps: 30,
            max_cv: 0.12,
            max_mean_gap_secs: 600.0,
            scheduled_gap_secs: 20.0,
            min_rotation_share: 0.5,
            max_tracked: 100_000,
        }
    }
}

impl TimingConfig {
    /// Problems with the values, as (field, message) pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        use crate::config::check_share;
        let mut out = Vec::new();
        check_share(&mut out, "min_rotation_share", self.min_rotation_share);
        if self.max_cv <= 0.0 {
            out.push(("max_cv", "must be above 0".into()));
        }
        if self.min_gaps < 5 {
            out.push((
                "min_gaps",
                "must be at least 5: fewer gaps say nothing".into(),
            ));
        }
        out
    }
}
