//! TLS checks: the handshake, the certificate chain judged with x509-parser and against the
//! trusted roots, and the hand-written probe for TLS 1.0 / 1.1.
//!
//! The handshake uses rustls (ring provider) with a verifier that accepts every chain, so the
//! scan can look at certificates that a normal client would reject; the chain is then judged
//! apart ([`cert`]), each problem a finding.

pub(crate) mod cert;
pub mod legacy;
mod roots;
mod verifier;

pub(crate) use roots::load_roots;
pub(crate) use verifier::accept_any_config;

use rustls::pki_types::CertificateDer;
use tokio::net::TcpStream;

use crate::http::{server_name, FetchError};
use crate::scanner::{Ctx, Service};

/// What a completed handshake showed.
#[derive(Debug, Clone)]
pub(crate) struct Handshake {
    /// The certificates the server presented, leaf first.
    pub(crate) chain: Vec<CertificateDer<'static>>,
    /// The negotiated protocol, `TLSv1_3` style.
    pub(crate) version: String,
    /// The negotiated cipher suite.
    pub(crate) suite: String,
}

/// Completes a TLS handshake with the service (which is assumed to speak TLS), within the
/// connect timeout.
pub(crate) async fn handshake(ctx: &Ctx, svc: &Service) -> Result<Handshake, FetchError> {
    ctx.limiter.acquire().await;
    ctx.connections
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let attempt = async {
        let tcp = TcpStream::connect(svc.addr)
            .await
            .map_err(|e| FetchError(format!("connect: {e}")))?;
        let tls = tokio_rustls::TlsConnector::from(ctx.tls_probe.clone())
            .connect(server_name(&svc.host), tcp)
            .await
            .map_err(|e| FetchError(format!("TLS: {e}")))?;
        let (_, conn) = tls.get_ref();
        Ok(Handshake {
            chain: conn
                .peer_certificates()
                .unwrap_or_default()
                .iter()
                .map(|c| c.clone().into_owned())
                .collect(),
            version: conn
                .protocol_version()
                .map(|v| format!("{v:?}"))
                .unwrap_or_default(),
            suite: conn
                .negotiated_cipher_suite()
                .map(|s| format!("{:?}", s.suite()))
                .unwrap_or_default(),
        })
    };
    tokio::time::timeout(ctx.opts.connect_timeout * 2, attempt)
        .await
        .unwrap_or_else(|_| Err(FetchError("TLS handshake timed out".into())))
}
