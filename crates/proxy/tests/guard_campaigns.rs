//! The guard's slow path on a campaign that keeps growing: every address an alert names gets
//! its decision, however late it joined, while the alert is applied on each pass only by what
//! changed.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use rampart_core::KeyedHasher;
use rampart_defend::{Policy, PolicyHandle, Scope};
use rampart_engine::{Config, Engine};
use rampart_proxy::{Guard, GuardOptions};
use rampart_sim::scenario::{simulate, ScenarioConfig};

const POLICY: &str = "rules:
  - name: block-campaigns
    when: { detector: [credential_stuffing, target_ips, scraping] }
    action: block
    scope: ip
    ttl: 1h
    mode: enforce
";

#[test]
fn every_address_a_growing_alert_names_is_blocked_and_the_decisions_outlive_the_replay() {
    let (exchanges, _) = simulate(&ScenarioConfig {
        seed: 5,
        benign_users: 200,
        duration: Duration::from_secs(10 * 60),
        ..ScenarioConfig::default()
    });
    let hasher = KeyedHasher::new([3; 32]);
    let engine = Engine::new(&Config::default(), &[], Vec::new(), hasher.clone());
    let policy = Arc::new(PolicyHandle::new(
        Policy::from_yaml(POLICY, "policy.yaml").unwrap(),
    ));
    let start = exchanges[0].time;
    let guard = Guard::new(engine, policy, hasher, None, GuardOptions::default(), start).unwrap();
    for ex in &exchanges {
        guard.replay(ex);
    }
    let end = exchanges.last().unwrap().time;
    guard.sync(end);
    let blocked: HashSet<String> = guard
        .decisions(end)
        .into_iter()
        .filter_map(|d| match d.scope {
            Scope::Ip(ip) => Some(ip.to_string()),
            _ => None,
        })
        .collect();
    let mut named = 0;
    let mut late = 0;
    for alert in guard.alerts().iter().filter(|a| {
        ["credential_stuffing", "target_ips", "scraping"].contains(&a.detector.as_str())
    }) {
        // Under the per-alert cap (1,000), every address is decided on.
        for (i, ip) in alert.ips().take(1_000).enumerate() {
            assert!(
                blocked.contains(ip),
                "{ip} ({i}th address of {} alert {}) has no decision",
                alert.detector,
                alert.id
            );
            named += 1;
            late += usize::from(i >= 10);
        }
    }
    assert!(named > 200, "{named} addresses named");
    assert!(late > 100, "{late} addresses joined their alert late");
    // A decision lasts its hour from the last time its alert was applied whole, at most
    // 30 s of event time before the alert's latest request.
    let expiry: std::collections::HashMap<String, i64> = guard
        .decisions(end)
        .into_iter()
        .filter_map(|d| match d.scope {
            Scope::Ip(ip) => Some((ip.to_string(), d.expires?.as_unix_millis())),
            _ => None,
        })
        .collect();
    for alert in guard
        .alerts()
        .iter()
        .filter(|a| a.detector == "credential_stuffing")
    {
        let due = alert.last_seen.as_unix_millis() + 3_600_000 - 31_000;
        for ip in alert.ips().take(1_000) {
            assert!(
                expiry[ip] >= due,
                "{ip}: expires {} ms before an hour after the alert's last request",
                due - expiry[ip]
            );
        }
    }
}
