//! Settings of the `enumeration` detector.

use serde::{Deserialize, Serialize};

/// `detect.enumeration` in the configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EnumerationConfig {
    /// Whether the detector runs.
    pub enabled: bool,
    /// Window of event time over which one actor's ids are counted, in seconds.
    pub window_secs: u64,
    /// Distinct object ids on one endpoint within the window that start suspicion.
    pub min_distinct_ids: u64,
    /// Share of the actor's requests on the endpoint that must be to distinct ids.
    pub min_distinct_share: f64,
    /// Share of 401/403/404 answers that marks a walk through ids that are not the actor's.
    pub min_miss_share: f64,
    /// Share of requests whose numeric id is within a few steps of the previous one.
    pub min_sequential_share: f64,
    /// Share of requested ids that the actor's own earlier responses never handed it.
    pub min_unhanded_share: f64,
    /// Most actor and endpoint pairs tracked.
    pub max_tracked: usize,
}

impl Default for EnumerationConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            window_secs: 600,
            min_distinct_ids: 30,
            min_distinct_share: 0.7,
            min_miss_share: 0.25,
            min_sequential_share: 0.5,
            min_unhanded_share: 0.9,
            max_tracked: 100_000,
        }
    }
}

impl EnumerationConfig {
    /// Problems with the values, as (field, message) pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        crate::config::check_share(&mut out, "min_distinct_share", self.min_distinct_share);
        crate::config::check_share(&mut out, "min_miss_share", self.min_miss_share);
        crate::config::check_share(&mut out, "min_sequential_share", self.min_sequential_share);
        crate::config::check_share(&mut out, "min_unhanded_share", self.min_unhanded_share);
        crate::config::check_positive(&mut out, "window_secs", self.window_secs);
        crate::config::check_positive(&mut out, "min_distinct_ids", self.min_distinct_ids);
        out
    }
}
