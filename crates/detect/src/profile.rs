//! Client profiles: what each client address has done so far, the traits real users show
//! (pages loaded, many cookies, successful logins, traversal across endpoints) and bots lack.
//!
//! Detectors read a copy of the traits ([`Traits`]) on every request. Campaign detectors use
//! them to decide which of the addresses active during an attack belong to it, so that the
//! corporate NAT, the mobile app and the user who mistyped a password are not swept in. The
//! profile itself ([`Profile`], 36 bytes) lives in the client's shared address record
//! ([`crate::address::AddressState`]).

use crate::merge::Merge;
use crate::request::Request;
use crate::sketch::Few;

/// What a client address has shown so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traits {
    /// Event time of its first request (Unix ms, to the second; 0 when new).
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
    /// That endpoint's key (its low 32 bits).
    pub streak_endpoint: u32,
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

    /// Whether a request to `endpoint_key` continues the current streak.
    pub fn continues_streak(&self, endpoint_key: u64) -> bool {
        self.streak > 0 && self.streak_endpoint == endpoint_key as u32
    }
}

/// A client's profile as kept: [`Traits`] in 36 bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Profile {
    first_seen: u32,
    requests: u32,
    streak: u32,
    streak_endpoint: u32,
    endpoints: Few,
    pages: u16,
    max_cookies: u16,
    logins_ok: u16,
    logins_failed: u16,
    credentialed: u16,
}

impl Profile {
    /// The traits so far.
    pub fn traits(&self) -> Traits {
        Traits {
            first_seen: i64::from(self.first_seen) * 1000,
            requests: self.requests,
            pages: u32::from(self.pages),
            endpoints: self.endpoints.count().min(u64::from(u16::MAX)) as u16,
            max_cookies: self.max_cookies,
            logins_ok: self.logins_ok,
            logins_failed: self.logins_failed,
            credentialed: u32::from(self.credentialed),
            streak: self.streak,
            streak_endpoint: self.streak_endpoint,
        }
    }

    /// Records the request.
    pub fn record(&mut self, req: &Request<'_>) {
        if self.first_seen == 0 {
            self.first_seen = req.secs.max(1);
        }
        self.requests = self.requests.saturating_add(1);
        if req.is_page {
            self.pages = self.pages.saturating_add(1);
        }
        self.endpoints.insert(req.endpoint_key);
        self.max_cookies = self.max_cookies.max(req.cookies);
        if req.has_credential {
            self.credentialed = self.credentialed.saturating_add(1);
        }
        if let Some(login) = req.login {
            if login.failed {
                self.logins_failed = self.logins_failed.saturating_add(1);
            } else if login.known && req.is_success() {
                self.logins_ok = self.logins_ok.saturating_add(1);
            }
        }
        let endpoint = req.endpoint_key as u32;
        if self.streak > 0 && self.streak_endpoint == endpoint {
            self.streak = self.streak.saturating_add(1);
        } else {
            self.streak_endpoint = endpoint;
            self.streak = 1;
        }
    }
}

impl Merge for Profile {
    /// Counts add, the earliest first sighting and the most cookies win; the streak is the
    /// other's when it is on the same endpoint (they add) or longer.
    fn merge(&mut self, o: &Profile) {
        if self.first_seen == 0 || (o.first_seen != 0 && o.first_seen < self.first_seen) {
            self.first_seen = o.first_seen;
        }
        self.requests = self.requests.saturating_add(o.requests);
        self.pages = self.pages.saturating_add(o.pages);
        self.endpoints.merge(&o.endpoints);
        self.max_cookies = self.max_cookies.max(o.max_cookies);
        self.logins_ok = self.logins_ok.saturating_add(o.logins_ok);
        self.logins_failed = self.logins_failed.saturating_add(o.logins_failed);
        self.credentialed = self.credentialed.saturating_add(o.credentialed);
        if self.streak_endpoint == o.streak_endpoint {
            self.streak = self.streak.saturating_add(o.streak);
        } else if o.streak > self.streak {
            self.streak = o.streak;
            self.streak_endpoint = o.streak_endpoint;
        }
    }
}
