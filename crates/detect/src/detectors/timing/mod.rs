//! `timing`: request timing too regular for people (OWASP API6), per address and per
//! fingerprint across rotating addresses.
//!
//! - **Catches**: a bot pacing itself (one request every 2.0 s ± 2 %), and the seeds' "single
//!   API endpoint request per IP at two-second intervals": every request from a new address,
//!   the fingerprint and endpoint shared, the clock perfectly steady.
//! - **Key**: client address; (fingerprint, endpoint).
//! - **State**: 20 bytes in each address record (the last time and the moments of the gaps);
//!   about 1 KiB per fingerprint-endpoint pair (the same, a distinct sketch of addresses and
//!   the last 64 addresses).
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
use crate::merge::Merge;
use crate::request::Request;
use crate::shared::{Alone, Shared};
use crate::sketch::{Distinct, Moments, Recent};

/// The detector's name.
pub const NAME: &str = "timing";

/// Bit of [`Clock::flags`]: a request was seen.
const SEEN: u8 = 1;
/// Bit of [`Clock::flags`]: the clock was flagged.
const FIRED: u8 = 2;
/// Bit of [`Clock::flags`]: a second request was seen, so gaps are counted from the next one.
const STARTED: u8 = 4;

/// The gaps between one entity's requests, in 20 bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Clock {
    /// The latest request's time, Unix ms modulo 2^32 (gaps are differences, and a gap
    /// longer than three times the longest mean gap starts a new series anyway).
    last: u32,
    gaps: Moments,
    flags: u8,
}

impl Clock {
    /// Adds the request's time; gaps of zero (the same millisecond) are bursts, not pacing.
    /// With `from_second`, the clock starts at the entity's second request: the gap after a
    /// client's first request (a page, then the script) says nothing of its pace.
    fn tick(&mut self, now: i64, max_gap_ms: f64, from_second: bool) {
        let now32 = now as u32;
        if self.flags & SEEN == 0 {
            self.flags |= SEEN;
            self.last = now32;
            return;
        }
        if from_second && self.flags & STARTED == 0 {
            self.flags |= STARTED;
            self.last = now32;
            return;
        }
        let delta = f64::from(now32.wrapping_sub(self.last) as i32);
        if delta > 0.0 {
            if delta > max_gap_ms * 3.0 {
                // A long pause starts a new series.
                self.gaps = Moments::default();
            } else {
                self.gaps.push(delta);
            }
            self.last = now32;
        } else if delta < -max_gap_ms * 3.0 {
            // Far behind the last time: the series is stale (or the clock wrapped); start over.
            self.gaps = Moments::default();
            self.last = now32;
        }
    }

    fn regular(&self, c: &TimingConfig) -> bool {
        self.gaps.n >= c.min_gaps
            && self.gaps.cv() <= c.max_cv
            && self.gaps.mean() <= c.max_mean_gap_secs * 1000.0
    }

    fn fired(&self) -> bool {
        self.flags & FIRED != 0
    }
}

impl Merge for Clock {
    fn merge(&mut self, other: &Self) {
        if other.flags & SEEN != 0
            && (self.flags & SEEN == 0 || (other.last.wrapping_sub(self.last) as i32) > 0)
        {
            self.last = other.last;
        }
        self.gaps.merge(&other.gaps);
        self.flags |= other.flags;
    }
}

#[derive(Debug, Clone, Default)]
struct Campaign {
    clock: Clock,
    requests: u32,
    ips: Distinct,
    recent: Recent,
}

impl Merge for Campaign {
    fn merge(&mut self, other: &Self) {
        self.clock.merge(&other.clock);
        self.requests = self.requests.saturating_add(other.requests);
        self.ips.merge(&other.ips);
        self.recent.merge(&other.recent);
    }
}

/// The timing detector.
#[derive(Debug)]
pub struct Timing {
    config: TimingConfig,
    campaigns: Keyed<Campaign>,
    alone: Alone,
}

impl Timing {
    /// A detector with `config`.
    pub fn new(config: TimingConfig) -> Self {
        let idle = (config.max_mean_gap_secs * 3000.0) as i64;
        Self {
            campaigns: Keyed::new(config.max_tracked / 4, idle),
            alone: Alone::default(),
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
        let max_gap_ms = c.max_mean_gap_secs * 1000.0;
        if let Some(address) = shared.address.as_deref_mut() {
            let clock = &mut address.timing;
            clock.tick(req.time, max_gap_ms, true);
            if clock.fired() || clock.regular(c) {
                clock.flags |= FIRED;
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
        s.clock.tick(req.time, max_gap_ms, false);
        s.requests = s.requests.saturating_add(1);
        s.ips.insert(req.ip_key);
        if !s.clock.fired() {
            s.recent.push(ip);
        }
        let ips = s.ips.count();
        let rotating = ips as f64 / f64::from(s.requests) >= c.min_rotation_share && ips >= 10;
        let members = if s.clock.fired() {
            Members::ThisRequest
        } else if rotating && s.clock.regular(c) {
            s.clock.flags |= FIRED;
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
        vec![("campaigns", self.campaigns.stats())]
    }

    fn approx_bytes(&self) -> usize {
        self.campaigns.approx_bytes_with(|s| s.recent.heap_bytes()) + self.alone.bytes()
    }
}
