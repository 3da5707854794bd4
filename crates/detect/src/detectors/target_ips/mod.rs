//! `target_ips`: one user name, phone number or personal object tried from many client
//! addresses (OWASP API2 / API6), the tell of attacks rotated through proxy pools.
//!
//! - **Catches**: "each phone number attempted from over 200 IP addresses"; one account's
//!   password tried from a rotating pool; one customer record fetched from many addresses.
//! - **Key**: the target: the user name of a login, or the object of a personal endpoint
//!   (`/users/{}`, `/numbers/{}`), as a keyed hash.
//! - **State**: about 1 KiB per target tried (a distinct sketch of addresses and the last 64 of
//!   them, to name them when the target is flagged).
//! - **Evidence**: "this target was tried from 212 distinct addresses in 230 requests within
//!   3600 s (92 % of requests from a new address)".

mod config;
#[cfg(test)]
mod tests;

pub use config::TargetIpsConfig;

use std::collections::BTreeMap;

use rampart_core::{HashTag, Owasp, Severity};

use crate::detector::{figure, pct, Detector, Figures, Members, Signal, Subject};
use crate::keyed::{Keyed, KeyedStats};
use crate::request::Request;
use crate::sketch::{Admission, Distinct, Recent, Window};

/// The detector's name.
pub const NAME: &str = "target_ips";

#[derive(Debug, Clone, Default)]
struct State {
    window: Window,
    requests: u32,
    ips: Distinct,
    recent: Recent,
    fired: bool,
}

/// The many-addresses-per-target detector.
#[derive(Debug)]
pub struct TargetIps {
    config: TargetIpsConfig,
    targets: Keyed<State>,
    door: Admission,
}

impl TargetIps {
    /// A detector with `config`.
    pub fn new(config: TargetIpsConfig) -> Self {
        Self {
            targets: Keyed::new(config.max_tracked, config.window_secs as i64 * 1000),
            door: Admission::default(),
            config,
        }
    }

    /// The target's key, and its keyed hash when it is already known (a login's user name);
    /// an object's keyed hash is computed only when an alert names it.
    fn target(&self, req: &Request<'_>) -> Option<(u64, Option<HashTag>)> {
        if let Some(t) = req.login.and_then(|l| l.target) {
            return Some((t.0 as u64, Some(t)));
        }
        req.shape.object?;
        let personal = matches!(
            req.shape.object_kind,
            Some(crate::shape::IdKind::Phone | crate::shape::IdKind::Email)
        ) || req.shape.literals().any(|seg| {
            self.config
                .personal_words
                .iter()
                .any(|w| w.eq_ignore_ascii_case(seg))
        });
        personal.then_some((req.object_key, None))
    }
}

fn render(f: &BTreeMap<String, f64>) -> String {
    format!(
        "this target was tried from {} distinct addresses in {} requests within {} s ({} of \
         requests from a distinct address)",
        figure(f, "addresses"),
        figure(f, "requests"),
        figure(f, "window_secs"),
        pct(figure(f, "address_share")),
    )
}

impl Detector for TargetIps {
    fn name(&self) -> &'static str {
        NAME
    }

    fn observe(&mut self, req: &Request<'_>, out: &mut Vec<Signal>) {
        let (Some(ip), Some((target_key, known_tag))) = (req.ip, self.target(req)) else {
            return;
        };
        // A public profile viewed by many people is popular, not attacked: requests from
        // clients that have shown what real users show are not counted.
        if req.traits.looks_human() {
            return;
        }
        let c = &self.config;
        let Some(s) = self.targets.admitted(target_key, req.time, &mut self.door) else {
            return;
        };
        if s.window.roll(req.time, c.window_secs as i64 * 1000) {
            *s = State {
                window: s.window,
                fired: s.fired,
                ..State::default()
            };
        }
        s.requests += 1;
        s.ips.insert(req.ip_key);
        s.recent.push(ip);
        let ips = s.ips.count();
        let share = ips as f64 / f64::from(s.requests);
        let members = if s.fired {
            Members::ThisRequest
        } else if ips >= c.min_ips && share >= c.min_ip_share {
            s.fired = true;
            Members::Backfill(s.recent.take())
        } else {
            return;
        };
        let Some(target) = known_tag.or_else(|| req.object_tag()) else {
            return;
        };
        out.push(Signal {
            detector: NAME,
            owasp: if req.login.is_some() {
                Owasp::Api2BrokenAuthentication
            } else {
                Owasp::Api6SensitiveBusinessFlows
            },
            severity: Severity::High,
            subject: Subject::Target(target),
            with_endpoint: true,
            figures: Figures::of(&[
                ("addresses", ips as f64),
                ("requests", f64::from(s.requests)),
                ("address_share", share.min(1.0)),
                ("window_secs", c.window_secs as f64),
            ]),
            render,
            members,
            detail: None,
        });
    }

    fn stats(&self) -> Vec<(&'static str, KeyedStats)> {
        vec![("targets", self.targets.stats())]
    }

    fn approx_bytes(&self) -> usize {
        self.targets.approx_bytes() + self.door.bytes()
    }
}
