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
    /// Requests from 60 s after the kind's first request on, and how many of them were
    /// stopped: what "contained within a minute" means.
    late: u64,
    late_stopped: u64,
}

/// How long an attack may run before it should be contained.
const CONTAIN_WITHIN_MS: i64 = 60_000;

impl Tally {
    fn add(&mut self, fate: Fate, t: i64, start: i64) {
        self.requests += 1;
        self.first = Some(self.first.map_or(t, |f| f.min(t)));
        if t >= start.saturating_add(CONTAIN_WITHIN_MS) {
            self.late += 1;
            self.late_stopped += u64::from(matches!(fate, Fate::Stopped(_)));
        }
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
        // What the benign requests that were stopped were answered, and on which endpoint.
        let mut benign_answers: BTreeMap<(u16, String), u64> = BTreeMap::new();
        let mut attacks: BTreeMap<String, Tally> = BTreeMap::new();
        // Each attack's start, so that "after its first minute" is known on every request.
        let mut starts: HashMap<&str, i64> = HashMap::new();
        for ex in self.exchanges {
            if let Some(Label::Attack { scenario }) = ex.client.and_then(|ip| labels.get(&ip)) {
                let t = ex.time.as_unix_millis();
                let s = starts.entry(scenario.name()).or_insert(t);
                *s = (*s).min(t);
            }
        }
        for (ex, fate) in self.exchanges.iter().zip(&self.fates) {
            let t = ex.time.as_unix_millis();
            match ex.client.and_then(|ip| labels.get(&ip)) {
                Some(Label::Attack { scenario }) => attacks
                    .entry(scenario.name().to_owned())
                    .or_default()
                    .add(*fate, t, starts.get(scenario.name()).copied().unwrap_or(t)),
                _ => {
                    benign.add(*fate, t, i64::MAX);
                    if matches!(fate, Fate::Stopped(_) | Fate::Slowed) {
                        if let Some(ip) = ex.client {
                            benign_actors_hit.insert(ip);
                        }
                        let status = match fate {
                            Fate::Stopped(s) => *s,
                            _ => 0,
                        };
                        let endpoint = format!("{} {}", ex.method, first_segments(&ex.path));
                        *benign_answers.entry((status, endpoint)).or_default() += 1;
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
            "  {:<22} {:>9} {:>9} {:>7} {:>20} {:>16}",
            "attack", "requests", "stopped", "share", "first stopped after", "after 1st minute"
        );
        for (name, t) in &attacks {
            let after = match (t.first, t.first_stopped) {
                (Some(f), Some(s)) => format!("{:.0} s", (s - f) as f64 / 1000.0),
                _ => "-".into(),
            };
            let late = if t.late == 0 {
                "-".to_owned()
            } else {
                format!("{:.1}%", 100.0 * t.late_stopped as f64 / t.late as f64)
            };
            let _ = writeln!(
                out,
                "  {:<22} {:>9} {:>9} {:>6.1}% {:>20} {:>16}",
                name,
                t.requests,
                t.stopped,
                100.0 * t.stopped as f64 / t.requests.max(1) as f64,
                after,
                late
            );
        }
        let _ = writeln!(
            out,
            "\nBenign users: {} requests, {} affected ({:.3}%: {} stopped, {} slowed) from {} addresses{}",
            benign.requests,
            benign.stopped + benign.slowed,
            100.0 * (benign.stopped + benign.slowed) as f64 / benign.requests.max(1) as f64,
            benign.stopped,
            benign.slowed,
            benign_actors_hit.len(),
            if benign.stopped + benign.slowed == 0 {
                " — none"
            } else {
                ""
            }
        );
        let mut answers: Vec<(&(u16, String), &u64)> = benign_answers.iter().collect();
        answers.sort_by_key(|(_, n)| std::cmp::Reverse(**n));
        for ((status, endpoint), n) in answers.iter().take(5) {
            let how = if *status == 0 {
                "slowed".to_owned()
            } else {
                format!("answered {status}")
            };
            let _ = writeln!(
                out,
                "  {n:>5} {how} on {}",
                rampart_core::redact::escape_for_terminal(endpoint, 60)
            );
        }
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

/// The first two segments of a path (`/api/v1/...`): where benign requests were stopped,
/// without the ids that follow.
fn first_segments(path: &str) -> String {
    let mut cut = path.len();
    let mut seen = 0;
    for (i, b) in path.bytes().enumerate().skip(1) {
        if b == b'/' {
            seen += 1;
            if seen == 3 {
                cut = i;
                break;
            }
        }
    }
    let head = &path[..cut];
    if cut < path.len() {
        format!("{head}/...")
    } else {
        head.to_owned()
    }
}
