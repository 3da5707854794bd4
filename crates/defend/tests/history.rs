//! Clients' histories: `unless: { history: ... }` exempts a client that browsed before from a
//! rule and from its decisions; decisions on an endpoint apply to every client there.

mod common;

use common::{alert, at, facts, policy};
use rampart_core::{EventTime, Severity};
use rampart_defend::{verdict, DecisionBook, Outcome, Policy, RateLimiter, RequestFacts, Scope};

const POLICY: &str = "\
rules:
  - name: stuffing-fingerprints-at-login
    when: { detector: credential_stuffing, min_severity: medium }
    unless: { history: { min_requests: 3, min_endpoints: 3, min_age: 10s } }
    action: block
    status: 429
    scope: fingerprint
    within: endpoint
    ttl: 5m
    mode: enforce
  - name: endpoints-under-attack
    when: { detector: target_ips }
    unless: { history: { min_endpoints: 2 } }
    action: block
    status: 429
    scope: endpoint
    ttl: 5m
    mode: enforce
";

fn request(session: &str, method: &str, route: &str) -> RequestFacts {
    let mut f = facts("198.51.100.7", method, route);
    f.session = Some(session.into());
    f.fingerprint = Some("f1".into());
    f.endpoint = Some(route.into());
    f.host = Some("api.example.com".into());
    f
}

fn judge(
    p: &Policy,
    book: &DecisionBook,
    limiter: &mut RateLimiter,
    f: &RequestFacts,
    t: EventTime,
) -> &'static str {
    verdict(p, f, book, limiter, t).outcome.kind()
}

fn stuffing_book(p: &Policy) -> DecisionBook {
    let mut a = alert("credential_stuffing", Severity::High, &["203.0.113.1"]);
    a.entity = rampart_core::Entity::new(rampart_core::EntityKind::Fingerprint, "f1");
    a.endpoint = Some("POST api.example.com/api/login".into());
    let mut book = DecisionBook::default();
    assert_eq!(book.apply_alert(p, &a, at(0)).len(), 1);
    book
}

#[test]
fn a_client_that_browsed_first_is_exempt_from_the_fingerprint_decision() {
    let p = policy(POLICY);
    assert!(p.uses_history());
    let book = stuffing_book(&p);
    let mut limiter = RateLimiter::default();
    // A fresh session's first request is the login: the fingerprint's decision stops it.
    let fresh = request("s-fresh", "POST", "/api/login");
    assert_eq!(judge(&p, &book, &mut limiter, &fresh, at(1_000)), "block");
    // A session served on three pages over more than ten seconds logs in.
    for (i, route) in ["/", "/products", "/login.html"].iter().enumerate() {
        let page = request("s-user", "GET", route);
        let t = at(1_000 + 6_000 * i as i64);
        assert_eq!(judge(&p, &book, &mut limiter, &page, t), "allow");
    }
    let login = request("s-user", "POST", "/api/login");
    assert_eq!(judge(&p, &book, &mut limiter, &login, at(14_000)), "allow");
    // Too soon after its first request, the same history is not enough.
    let mut early = RateLimiter::default();
    for route in ["/", "/products", "/login.html"] {
        judge(
            &p,
            &book,
            &mut early,
            &request("s-2", "GET", route),
            at(1_000),
        );
    }
    assert_eq!(
        judge(
            &p,
            &book,
            &mut early,
            &request("s-2", "POST", "/api/login"),
            at(5_000)
        ),
        "block"
    );
}

#[test]
fn blocked_requests_build_no_history() {
    let p = policy(POLICY);
    let book = stuffing_book(&p);
    let mut limiter = RateLimiter::default();
    let login = request("s-bot", "POST", "/api/login");
    for k in 0..10 {
        assert_eq!(
            judge(&p, &book, &mut limiter, &login, at(k * 20_000)),
            "block"
        );
    }
    assert!(limiter.history().is_empty());
}

#[test]
fn endpoint_decisions_stop_clients_without_history_there_only() {
    let p = policy(POLICY);
    let mut a = alert(
        "target_ips",
        Severity::High,
        &["203.0.113.1", "203.0.113.2"],
    );
    a.endpoint = Some("GET api.example.com/numbers/{}/portability".into());
    let mut book = DecisionBook::default();
    let made = book.apply_alert(&p, &a, at(0));
    assert_eq!(made.len(), 1);
    assert_eq!(
        made[0].scope,
        Scope::Endpoint("GET api.example.com/numbers/{}/portability".into())
    );
    let mut limiter = RateLimiter::default();
    // Any new client, from any address, on that endpoint (the inventory's template).
    let mut tool = request("s-tool", "GET", "/numbers/{phone}/portability");
    tool.ip = Some("192.0.2.99".parse().unwrap());
    assert_eq!(judge(&p, &book, &mut limiter, &tool, at(1_000)), "block");
    // The alert's addresses are not blocked elsewhere by the rule's `when`.
    let mut elsewhere = request("s-tool", "GET", "/products");
    elsewhere.alerts.push(rampart_defend::ActiveAlert {
        detector: "target_ips".into(),
        severity: Severity::High,
    });
    assert_eq!(
        judge(&p, &book, &mut limiter, &elsewhere, at(1_000)),
        "allow"
    );
    // A shopper served on two endpoints before checks their number.
    for route in ["/", "/plans"] {
        judge(
            &p,
            &book,
            &mut limiter,
            &request("s-shop", "GET", route),
            at(2_000),
        );
    }
    let own = request("s-shop", "GET", "/numbers/{phone}/portability");
    assert_eq!(judge(&p, &book, &mut limiter, &own, at(3_000)), "allow");
    // After the ttl, the endpoint serves everyone again.
    assert_eq!(judge(&p, &book, &mut limiter, &tool, at(300_001)), "allow");
}

#[test]
fn history_conditions_are_checked() {
    for (yaml, needle) in [
        (
            "rules:\n  - name: r\n    when: { history: {} }\n    action: block\n",
            "no minimum",
        ),
        (
            "rules:\n  - name: r\n    when: { history: { min_visits: 2 } }\n    action: block\n",
            "min_visits",
        ),
        (
            "rules:\n  - name: r\n    when: { history: { min_endpoints: 65 } }\n    action: block\n",
            "min_endpoints",
        ),
        (
            "rules:\n  - name: r\n    unless:\n    action: block\n",
            "empty `unless`",
        ),
    ] {
        let problems = Policy::from_yaml(yaml, "p.yaml").unwrap_err();
        let text = rampart_defend::render_problems(&problems);
        assert!(text.contains(needle), "{yaml}\n{text}");
    }
    let plain = policy("rules:\n  - name: r\n    when: { path_prefix: /a }\n    action: block\n");
    assert!(!plain.uses_history());
    // Without the verdict's state, a history test does not hold.
    let p = policy(
        "rules:\n  - name: r\n    when: { history: { min_requests: 0 } }\n    action: block\n",
    );
    assert!(!p.rules()[0].matches(&request("s", "GET", "/")));
    let outcome = verdict(
        &p,
        &request("s", "GET", "/"),
        &DecisionBook::default(),
        &mut RateLimiter::default(),
        at(0),
    )
    .outcome;
    assert_eq!(outcome, Outcome::Allow { rule: None });
}
