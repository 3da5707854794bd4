use super::*;
use crate::testing::{browser, get, run};

#[test]
fn hammering_one_endpoint_without_pages_or_credentials() {
    let mut d = DirectToApi::new(DirectToApiConfig::default());
    let traffic = (0..150u32).map(|i| {
        get(
            f64::from(i),
            "203.0.113.30",
            &format!("/api/v1/inventory?zip={i}"),
            200,
        )
    });
    let alerts = run(&mut d, traffic);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].severity, Severity::Low);
    assert_eq!(alerts[0].requests, 51);
}

#[test]
fn a_browsing_user_and_an_app_with_a_token_are_fine() {
    let mut d = DirectToApi::new(DirectToApiConfig::default());
    let mut traffic = vec![browser(get(0.0, "198.51.100.1", "/", 200), "s")];
    traffic.extend((0..200u32).map(|i| {
        browser(
            get(f64::from(i) + 1.0, "198.51.100.1", "/api/v1/inventory", 200),
            "s",
        )
    }));
    traffic.extend((0..200u32).map(|i| {
        get(f64::from(i), "198.51.100.2", "/api/v1/inventory", 200)
            .header("authorization", "Bearer abc")
    }));
    assert!(run(&mut d, traffic).is_empty());
}
