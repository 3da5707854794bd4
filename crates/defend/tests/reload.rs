//! Hot reload: a policy that fails validation leaves the old one in force; rate-limit state
//! survives for rules that keep their names.

mod common;

use common::{at, facts, policy};
use rampart_defend::{verdict, DecisionBook, PolicyHandle, RateLimiter};

const V1: &str = "\
rules:
  - name: login-limit
    when: { endpoint: \"POST /api/login\" }
    action: rate_limit
    rate: 1/min
    burst: 2
    mode: enforce
";

#[test]
fn failed_reload_keeps_the_old_policy_and_returns_problems() {
    let handle = PolicyHandle::new(policy(V1));
    let before = handle.current();
    let problems = handle
        .reload("rules:\n  - name: x\n    action: blok\n", "policy.yaml")
        .unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 3);
    assert!(std::sync::Arc::ptr_eq(&before, &handle.current()));
    assert!(handle.current().rule("login-limit").is_some());
    let ok = handle
        .reload(&V1.replace("login-limit", "renamed"), "policy.yaml")
        .unwrap();
    assert!(ok.rule("renamed").is_some());
    assert!(handle.current().rule("login-limit").is_none());
}

#[test]
fn limiter_state_is_kept_across_reload_for_rules_with_the_same_name() {
    let handle = PolicyHandle::new(policy(V1));
    let book = DecisionBook::default();
    let mut limiter = RateLimiter::default();
    let f = facts("192.0.2.1", "POST", "/api/login");
    for _ in 0..2 {
        let p = handle.current();
        assert!(verdict(&p, &f, &book, &mut limiter, at(0))
            .outcome
            .is_allow());
    }
    // The reload adds a rule before it and changes its description; the name stays.
    let v2 = V1.replace(
        "rules:\n",
        "rules:\n  - name: watch\n    action: monitor\n    mode: enforce\n",
    );
    handle.reload(&v2, "policy.yaml").unwrap();
    let p = handle.current();
    assert_eq!(p.rules().len(), 2);
    let v = verdict(&p, &f, &book, &mut limiter, at(1));
    assert_eq!(
        v.outcome.kind(),
        "rate_limited",
        "the burst was already spent"
    );
    // A renamed rule starts afresh.
    handle
        .reload(&V1.replace("login-limit", "login-limit-v2"), "policy.yaml")
        .unwrap();
    let p = handle.current();
    assert!(verdict(&p, &f, &book, &mut limiter, at(2))
        .outcome
        .is_allow());
    // State of rules that left the policy can be dropped.
    let names: Vec<u64> = p
        .rules()
        .iter()
        .map(|r| RateLimiter::namespace(&r.name))
        .collect();
    limiter.retain_namespaces(|ns| names.contains(&ns));
    assert_eq!(limiter.stats().keys, 1);
}
