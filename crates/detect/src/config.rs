//! The `detect:` section of the configuration file: one sub-section per detector, each with
//! documented defaults, plus the limits shared by all.

use serde::{Deserialize, Serialize};

use crate::detectors::agent::AgentConfig;
use crate::detectors::credential_stuffing::CredentialStuffingConfig;
use crate::detectors::direct_to_api::DirectToApiConfig;
use crate::detectors::enumeration::EnumerationConfig;
use crate::detectors::exploit_probes::ExploitProbesConfig;
use crate::detectors::infrastructure::InfrastructureConfig;
use crate::detectors::pivot::PivotConfig;
use crate::detectors::scraping::ScrapingConfig;
use crate::detectors::session_rotation::SessionRotationConfig;
use crate::detectors::shadow_api::ShadowApiConfig;
use crate::detectors::target_ips::TargetIpsConfig;
use crate::detectors::timing::TimingConfig;
use crate::detectors::volumetric::VolumetricConfig;

/// The `detect:` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DetectConfig {
    /// Whether detection runs at all.
    pub enabled: bool,
    /// Paths that are logins although their names do not say so (`/partner/connect`).
    pub login_paths: Vec<String>,
    /// Most client profiles kept (traversal, cookies, logins per address).
    pub max_profiles: usize,
    /// Quiet time, in seconds, after which an alert's episode ends.
    pub episode_gap_secs: u64,
    /// Most addresses and sessions named per alert.
    pub max_members_per_alert: usize,
    /// Most alerts kept.
    pub max_alerts: usize,
    /// One actor walking many object ids (BOLA).
    pub enumeration: EnumerationConfig,
    /// Login failures per address, prefix, fingerprint and overall.
    pub credential_stuffing: CredentialStuffingConfig,
    /// One user name, phone number or object tried from many addresses.
    pub target_ips: TargetIpsConfig,
    /// Too-regular request timing.
    pub timing: TimingConfig,
    /// Volume against the endpoint's baseline and outsized shares.
    pub volumetric: VolumetricConfig,
    /// Parameter-space enumeration (scraping).
    pub scraping: ScrapingConfig,
    /// Hammering one API without the traversal real clients show.
    pub direct_to_api: DirectToApiConfig,
    /// Many sessions per client, and browsers without their cookies.
    pub session_rotation: SessionRotationConfig,
    /// Log4Shell, sensitive-file and traversal probes.
    pub exploit_probes: ExploitProbesConfig,
    /// Traffic on undocumented endpoints; sensitive data served without credentials.
    pub shadow_api: ShadowApiConfig,
    /// Moves to a twin API (web to mobile).
    pub pivot: PivotConfig,
    /// What user agents give away.
    pub agent: AgentConfig,
    /// Listed networks, hosting ASNs and countries outside the business.
    pub infrastructure: InfrastructureConfig,
}

impl Default for DetectConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            login_paths: Vec::new(),
            max_profiles: 450_000,
            episode_gap_secs: 1800,
            max_members_per_alert: 100_000,
            max_alerts: 100_000,
            enumeration: EnumerationConfig::default(),
            credential_stuffing: CredentialStuffingConfig::default(),
            target_ips: TargetIpsConfig::default(),
            timing: TimingConfig::default(),
            volumetric: VolumetricConfig::default(),
            scraping: ScrapingConfig::default(),
            direct_to_api: DirectToApiConfig::default(),
            session_rotation: SessionRotationConfig::default(),
            exploit_probes: ExploitProbesConfig::default(),
            shadow_api: ShadowApiConfig::default(),
            pivot: PivotConfig::default(),
            agent: AgentConfig::default(),
            infrastructure: InfrastructureConfig::default(),
        }
    }
}

impl DetectConfig {
    /// Every problem with the values, as (dotted field path, message) pairs.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut add = |section: &str, list: Vec<(&'static str, String)>| {
            for (field, msg) in list {
                out.push((format!("detect.{section}.{field}"), msg));
            }
        };
        add("enumeration", self.enumeration.problems());
        add("credential_stuffing", self.credential_stuffing.problems());
        add("target_ips", self.target_ips.problems());
        add("timing", self.timing.problems());
        add("volumetric", self.volumetric.problems());
        add("scraping", self.scraping.problems());
        add("direct_to_api", self.direct_to_api.problems());
        add("session_rotation", self.session_rotation.problems());
        add("exploit_probes", self.exploit_probes.problems());
        add("shadow_api", self.shadow_api.problems());
        add("pivot", self.pivot.problems());
        add("agent", self.agent.problems());
        add("infrastructure", self.infrastructure.problems());
        if self.max_profiles == 0 {
            out.push(("detect.max_profiles".into(), "must be at least 1".into()));
        }
        out
    }
}

/// Adds a problem when `value` is not a share between 0 and 1.
pub(crate) fn check_share(out: &mut Vec<(&'static str, String)>, field: &'static str, value: f64) {
    if !(0.0..=1.0).contains(&value) {
        out.push((
            field,
            format!("{value} is not a share: use a number from 0 to 1"),
        ));
    }
}

/// Adds a problem when `value` is zero.
pub(crate) fn check_positive(
    out: &mut Vec<(&'static str, String)>,
    field: &'static str,
    value: u64,
) {
    if value == 0 {
        out.push((field, "must be at least 1".into()));
    }
}
