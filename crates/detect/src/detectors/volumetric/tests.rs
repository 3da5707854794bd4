use super::*;
use crate::testing::{browser, get, pool_ip, run};
use rampart_core::EntityKind;

#[test]
fn a_surge_against_the_baseline_names_the_bots_not_the_users() {
    let mut d = Volumetric::new(VolumetricConfig::default());
    let mut traffic = Vec::new();
    // 30 minutes of normal traffic: 20 requests a minute from browsing users.
    for i in 0..600u32 {
        traffic.push(browser(
            get(
                f64::from(i) * 3.0,
                &pool_ip(i % 50),
                "/api/v1/checkout",
                200,
            ),
            "s",
        ));
    }
    // Then 2,000 requests in two minutes from fresh addresses.
    for i in 0..2000u32 {
        traffic.push(
            get(
                1800.0 + f64::from(i) * 0.06,
                &pool_ip(10_000 + i),
                "/api/v1/checkout",
                200,
            )
            .ua("Go-http-client/1.1"),
        );
    }
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
    let mut traffic = Vec::new();
    for i in 0..600u32 {
        traffic.push(browser(
            get(
                f64::from(i) * 3.0,
                &pool_ip(i % 50),
                "/api/v1/inventory",
                200,
            ),
            "s",
        ));
    }
    for i in 0..2000u32 {
        traffic.push(
            get(
                1800.0 + f64::from(i) * 0.06,
                &pool_ip(10_000 + i),
                "/api/v1/inventory",
                200,
            )
            .ua("Go-http-client/1.1"),
        );
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
    }
    let alerts = run(&mut d, traffic);
    let surge = alerts
        .iter()
        .find(|a| a.entity.kind == EntityKind::Endpoint)
        .expect("surge");
    assert!(surge.ips().all(|ip| ip != "203.0.113.250"));
}
