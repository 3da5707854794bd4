use super::*;
use crate::alerts::{AlertBook, BookLimits};
use crate::request::{DeriveConfig, EndpointFacts};
use crate::testing::{get, hasher};
use rampart_core::EntityKind;

fn feed(facts: EndpointFacts, n: u32, auth: bool) -> Vec<rampart_core::Alert> {
    let mut d = ShadowApi::new(ShadowApiConfig::default());
    let mut book = AlertBook::new(BookLimits::default());
    let h = hasher();
    let mut out = Vec::new();
    for i in 0..n {
        let mut ex = get(
            f64::from(i),
            "203.0.113.9",
            "/api/v1/payments/applepay/session",
            200,
        );
        if auth {
            ex = ex.header("authorization", "Bearer t");
        }
        let req = Request::derive(&ex.0, &DeriveConfig::default(), &h, facts);
        d.observe(&req, &mut out);
        for s in out.drain(..) {
            book.apply(s, &req);
        }
    }
    book.alerts()
}

#[test]
fn undocumented_served_endpoints_are_shadow() {
    let facts = EndpointFacts {
        documented: Some(false),
        sensitive_response: false,
    };
    let alerts = feed(facts, 20, true);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].entity.kind, EntityKind::Endpoint);
    assert_eq!(alerts[0].figures["served"], 20.0);
    assert!(
        alerts[0].members.is_empty(),
        "facts about endpoints name no client"
    );
}

#[test]
fn sensitive_data_without_credentials_is_reported_and_with_them_not() {
    let facts = EndpointFacts {
        documented: Some(true),
        sensitive_response: true,
    };
    let alerts = feed(facts, 10, false);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].detector, "unauthenticated_data");
    assert!(feed(facts, 10, true).is_empty());
    // Without a spec, nothing is shadow.
    assert!(feed(EndpointFacts::default(), 10, true).is_empty());
}
