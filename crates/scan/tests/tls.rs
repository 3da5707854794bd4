//! TLS checks against rustls servers with certificates made here by rcgen: expired,
//! self-signed, for another host, and valid under a test CA given as the CA bundle.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;

use common::*;
use rampart_scan::{FindingKind, ScanReport};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};

struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
    pem: String,
}

fn ca() -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "Rampart scan test CA");
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    let pem = issuer.pem();
    Ca { issuer, pem }
}

fn leaf_params(names: &[&str], cn: &str) -> CertificateParams {
    let mut p =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p
}

fn api() -> Handler {
    Arc::new(|_r: &Seen| Reply::new(200, "application/json", r#"{"ok":true}"#))
}

async fn tls_server(params: CertificateParams, ca: Option<&Ca>) -> SocketAddr {
    let key = KeyPair::generate().unwrap();
    let (cert_pem, chain) = match ca {
        Some(ca) => {
            let cert = params.signed_by(&key, &ca.issuer).unwrap();
            (cert.pem(), ca.pem.clone())
        }
        None => (params.self_signed(&key).unwrap().pem(), String::new()),
    };
    serve_tls(api(), &format!("{cert_pem}{chain}"), &key.serialize_pem()).await
}

fn tls_kinds(report: &ScanReport, addr: SocketAddr) -> Vec<FindingKind> {
    let target = addr.to_string();
    let mut kinds: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.target == target && f.kind.name().starts_with("tls_"))
        .map(|f| f.kind)
        .collect();
    kinds.sort();
    kinds
}

#[tokio::test]
async fn each_certificate_problem_is_one_finding() {
    let ca = ca();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("ca.pem");
    std::fs::write(&bundle, &ca.pem).unwrap();

    let mut expired = leaf_params(&["127.0.0.1", "localhost"], "expired.test");
    expired.not_before = rcgen::date_time_ymd(2020, 1, 1);
    expired.not_after = rcgen::date_time_ymd(2021, 1, 1);
    let expired = tls_server(expired, Some(&ca)).await;
    let self_signed = tls_server(leaf_params(&["127.0.0.1"], "self.test"), None).await;
    let wrong_host = tls_server(leaf_params(&["wrong.example"], "wrong.example"), Some(&ca)).await;
    let valid = tls_server(
        leaf_params(&["127.0.0.1", "localhost"], "valid.test"),
        Some(&ca),
    )
    .await;

    let mut opts = options();
    opts.ca_bundle = Some(bundle.clone());
    let report = scan(&[expired, self_signed, wrong_host, valid], opts).await;
    assert_eq!(report.ports_open, 4);
    assert!(
        report.services.iter().all(|s| s.tls && s.http),
        "{:?}",
        report.services
    );

    assert_eq!(tls_kinds(&report, expired), vec![FindingKind::TlsExpired]);
    assert_eq!(
        tls_kinds(&report, self_signed),
        vec![FindingKind::TlsSelfSigned]
    );
    assert_eq!(
        tls_kinds(&report, wrong_host),
        vec![FindingKind::TlsHostnameMismatch]
    );
    assert_eq!(
        tls_kinds(&report, valid),
        Vec::<FindingKind>::new(),
        "{:#?}",
        report.findings
    );

    let f = report
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::TlsExpired)
        .unwrap();
    assert!(f.title.contains("expired"), "{}", f.title);
    assert!(
        f.evidence
            .iter()
            .any(|e| e.starts_with("subject: CN=expired.test")),
        "{:?}",
        f.evidence
    );
    assert!(f
        .evidence
        .iter()
        .any(|e| e.contains("issuer: CN=Rampart scan test CA")));
    assert!(
        f.evidence
            .iter()
            .any(|e| e == "SANs: IP:127.0.0.1, DNS:localhost"),
        "{:?}",
        f.evidence
    );
    assert!(f
        .evidence
        .iter()
        .any(|e| e.starts_with("valid from 2020-01-01")));
    let w = report
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::TlsHostnameMismatch)
        .unwrap();
    assert!(
        w.evidence.iter().any(|e| e == "SANs: DNS:wrong.example"),
        "{:?}",
        w.evidence
    );

    // The JSON API over TLS without HSTS.
    let headers = report
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::MissingSecurityHeaders && f.target == valid.to_string())
        .unwrap();
    assert!(headers
        .evidence
        .iter()
        .any(|e| e.contains("Strict-Transport-Security")));
    // rustls speaks TLS 1.2 and 1.3 only: the hand-made TLS 1.0 / 1.1 hellos are refused.
    assert!(report
        .findings
        .iter()
        .all(|f| f.kind != FindingKind::TlsOldProtocol));
    // Plain-HTTP findings belong to plain ports only.
    assert!(report
        .findings
        .iter()
        .all(|f| f.kind != FindingKind::PlaintextHttp));

    // The same valid certificate is close to expiry for a wide enough window, and untrusted
    // against the system's roots.
    let mut opts = options();
    opts.expiry_days = 1_000_000;
    let report = scan(&[valid], opts).await;
    assert_eq!(
        tls_kinds(&report, valid),
        vec![FindingKind::TlsExpiringSoon, FindingKind::TlsUntrusted]
    );
}

#[tokio::test]
async fn a_bad_ca_bundle_stops_the_scan_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("ca.pem");
    std::fs::write(&bundle, "not a certificate").unwrap();
    let mut opts = options();
    opts.ca_bundle = Some(bundle);
    let t = rampart_scan::parse_target("127.0.0.1:1").unwrap();
    let err = rampart_scan::scan(&[t], opts).await.unwrap_err();
    assert!(err.to_string().contains("CA bundle"), "{err}");
}

#[tokio::test]
async fn urls_and_host_names_are_resolved_and_sent_as_sni() {
    let ca = ca();
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("ca.pem");
    std::fs::write(&bundle, &ca.pem).unwrap();
    let addr = tls_server(leaf_params(&["localhost"], "localhost"), Some(&ca)).await;
    let mut opts = options();
    opts.ca_bundle = Some(bundle);
    let targets =
        vec![rampart_scan::parse_target(&format!("https://localhost:{}/v1", addr.port())).unwrap()];
    let report = rampart_scan::scan(&targets, opts).await.unwrap();
    assert_eq!(report.services.len(), 1, "{report:#?}");
    let s = &report.services[0];
    assert_eq!((s.host.as_str(), s.tls, s.http), ("localhost", true, true));
    let target = format!("localhost:{}", addr.port());
    let tls: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.target == target && f.kind.name().starts_with("tls_"))
        .collect();
    assert!(tls.is_empty(), "the certificate names localhost: {tls:#?}");
}
