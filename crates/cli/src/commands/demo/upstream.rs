//! The sample API's stand-in upstream: answers each replayed request with the response the
//! simulator recorded for it (status, content type, cookies, body), found by the sequence
//! header the replay sets. A real HTTP server on 127.0.0.1.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rampart_core::Exchange;

/// The header naming which recorded exchange a request replays.
pub(crate) const SEQ_HEADER: &str = "x-rampart-demo-seq";
/// The header the upstream sets on its answers: a response without it came from the proxy.
pub(crate) const UPSTREAM_HEADER: &str = "x-rampart-demo-upstream";

fn answer(exchanges: &[Exchange], req: &Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
    let seq = req
        .headers()
        .get(SEQ_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let Some(ex) = seq.and_then(|i| exchanges.get(i)) else {
        let mut r = Response::new(Full::new(Bytes::from_static(b"{\"error\":\"not found\"}")));
        *r.status_mut() = StatusCode::NOT_FOUND;
        return r;
    };
    let body = ex
        .response_body
        .as_ref()
        .map(|b| Bytes::from(b.bytes.clone()))
        .unwrap_or_default();
    let mut r = Response::new(Full::new(body));
    *r.status_mut() = ex
        .status
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    for (name, value) in ex.response_headers.iter() {
        if matches!(name, "content-length" | "transfer-encoding" | "connection") {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            r.headers_mut().append(n, v);
        }
    }
    r.headers_mut()
        .insert(UPSTREAM_HEADER, http::HeaderValue::from_static("1"));
    r
}

/// Starts the upstream on an ephemeral port; it serves until the runtime stops.
pub(crate) async fn start(exchanges: Arc<Vec<Exchange>>) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let exchanges = exchanges.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let r = answer(&exchanges, &req);
                    async move { Ok::<_, Infallible>(r) }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(addr)
}
