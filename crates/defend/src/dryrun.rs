//! Dry runs: what a policy would have done to benign and to attacker traffic, per rule.
//!
//! Feed every verdict with what is known of the request (a simulation or a labelled replay
//! knows who is who) to [`DryRun::record`]. Each rule's tally counts, per label, the requests it
//! decided (enforced) and those it would have decided (monitor mode). [`DryRun::combined`]
//! counts what enforcing the whole policy would have done: the first outcome of each request,
//! enforced or not. Run [`crate::Policy::monitor_only`] to see a policy's effect before
//! switching any rule to enforce.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::verdict::{Outcome, Verdict};

/// Who sent a request, as far as the dry run knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// A legitimate user.
    Benign,
    /// An attacker.
    Attacker,
    /// Not known.
    Unknown,
}

/// Counts of outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Let through by an `allow` rule.
    pub allowed: u64,
    /// Blocked.
    pub blocked: u64,
    /// Rate limited.
    pub limited: u64,
    /// Tarpitted.
    pub tarpitted: u64,
    /// Deceived.
    pub deceived: u64,
    /// Asked to authenticate.
    pub auth_required: u64,
}

impl Counts {
    fn add(&mut self, o: &Outcome) {
        match o {
            Outcome::Allow { rule: Some(_) } => self.allowed += 1,
            Outcome::Allow { rule: None } => {}
            Outcome::Block { .. } => self.blocked += 1,
            Outcome::RateLimited { .. } => self.limited += 1,
            Outcome::Tarpit { .. } => self.tarpitted += 1,
            Outcome::Deceive { .. } => self.deceived += 1,
            Outcome::RequireAuth { .. } => self.auth_required += 1,
        }
    }

    /// Requests acted on (every count but `allowed`).
    pub fn acted(&self) -> u64 {
        self.blocked + self.limited + self.tarpitted + self.deceived + self.auth_required
    }
}

/// Counts split by label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByLabel {
    /// Of benign requests.
    pub benign: Counts,
    /// Of attacker requests.
    pub attacker: Counts,
    /// Of requests of unknown origin.
    pub unknown: Counts,
}

impl ByLabel {
    fn of(&mut self, label: Label) -> &mut Counts {
        match label {
            Label::Benign => &mut self.benign,
            Label::Attacker => &mut self.attacker,
            Label::Unknown => &mut self.unknown,
        }
    }

    /// The counts of one label.
    pub fn get(&self, label: Label) -> &Counts {
        match label {
            Label::Benign => &self.benign,
            Label::Attacker => &self.attacker,
            Label::Unknown => &self.unknown,
        }
    }
}

/// One rule's tally.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleTally {
    /// Outcomes the rule gave (enforce mode).
    pub enforced: ByLabel,
    /// Outcomes it would have given (monitor mode).
    pub would_have: ByLabel,
}

/// The tally of a dry run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DryRun {
    requests: BTreeMap<String, u64>,
    rules: BTreeMap<String, RuleTally>,
    combined: ByLabel,
}

fn label_name(label: Label) -> &'static str {
    match label {
        Label::Benign => "benign",
        Label::Attacker => "attacker",
        Label::Unknown => "unknown",
    }
}

impl DryRun {
    /// An empty tally.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one verdict of a request with `label`.
    pub fn record(&mut self, verdict: &Verdict, label: Label) {
        *self
            .requests
            .entry(label_name(label).to_owned())
            .or_default() += 1;
        let name = |o: &Outcome| o.rule().unwrap_or("").to_owned();
        for w in &verdict.would_have {
            let tally = self.rules.entry(name(&w.outcome)).or_default();
            tally.would_have.of(label).add(&w.outcome);
        }
        if verdict.outcome.rule().is_some() {
            let tally = self.rules.entry(name(&verdict.outcome)).or_default();
            tally.enforced.of(label).add(&verdict.outcome);
        }
        let first = verdict
            .would_have
            .first()
            .map_or(&verdict.outcome, |w| &w.outcome);
        self.combined.of(label).add(first);
    }

    /// Requests seen with `label`.
    pub fn requests(&self, label: Label) -> u64 {
        self.requests.get(label_name(label)).copied().unwrap_or(0)
    }

    /// The tally of the rule named `name`.
    pub fn rule(&self, name: &str) -> Option<&RuleTally> {
        self.rules.get(name)
    }

    /// Every rule's tally, by name.
    pub fn rules(&self) -> impl Iterator<Item = (&str, &RuleTally)> {
        self.rules.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// What enforcing every rule would have done: each request's first outcome.
    pub fn combined(&self) -> &ByLabel {
        &self.combined
    }

    /// A plain-text report: per rule, what it did and would have done to benign and attacker
    /// traffic.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let b = self.requests(Label::Benign);
        let a = self.requests(Label::Attacker);
        let u = self.requests(Label::Unknown);
        let _ = writeln!(out, "requests: {b} benign, {a} attacker, {u} unknown");
        let line = |c: &Counts| {
            format!(
                "{} blocked, {} limited, {} tarpitted, {} deceived, {} auth required",
                c.blocked, c.limited, c.tarpitted, c.deceived, c.auth_required
            )
        };
        for (name, t) in &self.rules {
            let _ = writeln!(out, "rule {name}");
            for (what, by) in [("enforced", &t.enforced), ("would have", &t.would_have)] {
                if by == &ByLabel::default() {
                    continue;
                }
                let _ = writeln!(out, "  {what}: benign {}", line(&by.benign));
                let _ = writeln!(out, "  {what}: attacker {}", line(&by.attacker));
                if by.unknown != Counts::default() {
                    let _ = writeln!(out, "  {what}: unknown {}", line(&by.unknown));
                }
            }
        }
        let _ = writeln!(
            out,
            "whole policy enforced: benign {}; attacker {}",
            line(&self.combined.benign),
            line(&self.combined.attacker)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::WouldHave;
    use std::sync::Arc;

    #[test]
    fn counts_split_by_label_and_mode() {
        let rule: Arc<str> = Arc::from("r");
        let mut v = Verdict::allow();
        v.would_have.push(WouldHave {
            outcome: Outcome::Deceive { rule: rule.clone() },
            decision: None,
        });
        let mut d = DryRun::new();
        d.record(&v, Label::Attacker);
        d.record(&v, Label::Benign);
        d.record(&Verdict::allow(), Label::Benign);
        let t = d.rule("r").unwrap();
        assert_eq!(t.would_have.attacker.deceived, 1);
        assert_eq!(t.would_have.benign.deceived, 1);
        assert_eq!(t.enforced.attacker.acted(), 0);
        assert_eq!(d.requests(Label::Benign), 2);
        assert_eq!(d.combined().attacker.deceived, 1);
        assert!(d.report().contains("rule r"));
    }
}
