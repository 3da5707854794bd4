//! Behavioural traffic with ground truth: a sample API ("Acme"), a benign population with its
//! look-alikes, the attacks of the seed articles, and the scorer of detection alerts.
//!
//! [`simulate`] turns a [`ScenarioConfig`] into time-ordered [`Exchange`]s and a
//! [`ScenarioTruth`] that labels every actor (benign of a [`BenignKind`], or an attack
//! [`ScenarioName`]) with its addresses, sessions and active span. [`score_detection`] compares
//! a detector's [`Alert`](rampart_core::Alert)s with that truth ([`DetectionScore`], with
//! [`DetectionScore::to_markdown`]).
//!
//! Inside: `acme` is the API (a pure function of a request and its session), `catalog` its
//! data, `agents` and `cookies` the clients' software, `net` the address blocks, `benign` and
//! `attacks` the generators, `actor` records each actor's exchanges and truth.

mod acme;
mod actor;
mod agents;
mod attacks;
mod benign;
mod catalog;
mod client;
mod config;
mod cookies;
mod net;
mod report;
mod score;
mod timing;
mod traffic;
mod truth;

use std::collections::BTreeMap;

use rampart_core::{EventTime, Exchange};

pub use config::{
    ScenarioConfig, ScenarioName, ScenarioOverride, UnknownScenario, MAX_BENIGN_USERS,
    MAX_DURATION, MAX_EXCHANGES, MAX_SCALE, MIN_DURATION,
};
pub use score::{
    score_detection, ActorScore, BenignScore, DetectionScore, FlaggedActor, KindScore,
    ScenarioScore,
};
pub use truth::{ActorTruth, BenignKind, Label, NetworkTruth, ScenarioRun, ScenarioTruth};

use actor::{Recorded, World};
use attacks::Ctx;
use benign::Customers;
use net::{IpAlloc, Net};
use traffic::Traffic;

/// The hosts of the sample API.
pub const HOSTS: [&str; 2] = [acme::WEB_HOST, acme::MOBILE_HOST];

/// Simulates the benign population and the configured attacks.
///
/// Exchanges are sorted by event time; the same config always gives the same output, and the
/// benign traffic does not depend on which attacks run. At most [`MAX_EXCHANGES`] are made
/// (the truth counts the rest in `dropped`).
pub fn simulate(config: &ScenarioConfig) -> (Vec<Exchange>, ScenarioTruth) {
    let b = config.bounded();
    let world = World::new(b.seed, b.start_ms, b.end_ms, MAX_EXCHANGES);
    let mut alloc = IpAlloc::new(world.rng("addresses"));
    let mut customers = Customers::new(world.rng("customers"));

    let mut recorded: Vec<Recorded> =
        benign::generate(&world, b.benign_users, &mut alloc, &mut customers);
    let mut traffic = Traffic::new(
        b.start_ms,
        b.end_ms,
        recorded.iter().flat_map(|r| r.exchanges.iter()),
    );

    let mut runs: Vec<(ScenarioName, std::ops::Range<usize>, BTreeMap<String, f64>)> = Vec::new();
    for plan in &b.scenarios {
        let out = {
            let mut ctx = Ctx {
                world: &world,
                alloc: &mut alloc,
                customers: &mut customers,
                traffic: &traffic,
            };
            attacks::run(plan, &mut ctx)
        };
        for e in out.actors.iter().flat_map(|r| r.exchanges.iter()) {
            traffic.add(e);
        }
        let from = recorded.len();
        recorded.extend(out.actors);
        runs.push((plan.name, from..recorded.len(), out.facts));
    }

    let scenarios = runs
        .into_iter()
        .map(|(name, range, mut facts)| {
            let actors = recorded.get(range).unwrap_or(&[]);
            facts.insert(
                "peak_share_of_traffic".into(),
                attacks::round6(peak_share(actors, &traffic, b.start_ms)),
            );
            run_truth(name, actors, facts)
        })
        .collect();

    let total: usize = recorded.iter().map(|r| r.exchanges.len()).sum();
    let mut exchanges = Vec::with_capacity(total);
    let mut actors = Vec::with_capacity(recorded.len());
    for r in recorded {
        actors.push(r.truth);
        exchanges.extend(r.exchanges);
    }
    exchanges.sort_by_key(|e| e.time);
    let truth = ScenarioTruth {
        seed: b.seed,
        start: EventTime::from_unix_millis(b.start_ms),
        end: EventTime::from_unix_millis(b.end_ms),
        hosts: HOSTS.iter().map(|h| (*h).to_owned()).collect(),
        exchanges: exchanges.len() as u64,
        scenarios,
        actors,
        networks: Net::all().iter().map(Net::truth).collect(),
        dropped: world.dropped(),
    };
    (exchanges, truth)
}

/// The largest share of one minute's traffic the actors took.
fn peak_share(actors: &[Recorded], traffic: &Traffic, start_ms: i64) -> f64 {
    let mut mine: BTreeMap<i64, u64> = BTreeMap::new();
    for e in actors.iter().flat_map(|r| r.exchanges.iter()) {
        *mine
            .entry((e.time.as_unix_millis() - start_ms).div_euclid(60_000))
            .or_default() += 1;
    }
    mine.iter()
        .map(|(&m, &n)| {
            let all = traffic.mean_rate(start_ms + m * 60_000, start_ms + (m + 1) * 60_000);
            n as f64 / all.max(1.0)
        })
        .fold(0.0, f64::max)
}

fn run_truth(name: ScenarioName, actors: &[Recorded], facts: BTreeMap<String, f64>) -> ScenarioRun {
    let live: Vec<&Recorded> = actors.iter().filter(|r| r.truth.requests > 0).collect();
    let start = live.iter().map(|r| r.truth.start).min().unwrap_or_default();
    let end = live.iter().map(|r| r.truth.end).max().unwrap_or_default();
    ScenarioRun {
        scenario: name,
        incident: name.incident().to_owned(),
        start,
        end,
        requests: actors.iter().map(|r| r.truth.requests).sum(),
        ips: actors.iter().map(|r| r.truth.ips.len()).sum(),
        sessions: actors.iter().map(|r| r.truth.sessions.len()).sum(),
        facts,
    }
}
