//! The rows the store keeps.

use serde::{Deserialize, Serialize};

/// One endpoint of the inventory. `facts` is the discovery crate's serialised endpoint facts
/// (already free of secrets and raw personal data); the store does not interpret it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointRecord {
    /// Host the endpoint is served on (empty when the source had none).
    pub host: String,
    /// Upper-case method.
    pub method: String,
    /// Path template (`/users/{id}`).
    pub template: String,
    /// Requests seen, over all runs.
    pub hits: u64,
    /// First time seen, Unix milliseconds (event time).
    pub first_seen_ms: i64,
    /// Last time seen, Unix milliseconds (event time).
    pub last_seen_ms: i64,
    /// Whether a supplied spec documents it.
    pub documented: bool,
    /// Serialised facts (JSON).
    pub facts: String,
    /// Why the template is what it is (JSON array of strings).
    pub explanation: String,
}

/// One analysis run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Inputs analysed, as given on the command line.
    pub inputs: Vec<String>,
    /// Exchanges read.
    pub records: u64,
    /// Records skipped as unreadable.
    pub bad_records: u64,
    /// Earliest event time in the run, Unix milliseconds.
    pub first_event_ms: i64,
    /// Latest event time in the run, Unix milliseconds.
    pub last_event_ms: i64,
    /// Endpoints in the inventory after the run.
    pub endpoints: u64,
}
