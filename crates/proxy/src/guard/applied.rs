//! What the slow path already made of each alert, so that an alert seen again is applied by
//! what changed: a campaign alert that gains a few addresses on every pass makes decisions for
//! those few, not again for the thousands it already named.
//!
//! An alert is applied whole when it is new, when its severity changed, when the policy
//! changed, and at least every [`Applied::refresh_every`] of event time, so the decisions it
//! keeps alive are refreshed well before they expire. In between, only its new members are
//! applied; an alert that only grew in counts or evidence makes nothing new.

use std::collections::HashMap;
use std::sync::Arc;

use rampart_core::{Alert, EventTime, Severity};
use rampart_defend::Policy;

/// Longest time between two whole applications of one alert (event time).
const REFRESH_MAX_MS: i64 = 30_000;

/// The part of a touched alert that still has to be applied.
#[derive(Debug, PartialEq)]
pub(crate) enum Delta {
    /// All of it: decisions refreshed, every member noted.
    Whole,
    /// Only the members from this index on (of `alert.members`), of which the first `room`
    /// can still make decisions under the policy's per-alert cap.
    NewMembers { from: usize, room: usize },
    /// Nothing: the alert only grew in counts or evidence.
    Nothing,
}

#[derive(Debug, Clone, Copy)]
struct Seen {
    members: usize,
    severity: Severity,
    applied_ms: i64,
}

/// Per alert id, how much of it was applied and when; bounded by `cap` (past it the memo is
/// forgotten, which only makes the next passes apply alerts whole again).
#[derive(Debug)]
pub(crate) struct Applied {
    seen: HashMap<String, Seen>,
    policy: Option<Arc<Policy>>,
    refresh_every: i64,
    cap: usize,
}

impl Applied {
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            seen: HashMap::new(),
            policy: None,
            refresh_every: REFRESH_MAX_MS,
            cap: cap.max(1),
        }
    }

    /// Event time between two whole applications under `policy`: [`REFRESH_MAX_MS`], or a
    /// quarter of the policy's shortest decision lifetime if that is shorter.
    fn refresh_every(policy: &Policy) -> i64 {
        policy
            .rules()
            .iter()
            .filter_map(|r| r.ttl)
            .map(|ttl| i64::try_from(ttl.as_millis() / 4).unwrap_or(i64::MAX))
            .fold(REFRESH_MAX_MS, i64::min)
            .max(1)
    }

    /// What of `alert` is still to apply at `now` under `policy`, and records it as applied.
    pub(crate) fn delta(&mut self, policy: &Arc<Policy>, alert: &Alert, now: EventTime) -> Delta {
        if !self.policy.as_ref().is_some_and(|p| Arc::ptr_eq(p, policy)) {
            self.seen.clear();
            self.refresh_every = Self::refresh_every(policy);
            self.policy = Some(policy.clone());
        }
        let now_ms = now.as_unix_millis();
        let members = alert.members.len();
        let whole = Seen {
            members,
            severity: alert.severity,
            applied_ms: now_ms,
        };
        let Some(seen) = self.seen.get_mut(&alert.id) else {
            if self.seen.len() >= self.cap {
                self.seen.clear();
            }
            self.seen.insert(alert.id.clone(), whole);
            return Delta::Whole;
        };
        if seen.severity != alert.severity
            || members < seen.members
            || now_ms.saturating_sub(seen.applied_ms) >= self.refresh_every
        {
            *seen = whole;
            return Delta::Whole;
        }
        if members == seen.members {
            return Delta::Nothing;
        }
        let from = seen.members;
        seen.members = members;
        // The entity and the first members fill the per-alert cap first, as a whole
        // application would take them.
        let room = policy
            .limits()
            .max_decisions_per_alert
            .saturating_sub(from + 1);
        Delta::NewMembers { from, room }
    }

    /// Alerts remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.seen.len()
    }
}

/// `alert` with only its members from `from` on, at most `room` of them.
pub(crate) fn with_members_from(alert: &Alert, from: usize, room: usize) -> Alert {
    let end = alert.members.len().min(from.saturating_add(room));
    Alert {
        members: alert.members.get(from..end).unwrap_or_default().to_vec(),
        id: alert.id.clone(),
        detector: alert.detector.clone(),
        owasp: alert.owasp,
        severity: alert.severity,
        entity: alert.entity.clone(),
        actor: alert.actor.clone(),
        endpoint: alert.endpoint.clone(),
        first_seen: alert.first_seen,
        raised: alert.raised,
        last_seen: alert.last_seen,
        requests: alert.requests,
        evidence: alert.evidence.clone(),
        figures: alert.figures.clone(),
        members_dropped: alert.members_dropped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::{Entity, EntityKind, Owasp};

    fn policy(yaml: &str) -> Arc<Policy> {
        Arc::new(Policy::from_yaml(yaml, "test.yaml").unwrap())
    }

    const POLICY: &str = "rules:\n  - name: block-stuffers\n    when: { detector: credential_stuffing }\n    action: block\n    ttl: 10m\n";

    fn alert(members: usize, severity: Severity) -> Alert {
        Alert {
            id: "a1".into(),
            detector: "credential_stuffing".into(),
            owasp: Owasp::Api2BrokenAuthentication,
            severity,
            entity: Entity::new(EntityKind::Fingerprint, "f00d"),
            actor: None,
            endpoint: None,
            first_seen: EventTime::from_unix_millis(0),
            raised: EventTime::from_unix_millis(0),
            last_seen: EventTime::from_unix_millis(0),
            requests: 1,
            evidence: "failures".into(),
            figures: Default::default(),
            members: (0..members)
                .map(|i| Entity::new(EntityKind::Ip, format!("192.0.2.{i}")))
                .collect(),
            members_dropped: 0,
        }
    }

    fn at(ms: i64) -> EventTime {
        EventTime::from_unix_millis(ms)
    }

    #[test]
    fn a_growing_alert_is_applied_by_its_new_members_and_whole_when_a_refresh_is_due() {
        let p = policy(POLICY);
        let mut applied = Applied::new(100);
        let high = Severity::High;
        assert_eq!(applied.delta(&p, &alert(3, high), at(0)), Delta::Whole);
        assert_eq!(applied.delta(&p, &alert(3, high), at(500)), Delta::Nothing);
        assert_eq!(
            applied.delta(&p, &alert(5, high), at(1_000)),
            Delta::NewMembers { from: 3, room: 996 }
        );
        assert_eq!(
            applied.delta(&p, &alert(5, high), at(1_500)),
            Delta::Nothing
        );
        assert_eq!(
            applied.delta(&p, &alert(5, high), at(REFRESH_MAX_MS)),
            Delta::Whole,
            "refreshed before its decisions could expire"
        );
        assert_eq!(
            applied.delta(&p, &alert(5, Severity::Critical), at(REFRESH_MAX_MS + 1)),
            Delta::Whole,
            "a new severity can meet other rules"
        );
        assert_eq!(
            applied.delta(&p, &alert(2, Severity::Critical), at(REFRESH_MAX_MS + 2)),
            Delta::Whole,
            "fewer members than before: a new episode under the same id"
        );
    }

    #[test]
    fn a_new_policy_applies_every_alert_whole_again() {
        let mut applied = Applied::new(100);
        let first = policy(POLICY);
        assert_eq!(
            applied.delta(&first, &alert(3, Severity::High), at(0)),
            Delta::Whole
        );
        let reloaded = policy(POLICY);
        assert_eq!(
            applied.delta(&reloaded, &alert(3, Severity::High), at(1)),
            Delta::Whole
        );
    }

    #[test]
    fn a_short_lifetime_brings_the_refresh_forward() {
        let p = policy(&POLICY.replace("ttl: 10m", "ttl: 20s"));
        let mut applied = Applied::new(100);
        assert_eq!(
            applied.delta(&p, &alert(1, Severity::High), at(0)),
            Delta::Whole
        );
        assert_eq!(
            applied.delta(&p, &alert(1, Severity::High), at(4_999)),
            Delta::Nothing
        );
        assert_eq!(
            applied.delta(&p, &alert(1, Severity::High), at(5_000)),
            Delta::Whole
        );
    }

    #[test]
    fn members_past_the_per_alert_cap_make_no_decisions() {
        let p = policy(&format!("limits:\n  max_decisions_per_alert: 4\n{POLICY}"));
        let mut applied = Applied::new(100);
        assert_eq!(
            applied.delta(&p, &alert(3, Severity::High), at(0)),
            Delta::Whole
        );
        assert_eq!(
            applied.delta(&p, &alert(6, Severity::High), at(1)),
            Delta::NewMembers { from: 3, room: 0 }
        );
    }

    #[test]
    fn the_memo_is_bounded() {
        let p = policy(POLICY);
        let mut applied = Applied::new(2);
        for i in 0..5 {
            let mut a = alert(1, Severity::High);
            a.id = format!("a{i}");
            assert_eq!(applied.delta(&p, &a, at(0)), Delta::Whole);
            assert!(applied.len() <= 2);
        }
    }

    #[test]
    fn only_the_new_members_are_kept_and_at_most_room_of_them() {
        let a = alert(6, Severity::High);
        let d = with_members_from(&a, 4, 10);
        assert_eq!(d.members, a.members[4..].to_vec());
        assert_eq!((d.id.as_str(), &d.entity), (a.id.as_str(), &a.entity));
        assert_eq!(
            with_members_from(&a, 2, 1).members,
            a.members[2..3].to_vec()
        );
        assert!(with_members_from(&a, 9, 10).members.is_empty());
    }
}
