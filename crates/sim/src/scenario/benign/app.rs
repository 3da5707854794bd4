//! The official mobile app: a bearer token, few or no cookies, the mobile twin for catalogue and
//! stock, the main API for the customer's own data.

use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::json;

use super::{label, pick_product};
use crate::scenario::acme::{jwt, Auth, MOBILE_HOST, WEB_HOST};
use crate::scenario::actor::{Recorded, Recorder, World};
use crate::scenario::agents::Agent;
use crate::scenario::catalog;
use crate::scenario::client::Client;
use crate::scenario::cookies::Jar;
use crate::scenario::net::{IpAlloc, HOME, MOBILE};
use crate::scenario::timing::lognormal;
use crate::scenario::truth::BenignKind;

fn gap(rng: &mut SmallRng) -> i64 {
    (lognormal(rng, 8.0, 0.8, 1.0, 120.0) * 1000.0) as i64
}

/// One app user's hour: a few app sessions.
pub(super) fn app_user(
    world: &World,
    i: usize,
    alloc: &mut IpAlloc,
    user: u64,
    hours: f64,
) -> Recorded {
    let id = format!("app-{i:05}");
    let mut rng = world.rng(&id);
    let ios = rng.random_bool(0.6);
    let version = *["6.2.0", "6.2.0", "6.2.0", "6.1.3", "6.0.1"]
        .choose(&mut rng)
        .unwrap_or(&"6.2.0");
    let os = *["18.1", "18.1", "18.6", "26.1"]
        .choose(&mut rng)
        .unwrap_or(&"18.1");
    let (ip, net) = if rng.random_bool(0.7) {
        alloc.take_weighted(MOBILE)
    } else {
        alloc.take_weighted(HOME)
    };
    let mut c = Client::new(ip, net.country, Agent::acme_app(ios, version, os));
    // Issued earlier today; app tokens live a day.
    let iat = world.start_ms.div_euclid(1000) - rng.random_range(60..43_200);
    let mut token = jwt(user, iat, 86_400, "openid profile orders", &mut rng);
    c.creds = vec![
        ("authorization", format!("Bearer {token}")),
        ("x-app-version", version.to_owned()),
    ];
    c.jar = match rng.random_range(0..100) {
        0..=49 => None,
        50..=84 => Some(Jar::few(&["__cf_bm"], None, &mut rng)),
        _ => Some(Jar::few(&["__cf_bm", "_cfuvid"], None, &mut rng)),
    };
    c.auth = Auth::User(user);
    let mut rec = Recorder::new(world, id, label(BenignKind::MobileApp));
    let sessions = 1
        + (0..(3.0 * hours).ceil() as usize)
            .filter(|_| rng.random_bool(0.3))
            .count();
    let last = (world.end_ms - 30_000).max(world.start_ms + 1);
    let mut starts: Vec<i64> = (0..sessions)
        .map(|_| rng.random_range(world.start_ms..last))
        .collect();
    starts.sort_unstable();
    let must_login = rng.random_bool(0.15);
    for (k, mut t) in starts.into_iter().enumerate() {
        if k == 0 && must_login {
            let body =
                json!({"username": catalog::email(user), "password": catalog::password(user)});
            if let Some(r) = rec.send(c.api_post(t, WEB_HOST, "/api/v1/auth/login", &body, None)) {
                if let Some(tk) = r.token {
                    token = tk;
                    c.creds[0] = ("authorization", format!("Bearer {token}"));
                }
            }
            t += rng.random_range(200..900);
        }
        rec.send(c.api_get(t, MOBILE_HOST, "/mobile/v1/products?page=1", None));
        t += rng.random_range(30..250);
        rec.send(c.api_get(t, WEB_HOST, &format!("/api/v1/users/{user}"), None));
        let actions = lognormal(&mut rng, 6.0, 0.6, 2.0, 30.0) as usize;
        for _ in 0..actions {
            t += gap(&mut rng);
            let r: f64 = rng.random();
            let target = if r < 0.6 {
                format!(
                    "/mobile/v1/products/{}",
                    catalog::sku_of(pick_product(&mut rng))
                )
            } else if r < 0.67 {
                let zip = catalog::zip(user % catalog::ZIPS);
                format!(
                    "/mobile/v1/inventory?zip={zip}&sku={}",
                    catalog::sku_of(pick_product(&mut rng))
                )
            } else if r < 0.82 {
                format!("/api/v1/users/{user}/orders")
            } else {
                format!("/mobile/v1/products?page={}", rng.random_range(1..=6))
            };
            let host = if target.starts_with("/mobile/") {
                MOBILE_HOST
            } else {
                WEB_HOST
            };
            rec.send(c.api_get(t, host, &target, None));
        }
    }
    rec.finish()
}
