use super::*;
use crate::testing::{browser, get, run};
use rampart_core::EntityKind;

#[test]
fn a_sequential_walk_with_misses_is_flagged_with_its_numbers() {
    let mut d = Enumeration::new(EnumerationConfig::default());
    let walk = (0..60).map(|i| {
        let status = if i % 3 == 0 { 404 } else { 200 };
        get(
            f64::from(i),
            "203.0.113.7",
            &format!("/test/api/users/{}", 1000 + i),
            status,
        )
        .ua("python-requests/2.31")
    });
    let alerts = run(&mut d, walk);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let a = &alerts[0];
    assert_eq!(a.detector, "enumeration");
    assert_eq!(a.entity.kind, EntityKind::Ip);
    assert_eq!(a.entity.value, "203.0.113.7");
    assert_eq!(
        a.endpoint.as_deref(),
        Some("GET api.example/test/api/users/{}")
    );
    assert!(a.figures["sequential_share"] > 0.9, "{:?}", a.figures);
    assert!(a.figures["distinct_ids"] >= 30.0);
    assert!(a.evidence.contains("distinct ids"), "{}", a.evidence);
    assert_eq!(a.severity, Severity::High, "40 answered with data");
    // Fired at the 30th distinct id or soon after, not at the end.
    assert!(a.raised.as_unix_millis() - a.first_seen.as_unix_millis() <= 40_000);
}

#[test]
fn a_user_reading_their_own_few_orders_is_not_flagged() {
    let mut d = Enumeration::new(EnumerationConfig::default());
    let reads = (0..200).map(|i| {
        browser(
            get(
                f64::from(i) * 5.0,
                "198.51.100.4",
                &format!("/api/v1/orders/{}", 500 + i % 6),
                200,
            ),
            "s1",
        )
    });
    assert!(run(&mut d, reads).is_empty());
}

#[test]
fn ids_handed_out_by_a_listing_are_not_guessed() {
    let mut d = Enumeration::new(EnumerationConfig::default());
    let ids: Vec<u32> = (0..80).map(|i| 7000 + i * 37 % 500).collect();
    let listing = format!(
        "{{\"items\":[{}]}}",
        ids.iter()
            .map(|i| format!("{{\"id\":{i}}}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let mut traffic = vec![get(0.0, "192.0.2.10", "/partner/v1/accounts", 200).response(&listing)];
    for (n, id) in ids.iter().enumerate() {
        // A few of the listed accounts are gone (404): still not a walk through guesses.
        let status = if n % 5 == 0 { 404 } else { 200 };
        traffic.push(get(
            1.0 + n as f64,
            "192.0.2.10",
            &format!("/partner/v1/accounts/{id}"),
            status,
        ));
    }
    let alerts = run(&mut d, traffic);
    // The misses alone make it look like a walk; what tells it apart is that the ids were
    // handed out, which the detector reports.
    if let Some(a) = alerts.first() {
        assert!(a.figures["unhanded_share"] < 0.1, "{:?}", a.figures);
    }
}

#[test]
fn a_random_walk_of_guessed_ids_is_flagged_without_sequence() {
    let mut d = Enumeration::new(EnumerationConfig::default());
    let walk = (0..50u64).map(|i| {
        let id = (i * 7_919 + 13) % 100_000;
        get(
            i as f64 * 0.5,
            "203.0.113.8",
            &format!("/api/v1/users/{id}"),
            if i % 2 == 0 { 404 } else { 403 },
        )
    });
    let alerts = run(&mut d, walk);
    assert_eq!(alerts.len(), 1);
    assert!(alerts[0].figures["miss_share"] > 0.9);
    assert!(alerts[0].figures["sequential_share"] < 0.1);
}

#[test]
fn users_behind_one_nat_reading_their_own_profiles_are_not_one_walker() {
    let mut d = Enumeration::new(EnumerationConfig::default());
    let mut traffic = Vec::new();
    for u in 0..120u32 {
        let t = f64::from(u) * 3.0;
        let session = format!("user{u}");
        traffic.push(browser(get(t, "192.0.2.1", "/", 200), &session));
        traffic.push(browser(
            get(t + 0.5, "192.0.2.1", "/static/app.js", 200),
            &session,
        ));
        // Consecutive user ids, one each: from the address alone, a sequential walk.
        traffic.push(browser(
            get(
                t + 1.0,
                "192.0.2.1",
                &format!("/api/v1/users/{}", 5000 + u),
                200,
            ),
            &session,
        ));
    }
    assert!(run(&mut d, traffic).is_empty());
}
