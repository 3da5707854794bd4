//! What a scan is told: ports, limits, timeouts, the TLS and Log4Shell settings, and the
//! injected sensitive-data classifier.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::target::DEFAULT_PORTS;

/// One class of sensitive data found in a response, as the injected classifier reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensitiveHit {
    /// The class (`email`, `card_number`, ...).
    pub class: String,
    /// A redacted example, safe to show and store (never the value).
    pub redacted: String,
}

/// The sensitive-data classifier, injected by the caller (the scanner depends only on core;
/// the CLI passes discover's classifier). Given a response body, it returns one hit per value.
pub type Classify = Arc<dyn Fn(&[u8]) -> Vec<SensitiveHit> + Send + Sync>;

/// Called as the scan goes on.
pub type OnProgress = Arc<dyn Fn(Progress) + Send + Sync>;

/// How far a scan is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Ports tried so far.
    pub done: u64,
    /// Ports to try.
    pub total: u64,
    /// Ports found open.
    pub open: u64,
    /// Findings so far.
    pub findings: u64,
}

/// The Log4Shell check's settings.
#[derive(Debug, Clone)]
pub struct Log4ShellOptions {
    /// Whether to run it.
    pub enabled: bool,
    /// The address the LDAP callback listener binds and payloads name (port 0: a free port).
    /// The DNS listener binds the same address on a free UDP port.
    pub callback: SocketAddr,
    /// How long to wait after the last payload for late callbacks.
    pub grace: Duration,
}

impl Default for Log4ShellOptions {
    fn default() -> Self {
        Self {
            enabled: true,
            callback: SocketAddr::from(([127, 0, 0, 1], 0)),
            grace: Duration::from_secs(5),
        }
    }
}

/// Everything a scan needs besides its targets.
#[derive(Clone)]
pub struct ScanOptions {
    /// Ports tried on targets that name none.
    pub ports: Vec<u16>,
    /// Connections open at once.
    pub concurrency: usize,
    /// Connection attempts per second, over the whole scan.
    pub rate: u32,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for one request, from connecting to the last byte read.
    pub request_timeout: Duration,
    /// Most bytes of a response body read.
    pub max_body: usize,
    /// Most addresses the targets may expand to.
    pub max_hosts: u64,
    /// Warn about certificates expiring within this many days.
    pub expiry_days: u32,
    /// PEM file of trusted roots instead of the system's.
    pub ca_bundle: Option<PathBuf>,
    /// Documented GET operations tried without credentials, per document.
    pub max_operations: usize,
    /// The Log4Shell check.
    pub log4shell: Log4ShellOptions,
    /// The sensitive-data classifier; `None`: data classes are not reported.
    pub classify: Option<Classify>,
    /// Progress reports.
    pub on_progress: Option<OnProgress>,
    /// The wall clock, Unix milliseconds (certificate dates are judged against it).
    pub now_ms: i64,
}

impl fmt::Debug for ScanOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScanOptions")
            .field("ports", &self.ports.len())
            .field("concurrency", &self.concurrency)
            .field("rate", &self.rate)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("max_body", &self.max_body)
            .field("expiry_days", &self.expiry_days)
            .field("ca_bundle", &self.ca_bundle)
            .field("log4shell", &self.log4shell)
            .field("classify", &self.classify.is_some())
            .finish()
    }
}

/// The default body cap: 1 MiB.
pub const DEFAULT_MAX_BODY: usize = 1 << 20;

impl ScanOptions {
    /// Safe defaults: ports 80, 443, 8080 and 8443, 32 connections, 100 connections per
    /// second, 3 s to connect, 10 s per request, 1 MiB bodies, 30 days of expiry warning.
    pub fn new(now_ms: i64) -> Self {
        Self {
            ports: DEFAULT_PORTS.to_vec(),
            concurrency: 32,
            rate: 100,
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(10),
            max_body: DEFAULT_MAX_BODY,
            max_hosts: 65_536,
            expiry_days: 30,
            ca_bundle: None,
            max_operations: 20,
            log4shell: Log4ShellOptions::default(),
            classify: None,
            on_progress: None,
            now_ms,
        }
    }
}
