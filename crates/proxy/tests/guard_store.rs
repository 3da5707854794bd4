//! The guard and the store: decisions made by hand in another process (`rampart decisions add`
//! and `remove` on the same database) are taken up by a running guard on its next store write,
//! and those made through the guard itself are kept and stored.

use std::sync::Arc;
use std::time::Duration;

use rampart_core::{EventTime, KeyedHasher};
use rampart_defend::{Action, Decision, Policy, PolicyHandle, Scope};
use rampart_engine::{Config, Engine};
use rampart_proxy::{Guard, GuardOptions};
use rampart_store::{SqliteStore, Store};

fn block(ip: &str, at: EventTime) -> Decision {
    Decision::manual(
        Action::Block {
            status: 403,
            body: "denied\n".into(),
        },
        Scope::Ip(ip.parse().unwrap()),
        "abuse report",
        at,
        Some(Duration::from_secs(3600)),
    )
}

fn ids(mut ds: Vec<Decision>) -> Vec<String> {
    ds.sort_by(|a, b| a.id.cmp(&b.id));
    ds.into_iter().map(|d| d.id).collect()
}

#[test]
fn decisions_added_and_removed_in_the_store_reach_a_running_guard() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rampart.db");
    let t0 = EventTime::from_unix_millis(1_700_000_000_000);
    let at_start = block("192.0.2.1", t0);
    let mut other = SqliteStore::open(&db).unwrap();
    other
        .save_decisions(std::slice::from_ref(&at_start))
        .unwrap();

    let hasher = KeyedHasher::new([1; 32]);
    let engine = Engine::new(&Config::default(), &[], Vec::new(), hasher.clone());
    let policy = Arc::new(PolicyHandle::new(
        Policy::from_yaml("rules: []\n", "policy.yaml").unwrap(),
    ));
    let store = SqliteStore::open(&db).unwrap();
    let guard = Guard::new(
        engine,
        policy,
        hasher,
        Some(store),
        GuardOptions::default(),
        t0,
    )
    .unwrap();
    assert_eq!(ids(guard.decisions(t0)), ids(vec![at_start.clone()]));

    // Another process adds one and removes the one there at the start; this process adds one.
    let added_there = block("192.0.2.2", t0);
    other
        .save_decisions(std::slice::from_ref(&added_there))
        .unwrap();
    assert!(other.remove_decision(&at_start.id).unwrap());
    let added_here = guard.add_decision(block("192.0.2.3", t0), t0);
    let t1 = EventTime::from_unix_millis(t0.as_unix_millis() + 5_000);
    guard.flush(t1);
    assert_eq!(
        ids(guard.decisions(t1)),
        ids(vec![added_there.clone(), added_here.clone()])
    );
    assert_eq!(
        ids(other.decisions(Some(t1)).unwrap()),
        ids(vec![added_there.clone(), added_here.clone()]),
        "the guard's own decision is stored"
    );

    // Removed there later: gone from the guard at its next write.
    assert!(other.remove_decision(&added_here.id).unwrap());
    let t2 = EventTime::from_unix_millis(t1.as_unix_millis() + 5_000);
    guard.flush(t2);
    assert_eq!(ids(guard.decisions(t2)), ids(vec![added_there]));
}
