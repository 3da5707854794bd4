//! How well alerts found the attacks of a simulation, and how many benign actors they hit.
//!
//! An actor is *named* by an alert of severity Low or above when the alert names one of its
//! addresses ([`Alert::ips`]) or one of its sessions ([`Alert::sessions`], the keyed hash of a
//! credential value under [`SECRET_DOMAIN`]). Addresses are never shared between actors, so
//! an alert about the corporate NAT address names the NAT actor once, however many people
//! stand behind it.

use std::collections::{BTreeSet, HashMap};

use rampart_core::auth::SECRET_DOMAIN;
use rampart_core::{Alert, KeyedHasher, Severity};
use serde::Serialize;

use super::config::ScenarioName;
use super::truth::{ActorTruth, BenignKind, Label, ScenarioTruth};

/// How one attack actor (a scenario may have several, like the flood and the low-and-slow
/// variant of credential stuffing) was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActorScore {
    /// The actor's id.
    pub actor: String,
    /// Its addresses.
    pub ips: usize,
    /// Its addresses named by an alert.
    pub ips_named: usize,
    /// Its credential values (sessions, tokens, keys).
    pub sessions: usize,
    /// Its credential values named by an alert.
    pub sessions_named: usize,
    /// Whether any alert named it.
    pub detected: bool,
}

/// How one attack scenario was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioScore {
    /// The scenario.
    pub scenario: ScenarioName,
    /// Attacker addresses.
    pub ips: usize,
    /// Attacker addresses named by an alert of severity Low or above.
    pub ips_named: usize,
    /// `ips_named / ips`.
    pub ip_recall: f64,
    /// Attacker credential values (session cookies, tokens, keys).
    pub sessions: usize,
    /// Of those, named by an alert.
    pub sessions_named: usize,
    /// `sessions_named / sessions`; `None` when the attack used none.
    pub session_recall: Option<f64>,
    /// Alerts naming the scenario's addresses or sessions.
    pub alerts: usize,
    /// Detectors that raised them, sorted.
    pub detectors: Vec<String>,
    /// Earliest `raised` of those alerts minus the scenario's first request, in milliseconds;
    /// 0 when a campaign alert raised before the scenario began later took its addresses in.
    pub time_to_first_alert_ms: Option<i64>,
    /// Whether any alert named the scenario.
    pub detected: bool,
    /// Per actor of the scenario.
    pub actors: Vec<ActorScore>,
}

/// Benign actors of one kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindScore {
    /// The kind.
    pub kind: BenignKind,
    /// Actors of the kind.
    pub actors: usize,
    /// Of those, named by an alert.
    pub flagged: usize,
}

/// A benign actor an alert named, and by which detectors, for tuning.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlaggedActor {
    /// The actor's id.
    pub actor: String,
    /// Its kind.
    pub kind: BenignKind,
    /// Detectors that named it, sorted.
    pub detectors: Vec<String>,
    /// Alerts that named it.
    pub alerts: usize,
}

/// False positives over the benign population.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenignScore {
    /// Benign actors (the NAT crowd counts once).
    pub actors: usize,
    /// Benign actors named by an alert of severity Low or above.
    pub flagged: usize,
    /// `flagged / actors`.
    pub false_positive_rate: f64,
    /// Per kind, in [`BenignKind::ALL`] order (kinds without actors left out).
    pub kinds: Vec<KindScore>,
    /// Every flagged actor, by id.
    pub flagged_actors: Vec<FlaggedActor>,
}

/// Detection quality of a set of alerts against a simulation's truth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DetectionScore {
    /// Alerts given.
    pub alerts: usize,
    /// Alerts of severity Low or above, the ones scored.
    pub alerts_scored: usize,
    /// Per scenario that ran, in generation order.
    pub scenarios: Vec<ScenarioScore>,
    /// Over the benign actors.
    pub benign: BenignScore,
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

/// What the alerts say about one actor.
struct Named {
    ips_named: usize,
    sessions_named: usize,
    alerts: BTreeSet<usize>,
}

/// Scores `alerts` against `truth`. Sessions in alerts are matched as
/// `hasher.tag(SECRET_DOMAIN, value)` in hex; only alerts of severity Low or above count.
pub fn score_detection(
    alerts: &[Alert],
    truth: &ScenarioTruth,
    hasher: &KeyedHasher,
) -> DetectionScore {
    let scored: Vec<&Alert> = alerts
        .iter()
        .filter(|a| a.severity >= Severity::Low)
        .collect();
    let mut by_ip: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_session: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, a) in scored.iter().enumerate() {
        for ip in a.ips() {
            by_ip.entry(ip).or_default().push(i);
        }
        for s in a.sessions() {
            by_session.entry(s).or_default().push(i);
        }
    }
    let named = |actor: &ActorTruth| -> Named {
        let mut n = Named {
            ips_named: 0,
            sessions_named: 0,
            alerts: BTreeSet::new(),
        };
        if by_ip.is_empty() && by_session.is_empty() {
            return n;
        }
        for ip in &actor.ips {
            if let Some(hits) = by_ip.get(ip.to_string().as_str()) {
                n.ips_named += 1;
                n.alerts.extend(hits);
            }
        }
        if !by_session.is_empty() {
            for s in &actor.sessions {
                let tag = hasher.tag(SECRET_DOMAIN, s.as_bytes()).to_string();
                if let Some(hits) = by_session.get(tag.as_str()) {
                    n.sessions_named += 1;
                    n.alerts.extend(hits);
                }
            }
        }
        n
    };
    let detectors_of = |set: &BTreeSet<usize>| -> Vec<String> {
        let d: BTreeSet<&str> = set
            .iter()
            .filter_map(|&i| scored.get(i))
            .map(|a| a.detector.as_str())
            .collect();
        d.into_iter().map(str::to_owned).collect()
    };

    let mut scenarios = Vec::new();
    for run in &truth.scenarios {
        let mut s = ScenarioScore {
            scenario: run.scenario,
            ips: 0,
            ips_named: 0,
            ip_recall: 0.0,
            sessions: 0,
            sessions_named: 0,
            session_recall: None,
            alerts: 0,
            detectors: Vec::new(),
            time_to_first_alert_ms: None,
            detected: false,
            actors: Vec::new(),
        };
        let mut all = BTreeSet::new();
        let mut start: Option<i64> = None;
        for actor in truth
            .actors
            .iter()
            .filter(|a| a.label.scenario() == Some(run.scenario))
        {
            let n = named(actor);
            s.ips += actor.ips.len();
            s.ips_named += n.ips_named;
            s.sessions += actor.sessions.len();
            s.sessions_named += n.sessions_named;
            if actor.requests > 0 {
                let t = actor.start.as_unix_millis();
                start = Some(start.map_or(t, |s: i64| s.min(t)));
            }
            s.actors.push(ActorScore {
                actor: actor.id.clone(),
                ips: actor.ips.len(),
                ips_named: n.ips_named,
                sessions: actor.sessions.len(),
                sessions_named: n.sessions_named,
                detected: !n.alerts.is_empty(),
            });
            all.extend(n.alerts);
        }
        s.ip_recall = ratio(s.ips_named, s.ips);
        s.session_recall = (s.sessions > 0).then(|| ratio(s.sessions_named, s.sessions));
        s.alerts = all.len();
        s.detected = !all.is_empty();
        s.detectors = detectors_of(&all);
        let first = all
            .iter()
            .filter_map(|&i| scored.get(i))
            .map(|a| a.raised.as_unix_millis())
            .min();
        s.time_to_first_alert_ms = first.zip(start).map(|(f, st)| (f - st).max(0));
        scenarios.push(s);
    }

    let mut kinds: Vec<KindScore> = BenignKind::ALL
        .iter()
        .map(|&kind| KindScore {
            kind,
            actors: 0,
            flagged: 0,
        })
        .collect();
    let mut flagged_actors = Vec::new();
    for actor in &truth.actors {
        let Label::Benign { kind } = actor.label else {
            continue;
        };
        let n = named(actor);
        let slot = kinds.iter_mut().find(|k| k.kind == kind);
        if let Some(k) = slot {
            k.actors += 1;
            if !n.alerts.is_empty() {
                k.flagged += 1;
            }
        }
        if !n.alerts.is_empty() {
            flagged_actors.push(FlaggedActor {
                actor: actor.id.clone(),
                kind,
                detectors: detectors_of(&n.alerts),
                alerts: n.alerts.len(),
            });
        }
    }
    kinds.retain(|k| k.actors > 0);
    let actors: usize = kinds.iter().map(|k| k.actors).sum();
    let flagged = flagged_actors.len();
    DetectionScore {
        alerts: alerts.len(),
        alerts_scored: scored.len(),
        scenarios,
        benign: BenignScore {
            actors,
            flagged,
            false_positive_rate: ratio(flagged, actors),
            kinds,
            flagged_actors,
        },
    }
}
