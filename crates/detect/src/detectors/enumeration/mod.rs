//! `enumeration`: one actor walking many object ids on one endpoint (BOLA, OWASP API1).
//!
//! - **Catches**: a client or principal requesting many distinct ids of one endpoint template
//!   (`/users/{id}`), sequentially or not, with many 401/403/404 answers, or ids that its own
//!   earlier responses never handed it.
//! - **Key**: (client address, endpoint) and (principal, endpoint).
//! - **State**: 56 bytes per key (a 16-byte distinct sketch and counters; for addresses, in the
//!   shared address-endpoint record), plus a 64-byte filter of the ids handed out in responses
//!   per client address.
//! - **Evidence**: "41 distinct ids on GET api.example/users/{} in 600 s from this actor;
//!   63 % answered 401/403/404, 95 % sequential, 37 answered with data".

mod config;
#[cfg(test)]
mod tests;

pub use config::EnumerationConfig;

use std::collections::BTreeMap;

use rampart_core::{Owasp, Severity};

use crate::detector::{figure, pct, Detector, Figures, Members, Signal, Subject};
use crate::keyed::{Keyed, KeyedStats};
use crate::merge::Merge;
use crate::request::Request;
use crate::shared::{Alone, Shared};
use crate::sketch::{Admission, Distinct, Seen, Window};

/// One actor's walk over the ids of one endpoint in the window, in 56 bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Walk {
    window: Window,
    requests: u32,
    misses: u32,
    successes: u32,
    sequential: u32,
    unhanded: u32,
    last_id: i64,
    ids: Distinct,
    fired: bool,
}

impl Merge for Walk {
    fn merge(&mut self, o: &Self) {
        self.window.merge(&o.window);
        self.requests = self.requests.saturating_add(o.requests);
        self.misses = self.misses.saturating_add(o.misses);
        self.successes = self.successes.saturating_add(o.successes);
        self.sequential = self.sequential.saturating_add(o.sequential);
        self.unhanded = self.unhanded.saturating_add(o.unhanded);
        if o.last_id != 0 {
            self.last_id = o.last_id;
        }
        self.ids.merge(&o.ids);
        self.fired |= o.fired;
    }
}

/// The enumeration detector.
#[derive(Debug)]
pub struct Enumeration {
    config: EnumerationConfig,
    /// Walks of sessions and principals (those of addresses are in the shared records).
    walks: Keyed<Walk>,
    handed: Keyed<Handed>,
    door: Admission,
    alone: Alone,
    /// Scratch for the ids of one response.
    ids: Vec<u64>,
}

/// Ids handed to one client beyond which its filter is saturated.
const SATURATED: u32 = 400;

/// The ids handed to one client in responses.
#[derive(Debug, Clone, Copy, Default)]
struct Handed {
    ids: Seen,
    count: u32,
}

impl Merge for Handed {
    fn merge(&mut self, o: &Self) {
        self.ids.merge(&o.ids);
        self.count = self.count.saturating_add(o.count);
    }
}

impl Enumeration {
    /// A detector with `config`.
    pub fn new(config: EnumerationConfig) -> Self {
        let idle = config.window_secs as i64 * 1000;
        Self {
            walks: Keyed::new(config.max_tracked, idle),
            handed: Keyed::new(config.max_tracked / 2, idle * 6),
            door: Admission::default(),
            alone: Alone::default(),
            ids: Vec::new(),
            config,
        }
    }

    fn step(&mut self, key: u64, handed: Option<&Handed>, req: &Request<'_>) -> Option<Numbers> {
        let s = self.walks.admitted(key, req.time, &mut self.door)?;
        step(s, &self.config, handed, req)
    }

    fn record_handed(&mut self, req: &Request<'_>) {
        let Some(body) = req.ex.response_body.as_ref() else {
            return;
        };
        if !req.is_success() || !crate::ids::is_json(body) {
            return;
        }
        // Past a few hundred ids the filter is saturated (it says "handed" of almost any id)
        // and "never handed" no longer counts: reading more would change nothing.
        if self
            .handed
            .touch(req.ip_key, req.time)
            .is_some_and(|h| h.count >= SATURATED)
        {
            return;
        }
        let mut ids = std::mem::take(&mut self.ids);
        ids.clear();
        crate::ids::handed_ids(&body.bytes, &mut ids);
        if !ids.is_empty() {
            let seen = self.handed.entry(req.ip_key, req.time);
            for &h in &ids {
                seen.ids.insert(h);
                seen.count = seen.count.saturating_add(1);
            }
        }
        self.ids = ids;
    }
}

/// Counts the request into the walk `s`; the walk's numbers when it is (or just became)
/// flagged.
fn step(
    s: &mut Walk,
    c: &EnumerationConfig,
    handed: Option<&Handed>,
    req: &Request<'_>,
) -> Option<Numbers> {
    let window_ms = c.window_secs as i64 * 1000;
    if s.window.roll(req.time, window_ms) {
        *s = Walk {
            window: s.window,
            fired: s.fired,
            ..Walk::default()
        };
    }
    s.requests = s.requests.saturating_add(1);
    s.ids.insert(req.object_key);
    s.misses = s.misses.saturating_add(u32::from(req.is_miss()));
    s.successes = s.successes.saturating_add(u32::from(req.is_success()));
    if let Ok(id) = req.shape.object.unwrap_or("").parse::<i64>() {
        if s.last_id != 0 && id.abs_diff(s.last_id) <= 3 && id != s.last_id {
            s.sequential = s.sequential.saturating_add(1);
        }
        s.last_id = id;
    }
    // "Never handed" means something only once the client has been handed enough ids for
    // the filter to say so (and before it saturates).
    let handed_any = handed.is_some_and(|h| h.count >= c.min_distinct_ids as u32 && h.count <= 120);
    if handed.is_none_or(|h| !h.ids.contains(req.object_key)) {
        s.unhanded = s.unhanded.saturating_add(1);
    }
    let n = f64::from(s.requests);
    // The sketch can overshoot; there are never more distinct ids than requests.
    let distinct = s.ids.count().min(u64::from(s.requests));
    let f = Numbers {
        distinct: distinct as f64,
        requests: n,
        miss_share: f64::from(s.misses) / n,
        sequential_share: f64::from(s.sequential) / (n - 1.0).max(1.0),
        unhanded_share: f64::from(s.unhanded) / n,
        successes: f64::from(s.successes),
        window_secs: c.window_secs as f64,
    };
    if s.fired {
        return Some(f);
    }
    let enough = distinct >= c.min_distinct_ids && f.distinct / n >= c.min_distinct_share;
    let walk = f.miss_share >= c.min_miss_share
        || f.sequential_share >= c.min_sequential_share
        || (handed_any && f.unhanded_share >= c.min_unhanded_share);
    if enough && walk {
        s.fired = true;
        return Some(f);
    }
    None
}

#[derive(Debug, Clone, Copy)]
struct Numbers {
    distinct: f64,
    requests: f64,
    miss_share: f64,
    sequential_share: f64,
    unhanded_share: f64,
    successes: f64,
    window_secs: f64,
}

impl Numbers {
    fn signal(self, subject: Subject, members: Members, req: &Request<'_>) -> Signal {
        let severity = if req.facts.sensitive_response && !req.has_credential {
            Severity::Critical
        } else if self.successes >= 10.0 {
            Severity::High
        } else {
            Severity::Medium
        };
        Signal {
            detector: NAME,
            owasp: Owasp::Api1BrokenObjectLevelAuthorization,
            severity,
            subject,
            with_endpoint: true,
            figures: Figures::of(&[
                ("distinct_ids", self.distinct),
                ("requests", self.requests),
                ("miss_share", self.miss_share),
                ("sequential_share", self.sequential_share),
                ("unhanded_share", self.unhanded_share),
                ("answered_with_data", self.successes),
                ("window_secs", self.window_secs),
            ]),
            render,
            members,
            detail: None,
        }
    }
}

fn render(f: &BTreeMap<String, f64>) -> String {
    format!(
        "{} distinct ids in {} requests within {} s from this actor; {} answered 401/403/404, \
         {} sequential, {} ids never handed to it, {} answered with data",
        figure(f, "distinct_ids"),
        figure(f, "requests"),
        figure(f, "window_secs"),
        pct(figure(f, "miss_share")),
        pct(figure(f, "sequential_share")),
        pct(figure(f, "unhanded_share")),
        figure(f, "answered_with_data"),
    )
}

/// The detector's name.
pub const NAME: &str = "enumeration";

fn pair(actor: u64, endpoint: u64) -> u64 {
    actor.rotate_left(29) ^ endpoint.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

impl Detector for Enumeration {
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
        if req.ip.is_some() {
            self.record_handed(req);
        }
        if req.shape.object.is_none() {
            return;
        }
        let handed = self.handed.get(req.ip_key).copied();
        // Behind a corporate NAT, many real users each read their own few objects: requests
        // of browsers with their cookies on an address that shows real users are followed by
        // their session instead of by the address.
        let real_user = req.traits.looks_human() && req.cookies >= 8;
        if let (Some(ip), Some(pair), false) = (req.ip, shared.pair.as_deref_mut(), real_user) {
            if let Some(f) = step(&mut pair.enumeration, &self.config, handed.as_ref(), req) {
                out.push(f.signal(Subject::Ip(ip), Members::ThisRequest, req));
            }
        }
        if let (Some(s), true) = (req.session, real_user) {
            if let Some(f) = self.step(pair(s.0 as u64, req.endpoint_key), handed.as_ref(), req) {
                out.push(f.signal(Subject::Session(s), Members::ThisRequest, req));
            }
        }
        if let Some(p) = req.principal {
            if let Some(f) = self.step(pair(p.0 as u64, req.endpoint_key), handed.as_ref(), req) {
                out.push(f.signal(Subject::Principal(p), Members::ThisRequest, req));
            }
        }
    }

    fn stats(&self) -> Vec<(&'static str, KeyedStats)> {
        vec![
            ("walks", self.walks.stats()),
            ("handed", self.handed.stats()),
        ]
    }

    fn approx_bytes(&self) -> usize {
        self.walks.approx_bytes()
            + self.handed.approx_bytes()
            + self.door.bytes()
            + self.alone.bytes()
    }
}
