use super::*;
use crate::testing::{browser, get, pool_ip, run};

#[test]
fn a_scanner_is_high_and_an_outdated_cookieless_chrome_low() {
    let mut d = Agent::new(AgentConfig::default());
    let alerts = run(
        &mut d,
        [
            get(0.0, "203.0.113.1", "/api/v1/users/1", 200).ua("sqlmap/1.7.2#stable (https://sqlmap.org)"),
            get(1.0, "203.0.113.2", "/api/v1/inventory", 200)
                .ua("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.121 Safari/537.36")
                .header("cookie", "sid=x"),
        ],
    );
    let by_ip = |ip: &str| alerts.iter().find(|a| a.ips().any(|x| x == ip)).expect(ip);
    assert_eq!(by_ip("203.0.113.1").severity, Severity::High);
    let old = by_ip("203.0.113.2");
    assert_eq!(old.severity, Severity::Low);
    assert!(
        old.evidence.contains("outdated browser") && old.evidence.contains("72"),
        "{}",
        old.evidence
    );
}

#[test]
fn real_users_and_credentialed_integrations_raise_nothing_above_info() {
    let mut d = Agent::new(AgentConfig::default());
    let mut traffic: Vec<_> = (0..5)
        .map(|i| {
            browser(
                get(f64::from(i), "198.51.100.1", "/api/v1/products", 200),
                "s",
            )
        })
        .collect();
    traffic.push(
        get(9.0, "198.51.100.2", "/partner/v1/accounts", 200)
            .ua("python-requests/2.31.0")
            .header("x-api-key", "k"),
    );
    traffic.push(
        get(10.0, "198.51.100.3", "/", 200)
            .ua("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    );
    let alerts = run(&mut d, traffic);
    assert!(
        alerts.iter().all(|a| a.severity == Severity::Info),
        "{alerts:#?}"
    );
}

#[test]
fn client_hints_of_another_chrome_betray_a_copied_user_agent() {
    assert_eq!(
        hint_major(r#""Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99""#),
        Some(124)
    );
    let mut d = Agent::new(AgentConfig::default());
    let alerts = run(
        &mut d,
        [get(0.0, "203.0.113.9", "/api/v1/products/SKU-1", 200)
            .ua("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36")
            .header("sec-ch-ua", r#""Chromium";v="118", "Google Chrome";v="118""#)
            .header("cookie", "_abck=1; bm_sz=2; sid=3")],
    );
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].severity, Severity::Medium);
    assert!(
        alerts[0].evidence.contains("client hints"),
        "{}",
        alerts[0].evidence
    );
}

#[test]
fn a_rotating_kit_is_named_on_the_endpoint_it_lands_on() {
    const COPIED: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";
    let kit = |ex: crate::testing::Ex| {
        ex.ua(COPIED)
            .header(
                "sec-ch-ua",
                r#""Chromium";v="129", "Google Chrome";v="129""#,
            )
            .header("cookie", "_abck=1; bm_sz=2")
    };
    // Each task on a fresh address: the product page, then the checkout twice.
    let mut traffic = Vec::new();
    for i in 0..30u32 {
        let ip = pool_ip(i);
        let t = f64::from(i) * 0.5;
        traffic.push(kit(get(
            t,
            &ip,
            &format!("/api/v1/products/{}", 1000 + i % 3),
            200,
        )));
        for k in 1..=2 {
            traffic.push(kit(get(
                t + 0.1 * f64::from(k),
                &ip,
                "/api/v1/payments/checkout",
                409,
            )
            .method("POST")));
        }
    }
    let mut d = Agent::new(AgentConfig::default());
    let alerts = run(&mut d, traffic);
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let a = &alerts[0];
    assert_eq!(a.entity.kind, rampart_core::EntityKind::Fingerprint);
    assert_eq!(a.severity, Severity::Medium);
    assert_eq!(
        a.endpoint.as_deref(),
        Some("GET api.example/api/v1/products/{}")
    );
    assert!(a.figures["endpoint_share"] >= 0.5, "{:?}", a.figures);
    assert!(
        a.evidence
            .contains("of these requests on GET api.example/api/v1/products/{}"),
        "{}",
        a.evidence
    );

    // A handful of addresses could land anywhere: no endpoint is named yet.
    let mut d = Agent::new(AgentConfig::default());
    let few = run(
        &mut d,
        (0..3u32).map(|i| kit(get(f64::from(i), &pool_ip(i), "/api/v1/products/1001", 200))),
    );
    assert_eq!(few.len(), 1);
    assert_eq!(few[0].endpoint, None);
}
