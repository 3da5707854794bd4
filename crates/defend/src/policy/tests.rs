//! Reading policies into rules: the shapes each field takes.

use std::time::Duration;

use rampart_core::Severity;

use super::rules::{LimitKey, ScopeKind, Test};
use super::Policy;
use crate::decision::{Action, Mode};
use crate::facts::RequestFacts;
use crate::ratelimit::Rate;

fn parse(yaml: &str) -> Policy {
    match Policy::from_yaml(yaml, "t.yaml") {
        Ok(p) => p,
        Err(e) => panic!("{}", super::render_problems(&e)),
    }
}

#[test]
fn actions_take_their_fields_and_defaults() {
    let p = parse(
        "\
rules:
  - name: b
    action: block
  - name: r
    action: rate_limit
    rate: 10/min
    key: session
  - name: t
    action: tarpit
  - name: s
    when: { detector: scraping }
    action: deceive
    scope: fingerprint
    ttl: 30m
    mode: enforce
",
    );
    let [b, r, t, s] = p.rules() else {
        panic!("four rules")
    };
    assert_eq!(
        b.action,
        Action::Block {
            status: 403,
            body: "forbidden\n".into()
        }
    );
    assert_eq!(b.mode, Mode::Monitor);
    assert_eq!(
        r.action,
        Action::RateLimit {
            rate: Rate::new(10, Duration::from_secs(60)),
            burst: 10
        }
    );
    assert_eq!(r.key, LimitKey::Session);
    assert_eq!(t.action, Action::Tarpit { delay_ms: 2000 });
    assert_eq!(
        (s.scope, s.ttl),
        (ScopeKind::Fingerprint, Some(Duration::from_secs(1800)))
    );
    assert_eq!(s.mode, Mode::Enforce);
    assert_eq!(p.rule_index("s"), Some(3));
    assert_eq!(s.line, 10);
}

#[test]
fn detector_and_severity_make_one_alert_test() {
    let p = parse(
        "rules:\n  - name: a\n    when: { detector: [enumeration, scraping], min_severity: medium }\n    action: deceive\n",
    );
    assert_eq!(
        p.rules()[0].when.tests,
        vec![Test::Alert {
            detectors: vec!["enumeration".into(), "scraping".into()],
            min_severity: Some(Severity::Medium)
        }]
    );
}

#[test]
fn inline_entity_conditions_are_anded() {
    let p = parse(
        "rules:\n  - name: a\n    when: { countries: [de], asns: [AS64496] }\n    action: block\n",
    );
    let rule = &p.rules()[0];
    let mut f = RequestFacts {
        country: Some("DE".into()),
        ..RequestFacts::default()
    };
    assert!(!rule.matches(&f));
    f.asn = Some(64496);
    assert!(rule.matches(&f));
}

#[test]
fn any_and_not_nest() {
    let p = parse(
        "\
rules:
  - name: a
    when:
      any:
        - { method: delete }
        - { path_prefix: /admin, not: { header_present: x-admin-token } }
    action: block
",
    );
    let rule = &p.rules()[0];
    let mut f = RequestFacts {
        method: "GET".into(),
        path: "/admin/users".into(),
        ..RequestFacts::default()
    };
    assert!(rule.matches(&f));
    f.headers.push("X-Admin-Token", "t");
    assert!(!rule.matches(&f));
    f.method = "DELETE".into();
    assert!(rule.matches(&f));
}

#[test]
fn limits_are_read_and_checked() {
    let p =
        parse("limits: { max_tarpit_delay: 30s, max_tarpitted: 8, tarpit_overflow_status: 503 }\n");
    assert_eq!(p.limits().max_tarpit_delay, Duration::from_secs(30));
    assert_eq!(p.limits().max_tarpitted, 8);
    assert_eq!(p.limits().tarpit_overflow_status, 503);
    let e =
        Policy::from_yaml("limits: { max_tarpitted: 0, max_tarpit_delay: 1h }\n", "t").unwrap_err();
    assert_eq!(e.len(), 2, "{e:#?}");
}

#[test]
fn scalars_are_taken_as_written_where_text_is_expected() {
    let p = parse("rules:\n  - name: 2024\n    action: block\n    body: 404\n");
    assert_eq!(&*p.rules()[0].name, "2024");
    assert_eq!(
        p.rules()[0].action,
        Action::Block {
            status: 403,
            body: "404".into()
        }
    );
}

#[test]
fn extra_detector_names_can_be_allowed() {
    let yaml = "rules:\n  - name: a\n    when: { detector: my_detector }\n    action: block\n";
    assert!(Policy::from_yaml(yaml, "t").is_err());
    assert!(Policy::from_yaml_with(yaml, "t", &["my_detector"]).is_ok());
}

#[test]
fn top_level_must_be_a_mapping() {
    let e = Policy::from_yaml("- a\n- b\n", "t").unwrap_err();
    assert!(e[0].message.contains("expected a policy"), "{e:#?}");
    let e = Policy::from_yaml("rulez: []\n", "t").unwrap_err();
    assert_eq!(e[0].fix, "did you mean `rules`?");
}

#[test]
fn the_policy_knows_whether_it_reads_headers() {
    let rule = |cond: &str| format!("rules:\n  - name: r\n{cond}    action: block\n");
    assert!(!parse(&rule("    when: { path_prefix: /a }\n")).reads_headers());
    assert!(parse(&rule("    when: { header_present: x-debug }\n")).reads_headers());
    assert!(parse(&rule(
        "    when: { path_prefix: /a }\n    unless: { not: { header_equals: { x-env: staging } } }\n"
    ))
    .reads_headers());
    assert!(parse(&rule(
        "    when: { any: [ { path_prefix: /a }, { header_absent: x-b } ] }\n"
    ))
    .reads_headers());
}
