//! `timing`: request timing too regular for people (OWASP API6), per address and per
//! fingerprint across rotating addresses.
//!
//! - **Catches**: a bot pacing itself (one request every 2.0 s ± 2 %), and the seeds' "single
//!   API endpoint request per IP at two-second intervals": every request from a new address,
//!   the fingerprint and endpoint shared, the clock perfectly steady.
//! - **Key**: client address; (fingerprint, endpoint).
//! - **State**: 40 bytes per address; about 1 KiB per fingerprint-endpoint pair (moments of the
//!   gaps, a distinct sketch of addresses and the last 64 addresses).
//! - **Evidence**: "214 requests 2.00 s apart on average (coefficient of variation 0.01) from
//!   212 distinct addresses sharing this fingerprint".
//!
//! A steady address with gaps of 20 s or more is a scheduled client (an uptime monitor, a
//! cron job): it is reported at `info` severity, which flags nothing.

mod config;
#[cfg(test)]
mod tests;

pub use config::TimingConfig;

use std::collections::BTreeMap;

use rampart_core::{Owasp, Severity};

use crate::detector::{figure, Detector, Figures, Members, Signal, Subject};
use crate::keyed::{Keyed, KeyedStats};
use crate::request::Request;
use crate::sketch::{Admission, Distinct, Moments, Recent};

/// The detector's name.
pub const NAME: &str = "timing";

#[derive(Debug, Clone, Default)]
struct Clock {
    last: i64,
    gaps: Moments,
    fired: bool,
}

impl Clock {
    /// Adds the request's time; gaps of zero (the same millisecond) are bursts, not pacing.
    fn tick(&mut self, now: i64, max_gap_ms: f64) {
        if self.last != 0 && now > self.last {
            let gap = (now - self.last) as f64;
            if gap > max_gap_ms * 3.0 {
                // A long pause starts a new series.
                self.gaps = Moments::default();
            } else {
                self.gaps.push(gap);
            }
        }
        self.last = self.last.max(now);
    }

    fn regular(&self, c: &TimingConfig) -> bool {
        self.gaps.n >= c.min_gaps
            && self.gaps.cv() <= c.max_cv
            && self.gaps.mean() <= c.max_mean_gap_secs * 1000.0
    }
}

#[derive(Debug, Clone, Default)]
struct Campaign {
    clock: Clock,
    requests: u32,
    ips: Distinct,
    recent: Recent,
}

/// The timing detector.
#[derive(Debug)]
pub struct Timing {
    config: TimingConfig,
    ips: Keyed<Clock>,
    door: Admission,
    campaigns: Keyed<Campaign>,
}

impl Timing {
    /// A detector with `config`.
    pub fn new(config: TimingConfig) -> Self {
        let idle = (config.max_mean_gap_secs * 3000.0) as i64;
        Self {
            ips: Keyed::new(config.max_tracked, idle),
            door: Admission::default(),
            campaigns: Keyed::new(config.max_tracked / 4, idle),
            config,
        }
    }
}

fn figures(clock: &Clock, requests: f64, ips: f64) -> Figures {
    Figures::of(&[
        ("requests", requests),
        ("mean_gap_secs", (clock.gaps.mean() / 10.0).round() / 100.0),
        ("gap_cv", (clock.gaps.cv() * 1000.0).round() / 1000.0),
        ("addresses", ips),
    ])
}

fn render_ip(f: &BTreeMap<String, f64>) -> String {
    format!(
        "{} requests {} s apart on average with a coefficient of variation of {}: a steady clock, not a person",
        figure(f, "requests"),
        figure(f, "mean_gap_secs"),
        figure(f, "gap_cv"),
    )
}

fn render_campaign(f: &BTreeMap<String, f64>) -> String {
    format!(
        "{} requests {} s apart on average (coefficient of variation {}) from {} distinct addresses sharing this fingerprint: one clock behind rotating addresses",
        figure(f, "requests"),
        figure(f, "mean_gap_secs"),
        figure(f, "gap_cv"),
        figure(f, "addresses"),
    )
}

impl Detector for Timing {
    fn name(&self) -> &'static str {
        NAME
    }

    fn observe(&mut self, req: &Request<'_>, out: &mut Vec<Signal>) {
        let Some(ip) = req.ip else {
            return;
        };
        let c = &self.config;
        let max_gap_ms = c.max_mean_gap_secs * 1000.0;
        if let Some(clock) = self.ips.admitted(req.ip_key, req.time, &mut self.door) {
            clock.tick(req.time, max_gap_ms);
            if clock.fired || clock.regular(c) {
                clock.fired = true;
                let scheduled = clock.gaps.mean() >= c.scheduled_gap_secs * 1000.0;
                let severity = if scheduled || req.has_credential {
                    Severity::Info
                } else {
                    Severity::Medium
                };
                out.push(Signal {
                    detector: NAME,
                    owasp: Owasp::Api6SensitiveBusinessFlows,
                    severity,
                    subject: Subject::Ip(ip),
                    with_endpoint: false,
                    figures: figures(clock, f64::from(clock.gaps.n + 1), 1.0),
                    render: render_ip,
                    members: Members::None,
                    detail: None,
                });
            }
        }

        let key = req.fingerprint.rotate_left(21) ^ req.endpoint_key;
        let s = self.campaigns.entry(key, req.time);
        s.clock.tick(req.time, max_gap_ms);
        s.requests += 1;
        s.ips.insert(req.ip_key);
        if !s.clock.fired {
            s.recent.push(ip);
        }
        let ips = s.ips.count();
        let rotating = ips as f64 / f64::from(s.requests) >= c.min_rotation_share && ips >= 10;
        let members = if s.clock.fired {
            Members::ThisRequest
        } else if rotating && s.clock.regular(c) {
            s.clock.fired = true;
            Members::Backfill(s.recent.take())
        } else {
            return;
        };
        out.push(Signal {
            detector: NAME,
            owasp: Owasp::Api6SensitiveBusinessFlows,
            severity: Severity::High,
            subject: Subject::Fingerprint(req.fingerprint),
            with_endpoint: true,
            figures: figures(&s.clock, f64::from(s.requests), ips as f64),
            render: render_campaign,
            members,
            detail: None,
        });
    }

    fn stats(&self) -> Vec<(&'static str, KeyedStats)> {
        vec![
            ("addresses", self.ips.stats()),
            ("campaigns", self.campaigns.stats()),
        ]
    }

    fn approx_bytes(&self) -> usize {
        self.ips.approx_bytes() + self.campaigns.approx_bytes() + self.door.bytes()
    }
}
