use super::*;
use crate::testing::{get, pool_ip, run};
use rampart_core::EntityKind;

#[test]
fn each_number_tried_from_hundreds_of_addresses_is_flagged_with_them() {
    let mut d = TargetIps::new(TargetIpsConfig::default());
    let mut traffic = Vec::new();
    for i in 0..1000u32 {
        let number = 15_550_000_000u64 + u64::from(i % 4);
        traffic.push(get(
            f64::from(i) * 2.0,
            &pool_ip(i),
            &format!("/api/v1/numbers/+{number}/portability"),
            200,
        ));
    }
    let alerts = run(&mut d, traffic);
    assert_eq!(alerts.len(), 4, "one alert per number");
    for a in &alerts {
        assert_eq!(a.entity.kind, EntityKind::Target);
        assert!(
            a.ips().count() >= 240,
            "{} addresses named",
            a.ips().count()
        );
    }
    let named: std::collections::HashSet<_> = alerts.iter().flat_map(|a| a.ips()).collect();
    // A target's first request is only remembered (admission), so its address may be missed.
    assert!(
        named.len() >= 996,
        "{} of the pool's 1000 addresses named",
        named.len()
    );
}

#[test]
fn popular_products_are_not_targets() {
    let mut d = TargetIps::new(TargetIpsConfig::default());
    let traffic =
        (0..500u32).map(|i| get(f64::from(i), &pool_ip(i), "/api/v1/products/SKU-1234", 200));
    assert!(run(&mut d, traffic).is_empty());
}
