//! A small HTTP/1.1 client for the checks: one request per connection (`Connection: close`),
//! plain or over TLS, with the whole exchange under one timeout and the body read up to a cap.
//! The certificate is not checked here (the TLS checks judge it separately): the scanner sends
//! no credentials, so nothing is lost to a man in the middle.

use std::fmt;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::scanner::{Ctx, Service};

/// The User-Agent every request carries, so the scan is easy to tell apart in logs.
pub(crate) const USER_AGENT: &str = "rampart-scan/0.1 (authorized exposure scan)";

/// A byte stream, plain or TLS.
pub(crate) trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// What a request got back.
#[derive(Debug, Clone, Default)]
pub(crate) struct Response {
    /// Status code.
    pub(crate) status: u16,
    /// Headers, names in lower case, values as (lossy) text.
    pub(crate) headers: Vec<(String, String)>,
    /// The body, at most the cap.
    pub(crate) body: Vec<u8>,
    /// Whether the body was longer than the cap.
    pub(crate) truncated: bool,
}

impl Response {
    /// The first value of a header (name in lower case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The media type, lower case, without parameters.
    pub(crate) fn media_type(&self) -> String {
        self.header("content-type")
            .and_then(|v| v.split(';').next())
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    }

    /// Whether the answer is 2xx.
    pub(crate) fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Whether the body is JSON by its media type or its first byte.
    pub(crate) fn is_json(&self) -> bool {
        let mt = self.media_type();
        mt.contains("json")
            || (!mt.contains("html")
                && matches!(first_byte(&self.body), Some(b'{') | Some(b'['))
                && serde_json::from_slice::<serde_json::Value>(&self.body).is_ok())
    }

    /// Whether the body is XML by its media type.
    pub(crate) fn is_xml(&self) -> bool {
        let mt = self.media_type();
        mt.ends_with("/xml") || mt.ends_with("+xml")
    }
}

/// The first byte that is not white space.
pub(crate) fn first_byte(b: &[u8]) -> Option<u8> {
    b.iter().copied().find(|c| !c.is_ascii_whitespace())
}

/// Why a request got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FetchError(pub(crate) String);

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One request.
#[derive(Debug, Clone)]
pub(crate) struct Request<'a> {
    /// GET, HEAD, OPTIONS (POST only for GraphQL introspection).
    pub(crate) method: &'a str,
    /// Path and query, origin form.
    pub(crate) path: &'a str,
    /// Extra headers.
    pub(crate) headers: Vec<(&'a str, String)>,
    /// A body (GraphQL introspection only).
    pub(crate) body: Option<Vec<u8>>,
    /// Most body bytes read.
    pub(crate) max_body: usize,
}

impl<'a> Request<'a> {
    /// A GET of `path`, the body read up to the scan's cap.
    pub(crate) fn get(ctx: &Ctx, path: &'a str) -> Self {
        Self {
            method: "GET",
            path,
            headers: Vec::new(),
            body: None,
            max_body: ctx.opts.max_body,
        }
    }
}

/// Opens a connection to the service (after the rate limiter's slot), with TLS when the
/// service speaks it.
pub(crate) async fn connect(ctx: &Ctx, svc: &Service) -> Result<Box<dyn Io>, FetchError> {
    ctx.limiter.acquire().await;
    ctx.connections.fetch_add(1, Ordering::Relaxed);
    let tcp = tokio::time::timeout(ctx.opts.connect_timeout, TcpStream::connect(svc.addr))
        .await
        .map_err(|_| FetchError("connect timed out".into()))?
        .map_err(|e| FetchError(format!("connect: {e}")))?;
    let _ = tcp.set_nodelay(true);
    if !svc.tls {
        return Ok(Box::new(tcp));
    }
    let name = server_name(&svc.host);
    let tls = tokio_rustls::TlsConnector::from(ctx.tls_any.clone())
        .connect(name, tcp)
        .await
        .map_err(|e| FetchError(format!("TLS: {e}")))?;
    Ok(Box::new(tls))
}

/// The name for SNI: the host name, or the address (rustls then sends no SNI).
pub(crate) fn server_name(host: &str) -> ServerName<'static> {
    ServerName::try_from(host.to_owned())
        .unwrap_or_else(|_| ServerName::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()))
}

/// Sends one request and reads the answer, all within the request timeout.
pub(crate) async fn fetch(
    ctx: &Ctx,
    svc: &Service,
    req: Request<'_>,
) -> Result<Response, FetchError> {
    let result = tokio::time::timeout(ctx.opts.request_timeout, exchange(ctx, svc, req))
        .await
        .unwrap_or_else(|_| Err(FetchError("timed out".into())));
    if result.is_err() {
        ctx.failures.fetch_add(1, Ordering::Relaxed);
    } else {
        ctx.requests.fetch_add(1, Ordering::Relaxed);
    }
    result
}

async fn exchange(ctx: &Ctx, svc: &Service, req: Request<'_>) -> Result<Response, FetchError> {
    let io = connect(ctx, svc).await?;
    let (mut send, conn) = hyper::client::conn::http1::Builder::new()
        .max_buf_size(64 * 1024)
        .handshake::<_, Full<Bytes>>(TokioIo::new(io))
        .await
        .map_err(|e| FetchError(format!("HTTP: {e}")))?;
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    let has_ua = req
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("user-agent"));
    let mut builder = http::Request::builder()
        .method(req.method)
        .uri(req.path)
        .header("host", svc.host_header())
        .header("accept", "*/*")
        .header("connection", "close");
    if !has_ua {
        builder = builder.header("user-agent", USER_AGENT);
    }
    for (name, value) in &req.headers {
        builder = builder.header(*name, value.as_str());
    }
    let body = Full::new(Bytes::from(req.body.unwrap_or_default()));
    let request = builder
        .body(body)
        .map_err(|e| FetchError(format!("request: {e}")))?;
    let answer = send
        .send_request(request)
        .await
        .map_err(|e| FetchError(format!("HTTP: {e}")))?;
    let status = answer.status().as_u16();
    let headers = answer
        .headers()
        .iter()
        .take(200)
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes())
                    .chars()
                    .take(2048)
                    .collect(),
            )
        })
        .collect();
    let mut body = answer.into_body();
    let mut out = Vec::new();
    let mut truncated = false;
    if req.method != "HEAD" {
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else { break };
            if let Ok(data) = frame.into_data() {
                let room = req.max_body.saturating_sub(out.len());
                if data.len() > room {
                    out.extend_from_slice(&data[..room]);
                    truncated = true;
                    break;
                }
                out.extend_from_slice(&data);
            }
        }
    }
    driver.abort();
    Ok(Response {
        status,
        headers,
        body: out,
        truncated,
    })
}
