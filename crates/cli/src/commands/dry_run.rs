//! `rampart analyze --policy P`: the recorded traffic replayed through a policy, as if the proxy
//! had been in front of it. What each rule would have done is counted separately for
//! addresses the detectors flagged by the end of the run (attack traffic) and for the others
//! (benign traffic, which a good policy leaves alone).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use rampart_core::{Alert, EventTime, Exchange, KeyedHasher, Severity};
use rampart_defend::{Outcome, Policy, PolicyHandle, Verdict};
use rampart_engine::{Analysis, Engine};
use rampart_proxy::{Guard, GuardOptions};

/// Most client addresses whose outcomes are kept until the end of the run; past it, new
/// addresses are counted together as "unlabelled".
const MAX_ADDRESSES: usize = 1_000_000;

/// What one rule did (or would have done) to one address.
#[derive(Debug, Default, Clone)]
struct PerAddress {
    /// (rule, action, enforced) → requests.
    counts: HashMap<(Arc<str>, &'static str, bool), u64>,
    requests: u64,
}

/// The replay: the guard over the engine, and the outcomes by address.
pub(crate) struct DryRun {
    guard: Guard,
    by_address: HashMap<IpAddr, PerAddress>,
    unlabelled: PerAddress,
    source: String,
}

fn rule_of(o: &Outcome) -> Option<Arc<str>> {
    o.rule().map(Arc::from)
}

impl DryRun {
    /// A dry run of the policy at `path` over `engine`.
    pub(crate) fn new(path: &Path, engine: Engine, hasher: KeyedHasher) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the policy {}", path.display()))?;
        let mut detectors: Vec<&'static str> = rampart_defend::KNOWN_DETECTORS.to_vec();
        detectors.extend(["log4shell", "sensitive_file_probe", "path_traversal"]);
        let policy = Policy::from_yaml_with(&text, &path.display().to_string(), &detectors)
            .map_err(|p| anyhow::anyhow!("{}", rampart_defend::render_problems(&p)))?;
        let guard = Guard::new(
            engine,
            Arc::new(PolicyHandle::new(policy)),
            hasher,
            None,
            GuardOptions::default(),
            EventTime::from_unix_millis(0),
        )
        .context("starting the dry run")?;
        Ok(Self {
            guard,
            by_address: HashMap::new(),
            unlabelled: PerAddress::default(),
            source: path.display().to_string(),
        })
    }

    /// Judges, then observes, one exchange.
    pub(crate) fn observe(&mut self, ex: &Exchange) {
        let v = self.guard.replay(ex);
        let at_cap = self.by_address.len() >= MAX_ADDRESSES;
        let slot = match ex.client {
            Some(ip) if !at_cap || self.by_address.contains_key(&ip) => {
                self.by_address.entry(ip).or_default()
            }
            _ => &mut self.unlabelled,
        };
        slot.requests += 1;
        record(slot, &v);
    }

    /// Finishes the engine; the analysis and the dry-run report.
    pub(crate) fn finish(self) -> (Option<Analysis>, String) {
        let Self {
            guard,
            by_address,
            unlabelled,
            source,
        } = self;
        let analysis = guard.finish(EventTime::from_unix_millis(i64::MAX / 4));
        let flagged: HashSet<IpAddr> = analysis
            .as_ref()
            .map(|a| flagged_addresses(&a.detection.alerts))
            .unwrap_or_default();
        let report = render(&source, &by_address, &unlabelled, &flagged);
        (analysis, report)
    }
}

fn record(slot: &mut PerAddress, v: &Verdict) {
    if let Some(rule) = rule_of(&v.outcome).filter(|_| !v.outcome.is_allow()) {
        *slot
            .counts
            .entry((rule, v.outcome.kind(), true))
            .or_default() += 1;
    }
    for w in &v.would_have {
        if let Some(rule) = rule_of(&w.outcome) {
            *slot
                .counts
                .entry((rule, w.outcome.kind(), false))
                .or_default() += 1;
        }
    }
}

fn flagged_addresses(alerts: &[Alert]) -> HashSet<IpAddr> {
    alerts
        .iter()
        .filter(|a| a.severity >= Severity::Low)
        .flat_map(|a| a.ips())
        .filter_map(|s| s.parse().ok())
        .collect()
}

fn render(
    source: &str,
    by_address: &HashMap<IpAddr, PerAddress>,
    unlabelled: &PerAddress,
    flagged: &HashSet<IpAddr>,
) -> String {
    // (rule, action, enforced) → [benign, flagged] requests.
    let mut rules: BTreeMap<(Arc<str>, &'static str, bool), [u64; 2]> = BTreeMap::new();
    let mut totals = [0u64; 2];
    let mut acted_on = [0u64; 2];
    for (ip, per) in by_address {
        let side = usize::from(flagged.contains(ip));
        totals[side] += per.requests;
        let mut any = 0;
        for (key, n) in &per.counts {
            rules.entry(key.clone()).or_default()[side] += n;
            if key.2 {
                any += n;
            }
        }
        acted_on[side] += any.min(per.requests);
    }
    let mut out = String::new();
    let _ = writeln!(out, "\nPolicy dry run ({source}):");
    let _ = writeln!(
        out,
        "  traffic from addresses the detectors flagged: {} requests, {} acted on",
        totals[1], acted_on[1]
    );
    let _ = writeln!(
        out,
        "  traffic from other addresses (benign):       {} requests, {} acted on",
        totals[0], acted_on[0]
    );
    if unlabelled.requests > 0 {
        let _ = writeln!(
            out,
            "  requests without an address, or past {MAX_ADDRESSES} addresses: {}",
            unlabelled.requests
        );
    }
    if rules.is_empty() {
        let _ = writeln!(out, "  no rule would have acted on this traffic");
        return out;
    }
    let _ = writeln!(
        out,
        "  {:<28} {:<13} {:<9} {:>12} {:>12}",
        "RULE", "ACTION", "MODE", "FLAGGED", "BENIGN"
    );
    for ((rule, action, enforced), [benign, bad]) in &rules {
        let _ = writeln!(
            out,
            "  {:<28} {:<13} {:<9} {:>12} {:>12}",
            rampart_core::redact::escape_for_terminal(rule, 28),
            action,
            if *enforced { "enforce" } else { "monitor" },
            bad,
            benign
        );
    }
    out
}
