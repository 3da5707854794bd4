//! The rows the store keeps.

use rampart_core::Severity;
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

/// One finding of an outside-in scan. `body` is the scanner's serialised finding (already free
/// of secrets and raw personal data); the store does not interpret it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRecord {
    /// Stable id (kind, target and subject hashed): the same in every scan that finds it.
    pub id: String,
    /// The kind (`exposed_file`, `tls_expired`, ...).
    pub kind: String,
    /// How bad it is.
    pub severity: Severity,
    /// The service (`host:port`) or host it is about.
    pub target: String,
    /// One line saying what is wrong.
    pub title: String,
    /// First found, Unix milliseconds (kept from the first scan that found it).
    pub first_seen_ms: i64,
    /// Last found, Unix milliseconds.
    pub last_seen_ms: i64,
    /// The whole finding as JSON.
    pub body: String,
}

/// One outside-in scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanRecord {
    /// Row id, given by the store (ignored when saving).
    pub id: i64,
    /// Identifies the set of targets and ports scanned, so that a scan is compared with the
    /// previous one of the same targets.
    pub targets_key: String,
    /// The targets as given.
    pub targets: Vec<String>,
    /// When the scan started, Unix milliseconds.
    pub started_ms: i64,
    /// When it finished, Unix milliseconds.
    pub finished_ms: i64,
    /// Services (open ports) found.
    pub services: u64,
    /// Findings raised.
    pub findings: u64,
}
