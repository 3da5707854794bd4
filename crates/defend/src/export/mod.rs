//! Exporters publish decisions to whatever enforces them when Rampart only sees a copy of the
//! traffic: a JSON-lines file for pipelines, an ipset or nftables set file for firewalls.

mod file;
mod ipset;

pub use file::JsonLinesExporter;
pub use ipset::{IpsetExporter, SetFormat};

use crate::decision::Decision;

/// Why a decision could not be published.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing failed.
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    /// The decision could not be encoded.
    #[error("cannot encode the decision: {0}")]
    Encode(String),
}

/// Publishes decisions somewhere.
pub trait Exporter {
    /// Publishes one decision (new or refreshed). Exporters skip what they cannot express
    /// (an ipset holds only addresses) and return `Ok`.
    ///
    /// Publish decisions as they were made ([`crate::Policy::decisions_for`],
    /// [`Decision::manual`]) rather than the book's stored copy: a refreshed decision then
    /// carries its new lifetime from now, which is what a firewall timeout wants.
    fn publish(&mut self, decision: &Decision) -> Result<(), ExportError>;

    /// Withdraws a decision removed before it expired. By default, nothing.
    fn withdraw(&mut self, decision: &Decision) -> Result<(), ExportError> {
        let _ = decision;
        Ok(())
    }
}
