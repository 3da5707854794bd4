//! `sneaker_bot_volumetric`: a limited sneaker drops. Before the launch a few monitors poll the
//! product; at the launch, bot tasks — each on a fresh US residential proxy with a copied
//! Chrome user agent whose client hints betray an older build — hit the product and checkout
//! at 50× the normal rate of those flows, and a cook group's secret, the shadow Apple Pay
//! session API, is hammered at twice that.

use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::json;

use super::{label, AttackOut, Ctx};
use crate::scenario::acme::WEB_HOST;
use crate::scenario::actor::Recorder;
use crate::scenario::agents::{Agent, Tool};
use crate::scenario::catalog::{self, LAUNCH_SKU};
use crate::scenario::client::Client;
use crate::scenario::config::{Plan, ScenarioName};
use crate::scenario::cookies::{new_sid, Jar};
use crate::scenario::net::HOME;
use crate::scenario::timing::exp_ms;

/// How many times normal the launch flows run during the burst.
const MULTIPLE: f64 = 50.0;

const IPHONE_UAS: &[&str] = &[
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 Mobile/15E148 Safari/604.1",
];

fn checkout_body(rng: &mut rand::rngs::SmallRng) -> serde_json::Value {
    let (f, l) = (
        crate::words::FIRST_NAMES
            .choose(rng)
            .copied()
            .unwrap_or("x"),
        crate::words::LAST_NAMES.choose(rng).copied().unwrap_or("y"),
    );
    let size = ["9", "9.5", "10", "10.5", "11"][rng.random_range(0..5)];
    json!({
        "sku": LAUNCH_SKU,
        "qty": 1,
        "size": size,
        // Jigged addresses: one drop box, many spellings.
        "email": format!("{f}.{l}+{}@gmail.com", rng.random_range(100..9999)),
        "shipping_zip": "97006",
        "payment_method": "card",
        "payment_token": format!("tok_{}", crate::values::random_chars(rng, b"0123456789abcdefghijklmnopqrstuvwxyz", 24)),
    })
}

pub(super) fn run(plan: &Plan, ctx: &mut Ctx<'_>) -> AttackOut {
    let name = ScenarioName::SneakerBotVolumetric;
    let mut rng = ctx.world.rng(name.name());
    let mut rec = Recorder::new(ctx.world, name.name(), label(name));
    let launch = plan.at(0.15);
    let burst_end = plan.at(0.85);
    let product = format!("/api/v1/products/{LAUNCH_SKU}");
    let (_, slug) = catalog::product(catalog::SKUS);
    let page = format!("https://{WEB_HOST}/products/{slug}.html");

    // Monitors waiting for the drop.
    for _ in 0..3 {
        let (ip, net) = ctx.alloc.take_weighted(HOME);
        let mut c = Client::new(
            ip,
            net.country,
            Agent::chrome_with_stale_hints(&mut rng, true),
        );
        c.jar = Some(Jar::few(
            &["_abck", "bm_sz"],
            Some(new_sid(&mut rng)),
            &mut rng,
        ));
        let mut t = plan.start_ms + rng.random_range(0..3_000);
        while t < launch {
            rec.send(c.api_get(t, WEB_HOST, &product, Some(&page)));
            t += rng.random_range(2_500..3_500);
        }
    }

    let normal = ctx.traffic.benign_launch.max(1.0);
    let per_min = (MULTIPLE * normal * plan.scale).min(200_000.0);
    let apple_per_min = 2.0 * per_min;
    let (mut flow, mut apple_reqs, mut tasks) = (0u64, 0u64, 0u64);

    // Checkout tasks: about three requests each (product, checkout, a retry).
    let mut t = launch;
    while t < burst_end {
        t += exp_ms(&mut rng, 60_000.0 * 3.0 / per_min.max(0.1));
        if t >= burst_end {
            break;
        }
        tasks += 1;
        let (ip, net) = ctx.alloc.take_weighted(HOME);
        let mut c = Client::new(
            ip,
            net.country,
            Agent::chrome_with_stale_hints(&mut rng, true),
        );
        c.jar = Some(Jar::few(
            &["_abck", "bm_sz", "ak_bmsc"],
            Some(new_sid(&mut rng)),
            &mut rng,
        ));
        rec.send(c.api_get(t, WEB_HOST, &product, Some(&page)));
        flow += 1;
        let mut t2 = t + rng.random_range(120..600);
        for _ in 0..rng.random_range(1..=3) {
            let body = checkout_body(&mut rng);
            let Some(resp) = rec.send(c.api_post(
                t2,
                WEB_HOST,
                "/api/v1/payments/checkout",
                &body,
                Some(&page),
            )) else {
                break;
            };
            flow += 1;
            if resp.status != 409 {
                break;
            }
            t2 += rng.random_range(300..1_200);
        }
    }

    // Apple Pay tasks: merchant sessions, two per task, farmed for the checkout bots.
    let mut t = launch;
    while t < burst_end {
        t += exp_ms(&mut rng, 60_000.0 * 2.0 / apple_per_min.max(0.1));
        if t >= burst_end {
            break;
        }
        tasks += 1;
        let (ip, net) = ctx.alloc.take_weighted(HOME);
        let ua = IPHONE_UAS
            .choose(&mut rng)
            .copied()
            .unwrap_or(IPHONE_UAS[0]);
        let mut c = Client::new(
            ip,
            net.country,
            Agent::tool_as(Tool::GoHttp, ua, Some("en-US,en;q=0.9")),
        );
        c.jar = Some(Jar::few(&["_abck"], Some(new_sid(&mut rng)), &mut rng));
        let body = json!({
            "validationURL": "https://apple-pay-gateway.apple.com/paymentservices/startSession",
            "domainName": WEB_HOST,
            "displayName": "Acme",
        });
        for k in 0..2 {
            let at = t + k * rng.random_range(150..700);
            if rec
                .send(c.api_post(
                    at,
                    WEB_HOST,
                    "/api/v1/payments/applepay/session",
                    &body,
                    Some(&page),
                ))
                .is_some()
            {
                apple_reqs += 1;
            }
        }
    }
    let burst_min = ((burst_end - launch) as f64 / 60_000.0).max(1.0 / 60.0);
    AttackOut::new(
        vec![rec.finish()],
        &[
            ("normal_launch_flow_per_min", normal),
            ("multiple_of_normal", (flow as f64 / burst_min) / normal),
            ("applepay_requests", apple_reqs as f64),
            ("applepay_per_min", apple_reqs as f64 / burst_min),
            ("bot_tasks", tasks as f64),
        ],
    )
}
