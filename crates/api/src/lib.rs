//! Rampart's management HTTP API, on its own listener (127.0.0.1:9901 by default).
//!
//! - [`Control`] is everything the API can see and do in the running system: metrics,
//!   readiness, the inventory, alerts, decisions, reload. The proxy (or a test) implements it;
//!   this crate depends on neither the engine nor the proxy.
//! - [`app`] builds the axum [`Router`](axum::Router) of every endpoint (see
//!   `docs/management-api.md` and the OpenAPI 3.1 document served at `/api/v1/openapi.json`,
//!   [`OPENAPI`]); [`serve`] (or [`Server::bind`] then [`Server::run`]) runs it with hyper on
//!   tokio, with timeouts, a connection cap and graceful shutdown.
//! - [`ApiConfig`] is the `api:` section of the configuration; [`ApiConfig::check`] refuses a
//!   listener outside loopback without a [`Token`], and [`ApiConfig::resolve_token`] reads the
//!   token file or creates it (mode 0600) with a random token.
//! - Every endpoint but `/healthz` and `/readyz` needs `Authorization: Bearer <token>`; the
//!   token is compared through a fixed-length digest in constant time and is never logged.
//!   Without a configured token the API answers only those two.
//! - [`metrics`] is a small Prometheus text writer ([`MetricsWriter`], [`Histogram`]) the
//!   caller uses to build [`Control::metrics`].
//!
//! Errors answer JSON `{"error": ..., "fix": ...}` (plus `field` for a bad value, `problems`
//! for a refused reload) with the status that fits; see [`HttpError`]. Startup problems are an
//! [`ApiError`], each with its fix.

mod auth;
mod config;
mod control;
mod error;
pub mod metrics;
mod parse;
mod reply;
mod routes;
mod server;
mod stats;
mod token;

pub use auth::Token;
pub use config::{ApiConfig, DEFAULT_LISTEN};
pub use control::{AlertFilter, Control, DEFAULT_ALERT_LIMIT, MAX_ALERT_LIMIT};
pub use error::{ApiError, HttpError};
pub use metrics::{Histogram, MetricsWriter};
pub use routes::{app, OPENAPI};
pub use server::{
    serve, Server, BODY_LIMIT, HEADER_READ_TIMEOUT, MAX_CONNECTIONS, REQUEST_TIMEOUT,
    SHUTDOWN_GRACE,
};
