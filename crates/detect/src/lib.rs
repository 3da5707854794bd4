//! Rampart's detection: streaming detectors of API abuse over bounded per-entity state.

pub mod signals;
