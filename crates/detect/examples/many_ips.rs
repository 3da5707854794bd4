//! Memory under address rotation: feeds N exchanges from N distinct client addresses (10
//! million by default) through every detector and prints the state counters, evictions and the
//! process's peak memory. Used for docs/BENCHMARKS.md:
//!
//! ```sh
//! cargo run --release -p rampart-detect --example many_ips -- 10000000
//! ```

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use rampart_core::{Body, EventTime, Exchange, Headers, KeyedHasher};
use rampart_detect::{DetectConfig, Detection, EndpointFacts};

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000_000);
    let mut detection = Detection::new(&DetectConfig::default(), KeyedHasher::new([1; 32]));
    let agents = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
        "python-requests/2.31.0",
        "okhttp/4.12.0",
    ];
    let start = Instant::now();
    let t0 = 1_700_000_000_000i64;
    for i in 0..n {
        // Addresses spread over the whole IPv4 space, one request each, as a proxy pool
        // rotating through millions of residential addresses would.
        let ip = Ipv4Addr::from((i as u32).wrapping_mul(2_654_435_761) | 0x0100_0000);
        let mut headers = Headers::new();
        headers.push("user-agent", agents[(i % 3) as usize]);
        headers.push("cookie", format!("sid=s{i}"));
        let login = i % 4 == 0;
        let ex = Exchange {
            time: EventTime::from_unix_millis(t0 + (i as i64) * 2),
            client: Some(IpAddr::V4(ip)),
            method: if login { "POST" } else { "GET" }.into(),
            host: Some("api.example".into()),
            path: if login {
                "/api/v1/auth/login".into()
            } else {
                format!("/api/v1/numbers/+1555{:07}/portability", i % 5_000_000)
            },
            status: Some(if login { 401 } else { 200 }),
            request_headers: headers,
            request_body: login.then(|| {
                Body::sample(
                    Some("application/json".into()),
                    format!(r#"{{"username":"u{}","password":"x"}}"#, i % 100_000).as_bytes(),
                )
            }),
            ..Exchange::default()
        };
        detection.observe(&ex, EndpointFacts::default());
    }
    let elapsed = start.elapsed();
    let report = detection.finish();
    println!(
        "{n} exchanges from {n} addresses in {:.1} s ({:.0} exchanges/s)",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    );
    println!(
        "alerts {}, signals {}, members dropped {}",
        report.alerts.len(),
        report.book.signals,
        report.book.members_dropped
    );
    println!(
        "approximate detector state: {:.1} MB",
        report.state_bytes as f64 / 1e6
    );
    for (part, bytes) in &report.state_bytes_by_part {
        println!("  {part:<20} {:>8.1} MB", *bytes as f64 / 1e6);
    }
    for (detector, map, s) in &report.state {
        println!(
            "  {detector:<20} {map:<24} tracked {:>9} of {:>9}, evicted {:>10}",
            s.tracked, s.cap, s.evicted
        );
    }
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for line in status
            .lines()
            .filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS"))
        {
            println!("{line}");
        }
    }
}
