//! `direct_to_api`: clients that hammer one API without the traversal real clients show
//! (OWASP API6).
//!
//! - **Catches**: the seeds' inventory scraper that "target[ed] the inventory API directly,
//!   without hitting any other app or web function".
//! - **Key**: client address, through the shared client profile (no state of its own).
//! - **State**: none beyond the profile.
//! - **Evidence**: "312 requests in a row to this endpoint and 1 endpoint in all, no page
//!   loaded, no credential".
//!
//! Clients presenting credentials (mobile apps, partner integrations) and clients that have
//! loaded pages are not judged: direct API use is normal for them.

mod config;
#[cfg(test)]
mod tests;

pub use config::DirectToApiConfig;

use std::collections::BTreeMap;

use rampart_core::{Owasp, Severity};

use crate::detector::{figure, Detector, Figures, Members, Signal, Subject};
use crate::keyed::KeyedStats;
use crate::request::Request;

/// The detector's name.
pub const NAME: &str = "direct_to_api";

/// The direct-to-API detector.
#[derive(Debug)]
pub struct DirectToApi {
    config: DirectToApiConfig,
}

impl DirectToApi {
    /// A detector with `config`.
    pub fn new(config: DirectToApiConfig) -> Self {
        Self { config }
    }
}

fn render(f: &BTreeMap<String, f64>) -> String {
    format!(
        "{} requests in a row to this endpoint and {} endpoints in all, no page loaded, no credential: \
         no traversal of the application",
        figure(f, "streak"),
        figure(f, "endpoints"),
    )
}

impl Detector for DirectToApi {
    fn name(&self) -> &'static str {
        NAME
    }

    fn observe(&mut self, req: &Request<'_>, out: &mut Vec<Signal>) {
        let Some(ip) = req.ip else {
            return;
        };
        let t = &req.traits;
        let streak = if t.continues_streak(req.endpoint_key) {
            t.streak + 1
        } else {
            1
        };
        if req.is_page
            || t.pages > 0
            || t.credentialed > 0
            || req.has_credential
            || t.endpoints > self.config.max_endpoints
            || streak < self.config.min_streak
        {
            return;
        }
        out.push(Signal {
            detector: NAME,
            owasp: Owasp::Api6SensitiveBusinessFlows,
            severity: Severity::Low,
            subject: Subject::Ip(ip),
            with_endpoint: true,
            figures: Figures::of(&[
                ("streak", f64::from(streak)),
                ("endpoints", f64::from(t.endpoints.max(1))),
            ]),
            render,
            members: Members::None,
            detail: None,
        });
    }

    fn stats(&self) -> Vec<(&'static str, KeyedStats)> {
        Vec::new()
    }

    fn approx_bytes(&self) -> usize {
        0
    }
}
