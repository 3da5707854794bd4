//! What the demo prints: what was discovered, detected and stopped, with benign and attack
//! traffic counted apart (the simulator knows which is which).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use rampart_core::{Alert, Exchange, Severity};
use rampart_defend::Decision;
use rampart_proxy::GuardStats;
use rampart_sim::scenario::{Label, ScenarioTruth};

use super::replay::Fate;

/// Everything the demo learned, ready to print.
pub(crate) struct Report<'a> {
    pub(crate) exchanges: &'a [Exchange],
    pub(crate) truth: &'a ScenarioTruth,
    pub(crate) fates: Vec<Fate>,
    pub(crate) took: Duration,
    pub(crate) alerts: Vec<Alert>,
    pub(crate) decisions: Vec<Decision>,
    pub(crate) stats: GuardStats,
    pub(crate) inventory: serde_json::Value,
    pub(crate) db: PathBuf,
    pub(crate) dir: PathBuf,
}

/// Requests of one kind of traffic and what happened to them.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    requests: u64,
    stopped: u64,
    slowed: u64,
    failed: u64,
    /// Event time (ms) of the first request stopped.
    first_stopped: Option<i64>,
    /// Event time (ms) of the first request.
    first: Option<i64>,
}

impl Tally {
    fn add(&mut self, fate: Fate, t: i64) {
        self.requests += 1;
        self.first = Some(self.first.map_or(t, |f| f.min(t)));
        match fate {
            Fate::Passed => {}
            Fate::Stopped(_) => {
                self.stopped += 1;
                self.first_stopped = Some(self.first_stopped.map_or(t, |f| f.min(t)));
            }
            Fate::Slowed => self.slowed += 1,
            Fate::Failed => self.failed += 1,
        }
    }
}

impl Report<'_> {
    pub(crate) fn render(&self) -> String {
        let labels: HashMap<IpAddr, Label> = self
            .truth
            .actors
            .iter()
            .flat_map(|a| a.ips.iter().map(move |ip| (*ip, a.label)))
            .collect();
        let mut benign = Tally::default();
        let mut benign_actors_hit: std::collections::HashSet<IpAddr> = Default::default();
        let mut attacks: BTreeMap<String, Tally> = BTreeMap::new();
        for (ex, fate) in self.exchanges.iter().zip(&self.fates) {
            let t = ex.time.as_unix_millis();
            match ex.client.and_then(|ip| labels.get(&ip)) {
                Some(Label::Attack { scenario }) => attacks
                    .entry(scenario.name().to_owned())
                    .or_default()
                    .add(*fate, t),
                _ => {
                    benign.add(*fate, t);
                    if matches!(fate, Fate::Stopped(_) | Fate::Slowed) {
                        if let Some(ip) = ex.client {
                            benign_actors_hit.insert(ip);
                        }
                    }
                }
            }
        }
        let mut out = String::new();
        let _ = writeln!(
            out,
            "\nRampart demo: {} requests replayed through the proxy in {:.1} s ({:.0} requests/s), {} minutes of simulated traffic",
            self.exchanges.len(),
            self.took.as_secs_f64(),
            self.exchanges.len() as f64 / self.took.as_secs_f64().max(0.001),
            (self.truth.end.as_unix_millis() - self.truth.start.as_unix_millis()) / 60_000
        );

        let endpoints = self.inventory.as_array().map_or(0, Vec::len);
        let _ = writeln!(out, "\nDiscovered: {endpoints} endpoints");
        if let Some(list) = self.inventory.as_array() {
            let mut top: Vec<&serde_json::Value> = list.iter().collect();
            top.sort_by_key(|e| std::cmp::Reverse(e["hits"].as_u64().unwrap_or(0)));
            for e in top.iter().take(8) {
                let _ = writeln!(
                    out,
                    "  {:<7} {:<18} {:<44} {:>7} hits",
                    e["method"].as_str().unwrap_or(""),
                    e["host"].as_str().unwrap_or(""),
                    rampart_core::redact::escape_for_terminal(
                        e["template"].as_str().unwrap_or(""),
                        44
                    ),
                    e["hits"].as_u64().unwrap_or(0)
                );
            }
        }

        let flagged: Vec<&Alert> = self
            .alerts
            .iter()
            .filter(|a| a.severity >= Severity::Low)
            .collect();
        let mut by_detector: BTreeMap<&str, (usize, Severity)> = BTreeMap::new();
        for a in &flagged {
            let e = by_detector.entry(&a.detector).or_insert((0, a.severity));
            e.0 += 1;
            e.1 = e.1.max(a.severity);
        }
        let _ = writeln!(out, "\nDetected: {} alerts", flagged.len());
        for (d, (n, sev)) in &by_detector {
            let _ = writeln!(out, "  {d:<24} {n:>5} alerts  (up to {})", sev.name());
        }

        let _ = writeln!(
            out,
            "\nStopped: {} decisions in force; {} requests blocked, rate-limited or deceived",
            self.decisions.len(),
            self.stats
                .verdicts
                .iter()
                .filter(|(k, _)| *k != "allow")
                .map(|(_, n)| n)
                .sum::<u64>()
        );
        let _ = writeln!(
            out,
            "  {:<22} {:>9} {:>9} {:>7} {:>22}",
            "attack", "requests", "stopped", "share", "first stopped after"
        );
        for (name, t) in &attacks {
            let after = match (t.first, t.first_stopped) {
                (Some(f), Some(s)) => format!("{:.0} s", (s - f) as f64 / 1000.0),
                _ => "-".into(),
            };
            let _ = writeln!(
                out,
                "  {:<22} {:>9} {:>9} {:>6.1}% {:>22}",
                name,
                t.requests,
                t.stopped,
                100.0 * t.stopped as f64 / t.requests.max(1) as f64,
                after
            );
        }
        let _ = writeln!(
            out,
            "\nBenign users: {} requests, {} affected ({} stopped, {} slowed) from {} addresses{}",
            benign.requests,
            benign.stopped + benign.slowed,
            benign.stopped,
            benign.slowed,
            benign_actors_hit.len(),
            if benign.stopped + benign.slowed == 0 {
                " — none"
            } else {
                ""
            }
        );
        let failed: u64 = benign.failed + attacks.values().map(|t| t.failed).sum::<u64>();
        if failed > 0 {
            let _ = writeln!(out, "Requests that could not be sent: {failed}");
        }
        let _ = writeln!(
            out,
            "\nEngine: {} exchanges observed, {} access-log lines; store {} (demo files in {})",
            self.stats.observed,
            self.stats.log_lines,
            self.db.display(),
            self.dir.display()
        );
        let _ = writeln!(
            out,
            "Browse: rampart inventory --db {db} | rampart alerts --db {db} | rampart decisions list --db {db}",
            db = self.db.display()
        );
        out
    }
}
