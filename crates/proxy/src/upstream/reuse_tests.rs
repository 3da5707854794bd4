//! Connection reuse against a real HTTP/1.1 server on 127.0.0.1 that counts its connections.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http::{header, Request, Response};
use http_body_util::{BodyExt, Either, Empty, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use super::{PoolState, Upstreams};
use crate::config::{Pool, Timeouts};

/// A server answering `hello` to every request (and closing after `/close`), counting the
/// connections it accepted.
async fn counting_server() -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let svc = service_fn(|req: Request<Incoming>| async move {
                    let mut resp = Response::new(Full::new(Bytes::from_static(b"hello")));
                    if req.uri().path() == "/close" {
                        resp.headers_mut()
                            .insert(header::CONNECTION, "close".parse().unwrap());
                    }
                    Ok::<_, Infallible>(resp)
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), svc)
                    .await;
            });
        }
    });
    (addr, accepted)
}

fn upstreams(addr: std::net::SocketAddr) -> Upstreams {
    upstreams_with(addr, |_| {})
}

fn upstreams_with(addr: std::net::SocketAddr, tune: impl FnOnce(&mut Pool)) -> Upstreams {
    let mut pool = Pool::new([addr.to_string().as_str()]);
    tune(&mut pool);
    let name = "api".to_owned();
    Upstreams::new([(&name, &pool)], &Timeouts::default())
}

fn request(addr: std::net::SocketAddr, path: &str) -> Request<super::UpstreamBody> {
    Request::builder()
        .uri(path)
        .header(header::HOST, addr.to_string())
        .body(Either::Right(Empty::new()))
        .unwrap()
}

/// Sends one request and reads its body to the end (`read`) or drops it unread.
async fn exchange(pool: &PoolState, addr: std::net::SocketAddr, path: &str, read: bool) {
    let resp = pool.send(0, request(addr, path)).await.unwrap();
    assert_eq!(resp.status(), 200);
    if read {
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"hello");
    }
}

#[tokio::test]
async fn responses_read_to_the_end_reuse_one_connection() {
    let (addr, accepted) = counting_server().await;
    let u = upstreams(addr);
    let pool = u.pool(0).unwrap();
    for _ in 0..20 {
        exchange(pool, addr, "/", true).await;
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    assert_eq!(pool.idle_connections(), 1);
}

#[tokio::test]
async fn at_most_max_idle_connections_are_kept_and_the_newest_are_reused() {
    let (addr, accepted) = counting_server().await;
    let u = upstreams_with(addr, |p| p.max_idle_per_server = 2);
    let pool = u.pool(0).unwrap();
    // Three responses open at once need three connections; only two of them stay idle.
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(pool.send(0, request(addr, "/")).await.unwrap());
    }
    for resp in open {
        resp.into_body().collect().await.unwrap();
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 3);
    assert_eq!(pool.idle_connections(), 2);
    for _ in 0..5 {
        exchange(pool, addr, "/", true).await;
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 3);
    assert_eq!(pool.idle_connections(), 2);
}

#[tokio::test]
async fn connections_idle_longer_than_the_idle_timeout_are_not_reused() {
    let (addr, accepted) = counting_server().await;
    let idle = std::time::Duration::from_millis(40);
    let u = upstreams_with(addr, |p| p.idle_timeout = idle);
    let pool = u.pool(0).unwrap();
    exchange(pool, addr, "/", true).await;
    exchange(pool, addr, "/", true).await;
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    tokio::time::sleep(idle * 3).await;
    // The expired connection is dropped when the next one goes back on the stack.
    exchange(pool, addr, "/", true).await;
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
    assert_eq!(pool.idle_connections(), 1);
}

#[tokio::test]
async fn an_abandoned_response_closes_its_connection_and_the_next_one_opens_anew() {
    let (addr, accepted) = counting_server().await;
    let u = upstreams(addr);
    let pool = u.pool(0).unwrap();
    exchange(pool, addr, "/", true).await;
    // Dropped before its body was read: that connection cannot carry another request.
    let resp = pool.send(0, request(addr, "/")).await.unwrap();
    drop(resp);
    assert_eq!(pool.idle_connections(), 0);
    exchange(pool, addr, "/", true).await;
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_connection_the_server_closes_is_not_reused() {
    let (addr, accepted) = counting_server().await;
    let u = upstreams(addr);
    let pool = u.pool(0).unwrap();
    exchange(pool, addr, "/close", true).await;
    // Let the connection task see the close.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    for _ in 0..3 {
        exchange(pool, addr, "/", true).await;
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let u = upstreams(addr);
    let pool = u.pool(0).unwrap();
    match pool.send(0, request(addr, "/")).await {
        Err(super::SendError::Connect(why)) => assert!(why.contains("connect"), "{why}"),
        other => panic!("expected a connect error, got {other:?}"),
    }
}
