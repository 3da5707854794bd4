//! Rampart's store: what outlives a run.
//!
//! [`Store`] is the narrow, typed interface the engine writes through: endpoints of the
//! inventory (with their facts as JSON, merged by the caller), and a record of every analysis
//! run, the alerts of the detectors ([`Store::save_alerts`], [`AlertQuery`]), and the policy's
//! decisions ([`Store::save_decisions`], [`Store::decisions`]), manual and automatic, so that
//! they survive a restart and a proxy and the `rampart decisions` command share them, and the
//! findings of outside-in scans ([`Store::save_scan`], [`Store::last_scan`]).
//! [`SqliteStore`] is the embedded default: one SQLite file in WAL mode, schema migrations
//! applied on open, every write in one transaction, so interrupting a run (Ctrl-C, `kill`) leaves
//! the previous state intact rather than a half-written one.

mod error;
mod records;
mod sqlite;

pub use error::StoreError;
pub use records::{EndpointRecord, FindingRecord, RunRecord, ScanRecord};
pub use sqlite::SqliteStore;

use rampart_core::{Alert, EventTime, Severity};
use rampart_defend::Decision;

/// Persistence for the inventory and the runs that built it.
pub trait Store {
    /// Every stored endpoint, in (host, method, template) order.
    fn endpoints(&self) -> Result<Vec<EndpointRecord>, StoreError>;

    /// Replaces the stored endpoints by `endpoints` and records `run`, atomically: after a crash
    /// either all of it is there or none of it.
    fn save_inventory(
        &mut self,
        endpoints: &[EndpointRecord],
        run: &RunRecord,
    ) -> Result<(), StoreError>;

    /// Recorded runs, newest first, at most `limit`.
    fn runs(&self, limit: usize) -> Result<Vec<RunRecord>, StoreError>;

    /// Inserts `alerts`, replacing stored alerts of the same id (an episode that grew), in one
    /// transaction.
    fn save_alerts(&mut self, alerts: &[Alert]) -> Result<(), StoreError>;

    /// Stored alerts matching `query`, newest raised first.
    fn alerts(&self, query: &AlertQuery) -> Result<Vec<Alert>, StoreError>;

    /// Inserts `decisions`, replacing stored decisions of the same id (a decision refreshed by
    /// the same alert seen again), in one transaction.
    fn save_decisions(&mut self, decisions: &[Decision]) -> Result<(), StoreError>;

    /// Stored decisions, newest made first: all of them, or with `active_at`, only those that
    /// apply at that time (no expiry, or an expiry after it).
    fn decisions(&self, active_at: Option<EventTime>) -> Result<Vec<Decision>, StoreError>;

    /// As [`Store::decisions`], only those made by hand (`rampart decisions add`): what a
    /// running proxy takes up from the store on every write, without reading back the many
    /// decisions it made itself.
    fn manual_decisions(&self, active_at: Option<EventTime>) -> Result<Vec<Decision>, StoreError>;

    /// Removes the decision with this id; whether there was one.
    fn remove_decision(&mut self, id: &str) -> Result<bool, StoreError>;

    /// Removes every decision that has expired at `now`; how many went.
    fn remove_expired(&mut self, now: EventTime) -> Result<usize, StoreError>;

    /// Records a scan and its findings in one transaction: findings are inserted or updated by
    /// id (a finding seen before keeps its first sighting), and linked to the scan. Returns the
    /// scan's id.
    fn save_scan(
        &mut self,
        scan: &ScanRecord,
        findings: &[FindingRecord],
    ) -> Result<i64, StoreError>;

    /// The newest scan of these targets (`targets_key`), if any.
    fn last_scan(&self, targets_key: &str) -> Result<Option<ScanRecord>, StoreError>;

    /// The findings a scan saw, in (target, severity worst first, kind) order.
    fn scan_findings(&self, scan_id: i64) -> Result<Vec<FindingRecord>, StoreError>;

    /// Stored findings matching `query`, worst first, then newest.
    fn findings(&self, query: &FindingQuery) -> Result<Vec<FindingRecord>, StoreError>;
}

/// Which stored findings to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindingQuery {
    /// Only findings about this target (`host:port`, or a host).
    pub target: Option<String>,
    /// Only this kind.
    pub kind: Option<String>,
    /// Only findings of at least this severity.
    pub min_severity: Option<Severity>,
    /// At most this many (0: no limit).
    pub limit: usize,
}

/// Which stored alerts to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertQuery {
    /// Only this detector.
    pub detector: Option<String>,
    /// Only alerts of at least this severity.
    pub min_severity: Option<Severity>,
    /// Only alerts raised at or after this time (Unix ms).
    pub since_ms: Option<i64>,
    /// Only alerts naming this entity value as their subject (an address, a hash).
    pub entity: Option<String>,
    /// At most this many (0: no limit).
    pub limit: usize,
}
