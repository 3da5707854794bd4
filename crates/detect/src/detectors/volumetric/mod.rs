//! `volumetric`: traffic against the endpoint's own baseline, and one actor or fingerprint
//! taking an outsized share (OWASP API4).
//!
//! - **Catches**: the seeds' launch-time bot wave at 50x normal, the inventory scrape at 700x
//!   average load, and a scraper taking "90 % of all the customer traffic".
//! - **Key**: endpoint (per-minute rate and its baseline); (address, endpoint) over the share
//!   window; fingerprint over the share window, against all traffic.
//! - **State**: about 64 bytes per endpoint, 12 in each address-endpoint record, 48 per
//!   fingerprint.
//! - **Evidence**: "1,840 requests in the last minute against a baseline of 31 per minute
//!   (59x)"; "this address sent 62 % of the endpoint's 4,100 requests within 300 s".
//!
//! Baselines are learned from the traffic itself on event time and are not updated while the
//! endpoint surges, so an attack does not become the new normal. Endpoint surges name the
//! clients that took part and have shown none of what real users show.

mod config;
#[cfg(test)]
mod tests;

pub use config::VolumetricConfig;

use std::collections::BTreeMap;

use rampart_core::{Owasp, Severity};

use crate::detector::{figure, pct, Detector, Figures, Members, Signal, Subject};
use crate::keyed::{Keyed, KeyedStats};
use crate::merge::Merge;
use crate::request::Request;
use crate::shared::{Alone, Shared};
use crate::sketch::Distinct;

/// The detector's name.
pub const NAME: &str = "volumetric";

/// Clients first seen at most this long before a surge began count as arriving with it.
const SURGE_ARRIVAL_GRACE_MS: i64 = 120_000;

#[derive(Debug, Clone, Default)]
struct Rate {
    minute: i64,
    count: u32,
    baseline: f64,
    minutes: u32,
    surging: bool,
    surge_started: i64,
    share_bucket: i64,
    share_total: u32,
}

/// One address's requests to one endpoint in the current share window, in 12 bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActorCount {
    /// The share window (event time over its length), saturating.
    bucket: u32,
    count: u32,
    fired: bool,
}

impl Merge for ActorCount {
    fn merge(&mut self, o: &Self) {
        match self.bucket.cmp(&o.bucket) {
            std::cmp::Ordering::Equal => self.count = self.count.saturating_add(o.count),
            std::cmp::Ordering::Less => {
                self.bucket = o.bucket;
                self.count = o.count;
            }
            std::cmp::Ordering::Greater => {}
        }
        self.fired |= o.fired;
    }
}

#[derive(Debug, Clone, Default)]
struct FingerprintShare {
    bucket: i64,
    count: u32,
    usual_share: Option<f64>,
    ips: Distinct,
    fired: bool,
}

/// The volumetric detector.
#[derive(Debug)]
pub struct Volumetric {
    config: VolumetricConfig,
    endpoints: Keyed<Rate>,
    fingerprints: Keyed<FingerprintShare>,
    alone: Alone,
    total_bucket: i64,
    total: u32,
    previous_total: u32,
}

impl Volumetric {
    /// A detector with `config`.
    pub fn new(config: VolumetricConfig) -> Self {
        let idle = config.share_window_secs as i64 * 1000 * 2;
        Self {
            endpoints: Keyed::new(config.max_tracked / 10, 3_600_000),
            fingerprints: Keyed::new(config.max_tracked / 4, idle * 6),
            alone: Alone::default(),
            total_bucket: 0,
            total: 0,
            previous_total: 0,
            config,
        }
    }

    fn endpoint_rate(&mut self, req: &Request<'_>, out: &mut Vec<Signal>) -> u32 {
        let c = &self.config;
        let minute = req.time.div_euclid(60_000);
        let bucket = req.time.div_euclid(c.share_window_secs as i64 * 1000);
        let r = self.endpoints.entry(req.endpoint_key, req.time);
        if r.minutes == 0 && r.minute == 0 {
            r.minute = minute;
        }
        if minute > r.minute {
            let passed = (minute - r.minute).min(120) as i32;
            if !r.surging {
                // Empty minutes count as zeros.
                let decay = 0.9f64.powi(passed - 1);
                r.baseline = if r.minutes == 0 {
                    f64::from(r.count)
                } else {
                    (r.baseline * 0.9 + f64::from(r.count) * 0.1) * decay
                };
                r.minutes += passed as u32;
            }
            // A surge carries into the next minute while the last full minute surged.
            let was = r.surging;
            r.surging =
                was && passed == 1 && f64::from(r.count) >= r.baseline.max(1.0) * c.surge_factor;
            r.minute = minute;
            r.count = 0;
        }
        r.count = r.count.saturating_add(1);
        if bucket != r.share_bucket {
            r.share_bucket = bucket;
            r.share_total = 0;
        }
        r.share_total = r.share_total.saturating_add(1);
        let share_total = r.share_total;
        let baseline = r.baseline.max(1.0);
        let judged = r.minutes >= c.warmup_minutes;
        if judged
            && f64::from(r.count) >= baseline * c.surge_factor
            && u64::from(r.count) >= c.min_surge_per_minute
        {
            if !r.surging {
                r.surge_started = req.time;
            }
            r.surging = true;
        }
        // A surge is made of clients that arrived with it: the app users and customers who
        // were there before it are not named, even when they show no browser traits.
        let arrived_with_it = req.traits.first_seen == 0
            || req.traits.first_seen >= r.surge_started - SURGE_ARRIVAL_GRACE_MS;
        // Authenticated users are accountable by their principal, which the per-principal
        // detectors follow; a surge alone names anonymous clients only.
        if r.surging && !req.traits.looks_human() && arrived_with_it && req.principal.is_none() {
            out.push(Signal {
                detector: NAME,
                owasp: Owasp::Api4UnrestrictedResourceConsumption,
                severity: Severity::Medium,
                subject: Subject::Endpoint(req.endpoint_key),
                with_endpoint: true,
                figures: Figures::of(&[
                    ("requests_last_minute", f64::from(r.count)),
                    ("baseline_per_minute", (r.baseline * 10.0).round() / 10.0),
                    ("factor", (f64::from(r.count) / baseline).round()),
                ]),
                render: render_surge,
                members: Members::ThisRequest,
                detail: None,
            });
        }
        share_total
    }

    fn fingerprint_share(&mut self, req: &Request<'_>, bucket: i64, out: &mut Vec<Signal>) {
        let c = &self.config;
        let total = self.total;
        let f = self.fingerprints.entry(req.fingerprint, req.time);
        if f.bucket != bucket {
            if f.bucket != 0 && !f.fired && self.previous_total >= 100 && f.bucket + 1 == bucket {
                let s = f64::from(f.count) / f64::from(self.previous_total);
                f.usual_share = Some(f.usual_share.map_or(s, |u| u * 0.7 + s * 0.3));
            }
            f.bucket = bucket;
            f.count = 0;
            f.ips.clear();
            f.fired = false;
        }
        f.count = f.count.saturating_add(1);
        f.ips.insert(req.ip_key);
        let share = f64::from(f.count) / f64::from(total.max(1));
        let usual = f.usual_share.unwrap_or(0.0);
        if !f.fired
            && u64::from(f.count) >= c.min_fingerprint_requests
            && share >= c.max_fingerprint_share
            && share >= usual * c.fingerprint_share_factor
            && f.ips.count() >= 10
        {
            f.fired = true;
        }
        if f.fired && !req.traits.looks_human() && req.principal.is_none() {
            out.push(Signal {
                detector: NAME,
                owasp: Owasp::Api4UnrestrictedResourceConsumption,
                severity: Severity::High,
                subject: Subject::Fingerprint(req.fingerprint),
                with_endpoint: false,
                figures: Figures::of(&[
                    ("share", share),
                    ("all_requests", f64::from(total)),
                    ("addresses", f.ips.count() as f64),
                    ("usual_share", usual),
                    ("window_secs", c.share_window_secs as f64),
                ]),
                render: render_fingerprint,
                members: Members::ThisRequest,
                detail: None,
            });
        }
    }
}

fn render_surge(f: &BTreeMap<String, f64>) -> String {
    format!(
        "{} requests in one minute against a baseline of {} per minute ({}x normal)",
        figure(f, "requests_last_minute"),
        figure(f, "baseline_per_minute"),
        figure(f, "factor"),
    )
}

fn render_actor(f: &BTreeMap<String, f64>) -> String {
    format!(
        "this address sent {} of the endpoint's {} requests within {} s",
        pct(figure(f, "share")),
        figure(f, "endpoint_requests"),
        figure(f, "window_secs"),
    )
}

fn render_fingerprint(f: &BTreeMap<String, f64>) -> String {
    format!(
        "one client fingerprint sent {} of all {} requests within {} s from {} addresses (usually {})",
        pct(figure(f, "share")),
        figure(f, "all_requests"),
        figure(f, "window_secs"),
        figure(f, "addresses"),
        pct(figure(f, "usual_share")),
    )
}

impl Detector for Volumetric {
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
        let share_total = self.endpoint_rate(req, out);
        let c = &self.config;
        let window_ms = c.share_window_secs as i64 * 1000;
        let bucket = req.time.div_euclid(window_ms);
        if bucket != self.total_bucket {
            self.previous_total = if bucket == self.total_bucket + 1 {
                self.total
            } else {
                0
            };
            self.total_bucket = bucket;
            self.total = 0;
        }
        self.total = self.total.saturating_add(1);
        let Some(ip) = req.ip else {
            return;
        };

        let Some(pair) = shared.pair.as_deref_mut() else {
            return self.fingerprint_share(req, bucket, out);
        };
        let a = &mut pair.volumetric;
        let bucket32 = bucket.clamp(0, i64::from(u32::MAX)) as u32;
        if a.bucket != bucket32 {
            a.bucket = bucket32;
            a.count = 0;
        }
        a.count = a.count.saturating_add(1);
        let share = f64::from(a.count) / f64::from(share_total.max(1));
        if a.fired || (u64::from(a.count) >= c.min_actor_requests && share >= c.max_actor_share) {
            a.fired = true;
            out.push(Signal {
                detector: NAME,
                owasp: Owasp::Api4UnrestrictedResourceConsumption,
                severity: Severity::Medium,
                subject: Subject::Ip(ip),
                with_endpoint: true,
                figures: Figures::of(&[
                    ("share", share),
                    ("endpoint_requests", f64::from(share_total)),
                    ("window_secs", c.share_window_secs as f64),
                ]),
                render: render_actor,
                members: Members::ThisRequest,
                detail: None,
            });
        }

        self.fingerprint_share(req, bucket, out);
    }

    fn stats(&self) -> Vec<(&'static str, KeyedStats)> {
        vec![
            ("endpoints", self.endpoints.stats()),
            ("fingerprints", self.fingerprints.stats()),
        ]
    }

    fn approx_bytes(&self) -> usize {
        self.endpoints.approx_bytes() + self.fingerprints.approx_bytes() + self.alone.bytes()
    }
}
