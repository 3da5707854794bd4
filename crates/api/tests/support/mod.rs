//! A fake `Control`, a server on an ephemeral loopback port, and a small HTTP/1.1 client.

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rampart_api::{AlertFilter, ApiConfig, Control, MetricsWriter, Server};
use rampart_core::{Alert, Entity, EntityKind, EventTime, Owasp, Severity};
use rampart_defend::Decision;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The token the test servers use.
pub const TOKEN: &str = "test-token-0123456789abcdef";

/// Every test finishes within this, or fails.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(20);

/// Runs `f`, failing the test if it takes longer than [`TEST_TIMEOUT`].
pub async fn within<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(TEST_TIMEOUT, f)
        .await
        .expect("the test took too long")
}

/// A `Control` whose answers the test sets.
pub struct Fake {
    pub ready: Mutex<Result<(), String>>,
    pub decisions: Mutex<Vec<Decision>>,
    pub reload: Mutex<Result<String, Vec<String>>>,
    pub alerts: Vec<Alert>,
    pub last_filter: Mutex<Option<AlertFilter>>,
    pub panic_on_inventory: bool,
}

impl Default for Fake {
    fn default() -> Self {
        Self {
            ready: Mutex::new(Ok(())),
            decisions: Mutex::new(Vec::new()),
            reload: Mutex::new(Ok("policy: 3 rules".into())),
            alerts: (0..5)
                .map(|i| {
                    alert(
                        if i % 2 == 0 { "enumeration" } else { "timing" },
                        if i < 2 { Severity::Low } else { Severity::High },
                        10_000 - i * 1000,
                    )
                })
                .collect(),
            last_filter: Mutex::new(None),
            panic_on_inventory: false,
        }
    }
}

/// The fake's event time: 2024-05-01T10:00:00Z.
pub const NOW_MS: i64 = 1_714_557_600_000;

impl Control for Fake {
    fn metrics(&self) -> String {
        let mut w = MetricsWriter::new();
        w.gauge("rampart_decisions_active", "Decisions in force.")
            .sample(&[], self.decisions.lock().unwrap().len() as f64);
        w.finish()
    }

    fn ready(&self) -> Result<(), String> {
        self.ready.lock().unwrap().clone()
    }

    fn inventory(&self) -> serde_json::Value {
        assert!(!self.panic_on_inventory, "the inventory is broken");
        serde_json::json!([{"method": "GET", "path": "/users/{id}", "hits": 3}])
    }

    fn alerts(&self, filter: &AlertFilter) -> Result<Vec<Alert>, String> {
        *self.last_filter.lock().unwrap() = Some(filter.clone());
        // Returns more than asked, to see the API hold the limit.
        Ok(self
            .alerts
            .iter()
            .filter(|a| filter.matches(a))
            .cloned()
            .collect())
    }

    fn decisions(&self) -> Vec<Decision> {
        self.decisions.lock().unwrap().clone()
    }

    fn add_decision(&self, d: Decision) -> Result<Decision, String> {
        self.decisions.lock().unwrap().push(d.clone());
        Ok(d)
    }

    fn remove_decision(&self, id: &str) -> Result<bool, String> {
        let mut all = self.decisions.lock().unwrap();
        let before = all.len();
        all.retain(|d| d.id != id);
        Ok(all.len() != before)
    }

    fn reload(&self) -> Result<String, Vec<String>> {
        self.reload.lock().unwrap().clone()
    }

    fn now(&self) -> EventTime {
        EventTime::from_unix_millis(NOW_MS)
    }
}

fn alert(detector: &str, severity: Severity, last_seen: i64) -> Alert {
    Alert {
        id: format!("{detector}-{last_seen}"),
        detector: detector.into(),
        owasp: Owasp::Api1BrokenObjectLevelAuthorization,
        severity,
        entity: Entity::new(EntityKind::Ip, "192.0.2.1"),
        actor: None,
        endpoint: Some("GET api.example/users/{id}".into()),
        first_seen: EventTime::from_unix_millis(0),
        raised: EventTime::from_unix_millis(last_seen),
        last_seen: EventTime::from_unix_millis(last_seen),
        requests: 1,
        evidence: "412 distinct ids in 60 s".into(),
        figures: BTreeMap::new(),
        members: Vec::new(),
        members_dropped: 0,
    }
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    pub fake: Arc<Fake>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), rampart_api::ApiError>>,
}

impl Running {
    /// Asks the server to stop and waits until it has.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task)
            .await
            .expect("server task")
            .expect("server ran");
    }
}

/// A server with [`TOKEN`] and a default fake.
pub async fn start() -> Running {
    start_with(Fake::default(), Some(TOKEN)).await
}

/// A server with `token` (or none) over `fake`.
pub async fn start_with(fake: Fake, token: Option<&str>) -> Running {
    let config = ApiConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        token: token.map(str::to_owned),
        token_file: None,
    };
    start_config(fake, &config).await
}

/// A server with `config` over `fake`.
pub async fn start_config(fake: Fake, config: &ApiConfig) -> Running {
    let fake = Arc::new(fake);
    let server = Server::bind(config).await.expect("bind");
    let addr = server.local_addr();
    let (stop, stopped) = oneshot::channel::<()>();
    let control: Arc<dyn Control> = fake.clone();
    let task = tokio::spawn(server.run(control, async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        fake,
        stop: Some(stop),
        task,
    }
}

/// An answer.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Sends one request on a new connection.
pub async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    authorization: Option<&str>,
    body: Option<(&str, Vec<u8>)>,
) -> Reply {
    let stream = TcpStream::connect(addr).await.expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    if let Some(a) = authorization {
        req = req.header("authorization", a);
    }
    let body = match body {
        Some((content_type, bytes)) => {
            req = req.header("content-type", content_type);
            Full::new(Bytes::from(bytes))
        }
        None => Full::new(Bytes::new()),
    };
    let response = sender
        .send_request(req.body(body).unwrap())
        .await
        .expect("response");
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

/// `GET path` with the test token.
pub async fn get(addr: SocketAddr, path: &str) -> Reply {
    send(addr, Method::GET, path, Some(&bearer()), None).await
}

/// `POST path` with the test token and a JSON body.
pub async fn post_json(addr: SocketAddr, path: &str, body: &serde_json::Value) -> Reply {
    send(
        addr,
        Method::POST,
        path,
        Some(&bearer()),
        Some(("application/json", body.to_string().into_bytes())),
    )
    .await
}

/// `Bearer <TOKEN>`.
pub fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

/// Writes `raw` on a new connection and reads until the server closes it; the status code.
pub async fn raw(addr: SocketAddr, raw: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(raw).await.expect("write");
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => {
                out.extend_from_slice(&buf[..n]);
                if let Some(done) = complete(&out) {
                    out.truncate(done);
                    break;
                }
            }
            Err(_) => break,
        }
    }
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// The length of a complete response with a Content-Length, once it has all arrived.
fn complete(out: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(out).ok()?;
    let head_end = text.find("\r\n\r\n")? + 4;
    let length: usize = text[..head_end].lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse().ok())
            .flatten()
    })?;
    (out.len() >= head_end + length).then_some(head_end + length)
}
