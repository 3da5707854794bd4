//! The checks run on one open port: TLS first (when it speaks TLS), then everything over HTTP.

use rampart_core::Severity;
use tokio::net::TcpStream;

use crate::exposed_files::PROBES;
use crate::finding::{Finding, FindingKind};
use crate::http::{fetch, Request, Response};
use crate::scanner::{Ctx, Service};
use crate::tls::legacy::{self, Answer, TLS1_0, TLS1_1};
use crate::tls::{cert, Handshake};
use crate::{headers, log4shell, open_docs};

/// What the HTTP checks found on a service.
pub(crate) struct WebOutcome {
    /// Whether it looks like an API.
    pub(crate) api: bool,
    /// The findings.
    pub(crate) findings: Vec<Finding>,
}

/// `n` random bytes as hex (a zeroed buffer if the system's source fails, which only makes
/// names guessable, never wrong).
pub(crate) fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    let _ = getrandom::fill(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// The certificate checks and the old-protocol probes.
pub(crate) async fn tls_checks(ctx: &Ctx, svc: &Service, hs: &Handshake) -> Vec<Finding> {
    let line = format!("handshake: {} {}", hs.version, hs.suite);
    let mut out = cert::judge(&ctx.judge, &hs.chain, &svc.host, &svc.target, &line);
    for version in [TLS1_0, TLS1_1] {
        if let Some(Answer::ServerHello { version: chosen }) = legacy_probe(ctx, svc, version).await
        {
            if legacy::accepts(&Answer::ServerHello { version: chosen }, version) {
                let name = legacy::version_name(chosen);
                out.push(Finding::new(
                    FindingKind::TlsOldProtocol,
                    Severity::Medium,
                    &svc.target,
                    name,
                    format!("the server accepts {name}"),
                    vec![format!(
                        "a ClientHello offering only {} was answered by a ServerHello choosing {name}",
                        legacy::version_name(version)
                    )],
                    ctx.opts.now_ms,
                ));
            }
        }
    }
    out
}

async fn legacy_probe(ctx: &Ctx, svc: &Service, version: u16) -> Option<Answer> {
    ctx.limiter.acquire().await;
    ctx.connections
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut random = [0u8; 32];
    let _ = getrandom::fill(&mut random);
    let attempt = async {
        let tcp = TcpStream::connect(svc.addr).await?;
        legacy::probe(tcp, version, Some(&svc.host), random).await
    };
    tokio::time::timeout(ctx.opts.connect_timeout * 2, attempt)
        .await
        .ok()?
        .ok()
}

/// Whether `resp` is the same answer the host gives for a random missing path.
pub(crate) fn same_as_baseline(resp: &Response, baseline: Option<&Response>) -> bool {
    let Some(b) = baseline else { return false };
    if b.status != resp.status {
        return false;
    }
    let n = resp.body.len().min(b.body.len());
    resp.body[..n] == b.body[..n] && (resp.truncated || resp.body.len() == b.body.len())
}

/// Everything over HTTP; `None` when the port does not answer HTTP.
pub(crate) async fn web_checks(ctx: &Ctx, svc: &Service) -> Option<WebOutcome> {
    let now = ctx.opts.now_ms;
    let mut root_req = Request::get(ctx, "/");
    root_req
        .headers
        .push(("origin", headers::PROBE_ORIGIN.to_owned()));
    let root = fetch(ctx, svc, root_req).await.ok()?;
    let baseline_path = format!("/rampart-{}-not-found", random_hex(8));
    let baseline = fetch(ctx, svc, Request::get(ctx, &baseline_path))
        .await
        .ok();

    let mut findings = Vec::new();
    let mut signs = headers::api_signs(&root, "GET /");
    if let Some(b) = &baseline {
        signs.extend(headers::api_signs(b, "a missing path"));
    }
    findings.extend(headers::version_disclosure(&root, &svc.target, now));
    findings.extend(headers::cors(&root, &svc.target, now));

    signs.extend(api_paths(ctx, svc, baseline.as_ref()).await);
    findings.extend(exposed_files(ctx, svc, baseline.as_ref()).await);

    let docs = open_docs::check(ctx, svc, baseline.as_ref()).await;
    signs.extend(docs.signs);
    findings.extend(docs.findings);

    let api = !signs.is_empty();
    if api {
        findings.push(Finding::new(
            FindingKind::ApiService,
            Severity::Info,
            &svc.target,
            "",
            "the service speaks an API",
            signs,
            now,
        ));
        let json = if root.is_json() {
            Some(("/".to_owned(), &root))
        } else {
            docs.api_response
                .as_ref()
                .map(|(p, r)| (p.clone(), r))
                .or_else(|| {
                    baseline
                        .as_ref()
                        .filter(|b| b.is_json())
                        .map(|b| (baseline_path.clone(), b))
                })
        };
        if let Some((path, resp)) = json {
            findings.extend(headers::missing_headers(
                resp,
                &path,
                svc.tls,
                &svc.target,
                now,
            ));
        }
    }
    if !svc.tls {
        findings.extend(headers::plaintext(&root, api, &svc.target, now));
    }
    if let Some(cb) = &ctx.callbacks {
        log4shell::send_payloads(ctx, svc, cb).await;
    }
    Some(WebOutcome { api, findings })
}

/// Paths where APIs usually answer.
const API_PATHS: &[&str] = &["/api", "/api/v1", "/v1", "/health", "/actuator/health"];

/// Signs of an API at the usual paths: a JSON or XML answer (any status: an error shape counts),
/// or a bearer challenge, that differs from the random-path baseline.
async fn api_paths(ctx: &Ctx, svc: &Service, baseline: Option<&Response>) -> Vec<String> {
    let mut signs = Vec::new();
    for path in API_PATHS {
        let Ok(resp) = fetch(ctx, svc, Request::get(ctx, path)).await else {
            continue;
        };
        if same_as_baseline(&resp, baseline) {
            continue;
        }
        let what = format!("GET {path}");
        signs.extend(headers::api_signs(&resp, &what));
        if resp
            .header("www-authenticate")
            .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("bearer"))
        {
            signs.push(format!("{what} asked for a bearer token ({})", resp.status));
        }
    }
    signs
}

/// Tries every exposed-file path; a finding needs a 2xx answer whose content is confirmed and
/// that differs from the host's answer to a random missing path.
async fn exposed_files(ctx: &Ctx, svc: &Service, baseline: Option<&Response>) -> Vec<Finding> {
    let mut out = Vec::new();
    for probe in PROBES {
        let mut req = Request::get(ctx, probe.path);
        req.max_body = probe.max_body.min(ctx.opts.max_body);
        let Ok(resp) = fetch(ctx, svc, req).await else {
            continue;
        };
        if !resp.ok() || same_as_baseline(&resp, baseline) {
            continue;
        }
        let Some(mut evidence) = (probe.confirm)(&resp.body) else {
            continue;
        };
        if baseline.is_some_and(|b| b.ok() && (probe.confirm)(&b.body).is_some()) {
            // The host says the same of any path: not evidence.
            continue;
        }
        evidence.push(format!(
            "GET {} answered {}{} ({} bytes read{})",
            probe.path,
            resp.status,
            match resp.media_type().as_str() {
                "" => String::new(),
                mt => format!(" {mt}"),
            },
            resp.body.len(),
            if resp.truncated {
                ", more not read"
            } else {
                ""
            }
        ));
        if let Some(b) = baseline {
            evidence.push(format!(
                "a random missing path answers {} with different content",
                b.status
            ));
        }
        out.push(Finding::new(
            FindingKind::ExposedFile,
            probe.severity,
            &svc.target,
            probe.path,
            format!("{} exposed at {}", probe.what, probe.path),
            evidence,
            ctx.opts.now_ms,
        ));
    }
    out
}
