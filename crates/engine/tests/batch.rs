//! Batches: `Engine::observe_batch` and `Detection::observe_batch` run on several threads and
//! must find exactly what one exchange at a time finds, on traffic with every seed attack.

use std::time::Duration;

use rampart_core::{Exchange, KeyedHasher};
use rampart_detect::{DetectConfig, Detection, EndpointFacts};
use rampart_engine::{Config, Engine};
use rampart_sim::scenario::{simulate, ScenarioConfig};

fn traffic() -> Vec<Exchange> {
    let config = ScenarioConfig {
        seed: 3,
        benign_users: 300,
        duration: Duration::from_secs(20 * 60),
        ..ScenarioConfig::default()
    };
    simulate(&config).0
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("serialisable")
}

#[test]
fn detection_in_batches_finds_what_one_at_a_time_finds() {
    let exchanges = traffic();
    assert!(exchanges.len() > 20_000, "{} exchanges", exchanges.len());
    // Facts vary, so that a batch handing the wrong facts to an exchange shows.
    let facts: Vec<EndpointFacts> = (0..exchanges.len())
        .map(|i| EndpointFacts {
            documented: Some(i % 7 != 0),
            sensitive_response: i % 5 == 0,
        })
        .collect();
    let mut one = Detection::new(&DetectConfig::default(), KeyedHasher::new([4; 32]));
    for (ex, f) in exchanges.iter().zip(&facts) {
        one.observe(ex, *f);
    }
    let mut batched = Detection::new(&DetectConfig::default(), KeyedHasher::new([4; 32]));
    // Uneven batches: short ones run inline, long ones on two threads.
    let mut start = 0;
    for (i, len) in [100usize, 5_000, 1_023, 12_345].iter().cycle().enumerate() {
        if start >= exchanges.len() {
            break;
        }
        let end = (start + len + i).min(exchanges.len());
        batched.observe_batch(&exchanges[start..end], &facts[start..end]);
        start = end;
    }
    let (one, batched) = (one.finish(), batched.finish());
    assert!(one.alerts.len() > 20, "{} alerts", one.alerts.len());
    assert_eq!(json(&one.alerts), json(&batched.alerts));
    assert_eq!(one.exchanges, batched.exchanges);
    assert_eq!(one.out_of_order, batched.out_of_order);
    assert_eq!(one.without_user_agent, batched.without_user_agent);
    assert_eq!(json(&one.rate_limits), json(&batched.rate_limits));
}

#[test]
fn the_engine_in_batches_learns_and_finds_what_one_at_a_time_does() {
    let exchanges = traffic();
    let engine = || {
        Engine::new(
            &Config::default(),
            &[],
            Vec::new(),
            KeyedHasher::new([4; 32]),
        )
    };
    let mut one = engine();
    for ex in &exchanges {
        one.observe(ex);
    }
    let mut batched = engine();
    for batch in exchanges.chunks(16_384) {
        batched.observe_batch(batch);
    }
    let (one, batched) = (one.finish(), batched.finish());
    assert_eq!(one.exchanges, batched.exchanges);
    assert_eq!(one.first_event, batched.first_event);
    assert_eq!(one.last_event, batched.last_event);
    assert!(!one.inventory.endpoints.is_empty());
    assert_eq!(json(&one.inventory), json(&batched.inventory));
    assert!(!one.detection.alerts.is_empty());
    assert_eq!(json(&one.detection.alerts), json(&batched.detection.alerts));
}
