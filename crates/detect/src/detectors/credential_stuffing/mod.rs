//! `credential_stuffing`: login failures by address, prefix, fingerprint and overall (OWASP
//! API2), including the distributed case of a few attempts per address and a surge overall.
//!
//! - **Catches**: brute force (one address, one account), credential stuffing (one address or
//!   a proxy pool, many accounts), and low-and-slow stuffing spread over thousands of
//!   residential addresses that only shows as a surge of the overall failure ratio.
//! - **Key**: client address; /24 or /48 prefix; autonomous system (with an ASN database);
//!   fingerprint; everything.
//! - **State**: 36 bytes in each address record; about 1 KiB per prefix or fingerprint seen
//!   logging in (distinct sketches and the last 64 addresses, to name them when the campaign
//!   is flagged).
//! - **Evidence**: "48 failed logins of 50 (96 %) within 600 s against 47 accounts from 212
//!   addresses sharing this fingerprint; 2 succeeded".
//!
//! Campaign alerts name the addresses that took part; a client that has shown what real users
//! show (pages, a browser's cookies, a successful login) is not named on a failure alone.

mod config;
#[cfg(test)]
mod tests;

pub use config::CredentialStuffingConfig;

use std::collections::BTreeMap;

use rampart_core::{Owasp, Severity};

use crate::detector::{figure, pct, Detector, Figures, Members, Signal, Subject};
use crate::keyed::{Keyed, KeyedStats};
use crate::merge::Merge;
use crate::request::Request;
use crate::shared::{Alone, Shared};
use crate::sketch::{Distinct, Recent, Window};

/// The detector's name.
pub const NAME: &str = "credential_stuffing";

/// Login attempts in the window of one address, prefix, fingerprint or autonomous system, in
/// 36 bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    window: Window,
    attempts: u32,
    failures: u32,
    successes: u32,
    targets: Distinct,
    fired: bool,
}

impl Merge for Counts {
    fn merge(&mut self, o: &Self) {
        self.window.merge(&o.window);
        self.attempts = self.attempts.saturating_add(o.attempts);
        self.failures = self.failures.saturating_add(o.failures);
        self.successes = self.successes.saturating_add(o.successes);
        self.targets.merge(&o.targets);
        self.fired |= o.fired;
    }
}

impl Counts {
    fn add(&mut self, req: &Request<'_>, window_ms: i64) {
        if self.window.roll(req.time, window_ms) {
            *self = Counts {
                window: self.window,
                fired: self.fired,
                ..Counts::default()
            };
        }
        let Some(login) = req.login else {
            return;
        };
        self.attempts = self.attempts.saturating_add(1);
        self.failures = self.failures.saturating_add(u32::from(login.failed));
        self.successes = self
            .successes
            .saturating_add(u32::from(!login.failed && login.known && req.is_success()));
        if let Some(t) = login.target {
            self.targets.insert(t.0 as u64);
        }
    }

    fn ratio(&self) -> f64 {
        f64::from(self.failures) / f64::from(self.attempts.max(1))
    }
}

#[derive(Debug, Clone, Default)]
struct Campaign {
    counts: Counts,
    ips: Distinct,
    recent: Recent,
}

impl Merge for Campaign {
    fn merge(&mut self, o: &Self) {
        self.counts.merge(&o.counts);
        self.ips.merge(&o.ips);
        self.recent.merge(&o.recent);
    }
}

#[derive(Debug, Clone, Default)]
struct Global {
    window: Window,
    attempts: u32,
    failures: u32,
    baseline: Option<f64>,
    fired: bool,
}

/// The credential-stuffing detector.
#[derive(Debug)]
pub struct CredentialStuffing {
    config: CredentialStuffingConfig,
    alone: Alone,
    prefixes: Keyed<Campaign>,
    fingerprints: Keyed<Campaign>,
    asns: Keyed<Campaign>,
    global: Global,
}

impl CredentialStuffing {
    /// A detector with `config`.
    pub fn new(config: CredentialStuffingConfig) -> Self {
        let idle = config.window_secs as i64 * 1000;
        Self {
            alone: Alone::default(),
            prefixes: Keyed::new(config.max_tracked / 8, idle),
            fingerprints: Keyed::new(config.max_tracked / 8, idle),
            asns: Keyed::new(config.max_tracked / 8, idle),
            global: Global::default(),
            config,
        }
    }

    fn campaign(
        &mut self,
        which: Which,
        key: u64,
        req: &Request<'_>,
        min_failures: u64,
    ) -> Option<(Numbers, Members)> {
        let c = &self.config;
        let window_ms = c.window_secs as i64 * 1000;
        let map = match which {
            Which::Prefix => &mut self.prefixes,
            Which::Fingerprint => &mut self.fingerprints,
            Which::Asn => &mut self.asns,
        };
        let s = map.entry(key, req.time);
        let rolled = s.counts.window.has_passed(req.time, window_ms);
        s.counts.add(req, window_ms);
        if rolled {
            s.ips.clear();
        }
        if let Some(ip) = req.ip {
            s.ips.insert(req.ip_key);
            if !req.traits.looks_human() {
                s.recent.push(ip);
            }
        }
        let f = Numbers::of(&s.counts, s.ips.count(), c.window_secs);
        let member = !req.traits.looks_human();
        if s.counts.fired {
            return member.then_some((f, Members::ThisRequest));
        }
        if u64::from(s.counts.failures) >= min_failures
            && s.ips.count() >= c.campaign_min_ips
            && s.counts.ratio() >= c.campaign_min_failure_ratio
        {
            s.counts.fired = true;
            return Some((f, Members::Backfill(s.recent.take())));
        }
        None
    }

    fn global(&mut self, req: &Request<'_>) -> Option<(Numbers, Members)> {
        let c = &self.config;
        let g = &mut self.global;
        if g.window.roll(req.time, c.global_window_secs as i64 * 1000) {
            if g.attempts >= 20 && !g.fired {
                let r = f64::from(g.failures) / f64::from(g.attempts);
                g.baseline = Some(g.baseline.map_or(r, |b| b * 0.8 + r * 0.2));
            }
            g.attempts = 0;
            g.failures = 0;
            g.fired = false;
        }
        let login = req.login?;
        g.attempts = g.attempts.saturating_add(1);
        g.failures = g.failures.saturating_add(u32::from(login.failed));
        let ratio = f64::from(g.failures) / f64::from(g.attempts);
        let baseline = g.baseline.unwrap_or(0.1);
        let surge = u64::from(g.failures) >= c.global_min_failures
            && ratio >= c.global_min_failure_ratio
            && ratio >= baseline * c.global_surge_factor;
        if surge {
            g.fired = true;
        }
        if !g.fired || !login.failed || req.traits.looks_human() {
            return None;
        }
        let f = Numbers {
            attempts: f64::from(g.attempts),
            failures: f64::from(g.failures),
            ratio,
            baseline,
            successes: 0.0,
            targets: 0.0,
            ips: 0.0,
            window_secs: c.global_window_secs as f64,
        };
        Some((f, Members::ThisRequest))
    }
}

#[derive(Debug, Clone, Copy)]
enum Which {
    Prefix,
    Fingerprint,
    Asn,
}

#[derive(Debug, Clone, Copy)]
struct Numbers {
    attempts: f64,
    failures: f64,
    ratio: f64,
    baseline: f64,
    successes: f64,
    targets: f64,
    ips: f64,
    window_secs: f64,
}

impl Numbers {
    fn of(c: &Counts, ips: u64, window_secs: u64) -> Self {
        Self {
            attempts: f64::from(c.attempts),
            failures: f64::from(c.failures),
            ratio: c.ratio(),
            baseline: 0.0,
            successes: f64::from(c.successes),
            targets: c.targets.count() as f64,
            ips: ips as f64,
            window_secs: window_secs as f64,
        }
    }

    fn signal(
        self,
        subject: Subject,
        members: Members,
        render: fn(&BTreeMap<String, f64>) -> String,
    ) -> Signal {
        let severity = if self.failures >= 100.0 || self.successes >= 1.0 {
            Severity::High
        } else {
            Severity::Medium
        };
        Signal {
            detector: NAME,
            owasp: Owasp::Api2BrokenAuthentication,
            severity,
            subject,
            with_endpoint: true,
            figures: Figures::of(&[
                ("attempts", self.attempts),
                ("failures", self.failures),
                ("failure_ratio", self.ratio),
                ("baseline_failure_ratio", self.baseline),
                ("successes", self.successes),
                ("accounts", self.targets),
                ("addresses", self.ips),
                ("window_secs", self.window_secs),
            ]),
            render,
            members,
            detail: None,
        }
    }
}

fn render_ip(f: &BTreeMap<String, f64>) -> String {
    let accounts = figure(f, "accounts");
    let kind = if accounts <= 2.0 {
        "brute force"
    } else {
        "credential stuffing"
    };
    format!(
        "{kind}: {} failed logins of {} ({}) within {} s from this address against {} accounts; {} succeeded",
        figure(f, "failures"),
        figure(f, "attempts"),
        pct(figure(f, "failure_ratio")),
        figure(f, "window_secs"),
        accounts,
        figure(f, "successes"),
    )
}

fn render_campaign(f: &BTreeMap<String, f64>) -> String {
    format!(
        "credential stuffing: {} failed logins of {} ({}) within {} s against {} accounts from {} addresses; {} succeeded",
        figure(f, "failures"),
        figure(f, "attempts"),
        pct(figure(f, "failure_ratio")),
        figure(f, "window_secs"),
        figure(f, "accounts"),
        figure(f, "addresses"),
        figure(f, "successes"),
    )
}

fn render_global(f: &BTreeMap<String, f64>) -> String {
    format!(
        "login failures surged across the API: {} failed of {} ({}) within {} s against a baseline failure ratio of {}",
        figure(f, "failures"),
        figure(f, "attempts"),
        pct(figure(f, "failure_ratio")),
        figure(f, "window_secs"),
        pct(figure(f, "baseline_failure_ratio")),
    )
}

impl Detector for CredentialStuffing {
    fn name(&self) -> &'static str {
        NAME
    }

    fn observe(&mut self, req: &Request<'_>, out: &mut Vec<Signal>) {
        if req.login.is_none() {
            return;
        }
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
        let Some(login) = req.login else {
            return;
        };
        if !login.known {
            return;
        }
        let (Some(ip), Some(address)) = (req.ip, shared.address.as_deref_mut()) else {
            if let Some((f, m)) = self.global(req) {
                out.push(f.signal(Subject::Global, m, render_global));
            }
            return;
        };
        let c = &self.config;
        let s = &mut address.logins;
        // Behind a corporate NAT, many real users share one address: a failure from a browser
        // with its cookies, on an address that has shown real users, is one of theirs.
        let human = req.traits.looks_human() && req.cookies >= 8;
        if !human {
            s.add(req, c.window_secs as i64 * 1000);
        }
        if !s.fired
            && u64::from(s.failures) >= c.ip_min_failures
            && s.ratio() >= c.ip_min_failure_ratio
        {
            s.fired = true;
        }
        if s.fired {
            let f = Numbers::of(s, 1, c.window_secs);
            out.push(f.signal(Subject::Ip(ip), Members::ThisRequest, render_ip));
        }
        let (min_prefix, min_fp) = (c.prefix_min_failures, c.fingerprint_min_failures);
        if let Some((p, len)) = req.prefix {
            if let Some((f, m)) = self.campaign(Which::Prefix, req.prefix_key, req, min_prefix) {
                out.push(f.signal(Subject::Prefix(p, len), m, render_campaign));
            }
        }
        if let Some(asn) = req.asn {
            let key = u64::from(asn) | 1 << 40;
            if let Some((f, m)) = self.campaign(Which::Asn, key, req, min_prefix) {
                out.push(f.signal(Subject::Asn(asn), m, render_campaign));
            }
        }
        if let Some((f, m)) = self.campaign(Which::Fingerprint, req.fingerprint, req, min_fp) {
            out.push(f.signal(Subject::Fingerprint(req.fingerprint), m, render_campaign));
        }
        if let Some((f, m)) = self.global(req) {
            out.push(f.signal(Subject::Global, m, render_global));
        }
    }

    fn stats(&self) -> Vec<(&'static str, KeyedStats)> {
        vec![
            ("prefixes", self.prefixes.stats()),
            ("fingerprints", self.fingerprints.stats()),
            ("asns", self.asns.stats()),
        ]
    }

    fn approx_bytes(&self) -> usize {
        let heap = |s: &Campaign| s.recent.heap_bytes();
        self.alone.bytes()
            + self.prefixes.approx_bytes_with(heap)
            + self.fingerprints.approx_bytes_with(heap)
            + self.asns.approx_bytes_with(heap)
    }
}
