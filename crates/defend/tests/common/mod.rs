//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;

use rampart_core::{Alert, Entity, EntityKind, EventTime, Owasp, Severity};
use rampart_defend::{ActiveAlert, Policy, RequestFacts};

pub fn at(ms: i64) -> EventTime {
    EventTime::from_unix_millis(ms)
}

pub fn secs(s: i64) -> EventTime {
    EventTime::from_unix_millis(s * 1000)
}

pub fn policy(yaml: &str) -> Policy {
    match Policy::from_yaml(yaml, "test.yaml") {
        Ok(p) => p,
        Err(problems) => panic!("{}", rampart_defend::render_problems(&problems)),
    }
}

pub fn facts(ip: &str, method: &str, path: &str) -> RequestFacts {
    RequestFacts {
        ip: Some(ip.parse().unwrap()),
        method: method.into(),
        path: path.into(),
        ..RequestFacts::default()
    }
}

pub fn with_alert(mut f: RequestFacts, detector: &str, severity: Severity) -> RequestFacts {
    f.alerts.push(ActiveAlert {
        detector: detector.into(),
        severity,
    });
    f
}

pub fn alert(detector: &str, severity: Severity, ips: &[&str]) -> Alert {
    let mut entities: Vec<Entity> = ips
        .iter()
        .map(|ip| Entity::ip(ip.parse().unwrap()))
        .collect();
    let entity = entities.remove(0);
    Alert {
        id: "a1".into(),
        detector: detector.into(),
        owasp: Owasp::Api2BrokenAuthentication,
        severity,
        entity,
        actor: Some("actor-000000000001".into()),
        endpoint: None,
        first_seen: at(0),
        raised: at(0),
        last_seen: at(0),
        requests: 10,
        evidence: "40 failed logins in 60 s".into(),
        figures: BTreeMap::new(),
        members: entities,
        members_dropped: 0,
    }
}

pub fn session_alert(detector: &str, session: &str) -> Alert {
    let mut a = alert(detector, Severity::High, &["192.0.2.1"]);
    a.entity = Entity::new(EntityKind::Session, session);
    a
}
