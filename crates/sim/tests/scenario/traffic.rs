//! The traffic as a whole: determinism, order, labels, sessions, benign shapes.

use super::*;

#[test]
fn same_seed_same_traffic_and_benign_traffic_ignores_attacks() {
    let r = run();
    let (again, truth) = simulate(&small());
    assert_eq!(truth, r.truth);
    assert!(again == r.exchanges);
    let other = simulate(&ScenarioConfig { seed: 8, ..small() });
    assert!(other.0 != r.exchanges);

    let (quiet, quiet_truth) = simulate(&ScenarioConfig {
        scenarios: Vec::new(),
        ..small()
    });
    let benign: Vec<&ActorTruth> = r
        .truth
        .actors
        .iter()
        .filter(|a| a.label.scenario().is_none())
        .collect();
    assert_eq!(benign.len(), quiet_truth.actors.len());
    for (a, b) in benign.iter().zip(&quiet_truth.actors) {
        assert_eq!(*a, b);
    }
    let benign_exchanges: Vec<&Exchange> = r
        .of(|a| a.label.scenario().is_none())
        .map(|(e, _)| e)
        .collect();
    assert_eq!(benign_exchanges.len(), quiet.len());
    assert!(benign_exchanges.iter().zip(&quiet).all(|(a, b)| *a == b));
}

#[test]
fn exchanges_are_ordered_labelled_and_bounded() {
    let r = run();
    assert!(!r.exchanges.is_empty());
    assert_eq!(r.truth.exchanges as usize, r.exchanges.len());
    assert_eq!(r.truth.dropped, 0);
    assert!(r.exchanges.windows(2).all(|w| w[0].time <= w[1].time));
    let mut counts: HashMap<usize, u64> = HashMap::new();
    for (e, &i) in r.exchanges.iter().zip(&r.owner) {
        let a = &r.truth.actors[i];
        *counts.entry(i).or_default() += 1;
        assert!(
            e.time >= a.start && e.time <= a.end,
            "{} outside {}",
            e.time,
            a.id
        );
        assert!(e.time >= r.truth.start && e.time < r.truth.end);
        assert!(HOSTS.contains(&e.host.as_deref().unwrap()));
        assert!(e.status.is_some() && e.duration_ms.is_some() && e.response_size.is_some());
        assert!(e.user_agent().is_some(), "{}", a.id);
    }
    for (i, a) in r.truth.actors.iter().enumerate() {
        assert_eq!(counts.get(&i).copied().unwrap_or(0), a.requests, "{}", a.id);
    }
    // Every kind and every scenario is there, and ids are unique.
    let kinds: HashSet<String> = r.truth.actors.iter().map(|a| a.label.name()).collect();
    for k in BenignKind::ALL {
        assert!(kinds.contains(&format!("benign/{}", k.name())), "{k:?}");
    }
    for s in ScenarioName::ALL {
        let run = r.truth.scenario(s).unwrap();
        assert!(run.requests > 0 && run.start < run.end, "{s}");
    }
    let ids: HashSet<&str> = r.truth.actors.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids.len(), r.truth.actors.len());
}

#[test]
fn sessions_in_the_truth_are_the_sessions_rampart_sees() {
    let r = run();
    let hasher = KeyedHasher::new([3; 32]);
    let hashed: Vec<HashSet<String>> = r
        .truth
        .actors
        .iter()
        .map(|a| {
            a.sessions
                .iter()
                .map(|s| hasher.tag(SECRET_DOMAIN, s.as_bytes()).to_string())
                .collect()
        })
        .collect();
    for (e, &i) in r.exchanges.iter().zip(&r.owner).step_by(3) {
        let creds = credentials(e, &hasher);
        assert!(
            creds
                .iter()
                .filter(|c| c.kind == CredentialKind::SessionCookie)
                .count()
                <= 1
        );
        for c in creds {
            assert!(
                hashed[i].contains(&c.secret.to_string()),
                "{} {:?}",
                r.truth.actors[i].id,
                c.location
            );
        }
    }
}

#[test]
fn truth_serialises_with_readable_labels() {
    let r = run();
    let json = serde_json::to_string(&r.truth).unwrap();
    assert!(json.contains(r#""label":"benign","kind":"browser""#));
    assert!(json.contains(r#""label":"attack","scenario":"credential_stuffing""#));
    let back: ScenarioTruth = serde_json::from_str(&json).unwrap();
    let again = serde_json::to_string(&back).unwrap();
    if let Some(at) = again.bytes().zip(json.bytes()).position(|(a, b)| a != b) {
        panic!(
            "differs at {at}: {}",
            &json[at.saturating_sub(80)..(at + 80).min(json.len())]
        );
    }
    assert!(again == json);
    assert!(r
        .truth
        .networks
        .iter()
        .any(|n| n.kind == "bulletproof_proxy"));
}

#[test]
fn browsers_carry_many_cookies_modern_agents_and_think_like_people() {
    let r = run();
    let browsers = r.benign(BenignKind::Browser);
    assert!(browsers.len() > 500);
    let mut docs: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (e, a) in &browsers {
        let n = cookie_pairs(e);
        assert!((20..=50).contains(&n), "{n} cookies");
        assert!(e.request_headers.get("cookie").unwrap().contains("sid="));
        assert!(e.request_headers.get("accept-language").is_some());
        let ua = e.user_agent().unwrap();
        if let Some(v) = chrome_major(ua) {
            assert!(v >= 140, "{ua}");
        }
        if e.request_headers.get("sec-fetch-dest") == Some("document") {
            docs.entry(a.id.as_str())
                .or_default()
                .push(e.time.as_unix_millis());
        }
    }
    let mut gaps: Vec<i64> = docs
        .values()
        .flat_map(|t| t.windows(2).map(|w| w[1] - w[0]))
        .collect();
    gaps.sort_unstable();
    assert!(
        gaps[gaps.len() / 2] > 5_000,
        "median page gap {} ms",
        gaps[gaps.len() / 2]
    );
    // Pages come before the APIs they call: the first request of every browser is a page.
    for times in docs.values() {
        assert!(!times.is_empty());
    }
    let logins: Vec<u16> = browsers
        .iter()
        .filter(|(e, _)| e.path == "/api/v1/auth/login")
        .map(|(e, _)| e.status.unwrap())
        .collect();
    assert!(logins.iter().filter(|&&s| s == 200).count() > 10);
    let failed: Vec<&&Exchange> = browsers
        .iter()
        .map(|(e, _)| e)
        .filter(|e| e.path == "/api/v1/auth/login" && e.status == Some(401))
        .collect();
    assert!(!failed.is_empty());
    let b = failed[0].response_body.as_ref().unwrap();
    assert_eq!(b.bytes, br#"{"error":"invalid credentials"}"#);
    assert!(body(failed[0]).contains("\"username\""));
    let profile = browsers
        .iter()
        .find(|(e, _)| {
            e.path.starts_with("/api/v1/users/")
                && e.status == Some(200)
                && !e.path.ends_with("orders")
        })
        .expect("a profile read");
    let text =
        String::from_utf8_lossy(&profile.0.response_body.as_ref().unwrap().bytes).into_owned();
    assert!(text.contains("\"email\"") && text.contains("\"phone\""));
}

#[test]
fn look_alikes_have_their_shapes() {
    let r = run();
    // One NAT address, many people.
    let nat = r.benign(BenignKind::Nat);
    let ips: HashSet<IpAddr> = nat.iter().map(|(e, _)| e.client.unwrap()).collect();
    assert_eq!(ips.len(), 1);
    let agents: HashSet<&str> = nat.iter().map(|(e, _)| e.user_agent().unwrap()).collect();
    assert!(agents.len() >= 3);
    assert!(nat[0].1.sessions.len() >= 9);

    // Monitors: exactly 60 s apart.
    let mut by: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (e, a) in r.benign(BenignKind::Monitor) {
        by.entry(a.id.as_str())
            .or_default()
            .push(e.time.as_unix_millis());
    }
    assert_eq!(by.len(), 3);
    for t in by.values() {
        assert!(t.len() >= 19);
        assert!(t.windows(2).all(|w| w[1] - w[0] == 60_000));
    }

    for (e, _) in r.benign(BenignKind::Crawler) {
        let ua = e.user_agent().unwrap();
        assert!(ua.contains("Googlebot") || ua.contains("bingbot"), "{ua}");
        assert_eq!(cookie_pairs(e), 0);
    }

    for (e, _) in r.benign(BenignKind::MobileApp) {
        let ua = e.user_agent().unwrap();
        assert!(
            ua.starts_with("AcmeApp/") || ua.starts_with("okhttp/"),
            "{ua}"
        );
        assert!(cookie_pairs(e) <= 2);
        if e.path != "/api/v1/auth/login" {
            assert!(e
                .request_headers
                .get("authorization")
                .unwrap()
                .starts_with("Bearer ey"));
        }
    }
    assert!(r
        .benign(BenignKind::MobileApp)
        .iter()
        .any(|(e, _)| e.user_agent() == Some("AcmeApp/6.2.0 (iPhone; iOS 18.1)")));

    let partner = r.benign(BenignKind::Partner);
    assert!(partner.len() > 50);
    assert!(partner
        .iter()
        .all(|(e, _)| e.path.starts_with("/partner/v1/")
            && e.request_headers.get("x-api-key").is_some()));

    // Typo users: three failures, then in.
    let mut logins: BTreeMap<&str, Vec<u16>> = BTreeMap::new();
    for (e, a) in r.benign(BenignKind::TypoUser) {
        if e.path == "/api/v1/auth/login" {
            logins
                .entry(a.id.as_str())
                .or_default()
                .push(e.status.unwrap());
        }
    }
    assert!(!logins.is_empty());
    for s in logins.values() {
        assert_eq!(s, &vec![401, 401, 401, 200]);
    }
}
