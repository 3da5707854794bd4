//! The tarpit holds at most `max_tarpitted` requests at once; above it, tarpit verdicts
//! become blocks with the overflow status.

mod common;

use std::time::Duration;

use common::{at, facts, policy};
use rampart_defend::{verdict, DecisionBook, Outcome, RateLimiter, TarpitGate};

#[test]
fn tarpit_cap_falls_back_to_429() {
    let p = policy(
        "\
limits: { max_tarpitted: 2, max_tarpit_delay: 5s }
rules:
  - name: slow-scrapers
    when: { min_risk: 60 }
    action: tarpit
    delay: 2s
    mode: enforce
",
    );
    let gate = TarpitGate::from_limits(p.limits());
    let book = DecisionBook::default();
    let mut limiter = RateLimiter::default();
    let mut f = facts("192.0.2.1", "GET", "/api/products");
    f.actor_risk = Some(80);
    let mut held = Vec::new();
    for _ in 0..2 {
        let (v, permit) = gate.admit(verdict(&p, &f, &book, &mut limiter, at(0)));
        assert_eq!(
            v.outcome,
            Outcome::Tarpit {
                delay: Duration::from_secs(2),
                rule: "slow-scrapers".into()
            }
        );
        held.push(permit.expect("a place in the tarpit"));
    }
    let (v, permit) = gate.admit(verdict(&p, &f, &book, &mut limiter, at(0)));
    assert!(permit.is_none());
    let Outcome::Block { status, rule, .. } = &v.outcome else {
        panic!("{v:?}")
    };
    assert_eq!((*status, &**rule), (429, "slow-scrapers"));
    assert_eq!(gate.stats().refused, 1);
    // A held request finishing frees its place.
    held.pop();
    let (v, permit) = gate.admit(verdict(&p, &f, &book, &mut limiter, at(0)));
    assert_eq!(v.outcome.kind(), "tarpit");
    assert!(permit.is_some());
    // Other verdicts pass untouched and take no place.
    f.actor_risk = Some(10);
    let (v, permit) = gate.admit(verdict(&p, &f, &book, &mut limiter, at(0)));
    assert!(v.outcome.is_allow() && permit.is_none());
}
