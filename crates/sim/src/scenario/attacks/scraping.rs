//! `inventory_scraping`: the local inventory search enumerated over ZIP codes × SKUs (the most
//! expensive products first), straight at the API — no page, no other endpoint — by clients on
//! US residential proxies running Chrome 69–79, each carrying one cookie. At its height it is
//! nine requests in ten of all traffic and hundreds of times the search's average load. When
//! the web API starts answering 429 and 403, the operator pivots to the mobile twin.
//!
//! Phases, as fractions of the window: ramp-up to 0.15, height to 0.55 with the defence's
//! answers from 0.40, then the mobile API at 40 % of the height's rate.

use std::collections::{HashMap, HashSet};

use rand::Rng;

use super::{label, AttackOut, Ctx};
use crate::scenario::acme::{MOBILE_HOST, WEB_HOST};
use crate::scenario::actor::Recorder;
use crate::scenario::agents::{Agent, Tool};
use crate::scenario::catalog;
use crate::scenario::client::Client;
use crate::scenario::config::{Plan, ScenarioName};
use crate::scenario::cookies::{new_sid, Jar};
use crate::scenario::net::HOME;
use crate::scenario::timing::exp_ms;

/// Share of all traffic the scraper takes at its height.
const SHARE: f64 = 0.9;
const RAMP_END: f64 = 0.15;
const RESIST_FROM: f64 = 0.40;
const PIVOT: f64 = 0.55;

pub(super) fn run(plan: &Plan, ctx: &mut Ctx<'_>) -> AttackOut {
    let name = ScenarioName::InventoryScraping;
    let mut rng = ctx.world.rng(name.name());
    let mut rec = Recorder::new(ctx.world, name.name(), label(name));
    let (height_from, pivot_at) = (plan.at(RAMP_END), plan.at(PIVOT));
    let others = ctx.traffic.mean_rate(height_from, pivot_at).max(1.0);
    let height = (SHARE / (1.0 - SHARE) * others * plan.scale).min(600_000.0);

    let mut make = |n: usize, mobile: bool, rng: &mut rand::rngs::SmallRng| -> Vec<Client> {
        (0..n)
            .map(|_| {
                let (ip, net) = ctx.alloc.take_weighted(HOME);
                let agent = if mobile {
                    Agent::tool_as(Tool::Okhttp, "okhttp/3.12.1", None)
                } else {
                    Agent::outdated_chrome(rng)
                };
                let mut c = Client::new(ip, net.country, agent);
                c.jar = Some(Jar::single(new_sid(rng)));
                if mobile {
                    c.creds = vec![("x-app-version", "5.4.2".to_owned())];
                }
                c
            })
            .collect()
    };
    let web = make(plan.scaled(2_000.0, 10, 100_000), false, &mut rng);
    let mobile = make(plan.scaled(1_600.0, 8, 80_000), true, &mut rng);

    // The expensive products first, every ZIP for each.
    let mut skus: Vec<u64> = (0..catalog::SKUS).collect();
    skus.sort_by_key(|&i| std::cmp::Reverse(catalog::price_cents(i)));
    let combos = catalog::SKUS * catalog::ZIPS;

    let (mut n_web, mut n_mobile, mut forced) = (0u64, 0u64, 0u64);
    let mut per_minute: HashMap<i64, u64> = HashMap::new();
    let mut seen = HashSet::new();
    let mut t = plan.start_ms;
    let mut j: u64 = 0;
    loop {
        let f = (t - plan.start_ms) as f64 / plan.len_ms() as f64;
        let rate = if f < RAMP_END {
            height * (0.1 + 0.9 * f / RAMP_END)
        } else if f < PIVOT {
            height
        } else {
            0.4 * height
        };
        t += exp_ms(&mut rng, 60_000.0 / rate.max(0.01));
        if t >= plan.end_ms || j >= 2_000_000 {
            break;
        }
        let combo = j % combos;
        let sku = catalog::sku(skus[(combo / catalog::ZIPS) as usize]);
        let zip = catalog::zip(combo % catalog::ZIPS);
        let target = format!("?zip={zip}&sku={sku}");
        let on_mobile = t >= pivot_at;
        let (pool, host, path) = if on_mobile {
            (&mobile, MOBILE_HOST, "/mobile/v1/inventory")
        } else {
            (&web, WEB_HOST, "/api/v1/inventory")
        };
        let Some(c) = pool.get((j % pool.len().max(1) as u64) as usize) else {
            break;
        };
        let mut req = c.api_get(t, host, &format!("{path}{target}"), None);
        if !on_mobile && f >= RESIST_FROM {
            let pressure = 0.7 * (f - RESIST_FROM) / (PIVOT - RESIST_FROM);
            if rng.random_bool(pressure.clamp(0.0, 1.0)) {
                req.force = Some(if rng.random_bool(0.7) { 429 } else { 403 });
                forced += 1;
            }
        }
        if rec.send(req).is_none() {
            break;
        }
        seen.insert(combo);
        if on_mobile {
            n_mobile += 1;
        } else {
            n_web += 1;
            *per_minute.entry((t - plan.start_ms) / 60_000).or_default() += 1;
        }
        j += 1;
    }
    let peak = per_minute.values().copied().max().unwrap_or(0) as f64;
    AttackOut::new(
        vec![rec.finish()],
        &[
            ("web_requests", n_web as f64),
            ("mobile_requests", n_mobile as f64),
            ("zip_sku_combinations", seen.len() as f64),
            ("defence_answers", forced as f64),
            ("pivot_after_s", ((pivot_at - plan.start_ms) / 1000) as f64),
            ("cookies_per_client", 1.0),
            ("clients", (web.len() + mobile.len()) as f64),
            (
                "multiple_of_average_inventory_load",
                peak / ctx.traffic.benign_inventory.max(0.1),
            ),
        ],
    )
}
