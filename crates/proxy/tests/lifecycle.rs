//! Connections over time: WebSocket tunnels, idle and header timeouts, graceful shutdown.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use http::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use rampart_proxy::{Drained, NoopPhases, Outcome};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An upstream that accepts WebSocket handshakes and echoes every byte afterwards.
async fn websocket_echo() -> Upstream {
    upstream(|mut req| async move {
        let asks = req
            .headers()
            .get("upgrade")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
        if !asks {
            return text(StatusCode::BAD_REQUEST, "websocket only");
        }
        let on = hyper::upgrade::on(&mut req);
        tokio::spawn(async move {
            let Ok(upgraded) = on.await else { return };
            let mut io = TokioIo::new(upgraded);
            let mut buf = [0u8; 4096];
            loop {
                match io.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if io.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Response::builder()
            .status(StatusCode::SWITCHING_PROTOCOLS)
            .header("connection", "upgrade")
            .header("upgrade", "websocket")
            .header("sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
            .body(full(""))
            .unwrap()
    })
    .await
}

/// Reads until the end of a response head.
async fn read_head(s: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = s.read(&mut byte).await.unwrap();
        assert_eq!(
            n,
            1,
            "connection closed in the head: {}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    String::from_utf8(head).unwrap()
}

/// A masked WebSocket text frame, as a client sends it.
fn masked_text_frame(payload: &[u8]) -> Vec<u8> {
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    let mut frame = vec![0x81, 0x80 | payload.len() as u8];
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_echo_through_the_proxy() {
    bounded(async {
        let up = websocket_echo().await;
        let (hook, done) = Recorder::new();
        let proxy = start(config(&[up.addr]), hook).await;

        let mut s = TcpStream::connect(proxy.addr()).await.unwrap();
        s.write_all(
            b"GET /chat HTTP/1.1\r\nHost: ws.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
              Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        )
        .await
        .unwrap();
        let head = read_head(&mut s).await.to_ascii_lowercase();
        assert!(head.starts_with("http/1.1 101"), "{head}");
        assert!(head.contains("upgrade: websocket"), "{head}");
        assert!(
            head.contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="),
            "{head}"
        );

        for msg in [&b"hello"[..], b"second message", b"3"] {
            let frame = masked_text_frame(msg);
            s.write_all(&frame).await.unwrap();
            let mut back = vec![0u8; frame.len()];
            s.read_exact(&mut back).await.unwrap();
            assert_eq!(back, frame);
        }
        assert_eq!(proxy.proxy.stats().websocket_upgrades, 1);
        assert_eq!(proxy.proxy.stats().active_websockets, 1);
        drop(s);

        let (_, record) = next_done(&done).await;
        assert_eq!(record.outcome, Outcome::Upgraded);
        assert_eq!(record.status, Some(StatusCode::SWITCHING_PROTOCOLS));
        for _ in 0..100 {
            if proxy.proxy.stats().active_websockets == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(proxy.proxy.stats().active_websockets, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_is_closed() {
    bounded(async {
        let up = fixed("ok").await;
        let mut cfg = config(&[up.addr]);
        cfg.timeouts.idle = Duration::from_millis(300);
        let proxy = start(cfg, Arc::new(NoopPhases)).await;
        let mut s = TcpStream::connect(proxy.addr()).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap();
        let head = read_head(&mut s).await;
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        let mut body = [0u8; 2];
        s.read_exact(&mut body).await.unwrap();
        let started = Instant::now();
        let mut rest = [0u8; 16];
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut rest))
            .await
            .expect("closed by the idle timeout")
            .unwrap_or(0);
        assert_eq!(n, 0, "EOF");
        assert!(
            started.elapsed() >= Duration::from_millis(100),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(proxy.proxy.stats().idle_closed, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_request_head_is_cut_off() {
    bounded(async {
        let up = fixed("ok").await;
        let mut cfg = config(&[up.addr]);
        cfg.timeouts.header_read = Duration::from_millis(300);
        let proxy = start(cfg, Arc::new(NoopPhases)).await;
        let mut s = TcpStream::connect(proxy.addr()).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n").await.unwrap();
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf)).await;
        assert!(read.is_ok(), "the proxy closed the connection");
        let answer = String::from_utf8_lossy(&buf);
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "{answer}"
        );
        assert!(proxy.proxy.stats().timeouts >= 1);
        assert_eq!(up.requests(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_request_body_is_408() {
    bounded(async {
        let up = upstream(|req| async move {
            let ok = http_body_util::BodyExt::collect(req.into_body())
                .await
                .is_ok();
            text(StatusCode::OK, if ok { "whole" } else { "broken" })
        })
        .await;
        let mut cfg = config(&[up.addr]);
        cfg.timeouts.request_body = Duration::from_millis(300);
        let proxy = start(cfg, Arc::new(NoopPhases)).await;
        let started = Instant::now();
        let answer = raw(
            proxy.addr(),
            b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n0123456789",
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(
            answer.contains("no request body data for 300ms"),
            "{answer}"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(proxy.proxy.stats().timeouts, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_lets_an_in_flight_request_finish() {
    bounded(async {
        let slow = upstream(|_| async {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            text(StatusCode::OK, "finished")
        })
        .await;
        let mut proxy = start(config(&[slow.addr]), Arc::new(NoopPhases)).await;
        let addr = proxy.addr();
        let url = proxy.url("/slow");
        let in_flight = tokio::spawn(async move { get(&url).await });
        wait_until(|| slow.requests() == 1).await;

        proxy.begin_stop();
        let mut refused = false;
        for _ in 0..100 {
            if TcpStream::connect(addr).await.is_err() {
                refused = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(refused, "no longer accepting");
        assert!(!in_flight.is_finished(), "the request is still in flight");

        let (status, _, body) = in_flight.await.unwrap();
        assert_eq!((status, body.as_str()), (StatusCode::OK, "finished"));
        let drained = proxy.task.take().unwrap().await.unwrap();
        assert_eq!(drained, Drained::Clean);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_has_sent_nothing_does_not_hold_up_a_graceful_shutdown() {
    bounded(async {
        let up = fixed("ok").await;
        let mut proxy = start(config(&[up.addr]), Arc::new(NoopPhases)).await;
        // Connected, silent: the proxy cannot tell yet whether it speaks HTTP/1 or HTTP/2.
        let silent = TcpStream::connect(proxy.addr()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = Instant::now();
        proxy.begin_stop();
        let drained = proxy.task.take().unwrap().await.unwrap();
        assert_eq!(drained, Drained::Clean);
        // Well within `header_read` (10 s) and the shutdown deadline (30 s).
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        drop(silent);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_what_is_left_at_the_deadline() {
    bounded(async {
        let stuck = upstream(|_| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            text(StatusCode::OK, "never")
        })
        .await;
        let mut cfg = config(&[stuck.addr]);
        cfg.timeouts.shutdown = Duration::from_millis(300);
        let mut proxy = start(cfg, Arc::new(NoopPhases)).await;
        let url = proxy.url("/");
        let in_flight = tokio::spawn(async move {
            let req = http::Request::get(url).body(full("")).unwrap();
            client().request(req).await.map(|r| r.status())
        });
        wait_until(|| stuck.requests() == 1).await;
        let started = Instant::now();
        proxy.begin_stop();
        let drained = proxy.task.take().unwrap().await.unwrap();
        assert_eq!(drained, Drained::DeadlinePassed);
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        let result = tokio::time::timeout(Duration::from_secs(5), in_flight)
            .await
            .unwrap()
            .unwrap();
        assert!(result.is_err(), "the stuck request was cut: {result:?}");
    })
    .await;
}
