//! Rampart's detection: streaming detectors of API abuse over bounded per-entity state.
//!
//! [`Detection`] runs every enabled [`Detector`] over a stream of exchanges. Each exchange is
//! first derived into a [`Request`] (path shape and object, hashed session, principal and
//! target, fingerprint, login attempt) and the client's [`profile::Traits`]; detectors keep
//! their own state in bounded [`keyed::Keyed`] maps with fixed-size, mergeable [`sketch`]es,
//! read time only from the exchange (event time, so replay and live agree) and emit
//! [`Signal`]s. The [`alerts::AlertBook`] deduplicates signals into alerts (one per detector,
//! entity and episode, naming the addresses and sessions they cover), and [`actors`] rolls the
//! alerts up into attackers with a risk score.

pub mod actors;
pub mod address;
pub mod alerts;
pub mod config;
pub mod credcache;
pub mod detector;
pub mod detectors;
pub mod fasthash;
pub mod ids;
pub mod keyed;
pub mod login;
pub mod merge;
pub mod pair;
pub mod profile;
pub mod recommend;
pub mod request;
mod run;
pub mod shape;
pub mod shared;
pub mod signals;
pub mod sketch;
#[cfg(test)]
mod testing;

pub use config::DetectConfig;
pub use detector::{Detector, Members, Signal, Subject};
pub use request::{EndpointFacts, Request};
pub use run::{Detection, DetectionReport};
