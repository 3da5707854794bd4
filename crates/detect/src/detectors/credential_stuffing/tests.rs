use super::*;
use crate::testing::{browser, get, login, pool_ip, run};
use rampart_core::EntityKind;

#[test]
fn brute_force_on_one_account_from_one_address() {
    let mut d = CredentialStuffing::new(CredentialStuffingConfig::default());
    let tries =
        (0..30).map(|i| login(f64::from(i), "203.0.113.50", "alice", true).ua("curl/8.5.0"));
    let alerts = run(&mut d, tries);
    let ip: Vec<_> = alerts
        .iter()
        .filter(|a| a.entity.kind == EntityKind::Ip)
        .collect();
    assert_eq!(ip.len(), 1, "{alerts:?}");
    assert!(
        ip[0].evidence.starts_with("brute force"),
        "{}",
        ip[0].evidence
    );
    assert_eq!(ip[0].figures["failures"], 30.0);
    assert_eq!(
        ip[0].requests, 21,
        "fires at the 10th failure and follows the rest"
    );
}

#[test]
fn a_proxy_pool_sharing_a_fingerprint_is_one_campaign_naming_every_address() {
    let mut d = CredentialStuffing::new(CredentialStuffingConfig::default());
    let tries = (0..300u32).map(|i| {
        login(f64::from(i) * 0.5, &pool_ip(i * 300), &format!("user{i}"), i % 50 != 0)
            .ua("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")
    });
    let alerts = run(&mut d, tries);
    let fp = alerts
        .iter()
        .find(|a| a.entity.kind == EntityKind::Fingerprint)
        .expect("fingerprint campaign");
    let ips: std::collections::HashSet<_> = fp.ips().collect();
    assert!(ips.len() >= 290, "named {} of 300 addresses", ips.len());
    assert!(fp.figures["successes"] >= 1.0);
    // A global surge is raised as well: the whole API's failure ratio jumped.
    assert!(alerts.iter().any(|a| a.entity.kind == EntityKind::Global));
}

#[test]
fn users_who_mistype_and_a_busy_nat_are_not_flagged() {
    let mut d = CredentialStuffing::new(CredentialStuffingConfig::default());
    let mut traffic = Vec::new();
    for u in 0..200u32 {
        let t = f64::from(u) * 10.0;
        // Every user behind the NAT loads a page, some mistype up to three times.
        traffic.push(browser(get(t, "192.0.2.1", "/", 200), &format!("s{u}")));
        for k in 0..(u % 4) {
            traffic.push(browser(
                login(t + 1.0 + f64::from(k), "192.0.2.1", &format!("u{u}"), true),
                &format!("s{u}"),
            ));
        }
        traffic.push(browser(
            login(t + 5.0, "192.0.2.1", &format!("u{u}"), false),
            &format!("s{u}"),
        ));
    }
    let alerts = run(&mut d, traffic);
    assert!(alerts.is_empty(), "{:#?}", alerts);
}
