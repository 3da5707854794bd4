//! The proxy's configuration: listeners, routes, upstream pools, trust, timeouts and limits.
//!
//! Read from YAML with [`ProxyConfig::from_yaml`] (or embedded in a larger file and checked with
//! [`ProxyConfig::validate`]). Every setting but the listeners, routes and upstreams has a
//! default; unknown keys are errors. Validation collects every problem at once, each naming the
//! field, what is wrong and how to fix it.
//!
//! ```yaml
//! listen:
//!   - addr: 0.0.0.0:8080
//!   - addr: 0.0.0.0:8443
//!     tls:
//!       certs:
//!         - { cert: api.pem, key: api.key, server_names: [api.example.com] }
//! routes:
//!   - { host: api.example.com, path_prefix: /, upstream: api }
//! upstreams:
//!   api: { servers: [127.0.0.1:9000, "http://127.0.0.1:9001"] }
//! trusted_proxies: [10.0.0.0/8]
//! timeouts: { header_read: 10s, idle: 60s, upstream_connect: 5s, upstream_response: 60s }
//! limits: { max_header_bytes: 64KiB, max_body_bytes: 10MiB }
//! ```

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use http::uri::Authority;
use rampart_core::BODY_SAMPLE_LIMIT;
use serde::{Deserialize, Serialize};

use crate::priority::InspectPriority;
use crate::units;

/// The whole proxy configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProxyConfig {
    /// Addresses to accept client connections on, each plain or TLS.
    pub listen: Vec<Listener>,
    /// Which upstream serves a request, by host then longest path prefix.
    pub routes: Vec<Route>,
    /// Upstream pools by name.
    pub upstreams: BTreeMap<String, Pool>,
    /// Peers whose `X-Forwarded-For` / `Forwarded` headers are believed. From any other peer the
    /// incoming headers are replaced.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Client and upstream timeouts.
    pub timeouts: Timeouts,
    /// Size limits on requests.
    pub limits: Limits,
    /// How many leading bytes of each request and response body are copied for inspection
    /// (at most [`BODY_SAMPLE_LIMIT`], 0 turns sampling off). Bodies always stream.
    #[serde(with = "units::size")]
    pub inspect_body_bytes: u64,
    /// What a failing hook (panic or error) means for the request: `open` (default) lets it
    /// through, `closed` answers 503.
    pub on_hook_error: FailMode,
    /// Upper bound on a hook's `Delay` verdict, so a tarpit never holds a request forever.
    #[serde(with = "units::duration")]
    pub max_delay: Duration,
    /// Completed-request records waiting for `on_done`; past this they are dropped and counted,
    /// so a slow consumer never slows or grows the data path. Each record holds up to two body
    /// samples, so the default (1024) bounds the queue at about 128 MiB.
    pub done_queue: usize,
    /// How the thread that feeds finished exchanges to the engine is scheduled (Linux):
    /// `idle` (the default: only on CPU time requests leave over, giving the CPU up at once
    /// when a request is ready), or a niceness from 0 (the priority of requests) to 19. Under
    /// saturation the queue fills and the exchanges it cannot take are counted in
    /// `done_dropped`; requests are never slowed for inspection.
    pub inspect_nice: InspectPriority,
}

impl Default for ProxyConfig {
    fn default() -> Self {
        Self {
            listen: Vec::new(),
            routes: Vec::new(),
            upstreams: BTreeMap::new(),
            trusted_proxies: Vec::new(),
            timeouts: Timeouts::default(),
            limits: Limits::default(),
            inspect_body_bytes: BODY_SAMPLE_LIMIT as u64,
            on_hook_error: FailMode::Open,
            max_delay: Duration::from_secs(30),
            done_queue: 1024,
            inspect_nice: InspectPriority::Idle,
        }
    }
}

/// What a failure inside Rampart (a hook that panics or errors) does to the request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailMode {
    /// Let the request through as if the hook had said `Continue` (the default).
    #[default]
    Open,
    /// Refuse the request with `503 Service Unavailable`.
    Closed,
}

/// One listening socket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listener {
    /// Address and port, e.g. `0.0.0.0:8080` or `[::]:8443`; port 0 picks a free port.
    pub addr: SocketAddr,
    /// TLS termination; plain HTTP when absent.
    #[serde(default)]
    pub tls: Option<Tls>,
    /// Accept HTTP/2 (ALPN `h2` on TLS, prior-knowledge h2c on plain). On by default.
    #[serde(default = "yes")]
    pub http2: bool,
}

fn yes() -> bool {
    true
}

impl Listener {
    /// A plain-HTTP listener on `addr`.
    pub fn plain(addr: SocketAddr) -> Self {
        Self {
            addr,
            tls: None,
            http2: true,
        }
    }
}

/// TLS settings of a listener.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    /// Certificates, chosen by the client's SNI name; the first one is the default for clients
    /// that send no name or an unknown one.
    pub certs: Vec<CertFile>,
}

/// One certificate chain and its key, as PEM files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertFile {
    /// PEM file with the certificate chain, leaf first.
    pub cert: PathBuf,
    /// PEM file with the private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
    /// SNI names this certificate answers: exact (`api.example.com`) or one leading wildcard
    /// (`*.example.com`). May be empty for the default certificate.
    #[serde(default)]
    pub server_names: Vec<String>,
}

/// One route: requests for `host` (any host when absent) whose path starts with `path_prefix`
/// go to the pool `upstream`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Host to match, case-insensitive and without port; `*.example.com` matches any subdomain.
    #[serde(default)]
    pub host: Option<String>,
    /// Path prefix, starting with `/`; the longest matching prefix wins. `/` by default.
    #[serde(default = "root")]
    pub path_prefix: String,
    /// Name of a pool under `upstreams`.
    pub upstream: String,
}

fn root() -> String {
    "/".to_owned()
}

/// A pool of upstream servers, used round-robin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    /// Servers as `host:port` or `http://host:port`.
    pub servers: Vec<String>,
    /// How long a server that refused a connection is skipped.
    #[serde(default = "fail_timeout", with = "units::duration")]
    pub fail_timeout: Duration,
    /// Idle keep-alive connections kept per server.
    #[serde(default = "max_idle")]
    pub max_idle_per_server: usize,
    /// How long an idle upstream connection is kept for reuse.
    #[serde(default = "pool_idle", with = "units::duration")]
    pub idle_timeout: Duration,
}

fn fail_timeout() -> Duration {
    Duration::from_secs(10)
}
fn max_idle() -> usize {
    32
}
fn pool_idle() -> Duration {
    Duration::from_secs(90)
}

impl Pool {
    /// A pool of `servers` with default settings.
    pub fn new<S: Into<String>>(servers: impl IntoIterator<Item = S>) -> Self {
        Self {
            servers: servers.into_iter().map(Into::into).collect(),
            fail_timeout: fail_timeout(),
            max_idle_per_server: max_idle(),
            idle_timeout: pool_idle(),
        }
    }
}

/// Timeouts. Each must be above zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timeouts {
    /// Time a client has to send a complete request head (and to finish the TLS handshake).
    #[serde(with = "units::duration")]
    pub header_read: Duration,
    /// A client connection with no request in flight and no bytes moving for this long is closed.
    #[serde(with = "units::duration")]
    pub idle: Duration,
    /// Time to open a TCP connection to an upstream server.
    #[serde(with = "units::duration")]
    pub upstream_connect: Duration,
    /// Time from the request being sent in full to the upstream's response head; past it, 504.
    #[serde(with = "units::duration")]
    pub upstream_response: Duration,
    /// Longest pause between two pieces of a request body; past it the request fails with 408
    /// (a client trickling its body cannot hold a connection forever).
    #[serde(with = "units::duration")]
    pub request_body: Duration,
    /// On shutdown, how long in-flight requests may run before connections are closed.
    #[serde(with = "units::duration")]
    pub shutdown: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            idle: Duration::from_secs(60),
            upstream_connect: Duration::from_secs(5),
            upstream_response: Duration::from_secs(60),
            request_body: Duration::from_secs(30),
            shutdown: Duration::from_secs(30),
        }
    }
}

/// Size limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest request head (request line and headers); larger gets 431. At least 8 KiB.
    #[serde(with = "units::size")]
    pub max_header_bytes: u64,
    /// Largest request body: a larger `Content-Length` gets 413, a longer streamed body is cut
    /// off (413 if the upstream has not answered yet). 0 means no limit.
    #[serde(with = "units::size")]
    pub max_body_bytes: u64,
    /// Client connections open at once, over every listener; a connection accepted beyond it
    /// is closed at once and counted. 0 means no limit.
    pub max_connections: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_header_bytes: 64 * 1024,
            max_body_bytes: 10 * 1024 * 1024,
            max_connections: 100_000,
        }
    }
}

/// Smallest `max_header_bytes` the HTTP/1 parser accepts.
const MIN_HEADER_BYTES: u64 = 8192;

/// One problem in a proxy config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The setting, as a path: `routes[2].upstream`.
    pub field: String,
    /// Line in the YAML text (1-based) when known, else 0.
    pub line: u64,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

/// Every problem found in a proxy config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The problems, in the order the settings appear.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            if p.line > 0 {
                write!(f, "line {}: ", p.line)?;
            }
            write!(f, "{}: {}", p.field, p.message)?;
            if !p.fix.is_empty() {
                write!(f, "\n  fix: {}", p.fix)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

impl ProxyConfig {
    /// Parses YAML text and validates it.
    pub fn from_yaml(text: &str) -> Result<Self, ConfigError> {
        let config: ProxyConfig = serde_saphyr::from_str(text).map_err(|e| {
            let line = e.location().map(|l| l.line()).unwrap_or(0);
            let message = e.to_string();
            let message = message.lines().next().unwrap_or("").trim().to_owned();
            let fix = if message.contains("unknown field") {
                "remove the key or correct its spelling (see docs/proxy.md for every setting)"
            } else if message.contains("missing field") {
                "add the setting; docs/proxy.md shows an example"
            } else {
                "give the value the type the setting expects (see docs/proxy.md)"
            };
            ConfigError {
                problems: vec![Problem {
                    field: "proxy".into(),
                    line,
                    message,
                    fix: fix.into(),
                }],
            }
        })?;
        config.validate().map_err(|mut e| {
            for p in &mut e.problems {
                p.line = line_of(text, &p.field);
            }
            e
        })?;
        Ok(config)
    }

    /// Makes relative certificate paths relative to `base` (the config file's folder).
    pub fn resolve_paths(&mut self, base: &Path) {
        for listener in &mut self.listen {
            for cert in listener.tls.iter_mut().flat_map(|t| t.certs.iter_mut()) {
                for path in [&mut cert.cert, &mut cert.key] {
                    if path.is_relative() {
                        *path = base.join(&*path);
                    }
                }
            }
        }
    }

    /// Checks the settings that types cannot: references, ranges and formats. Certificate files
    /// are read later, when the proxy is built.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut out = Vec::new();
        let mut push = |field: String, message: String, fix: &str| {
            out.push(Problem {
                field,
                line: 0,
                message,
                fix: fix.to_owned(),
            })
        };

        if self.listen.is_empty() {
            push(
                "listen".into(),
                "no listener is configured".into(),
                "add `listen: [{addr: 0.0.0.0:8080}]`",
            );
        }
        let mut addrs = HashSet::new();
        for (i, l) in self.listen.iter().enumerate() {
            if l.addr.port() != 0 && !addrs.insert(l.addr) {
                push(
                    format!("listen[{i}].addr"),
                    format!("{} is listed twice", l.addr),
                    "give each listener its own address or port",
                );
            }
            let Some(tls) = &l.tls else { continue };
            if tls.certs.is_empty() {
                push(
                    format!("listen[{i}].tls.certs"),
                    "TLS is on but no certificate is given".into(),
                    "add `certs: [{cert: server.pem, key: server.key}]` or remove `tls`",
                );
            }
            for (j, c) in tls.certs.iter().enumerate() {
                for (k, name) in c.server_names.iter().enumerate() {
                    if let Err(why) = check_host_pattern(name) {
                        push(
                            format!("listen[{i}].tls.certs[{j}].server_names[{k}]"),
                            format!("`{name}` {why}"),
                            "write a DNS name such as `api.example.com` or `*.example.com`",
                        );
                    }
                }
            }
        }

        if self.routes.is_empty() {
            push(
                "routes".into(),
                "no route is configured, so every request would get 404".into(),
                "add `routes: [{path_prefix: /, upstream: NAME}]`",
            );
        }
        let mut seen = HashSet::new();
        for (i, r) in self.routes.iter().enumerate() {
            if let Some(host) = &r.host {
                if let Err(why) = check_host_pattern(host) {
                    push(
                        format!("routes[{i}].host"),
                        format!("`{host}` {why}"),
                        "write a host such as `api.example.com` or `*.example.com`, without port or scheme",
                    );
                }
            }
            if !r.path_prefix.starts_with('/') {
                push(
                    format!("routes[{i}].path_prefix"),
                    format!("`{}` does not start with `/`", r.path_prefix),
                    "write the prefix as a path, e.g. `/api`",
                );
            }
            if !self.upstreams.contains_key(&r.upstream) {
                let known: Vec<&str> = self.upstreams.keys().map(String::as_str).collect();
                let fix = if known.is_empty() {
                    format!(
                        "define it: `upstreams: {{{}: {{servers: [127.0.0.1:8080]}}}}`",
                        r.upstream
                    )
                } else {
                    format!(
                        "define it under `upstreams`, or use one of: {}",
                        known.join(", ")
                    )
                };
                push(
                    format!("routes[{i}].upstream"),
                    format!("no upstream is named `{}`", r.upstream),
                    &fix,
                );
            }
            let key = (
                r.host.as_deref().map(str::to_ascii_lowercase),
                r.path_prefix.clone(),
            );
            if !seen.insert(key) {
                push(
                    format!("routes[{i}]"),
                    "the same host and path_prefix appear in an earlier route, so this one never matches".into(),
                    "remove the duplicate or change its host or prefix",
                );
            }
        }

        for (name, pool) in &self.upstreams {
            if pool.servers.is_empty() {
                push(
                    format!("upstreams.{name}.servers"),
                    "the pool has no server".into(),
                    "add `servers: [127.0.0.1:8080]`",
                );
            }
            for (j, s) in pool.servers.iter().enumerate() {
                if let Err(why) = parse_server(s) {
                    push(
                        format!("upstreams.{name}.servers[{j}]"),
                        why,
                        "write `host:port` or `http://host:port`",
                    );
                }
            }
            if pool.fail_timeout.is_zero() {
                push(
                    format!("upstreams.{name}.fail_timeout"),
                    "must be above zero".into(),
                    "leave it out for the default (10s)",
                );
            }
        }

        let t = &self.timeouts;
        for (field, d) in [
            ("header_read", t.header_read),
            ("idle", t.idle),
            ("upstream_connect", t.upstream_connect),
            ("upstream_response", t.upstream_response),
            ("request_body", t.request_body),
            ("shutdown", t.shutdown),
        ] {
            if d.is_zero() {
                push(
                    format!("timeouts.{field}"),
                    "must be above zero".into(),
                    "leave it out for the default, or give a duration like `10s`",
                );
            }
        }

        if self.limits.max_header_bytes < MIN_HEADER_BYTES
            || self.limits.max_header_bytes > u64::from(u32::MAX)
        {
            push(
                "limits.max_header_bytes".into(),
                format!(
                    "{} is outside {MIN_HEADER_BYTES}..={}",
                    self.limits.max_header_bytes,
                    u32::MAX
                ),
                "use at least 8KiB (the default is 64KiB)",
            );
        }
        if self.inspect_body_bytes > BODY_SAMPLE_LIMIT as u64 {
            push(
                "inspect_body_bytes".into(),
                format!(
                    "{} is above the largest body sample an exchange carries ({BODY_SAMPLE_LIMIT})",
                    self.inspect_body_bytes
                ),
                "use at most 64KiB; bodies still stream in full, only the sample is capped",
            );
        }
        if !self.inspect_nice.is_valid() {
            push(
                "inspect_nice".into(),
                format!("{} is not a niceness from 0 to 19", self.inspect_nice),
                "leave it out for the default (`idle`: only spare CPU time), or 0 to run inspection at the priority of requests",
            );
        }
        if self.done_queue == 0 {
            push(
                "done_queue".into(),
                "must be at least 1".into(),
                "leave it out for the default (1024)",
            );
        }

        if out.is_empty() {
            Ok(())
        } else {
            Err(ConfigError { problems: out })
        }
    }
}

/// Checks a host or SNI pattern: a DNS name or IP literal, optionally with one leading `*.`.
fn check_host_pattern(pattern: &str) -> Result<(), &'static str> {
    let name = pattern.strip_prefix("*.").unwrap_or(pattern);
    if name.is_empty() {
        return Err("is empty");
    }
    if name.contains('*') {
        return Err("may only have a wildcard as its first label (`*.example.com`)");
    }
    if name.contains("://") || name.contains('/') {
        return Err("must be a bare host, without scheme or path");
    }
    if name.parse::<std::net::IpAddr>().is_ok() {
        return Ok(());
    }
    if name.contains(':') {
        return Err("must not carry a port");
    }
    let ok = name.split('.').all(|l| {
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    if ok {
        Ok(())
    } else {
        Err("is not a valid DNS name")
    }
}

/// Parses an upstream server into its authority (`host:port`, port 80 when absent).
pub(crate) fn parse_server(text: &str) -> Result<Authority, String> {
    let s = text.trim();
    let rest = if let Some((scheme, rest)) = s.split_once("://") {
        if !scheme.eq_ignore_ascii_case("http") {
            return Err(format!(
                "`{text}`: only plain http upstreams are supported, not `{scheme}`"
            ));
        }
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains('/') || rest.contains('?') {
            return Err(format!("`{text}`: an upstream server cannot carry a path"));
        }
        rest
    } else {
        s
    };
    if rest.is_empty() || rest.contains('@') {
        return Err(format!("`{text}` is not a server address"));
    }
    let authority: Authority = rest
        .parse()
        .map_err(|_| format!("`{text}` is not a server address"))?;
    let host_end = rest.rfind(']').map_or(0, |i| i + 1);
    if rest[host_end..].contains(':') {
        return match authority.port_u16() {
            Some(p) if p > 0 => Ok(authority),
            _ => Err(format!(
                "`{text}`: the port must be a number from 1 to 65535"
            )),
        };
    }
    format!("{}:80", authority.host())
        .parse()
        .map_err(|_| format!("`{text}` is not a server address"))
}

/// Best-effort line of a field in the YAML text: the last path segment's key.
fn line_of(text: &str, field: &str) -> u64 {
    let key = field
        .rsplit('.')
        .next()
        .unwrap_or(field)
        .split('[')
        .next()
        .unwrap_or("");
    if key.is_empty() {
        return 0;
    }
    let needle = format!("{key}:");
    text.lines()
        .position(|l| {
            let l = l.trim_start().trim_start_matches("- ");
            l.starts_with(&needle)
                || l.contains(&format!("{{{needle}"))
                || l.contains(&format!(" {needle}"))
        })
        .map(|i| i as u64 + 1)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "
listen:
  - addr: 127.0.0.1:8080
routes:
  - host: API.example.com
    path_prefix: /v1
    upstream: api
  - upstream: api
upstreams:
  api:
    servers: [127.0.0.1:9000, 'http://localhost:9001/']
    fail_timeout: 2s
trusted_proxies: [10.0.0.0/8]
timeouts: { header_read: 5s, upstream_response: 1500ms }
limits: { max_header_bytes: 16KiB, max_body_bytes: 1MB }
inspect_body_bytes: 4096
";

    #[test]
    fn a_full_config_parses_with_defaults_filled_in() {
        let c = ProxyConfig::from_yaml(GOOD).unwrap();
        assert_eq!(c.listen[0].addr, "127.0.0.1:8080".parse().unwrap());
        assert!(c.listen[0].http2);
        assert_eq!(c.routes[1].path_prefix, "/");
        assert_eq!(c.upstreams["api"].fail_timeout, Duration::from_secs(2));
        assert_eq!(c.upstreams["api"].max_idle_per_server, 32);
        assert_eq!(c.timeouts.header_read, Duration::from_secs(5));
        assert_eq!(c.timeouts.upstream_response, Duration::from_millis(1500));
        assert_eq!(c.timeouts.idle, Duration::from_secs(60));
        assert_eq!(c.limits.max_header_bytes, 16 * 1024);
        assert_eq!(c.limits.max_body_bytes, 1_000_000);
        assert_eq!(c.inspect_body_bytes, 4096);
        assert_eq!(c.on_hook_error, FailMode::Open);
    }

    #[test]
    fn unknown_keys_are_rejected_with_a_line() {
        let err = ProxyConfig::from_yaml("listen: []\nroutez: []\n").unwrap_err();
        let p = &err.problems[0];
        assert!(p.message.contains("unknown field"), "{p:?}");
        assert_eq!(p.line, 2);
    }

    #[test]
    fn inspection_is_idle_by_default_and_takes_a_niceness() {
        let base = "listen: [{ addr: 127.0.0.1:8080 }]\nroutes: [{ path_prefix: /, upstream: api }]\nupstreams: { api: { servers: ['127.0.0.1:9000'] } }\n";
        let default = ProxyConfig::from_yaml(base).unwrap();
        assert_eq!(default.inspect_nice, InspectPriority::Idle);
        let nice = ProxyConfig::from_yaml(&format!("{base}inspect_nice: 10\n")).unwrap();
        assert_eq!(nice.inspect_nice, InspectPriority::Nice(10));
        let err = ProxyConfig::from_yaml(&format!("{base}inspect_nice: lowest\n")).unwrap_err();
        assert!(err.to_string().contains("idle"), "{err}");
    }

    #[test]
    fn every_problem_is_reported_with_field_and_fix() {
        let text = "
listen:
  - addr: 127.0.0.1:8080
    tls: { certs: [] }
routes:
  - { host: 'a/b', path_prefix: v1, upstream: nope }
upstreams:
  api: { servers: ['https://x:1', ''] }
timeouts: { idle: 0s }
limits: { max_header_bytes: 100 }
inspect_body_bytes: 1MiB
inspect_nice: 25
";
        let err = ProxyConfig::from_yaml(text).unwrap_err();
        let fields: Vec<&str> = err.problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "listen[0].tls.certs",
                "routes[0].host",
                "routes[0].path_prefix",
                "routes[0].upstream",
                "upstreams.api.servers[0]",
                "upstreams.api.servers[1]",
                "timeouts.idle",
                "limits.max_header_bytes",
                "inspect_body_bytes",
                "inspect_nice",
            ]
        );
        assert!(err.problems.iter().all(|p| !p.fix.is_empty()));
        let upstream = &err.problems[3];
        assert!(upstream.fix.contains("api"), "{upstream:?}");
        assert_eq!(upstream.line, 6);
        let text = err.to_string();
        assert!(
            text.contains("routes[0].upstream: no upstream is named `nope`"),
            "{text}"
        );
    }

    #[test]
    fn bare_numbers_are_seconds_and_bytes() {
        let c = ProxyConfig::from_yaml(
            "listen: [{addr: '127.0.0.1:1'}]\nroutes: [{upstream: a}]\nupstreams: {a: {servers: ['h:1']}}\ntimeouts: {idle: 30}\nlimits: {max_body_bytes: 5000}\n",
        )
        .unwrap();
        assert_eq!(c.timeouts.idle, Duration::from_secs(30));
        assert_eq!(c.limits.max_body_bytes, 5000);
        let back = serde_saphyr::to_string(&c).unwrap();
        assert!(back.contains("idle: 30s"), "{back}");
    }

    #[test]
    fn bad_durations_and_sizes_are_parse_errors() {
        let err = ProxyConfig::from_yaml("timeouts: { idle: 10 years }").unwrap_err();
        assert!(err.problems[0].message.contains("unknown unit"), "{err}");
        let err = ProxyConfig::from_yaml("limits: { max_body_bytes: lots }").unwrap_err();
        assert!(err.problems[0].message.contains("not a size"), "{err}");
    }

    #[test]
    fn servers_parse_as_authorities() {
        assert_eq!(
            parse_server("127.0.0.1:8080").unwrap().as_str(),
            "127.0.0.1:8080"
        );
        assert_eq!(parse_server("http://h:1/").unwrap().as_str(), "h:1");
        assert_eq!(parse_server("backend").unwrap().as_str(), "backend:80");
        assert_eq!(parse_server("[::1]:9").unwrap().as_str(), "[::1]:9");
        assert!(parse_server("http://h:1/path").is_err());
        assert!(parse_server("ftp://h:1").is_err());
        assert!(parse_server("user@h:1").is_err());
        assert!(parse_server("h:99999").is_err());
    }

    #[test]
    fn host_patterns() {
        assert!(check_host_pattern("api.example.com").is_ok());
        assert!(check_host_pattern("*.example.com").is_ok());
        assert!(check_host_pattern("127.0.0.1").is_ok());
        assert!(check_host_pattern("a.*.com").is_err());
        assert!(check_host_pattern("a.com:80").is_err());
        assert!(check_host_pattern("").is_err());
        assert!(check_host_pattern("a..b").is_err());
    }

    #[test]
    fn relative_cert_paths_follow_the_config_folder() {
        let mut c = ProxyConfig {
            listen: vec![Listener {
                addr: "127.0.0.1:0".parse().unwrap(),
                tls: Some(Tls {
                    certs: vec![CertFile {
                        cert: "a.pem".into(),
                        key: "/abs/a.key".into(),
                        server_names: vec![],
                    }],
                }),
                http2: true,
            }],
            ..ProxyConfig::default()
        };
        c.resolve_paths(Path::new("/etc/rampart"));
        let cert = &c.listen[0].tls.as_ref().unwrap().certs[0];
        assert_eq!(cert.cert, Path::new("/etc/rampart/a.pem"));
        assert_eq!(cert.key, Path::new("/abs/a.key"));
    }
}
