//! [`Detection`]: every enabled detector over one stream of exchanges, and what they found.

use rampart_core::{Alert, Exchange, KeyedHasher};

use crate::actors::{roll_up, Actor};
use crate::alerts::{AlertBook, BookLimits, BookStats};
use crate::config::DetectConfig;
use crate::detector::{Detector, Signal};
use crate::detectors::agent::Agent;
use crate::detectors::{
    credential_stuffing::CredentialStuffing, direct_to_api::DirectToApi, enumeration::Enumeration,
    exploit_probes::ExploitProbes, pivot::Pivot, scraping::Scraping,
    session_rotation::SessionRotation, shadow_api::ShadowApi, target_ips::TargetIps,
    timing::Timing, volumetric::Volumetric,
};
use crate::keyed::KeyedStats;
use crate::recommend::{RateRecommendation, Recommender};
use crate::request::{DeriveConfig, Deriver, EndpointFacts};
use crate::shared::{SharedLimits, SharedTables};

/// What detection found.
#[derive(Debug, Clone)]
pub struct DetectionReport {
    /// Alerts, oldest first, each with its actor.
    pub alerts: Vec<Alert>,
    /// Actors: alerts rolled up by the entities they share, riskiest first.
    pub actors: Vec<Actor>,
    /// Exchanges seen.
    pub exchanges: u64,
    /// Exchanges without a client address (address-keyed detectors skipped them).
    pub without_client: u64,
    /// Exchanges without a user agent (fingerprints are weaker without it).
    pub without_user_agent: u64,
    /// Exchanges whose time went backwards by more than the tolerance.
    pub out_of_order: u64,
    /// Counters of every detector's bounded maps: (detector, map, counters).
    pub state: Vec<(&'static str, &'static str, KeyedStats)>,
    /// Counters of the alert book.
    pub book: BookStats,
    /// Approximate bytes of detector state at the end.
    pub state_bytes: usize,
    /// The same, by part: profiles, each detector, the alert book, recommendations.
    pub state_bytes_by_part: Vec<(&'static str, usize)>,
    /// Client addresses with a profile at the end.
    pub profiled_clients: usize,
    /// Per-endpoint rate limits that normal clients never exceed.
    pub rate_limits: Vec<RateRecommendation>,
}

/// Sizes of the shared records: every client address up to `max_profiles`; (address, endpoint)
/// pairs up to the largest cap of the detectors that use them.
fn shared_limits(c: &DetectConfig) -> SharedLimits {
    let users = [
        (
            c.volumetric.enabled,
            c.volumetric.max_tracked,
            c.volumetric.share_window_secs * 2,
        ),
        (
            c.enumeration.enabled,
            c.enumeration.max_tracked,
            c.enumeration.window_secs,
        ),
        (
            c.scraping.enabled,
            c.scraping.max_tracked,
            c.scraping.window_secs,
        ),
    ];
    let on = users.iter().filter(|(enabled, _, _)| *enabled && c.enabled);
    SharedLimits {
        max_addresses: c.max_profiles,
        address_idle_ms: 3_600_000,
        max_pairs: on.clone().map(|u| u.1).max().unwrap_or(1),
        pair_idle_ms: on.map(|u| u.2).max().unwrap_or(600) as i64 * 1000,
        pairs_always: c.enabled && c.volumetric.enabled,
    }
}

/// Tolerance for out-of-order event times, in ms: later exchanges may be this much older.
const OUT_OF_ORDER_TOLERANCE_MS: i64 = 60_000;

/// The detection half of the engine.
pub struct Detection {
    deriver: Deriver,
    hasher: KeyedHasher,
    shared: SharedTables,
    detectors: Vec<Box<dyn Detector>>,
    book: AlertBook,
    asn_db: Option<std::sync::Arc<crate::signals::geo::GeoDb>>,
    recommender: Recommender,
    signals: Vec<Signal>,
    exchanges: u64,
    without_client: u64,
    without_user_agent: u64,
    out_of_order: u64,
    latest: i64,
}

impl std::fmt::Debug for Detection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detection")
            .field(
                "detectors",
                &self.detectors.iter().map(|d| d.name()).collect::<Vec<_>>(),
            )
            .field("exchanges", &self.exchanges)
            .finish()
    }
}

impl Detection {
    /// Every detector `config` enables, hashing secrets with `hasher`.
    pub fn new(config: &DetectConfig, hasher: KeyedHasher) -> Self {
        let mut detectors: Vec<Box<dyn Detector>> = Vec::new();
        if config.enabled {
            let c = config;
            if c.enumeration.enabled {
                detectors.push(Box::new(Enumeration::new(c.enumeration.clone())));
            }
            if c.credential_stuffing.enabled {
                detectors.push(Box::new(CredentialStuffing::new(
                    c.credential_stuffing.clone(),
                )));
            }
            if c.target_ips.enabled {
                detectors.push(Box::new(TargetIps::new(c.target_ips.clone())));
            }
            if c.timing.enabled {
                detectors.push(Box::new(Timing::new(c.timing.clone())));
            }
            if c.volumetric.enabled {
                detectors.push(Box::new(Volumetric::new(c.volumetric.clone())));
            }
            if c.scraping.enabled {
                detectors.push(Box::new(Scraping::new(c.scraping.clone())));
            }
            if c.direct_to_api.enabled {
                detectors.push(Box::new(DirectToApi::new(c.direct_to_api.clone())));
            }
            if c.exploit_probes.enabled {
                detectors.push(Box::new(ExploitProbes::new(c.exploit_probes.clone())));
            }
            if c.shadow_api.enabled {
                detectors.push(Box::new(ShadowApi::new(c.shadow_api.clone())));
            }
            if c.pivot.enabled {
                detectors.push(Box::new(Pivot::new(c.pivot.clone())));
            }
            if c.agent.enabled {
                detectors.push(Box::new(Agent::new(c.agent.clone())));
            }
            if c.session_rotation.enabled {
                detectors.push(Box::new(SessionRotation::new(c.session_rotation.clone())));
            }
        }
        Self {
            deriver: Deriver::new(DeriveConfig {
                login_paths: config.login_paths.clone(),
            }),
            hasher,
            shared: SharedTables::new(shared_limits(config)),
            detectors,
            book: AlertBook::new(BookLimits {
                episode_gap_ms: config.episode_gap_secs as i64 * 1000,
                max_members_per_alert: config.max_members_per_alert,
                max_alerts: config.max_alerts,
                ..BookLimits::default()
            }),
            asn_db: None,
            recommender: Recommender::new(config.max_profiles / 10),
            signals: Vec::new(),
            exchanges: 0,
            without_client: 0,
            without_user_agent: 0,
            out_of_order: 0,
            latest: i64::MIN,
        }
    }

    /// Adds a detector of one's own (see `docs/adding-a-detector.md`).
    pub fn push(&mut self, detector: Box<dyn Detector>) {
        self.detectors.push(detector);
    }

    /// Gives detectors the client's autonomous system from `db` (credential stuffing then
    /// also counts failures per ASN).
    pub fn set_asn_db(&mut self, db: std::sync::Arc<crate::signals::geo::GeoDb>) {
        self.asn_db = Some(db);
    }

    /// Names of the detectors that run.
    pub fn detector_names(&self) -> Vec<&'static str> {
        self.detectors.iter().map(|d| d.name()).collect()
    }

    /// Takes one exchange into account; `facts` are what the inventory knows of its endpoint.
    pub fn observe(&mut self, ex: &Exchange, facts: EndpointFacts) {
        self.exchanges += 1;
        if self.detectors.is_empty() {
            return;
        }
        let t = ex.time.as_unix_millis();
        if t < self.latest.saturating_sub(OUT_OF_ORDER_TOLERANCE_MS) {
            self.out_of_order += 1;
        }
        self.latest = self.latest.max(t);
        if ex.client.is_none() {
            self.without_client += 1;
        }
        let mut req = self.deriver.derive(ex, &self.hasher, facts);
        if req.user_agent().is_empty() {
            self.without_user_agent += 1;
        }
        if let (Some(db), Some(ip)) = (&self.asn_db, req.ip) {
            req.asn = db.asn_ref(ip).map(|(n, _)| n);
        }
        let (traits, mut shared) = self.shared.open(&req);
        req.traits = traits;
        for d in &mut self.detectors {
            d.observe_shared(&req, &mut shared, &mut self.signals);
        }
        for s in self.signals.drain(..) {
            self.book.apply(s, &req);
        }
        let book = &self.book;
        self.recommender.observe(&req, |ip| book.is_flagged(ip));
    }

    /// Whether an alert names `ip` so far.
    pub fn is_flagged(&self, ip: std::net::IpAddr) -> bool {
        self.book.is_flagged(ip)
    }

    /// The alerts so far, without actors.
    pub fn alerts(&self) -> Vec<Alert> {
        self.book.alerts()
    }

    /// Finishes: rolls alerts up into actors and reports.
    pub fn finish(&self) -> DetectionReport {
        let mut alerts = self.book.alerts();
        let actors = roll_up(&mut alerts);
        let mut state = Vec::new();
        let mut by_part = vec![
            ("addresses", self.shared.address_bytes()),
            ("address-endpoint pairs", self.shared.pair_bytes()),
            ("request view caches", self.deriver.bytes()),
            ("alert book", self.book.approx_bytes()),
            ("recommendations", self.recommender.approx_bytes()),
        ];
        state.push(("profiles", "addresses", self.shared.address_stats()));
        state.push(("shared", "address_endpoint_pairs", self.shared.pair_stats()));
        for d in &self.detectors {
            for (map, stats) in d.stats() {
                state.push((d.name(), map, stats));
            }
            by_part.push((d.name(), d.approx_bytes()));
        }
        let state_bytes = by_part.iter().map(|(_, b)| b).sum();
        DetectionReport {
            alerts,
            actors,
            exchanges: self.exchanges,
            without_client: self.without_client,
            without_user_agent: self.without_user_agent,
            out_of_order: self.out_of_order,
            state,
            book: self.book.stats(),
            state_bytes,
            state_bytes_by_part: by_part,
            profiled_clients: self.shared.address_stats().tracked,
            rate_limits: self
                .recommender
                .recommendations(|ip| self.book.is_flagged(ip)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rampart_core::EntityKind;

    use super::*;
    use crate::signals::geo::GeoDb;
    use crate::signals::mmdb_writer::{MmdbWriter, Value};
    use crate::testing::{hasher, login};

    #[test]
    fn failures_spread_over_one_autonomous_system_are_one_campaign() {
        let mut w = MmdbWriter::new(4, "GeoLite2-ASN");
        w.insert(
            "100.64.0.0/10".parse().unwrap(),
            &Value::map([
                ("autonomous_system_number", Value::U32(64500)),
                (
                    "autonomous_system_organization",
                    Value::str("BULLETPROOF-NET"),
                ),
            ]),
        );
        let db = GeoDb::from_bytes(w.build(), "asn.mmdb").unwrap();
        let mut d = Detection::new(&DetectConfig::default(), hasher());
        d.set_asn_db(Arc::new(db));
        // One address per /24, each with its own user agent: only the ASN ties them together.
        for i in 0..200u32 {
            let ip = format!("100.{}.{}.7", 64 + i / 200, i % 200);
            let ex = login(f64::from(i), &ip, &format!("user{i}"), true)
                .ua(&format!("Mozilla/5.0 Build/{i}"))
                .0;
            d.observe(&ex, EndpointFacts::default());
        }
        let report = d.finish();
        let asn = report
            .alerts
            .iter()
            .find(|a| a.entity.kind == EntityKind::Asn)
            .expect("an alert about the autonomous system");
        assert_eq!(asn.entity.value, "AS64500");
        assert!(
            asn.ips().count() >= 150,
            "{} addresses named",
            asn.ips().count()
        );
        assert!(!report
            .alerts
            .iter()
            .any(|a| a.entity.kind == EntityKind::Prefix));
    }
}
