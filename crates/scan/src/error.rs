//! The scanner's error type: what stops a scan before it starts. Trouble with one target
//! (a refused connection, a garbled answer) is never an error: it is counted and the scan goes on.

use std::path::PathBuf;

/// Why a scan could not start.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// A target could not be read.
    #[error("bad target {target:?}: {reason}")]
    Target {
        /// The target as given.
        target: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The port list could not be read.
    #[error("bad port list {spec:?}: {reason}")]
    Ports {
        /// The list as given.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The targets expand to more addresses than allowed.
    #[error("the targets expand to {found} addresses, more than the limit of {limit}: name smaller ranges or raise --max-hosts")]
    TooManyHosts {
        /// Addresses the targets expand to.
        found: u128,
        /// The limit.
        limit: u64,
    },
    /// The CA bundle could not be read.
    #[error("cannot read the CA bundle {path}: {reason}")]
    CaBundle {
        /// The bundle's path.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The callback listener could not be started.
    #[error("cannot start the Log4Shell callback listener on {addr}: {source}")]
    Callback {
        /// The address to bind.
        addr: String,
        /// The socket error.
        source: std::io::Error,
    },
    /// An option is out of range.
    #[error("bad option: {0}")]
    Option(String),
}
