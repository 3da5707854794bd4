//! Rampart's store: what outlives a run.
//!
//! [`Store`] is the narrow, typed interface the engine writes through: endpoints of the
//! inventory (with their facts as JSON, merged by the caller), and a record of every analysis
//! run. [`SqliteStore`] is the embedded default: one SQLite file in WAL mode, schema migrations
//! applied on open, every write in one transaction, so interrupting a run (Ctrl-C, `kill`) leaves
//! the previous state intact rather than a half-written one.

mod error;
mod records;
mod sqlite;

pub use error::StoreError;
pub use records::{EndpointRecord, RunRecord};
pub use sqlite::SqliteStore;

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
}
