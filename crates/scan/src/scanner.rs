//! The scan loop: expand the targets, try each port under the concurrency and rate limits,
//! and run the checks on every service that answers.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rustls::ClientConfig;
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::finding::Finding;
use crate::limiter::RateLimiter;
use crate::log4shell::Callbacks;
use crate::target::{Hosts, Scheme, Target};
use crate::tls::cert::Judge;
use crate::{service, tls, Progress, ScanError, ScanOptions};

/// What is shared by every task of a scan.
pub(crate) struct Ctx {
    /// The options.
    pub(crate) opts: ScanOptions,
    /// The requests-per-second limit.
    pub(crate) limiter: RateLimiter,
    /// A TLS client configuration that accepts any certificate, offering `http/1.1`.
    pub(crate) tls_any: Arc<ClientConfig>,
    /// The same without ALPN, for the handshake probe.
    pub(crate) tls_probe: Arc<ClientConfig>,
    /// The certificate judge.
    pub(crate) judge: Judge,
    /// The Log4Shell callback listener, when the check runs.
    pub(crate) callbacks: Option<Arc<Callbacks>>,
    /// Connections opened.
    pub(crate) connections: AtomicU64,
    /// Requests answered.
    pub(crate) requests: AtomicU64,
    /// Requests that got no answer.
    pub(crate) failures: AtomicU64,
}

/// One port that accepted a connection, and how to speak to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Service {
    /// The host name or address, for Host, SNI and the certificate's name.
    pub(crate) host: String,
    /// Where to connect.
    pub(crate) addr: SocketAddr,
    /// Whether it speaks TLS.
    pub(crate) tls: bool,
    /// `host:port`, as findings name it.
    pub(crate) target: String,
}

impl Service {
    pub(crate) fn new(host: &str, addr: SocketAddr, tls: bool) -> Self {
        Self {
            host: host.to_owned(),
            addr,
            tls,
            target: host_port(host, addr.port()),
        }
    }

    /// The Host header's value.
    pub(crate) fn host_header(&self) -> String {
        let default = if self.tls { 443 } else { 80 };
        if self.addr.port() == default {
            bracket(&self.host)
        } else {
            host_port(&self.host, self.addr.port())
        }
    }
}

fn bracket(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

/// `host:port`, with IPv6 addresses in brackets.
pub(crate) fn host_port(host: &str, port: u16) -> String {
    format!("{}:{port}", bracket(host))
}

/// A service the scan found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ServiceSummary {
    /// `host:port`.
    pub target: String,
    /// The host name or address scanned.
    pub host: String,
    /// The port.
    pub port: u16,
    /// Whether it speaks TLS.
    pub tls: bool,
    /// Whether it answered HTTP.
    pub http: bool,
    /// Whether it looks like an API (JSON/XML answers, API documents, CORS, error shapes).
    pub api: bool,
}

/// What a scan found.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ScanReport {
    /// Every open port, with what it speaks.
    pub services: Vec<ServiceSummary>,
    /// The findings, sorted by target, then severity (worst first), then kind.
    pub findings: Vec<Finding>,
    /// Ports tried.
    pub ports_tried: u64,
    /// Ports that accepted a connection.
    pub ports_open: u64,
    /// Connections opened, port tries included.
    pub connections: u64,
    /// HTTP requests answered.
    pub requests: u64,
    /// HTTP requests that got no answer (timeouts, resets, garbled answers).
    pub failures: u64,
    /// Host names that did not resolve.
    pub unresolved: Vec<String>,
    /// Log4Shell payloads sent.
    pub log4shell_payloads: u64,
    /// Callbacks received, confirmed or not.
    pub callbacks: u64,
}

/// What one port task gives back.
struct PortOutcome {
    service: Option<ServiceSummary>,
    findings: Vec<Finding>,
}

/// Scans `targets`. Trouble with a target is counted and the scan goes on; only bad options
/// (and a listener that cannot start) stop it.
pub async fn scan(targets: &[Target], opts: ScanOptions) -> Result<ScanReport, ScanError> {
    if opts.concurrency == 0 || opts.concurrency > 10_000 {
        return Err(ScanError::Option("concurrency must be 1 to 10000".into()));
    }
    if opts.rate == 0 {
        return Err(ScanError::Option(
            "rate must be at least 1 per second".into(),
        ));
    }
    if opts.ports.is_empty() {
        return Err(ScanError::Option("no ports to try".into()));
    }
    let mut addresses: u128 = 0;
    let mut total: u64 = 0;
    for t in targets {
        let n = t.address_count();
        addresses = addresses.saturating_add(n);
        let ports = if t.port.is_some() {
            1
        } else {
            opts.ports.len() as u128
        };
        total = total.saturating_add(n.saturating_mul(ports).min(u128::from(u64::MAX)) as u64);
    }
    if addresses > u128::from(opts.max_hosts) {
        return Err(ScanError::TooManyHosts {
            found: addresses,
            limit: opts.max_hosts,
        });
    }
    let roots = tls::load_roots(opts.ca_bundle.as_deref())?;
    let callbacks = if opts.log4shell.enabled {
        Some(Arc::new(Callbacks::start(opts.log4shell.callback).await?))
    } else {
        None
    };
    let ctx = Arc::new(Ctx {
        judge: Judge::new(roots, opts.now_ms, opts.expiry_days),
        limiter: RateLimiter::new(opts.rate),
        tls_any: tls::accept_any_config(true),
        tls_probe: tls::accept_any_config(false),
        callbacks,
        connections: AtomicU64::new(0),
        requests: AtomicU64::new(0),
        failures: AtomicU64::new(0),
        opts,
    });
    let mut report = ScanReport::default();
    let sem = Arc::new(Semaphore::new(ctx.opts.concurrency));
    let mut set: JoinSet<PortOutcome> = JoinSet::new();
    let mut progress = Progress {
        total,
        ..Progress::default()
    };
    let collect = |outcome: PortOutcome, report: &mut ScanReport, progress: &mut Progress| {
        progress.done += 1;
        if let Some(s) = outcome.service {
            progress.open += 1;
            report.services.push(s);
        }
        progress.findings += outcome.findings.len() as u64;
        report.findings.extend(outcome.findings);
        if let Some(cb) = &ctx.opts.on_progress {
            cb(*progress);
        }
    };
    for target in targets {
        let (host_label, addrs): (Option<String>, Box<dyn Iterator<Item = IpAddr>>) =
            match &target.hosts {
                Hosts::Addr(ip) => (None, Box::new(std::iter::once(*ip))),
                Hosts::Range(net) => (None, Box::new(net.hosts())),
                Hosts::Name(name) => match resolve(name).await {
                    Some(ip) => (Some(name.clone()), Box::new(std::iter::once(ip))),
                    None => {
                        report.unresolved.push(name.clone());
                        let skipped = if target.port.is_some() {
                            1
                        } else {
                            ctx.opts.ports.len() as u64
                        };
                        progress.done += skipped;
                        continue;
                    }
                },
            };
        let ports: Vec<u16> = match target.port {
            Some(p) => vec![p],
            None => ctx.opts.ports.clone(),
        };
        for ip in addrs {
            let host = host_label.clone().unwrap_or_else(|| ip.to_string());
            for &port in &ports {
                let permit = match sem.clone().acquire_owned().await {
                    Ok(p) => p,
                    Err(_) => break,
                };
                let ctx = ctx.clone();
                let host = host.clone();
                let scheme = target.scheme;
                set.spawn(async move {
                    let out = probe_port(&ctx, &host, SocketAddr::new(ip, port), scheme).await;
                    drop(permit);
                    out
                });
                while let Some(done) = set.try_join_next() {
                    if let Ok(outcome) = done {
                        collect(outcome, &mut report, &mut progress);
                    }
                }
            }
        }
    }
    while let Some(done) = set.join_next().await {
        if let Ok(outcome) = done {
            collect(outcome, &mut report, &mut progress);
        }
    }
    if let Some(cb) = &ctx.callbacks {
        report.log4shell_payloads = cb.payloads_sent();
        if report.log4shell_payloads > 0 {
            tokio::time::sleep(ctx.opts.log4shell.grace).await;
        }
        let (findings, received) = cb.confirmed(ctx.opts.now_ms);
        report.callbacks = received;
        report.findings.extend(findings);
        cb.stop();
    }
    report.ports_tried = progress.done;
    report.ports_open = report.services.len() as u64;
    report.connections = ctx.connections.load(Ordering::Relaxed);
    report.requests = ctx.requests.load(Ordering::Relaxed);
    report.failures = ctx.failures.load(Ordering::Relaxed);
    report
        .services
        .sort_by(|a, b| (&a.host, a.port).cmp(&(&b.host, b.port)));
    report.findings.sort_by(|a, b| {
        (&a.target, std::cmp::Reverse(a.severity), a.kind, &a.subject).cmp(&(
            &b.target,
            std::cmp::Reverse(b.severity),
            b.kind,
            &b.subject,
        ))
    });
    report.findings.dedup_by(|a, b| a.id == b.id);
    Ok(report)
}

/// The name's first IPv4 address, else its first address.
async fn resolve(name: &str) -> Option<IpAddr> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name, 0)).await.ok()?.collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or(addrs.first())
        .map(SocketAddr::ip)
}

/// Tries one port; when it is open, finds out whether it speaks TLS and HTTP and runs the
/// checks.
async fn probe_port(
    ctx: &Ctx,
    host: &str,
    addr: SocketAddr,
    scheme: Option<Scheme>,
) -> PortOutcome {
    let closed = PortOutcome {
        service: None,
        findings: Vec::new(),
    };
    ctx.limiter.acquire().await;
    ctx.connections.fetch_add(1, Ordering::Relaxed);
    match tokio::time::timeout(ctx.opts.connect_timeout, TcpStream::connect(addr)).await {
        Ok(Ok(tcp)) => drop(tcp),
        _ => return closed,
    }
    let plain = Service::new(host, addr, false);
    let mut findings = Vec::new();
    let handshake = match scheme {
        Some(Scheme::Http) => None,
        _ => tls::handshake(
            ctx,
            &Service {
                tls: true,
                ..plain.clone()
            },
        )
        .await
        .ok(),
    };
    let svc = Service {
        tls: handshake.is_some(),
        ..plain
    };
    if let Some(hs) = &handshake {
        findings.extend(service::tls_checks(ctx, &svc, hs).await);
    }
    let web = if scheme == Some(Scheme::Https) && handshake.is_none() {
        None
    } else {
        service::web_checks(ctx, &svc).await
    };
    let (http, api) = match &web {
        Some(w) => (true, w.api),
        None => (false, false),
    };
    if let Some(w) = web {
        findings.extend(w.findings);
    }
    PortOutcome {
        service: Some(ServiceSummary {
            target: svc.target.clone(),
            host: svc.host.clone(),
            port: addr.port(),
            tls: svc.tls,
            http,
            api,
        }),
        findings,
    }
}
