//! Decisions: what the policy decided about a scope (an address, a prefix, a session, ...), why,
//! from where, and until when.
//!
//! A [`Decision`] is made from an alert by a rule with a `ttl` ([`crate::Policy::decisions_for`]),
//! or by hand ([`Decision::manual`]). Active decisions live in a [`crate::DecisionBook`]; the
//! verdict of each request consults them, and exporters publish them. Decisions serialise with
//! serde so a store can keep them; times are event times.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use rampart_core::{fast_hash, EventTime};
use serde::{Deserialize, Serialize};

use crate::ratelimit::Rate;

/// Whether a rule or decision acts or only reports what it would have done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Acts on requests.
    Enforce,
    /// Reports "would have" outcomes only; the default for new rules.
    #[default]
    Monitor,
}

impl Mode {
    /// The name as written in the policy (`enforce`, `monitor`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Enforce => "enforce",
            Self::Monitor => "monitor",
        }
    }
}

/// What to do with a request. The set is closed: the proxy matches on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Let the request through and stop evaluating.
    Allow,
    /// Log only: note the match and go on evaluating.
    Monitor,
    /// Answer with `status` and `body` instead of forwarding.
    Block {
        /// HTTP status, 400 to 599.
        status: u16,
        /// Response body.
        body: Arc<str>,
    },
    /// Limit requests per key with GCRA: `rate` on average, `burst` at once.
    RateLimit {
        /// Sustained rate.
        rate: Rate,
        /// Requests allowed at once (at least 1).
        burst: u32,
    },
    /// Hold the request for `delay_ms` before forwarding it.
    Tarpit {
        /// Delay in milliseconds (capped by the policy's `max_tarpit_delay`).
        delay_ms: u64,
    },
    /// Answer with a decoy; the proxy generates the body.
    Deceive,
    /// Answer 401 to a request that carries no credentials.
    RequireAuth,
}

impl Action {
    /// The action's name as written in the policy (`block`, `rate_limit`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Monitor => "monitor",
            Self::Block { .. } => "block",
            Self::RateLimit { .. } => "rate_limit",
            Self::Tarpit { .. } => "tarpit",
            Self::Deceive => "deceive",
            Self::RequireAuth => "require_auth",
        }
    }

    /// How strong the action is, for choosing among several decisions on one request:
    /// block > tarpit > deceive > rate_limit > require_auth > monitor > allow.
    pub fn strength(&self) -> u8 {
        match self {
            Self::Block { .. } => 6,
            Self::Tarpit { .. } => 5,
            Self::Deceive => 4,
            Self::RateLimit { .. } => 3,
            Self::RequireAuth => 2,
            Self::Monitor => 1,
            Self::Allow => 0,
        }
    }
}

/// Every action name, in the order they are documented.
pub const ACTION_NAMES: [&str; 7] = [
    "allow",
    "monitor",
    "block",
    "rate_limit",
    "tarpit",
    "deceive",
    "require_auth",
];

/// What a decision applies to. Hash values are the hex strings alerts use for the entity
/// (keyed hashes of sessions and principals, fingerprint hashes), compared in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One client address.
    Ip(IpAddr),
    /// A network: every address inside it.
    Prefix(IpNet),
    /// A session, by keyed hash.
    Session(String),
    /// An authenticated user, by keyed hash.
    Principal(String),
    /// A client fingerprint, by hash.
    Fingerprint(String),
    /// An actor (a campaign of alerts rolled together), by id.
    Actor(String),
    /// One endpoint, for every client, as alerts name endpoints (`METHOD host/template` or
    /// `METHOD template`).
    Endpoint(String),
}

impl Scope {
    /// The kind's name (`ip`, `prefix`, `session`, `principal`, `fingerprint`, `actor`,
    /// `endpoint`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Ip(_) => "ip",
            Self::Prefix(_) => "prefix",
            Self::Session(_) => "session",
            Self::Principal(_) => "principal",
            Self::Fingerprint(_) => "fingerprint",
            Self::Actor(_) => "actor",
            Self::Endpoint(_) => "endpoint",
        }
    }

    /// The same scope with hash values in lower case and prefixes truncated to their network,
    /// as the book stores them.
    pub fn normalized(self) -> Self {
        match self {
            Self::Prefix(net) => Self::Prefix(net.trunc()),
            Self::Session(s) => Self::Session(s.to_ascii_lowercase()),
            Self::Principal(s) => Self::Principal(s.to_ascii_lowercase()),
            Self::Fingerprint(s) => Self::Fingerprint(s.to_ascii_lowercase()),
            other => other,
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ip(ip) => write!(f, "ip:{ip}"),
            Self::Prefix(net) => write!(f, "prefix:{net}"),
            Self::Session(s) => write!(f, "session:{s}"),
            Self::Principal(s) => write!(f, "principal:{s}"),
            Self::Fingerprint(s) => write!(f, "fingerprint:{s}"),
            Self::Actor(s) => write!(f, "actor:{s}"),
            Self::Endpoint(s) => write!(f, "endpoint:{s}"),
        }
    }
}

/// Who made a decision.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A policy rule with a `ttl`, by name.
    Rule(String),
    /// An operator, by hand.
    Manual,
    /// A detector's own recommendation, by detector name.
    Detector(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rule(name) => write!(f, "rule {name}"),
            Self::Manual => f.write_str("manual"),
            Self::Detector(name) => write!(f, "detector {name}"),
        }
    }
}

/// One decision: an action on a scope, with its reason, origin and lifetime in event time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Stable identifier (16 hex digits). Decisions from a rule are named by rule and scope,
    /// so the same alert seen again refreshes its decision instead of adding one.
    pub id: String,
    /// What to do.
    pub action: Action,
    /// To whom.
    pub scope: Scope,
    /// Why, in words and numbers (the alert's evidence).
    pub reason: String,
    /// Who decided.
    pub origin: Origin,
    /// Whether it acts or only reports; a rule's current mode overrides this while the rule
    /// is in the policy.
    #[serde(default = "enforce")]
    pub mode: Mode,
    /// When it was made (event time).
    pub created: EventTime,
    /// When it stops applying (event time); `None` lasts until removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<EventTime>,
    /// The one endpoint it applies on (`METHOD template`, or `METHOD host/template` as alerts
    /// name endpoints); `None` applies on every endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

fn enforce() -> Mode {
    Mode::Enforce
}

impl Decision {
    /// A decision made by hand, enforcing, lasting `ttl` from `now` (or until removed).
    pub fn manual(
        action: Action,
        scope: Scope,
        reason: impl Into<String>,
        now: EventTime,
        ttl: Option<Duration>,
    ) -> Self {
        let scope = scope.normalized();
        let id = decision_id("manual", &scope, now.as_unix_millis());
        Self {
            id,
            action,
            scope,
            reason: reason.into(),
            origin: Origin::Manual,
            mode: Mode::Enforce,
            created: now,
            expires: ttl.map(|d| after(now, d)),
            endpoint: None,
        }
    }

    /// The same decision limited to one endpoint (`POST /api/login`); its id changes with
    /// the endpoint, so one scope can hold decisions on several endpoints.
    pub fn on_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        let endpoint = endpoint.into();
        let text = format!("{}\u{0}endpoint\u{0}{endpoint}", self.id);
        self.id = format!("{:016x}", fast_hash(text.as_bytes()));
        self.endpoint = Some(endpoint);
        self
    }

    /// Whether the decision's endpoint (if it has one) is the request's: same method, and the
    /// same template (a host written before the template must be the request's host when the
    /// request names one).
    pub fn applies_on(&self, method: &str, route: &str, host: Option<&str>) -> bool {
        let Some(endpoint) = self.endpoint.as_deref() else {
            return true;
        };
        let (m, target) = match endpoint.split_once(' ') {
            Some((m, t)) => (Some(m), t.trim()),
            None => (None, endpoint.trim()),
        };
        if m.is_some_and(|m| !m.eq_ignore_ascii_case(method)) {
            return false;
        }
        let (their_host, template) = match target.find('/') {
            Some(0) | None => (None, target),
            Some(i) => (Some(&target[..i]), &target[i..]),
        };
        if let (Some(want), Some(got)) = (their_host, host) {
            if !want.eq_ignore_ascii_case(got) {
                return false;
            }
        }
        template == route || shape(template) == shape(route)
    }

    /// Whether the decision applies at `now`.
    pub fn is_active(&self, now: EventTime) -> bool {
        self.expires.is_none_or(|e| now < e)
    }

    /// Time left at `now`; `None` when it never expires.
    pub fn remaining(&self, now: EventTime) -> Option<Duration> {
        self.expires.map(|e| {
            let ms = e.as_unix_millis().saturating_sub(now.as_unix_millis());
            Duration::from_millis(u64::try_from(ms).unwrap_or(0))
        })
    }

    /// The lifetime it was given (`expires - created`); `None` when it never expires.
    pub fn ttl(&self) -> Option<Duration> {
        self.expires.map(|e| {
            let ms = e
                .as_unix_millis()
                .saturating_sub(self.created.as_unix_millis());
            Duration::from_millis(u64::try_from(ms).unwrap_or(0))
        })
    }
}

/// How the book indexes an endpoint (`POST api.example.com/login` → `POST /login`): the
/// method in upper case and the template, without the host, which
/// [`Decision::applies_on`] checks. `None` when `endpoint` names no method and template.
pub(crate) fn endpoint_key(endpoint: &str) -> Option<String> {
    let (method, target) = endpoint.trim().split_once(' ')?;
    let template = &target[target.find('/')?..];
    Some(format!(
        "{} {}",
        method.to_ascii_uppercase(),
        shape(template.trim())
    ))
}

/// A template with every parameter written `{}`: detectors name an endpoint by its shape
/// (`/numbers/{}/portability`), the inventory by its template (`/numbers/{phone}/portability`).
pub(crate) fn shape(template: &str) -> std::borrow::Cow<'_, str> {
    if !template.contains('{') {
        return std::borrow::Cow::Borrowed(template);
    }
    let mut out = String::with_capacity(template.len());
    let mut inside = false;
    for c in template.chars() {
        match c {
            '{' => {
                inside = true;
                out.push('{');
            }
            '}' if inside => {
                inside = false;
                out.push('}');
            }
            _ if inside => {}
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `t + d` in event time, saturating.
pub(crate) fn after(t: EventTime, d: Duration) -> EventTime {
    let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    EventTime::from_unix_millis(t.as_unix_millis().saturating_add(ms))
}

/// A decision id: 16 hex digits of a hash of who, what scope and a salt.
pub(crate) fn decision_id(origin: &str, scope: &Scope, salt: i64) -> String {
    let text = format!("{origin}\u{0}{scope}\u{0}{salt}");
    format!("{:016x}", fast_hash(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_round_trip_through_json() {
        let d = Decision::manual(
            Action::Block {
                status: 403,
                body: "no".into(),
            },
            Scope::Prefix("203.0.113.7/24".parse().unwrap()),
            "seen scraping",
            EventTime::from_unix_millis(1_000),
            Some(Duration::from_secs(60)),
        );
        assert_eq!(d.scope, Scope::Prefix("203.0.113.0/24".parse().unwrap()));
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains("\"prefix\":\"203.0.113.0/24\""), "{json}");
        assert!(json.contains("\"type\":\"block\""), "{json}");
        let back: Decision = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
        assert_eq!(d.ttl(), Some(Duration::from_secs(60)));
    }

    #[test]
    fn activity_follows_event_time() {
        let d = Decision::manual(
            Action::Deceive,
            Scope::Session("AB".into()),
            "",
            EventTime::from_unix_millis(0),
            Some(Duration::from_secs(1)),
        );
        assert_eq!(d.scope, Scope::Session("ab".into()));
        assert!(d.is_active(EventTime::from_unix_millis(999)));
        assert!(!d.is_active(EventTime::from_unix_millis(1000)));
        assert_eq!(
            d.remaining(EventTime::from_unix_millis(400)),
            Some(Duration::from_millis(600))
        );
    }

    #[test]
    fn endpoints_match_by_shape() {
        assert_eq!(
            shape("/numbers/{phone}/portability"),
            "/numbers/{}/portability"
        );
        assert_eq!(shape("/login"), "/login");
        assert_eq!(
            endpoint_key("get api.example.com/users/{}/orders").as_deref(),
            Some("GET /users/{}/orders")
        );
        assert_eq!(endpoint_key("nonsense"), None);
        let d = Decision::manual(
            Action::Deceive,
            Scope::Endpoint("GET api.example.com/users/{}".into()),
            "",
            EventTime::from_unix_millis(0),
            None,
        )
        .on_endpoint("GET api.example.com/users/{}");
        assert!(d.applies_on("GET", "/users/{id}", Some("api.example.com")));
        assert!(!d.applies_on("GET", "/users/{id}/orders", Some("api.example.com")));
        assert!(!d.applies_on("GET", "/users/{id}", Some("other.example.com")));
        assert!(!d.applies_on("POST", "/users/{id}", None));
    }

    #[test]
    fn strength_orders_actions() {
        let block = Action::Block {
            status: 403,
            body: "".into(),
        };
        assert!(block.strength() > Action::Tarpit { delay_ms: 1 }.strength());
        assert!(Action::Deceive.strength() > Action::RequireAuth.strength());
        assert_eq!(ACTION_NAMES.len(), 7);
        assert!(ACTION_NAMES.contains(&block.name()));
    }
}
