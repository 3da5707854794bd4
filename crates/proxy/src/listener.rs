//! Accepting client connections: the accept loop of each listener, the TLS handshake, and the
//! per-connection task that serves HTTP/1.1 or HTTP/2 (chosen as `protocol` says), with its
//! watchdog for slow heads, slow upstreams, idleness and graceful shutdown.

use std::error::Error as StdError;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Poll;
use std::time::{Duration, Instant};

use atomic_waker::AtomicWaker;
use http::{HeaderValue, Version};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};
use tokio_rustls::TlsAcceptor;

use crate::clock;
use crate::handler;
use crate::io::CountingIo;
use crate::phases::Scheme;
use crate::protocol::{of_alpn, sniff, HttpServers, Protocol};
use crate::route::normalize_host;
use crate::server::Shared;
use crate::stats::{self, Stats};
use crate::upstream_wait::{UpstreamWait, Watch};

/// Where the proxy is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Accepting and serving.
    Running,
    /// No longer accepting; in-flight requests finish, idle connections close.
    Draining,
    /// The shutdown deadline passed: close everything now.
    Closing,
}

/// Waits until the phase is at least `at_least` (or the proxy is gone).
pub(crate) async fn reached(phase: &mut watch::Receiver<Phase>, at_least: Phase) {
    let rank = |p: Phase| p as u8;
    let _ = phase.wait_for(|p| rank(*p) >= rank(at_least)).await;
}

/// What every request of a connection shares. Holding it keeps the shutdown drain waiting.
pub(crate) struct ConnInfo {
    pub(crate) peer: SocketAddr,
    pub(crate) local: SocketAddr,
    pub(crate) scheme: Scheme,
    pub(crate) stats: Arc<Stats>,
    pub(crate) phase: watch::Receiver<Phase>,
    inflight: AtomicUsize,
    activity: AtomicU64,
    tracker: mpsc::Sender<()>,
    /// When the connection was accepted: the origin of `head_since`.
    opened: Instant,
    /// Milliseconds after `opened`, plus one, when the bytes of a request head began to
    /// arrive with no request in flight; 0 when no head is being read.
    head_since: AtomicU64,
    /// An HTTP/2 connection: requests are multiplexed and control frames flow between them,
    /// so there is no "head being read" to time.
    multiplexed: AtomicBool,
    /// The last host named on this connection, as sent and normalised, and whether it was
    /// found valid: a kept-alive connection names the same host in every request.
    known_host: Mutex<KnownHost>,
    /// The forwarding headers its requests get upstream.
    pub(crate) forward_cache: crate::forwarded::ForwardCache,
    /// What the watchdog asks of the serving task.
    attention: Attention,
    /// The HTTP/1 request waiting for its upstream's response head, timed by the watchdog.
    pub(crate) upstream_wait: UpstreamWait,
}

impl ConnInfo {
    fn new(
        peer: SocketAddr,
        local: SocketAddr,
        scheme: Scheme,
        stats: Arc<Stats>,
        phase: watch::Receiver<Phase>,
        tracker: mpsc::Sender<()>,
    ) -> Self {
        Self {
            peer,
            local,
            scheme,
            stats,
            phase,
            inflight: AtomicUsize::new(0),
            activity: AtomicU64::new(0),
            tracker,
            opened: clock::now(),
            head_since: AtomicU64::new(0),
            multiplexed: AtomicBool::new(false),
            known_host: Mutex::new(KnownHost::default()),
            forward_cache: Default::default(),
            attention: Attention::default(),
            upstream_wait: UpstreamWait::default(),
        }
    }

    /// `raw` (a host as the client sent it) normalised as [`normalize_host`] does; the last
    /// one of the connection is kept, so its requests share one copy.
    pub(crate) fn normalized_host(&self, raw: &HeaderValue) -> Option<Arc<str>> {
        let mut known = self
            .known_host
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        known.name(raw);
        known.normalized.clone()
    }

    /// Whether `host` is the `Host` value last found valid on this connection.
    pub(crate) fn is_known_host(&self, host: &HeaderValue) -> bool {
        let known = self
            .known_host
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        known.valid && known.raw.as_ref() == Some(host)
    }

    /// Remembers a `Host` value found valid.
    pub(crate) fn remember_host(&self, host: &HeaderValue) {
        let mut known = self
            .known_host
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        known.name(host);
        known.valid = true;
    }

    /// Bytes moved on the socket.
    pub(crate) fn touch(&self, n: u64) {
        self.activity.fetch_add(n, Ordering::Relaxed);
    }

    /// Bytes read from the client. Read with no request in flight on an HTTP/1 connection,
    /// they are the start of the next request head, which has `timeouts.header_read` to
    /// arrive whole.
    pub(crate) fn received(&self, n: u64) {
        self.touch(n);
        if self.inflight() == 0 && !self.multiplexed.load(Ordering::Relaxed) {
            let at = self.millis();
            let _ = self
                .head_since
                .compare_exchange(0, at, Ordering::Relaxed, Ordering::Relaxed);
        }
    }

    /// Milliseconds since the connection was accepted, plus one (so never 0): the clock of
    /// `head_since`.
    fn millis(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1
    }

    /// Whether the connection is HTTP/2 (its requests are multiplexed).
    pub(crate) fn is_multiplexed(&self) -> bool {
        self.multiplexed.load(Ordering::Relaxed)
    }

    /// How long the head being read has been arriving, if one is.
    fn head_reading_for(&self) -> Option<Duration> {
        match self.head_since.load(Ordering::Relaxed) {
            0 => None,
            at => Some(
                self.opened
                    .elapsed()
                    .saturating_sub(Duration::from_millis(at - 1)),
            ),
        }
    }

    /// A request head was read whole and its request begins.
    pub(crate) fn request_started(&self, version: Version) {
        self.inflight.fetch_add(1, Ordering::Relaxed);
        self.head_since.store(0, Ordering::Relaxed);
        if version == Version::HTTP_2 {
            self.multiplexed.store(true, Ordering::Relaxed);
        }
    }

    pub(crate) fn request_finished(&self) {
        let _ = self
            .inflight
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| v.checked_sub(1));
    }

    fn inflight(&self) -> usize {
        self.inflight.load(Ordering::Relaxed)
    }

    fn activity(&self) -> u64 {
        self.activity.load(Ordering::Relaxed)
    }

    /// A handle that keeps the drain waiting, for tasks that outlive the connection
    /// (WebSocket tunnels).
    pub(crate) fn tracker(&self) -> mpsc::Sender<()> {
        self.tracker.clone()
    }
}

/// A host named on a connection (see `ConnInfo::normalized_host`).
#[derive(Default)]
struct KnownHost {
    raw: Option<HeaderValue>,
    normalized: Option<Arc<str>>,
    valid: bool,
}

impl KnownHost {
    /// Makes this about `raw`, unless it already is.
    fn name(&mut self, raw: &HeaderValue) {
        if self.raw.as_ref() != Some(raw) {
            *self = KnownHost {
                raw: Some(raw.clone()),
                normalized: raw.to_str().ok().and_then(normalize_host).map(Arc::from),
                valid: false,
            };
        }
    }
}

/// One configured listener, ready to serve.
pub(crate) struct ListenerState {
    pub(crate) addr: SocketAddr,
    pub(crate) tls: Option<TlsAcceptor>,
    pub(crate) http: HttpServers,
}

impl ListenerState {
    pub(crate) fn scheme(&self) -> Scheme {
        if self.tls.is_some() {
            Scheme::Https
        } else {
            Scheme::Http
        }
    }
}

/// Accepts connections on `tcp` until the proxy starts draining.
pub(crate) async fn accept_loop(
    shared: Arc<Shared>,
    index: usize,
    tcp: TcpListener,
    mut phase: watch::Receiver<Phase>,
    tracker: mpsc::Sender<()>,
) {
    let local = tcp.local_addr().ok();
    loop {
        tokio::select! {
            accepted = tcp.accept() => match accepted {
                Ok((stream, peer)) => {
                    let max = shared.config.limits.max_connections;
                    if max > 0 && shared.stats.active_connections.load(Ordering::Relaxed) >= max {
                        // Closed at once: a flood of connections cannot take the memory and
                        // file descriptors that the connections already open need.
                        stats::inc(&shared.stats.connections_refused);
                        tracing::debug!(%peer, max, "connection limit reached; closed on accept");
                        drop(stream);
                        continue;
                    }
                    let _ = stream.set_nodelay(true);
                    let local = stream.local_addr().ok().or(local).unwrap_or(peer);
                    let conn = Arc::new(ConnInfo::new(
                        peer,
                        local,
                        shared.listeners[index].scheme(),
                        shared.stats.clone(),
                        phase.clone(),
                        tracker.clone(),
                    ));
                    tokio::spawn(connection(shared.clone(), index, stream, conn));
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = reached(&mut phase, Phase::Draining) => break,
        }
    }
}

/// Serves one client connection from accept to close.
async fn connection(shared: Arc<Shared>, index: usize, stream: TcpStream, conn: Arc<ConnInfo>) {
    stats::inc(&shared.stats.connections_total);
    stats::inc(&shared.stats.active_connections);
    let listener = &shared.listeners[index];
    match &listener.tls {
        None => {
            let protocol = match listener.http.http2 {
                None => Some(Protocol::Http1),
                // Bounded like a head: a client that never says what it speaks is cut, and
                // so is one still silent when the proxy starts draining.
                Some(_) => {
                    let mut phase = conn.phase.clone();
                    let header_read = shared.config.timeouts.header_read;
                    tokio::select! {
                        sniffed = tokio::time::timeout(header_read, sniff(&stream)) => {
                            sniffed.unwrap_or_else(|_| {
                                stats::inc(&shared.stats.timeouts);
                                None
                            })
                        }
                        _ = reached(&mut phase, Phase::Draining) => None,
                    }
                }
            };
            if let Some(protocol) = protocol {
                let io = CountingIo::new(stream, conn.clone());
                serve(&shared, index, io, conn, protocol).await;
            }
        }
        Some(acceptor) => {
            let mut phase = conn.phase.clone();
            let io = CountingIo::new(stream, conn.clone());
            let handshake =
                tokio::time::timeout(shared.config.timeouts.header_read, acceptor.accept(io));
            tokio::select! {
                res = handshake => match res {
                    Ok(Ok(tls)) => {
                        let protocol = of_alpn(tls.get_ref().1.alpn_protocol());
                        serve(&shared, index, tls, conn, protocol).await;
                    }
                    Ok(Err(e)) => {
                        stats::inc(&shared.stats.tls_handshake_errors);
                        tracing::debug!(error = %e, "TLS handshake failed");
                    }
                    Err(_) => {
                        stats::inc(&shared.stats.tls_handshake_errors);
                        stats::inc(&shared.stats.timeouts);
                        tracing::debug!("TLS handshake timed out");
                    }
                },
                _ = reached(&mut phase, Phase::Draining) => {}
            }
        }
    }
    stats::dec(&shared.stats.active_connections);
}

/// Runs hyper on a connection until it ends or its watchdog (see [`watchdog`]) closes it.
///
/// The watchdog is a task of its own, so that the many wake-ups of a busy connection poll
/// only hyper and one flag, never the watchdog's timer or the shutdown signal.
async fn serve<I>(
    shared: &Arc<Shared>,
    index: usize,
    io: I,
    conn: Arc<ConnInfo>,
    protocol: Protocol,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let svc_shared = shared.clone();
    let svc_conn = conn.clone();
    let service = service_fn(move |req| handler::handle(svc_shared.clone(), svc_conn.clone(), req));
    // Dropped when this returns, which ends the watchdog.
    let (_alive, ended) = oneshot::channel::<()>();
    tokio::spawn(watchdog(shared.clone(), conn.clone(), ended));
    let io = TokioIo::new(io);
    let servers = &shared.listeners[index].http;
    let res = match (protocol, &servers.http2) {
        (Protocol::Http2, Some(h2)) => {
            // Every request of the connection is multiplexed on it from the start.
            conn.multiplexed.store(true, Ordering::Relaxed);
            let served = h2.serve_connection(io, service);
            tokio::pin!(served);
            watched(&conn, served, |c| c.graceful_shutdown()).await
        }
        _ => {
            let served = servers.http1.serve_connection(io, service).with_upgrades();
            tokio::pin!(served);
            watched(&conn, served, |c| c.graceful_shutdown()).await
        }
    };
    let res = res.map(|r| r.map_err(Box::<dyn StdError + Send + Sync>::from));
    if let Some(Err(e)) = res {
        connection_error(&shared.stats, &*e);
    }
}

/// Polls `served` until it ends (`Some`) or the watchdog asks for the connection to close
/// (`None`); a graceful close asked for is passed on through `graceful`, once.
async fn watched<F: Future>(
    conn: &ConnInfo,
    mut served: Pin<&mut F>,
    graceful: impl Fn(Pin<&mut F>),
) -> Option<F::Output> {
    let mut shutting_down = false;
    std::future::poll_fn(|cx| {
        // Registered before the flag is read: an ask made in between still wakes this task.
        conn.attention.waker.register(cx.waker());
        match conn.attention.asked() {
            Ask::Close => return Poll::Ready(None),
            Ask::Graceful if !shutting_down => {
                shutting_down = true;
                graceful(served.as_mut());
            }
            _ => {}
        }
        served.as_mut().poll(cx).map(Some)
    })
    .await
}

/// Watches one connection while it is served: closes it when a request head takes longer
/// than `timeouts.header_read` to arrive, ends the wait of an HTTP/1 request whose upstream
/// has not answered within `timeouts.upstream_response`, closes it gracefully once it has been quiet for
/// `timeouts.idle` (and at once after a further idle period, for a peer that ignores the
/// graceful close), and passes on the proxy's drain and close. Ends with the connection.
async fn watchdog(shared: Arc<Shared>, conn: Arc<ConnInfo>, mut ended: oneshot::Receiver<()>) {
    let idle = shared.config.timeouts.idle;
    let header_read = shared.config.timeouts.header_read;
    let upstream_response = shared.config.timeouts.upstream_response;
    let mut upstream_watch = Watch::default();
    let mut ticker = tokio::time::interval(
        (idle.min(header_read).min(upstream_response) / 4)
            .clamp(Duration::from_millis(20), Duration::from_secs(5)),
    );
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut phase = conn.phase.clone();
    let mut last_activity = conn.activity();
    let mut quiet_since = clock::now();
    let mut closing_since = None;
    if *phase.borrow_and_update() != Phase::Running {
        conn.attention.ask(Ask::Graceful);
        closing_since = Some(clock::now());
    }
    let mut phase_open = true;
    loop {
        tokio::select! {
            _ = &mut ended => return,
            changed = phase.changed(), if phase_open => {
                if changed.is_err() {
                    phase_open = false;
                    continue;
                }
                let now = *phase.borrow_and_update();
                match now {
                    Phase::Running => {}
                    Phase::Draining => {
                        if closing_since.is_none() {
                            conn.attention.ask(Ask::Graceful);
                            closing_since = Some(clock::now());
                        }
                    }
                    Phase::Closing => return conn.attention.ask(Ask::Close),
                }
            }
            _ = ticker.tick() => {
                let now = clock::now();
                // The HTTP/1 request waiting too long for its upstream gets its 504.
                upstream_watch.look(&conn.upstream_wait, now, upstream_response);
                // A head that has been arriving for too long (a client trickling it byte by
                // byte keeps the connection busy, so the idle timeout never comes).
                if conn.inflight() == 0
                    && conn.head_reading_for().is_some_and(|t| t >= header_read)
                {
                    stats::inc(&shared.stats.timeouts);
                    tracing::debug!("client did not send a request head in time");
                    return conn.attention.ask(Ask::Close);
                }
                let seen = conn.activity();
                if seen != last_activity || conn.inflight() > 0 {
                    last_activity = seen;
                    quiet_since = now;
                    continue;
                }
                let quiet_for = now.saturating_duration_since(quiet_since);
                match closing_since {
                    None if quiet_for >= idle => {
                        stats::inc(&shared.stats.idle_closed);
                        conn.attention.ask(Ask::Graceful);
                        closing_since = Some(now);
                    }
                    // A peer that ignores a graceful close (an HTTP/2 client keeping an idle
                    // connection open after GOAWAY) is cut after a further idle period.
                    Some(since) if now.saturating_duration_since(since) >= idle => {
                        return conn.attention.ask(Ask::Close)
                    }
                    _ => {}
                }
            }
        }
    }
}

/// What a connection's watchdog asks of the task serving it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    /// Nothing: serve on.
    Nothing = 0,
    /// Finish the requests in flight, take no more, then close.
    Graceful = 1,
    /// Close now.
    Close = 2,
}

/// The watchdog's request and the waker of the task serving the connection.
#[derive(Default)]
struct Attention {
    asked: AtomicU8,
    waker: AtomicWaker,
}

impl Attention {
    /// Asks for `what` (a later, stronger ask wins) and wakes the serving task.
    fn ask(&self, what: Ask) {
        self.asked.fetch_max(what as u8, Ordering::Release);
        self.waker.wake();
    }

    fn asked(&self) -> Ask {
        match self.asked.load(Ordering::Acquire) {
            0 => Ask::Nothing,
            1 => Ask::Graceful,
            _ => Ask::Close,
        }
    }
}

/// Counts and logs an error that ended a client connection.
fn connection_error(stats: &Stats, err: &(dyn StdError + Send + Sync + 'static)) {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(h) = e.downcast_ref::<hyper::Error>() {
            if h.is_timeout() {
                stats::inc(&stats.timeouts);
                tracing::debug!("client did not send a request head in time");
                return;
            }
        }
        cur = e.source();
    }
    tracing::debug!(error = %err, "client connection ended with an error");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> ConnInfo {
        let addr: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let (_, phase) = watch::channel(Phase::Running);
        let (tracker, _) = mpsc::channel(1);
        ConnInfo::new(addr, addr, Scheme::Http, Arc::default(), phase, tracker)
    }

    #[test]
    fn each_host_of_a_connection_is_normalised_and_validated_as_its_own() {
        let c = conn();
        let a = HeaderValue::from_static("API.Example.test.:8080");
        let b = HeaderValue::from_static("other.test");
        assert_eq!(c.normalized_host(&a).as_deref(), Some("api.example.test"));
        assert!(!c.is_known_host(&a), "not validated yet");
        c.remember_host(&a);
        assert!(c.is_known_host(&a));
        assert_eq!(c.normalized_host(&a).as_deref(), Some("api.example.test"));
        // Another host on the same connection is neither taken for the first nor valid yet.
        assert_eq!(c.normalized_host(&b).as_deref(), Some("other.test"));
        assert!(!c.is_known_host(&b));
        assert!(!c.is_known_host(&a));
        c.remember_host(&b);
        assert!(c.is_known_host(&b));
        assert_eq!(c.normalized_host(&HeaderValue::from_static(":80")), None);
    }
}
