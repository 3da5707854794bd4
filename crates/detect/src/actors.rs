//! Actors: alerts rolled up by the entities they share, so 5,000 rotating addresses of one
//! campaign read as one campaign.
//!
//! Two alerts belong to the same actor when one names an entity the other names (its subject or
//! a member): a fingerprint alert listing 212 addresses joins every address alert about them.
//! Each actor gets a risk score from 0 to 100 that grows with the severity and the number of
//! independent detectors that flagged it, and the reasons, in numbers.

use std::collections::{BTreeSet, HashMap};

use rampart_core::{fast_hash, Alert, EntityKind, EventTime, Severity};
use serde::{Deserialize, Serialize};

/// How many addresses an actor lists by value.
const MAX_LISTED_IPS: usize = 50;

/// One attacker, as far as the alerts can tell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actor {
    /// Stable identifier (`actor-` and 12 hex digits).
    pub id: String,
    /// Risk from 0 to 100.
    pub risk: u8,
    /// Highest severity of its alerts.
    pub severity: Severity,
    /// Detectors that flagged it.
    pub detectors: Vec<String>,
    /// Alerts rolled into it.
    pub alerts: usize,
    /// Distinct client addresses it used.
    pub ip_count: usize,
    /// Up to 50 of them.
    pub ips: Vec<String>,
    /// Distinct sessions (keyed hashes).
    pub session_count: usize,
    /// Fingerprints (hashes).
    pub fingerprints: Vec<String>,
    /// Distinct targets (keyed hashes).
    pub target_count: usize,
    /// Endpoints it was flagged on.
    pub endpoints: Vec<String>,
    /// Earliest event of its alerts.
    pub first_seen: EventTime,
    /// Latest event of its alerts.
    pub last_seen: EventTime,
    /// The reasons: one line per alert kind, strongest first.
    pub reasons: Vec<String>,
}

struct Sets {
    parent: Vec<usize>,
}

impl Sets {
    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra.max(rb)] = ra.min(rb);
        }
    }
}

fn weight(s: Severity) -> f64 {
    match s {
        Severity::Info => 0.0,
        Severity::Low => 0.15,
        Severity::Medium => 0.35,
        Severity::High => 0.6,
        Severity::Critical => 0.85,
    }
}

/// Groups `alerts` into actors, sets each alert's `actor`, and returns the actors, riskiest
/// first.
pub fn roll_up(alerts: &mut [Alert]) -> Vec<Actor> {
    let mut index: HashMap<(EntityKind, &str), usize> = HashMap::new();
    let mut sets = Sets {
        parent: (0..alerts.len()).collect(),
    };
    for (i, a) in alerts.iter().enumerate() {
        // Alerts about the whole API or an endpoint do not make their members one actor by
        // themselves, or every surge would merge unrelated attackers through it.
        let joins_members = !matches!(a.entity.kind, EntityKind::Global | EntityKind::Endpoint);
        let entities = std::iter::once(&a.entity).chain(a.members.iter().filter(|_| joins_members));
        for e in entities {
            if matches!(e.kind, EntityKind::Global | EntityKind::Endpoint) {
                continue;
            }
            match index.get(&(e.kind, e.value.as_str())) {
                Some(&j) => sets.union(i, j),
                None => {
                    index.insert((e.kind, e.value.as_str()), i);
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..alerts.len() {
        let root = sets.find(i);
        groups.entry(root).or_default().push(i);
    }
    let mut actors = Vec::with_capacity(groups.len());
    for members in groups.into_values() {
        let actor = actor_of(alerts, &members);
        for &i in &members {
            alerts[i].actor = Some(actor.id.clone());
        }
        actors.push(actor);
    }
    actors.sort_by(|a, b| {
        b.risk
            .cmp(&a.risk)
            .then(b.ip_count.cmp(&a.ip_count))
            .then(a.id.cmp(&b.id))
    });
    actors
}

fn actor_id(seed: &str) -> String {
    format!("actor-{:012x}", fast_hash(seed.as_bytes()) >> 16)
}

fn actor_of(alerts: &[Alert], members: &[usize]) -> Actor {
    let group: Vec<&Alert> = members.iter().map(|&i| &alerts[i]).collect();
    let mut ips = BTreeSet::new();
    let mut sessions = BTreeSet::new();
    let mut fingerprints = BTreeSet::new();
    let mut targets = BTreeSet::new();
    let mut endpoints = BTreeSet::new();
    let mut detectors = BTreeSet::new();
    let mut by_kind: HashMap<(&str, &str), (&Alert, u64)> = HashMap::new();
    for a in &group {
        detectors.insert(a.detector.clone());
        if let Some(e) = &a.endpoint {
            endpoints.insert(e.clone());
        }
        let joins = !matches!(a.entity.kind, EntityKind::Global | EntityKind::Endpoint);
        for e in std::iter::once(&a.entity).chain(a.members.iter().filter(|_| joins)) {
            match e.kind {
                EntityKind::Ip => {
                    ips.insert(e.value.clone());
                }
                EntityKind::Session => {
                    sessions.insert(e.value.clone());
                }
                EntityKind::Fingerprint => {
                    fingerprints.insert(e.value.clone());
                }
                EntityKind::Target => {
                    targets.insert(e.value.clone());
                }
                _ => {}
            }
        }
        let key = (a.detector.as_str(), a.entity.kind.name());
        let entry = by_kind.entry(key).or_insert((a, 0));
        entry.1 += 1;
        if a.severity > entry.0.severity || a.requests > entry.0.requests {
            entry.0 = a;
        }
    }
    // Risk: independent evidence compounds; the same detector on many entities counts once.
    let mut best: HashMap<&str, Severity> = HashMap::new();
    for a in &group {
        let e = best.entry(a.detector.as_str()).or_insert(a.severity);
        *e = (*e).max(a.severity);
    }
    let clear: f64 = best.values().map(|s| 1.0 - weight(*s)).product();
    let risk = ((1.0 - clear) * 100.0).round().clamp(0.0, 100.0) as u8;
    let mut kinds: Vec<_> = by_kind.into_values().collect();
    kinds.sort_by(|a, b| b.0.severity.cmp(&a.0.severity).then(b.1.cmp(&a.1)));
    let reasons = kinds
        .iter()
        .take(8)
        .map(|(a, n)| {
            let more = if *n > 1 {
                format!(" (and {} more like it)", n - 1)
            } else {
                String::new()
            };
            format!("{} on {}: {}{}", a.detector, a.entity, a.evidence, more)
        })
        .collect();
    let seed = group
        .iter()
        .map(|a| a.entity.to_string())
        .min()
        .unwrap_or_default();
    Actor {
        id: actor_id(&seed),
        risk,
        severity: group
            .iter()
            .map(|a| a.severity)
            .max()
            .unwrap_or(Severity::Info),
        detectors: detectors.into_iter().collect(),
        alerts: group.len(),
        ip_count: ips.len(),
        ips: ips.into_iter().take(MAX_LISTED_IPS).collect(),
        session_count: sessions.len(),
        fingerprints: fingerprints.into_iter().collect(),
        target_count: targets.len(),
        endpoints: endpoints.into_iter().collect(),
        first_seen: group.iter().map(|a| a.first_seen).min().unwrap_or_default(),
        last_seen: group.iter().map(|a| a.last_seen).max().unwrap_or_default(),
        reasons,
    }
}
