use super::*;
use crate::testing::{browser, get, pool_ip, run, Ex};
use rampart_core::EntityKind;

/// 30 minutes of normal traffic on `path` (20 requests a minute from browsing users), then
/// 2,000 requests in two minutes from fresh addresses; `extra` may add requests after each bot
/// request.
fn baseline_then_surge(path: &str, mut extra: impl FnMut(u32, &mut Vec<Ex>)) -> Vec<Ex> {
    let mut traffic = Vec::new();
    for i in 0..600u32 {
        traffic.push(browser(
            get(f64::from(i) * 3.0, &pool_ip(i % 50), path, 200),
            "s",
        ));
    }
    for i in 0..2000u32 {
        traffic.push(
            get(
                1800.0 + f64::from(i) * 0.06,
                &pool_ip(10_000 + i),
                path,
                200,
            )
            .ua("Go-http-client/1.1"),
        );
        extra(i, &mut traffic);
    }
    traffic
}

#[test]
fn a_surge_against_the_baseline_names_the_bots_not_the_users() {
    let mut d = Volumetric::new(VolumetricConfig::default());
    let traffic = baseline_then_surge("/api/v1/checkout", |_, _| {});
    let alerts = run(&mut d, traffic);
    let surge = alerts
        .iter()
        .find(|a| a.entity.kind == EntityKind::Endpoint)
        .expect("surge");
    assert!(surge.figures["factor"] >= 10.0, "{:?}", surge.figures);
    let named: Vec<_> = surge.ips().collect();
    assert!(named.len() > 1700, "{}", named.len());
    assert!(
        named.iter().all(|ip| !ip.starts_with("198.51.0.")),
        "no browsing user is named"
    );
}

#[test]
fn one_address_taking_most_of_an_endpoint() {
    let mut d = Volumetric::new(VolumetricConfig::default());
    let mut traffic = Vec::new();
    for i in 0..1200u32 {
        traffic.push(get(
            f64::from(i) * 0.2,
            "203.0.113.99",
            "/api/v1/inventory?zip=1",
            200,
        ));
        if i % 4 == 0 {
            traffic.push(get(
                f64::from(i) * 0.2 + 0.1,
                &pool_ip(i),
                "/api/v1/inventory?zip=2",
                200,
            ));
        }
    }
    let alerts = run(&mut d, traffic);
    let a = alerts
        .iter()
        .find(|a| a.entity.kind == EntityKind::Ip)
        .expect("share alert");
    assert_eq!(a.entity.value, "203.0.113.99");
    assert!(a.figures["share"] >= 0.75, "{:?}", a.figures);
}

#[test]
fn an_authenticated_app_user_arriving_during_a_surge_is_not_named() {
    let mut d = Volumetric::new(VolumetricConfig::default());
    let traffic = baseline_then_surge("/api/v1/inventory", |i, traffic| {
        if i % 100 == 0 {
            // The app user carries a JWT naming its user.
            traffic.push(
                get(
                    1800.0 + f64::from(i) * 0.06 + 0.01,
                    "203.0.113.250",
                    "/api/v1/inventory",
                    200,
                )
                .ua("AcmeApp/6.2.0 (iPhone; iOS 18.1)")
                .header(
                    "authorization",
                    "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2ln",
                ),
            );
        }
    });
    let alerts = run(&mut d, traffic);
    let surge = alerts
        .iter()
        .find(|a| a.entity.kind == EntityKind::Endpoint)
        .expect("surge");
    assert!(surge.ips().all(|ip| ip != "203.0.113.250"));
}
