//! Rampart's outside-in scanner: look at explicitly named targets through an attacker's eyes.
//!
//! [`scan`] takes [`Target`]s (hosts, `host:port`, URLs, CIDR ranges, read by
//! [`parse_target`]) and [`ScanOptions`], tries each port under a concurrency and a
//! requests-per-second limit, and on every service that answers runs the checks:
//!
//! - **TLS** (`tls`): the certificate chain judged with x509-parser and against the trusted
//!   roots (expired, not yet valid, expiring soon, self-signed, untrusted, wrong name, weak key
//!   or signature), and a hand-built ClientHello for TLS 1.0 / 1.1 ([`tls::legacy`]).
//! - **API exposure** (`open_docs`, `openapi`): OpenAPI / Swagger documents and UIs served to
//!   anyone, their GET operations tried without credentials (an answer with data is an
//!   unauthenticated API, with the data classes found by the injected [`Classify`]), GraphQL
//!   introspection.
//! - **Exposed files** (`exposed_files`): keys, `.env`, git metadata, dumps, actuators,
//!   confirmed by content and against the host's answer to a random missing path.
//! - **Log4Shell** (`log4shell`): JNDI payloads with unique tokens and a built-in LDAP and DNS
//!   callback listener; a finding only on a confirmed callback.
//! - **Headers** (`headers`): version banners, missing security headers on API answers, CORS
//!   with credentials, HTTP without TLS.
//!
//! Every problem is a [`Finding`] with a stable id, so scans can be compared. Only read-only
//! requests are sent (GET, HEAD, OPTIONS), except one POST: the GraphQL introspection query.
//! Whatever a target sends is bounded (body caps, timeouts) and escaped before it is shown;
//! evidence never carries a secret or a personal value.

mod error;
mod exposed_files;
mod finding;
mod headers;
mod http;
mod limiter;
mod log4shell;
mod open_docs;
mod openapi;
mod options;
mod scanner;
mod service;
pub mod target;
pub mod tls;

pub use error::ScanError;
pub use finding::{finding_id, Finding, FindingKind, MAX_EVIDENCE};
pub use options::{
    Classify, Log4ShellOptions, OnProgress, Progress, ScanOptions, SensitiveHit, DEFAULT_MAX_BODY,
};
pub use scanner::{scan, ScanReport, ServiceSummary};
pub use target::{parse_ports, parse_target, parse_targets_file, Hosts, Scheme, Target};
