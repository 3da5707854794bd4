//! What each client did before its current request: how many requests its session (or, for a
//! client without one, its authenticated user) sent and were served, on how many endpoints,
//! and since when. The `history` condition reads it, so that a rule can tell a client that
//! browsed the site before it logged in from a tool whose first request is the login.
//!
//! Each client costs 24 bytes (first request, count, a 64-bit set of endpoint hashes) under an
//! 8-byte hashed key, in a map bounded in two generations like the rate limiter's: when the
//! current generation is full, the previous one is dropped whole, and a client found in it
//! moves back. A dropped client starts again with no history, which can only make a rule that
//! exempts clients with history stricter, never looser.

use std::collections::HashMap;

use rampart_core::{fast_hash, EventTime};

use crate::facts::RequestFacts;

/// A client's history before the request being judged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seen {
    /// Event time (Unix ms) of its first request that was served.
    pub first_ms: i64,
    /// Requests served before this one.
    pub requests: u32,
    /// Endpoints (method and template) those requests went to, as a 64-bit set of hashes.
    endpoints: u64,
}

impl Seen {
    /// Distinct endpoints seen (a lower bound: two endpoints may share a bit).
    pub fn endpoints(&self) -> u32 {
        self.endpoints.count_ones()
    }

    /// How long before `now` its first request came, in milliseconds (0 when in the future).
    pub fn age_ms(&self, now: EventTime) -> i64 {
        now.as_unix_millis().saturating_sub(self.first_ms).max(0)
    }
}

/// The key a request's history is kept under: its session, else its authenticated user.
/// `None` when it has neither (such a client has no history).
pub(crate) fn client_key(facts: &RequestFacts) -> Option<u64> {
    if let Some(s) = facts.session.as_deref() {
        return Some(fast_hash(s.as_bytes()) ^ 0x5E55_1011);
    }
    facts
        .principal
        .as_deref()
        .map(|p| fast_hash(p.as_bytes()) ^ 0x9121_C1DA)
}

/// The bit of the request's endpoint in [`Seen`]'s endpoint set.
fn endpoint_bit(facts: &RequestFacts) -> u64 {
    let h =
        fast_hash(facts.method.as_bytes()).rotate_left(29) ^ fast_hash(facts.route().as_bytes());
    1u64 << (h % 64)
}

/// Histories of clients, bounded (see the module documentation).
#[derive(Debug, Clone)]
pub struct History {
    current: HashMap<u64, Seen>,
    previous: HashMap<u64, Seen>,
    generation_cap: usize,
    dropped: u64,
}

impl Default for History {
    fn default() -> Self {
        Self::new(100_000)
    }
}

impl History {
    /// Histories of at most `max_clients` clients (at least 2).
    pub fn new(max_clients: usize) -> Self {
        Self {
            current: HashMap::new(),
            previous: HashMap::new(),
            generation_cap: (max_clients / 2).max(1),
            dropped: 0,
        }
    }

    /// Changes the bound; clients over it are dropped at the next generation change.
    pub fn set_max_clients(&mut self, max_clients: usize) {
        self.generation_cap = (max_clients / 2).max(1);
    }

    /// The history of the client with `key` before now.
    pub fn get(&self, key: u64) -> Option<Seen> {
        self.current
            .get(&key)
            .or_else(|| self.previous.get(&key))
            .copied()
    }

    /// Notes that the request was served: one more request of its client, on its endpoint.
    pub fn record(&mut self, facts: &RequestFacts, now: EventTime) {
        let Some(key) = client_key(facts) else {
            return;
        };
        let bit = endpoint_bit(facts);
        let mut seen = match self.current.get(&key) {
            Some(s) => *s,
            None => self.previous.remove(&key).unwrap_or(Seen {
                first_ms: now.as_unix_millis(),
                requests: 0,
                endpoints: 0,
            }),
        };
        seen.requests = seen.requests.saturating_add(1);
        seen.endpoints |= bit;
        seen.first_ms = seen.first_ms.min(now.as_unix_millis());
        if !self.current.contains_key(&key) && self.current.len() >= self.generation_cap {
            self.dropped += self.previous.len() as u64;
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(key, seen);
    }

    /// Clients tracked now.
    pub fn len(&self) -> usize {
        self.current.len() + self.previous.len()
    }

    /// Whether no client is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Clients dropped to stay within the bound.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(session: Option<&str>, route: &str) -> RequestFacts {
        RequestFacts {
            method: "GET".into(),
            path: route.into(),
            session: session.map(str::to_owned),
            ..RequestFacts::default()
        }
    }

    fn at(ms: i64) -> EventTime {
        EventTime::from_unix_millis(ms)
    }

    #[test]
    fn counts_requests_endpoints_and_age() {
        let mut h = History::default();
        let key = client_key(&facts(Some("ab"), "/")).unwrap();
        assert_eq!(h.get(key), None);
        h.record(&facts(Some("ab"), "/"), at(1_000));
        h.record(&facts(Some("ab"), "/products"), at(2_000));
        h.record(&facts(Some("ab"), "/products"), at(3_000));
        let seen = h.get(key).unwrap();
        assert_eq!(seen.requests, 3);
        assert_eq!(seen.endpoints(), 2);
        assert_eq!(seen.age_ms(at(11_000)), 10_000);
        assert_eq!(seen.age_ms(at(0)), 0);
    }

    #[test]
    fn clients_without_session_or_user_have_none() {
        let mut h = History::default();
        h.record(&facts(None, "/"), at(0));
        assert!(h.is_empty());
        let mut f = facts(None, "/");
        f.principal = Some("u1".into());
        assert!(client_key(&f).is_some());
        assert_ne!(client_key(&f), client_key(&facts(Some("u1"), "/")));
    }

    #[test]
    fn bounded_in_two_generations() {
        let mut h = History::new(10);
        for i in 0..100 {
            h.record(&facts(Some(&format!("s{i}")), "/"), at(i));
        }
        assert!(h.len() <= 10, "{}", h.len());
        assert!(h.dropped() > 0);
        // The latest client is still known.
        assert!(h
            .get(client_key(&facts(Some("s99"), "/")).unwrap())
            .is_some());
    }
}
