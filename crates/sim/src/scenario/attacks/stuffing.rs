//! `credential_stuffing`: a combo list pushed through the partner API.
//!
//! - **Flood** (`credential_stuffing/flood`): thousands of residential-proxy addresses in
//!   countries where Acme has no customers (the Middle East, North Africa, Korea, Russia, the
//!   Philippines, Indonesia), a few tries each with a brand-new session cookie every time,
//!   nearly all failing; the handful that work are followed by an account-summary grab.
//! - **Low and slow** (`credential_stuffing/low_and_slow`): over most of the hour, another
//!   pool (half abroad, half US residential) tries the web sign-in once or twice per address
//!   with a browser-like tool, so no address stands out but the global failure rate surges.

use std::collections::HashSet;

use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::json;

use super::{label, AttackOut, Ctx};
use crate::scenario::acme::{Auth, WEB_HOST};
use crate::scenario::actor::Recorder;
use crate::scenario::agents::{Agent, Tool};
use crate::scenario::catalog;
use crate::scenario::client::Client;
use crate::scenario::config::{Plan, ScenarioName};
use crate::scenario::cookies::{new_sid, Jar};
use crate::scenario::net::{HOME, PROXY_ABROAD};
use crate::values::random_chars;

const COPIED_UAS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/137.0.0.0 Mobile Safari/537.36",
];
const LANGS: &[&str] = &["en-US,en;q=0.9", "en-US,en;q=0.8", "en-GB,en;q=0.9", "en"];

/// Share of combo-list entries that are a customer's real e-mail and password.
const HIT_RATE: f64 = 0.004;

pub(super) fn run(plan: &Plan, ctx: &mut Ctx<'_>) -> AttackOut {
    let name = ScenarioName::CredentialStuffing;
    let mut rng = ctx.world.rng("credential_stuffing/flood");
    let mut flood = Recorder::new(ctx.world, "credential_stuffing/flood", label(name));
    let key = format!(
        "pk_dev_{}",
        random_chars(&mut rng, b"0123456789abcdefghijklmnopqrstuvwxyz", 24)
    );
    let (from, to) = (plan.at(0.0), plan.at(0.286));
    let pool = plan.scaled(3_200.0, 30, 300_000);
    let (mut tries, mut fails, mut hits) = (0u64, 0u64, 0u64);
    let mut countries = HashSet::new();
    for _ in 0..pool {
        let (ip, net) = ctx.alloc.take_weighted(PROXY_ABROAD);
        countries.insert(net.country);
        let ua = COPIED_UAS
            .choose(&mut rng)
            .copied()
            .unwrap_or(COPIED_UAS[0]);
        let lang = LANGS.choose(&mut rng).copied();
        let mut t = rng.random_range(from..to.max(from + 1));
        for _ in 0..rng.random_range(2..=6) {
            let mut c = Client::new(ip, net.country, Agent::tool_as(Tool::Aiohttp, ua, lang));
            c.jar = Some(Jar::single(new_sid(&mut rng)));
            c.creds = vec![("x-api-key", key.clone())];
            let (user, password, real) = combo(&mut rng, ctx);
            let body = json!({"username": user, "password": password});
            let Some(resp) =
                flood.send(c.api_post(t, WEB_HOST, "/partner/v1/auth/login", &body, None))
            else {
                break;
            };
            tries += 1;
            if let (true, Some(token), Some(id)) = (resp.ok(), resp.token, real) {
                hits += 1;
                c.creds
                    .insert(0, ("authorization", format!("Bearer {token}")));
                c.auth = Auth::User(id);
                let t2 = t + rng.random_range(150..900);
                flood.send(c.api_get(
                    t2,
                    WEB_HOST,
                    &format!("/partner/v1/accounts/{id}/summary"),
                    None,
                ));
            } else {
                fails += 1;
            }
            t += rng.random_range(2_000..20_000);
        }
    }

    let mut rng = ctx.world.rng("credential_stuffing/low_and_slow");
    let mut slow = Recorder::new(ctx.world, "credential_stuffing/low_and_slow", label(name));
    let pool2 = plan.scaled(2_000.0, 20, 200_000);
    let (mut slow_tries, mut slow_fails) = (0u64, 0u64);
    for _ in 0..pool2 {
        let (ip, net) = if rng.random_bool(0.5) {
            ctx.alloc.take_weighted(PROXY_ABROAD)
        } else {
            ctx.alloc.take_weighted(HOME)
        };
        let mut c = Client::new(
            ip,
            net.country,
            Agent::chrome_with_stale_hints(&mut rng, false),
        );
        c.jar = Some(Jar::single(new_sid(&mut rng)));
        let mut t = rng.random_range(plan.start_ms..plan.end_ms.max(plan.start_ms + 1));
        let n = if rng.random_bool(0.3) { 2 } else { 1 };
        for _ in 0..n {
            let (user, password, _) = combo(&mut rng, ctx);
            let body = json!({"username": user, "password": password});
            let referer = format!("https://{WEB_HOST}/login.html");
            if let Some(resp) =
                slow.send(c.api_post(t, WEB_HOST, "/api/v1/auth/login", &body, Some(&referer)))
            {
                slow_tries += 1;
                slow_fails += u64::from(!resp.ok());
            }
            t += rng.random_range(30_000..600_000);
        }
    }

    AttackOut::new(
        vec![flood.finish(), slow.finish()],
        &[
            ("flood_ips", pool as f64),
            ("flood_logins", tries as f64),
            ("flood_failure_ratio", fails as f64 / tries.max(1) as f64),
            ("flood_successes", hits as f64),
            ("flood_sessions_per_ip", tries as f64 / pool.max(1) as f64),
            ("flood_countries", countries.len() as f64),
            ("low_and_slow_ips", pool2 as f64),
            ("low_and_slow_logins", slow_tries as f64),
            (
                "low_and_slow_failure_ratio",
                slow_fails as f64 / slow_tries.max(1) as f64,
            ),
        ],
    )
}

/// One combo-list entry: mostly e-mails that are not customers (or are, with an old password
/// from another site's breach), now and then a customer's real credentials.
fn combo(rng: &mut rand::rngs::SmallRng, ctx: &mut Ctx<'_>) -> (String, String, Option<u64>) {
    if rng.random_bool(HIT_RATE) {
        let id = ctx.customers.any();
        return (catalog::email(id), catalog::password(id), Some(id));
    }
    if rng.random_bool(0.2) {
        let id = ctx.customers.any();
        let pw = catalog::COMMON_PASSWORDS
            .choose(rng)
            .copied()
            .unwrap_or("123456");
        return (catalog::email(id), pw.to_owned(), None);
    }
    let pw = format!(
        "{}{}",
        catalog::COMMON_PASSWORDS
            .choose(rng)
            .copied()
            .unwrap_or("123456"),
        rng.random_range(0..100)
    );
    (crate::values::email(rng), pw, None)
}
