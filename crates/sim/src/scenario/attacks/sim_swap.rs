//! `sim_swap_enumeration`: which phone numbers can be ported in? A tool rotates through
//! bulletproof-proxy ranges (three /16s and six /24s), firing on a two-second clock — one
//! request per address per tick, every tick exactly 2,000 ms after the last — and asks about
//! each number from over 200 different addresses.

use std::collections::{HashMap, HashSet};

use rand::seq::IndexedRandom;
use rand::Rng;

use super::{label, AttackOut, Ctx};
use crate::scenario::acme::WEB_HOST;
use crate::scenario::actor::Recorder;
use crate::scenario::agents::{Agent, Tool};
use crate::scenario::client::Client;
use crate::scenario::config::{Plan, ScenarioName};
use crate::scenario::net::{Net, BULLETPROOF_16, BULLETPROOF_24};

/// The tick of the tool's clock.
pub(crate) const TICK_MS: i64 = 2_000;
/// Distinct addresses each number is asked from.
pub(crate) const ATTEMPTS_PER_NUMBER: usize = 220;

const UAS: &[&str] = &[
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Safari/605.1.15",
];

pub(super) fn run(plan: &Plan, ctx: &mut Ctx<'_>) -> AttackOut {
    let name = ScenarioName::SimSwapEnumeration;
    let mut rng = ctx.world.rng(name.name());
    let mut rec = Recorder::new(ctx.world, name.name(), label(name));
    let ticks = (plan.len_ms() / TICK_MS).max(1) as usize;
    // Enough workers that at least one number gets all its attempts.
    let workers = plan
        .scaled(4.0, 1, 64)
        .max(ATTEMPTS_PER_NUMBER.div_ceil(ticks));
    let pool_size = plan.scaled(2_400.0, ATTEMPTS_PER_NUMBER + 20, 200_000);

    // Address pool: about 30 % in the /24s (up to 150 each), the rest in the /16s.
    let mut pool: Vec<(std::net::IpAddr, &'static str)> = Vec::with_capacity(pool_size);
    let in_24s = (pool_size * 3 / 10).min(150 * BULLETPROOF_24.len());
    let mut fill = |nets: &[Net], want: usize, pool: &mut Vec<_>| {
        let mut k = 0usize;
        let mut misses = 0;
        while pool.len() < want && misses < 10_000 {
            let net = nets[k % nets.len()];
            match ctx.alloc.take(&net) {
                Some(ip) => pool.push((ip, net.country)),
                None => misses += 1,
            }
            k += 1;
        }
    };
    fill(BULLETPROOF_24, in_24s, &mut pool);
    fill(BULLETPROOF_16, pool_size, &mut pool);
    let pool_len = pool.len().max(1);

    let phases: Vec<i64> = (0..workers).map(|w| (w as i64 * 97) % TICK_MS).collect();
    let mut numbers: Vec<String> = Vec::new();
    let mut per_number: HashMap<usize, HashSet<std::net::IpAddr>> = HashMap::new();
    let mut i = 0usize;
    'run: for tick in 0..ticks {
        let base = plan.start_ms + tick as i64 * TICK_MS;
        for phase in &phases {
            let number_ix = i / ATTEMPTS_PER_NUMBER;
            if number_ix >= numbers.len() {
                numbers.push(format!(
                    "+1{}{:07}",
                    rng.random_range(201..990),
                    rng.random_range(0..10_000_000)
                ));
            }
            let (ip, country) = pool[i % pool_len];
            let ua = UAS.choose(&mut rng).copied().unwrap_or(UAS[0]);
            let c = Client::new(
                ip,
                country,
                Agent::tool_as(Tool::Aiohttp, ua, Some("en-US,en;q=0.9")),
            );
            let path = format!("/api/v1/numbers/{}/portability", numbers[number_ix]);
            if rec
                .send(c.api_get(base + phase, WEB_HOST, &path, None))
                .is_none()
            {
                break 'run;
            }
            per_number.entry(number_ix).or_default().insert(ip);
            i += 1;
        }
    }
    // Numbers whose attempts the window cut short are still part of the attack, but the
    // figure below is about the completed ones.
    let complete: Vec<usize> = per_number
        .values()
        .map(HashSet::len)
        .filter(|&n| n >= ATTEMPTS_PER_NUMBER)
        .collect();
    AttackOut::new(
        vec![rec.finish()],
        &[
            ("tick_ms", TICK_MS as f64),
            ("workers", workers as f64),
            ("ips", pool.len() as f64),
            ("numbers", numbers.len() as f64),
            ("numbers_complete", complete.len() as f64),
            (
                "min_ips_per_complete_number",
                complete.iter().min().copied().unwrap_or(0) as f64,
            ),
        ],
    )
}
