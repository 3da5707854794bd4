//! Settings of the `credential_stuffing` detector.

use serde::{Deserialize, Serialize};

/// `detect.credential_stuffing` in the configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CredentialStuffingConfig {
    /// Whether the detector runs.
    pub enabled: bool,
    /// Window of event time for the per-address, prefix and fingerprint counts, in seconds.
    pub window_secs: u64,
    /// Failed logins from one address within the window that flag it.
    pub ip_min_failures: u64,
    /// Failure ratio of one address that flags it (with enough failures).
    pub ip_min_failure_ratio: f64,
    /// Failed logins from one prefix (/24, /48) that flag it.
    pub prefix_min_failures: u64,
    /// Distinct addresses of a prefix or fingerprint needed to call it a campaign.
    pub campaign_min_ips: u64,
    /// Failed logins from one fingerprint that flag it.
    pub fingerprint_min_failures: u64,
    /// Failure ratio of a prefix or fingerprint that flags it.
    pub campaign_min_failure_ratio: f64,
    /// Window for the overall failure rate, in seconds.
    pub global_window_secs: u64,
    /// Failed logins overall within the global window needed for a surge.
    pub global_min_failures: u64,
    /// Overall failure ratio needed for a surge.
    pub global_min_failure_ratio: f64,
    /// How many times its baseline the overall failure ratio must be for a surge.
    pub global_surge_factor: f64,
    /// Most addresses, prefixes and fingerprints tracked (each).
    pub max_tracked: usize,
}

impl Default for CredentialStuffingConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            window_secs: 600,
            ip_min_failures: 10,
            ip_min_failure_ratio: 0.5,
            prefix_min_failures: 20,
            campaign_min_ips: 3,
            fingerprint_min_failures: 25,
            campaign_min_failure_ratio: 0.7,
            global_window_secs: 300,
            global_min_failures: 50,
            global_min_failure_ratio: 0.5,
            global_surge_factor: 3.0,
            max_tracked: 100_000,
        }
    }
}

impl CredentialStuffingConfig {
    /// Problems with the values, as (field, message) pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        use crate::config::{check_positive, check_share};
        let mut out = Vec::new();
        check_share(&mut out, "ip_min_failure_ratio", self.ip_min_failure_ratio);
        check_share(
            &mut out,
            "campaign_min_failure_ratio",
            self.campaign_min_failure_ratio,
        );
        check_share(
            &mut out,
            "global_min_failure_ratio",
            self.global_min_failure_ratio,
        );
        check_positive(&mut out, "window_secs", self.window_secs);
        check_positive(&mut out, "global_window_secs", self.global_window_secs);
        check_positive(&mut out, "ip_min_failures", self.ip_min_failures);
        if self.global_surge_factor < 1.0 {
            out.push(("global_surge_factor", "must be at least 1".into()));
        }
        out
    }
}
