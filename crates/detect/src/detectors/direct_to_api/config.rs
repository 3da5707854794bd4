//! Settings of the `direct_to_api` detector.

use serde::{Deserialize, Serialize};

/// `detect.direct_to_api` in the configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DirectToApiConfig {
    /// Whether the detector runs.
    pub enabled: bool,
    /// Consecutive requests to one endpoint, with nothing else, that flag a client.
    pub min_streak: u32,
    /// Most distinct endpoints a flagged client may have used.
    pub max_endpoints: u16,
}

impl Default for DirectToApiConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            min_streak: 100,
            max_endpoints: 2,
        }
    }
}

impl DirectToApiConfig {
    /// Problems with the values, as (field, message) pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.min_streak < 10 {
            out.push(("min_streak", "must be at least 10".into()));
        }
        out
    }
}
