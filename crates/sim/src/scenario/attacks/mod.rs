//! The attack scenarios, one file each, every one a scaled-down rendering of a seed incident.

mod bola;
mod brute_force;
mod probes;
mod scraping;
mod sim_swap;
mod sneaker;
mod stuffing;

use std::collections::BTreeMap;

use super::actor::{Recorded, World};
use super::benign::Customers;
use super::config::{Plan, ScenarioName};
use super::net::IpAlloc;
use super::traffic::Traffic;
use super::truth::Label;

/// What an attack generator may use: the world, addresses, customers and the traffic so far.
pub(crate) struct Ctx<'a> {
    pub(crate) world: &'a World,
    pub(crate) alloc: &'a mut IpAlloc,
    pub(crate) customers: &'a mut Customers,
    pub(crate) traffic: &'a Traffic,
}

/// An attack's actors and the figures that make it the seed incident.
pub(crate) struct AttackOut {
    pub(crate) actors: Vec<Recorded>,
    pub(crate) facts: BTreeMap<String, f64>,
}

impl AttackOut {
    fn new(actors: Vec<Recorded>, facts: &[(&str, f64)]) -> Self {
        Self {
            actors,
            facts: facts
                .iter()
                .map(|(k, v)| ((*k).to_owned(), round6(*v)))
                .collect(),
        }
    }
}

/// Six decimals are plenty for a figure and keep the truth file readable.
pub(crate) fn round6(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1e6).round() / 1e6
    } else {
        0.0
    }
}

fn label(scenario: ScenarioName) -> Label {
    Label::Attack { scenario }
}

/// Runs one scenario.
pub(crate) fn run(plan: &Plan, ctx: &mut Ctx<'_>) -> AttackOut {
    match plan.name {
        ScenarioName::BolaEnumeration => bola::run(plan, ctx),
        ScenarioName::SimSwapEnumeration => sim_swap::run(plan, ctx),
        ScenarioName::CredentialStuffing => stuffing::run(plan, ctx),
        ScenarioName::BruteForce => brute_force::run(plan, ctx),
        ScenarioName::SneakerBotVolumetric => sneaker::run(plan, ctx),
        ScenarioName::InventoryScraping => scraping::run(plan, ctx),
        ScenarioName::ExploitProbes => probes::run(plan, ctx),
    }
}
