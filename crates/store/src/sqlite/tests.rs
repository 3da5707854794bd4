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
