//! The scan's output: a table grouped by target, or JSON. Everything that came from a target is
//! escaped (control characters, terminal escapes) before it reaches the terminal.

use std::io::Write;
use std::path::Path;

use rampart_core::redact::escape_for_terminal;
use rampart_core::{EventTime, Severity};
use rampart_scan::{Finding, ScanReport};

use super::history::Diff;

fn counts(findings: &[Finding]) -> String {
    let mut parts = Vec::new();
    for s in [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ] {
        let n = findings.iter().filter(|f| f.severity == s).count();
        if n > 0 {
            parts.push(format!("{n} {}", s.name()));
        }
    }
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

fn rows(out: &mut impl Write, findings: &[Finding]) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<9} {:<25} {:<28} TITLE",
        "SEVERITY", "KIND", "TARGET"
    )?;
    for f in findings {
        writeln!(
            out,
            "{:<9} {:<25} {:<28} {}",
            f.severity.name(),
            f.kind.name(),
            escape_for_terminal(&f.target, 28),
            escape_for_terminal(&f.title, 200)
        )?;
        for e in &f.evidence {
            writeln!(out, "          {}", escape_for_terminal(e, 400))?;
        }
    }
    Ok(())
}

/// The table.
pub(super) fn table(
    out: &mut impl Write,
    report: &ScanReport,
    diff: Option<&Diff>,
    elapsed_ms: i64,
    db: Option<&Path>,
) -> std::io::Result<()> {
    match diff {
        Some(d) => {
            match d.since_ms {
                Some(ms) => writeln!(
                    out,
                    "Since the scan of {} of the same targets:",
                    EventTime::from_unix_millis(ms)
                )?,
                None => writeln!(
                    out,
                    "No earlier scan of these targets: every finding is new."
                )?,
            }
            writeln!(out, "\nNEW ({}: {})", d.new.len(), counts(&d.new))?;
            if !d.new.is_empty() {
                rows(out, &d.new)?;
            }
            writeln!(out, "\nGONE ({}: {})", d.gone.len(), counts(&d.gone))?;
            if !d.gone.is_empty() {
                rows(out, &d.gone)?;
            }
            writeln!(out)?;
        }
        None => {
            if !report.findings.is_empty() {
                rows(out, &report.findings)?;
                writeln!(out)?;
            }
        }
    }
    let http = report.services.iter().filter(|s| s.http).count();
    let apis = report.services.iter().filter(|s| s.api).count();
    writeln!(
        out,
        "{} ports tried, {} open ({} HTTP, {} APIs); {} requests, {} without answer; {} findings ({}) in {:.1} s",
        report.ports_tried,
        report.ports_open,
        http,
        apis,
        report.requests,
        report.failures,
        report.findings.len(),
        counts(&report.findings),
        elapsed_ms as f64 / 1000.0
    )?;
    if report.log4shell_payloads > 0 {
        writeln!(
            out,
            "Log4Shell: {} payloads sent, {} callbacks received",
            report.log4shell_payloads, report.callbacks
        )?;
    }
    for name in &report.unresolved {
        writeln!(out, "could not resolve {}", escape_for_terminal(name, 100))?;
    }
    if let Some(db) = db {
        writeln!(out, "stored in {}", db.display())?;
    }
    Ok(())
}

/// The JSON document.
pub(super) fn json(
    out: &mut impl Write,
    report: &ScanReport,
    diff: Option<&Diff>,
    elapsed_ms: i64,
) -> anyhow::Result<()> {
    let mut doc = serde_json::json!({
        "summary": {
            "ports_tried": report.ports_tried,
            "ports_open": report.ports_open,
            "requests": report.requests,
            "failures": report.failures,
            "findings": report.findings.len(),
            "log4shell_payloads": report.log4shell_payloads,
            "callbacks": report.callbacks,
            "unresolved": report.unresolved,
            "elapsed_ms": elapsed_ms,
        },
        "services": report.services,
        "findings": report.findings,
    });
    if let Some(d) = diff {
        doc["diff"] = serde_json::json!({
            "since": d.since_ms.map(|ms| EventTime::from_unix_millis(ms).to_string()),
            "new": d.new,
            "gone": d.gone,
        });
    }
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)?;
    Ok(())
}
