//! The behavioural simulation: determinism, the seed properties of every scenario, labels that
//! agree with the traffic, writers that ingest reads back, and the detection scorer.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;

use rampart_core::auth::{credentials, CredentialKind, SECRET_DOMAIN};
use rampart_core::{Alert, Entity, EntityKind, EventTime, Exchange, KeyedHasher, Owasp, Severity};
use rampart_sim::scenario::{
    score_detection, simulate, ActorTruth, BenignKind, Label, ScenarioConfig, ScenarioName,
    ScenarioOverride, ScenarioTruth, HOSTS,
};
use rampart_sim::{to_combined, to_otel_json, HarWriter};

fn small() -> ScenarioConfig {
    ScenarioConfig {
        seed: 7,
        benign_users: 60,
        duration: Duration::from_secs(20 * 60),
        scale: 0.25,
        // The volumetric attacks at full strength relative to the (small) benign traffic.
        overrides: [
            ScenarioName::InventoryScraping,
            ScenarioName::SneakerBotVolumetric,
        ]
        .into_iter()
        .map(|scenario| ScenarioOverride {
            scenario,
            start_offset: None,
            scale: Some(4.0),
        })
        .collect(),
        ..ScenarioConfig::default()
    }
}

struct Run {
    exchanges: Vec<Exchange>,
    truth: ScenarioTruth,
    /// Index of the actor each exchange belongs to.
    owner: Vec<usize>,
}

impl Run {
    fn of<'a>(
        &'a self,
        pred: impl Fn(&ActorTruth) -> bool + 'a,
    ) -> impl Iterator<Item = (&'a Exchange, &'a ActorTruth)> + 'a {
        self.exchanges
            .iter()
            .zip(&self.owner)
            .map(|(e, &i)| (e, &self.truth.actors[i]))
            .filter(move |(_, a)| pred(a))
    }

    fn scenario(&self, s: ScenarioName) -> Vec<&Exchange> {
        self.of(move |a| a.label.scenario() == Some(s))
            .map(|(e, _)| e)
            .collect()
    }

    fn benign(&self, kind: BenignKind) -> Vec<(&Exchange, &ActorTruth)> {
        self.of(move |a| a.label == Label::Benign { kind })
            .collect()
    }
}

fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let (exchanges, truth) = simulate(&small());
        let mut by_ip: HashMap<IpAddr, usize> = HashMap::new();
        for (i, a) in truth.actors.iter().enumerate() {
            for ip in &a.ips {
                assert!(by_ip.insert(*ip, i).is_none(), "{ip} belongs to two actors");
            }
        }
        let owner = exchanges
            .iter()
            .map(|e| by_ip[&e.client.expect("every exchange has a client")])
            .collect();
        Run {
            exchanges,
            truth,
            owner,
        }
    })
}

fn cookie_pairs(e: &Exchange) -> usize {
    e.request_headers
        .get("cookie")
        .map_or(0, |c| c.split(';').filter(|p| p.contains('=')).count())
}

fn chrome_major(ua: &str) -> Option<u32> {
    ua.split("Chrome/").nth(1)?.split('.').next()?.parse().ok()
}

fn body(e: &Exchange) -> String {
    e.request_body
        .as_ref()
        .map(|b| String::from_utf8_lossy(&b.bytes).into_owned())
        .unwrap_or_default()
}

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

fn read_back(name: &str, bytes: Vec<u8>) -> Vec<Exchange> {
    let mut src = rampart_ingest::open_reader(
        name,
        Box::new(std::io::Cursor::new(bytes)),
        None,
        &rampart_ingest::IngestOptions::default(),
    )
    .unwrap();
    let mut out = Vec::new();
    while let Some(r) = src.next() {
        out.push(r.unwrap_or_else(|e| panic!("{name}: {e}")));
    }
    out
}

#[test]
fn written_traffic_reads_back_through_ingest() {
    let r = run();
    // A slice with bodies, cookies, IPv6 clients and probes.
    let mut sample: Vec<&Exchange> = r.exchanges.iter().step_by(7).take(400).collect();
    sample.extend(r.scenario(ScenarioName::ExploitProbes).into_iter().take(40));
    sample.sort_by_key(|e| e.time);

    let mut otel = Vec::new();
    let mut combined = Vec::new();
    let mut har = HarWriter::new(Vec::new()).unwrap();
    for e in &sample {
        otel.extend(to_otel_json(e).bytes());
        otel.push(b'\n');
        combined.extend(to_combined(e).bytes());
        combined.push(b'\n');
        har.write(e).unwrap();
    }
    let har = har.finish().unwrap();

    let from_otel = read_back("sample.jsonl", otel);
    let from_har = read_back("sample.har", har);
    let from_combined = read_back("sample.log", combined);
    for back in [&from_otel, &from_har, &from_combined] {
        assert_eq!(back.len(), sample.len());
    }
    for (i, e) in sample.iter().enumerate() {
        for back in [&from_otel[i], &from_har[i], &from_combined[i]] {
            assert_eq!(back.method, e.method);
            assert_eq!(back.path, e.path);
            assert_eq!(back.query, e.query);
            assert_eq!(back.status, e.status);
            assert_eq!(
                back.time.as_unix_millis() / 1000,
                e.time.as_unix_millis() / 1000
            );
        }
        assert_eq!(from_otel[i].client, e.client);
        assert_eq!(from_combined[i].client, e.client);
        for back in [&from_otel[i], &from_har[i]] {
            assert_eq!(back.time, e.time);
            assert_eq!(back.host, e.host);
            assert_eq!(
                back.request_headers.get("cookie"),
                e.request_headers.get("cookie")
            );
            assert_eq!(
                back.request_headers.get("authorization"),
                e.request_headers.get("authorization")
            );
            assert_eq!(back.user_agent(), e.user_agent());
            assert_eq!(
                back.response_body.as_ref().map(|b| &b.bytes),
                e.response_body.as_ref().map(|b| &b.bytes)
            );
            assert_eq!(
                back.request_body.as_ref().map(|b| &b.bytes),
                e.request_body.as_ref().map(|b| &b.bytes)
            );
        }
    }
}

fn alert(
    detector: &str,
    severity: Severity,
    entity: Entity,
    members: Vec<Entity>,
    raised: EventTime,
) -> Alert {
    Alert {
        id: format!("{detector}-{}", entity.value),
        detector: detector.into(),
        owasp: Owasp::Api4UnrestrictedResourceConsumption,
        severity,
        entity,
        actor: None,
        endpoint: None,
        first_seen: raised,
        raised,
        last_seen: raised,
        requests: 1,
        evidence: String::new(),
        figures: BTreeMap::new(),
        members,
        members_dropped: 0,
    }
}

#[test]
fn scorer_counts_recall_time_to_alert_and_benign_actors_once() {
    let r = run();
    let truth = &r.truth;
    let hasher = KeyedHasher::new([5; 32]);
    let actor = |id: &str| truth.actors.iter().find(|a| a.id == id).unwrap();
    let bola = actor("bola_enumeration");
    let swap = actor("sim_swap_enumeration");
    let flood = actor("credential_stuffing/flood");
    let nat = actor("nat-globex");
    let browser = truth
        .actors
        .iter()
        .find(|a| {
            a.label
                == Label::Benign {
                    kind: BenignKind::Browser,
                }
        })
        .unwrap();
    let at = |a: &ActorTruth, ms: i64| EventTime::from_unix_millis(a.start.as_unix_millis() + ms);
    let session = |v: &str| {
        Entity::new(
            EntityKind::Session,
            hasher.tag(SECRET_DOMAIN, v.as_bytes()).to_string(),
        )
    };

    let half: Vec<Entity> = swap
        .ips
        .iter()
        .take(swap.ips.len() / 2)
        .map(|ip| Entity::ip(*ip))
        .collect();
    // Full recall of BOLA: one alert per address, the first 5 s in.
    let mut alerts: Vec<Alert> = bola
        .ips
        .iter()
        .enumerate()
        .map(|(k, ip)| {
            let raised = at(bola, 5_000 + 4_000 * k as i64);
            alert(
                "enumeration",
                Severity::High,
                Entity::ip(*ip),
                vec![],
                raised,
            )
        })
        .collect();
    let n_bola = alerts.len();
    alerts.extend([
        // Half of the SIM-swap pool, through a campaign alert's members.
        alert(
            "timing",
            Severity::Medium,
            Entity::new(EntityKind::Fingerprint, "ab"),
            half,
            at(swap, 60_000),
        ),
        // One stuffing session, by its keyed hash.
        alert(
            "credential_stuffing",
            Severity::High,
            session(&flood.sessions[0]),
            vec![],
            at(flood, 1_000),
        ),
        // Benign false positives: the NAT address twice, a browser's session once.
        alert(
            "volume",
            Severity::Low,
            Entity::ip(nat.ips[0]),
            vec![],
            at(nat, 0),
        ),
        alert(
            "sessions_per_ip",
            Severity::Medium,
            Entity::ip(nat.ips[0]),
            vec![],
            at(nat, 0),
        ),
        alert(
            "login_failures",
            Severity::Low,
            session(&browser.sessions[0]),
            vec![],
            at(browser, 0),
        ),
    ]);
    // Below Low: ignored.
    alerts.push(alert(
        "outdated_browser",
        Severity::Info,
        Entity::ip(actor("brute_force").ips[0]),
        vec![],
        at(bola, 0),
    ));

    let s = score_detection(&alerts, truth, &hasher);
    assert_eq!(s.alerts, n_bola + 6);
    assert_eq!(s.alerts_scored, n_bola + 5);
    let get = |n: ScenarioName| s.scenarios.iter().find(|x| x.scenario == n).unwrap();

    let b = get(ScenarioName::BolaEnumeration);
    assert!(b.detected);
    assert_eq!((b.ips_named, b.ips), (n_bola, n_bola));
    assert_eq!(b.ip_recall, 1.0);
    assert_eq!(b.time_to_first_alert_ms, Some(5_000));
    assert_eq!(b.detectors, vec!["enumeration"]);
    assert_eq!(b.session_recall, None);

    let w = get(ScenarioName::SimSwapEnumeration);
    assert_eq!(w.ips_named, swap.ips.len() / 2);
    assert!((w.ip_recall - 0.5).abs() < 0.01);
    assert_eq!(w.time_to_first_alert_ms, Some(60_000));

    let c = get(ScenarioName::CredentialStuffing);
    assert_eq!(c.sessions_named, 1);
    assert!(c.detected && c.ips_named == 0);
    assert!(c
        .actors
        .iter()
        .any(|a| a.actor == "credential_stuffing/flood" && a.detected));
    assert!(c
        .actors
        .iter()
        .any(|a| a.actor == "credential_stuffing/low_and_slow" && !a.detected));

    let bf = get(ScenarioName::BruteForce);
    assert!(!bf.detected && bf.time_to_first_alert_ms.is_none());

    assert_eq!(s.benign.flagged, 2);
    assert_eq!(
        s.benign.actors,
        truth
            .actors
            .iter()
            .filter(|a| a.label.scenario().is_none())
            .count()
    );
    assert!((s.benign.false_positive_rate - 2.0 / s.benign.actors as f64).abs() < 1e-12);
    let nat_flag = s
        .benign
        .flagged_actors
        .iter()
        .find(|f| f.actor == "nat-globex")
        .unwrap();
    assert_eq!(nat_flag.detectors, vec!["sessions_per_ip", "volume"]);
    assert_eq!(nat_flag.alerts, 2);
    let nat_kind = s
        .benign
        .kinds
        .iter()
        .find(|k| k.kind == BenignKind::Nat)
        .unwrap();
    assert_eq!((nat_kind.actors, nat_kind.flagged), (1, 1));

    let md = s.to_markdown(10);
    assert!(md.contains("| scenario | detected |"));
    assert!(md.contains(&format!(
        "| bola_enumeration | yes | {n_bola}/{n_bola} | 100.0 % |"
    )));
    assert!(md.contains("nat-globex"));

    let none = score_detection(&[], truth, &hasher);
    assert!(none.scenarios.iter().all(|x| !x.detected));
    assert_eq!(none.benign.flagged, 0);
}
