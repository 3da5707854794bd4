//! Per-request signals that detectors build on: exploit probes, user-agent classes, network
//! lists and GeoIP lookups. Each is a pure function or a read-only table.

pub mod agent;
pub mod probes;
pub mod netlist;
