use rampart_core::{Body, Exchange, Headers, KeyedHasher};

use super::*;
use crate::classify::SensitiveClass;

fn ctx_parts() -> (KeyedHasher, Classifier, FactLimits) {
    (
        KeyedHasher::new([7; 32]),
        Classifier::new(),
        FactLimits::default(),
    )
}

fn exchange(status: u16, auth: Option<&str>) -> Exchange {
    let mut request_headers = Headers::new();
    if let Some(a) = auth {
        request_headers.push("authorization", a);
    }
    Exchange {
        time: EventTime::from_unix_millis(1_700_000_000_000),
        client: Some("203.0.113.9".parse().unwrap()),
        method: "GET".into(),
        path: "/users/42".into(),
        query: Some("page=2&email=alice%40example.com".into()),
        status: Some(status),
        request_headers,
        response_body: Some(Body::sample(
            Some("application/json".into()),
            br#"{"id": 42, "email": "alice@example.com", "card": "4111 1111 1111 1111", "tags": ["a"]}"#,
        )),
        duration_ms: Some(12.5),
        ..Exchange::default()
    }
}

#[test]
fn observes_parameters_fields_and_sensitive_data() {
    let f = observed(&[exchange(200, None)]);
    assert_eq!(f.hits(), 1);
    assert_eq!(f.query["page"].types.0, crate::schema::Types::INTEGER);
    assert_eq!(f.query["email"].formats.single(), Some("email"));
    let fields = &f.response_fields[&200];
    assert!(fields.contains_key("email") && fields.contains_key("tags[]"));
    assert_eq!(f.response_content_types["application/json"], 1);
    let email = &f.sensitive[&SensitiveClass::Email];
    assert_eq!((email.in_request, email.in_response), (1, 1));
    assert!(f.sensitive.contains_key(&SensitiveClass::CardNumber));
    let json = serde_json::to_string(&f).unwrap();
    assert!(
        !json.contains("alice@example.com"),
        "raw e-mail stored: {json}"
    );
    assert!(!json.contains("4111 1111 1111 1111"), "raw card stored");
}

#[test]
fn anonymous_success_is_flagged_and_credentials_are_not_stored() {
    let f = observed(&[
        exchange(200, None),
        exchange(401, None),
        exchange(200, Some("Basic YWxpY2U6czNjcmV0")),
    ]);
    assert_eq!(f.auth.anonymous, 2);
    assert_eq!(f.unauthenticated_success(), 1);
    assert_eq!(f.credential_kinds(), vec![(CredentialKind::Basic, 1)]);
    let json = serde_json::to_string(&f).unwrap();
    assert!(!json.contains("YWxpY2U6czNjcmV0") && !json.contains("s3cret"));
}

#[test]
fn merge_adds_up_and_round_trips() {
    let (h, c, l) = ctx_parts();
    let ctx = FactsContext {
        hasher: &h,
        classifier: &c,
        limits: &l,
    };
    let mut a = EndpointFacts::default();
    let mut b = EndpointFacts::default();
    a.observe(&exchange(200, None), &ctx);
    let mut later = exchange(404, None);
    later.time = EventTime::from_unix_millis(1_700_000_100_000);
    later.client = Some("198.51.100.1".parse().unwrap());
    b.observe(&later, &ctx);
    a.merge(&b);
    assert_eq!(a.hits(), 2);
    assert_eq!(a.distinct_clients(), 2);
    assert_eq!(a.statuses().collect::<Vec<_>>(), vec![(200, 1), (404, 1)]);
    assert_eq!(a.last_seen().as_unix_millis(), 1_700_000_100_000);
    let back: EndpointFacts = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
    assert_eq!(back, a);
}

#[test]
fn query_parameters_are_capped() {
    let (h, c, _) = ctx_parts();
    let l = FactLimits {
        max_query_params: 3,
        ..FactLimits::default()
    };
    let ctx = FactsContext {
        hasher: &h,
        classifier: &c,
        limits: &l,
    };
    let mut f = EndpointFacts::default();
    let mut ex = exchange(200, None);
    ex.query = Some(
        (0..50)
            .map(|i| format!("p{i}=1"))
            .collect::<Vec<_>>()
            .join("&"),
    );
    f.observe(&ex, &ctx);
    assert_eq!(f.query.len(), 3);
    assert_eq!(f.dropped, 47);
}

#[test]
fn decoding_handles_bad_escapes() {
    assert_eq!(decode("a%40b"), "a@b");
    assert_eq!(decode("a+b"), "a b");
    assert_eq!(decode("100%"), "100%");
    assert_eq!(decode("%zz%4"), "%zz%4");
}

/// The facts of these exchanges, observed in order.
fn observed(exchanges: &[Exchange]) -> EndpointFacts {
    let (h, c, l) = ctx_parts();
    let ctx = FactsContext {
        hasher: &h,
        classifier: &c,
        limits: &l,
    };
    let mut f = EndpointFacts::default();
    for ex in exchanges {
        f.observe(ex, &ctx);
    }
    f
}

fn body_exchange(body: &[u8]) -> Exchange {
    Exchange {
        response_body: Some(Body::sample(Some("application/json".into()), body)),
        ..exchange(200, None)
    }
}

#[test]
fn a_json_body_cut_short_teaches_its_prefix_and_is_scanned_as_text() {
    let f = observed(&[body_exchange(
        br#"{"items": [{"id": 1, "owner": "bob@example.com"}, {"id": 2, "own"#,
    )]);
    let fields = &f.response_fields[&200];
    assert_eq!(fields["items[].id"].count, 2);
    assert_eq!(fields["items[].owner"].formats.single(), Some("email"));
    // Found once, by the text scan, not once more by the walk that stopped.
    assert_eq!(f.sensitive[&SensitiveClass::Email].in_response, 1);
}

#[test]
fn a_body_labelled_json_that_is_not_gets_no_schema() {
    let f = observed(&[body_exchange(b"<html>mail bob@example.com</html>")]);
    assert!(!f.response_fields.contains_key(&200));
    assert_eq!(f.sensitive[&SensitiveClass::Email].in_response, 1);
}
