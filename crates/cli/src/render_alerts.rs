//! Alerts and actors for people: the detection part of the analyze summary, and the tables of
//! `rampart alerts`. Everything that came from traffic is escaped before it reaches a terminal.

use std::collections::BTreeMap;
use std::io::{self, Write};

use rampart_core::redact::escape_for_terminal;
use rampart_core::{Alert, Severity};
use rampart_detect::actors::Actor;
use rampart_detect::DetectionReport;

fn show(s: &str, max: usize) -> String {
    escape_for_terminal(s, max)
}

/// The detection section of the analyze summary.
pub(crate) fn summary(
    out: &mut impl Write,
    report: &DetectionReport,
    enabled: bool,
    top: usize,
) -> io::Result<()> {
    let flagged: Vec<&Alert> = report
        .alerts
        .iter()
        .filter(|a| a.severity >= Severity::Low)
        .collect();
    let info = report.alerts.len() - flagged.len();
    let ips: std::collections::HashSet<&str> = flagged.iter().flat_map(|a| a.ips()).collect();
    let sessions: std::collections::HashSet<&str> =
        flagged.iter().flat_map(|a| a.sessions()).collect();
    let actors = report
        .actors
        .iter()
        .filter(|a| a.severity >= Severity::Low)
        .count();
    writeln!(out)?;
    if !enabled {
        writeln!(
            out,
            "Detection: off (--no-detect, or `detect: {{enabled: false}}`)"
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "Detection: {} alerts ({} informational) from {} actors, naming {} client addresses and {} sessions",
        flagged.len(),
        info,
        actors,
        ips.len(),
        sessions.len()
    )?;
    let mut by_detector: BTreeMap<&str, (usize, Severity)> = BTreeMap::new();
    for a in &flagged {
        let e = by_detector
            .entry(a.detector.as_str())
            .or_insert((0, a.severity));
        e.0 += 1;
        e.1 = e.1.max(a.severity);
    }
    if !by_detector.is_empty() {
        let line: Vec<String> = by_detector
            .iter()
            .map(|(d, (n, s))| format!("{d} {n} (up to {})", s.name()))
            .collect();
        writeln!(out, "  by detector: {}", line.join(", "))?;
    }
    let mut notes = Vec::new();
    if report.without_client > 0 {
        notes.push(format!(
            "{} exchanges had no client address: address-based detectors skipped them",
            report.without_client
        ));
    }
    if report.without_user_agent > 0 && report.without_user_agent * 2 > report.exchanges {
        notes.push(format!(
            "{} exchanges had no user agent: fingerprints are weak",
            report.without_user_agent
        ));
    }
    if report.out_of_order > 0 {
        notes.push(format!(
            "{} exchanges were over a minute older than ones before them",
            report.out_of_order
        ));
    }
    let evicted: u64 = report.state.iter().map(|(_, _, s)| s.evicted).sum();
    if evicted > 0 {
        notes.push(format!(
            "{evicted} tracked entities were evicted at their caps (raise max_tracked to keep more)"
        ));
    }
    if report.book.members_dropped > 0 || report.book.alerts_dropped > 0 {
        notes.push(format!(
            "{} members and {} alerts over their caps were counted, not listed",
            report.book.members_dropped, report.book.alerts_dropped
        ));
    }
    for n in notes {
        writeln!(out, "  note: {n}")?;
    }
    let limits: Vec<_> = report
        .rate_limits
        .iter()
        .filter(|r| r.client_minutes >= 20)
        .take(5)
        .collect();
    if !limits.is_empty() {
        writeln!(
            out,
            "  rate limits normal clients never exceed (per address, per minute):"
        )?;
        for r in limits {
            writeln!(
                out,
                "    {:>5}/min  {} (busiest normal minute {}, median {}, from {} client-minutes)",
                r.per_minute,
                show(&r.endpoint, 90),
                r.max,
                r.p50,
                r.client_minutes
            )?;
        }
    }
    let shown: Vec<&Actor> = report
        .actors
        .iter()
        .filter(|a| a.severity >= Severity::Low)
        .take(top.clamp(1, 10))
        .collect();
    if !shown.is_empty() {
        writeln!(out)?;
        writeln!(out, "Top actors")?;
        for (i, a) in shown.iter().enumerate() {
            actor_lines(out, i + 1, a)?;
        }
    }
    Ok(())
}

fn actor_lines(out: &mut impl Write, n: usize, a: &Actor) -> io::Result<()> {
    let endpoints = a
        .endpoints
        .iter()
        .take(3)
        .map(|e| show(e, 80))
        .collect::<Vec<_>>()
        .join(", ");
    writeln!(
        out,
        "  {n:>2}. {} risk {} ({}): {} addresses, {} sessions, {} targets; {}{}",
        a.id,
        a.risk,
        a.severity.name(),
        a.ip_count,
        a.session_count,
        a.target_count,
        a.detectors.join(", "),
        if endpoints.is_empty() {
            String::new()
        } else {
            format!(" on {endpoints}")
        },
    )?;
    for r in a.reasons.iter().take(3) {
        writeln!(out, "        {}", show(r, 220))?;
    }
    Ok(())
}

/// The table of `rampart alerts`.
pub(crate) fn alert_table(out: &mut impl Write, alerts: &[Alert]) -> io::Result<()> {
    writeln!(
        out,
        "{:<24} {:<19} {:<8} {:<10} {:<34} {:>8} {:>7}  ENDPOINT / EVIDENCE",
        "RAISED", "DETECTOR", "SEVERITY", "OWASP", "ENTITY", "REQUESTS", "MEMBERS"
    )?;
    for a in alerts {
        writeln!(
            out,
            "{:<24} {:<19} {:<8} {:<10} {:<34} {:>8} {:>7}  {}",
            a.raised.to_string(),
            a.detector,
            a.severity.name(),
            a.owasp.id(),
            show(&a.entity.to_string(), 34),
            a.requests,
            a.members.len() as u64 + a.members_dropped,
            show(a.endpoint.as_deref().unwrap_or("-"), 80),
        )?;
        writeln!(out, "{:<24} {}", "", show(&a.evidence, 200))?;
    }
    Ok(())
}

/// The table of `rampart alerts --actors`.
pub(crate) fn actor_table(out: &mut impl Write, actors: &[Actor]) -> io::Result<()> {
    for (i, a) in actors.iter().enumerate() {
        actor_lines(out, i + 1, a)?;
    }
    Ok(())
}

/// The detection part of the JSON report: counts, actors, rate-limit recommendations and the
/// state counters (alerts themselves go to `--alerts`).
pub(crate) fn report(d: &DetectionReport) -> serde_json::Value {
    let mut by_detector: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &d.alerts {
        *by_detector.entry(a.detector.as_str()).or_default() += 1;
    }
    serde_json::json!({
        "alerts": d.alerts.len(),
        "alerts_by_detector": by_detector,
        "actors": d.actors,
        "rate_limits": d.rate_limits,
        "degraded": {
            "without_client_address": d.without_client,
            "without_user_agent": d.without_user_agent,
            "out_of_order": d.out_of_order,
        },
        "state": d.state.iter().map(|(det, map, s)| serde_json::json!({
            "detector": det, "map": map, "tracked": s.tracked, "evicted": s.evicted, "cap": s.cap,
        })).collect::<Vec<_>>(),
        "state_bytes": d.state_bytes,
        "alert_book": {
            "signals": d.book.signals,
            "opened": d.book.opened,
            "alerts_dropped": d.book.alerts_dropped,
            "members_dropped": d.book.members_dropped,
        },
    })
}
