//! Looking up where a request would land, without learning from it: what the inline path asks
//! before a request is answered.

use rampart_core::{EventTime, Exchange, KeyedHasher};
use rampart_discover::inventory::{Inventory, InventoryConfig};

fn exchange(i: u64, method: &str, path: &str) -> Exchange {
    Exchange {
        time: EventTime::from_unix_millis(1_700_000_000_000 + i as i64 * 1000),
        client: Some(format!("10.0.0.{}", i % 200).parse().unwrap()),
        method: method.into(),
        host: Some("api.example.com".into()),
        path: path.into(),
        status: Some(200),
        ..Exchange::default()
    }
}

#[test]
fn a_new_id_finds_the_learned_template_and_nothing_is_learned() {
    let mut inv = Inventory::new(
        InventoryConfig::default(),
        &[],
        &[],
        KeyedHasher::new([1; 32]),
    );
    for i in 0..50 {
        inv.observe(&exchange(i, "GET", &format!("/api/users/{}", 1000 + i)));
        inv.observe(&exchange(i, "GET", "/api/users/me"));
    }
    let view = inv
        .lookup("api.example.com", "GET", "/api/users/987654")
        .expect("a known shape");
    assert_eq!(view.template, "/api/users/{id}");
    assert_eq!(view.documented, None, "no spec was supplied");
    assert!(view.hits >= 50, "{view:?}");
    let me = inv
        .lookup("api.example.com", "GET", "/api/users/me")
        .unwrap();
    assert_eq!(me.template, "/api/users/me");
    assert!(inv
        .lookup("api.example.com", "DELETE", "/api/users/5")
        .is_none());
    assert!(inv
        .lookup("api.example.com", "GET", "/admin/unknown")
        .is_none());
    assert!(inv
        .lookup("other.example.com", "GET", "/api/users/5")
        .is_none());
    let before = inv.finish().endpoints.len();
    assert_eq!(before, 2, "lookups added no endpoint");
}
