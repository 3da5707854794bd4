//! Exposed files against real servers: a leaking one gives redacted findings, a catch-all one
//! that answers 200 with the same page to everything gives none.

mod common;

use std::sync::Arc;

use common::*;
use rampart_core::Severity;
use rampart_scan::FindingKind;

const KEY: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAvERYSECRETKEYMATERIAL\n-----END RSA PRIVATE KEY-----\n";
const ENV: &str =
    "# production\nDB_PASSWORD=hunter2-secret\nSTRIPE_KEY=sk_live_abcdef\nDEBUG=false\n";

fn leaky() -> Handler {
    Arc::new(|r: &Seen| match r.path.as_str() {
        "/server.key" => Reply::new(200, "application/octet-stream", KEY),
        "/.env" => Reply::new(200, "text/plain", ENV),
        "/" => Reply::new(200, "text/html", "<html>home</html>"),
        _ => Reply::new(404, "text/html", "<html>not found</html>"),
    })
}

#[tokio::test]
async fn a_leaking_server_gives_redacted_findings() {
    let addr = serve(leaky()).await;
    let report = scan(&[addr], options()).await;
    let files: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::ExposedFile)
        .collect();
    let subjects: Vec<&str> = files.iter().map(|f| f.subject.as_str()).collect();
    assert_eq!(subjects, vec!["/server.key", "/.env"], "{files:#?}");
    let key = files[0];
    assert_eq!(key.severity, Severity::Critical);
    assert_eq!(key.evidence[0], "PEM RSA private key header at line 1");
    let env = files[1];
    assert!(
        env.evidence[0].contains("DB_PASSWORD, STRIPE_KEY, DEBUG"),
        "{:?}",
        env.evidence
    );
    let all = serde_json::to_string(&report).unwrap();
    for secret in ["VERYSECRET", "hunter2", "sk_live"] {
        assert!(!all.contains(secret), "{secret} leaked into the report");
    }
    assert_eq!(report.ports_open, 1);
    assert!(report.services[0].http && !report.services[0].tls);
}

#[tokio::test]
async fn a_catch_all_server_gives_no_exposed_file() {
    let page = "<!doctype html><html><head><title>Shop</title></head><body>Welcome! DB_PASSWORD=x\nA=1\n[core]\n-----BEGIN PRIVATE KEY-----</body></html>";
    let addr = serve(Arc::new(move |_r: &Seen| {
        Reply::new(200, "text/html", page)
    }))
    .await;
    let report = scan(&[addr], options()).await;
    let kinds: Vec<_> = report.findings.iter().map(|f| f.kind).collect();
    for k in [
        FindingKind::ExposedFile,
        FindingKind::ApiDocsExposed,
        FindingKind::UnauthenticatedApi,
        FindingKind::GraphqlIntrospection,
    ] {
        assert!(
            !kinds.contains(&k),
            "{k:?} on a catch-all server: {:#?}",
            report.findings
        );
    }
    // A catch-all that answers every path with the same plain-text `KEY=value` page is not an
    // environment file either: the random-path baseline says so.
    let addr = serve(Arc::new(|_r: &Seen| {
        Reply::new(200, "text/plain", "STATUS=ok\nVERSION=1\n")
    }))
    .await;
    let report = scan(&[addr], options()).await;
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.kind != FindingKind::ExposedFile),
        "{:#?}",
        report.findings
    );
}

#[tokio::test]
async fn closed_ports_are_counted_not_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = listener.local_addr().unwrap();
    drop(listener);
    let report = scan(&[closed], options()).await;
    assert_eq!((report.ports_tried, report.ports_open), (1, 0));
    assert!(report.findings.is_empty());
}
