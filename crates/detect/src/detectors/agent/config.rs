//! Settings of the `agent` detector.

use serde::{Deserialize, Serialize};

/// `detect.agent` in the configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentConfig {
    /// Whether the detector runs.
    pub enabled: bool,
    /// Current major version of Chrome; older than this minus `max_major_lag` is outdated.
    pub current_chrome_major: u32,
    /// Current major version of Firefox.
    pub current_firefox_major: u32,
    /// Current major version of Safari.
    pub current_safari_major: u32,
    /// How many Chrome or Firefox majors behind counts as outdated.
    pub max_major_lag: u32,
    /// How many Safari majors behind counts as outdated.
    pub max_safari_lag: u32,
    /// User-agent substrings that are never flagged (an integration's own client).
    pub allow: Vec<String>,
    /// Most addresses tracked.
    pub max_tracked: usize,
}

impl Default for AgentConfig {
    fn default() -> Self {
        let p = crate::signals::agent::AgentPolicy::default();
        Self {
            enabled: true,
            current_chrome_major: p.current_chrome_major,
            current_firefox_major: p.current_firefox_major,
            current_safari_major: p.current_safari_major,
            max_major_lag: p.max_major_lag,
            max_safari_lag: p.max_safari_lag,
            allow: Vec::new(),
            max_tracked: 100_000,
        }
    }
}

impl AgentConfig {
    /// Problems with the values, as (field, message) pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.current_chrome_major < 100 {
            out.push((
                "current_chrome_major",
                "Chrome's current major is above 100".into(),
            ));
        }
        out
    }
}
