//! Settings of the `shadow_api` detector.

use serde::{Deserialize, Serialize};

/// `detect.shadow_api` in the configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ShadowApiConfig {
    /// Whether the detector runs.
    pub enabled: bool,
    /// Served requests to an undocumented endpoint before it is reported (needs a spec).
    pub min_shadow_requests: u32,
    /// Successful credential-less requests to an endpoint that serves sensitive data before it
    /// is reported.
    pub min_unauthenticated_requests: u32,
    /// Most endpoints tracked.
    pub max_tracked: usize,
}

impl Default for ShadowApiConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            min_shadow_requests: 5,
            min_unauthenticated_requests: 3,
            max_tracked: 20_000,
        }
    }
}

impl ShadowApiConfig {
    /// Problems with the values, as (field, message) pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.min_shadow_requests == 0 {
            out.push(("min_shadow_requests", "must be at least 1".into()));
        }
        if self.min_unauthenticated_requests == 0 {
            out.push(("min_unauthenticated_requests", "must be at least 1".into()));
        }
        out
    }
}
