//! Dry runs count, per rule, what would have been done to benign and to attacker traffic.

mod common;

use common::{at, facts, policy, with_alert};
use rampart_core::Severity;
use rampart_defend::{verdict, DecisionBook, DryRun, Label, RateLimiter};

#[test]
fn dry_run_separates_benign_from_attacker_traffic() {
    let p = policy(
        "\
rules:
  - name: block-stuffers
    when: { detector: credential_stuffing }
    action: block
  - name: login-limit
    when: { endpoint: \"POST /api/login\" }
    action: rate_limit
    rate: 2/min
    burst: 2
  - name: deceive-enumerators
    when: { detector: enumeration }
    action: deceive
  - name: tarpit-risky
    when: { min_risk: 60 }
    action: tarpit
    delay: 1s
",
    );
    let book = DecisionBook::default();
    let mut limiter = RateLimiter::default();
    let mut dry = DryRun::new();
    // A benign user logs in three times in a minute: the third would have been limited.
    for i in 0..3 {
        let f = facts("192.0.2.10", "POST", "/api/login");
        dry.record(
            &verdict(&p, &f, &book, &mut limiter, at(i * 1000)),
            Label::Benign,
        );
    }
    // An attacker stuffs credentials from one address and enumerates from another.
    for i in 0..10 {
        let f = with_alert(
            facts("198.51.100.1", "POST", "/api/login"),
            "credential_stuffing",
            Severity::High,
        );
        dry.record(
            &verdict(&p, &f, &book, &mut limiter, at(i)),
            Label::Attacker,
        );
    }
    for i in 0..4 {
        let mut f = with_alert(
            facts("198.51.100.2", "GET", "/api/users/1"),
            "enumeration",
            Severity::Medium,
        );
        f.actor_risk = Some(90);
        dry.record(
            &verdict(&p, &f, &book, &mut limiter, at(i)),
            Label::Attacker,
        );
    }
    assert_eq!(dry.requests(Label::Benign), 3);
    assert_eq!(dry.requests(Label::Attacker), 14);
    let stuffers = dry.rule("block-stuffers").unwrap();
    assert_eq!(stuffers.would_have.attacker.blocked, 10);
    assert_eq!(stuffers.would_have.benign.blocked, 0);
    let limit = dry.rule("login-limit").unwrap();
    assert_eq!(limit.would_have.benign.limited, 1);
    assert_eq!(limit.would_have.attacker.limited, 8);
    assert_eq!(
        dry.rule("deceive-enumerators")
            .unwrap()
            .would_have
            .attacker
            .deceived,
        4
    );
    assert_eq!(
        dry.rule("tarpit-risky")
            .unwrap()
            .would_have
            .attacker
            .tarpitted,
        4
    );
    // Enforcing everything: the first outcome of each request.
    let all = dry.combined();
    assert_eq!(all.attacker.blocked, 10);
    assert_eq!(all.attacker.deceived, 4);
    assert_eq!(all.attacker.tarpitted, 0);
    assert_eq!(all.benign.acted(), 1);
    let report = dry.report();
    assert!(report.contains("rule login-limit"), "{report}");
    assert!(
        report.contains("requests: 3 benign, 14 attacker"),
        "{report}"
    );
}
