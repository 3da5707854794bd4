//! Per-request signals that detectors build on: exploit probes, user-agent classes, network
//! lists and GeoIP lookups. Each is a pure function or a read-only table.

pub mod agent;
pub mod geo;
pub mod netlist;
pub mod probes;

#[cfg(test)]
pub(crate) mod mmdb_writer;
