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
use crate::request::{DeriveConfig, Deriver, EndpointFacts, Request};
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
///
/// Work on an exchange has two parts: its request view ([`Deriver`]: path shape, identities,
/// fingerprint, login), which depends on the exchange alone and on caches, and the stateful
/// part (profiles, detectors, the alert book, recommendations), which must see exchanges in
/// order. [`Detection::observe_batch`] runs the first part on a second thread while this one
/// runs the second, with the same result as [`Detection::observe`] one exchange at a time.
pub struct Detection {
    deriver: Deriver,
    hasher: KeyedHasher,
    asn_db: Option<std::sync::Arc<crate::signals::geo::GeoDb>>,
    exchanges: u64,
    ordered: Ordered,
}

/// The part of detection that sees exchanges in order.
struct Ordered {
    shared: SharedTables,
    detectors: Vec<Box<dyn Detector>>,
    book: AlertBook,
    recommender: Recommender,
    signals: Vec<Signal>,
    without_client: u64,
    without_user_agent: u64,
    out_of_order: u64,
    latest: i64,
}

/// Exchanges whose request views the second thread of [`Detection::observe_batch`] derives
/// before handing them over: large enough that handing over costs nothing next to the work,
/// small enough that both threads start at once.
const BATCH_STEP: usize = 512;

/// The request view of `ex`, with its autonomous system when `asn_db` is given.
fn prepare<'a>(
    deriver: &mut Deriver,
    hasher: &'a KeyedHasher,
    asn_db: Option<&crate::signals::geo::GeoDb>,
    ex: &'a Exchange,
    facts: EndpointFacts,
) -> Request<'a> {
    let mut req = deriver.derive(ex, hasher, facts);
    if let (Some(db), Some(ip)) = (asn_db, req.ip) {
        req.asn = db.asn_ref(ip).map(|(n, _)| n);
    }
    req
}

impl Ordered {
    /// Runs every detector on `req`, then the alert book and the recommender.
    fn settle(&mut self, mut req: Request<'_>) {
        let t = req.ex.time.as_unix_millis();
        if t < self.latest.saturating_sub(OUT_OF_ORDER_TOLERANCE_MS) {
            self.out_of_order += 1;
        }
        self.latest = self.latest.max(t);
        if req.ex.client.is_none() {
            self.without_client += 1;
        }
        if req.user_agent().is_empty() {
            self.without_user_agent += 1;
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
}

impl std::fmt::Debug for Detection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detection")
            .field(
                "detectors",
                &self
                    .ordered
                    .detectors
                    .iter()
                    .map(|d| d.name())
                    .collect::<Vec<_>>(),
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
            asn_db: None,
            exchanges: 0,
            ordered: Ordered {
                shared: SharedTables::new(shared_limits(config)),
                detectors,
                book: AlertBook::new(BookLimits {
                    episode_gap_ms: config.episode_gap_secs as i64 * 1000,
                    max_members_per_alert: config.max_members_per_alert,
                    max_alerts: config.max_alerts,
                    ..BookLimits::default()
                }),
                recommender: Recommender::new(config.max_profiles / 10),
                signals: Vec::new(),
                without_client: 0,
                without_user_agent: 0,
                out_of_order: 0,
                latest: i64::MIN,
            },
        }
    }

    /// Adds a detector of one's own (see `docs/adding-a-detector.md`).
    pub fn push(&mut self, detector: Box<dyn Detector>) {
        self.ordered.detectors.push(detector);
    }

    /// Gives detectors the client's autonomous system from `db` (credential stuffing then
    /// also counts failures per ASN).
    pub fn set_asn_db(&mut self, db: std::sync::Arc<crate::signals::geo::GeoDb>) {
        self.asn_db = Some(db);
    }

    /// Names of the detectors that run.
    pub fn detector_names(&self) -> Vec<&'static str> {
        self.ordered.detectors.iter().map(|d| d.name()).collect()
    }

    /// Takes one exchange into account; `facts` are what the inventory knows of its endpoint.
    pub fn observe(&mut self, ex: &Exchange, facts: EndpointFacts) {
        self.exchanges += 1;
        if self.ordered.detectors.is_empty() {
            return;
        }
        let req = prepare(
            &mut self.deriver,
            &self.hasher,
            self.asn_db.as_deref(),
            ex,
            facts,
        );
        self.ordered.settle(req);
    }

    /// Takes `exchanges` into account in order, `facts[i]` being what the inventory knows of
    /// the endpoint of `exchanges[i]`: the same as calling [`Detection::observe`] on each, on
    /// two threads (request views on a second one). Short batches run on this thread alone.
    ///
    /// # Panics
    /// When the two slices differ in length.
    pub fn observe_batch(&mut self, exchanges: &[Exchange], facts: &[EndpointFacts]) {
        assert_eq!(
            exchanges.len(),
            facts.len(),
            "one set of facts per exchange"
        );
        if exchanges.len() < 2 * BATCH_STEP || self.ordered.detectors.is_empty() {
            for (ex, f) in exchanges.iter().zip(facts) {
                self.observe(ex, *f);
            }
            return;
        }
        self.exchanges += exchanges.len() as u64;
        let deriver = &mut self.deriver;
        let hasher = &self.hasher;
        let asn_db = self.asn_db.as_deref();
        let ordered = &mut self.ordered;
        std::thread::scope(|s| {
            // Two batches in flight: one being derived, one being settled.
            let (views_tx, views_rx) = std::sync::mpsc::sync_channel::<Vec<Request<'_>>>(1);
            let (spare_tx, spare_rx) = std::sync::mpsc::channel::<Vec<Request<'_>>>();
            s.spawn(move || {
                for (batch, facts) in exchanges.chunks(BATCH_STEP).zip(facts.chunks(BATCH_STEP)) {
                    let mut views = spare_rx
                        .try_recv()
                        .unwrap_or_else(|_| Vec::with_capacity(BATCH_STEP));
                    views.extend(
                        batch
                            .iter()
                            .zip(facts)
                            .map(|(ex, f)| prepare(deriver, hasher, asn_db, ex, *f)),
                    );
                    if views_tx.send(views).is_err() {
                        return;
                    }
                }
            });
            for mut views in views_rx {
                for req in views.drain(..) {
                    ordered.settle(req);
                }
                // The deriving thread may have finished; then the buffer is simply dropped.
                let _ = spare_tx.send(views);
            }
        });
    }

    /// Whether an alert names `ip` so far.
    pub fn is_flagged(&self, ip: std::net::IpAddr) -> bool {
        self.ordered.book.is_flagged(ip)
    }

    /// The alerts so far, without actors.
    pub fn alerts(&self) -> Vec<Alert> {
        self.ordered.book.alerts()
    }

    /// Alerts held so far.
    pub fn alert_count(&self) -> usize {
        self.ordered.book.len()
    }

    /// The alerts opened or grown since the cursor `after` (0 for all), and the cursor for
    /// the next call: what a caller polling for changes needs, without copying every alert.
    pub fn alerts_touched_after(&self, after: u64) -> (Vec<Alert>, u64) {
        self.ordered.book.touched_after(after)
    }

    /// Finishes: rolls alerts up into actors and reports.
    pub fn finish(&self) -> DetectionReport {
        let mut alerts = self.ordered.book.alerts();
        let actors = roll_up(&mut alerts);
        let mut state = Vec::new();
        let mut by_part = vec![
            ("addresses", self.ordered.shared.address_bytes()),
            ("address-endpoint pairs", self.ordered.shared.pair_bytes()),
            ("request view caches", self.deriver.bytes()),
            ("alert book", self.ordered.book.approx_bytes()),
            ("recommendations", self.ordered.recommender.approx_bytes()),
        ];
        state.push(("profiles", "addresses", self.ordered.shared.address_stats()));
        state.push((
            "shared",
            "address_endpoint_pairs",
            self.ordered.shared.pair_stats(),
        ));
        for d in &self.ordered.detectors {
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
            without_client: self.ordered.without_client,
            without_user_agent: self.ordered.without_user_agent,
            out_of_order: self.ordered.out_of_order,
            state,
            book: self.ordered.book.stats(),
            state_bytes,
            state_bytes_by_part: by_part,
            profiled_clients: self.ordered.shared.address_stats().tracked,
            rate_limits: self
                .ordered
                .recommender
                .recommendations(|ip| self.ordered.book.is_flagged(ip)),
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
    fn polling_for_touched_alerts_returns_only_what_changed() {
        let mut d = Detection::new(&DetectConfig::default(), hasher());
        // One address failing many logins: a brute-force alert that grows with every attempt.
        for i in 0..60u32 {
            let ex = login(
                f64::from(i),
                "198.51.100.9",
                &format!("user{}", i % 3),
                true,
            )
            .0;
            d.observe(&ex, EndpointFacts::default());
        }
        let (all, cursor) = d.alerts_touched_after(0);
        assert!(!all.is_empty());
        assert_eq!(
            all.iter().map(|a| &a.id).collect::<Vec<_>>(),
            d.alerts().iter().map(|a| &a.id).collect::<Vec<_>>()
        );
        let (none, same) = d.alerts_touched_after(cursor);
        assert!(none.is_empty() && same == cursor);
        // Another address trying once is not an alert; the first one trying again grows its own.
        let ex = login(61.0, "203.0.113.200", "someone", false).0;
        d.observe(&ex, EndpointFacts::default());
        let ex = login(62.0, "198.51.100.9", "user1", true).0;
        d.observe(&ex, EndpointFacts::default());
        let (grown, next) = d.alerts_touched_after(cursor);
        assert!(next > cursor);
        assert!(!grown.is_empty() && grown.len() <= all.len());
        for a in &grown {
            let before = all
                .iter()
                .find(|b| b.id == a.id)
                .expect("an alert seen before");
            assert!(a.requests > before.requests, "{} did not grow", a.id);
        }
    }

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
