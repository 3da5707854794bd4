//! The decision book: active decisions, looked up by the scopes of a request.
//!
//! Lookups cost one hash probe per scope kind the request has, plus one per distinct prefix
//! length among prefix decisions, and allocate nothing when no decision applies. Expiry runs on
//! event time. The book is bounded: when it is full, the decision that would expire soonest is
//! evicted (decisions made by hand are evicted only by other manual ones), and evictions are
//! counted, so a flood of alerts cannot grow it.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;
use std::net::IpAddr;

use ipnet::IpNet;
use rampart_core::{Alert, EventTime};
use serde::{Deserialize, Serialize};

use crate::decision::{endpoint_key, shape, Decision, Origin, Scope};
use crate::facts::RequestFacts;
use crate::policy::Policy;

/// What [`DecisionBook::insert`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// A new decision was added.
    Added,
    /// A decision with the same id was there; its action, reason and mode were replaced and
    /// its expiry moved to the later of the two.
    Refreshed,
    /// Added, and this decision was evicted to make room.
    Evicted(Box<Decision>),
    /// Not added: the book is full of decisions that expire later, or of manual ones.
    Rejected,
    /// Not added: it had already expired.
    Expired,
}

/// Counters of the book, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookStats {
    /// Decisions held now (some may have expired since the last [`DecisionBook::expire`]).
    pub active: usize,
    /// Decisions evicted to make room.
    pub evicted: u64,
    /// Decisions refused because the book was full.
    pub rejected: u64,
    /// Decisions removed because they expired.
    pub expired: u64,
}

/// Slot ids by key, for one kind of scope.
#[derive(Debug, Clone)]
struct Index<K: Hash + Eq>(HashMap<K, Vec<u64>>);

impl<K: Hash + Eq> Default for Index<K> {
    fn default() -> Self {
        Self(HashMap::new())
    }
}

impl<K: Hash + Eq> Index<K> {
    fn add(&mut self, key: K, slot: u64) {
        self.0.entry(key).or_default().push(slot);
    }

    fn remove(&mut self, key: &K, slot: u64) {
        if let Some(v) = self.0.get_mut(key) {
            v.retain(|s| *s != slot);
            if v.is_empty() {
                self.0.remove(key);
            }
        }
    }

    fn get<Q>(&self, key: &Q) -> &[u64]
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.get(key).map_or(&[], Vec::as_slice)
    }
}

/// Active decisions with lookup by scope, expiry on event time and a bound on their number.
#[derive(Debug, Clone)]
pub struct DecisionBook {
    cap: usize,
    next_slot: u64,
    slots: HashMap<u64, Decision>,
    ids: HashMap<String, u64>,
    ips: Index<IpAddr>,
    prefixes: Index<IpNet>,
    /// Prefix decisions per (is IPv6, length), to probe only lengths in use.
    prefix_lens: BTreeMap<(bool, u8), usize>,
    sessions: Index<String>,
    principals: Index<String>,
    fingerprints: Index<String>,
    actors: Index<String>,
    /// Endpoint decisions by `METHOD template` (see [`endpoint_key`]).
    endpoints: Index<String>,
    /// (expiry in ms, or `i64::MAX` for none; slot) of automatic decisions.
    auto_expiry: BTreeSet<(i64, u64)>,
    /// The same for manual decisions.
    manual_expiry: BTreeSet<(i64, u64)>,
    stats: BookStats,
}

impl Default for DecisionBook {
    fn default() -> Self {
        Self::new(100_000)
    }
}

/// `s` in lower case, allocating only when it has upper-case letters.
fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

fn expiry_key(d: &Decision) -> i64 {
    d.expires.map_or(i64::MAX, EventTime::as_unix_millis)
}

impl DecisionBook {
    /// An empty book holding at most `cap` decisions (at least 1).
    pub fn new(cap: usize) -> Self {
        Self {
            cap: cap.max(1),
            next_slot: 0,
            slots: HashMap::new(),
            ids: HashMap::new(),
            ips: Index::default(),
            prefixes: Index::default(),
            prefix_lens: BTreeMap::new(),
            sessions: Index::default(),
            principals: Index::default(),
            fingerprints: Index::default(),
            actors: Index::default(),
            endpoints: Index::default(),
            auto_expiry: BTreeSet::new(),
            manual_expiry: BTreeSet::new(),
            stats: BookStats::default(),
        }
    }

    /// The most decisions held.
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// Decisions held.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the book holds none.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The counters.
    pub fn stats(&self) -> BookStats {
        BookStats {
            active: self.slots.len(),
            ..self.stats
        }
    }

    /// The decision with `id`.
    pub fn get(&self, id: &str) -> Option<&Decision> {
        self.ids.get(id).and_then(|s| self.slots.get(s))
    }

    /// Every decision held, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Decision> {
        self.slots.values()
    }

    /// Adds a decision made by hand or by a rule, at event time `now`. A decision whose id is
    /// already held refreshes it.
    pub fn insert(&mut self, decision: Decision, now: EventTime) -> Inserted {
        let mut decision = decision;
        decision.scope = decision.scope.normalized();
        if !decision.is_active(now) {
            return Inserted::Expired;
        }
        if let Some(&slot) = self.ids.get(&decision.id) {
            if let Some(old) = self.slots.get(&slot) {
                if old.scope == decision.scope {
                    let expires = match (old.expires, decision.expires) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        _ => None,
                    };
                    let created = old.created;
                    self.unlink_expiry(slot);
                    if let Some(d) = self.slots.get_mut(&slot) {
                        d.action = decision.action;
                        d.reason = decision.reason;
                        d.mode = decision.mode;
                        d.expires = expires;
                        d.created = created;
                    }
                    self.link_expiry(slot);
                    return Inserted::Refreshed;
                }
            }
            // Same id, other scope: replace.
            self.remove_slot(slot);
        }
        let mut evicted = None;
        if self.slots.len() >= self.cap {
            match self.victim(&decision) {
                Some(slot) => evicted = self.remove_slot(slot),
                None => {
                    self.stats.rejected += 1;
                    return Inserted::Rejected;
                }
            }
            self.stats.evicted += 1;
        }
        self.add_slot(decision);
        match evicted {
            Some(d) => Inserted::Evicted(Box::new(d)),
            None => Inserted::Added,
        }
    }

    /// The slot to evict for `incoming`: the automatic decision expiring soonest, unless the
    /// incoming one expires sooner still; a manual newcomer may evict the soonest manual one.
    fn victim(&self, incoming: &Decision) -> Option<u64> {
        let key = expiry_key(incoming);
        if let Some(&(exp, slot)) = self.auto_expiry.first() {
            return (incoming.origin == Origin::Manual || exp <= key).then_some(slot);
        }
        if incoming.origin == Origin::Manual {
            return self.manual_expiry.first().map(|&(_, slot)| slot);
        }
        None
    }

    /// Makes the decisions `alert` calls for under `policy` at `now` and inserts them. Returns
    /// those added or refreshed, as made, for exporters to publish.
    pub fn apply_alert(&mut self, policy: &Policy, alert: &Alert, now: EventTime) -> Vec<Decision> {
        policy
            .decisions_for(alert, now)
            .into_iter()
            .filter(|d| {
                matches!(
                    self.insert(d.clone(), now),
                    Inserted::Added | Inserted::Refreshed | Inserted::Evicted(_)
                )
            })
            .collect()
    }

    /// Removes the decision with `id`.
    pub fn remove(&mut self, id: &str) -> Option<Decision> {
        let slot = *self.ids.get(id)?;
        self.remove_slot(slot)
    }

    /// Removes every decision on `scope`.
    pub fn remove_scope(&mut self, scope: &Scope) -> Vec<Decision> {
        let scope = scope.clone().normalized();
        let slots: Vec<u64> = self
            .slots
            .iter()
            .filter(|(_, d)| d.scope == scope)
            .map(|(s, _)| *s)
            .collect();
        slots
            .into_iter()
            .filter_map(|s| self.remove_slot(s))
            .collect()
    }

    /// Removes and returns every decision expired at `now`.
    pub fn expire(&mut self, now: EventTime) -> Vec<Decision> {
        let t = now.as_unix_millis();
        let mut slots: Vec<u64> = Vec::new();
        for set in [&self.auto_expiry, &self.manual_expiry] {
            slots.extend(set.iter().take_while(|(e, _)| *e <= t).map(|(_, s)| *s));
        }
        let out: Vec<Decision> = slots
            .into_iter()
            .filter_map(|s| self.remove_slot(s))
            .collect();
        self.stats.expired += out.len() as u64;
        out
    }

    /// The decisions active at `now` on any of the request's scopes: its address, any prefix
    /// holding it, its session, principal, fingerprint and actor, and its endpoint.
    pub fn matching(&self, facts: &RequestFacts, now: EventTime) -> Vec<&Decision> {
        let mut out = Vec::new();
        if self.slots.is_empty() {
            return out;
        }
        let mut push = |slots: &[u64]| {
            for s in slots {
                if let Some(d) = self.slots.get(s) {
                    if d.is_active(now)
                        && d.applies_on(&facts.method, facts.route(), facts.host.as_deref())
                        && !out.iter().any(|o: &&Decision| o.id == d.id)
                    {
                        out.push(d);
                    }
                }
            }
        };
        if let Some(ip) = facts.ip {
            push(self.ips.get(&ip));
            let v6 = ip.is_ipv6();
            for &(is_v6, len) in self.prefix_lens.keys() {
                if is_v6 == v6 {
                    if let Ok(net) = IpNet::new(ip, len) {
                        push(self.prefixes.get(&net.trunc()));
                    }
                }
            }
        }
        if let Some(s) = facts.session.as_deref() {
            push(self.sessions.get(&*lower(s)));
        }
        if let Some(s) = facts.principal.as_deref() {
            push(self.principals.get(&*lower(s)));
        }
        if let Some(s) = facts.fingerprint.as_deref() {
            push(self.fingerprints.get(&*lower(s)));
        }
        if let Some(a) = &facts.actor {
            push(self.actors.get(a.as_str()));
        }
        if !self.endpoints.0.is_empty() {
            let key = format!("{} {}", facts.method, shape(facts.route()));
            push(self.endpoints.get(key.as_str()));
        }
        out
    }

    /// The decisions active at `now` on exactly `scope`.
    pub fn on_scope(&self, scope: &Scope, now: EventTime) -> Vec<&Decision> {
        let scope = scope.clone().normalized();
        let slots = match &scope {
            Scope::Ip(ip) => self.ips.get(ip),
            Scope::Prefix(net) => self.prefixes.get(net),
            Scope::Session(s) => self.sessions.get(s.as_str()),
            Scope::Principal(s) => self.principals.get(s.as_str()),
            Scope::Fingerprint(s) => self.fingerprints.get(s.as_str()),
            Scope::Actor(s) => self.actors.get(s.as_str()),
            Scope::Endpoint(e) => match endpoint_key(e) {
                Some(k) => self.endpoints.get(k.as_str()),
                None => &[],
            },
        };
        slots
            .iter()
            .filter_map(|s| self.slots.get(s))
            .filter(|d| d.is_active(now))
            .collect()
    }

    /// Every decision held, sorted by creation then id, for a store to persist.
    pub fn to_records(&self) -> Vec<Decision> {
        let mut out: Vec<Decision> = self.slots.values().cloned().collect();
        out.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
        out
    }

    /// A book of `cap` holding `records` still active at `now` (as a store gives them back).
    pub fn from_records(
        records: impl IntoIterator<Item = Decision>,
        cap: usize,
        now: EventTime,
    ) -> Self {
        let mut book = Self::new(cap);
        for d in records {
            book.insert(d, now);
        }
        book
    }

    fn add_slot(&mut self, d: Decision) {
        let slot = self.next_slot;
        self.next_slot += 1;
        match &d.scope {
            Scope::Ip(ip) => self.ips.add(*ip, slot),
            Scope::Prefix(net) => {
                self.prefixes.add(*net, slot);
                *self
                    .prefix_lens
                    .entry((matches!(net, IpNet::V6(_)), net.prefix_len()))
                    .or_default() += 1;
            }
            Scope::Session(s) => self.sessions.add(s.clone(), slot),
            Scope::Principal(s) => self.principals.add(s.clone(), slot),
            Scope::Fingerprint(s) => self.fingerprints.add(s.clone(), slot),
            Scope::Actor(s) => self.actors.add(s.clone(), slot),
            Scope::Endpoint(e) => self
                .endpoints
                .add(endpoint_key(e).unwrap_or_default(), slot),
        }
        self.ids.insert(d.id.clone(), slot);
        self.slots.insert(slot, d);
        self.link_expiry(slot);
    }

    fn link_expiry(&mut self, slot: u64) {
        if let Some(d) = self.slots.get(&slot) {
            let key = (expiry_key(d), slot);
            if d.origin == Origin::Manual {
                self.manual_expiry.insert(key);
            } else {
                self.auto_expiry.insert(key);
            }
        }
    }

    fn unlink_expiry(&mut self, slot: u64) {
        if let Some(d) = self.slots.get(&slot) {
            let key = (expiry_key(d), slot);
            self.manual_expiry.remove(&key);
            self.auto_expiry.remove(&key);
        }
    }

    fn remove_slot(&mut self, slot: u64) -> Option<Decision> {
        self.unlink_expiry(slot);
        let d = self.slots.remove(&slot)?;
        self.ids.remove(&d.id);
        match &d.scope {
            Scope::Ip(ip) => self.ips.remove(ip, slot),
            Scope::Prefix(net) => {
                self.prefixes.remove(net, slot);
                let key = (matches!(net, IpNet::V6(_)), net.prefix_len());
                if let Some(n) = self.prefix_lens.get_mut(&key) {
                    *n -= 1;
                    if *n == 0 {
                        self.prefix_lens.remove(&key);
                    }
                }
            }
            Scope::Session(s) => self.sessions.remove(s, slot),
            Scope::Principal(s) => self.principals.remove(s, slot),
            Scope::Fingerprint(s) => self.fingerprints.remove(s, slot),
            Scope::Actor(s) => self.actors.remove(s, slot),
            Scope::Endpoint(e) => self
                .endpoints
                .remove(&endpoint_key(e).unwrap_or_default(), slot),
        }
        Some(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::{Action, Mode};
    use std::time::Duration;

    fn at(ms: i64) -> EventTime {
        EventTime::from_unix_millis(ms)
    }

    fn auto(id: &str, scope: Scope, expires_ms: i64) -> Decision {
        Decision {
            id: id.into(),
            action: Action::Deceive,
            scope,
            reason: String::new(),
            origin: Origin::Rule("r".into()),
            mode: Mode::Enforce,
            created: at(0),
            expires: Some(at(expires_ms)),
            endpoint: None,
        }
    }

    fn ip_facts(ip: &str) -> RequestFacts {
        RequestFacts {
            ip: Some(ip.parse().unwrap()),
            ..RequestFacts::default()
        }
    }

    #[test]
    fn lookups_by_address_prefix_and_hashes() {
        let mut b = DecisionBook::new(10);
        b.insert(
            auto("a", Scope::Ip("192.0.2.1".parse().unwrap()), 100),
            at(0),
        );
        b.insert(
            auto("b", Scope::Prefix("198.51.0.0/16".parse().unwrap()), 100),
            at(0),
        );
        b.insert(auto("c", Scope::Session("ABC".into()), 100), at(0));
        assert_eq!(b.matching(&ip_facts("192.0.2.1"), at(1)).len(), 1);
        assert_eq!(b.matching(&ip_facts("198.51.7.9"), at(1))[0].id, "b");
        assert!(b.matching(&ip_facts("198.52.0.1"), at(1)).is_empty());
        let f = RequestFacts {
            session: Some("abc".into()),
            ..RequestFacts::default()
        };
        assert_eq!(b.matching(&f, at(1))[0].id, "c");
        assert!(b.matching(&f, at(100)).is_empty(), "expired at 100");
    }

    #[test]
    fn full_book_evicts_soonest_to_expire_and_counts() {
        let mut b = DecisionBook::new(2);
        b.insert(auto("a", Scope::Actor("x".into()), 50), at(0));
        b.insert(auto("b", Scope::Actor("y".into()), 80), at(0));
        match b.insert(auto("c", Scope::Actor("z".into()), 90), at(0)) {
            Inserted::Evicted(d) => assert_eq!(d.id, "a"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            b.insert(auto("d", Scope::Actor("w".into()), 10), at(0)),
            Inserted::Rejected
        );
        let s = b.stats();
        assert_eq!((s.active, s.evicted, s.rejected), (2, 1, 1));
    }

    #[test]
    fn manual_decisions_survive_floods() {
        let mut b = DecisionBook::new(1);
        let m = Decision::manual(Action::Allow, Scope::Actor("ok".into()), "", at(0), None);
        b.insert(m.clone(), at(0));
        assert_eq!(
            b.insert(auto("x", Scope::Actor("y".into()), 10), at(0)),
            Inserted::Rejected
        );
        assert!(b.get(&m.id).is_some());
    }

    #[test]
    fn same_id_refreshes_instead_of_growing() {
        let mut b = DecisionBook::new(10);
        let s = Scope::Ip("192.0.2.1".parse().unwrap());
        b.insert(auto("a", s.clone(), 100), at(0));
        assert_eq!(
            b.insert(auto("a", s.clone(), 500), at(50)),
            Inserted::Refreshed
        );
        assert_eq!(b.len(), 1);
        assert_eq!(b.get("a").unwrap().expires, Some(at(500)));
        assert!(b.expire(at(499)).is_empty());
        assert_eq!(b.expire(at(500)).len(), 1);
        assert!(b.is_empty());
        assert_eq!(b.stats().expired, 1);
    }

    #[test]
    fn records_round_trip() {
        let mut b = DecisionBook::new(10);
        b.insert(
            auto("a", Scope::Prefix("10.0.0.0/8".parse().unwrap()), 100),
            at(0),
        );
        let m = Decision::manual(
            Action::Tarpit { delay_ms: 100 },
            Scope::Fingerprint("ff".into()),
            "",
            at(1),
            Some(Duration::from_secs(1)),
        );
        b.insert(m, at(1));
        let json = serde_json::to_string(&b.to_records()).unwrap();
        let back: Vec<Decision> = serde_json::from_str(&json).unwrap();
        let b2 = DecisionBook::from_records(back, 10, at(2));
        assert_eq!(b2.to_records(), b.to_records());
        assert_eq!(b2.matching(&ip_facts("10.1.2.3"), at(2)).len(), 1);
        assert_eq!(
            DecisionBook::from_records(b.to_records(), 10, at(5000)).len(),
            0
        );
    }
}
