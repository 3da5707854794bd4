//! The proxy object: built from a checked config and a [`Phases`] hook, bound to its
//! listeners, served until a shutdown future resolves, then drained within a deadline.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio_rustls::TlsAcceptor;

use crate::config::ProxyConfig;
use crate::error::ProxyError;
use crate::listener::{self, ListenerState, Phase};
use crate::phases::Phases;
use crate::record::DoneQueue;
use crate::route::Router;
use crate::stats::{ProxyStats, Stats};
use crate::tls;
use crate::upstream::Upstreams;

/// Everything the connection tasks share.
pub(crate) struct Shared {
    pub(crate) config: ProxyConfig,
    pub(crate) router: Router,
    pub(crate) upstreams: Upstreams,
    pub(crate) phases: Arc<dyn Phases>,
    pub(crate) stats: Arc<Stats>,
    pub(crate) done: DoneQueue,
    pub(crate) listeners: Vec<ListenerState>,
    pub(crate) next_id: AtomicU64,
}

/// The reverse proxy. Cheap to clone: clones share listeners' settings, pools and counters.
#[derive(Clone)]
pub struct Proxy {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy")
            .field("listen", &self.shared.config.listen)
            .finish_non_exhaustive()
    }
}

/// How serving ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drained {
    /// Every in-flight request finished before the deadline.
    Clean,
    /// The shutdown deadline passed and the remaining connections were closed.
    DeadlinePassed,
}

impl Proxy {
    /// Builds the proxy: validates the config, loads certificates, prepares pools and starts
    /// the `on_done` thread. Nothing listens until [`Proxy::bind`].
    pub fn new(config: ProxyConfig, phases: Arc<dyn Phases>) -> Result<Self, ProxyError> {
        config.validate()?;
        let upstreams = Upstreams::new(&config.upstreams, &config.timeouts);
        let router = Router::new(&config.routes, |name| upstreams.index_of(name));
        let mut listeners = Vec::with_capacity(config.listen.len());
        for (i, l) in config.listen.iter().enumerate() {
            let acceptor = match &l.tls {
                Some(t) => Some(TlsAcceptor::from(tls::server_config(
                    t,
                    l.http2,
                    &format!("listen[{i}].tls"),
                )?)),
                None => None,
            };
            listeners.push(ListenerState {
                addr: l.addr,
                tls: acceptor,
                http: crate::protocol::HttpServers::new(&config, l.http2),
            });
        }
        let stats = Arc::new(Stats::default());
        let done = DoneQueue::start(
            phases.clone(),
            stats.clone(),
            config.done_queue,
            config.inspect_nice,
        )?;
        Ok(Self {
            shared: Arc::new(Shared {
                config,
                router,
                upstreams,
                phases,
                stats,
                done,
                listeners,
                next_id: AtomicU64::new(1),
            }),
        })
    }

    /// The configuration the proxy runs with.
    pub fn config(&self) -> &ProxyConfig {
        &self.shared.config
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> ProxyStats {
        self.shared.stats.snapshot()
    }

    /// Hands every finished request still queued for inspection to `on_done` on the calling
    /// thread (blocking until done) and returns how many. For shutdown, once serving has
    /// stopped: the inspection thread runs on spare CPU only (`inspect_nice: idle`), which a
    /// busy host may not leave it.
    pub fn inspect_queued(&self) -> usize {
        self.shared.done.deliver_queued()
    }

    /// Binds every listener. Port 0 gets a free port; [`BoundProxy::local_addrs`] tells which.
    pub async fn bind(&self) -> Result<BoundProxy, ProxyError> {
        let mut sockets = Vec::with_capacity(self.shared.listeners.len());
        for (i, l) in self.shared.listeners.iter().enumerate() {
            let tcp = TcpListener::bind(l.addr)
                .await
                .map_err(|source| ProxyError::Bind {
                    addr: l.addr,
                    source,
                })?;
            let local = tcp.local_addr().map_err(|source| ProxyError::Bind {
                addr: l.addr,
                source,
            })?;
            sockets.push((i, tcp, local));
        }
        Ok(BoundProxy {
            shared: self.shared.clone(),
            sockets,
        })
    }

    /// Binds and serves until `shutdown` resolves (see [`BoundProxy::serve`]).
    pub async fn run(&self, shutdown: impl Future<Output = ()>) -> Result<Drained, ProxyError> {
        Ok(self.bind().await?.serve(shutdown).await)
    }
}

/// A proxy whose listeners are bound, ready to serve.
#[derive(Debug)]
pub struct BoundProxy {
    shared: Arc<Shared>,
    sockets: Vec<(usize, TcpListener, SocketAddr)>,
}

impl BoundProxy {
    /// The bound addresses, in `listen:` order.
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.sockets.iter().map(|(_, _, a)| *a).collect()
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests finish
    /// for up to `timeouts.shutdown`, and closes what is left.
    pub async fn serve(self, shutdown: impl Future<Output = ()>) -> Drained {
        let (phase_tx, phase_rx) = watch::channel(Phase::Running);
        let (tracker, mut drained) = mpsc::channel::<()>(1);
        for (index, tcp, addr) in self.sockets {
            tracing::info!(%addr, "listening");
            tokio::spawn(listener::accept_loop(
                self.shared.clone(),
                index,
                tcp,
                phase_rx.clone(),
                tracker.clone(),
            ));
        }
        drop(tracker);
        drop(phase_rx);
        shutdown.await;
        tracing::info!("shutting down: no longer accepting, draining in-flight requests");
        let _ = phase_tx.send(Phase::Draining);
        let deadline = self.shared.config.timeouts.shutdown;
        if tokio::time::timeout(deadline, drained.recv()).await.is_ok() {
            return Drained::Clean;
        }
        tracing::warn!(
            ?deadline,
            "shutdown deadline passed; closing remaining connections"
        );
        let _ = phase_tx.send(Phase::Closing);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), drained.recv()).await;
        Drained::DeadlinePassed
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}
