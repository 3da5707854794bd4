//! 10,000 concurrent keep-alive connections held by one proxy: each makes a request and stays
//! open, then each makes a second request on the same connection.
//!
//! The clients run in a second process (this test binary again, with the `client_process`
//! test selected), so that neither process needs more than about 10,000 file descriptors:
//! the proxy's side of every connection lives here, the clients' side there.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use rampart_proxy::NoopPhases;
use rlimit::Resource;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

/// Connections held at once.
const CONNECTIONS: usize = 10_000;
/// Connections opening or requests in flight at once (the listen backlog is 1024).
const IN_FLIGHT: usize = 256;
/// Set in the client process: the proxy's address.
const CLIENT_ENV: &str = "RAMPART_RELIABILITY_PROXY_ADDR";
/// File descriptors each process needs: the sockets plus the test's own.
const NEEDED_FDS: u64 = CONNECTIONS as u64 + 1024;

/// Raises the soft limit on open files to the hard limit; the hard limit, if high enough.
fn raise_fd_limit() -> Result<u64, String> {
    let (soft, hard) = rlimit::getrlimit(Resource::NOFILE).map_err(|e| e.to_string())?;
    if hard < NEEDED_FDS {
        return Err(format!(
            "the hard RLIMIT_NOFILE is {hard} (soft {soft}); each process of this test needs \
             {NEEDED_FDS}"
        ));
    }
    if soft < hard {
        rlimit::setrlimit(Resource::NOFILE, hard, hard).map_err(|e| e.to_string())?;
    }
    Ok(hard)
}

/// Resident memory of this process, in KiB (Linux), or 0.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Kills the client process if the test ends early.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn ten_thousand_keep_alive_connections_are_held() {
    if std::env::var_os(CLIENT_ENV).is_some() {
        return;
    }
    let hard = match raise_fd_limit() {
        Ok(h) => h,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(bounded(async move {
        let up = fixed("ok").await;
        let mut cfg = config(&[up.addr]);
        // The test runs within the idle timeout; the first connections wait for their second
        // request longer than the default header timeout (10 s), which does not cut them.
        cfg.timeouts.idle = Duration::from_secs(120);
        let proxy = start(cfg, Arc::new(NoopPhases)).await;
        let rss_before = rss_kib();

        let mut child = Child(
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "client_process",
                    "--exact",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CLIENT_ENV, proxy.addr().to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("the client process starts"),
        );
        let stdout = child.0.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });

        let started = Instant::now();
        let mut peak_connections = 0;
        let mut peak_rss = rss_before;
        let mut report = Vec::new();
        let status = loop {
            while let Ok(line) = rx.try_recv() {
                // libtest may print the test's name on the same line first.
                if let Some((_, l)) = line.split_once("client: ") {
                    report.push(l.to_owned());
                }
            }
            peak_connections = peak_connections.max(proxy.proxy.stats().active_connections);
            peak_rss = peak_rss.max(rss_kib());
            if let Some(status) = child.0.try_wait().unwrap() {
                break status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(50),
                "the clients did not finish: {report:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        while let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            if let Some((_, l)) = line.split_once("client: ") {
                report.push(l.to_owned());
            }
        }
        let stats = proxy.proxy.stats();
        let grown = peak_rss.saturating_sub(rss_before);
        println!(
            "10k connections: {} (RLIMIT_NOFILE hard {hard}); proxy held {peak_connections} \
             connections at the peak, {} requests, {} 2xx; process RSS {} MiB before, {} MiB at \
             the peak ({:.1} KiB per connection)",
            report.join("; "),
            stats.requests,
            stats.responses_2xx,
            rss_before / 1024,
            peak_rss / 1024,
            grown as f64 / CONNECTIONS as f64,
        );
        assert!(status.success(), "the client process failed: {report:?}");
        assert!(
            report.iter().any(|l| l.starts_with("all served")),
            "{report:?}"
        );
        assert_eq!(
            peak_connections, CONNECTIONS as u64,
            "every connection held at once"
        );
        assert_eq!(stats.requests, 2 * CONNECTIONS as u64);
        assert_eq!(stats.responses_2xx, 2 * CONNECTIONS as u64);
        // Both requests of a connection went over that connection.
        assert_eq!(stats.connections_total, CONNECTIONS as u64);
    }));
}

/// Sends one request on `s` and reads its response; whether it was a 200 with the body `ok`.
async fn request(s: &mut TcpStream, i: usize) -> bool {
    let head = format!("GET /c/{i} HTTP/1.1\r\nhost: load.test\r\n\r\n");
    if s.write_all(head.as_bytes()).await.is_err() {
        return false;
    }
    let mut buf = Vec::with_capacity(256);
    let mut chunk = [0u8; 512];
    loop {
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if buf.ends_with(b"\r\n\r\nok") {
            return buf.starts_with(b"HTTP/1.1 200");
        }
        if buf.len() > 4096 {
            return false;
        }
    }
}

/// The client half: opens the connections and makes the requests.
#[test]
fn client_process() {
    let Some(addr) = std::env::var_os(CLIENT_ENV) else {
        return;
    };
    let addr: SocketAddr = addr.to_str().unwrap().parse().unwrap();
    raise_fd_limit().expect("the parent checked the limit");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let slots = Arc::new(Semaphore::new(IN_FLIGHT));
        let started = Instant::now();
        let mut tasks = Vec::with_capacity(CONNECTIONS);
        for i in 0..CONNECTIONS {
            let slots = slots.clone();
            tasks.push(tokio::spawn(async move {
                let _slot = slots.acquire_owned().await.unwrap();
                let mut s = TcpStream::connect(addr).await.ok()?;
                let ok = tokio::time::timeout(Duration::from_secs(20), request(&mut s, i))
                    .await
                    .unwrap_or(false);
                ok.then_some(s)
            }));
        }
        let mut open = Vec::with_capacity(CONNECTIONS);
        for t in tasks {
            if let Some(s) = t.await.unwrap() {
                open.push(s);
            }
        }
        let first = started.elapsed();
        println!(
            "client: opened and served {} of {CONNECTIONS} connections in {first:.2?}",
            open.len()
        );
        assert_eq!(
            open.len(),
            CONNECTIONS,
            "every connection opened and served"
        );

        let again = Instant::now();
        let mut tasks = Vec::with_capacity(CONNECTIONS);
        for (i, mut s) in open.into_iter().enumerate() {
            let slots = slots.clone();
            tasks.push(tokio::spawn(async move {
                let _slot = slots.acquire_owned().await.unwrap();
                let ok = tokio::time::timeout(Duration::from_secs(20), request(&mut s, i))
                    .await
                    .unwrap_or(false);
                (s, ok)
            }));
        }
        let mut held = Vec::with_capacity(CONNECTIONS);
        let mut failed = 0;
        for t in tasks {
            let (s, ok) = t.await.unwrap();
            failed += usize::from(!ok);
            held.push(s);
        }
        let second = again.elapsed();
        println!(
            "client: second request on each kept-alive connection in {second:.2?}, {failed} failed"
        );
        assert_eq!(failed, 0);
        println!(
            "client: all served: {} requests on {CONNECTIONS} connections in {:.2?}",
            2 * CONNECTIONS,
            started.elapsed()
        );
        drop(held);
    });
}
