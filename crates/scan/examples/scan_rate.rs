//! Scan rate and peak memory over many ports of 127.0.0.1, most of them closed, a few serving a
//! catch-all page (the same 200 HTML to every path, which must give no exposed-file, document
//! or unauthenticated-API finding).
//!
//! ```sh
//! cargo run --release -p rampart-scan --example scan_rate -- 20000-29999 5000 256
//! ```
//!
//! Arguments: the port range, connections per second, connections at once. Prints the ports
//! tried per second, the peak resident memory (VmHWM) and the findings by kind.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rampart_scan::{parse_ports, parse_target, scan, FindingKind, ScanOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const PAGE: &str =
    "<!doctype html><html><head><title>App</title></head><body><div id=app></div></body></html>";

/// A catch-all HTTP server on `port`, if the port is free.
async fn catch_all(port: u16) -> bool {
    let Ok(listener) = TcpListener::bind(("127.0.0.1", port)).await else {
        return false;
    };
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut n = 0;
                while n < buf.len() {
                    match s.read(&mut buf[n..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(k) => n += k,
                    }
                    if !buf[0].is_ascii_uppercase() {
                        // Not HTTP (a TLS ClientHello): refused at once, as real servers do.
                        let _ = s
                            .write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
                            .await;
                        return;
                    }
                    if buf[..n].windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{PAGE}",
                    PAGE.len()
                );
                let _ = s.write_all(reply.as_bytes()).await;
            });
        }
    });
    true
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let range = args.first().map(String::as_str).unwrap_or("20000-29999");
    let rate: u32 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5000);
    let concurrency: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(256);
    let ports = parse_ports(range).expect("a port range");
    let mut open = 0;
    for p in ports.iter().step_by(1000).map(|p| p.saturating_add(500)) {
        if ports.contains(&p) && catch_all(p).await {
            open += 1;
        }
    }
    let mut opts = ScanOptions::new(0);
    opts.ports = ports.clone();
    opts.rate = rate;
    opts.concurrency = concurrency;
    opts.connect_timeout = Duration::from_secs(2);
    opts.log4shell.grace = Duration::ZERO;
    let targets = vec![parse_target("127.0.0.1").unwrap()];
    let start = Instant::now();
    let report = scan(&targets, opts).await.expect("scan");
    let took = start.elapsed().as_secs_f64();
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &report.findings {
        *kinds.entry(f.kind.name()).or_default() += 1;
    }
    let false_positives = report
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                FindingKind::ExposedFile
                    | FindingKind::ApiDocsExposed
                    | FindingKind::UnauthenticatedApi
                    | FindingKind::GraphqlIntrospection
                    | FindingKind::Log4shell
            )
        })
        .count();
    println!(
        "ports tried {} ({} open, {} catch-all servers started) in {took:.2} s: {:.0} ports/s",
        report.ports_tried,
        report.ports_open,
        open,
        report.ports_tried as f64 / took
    );
    println!(
        "connections {}, HTTP requests {}, without answer {}",
        report.connections, report.requests, report.failures
    );
    println!("peak resident memory {} KiB", peak_rss_kib());
    println!("findings by kind: {kinds:?}");
    println!("false positives on the catch-all servers: {false_positives}");
}
