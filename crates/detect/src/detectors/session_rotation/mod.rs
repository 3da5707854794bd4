//! `session_rotation`: many sessions per client, and browsers without a browser's cookies
//! (OWASP API2 / API6).
//!
//! - **Catches**: the seeds' "each IP address showed high session rotation" (a fresh session
//!   cookie or token on most requests, from one address or one fingerprint over rotating
//!   addresses), and "each attack generated a single cookie whereas typical users would
//!   generate upwards of 40-50 cookies".
//! - **Key**: client address; fingerprint.
//! - **State**: 32 bytes in each address record; 48 per fingerprint.
//! - **Evidence**: "48 distinct sessions in 52 requests within 600 s (0.92 per request)";
//!   "81 requests claiming a browser with at most 1 cookie".
//!
//! Many sessions behind one address are normal for a corporate NAT, but each of them makes many
//! requests: only sessions per request tells rotation apart.

mod config;
#[cfg(test)]
mod tests;

pub use config::SessionRotationConfig;

use std::collections::BTreeMap;

use rampart_core::{Owasp, Severity};

use crate::detector::{figure, Detector, Figures, Members, Signal, Subject};
use crate::keyed::{Keyed, KeyedStats};
use crate::merge::Merge;
use crate::request::Request;
use crate::shared::{Alone, Shared};
use crate::sketch::{Distinct, Window};

/// The detector's name.
pub const NAME: &str = "session_rotation";

/// Sessions per address across a fingerprint at or above which its clients rotate sessions.
const MIN_SESSIONS_PER_ADDRESS: f64 = 3.0;

/// Bit of the flags: rotating sessions was reported.
const ROTATING: u8 = 1;
/// Bit of the flags: the cookie anomaly was reported.
const COOKIE_FIRED: u8 = 2;

/// What one address has shown of its sessions in the window, in 32 bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddressRotation {
    window: Window,
    requests: u32,
    sessions: Distinct,
    cookieless: u32,
    flags: u8,
}

impl AddressRotation {
    fn roll(&mut self, now: i64, window_ms: i64) {
        if self.window.roll(now, window_ms) {
            *self = Self {
                window: self.window,
                flags: self.flags,
                ..Self::default()
            };
        }
    }
}

impl Merge for AddressRotation {
    fn merge(&mut self, o: &Self) {
        self.window.merge(&o.window);
        self.requests = self.requests.saturating_add(o.requests);
        self.sessions.merge(&o.sessions);
        self.cookieless = self.cookieless.saturating_add(o.cookieless);
        self.flags |= o.flags;
    }
}

/// What one fingerprint has shown of its sessions in the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct FingerprintRotation {
    window: Window,
    requests: u32,
    sessions: Distinct,
    ips: Distinct,
    rotating: bool,
}

impl Merge for FingerprintRotation {
    fn merge(&mut self, o: &Self) {
        self.window.merge(&o.window);
        self.requests = self.requests.saturating_add(o.requests);
        self.sessions.merge(&o.sessions);
        self.ips.merge(&o.ips);
        self.rotating |= o.rotating;
    }
}

/// The session-rotation detector.
#[derive(Debug)]
pub struct SessionRotation {
    config: SessionRotationConfig,
    fingerprints: Keyed<FingerprintRotation>,
    alone: Alone,
}

impl SessionRotation {
    /// A detector with `config`.
    pub fn new(config: SessionRotationConfig) -> Self {
        let idle = config.window_secs as i64 * 1000;
        Self {
            fingerprints: Keyed::new(config.max_tracked / 4, idle),
            alone: Alone::default(),
            config,
        }
    }
}

fn rotation_figures(sessions: u64, requests: u32, ips: u64, window_secs: u64) -> Figures {
    let sessions = sessions as f64;
    Figures::of(&[
        ("sessions", sessions),
        ("requests", f64::from(requests)),
        (
            "sessions_per_request",
            ((sessions / f64::from(requests.max(1))).min(1.0) * 100.0).round() / 100.0,
        ),
        ("addresses", ips as f64),
        (
            "sessions_per_address",
            (sessions / ips.max(1) as f64 * 10.0).round() / 10.0,
        ),
        ("window_secs", window_secs as f64),
    ])
}

fn render_rotation(f: &BTreeMap<String, f64>) -> String {
    format!(
        "{} distinct sessions in {} requests within {} s ({} per request, {} per address) from {} address(es)",
        figure(f, "sessions"),
        figure(f, "requests"),
        figure(f, "window_secs"),
        figure(f, "sessions_per_request"),
        figure(f, "sessions_per_address"),
        figure(f, "addresses"),
    )
}

fn render_cookies(f: &BTreeMap<String, f64>) -> String {
    format!(
        "{} requests claiming a browser but carrying at most {} cookie(s); browsers carry dozens",
        figure(f, "cookieless_requests"),
        figure(f, "max_cookies"),
    )
}

impl Detector for SessionRotation {
    fn name(&self) -> &'static str {
        NAME
    }

    fn observe(&mut self, req: &Request<'_>, out: &mut Vec<Signal>) {
        let mut alone = std::mem::take(&mut self.alone);
        alone.with(req, |shared| self.observe_shared(req, shared, out));
        self.alone = alone;
    }

    fn observe_shared(
        &mut self,
        req: &Request<'_>,
        shared: &mut Shared<'_>,
        out: &mut Vec<Signal>,
    ) {
        let Some(ip) = req.ip else {
            return;
        };
        let c = &self.config;
        let window_ms = c.window_secs as i64 * 1000;
        if let Some(address) = shared.address.as_deref_mut() {
            let s = &mut address.rotation;
            s.roll(req.time, window_ms);
            // Behind a NAT many real users share the address, each with a browser's cookies and a
            // session of its own: their sessions are not rotation.
            let real_user = req.traits.looks_human() && req.cookies >= 8;
            if !real_user {
                s.requests = s.requests.saturating_add(1);
                if req.session.is_some() {
                    s.sessions.insert(req.session_key());
                }
            }
            let browser = req.ua_facts.claims_browser;
            if browser && !req.is_page && req.cookies <= c.max_browser_cookies {
                s.cookieless = s.cookieless.saturating_add(1);
            }
            let sessions = s.sessions.count();
            let per_request = sessions as f64 / f64::from(s.requests.max(1));
            if !real_user
                && (s.flags & ROTATING != 0
                    || (sessions >= c.min_sessions && per_request >= c.min_sessions_per_request))
            {
                s.flags |= ROTATING;
                out.push(Signal {
                    detector: NAME,
                    owasp: Owasp::Api2BrokenAuthentication,
                    severity: Severity::Medium,
                    subject: Subject::Ip(ip),
                    with_endpoint: false,
                    figures: rotation_figures(
                        sessions,
                        s.requests,
                        u64::from(s.requests > 0),
                        c.window_secs,
                    ),
                    render: render_rotation,
                    members: Members::ThisRequest,
                    detail: None,
                });
            }
            if browser
                && req.cookies <= c.max_browser_cookies
                && !req.traits.looks_human()
                && (s.flags & COOKIE_FIRED != 0 || s.cookieless >= c.min_cookieless_requests)
            {
                s.flags |= COOKIE_FIRED;
                out.push(Signal {
                    detector: NAME,
                    owasp: Owasp::Api6SensitiveBusinessFlows,
                    severity: Severity::Low,
                    subject: Subject::Ip(ip),
                    with_endpoint: false,
                    figures: Figures::of(&[
                        ("cookieless_requests", f64::from(s.cookieless)),
                        ("max_cookies", f64::from(c.max_browser_cookies)),
                    ]),
                    render: render_cookies,
                    members: Members::None,
                    detail: None,
                });
            }
        }

        // A newcomer's first requests always bring a new session: only clients with a history
        // that shows nothing of a real user count towards a fingerprint's rotation.
        if req.traits.looks_human() || !req.traits.is_known() || req.session.is_none() {
            return;
        }
        let f = self.fingerprints.entry(req.fingerprint, req.time);
        if f.window.roll(req.time, window_ms) {
            *f = FingerprintRotation {
                window: f.window,
                rotating: f.rotating,
                ..FingerprintRotation::default()
            };
        }
        f.requests = f.requests.saturating_add(1);
        f.ips.insert(req.ip_key);
        f.sessions.insert(req.session_key());
        // Across a fingerprint, what tells rotation from many light clients is sessions per
        // address: each real client keeps one, a rotating bot churns through several.
        let sessions = f.sessions.count();
        let ips = f.ips.count().max(1);
        if f.rotating
            || (sessions >= c.min_sessions * 5
                && sessions as f64 / ips as f64 >= MIN_SESSIONS_PER_ADDRESS
                && ips >= 10)
        {
            f.rotating = true;
            out.push(Signal {
                detector: NAME,
                owasp: Owasp::Api2BrokenAuthentication,
                severity: Severity::Medium,
                subject: Subject::Fingerprint(req.fingerprint),
                with_endpoint: false,
                figures: rotation_figures(sessions, f.requests, f.ips.count(), c.window_secs),
                render: render_rotation,
                members: Members::ThisRequest,
                detail: None,
            });
        }
    }

    fn stats(&self) -> Vec<(&'static str, KeyedStats)> {
        vec![("fingerprints", self.fingerprints.stats())]
    }

    fn approx_bytes(&self) -> usize {
        self.fingerprints.approx_bytes() + self.alone.bytes()
    }
}
