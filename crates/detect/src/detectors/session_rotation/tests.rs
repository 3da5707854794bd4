use super::*;
use crate::testing::{browser, get, run};
use rampart_core::EntityKind;

#[test]
fn a_new_session_on_every_request_is_rotation_and_names_the_sessions() {
    let mut d = SessionRotation::new(SessionRotationConfig::default());
    let traffic = (0..40u32).map(|i| {
        get(f64::from(i), "203.0.113.40", "/partner/v1/auth/login", 401)
            .header("cookie", &format!("sid=rot{i}"))
    });
    let alerts = run(&mut d, traffic);
    let a = alerts
        .iter()
        .find(|a| a.figures.contains_key("sessions"))
        .expect("rotation");
    assert_eq!(a.entity.kind, EntityKind::Ip);
    assert!(a.sessions().count() >= 30, "{}", a.sessions().count());
}

#[test]
fn a_corporate_nat_with_many_long_sessions_is_fine() {
    let mut d = SessionRotation::new(SessionRotationConfig::default());
    let mut traffic = Vec::new();
    for u in 0..100u32 {
        for k in 0..8u32 {
            traffic.push(browser(
                get(f64::from(u * 8 + k), "192.0.2.1", "/api/v1/products", 200),
                &format!("user{u}"),
            ));
        }
    }
    assert!(run(&mut d, traffic).is_empty());
}

#[test]
fn a_browser_without_cookies_is_flagged_low() {
    let mut d = SessionRotation::new(SessionRotationConfig::default());
    let traffic = (0..80u32).map(|i| {
        get(f64::from(i), "203.0.113.41", "/api/v1/inventory", 200)
            .ua("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/72.0.3626.121 Safari/537.36")
            .header("cookie", "sid=one")
    });
    let alerts = run(&mut d, traffic);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].severity, Severity::Low);
}

#[test]
fn newcomers_arriving_with_fresh_sessions_are_not_a_rotating_fingerprint() {
    // Many real users with the same browser arrive; each first request brings a new session.
    let mut d = SessionRotation::new(SessionRotationConfig::default());
    let traffic = (0..200u32).map(|i| {
        get(f64::from(i), &crate::testing::pool_ip(i), "/api/v1/products", 200)
            .ua("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36")
            .header("cookie", &format!("sid=new{i}"))
    });
    assert!(run(&mut d, traffic).is_empty());
}
