//! Settings of the `pivot` detector.

use serde::{Deserialize, Serialize};

/// `detect.pivot` in the configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PivotConfig {
    /// Whether the detector runs.
    pub enabled: bool,
    /// Requests of one actor on the first API before a move to its twin counts.
    pub min_first_requests: u32,
    /// Requests on the twin API that confirm the move.
    pub min_twin_requests: u32,
    /// Path segments that name an API surface rather than a resource (`api`, `mobile`, ...);
    /// versions (`v1`) are always surface.
    pub surface_words: Vec<String>,
    /// Most actor-resource pairs tracked.
    pub max_tracked: usize,
}

impl Default for PivotConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            min_first_requests: 50,
            min_twin_requests: 20,
            surface_words: [
                "api", "apis", "mobile", "m", "app", "apps", "web", "www", "rest", "public", "ios",
                "android", "mapi", "bff", "gateway", "partner", "partners",
            ]
            .map(String::from)
            .to_vec(),
            max_tracked: 100_000,
        }
    }
}

impl PivotConfig {
    /// Problems with the values, as (field, message) pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.min_first_requests == 0 || self.min_twin_requests == 0 {
            out.push((
                "min_first_requests",
                "both thresholds must be at least 1".into(),
            ));
        }
        out
    }
}
