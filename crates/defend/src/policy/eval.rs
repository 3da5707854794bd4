//! Whether a rule's `when` holds: for a request (its facts), and for an alert (to make
//! decisions from it).

use std::collections::BTreeSet;
use std::net::IpAddr;

use ipnet::IpNet;
use rampart_core::{Alert, EntityKind, EventTime};

use super::rules::{Condition, Rule, ScopeKind, Test};
use super::Policy;
use crate::decision::{after, decision_id, Decision, Origin, Scope};
use crate::facts::{RequestFacts, DEFAULT_PREFIX_V4, DEFAULT_PREFIX_V6};
use crate::history::Seen;

/// Longest reason kept on a decision, in characters.
const MAX_REASON: usize = 300;

/// What `history` tests read besides the request's facts: the client's history before the
/// request, and the request's event time.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Past {
    pub(crate) seen: Option<Seen>,
    pub(crate) now: EventTime,
}

impl Condition {
    /// Whether every test holds for the request. `history` tests do not hold here, where no
    /// history is known; the verdict evaluates them with the clients' histories.
    pub fn matches(&self, facts: &RequestFacts) -> bool {
        self.holds(facts, &Past::default())
    }

    /// Whether every test holds for the request, given what the client did before it.
    pub(crate) fn holds(&self, facts: &RequestFacts, past: &Past) -> bool {
        self.tests.iter().all(|t| t.holds(facts, past))
    }
}

impl Test {
    /// Whether this test holds for the request (`history` never does here: see
    /// [`Condition::matches`]).
    pub fn matches(&self, f: &RequestFacts) -> bool {
        self.holds(f, &Past::default())
    }

    fn holds(&self, f: &RequestFacts, past: &Past) -> bool {
        match self {
            Test::Alert {
                detectors,
                min_severity,
            } => f.alerts.iter().any(|a| {
                (detectors.is_empty() || detectors.iter().any(|d| **d == *a.detector))
                    && min_severity.is_none_or(|s| a.severity >= s)
            }),
            Test::MinRisk(n) => f.actor_risk.is_some_and(|r| r >= *n),
            Test::InList(lists) => lists.iter().any(|l| l.matches(f)),
            Test::Endpoint(patterns) => {
                let route = f.route();
                patterns.iter().any(|p| p.matches(&f.method, route))
            }
            Test::Method(methods) => methods.contains(&f.method),
            Test::Inventory {
                shadow,
                unauthenticated,
                sensitive,
            } => {
                shadow.is_none_or(|v| v == f.inventory.shadow)
                    && unauthenticated.is_none_or(|v| v == f.inventory.unauthenticated)
                    && sensitive.is_none_or(|v| v == f.inventory.sensitive)
            }
            Test::PathPrefix(prefixes) => prefixes.iter().any(|p| f.path.starts_with(p.as_str())),
            Test::HeaderPresent(names) => names.iter().all(|n| f.headers.get(n).is_some()),
            Test::HeaderAbsent(names) => names.iter().all(|n| f.headers.get(n).is_none()),
            Test::HeaderEquals(pairs) => pairs
                .iter()
                .all(|(n, v)| f.headers.get_all(n).any(|have| have == v)),
            Test::UserAgentContains(needles) => f
                .agent()
                .is_some_and(|ua| needles.iter().any(|n| contains_ignore_case(ua, n))),
            Test::Authenticated(want) => f.credentials == *want,
            Test::History {
                min_requests,
                min_endpoints,
                min_age,
            } => past.seen.is_some_and(|s| {
                s.requests >= *min_requests
                    && s.endpoints() >= *min_endpoints
                    && s.age_ms(past.now) >= i64::try_from(min_age.as_millis()).unwrap_or(i64::MAX)
            }),
            Test::Any(subs) => subs.iter().any(|c| c.holds(f, past)),
            Test::Not(sub) => !sub.holds(f, past),
        }
    }
}

/// Whether `hay` contains `needle` (already lower case), ignoring ASCII case, without
/// allocating.
fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return true;
    }
    h.windows(n.len())
        .any(|w| w.iter().zip(n).all(|(a, b)| a.to_ascii_lowercase() == *b))
}

impl Rule {
    /// Whether the rule's `when` holds for the request. A `require_auth` rule never holds for
    /// a request that carries credentials.
    pub fn matches(&self, facts: &RequestFacts) -> bool {
        self.applies(facts, &Past::default())
    }

    /// [`Rule::matches`] given what the client did before the request; a request the rule's
    /// `unless` exempts never matches.
    pub(crate) fn applies(&self, facts: &RequestFacts, past: &Past) -> bool {
        if matches!(self.action, crate::Action::RequireAuth) && facts.credentials {
            return false;
        }
        // Decisions on an endpoint are about the endpoint, not about the clients an alert
        // names: such a rule acts only through them.
        if self.scope == ScopeKind::Endpoint && self.ttl.is_some() {
            return false;
        }
        !self.exempts(facts, past) && self.when.holds(facts, past)
    }

    /// Whether the rule's `unless` holds for the request: neither its `when` nor its
    /// decisions act on it.
    pub(crate) fn exempts(&self, facts: &RequestFacts, past: &Past) -> bool {
        self.unless.as_ref().is_some_and(|u| u.holds(facts, past))
    }

    /// Whether an alert makes decisions under this rule: the rule has a `ttl` and the alert's
    /// detector and severity satisfy the rule's `detector` / `min_severity`.
    pub fn decides_on(&self, alert: &Alert) -> bool {
        if self.ttl.is_none() {
            return false;
        }
        let Some((detectors, min_severity)) = self.when.alert_test() else {
            return false;
        };
        (detectors.is_empty() || detectors.contains(&alert.detector))
            && min_severity.is_none_or(|s| alert.severity >= s)
    }
}

fn prefix_of(ip: IpAddr) -> Option<IpNet> {
    let len = if ip.is_ipv4() {
        DEFAULT_PREFIX_V4
    } else {
        DEFAULT_PREFIX_V6
    };
    IpNet::new(ip, len).ok().map(|n| n.trunc())
}

/// The scopes an alert names for a rule's scope kind, at most `cap` of them.
fn scopes(alert: &Alert, kind: ScopeKind, cap: usize) -> Vec<Scope> {
    let mut out = BTreeSet::new();
    let entities = std::iter::once(&alert.entity).chain(&alert.members);
    let kind_of = |k: EntityKind| match kind {
        ScopeKind::Ip | ScopeKind::Prefix => k == EntityKind::Ip,
        ScopeKind::Session => k == EntityKind::Session,
        ScopeKind::Principal => k == EntityKind::Principal,
        ScopeKind::Fingerprint => k == EntityKind::Fingerprint,
        ScopeKind::Actor | ScopeKind::Endpoint => false,
    };
    if kind == ScopeKind::Endpoint {
        return alert
            .endpoint
            .iter()
            .cloned()
            .map(Scope::Endpoint)
            .collect();
    }
    if kind == ScopeKind::Actor {
        if let Some(actor) = &alert.actor {
            out.insert(Scope::Actor(actor.clone()));
        }
        return out.into_iter().collect();
    }
    if kind == ScopeKind::Prefix && alert.entity.kind == EntityKind::Prefix {
        if let Ok(net) = alert.entity.value.parse::<IpNet>() {
            out.insert(Scope::Prefix(net.trunc()));
        }
    }
    for e in entities.filter(|e| kind_of(e.kind)) {
        if out.len() >= cap {
            break;
        }
        let scope = match kind {
            ScopeKind::Ip => e.value.parse().ok().map(Scope::Ip),
            ScopeKind::Prefix => e.value.parse().ok().and_then(prefix_of).map(Scope::Prefix),
            ScopeKind::Session => Some(Scope::Session(e.value.to_ascii_lowercase())),
            ScopeKind::Principal => Some(Scope::Principal(e.value.to_ascii_lowercase())),
            ScopeKind::Fingerprint => Some(Scope::Fingerprint(e.value.to_ascii_lowercase())),
            ScopeKind::Actor | ScopeKind::Endpoint => None,
        };
        out.extend(scope);
    }
    out.into_iter().take(cap).collect()
}

fn reason(alert: &Alert) -> String {
    let text = format!(
        "{} {} on {}: {}",
        alert.detector,
        alert.severity.name(),
        alert.entity,
        alert.evidence
    );
    if text.chars().count() > MAX_REASON {
        let mut cut: String = text.chars().take(MAX_REASON).collect();
        cut.push('…');
        cut
    } else {
        text
    }
}

impl Policy {
    /// The decisions an alert makes at `now`: for every rule with a `ttl` whose `detector` and
    /// `min_severity` the alert satisfies, one decision per scope the alert names (its
    /// addresses, their prefixes, its sessions, ... per the rule's `scope`), lasting `ttl`.
    ///
    /// Ids are made from the rule and the scope, so an alert seen again makes the same ids and
    /// a [`crate::DecisionBook`] refreshes them instead of growing. Each alert makes at most
    /// `limits.max_decisions_per_alert` decisions per rule.
    pub fn decisions_for(&self, alert: &Alert, now: EventTime) -> Vec<Decision> {
        let mut out = Vec::new();
        for rule in self.rules.iter().filter(|r| r.decides_on(alert)) {
            let Some(ttl) = rule.ttl else { continue };
            // A rule limited to the alert's endpoint makes nothing of an alert without one,
            // rather than a broader decision than it asks for. A decision on an endpoint is
            // always limited to it.
            let within = rule.within_endpoint || rule.scope == ScopeKind::Endpoint;
            // An alert about a client fingerprint names where that fingerprint's requests land,
            // which says something about those clients, not about the endpoint: it never closes
            // the endpoint to everyone.
            if rule.scope == ScopeKind::Endpoint && alert.entity.kind == EntityKind::Fingerprint {
                continue;
            }
            let endpoint = match (within, &alert.endpoint) {
                (false, _) => None,
                (true, Some(e)) => Some(e),
                (true, None) => continue,
            };
            let why = reason(alert);
            for scope in scopes(alert, rule.scope, self.limits.max_decisions_per_alert) {
                let decision = Decision {
                    id: decision_id(&rule.name, &scope, 0),
                    action: rule.action.clone(),
                    scope,
                    reason: why.clone(),
                    origin: Origin::Rule(rule.name.to_string()),
                    mode: rule.mode,
                    created: now,
                    expires: Some(after(now, ttl)),
                    endpoint: None,
                };
                out.push(match endpoint {
                    Some(e) => decision.on_endpoint(e.as_str()),
                    None => decision,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_contains() {
        assert!(contains_ignore_case(
            "Mozilla/5.0 HeadlessChrome",
            "headless"
        ));
        assert!(!contains_ignore_case("curl", "curl/8"));
        assert!(contains_ignore_case("x", ""));
    }
}
