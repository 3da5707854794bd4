//! The management API over real HTTP on 127.0.0.1, against a fake `Control`.

mod support;

use http::{Method, StatusCode};
use rampart_api::{ApiConfig, ApiError, Server, OPENAPI};
use serde_json::json;
use support::*;

#[tokio::test]
async fn health_and_ready_need_no_token() {
    within(async {
        let s = start().await;
        let r = send(s.addr, Method::GET, "/healthz", None, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json(), json!({"status": "ok"}));
        let r = send(s.addr, Method::GET, "/readyz", None, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json(), json!({"status": "ready"}));
        *s.fake.ready.lock().unwrap() = Err("upstream pool api has no healthy member".into());
        let r = send(s.addr, Method::GET, "/readyz", None, None).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            r.json(),
            json!({"status": "not_ready", "reason": "upstream pool api has no healthy member"})
        );
        s.stop().await;
    })
    .await;
}

#[tokio::test]
async fn missing_or_wrong_token_is_401() {
    within(async {
        let s = start().await;
        let wrong = format!("Bearer {TOKEN}x");
        for (path, auth) in [
            ("/metrics", None),
            ("/metrics", Some(wrong.as_str())),
            ("/api/v1/decisions", Some("Basic dXNlcjpwYXNz")),
            ("/api/v1/inventory", Some("Bearer")),
            ("/no/such/path", None),
        ] {
            let r = send(s.addr, Method::GET, path, auth, None).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path} {auth:?}");
            assert!(r.header("www-authenticate").starts_with("Bearer"), "{path}");
            let body = r.json();
            assert_eq!(body["error"], "missing or wrong token");
            assert!(body["fix"]
                .as_str()
                .unwrap()
                .contains("Authorization: Bearer"));
            assert!(!r.text().contains(TOKEN), "the token is never echoed");
        }
        // A wrong token on a mutation changes nothing.
        let r = send(
            s.addr,
            Method::POST,
            "/api/v1/decisions",
            Some(&wrong),
            Some((
                "application/json",
                br#"{"action":"block","scope":{"ip":"203.0.113.7"}}"#.to_vec(),
            )),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(s.fake.decisions.lock().unwrap().is_empty());
        s.stop().await;
    })
    .await;
}

#[tokio::test]
async fn metrics_with_token() {
    within(async {
        let s = start().await;
        let _ = send(s.addr, Method::GET, "/metrics", None, None).await;
        let r = get(s.addr, "/metrics").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.header("content-type"),
            "text/plain; version=0.0.4; charset=utf-8"
        );
        let text = r.text();
        assert!(
            text.contains("# TYPE rampart_decisions_active gauge\nrampart_decisions_active 0\n"),
            "{text}"
        );
        assert!(
            text.contains("rampart_api_auth_failures_total 1\n"),
            "{text}"
        );
        assert!(
            text.contains("rampart_api_requests_total{route=\"/metrics\",status=\"401\"} 1\n"),
            "{text}"
        );
        s.stop().await;
    })
    .await;
}

#[tokio::test]
async fn add_list_remove_decision_round_trip() {
    within(async {
        let s = start().await;
        let r = post_json(
            s.addr,
            "/api/v1/decisions",
            &json!({"action": "block", "scope": {"ip": "203.0.113.7"}, "ttl": "1h", "reason": "abuse report <4411>"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let stored = r.json();
        let id = stored["id"].as_str().unwrap().to_owned();
        assert_eq!(id.len(), 16);
        assert_eq!(r.header("location"), format!("/api/v1/decisions/{id}"));
        assert_eq!(stored["action"], json!({"type": "block", "status": 403, "body": "forbidden"}));
        assert_eq!(stored["scope"], json!({"ip": "203.0.113.7"}));
        assert_eq!(stored["origin"], "manual");
        assert_eq!(stored["mode"], "enforce");
        assert_eq!(stored["created"], "2024-05-01T10:00:00.000Z");
        assert_eq!(stored["expires"], "2024-05-01T11:00:00.000Z");
        assert_eq!(stored["reason"], "abuse report <4411>");
        assert_eq!(r.header("content-type"), "application/json");

        let r = get(s.addr, "/api/v1/decisions").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json(), json!([stored]));

        let r = send(
            s.addr,
            Method::DELETE,
            &format!("/api/v1/decisions/{id}"),
            Some(&bearer()),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json(), json!({"removed": id}));
        assert_eq!(get(s.addr, "/api/v1/decisions").await.json(), json!([]));
        s.stop().await;
    })
    .await;
}

#[tokio::test]
async fn decision_validation_errors_name_the_field() {
    within(async {
        let s = start().await;
        for (body, field) in [
            (
                json!({"action": "block", "scope": {"ip": "203.0.113.999"}, "ttl": "1h"}),
                "scope.ip",
            ),
            (
                json!({"action": "block", "scope": {"prefix": "203.0.113.0/33"}}),
                "scope.prefix",
            ),
            (
                json!({"action": "block", "scope": {"ip": "203.0.113.7"}, "ttl": "1hr"}),
                "ttl",
            ),
            (
                json!({"action": "blok", "scope": {"ip": "203.0.113.7"}}),
                "action",
            ),
            (
                json!({"action": "tarpit", "scope": {"ip": "203.0.113.7"}, "status": 403}),
                "status",
            ),
        ] {
            let r = post_json(s.addr, "/api/v1/decisions", &body).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
            let e = r.json();
            assert_eq!(e["field"], field, "{body}: {e}");
            assert!(e["error"].is_string() && e["fix"].is_string(), "{e}");
        }
        let r = post_json(
            s.addr,
            "/api/v1/decisions",
            &json!({"action": "blok", "scope": {"ip": "203.0.113.7"}}),
        )
        .await;
        assert_eq!(r.json()["fix"], "did you mean `block`?");

        let r = send(
            s.addr,
            Method::POST,
            "/api/v1/decisions",
            Some(&bearer()),
            Some(("text/plain", b"block 203.0.113.7".to_vec())),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let r = send(
            s.addr,
            Method::POST,
            "/api/v1/decisions",
            Some(&bearer()),
            Some(("application/json", b"{\"action\": ".to_vec())),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.json()["error"]
            .as_str()
            .unwrap()
            .contains("not valid JSON"));
        assert!(s.fake.decisions.lock().unwrap().is_empty());
        s.stop().await;
    })
    .await;
}

#[tokio::test]
async fn delete_unknown_is_404() {
    within(async {
        let s = start().await;
        let r = send(
            s.addr,
            Method::DELETE,
            "/api/v1/decisions/0123456789abcdef",
            Some(&bearer()),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.json()["error"]
            .as_str()
            .unwrap()
            .contains("0123456789abcdef"));
        let r = send(
            s.addr,
            Method::DELETE,
            "/api/v1/decisions/%3Cscript%3E",
            Some(&bearer()),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["field"], "id");
        s.stop().await;
    })
    .await;
}

#[tokio::test]
async fn reload_success_and_failure() {
    within(async {
        let s = start().await;
        let r = send(
            s.addr,
            Method::POST,
            "/api/v1/reload",
            Some(&bearer()),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.json(),
            json!({"status": "reloaded", "summary": "policy: 3 rules"})
        );
        *s.fake.reload.lock().unwrap() = Err(vec![
            "policy.yaml:5:23: rules[0].when.detector: unknown detector `credential_stufing`"
                .into(),
            "policy.yaml:6:13: rules[0].action: unknown action `blok`".into(),
        ]);
        let r = send(
            s.addr,
            Method::POST,
            "/api/v1/reload",
            Some(&bearer()),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let e = r.json();
        assert_eq!(e["problems"].as_array().unwrap().len(), 2);
        assert!(e["error"].as_str().unwrap().contains("2 problems"), "{e}");
        assert!(e["fix"].is_string());
        s.stop().await;
    })
    .await;
}

#[tokio::test]
async fn alerts_filter_is_validated_and_passed_on() {
    within(async {
        let s = start().await;
        let r = get(s.addr, "/api/v1/alerts?min_severity=severe").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let e = r.json();
        assert_eq!(e["field"], "min_severity");
        assert!(
            e["error"].as_str().unwrap().contains("info, low, medium, high, critical"),
            "{e}"
        );
        for (query, field) in [
            ("detector=enumeraton", "detector"),
            ("since=yesterday", "since"),
            ("limit=0", "limit"),
            ("limit=abc", "limit"),
            ("colour=red", "colour"),
        ] {
            let r = get(s.addr, &format!("/api/v1/alerts?{query}")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
            assert_eq!(r.json()["field"], field, "{query}");
        }
        assert!(s.fake.last_filter.lock().unwrap().is_none());

        let r = get(
            s.addr,
            "/api/v1/alerts?detector=enumeration&min_severity=high&since=1970-01-01T00%3A00%3A00Z&limit=1",
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let alerts = r.json();
        assert_eq!(alerts.as_array().unwrap().len(), 1, "the limit holds");
        assert_eq!(alerts[0]["detector"], "enumeration");
        assert_eq!(alerts[0]["severity"], "high");
        let filter = s.fake.last_filter.lock().unwrap().clone().unwrap();
        assert_eq!(filter.detector.as_deref(), Some("enumeration"));
        assert_eq!(filter.limit, 1);
        let r = get(s.addr, "/api/v1/alerts?detector=&min_severity=").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json().as_array().unwrap().len(), 5);
        s.stop().await;
    })
    .await;
}

#[tokio::test]
async fn inventory_is_served_and_a_panic_is_a_500() {
    within(async {
        let s = start().await;
        let r = get(s.addr, "/api/v1/inventory").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()[0]["path"], "/users/{id}");
        s.stop().await;

        let broken = Fake {
            panic_on_inventory: true,
            ..Fake::default()
        };
        let s = start_with(broken, Some(TOKEN)).await;
        let r = get(s.addr, "/api/v1/inventory").await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(r.json()["fix"].is_string());
        assert_eq!(get(s.addr, "/healthz").await.status, StatusCode::OK);
        s.stop().await;
    })
    .await;
}

#[tokio::test]
async fn openapi_document_matches_the_live_router() {
    within(async {
        let s = start().await;
        let r = get(s.addr, "/api/v1/openapi.json").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.text(), OPENAPI);
        let doc = r.json();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."));
        let all = [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::PATCH,
        ];
        for (path, item) in doc["paths"].as_object().unwrap() {
            let concrete = path.replace("{id}", "0123456789abcdef");
            for method in &all {
                let documented = item.get(method.as_str().to_lowercase()).is_some();
                let r = send(s.addr, method.clone(), &concrete, Some(&bearer()), None).await;
                if documented {
                    assert!(
                        r.status != StatusCode::NOT_FOUND || path.contains("{id}"),
                        "{method} {path}: {}",
                        r.status
                    );
                    assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                    assert_ne!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
                } else {
                    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                    assert!(r.json()["fix"].is_string());
                }
            }
        }
        let r = get(s.addr, "/api/v1/nothing-here").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.json()["error"], "no such endpoint");
        s.stop().await;
    })
    .await;
}

#[tokio::test]
async fn body_too_large_is_413() {
    within(async {
        let s = start().await;
        let declared = format!(
            "POST /api/v1/decisions HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\n\
             Content-Type: application/json\r\nContent-Length: 70000\r\nConnection: close\r\n\r\n",
            bearer()
        );
        let (status, text) = raw(s.addr, declared.as_bytes()).await;
        assert_eq!(status, 413, "{text}");
        assert!(text.contains("\"error\""), "{text}");

        let mut chunked = format!(
            "POST /api/v1/decisions HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\n\
             Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
             {:x}\r\n",
            bearer(),
            64 * 1024 + 1
        )
        .into_bytes();
        chunked.extend(std::iter::repeat_n(b' ', 64 * 1024 + 1));
        chunked.extend_from_slice(b"\r\n");
        let (status, text) = raw(s.addr, &chunked).await;
        assert_eq!(status, 413, "{text}");
        assert!(s.fake.decisions.lock().unwrap().is_empty());
        s.stop().await;
    })
    .await;
}

#[tokio::test]
async fn without_a_token_only_the_probes_answer() {
    within(async {
        let s = start_with(Fake::default(), None).await;
        assert_eq!(
            send(s.addr, Method::GET, "/healthz", None, None)
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            send(s.addr, Method::GET, "/readyz", None, None)
                .await
                .status,
            StatusCode::OK
        );
        for (method, path) in [
            (Method::GET, "/metrics"),
            (Method::GET, "/api/v1/decisions"),
            (Method::POST, "/api/v1/reload"),
        ] {
            let r = send(s.addr, method, path, Some(&bearer()), None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
            assert!(r.json()["fix"].as_str().unwrap().contains("api.token_file"));
        }
        s.stop().await;
    })
    .await;
}

#[tokio::test]
async fn refuses_non_loopback_without_token() {
    within(async {
        let config = ApiConfig {
            listen: "0.0.0.0:0".parse().unwrap(),
            token: None,
            token_file: None,
        };
        let err = Server::bind(&config).await.unwrap_err();
        assert!(matches!(err, ApiError::NoTokenOffLoopback { .. }), "{err}");
        assert!(err.to_string().contains("fix:"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn token_file_is_created_and_used() {
    within(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("api-token");
        let config = ApiConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            token: None,
            token_file: Some(path.clone()),
        };
        let s = start_config(Fake::default(), &config).await;
        let token = std::fs::read_to_string(&path).unwrap();
        let auth = format!("Bearer {}", token.trim());
        let r = send(s.addr, Method::GET, "/api/v1/decisions", Some(&auth), None).await;
        assert_eq!(r.status, StatusCode::OK);
        s.stop().await;
    })
    .await;
}

#[tokio::test]
async fn answers_carry_safe_headers() {
    within(async {
        let s = start().await;
        for path in ["/healthz", "/api/v1/decisions", "/metrics"] {
            let r = get(s.addr, path).await;
            assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
            assert_eq!(r.header("cache-control"), "no-store", "{path}");
            assert!(r
                .header("content-security-policy")
                .contains("default-src 'none'"));
        }
        let r = send(s.addr, Method::GET, "/metrics", None, None).await;
        assert_eq!(r.header("x-content-type-options"), "nosniff");
        s.stop().await;
    })
    .await;
}

#[tokio::test]
async fn shutdown_is_graceful_and_prompt() {
    within(async {
        let s = start().await;
        let addr = s.addr;
        assert_eq!(get(addr, "/healthz").await.status, StatusCode::OK);
        // A connection left open does not hold the shutdown past its grace.
        let idle = tokio::net::TcpStream::connect(addr).await.unwrap();
        let started = tokio::time::Instant::now();
        s.stop().await;
        assert!(started.elapsed() < std::time::Duration::from_secs(6));
        drop(idle);
        assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    })
    .await;
}

#[tokio::test]
async fn slow_and_idle_clients_are_cut_off() {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Reads until the server closes the connection; how long it took.
    async fn closed_after(mut stream: tokio::net::TcpStream) -> Duration {
        let started = tokio::time::Instant::now();
        let mut buf = [0u8; 1024];
        while let Ok(n) = stream.read(&mut buf).await {
            if n == 0 {
                break;
            }
        }
        started.elapsed()
    }

    within(async {
        let s = start().await;
        let limit = rampart_api::HEADER_READ_TIMEOUT + Duration::from_secs(3);
        // A head that never ends.
        let mut slow = tokio::net::TcpStream::connect(s.addr).await.unwrap();
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        // A kept-alive connection that goes quiet after one request.
        let mut idle = tokio::net::TcpStream::connect(s.addr).await.unwrap();
        idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let (slow, idle) = tokio::join!(closed_after(slow), closed_after(idle));
        assert!(slow < limit, "a slow head held the connection {slow:?}");
        assert!(idle < limit, "an idle connection stayed open {idle:?}");
        s.stop().await;
    })
    .await;
}
