//! Which HTTP a new connection speaks, and the servers for each: on TLS the protocol ALPN
//! chose, on plain TCP HTTP/2 when the client opens with the HTTP/2 connection preface (h2c
//! with prior knowledge, RFC 9113 §3.3), HTTP/1.1 otherwise.
//!
//! The preface is looked for with `peek`, so the bytes stay in the socket for the server that
//! reads them and no wrapper replays them on every read for the life of the connection.

use std::time::Duration;

use hyper::server::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tokio::net::TcpStream;

use crate::config::ProxyConfig;

/// The first bytes an HTTP/2 client sends.
const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// How long to wait between two looks at a preface that has only partly arrived: from the
/// first to the last, doubling, so that a client trickling a preface costs a few looks a
/// second, not hundreds.
const PARTIAL_WAIT: (Duration, Duration) = (Duration::from_millis(2), Duration::from_millis(250));

/// An HTTP version a connection is served with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// HTTP/1.1 (and 1.0).
    Http1,
    /// HTTP/2.
    Http2,
}

/// The HTTP servers of a listener.
pub(crate) struct HttpServers {
    pub(crate) http1: http1::Builder,
    /// `None` when the listener serves HTTP/1.1 only.
    pub(crate) http2: Option<http2::Builder<TokioExecutor>>,
}

impl HttpServers {
    /// The settings of a listener: its head size limit, HTTP/2 when `http2`.
    pub(crate) fn new(config: &ProxyConfig, http2: bool) -> Self {
        let max_head = usize::try_from(config.limits.max_header_bytes)
            .unwrap_or(usize::MAX)
            .max(8192);
        let mut h1 = http1::Builder::new();
        // The header timeout is the connection watchdog's (`listener::watchdog`): hyper's
        // would also run while a kept-alive connection waits for its next request, closing
        // it after `header_read` rather than `idle`.
        h1.timer(TokioTimer::new())
            .header_read_timeout(None)
            .max_buf_size(max_head)
            .keep_alive(true);
        let h2 = http2.then(|| {
            let mut h2 = http2::Builder::new(TokioExecutor::new());
            h2.timer(TokioTimer::new())
                .max_header_list_size(u32::try_from(max_head).unwrap_or(u32::MAX));
            h2
        });
        Self {
            http1: h1,
            http2: h2,
        }
    }
}

/// The protocol of a plain connection whose listener offers HTTP/2: HTTP/2 when its first
/// bytes are the preface. `None` when the client closed (or failed) before one could tell.
pub(crate) async fn sniff(stream: &TcpStream) -> Option<Protocol> {
    let mut buf = [0u8; PREFACE.len()];
    let mut wait = PARTIAL_WAIT.0;
    loop {
        let n = stream.peek(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        match classify(&buf[..n]) {
            Some(p) => return Some(p),
            // A prefix of the preface: the rest has not arrived yet. Peeking again at once
            // would see the same bytes, so wait a little (bounded by the caller's timeout).
            None => {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(PARTIAL_WAIT.1);
            }
        }
    }
}

/// What the first bytes say: `None` while they are a proper prefix of the preface.
fn classify(first: &[u8]) -> Option<Protocol> {
    if !PREFACE.starts_with(first) {
        return Some(Protocol::Http1);
    }
    (first.len() == PREFACE.len()).then_some(Protocol::Http2)
}

/// The protocol ALPN chose on a TLS connection (HTTP/1.1 when it chose none).
pub(crate) fn of_alpn(alpn: Option<&[u8]>) -> Protocol {
    match alpn {
        Some(b"h2") => Protocol::Http2,
        _ => Protocol::Http1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preface_and_only_the_preface_is_http2() {
        assert_eq!(classify(PREFACE), Some(Protocol::Http2));
        assert_eq!(classify(b"GET / HTTP/1.1\r\n"), Some(Protocol::Http1));
        assert_eq!(classify(b"POST"), Some(Protocol::Http1));
        assert_eq!(classify(b"PRI * HTTP/1.1\r\n"), Some(Protocol::Http1));
        assert_eq!(classify(b"PRI * HT"), None, "wait for more");
        assert_eq!(classify(b"P"), None);
        assert_eq!(of_alpn(Some(b"h2")), Protocol::Http2);
        assert_eq!(of_alpn(Some(b"http/1.1")), Protocol::Http1);
        assert_eq!(of_alpn(None), Protocol::Http1);
    }

    #[tokio::test]
    async fn a_preface_sent_in_pieces_is_recognised() {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = tokio::spawn(async move {
            let mut s = TcpStream::connect(addr).await.unwrap();
            s.write_all(&PREFACE[..7]).await.unwrap();
            tokio::time::sleep(Duration::from_millis(30)).await;
            s.write_all(&PREFACE[7..]).await.unwrap();
            s
        });
        let (server, _) = listener.accept().await.unwrap();
        assert_eq!(sniff(&server).await, Some(Protocol::Http2));
        let _client = client.await.unwrap();
        // The bytes were only looked at: they are all still there to read.
        let mut buf = [0u8; 64];
        assert_eq!(server.peek(&mut buf).await.unwrap(), PREFACE.len());
    }
}
