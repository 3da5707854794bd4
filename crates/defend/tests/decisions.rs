//! Decisions: made from alerts by rules with a ttl, added and removed by hand, expiring on
//! event time, consulted by the verdict.

mod common;

use std::time::Duration;

use common::{alert, facts, policy, secs, session_alert};
use rampart_core::Severity;
use rampart_defend::{
    verdict, Action, Decision, DecisionBook, Inserted, Mode, Origin, Outcome, RateLimiter, Scope,
};

const POLICY: &str = "\
rules:
  - name: block-stuffers
    when: { detector: credential_stuffing, min_severity: high }
    action: block
    status: 403
    body: denied
    scope: ip
    ttl: 1h
    mode: enforce
  - name: deceive-sessions
    when: { detector: session_rotation }
    action: deceive
    scope: session
    ttl: 10m
";

#[test]
fn alerts_make_decisions_per_address_with_the_rule_ttl() {
    let p = policy(POLICY);
    let a = alert(
        "credential_stuffing",
        Severity::High,
        &["192.0.2.1", "192.0.2.2"],
    );
    let ds = p.decisions_for(&a, secs(100));
    assert_eq!(ds.len(), 2);
    assert!(ds
        .iter()
        .all(|d| d.origin == Origin::Rule("block-stuffers".into())));
    assert!(ds.iter().all(|d| d.expires == Some(secs(3700))));
    assert_eq!(ds[0].scope, Scope::Ip("192.0.2.1".parse().unwrap()));
    assert!(
        ds[0].reason.contains("40 failed logins"),
        "{}",
        ds[0].reason
    );
    let low = alert("credential_stuffing", Severity::Medium, &["192.0.2.1"]);
    assert!(
        p.decisions_for(&low, secs(100)).is_empty(),
        "below min_severity"
    );
    let s = p.decisions_for(&session_alert("session_rotation", "ABCD"), secs(0));
    assert_eq!(s[0].scope, Scope::Session("abcd".into()));
    assert_eq!(s[0].mode, Mode::Monitor);
}

#[test]
fn the_same_alert_again_refreshes_instead_of_adding() {
    let p = policy(POLICY);
    let mut book = DecisionBook::new(100);
    let a = alert("credential_stuffing", Severity::High, &["192.0.2.1"]);
    for d in p.decisions_for(&a, secs(0)) {
        assert_eq!(book.insert(d, secs(0)), Inserted::Added);
    }
    for d in p.decisions_for(&a, secs(600)) {
        assert_eq!(book.insert(d, secs(600)), Inserted::Refreshed);
    }
    assert_eq!(book.len(), 1);
    assert_eq!(book.iter().next().unwrap().expires, Some(secs(4200)));
}

#[test]
fn decisions_block_later_requests_until_they_expire_on_event_time() {
    let p = policy(POLICY);
    let mut book = DecisionBook::new(100);
    let mut limiter = RateLimiter::default();
    let a = alert("credential_stuffing", Severity::Critical, &["192.0.2.1"]);
    for d in p.decisions_for(&a, secs(0)) {
        book.insert(d, secs(0));
    }
    // The next request carries no alert at all: the decision alone blocks it.
    let f = facts("192.0.2.1", "GET", "/api/products");
    let v = verdict(&p, &f, &book, &mut limiter, secs(10));
    assert_eq!(v.outcome.kind(), "block");
    assert_eq!(v.outcome.rule(), Some("block-stuffers"));
    assert!(v.decision.is_some());
    let later = verdict(&p, &f, &book, &mut limiter, secs(3600));
    assert!(later.outcome.is_allow(), "expired at exactly 1h");
    assert_eq!(book.expire(secs(3600)).len(), 1);
    assert!(book.is_empty());
}

#[test]
fn a_rule_switched_to_monitor_stops_its_decisions_from_acting() {
    let p = policy(POLICY);
    let mut book = DecisionBook::new(100);
    let a = alert("credential_stuffing", Severity::High, &["192.0.2.1"]);
    for d in p.decisions_for(&a, secs(0)) {
        book.insert(d, secs(0));
    }
    let relaxed = policy(&POLICY.replacen("mode: enforce", "mode: monitor", 1));
    let f = facts("192.0.2.1", "GET", "/");
    let v = verdict(&relaxed, &f, &book, &mut RateLimiter::default(), secs(1));
    assert!(v.outcome.is_allow());
    assert_eq!(v.would_have[0].outcome.kind(), "block");
}

#[test]
fn manual_add_and_remove() {
    let p = policy("rules: []\n");
    let mut book = DecisionBook::new(10);
    let mut limiter = RateLimiter::default();
    let block = Decision::manual(
        Action::Block {
            status: 451,
            body: "no".into(),
        },
        Scope::Prefix("198.51.100.0/24".parse().unwrap()),
        "abuse report 42",
        secs(0),
        Some(Duration::from_secs(60)),
    );
    let id = block.id.clone();
    book.insert(block, secs(0));
    let f = facts("198.51.100.77", "GET", "/");
    let v = verdict(&p, &f, &book, &mut limiter, secs(1));
    assert_eq!(
        v.outcome,
        Outcome::Block {
            status: 451,
            body: "no".into(),
            rule: "manual".into()
        }
    );
    assert_eq!(v.decision.as_deref(), Some(id.as_str()));
    assert_eq!(book.remove(&id).unwrap().reason, "abuse report 42");
    assert!(verdict(&p, &f, &book, &mut limiter, secs(2))
        .outcome
        .is_allow());
}

#[test]
fn manual_allow_beats_rules_and_other_decisions() {
    let p = policy(POLICY);
    let mut book = DecisionBook::new(10);
    let a = alert("credential_stuffing", Severity::High, &["192.0.2.1"]);
    for d in p.decisions_for(&a, secs(0)) {
        book.insert(d, secs(0));
    }
    let ip = Scope::Ip("192.0.2.1".parse().unwrap());
    book.insert(
        Decision::manual(Action::Allow, ip.clone(), "our monitoring", secs(0), None),
        secs(0),
    );
    let f = facts("192.0.2.1", "GET", "/");
    let v = verdict(&p, &f, &book, &mut RateLimiter::default(), secs(1));
    assert_eq!(
        v.outcome,
        Outcome::Allow {
            rule: Some("manual".into())
        }
    );
    assert_eq!(book.remove_scope(&ip).len(), 2);
}

#[test]
fn decisions_of_a_removed_rule_still_apply_until_they_expire() {
    let p = policy(POLICY);
    let mut book = DecisionBook::new(10);
    let a = alert("credential_stuffing", Severity::High, &["192.0.2.1"]);
    for d in p.decisions_for(&a, secs(0)) {
        book.insert(d, secs(0));
    }
    let without = policy("rules: []\n");
    let f = facts("192.0.2.1", "GET", "/");
    let v = verdict(&without, &f, &book, &mut RateLimiter::default(), secs(1));
    assert_eq!(v.outcome.rule(), Some("block-stuffers"));
}

#[test]
fn decisions_persist_as_records() {
    let p = policy(POLICY);
    let mut book = DecisionBook::new(10);
    let a = alert(
        "credential_stuffing",
        Severity::High,
        &["192.0.2.1", "192.0.2.9"],
    );
    for d in p.decisions_for(&a, secs(0)) {
        book.insert(d, secs(0));
    }
    let json: Vec<String> = book
        .to_records()
        .iter()
        .map(|d| serde_json::to_string(d).unwrap())
        .collect();
    let back: Vec<Decision> = json
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let restored = DecisionBook::from_records(back, 10, secs(5));
    assert_eq!(restored.to_records(), book.to_records());
}

#[test]
fn apply_alert_inserts_and_returns_what_to_publish() {
    let p = policy(POLICY);
    let mut book = DecisionBook::new(100);
    let a = alert(
        "credential_stuffing",
        Severity::High,
        &["192.0.2.1", "192.0.2.2"],
    );
    let published = book.apply_alert(&p, &a, secs(0));
    assert_eq!(published.len(), 2);
    assert_eq!(book.len(), 2);
    let again = book.apply_alert(&p, &a, secs(60));
    assert_eq!(again.len(), 2, "refreshed decisions are published again");
    assert_eq!(again[0].ttl(), Some(Duration::from_secs(3600)));
    assert_eq!(book.len(), 2);
}

#[test]
fn decisions_within_the_endpoint_act_only_on_the_alerts_endpoint() {
    let p = policy(
        "\
rules:
  - name: stop-stuffing-at-login
    when: { detector: credential_stuffing }
    action: block
    scope: ip
    within: endpoint
    ttl: 1h
    mode: enforce
",
    );
    assert!(p.rules()[0].within_endpoint);
    let mut a = alert("credential_stuffing", Severity::High, &["192.0.2.1"]);
    assert!(
        p.decisions_for(&a, secs(0)).is_empty(),
        "an alert without an endpoint makes no decision rather than a broader one"
    );
    a.endpoint = Some("POST api.example.com/api/login".into());
    let ds = p.decisions_for(&a, secs(0));
    assert_eq!(ds.len(), 1);
    assert_eq!(
        ds[0].endpoint.as_deref(),
        Some("POST api.example.com/api/login")
    );
    let mut book = DecisionBook::new(10);
    book.insert(ds[0].clone(), secs(0));
    let mut limiter = RateLimiter::default();
    let mut login = facts("192.0.2.1", "POST", "/api/login");
    login.endpoint = Some("/api/login".into());
    login.host = Some("api.example.com".into());
    let v = verdict(&p, &login, &book, &mut limiter, secs(1));
    assert_eq!(v.outcome.kind(), "block");
    // The same address elsewhere, another method on the login, or another host: untouched.
    let mut page = facts("192.0.2.1", "GET", "/api/products");
    page.endpoint = Some("/api/products".into());
    assert!(verdict(&p, &page, &book, &mut limiter, secs(1))
        .outcome
        .is_allow());
    let mut get_login = login.clone();
    get_login.method = "GET".into();
    assert!(verdict(&p, &get_login, &book, &mut limiter, secs(1))
        .outcome
        .is_allow());
    let mut other_host = login.clone();
    other_host.host = Some("admin.example.com".into());
    assert!(verdict(&p, &other_host, &book, &mut limiter, secs(1))
        .outcome
        .is_allow());
    // The id differs from an unlimited decision on the same scope, and survives JSON.
    let json = serde_json::to_string(&ds[0]).unwrap();
    let back: Decision = serde_json::from_str(&json).unwrap();
    assert_eq!(back, ds[0]);
    let plain = policy(POLICY).decisions_for(&a, secs(0));
    assert_eq!(plain.len(), 1);
    assert!(plain[0].endpoint.is_none());
    assert_ne!(plain[0].id, ds[0].id);
}

#[test]
fn a_fingerprint_alert_stops_the_fingerprint_where_it_lands_and_never_closes_the_endpoint() {
    let p = policy(
        "\
rules:
  - name: close-endpoint
    when: { detector: volumetric }
    action: block
    scope: endpoint
    ttl: 5m
    mode: enforce
  - name: bot-where-it-lands
    when: { detector: volumetric }
    action: block
    status: 429
    scope: fingerprint
    within: endpoint
    ttl: 5m
    mode: enforce
",
    );
    let mut a = alert("volumetric", Severity::High, &["192.0.2.1", "192.0.2.2"]);
    a.entity = rampart_core::Entity::new(rampart_core::EntityKind::Fingerprint, "00ab00cd00ef0012");
    a.endpoint = Some("GET shop.example.com/api/products/{}".into());
    let ds = p.decisions_for(&a, secs(0));
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(ds[0].scope, Scope::Fingerprint("00ab00cd00ef0012".into()));
    assert_eq!(
        ds[0].endpoint.as_deref(),
        Some("GET shop.example.com/api/products/{}")
    );
    let mut book = DecisionBook::new(10);
    book.insert(ds[0].clone(), secs(0));
    let mut limiter = RateLimiter::default();
    let mut product = facts("198.51.100.7", "GET", "/api/products/9");
    product.endpoint = Some("/api/products/{id}".into());
    product.host = Some("shop.example.com".into());
    product.fingerprint = Some("00ab00cd00ef0012".into());
    assert_eq!(
        verdict(&p, &product, &book, &mut limiter, secs(1))
            .outcome
            .kind(),
        "block"
    );
    // Another browser on the same page, and the same browser elsewhere: served.
    let mut other = product.clone();
    other.fingerprint = Some("1111111111111111".into());
    assert!(verdict(&p, &other, &book, &mut limiter, secs(1))
        .outcome
        .is_allow());
    let mut elsewhere = product.clone();
    elsewhere.path = "/api/cart".into();
    elsewhere.endpoint = Some("/api/cart".into());
    assert!(verdict(&p, &elsewhere, &book, &mut limiter, secs(1))
        .outcome
        .is_allow());
    // The same alert about the endpoint itself does close it.
    let mut surge = a.clone();
    surge.entity = rampart_core::Entity::new(
        rampart_core::EntityKind::Endpoint,
        "GET shop.example.com/api/products/{}",
    );
    let scopes: Vec<_> = p
        .decisions_for(&surge, secs(0))
        .into_iter()
        .map(|d| d.scope)
        .collect();
    assert!(
        scopes.iter().any(|s| matches!(s, Scope::Endpoint(_))),
        "{scopes:?}"
    );
}

#[test]
fn within_needs_a_ttl_and_a_known_value() {
    for (yaml, field) in [
        (
            "rules:\n  - name: a\n    when: { detector: enumeration }\n    action: block\n    within: endpoint\n",
            "within",
        ),
        (
            "rules:\n  - name: a\n    when: { detector: enumeration }\n    action: block\n    ttl: 1h\n    within: endpont\n",
            "did you mean `endpoint`",
        ),
    ] {
        let e = rampart_defend::Policy::from_yaml(yaml, "p.yaml").unwrap_err();
        let text = rampart_defend::render_problems(&e);
        assert!(text.contains(field), "{text}");
    }
}
