use super::*;

fn endpoint(template: &str, hits: u64) -> EndpointRecord {
    EndpointRecord {
        host: "api.example.com".into(),
        method: "GET".into(),
        template: template.into(),
        hits,
        first_seen_ms: 1,
        last_seen_ms: 2,
        documented: false,
        facts: "{}".into(),
        explanation: "[]".into(),
    }
}

fn run(records: u64) -> RunRecord {
    RunRecord {
        inputs: vec!["access.log".into()],
        records,
        bad_records: 1,
        first_event_ms: 1,
        last_event_ms: 2,
        endpoints: 2,
    }
}

#[test]
fn saves_and_reloads_the_inventory_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    {
        let mut store = SqliteStore::open(&path).unwrap();
        store
            .save_inventory(
                &[endpoint("/users/{id}", 5), endpoint("/users/me", 1)],
                &run(6),
            )
            .unwrap();
    }
    let mut store = SqliteStore::open(&path).unwrap();
    let eps = store.endpoints().unwrap();
    assert_eq!(eps.len(), 2);
    assert_eq!(eps[0].template, "/users/me");
    assert_eq!(eps[1].hits, 5);
    store
        .save_inventory(&[endpoint("/users/{id}", 9)], &run(3))
        .unwrap();
    assert_eq!(store.endpoints().unwrap().len(), 1);
    let runs = store.runs(10).unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].records, 3, "newest first");
}

#[test]
fn a_failed_write_leaves_the_previous_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let mut store = SqliteStore::open(&path).unwrap();
    store.save_inventory(&[endpoint("/a", 1)], &run(1)).unwrap();
    // Two rows with the same primary key make the transaction fail half-way.
    let dup = [endpoint("/b", 1), endpoint("/b", 2)];
    assert!(store.save_inventory(&dup, &run(2)).is_err());
    let eps = store.endpoints().unwrap();
    assert_eq!(eps.len(), 1);
    assert_eq!(eps[0].template, "/a");
    assert_eq!(store.runs(10).unwrap().len(), 1);
}

#[test]
fn refuses_a_database_from_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(err.to_string().contains("schema version 99"), "{err}");
}

#[test]
fn opening_garbage_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("not.db");
    std::fs::write(
        &path,
        b"this is not a sqlite database, just text that is long enough",
    )
    .unwrap();
    assert!(SqliteStore::open(&path).is_err());
}

fn alert(
    id: &str,
    detector: &str,
    severity: rampart_core::Severity,
    raised_ms: i64,
) -> rampart_core::Alert {
    use rampart_core::{Alert, Entity, EntityKind, EventTime, Owasp};
    Alert {
        id: id.into(),
        detector: detector.into(),
        owasp: Owasp::Api1BrokenObjectLevelAuthorization,
        severity,
        entity: Entity::new(EntityKind::Ip, "203.0.113.7"),
        actor: Some("actor-1".into()),
        endpoint: Some("GET api/users/{}".into()),
        first_seen: EventTime::from_unix_millis(raised_ms - 10),
        raised: EventTime::from_unix_millis(raised_ms),
        last_seen: EventTime::from_unix_millis(raised_ms + 10),
        requests: 5,
        evidence: "5 ids".into(),
        figures: [("distinct_ids".to_string(), 5.0)].into_iter().collect(),
        members: vec![Entity::new(EntityKind::Session, "ab")],
        members_dropped: 0,
    }
}

#[test]
fn alerts_round_trip_are_replaced_by_id_and_filtered() {
    use rampart_core::Severity;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let mut store = SqliteStore::open(&path).unwrap();
    let a = alert("a1", "enumeration", Severity::High, 1_000);
    store
        .save_alerts(&[a.clone(), alert("a2", "timing", Severity::Info, 2_000)])
        .unwrap();
    // The episode grew: same id, more requests.
    let mut grown = a.clone();
    grown.requests = 50;
    store.save_alerts(&[grown.clone()]).unwrap();
    drop(store);
    let store = SqliteStore::open(&path).unwrap();
    let all = store.alerts(&AlertQuery::default()).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id, "a2", "newest raised first");
    assert_eq!(all[1], grown);
    let high = store
        .alerts(&AlertQuery {
            min_severity: Some(Severity::Medium),
            ..AlertQuery::default()
        })
        .unwrap();
    assert_eq!(high.len(), 1);
    let timing = store
        .alerts(&AlertQuery {
            detector: Some("timing".into()),
            limit: 1,
            ..AlertQuery::default()
        })
        .unwrap();
    assert_eq!(timing[0].id, "a2");
}

fn decision(ip: &str, created_ms: i64, ttl_s: Option<u64>) -> rampart_defend::Decision {
    use rampart_defend::{Action, Decision, Scope};
    Decision::manual(
        Action::Block {
            status: 403,
            body: "denied".into(),
        },
        Scope::Ip(ip.parse().unwrap()),
        "abuse report 42",
        EventTime::from_unix_millis(created_ms),
        ttl_s.map(std::time::Duration::from_secs),
    )
}

#[test]
fn decisions_round_trip_through_a_reopen() {
    use rampart_defend::{Action, Decision, Origin, Scope};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let block = decision("192.0.2.1", 1_000, Some(3600));
    let mut from_rule = Decision::manual(
        Action::Tarpit { delay_ms: 2000 },
        Scope::Prefix("203.0.113.0/24".parse().unwrap()),
        "enumeration high on ip:203.0.113.7",
        EventTime::from_unix_millis(2_000),
        None,
    );
    from_rule.origin = Origin::Rule("slow-enumerators".into());
    {
        let mut store = SqliteStore::open(&path).unwrap();
        store
            .save_decisions(&[block.clone(), from_rule.clone()])
            .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let all = store.decisions(None).unwrap();
    assert_eq!(all, vec![from_rule.clone(), block], "newest made first");
    let (kind, value, origin, expires): (String, String, String, Option<i64>) = store
        .conn
        .query_row(
            "SELECT scope_kind, scope_value, origin, expires_ms FROM decisions WHERE id = ?1",
            [&from_rule.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (kind.as_str(), value.as_str(), origin.as_str(), expires),
        ("prefix", "203.0.113.0/24", "rule:slow-enumerators", None)
    );
}

#[test]
fn manual_decisions_leaves_out_those_made_by_rules_and_detectors_and_expired_ones() {
    use rampart_defend::Origin;
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("r.db")).unwrap();
    let by_hand = decision("192.0.2.1", 1_000, Some(3600));
    let expired = decision("192.0.2.2", 500, Some(1));
    let mut by_rule = decision("192.0.2.3", 2_000, Some(3600));
    by_rule.id = "rule-made".into();
    by_rule.origin = Origin::Rule("block-stuffers".into());
    let mut by_detector = decision("192.0.2.4", 3_000, None);
    by_detector.id = "detector-made".into();
    by_detector.origin = Origin::Detector("enumeration".into());
    store
        .save_decisions(&[by_hand.clone(), expired.clone(), by_rule, by_detector])
        .unwrap();
    let now = EventTime::from_unix_millis(10_000);
    assert_eq!(
        store.manual_decisions(Some(now)).unwrap(),
        vec![by_hand.clone()]
    );
    assert_eq!(
        store.manual_decisions(None).unwrap(),
        vec![by_hand, expired],
        "without a time, expired ones too"
    );
    assert_eq!(store.decisions(Some(now)).unwrap().len(), 3);
}

#[test]
fn saving_a_decision_again_replaces_it_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("r.db")).unwrap();
    let d = decision("192.0.2.1", 1_000, Some(60));
    store.save_decisions(std::slice::from_ref(&d)).unwrap();
    let mut refreshed = d.clone();
    refreshed.expires = Some(EventTime::from_unix_millis(1_000_000));
    refreshed.reason = "seen again".into();
    store.save_decisions(&[refreshed.clone()]).unwrap();
    assert_eq!(store.decisions(None).unwrap(), vec![refreshed]);
    assert!(store.remove_decision(&d.id).unwrap());
    assert!(!store.remove_decision(&d.id).unwrap(), "already gone");
    assert!(store.decisions(None).unwrap().is_empty());
}

#[test]
fn only_unexpired_decisions_are_active_and_expired_ones_can_be_purged() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("r.db")).unwrap();
    let short = decision("192.0.2.1", 0, Some(10)); // expires at 10 s
    let long = decision("192.0.2.2", 0, Some(100)); // expires at 100 s
    let forever = decision("192.0.2.3", 0, None);
    store
        .save_decisions(&[short.clone(), long.clone(), forever.clone()])
        .unwrap();
    let ids = |ds: Vec<rampart_defend::Decision>| {
        let mut ids: Vec<String> = ds.into_iter().map(|d| d.id).collect();
        ids.sort();
        ids
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(store.decisions(None).unwrap().len(), 3);
    assert_eq!(
        ids(store
            .decisions(Some(EventTime::from_unix_millis(9_999)))
            .unwrap()),
        sorted(vec![short.id.clone(), long.id.clone(), forever.id.clone()])
    );
    // Expiry is exclusive, as `Decision::is_active` says.
    assert_eq!(
        ids(store
            .decisions(Some(EventTime::from_unix_millis(10_000)))
            .unwrap()),
        sorted(vec![long.id.clone(), forever.id.clone()])
    );
    assert_eq!(
        ids(store
            .decisions(Some(EventTime::from_unix_millis(500_000)))
            .unwrap()),
        vec![forever.id.clone()]
    );
    assert_eq!(
        store
            .remove_expired(EventTime::from_unix_millis(10_000))
            .unwrap(),
        1
    );
    assert_eq!(
        ids(store.decisions(None).unwrap()),
        sorted(vec![long.id, forever.id])
    );
    assert_eq!(
        store
            .remove_expired(EventTime::from_unix_millis(10_000))
            .unwrap(),
        0
    );
}

#[test]
fn a_database_of_the_previous_schema_is_migrated_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        // A database as the previous release left it: schema version 2, with data.
        let mut conn = Connection::open(&path).unwrap();
        migrations::apply_to(&mut conn, &path, 2).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 2);
        let has_decisions: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'decisions'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(has_decisions, 0);
        let mut old = SqliteStore {
            conn,
            path: path.clone(),
        };
        old.save_inventory(&[endpoint("/users/{id}", 5)], &run(5))
            .unwrap();
        old.save_alerts(&[alert(
            "a1",
            "enumeration",
            rampart_core::Severity::High,
            1_000,
        )])
        .unwrap();
    }
    let mut store = SqliteStore::open(&path).unwrap();
    let version: i64 = store
        .conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 4, "migrated to the newest schema");
    assert_eq!(store.endpoints().unwrap().len(), 1);
    assert_eq!(store.alerts(&AlertQuery::default()).unwrap()[0].id, "a1");
    let d = decision("192.0.2.9", 5, Some(1));
    store.save_decisions(std::slice::from_ref(&d)).unwrap();
    assert_eq!(store.decisions(None).unwrap(), vec![d]);
    drop(store);
    // Opening again applies nothing more.
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.decisions(None).unwrap().len(), 1);
}

fn finding(
    id: &str,
    target: &str,
    severity: rampart_core::Severity,
    seen_ms: i64,
) -> FindingRecord {
    FindingRecord {
        id: id.into(),
        kind: "exposed_file".into(),
        severity,
        target: target.into(),
        title: format!("finding {id}"),
        first_seen_ms: seen_ms,
        last_seen_ms: seen_ms,
        body: format!("{{\"id\":\"{id}\"}}"),
    }
}

fn scan_record(key: &str, at_ms: i64, findings: u64) -> ScanRecord {
    ScanRecord {
        id: 0,
        targets_key: key.into(),
        targets: vec!["127.0.0.1".into()],
        started_ms: at_ms,
        finished_ms: at_ms + 10,
        services: 2,
        findings,
    }
}

#[test]
fn scans_keep_first_sightings_and_say_what_each_saw() {
    use rampart_core::Severity;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let mut store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.last_scan("k").unwrap(), None);
    let first = store
        .save_scan(
            &scan_record("k", 1_000, 2),
            &[
                finding("a", "127.0.0.1:80", Severity::High, 1_000),
                finding("b", "127.0.0.1:80", Severity::Low, 1_000),
            ],
        )
        .unwrap();
    let second = store
        .save_scan(
            &scan_record("k", 2_000, 2),
            &[
                finding("a", "127.0.0.1:80", Severity::Critical, 2_000),
                finding("c", "127.0.0.1:443", Severity::Medium, 2_000),
            ],
        )
        .unwrap();
    store
        .save_scan(&scan_record("other", 3_000, 0), &[])
        .unwrap();
    assert!(second > first);
    drop(store);
    let store = SqliteStore::open(&path).unwrap();
    let last = store.last_scan("k").unwrap().unwrap();
    assert_eq!(
        (last.id, last.started_ms, last.services),
        (second, 2_000, 2)
    );
    assert_eq!(last.targets, vec!["127.0.0.1".to_owned()]);
    let ids = |v: Vec<FindingRecord>| v.into_iter().map(|f| f.id).collect::<Vec<_>>();
    assert_eq!(ids(store.scan_findings(first).unwrap()), vec!["a", "b"]);
    // By target (text order: ":443" before ":80"), then severity.
    assert_eq!(ids(store.scan_findings(second).unwrap()), vec!["c", "a"]);
    let all = store.findings(&FindingQuery::default()).unwrap();
    assert_eq!(ids(all.clone()), vec!["a", "c", "b"], "worst first");
    let a = &all[0];
    assert_eq!((a.first_seen_ms, a.last_seen_ms), (1_000, 2_000));
    assert_eq!(
        a.severity,
        Severity::Critical,
        "the newest sighting's severity"
    );
    let only = store
        .findings(&FindingQuery {
            target: Some("127.0.0.1:443".into()),
            ..FindingQuery::default()
        })
        .unwrap();
    assert_eq!(ids(only), vec!["c"]);
    let high = store
        .findings(&FindingQuery {
            min_severity: Some(Severity::High),
            limit: 5,
            ..FindingQuery::default()
        })
        .unwrap();
    assert_eq!(ids(high), vec!["a"]);
}

#[test]
fn a_failed_scan_write_leaves_nothing_half_written() {
    use rampart_core::Severity;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let mut store = SqliteStore::open(&path).unwrap();
    let bad = finding("x", "h:80", Severity::Low, 1);
    // A trigger refusing the second finding fails the transaction half-way.
    store.conn.execute_batch("CREATE TRIGGER no_x BEFORE INSERT ON findings WHEN new.id = 'x' BEGIN SELECT RAISE(ABORT, 'no'); END;").unwrap();
    let r = store.save_scan(
        &scan_record("k", 1, 2),
        &[finding("ok", "h:80", Severity::Low, 1), bad],
    );
    assert!(r.is_err());
    assert_eq!(store.last_scan("k").unwrap(), None);
    assert!(store.findings(&FindingQuery::default()).unwrap().is_empty());
}

#[test]
fn a_version_3_database_gains_the_scan_tables_and_keeps_its_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        migrations::apply_to(&mut conn, &path, 3).unwrap();
        let mut old = SqliteStore {
            conn,
            path: path.clone(),
        };
        old.save_decisions(&[decision("192.0.2.9", 5, None)])
            .unwrap();
    }
    let mut store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.decisions(None).unwrap().len(), 1);
    store
        .save_scan(
            &scan_record("k", 1, 1),
            &[finding("a", "h:80", rampart_core::Severity::Low, 1)],
        )
        .unwrap();
    assert_eq!(store.findings(&FindingQuery::default()).unwrap().len(), 1);
}
