//! The benign population: shoppers in browsers, and the look-alikes a detector must leave alone
//! (a corporate NAT, users who mistype passwords, the mobile app, uptime monitors, crawlers,
//! partner integrations).

mod app;
mod services;
mod shopper;

use std::collections::HashSet;

use rand::rngs::SmallRng;
use rand::Rng;

use super::actor::{Recorded, Recorder, World};
use super::agents::{language_for, Agent};
use super::catalog;
use super::client::Client;
use super::cookies::{new_sid, Jar};
use super::net::{IpAlloc, CORPORATE, HOME, MOBILE};
use super::truth::{BenignKind, Label};

pub(crate) use shopper::pick_product;
use shopper::{visit, Shopper, Visit};

fn label(kind: BenignKind) -> Label {
    Label::Benign { kind }
}

/// Distinct existing customers.
pub(crate) struct Customers {
    taken: HashSet<u64>,
    rng: SmallRng,
}

impl Customers {
    pub(crate) fn new(rng: SmallRng) -> Self {
        Self {
            taken: HashSet::new(),
            rng,
        }
    }

    /// A customer no other benign actor has been given (once most are taken, any customer).
    pub(crate) fn next(&mut self) -> u64 {
        let unique = self.taken.len() < (catalog::USERS_MAX / 2) as usize;
        loop {
            let id = self.any();
            if !unique || self.taken.insert(id) {
                return id;
            }
        }
    }

    /// Any existing customer (an attacker's victim).
    pub(crate) fn any(&mut self) -> u64 {
        loop {
            let id = self.rng.random_range(1..=catalog::USERS_MAX);
            if catalog::user_exists(id) {
                return id;
            }
        }
    }
}

/// A shopper with a current browser and a returning customer's 20–50 cookies.
fn shopper(
    rng: &mut SmallRng,
    user: u64,
    home: (std::net::IpAddr, &'static str),
    alloc: Option<&mut IpAlloc>,
) -> Shopper {
    let lang = language_for(home.1, rng);
    let agent = Agent::modern_browser(rng, lang);
    let mobile = agent.ua.contains("Mobile");
    let jar = Jar::shopper(rng.random_range(19..=49), new_sid(rng), rng);
    let away = match alloc {
        Some(a) if mobile && rng.random_bool(0.6) => {
            let (ip, net) = a.take_weighted(MOBILE);
            Some((ip, net.country))
        }
        _ => None,
    };
    let mut client = Client::new(home.0, home.1, agent);
    client.jar = Some(jar);
    Shopper {
        user,
        client,
        home,
        away,
    }
}

fn visits_per_hour(rng: &mut SmallRng, hours: f64) -> usize {
    let cap = (2.0 * hours).ceil().max(1.0) as usize;
    1 + (0..cap).filter(|_| rng.random_bool(0.3)).count()
}

fn visit_starts(rng: &mut SmallRng, world: &World, n: usize) -> Vec<i64> {
    let last = (world.end_ms - 60_000).max(world.start_ms + 1);
    let mut v: Vec<i64> = (0..n)
        .map(|_| rng.random_range(world.start_ms..last))
        .collect();
    v.sort_unstable();
    v
}

fn typos(rng: &mut SmallRng) -> u8 {
    match rng.random_range(0..100) {
        0..=87 => 0,
        88..=95 => 1,
        96..=98 => 2,
        _ => 3,
    }
}

/// Every benign actor, in a fixed order, for `users` browser users.
pub(crate) fn generate(
    world: &World,
    users: usize,
    alloc: &mut IpAlloc,
    customers: &mut Customers,
) -> Vec<Recorded> {
    let hours = (world.end_ms - world.start_ms) as f64 / 3_600_000.0;
    let mut out = Vec::new();

    for i in 0..users {
        let id = format!("browser-{i:05}");
        let mut rng = world.rng(&id);
        let (ip, net) = alloc.take_weighted(HOME);
        let mut s = shopper(&mut rng, customers.next(), (ip, net.country), Some(alloc));
        let mut rec = Recorder::new(world, id, label(BenignKind::Browser));
        let n = visits_per_hour(&mut rng, hours);
        for start in visit_starts(&mut rng, world, n) {
            let signed_in = rng.random_bool(0.3);
            let v = Visit {
                start,
                signed_in,
                wants_login: !signed_in && rng.random_bool(0.45),
                typos: typos(&mut rng),
            };
            visit(&mut rec, &mut rng, &mut s, v);
        }
        out.push(rec.finish());
    }

    // Employees of one company behind its single NAT address: one actor.
    let nat_users = (users * 15 / 100).clamp(5, 300);
    let nat_ip = alloc.take(&CORPORATE).unwrap_or(CORPORATE.base);
    let mut rng = world.rng("nat-globex");
    let mut rec = Recorder::new(world, "nat-globex", label(BenignKind::Nat));
    for _ in 0..nat_users {
        let mut s = shopper(
            &mut rng,
            customers.next(),
            (nat_ip, CORPORATE.country),
            None,
        );
        let n = 1 + usize::from(rng.random_bool(0.3 * hours.min(3.0)));
        for start in visit_starts(&mut rng, world, n) {
            let v = Visit {
                start,
                signed_in: rng.random_bool(0.25),
                wants_login: rng.random_bool(0.4),
                typos: typos(&mut rng),
            };
            visit(&mut rec, &mut rng, &mut s, v);
        }
    }
    out.push(rec.finish());

    // People who mistype their password three times, then get it right.
    for i in 0..(users / 50).max(1) {
        let id = format!("typo-{i:04}");
        let mut rng = world.rng(&id);
        let (ip, net) = alloc.take_weighted(HOME);
        let mut s = shopper(&mut rng, customers.next(), (ip, net.country), None);
        let mut rec = Recorder::new(world, id, label(BenignKind::TypoUser));
        let start = visit_starts(&mut rng, world, 1)[0];
        visit(
            &mut rec,
            &mut rng,
            &mut s,
            Visit {
                start,
                signed_in: false,
                wants_login: true,
                typos: 3,
            },
        );
        out.push(rec.finish());
    }

    for i in 0..(users / 4).max(1) {
        out.push(app::app_user(world, i, alloc, customers.next(), hours));
    }
    out.extend(services::monitors(world, alloc));
    out.extend(services::crawlers(world, alloc));
    out.extend(services::partners(world, alloc, customers));
    out
}
