//! `scraping`: one actor walking the parameter space of an endpoint (OWASP API6), such as the
//! seeds' inventory search scraped through 153,000 ZIP code and SKU combinations.
//!
//! - **Catches**: many distinct query-parameter combinations on one endpoint from one address,
//!   or from one fingerprint spread over rotating addresses.
//! - **Key**: (address, endpoint); (fingerprint, endpoint).
//! - **State**: 28 bytes per pair (a 16-byte distinct sketch and counters; for addresses, in
//!   the shared address-endpoint record).
//! - **Evidence**: "412 distinct parameter combinations (zip, sku) in 430 requests within
//!   600 s".
//!
//! Declared search-engine crawlers are reported at `info` severity (allow-list them by user
//! agent or network in the policy); the parameter *values* are never kept, only hashed.

mod config;
#[cfg(test)]
mod tests;

pub use config::ScrapingConfig;

use std::collections::BTreeMap;

use rampart_core::{fast_hash, Owasp, Severity};

use crate::detector::{figure, pct, Detector, Figures, Members, Signal, Subject};
use crate::keyed::{Keyed, KeyedStats};
use crate::merge::Merge;
use crate::request::Request;
use crate::shared::{Alone, Shared};
use crate::sketch::{Admission, Distinct, Window};

/// The detector's name.
pub const NAME: &str = "scraping";

/// One actor's walk over the query combinations of one endpoint in the window, in 28 bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Combinations {
    window: Window,
    requests: u32,
    combinations: Distinct,
    fired: bool,
}

impl Merge for Combinations {
    fn merge(&mut self, o: &Self) {
        self.window.merge(&o.window);
        self.requests = self.requests.saturating_add(o.requests);
        self.combinations.merge(&o.combinations);
        self.fired |= o.fired;
    }
}

/// The scraping detector.
#[derive(Debug)]
pub struct Scraping {
    config: ScrapingConfig,
    /// Walks of fingerprints (those of addresses are in the shared records).
    pairs: Keyed<Combinations>,
    door: Admission,
    alone: Alone,
}

impl Scraping {
    /// A detector with `config`.
    pub fn new(config: ScrapingConfig) -> Self {
        Self {
            pairs: Keyed::new(config.max_tracked, config.window_secs as i64 * 1000),
            door: Admission::default(),
            alone: Alone::default(),
            config,
        }
    }

    fn step(&mut self, key: u64, combo: u64, req: &Request<'_>) -> Option<(f64, f64)> {
        let s = self.pairs.admitted(key, req.time, &mut self.door)?;
        step(s, &self.config, combo, req)
    }
}

/// Counts the request's combination into `s`; (distinct, requests) once flagged.
fn step(
    s: &mut Combinations,
    c: &ScrapingConfig,
    combo: u64,
    req: &Request<'_>,
) -> Option<(f64, f64)> {
    if s.window.roll(req.time, c.window_secs as i64 * 1000) {
        *s = Combinations {
            window: s.window,
            fired: s.fired,
            ..Combinations::default()
        };
    }
    s.requests = s.requests.saturating_add(1);
    s.combinations.insert(combo);
    let distinct = s.combinations.count();
    let share = distinct as f64 / f64::from(s.requests);
    if !s.fired && distinct >= c.min_distinct_combinations && share >= c.min_distinct_share {
        s.fired = true;
    }
    s.fired.then_some((distinct as f64, f64::from(s.requests)))
}

/// The hash of the query's values (names in order give the combination's shape; the hash
/// covers names and values).
fn combination(query: &str) -> u64 {
    fast_hash(query.as_bytes())
}

fn render(f: &BTreeMap<String, f64>) -> String {
    format!(
        "{} distinct parameter combinations in {} requests ({}) within {} s",
        figure(f, "combinations"),
        figure(f, "requests"),
        pct(figure(f, "combinations") / figure(f, "requests").max(1.0)),
        figure(f, "window_secs"),
    )
}

impl Detector for Scraping {
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
        let (Some(ip), Some(query)) = (req.ip, req.ex.query.as_deref()) else {
            return;
        };
        if query.is_empty() {
            return;
        }
        let combo = combination(query);
        let window = self.config.window_secs as f64;
        // Judged only when a signal is made: most requests make none.
        let severity = || {
            if req.ua_facts.declared_crawler {
                Severity::Info
            } else {
                Severity::Medium
            }
        };
        let walked = shared
            .pair
            .as_deref_mut()
            .and_then(|p| step(&mut p.scraping, &self.config, combo, req));
        if let Some((distinct, requests)) = walked {
            out.push(signal(
                Subject::Ip(ip),
                severity(),
                distinct,
                requests,
                window,
                Members::ThisRequest,
            ));
        }
        // Fingerprints are shared by many real users: only clients that have shown nothing of
        // a real user count towards a fingerprint's walk.
        if req.traits.looks_human() {
            return;
        }
        let key = req.fingerprint.rotate_left(11) ^ req.endpoint_key;
        if let Some((distinct, requests)) = self.step(key, combo, req) {
            out.push(signal(
                Subject::Fingerprint(req.fingerprint),
                severity(),
                distinct,
                requests,
                window,
                Members::ThisRequest,
            ));
        }
    }

    fn stats(&self) -> Vec<(&'static str, KeyedStats)> {
        vec![("pairs", self.pairs.stats())]
    }

    fn approx_bytes(&self) -> usize {
        self.pairs.approx_bytes() + self.door.bytes() + self.alone.bytes()
    }
}

fn signal(
    subject: Subject,
    severity: Severity,
    distinct: f64,
    requests: f64,
    window: f64,
    members: Members,
) -> Signal {
    Signal {
        detector: NAME,
        owasp: Owasp::Api6SensitiveBusinessFlows,
        severity,
        subject,
        with_endpoint: true,
        figures: Figures::of(&[
            ("combinations", distinct),
            ("requests", requests),
            ("window_secs", window),
        ]),
        render,
        members,
        detail: None,
    }
}
