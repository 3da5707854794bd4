//! The policy: named entity lists, limits, and an ordered list of rules, read from YAML and
//! checked up front.
//!
//! [`Policy::from_yaml`] reads the text with serde-saphyr into a located tree ([`yaml`]), reads
//! the tree into checked rules ([`parse`], with value checks in [`validate`]) and reports every
//! problem at once, each with its line, column, what is wrong and how to fix it.
//! [`eval`] decides whether a rule's `when` holds for a request or an alert. A
//! [`PolicyHandle`] swaps policies on reload and keeps the old one when the new one is wrong.

pub(crate) mod eval;
mod handle;
mod parse;
pub(crate) mod rules;
mod validate;
mod yaml;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub use handle::PolicyHandle;
pub use validate::KNOWN_DETECTORS;

use crate::lists::EntityList;
use rules::Rule;

/// Bounds that keep the defend step's memory and the proxy's held connections in check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Longest tarpit delay of any one request (`max_tarpit_delay`, default 10s).
    pub max_tarpit_delay: Duration,
    /// Most requests held in a tarpit at once; above it they get `tarpit_overflow_status`
    /// (`max_tarpitted`, default 256).
    pub max_tarpitted: usize,
    /// Status answered instead of a tarpit when it is full (default 429).
    pub tarpit_overflow_status: u16,
    /// Most rate-limit keys kept, all rules together (default 100000).
    pub max_rate_limit_keys: usize,
    /// Most active decisions kept (default 100000).
    pub max_decisions: usize,
    /// Most decisions one alert can make (its addresses or sessions; default 1000).
    pub max_decisions_per_alert: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_tarpit_delay: Duration::from_secs(10),
            max_tarpitted: 256,
            tarpit_overflow_status: 429,
            max_rate_limit_keys: 100_000,
            max_decisions: 100_000,
            max_decisions_per_alert: 1_000,
        }
    }
}

/// One problem in a policy file: where, what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyProblem {
    /// The file (or other source) name given to the parser.
    pub source: String,
    /// Line (1-based); 0 when unknown.
    pub line: u64,
    /// Column (1-based); 0 when unknown.
    pub column: u64,
    /// The field's path (`rules[2].action`); empty for the whole document.
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

impl fmt::Display for PolicyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        f.write_str(": ")?;
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)?;
        if !self.fix.is_empty() {
            write!(f, "\n  fix: {}", self.fix)?;
        }
        Ok(())
    }
}

/// Formats problems one after another, as `rampart config check` prints them.
pub fn render_problems(problems: &[PolicyProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A checked policy. The empty policy has no rules and allows everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    source: String,
    lists: BTreeMap<String, Arc<EntityList>>,
    rules: Vec<Rule>,
    limits: Limits,
    index: HashMap<Arc<str>, usize>,
    /// Whether a rule reads the clients' histories, which the verdict then keeps.
    uses_history: bool,
    /// Whether a rule reads request headers, which the facts then carry.
    reads_headers: bool,
}

impl Policy {
    /// Reads and checks a policy. `source` names it in problems (a file name). Empty text is
    /// the empty policy. Every problem found is returned, in file order.
    pub fn from_yaml(text: &str, source: &str) -> Result<Self, Vec<PolicyProblem>> {
        Self::from_yaml_with(text, source, &KNOWN_DETECTORS)
    }

    /// [`Policy::from_yaml`] with the detector names `detector:` accepts.
    pub fn from_yaml_with(
        text: &str,
        source: &str,
        detectors: &[&str],
    ) -> Result<Self, Vec<PolicyProblem>> {
        let mut problems = validate::Problems::new(source);
        if text.trim().is_empty() {
            return Ok(Self {
                source: source.to_owned(),
                ..Self::default()
            });
        }
        let root = match yaml::read(text) {
            Ok(root) => root,
            Err(e) => {
                problems.add(
                    e.pos,
                    "",
                    e.message,
                    "check the YAML syntax here: indentation, `key: value` pairs, closed brackets and quotes",
                );
                return Err(problems.list);
            }
        };
        let policy = parse::policy(&root, source, detectors, &mut problems);
        if problems.list.is_empty() {
            Ok(policy)
        } else {
            let mut list = problems.list;
            list.sort_by_key(|p| (p.line, p.column));
            Err(list)
        }
    }

    /// Reads and checks a policy file.
    pub fn from_file(path: &Path) -> Result<Self, Vec<PolicyProblem>> {
        let source = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_yaml(&text, &source),
            Err(e) => Err(vec![PolicyProblem {
                source,
                line: 0,
                column: 0,
                field: String::new(),
                message: format!("cannot read the policy: {e}"),
                fix: "check the path and its permissions".into(),
            }]),
        }
    }

    /// The source name given when it was read.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The rules, in evaluation order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule named `name`.
    pub fn rule(&self, name: &str) -> Option<&Rule> {
        self.index.get(name).map(|&i| &self.rules[i])
    }

    /// Position of the rule named `name` in evaluation order.
    pub fn rule_index(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The named lists.
    pub fn lists(&self) -> &BTreeMap<String, Arc<EntityList>> {
        &self.lists
    }

    /// Whether a rule's `when` or `unless` reads the clients' histories (`history:`); the
    /// verdict keeps them only then.
    pub fn uses_history(&self) -> bool {
        self.uses_history
    }

    /// Whether a rule's `when` or `unless` reads request headers (`header:`,
    /// `header_absent:`, ...); the request facts need a copy of them only then.
    pub fn reads_headers(&self) -> bool {
        self.reads_headers
    }

    /// The limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The same policy with every rule in monitor mode: a dry run of it reports what
    /// enforcing all of it would have done, first match first.
    pub fn monitor_only(&self) -> Self {
        let mut p = self.clone();
        for r in &mut p.rules {
            r.mode = crate::decision::Mode::Monitor;
        }
        p
    }
}

#[cfg(test)]
mod tests;
