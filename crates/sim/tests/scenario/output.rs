//! Written traffic reads back, and the scorer counts right.

use super::*;

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
