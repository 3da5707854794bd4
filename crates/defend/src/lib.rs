//! Rampart's defence: turns what Rampart knows into decisions and per-request verdicts.
//!
//! - A [`Policy`] is read from YAML ([`Policy::from_yaml`]) and checked up front: every
//!   problem comes back at once with its line, column and a fix. It holds named entity lists
//!   ([`EntityList`]), [`Limits`], and ordered [`Rule`]s, each a `when` ([`Condition`]), an
//!   [`Action`] and a [`Mode`] (monitor by default).
//! - [`Policy::decisions_for`] turns an alert into [`Decision`]s (an action on a [`Scope`] with
//!   a reason, an [`Origin`] and an expiry in event time) for rules with a `ttl`; operators
//!   add their own with [`Decision::manual`]. A [`DecisionBook`] holds the active ones, bounded,
//!   with lookup by the scopes of a request.
//! - [`verdict()`] is a pure function of the policy, a request's [`RequestFacts`], the book, the
//!   [`RateLimiter`] (GCRA over a bounded map of hashed keys) and the event time. It returns a
//!   [`Verdict`]: the [`Outcome`] to carry out plus the "would have" outcomes of monitor-mode
//!   rules. The proxy passes tarpit verdicts through a [`TarpitGate`], which caps how many are
//!   held at once.
//! - [`PolicyHandle`] swaps policies on reload, keeping the old one when the new one is wrong.
//! - [`DryRun`] tallies verdicts of labelled traffic per rule: what would have been blocked,
//!   limited, tarpitted or deceived, for benign and for attacker traffic.
//! - [`Exporter`]s publish decisions: [`JsonLinesExporter`], [`IpsetExporter`].
//!
//! defend depends only on `rampart-core`: the engine fills [`RequestFacts`] from the inventory
//! and the detectors.

mod book;
mod decision;
mod dryrun;
mod export;
mod facts;
mod history;
mod lists;
mod policy;
mod ratelimit;
mod tarpit;
mod verdict;

pub use book::{BookStats, DecisionBook, Inserted};
pub use decision::{Action, Decision, Mode, Origin, Scope, ACTION_NAMES};
pub use dryrun::{ByLabel, Counts, DryRun, Label, RuleTally};
pub use export::{ExportError, Exporter, IpsetExporter, JsonLinesExporter, SetFormat};
pub use facts::{ActiveAlert, InventoryFacts, RequestFacts, DEFAULT_PREFIX_V4, DEFAULT_PREFIX_V6};
pub use history::{History, Seen};
pub use lists::EntityList;
pub use policy::rules::{
    Condition, EndpointPattern, LimitKey, Rule, ScopeKind, Test, KEY_NAMES, SCOPE_NAMES,
};
pub use policy::{render_problems, Limits, Policy, PolicyHandle, PolicyProblem, KNOWN_DETECTORS};
pub use ratelimit::{LimiterStats, Rate, RateLimiter};
pub use tarpit::{TarpitGate, TarpitPermit, TarpitStats, OVERFLOW_BODY};
pub use verdict::{verdict, Outcome, Verdict, WouldHave};
