//! The behavioural simulation: determinism, the seed properties of every scenario, labels that
//! agree with the traffic, writers that ingest reads back, and the detection scorer.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;

use rampart_core::auth::{credentials, CredentialKind, SECRET_DOMAIN};
use rampart_core::{Alert, Entity, EntityKind, EventTime, Exchange, KeyedHasher, Owasp, Severity};
use rampart_sim::scenario::{
    score_detection, simulate, ActorTruth, BenignKind, Label, ScenarioConfig, ScenarioName,
    ScenarioOverride, ScenarioTruth, HOSTS,
};
use rampart_sim::{to_combined, to_otel_json, HarWriter};

fn small() -> ScenarioConfig {
    ScenarioConfig {
        seed: 7,
        benign_users: 60,
        duration: Duration::from_secs(20 * 60),
        scale: 0.25,
        // The volumetric attacks at full strength relative to the (small) benign traffic.
        overrides: [
            ScenarioName::InventoryScraping,
            ScenarioName::SneakerBotVolumetric,
        ]
        .into_iter()
        .map(|scenario| ScenarioOverride {
            scenario,
            start_offset: None,
            scale: Some(4.0),
        })
        .collect(),
        ..ScenarioConfig::default()
    }
}

struct Run {
    exchanges: Vec<Exchange>,
    truth: ScenarioTruth,
    /// Index of the actor each exchange belongs to.
    owner: Vec<usize>,
}

impl Run {
    fn of<'a>(
        &'a self,
        pred: impl Fn(&ActorTruth) -> bool + 'a,
    ) -> impl Iterator<Item = (&'a Exchange, &'a ActorTruth)> + 'a {
        self.exchanges
            .iter()
            .zip(&self.owner)
            .map(|(e, &i)| (e, &self.truth.actors[i]))
            .filter(move |(_, a)| pred(a))
    }

    fn scenario(&self, s: ScenarioName) -> Vec<&Exchange> {
        self.of(move |a| a.label.scenario() == Some(s))
            .map(|(e, _)| e)
            .collect()
    }

    fn benign(&self, kind: BenignKind) -> Vec<(&Exchange, &ActorTruth)> {
        self.of(move |a| a.label == Label::Benign { kind })
            .collect()
    }
}

fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let (exchanges, truth) = simulate(&small());
        let mut by_ip: HashMap<IpAddr, usize> = HashMap::new();
        for (i, a) in truth.actors.iter().enumerate() {
            for ip in &a.ips {
                assert!(by_ip.insert(*ip, i).is_none(), "{ip} belongs to two actors");
            }
        }
        let owner = exchanges
            .iter()
            .map(|e| by_ip[&e.client.expect("every exchange has a client")])
            .collect();
        Run {
            exchanges,
            truth,
            owner,
        }
    })
}

fn cookie_pairs(e: &Exchange) -> usize {
    e.request_headers
        .get("cookie")
        .map_or(0, |c| c.split(';').filter(|p| p.contains('=')).count())
}

fn chrome_major(ua: &str) -> Option<u32> {
    ua.split("Chrome/").nth(1)?.split('.').next()?.parse().ok()
}

fn body(e: &Exchange) -> String {
    e.request_body
        .as_ref()
        .map(|b| String::from_utf8_lossy(&b.bytes).into_owned())
        .unwrap_or_default()
}

mod attacks;
mod output;
mod traffic;
