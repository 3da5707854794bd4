//! Rate limits on event time: the burst passes, then requests are limited, then they recover
//! after the interval; keys are bounded with an eviction counter.

mod common;

use std::time::Duration;

use common::{at, facts, policy};
use rampart_defend::{verdict, DecisionBook, Outcome, RateLimiter};

const LOGIN: &str = "\
rules:
  - name: login-limit
    when: { endpoint: \"POST /api/login\" }
    action: rate_limit
    rate: 10/min
    burst: 5
    key: ip
    mode: enforce
  - name: after
    action: deceive
    when: { path_prefix: /never }
    mode: enforce
";

#[test]
fn burst_then_limited_then_recovers_on_event_time() {
    let p = policy(LOGIN);
    let book = DecisionBook::default();
    let mut limiter = RateLimiter::new(1000);
    let f = facts("192.0.2.1", "POST", "/api/login");
    for i in 0..5 {
        let v = verdict(&p, &f, &book, &mut limiter, at(i));
        assert!(v.outcome.is_allow(), "request {i} is within the burst");
    }
    let v = verdict(&p, &f, &book, &mut limiter, at(5));
    let Outcome::RateLimited { retry_after, rule } = v.outcome else {
        panic!("{v:?}")
    };
    assert_eq!(&*rule, "login-limit");
    // 10/min is one request every 6 s; the first of the burst was at 0 ms.
    assert_eq!(retry_after, Duration::from_millis(5_995));
    // Another address has its own bucket; another endpoint is not limited.
    assert!(verdict(
        &p,
        &facts("192.0.2.2", "POST", "/api/login"),
        &book,
        &mut limiter,
        at(5)
    )
    .outcome
    .is_allow());
    assert!(verdict(
        &p,
        &facts("192.0.2.1", "GET", "/api/me"),
        &book,
        &mut limiter,
        at(5)
    )
    .outcome
    .is_allow());
    // One interval later, one more request passes, and only one.
    assert!(verdict(&p, &f, &book, &mut limiter, at(6_000))
        .outcome
        .is_allow());
    assert!(!verdict(&p, &f, &book, &mut limiter, at(6_001))
        .outcome
        .is_allow());
    // After a quiet minute the whole burst is back.
    for i in 0..5 {
        assert!(verdict(&p, &f, &book, &mut limiter, at(120_000 + i))
            .outcome
            .is_allow());
    }
}

#[test]
fn endpoint_key_shares_one_bucket_across_clients() {
    let p = policy(&LOGIN.replace("key: ip", "key: endpoint"));
    let book = DecisionBook::default();
    let mut limiter = RateLimiter::new(1000);
    for i in 0..5 {
        let f = facts(&format!("192.0.2.{i}"), "POST", "/api/login");
        assert!(verdict(&p, &f, &book, &mut limiter, at(0))
            .outcome
            .is_allow());
    }
    let f = facts("192.0.2.99", "POST", "/api/login");
    assert_eq!(
        verdict(&p, &f, &book, &mut limiter, at(0)).outcome.kind(),
        "rate_limited"
    );
}

#[test]
fn monitor_mode_limits_report_but_never_limit() {
    let p = policy(&LOGIN.replacen("mode: enforce", "mode: monitor", 1));
    let book = DecisionBook::default();
    let mut limiter = RateLimiter::new(1000);
    let f = facts("192.0.2.1", "POST", "/api/login");
    let verdicts: Vec<_> = (0..8)
        .map(|i| verdict(&p, &f, &book, &mut limiter, at(i)))
        .collect();
    assert!(verdicts.iter().all(|v| v.outcome.is_allow()));
    let would: usize = verdicts.iter().map(|v| v.would_have.len()).sum();
    assert_eq!(would, 3);
}

#[test]
fn keys_are_bounded_with_an_eviction_counter() {
    let p = policy(LOGIN);
    let book = DecisionBook::default();
    let mut limiter = RateLimiter::new(64);
    for i in 0..10_000u32 {
        let ip = std::net::Ipv4Addr::from(0x0A00_0000 + i);
        let f = facts(&ip.to_string(), "POST", "/api/login");
        let _ = verdict(&p, &f, &book, &mut limiter, at(0));
    }
    let s = limiter.stats();
    assert!(s.keys <= 64, "{s:?}");
    assert!(s.evicted_live + s.evicted_idle >= 10_000 - 64, "{s:?}");
    assert_eq!(s.checked, 10_000);
}
