use super::*;
use crate::testing::{get, pool_ip, run};
use rampart_core::EntityKind;

#[test]
fn one_clock_behind_rotating_addresses_is_a_campaign() {
    let mut d = Timing::new(TimingConfig::default());
    let traffic = (0..200u32).map(|i| {
        let jitter = f64::from(i % 5) * 0.01;
        get(
            f64::from(i) * 2.0 + jitter,
            &pool_ip(i),
            "/api/v1/numbers/+15551230000/portability",
            200,
        )
        .ua("okhttp/4.9.0")
    });
    let alerts = run(&mut d, traffic);
    let fp = alerts
        .iter()
        .find(|a| a.entity.kind == EntityKind::Fingerprint)
        .expect("campaign");
    assert!(
        (fp.figures["mean_gap_secs"] - 2.0).abs() < 0.05,
        "{:?}",
        fp.figures
    );
    assert!(fp.figures["gap_cv"] < 0.05);
    assert_eq!(
        fp.ips().count(),
        200,
        "every address, also those before it fired"
    );
    assert_eq!(fp.severity, Severity::High);
}

#[test]
fn an_uptime_monitor_is_information_only() {
    let mut d = Timing::new(TimingConfig::default());
    let traffic = (0..120u32).map(|i| {
        get(f64::from(i) * 60.0, "192.0.2.77", "/api/v1/health", 200).ua("UptimeRobot/2.0")
    });
    let alerts = run(&mut d, traffic);
    assert!(!alerts.is_empty());
    assert!(
        alerts.iter().all(|a| a.severity == Severity::Info),
        "{alerts:?}"
    );
}

#[test]
fn people_are_irregular() {
    let mut d = Timing::new(TimingConfig::default());
    let mut t = 0.0;
    let traffic: Vec<_> = (0..300u32)
        .map(|i| {
            t += 1.0 + f64::from((i * 7919) % 23);
            get(t, "198.51.100.9", "/api/v1/products", 200)
        })
        .collect();
    assert!(run(&mut d, traffic).is_empty());
}
