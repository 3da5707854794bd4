//! Detection throughput on the simulator's seed attacks, split into observing and finishing:
//!
//! ```sh
//! cargo run --release -p rampart-engine --example detect_throughput -- [minutes] [--each] [--batch]
//! ```
//!
//! `--batch` also times `Detection::observe_batch` (request views on a second thread) and
//! checks that it finds the same alerts.

use std::time::{Duration, Instant};

use rampart_core::KeyedHasher;
use rampart_detect::{DetectConfig, Detection, EndpointFacts};
use rampart_sim::scenario::{simulate, ScenarioConfig};

fn main() {
    let minutes: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(60);
    let config = ScenarioConfig {
        duration: Duration::from_secs(minutes * 60),
        ..ScenarioConfig::default()
    };
    let (exchanges, _) = simulate(&config);
    if std::env::args().any(|a| a == "--each") {
        each(&exchanges);
    }
    // `--repeat N` observes the traffic N times over (fresh state each time), for profiling.
    let repeat: usize = std::env::args()
        .skip_while(|a| a != "--repeat")
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1);
    for _ in 1..repeat {
        let mut d = Detection::new(&DetectConfig::default(), KeyedHasher::new([9; 32]));
        for ex in &exchanges {
            d.observe(ex, EndpointFacts::default());
        }
        std::hint::black_box(d.finish().alerts.len());
    }
    let mut d = Detection::new(&DetectConfig::default(), KeyedHasher::new([9; 32]));
    let start = Instant::now();
    let cpu = cpu_ns();
    for ex in &exchanges {
        d.observe(ex, EndpointFacts::default());
    }
    let observed = start.elapsed();
    let cpu = cpu_ns().zip(cpu).map(|(b, a)| b.saturating_sub(a));
    let report = d.finish();
    let finished = start.elapsed() - observed;
    println!(
        "{} exchanges: observe {:.2} s ({:.0}/s), finish {:.2} s; {} alerts; state {:.1} MB for {} profiled addresses ({:.0} bytes each)",
        exchanges.len(),
        observed.as_secs_f64(),
        exchanges.len() as f64 / observed.as_secs_f64(),
        finished.as_secs_f64(),
        report.alerts.len(),
        report.state_bytes as f64 / 1e6,
        report.profiled_clients,
        report.state_bytes as f64 / report.profiled_clients.max(1) as f64,
    );
    if let Some(cpu) = cpu {
        println!(
            "on-CPU time of observe: {:.2} s ({:.0}/s of CPU time; differs from the above when other work shares the core)",
            cpu as f64 / 1e9,
            exchanges.len() as f64 / (cpu as f64 / 1e9)
        );
    }
    for (part, bytes) in &report.state_bytes_by_part {
        println!("  {part:<20} {:>8.1} KB", *bytes as f64 / 1e3);
    }
    if std::env::args().any(|a| a == "--batch") {
        batch(&exchanges, &report.alerts);
    }
}

/// Times `observe_batch` over the same exchanges, in batches of 8,192 as `rampart analyze`
/// hands them over, and checks its alerts against `alerts`.
fn batch(exchanges: &[rampart_core::Exchange], alerts: &[rampart_core::Alert]) {
    let facts = vec![EndpointFacts::default(); exchanges.len()];
    let mut d = Detection::new(&DetectConfig::default(), KeyedHasher::new([9; 32]));
    let start = Instant::now();
    for (batch, facts) in exchanges.chunks(8_192).zip(facts.chunks(8_192)) {
        d.observe_batch(batch, facts);
    }
    let took = start.elapsed();
    let report = d.finish();
    let same = serde_json::to_string(&report.alerts).ok() == serde_json::to_string(alerts).ok();
    println!(
        "observe_batch (two threads): {:.2} s ({:.0}/s); {} alerts, {}",
        took.as_secs_f64(),
        exchanges.len() as f64 / took.as_secs_f64(),
        report.alerts.len(),
        if same {
            "the same as one at a time"
        } else {
            "DIFFERENT from one at a time"
        }
    );
}

/// Nanoseconds this thread has run on a CPU (Linux), to tell its own cost from time spent
/// waiting for a core.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Cost of the shared part (request view, profiles, alert book, recommendations) with no
/// detector, then of each detector alone on top of it.
fn each(exchanges: &[rampart_core::Exchange]) {
    let none = {
        let mut c = DetectConfig::default();
        c.enumeration.enabled = false;
        c.credential_stuffing.enabled = false;
        c.target_ips.enabled = false;
        c.timing.enabled = false;
        c.volumetric.enabled = false;
        c.scraping.enabled = false;
        c.direct_to_api.enabled = false;
        c.session_rotation.enabled = false;
        c.exploit_probes.enabled = false;
        c.shadow_api.enabled = false;
        c.pivot.enabled = false;
        c
    };
    let time = |c: &DetectConfig| {
        let mut d = Detection::new(c, KeyedHasher::new([9; 32]));
        d.push(Box::new(Noop));
        let start = Instant::now();
        for ex in exchanges {
            d.observe(ex, EndpointFacts::default());
        }
        start.elapsed().as_secs_f64() * 1e9 / exchanges.len() as f64
    };
    // The request view alone, and reading the exchanges alone.
    let hasher = KeyedHasher::new([9; 32]);
    let mut deriver =
        rampart_detect::request::Deriver::new(rampart_detect::request::DeriveConfig::default());
    let start = Instant::now();
    let mut sink = 0u64;
    let rounds = if std::env::args().any(|a| a == "--derive-loop") {
        20
    } else {
        1
    };
    for ex in exchanges.iter().cycle().take(exchanges.len() * rounds) {
        let r = deriver.derive(ex, &hasher, EndpointFacts::default());
        sink ^= r.endpoint_key ^ r.fingerprint;
    }
    let per = start.elapsed().as_secs_f64() * 1e9 / (exchanges.len() * rounds) as f64;
    let (hits, misses) = deriver.cache_counters();
    println!("credential cache: {hits} hits, {misses} misses");
    let start = Instant::now();
    for ex in exchanges {
        sink ^= ex
            .request_headers
            .iter()
            .map(|(_, v)| v.len() as u64)
            .sum::<u64>()
            ^ ex.path.len() as u64;
    }
    let read = start.elapsed().as_secs_f64() * 1e9 / exchanges.len() as f64;
    // Reading every byte the request view may read (header names and values, path, query,
    // body samples): the floor set by the exchanges' memory, cold after a simulation.
    let start = Instant::now();
    for ex in exchanges {
        let mut h = 0u64;
        for (n, v) in ex.request_headers.iter() {
            h ^= rampart_core::fast_hash(n.as_bytes()) ^ rampart_core::fast_hash(v.as_bytes());
        }
        h ^= rampart_core::fast_hash(ex.path.as_bytes());
        h ^= rampart_core::fast_hash(ex.query.as_deref().unwrap_or("").as_bytes());
        for b in [&ex.request_body, &ex.response_body].into_iter().flatten() {
            h ^= rampart_core::fast_hash(&b.bytes[..b.bytes.len().min(4096)]);
        }
        sink ^= h;
    }
    let bytes = start.elapsed().as_secs_f64() * 1e9 / exchanges.len() as f64;
    println!("request view alone: {per:.0} ns per exchange; touching the headers alone: {read:.0} ns; reading every byte it may read: {bytes:.0} ns ({sink:x})");
    let base = time(&none);
    println!("shared part: {base:.0} ns per exchange");
    let toggles: [Toggle; 11] = [
        ("enumeration", |c| c.enumeration.enabled = true),
        ("credential_stuffing", |c| {
            c.credential_stuffing.enabled = true
        }),
        ("target_ips", |c| c.target_ips.enabled = true),
        ("timing", |c| c.timing.enabled = true),
        ("volumetric", |c| c.volumetric.enabled = true),
        ("scraping", |c| c.scraping.enabled = true),
        ("direct_to_api", |c| c.direct_to_api.enabled = true),
        ("session_rotation", |c| c.session_rotation.enabled = true),
        ("exploit_probes", |c| c.exploit_probes.enabled = true),
        ("shadow_api", |c| c.shadow_api.enabled = true),
        ("pivot", |c| c.pivot.enabled = true),
    ];
    for (name, on) in toggles {
        let mut c = none.clone();
        on(&mut c);
        println!("  + {name:<20} {:>6.0} ns", time(&c) - base);
    }
}

/// A detector's name and how to switch it on.
type Toggle = (&'static str, fn(&mut DetectConfig));

/// A detector that does nothing, so the shared part runs with no real detector.
struct Noop;

impl rampart_detect::Detector for Noop {
    fn name(&self) -> &'static str {
        "noop"
    }
    fn observe(&mut self, _: &rampart_detect::Request<'_>, _: &mut Vec<rampart_detect::Signal>) {}
    fn stats(&self) -> Vec<(&'static str, rampart_detect::keyed::KeyedStats)> {
        Vec::new()
    }
    fn approx_bytes(&self) -> usize {
        0
    }
}
