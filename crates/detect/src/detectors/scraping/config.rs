//! Settings of the `scraping` detector.

use serde::{Deserialize, Serialize};

/// `detect.scraping` in the configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScrapingConfig {
    /// Whether the detector runs.
    pub enabled: bool,
    /// Window of event time, in seconds.
    pub window_secs: u64,
    /// Distinct query-parameter combinations on one endpoint within the window that flag an
    /// actor.
    pub min_distinct_combinations: u64,
    /// Share of the actor's requests that must be distinct combinations.
    pub min_distinct_share: f64,
    /// Most actor-endpoint pairs tracked.
    pub max_tracked: usize,
}

impl Default for ScrapingConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            window_secs: 600,
            min_distinct_combinations: 60,
            min_distinct_share: 0.8,
            max_tracked: 100_000,
        }
    }
}

impl ScrapingConfig {
    /// Problems with the values, as (field, message) pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        use crate::config::{check_positive, check_share};
        let mut out = Vec::new();
        check_share(&mut out, "min_distinct_share", self.min_distinct_share);
        check_positive(&mut out, "window_secs", self.window_secs);
        check_positive(
            &mut out,
            "min_distinct_combinations",
            self.min_distinct_combinations,
        );
        out
    }
}
