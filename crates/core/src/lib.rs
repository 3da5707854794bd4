//! Rampart's shared vocabulary.
//!
//! Every traffic source turns its records into an [`Exchange`]: one HTTP request and its
//! response, with event time ([`EventTime`]), the client address after trusted-proxy handling,
//! selected headers and bounded body samples. Everything downstream (discovery, detection,
//! defence) consumes only `Exchange`s.
//!
//! The crate also holds the few things three or more rooms need and that do no I/O:
//! - [`KeyedHasher`]: the keyed hash that replaces every secret or personal value before it
//!   reaches a map, a log, the store or a report;
//! - [`redact`]: masking helpers for the redacted examples shown to people;
//! - [`Hll`]: a small mergeable HyperLogLog for distinct counts under attack.

mod alert;
pub mod auth;
mod exchange;
mod hash;
pub mod otel_line;
pub mod redact;
mod sketch;
mod time;

pub use alert::{Alert, Entity, EntityKind, Owasp, Severity};
pub use exchange::{Body, Exchange, Headers, BODY_SAMPLE_LIMIT};
pub use hash::{fast_hash, hex16, HashTag, KeyedHasher};
pub use sketch::Hll;
pub use time::{EventTime, TimeParseError};
