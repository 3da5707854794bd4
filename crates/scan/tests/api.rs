//! API exposure against a real server: an OpenAPI document served to anyone, one endpoint
//! answering emails without credentials, one that answers 401, and GraphQL introspection.

mod common;

use std::sync::Arc;

use common::*;
use rampart_core::Severity;
use rampart_scan::FindingKind;

const DOC: &str = r#"{
  "openapi": "3.0.3",
  "info": {"title": "Customer API\u001b[2J", "version": "1"},
  "servers": [{"url": "https://api.elsewhere.example/v1"}],
  "paths": {
    "/customers": {"get": {"summary": "list"}},
    "/customers/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}]}},
    "/admin/users": {"get": {"security": [{"bearer": []}]}},
    "/logout": {"get": {}}
  }
}"#;

fn api() -> Handler {
    Arc::new(|r: &Seen| {
        let authed = r.headers.contains_key("authorization");
        match (r.method.as_str(), r.path.as_str()) {
            ("GET", "/openapi.json") => Reply::new(200, "application/json", DOC),
            ("GET", "/v1/customers") => Reply::new(
                200,
                "application/json",
                r#"[{"id":1,"email":"jane.doe@example.com"},{"id":2,"email":"max@example.org"}]"#,
            ),
            ("GET", "/v1/customers/1") => Reply::new(200, "application/json", "{}"),
            ("GET", "/v1/admin/users") if authed => {
                Reply::new(200, "application/json", r#"[{"email":"root@example.com"}]"#)
            }
            ("GET", "/v1/admin/users") => {
                Reply::new(401, "application/json", r#"{"error":"unauthorized"}"#)
            }
            ("GET", "/v1/logout") => panic!("a state-changing path was requested"),
            ("POST", "/graphql") => Reply::new(
                200,
                "application/json",
                r#"{"data":{"__schema":{"queryType":{"name":"Query"},"types":[{"name":"Query"},{"name":"User"}]}}}"#,
            ),
            ("GET", "/") => Reply::new(200, "application/json", r#"{"service":"customers"}"#),
            _ => Reply::new(404, "application/json", r#"{"error":"not found"}"#),
        }
    })
}

#[tokio::test]
async fn an_open_document_leads_to_the_unauthenticated_endpoint_only() {
    let addr = serve(api()).await;
    let report = scan(&[addr], options()).await;
    let of = |k: FindingKind| report.findings.iter().filter(move |f| f.kind == k);

    let docs: Vec<_> = of(FindingKind::ApiDocsExposed).collect();
    assert_eq!(docs.len(), 1, "{docs:#?}");
    assert_eq!(docs[0].subject, "/openapi.json");
    let ev = &docs[0].evidence[0];
    assert!(ev.contains(": 4 paths, 4 GET operations"), "{ev}");
    assert!(
        ev.contains("Customer API\\u{1b}[2J") && !ev.contains('\u{1b}'),
        "a terminal escape from the target is neutralised: {ev}"
    );

    let open: Vec<_> = of(FindingKind::UnauthenticatedApi).collect();
    assert_eq!(
        open.len(),
        1,
        "only /customers answers data without credentials: {open:#?}"
    );
    let f = open[0];
    assert_eq!(f.subject, "/customers");
    assert_eq!(f.data_classes, vec!["email".to_owned()]);
    assert_eq!(f.severity, Severity::High);
    assert!(
        f.evidence.iter().any(|e| e.contains("email ×2")),
        "{:?}",
        f.evidence
    );
    let text = serde_json::to_string(&report).unwrap();
    assert!(!text.contains("jane.doe"), "no raw value in the report");

    assert_eq!(of(FindingKind::GraphqlIntrospection).count(), 1);
    let svc = of(FindingKind::ApiService)
        .next()
        .expect("the service is an API");
    assert!(svc.evidence.iter().any(|e| e.contains("JSON")));
    assert!(report.services[0].api);
    let plain = of(FindingKind::PlaintextHttp).next().unwrap();
    assert_eq!(plain.severity, Severity::Medium, "an API over plain HTTP");
    assert_eq!(of(FindingKind::MissingSecurityHeaders).count(), 1);
}

#[tokio::test]
async fn cors_with_credentials_and_version_banners() {
    let addr = serve(Arc::new(|r: &Seen| {
        let origin = r
            .headers
            .get("origin")
            .and_then(|o| o.to_str().ok())
            .unwrap_or("")
            .to_owned();
        Reply {
            status: 200,
            headers: vec![
                ("content-type", "application/json".into()),
                ("access-control-allow-origin", origin),
                ("access-control-allow-credentials", "true".into()),
                ("server", "Apache/2.4.49 (Unix)".into()),
                ("x-powered-by", "PHP/7.4.3".into()),
                ("x-content-type-options", "nosniff".into()),
                ("cache-control", "no-store".into()),
            ],
            body: br#"{"ok":true}"#.to_vec(),
        }
    }))
    .await;
    let report = scan(&[addr], options()).await;
    let cors = report
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::CorsMisconfigured)
        .unwrap();
    assert_eq!(cors.severity, Severity::High);
    let banner = report
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::VersionDisclosure)
        .unwrap();
    assert!(banner
        .evidence
        .iter()
        .any(|e| e == "server: Apache/2.4.49 (Unix)"));
    assert!(banner
        .evidence
        .iter()
        .any(|e| e == "x-powered-by: PHP/7.4.3"));
    assert!(report
        .findings
        .iter()
        .all(|f| f.kind != FindingKind::MissingSecurityHeaders));
}

#[tokio::test]
async fn an_api_path_with_an_error_shape_makes_the_service_an_api() {
    let addr = serve(Arc::new(|r: &Seen| match r.path.as_str() {
        "/api/v1" => Reply {
            status: 401,
            headers: vec![
                ("content-type", "application/json".into()),
                ("www-authenticate", "Bearer realm=\"api\"".into()),
            ],
            body: br#"{"error":"missing token"}"#.to_vec(),
        },
        "/" => Reply::new(200, "text/html", "<html>welcome</html>"),
        _ => Reply::new(404, "text/html", "<html>not found</html>"),
    }))
    .await;
    let report = scan(&[addr], options()).await;
    assert!(report.services[0].api);
    let svc = report
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::ApiService)
        .unwrap();
    assert!(
        svc.evidence
            .iter()
            .any(|e| e == "GET /api/v1 answered 401 with JSON (application/json)")
            && svc.evidence.iter().any(|e| e.contains("bearer token")),
        "{:?}",
        svc.evidence
    );
    let plain = report
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::PlaintextHttp)
        .unwrap();
    assert_eq!(plain.severity, Severity::Medium);
}
