use super::*;
use crate::testing::{get, pool_ip, run};
use rampart_core::EntityKind;

#[test]
fn zip_and_sku_combinations_walked_by_one_address() {
    let mut d = Scraping::new(ScrapingConfig::default());
    let traffic = (0..200u32).map(|i| {
        get(
            f64::from(i),
            "203.0.113.20",
            &format!("/api/v1/inventory?zip={:05}&sku=SKU-{}", 10_000 + i, i % 7),
            200,
        )
    });
    let alerts = run(&mut d, traffic);
    let a = alerts
        .iter()
        .find(|a| a.entity.kind == EntityKind::Ip)
        .expect("alert");
    assert!(a.figures["combinations"] >= 120.0, "{:?}", a.figures);
}

#[test]
fn the_same_walk_spread_over_rotating_addresses_is_caught_by_fingerprint() {
    let mut d = Scraping::new(ScrapingConfig::default());
    let traffic = (0..300u32).map(|i| {
        get(
            f64::from(i),
            &pool_ip(i),
            &format!("/api/v1/inventory?zip={:05}&sku=SKU-9", 20_000 + i),
            200,
        )
        .ua("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/72.0.3626.121 Safari/537.36")
    });
    let alerts = run(&mut d, traffic);
    let a = alerts
        .iter()
        .find(|a| a.entity.kind == EntityKind::Fingerprint)
        .expect("alert");
    assert!(a.ips().count() >= 200, "{}", a.ips().count());
}

#[test]
fn a_crawler_is_information_and_a_shopper_nothing() {
    let mut d = Scraping::new(ScrapingConfig::default());
    let crawl = (0..200u32).map(|i| {
        get(
            f64::from(i),
            "66.249.66.1",
            &format!("/products?page={i}"),
            200,
        )
        .ua("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    });
    let alerts = run(&mut d, crawl);
    assert!(alerts.iter().all(|a| a.severity == Severity::Info));
    let mut d = Scraping::new(ScrapingConfig::default());
    let shop = (0..40u32).map(|i| {
        get(
            f64::from(i) * 20.0,
            "198.51.100.3",
            &format!("/api/v1/inventory?zip=10001&sku=SKU-{}", i % 5),
            200,
        )
    });
    assert!(run(&mut d, shop).is_empty());
}
