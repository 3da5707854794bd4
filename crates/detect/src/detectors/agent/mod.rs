//! `agent`: what the user agent gives away (OWASP API6 / API8): security scanners, headless
//! browsers, scripting libraries, outdated or self-contradicting browsers, and no user agent.
//!
//! - **Catches**: the seeds' scraper "built to use very outdated or anomalous versions of
//!   Chrome"; sqlmap and Nuclei; headless Chrome; `python-requests` where browsers are expected.
//! - **Key**: client address for what was reported; alerts are per fingerprint (user agent,
//!   header order, languages), naming every address that used it.
//! - **State**: 10 bytes in each address record (what was reported, and a request count per
//!   kind of finding), plus a 4096-entry cache of classified user agents.
//! - **Evidence**: "outdated browser: Chrome 72 (current 143), with at most 1 cookie;
//!   user agent: Mozilla/5.0 (…) Chrome/72.0.3626.121 …".
//!
//! The user agent alone is weak evidence, and severity says so. A scanner is high; a headless
//! browser, or client hints of another build than the user agent (a copied user agent) from a
//! client that shows nothing of a real user, medium; an outdated or contradictory browser that
//! carries no browser's cookies, or an anonymous scripting client, low; the rest (a declared crawler, a credentialed
//! integration using a library, an outdated browser with a real user's cookies, no user agent)
//! only informational. Severity low and above joins the other alerts in the actor's risk.
//!
//! The alert is about a fingerprint, so it names no endpoint of its own: the alert book names
//! the one its flagged requests concentrate on (every address signals on its first request,
//! so that is where a rotating kit lands), for a policy to stop the fingerprint there.

mod config;
mod detail;
#[cfg(test)]
mod tests;

pub use config::AgentConfig;

use std::collections::BTreeMap;

use rampart_core::redact::escape_for_terminal;
use rampart_core::{Owasp, Severity};

use crate::detector::{figure, Detector, Figures, Members, Signal, Subject};
use crate::keyed::KeyedStats;
use crate::merge::Merge;
use crate::request::Request;
use crate::shared::{Alone, Shared};
use crate::signals::agent::{AgentCache, AgentClass, AgentClassifier, AgentPolicy, Family};

/// The detector's name.
pub const NAME: &str = "agent";

/// Re-signal an address's alert every this many requests (the first always signals).
const RESIGNAL_EVERY: u8 = 64;

/// What was reported about one address, in 10 bytes: a request count per kind of finding
/// (modulo 256, which [`RESIGNAL_EVERY`] divides) and a bit per kind reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reported {
    requests: [u8; 8],
    reported: u16,
}

impl Merge for Reported {
    fn merge(&mut self, o: &Self) {
        for (a, b) in self.requests.iter_mut().zip(o.requests) {
            *a = a.wrapping_add(b);
        }
        self.reported |= o.reported;
    }
}

/// The user-agent detector.
#[derive(Debug)]
pub struct Agent {
    config: AgentConfig,
    cache: AgentCache,
    details: detail::Details,
    alone: Alone,
}

impl Agent {
    /// A detector with `config`.
    pub fn new(config: AgentConfig) -> Self {
        let policy = AgentPolicy {
            current_chrome_major: config.current_chrome_major,
            current_firefox_major: config.current_firefox_major,
            current_safari_major: config.current_safari_major,
            max_major_lag: config.max_major_lag,
            max_safari_lag: config.max_safari_lag,
            ..AgentPolicy::default()
        };
        Self {
            cache: AgentCache::new(AgentClassifier::new(policy), 4096),
            details: detail::Details::default(),
            alone: Alone::default(),
            config,
        }
    }
}

/// What is wrong with a user agent, strongest first, and the severity it stands for here.
fn judge(class: &AgentClass, req: &Request<'_>) -> Option<(u8, &'static str, Severity)> {
    let few_cookies = req.cookies <= 1 && !req.traits.looks_human();
    let hints_disagree = hints_disagree(class, req);
    Some(match class.family {
        Family::Scanner(_) => (1, "security scanner", Severity::High),
        Family::HeadlessBrowser(_) => (2, "headless browser", Severity::Medium),
        // A browser sends its client hints and its user agent from one build; hints of another
        // build are a user agent copied onto something else, as bot kits ship: as strong a
        // tell as a headless browser.
        _ if hints_disagree && !req.traits.looks_human() => (
            8,
            "client hints contradict the user agent",
            Severity::Medium,
        ),
        _ if class.inconsistent && few_cookies => (3, "contradictory user agent", Severity::Low),
        _ if class.inconsistent || hints_disagree => {
            (3, "contradictory user agent", Severity::Info)
        }
        _ if class.outdated && few_cookies => (4, "outdated browser", Severity::Low),
        _ if class.outdated => (4, "outdated browser", Severity::Info),
        Family::ScriptingLibrary(_) if req.has_credential => {
            (5, "scripting library", Severity::Info)
        }
        Family::ScriptingLibrary(_) => (5, "scripting library", Severity::Low),
        Family::Crawler(_) => (6, "declared crawler or monitor", Severity::Info),
        Family::Missing => (7, "no user agent", Severity::Info),
        _ => return None,
    })
}

/// Whether `sec-ch-ua` names another Chrome major than the user agent: a copied user agent on
/// an older browser build, as bot kits ship.
fn hints_disagree(class: &AgentClass, req: &Request<'_>) -> bool {
    if !matches!(class.family, Family::Chrome | Family::Edge) {
        return false;
    }
    let (Some(major), Some(hints)) = (class.major_version, req.ex.request_headers.get("sec-ch-ua"))
    else {
        return false;
    };
    hint_major(hints).is_some_and(|h| h != major)
}

/// The major version `sec-ch-ua` gives for Chrome (or Chromium).
fn hint_major(hints: &str) -> Option<u32> {
    hints.split(',').find_map(|brand| {
        let (name, version) = brand.split_once(";v=")?;
        let name = name.trim().trim_matches('"');
        (name == "Google Chrome" || name == "Chromium")
            .then(|| version.trim().trim_matches('"').parse().ok())
            .flatten()
    })
}

fn family_name(f: Family) -> String {
    match f {
        Family::ScriptingLibrary(n)
        | Family::HeadlessBrowser(n)
        | Family::Crawler(n)
        | Family::Scanner(n) => n.to_owned(),
        other => format!("{other:?}"),
    }
}

fn render(f: &BTreeMap<String, f64>) -> String {
    format!(
        "{} addresses used this user agent ({} requests seen)",
        figure(f, "addresses_total"),
        figure(f, "matched_requests")
    )
}

impl Detector for Agent {
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
        let Some(address) = shared.address.as_deref_mut() else {
            return;
        };
        let ua = req.user_agent();
        if self
            .config
            .allow
            .iter()
            .any(|a| !a.is_empty() && ua.contains(a.as_str()))
        {
            return;
        }
        let class = self.cache.classify(ua);
        let Some((kind, what, severity)) = judge(&class, req) else {
            return;
        };
        let s = &mut address.agent;
        let count = &mut s.requests[usize::from(kind.saturating_sub(1)) % 8];
        *count = count.wrapping_add(1);
        let first = s.reported & (1 << kind) == 0;
        if !first && !count.is_multiple_of(RESIGNAL_EVERY) {
            return;
        }
        s.reported |= 1 << kind;
        // The detail is a function of the user agent (through its class) and of the kind.
        let detail = self.details.get(ua, kind, || {
            let version = class
                .major_version
                .map(|v| format!(" {v}"))
                .unwrap_or_default();
            format!(
                "{what}: {}{version}; user agent: {}",
                family_name(class.family),
                escape_for_terminal(ua, 120)
            )
        });
        out.push(Signal {
            detector: NAME,
            owasp: if matches!(class.family, Family::Scanner(_)) {
                Owasp::Api8SecurityMisconfiguration
            } else {
                Owasp::Api6SensitiveBusinessFlows
            },
            severity,
            // One alert per user agent (fingerprint) naming every address that used it: a
            // campaign rotating through a million addresses is one alert, not a million.
            subject: Subject::Fingerprint(req.fingerprint),
            with_endpoint: false,
            figures: Figures::of(&[("addresses_total", if first { 1.0 } else { 0.0 })]),
            render,
            // Informational sightings (a real user's old browser) name nobody.
            members: if severity > Severity::Info {
                Members::ThisRequest
            } else {
                Members::None
            },
            detail: Some(detail),
        });
    }

    fn stats(&self) -> Vec<(&'static str, KeyedStats)> {
        Vec::new()
    }

    fn approx_bytes(&self) -> usize {
        self.cache.bytes() + self.details.bytes() + self.alone.bytes()
    }
}
