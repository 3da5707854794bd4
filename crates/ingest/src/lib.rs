//! Rampart's traffic sources: every input format becomes a stream of [`Exchange`]s.
//!
//! - HAR 1.2 files (browsers, Burp, ZAP, mitmproxy), read entry by entry ([`har`]);
//! - nginx and Apache access logs in any `log_format` / `LogFormat` ([`nginx`], [`apache`]),
//!   and AWS ALB logs ([`alb`]);
//! - JSON lines named after the OpenTelemetry HTTP semantic conventions ([`otel`]);
//! - any other JSON access log through a field mapping, with presets for Caddy, Traefik, Envoy,
//!   Kong and API Gateway ([`mapping`]).
//!
//! Every source streams (constant memory whatever the input size), reads gzip transparently and
//! accepts `-` for stdin. A record that cannot be read is a [`BadRecord`] with its source and
//! line; reading goes on with the next one.

pub mod alb;
pub mod apache;
mod client;
mod detect;
pub mod har;
mod input;
mod json_value;
pub mod mapping;
pub mod nginx;
pub mod otel;
pub mod record_error;
mod sources;
mod url_parts;

use std::fmt;

use ipnet::IpNet;
pub use rampart_core::Exchange;

pub use client::resolve_client;
pub use mapping::FieldMapping;
pub use sources::open_reader;

/// A record that could not be read: where and why. Reading went on past it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRecord {
    /// The input's name (a path, or `-`).
    pub source: String,
    /// 1-based line (for HAR, the line where the entry starts); 0 when unknown.
    pub line: u64,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for BadRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.source, self.line, self.reason)
        } else {
            write!(f, "{}: {}", self.source, self.reason)
        }
    }
}

/// How far a source has read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Bytes read from the input (compressed bytes for gzip).
    pub bytes_read: u64,
    /// Size of the input when known (files, not stdin).
    pub bytes_total: Option<u64>,
    /// Records (exchanges and bad records) produced.
    pub records: u64,
}

/// A stream of exchanges from one input.
pub trait Source {
    /// The input's name, for messages.
    fn name(&self) -> &str;
    /// The next exchange, a record that could not be read, or `None` at the end.
    fn next(&mut self) -> Option<Result<Exchange, BadRecord>>;
    /// How far reading has come.
    fn progress(&self) -> Progress;
    /// The format being read (after detection).
    fn format(&self) -> &str;
}

/// Input formats.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Format {
    /// Detect from the first bytes.
    #[default]
    Auto,
    /// HAR 1.2.
    Har,
    /// nginx / Apache text access log (`log_format` from the options, `combined` by default).
    Nginx,
    /// OpenTelemetry-named JSON lines.
    OtelJsonl,
    /// AWS Application Load Balancer access log.
    Alb,
    /// JSON lines read through a field mapping.
    Mapped(Box<FieldMapping>),
}

/// How to read inputs.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// The format, or `Auto`.
    pub format: Format,
    /// nginx `log_format` or Apache `LogFormat` string for text logs (`combined` by default;
    /// the nicknames `combined`, `common` and `main` are understood).
    pub log_format: Option<String>,
    /// Peers whose forwarding headers are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Longest line read; longer lines are skipped and reported.
    pub max_line_bytes: usize,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            format: Format::Auto,
            log_format: None,
            trusted_proxies: Vec::new(),
            max_line_bytes: 1024 * 1024,
        }
    }
}

/// Why an input could not be opened at all.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The file could not be opened.
    #[error("cannot open {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The `log_format` string does not compile.
    #[error("log format: {0}")]
    LogFormat(String),
}

/// Opens an input by path (`-` for stdin) with the given options.
pub fn open(path: &str, options: &IngestOptions) -> Result<Box<dyn Source>, OpenError> {
    let opened = input::open_path(path).map_err(|source| OpenError::Io {
        path: path.to_owned(),
        source,
    })?;
    sources::open_opened(path, opened, options)
}
