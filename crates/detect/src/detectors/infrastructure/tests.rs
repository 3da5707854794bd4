use super::*;
use crate::testing::{browser, get, run};

fn detector(lists: &str, business: &[&str]) -> InfrastructureDetector {
    let mut set = NetSet::new();
    set.push(NetList::parse("bulletproof_proxies", lists).list);
    let config = InfrastructureConfig {
        business_countries: business.iter().map(|s| (*s).to_owned()).collect(),
        ..InfrastructureConfig::default()
    };
    InfrastructureDetector::new(config, Infrastructure::from_parts(set, None, None))
}

#[test]
fn listed_networks_and_foreign_bots_are_flagged_travellers_only_noted() {
    let mut d = detector("# proxies\n203.0.113.0/24\n", &["US", "CA"]);
    let alerts = run(
        &mut d,
        [
            get(0.0, "203.0.113.7", "/api/v1/auth/login", 401),
            get(1.0, "198.51.100.9", "/partner/v1/auth/login", 401).header("cf-ipcountry", "kp"),
            get(1.1, "198.51.100.9", "/partner/v1/auth/login", 401).header("cf-ipcountry", "kp"),
            get(1.2, "198.51.100.9", "/partner/v1/auth/login", 401).header("cf-ipcountry", "kp"),
            get(1.3, "198.51.100.9", "/partner/v1/auth/login", 401).header("cf-ipcountry", "kp"),
            browser(get(2.0, "192.0.2.4", "/", 200), "s").header("cf-ipcountry", "FR"),
            browser(get(3.0, "192.0.2.4", "/app.js", 200), "s").header("cf-ipcountry", "FR"),
            browser(get(4.0, "192.0.2.4", "/api/v1/products", 200), "s")
                .header("cf-ipcountry", "FR"),
            get(5.0, "192.0.2.5", "/api/v1/products", 200).header("cf-ipcountry", "US"),
        ],
    );
    let of = |ip: &str| alerts.iter().find(|a| a.entity.value == ip);
    let listed = of("203.0.113.7").expect("listed");
    assert_eq!(listed.severity, Severity::Medium);
    assert!(
        listed.evidence.contains("bulletproof_proxies"),
        "{}",
        listed.evidence
    );
    let foreign = of("198.51.100.9").expect("foreign bot");
    assert_eq!(foreign.severity, Severity::Low);
    assert!(foreign.evidence.contains("from KP"), "{}", foreign.evidence);
    // The traveller browsing pages: its later requests are informational only.
    assert!(of("192.0.2.4").is_none_or(|a| a.severity <= Severity::Low));
    assert!(of("192.0.2.5").is_none());
}

#[test]
fn bad_business_countries_are_reported() {
    let c = InfrastructureConfig {
        business_countries: vec!["USA".into()],
        ..InfrastructureConfig::default()
    };
    assert_eq!(c.problems().len(), 1);
}
