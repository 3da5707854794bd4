//! `shadow_api`: traffic on endpoints the supplied specs do not document, and sensitive data
//! served to requests without any credential (OWASP API9, API3), as it happens.
//!
//! - **Catches**: the seeds' shadow Apple Pay API hit with 100 million requests, and the test
//!   API "inadvertently publicly exposed", unauthenticated, "responding with customer data".
//! - **Key**: endpoint (method, host and path shape).
//! - **State**: 40 bytes per endpoint (a distinct sketch of clients and counters).
//! - **Evidence**: "1,204 requests served by this endpoint, which no supplied spec documents,
//!   from 312 clients"; "57 requests without any credential answered 2xx by an endpoint that
//!   returns sensitive data, from 3 clients".
//!
//! These are facts about endpoints, not accusations of clients: the alerts name no address.
//! The enumeration, volumetric and other detectors name the clients abusing them.

mod config;
#[cfg(test)]
mod tests;

pub use config::ShadowApiConfig;

use std::collections::BTreeMap;

use rampart_core::{Owasp, Severity};

use crate::detector::{figure, Detector, Figures, Members, Signal, Subject};
use crate::keyed::{Keyed, KeyedStats};
use crate::request::Request;
use crate::sketch::Distinct;

/// The detector's name.
pub const NAME: &str = "shadow_api";

#[derive(Debug, Clone, Default)]
struct State {
    served: u32,
    unauthenticated: u32,
    clients: Distinct,
    anonymous_clients: Distinct,
}

/// The shadow and unauthenticated API detector.
#[derive(Debug)]
pub struct ShadowApi {
    config: ShadowApiConfig,
    endpoints: Keyed<State>,
}

impl ShadowApi {
    /// A detector with `config`.
    pub fn new(config: ShadowApiConfig) -> Self {
        Self {
            endpoints: Keyed::new(config.max_tracked, 24 * 3_600_000),
            config,
        }
    }
}

fn render_shadow(f: &BTreeMap<String, f64>) -> String {
    format!(
        "{} requests served by this endpoint, which no supplied spec documents, from {} clients",
        figure(f, "served"),
        figure(f, "clients"),
    )
}

fn render_unauthenticated(f: &BTreeMap<String, f64>) -> String {
    format!(
        "{} requests without any credential answered 2xx by an endpoint that returns sensitive data, from {} clients",
        figure(f, "unauthenticated"),
        figure(f, "anonymous_clients"),
    )
}

impl Detector for ShadowApi {
    fn name(&self) -> &'static str {
        NAME
    }

    fn observe(&mut self, req: &Request<'_>, out: &mut Vec<Signal>) {
        let served = req.ex.status.is_some_and(|s| (200..400).contains(&s));
        if !served {
            return;
        }
        let shadow = req.facts.documented == Some(false);
        let unauthenticated =
            !req.has_credential && req.facts.sensitive_response && req.is_success();
        if !shadow && !unauthenticated {
            return;
        }
        let c = &self.config;
        let s = self.endpoints.entry(req.endpoint_key, req.time);
        s.clients.insert(req.ip_key);
        if shadow {
            s.served += 1;
            if s.served >= c.min_shadow_requests {
                out.push(Signal {
                    detector: NAME,
                    owasp: Owasp::Api9ImproperInventoryManagement,
                    severity: Severity::Low,
                    subject: Subject::Endpoint(req.endpoint_key),
                    with_endpoint: true,
                    figures: Figures::of(&[
                        ("served", f64::from(s.served)),
                        ("clients", s.clients.count() as f64),
                    ]),
                    render: render_shadow,
                    members: Members::None,
                    detail: None,
                });
            }
        }
        if unauthenticated {
            s.unauthenticated += 1;
            s.anonymous_clients.insert(req.ip_key);
            if s.unauthenticated >= c.min_unauthenticated_requests {
                out.push(Signal {
                    detector: "unauthenticated_data",
                    owasp: Owasp::Api3BrokenObjectPropertyLevelAuthorization,
                    severity: if shadow {
                        Severity::High
                    } else {
                        Severity::Medium
                    },
                    subject: Subject::Endpoint(req.endpoint_key),
                    with_endpoint: true,
                    figures: Figures::of(&[
                        ("unauthenticated", f64::from(s.unauthenticated)),
                        ("anonymous_clients", s.anonymous_clients.count() as f64),
                    ]),
                    render: render_unauthenticated,
                    members: Members::None,
                    detail: None,
                });
            }
        }
    }

    fn stats(&self) -> Vec<(&'static str, KeyedStats)> {
        vec![("endpoints", self.endpoints.stats())]
    }

    fn approx_bytes(&self) -> usize {
        self.endpoints.approx_bytes()
    }
}
