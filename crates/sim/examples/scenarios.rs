//! Prints what a default scenario simulation contains: exchanges per actor kind and per
//! scenario, with each scenario's facts.
//!
//! `cargo run --release -p rampart-sim --example scenarios [-- SEED [BENIGN_USERS]]`

use std::collections::BTreeMap;
use std::time::Instant;

use rampart_sim::scenario::{simulate, ScenarioConfig};

fn main() {
    let mut args = std::env::args().skip(1);
    let seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let users = args.next().and_then(|s| s.parse().ok()).unwrap_or(2_000);
    let config = ScenarioConfig {
        seed,
        benign_users: users,
        ..ScenarioConfig::default()
    };
    let began = Instant::now();
    let (exchanges, truth) = simulate(&config);
    println!("{} exchanges in {:.2?}", exchanges.len(), began.elapsed());
    let mut by_label: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    for a in &truth.actors {
        let e = by_label.entry(a.label.name()).or_default();
        e.0 += 1;
        e.1 += a.requests;
    }
    for (label, (actors, requests)) in by_label {
        println!("{label:<28} {actors:>6} actors {requests:>8} requests");
    }
    for s in &truth.scenarios {
        println!(
            "\n{} {}..{} requests {} ips {} sessions {}",
            s.scenario, s.start, s.end, s.requests, s.ips, s.sessions
        );
        for (k, v) in &s.facts {
            println!("    {k} = {v:.3}");
        }
    }
}
