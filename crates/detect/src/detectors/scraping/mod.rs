//! `scraping`: one actor walking the parameter space of an endpoint (OWASP API6), such as the
//! seeds' inventory search scraped through 153,000 ZIP code and SKU combinations.
//!
//! - **Catches**: many distinct query-parameter combinations on one endpoint from one address,
//!   or from one fingerprint spread over rotating addresses.
//! - **Key**: (address, endpoint); (fingerprint, endpoint).
//! - **State**: about 56 bytes per pair (a 32-byte distinct sketch and counters).
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
use crate::request::Request;
use crate::sketch::{Admission, Distinct, Window};

/// The detector's name.
pub const NAME: &str = "scraping";

#[derive(Debug, Clone, Default)]
struct State {
    window: Window,
    requests: u32,
    combinations: Distinct,
    fired: bool,
}

/// The scraping detector.
#[derive(Debug)]
pub struct Scraping {
    config: ScrapingConfig,
    pairs: Keyed<State>,
    door: Admission,
}

impl Scraping {
    /// A detector with `config`.
    pub fn new(config: ScrapingConfig) -> Self {
        Self {
            pairs: Keyed::new(config.max_tracked, config.window_secs as i64 * 1000),
            door: Admission::default(),
            config,
        }
    }

    fn step(&mut self, key: u64, combo: u64, req: &Request<'_>) -> Option<(f64, f64)> {
        let c = &self.config;
        let s = self.pairs.admitted(key, req.time, &mut self.door)?;
        if s.window.roll(req.time, c.window_secs as i64 * 1000) {
            *s = State {
                window: s.window,
                fired: s.fired,
                ..State::default()
            };
        }
        s.requests += 1;
        s.combinations.insert(combo);
        let distinct = s.combinations.count();
        let share = distinct as f64 / f64::from(s.requests);
        if !s.fired && distinct >= c.min_distinct_combinations && share >= c.min_distinct_share {
            s.fired = true;
        }
        s.fired.then_some((distinct as f64, f64::from(s.requests)))
    }
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
        let key = req.ip_key.rotate_left(7) ^ req.endpoint_key;
        if let Some((distinct, requests)) = self.step(key, combo, req) {
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
        self.pairs.approx_bytes() + self.door.bytes()
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
