//! What traffic to generate.

use rampart_core::EventTime;

/// Most requests one generation may produce; the whole run is held in memory.
pub const MAX_REQUESTS: usize = 5_000_000;

/// Shape of the generated traffic.
#[derive(Debug, Clone)]
pub struct TrafficConfig {
    /// Seed for every random choice; the same seed gives the same traffic.
    pub seed: u64,
    /// Total requests, probes and shadow traffic included (capped at [`MAX_REQUESTS`]; raised
    /// when needed so that every endpoint is requested at least once).
    pub requests: usize,
    /// Undocumented endpoints served anyway.
    pub shadow_endpoints: usize,
    /// Share of all requests that are scanner probes.
    pub probe_share: f64,
    /// Distinct client addresses.
    pub clients: usize,
    /// Whether to attach JSON request and response bodies (with personal data).
    pub bodies: bool,
    /// Time of the first possible request.
    pub start: EventTime,
    /// Span of the traffic in seconds.
    pub duration_s: u64,
}

impl Default for TrafficConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            requests: 20_000,
            shadow_endpoints: 4,
            probe_share: 0.03,
            clients: 400,
            bodies: true,
            start: EventTime::from_civil(2024, 5, 1, 0, 0, 0, 0),
            duration_s: 3600,
        }
    }
}
