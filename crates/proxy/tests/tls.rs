//! TLS termination: certificates by SNI, ALPN to HTTP/2, and h2c on plain listeners.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::*;
use http::{Request, StatusCode, Version};
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rampart_proxy::config::{CertFile, Listener, Tls};
use rampart_proxy::{NoopPhases, Proxy, ProxyError};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

struct Pki {
    _dir: tempfile::TempDir,
    ca: CertificateDer<'static>,
    certs: Vec<(CertificateDer<'static>, PathBuf, PathBuf)>,
}

/// A CA and one leaf certificate per name (for the name and its subdomains), as PEM files.
fn pki(names: &[&str]) -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "Rampart test CA");
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    let mut certs = Vec::new();
    for name in names {
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec![(*name).to_owned(), format!("*.{name}")])
            .unwrap()
            .signed_by(&key, &ca)
            .unwrap();
        let cert_path = dir.path().join(format!("{name}.pem"));
        let key_path = dir.path().join(format!("{name}.key"));
        std::fs::write(&cert_path, cert.pem()).unwrap();
        std::fs::write(&key_path, key.serialize_pem()).unwrap();
        certs.push((cert.der().clone(), cert_path, key_path));
    }
    Pki {
        _dir: dir,
        ca: ca.der().clone(),
        certs,
    }
}

fn tls_listener(pki: &Pki, names: &[&[&str]]) -> Listener {
    let certs = pki
        .certs
        .iter()
        .zip(names)
        .map(|((_, cert, key), names)| CertFile {
            cert: cert.clone(),
            key: key.clone(),
            server_names: names.iter().map(|n| (*n).to_owned()).collect(),
        })
        .collect();
    Listener {
        addr: "127.0.0.1:0".parse().unwrap(),
        tls: Some(Tls { certs }),
        http2: true,
    }
}

async fn connect(
    addr: std::net::SocketAddr,
    ca: &CertificateDer<'static>,
    sni: &str,
    alpn: &[&[u8]],
) -> TlsStream<TcpStream> {
    let mut roots = RootCertStore::empty();
    roots.add(ca.clone()).unwrap();
    let mut cfg =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
    cfg.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let tcp = TcpStream::connect(addr).await.unwrap();
    TlsConnector::from(Arc::new(cfg))
        .connect(ServerName::try_from(sni.to_owned()).unwrap(), tcp)
        .await
        .expect("TLS handshake")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_presents_the_certificate_of_the_sni_name() {
    bounded(async {
        let up = fixed("secure").await;
        let pki = pki(&["a.test", "b.test"]);
        let mut cfg = config(&[up.addr]);
        cfg.listen = vec![tls_listener(&pki, &[&["a.test"], &["b.test", "*.b.test"]])];
        let (hook, done) = Recorder::new();
        let proxy = start(cfg, hook).await;

        for (sni, want) in [("a.test", 0), ("b.test", 1), ("x.b.test", 1)] {
            let tls = connect(proxy.addr(), &pki.ca, sni, &[b"http/1.1"]).await;
            let presented = tls.get_ref().1.peer_certificates().unwrap()[0].clone();
            assert_eq!(presented, pki.certs[want].0, "certificate for {sni}");
            if sni != "a.test" {
                continue;
            }
            let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
                .await
                .unwrap();
            tokio::spawn(conn);
            let req = Request::get("/tls")
                .header("host", "a.test")
                .body(Empty::<bytes::Bytes>::new())
                .unwrap();
            let resp = send.send_request(req).await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            let body = resp.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(&body[..], b"secure");
        }
        let (ctx, record) = next_done(&done).await;
        assert_eq!(ctx.scheme.as_str(), "https");
        assert_eq!(record.to_exchange().scheme.as_deref(), Some("https"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_is_negotiated_by_alpn() {
    bounded(async {
        let up = upstream(|req| async move {
            let host = req
                .headers()
                .get("host")
                .map(|v| v.to_str().unwrap().to_owned());
            let proto = req
                .headers()
                .get("x-forwarded-proto")
                .map(|v| v.to_str().unwrap().to_owned());
            text(
                StatusCode::OK,
                &format!("{:?} {} {host:?} {proto:?}", req.version(), req.uri()),
            )
        })
        .await;
        let pki = pki(&["a.test"]);
        let mut cfg = config(&[up.addr]);
        cfg.listen = vec![tls_listener(&pki, &[&["a.test"]])];
        let (hook, done) = Recorder::new();
        let proxy = start(cfg, hook).await;

        let tls = connect(proxy.addr(), &pki.ca, "a.test", &[b"h2", b"http/1.1"]).await;
        assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
        let (mut send, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls))
                .await
                .unwrap();
        tokio::spawn(conn);
        for i in 0..3 {
            let req = Request::get(format!("https://a.test/h2/{i}?q=1"))
                .body(Empty::<bytes::Bytes>::new())
                .unwrap();
            let resp = send.send_request(req).await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            assert_eq!(resp.version(), Version::HTTP_2);
            let body = resp.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(
                String::from_utf8_lossy(&body),
                format!("HTTP/1.1 /h2/{i}?q=1 Some(\"a.test\") Some(\"https\")")
            );
        }
        let (ctx, record) = next_done(&done).await;
        assert_eq!(ctx.version, Version::HTTP_2);
        assert_eq!(record.host.as_deref(), Some("a.test"));
        assert!(
            up.connections() <= 2,
            "three h2 streams reuse upstream connections: {}",
            up.connections()
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn h2c_prior_knowledge_works_on_a_plain_listener() {
    bounded(async {
        let up = fixed("plain h2").await;
        let proxy = start(config(&[up.addr]), Arc::new(NoopPhases)).await;
        let tcp = TcpStream::connect(proxy.addr()).await.unwrap();
        let (mut send, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tcp))
                .await
                .unwrap();
        tokio::spawn(conn);
        let req = Request::get(format!("http://{}/", proxy.addr()))
            .body(Empty::<bytes::Bytes>::new())
            .unwrap();
        let resp = send.send_request(req).await.unwrap();
        assert_eq!(resp.version(), Version::HTTP_2);
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"plain h2");
    })
    .await;
}

#[test]
fn missing_or_mismatched_certificate_files_name_the_setting() {
    let pki = pki(&["a.test", "b.test"]);
    let mut cfg = config(&["127.0.0.1:1".parse().unwrap()]);
    let mut listener = tls_listener(&pki, &[&["a.test"]]);
    listener.tls.as_mut().unwrap().certs[0].cert = Path::new("/nonexistent/cert.pem").into();
    cfg.listen = vec![listener];
    let err = Proxy::new(cfg.clone(), Arc::new(NoopPhases)).unwrap_err();
    match &err {
        ProxyError::Tls { field, message } => {
            assert_eq!(field, "listen[0].tls.certs[0].cert");
            assert!(message.contains("/nonexistent/cert.pem"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // The key of b.test with the certificate of a.test.
    let mut listener = tls_listener(&pki, &[&["a.test"]]);
    listener.tls.as_mut().unwrap().certs[0].key = pki.certs[1].2.clone();
    cfg.listen = vec![listener];
    let err = Proxy::new(cfg, Arc::new(NoopPhases)).unwrap_err();
    assert!(
        err.to_string().contains("does not fit the certificate"),
        "{err}"
    );
}
