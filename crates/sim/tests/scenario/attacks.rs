//! Each attack scenario has the properties of its seed incident.

use super::*;

#[test]
fn bola_walks_sequential_ids_on_the_test_api() {
    let r = run();
    let ex = r.scenario(ScenarioName::BolaEnumeration);
    let walk: Vec<&&Exchange> = ex
        .iter()
        .filter(|e| e.user_agent().unwrap().starts_with("python-requests"))
        .collect();
    assert!(walk.len() > 100);
    let ids: Vec<u64> = walk
        .iter()
        .map(|e| e.path.rsplit('/').next().unwrap().parse().unwrap())
        .collect();
    // Every id once, in one unbroken run.
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len());
    assert_eq!(sorted[sorted.len() - 1] - sorted[0] + 1, ids.len() as u64);
    let ips: HashSet<IpAddr> = ex.iter().map(|e| e.client.unwrap()).collect();
    assert!((2..=3).contains(&ips.len()));
    let found = walk.iter().filter(|e| e.status == Some(200)).count();
    let missing = walk.iter().filter(|e| e.status == Some(404)).count();
    assert!(
        found > walk.len() / 3 && missing > walk.len() / 5,
        "{found} {missing}"
    );
    let leaked = walk.iter().find(|e| e.status == Some(200)).unwrap();
    let text = String::from_utf8_lossy(&leaked.response_body.as_ref().unwrap().bytes).into_owned();
    assert!(text.contains("\"email\"") && text.contains("\"phone\""));
    assert!(walk.iter().all(|e| e.path.starts_with("/test/api/users/")
        && e.request_headers.get("authorization").is_none()));
}

#[test]
fn sim_swap_is_too_regular_and_asks_from_hundreds_of_addresses() {
    let r = run();
    let ex = r.scenario(ScenarioName::SimSwapEnumeration);
    let mut per_number: HashMap<&str, HashSet<IpAddr>> = HashMap::new();
    for e in &ex {
        assert!(e.path.starts_with("/api/v1/numbers/+1") && e.path.ends_with("/portability"));
        let n = e.path.split('/').nth(4).unwrap();
        per_number.entry(n).or_default().insert(e.client.unwrap());
    }
    let mut sizes: Vec<usize> = per_number.values().map(HashSet::len).collect();
    sizes.sort_unstable();
    // Every number but the one the window cut short was asked from 200+ addresses.
    assert!(sizes.len() >= 2);
    assert!(sizes[1..].iter().all(|&n| n >= 200), "{sizes:?}");
    // One worker at this scale: one request every 2,000 ms exactly, each from a new address
    // until the pool wraps.
    let times: Vec<i64> = ex.iter().map(|e| e.time.as_unix_millis()).collect();
    assert!(times.windows(2).all(|w| w[1] - w[0] == 2_000));
    let ips: HashSet<IpAddr> = ex.iter().map(|e| e.client.unwrap()).collect();
    assert_eq!(ips.len(), ex.len().min(600));
    let prefixes16: HashSet<[u8; 2]> = ips
        .iter()
        .map(|ip| match ip {
            IpAddr::V4(v) => [v.octets()[0], v.octets()[1]],
            IpAddr::V6(_) => panic!("v4 proxies"),
        })
        .collect();
    assert!(prefixes16.len() <= 9, "{prefixes16:?}");
}

#[test]
fn sim_swap_at_full_scale_rotates_thousands_of_addresses() {
    let (ex, truth) = simulate(&ScenarioConfig {
        benign_users: 5,
        scenarios: vec![ScenarioName::SimSwapEnumeration],
        ..ScenarioConfig::default()
    });
    let actor = truth
        .actors
        .iter()
        .find(|a| a.label.scenario().is_some())
        .unwrap();
    assert!(actor.ips.len() >= 2_000, "{}", actor.ips.len());
    let run = truth.scenario(ScenarioName::SimSwapEnumeration).unwrap();
    assert!(run.facts["min_ips_per_complete_number"] >= 200.0);
    // Four workers, each on its own exact two-second clock.
    let mut phases: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    let ips: HashSet<IpAddr> = actor.ips.iter().copied().collect();
    for e in ex.iter().filter(|e| ips.contains(&e.client.unwrap())) {
        let t = e.time.as_unix_millis();
        phases
            .entry((t - run.start.as_unix_millis()).rem_euclid(2_000))
            .or_default()
            .push(t);
    }
    assert_eq!(phases.len(), 4);
    for t in phases.values() {
        assert!(t.windows(2).all(|w| w[1] - w[0] == 2_000));
    }
}

#[test]
fn credential_stuffing_rotates_sessions_from_abroad_and_mostly_fails() {
    let r = run();
    let flood: Vec<&Exchange> = r
        .of(|a| a.id == "credential_stuffing/flood")
        .map(|(e, _)| e)
        .collect();
    let logins: Vec<&&Exchange> = flood
        .iter()
        .filter(|e| e.path == "/partner/v1/auth/login")
        .collect();
    assert!(logins.len() > 1_000);
    let ips: HashSet<IpAddr> = logins.iter().map(|e| e.client.unwrap()).collect();
    assert!(ips.len() >= 700);
    let sids: HashSet<&str> = logins
        .iter()
        .map(|e| e.request_headers.get("cookie").unwrap())
        .collect();
    assert_eq!(sids.len(), logins.len(), "a new session per request");
    assert!(logins.len() as f64 / ips.len() as f64 >= 2.0);
    let failed = logins.iter().filter(|e| e.status == Some(401)).count();
    assert!(failed as f64 / logins.len() as f64 > 0.95);
    for e in &logins {
        let c = e.request_headers.get("cf-ipcountry").unwrap();
        assert!(!["US", "CA", "MX", "GB"].contains(&c), "{c}");
    }
    let countries: HashSet<&str> = logins
        .iter()
        .map(|e| e.request_headers.get("cf-ipcountry").unwrap())
        .collect();
    assert!(countries.len() >= 5);

    let slow: Vec<&Exchange> = r
        .of(|a| a.id == "credential_stuffing/low_and_slow")
        .map(|(e, _)| e)
        .collect();
    let mut per_ip: HashMap<IpAddr, usize> = HashMap::new();
    for e in &slow {
        *per_ip.entry(e.client.unwrap()).or_default() += 1;
    }
    assert!(per_ip.len() >= 400);
    assert!(per_ip.values().all(|&n| n <= 2));
    assert!(slow.iter().filter(|e| e.status == Some(401)).count() * 100 > slow.len() * 95);
}

#[test]
fn brute_force_is_one_address_on_one_account() {
    let r = run();
    let ex = r.scenario(ScenarioName::BruteForce);
    let logins: Vec<&&Exchange> = ex
        .iter()
        .filter(|e| e.path == "/api/v1/auth/login")
        .collect();
    assert!(logins.len() > 30);
    let ips: HashSet<IpAddr> = ex.iter().map(|e| e.client.unwrap()).collect();
    assert_eq!(ips.len(), 1);
    let users: HashSet<String> = logins
        .iter()
        .map(|e| {
            serde_json::from_str::<serde_json::Value>(&body(e)).unwrap()["username"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(users.len(), 1);
}

#[test]
fn sneaker_launch_bursts_checkout_and_the_shadow_apple_pay_api() {
    let r = run();
    let ex = r.scenario(ScenarioName::SneakerBotVolumetric);
    let apple = ex
        .iter()
        .filter(|e| e.path == "/api/v1/payments/applepay/session")
        .count();
    let checkout = ex
        .iter()
        .filter(|e| e.path == "/api/v1/payments/checkout")
        .count();
    assert!(apple > 100 && checkout > 20, "{apple} {checkout}");
    let ips: HashSet<IpAddr> = ex.iter().map(|e| e.client.unwrap()).collect();
    assert!(ips.len() * 3 > ex.len());
    let run = r
        .truth
        .scenario(ScenarioName::SneakerBotVolumetric)
        .unwrap();
    let m = run.facts["multiple_of_normal"];
    assert!((35.0..70.0).contains(&m), "{m}");
    // A copied modern user agent: the UA alone does not give it away.
    assert!(ex
        .iter()
        .any(|e| chrome_major(e.user_agent().unwrap()).is_some_and(|v| v >= 140)));
}

#[test]
fn scraping_enumerates_with_old_chrome_one_cookie_then_pivots_to_mobile() {
    let r = run();
    let ex = r.scenario(ScenarioName::InventoryScraping);
    let (web, mobile): (Vec<&&Exchange>, Vec<&&Exchange>) = ex
        .iter()
        .partition(|e| e.host.as_deref() == Some("api.acme.example"));
    assert!(web.len() > 500 && mobile.len() > 100);
    for e in &web {
        assert_eq!(e.path, "/api/v1/inventory");
        assert!(chrome_major(e.user_agent().unwrap()).unwrap() < 80);
        assert_eq!(cookie_pairs(e), 1);
    }
    for e in &mobile {
        assert_eq!(e.path, "/mobile/v1/inventory");
        assert_eq!(cookie_pairs(e), 1);
    }
    let last_web = web.iter().map(|e| e.time).max().unwrap();
    let first_mobile = mobile.iter().map(|e| e.time).min().unwrap();
    assert!(last_web < first_mobile);
    assert!(web.iter().any(|e| e.status == Some(429)) && web.iter().any(|e| e.status == Some(403)));
    let combos: HashSet<&str> = ex.iter().map(|e| e.query.as_deref().unwrap()).collect();
    assert_eq!(combos.len(), ex.len());
    // Direct to the API: the scraper's addresses ask for nothing else.
    let ips: HashSet<IpAddr> = ex.iter().map(|e| e.client.unwrap()).collect();
    assert!(r
        .exchanges
        .iter()
        .filter(|e| ips.contains(&e.client.unwrap()))
        .all(|e| e.path.ends_with("/inventory")));
    let facts = &r
        .truth
        .scenario(ScenarioName::InventoryScraping)
        .unwrap()
        .facts;
    assert!(facts["peak_share_of_traffic"] >= 0.85, "{facts:?}");
}

#[test]
fn probes_carry_log4shell_files_and_traversal() {
    let r = run();
    let ex = r.scenario(ScenarioName::ExploitProbes);
    let everything: String = ex
        .iter()
        .map(|e| {
            let headers: Vec<String> = e
                .request_headers
                .iter()
                .map(|(n, v)| format!("{n}: {v}"))
                .collect();
            format!(
                "{} {} {} {}\n",
                e.path,
                e.query.as_deref().unwrap_or(""),
                headers.join(" "),
                body(e)
            )
        })
        .collect();
    for needle in [
        "${jndi:ldap://",
        "${${lower:j}ndi:",
        "${${::-j}${::-n}${::-d}${::-i}:",
        "%24%7Bjndi%3A",
        "/.env ",
        "/.git/config ",
        "/id_rsa ",
        "/server.key ",
        "/actuator/env ",
        "/../../etc/passwd ",
        "%2e%2e%2f",
    ] {
        assert!(everything.contains(needle), "{needle}");
    }
}

#[test]
fn overrides_move_and_scale_a_scenario() {
    let base = ScenarioConfig {
        benign_users: 5,
        duration: Duration::from_secs(600),
        scenarios: vec![ScenarioName::BruteForce],
        ..ScenarioConfig::default()
    };
    let (_, t1) = simulate(&base);
    let (_, t2) = simulate(&ScenarioConfig {
        overrides: vec![ScenarioOverride {
            scenario: ScenarioName::BruteForce,
            start_offset: Some(Duration::from_secs(60)),
            scale: Some(2.0),
        }],
        ..base.clone()
    });
    let (a, b) = (
        t1.scenario(ScenarioName::BruteForce).unwrap(),
        t2.scenario(ScenarioName::BruteForce).unwrap(),
    );
    assert_eq!(b.start.as_unix_millis() - t2.start.as_unix_millis(), 60_000);
    assert!(
        b.requests > a.requests * 3 / 2,
        "{} {}",
        a.requests,
        b.requests
    );
}
