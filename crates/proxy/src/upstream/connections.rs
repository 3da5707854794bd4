//! Keep-alive connections to one upstream server: a bounded stack of idle HTTP/1.1
//! connections, reused newest first, and new ones made on demand.
//!
//! A connection goes back on the stack when the response it carried has been read to its end
//! (see [`PooledBody`]); one whose response was abandoned half-way is closed instead, since
//! HTTP/1.1 cannot resume it. Idle connections older than the pool's `idle_timeout`, or that
//! the server has closed, are dropped when met. A request sent on a reused connection that the
//! server closed just before it was written goes again, once, on a new connection.
//!
//! This replaces a general-purpose pooled client on the data path: it keeps no per-request
//! task, no key hashing and no URI rewriting, which is most of what a proxied request costs
//! in user space besides parsing.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use http::uri::Authority;
use http::{Request, Response};
use hyper::client::conn::http1::{Builder, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::pooled_body::PooledBody;
use super::{describe, SendError, UpstreamBody};
use crate::body::{caused_by, is_body_too_large, BodyStalled};
use crate::clock;

/// How long a connection taken from the stack may take to say it is ready for a request
/// before it is given up (it has just finished a response, so this is normally immediate).
const READY_WAIT: Duration = Duration::from_secs(1);

/// An idle connection and when it became idle.
struct Idle {
    sender: SendRequest<UpstreamBody>,
    since: Instant,
}

/// The connections of one server.
pub(crate) struct Connections {
    authority: Authority,
    idle: Mutex<Vec<Idle>>,
    max_idle: usize,
    idle_timeout: Duration,
    connect_timeout: Duration,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections")
            .field("authority", &self.authority)
            .field("idle", &self.idle_count())
            .finish_non_exhaustive()
    }
}

impl Connections {
    /// No connection yet to `authority`; at most `max_idle` are kept idle, each for at most
    /// `idle_timeout`.
    pub(crate) fn new(
        authority: Authority,
        max_idle: usize,
        idle_timeout: Duration,
        connect_timeout: Duration,
    ) -> Self {
        Self {
            authority,
            idle: Mutex::new(Vec::new()),
            max_idle,
            idle_timeout,
            connect_timeout,
        }
    }

    /// The server's address.
    pub(crate) fn authority(&self) -> &Authority {
        &self.authority
    }

    /// Idle connections kept now.
    pub(crate) fn idle_count(&self) -> usize {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Sends `req` (origin-form target, `Host` set) on an idle connection or a new one.
    pub(crate) async fn send(
        self: &Arc<Self>,
        mut req: Request<UpstreamBody>,
    ) -> Result<Response<PooledBody>, SendError> {
        if let Some(mut sender) = self.take_idle().await {
            match sender.try_send_request(req).await {
                Ok(resp) => return Ok(self.wrap(resp, sender)),
                Err(mut e) => match e.take_message() {
                    // Never written: the server closed the connection as it was reused.
                    Some(unsent) => req = unsent,
                    None => return Err(classify(&e.into_error())),
                },
            }
        }
        let mut sender = self.connect().await?;
        match sender.try_send_request(req).await {
            Ok(resp) => Ok(self.wrap(resp, sender)),
            Err(e) => Err(classify(e.error())),
        }
    }

    /// Puts a connection whose response was read to its end back on the stack.
    pub(crate) fn give_back(&self, sender: SendRequest<UpstreamBody>) {
        if sender.is_closed() || self.max_idle == 0 {
            return;
        }
        let now = clock::now();
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        // The stack is in the order connections became idle, so the ones idle too long are at
        // its bottom: only those are looked at here. A closed one higher up is dropped when
        // `take_idle` meets it.
        let expired = idle
            .iter()
            .take_while(|c| self.stale(c, now))
            .count()
            .max((idle.len() + 1).saturating_sub(self.max_idle));
        if expired > 0 {
            idle.drain(..expired);
        }
        idle.push(Idle { sender, since: now });
    }

    fn wrap(
        self: &Arc<Self>,
        resp: Response<hyper::body::Incoming>,
        sender: SendRequest<UpstreamBody>,
    ) -> Response<PooledBody> {
        let conns = self.clone();
        resp.map(|body| PooledBody::new(body, conns, sender))
    }

    fn stale(&self, c: &Idle, now: Instant) -> bool {
        c.sender.is_closed() || now.saturating_duration_since(c.since) > self.idle_timeout
    }

    /// The newest idle connection that is still open and ready.
    async fn take_idle(&self) -> Option<SendRequest<UpstreamBody>> {
        loop {
            let mut sender = {
                let now = clock::now();
                let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
                loop {
                    let c = idle.pop()?;
                    if !self.stale(&c, now) {
                        break c.sender;
                    }
                }
            };
            if sender.is_ready() {
                return Some(sender);
            }
            if let Ok(Ok(())) = tokio::time::timeout(READY_WAIT, sender.ready()).await {
                return Some(sender);
            }
        }
    }

    /// A new connection, ready for its first request.
    async fn connect(&self) -> Result<SendRequest<UpstreamBody>, SendError> {
        let host = self
            .authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let port = self.authority.port_u16().unwrap_or(80);
        let stream = match tokio::time::timeout(
            self.connect_timeout,
            TcpStream::connect((host, port)),
        )
        .await
        {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => return Err(SendError::Connect(format!("connect: {e}"))),
            Err(_) => {
                return Err(SendError::Connect(format!(
                    "connect timed out after {:?}",
                    self.connect_timeout
                )))
            }
        };
        let _ = stream.set_nodelay(true);
        let (mut sender, conn) = Builder::new()
            .handshake(TokioIo::new(stream))
            .await
            .map_err(|e| SendError::Connect(describe(&e)))?;
        let server = self.authority.clone();
        tokio::spawn(async move {
            if let Err(e) = conn.with_upgrades().await {
                tracing::debug!(%server, "upstream connection ended: {e}");
            }
        });
        sender
            .ready()
            .await
            .map_err(|e| SendError::Connect(describe(&e)))?;
        Ok(sender)
    }
}

/// Sorts an error of an exchange on an open connection into what the proxy does about it.
fn classify(err: &hyper::Error) -> SendError {
    let e = err as &(dyn std::error::Error + 'static);
    if is_body_too_large(e) {
        return SendError::BodyTooLarge;
    }
    if caused_by::<BodyStalled>(e) {
        return SendError::BodyStalled;
    }
    SendError::Other(describe(e))
}
