//! Rampart's inline data plane: a streaming reverse proxy with phase hooks.
//!
//! - [`ProxyConfig`] (YAML, checked by [`ProxyConfig::validate`]) names the listeners (plain
//!   or TLS with SNI certificates), the routes (host, then longest path prefix), the upstream
//!   pools, trusted proxies, timeouts and limits.
//! - [`Proxy::new`] builds the proxy around a [`Phases`] hook; [`Proxy::bind`] opens the
//!   listeners and [`BoundProxy::serve`] runs until a shutdown future resolves, then drains.
//! - Each request gets one [`RequestCtx`]; [`Phases::on_request_head`] returns a [`Verdict`]
//!   (continue, respond, delay) and [`Phases::on_done`] receives a [`Completed`] record once
//!   the response has streamed, which [`Completed::to_exchange`] turns into the
//!   [`rampart_core::Exchange`] the engine observes.
//! - Bodies always stream; only the first `inspect_body_bytes` are copied ([`BodySample`]).
//! - Hooks fail open: a panic or error is caught, counted in [`ProxyStats::hook_failures`]
//!   and logged, and the request goes on.
//!
//! ```no_run
//! use std::sync::Arc;
//! use rampart_proxy::{NoopPhases, Proxy, ProxyConfig};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = ProxyConfig::from_yaml(
//!     "listen: [{addr: 127.0.0.1:8080}]\n\
//!      routes: [{path_prefix: /, upstream: app}]\n\
//!      upstreams: {app: {servers: [127.0.0.1:9000]}}\n",
//! )?;
//! let proxy = Proxy::new(config, Arc::new(NoopPhases))?;
//! proxy.run(std::future::pending::<()>()).await?;
//! # Ok(()) }
//! ```

mod body;
mod clock;
pub mod config;
pub mod deceive;
mod error;
mod exchange;
mod fail;
mod forwarded;
pub mod guard;
mod handler;
mod io;
mod listener;
mod phases;
mod priority;
mod protocol;
mod record;
mod route;
mod server;
mod stats;
mod tls;
pub mod units;
mod upstream;
mod upstream_wait;
mod websocket;

pub use config::{ConfigError, FailMode, ProxyConfig};
pub use error::ProxyError;
pub use exchange::build_exchange;
pub use guard::{Guard, GuardOptions, GuardStats, EVENT_TIME_HEADER};
pub use phases::{
    BodySample, Completed, DelayGuard, HookError, LocalResponse, NoopPhases, Outcome, Phases,
    RequestCtx, RouteInfo, Scheme, Verdict,
};
pub use priority::InspectPriority;
pub use server::{BoundProxy, Drained, Proxy};
pub use stats::ProxyStats;
