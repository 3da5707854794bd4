//! Forwarding: methods and bodies, routing, pools, failures, limits, forwarding headers.

mod common;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::*;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use rampart_core::BODY_SAMPLE_LIMIT;
use rampart_proxy::{NoopPhases, Outcome, ProxyConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_and_post_are_proxied() {
    bounded(async {
        let up = upstream(|req| async move {
            let line = format!("{} {}", req.method(), req.uri());
            let body = req.into_body().collect().await.unwrap().to_bytes();
            text(
                StatusCode::OK,
                &format!("{line} {}", String::from_utf8_lossy(&body)),
            )
        })
        .await;
        let proxy = start(config(&[up.addr]), Arc::new(NoopPhases)).await;

        let (status, _, body) = get(&proxy.url("/hello?x=1")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, "GET /hello?x=1 ");

        let req = Request::post(proxy.url("/items"))
            .body(full("payload"))
            .unwrap();
        let (status, _, body) = call(req).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, "POST /items payload");

        let stats = proxy.proxy.stats();
        assert_eq!(stats.requests, 2);
        assert_eq!(stats.responses_2xx, 2);
        assert!(stats.bytes_in > 0 && stats.bytes_out > 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_streamed_body_passes_through_with_a_capped_sample() {
    bounded(async {
        const LEN: u64 = 20 * 1024 * 1024;
        let up = echo().await;
        let mut cfg = config(&[up.addr]);
        cfg.limits.max_body_bytes = 0;
        let (hook, done) = Recorder::new();
        let proxy = start(cfg, hook).await;

        let body = Generated {
            sent: 0,
            len: LEN,
            chunk: 64 * 1024,
        };
        let req = Request::post(proxy.url("/upload"))
            .header("content-type", "application/octet-stream")
            .body(body.boxed())
            .unwrap();
        let resp = client().request(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let mut body = resp.into_body();
        let mut offset = 0u64;
        while let Some(frame) = body.frame().await {
            let frame = frame.unwrap();
            if let Some(data) = frame.data_ref() {
                for (i, b) in data.iter().enumerate() {
                    assert_eq!(*b, pattern(offset + i as u64), "byte {}", offset + i as u64);
                }
                offset += data.len() as u64;
            }
        }
        assert_eq!(offset, LEN);

        let (_, record) = next_done(&done).await;
        assert_eq!(record.request_body.size, LEN);
        assert_eq!(record.response_body.size, LEN);
        assert_eq!(record.request_body.bytes.len(), BODY_SAMPLE_LIMIT);
        assert_eq!(record.response_body.bytes.len(), BODY_SAMPLE_LIMIT);
        assert!(record.request_body.truncated && record.request_body.complete);
        assert!(record.response_body.complete);
        assert!(record
            .request_body
            .bytes
            .iter()
            .enumerate()
            .all(|(i, b)| *b == pattern(i as u64)));
        let ex = record.to_exchange();
        assert_eq!(ex.request_size, Some(LEN));
        assert_eq!(ex.request_body.unwrap().bytes.len(), BODY_SAMPLE_LIMIT);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_by_host_then_longest_prefix() {
    bounded(async {
        let a = fixed("a").await;
        let b = fixed("b").await;
        let c = fixed("c").await;
        let yaml = format!(
            "listen: [{{addr: 127.0.0.1:0}}]
routes:
  - {{host: api.test, path_prefix: /, upstream: a}}
  - {{host: API.test, path_prefix: /v2, upstream: b}}
  - {{host: '*.wild.test', upstream: b}}
  - {{path_prefix: /, upstream: c}}
upstreams:
  a: {{servers: ['{}']}}
  b: {{servers: ['{}']}}
  c: {{servers: ['{}']}}
",
            a.addr, b.addr, c.addr
        );
        let proxy = start(ProxyConfig::from_yaml(&yaml).unwrap(), Arc::new(NoopPhases)).await;
        let with_host = |path: &str, host: &str| {
            Request::get(proxy.url(path))
                .header("host", host)
                .body(full(""))
                .unwrap()
        };
        for (path, host, want) in [
            ("/v1/users", "api.test", "a"),
            ("/v2/users", "API.TEST:8080", "b"),
            ("/v2", "api.test", "b"),
            ("/x", "deep.sub.wild.test", "b"),
            ("/x", "other.test", "c"),
        ] {
            let (status, _, body) = call(with_host(path, host)).await;
            assert_eq!(
                (status, body.as_str()),
                (StatusCode::OK, want),
                "{host}{path}"
            );
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_route_is_404() {
    bounded(async {
        let a = fixed("a").await;
        let yaml = format!(
            "listen: [{{addr: 127.0.0.1:0}}]\nroutes: [{{host: only.test, upstream: a}}]\nupstreams: {{a: {{servers: ['{}']}}}}\n",
            a.addr
        );
        let proxy = start(ProxyConfig::from_yaml(&yaml).unwrap(), Arc::new(NoopPhases)).await;
        let (status, _, body) = get(&proxy.url("/")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("no route"), "{body}");
        assert_eq!(a.requests(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_robin_over_two_servers_reuses_connections() {
    bounded(async {
        let a = fixed("a").await;
        let b = fixed("b").await;
        let proxy = start(config(&[a.addr, b.addr]), Arc::new(NoopPhases)).await;
        let mut seen = Vec::new();
        for _ in 0..10 {
            let (status, _, body) = get(&proxy.url("/")).await;
            assert_eq!(status, StatusCode::OK);
            seen.push(body);
            // Lets the client put the upstream connection back in its pool.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(seen.iter().filter(|s| *s == "a").count(), 5, "{seen:?}");
        assert_eq!(seen.iter().filter(|s| *s == "b").count(), 5, "{seen:?}");
        assert_ne!(seen[0], seen[1], "alternates: {seen:?}");
        assert_eq!((a.requests(), b.requests()), (5, 5));
        // Sequential requests reuse kept-alive connections: one per server (two allows for
        // a connection not yet back in the pool on a loaded machine).
        assert!(
            a.connections() <= 2 && b.connections() <= 2,
            "{} {}",
            a.connections(),
            b.connections()
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_upstream_is_502() {
    bounded(async {
        let dead = dead_addr().await;
        let proxy = start(config(&[dead]), Arc::new(NoopPhases)).await;
        let (status, headers, body) = get(&proxy.url("/")).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY);
        assert!(
            body.contains("502 Bad Gateway") && body.contains("`app`"),
            "{body}"
        );
        assert!(
            !body.contains(&dead.to_string()),
            "internal addresses stay internal: {body}"
        );
        assert!(headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"));
        let stats = proxy.proxy.stats();
        assert_eq!(stats.upstream_errors, 1);
        assert_eq!(stats.responses_5xx, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_server_is_skipped() {
    bounded(async {
        let dead = dead_addr().await;
        let live = fixed("live").await;
        let proxy = start(config(&[dead, live.addr]), Arc::new(NoopPhases)).await;
        for _ in 0..6 {
            let (status, _, body) = get(&proxy.url("/")).await;
            assert_eq!((status, body.as_str()), (StatusCode::OK, "live"));
        }
        // A request with a body cannot be replayed: after the dead server is marked down,
        // round-robin skips it, so bodies go to the live one too.
        for _ in 0..4 {
            let req = Request::post(proxy.url("/")).body(full("x")).unwrap();
            let (status, _, _) = call(req).await;
            assert_eq!(status, StatusCode::OK);
        }
        assert_eq!(live.requests(), 10);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_upstream_is_504() {
    bounded(async {
        let slow = upstream(|_| async {
            tokio::time::sleep(Duration::from_secs(3)).await;
            text(StatusCode::OK, "late")
        })
        .await;
        let mut cfg = config(&[slow.addr]);
        cfg.timeouts.upstream_response = Duration::from_millis(300);
        let proxy = start(cfg, Arc::new(NoopPhases)).await;
        let started = std::time::Instant::now();
        let (status, _, body) = get(&proxy.url("/")).await;
        assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
        assert!(body.contains("did not answer within 300ms"), "{body}");
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(proxy.proxy.stats().timeouts, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_response_timeout_counts_from_the_end_of_the_request_body() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    bounded(async {
        // Reads the whole body, then answers at once, or after a second for `/slow`.
        let up = upstream(|req| async move {
            let slow = req.uri().path() == "/slow";
            let n = req.into_body().collect().await.unwrap().to_bytes().len();
            if slow {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            text(StatusCode::OK, &n.to_string())
        })
        .await;
        let mut cfg = config(&[up.addr]);
        cfg.timeouts.upstream_response = Duration::from_millis(300);
        let proxy = start(cfg, Arc::new(NoopPhases)).await;
        for (path, want) in [("/", "HTTP/1.1 200"), ("/slow", "HTTP/1.1 504")] {
            // A body trickled over 800 ms: longer than the response timeout, which only
            // starts once the last byte is sent.
            let mut s = tokio::net::TcpStream::connect(proxy.addr()).await.unwrap();
            let head = format!("POST {path} HTTP/1.1\r\nhost: x\r\ncontent-length: 4\r\n\r\n");
            s.write_all(head.as_bytes()).await.unwrap();
            for b in [b"a", b"b", b"c", b"d"] {
                tokio::time::sleep(Duration::from_millis(200)).await;
                s.write_all(b).await.unwrap();
            }
            let mut buf = vec![0u8; 4096];
            let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
                .await
                .unwrap()
                .unwrap();
            let answer = String::from_utf8_lossy(&buf[..n]).into_owned();
            assert!(answer.starts_with(want), "{path}: {answer}");
            // The connection serves on: the next request on it is not timed by the last.
            if path == "/" {
                assert!(answer.ends_with("\r\n\r\n4"), "{answer}");
                s.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
                    .await
                    .unwrap();
                tokio::time::sleep(Duration::from_millis(500)).await;
                let n = s.read(&mut buf).await.unwrap();
                let again = String::from_utf8_lossy(&buf[..n]).into_owned();
                assert!(again.starts_with("HTTP/1.1 200"), "{again}");
            }
        }
        assert_eq!(proxy.proxy.stats().timeouts, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_413() {
    bounded(async {
        let up = upstream(|req| async move {
            // Reads the whole body before answering, as most applications do.
            let n = req
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes().len())
                .unwrap_or(0);
            text(StatusCode::OK, &n.to_string())
        })
        .await;
        let mut cfg = config(&[up.addr]);
        cfg.limits.max_body_bytes = 1000;
        let proxy = start(cfg, Arc::new(NoopPhases)).await;

        // Declared too large: refused before anything goes upstream.
        let head = "POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 5000\r\n\r\n";
        let answer = raw(proxy.addr(), head.as_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert_eq!(up.requests(), 0);

        // Streamed without a length: cut off at the limit.
        let body = Generated {
            sent: 0,
            len: 5000,
            chunk: 500,
        };
        let req = Request::post(proxy.url("/")).body(body.boxed()).unwrap();
        let (status, _, _) = call(req).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

        // Within the limit: fine.
        let req = Request::post(proxy.url("/"))
            .body(full(Bytes::from(vec![b'x'; 1000])))
            .unwrap();
        let (status, _, body) = call(req).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "1000"));
        assert_eq!(proxy.proxy.stats().body_too_large, 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_request_heads_are_431() {
    bounded(async {
        let up = fixed("ok").await;
        let mut cfg = config(&[up.addr]);
        cfg.limits.max_header_bytes = 16 * 1024;
        let proxy = start(cfg, Arc::new(NoopPhases)).await;
        let big = "a".repeat(20 * 1024);
        let req = format!("GET / HTTP/1.1\r\nhost: x\r\nx-big: {big}\r\n\r\n");
        let answer = raw(proxy.addr(), req.as_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
        assert_eq!(up.requests(), 0);
    })
    .await;
}

/// An upstream that answers with the forwarding headers it received.
async fn header_echo() -> Upstream {
    upstream(|req| async move {
        let h = req.headers();
        let get = |n: &str| {
            h.get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-")
                .to_owned()
        };
        let body = format!(
            "xff={}|fwd={}|proto={}|host={}|xfh={}|conn={}|secret={}",
            get("x-forwarded-for"),
            get("forwarded"),
            get("x-forwarded-proto"),
            get("host"),
            get("x-forwarded-host"),
            get("connection"),
            get("x-secret"),
        );
        text(StatusCode::OK, &body)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_headers_from_an_untrusted_peer_are_replaced() {
    bounded(async {
        let up = header_echo().await;
        let (hook, done) = Recorder::new();
        let proxy = start(config(&[up.addr]), hook).await;
        let req = Request::get(proxy.url("/"))
            .header("host", "api.test")
            .header("x-forwarded-for", "1.2.3.4")
            .header("forwarded", "for=1.2.3.4")
            .header("x-forwarded-proto", "https")
            .header("connection", "x-secret")
            .header("x-secret", "hop")
            .body(full(""))
            .unwrap();
        let (_, _, body) = call(req).await;
        assert_eq!(
            body,
            "xff=127.0.0.1|fwd=for=127.0.0.1;proto=http;host=\"api.test\"|proto=http|host=api.test|xfh=api.test|conn=-|secret=-"
        );
        let (ctx, record) = next_done(&done).await;
        assert_eq!(ctx.client.to_string(), "127.0.0.1");
        assert_eq!(record.to_exchange().client.unwrap().to_string(), "127.0.0.1");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_headers_from_a_trusted_peer_are_extended() {
    bounded(async {
        let up = header_echo().await;
        let mut cfg = config(&[up.addr]);
        cfg.trusted_proxies = vec![
            "127.0.0.0/8".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ];
        let (hook, done) = Recorder::new();
        let proxy = start(cfg, hook).await;
        let req = Request::get(proxy.url("/"))
            .header("host", "api.test")
            .header("x-forwarded-for", "6.6.6.6, 1.2.3.4, 10.0.0.7")
            .header("x-forwarded-proto", "https")
            .body(full(""))
            .unwrap();
        let (_, _, body) = call(req).await;
        assert!(
            body.starts_with("xff=6.6.6.6, 1.2.3.4, 10.0.0.7, 127.0.0.1|"),
            "{body}"
        );
        assert!(body.contains("|proto=https|"), "{body}");
        let (ctx, record) = next_done(&done).await;
        assert_eq!(ctx.client.to_string(), "1.2.3.4");
        assert_eq!(record.client.to_string(), "1.2.3.4");
        assert_eq!(record.outcome, Outcome::Proxied);
    })
    .await;
}
