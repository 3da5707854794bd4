//! Test servers on 127.0.0.1, plain or TLS, answering with a handler.

#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rampart_scan::{ScanOptions, ScanReport, SensitiveHit, Target};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;

/// What a test server answers.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("content-type", content_type.to_owned())],
            body: body.into(),
        }
    }
}

/// What a handler sees of a request.
pub(crate) struct Seen {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) headers: http::HeaderMap,
}

pub(crate) type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

/// Serves `handler` over plain HTTP on 127.0.0.1; returns the address.
pub(crate) async fn serve(handler: Handler) -> SocketAddr {
    serve_with(handler, None).await
}

/// Serves over TLS with this certificate chain and key (PEM).
pub(crate) async fn serve_tls(handler: Handler, chain_pem: &str, key_pem: &str) -> SocketAddr {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain_pem.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    serve_with(
        handler,
        Some(tokio_rustls::TlsAcceptor::from(Arc::new(config))),
    )
    .await
}

async fn serve_with(handler: Handler, tls: Option<tokio_rustls::TlsAcceptor>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let handler = handler.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    let handler = handler.clone();
                    async move {
                        let seen = Seen {
                            method: req.method().to_string(),
                            path: req
                                .uri()
                                .path_and_query()
                                .map(|p| p.to_string())
                                .unwrap_or_default(),
                            headers: req.headers().clone(),
                        };
                        // A handler may block (the JNDI lookup does): keep it off the runtime.
                        let reply = tokio::task::spawn_blocking(move || handler(&seen))
                            .await
                            .unwrap();
                        let mut resp = http::Response::builder().status(reply.status);
                        for (n, v) in reply.headers {
                            resp = resp.header(n, v);
                        }
                        Ok::<_, Infallible>(resp.body(Full::new(Bytes::from(reply.body))).unwrap())
                    }
                });
                let builder = hyper::server::conn::http1::Builder::new();
                match tls {
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(tcp).await {
                            let _ = builder
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        }
                    }
                    None => {
                        let _ = builder.serve_connection(TokioIo::new(tcp), service).await;
                    }
                }
            });
        }
    });
    addr
}

/// Options for tests: no Log4Shell unless asked, short timeouts, a fast rate, a classifier
/// that knows emails.
pub(crate) fn options() -> ScanOptions {
    let mut o = ScanOptions::new(now_ms());
    o.rate = 2_000;
    o.concurrency = 8;
    o.connect_timeout = Duration::from_secs(2);
    o.request_timeout = Duration::from_secs(5);
    o.log4shell.enabled = false;
    o.log4shell.grace = Duration::from_millis(300);
    o.classify = Some(Arc::new(|body: &[u8]| {
        String::from_utf8_lossy(body)
            .split(|c: char| c == '"' || c.is_whitespace())
            .filter(|w| {
                w.split_once('@')
                    .is_some_and(|(u, d)| !u.is_empty() && d.contains('.'))
            })
            .map(|_| SensitiveHit {
                class: "email".into(),
                redacted: "j***@example.com".into(),
            })
            .collect()
    }));
    o
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

pub(crate) fn target(addr: SocketAddr) -> Target {
    rampart_scan::parse_target(&addr.to_string()).unwrap()
}

pub(crate) async fn scan(addrs: &[SocketAddr], opts: ScanOptions) -> ScanReport {
    let targets: Vec<Target> = addrs.iter().map(|a| target(*a)).collect();
    rampart_scan::scan(&targets, opts).await.unwrap()
}
