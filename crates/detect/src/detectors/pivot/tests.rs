use super::*;
use crate::testing::{get, pool_ip, run};
use rampart_core::EntityKind;

#[test]
fn a_scraper_refused_on_the_web_api_moving_to_the_mobile_twin() {
    let mut d = Pivot::new(PivotConfig::default());
    let ua = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/72.0.3626.121 Safari/537.36";
    let mut traffic = Vec::new();
    for i in 0..200u32 {
        let status = if i > 150 { 429 } else { 200 };
        traffic.push(
            get(
                f64::from(i),
                &pool_ip(i),
                &format!("/api/v1/inventory?zip={i}"),
                status,
            )
            .ua(ua),
        );
    }
    for i in 0..60u32 {
        traffic.push(
            get(
                200.0 + f64::from(i),
                &pool_ip(1000 + i),
                &format!("/mobile/v1/inventory?zip={i}"),
                200,
            )
            .ua(ua),
        );
    }
    let alerts = run(&mut d, traffic);
    let fp = alerts
        .iter()
        .find(|a| a.entity.kind == EntityKind::Fingerprint)
        .expect("pivot");
    assert_eq!(fp.severity, Severity::High);
    assert!(fp.figures["first_refusals"] >= 40.0);
    assert_eq!(
        fp.ips().count(),
        41,
        "the addresses on the twin from the moment it fired"
    );
}

#[test]
fn one_surface_only_is_no_pivot() {
    let mut d = Pivot::new(PivotConfig::default());
    let traffic = (0..300u32).map(|i| get(f64::from(i), "203.0.113.1", "/api/v1/inventory", 200));
    assert!(run(&mut d, traffic).is_empty());
}
