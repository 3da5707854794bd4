//! The crate's error type: what can stop the proxy from starting or serving.

use std::net::SocketAddr;

use crate::config::ConfigError;

/// Why the proxy could not be built or started. Per-request trouble is never an error here:
/// it becomes a response (see `fail.rs`).
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// The configuration is invalid.
    #[error("invalid proxy configuration:\n{0}")]
    Config(#[from] ConfigError),
    /// A certificate or key could not be loaded.
    #[error("{field}: {message}\n  fix: give PEM files that exist and belong together (the key must match the certificate)")]
    Tls {
        /// The setting, e.g. `listen[1].tls.certs[0].key`.
        field: String,
        /// What went wrong.
        message: String,
    },
    /// A listener could not bind its address.
    #[error("listen {addr}: {source}\n  fix: choose a free port, or stop whatever holds it")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// Another I/O failure while starting (the `on_done` thread could not start).
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
