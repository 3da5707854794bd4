//! The detectors, one folder each: `mod.rs` says what it catches, its key, its state size and
//! a sample of its evidence; `config.rs` holds its settings; `tests.rs` feeds it exchanges with
//! explicit times and checks the alert and its numbers.

pub mod agent;
pub mod credential_stuffing;
pub mod direct_to_api;
pub mod enumeration;
pub mod exploit_probes;
pub mod infrastructure;
pub mod pivot;
pub mod scraping;
pub mod session_rotation;
pub mod shadow_api;
pub mod target_ips;
pub mod timing;
pub mod volumetric;
