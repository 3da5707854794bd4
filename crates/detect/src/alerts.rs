//! The [`AlertBook`]: signals in, deduplicated alerts out.
//!
//! One alert per detector, entity and episode: the first signal opens it, later signals update
//! its last-seen time, request count, figures and members. An episode ends when its entity has
//! been quiet for the episode gap (event time); a later signal opens a new alert. Memory is
//! bounded: a cap on open alerts, on members per alert and on members overall, each counted when
//! reached.
//!
//! An alert about a client fingerprint (a bot kit rotating through addresses, a user agent)
//! is about clients that go everywhere, so its signal names no endpoint; the book follows where
//! its flagged requests land ([`landing::Landing`]) and names the endpoint that takes at least
//! half of them, so that a policy can stop the fingerprint there and nowhere else.

mod landing;
mod members;

use std::collections::BTreeMap;
use std::fmt::Write;
use std::net::IpAddr;

use rampart_core::{fast_hash, Alert, Entity, EntityKind, EventTime};

use crate::detector::{Members, Render, Signal, Subject};
use crate::fasthash::{FastMap, FastSet};
use crate::request::Request;

/// Limits of the alert book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookLimits {
    /// Quiet time (ms of event time) that ends an episode.
    pub episode_gap_ms: i64,
    /// Most members (addresses and sessions) named per alert.
    pub max_members_per_alert: usize,
    /// Most members named over all alerts.
    pub max_members_total: usize,
    /// Most alerts kept (open and closed).
    pub max_alerts: usize,
}

impl Default for BookLimits {
    fn default() -> Self {
        Self {
            episode_gap_ms: 30 * 60 * 1000,
            max_members_per_alert: 100_000,
            max_members_total: 1_000_000,
            max_alerts: 100_000,
        }
    }
}

#[derive(Debug)]
struct Open {
    alert: Alert,
    render: Render,
    figures: Vec<(&'static str, f64)>,
    detail: Option<String>,
    member_keys: FastSet<u64>,
    /// Where a fingerprint alert's requests land, when its signals name no endpoint.
    landing: Option<Box<landing::Landing>>,
    /// The book's change count when a signal last touched the alert.
    touched: u64,
}

/// Counters of the alert book.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BookStats {
    /// Alerts opened.
    pub opened: u64,
    /// Signals received.
    pub signals: u64,
    /// Alerts not opened because the cap was reached.
    pub alerts_dropped: u64,
    /// Members not named because a cap was reached.
    pub members_dropped: u64,
}

/// Deduplicates signals into alerts.
#[derive(Debug)]
pub struct AlertBook {
    limits: BookLimits,
    alerts: Vec<Open>,
    index: FastMap<(u64, u64), usize>,
    members_total: usize,
    flagged_ips: FastSet<IpAddr>,
    stats: BookStats,
    /// Signals applied to an alert so far: the cursor of [`AlertBook::touched_after`].
    changes: u64,
}

impl AlertBook {
    /// An empty book with `limits`.
    pub fn new(limits: BookLimits) -> Self {
        Self {
            limits,
            alerts: Vec::new(),
            index: FastMap::default(),
            members_total: 0,
            flagged_ips: FastSet::default(),
            stats: BookStats::default(),
            changes: 0,
        }
    }

    /// Applies one signal raised on `req`.
    pub fn apply(&mut self, signal: Signal, req: &Request<'_>) {
        self.stats.signals += 1;
        let detector_key = fast_hash(signal.detector.as_bytes());
        let key = (detector_key, signal.subject.key());
        let now = EventTime::from_unix_millis(req.time);
        let idx = match self.index.get(&key) {
            Some(&i)
                if req.time - self.alerts[i].alert.last_seen.as_unix_millis()
                    <= self.limits.episode_gap_ms =>
            {
                i
            }
            _ => {
                if self.alerts.len() >= self.limits.max_alerts {
                    self.stats.alerts_dropped += 1;
                    return;
                }
                let entity = signal.subject.entity(req);
                let id = format!(
                    "{:016x}",
                    fast_hash(format!("{}|{}|{}", signal.detector, entity, req.time).as_bytes())
                );
                self.alerts.push(Open {
                    alert: Alert {
                        id,
                        detector: signal.detector.to_owned(),
                        owasp: signal.owasp,
                        severity: signal.severity,
                        entity,
                        actor: None,
                        endpoint: signal.with_endpoint.then(|| req.endpoint()),
                        first_seen: now,
                        raised: now,
                        last_seen: now,
                        requests: 0,
                        evidence: String::new(),
                        figures: BTreeMap::new(),
                        members: Vec::new(),
                        members_dropped: 0,
                    },
                    render: signal.render,
                    figures: Vec::new(),
                    detail: signal.detail.clone(),
                    member_keys: FastSet::default(),
                    landing: (matches!(signal.subject, Subject::Fingerprint(_))
                        && !signal.with_endpoint)
                        .then(Box::default),
                    touched: 0,
                });
                self.stats.opened += 1;
                let i = self.alerts.len() - 1;
                self.index.insert(key, i);
                i
            }
        };
        self.changes += 1;
        let open = &mut self.alerts[idx];
        open.touched = self.changes;
        let a = &mut open.alert;
        a.last_seen = a.last_seen.max(now);
        a.first_seen = a.first_seen.min(now);
        a.requests += 1;
        a.severity = a.severity.max(signal.severity);
        if let Some(landing) = open.landing.as_deref_mut() {
            match landing.count(req.endpoint_key) {
                landing::Named::Keep => {}
                landing::Named::This => a.endpoint = Some(req.endpoint()),
                landing::Named::Nothing => a.endpoint = None,
            }
        }
        for (name, value) in signal.figures.iter() {
            // Names are literals: the same one usually comes back at the same address.
            let same = |n: &&str| std::ptr::eq(*n, name) || *n == name;
            match open.figures.iter_mut().find(|(n, _)| same(n)) {
                // Figures named `*_total` add up over the episode; the others are the latest.
                Some((_, v)) if name.ends_with("_total") => *v += value,
                Some((_, v)) => *v = value,
                None => open.figures.push((name, value)),
            }
        }
        if a.entity.kind == EntityKind::Ip {
            if let Some(ip) = req.ip {
                self.flagged_ips.insert(ip);
            }
        }
        // At its caps an alert stops remembering members at all (not even which were seen), so
        // its memory stays bounded; sightings beyond the cap are counted.
        let full = open.alert.members.len() >= self.limits.max_members_per_alert
            || self.members_total >= self.limits.max_members_total;
        if full && signal.members != Members::None {
            open.alert.members_dropped += 1;
            self.stats.members_dropped += 1;
            return;
        }
        let mut new_members: Vec<(Entity, Option<IpAddr>)> = Vec::new();
        let mut add_ip = |ip: IpAddr, new: &mut Vec<(Entity, Option<IpAddr>)>| {
            let k = match ip {
                IpAddr::V4(v4) => fast_hash(&v4.octets()),
                IpAddr::V6(v6) => fast_hash(&v6.octets()),
            };
            if open.member_keys.insert(k) {
                new.push((members::ip_entity(ip), Some(ip)));
            }
        };
        match signal.members {
            Members::None => {}
            Members::ThisRequest | Members::Backfill(_) => {
                if let Members::Backfill(ips) = &signal.members {
                    for &ip in ips {
                        add_ip(ip, &mut new_members);
                    }
                }
                if let Some(ip) = req.ip {
                    add_ip(ip, &mut new_members);
                }
                if let Some(s) = req.session {
                    if open.member_keys.insert(s.0 as u64 ^ 0x5e55_1011) {
                        new_members.push((members::session_entity(s), None));
                    }
                }
            }
        }
        for (m, ip) in new_members {
            if m == open.alert.entity {
                continue;
            }
            if open.alert.members.len() >= self.limits.max_members_per_alert
                || self.members_total >= self.limits.max_members_total
            {
                open.alert.members_dropped += 1;
                self.stats.members_dropped += 1;
                continue;
            }
            if let Some(ip) = ip {
                self.flagged_ips.insert(ip);
            }
            open.alert.members.push(m);
            self.members_total += 1;
        }
    }

    /// Whether an alert names `ip` (as its entity or a member).
    pub fn is_flagged(&self, ip: IpAddr) -> bool {
        self.flagged_ips.contains(&ip)
    }

    /// Counters.
    pub fn stats(&self) -> BookStats {
        self.stats
    }

    /// Alerts held (the book never drops one it opened).
    pub fn len(&self) -> usize {
        self.alerts.len()
    }

    /// Whether no alert was opened yet.
    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty()
    }

    /// Every alert, with its evidence rendered from the latest figures, oldest first.
    pub fn alerts(&self) -> Vec<Alert> {
        self.touched_after(0).0
    }

    /// The alerts a signal touched (opened or grew) after the book's change count was `after`,
    /// rendered and ordered as [`AlertBook::alerts`] does, and the change count now: the
    /// cursor for the next call. Cheap when little changed, however many alerts there are.
    pub fn touched_after(&self, after: u64) -> (Vec<Alert>, u64) {
        let mut out: Vec<Alert> = self
            .alerts
            .iter()
            .filter(|o| o.touched > after)
            .map(render)
            .collect();
        out.sort_by(|a, b| a.raised.cmp(&b.raised).then(a.id.cmp(&b.id)));
        (out, self.changes)
    }

    /// Approximate bytes held.
    pub fn approx_bytes(&self) -> usize {
        self.alerts.len() * std::mem::size_of::<Open>()
            + self.members_total * (std::mem::size_of::<Entity>() + 48)
            + self.flagged_ips.len() * 24
    }
}

/// An open alert as shown: its evidence rendered from the latest figures.
fn render(o: &Open) -> Alert {
    let mut a = o.alert.clone();
    a.figures = o
        .figures
        .iter()
        .map(|(n, v)| ((*n).to_owned(), *v))
        .collect();
    a.figures
        .insert("matched_requests".into(), a.requests as f64);
    a.evidence = (o.render)(&a.figures);
    if let Some(d) = &o.detail {
        a.evidence.push_str("; ");
        a.evidence.push_str(d);
    }
    if let (Some(l), Some(e)) = (&o.landing, &a.endpoint) {
        let share = l.share();
        a.figures.insert("endpoint_share".into(), share);
        let _ = write!(
            a.evidence,
            "; {} of these requests on {}",
            crate::detector::pct(share),
            rampart_core::redact::escape_for_terminal(e, 120)
        );
    }
    a
}
