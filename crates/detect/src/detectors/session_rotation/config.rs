//! Settings of the `session_rotation` detector.

use serde::{Deserialize, Serialize};

/// `detect.session_rotation` in the configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionRotationConfig {
    /// Whether the detector runs.
    pub enabled: bool,
    /// Window of event time, in seconds.
    pub window_secs: u64,
    /// Distinct sessions from one address within the window that start suspicion.
    pub min_sessions: u64,
    /// Sessions per request at or above which an address rotates them (a corporate NAT has
    /// many sessions, but each makes many requests).
    pub min_sessions_per_request: f64,
    /// Requests a browser user agent must make with at most `max_browser_cookies` cookies to
    /// be flagged as a browser without a browser's cookies.
    pub min_cookieless_requests: u32,
    /// Most cookies a "browser" may carry and still count as cookieless.
    pub max_browser_cookies: u16,
    /// Most addresses and fingerprints tracked (each).
    pub max_tracked: usize,
}

impl Default for SessionRotationConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            window_secs: 600,
            min_sessions: 10,
            min_sessions_per_request: 0.8,
            min_cookieless_requests: 50,
            max_browser_cookies: 1,
            max_tracked: 100_000,
        }
    }
}

impl SessionRotationConfig {
    /// Problems with the values, as (field, message) pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        use crate::config::{check_positive, check_share};
        let mut out = Vec::new();
        check_share(
            &mut out,
            "min_sessions_per_request",
            self.min_sessions_per_request,
        );
        check_positive(&mut out, "window_secs", self.window_secs);
        check_positive(&mut out, "min_sessions", self.min_sessions);
        out
    }
}
