//! Settings of the `target_ips` detector.

use serde::{Deserialize, Serialize};

/// `detect.target_ips` in the configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TargetIpsConfig {
    /// Whether the detector runs.
    pub enabled: bool,
    /// Window of event time, in seconds.
    pub window_secs: u64,
    /// Distinct client addresses trying one target within the window that flag it.
    pub min_ips: u64,
    /// Share of the target's requests that must come from distinct addresses.
    pub min_ip_share: f64,
    /// Path words that mark an object as personal (a user, an account, a phone number); the
    /// objects of other endpoints (products, stores) are popular by nature and not counted.
    pub personal_words: Vec<String>,
    /// Most targets tracked.
    pub max_tracked: usize,
}

impl Default for TargetIpsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            window_secs: 3600,
            min_ips: 50,
            min_ip_share: 0.7,
            personal_words: [
                "users",
                "user",
                "accounts",
                "account",
                "numbers",
                "number",
                "customers",
                "customer",
                "profiles",
                "profile",
                "members",
                "subscribers",
                "msisdn",
                "phones",
                "phone",
                "lines",
                "wallets",
                "cards",
                "people",
                "persons",
                "patients",
                "employees",
            ]
            .map(String::from)
            .to_vec(),
            max_tracked: 100_000,
        }
    }
}

impl TargetIpsConfig {
    /// Problems with the values, as (field, message) pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        use crate::config::{check_positive, check_share};
        let mut out = Vec::new();
        check_share(&mut out, "min_ip_share", self.min_ip_share);
        check_positive(&mut out, "window_secs", self.window_secs);
        check_positive(&mut out, "min_ips", self.min_ips);
        out
    }
}
