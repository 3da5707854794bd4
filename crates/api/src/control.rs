//! The door to the running system: what the management API can see and do.

use rampart_core::{Alert, EventTime, Severity};
use rampart_defend::Decision;

/// Alerts returned when the query gives no `limit`.
pub const DEFAULT_ALERT_LIMIT: usize = 100;

/// The largest `limit` a query may ask for.
pub const MAX_ALERT_LIMIT: usize = 1000;

/// What the management API can see and do; implemented by the running proxy.
///
/// The methods are synchronous and may block briefly (a store read, a reload): the API calls
/// each one on tokio's blocking pool, so a slow store never stalls the listener, and a panic
/// inside one becomes a 500 answer rather than a dead server. Every value handed in has
/// already been validated by the API layer.
pub trait Control: Send + Sync + 'static {
    /// Prometheus text exposition (version 0.0.4) of every metric; build it with
    /// [`crate::MetricsWriter`]. The API appends its own `rampart_api_*` counters.
    fn metrics(&self) -> String;

    /// `Ok` when the data plane is ready to take traffic; `Err(reason)` otherwise.
    fn ready(&self) -> Result<(), String>;

    /// The learned inventory as JSON (an array of endpoints).
    fn inventory(&self) -> serde_json::Value;

    /// Alerts matching `filter`, newest first, at most `filter.limit` of them
    /// ([`AlertFilter::matches`] tells whether one alert matches).
    fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>, String>;

    /// The active decisions.
    fn decisions(&self) -> Vec<Decision>;

    /// Adds a manual decision (made with [`Decision::manual`] at [`Control::now`]) and
    /// returns it as stored.
    fn add_decision(&self, decision: Decision) -> Result<Decision, String>;

    /// Removes the decision `id`; `Ok(false)` when there was none.
    fn remove_decision(&self, id: &str) -> Result<bool, String>;

    /// Reloads configuration and policy: `Ok(summary)`, or `Err(problems)`, each one line, in
    /// which case the configuration in force stays.
    fn reload(&self) -> Result<String, Vec<String>>;

    /// The current event time by the caller's clock: manual decisions start now and expire
    /// `ttl` later in the same time the data plane judges requests by.
    fn now(&self) -> EventTime;
}

/// Which alerts `GET /api/v1/alerts` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertFilter {
    /// Only alerts of this detector (a name from `rampart_defend::KNOWN_DETECTORS`).
    pub detector: Option<String>,
    /// Only alerts at this severity or above.
    pub min_severity: Option<Severity>,
    /// Only alerts seen at or after this time (their `last_seen`).
    pub since: Option<EventTime>,
    /// At most this many alerts (1 to [`MAX_ALERT_LIMIT`]).
    pub limit: usize,
}

impl Default for AlertFilter {
    fn default() -> Self {
        Self {
            detector: None,
            min_severity: None,
            since: None,
            limit: DEFAULT_ALERT_LIMIT,
        }
    }
}

impl AlertFilter {
    /// Whether `alert` passes the filter (the limit aside).
    pub fn matches(&self, alert: &Alert) -> bool {
        self.detector.as_deref().is_none_or(|d| alert.detector == d)
            && self.min_severity.is_none_or(|s| alert.severity >= s)
            && self.since.is_none_or(|t| alert.last_seen >= t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::{Entity, EntityKind, Owasp};
    use std::collections::BTreeMap;

    fn alert(detector: &str, severity: Severity, last_seen: i64) -> Alert {
        Alert {
            id: "a".into(),
            detector: detector.into(),
            owasp: Owasp::Api4UnrestrictedResourceConsumption,
            severity,
            entity: Entity::new(EntityKind::Ip, "192.0.2.1"),
            actor: None,
            endpoint: None,
            first_seen: EventTime::from_unix_millis(0),
            raised: EventTime::from_unix_millis(0),
            last_seen: EventTime::from_unix_millis(last_seen),
            requests: 1,
            evidence: String::new(),
            figures: BTreeMap::new(),
            members: Vec::new(),
            members_dropped: 0,
        }
    }

    #[test]
    fn filter_checks_detector_severity_and_time() {
        let a = alert("volumetric", Severity::High, 1000);
        assert!(AlertFilter::default().matches(&a));
        let f = AlertFilter {
            detector: Some("volumetric".into()),
            min_severity: Some(Severity::Medium),
            since: Some(EventTime::from_unix_millis(1000)),
            limit: 1,
        };
        assert!(f.matches(&a));
        assert!(!AlertFilter {
            detector: Some("timing".into()),
            ..f.clone()
        }
        .matches(&a));
        assert!(!AlertFilter {
            min_severity: Some(Severity::Critical),
            ..f.clone()
        }
        .matches(&a));
        assert!(!AlertFilter {
            since: Some(EventTime::from_unix_millis(1001)),
            ..f
        }
        .matches(&a));
    }
}
