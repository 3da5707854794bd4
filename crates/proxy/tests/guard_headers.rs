//! Header conditions through the guard: the request facts carry the headers when a rule reads
//! them, so `header_present` and `header_equals` decide as written.

use std::sync::Arc;

use rampart_core::{EventTime, Exchange, KeyedHasher};
use rampart_defend::{Policy, PolicyHandle};
use rampart_engine::{Config, Engine};
use rampart_proxy::{Guard, GuardOptions};

const POLICY: &str = "rules:
  - name: no-debug-outside-staging
    when:
      header_present: x-debug
      not: { header_equals: { x-env: staging } }
    action: block
    mode: enforce
";

fn request(headers: &[(&str, &str)]) -> Exchange {
    let mut ex = Exchange {
        time: EventTime::from_unix_millis(1_700_000_000_000),
        client: Some("203.0.113.7".parse().unwrap()),
        method: "GET".into(),
        host: Some("api.example".into()),
        path: "/api/v1/orders".into(),
        ..Exchange::default()
    };
    ex.request_headers.push("user-agent", "Mozilla/5.0");
    for &(n, v) in headers {
        ex.request_headers.push(n, v);
    }
    ex
}

#[test]
fn header_rules_see_the_headers_of_the_request() {
    let hasher = KeyedHasher::new([5; 32]);
    let engine = Engine::new(&Config::default(), &[], Vec::new(), hasher.clone());
    let policy = Policy::from_yaml(POLICY, "policy.yaml").unwrap();
    assert!(policy.reads_headers());
    let policy = Arc::new(PolicyHandle::new(policy));
    let start = EventTime::from_unix_millis(1_700_000_000_000);
    let guard = Guard::new(engine, policy, hasher, None, GuardOptions::default(), start).unwrap();
    let kind = |h: &[(&str, &str)]| guard.replay(&request(h)).outcome.kind();
    assert_eq!(kind(&[("x-debug", "1")]), "block");
    assert_eq!(kind(&[("x-debug", "1"), ("x-env", "staging")]), "allow");
    assert_eq!(kind(&[]), "allow");
}
