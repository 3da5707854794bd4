//! Rampart's traffic simulator: realistic traffic generated from an API spec together with the
//! ground truth of what was served, the scorer that compares a discovered inventory with that
//! truth, and fast writers of large benchmark logs.
//!
//! - [`generate`] turns a [`Spec`](rampart_discover::spec::Spec) into exchanges and a
//!   [`GroundTruth`];
//! - [`score`] measures a discovered inventory against the truth;
//! - [`to_otel_json`] and [`to_combined`] write exchanges as OpenTelemetry JSON lines or nginx
//!   `combined` lines;
//! - [`write_bench_combined`] and [`write_bench_otel`] stream large synthetic logs;
//! - [`HarWriter`] streams exchanges as a HAR 1.2 document;
//! - [`scenario`] simulates behavioural traffic — the "Acme" sample API, benign users and
//!   their look-alikes, the attacks of the seed articles — with labelled ground truth
//!   ([`simulate`], [`ScenarioTruth`]) and scores detection alerts against it
//!   ([`score_detection`]).

mod bench_lines;
mod bodies;
mod clients;
mod config;
mod endpoint;
mod generate;
mod har;
mod noise;
pub mod scenario;
mod score;
mod template;
mod truth;
mod values;
mod words;
mod write;
mod zipf;

pub use bench_lines::{write_bench_combined, write_bench_otel};
pub use config::{TrafficConfig, MAX_REQUESTS};
pub use generate::generate;
pub use har::{har_entry, HarWriter};
pub use scenario::{
    score_detection, simulate, DetectionScore, ScenarioConfig, ScenarioName, ScenarioTruth,
};
pub use score::{score, Score};
pub use template::normalize_template;
pub use truth::{GroundTruth, TruthEndpoint};
pub use write::{to_combined, to_otel_json};
