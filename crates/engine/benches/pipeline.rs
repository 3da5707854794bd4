//! Throughput of the analysis pipeline on generated access logs: parsing alone, templating and
//! endpoint facts alone, and both, for nginx `combined` lines and OpenTelemetry JSON lines.
//!
//! `cargo bench -p rampart-engine --bench pipeline`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rampart_core::{Exchange, KeyedHasher};
use rampart_engine::{Config, Engine};
use rampart_ingest::nginx::LogFormat;
use rampart_ingest::otel::parse_otel;

const LINES: u64 = 200_000;
const CLIENTS: u32 = 100_000;

fn lines(format: &str) -> Vec<Vec<u8>> {
    let mut buf = Vec::new();
    let written = match format {
        "combined" => rampart_sim::write_bench_combined(&mut buf, LINES, CLIENTS, 7),
        _ => rampart_sim::write_bench_otel(&mut buf, LINES, CLIENTS, 7),
    };
    written.expect("writing to memory");
    buf.split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

fn engine() -> Engine {
    Engine::new(
        &Config::default(),
        &[],
        Vec::new(),
        KeyedHasher::new([9; 32]),
    )
}

fn bench(c: &mut Criterion) {
    let combined = lines("combined");
    let otel = lines("otel");
    let format = LogFormat::combined();
    let parsed: Vec<Exchange> = combined
        .iter()
        .filter_map(|l| format.parse(l).ok())
        .collect();

    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(6));
    g.throughput(Throughput::Elements(combined.len() as u64));
    g.bench_function("combined: parse", |b| {
        b.iter(|| {
            for l in &combined {
                black_box(format.parse(l).ok());
            }
        })
    });
    g.bench_function("combined: templating + facts", |b| {
        b.iter_batched(
            engine,
            |mut e| {
                for ex in &parsed {
                    e.observe(ex);
                }
                black_box(e.finish())
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("combined: parse + templating + facts", |b| {
        b.iter_batched(
            engine,
            |mut e| {
                for l in &combined {
                    if let Ok(ex) = format.parse(l) {
                        e.observe(&ex);
                    }
                }
                black_box(e.finish())
            },
            BatchSize::PerIteration,
        )
    });
    g.throughput(Throughput::Elements(otel.len() as u64));
    g.bench_function("otel json: parse + templating + facts", |b| {
        b.iter_batched(
            engine,
            |mut e| {
                for l in &otel {
                    if let Ok(ex) = parse_otel(l) {
                        e.observe(&ex);
                    }
                }
                black_box(e.finish())
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
