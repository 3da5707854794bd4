//! The verdict of one request: a pure function of the policy, the request's facts, the active
//! decisions, the rate limiter's state and the event time.
//!
//! Order of evaluation:
//! 1. decisions made by hand on the request's scopes, strongest first (a manual `allow` is an
//!    allowlist and beats everything);
//! 2. the rules in order. A rule applies when its `when` holds, or when an active decision it
//!    made covers the request (the decision's action is then used, with the rule's current mode),
//!    unless its `unless` holds for the request: then neither applies.
//!    The first applying rule in enforce mode decides. A monitor-mode rule that applies is
//!    reported as a "would have" outcome and evaluation goes on. Two actions never decide:
//!    `monitor` (noted in [`Verdict::monitored`]) and a `rate_limit` the request conforms to
//!    (the request is counted, and evaluation goes on); `require_auth` does nothing for a
//!    request with credentials;
//! 3. decisions whose rule has left the policy, and detectors' decisions, strongest first;
//! 4. otherwise, allow.
//!
//! Nothing here reads a clock or does I/O; the tarpit's concurrency cap is applied afterwards
//! by [`crate::TarpitGate::admit`].

use std::sync::Arc;
use std::time::Duration;

use rampart_core::{fast_hash, EventTime};

use crate::book::DecisionBook;
use crate::decision::{Action, Decision, Mode, Origin};
use crate::facts::RequestFacts;
use crate::history::client_key;
use crate::policy::eval::Past;
use crate::policy::rules::{LimitKey, Rule};
use crate::policy::Policy;
use crate::ratelimit::RateLimiter;

/// What to do with a request. The set is closed: the proxy matches on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Forward it. `rule` names the `allow` rule (or manual decision) when one decided.
    Allow {
        /// The deciding allow rule, if any.
        rule: Option<Arc<str>>,
    },
    /// Answer `status` with `body`.
    Block {
        /// HTTP status.
        status: u16,
        /// Response body.
        body: Arc<str>,
        /// The deciding rule (`manual` for a manual decision).
        rule: Arc<str>,
    },
    /// Answer 429 with `Retry-After`.
    RateLimited {
        /// When the key conforms again.
        retry_after: Duration,
        /// The deciding rule.
        rule: Arc<str>,
    },
    /// Hold the request for `delay`, then forward it.
    Tarpit {
        /// The delay, already capped by `limits.max_tarpit_delay`.
        delay: Duration,
        /// The deciding rule.
        rule: Arc<str>,
    },
    /// Answer with a decoy the proxy generates.
    Deceive {
        /// The deciding rule.
        rule: Arc<str>,
    },
    /// Answer 401 (the request has no credentials).
    RequireAuth {
        /// The deciding rule.
        rule: Arc<str>,
    },
}

impl Outcome {
    /// The outcome's name: `allow`, `block`, `rate_limited`, `tarpit`, `deceive`,
    /// `require_auth`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Allow { .. } => "allow",
            Self::Block { .. } => "block",
            Self::RateLimited { .. } => "rate_limited",
            Self::Tarpit { .. } => "tarpit",
            Self::Deceive { .. } => "deceive",
            Self::RequireAuth { .. } => "require_auth",
        }
    }

    /// The rule that decided, if any.
    pub fn rule(&self) -> Option<&str> {
        match self {
            Self::Allow { rule } => rule.as_deref(),
            Self::Block { rule, .. }
            | Self::RateLimited { rule, .. }
            | Self::Tarpit { rule, .. }
            | Self::Deceive { rule }
            | Self::RequireAuth { rule } => Some(rule),
        }
    }

    /// Whether the request is forwarded untouched.
    pub fn is_allow(&self) -> bool {
        matches!(self, Self::Allow { .. })
    }
}

/// What a monitor-mode rule or decision would have done had it been enforced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WouldHave {
    /// The outcome it would have given.
    pub outcome: Outcome,
    /// The decision behind it, when a decision (rather than the rule's `when`) applied.
    pub decision: Option<String>,
}

/// The verdict on one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// What to do.
    pub outcome: Outcome,
    /// The decision that decided, when one did (rather than a rule's `when`).
    pub decision: Option<String>,
    /// Monitor-mode outcomes met before the deciding one, in evaluation order.
    pub would_have: Vec<WouldHave>,
    /// Rules with action `monitor` that matched.
    pub monitored: Vec<Arc<str>>,
}

impl Verdict {
    /// Forward, nothing matched.
    pub fn allow() -> Self {
        Self {
            outcome: Outcome::Allow { rule: None },
            decision: None,
            would_have: Vec::new(),
            monitored: Vec::new(),
        }
    }
}

enum Step {
    Final(Outcome),
    Monitor,
    Continue,
}

/// Which limiter bucket a rate-limit action counts in.
#[derive(Clone, Copy)]
struct Bucket {
    namespace: u64,
    key: u64,
}

fn mix(tag: u64, h: u64) -> u64 {
    h ^ tag.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn ip_key(f: &RequestFacts) -> u64 {
    match f.ip {
        Some(std::net::IpAddr::V4(v4)) => mix(1, fast_hash(&v4.octets())),
        Some(std::net::IpAddr::V6(v6)) => mix(1, fast_hash(&v6.octets())),
        None => 0,
    }
}

/// The hashed key value of a request for a rate limit keyed by `key`.
fn limit_key(key: LimitKey, f: &RequestFacts) -> u64 {
    let hashed = |tag: u64, s: &Option<String>| match s {
        Some(s) => mix(tag, fast_hash(s.as_bytes())),
        None => ip_key(f),
    };
    match key {
        LimitKey::Ip => ip_key(f),
        LimitKey::Prefix => match f.network() {
            Some(ipnet::IpNet::V4(n)) => {
                let o = n.network().octets();
                mix(2, fast_hash(&[o[0], o[1], o[2], o[3], n.prefix_len()]))
            }
            Some(ipnet::IpNet::V6(n)) => {
                let mut b = [0u8; 17];
                b[..16].copy_from_slice(&n.network().octets());
                b[16] = n.prefix_len();
                mix(2, fast_hash(&b))
            }
            None => 0,
        },
        LimitKey::Session => hashed(3, &f.session),
        LimitKey::Principal => hashed(4, &f.principal),
        LimitKey::Fingerprint => hashed(5, &f.fingerprint),
        LimitKey::Endpoint => mix(
            6,
            fast_hash(f.method.as_bytes()).rotate_left(17) ^ fast_hash(f.route().as_bytes()),
        ),
    }
}

fn rule_bucket(rule: &Rule, f: &RequestFacts) -> Bucket {
    Bucket {
        namespace: RateLimiter::namespace(&rule.name),
        key: limit_key(rule.key, f),
    }
}

fn decision_bucket(d: &Decision) -> Bucket {
    Bucket {
        namespace: mix(7, RateLimiter::namespace(&d.id)),
        key: 0,
    }
}

struct Ctx<'a> {
    policy: &'a Policy,
    facts: &'a RequestFacts,
    now: EventTime,
}

fn apply(
    action: &Action,
    name: &Arc<str>,
    bucket: Bucket,
    ctx: &Ctx<'_>,
    limiter: &mut RateLimiter,
) -> Step {
    let rule = name.clone();
    Step::Final(match action {
        Action::Allow => Outcome::Allow { rule: Some(rule) },
        Action::Monitor => return Step::Monitor,
        Action::Block { status, body } => Outcome::Block {
            status: *status,
            body: body.clone(),
            rule,
        },
        Action::RateLimit { rate, burst } => {
            match limiter.check(bucket.namespace, bucket.key, *rate, *burst, ctx.now) {
                Ok(()) => return Step::Continue,
                Err(retry_after) => Outcome::RateLimited { retry_after, rule },
            }
        }
        Action::Tarpit { delay_ms } => Outcome::Tarpit {
            delay: Duration::from_millis(*delay_ms).min(ctx.policy.limits().max_tarpit_delay),
            rule,
        },
        Action::Deceive => Outcome::Deceive { rule },
        Action::RequireAuth if ctx.facts.credentials => return Step::Continue,
        Action::RequireAuth => Outcome::RequireAuth { rule },
    })
}

/// Order for decisions competing on one request: manual allow first, then by strength.
fn rank(d: &Decision) -> u8 {
    match (&d.origin, &d.action) {
        (Origin::Manual, Action::Allow) => u8::MAX,
        (_, a) => a.strength(),
    }
}

fn origin_name(d: &Decision) -> Arc<str> {
    match &d.origin {
        Origin::Rule(n) => Arc::from(n.as_str()),
        Origin::Manual => Arc::from("manual"),
        Origin::Detector(n) => Arc::from(format!("detector:{n}")),
    }
}

/// Applies `decisions` strongest first; returns the verdict when an enforcing one decides.
fn by_decisions(
    mut decisions: Vec<&Decision>,
    ctx: &Ctx<'_>,
    limiter: &mut RateLimiter,
    v: &mut Verdict,
) -> bool {
    decisions.sort_by_key(|d| std::cmp::Reverse(rank(d)));
    for d in decisions {
        match apply(&d.action, &origin_name(d), decision_bucket(d), ctx, limiter) {
            Step::Final(outcome) if d.mode == Mode::Enforce => {
                v.outcome = outcome;
                v.decision = Some(d.id.clone());
                return true;
            }
            Step::Final(outcome) => v.would_have.push(WouldHave {
                outcome,
                decision: Some(d.id.clone()),
            }),
            Step::Monitor => v.monitored.push(origin_name(d)),
            Step::Continue => {}
        }
    }
    false
}

/// The verdict on one request at event time `now`. Counts the request in the rate limits it
/// meets and, when the policy reads clients' histories, notes a request that is served
/// (allowed or tarpitted) in its client's history; does nothing else with side effects.
pub fn verdict(
    policy: &Policy,
    facts: &RequestFacts,
    decisions: &DecisionBook,
    limiter: &mut RateLimiter,
    now: EventTime,
) -> Verdict {
    if !policy.uses_history() {
        return judge(policy, facts, decisions, limiter, &Past { seen: None, now });
    }
    let seen = client_key(facts).and_then(|k| limiter.history().get(k));
    let v = judge(policy, facts, decisions, limiter, &Past { seen, now });
    if matches!(v.outcome, Outcome::Allow { .. } | Outcome::Tarpit { .. }) {
        limiter.history_mut().record(facts, now);
    }
    v
}

fn judge(
    policy: &Policy,
    facts: &RequestFacts,
    decisions: &DecisionBook,
    limiter: &mut RateLimiter,
    past: &Past,
) -> Verdict {
    let now = past.now;
    let ctx = Ctx { policy, facts, now };
    let mut v = Verdict::allow();
    let mut manual = Vec::new();
    let mut by_rule: Vec<(usize, &Decision)> = Vec::new();
    let mut loose = Vec::new();
    for d in decisions.matching(facts, now) {
        match &d.origin {
            Origin::Manual => manual.push(d),
            Origin::Rule(name) => match policy.rule_index(name) {
                Some(i) => by_rule.push((i, d)),
                None => loose.push(d),
            },
            Origin::Detector(_) => loose.push(d),
        }
    }
    if by_decisions(manual, &ctx, limiter, &mut v) {
        return v;
    }
    for (i, rule) in policy.rules().iter().enumerate() {
        if rule.exempts(facts, past) {
            continue;
        }
        let decision = by_rule
            .iter()
            .filter(|(r, _)| *r == i)
            .map(|(_, d)| *d)
            .max_by_key(|d| rank(d));
        let (action, bucket, id) = match decision {
            Some(d) => {
                let bucket = if d.action == rule.action {
                    rule_bucket(rule, facts)
                } else {
                    decision_bucket(d)
                };
                (&d.action, bucket, Some(d.id.clone()))
            }
            None if rule.applies(facts, past) => (&rule.action, rule_bucket(rule, facts), None),
            None => continue,
        };
        match apply(action, &rule.name, bucket, &ctx, limiter) {
            Step::Final(outcome) if rule.mode == Mode::Enforce => {
                v.outcome = outcome;
                v.decision = id;
                return v;
            }
            Step::Final(outcome) => v.would_have.push(WouldHave {
                outcome,
                decision: id,
            }),
            Step::Monitor => v.monitored.push(rule.name.clone()),
            Step::Continue => {}
        }
    }
    by_decisions(loose, &ctx, limiter, &mut v);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::Scope;

    #[test]
    fn missing_key_values_fall_back_to_the_address() {
        let f = RequestFacts {
            ip: Some("192.0.2.1".parse().unwrap()),
            ..RequestFacts::default()
        };
        assert_eq!(
            limit_key(LimitKey::Session, &f),
            limit_key(LimitKey::Ip, &f)
        );
        let with = RequestFacts {
            session: Some("ab".into()),
            ..f.clone()
        };
        assert_ne!(
            limit_key(LimitKey::Session, &with),
            limit_key(LimitKey::Ip, &f)
        );
        assert_ne!(limit_key(LimitKey::Prefix, &f), limit_key(LimitKey::Ip, &f));
    }

    #[test]
    fn manual_allow_outranks_every_block() {
        let allow = Decision::manual(
            Action::Allow,
            Scope::Actor("a".into()),
            "",
            EventTime::default(),
            None,
        );
        let mut block = allow.clone();
        block.action = Action::Block {
            status: 403,
            body: "".into(),
        };
        assert!(rank(&allow) > rank(&block));
        block.origin = Origin::Detector("x".into());
        assert_eq!(&*origin_name(&block), "detector:x");
    }

    #[test]
    fn empty_policy_allows() {
        let v = verdict(
            &Policy::default(),
            &RequestFacts::default(),
            &DecisionBook::default(),
            &mut RateLimiter::default(),
            EventTime::default(),
        );
        assert_eq!(v, Verdict::allow());
    }
}
