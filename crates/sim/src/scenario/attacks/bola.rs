//! `bola_enumeration`: the exposed test API. A quick look with curl finds
//! `/test/api/users/{id}` answering without credentials; then a script on three cloud servers
//! walks the ids in sequence, about ten a second, collecting customer records among the 404s.

use rand::Rng;

use super::{label, AttackOut, Ctx};
use crate::scenario::acme::WEB_HOST;
use crate::scenario::actor::Recorder;
use crate::scenario::agents::{Agent, Tool};
use crate::scenario::client::Client;
use crate::scenario::config::{Plan, ScenarioName};
use crate::scenario::net::DIGITALOCEAN;

pub(super) fn run(plan: &Plan, ctx: &mut Ctx<'_>) -> AttackOut {
    let name = ScenarioName::BolaEnumeration;
    let mut rng = ctx.world.rng(name.name());
    let mut rec = Recorder::new(ctx.world, name.name(), label(name));
    let n_ips = plan.scaled(3.0, 2, 32);
    let ips: Vec<_> = (0..n_ips)
        .filter_map(|_| ctx.alloc.take(&DIGITALOCEAN))
        .collect();
    let Some(&first) = ips.first() else {
        return AttackOut::new(vec![rec.finish()], &[]);
    };

    // Reconnaissance by hand.
    let curl = Client::new(first, DIGITALOCEAN.country, Agent::tool(Tool::Curl));
    let mut t = plan.start_ms;
    for path in [
        "/test/api/",
        "/test/api/users",
        "/test/api/users/1",
        "/test/api/users/2",
        "/test/api/health",
    ] {
        rec.send(curl.api_get(t, WEB_HOST, path, None));
        t += rng.random_range(3_000..15_000);
    }

    // The bot: ids in sequence, striped over the servers, ~10 requests a second in all.
    let rate_per_s = (10.0 * plan.scale).clamp(0.5, 500.0);
    let per_ip_gap = 1000.0 * n_ips as f64 / rate_per_s;
    let bots: Vec<Client> = ips
        .iter()
        .map(|ip| Client::new(*ip, DIGITALOCEAN.country, Agent::tool(Tool::PythonRequests)))
        .collect();
    let start_id: u64 = rng.random_range(100_000..120_000);
    let mut clocks: Vec<f64> = (0..bots.len())
        .map(|k| (t + 200 * k as i64) as f64)
        .collect();
    let (mut ok, mut missing, mut n) = (0u64, 0u64, 0u64);
    let mut id = start_id;
    'walk: loop {
        for (k, bot) in bots.iter().enumerate() {
            let Some(clock) = clocks.get_mut(k) else {
                break 'walk;
            };
            if *clock as i64 >= plan.end_ms || n >= 500_000 {
                break 'walk;
            }
            let Some(resp) = rec.send(bot.api_get(
                *clock as i64,
                WEB_HOST,
                &format!("/test/api/users/{id}"),
                None,
            )) else {
                break 'walk;
            };
            if resp.status == 200 {
                ok += 1;
            } else {
                missing += 1;
            }
            n += 1;
            id += 1;
            *clock += per_ip_gap * rng.random_range(0.85..1.15);
        }
    }
    AttackOut::new(
        vec![rec.finish()],
        &[
            ("ids_walked", n as f64),
            ("records_leaked", ok as f64),
            ("share_404", missing as f64 / n.max(1) as f64),
            ("ips", ips.len() as f64),
        ],
    )
}
