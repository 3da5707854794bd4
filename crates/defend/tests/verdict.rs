//! The verdict: first match, monitor against enforce, each action's outcome.

mod common;

use std::time::Duration;

use common::{at, facts, policy, with_alert};
use rampart_core::Severity;
use rampart_defend::{verdict, DecisionBook, InventoryFacts, Outcome, RateLimiter};

fn judge(p: &rampart_defend::Policy, f: &rampart_defend::RequestFacts) -> rampart_defend::Verdict {
    verdict(
        p,
        f,
        &DecisionBook::default(),
        &mut RateLimiter::default(),
        at(0),
    )
}

#[test]
fn first_matching_enforcing_rule_decides() {
    let p = policy(
        "\
lists:
  partners: { cidrs: [203.0.113.0/24] }
rules:
  - name: allow-partners
    when: { list: partners }
    action: allow
    mode: enforce
  - name: block-admin
    when: { path_prefix: /admin }
    action: block
    status: 403
    body: denied
    mode: enforce
  - name: deceive-admin
    when: { path_prefix: /admin }
    action: deceive
    mode: enforce
",
    );
    let partner = judge(&p, &facts("203.0.113.5", "GET", "/admin/users"));
    assert_eq!(
        partner.outcome,
        Outcome::Allow {
            rule: Some("allow-partners".into())
        }
    );
    let other = judge(&p, &facts("198.51.100.1", "GET", "/admin/users"));
    assert_eq!(
        other.outcome,
        Outcome::Block {
            status: 403,
            body: "denied".into(),
            rule: "block-admin".into()
        }
    );
    let elsewhere = judge(&p, &facts("198.51.100.1", "GET", "/api"));
    assert_eq!(elsewhere.outcome, Outcome::Allow { rule: None });
}

#[test]
fn monitor_rules_report_what_they_would_have_done() {
    let p = policy(
        "\
rules:
  - name: new-block
    when: { detector: scraping }
    action: block
  - name: old-tarpit
    when: { detector: scraping }
    action: tarpit
    delay: 1s
    mode: enforce
  - name: never-reached
    when: { detector: scraping }
    action: deceive
",
    );
    let f = with_alert(facts("192.0.2.1", "GET", "/"), "scraping", Severity::Medium);
    let v = judge(&p, &f);
    assert_eq!(
        v.outcome,
        Outcome::Tarpit {
            delay: Duration::from_secs(1),
            rule: "old-tarpit".into()
        }
    );
    assert_eq!(v.would_have.len(), 1);
    assert_eq!(v.would_have[0].outcome.kind(), "block");
    assert_eq!(v.would_have[0].outcome.rule(), Some("new-block"));
}

#[test]
fn monitor_only_policy_changes_nothing_but_reports_everything() {
    let p = policy(
        "\
rules:
  - name: a
    when: { min_risk: 50 }
    action: deceive
    mode: enforce
  - name: b
    action: block
    mode: enforce
",
    )
    .monitor_only();
    let mut f = facts("192.0.2.1", "GET", "/");
    f.actor_risk = Some(70);
    let v = judge(&p, &f);
    assert!(v.outcome.is_allow());
    let kinds: Vec<_> = v.would_have.iter().map(|w| w.outcome.kind()).collect();
    assert_eq!(kinds, ["deceive", "block"]);
}

#[test]
fn severity_and_detector_conditions() {
    let p = policy(
        "\
rules:
  - name: r
    when: { detector: credential_stuffing, min_severity: high }
    action: block
    mode: enforce
",
    );
    let base = facts("192.0.2.1", "POST", "/api/login");
    let medium = with_alert(base.clone(), "credential_stuffing", Severity::Medium);
    assert!(judge(&p, &medium).outcome.is_allow());
    let other = with_alert(base.clone(), "enumeration", Severity::Critical);
    assert!(judge(&p, &other).outcome.is_allow());
    let high = with_alert(base, "credential_stuffing", Severity::Critical);
    assert_eq!(judge(&p, &high).outcome.kind(), "block");
}

#[test]
fn require_auth_only_for_requests_without_credentials() {
    let p = policy(
        "\
rules:
  - name: sensitive-needs-auth
    when: { inventory: { sensitive: true } }
    action: require_auth
    mode: enforce
",
    );
    let mut f = facts("192.0.2.1", "GET", "/api/users/1");
    f.endpoint = Some("/api/users/{id}".into());
    assert!(judge(&p, &f).outcome.is_allow(), "not sensitive");
    f.inventory = InventoryFacts {
        sensitive: true,
        ..InventoryFacts::default()
    };
    assert_eq!(
        judge(&p, &f).outcome,
        Outcome::RequireAuth {
            rule: "sensitive-needs-auth".into()
        }
    );
    f.credentials = true;
    assert!(judge(&p, &f).outcome.is_allow());
}

#[test]
fn endpoint_method_header_and_agent_conditions() {
    let p = policy(
        "\
rules:
  - name: r
    when:
      endpoint: \"POST /api/users/*\"
      header_present: x-api-key
      header_equals: { x-env: prod }
      user_agent_contains: [python]
      any:
        - { method: POST }
        - { method: PUT }
    action: deceive
    mode: enforce
",
    );
    let mut f = facts("192.0.2.1", "POST", "/api/users/7");
    f.endpoint = Some("/api/users/{id}".into());
    f.headers.push("X-Api-Key", "k");
    f.headers.push("x-env", "prod");
    assert!(judge(&p, &f).outcome.is_allow(), "no user agent yet");
    f.headers.push("User-Agent", "Python-Requests/2.31");
    assert_eq!(judge(&p, &f).outcome.kind(), "deceive");
    f.method = "GET".into();
    assert!(judge(&p, &f).outcome.is_allow());
}

#[test]
fn monitor_action_notes_and_goes_on() {
    let p = policy(
        "\
rules:
  - name: watch
    action: monitor
    mode: enforce
  - name: block
    when: { countries: [KP] }
    action: block
    mode: enforce
",
    );
    let mut f = facts("192.0.2.1", "GET", "/");
    let v = judge(&p, &f);
    assert!(v.outcome.is_allow());
    assert_eq!(v.monitored, vec!["watch".into()]);
    f.country = Some("kp".into());
    assert_eq!(judge(&p, &f).outcome.kind(), "block");
}

#[test]
fn tarpit_delay_is_capped_by_the_policy() {
    let p = policy(
        "\
limits: { max_tarpit_delay: 3s }
rules:
  - name: slow
    action: tarpit
    delay: 3s
    mode: enforce
",
    );
    let v = judge(&p, &facts("192.0.2.1", "GET", "/"));
    assert_eq!(
        v.outcome,
        Outcome::Tarpit {
            delay: Duration::from_secs(3),
            rule: "slow".into()
        }
    );
    assert!(rampart_defend::Policy::from_yaml(
        "limits: { max_tarpit_delay: 3s }\nrules:\n  - name: slow\n    action: tarpit\n    delay: 4s\n",
        "p"
    )
    .is_err());
}
