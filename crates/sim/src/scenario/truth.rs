//! The ground truth of a simulation: who every actor is, which addresses and sessions it used,
//! and when each attack ran.

use std::collections::BTreeMap;
use std::net::IpAddr;

use rampart_core::EventTime;
use serde::{Deserialize, Serialize};

use super::config::ScenarioName;

/// What a benign actor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BenignKind {
    /// A person with a modern browser: pages, then APIs, human think times.
    Browser,
    /// Many people behind one corporate NAT address, each with their own browser and session
    /// (one actor for all of them).
    Nat,
    /// An uptime monitor: one request every 60 s exactly.
    Monitor,
    /// A search-engine crawler fetching product pages.
    Crawler,
    /// The official mobile app: a bearer token, few or no cookies.
    MobileApp,
    /// A partner's server-to-server integration with an API key.
    Partner,
    /// A person who mistypes a password three times, then signs in.
    TypoUser,
}

impl BenignKind {
    /// Every kind.
    pub const ALL: [Self; 7] = [
        Self::Browser,
        Self::Nat,
        Self::Monitor,
        Self::Crawler,
        Self::MobileApp,
        Self::Partner,
        Self::TypoUser,
    ];

    /// The snake_case name, as serialised.
    pub fn name(self) -> &'static str {
        match self {
            Self::Browser => "browser",
            Self::Nat => "nat",
            Self::Monitor => "monitor",
            Self::Crawler => "crawler",
            Self::MobileApp => "mobile_app",
            Self::Partner => "partner",
            Self::TypoUser => "typo_user",
        }
    }
}

/// Who an actor is: benign (of a kind) or one of the attack scenarios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "label", rename_all = "snake_case")]
pub enum Label {
    /// Legitimate traffic; serialised as `{"label": "benign", "kind": "browser"}`.
    Benign {
        /// What kind of legitimate client.
        kind: BenignKind,
    },
    /// An attack; serialised as `{"label": "attack", "scenario": "credential_stuffing"}`.
    Attack {
        /// The scenario.
        scenario: ScenarioName,
    },
}

impl Label {
    /// `benign/<kind>` or the scenario name.
    pub fn name(&self) -> String {
        match self {
            Self::Benign { kind } => format!("benign/{}", kind.name()),
            Self::Attack { scenario } => scenario.name().to_owned(),
        }
    }

    /// The scenario, for an attack.
    pub fn scenario(&self) -> Option<ScenarioName> {
        match self {
            Self::Attack { scenario } => Some(*scenario),
            Self::Benign { .. } => None,
        }
    }
}

/// One actor: a person, a program or an attack campaign (one campaign may use thousands of
/// addresses; it is one actor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorTruth {
    /// Unique name (`browser-0017`, `credential_stuffing/flood`).
    pub id: String,
    /// Who it is.
    #[serde(flatten)]
    pub label: Label,
    /// Every client address it used, sorted.
    pub ips: Vec<IpAddr>,
    /// Every credential value it presented, in clear, sorted: `sid` session-cookie values,
    /// bearer tokens and API keys. Alerts name them as
    /// `hasher.tag(rampart_core::auth::SECRET_DOMAIN, value)`.
    pub sessions: Vec<String>,
    /// Event time of its first request.
    pub start: EventTime,
    /// Event time of its last request.
    pub end: EventTime,
    /// Requests it sent.
    pub requests: u64,
}

/// One attack scenario as it ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioRun {
    /// The scenario.
    pub scenario: ScenarioName,
    /// The seed incident it renders.
    pub incident: String,
    /// Event time of its first request.
    pub start: EventTime,
    /// Event time of its last request.
    pub end: EventTime,
    /// Requests sent.
    pub requests: u64,
    /// Distinct client addresses.
    pub ips: usize,
    /// Distinct credential values (sessions, tokens, keys).
    pub sessions: usize,
    /// The figures that make it the seed incident ("share_of_traffic_at_height": 0.9,
    /// "min_ips_per_number": 220, ...), measured on the generated traffic.
    pub facts: BTreeMap<String, f64>,
}

/// An address block the simulation draws from, with what a GeoIP or ASN database would say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkTruth {
    /// The block (`73.32.0.0/11`).
    pub cidr: String,
    /// ISO 3166 alpha-2 country.
    pub country: String,
    /// Autonomous system number.
    pub asn: u32,
    /// Holder of the block.
    pub org: String,
    /// `residential`, `mobile`, `corporate`, `cloud`, `crawler`, `monitor`,
    /// `residential_proxy` or `bulletproof_proxy`.
    pub kind: String,
}

/// Everything that is true about one simulation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioTruth {
    /// The seed.
    pub seed: u64,
    /// Start of the simulated span.
    pub start: EventTime,
    /// End of the simulated span.
    pub end: EventTime,
    /// Hosts of the sample API.
    pub hosts: Vec<String>,
    /// Exchanges generated.
    pub exchanges: u64,
    /// The attacks, in generation order.
    pub scenarios: Vec<ScenarioRun>,
    /// Every actor, benign ones first.
    pub actors: Vec<ActorTruth>,
    /// Address blocks used (synthetic assignments), so a GeoIP or ASN table can be built.
    pub networks: Vec<NetworkTruth>,
    /// Exchanges not generated because the run reached its cap.
    pub dropped: u64,
}

impl ScenarioTruth {
    /// The actor that used address `ip`, if any (addresses are never shared between actors).
    pub fn actor_of_ip(&self, ip: IpAddr) -> Option<&ActorTruth> {
        self.actors
            .iter()
            .find(|a| a.ips.binary_search(&ip).is_ok())
    }

    /// The run of `scenario`, if it ran.
    pub fn scenario(&self, scenario: ScenarioName) -> Option<&ScenarioRun> {
        self.scenarios.iter().find(|s| s.scenario == scenario)
    }
}
