//! The [`Detector`] trait and the [`Signal`] a detector emits.
//!
//! A detector reads one [`Request`] at a time, keeps bounded state of its own in
//! [`Keyed`](crate::keyed::Keyed) maps, and emits a [`Signal`] for every request that belongs to
//! something it has flagged. Signals are turned into deduplicated [`Alert`](rampart_core::Alert)s
//! by the [`AlertBook`](crate::alerts::AlertBook): one alert per detector, entity and episode.

use std::collections::BTreeMap;
use std::net::IpAddr;

use rampart_core::{fast_hash, Entity, EntityKind, HashTag, Owasp, Severity};

use crate::keyed::KeyedStats;
use crate::request::Request;
use crate::shared::Shared;

/// Renders an alert's evidence from its figures.
pub type Render = fn(&BTreeMap<String, f64>) -> String;

/// What a signal is about, without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// The request's client address.
    Ip(IpAddr),
    /// A network prefix.
    Prefix(IpAddr, u8),
    /// A client fingerprint.
    Fingerprint(u64),
    /// A session (keyed hash).
    Session(HashTag),
    /// A principal (keyed hash).
    Principal(HashTag),
    /// A target object, user name or phone number (keyed hash).
    Target(HashTag),
    /// An autonomous system.
    Asn(u32),
    /// A country code.
    Country([u8; 2]),
    /// The request's endpoint.
    Endpoint(u64),
    /// All traffic.
    Global,
}

impl Subject {
    /// A 64-bit key for deduplication.
    pub fn key(&self) -> u64 {
        let mut b = [0u8; 24];
        let mut put = |tag: u8, body: &[u8]| {
            b[0] = tag;
            let n = body.len().min(23);
            b[1..1 + n].copy_from_slice(&body[..n]);
        };
        match *self {
            Subject::Ip(ip) => put(1, &ip_bytes(ip, 128)),
            Subject::Prefix(ip, len) => put(2, &ip_bytes(ip, len)),
            Subject::Fingerprint(f) => put(3, &f.to_le_bytes()),
            Subject::Session(t) => put(4, &t.0.to_le_bytes()),
            Subject::Principal(t) => put(5, &t.0.to_le_bytes()),
            Subject::Target(t) => put(6, &t.0.to_le_bytes()),
            Subject::Asn(a) => put(7, &a.to_le_bytes()),
            Subject::Country(c) => put(8, &c),
            Subject::Endpoint(k) => put(9, &k.to_le_bytes()),
            Subject::Global => put(10, &[]),
        }
        fast_hash(&b)
    }

    /// The entity it names.
    pub fn entity(&self, req: &Request<'_>) -> Entity {
        match *self {
            Subject::Ip(ip) => Entity::ip(ip),
            Subject::Prefix(ip, len) => Entity::new(EntityKind::Prefix, format!("{ip}/{len}")),
            Subject::Fingerprint(f) => Entity::new(EntityKind::Fingerprint, rampart_core::hex16(f)),
            Subject::Session(t) => Entity::new(EntityKind::Session, t.to_string()),
            Subject::Principal(t) => Entity::new(EntityKind::Principal, t.to_string()),
            Subject::Target(t) => Entity::new(EntityKind::Target, t.to_string()),
            Subject::Asn(a) => Entity::new(EntityKind::Asn, format!("AS{a}")),
            Subject::Country(c) => Entity::new(
                EntityKind::Country,
                String::from_utf8_lossy(&c).into_owned(),
            ),
            Subject::Endpoint(_) => Entity::new(EntityKind::Endpoint, req.endpoint()),
            Subject::Global => Entity::new(EntityKind::Global, "all"),
        }
    }
}

fn ip_bytes(ip: IpAddr, len: u8) -> [u8; 17] {
    let mut b = [0u8; 17];
    match ip {
        IpAddr::V4(v4) => b[..4].copy_from_slice(&v4.octets()),
        IpAddr::V6(v6) => b[..16].copy_from_slice(&v6.octets()),
    }
    b[16] = len;
    b
}

/// Which client addresses and sessions a signal adds to its alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Members {
    /// None: the alert's entity says it all (an alert about one address).
    None,
    /// The request's client address and session.
    ThisRequest,
    /// The request's, and these addresses seen earlier in the episode, before the detector fired.
    Backfill(Vec<IpAddr>),
}

/// One request's contribution to an alert.
#[derive(Debug, Clone)]
pub struct Signal {
    /// The detector's name.
    pub detector: &'static str,
    /// OWASP API Security Top 10 (2023) category.
    pub owasp: Owasp,
    /// How much harm.
    pub severity: Severity,
    /// What it is about.
    pub subject: Subject,
    /// Whether the alert names the request's endpoint.
    pub with_endpoint: bool,
    /// The latest figures, by name.
    pub figures: Figures,
    /// Renders the evidence from the figures.
    pub render: Render,
    /// Addresses and sessions the signal adds.
    pub members: Members,
    /// Text evidence that figures cannot carry (a payload, already escaped and bounded); the
    /// first one of an episode is kept.
    pub detail: Option<String>,
}

/// A streaming detector.
pub trait Detector: Send {
    /// The detector's name (`enumeration`, `credential_stuffing`, ...).
    fn name(&self) -> &'static str;

    /// Reads one request and pushes a signal for each flagged thing it belongs to. Time is
    /// read from the request only.
    fn observe(&mut self, req: &Request<'_>, out: &mut Vec<Signal>);

    /// [`Detector::observe`] with the request's shared records (its client's address record
    /// and its (address, endpoint) record), which [`Detection`](crate::Detection) looks up
    /// once for every detector. Built-in detectors keep their per-address and per-pair state
    /// there; the default ignores the records.
    fn observe_shared(
        &mut self,
        req: &Request<'_>,
        shared: &mut Shared<'_>,
        out: &mut Vec<Signal>,
    ) {
        let _ = shared;
        self.observe(req, out);
    }

    /// Counters of the detector's bounded maps, by map name.
    fn stats(&self) -> Vec<(&'static str, KeyedStats)>;

    /// Approximate bytes of state held.
    fn approx_bytes(&self) -> usize;
}

/// Up to eight named figures, without allocating: signals are made on every request of a
/// flagged entity.
#[derive(Debug, Clone, Copy)]
pub struct Figures {
    items: [(&'static str, f64); 8],
    len: u8,
}

impl Figures {
    /// The first eight of `items`.
    pub fn of(items: &[(&'static str, f64)]) -> Self {
        let mut f = Self {
            items: [("", 0.0); 8],
            len: 0,
        };
        for (slot, item) in f.items.iter_mut().zip(items) {
            *slot = *item;
            f.len += 1;
        }
        f
    }

    /// The figures in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        self.items[..usize::from(self.len)].iter().copied()
    }
}

/// A figure's value, or 0.
pub fn figure(f: &BTreeMap<String, f64>, name: &str) -> f64 {
    f.get(name).copied().unwrap_or(0.0)
}

/// A share as a whole percentage.
pub fn pct(x: f64) -> String {
    format!("{:.0} %", x * 100.0)
}
