//! What to simulate: the attack scenarios by name, the population size, the span and the scale.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use rampart_core::EventTime;
use serde::{Deserialize, Serialize};

/// Most benign browser users one simulation may have.
pub const MAX_BENIGN_USERS: usize = 20_000;
/// Longest simulated span.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);
/// Shortest simulated span.
pub const MIN_DURATION: Duration = Duration::from_secs(60);
/// Largest scale of the attacks.
pub const MAX_SCALE: f64 = 20.0;
/// Most exchanges one simulation produces, attacks and benign traffic together (the whole run
/// is held in memory, about 1–2 kB per exchange); the last scenarios are cut short beyond it.
pub const MAX_EXCHANGES: usize = 2_000_000;

/// An attack scenario of the seed articles, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioName {
    /// A bot walks sequential user ids on the exposed, unauthenticated test API.
    BolaEnumeration,
    /// Phone-number port-eligibility checks from thousands of proxy IPs, one request per IP
    /// every two seconds, each number tried from 200+ addresses (the SIM-swap reconnaissance).
    SimSwapEnumeration,
    /// A partner-API login flood from a geo-distributed residential-proxy pool, with a new
    /// session per request, plus a low-and-slow variant of one or two tries per IP.
    CredentialStuffing,
    /// One address hammering one account's password.
    BruteForce,
    /// A sneaker launch: checkout and product bursts 50× normal from many residential IPs,
    /// and the shadow Apple Pay session API hit hard.
    SneakerBotVolumetric,
    /// ZIP × SKU enumeration of the inventory search at 90 % of all traffic, outdated Chrome,
    /// one cookie per client, then a pivot to the mobile twin.
    InventoryScraping,
    /// Log4Shell payloads, sensitive-file probes and path traversal.
    ExploitProbes,
}

impl ScenarioName {
    /// Every scenario, in the order they are generated.
    pub const ALL: [Self; 7] = [
        Self::BolaEnumeration,
        Self::SimSwapEnumeration,
        Self::CredentialStuffing,
        Self::BruteForce,
        Self::SneakerBotVolumetric,
        Self::InventoryScraping,
        Self::ExploitProbes,
    ];

    /// The snake_case name, as serialised and given on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::BolaEnumeration => "bola_enumeration",
            Self::SimSwapEnumeration => "sim_swap_enumeration",
            Self::CredentialStuffing => "credential_stuffing",
            Self::BruteForce => "brute_force",
            Self::SneakerBotVolumetric => "sneaker_bot_volumetric",
            Self::InventoryScraping => "inventory_scraping",
            Self::ExploitProbes => "exploit_probes",
        }
    }

    /// The scenario named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name.trim())
    }

    /// `all`, or names separated by commas, in generation order without repeats.
    pub fn parse_list(list: &str) -> Result<Vec<Self>, UnknownScenario> {
        let mut out = Vec::new();
        for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part == "all" {
                out.extend(Self::ALL);
                continue;
            }
            out.push(Self::from_name(part).ok_or_else(|| UnknownScenario(part.to_owned()))?);
        }
        if out.is_empty() {
            return Err(UnknownScenario(list.to_owned()));
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// The seed incident the scenario renders, in one sentence.
    pub fn incident(self) -> &'static str {
        match self {
            Self::BolaEnumeration => {
                "A development test API left exposed and unauthenticated answers with customer \
                 data; a bot iterates through user ids (telecom API attacks)."
            }
            Self::SimSwapEnumeration => {
                "BOLA enumeration of whether phone numbers can be ported, rotated across \
                 bulletproof-proxy ranges, one request per IP at two-second intervals, each \
                 number attempted from over 200 IPs (telecom API attacks)."
            }
            Self::CredentialStuffing => {
                "Credential stuffing through a partner ecosystem API from geo-distributed \
                 residential proxies in countries without customers, high session rotation and \
                 login failures per IP (third-party API report)."
            }
            Self::BruteForce => "One address guessing one account's password.",
            Self::SneakerBotVolumetric => {
                "A sneaker launch attack 50x normal from residential IPs, then the shadow Apple \
                 Pay API hit as the launch began (third-party API report)."
            }
            Self::InventoryScraping => {
                "Inventory search enumerated over ZIP codes and SKUs at 700x average load and 90 \
                 % of all traffic, outdated Chrome, one cookie per client, direct to the API, \
                 then a pivot to the mobile API (third-party API report)."
            }
            Self::ExploitProbes => {
                "Log4Shell payloads, private-key and config file probes and path traversal \
                 against exposed API servers (telecom API attacks)."
            }
        }
    }

    /// When the scenario starts, as a fraction of the simulated span, by default.
    pub(crate) fn default_start(self) -> f64 {
        match self {
            Self::ExploitProbes => 0.05,
            Self::SimSwapEnumeration => 0.10,
            Self::BolaEnumeration => 0.15,
            Self::CredentialStuffing => 0.25,
            Self::BruteForce => 0.35,
            Self::InventoryScraping => 0.50,
            Self::SneakerBotVolumetric => 0.75,
        }
    }

    /// How long the scenario lasts, as a fraction of the simulated span.
    pub(crate) fn span(self) -> f64 {
        match self {
            Self::ExploitProbes => 0.10,
            Self::SimSwapEnumeration => 0.80,
            Self::BolaEnumeration => 0.10,
            Self::InventoryScraping => 0.18,
            Self::CredentialStuffing => 0.70,
            Self::BruteForce => 0.15,
            Self::SneakerBotVolumetric => 0.18,
        }
    }
}

impl fmt::Display for ScenarioName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ScenarioName {
    type Err = UnknownScenario;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_name(s).ok_or_else(|| UnknownScenario(s.to_owned()))
    }
}

/// A scenario name that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scenario `{0}`; expected `all` or one of: bola_enumeration, sim_swap_enumeration, credential_stuffing, brute_force, sneaker_bot_volumetric, inventory_scraping, exploit_probes")]
pub struct UnknownScenario(pub String);

/// A change to one scenario's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioOverride {
    /// The scenario.
    pub scenario: ScenarioName,
    /// When it starts, from the start of the simulation (its default is a fixed fraction of
    /// the span; see [`ScenarioConfig`]). Its length stays the same and is cut at the end.
    pub start_offset: Option<Duration>,
    /// Its scale, multiplied with [`ScenarioConfig::scale`].
    pub scale: Option<f64>,
}

/// What to simulate.
///
/// Scenario windows are fractions of `duration` (at one hour: exploit probes at minutes 3–9,
/// SIM-swap enumeration 6–54, BOLA 9–15, credential stuffing 15–57 with its flood at 15–27,
/// brute force 21–30, inventory scraping 30–41, the sneaker launch 45–56), so short test runs
/// keep every property.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioConfig {
    /// Seed of every random choice; the same config always gives the same traffic.
    pub seed: u64,
    /// Benign browser users (capped at [`MAX_BENIGN_USERS`]). The look-alikes follow from it:
    /// 15 % as many users behind one corporate NAT (5 to 300), a quarter as many mobile-app
    /// users, one in fifty who mistypes a password three times; three uptime monitors, two
    /// crawlers and three partner integrations.
    pub benign_users: usize,
    /// Simulated span ([`MIN_DURATION`] to [`MAX_DURATION`]).
    pub duration: Duration,
    /// Attack scenarios to run.
    pub scenarios: Vec<ScenarioName>,
    /// Scale of every attack: volumes and address pools are multiplied by it (0 to
    /// [`MAX_SCALE`]). At 1 the attacks have the seed proportions, scaled down.
    pub scale: f64,
    /// Event time of the start.
    pub start: EventTime,
    /// Per-scenario start offsets and scales.
    pub overrides: Vec<ScenarioOverride>,
}

impl Default for ScenarioConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            benign_users: 2_000,
            duration: Duration::from_secs(3600),
            scenarios: ScenarioName::ALL.to_vec(),
            scale: 1.0,
            start: EventTime::from_civil(2026, 3, 3, 16, 0, 0, 0),
            overrides: Vec::new(),
        }
    }
}

/// A config with every field inside its bounds.
#[derive(Debug, Clone)]
pub(crate) struct Bounded {
    pub(crate) seed: u64,
    pub(crate) benign_users: usize,
    pub(crate) start_ms: i64,
    pub(crate) end_ms: i64,
    pub(crate) scenarios: Vec<Plan>,
}

/// One scenario's window and scale.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    pub(crate) name: ScenarioName,
    pub(crate) start_ms: i64,
    pub(crate) end_ms: i64,
    pub(crate) scale: f64,
}

impl Plan {
    /// Length of the window in milliseconds (at least one).
    pub(crate) fn len_ms(&self) -> i64 {
        (self.end_ms - self.start_ms).max(1)
    }

    /// The time `fraction` of the way through the window.
    pub(crate) fn at(&self, fraction: f64) -> i64 {
        self.start_ms + (self.len_ms() as f64 * fraction.clamp(0.0, 1.0)) as i64
    }

    /// `n` scaled, at least `min`, at most `max`.
    pub(crate) fn scaled(&self, n: f64, min: usize, max: usize) -> usize {
        ((n * self.scale).round() as usize).clamp(min, max.max(min))
    }
}

fn clean_scale(s: f64) -> f64 {
    if s.is_finite() {
        s.clamp(0.0, MAX_SCALE)
    } else {
        1.0
    }
}

impl ScenarioConfig {
    /// The config inside its bounds, windows resolved.
    pub(crate) fn bounded(&self) -> Bounded {
        let duration = self.duration.clamp(MIN_DURATION, MAX_DURATION);
        let span = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX / 4);
        let start_ms = self.start.as_unix_millis();
        let end_ms = start_ms.saturating_add(span);
        let mut names = self.scenarios.clone();
        names.sort_unstable();
        names.dedup();
        let scale = clean_scale(self.scale);
        let scenarios = names
            .into_iter()
            .map(|name| {
                let o = self.overrides.iter().rev().find(|o| o.scenario == name);
                let offset = match o.and_then(|o| o.start_offset) {
                    Some(d) => i64::try_from(d.as_millis()).unwrap_or(span),
                    None => (span as f64 * name.default_start()) as i64,
                }
                .clamp(0, span - 1);
                let len = ((span as f64 * name.span()) as i64).max(1);
                let scale = clean_scale(scale * o.and_then(|o| o.scale).unwrap_or(1.0));
                Plan {
                    name,
                    start_ms: start_ms + offset,
                    end_ms: (start_ms + offset + len).min(end_ms),
                    scale,
                }
            })
            .collect();
        Bounded {
            seed: self.seed,
            benign_users: self.benign_users.min(MAX_BENIGN_USERS),
            start_ms,
            end_ms,
            scenarios,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_lists_parse() {
        for s in ScenarioName::ALL {
            assert_eq!(ScenarioName::from_name(s.name()), Some(s));
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.name()));
        }
        assert_eq!(ScenarioName::parse_list("all").unwrap().len(), 7);
        assert_eq!(
            ScenarioName::parse_list("brute_force, bola_enumeration,brute_force").unwrap(),
            vec![ScenarioName::BolaEnumeration, ScenarioName::BruteForce]
        );
        assert!(ScenarioName::parse_list("nope").is_err());
        assert!(ScenarioName::parse_list("").is_err());
    }

    #[test]
    fn bounds_hold() {
        let c = ScenarioConfig {
            benign_users: usize::MAX,
            duration: Duration::from_secs(10 * 24 * 3600),
            scale: f64::NAN,
            overrides: vec![ScenarioOverride {
                scenario: ScenarioName::BruteForce,
                start_offset: Some(Duration::from_secs(u64::MAX / 2)),
                scale: Some(1e9),
            }],
            ..ScenarioConfig::default()
        };
        let b = c.bounded();
        assert_eq!(b.benign_users, MAX_BENIGN_USERS);
        assert_eq!(b.end_ms - b.start_ms, 24 * 3600 * 1000);
        for p in &b.scenarios {
            assert!(p.start_ms >= b.start_ms && p.end_ms <= b.end_ms && p.start_ms < p.end_ms);
            assert!(p.scale <= MAX_SCALE);
        }
    }
}
