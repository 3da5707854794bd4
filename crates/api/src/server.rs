//! The listener: binds, accepts up to [`MAX_CONNECTIONS`] connections, serves HTTP/1.1 with
//! hyper under timeouts, and shuts down gracefully.
//!
//! HTTP/1.1 only: curl, Prometheus and dashboards speak it, and a management port needs no
//! more surface than that. A client has [`HEADER_READ_TIMEOUT`] to send each request head
//! (hyper also applies it while a kept-alive connection waits for the next request, so idle
//! connections close), and each request gets [`REQUEST_TIMEOUT`] to be answered, body read
//! included.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use http::StatusCode;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::auth::Token;
use crate::config::{is_loopback, ApiConfig};
use crate::control::Control;
use crate::error::{ApiError, HttpError};
use crate::routes::app;

/// Largest request body read, in bytes (64 KiB); larger ones are answered 413.
pub const BODY_LIMIT: usize = 64 * 1024;
/// Time a client has to send a request's head.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Time a request has to be answered, its body read included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections served at once; further clients wait to be accepted.
pub const MAX_CONNECTIONS: usize = 64;
/// Time in-flight requests get to finish after shutdown is asked for.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// Largest request head buffered, in bytes.
const MAX_HEAD_BYTES: usize = 16 * 1024;

/// The management API, bound and ready to run.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    local: SocketAddr,
    token: Option<Token>,
}

impl Server {
    /// Checks `config`, reads or creates the token, and binds the listener.
    pub async fn bind(config: &ApiConfig) -> Result<Self, ApiError> {
        let token = config.resolve_token()?;
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| ApiError::Bind {
                listen: config.listen,
                source,
            })?;
        let local = listener.local_addr().unwrap_or(config.listen);
        if token.is_none() {
            tracing::warn!(
                listen = %local,
                "management API: no token configured; answering only /healthz and /readyz \
                 (set api.token_file to enable the rest)"
            );
        } else if !is_loopback(local) {
            tracing::info!(listen = %local, "management API: listening off loopback, token required");
        }
        tracing::info!(listen = %local, "management API listening");
        Ok(Self {
            listener,
            local,
            token,
        })
    }

    /// The address actually bound (the port chosen when the configuration said 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Serves until `shutdown` completes, then stops accepting, lets in-flight requests
    /// finish for up to [`SHUTDOWN_GRACE`], and returns.
    pub async fn run(
        self,
        control: Arc<dyn Control>,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), ApiError> {
        let router = app(control, self.token);
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        let (stop, stopping) = watch::channel(false);
        let mut connections = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            while connections.try_join_next().is_some() {}
            let permit = tokio::select! {
                permit = slots.clone().acquire_owned() => match permit {
                    Ok(p) => p,
                    Err(_) => break,
                },
                () = &mut shutdown => break,
            };
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _peer)) => {
                        let router = router.clone();
                        let stopping = stopping.clone();
                        connections.spawn(async move {
                            connection(stream, router, stopping).await;
                            drop(permit);
                        });
                    }
                    Err(e) => {
                        // Out of file descriptors and the like: wait a little rather than spin.
                        tracing::warn!(error = %e, "management API: accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                () = &mut shutdown => break,
            }
        }
        drop(self.listener);
        let _ = stop.send(true);
        let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
            while connections.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!("management API: closing connections still busy after the grace period");
            connections.shutdown().await;
        }
        tracing::info!("management API stopped");
        Ok(())
    }
}

/// Checks `config`, binds, and serves `control` until `shutdown` completes.
pub async fn serve(
    config: ApiConfig,
    control: Arc<dyn Control>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ApiError> {
    Server::bind(&config).await?.run(control, shutdown).await
}

/// Serves one connection until it closes or the server stops.
async fn connection(stream: TcpStream, router: Router, mut stopping: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(MAX_HEAD_BYTES)
        .keep_alive(true);
    let conn = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(router));
    tokio::pin!(conn);
    tokio::select! {
        res = conn.as_mut() => {
            if let Err(e) = res {
                tracing::debug!(error = %e, "management API: connection ended with an error");
            }
            return;
        }
        _ = stopping.wait_for(|s| *s) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

/// Middleware: a request not answered within [`REQUEST_TIMEOUT`] gets 503.
pub(crate) async fn timeout(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the request was not answered within {} s",
                REQUEST_TIMEOUT.as_secs()
            ),
            "retry; if it keeps happening, see Rampart's log",
        )
        .into_response(),
    }
}
