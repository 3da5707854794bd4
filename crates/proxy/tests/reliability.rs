//! Reliability on real sockets: slow-header clients are cut while others are served, oversized
//! heads and bodies are refused, malformed requests get 400 (or a closed connection) and never
//! reach the upstream, and the proxy goes on serving through all of it.

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use http::{Request, StatusCode};
use rampart_proxy::NoopPhases;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An upstream that records the request line and headers of everything it receives.
async fn recording_upstream() -> (Upstream, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    let up = upstream(move |req| {
        let log = log.clone();
        async move {
            let mut line = format!("{} {}", req.method(), req.uri());
            for (name, value) in req.headers() {
                line.push_str(&format!(
                    "|{name}: {}",
                    String::from_utf8_lossy(value.as_bytes())
                ));
            }
            let body = http_body_util::BodyExt::collect(req.into_body())
                .await
                .map(|b| b.to_bytes().len().to_string())
                .unwrap_or_else(|_| "broken".into());
            line.push_str(&format!("|body={body}"));
            log.lock().unwrap().push(line);
            text(StatusCode::OK, "ok")
        }
    })
    .await;
    (up, seen)
}

/// Asserts that the upstream saw nothing but the ordinary `GET /ok` requests sent between
/// the refused ones.
fn assert_only_ordinary_requests_arrived(seen: &[String]) {
    assert!(seen.iter().all(|l| l.starts_with("GET /ok")), "{seen:?}");
}

/// Writes `bytes` on a fresh connection; the answer (until EOF, a complete response or a
/// quiet two seconds) and whether the proxy closed the connection.
async fn exchange(addr: SocketAddr, bytes: &[u8]) -> (String, bool) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let _ = s.write_all(bytes).await;
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break true,
            Err(_) => break false,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    };
    (String::from_utf8_lossy(&out).into_owned(), closed)
}

/// One ordinary request on a fresh connection: the proxy is still serving.
async fn still_serving(addr: SocketAddr) {
    let (answer, _) = exchange(
        addr,
        b"GET /ok HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_header_clients_are_cut_while_others_are_served() {
    bounded(async {
        const SLOW: usize = 200;
        let up = fixed("ok").await;
        let mut cfg = config(&[up.addr]);
        cfg.timeouts.header_read = Duration::from_secs(2);
        let proxy = start(cfg, Arc::new(NoopPhases)).await;
        let addr = proxy.addr();

        // Latency of ordinary requests on a quiet proxy, on one kept-alive client.
        let client = client();
        let url = proxy.url("/fast");
        let mut quiet = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            let resp = client
                .request(Request::get(&url).body(full("")).unwrap())
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            http_body_util::BodyExt::collect(resp.into_body())
                .await
                .unwrap();
            quiet.push(started.elapsed());
        }

        // Slowloris: each connection trickles a header byte every 100 ms and never ends its
        // head, so the idle timeout never fires; only the header timeout can cut it.
        let opened = Instant::now();
        let mut slow = Vec::new();
        for i in 0..SLOW {
            let mut s = TcpStream::connect(addr).await.unwrap();
            s.write_all(format!("GET /slow/{i} HTTP/1.1\r\nhost: x\r\nx-pad: ").as_bytes())
                .await
                .unwrap();
            slow.push(tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let mut answer = Vec::new();
                loop {
                    tokio::select! {
                        read = s.read(&mut buf) => match read {
                            Ok(0) | Err(_) => break,
                            Ok(n) => answer.extend_from_slice(&buf[..n]),
                        },
                        () = tokio::time::sleep(Duration::from_millis(100)) => {
                            if s.write_all(b"a").await.is_err() {
                                break;
                            }
                        }
                    }
                }
                String::from_utf8_lossy(&answer).into_owned()
            }));
        }

        // Ordinary requests while the slow heads are held open.
        let mut busy = Vec::new();
        while opened.elapsed() < Duration::from_millis(1500) {
            let started = Instant::now();
            let resp = client
                .request(Request::get(&url).body(full("")).unwrap())
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            http_body_util::BodyExt::collect(resp.into_body())
                .await
                .unwrap();
            busy.push(started.elapsed());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let still_open = slow.iter().filter(|t| !t.is_finished()).count();

        for task in slow {
            let answer = tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .expect("a slow client was not cut off")
                .unwrap();
            assert!(
                answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
                "{answer}"
            );
        }
        let cut_after = opened.elapsed();
        let (q50, qmax) = percentiles(&mut quiet);
        let (b50, bmax) = percentiles(&mut busy);
        println!(
            "slowloris: {SLOW} slow-header connections ({still_open} still open while {} \
             ordinary requests were served), all cut after {cut_after:?}; ordinary latency \
             quiet p50 {q50:?} max {qmax:?}, with the slow clients p50 {b50:?} max {bmax:?}",
            busy.len()
        );
        assert_eq!(
            still_open, SLOW,
            "the slow clients were held while others were served"
        );
        assert!(busy.len() >= 10, "{} requests", busy.len());
        assert!(bmax < Duration::from_millis(500), "max latency {bmax:?}");
        assert!(cut_after < Duration::from_secs(8), "{cut_after:?}");
        assert!(proxy.proxy.stats().timeouts >= SLOW as u64);
        assert_eq!(up.requests(), quiet.len() + busy.len());
    })
    .await;
}

/// The median and the largest of `v`.
fn percentiles(v: &mut [Duration]) -> (Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[v.len() - 1])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_heads_are_431() {
    bounded(async {
        let (up, seen) = recording_upstream().await;
        let mut cfg = config(&[up.addr]);
        cfg.limits.max_header_bytes = 16 * 1024;
        let proxy = start(cfg, Arc::new(NoopPhases)).await;
        let addr = proxy.addr();

        let big = "a".repeat(20 * 1024);
        let one_big = format!("GET /big HTTP/1.1\r\nhost: x\r\nx-big: {big}\r\n\r\n");
        let many: String = (0..200).map(|i| format!("x-h{i}: v\r\n")).collect();
        let many = format!("GET /many HTTP/1.1\r\nhost: x\r\n{many}\r\n");
        let long_target = format!("GET /{big} HTTP/1.1\r\nhost: x\r\n\r\n");
        for (name, req) in [
            ("one large header", one_big),
            ("200 headers", many),
            ("a 20 KiB target", long_target),
        ] {
            let (answer, closed) = exchange(addr, req.as_bytes()).await;
            assert!(answer.starts_with("HTTP/1.1 431"), "{name}: {answer}");
            assert!(closed, "{name}: the connection is closed after a 431");
            still_serving(addr).await;
        }
        assert_only_ordinary_requests_arrived(&seen.lock().unwrap());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_413_declared_or_chunked() {
    bounded(async {
        let (up, seen) = recording_upstream().await;
        let mut cfg = config(&[up.addr]);
        cfg.limits.max_body_bytes = 1000;
        let proxy = start(cfg, Arc::new(NoopPhases)).await;
        let addr = proxy.addr();

        // Declared too large: refused before anything goes upstream.
        let (answer, _) = exchange(
            addr,
            b"POST /declared HTTP/1.1\r\nhost: x\r\ncontent-length: 1001\r\n\r\n",
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains("over 1000 bytes"), "{answer}");

        // Chunked, growing past the limit in its third chunk: cut off there; the upstream
        // never receives a whole body larger than the limit.
        let chunk = format!("190\r\n{}\r\n", "b".repeat(400));
        let req = format!(
            "POST /chunked HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n{chunk}{chunk}{chunk}0\r\n\r\n"
        );
        let (answer, _) = exchange(addr, req.as_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

        // At the limit exactly: proxied whole, both ways of framing it.
        let (answer, _) = exchange(
            addr,
            format!(
                "POST /exact HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\nconnection: close\r\n\r\n{}",
                "c".repeat(1000)
            )
            .as_bytes(),
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        let chunk = format!("1f4\r\n{}\r\n", "d".repeat(500));
        let req = format!(
            "POST /exact-chunked HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n{chunk}{chunk}0\r\n\r\n"
        );
        let (answer, _) = exchange(addr, req.as_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

        // The cut-off one may reach the upstream's handler (its body then fails) or not
        // (the upstream drops a request whose connection broke).
        wait_until(|| seen.lock().unwrap().len() >= 2).await;
        let seen = seen.lock().unwrap().clone();
        assert!(!seen.iter().any(|l| l.starts_with("POST /declared")), "{seen:?}");
        for line in &seen {
            if line.starts_with("POST /chunked") {
                assert!(line.ends_with("|body=broken"), "{line}");
            } else {
                assert!(line.ends_with("|body=1000"), "{line}");
            }
        }
        assert_eq!(proxy.proxy.stats().body_too_large, 2);
    })
    .await;
}

/// Requests the HTTP/1 parser refuses: 400 and a closed connection.
const UNPARSABLE: &[(&str, &[u8])] = &[
    ("garbage request line", b"GARBAGE\r\n\r\n"),
    (
        "binary request line",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    ),
    ("invalid method", b"G(T / HTTP/1.1\r\nhost: x\r\n\r\n"),
    ("unknown version", b"GET / HTTP/9.9\r\nhost: x\r\n\r\n"),
    (
        "request line with four parts",
        b"GET / HTTP/1.1 x\r\nhost: x\r\n\r\n",
    ),
    (
        "header line without a colon",
        b"GET / HTTP/1.1\r\nhost: x\r\nno colon here\r\n\r\n",
    ),
    (
        "space in a header name",
        b"GET / HTTP/1.1\r\nhost: x\r\nbad name: v\r\n\r\n",
    ),
    (
        "space before the colon",
        b"GET / HTTP/1.1\r\nhost : x\r\n\r\n",
    ),
    (
        "header folded over two lines",
        b"GET / HTTP/1.1\r\nhost: x\r\nx-a: a\r\n b\r\n\r\n",
    ),
    (
        "NUL in a header value",
        b"GET / HTTP/1.1\r\nhost: x\r\nx-a: a\x00b\r\n\r\n",
    ),
    (
        "NUL in a header name",
        b"GET / HTTP/1.1\r\nhost: x\r\nx-\x00a: b\r\n\r\n",
    ),
    (
        "bare CR in a header value",
        b"GET / HTTP/1.1\r\nhost: x\r\nx-a: a\rb: c\r\n\r\n",
    ),
    ("bare CR ending the head", b"GET / HTTP/1.1\rhost: x\r\r"),
    (
        "non-numeric Content-Length",
        b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: abc\r\n\r\n",
    ),
    (
        "negative Content-Length",
        b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: -1\r\n\r\n",
    ),
    (
        "signed Content-Length",
        b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: +4\r\n\r\nabcd",
    ),
    (
        "Content-Length list that disagrees",
        b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 4, 5\r\n\r\nabcd",
    ),
    (
        "two Content-Lengths that disagree",
        b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 4\r\ncontent-length: 40\r\n\r\nabcd",
    ),
    (
        "Content-Length over 64 bits",
        b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 99999999999999999999999\r\n\r\n",
    ),
    (
        "Transfer-Encoding not ending in chunked",
        b"POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
    ),
    (
        "Transfer-Encoding that only looks like chunked",
        b"POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: xchunked\r\n\r\n0\r\n\r\n",
    ),
    (
        "two Transfer-Encodings, chunked not last",
        b"POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\ntransfer-encoding: identity\r\n\r\n0\r\n\r\n",
    ),
    (
        "Transfer-Encoding on HTTP/1.0",
        b"POST / HTTP/1.0\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n",
    ),
    (
        "control character in the target",
        b"GET /a\x7fb HTTP/1.1\r\nhost: x\r\n\r\n",
    ),
    (
        "non-ASCII byte in the target",
        b"GET /\xff HTTP/1.1\r\nhost: x\r\n\r\n",
    ),
    (
        "unclosed IPv6 authority",
        b"GET http://[::1/ HTTP/1.1\r\nhost: x\r\n\r\n",
    ),
    (
        "HTTP/2 preface cut short",
        b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n",
    ),
];

/// Heads the parser takes but the proxy refuses: 400, connection kept.
const REFUSED: &[(&str, &[u8])] = &[
    ("HTTP/1.1 without Host", b"GET /h HTTP/1.1\r\n\r\n"),
    (
        "two Host headers",
        b"GET /h HTTP/1.1\r\nhost: a.test\r\nhost: b.test\r\n\r\n",
    ),
    ("Host with a space", b"GET /h HTTP/1.1\r\nhost: a b\r\n\r\n"),
    (
        "Host with user info",
        b"GET /h HTTP/1.1\r\nhost: user@evil.test\r\n\r\n",
    ),
    (
        "Host with a port past 65535",
        b"GET /h HTTP/1.1\r\nhost: a.test:99999999\r\n\r\n",
    ),
    (
        "absolute form with a port past 65535",
        b"GET http://a.test:99999999/h HTTP/1.1\r\nhost: a.test\r\n\r\n",
    ),
    (
        "Host with a path",
        b"GET /h HTTP/1.1\r\nhost: a.test/evil\r\n\r\n",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_are_400_and_never_reach_the_upstream() {
    bounded(async {
        let (up, seen) = recording_upstream().await;
        let proxy = start(config(&[up.addr]), Arc::new(NoopPhases)).await;
        let addr = proxy.addr();

        for (name, bytes) in UNPARSABLE {
            let (answer, closed) = exchange(addr, bytes).await;
            assert!(
                answer.is_empty() || answer.starts_with("HTTP/1.1 400"),
                "{name}: {answer:?}"
            );
            assert!(closed, "{name}: the connection is closed");
            still_serving(addr).await;
        }
        // Each got a 400 from the parser: none of them became a request.
        let answered = UNPARSABLE.len() as u64;
        assert_eq!(
            proxy.proxy.stats().requests,
            answered,
            "only the ordinary ones"
        );

        for (name, bytes) in REFUSED {
            let answer = raw(addr, bytes).await;
            assert!(answer.starts_with("HTTP/1.1 400"), "{name}: {answer:?}");
            still_serving(addr).await;
        }
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), UNPARSABLE.len() + REFUSED.len(), "{seen:?}");
        assert_only_ordinary_requests_arrived(&seen);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unparsable_requests_all_get_400() {
    bounded(async {
        let up = fixed("ok").await;
        let proxy = start(config(&[up.addr]), Arc::new(NoopPhases)).await;
        let mut silent = Vec::new();
        for (name, bytes) in UNPARSABLE {
            let (answer, _) = exchange(proxy.addr(), bytes).await;
            if answer.is_empty() {
                silent.push(*name);
            }
        }
        // Only the cut-short HTTP/2 preface is closed without an answer: the parser takes it
        // for HTTP/2 spoken to an HTTP/1 server, which has no status line to answer with.
        println!(
            "unparsable: {} kinds, closed without a 400: {silent:?}",
            UNPARSABLE.len()
        );
        assert!(
            silent.iter().all(|n| *n == "HTTP/2 preface cut short"),
            "closed without a 400: {silent:?}"
        );
        assert_eq!(up.requests(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_length_beside_transfer_encoding_cannot_smuggle_a_request() {
    bounded(async {
        let (up, seen) = recording_upstream().await;
        let proxy = start(config(&[up.addr]), Arc::new(NoopPhases)).await;
        // A hop in front framing by Content-Length sees one request with a 40-byte body; the
        // proxy frames by Transfer-Encoding (RFC 9112 §6.3) and sees an empty body followed
        // by `GET /smuggled`. It answers the first and closes (RFC 9112 §6.1), so the rest is
        // never read as a request.
        for head in [
            "content-length: 40\r\ntransfer-encoding: chunked\r\n",
            "transfer-encoding: chunked\r\ncontent-length: 40\r\n",
        ] {
            let req = format!(
                "POST /cl-te HTTP/1.1\r\nhost: x\r\n{head}\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nhost: x\r\n\r\n"
            );
            let (answer, closed) = exchange(proxy.addr(), req.as_bytes()).await;
            assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
            assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
            assert!(closed, "the connection is closed after the answer");
            assert_eq!(answer.matches("HTTP/1.1").count(), 1, "{answer}");
        }
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2, "{seen:?}");
        for line in &seen {
            assert!(line.starts_with("POST /cl-te"), "{line}");
            assert!(!line.contains("content-length: 40"), "{line}");
            assert!(line.ends_with("|body=0"), "{line}");
        }
    })
    .await;
}

/// Sends one request on a kept-alive connection and reads its answer (the `ok` body).
async fn keep_alive_request(s: &mut TcpStream) -> String {
    s.write_all(b"GET /ok HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while !out.ends_with(b"\r\n\r\nok") {
        match tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => out.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_limit_are_closed_on_accept_and_counted() {
    bounded(async {
        let up = fixed("ok").await;
        let mut cfg = config(&[up.addr]);
        cfg.limits.max_connections = 3;
        let proxy = start(cfg, Arc::new(NoopPhases)).await;
        let mut open = Vec::new();
        for _ in 0..3 {
            let mut s = TcpStream::connect(proxy.addr()).await.unwrap();
            let answer = keep_alive_request(&mut s).await;
            assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
            open.push(s);
        }
        let (answer, closed) = exchange(
            proxy.addr(),
            b"GET /ok HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
        )
        .await;
        assert!(
            answer.is_empty() && closed,
            "the fourth is closed unanswered: {answer}"
        );
        assert_eq!(proxy.proxy.stats().connections_refused, 1);
        // The three held connections are still served.
        for s in &mut open {
            let answer = keep_alive_request(s).await;
            assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        }
        // Once one closes, a new connection gets in.
        drop(open.pop());
        let deadline = Instant::now() + Duration::from_secs(5);
        while proxy.proxy.stats().active_connections > 2 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        still_serving(proxy.addr()).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_upload_keeps_its_connection_for_the_next_request() {
    bounded(async {
        let (up, seen) = recording_upstream().await;
        let proxy = start(config(&[up.addr]), Arc::new(NoopPhases)).await;
        let (answer, closed) = exchange(
            proxy.addr(),
            b"POST /upload HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /next HTTP/1.1\r\nhost: x\r\n\r\n",
        )
        .await;
        assert_eq!(answer.matches("HTTP/1.1 200").count(), 2, "{answer}");
        assert!(!answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
        assert!(!closed, "the connection stays open after both answers");
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert!(seen[0].starts_with("POST /upload") && seen[0].ends_with("|body=5"), "{seen:?}");
        assert!(seen[1].starts_with("GET /next"), "{seen:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upstream_gets_the_host_the_request_was_routed_by() {
    bounded(async {
        let (up, seen) = recording_upstream().await;
        let proxy = start(config(&[up.addr]), Arc::new(NoopPhases)).await;
        let (answer, _) = exchange(
            proxy.addr(),
            b"GET http://a.test/abs HTTP/1.1\r\nhost: b.test\r\nconnection: close\r\n\r\n",
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert!(seen[0].contains("|host: a.test|"), "{seen:?}");
        assert!(!seen[0].contains("b.test"), "{seen:?}");
    })
    .await;
}

/// The frame types in a server's HTTP/2 byte stream, as far as it parses.
fn frame_types(mut bytes: &[u8]) -> Vec<u8> {
    let mut types = Vec::new();
    while bytes.len() >= 9 {
        let len =
            (usize::from(bytes[0]) << 16) | (usize::from(bytes[1]) << 8) | usize::from(bytes[2]);
        types.push(bytes[3]);
        if bytes.len() < 9 + len {
            break;
        }
        bytes = &bytes[9 + len..];
    }
    types
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_garbage_after_the_preface_gets_goaway() {
    bounded(async {
        let (up, seen) = recording_upstream().await;
        let proxy = start(config(&[up.addr]), Arc::new(NoopPhases)).await;
        let addr = proxy.addr();
        const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
        let garbage: &[&[u8]] = &[
            // A frame header claiming 7.6 MB: over the frame size limit.
            b"this is not an HTTP/2 frame at all",
            // A HEADERS frame on stream 1 whose header block is not HPACK.
            b"\x00\x00\x04\x01\x05\x00\x00\x00\x01\xff\xff\xff\xff",
            // DATA on stream 0, which cannot carry data.
            b"\x00\x00\x02\x00\x00\x00\x00\x00\x00ab",
        ];
        for bytes in garbage {
            let mut req = PREFACE.to_vec();
            // An empty SETTINGS frame, as every client sends first.
            req.extend_from_slice(b"\x00\x00\x00\x04\x00\x00\x00\x00\x00");
            req.extend_from_slice(bytes);
            let mut s = TcpStream::connect(addr).await.unwrap();
            s.write_all(&req).await.unwrap();
            let mut out = Vec::new();
            let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
            assert!(read.is_ok(), "the proxy closed the connection");
            let types = frame_types(&out);
            assert!(types.contains(&0x7), "a GOAWAY was sent: {types:?}");
            still_serving(addr).await;
        }
        assert_only_ordinary_requests_arrived(&seen.lock().unwrap());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bare_lf_line_ends_reach_the_upstream_as_the_proxy_read_them() {
    bounded(async {
        let (up, seen) = recording_upstream().await;
        let (hook, _done) = Recorder::with_head(|_, req| {
            // What the proxy's own checks see.
            let names: Vec<&str> = req.headers.keys().map(|k| k.as_str()).collect();
            assert_eq!(names, ["host", "x-a", "x-injected", "connection"]);
            Ok(rampart_proxy::Verdict::Continue)
        });
        let proxy = start(config(&[up.addr]), hook).await;
        // RFC 9112 §2.2 lets a recipient take a bare LF as a line end; the head then goes
        // upstream rewritten with CRLF, so the upstream reads the very headers the proxy did.
        let (answer, _) = exchange(
            proxy.addr(),
            b"GET /lf HTTP/1.1\nhost: x\r\nx-a: a\nx-injected: 1\r\nconnection: close\n\n",
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert!(
            seen[0].contains("|x-a: a|x-injected: 1|"),
            "the same two headers upstream: {seen:?}"
        );
        assert_eq!(proxy.proxy.stats().hook_failures, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_alive_connection_waits_for_its_next_request_until_the_idle_timeout() {
    bounded(async {
        let up = fixed("ok").await;
        let mut cfg = config(&[up.addr]);
        cfg.timeouts.header_read = Duration::from_millis(300);
        cfg.timeouts.idle = Duration::from_secs(5);
        let proxy = start(cfg, Arc::new(NoopPhases)).await;
        let mut s = TcpStream::connect(proxy.addr()).await.unwrap();
        for i in 0..2 {
            s.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
                .await
                .unwrap();
            let mut buf = vec![0u8; 1024];
            let mut got = Vec::new();
            while !got.ends_with(b"\r\n\r\nok") {
                let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
                    .await
                    .expect("an answer")
                    .unwrap();
                assert!(n > 0, "request {i}: the kept-alive connection was closed");
                got.extend_from_slice(&buf[..n]);
            }
            // Longer than the header timeout, well within the idle timeout.
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_connection_is_held_between_requests_until_the_idle_timeout() {
    bounded(async {
        let up = fixed("ok").await;
        let mut cfg = config(&[up.addr]);
        cfg.timeouts.header_read = Duration::from_millis(300);
        cfg.timeouts.idle = Duration::from_secs(5);
        let proxy = start(cfg, Arc::new(NoopPhases)).await;
        let h2 = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .http2_only(true)
            .build(hyper_util::client::legacy::connect::HttpConnector::new());
        for _ in 0..2 {
            let resp = h2
                .request(Request::get(proxy.url("/")).body(full("")).unwrap())
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            assert_eq!(resp.version(), http::Version::HTTP_2);
            http_body_util::BodyExt::collect(resp.into_body())
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let stats = proxy.proxy.stats();
        assert_eq!(stats.connections_total, 1, "one connection for both");
        assert_eq!(stats.timeouts, 0);
    })
    .await;
}
