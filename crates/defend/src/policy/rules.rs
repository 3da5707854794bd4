//! The checked form of a policy's rules: conditions, actions, scopes and keys.

use std::sync::Arc;
use std::time::Duration;

use rampart_core::Severity;

use crate::decision::{Action, Mode};
use crate::lists::EntityList;

/// What decisions made by a rule apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ScopeKind {
    /// Each client address the alert names.
    #[default]
    Ip,
    /// The /24 (IPv4) or /48 (IPv6) of each address, or the alert's own prefix.
    Prefix,
    /// Each session the alert names.
    Session,
    /// Each authenticated user the alert names.
    Principal,
    /// Each client fingerprint the alert names.
    Fingerprint,
    /// The actor the alert was rolled into.
    Actor,
    /// The endpoint the alert is about, for every client: what a rule's `unless` lets
    /// through is all that gets through there until the decision expires.
    Endpoint,
}

/// Every scope name, as written in the policy.
pub const SCOPE_NAMES: [&str; 7] = [
    "ip",
    "prefix",
    "session",
    "principal",
    "fingerprint",
    "actor",
    "endpoint",
];

impl ScopeKind {
    /// The scope named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "ip" => Self::Ip,
            "prefix" => Self::Prefix,
            "session" => Self::Session,
            "principal" => Self::Principal,
            "fingerprint" => Self::Fingerprint,
            "actor" => Self::Actor,
            "endpoint" => Self::Endpoint,
            _ => return None,
        })
    }
}

/// What a rate limit counts requests by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LimitKey {
    /// The client address.
    #[default]
    Ip,
    /// The client's network.
    Prefix,
    /// The session (the address when there is none).
    Session,
    /// The authenticated user (the address when there is none).
    Principal,
    /// The client fingerprint (the address when there is none).
    Fingerprint,
    /// The endpoint, all clients together.
    Endpoint,
}

/// Every rate-limit key name, as written in the policy.
pub const KEY_NAMES: [&str; 6] = [
    "ip",
    "prefix",
    "session",
    "principal",
    "fingerprint",
    "endpoint",
];

impl LimitKey {
    /// The key named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "ip" => Self::Ip,
            "prefix" => Self::Prefix,
            "session" => Self::Session,
            "principal" => Self::Principal,
            "fingerprint" => Self::Fingerprint,
            "endpoint" => Self::Endpoint,
            _ => return None,
        })
    }
}

/// A method and path pattern: `POST /api/login`, `GET /api/*`, `/admin/*` (any method).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointPattern {
    /// Upper-case method, or `None` for any.
    pub method: Option<String>,
    /// Path template; `*` matches any run of characters, `/` included.
    pub template: String,
}

impl EndpointPattern {
    /// Whether `method` and `route` (a template, or the path when the template is unknown)
    /// match.
    pub fn matches(&self, method: &str, route: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method) && glob(&self.template, route)
    }
}

/// `*`-only glob match, iterative (no backtracking blow-up).
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

/// One test of a `when`. A condition holds when all of its tests do.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// An active alert from one of `detectors` (any detector when empty) at `min_severity` or
    /// above (any severity when `None`).
    Alert {
        /// Detector names.
        detectors: Vec<String>,
        /// Lowest severity that counts.
        min_severity: Option<Severity>,
    },
    /// The actor's risk is at least this.
    MinRisk(u8),
    /// One of the request's entities is in one of the lists.
    InList(Vec<Arc<EntityList>>),
    /// Method and template match one of these.
    Endpoint(Vec<EndpointPattern>),
    /// The method is one of these (upper case).
    Method(Vec<String>),
    /// The endpoint's inventory facts equal these, where given.
    Inventory {
        /// Undocumented endpoint.
        shadow: Option<bool>,
        /// Seen serving without credentials.
        unauthenticated: Option<bool>,
        /// Serves sensitive data.
        sensitive: Option<bool>,
    },
    /// The path starts with one of these.
    PathPrefix(Vec<String>),
    /// Every one of these headers is present (lower-case names).
    HeaderPresent(Vec<String>),
    /// None of these headers is present.
    HeaderAbsent(Vec<String>),
    /// Each header has the value (name lower case, value compared exactly).
    HeaderEquals(Vec<(String, String)>),
    /// The user agent contains one of these, ignoring ASCII case (stored lower case).
    UserAgentContains(Vec<String>),
    /// Whether the request carries credentials.
    Authenticated(bool),
    /// The request's client (its session, else its authenticated user) was served at least
    /// `min_requests` requests before this one, on at least `min_endpoints` endpoints, the
    /// first at least `min_age` ago. A client without a session or user has no history.
    History {
        /// Earlier requests served.
        min_requests: u32,
        /// Distinct endpoints (method and template) among them.
        min_endpoints: u32,
        /// Time since the first of them.
        min_age: Duration,
    },
    /// At least one of these holds.
    Any(Vec<Condition>),
    /// This does not hold.
    Not(Box<Condition>),
}

/// The tests of one `when`, ANDed. No tests means every request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Condition {
    /// The tests.
    pub tests: Vec<Test>,
}

impl Condition {
    /// The detectors and lowest severity that make an alert turn into a decision under this
    /// rule: the top-level `detector` / `min_severity` test, if any.
    pub fn alert_test(&self) -> Option<(&[String], Option<Severity>)> {
        self.tests.iter().find_map(|t| match t {
            Test::Alert {
                detectors,
                min_severity,
            } => Some((detectors.as_slice(), *min_severity)),
            _ => None,
        })
    }

    /// Whether any test, at any depth, reads the request's headers.
    pub fn reads_headers(&self) -> bool {
        self.tests.iter().any(|t| match t {
            Test::HeaderPresent(_) | Test::HeaderAbsent(_) | Test::HeaderEquals(_) => true,
            Test::Any(subs) => subs.iter().any(Condition::reads_headers),
            Test::Not(sub) => sub.reads_headers(),
            _ => false,
        })
    }

    /// Whether any test, at any depth, reads the client's history.
    pub fn uses_history(&self) -> bool {
        self.tests.iter().any(|t| match t {
            Test::History { .. } => true,
            Test::Any(subs) => subs.iter().any(Condition::uses_history),
            Test::Not(sub) => sub.uses_history(),
            _ => false,
        })
    }
}

/// One checked rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Unique name; decisions, limiter state and reports refer to it.
    pub name: Arc<str>,
    /// Free text for people.
    pub description: Option<String>,
    /// When it applies.
    pub when: Condition,
    /// When it never applies, even through its decisions (`unless`): a request for which this
    /// holds is exempt from the rule. `None`: no request is exempt.
    pub unless: Option<Condition>,
    /// What it does.
    pub action: Action,
    /// Enforce or only report.
    pub mode: Mode,
    /// What decisions made from alerts apply to.
    pub scope: ScopeKind,
    /// Whether those decisions apply only on the alert's endpoint (`within: endpoint`), so a
    /// fingerprint shared with real users is stopped on the login it attacks and nowhere else.
    pub within_endpoint: bool,
    /// How long decisions made from alerts last; `None`: the rule makes no decisions.
    pub ttl: Option<Duration>,
    /// What a rate limit counts by.
    pub key: LimitKey,
    /// Line of the rule in the policy file.
    pub line: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_stars_anywhere() {
        assert!(glob("/api/*", "/api/users/{id}"));
        assert!(glob("/api/*/orders", "/api/v1/orders"));
        assert!(!glob("/api/*/orders", "/api/v1/orders/1"));
        assert!(glob("*", ""));
        assert!(glob("/a*b*c", "/axxbyyc"));
        assert!(!glob("/a", "/ab"));
        assert!(glob(&"*".repeat(50), &"a".repeat(50)));
    }

    #[test]
    fn endpoint_patterns_match_method_and_template() {
        let p = EndpointPattern {
            method: Some("POST".into()),
            template: "/api/login".into(),
        };
        assert!(p.matches("POST", "/api/login"));
        assert!(!p.matches("GET", "/api/login"));
        let any = EndpointPattern {
            method: None,
            template: "/admin/*".into(),
        };
        assert!(any.matches("DELETE", "/admin/users"));
    }
}
