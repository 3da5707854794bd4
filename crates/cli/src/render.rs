//! What `rampart analyze` prints and writes: the summary table, the JSON report, OpenAPI.

use std::io::Write;

use rampart_core::redact::escape_for_terminal;
use rampart_discover::classify::SensitiveClass;
use rampart_discover::diff::SpecDiff;
use rampart_discover::inventory::Endpoint;
use rampart_discover::openapi::{export_openapi, ExportEndpoint};
use rampart_discover::spec::Spec;
use rampart_engine::Analysis;
use serde::Serialize;
use serde_json::{json, Value};

use crate::commands::Problems;

/// Risk facts of one endpoint, derived from its facts and the diff.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Risk {
    /// Higher is worse.
    pub(crate) score: u32,
    /// Why, most serious first.
    pub(crate) reasons: Vec<String>,
}

/// The sensitive classes an endpoint serves in responses and accepts in requests.
pub(crate) fn sensitive_classes(e: &Endpoint) -> (Vec<String>, Vec<String>) {
    let mut response = Vec::new();
    let mut request = Vec::new();
    for (class, s) in &e.facts.sensitive {
        if s.in_response > 0 {
            response.push(class.name().to_owned());
        }
        if s.in_request > 0 {
            request.push(class.name().to_owned());
        }
    }
    (response, request)
}

fn is_secret(name: &str) -> bool {
    SensitiveClass::all()
        .iter()
        .any(|c| c.name() == name && c.is_secret())
}

fn is_shadow(e: &Endpoint, has_specs: bool) -> bool {
    has_specs && e.documented.is_none()
}

/// Whether the spec documents the endpoint's operation as public (`security: []`).
fn documented_public(e: &Endpoint, specs: &[Spec]) -> bool {
    e.documented
        .and_then(|(s, o)| specs.get(s)?.operations.get(o))
        .is_some_and(|op| op.security.as_ref().is_some_and(Vec::is_empty))
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn risk(e: &Endpoint, has_specs: bool, zombie: bool, public: bool) -> Risk {
    let mut score = 0;
    let mut reasons = Vec::new();
    let (response, _) = sensitive_classes(e);
    let unauth = e.facts.unauthenticated_success();
    if unauth > 0 && !response.is_empty() {
        score += 5;
        reasons.push(format!(
            "answers {} without credentials with {}",
            plural(unauth, "request"),
            response.join(", ")
        ));
    } else if unauth > 0 && !public {
        score += 2;
        reasons.push(format!(
            "answers {} without credentials",
            plural(unauth, "request")
        ));
    }
    let secrets: Vec<&String> = response.iter().filter(|c| is_secret(c)).collect();
    if !secrets.is_empty() {
        score += 4;
        reasons.push(format!(
            "returns secrets: {}",
            secrets
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    } else if !response.is_empty() && unauth == 0 {
        score += 1;
        reasons.push(format!("returns {}", response.join(", ")));
    }
    if is_shadow(e, has_specs) {
        score += 3;
        reasons.push("undocumented (shadow)".into());
    }
    if zombie {
        score += 2;
        reasons.push("documented as deprecated, still served (zombie)".into());
    }
    Risk { score, reasons }
}

fn zombie_set(diff: Option<&SpecDiff>) -> std::collections::HashSet<(String, String)> {
    diff.map(|d| {
        d.zombie
            .iter()
            .map(|z| (z.method.clone(), z.template.clone()))
            .collect()
    })
    .unwrap_or_default()
}

fn show(s: &str, max: usize) -> String {
    escape_for_terminal(s, max)
}

/// The summary on stdout.
pub(crate) fn summary(
    out: &mut impl Write,
    inputs: &[String],
    analysis: &Analysis,
    diff: Option<&SpecDiff>,
    specs: &[Spec],
    problems: &Problems,
    top: usize,
) -> std::io::Result<()> {
    let inv = &analysis.inventory;
    let has_specs = diff.is_some();
    let zombies = zombie_set(diff);
    let range = match (analysis.first_event, analysis.last_event) {
        (Some(a), Some(b)) => format!(", {a} → {b}"),
        _ => String::new(),
    };
    writeln!(
        out,
        "Analyzed {} input{}: {} exchanges, {} skipped{range}",
        inputs.len(),
        if inputs.len() == 1 { "" } else { "s" },
        analysis.exchanges,
        problems.count
    )?;
    let hosts: std::collections::BTreeSet<&str> =
        inv.endpoints.iter().map(|e| e.key.host.as_str()).collect();
    let unauth = inv
        .endpoints
        .iter()
        .filter(|e| e.facts.unauthenticated_success() > 0)
        .count();
    let sensitive = inv
        .endpoints
        .iter()
        .filter(|e| !sensitive_classes(e).0.is_empty())
        .count();
    write!(
        out,
        "Inventory: {} endpoints on {} host{}",
        inv.endpoints.len(),
        hosts.len(),
        if hosts.len() == 1 { "" } else { "s" }
    )?;
    if let Some(d) = diff {
        let documented = inv
            .endpoints
            .iter()
            .filter(|e| e.documented.is_some())
            .count();
        write!(
            out,
            " ({documented} documented, {} shadow, {} zombie; {} documented operations never seen; {} mismatches)",
            d.shadow.len(),
            d.zombie.len(),
            d.unused.len(),
            d.mismatches.len()
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "  unauthenticated (2xx without any credential): {unauth}   serving sensitive data: {sensitive}"
    )?;
    writeln!(
        out,
        "  probes (never served, kept out): {} requests to {} paths{}",
        inv.probes.requests,
        inv.probes.distinct,
        inv.probes
            .top
            .first()
            .map(|(p, n)| format!(", most: {} ×{n}", show(p, 60)))
            .unwrap_or_default()
    )?;
    writeln!(
        out,
        "  templating: {} positions collapsed by cardinality ({} literals merged), {} requests over the path cap",
        inv.templating.collapsed_positions,
        inv.templating.merged_literals,
        inv.templating.overflowed_requests
    )?;

    let mut risks: Vec<(&Endpoint, Risk)> = inv
        .endpoints
        .iter()
        .map(|e| {
            let z = zombies.contains(&(e.key.method.clone(), e.key.template.clone()));
            (e, risk(e, has_specs, z, documented_public(e, specs)))
        })
        .filter(|(_, r)| r.score > 0)
        .collect();
    risks.sort_by(|a, b| {
        b.1.score
            .cmp(&a.1.score)
            .then(b.0.facts.hits().cmp(&a.0.facts.hits()))
    });
    if !risks.is_empty() {
        writeln!(out, "\nTop risks")?;
        for (i, (e, r)) in risks.iter().take(10).enumerate() {
            writeln!(
                out,
                "  {:>2}. {} {}{}: {}",
                i + 1,
                e.key.method,
                show(&e.key.host, 40),
                show(&e.key.template, 80),
                r.reasons.join("; ")
            )?;
        }
    }

    crate::render_alerts::summary(out, &analysis.detection, analysis.detection_enabled, top)?;

    if top > 0 && !inv.endpoints.is_empty() {
        let mut rows: Vec<&Endpoint> = inv.endpoints.iter().collect();
        rows.sort_by_key(|e| std::cmp::Reverse(e.facts.hits()));
        writeln!(
            out,
            "\n{:<7} {:<52} {:>8} {:>7} {:>5} {:>8}  {:<18} {:<22} FLAGS",
            "METHOD", "TEMPLATE", "HITS", "CLIENTS", "2XX%", "P99 MS", "AUTH", "SENSITIVE"
        )?;
        for e in rows.iter().take(top) {
            let f = &e.facts;
            let ok: u64 = f
                .statuses()
                .filter(|(s, _)| (200..300).contains(s))
                .map(|(_, n)| n)
                .sum();
            let pct = if f.hits() > 0 {
                ok as f64 * 100.0 / f.hits() as f64
            } else {
                0.0
            };
            let auth: Vec<&str> = f
                .credential_kinds()
                .into_iter()
                .map(|(k, _)| k.name())
                .collect();
            let (resp, _) = sensitive_classes(e);
            let mut flags = Vec::new();
            if is_shadow(e, has_specs) {
                flags.push("shadow");
            }
            if zombies.contains(&(e.key.method.clone(), e.key.template.clone())) {
                flags.push("zombie");
            }
            if f.unauthenticated_success() > 0 {
                flags.push("unauth");
            }
            let path = if hosts.len() > 1 {
                format!("{}{}", e.key.host, e.key.template)
            } else {
                e.key.template.clone()
            };
            writeln!(
                out,
                "{:<7} {:<52} {:>8} {:>7} {:>5.1} {:>8}  {:<18} {:<22} {}",
                show(&e.key.method, 7),
                show(&path, 52),
                f.hits(),
                f.distinct_clients(),
                pct,
                f.latency
                    .quantile(0.99)
                    .map_or_else(|| "-".into(), |v| format!("{v:.1}")),
                if auth.is_empty() {
                    "none".into()
                } else {
                    auth.join(",")
                },
                if resp.is_empty() {
                    "-".into()
                } else {
                    resp.join(",")
                },
                flags.join(",")
            )?;
        }
        if inv.endpoints.len() > top {
            writeln!(
                out,
                "… {} more (--top N, --report FILE, or `rampart inventory`)",
                inv.endpoints.len() - top
            )?;
        }
    }
    Ok(())
}

/// The full JSON report.
pub(crate) fn report(
    inputs: &[String],
    analysis: &Analysis,
    diff: Option<&SpecDiff>,
    specs: &[Spec],
    problems: &Problems,
) -> Value {
    let has_specs = diff.is_some();
    let zombies = zombie_set(diff);
    let endpoints: Vec<Value> = analysis
        .inventory
        .endpoints
        .iter()
        .map(|e| {
            let f = &e.facts;
            let zombie = zombies.contains(&(e.key.method.clone(), e.key.template.clone()));
            let (response, request) = sensitive_classes(e);
            json!({
                "host": e.key.host,
                "method": e.key.method,
                "template": e.key.template,
                "documented": e.documented.map(|(s, _)| specs.get(s).map(|s| s.source.clone())),
                "shadow": is_shadow(e, has_specs),
                "zombie": zombie,
                "hits": f.hits(),
                "distinct_clients": f.distinct_clients(),
                "first_seen": f.first_seen().to_string(),
                "last_seen": f.last_seen().to_string(),
                "statuses": f.statuses().map(|(s, n)| (s.to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
                "latency_ms": {"p50": f.latency.quantile(0.5), "p90": f.latency.quantile(0.9), "p99": f.latency.quantile(0.99)},
                "credentials": f.credential_kinds().into_iter().map(|(k, n)| (k.name().to_owned(), json!(n))).collect::<serde_json::Map<String, Value>>(),
                "unauthenticated_success": f.unauthenticated_success(),
                "sensitive_in_response": response,
                "sensitive_in_request": request,
                "risk": risk(e, has_specs, zombie, documented_public(e, specs)),
                "why": e.why,
                "facts": f,
            })
        })
        .collect();
    json!({
        "generator": format!("rampart {}", env!("CARGO_PKG_VERSION")),
        "inputs": inputs,
        "exchanges": analysis.exchanges,
        "first_event": analysis.first_event.map(|t| t.to_string()),
        "last_event": analysis.last_event.map(|t| t.to_string()),
        "skipped": {"count": problems.count, "first": problems.shown},
        "specs": specs.iter().map(|s| json!({
            "source": s.source,
            "title": s.title,
            "operations": s.operations.len(),
            "problems": s.problems,
        })).collect::<Vec<_>>(),
        "endpoints": endpoints,
        "probes": analysis.inventory.probes,
        "templating": analysis.inventory.templating,
        "diff": diff,
        "detection": crate::render_alerts::report(&analysis.detection),
    })
}

/// The learned inventory as OpenAPI 3.
pub(crate) fn openapi(analysis: &Analysis, _specs: &[Spec]) -> Value {
    let endpoints: Vec<ExportEndpoint> = analysis
        .inventory
        .endpoints
        .iter()
        .map(Endpoint::export)
        .collect();
    export_openapi("Learned by Rampart from traffic", &endpoints)
}
