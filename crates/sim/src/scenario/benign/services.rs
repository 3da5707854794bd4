//! Machines that are welcome: uptime monitors (one request every 60 s exactly), search-engine
//! crawlers, and partners' server-to-server integrations with API keys.

use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::json;

use super::{label, Customers};
use crate::scenario::acme::{Auth, WEB_HOST};
use crate::scenario::actor::{Recorded, Recorder, World};
use crate::scenario::agents::{Agent, Fetch, Tool};
use crate::scenario::catalog;
use crate::scenario::client::Client;
use crate::scenario::net::{IpAlloc, AWS, AZURE, BINGBOT, GCP, GOOGLEBOT, MONITORS};
use crate::scenario::timing::lognormal;
use crate::scenario::truth::BenignKind;
use crate::values::random_chars;

const KEY_CHARS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Three uptime monitors, each from one address, every 60 s to the millisecond.
pub(super) fn monitors(world: &World, alloc: &mut IpAlloc) -> Vec<Recorded> {
    let specs = [
        (
            "monitor-uptimerobot",
            "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
            "/",
        ),
        (
            "monitor-pingdom",
            "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)",
            "/api/v1/health",
        ),
        ("monitor-datadog", "Datadog/Synthetics", "/api/v1/health"),
    ];
    specs
        .iter()
        .zip(MONITORS)
        .map(|((id, ua, path), net)| {
            let mut rng = world.rng(id);
            let ip = alloc.take(net).unwrap_or(net.base);
            let c = Client::new(ip, net.country, Agent::monitor(ua));
            let mut rec = Recorder::new(world, *id, label(BenignKind::Monitor));
            let mut t = world.start_ms + rng.random_range(0..60_000);
            while t < world.end_ms {
                let fetch = if *path == "/" {
                    Fetch::Document
                } else {
                    Fetch::Api
                };
                rec.send(c.fetch(t, path, fetch, None));
                t += 60_000;
            }
            rec.finish()
        })
        .collect()
}

/// Googlebot and bingbot crawling product pages from their published ranges.
pub(super) fn crawlers(world: &World, alloc: &mut IpAlloc) -> Vec<Recorded> {
    let mut out = Vec::new();
    for (id, net, ips, median_s, uas) in [
        (
            "crawler-googlebot",
            GOOGLEBOT,
            4,
            6.0,
            &[
                "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.7390.122 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.7390.122 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            ][..],
        ),
        (
            "crawler-bingbot",
            BINGBOT,
            2,
            15.0,
            &["Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36"][..],
        ),
    ] {
        let mut rng = world.rng(id);
        let addrs: Vec<std::net::IpAddr> = (0..ips).filter_map(|_| alloc.take(&net)).collect();
        let mut rec = Recorder::new(world, id, label(BenignKind::Crawler));
        let mut t = world.start_ms + rng.random_range(0..30_000);
        let mut n = 0u64;
        let offset = rng.random_range(0..catalog::SKUS);
        while t < world.end_ms {
            let ip = *addrs.choose(&mut rng).unwrap_or(&net.base);
            let ua = uas.choose(&mut rng).copied().unwrap_or("Googlebot/2.1");
            let c = Client::new(ip, net.country, Agent::crawler(ua));
            let path = match n {
                0 => "/robots.txt".to_owned(),
                1 => "/sitemap.xml".to_owned(),
                _ if n.is_multiple_of(40) => "/".to_owned(),
                _ => format!("/products/{}.html", catalog::product((offset + n) % (catalog::SKUS + 1)).1),
            };
            rec.send(c.fetch(t, &path, Fetch::Document, None));
            n += 1;
            t += (lognormal(&mut rng, median_s, 0.7, 0.5, 300.0) * 1000.0) as i64;
        }
        out.push(rec.finish());
    }
    out
}

/// Three partners refreshing linked customers' account summaries at a steady pace.
pub(super) fn partners(
    world: &World,
    alloc: &mut IpAlloc,
    customers: &mut Customers,
) -> Vec<Recorded> {
    let specs = [
        (
            "partner-fintrackr",
            Agent::tool_as(
                Tool::ApacheHttpClient,
                "FinTrackr-Sync/3.4.1 (+https://fintrackr.example/integrations)",
                None,
            ),
            AWS,
            12.0,
        ),
        (
            "partner-budgetbee",
            Agent::tool_as(
                Tool::PythonRequests,
                "BudgetBee/2.8 python-requests/2.32.3",
                None,
            ),
            GCP,
            20.0,
        ),
        (
            "partner-networthly",
            Agent::tool_as(
                Tool::GoHttp,
                "NetWorthly-Aggregator/1.9 (Go-http-client/2.0)",
                None,
            ),
            AZURE,
            30.0,
        ),
    ];
    let mut out = Vec::new();
    for (id, agent, net, every_s) in specs {
        let mut rng = world.rng(id);
        let ips: Vec<std::net::IpAddr> = (0..2).filter_map(|_| alloc.take(&net)).collect();
        let key = format!("pk_live_{}", random_chars(&mut rng, KEY_CHARS, 24));
        let linked: Vec<u64> = (0..rng.random_range(40..120))
            .map(|_| customers.next())
            .collect();
        let mut rec = Recorder::new(world, id, label(BenignKind::Partner));
        let mut t = world.start_ms + rng.random_range(0..5_000);
        while t < world.end_ms {
            let ip = *ips.choose(&mut rng).unwrap_or(&net.base);
            let user = *linked.choose(&mut rng).unwrap_or(&1);
            let mut c = Client::new(ip, net.country, agent.clone());
            c.creds = vec![("x-api-key", key.clone())];
            // A few customers changed their password since linking.
            let password = if rng.random_bool(0.03) {
                "stale-password".to_owned()
            } else {
                catalog::password(user)
            };
            let body = json!({"username": catalog::email(user), "password": password});
            let resp = rec.send(c.api_post(t, WEB_HOST, "/partner/v1/auth/login", &body, None));
            if let Some(token) = resp.and_then(|r| r.token) {
                c.creds
                    .insert(0, ("authorization", format!("Bearer {token}")));
                c.auth = Auth::User(user);
                let t2 = t + rng.random_range(20..120);
                rec.send(c.api_get(
                    t2,
                    WEB_HOST,
                    &format!("/partner/v1/accounts/{user}/summary"),
                    None,
                ));
            }
            let jitter = 1.0 + rng.random_range(-0.1..0.1);
            t += (every_s * 1000.0 * jitter) as i64;
        }
        out.push(rec.finish());
    }
    out
}
