//! Throughput of detection with every detector on, on the simulator's sample API under the
//! seed attacks (benign users, NAT, monitors, crawlers, app users, partners and all seven attack
//! scenarios), and of the whole engine (discovery and detection) on the same traffic.
//!
//! `cargo bench -p rampart-engine --bench detection`

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rampart_core::KeyedHasher;
use rampart_detect::{DetectConfig, Detection, EndpointFacts};
use rampart_engine::{Config, Engine};
use rampart_sim::scenario::{simulate, ScenarioConfig};

fn bench(c: &mut Criterion) {
    let config = ScenarioConfig {
        duration: Duration::from_secs(30 * 60),
        ..ScenarioConfig::default()
    };
    let (exchanges, _) = simulate(&config);
    let mut g = c.benchmark_group("detection");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(exchanges.len() as u64));
    g.bench_function("every detector, simulated seed attacks", |b| {
        b.iter_batched(
            || Detection::new(&DetectConfig::default(), KeyedHasher::new([9; 32])),
            |mut d| {
                for ex in &exchanges {
                    d.observe(ex, EndpointFacts::default());
                }
                black_box(d.finish().alerts.len())
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function(
        "whole engine (discovery + detection), simulated seed attacks",
        |b| {
            b.iter_batched(
                || {
                    Engine::new(
                        &Config::default(),
                        &[],
                        Vec::new(),
                        KeyedHasher::new([9; 32]),
                    )
                },
                |mut e| {
                    for ex in &exchanges {
                        e.observe(ex);
                    }
                    black_box(e.finish().exchanges)
                },
                BatchSize::LargeInput,
            )
        },
    );
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
