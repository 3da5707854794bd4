//! Every operation of the OpenAPI document refuses a call without the token, with a wrong one
//! or with one sent any other way than `Authorization: Bearer`: only the health and
//! readiness probes answer without it, as documented. A refused call changes nothing.

mod support;

use http::{Method, StatusCode};
use rampart_api::OPENAPI;
use support::*;

/// A request body: its content type and bytes.
type Body = Option<(&'static str, Vec<u8>)>;

/// Every documented operation: method, path (ids filled in), whether it is public, and a
/// valid body for it.
fn operations() -> Vec<(Method, String, bool, Body)> {
    let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
    let global = doc["security"]
        .as_array()
        .expect("a global security requirement");
    assert!(
        !global.is_empty(),
        "the token is required unless an operation says otherwise"
    );
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Ok(m) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            if !op.is_object() {
                continue;
            }
            let public = op
                .get("security")
                .and_then(|s| s.as_array())
                .is_some_and(|s| s.is_empty());
            let body = (m == Method::POST && path == "/api/v1/decisions").then(|| {
                (
                    "application/json",
                    br#"{"action": "block", "scope": {"ip": "203.0.113.7"}, "ttl": "1h"}"#.to_vec(),
                )
            });
            ops.push((m, path.replace("{id}", "0123456789abcdef"), public, body));
        }
    }
    ops
}

#[tokio::test]
async fn every_operation_needs_the_token() {
    within(async {
        let s = start().await;
        let ops = operations();
        assert!(ops.len() >= 10, "{} operations", ops.len());
        let public: Vec<&str> = ops.iter().filter(|o| o.2).map(|o| o.1.as_str()).collect();
        assert_eq!(
            public,
            ["/healthz", "/readyz"],
            "only the probes are public"
        );

        let wrong = [
            None,
            Some(format!("Bearer {TOKEN}x")),
            Some(format!("Bearer {}", &TOKEN[..TOKEN.len() - 1])),
            Some(format!("Bearer {}", TOKEN.to_uppercase())),
            Some("Bearer 0123456789abcdef0123456789abcdef".to_owned()),
            Some(format!("Basic {TOKEN}")),
            Some(format!("Token {TOKEN}")),
            Some(TOKEN.to_owned()),
            Some("Bearer".to_owned()),
            Some("Bearer ".to_owned()),
            Some(format!("Bearer {TOKEN} {TOKEN}")),
        ];
        let mut refused = 0;
        for (method, path, public, body) in &ops {
            for auth in &wrong {
                let r = send(s.addr, method.clone(), path, auth.as_deref(), body.clone()).await;
                if *public {
                    assert_eq!(r.status, StatusCode::OK, "{method} {path} {auth:?}");
                } else {
                    assert_eq!(
                        r.status,
                        StatusCode::UNAUTHORIZED,
                        "{method} {path} {auth:?}: {}",
                        r.text()
                    );
                    assert!(r.header("www-authenticate").starts_with("Bearer"));
                    assert!(!r.text().contains(TOKEN), "the token is never echoed");
                    refused += 1;
                }
            }
            // The token anywhere but the Authorization header does not count.
            if !public {
                let in_query = format!("{path}?token={TOKEN}&access_token={TOKEN}");
                let r = send(s.addr, method.clone(), &in_query, None, body.clone()).await;
                assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {in_query}");
                refused += 1;
                // HEAD on a GET route is refused the same way.
                if *method == Method::GET {
                    let r = send(s.addr, Method::HEAD, path, None, None).await;
                    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "HEAD {path}");
                    refused += 1;
                }
            }
        }
        // Nothing a refused call asked for happened.
        assert!(s.fake.decisions.lock().unwrap().is_empty());

        // And the right token opens every one of them.
        for (method, path, _, body) in &ops {
            let r = send(s.addr, method.clone(), path, Some(&bearer()), body.clone()).await;
            assert_ne!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
            assert_ne!(r.status, StatusCode::FORBIDDEN, "{method} {path}");
        }
        assert_eq!(s.fake.decisions.lock().unwrap().len(), 1);
        println!(
            "{} operations ({} public): {refused} calls to protected ones without the right \
             token, all 401",
            ops.len(),
            ops.iter().filter(|o| o.2).count()
        );
        s.stop().await;
    })
    .await;
}

#[tokio::test]
async fn paths_near_a_public_one_are_not_public() {
    within(async {
        let s = start().await;
        for path in [
            "/healthz/../metrics",
            "/readyz/../api/v1/decisions",
            "/healthz/",
            "/healthz/x",
            "//healthz",
            "/HEALTHZ",
            "/healthz%2f..%2fmetrics",
            "/%68ealthz",
            "/metrics/",
            "//metrics",
            "/METRICS",
            "/%6detrics",
            "/api/v1/decisions/",
            "/api//v1/decisions",
            "/api/v1/decisions/../../../metrics",
            "/api/v1/openapi.json/",
            "/api/v1/nothing-here",
        ] {
            for method in [Method::GET, Method::POST, Method::DELETE] {
                let r = send(s.addr, method.clone(), path, None, None).await;
                assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
            }
        }
        assert!(s.fake.decisions.lock().unwrap().is_empty());
        s.stop().await;
    })
    .await;
}

#[tokio::test]
async fn without_a_configured_token_only_the_probes_answer() {
    within(async {
        let s = start_with(Fake::default(), None).await;
        for (method, path, public, body) in operations() {
            for auth in [None, Some(bearer())] {
                let r = send(s.addr, method.clone(), &path, auth.as_deref(), body.clone()).await;
                if public {
                    assert_eq!(r.status, StatusCode::OK, "{method} {path}");
                } else {
                    assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path} {auth:?}");
                }
            }
        }
        assert!(s.fake.decisions.lock().unwrap().is_empty());
        s.stop().await;
    })
    .await;
}
