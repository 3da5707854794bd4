//! Detection scores as Markdown tables.

use std::fmt::Write;

use super::score::DetectionScore;

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

fn duration(ms: i64) -> String {
    let s = ms as f64 / 1000.0;
    if s.abs() < 120.0 {
        format!("{s:.1} s")
    } else {
        format!("{:.1} min", s / 60.0)
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

impl DetectionScore {
    /// The scores as Markdown: one table of scenarios, one of benign kinds, and the flagged
    /// benign actors (at most `max_flagged` rows).
    pub fn to_markdown(&self, max_flagged: usize) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "| scenario | detected | IPs named | IP recall | sessions named | session recall | first alert after start | detectors |"
        );
        let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---|");
        for s in &self.scenarios {
            let _ = writeln!(
                out,
                "| {} | {} | {}/{} | {} | {} | {} | {} | {} |",
                s.scenario,
                if s.detected { "yes" } else { "no" },
                s.ips_named,
                s.ips,
                pct(s.ip_recall),
                if s.sessions > 0 {
                    format!("{}/{}", s.sessions_named, s.sessions)
                } else {
                    "–".into()
                },
                s.session_recall.map(pct).unwrap_or_else(|| "–".into()),
                s.time_to_first_alert_ms
                    .map(duration)
                    .unwrap_or_else(|| "–".into()),
                cell(&s.detectors.join(", ")),
            );
        }
        let b = &self.benign;
        let _ = writeln!(
            out,
            "\nBenign actors flagged: {} of {} ({}).\n",
            b.flagged,
            b.actors,
            pct(b.false_positive_rate)
        );
        let _ = writeln!(out, "| benign kind | actors | flagged | rate |");
        let _ = writeln!(out, "|---|---:|---:|---:|");
        for k in &b.kinds {
            let rate = if k.actors > 0 {
                k.flagged as f64 / k.actors as f64
            } else {
                0.0
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                k.kind.name(),
                k.actors,
                k.flagged,
                pct(rate)
            );
        }
        if !b.flagged_actors.is_empty() {
            let _ = writeln!(
                out,
                "\n| flagged benign actor | kind | alerts | detectors |"
            );
            let _ = writeln!(out, "|---|---|---:|---|");
            for f in b.flagged_actors.iter().take(max_flagged) {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    cell(&f.actor),
                    f.kind.name(),
                    f.alerts,
                    cell(&f.detectors.join(", "))
                );
            }
            if b.flagged_actors.len() > max_flagged {
                let _ = writeln!(
                    out,
                    "\n… and {} more.",
                    b.flagged_actors.len() - max_flagged
                );
            }
        }
        out
    }
}
