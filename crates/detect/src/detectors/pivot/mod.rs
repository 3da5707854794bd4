//! `pivot`: an actor moving to a twin API after working the first one (OWASP API9 / API6),
//! such as the seeds' scrapers that "initially targeted the web API, but quickly pivoted to
//! the analogous mobile API".
//!
//! - **Catches**: the same fingerprint, or the same address, hitting one resource
//!   (`/inventory`) on one API surface (`/api/v1`, `www.` host) and then on its twin
//!   (`/mobile/v1`, `m.` host), most of all after it met refusals (403, 429) on the first.
//! - **Key**: (fingerprint, resource) and (address, resource), where the resource is the path
//!   shape without its surface prefix (words such as `api`, `mobile` and versions).
//! - **State**: 48 bytes per pair.
//! - **Evidence**: "moved to a twin API after 420 requests and 96 refusals on the first;
//!   212 requests on the twin so far".

mod config;
#[cfg(test)]
mod tests;

pub use config::PivotConfig;

use std::collections::BTreeMap;

use rampart_core::{Owasp, Severity};
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use crate::detector::{figure, Detector, Figures, Members, Signal, Subject};
use crate::keyed::{Keyed, KeyedStats};
use crate::request::Request;
use crate::shape::Segment;
use crate::sketch::Admission;

/// The detector's name.
pub const NAME: &str = "pivot";

#[derive(Debug, Clone, Default)]
struct State {
    first_surface: u64,
    first_requests: u32,
    first_refusals: u32,
    twin_surface: u64,
    twin_requests: u32,
    fired: bool,
}

/// Slots of the memo of (surface, resource) by endpoint.
const SPLIT_SLOTS: usize = 1024;

/// The web-to-mobile pivot detector.
#[derive(Debug)]
pub struct Pivot {
    config: PivotConfig,
    pairs: Keyed<State>,
    door: Admission,
    /// (endpoint key, surface, resource), direct-mapped: the split is a function of the
    /// method, host and shape, which the endpoint key hashes, and a few endpoints take most
    /// requests.
    splits: Vec<(u64, u64, u64)>,
}

impl Pivot {
    /// A detector with `config`.
    pub fn new(config: PivotConfig) -> Self {
        Self {
            pairs: Keyed::new(config.max_tracked, 6 * 3_600_000),
            door: Admission::default(),
            splits: vec![(0, 0, 0); SPLIT_SLOTS],
            config,
        }
    }

    /// [`Pivot::split`], memoised by endpoint key.
    fn split_memo(&mut self, req: &Request<'_>) -> (u64, u64) {
        let slot = (req.endpoint_key as usize) & (SPLIT_SLOTS - 1);
        let (key, surface, resource) = self.splits[slot];
        if key == req.endpoint_key && key != 0 {
            return (surface, resource);
        }
        let (surface, resource) = self.split(req);
        self.splits[slot] = (req.endpoint_key, surface, resource);
        (surface, resource)
    }

    /// (surface, resource) hashes of a request: the host's first label and the leading
    /// surface segments make the surface; the rest of the shape, with the method, the resource.
    fn split(&self, req: &Request<'_>) -> (u64, u64) {
        let host = req.ex.host.as_deref().unwrap_or("");
        let label = host.split('.').next().unwrap_or("");
        let mut surface = xxh3_64(label.as_bytes());
        let mut resource = xxh3_64(req.ex.method.as_bytes());
        let mut in_surface = true;
        for seg in req.shape.segments() {
            if in_surface {
                if let Segment::Literal(l) = seg {
                    let is_surface = self
                        .config
                        .surface_words
                        .iter()
                        .any(|w| w.eq_ignore_ascii_case(l))
                        || is_version(l);
                    if is_surface {
                        surface = xxh3_64_with_seed(l.as_bytes(), surface);
                        continue;
                    }
                }
                in_surface = false;
            }
            resource = match seg {
                Segment::Literal(l) => xxh3_64_with_seed(l.as_bytes(), resource),
                Segment::Id => resource.rotate_left(17) ^ 0x9e37_79b9_7f4a_7c15,
            };
        }
        (surface, resource)
    }

    fn step(&mut self, key: u64, surface: u64, req: &Request<'_>) -> Option<State> {
        let c = &self.config;
        let s = self.pairs.admitted(key, req.time, &mut self.door)?;
        let refused = matches!(req.ex.status, Some(403 | 429));
        if s.first_surface == 0 || s.first_surface == surface {
            s.first_surface = surface;
            s.first_requests += 1;
            s.first_refusals += u32::from(refused);
            return None;
        }
        if s.twin_surface != 0 && s.twin_surface != surface {
            return None;
        }
        s.twin_surface = surface;
        s.twin_requests += 1;
        let worked = s.first_requests >= c.min_first_requests
            || (s.first_refusals >= 10 && s.first_requests >= c.min_first_requests / 3);
        if s.fired || (worked && s.twin_requests >= c.min_twin_requests) {
            s.fired = true;
            return Some(s.clone());
        }
        None
    }
}

fn is_version(seg: &str) -> bool {
    let rest = seg.strip_prefix(['v', 'V']).unwrap_or("");
    !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

fn render(f: &BTreeMap<String, f64>) -> String {
    format!(
        "moved to a twin API after {} requests and {} refusals (403/429) on the first; {} requests on the twin so far",
        figure(f, "first_requests"),
        figure(f, "first_refusals"),
        figure(f, "twin_requests"),
    )
}

fn signal(s: &State, subject: Subject, members: Members) -> Signal {
    Signal {
        detector: NAME,
        owasp: Owasp::Api9ImproperInventoryManagement,
        severity: if s.first_refusals > 0 {
            Severity::High
        } else {
            Severity::Medium
        },
        subject,
        with_endpoint: true,
        figures: Figures::of(&[
            ("first_requests", f64::from(s.first_requests)),
            ("first_refusals", f64::from(s.first_refusals)),
            ("twin_requests", f64::from(s.twin_requests)),
        ]),
        render,
        members,
        detail: None,
    }
}

impl Detector for Pivot {
    fn name(&self) -> &'static str {
        NAME
    }

    fn observe(&mut self, req: &Request<'_>, out: &mut Vec<Signal>) {
        let Some(ip) = req.ip else {
            return;
        };
        if req.is_page {
            return;
        }
        let (surface, resource) = self.split_memo(req);
        if let Some(s) = self.step(req.ip_key.rotate_left(9) ^ resource, surface, req) {
            out.push(signal(&s, Subject::Ip(ip), Members::ThisRequest));
        }
        // Real users of one fingerprint use both the site and the app only by coincidence;
        // their requests do not count towards a fingerprint's move.
        if req.traits.looks_human() {
            return;
        }
        if let Some(s) = self.step(req.fingerprint.rotate_left(3) ^ resource, surface, req) {
            out.push(signal(
                &s,
                Subject::Fingerprint(req.fingerprint),
                Members::ThisRequest,
            ));
        }
    }

    fn stats(&self) -> Vec<(&'static str, KeyedStats)> {
        vec![("pairs", self.pairs.stats())]
    }

    fn approx_bytes(&self) -> usize {
        self.pairs.approx_bytes() + self.door.bytes() + self.splits.capacity() * 24
    }
}
