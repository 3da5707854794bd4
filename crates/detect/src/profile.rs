//! Client profiles: what each client address has done so far, the traits real users show
//! (pages loaded, many cookies, successful logins, traversal across endpoints) and bots lack.
//!
//! Detectors read a copy of the traits ([`Traits`]) on every request. Campaign detectors use
//! them to decide which of the addresses active during an attack belong to it, so that the
//! corporate NAT, the mobile app and the user who mistyped a password are not swept in.

use crate::keyed::{Keyed, KeyedStats};
use crate::request::Request;
use crate::sketch::Distinct;

/// What a client address has shown so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traits {
    /// Event time of its first request (Unix ms; 0 when new).
    pub first_seen: i64,
    /// Requests so far.
    pub requests: u32,
    /// Pages and static assets loaded.
    pub pages: u32,
    /// Distinct endpoints used (estimated).
    pub endpoints: u16,
    /// Most cookies sent on one request.
    pub max_cookies: u16,
    /// Successful logins.
    pub logins_ok: u16,
    /// Failed logins.
    pub logins_failed: u16,
    /// Requests that carried a credential.
    pub credentialed: u32,
    /// Requests to the endpoint it used most recently in a row.
    pub streak: u32,
    /// That endpoint's key.
    pub streak_endpoint: u64,
}

impl Traits {
    /// Whether the client has shown what real users show: browsing pages, carrying a browser's
    /// cookies, logging in successfully, or moving across several endpoints.
    pub fn looks_human(&self) -> bool {
        self.pages >= 2 || self.max_cookies >= 8 || self.logins_ok >= 1 || self.endpoints >= 5
    }

    /// Whether the client has a history to judge by.
    pub fn is_known(&self) -> bool {
        self.requests >= 3
    }
}

#[derive(Debug, Clone, Default)]
struct ProfileState {
    traits: Traits,
    endpoints: Distinct,
}

/// Bounded client profiles, keyed by client address.
#[derive(Debug, Clone)]
pub struct Profiles {
    map: Keyed<ProfileState>,
}

impl Profiles {
    /// Profiles for at most `cap` addresses; idle ones go first after `idle_ms`.
    pub fn new(cap: usize, idle_ms: i64) -> Self {
        Self {
            map: Keyed::new(cap, idle_ms),
        }
    }

    /// The traits of the request's client before it, then records the request.
    pub fn observe(&mut self, req: &Request<'_>) -> Traits {
        if req.ip.is_none() {
            return Traits::default();
        }
        let state = self.map.entry(req.ip_key, req.time);
        let before = state.traits;
        let t = &mut state.traits;
        if t.first_seen == 0 {
            t.first_seen = req.time;
        }
        t.requests = t.requests.saturating_add(1);
        if req.is_page {
            t.pages = t.pages.saturating_add(1);
        }
        if state.endpoints.insert(req.endpoint_key) {
            t.endpoints = state.endpoints.count().min(u64::from(u16::MAX)) as u16;
        }
        t.max_cookies = t.max_cookies.max(req.cookies);
        if req.has_credential {
            t.credentialed = t.credentialed.saturating_add(1);
        }
        if let Some(login) = req.login {
            if login.failed {
                t.logins_failed = t.logins_failed.saturating_add(1);
            } else if login.known && req.is_success() {
                t.logins_ok = t.logins_ok.saturating_add(1);
            }
        }
        if t.streak_endpoint == req.endpoint_key {
            t.streak = t.streak.saturating_add(1);
        } else {
            t.streak_endpoint = req.endpoint_key;
            t.streak = 1;
        }
        before
    }

    /// Counters of the profile map.
    pub fn stats(&self) -> KeyedStats {
        self.map.stats()
    }

    /// Approximate bytes held.
    pub fn approx_bytes(&self) -> usize {
        self.map.approx_bytes()
    }
}
