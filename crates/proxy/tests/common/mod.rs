//! Test support: upstream servers on 127.0.0.1, a proxy runner, clients and a recording hook.
#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body::{Body, Frame};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rampart_proxy::{
    BoundProxy, Completed, Drained, HookError, Phases, Proxy, ProxyConfig, RequestCtx, Verdict,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type TestBody = BoxBody<Bytes, BoxError>;

/// Every test runs under this bound, so a hang fails instead of blocking CI.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs a test body with [`TEST_TIMEOUT`].
pub async fn bounded<F: Future<Output = ()>>(f: F) {
    tokio::time::timeout(TEST_TIMEOUT, f)
        .await
        .expect("test took too long");
}

pub fn full(b: impl Into<Bytes>) -> TestBody {
    Full::new(b.into()).map_err(|e| match e {}).boxed()
}

pub fn text(status: StatusCode, b: &str) -> Response<TestBody> {
    let mut r = Response::new(full(b.to_owned()));
    *r.status_mut() = status;
    r
}

/// An upstream HTTP/1.1 server that counts connections and requests.
pub struct Upstream {
    pub addr: SocketAddr,
    pub connections: Arc<AtomicUsize>,
    pub requests: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Upstream {
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

pub async fn upstream<F, Fut>(handler: F) -> Upstream
where
    F: Fn(Request<Incoming>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response<TestBody>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(AtomicUsize::new(0));
    let handler = Arc::new(handler);
    let (c, r) = (connections.clone(), requests.clone());
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            c.fetch_add(1, Ordering::SeqCst);
            let handler = handler.clone();
            let r = r.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req| {
                    r.fetch_add(1, Ordering::SeqCst);
                    let fut = handler(req);
                    async move { Ok::<_, std::convert::Infallible>(fut.await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .with_upgrades()
                    .await;
            });
        }
    });
    Upstream {
        addr,
        connections,
        requests,
        task,
    }
}

/// An upstream answering `body` to everything.
pub async fn fixed(body: &'static str) -> Upstream {
    upstream(move |_req| async move { text(StatusCode::OK, body) }).await
}

/// An upstream that streams the request body back.
pub async fn echo() -> Upstream {
    upstream(|req| async move {
        let ct = req.headers().get("content-type").cloned();
        let mut resp = Response::new(req.into_body().map_err(BoxError::from).boxed());
        if let Some(ct) = ct {
            resp.headers_mut().insert("content-type", ct);
        }
        resp
    })
    .await
}

/// A free port with nothing listening on it.
pub async fn dead_addr() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    addr
}

/// A running proxy.
pub struct Running {
    pub proxy: Proxy,
    pub addrs: Vec<SocketAddr>,
    shutdown: Option<oneshot::Sender<()>>,
    pub task: Option<JoinHandle<Drained>>,
}

impl Running {
    pub fn addr(&self) -> SocketAddr {
        self.addrs[0]
    }
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr())
    }
    /// Signals shutdown and waits for the drain.
    pub async fn stop(&mut self) -> Drained {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.task.take().unwrap().await.unwrap()
    }
    /// Signals shutdown without waiting.
    pub fn begin_stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub async fn start(config: ProxyConfig, phases: Arc<dyn Phases>) -> Running {
    let proxy = Proxy::new(config, phases).expect("proxy builds");
    let bound: BoundProxy = proxy.bind().await.expect("proxy binds");
    let addrs = bound.local_addrs();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(bound.serve(async move {
        let _ = rx.await;
    }));
    Running {
        proxy,
        addrs,
        shutdown: Some(tx),
        task: Some(task),
    }
}

/// A config with one plain listener and one catch-all route to `servers`.
pub fn config(servers: &[SocketAddr]) -> ProxyConfig {
    let servers: Vec<String> = servers.iter().map(|a| a.to_string()).collect();
    let yaml = format!(
        "listen: [{{addr: 127.0.0.1:0}}]\nroutes: [{{path_prefix: /, upstream: app}}]\nupstreams: {{app: {{servers: [{}]}}}}\n",
        servers.join(", ")
    );
    ProxyConfig::from_yaml(&yaml).expect("test config is valid")
}

pub fn client() -> Client<HttpConnector, TestBody> {
    Client::builder(TokioExecutor::new()).build(HttpConnector::new())
}

/// Sends a request, returns status, headers and the body as text.
pub async fn call(req: Request<TestBody>) -> (StatusCode, http::HeaderMap, String) {
    let resp = client().request(req).await.expect("request goes through");
    let (parts, body) = resp.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

pub async fn get(url: &str) -> (StatusCode, http::HeaderMap, String) {
    call(Request::get(url).body(full("")).unwrap()).await
}

/// Writes raw bytes on a fresh connection and reads the answer until EOF, a complete
/// response, or a quiet second.
pub async fn raw(addr: SocketAddr, request: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let _ = s.write_all(request).await;
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
        if response_complete(&out) {
            break;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn response_complete(buf: &[u8]) -> bool {
    let text = String::from_utf8_lossy(buf);
    let Some(end) = text.find("\r\n\r\n") else {
        return false;
    };
    let head = text[..end].to_ascii_lowercase();
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    match len {
        Some(n) => buf.len() >= end + 4 + n,
        None => false,
    }
}

/// The byte at offset `i` of a generated body.
pub fn pattern(i: u64) -> u8 {
    (i % 251) as u8
}

/// A generated request body of `len` bytes in `chunk`-sized frames, length unknown up front
/// (sent chunked).
pub struct Generated {
    pub sent: u64,
    pub len: u64,
    pub chunk: usize,
}

impl Body for Generated {
    type Data = Bytes;
    type Error = BoxError;
    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if this.sent >= this.len {
            return Poll::Ready(None);
        }
        let n = (this.len - this.sent).min(this.chunk as u64);
        let data: Vec<u8> = (this.sent..this.sent + n).map(pattern).collect();
        this.sent += n;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(data)))))
    }
}

type HeadFn =
    dyn Fn(&mut RequestCtx, &http::request::Parts) -> Result<Verdict, HookError> + Send + Sync;

/// A hook that records every completed request and answers heads with a closure.
pub struct Recorder {
    head: Box<HeadFn>,
    done: Mutex<mpsc::Sender<(RequestCtx, Completed)>>,
}

impl Recorder {
    pub fn new() -> (Arc<Self>, mpsc::Receiver<(RequestCtx, Completed)>) {
        Self::with_head(|_, _| Ok(Verdict::Continue))
    }

    pub fn with_head(
        head: impl Fn(&mut RequestCtx, &http::request::Parts) -> Result<Verdict, HookError>
            + Send
            + Sync
            + 'static,
    ) -> (Arc<Self>, mpsc::Receiver<(RequestCtx, Completed)>) {
        let (tx, rx) = mpsc::channel();
        (
            Arc::new(Self {
                head: Box::new(head),
                done: Mutex::new(tx),
            }),
            rx,
        )
    }
}

impl Phases for Recorder {
    fn on_request_head(
        &self,
        ctx: &mut RequestCtx,
        req: &http::request::Parts,
    ) -> Result<Verdict, HookError> {
        (self.head)(ctx, req)
    }

    fn on_done(&self, ctx: RequestCtx, record: Completed) {
        let _ = self.done.lock().unwrap().send((ctx, record));
    }
}

/// Waits (up to ten seconds) for the next completed record.
pub async fn next_done(rx: &mpsc::Receiver<(RequestCtx, Completed)>) -> (RequestCtx, Completed) {
    for _ in 0..1000 {
        if let Ok(v) = rx.try_recv() {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("on_done was not called");
}

/// Polls `cond` every 10 ms for up to ten seconds.
pub async fn wait_until(cond: impl Fn() -> bool) {
    for _ in 0..1000 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("condition not reached in time");
}
