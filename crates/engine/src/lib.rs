//! Rampart's engine: one object that every job feeds.
//!
//! [`Config`] is read from the one YAML file and checked up front ([`config::load`]), with every
//! problem reported with its line and a fix. [`Engine`] is built from it and exposes
//! [`Engine::observe`], used identically by `rampart analyze` (replaying files) and, later, by the
//! inline proxy: windows and baselines run on event time, so replay and live agree.
//! [`persist`] moves the inventory to and from the store; [`key`] keeps the per-installation
//! secret under which every secret or personal value is hashed.

pub mod config;
mod engine;
pub mod key;
pub mod persist;

pub use config::Config;
pub use engine::{Analysis, Engine};
/// Exploit-probe signatures, for checking a request before it is answered.
pub use rampart_detect::signals::probes::{ProbeInspector, ProbeKind};
