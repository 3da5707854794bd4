//! A reference point for the proxy benchmark (`bench/proxy.sh`): the smallest keep-alive
//! HTTP/1.1 reverse proxy on hyper 1.x and tokio, with nothing of Rampart in it — no routing,
//! limits, timeouts, forwarding rules, hooks, recording or engine. It passes each request to one
//! upstream over a stack of idle connections and streams the response back, adding only
//! `X-Forwarded-For`, so the benchmark can tell what hyper and tokio cost from what Rampart adds.
//!
//! ```text
//! cargo run --release -p rampart-proxy --example bare_hyper -- 127.0.0.1:8080 127.0.0.1:9000
//! ```

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use http::header::{HeaderValue, CONNECTION};
use http_body::{Body, Frame, SizeHint};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1::SendRequest;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

/// The allocator of the `rampart` binary, so that benchmark figures compare like with like.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Idle connections to the upstream, newest last.
type Idle = Arc<Mutex<Vec<SendRequest<Incoming>>>>;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(listen), Some(upstream)) = (args.first(), args.get(1)) else {
        eprintln!("usage: bare_hyper LISTEN_ADDR UPSTREAM_ADDR");
        std::process::exit(2);
    };
    let upstream: SocketAddr = upstream.parse()?;
    let listener = TcpListener::bind(listen.as_str()).await?;
    eprintln!("listening on {}", listener.local_addr()?);
    let idle: Idle = Arc::default();
    loop {
        let (stream, peer) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let idle = idle.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| forward(req, peer, upstream, idle.clone()));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

/// Sends `req` upstream on an idle connection or a new one and hands the response back.
async fn forward(
    mut req: Request<Incoming>,
    peer: SocketAddr,
    upstream: SocketAddr,
    idle: Idle,
) -> Result<Response<GiveBack>, Box<dyn std::error::Error + Send + Sync>> {
    req.headers_mut().remove(CONNECTION);
    req.headers_mut().insert(
        "x-forwarded-for",
        HeaderValue::from_str(&peer.ip().to_string())?,
    );
    let pooled = idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
    let mut sender = match pooled {
        Some(s) if !s.is_closed() => s,
        _ => {
            let stream = TcpStream::connect(upstream).await?;
            let _ = stream.set_nodelay(true);
            let (sender, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            sender
        }
    };
    let resp = sender.send_request(req).await?;
    Ok(resp.map(|inner| GiveBack {
        inner,
        back: Some((idle, sender)),
    }))
}

/// A response body that puts its connection back on the idle stack once read to its end.
struct GiveBack {
    inner: Incoming,
    back: Option<(Idle, SendRequest<Incoming>)>,
}

impl GiveBack {
    fn give_back(&mut self) {
        if let Some((idle, sender)) = self.back.take() {
            idle.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(sender);
        }
    }
}

impl Drop for GiveBack {
    fn drop(&mut self) {
        // A body never polled because it was empty, or read to its last frame; one dropped
        // half-way leaves the connection mid-response, and it closes.
        if self.inner.is_end_stream() {
            self.give_back();
        }
    }
}

impl Body for GiveBack {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(None) => self.give_back(),
            Poll::Ready(Some(Err(_))) => self.back = None,
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
