use proptest::prelude::*;

use super::{reference, to_otel_json};
use crate::{Body, EventTime, Exchange, Headers};

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("user-agent".to_owned()),
        Just("cookie".to_owned()),
        Just("content-type".to_owned()),
        Just("accept".to_owned()),
        Just("x-forwarded-for".to_owned()),
        "[a-z0-9_.~-]{1,12}",
        any::<String>(),
    ]
}

prop_compose! {
    fn exchange()(
        ms in -1_000_000_000_000i64..5_000_000_000_000,
        client in proptest::option::of(prop_oneof![
            any::<[u8; 4]>().prop_map(std::net::IpAddr::from),
            any::<[u8; 16]>().prop_map(std::net::IpAddr::from),
        ]),
        method in prop_oneof![Just("GET".to_owned()), any::<String>()],
        scheme in proptest::option::of("https?"),
        host in proptest::option::of(any::<String>()),
        path in any::<String>(),
        query in proptest::option::of(any::<String>()),
        status in proptest::option::of(any::<u16>()),
        headers in proptest::collection::vec((header_name(), any::<String>()), 0..8),
        response_type in proptest::option::of(any::<String>()),
        request_body in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
        response_body in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
        request_size in proptest::option::of(any::<u64>()),
        response_size in proptest::option::of(any::<u64>()),
        duration_ms in proptest::option::of(prop_oneof![
            any::<f64>(),
            0.0f64..10_000.0,
            Just(f64::NAN),
            Just(f64::INFINITY),
        ]),
    ) -> Exchange {
        let mut request_headers = Headers::new();
        for (n, v) in &headers {
            request_headers.push(n, v.clone());
        }
        let mut response_headers = Headers::new();
        if let Some(ct) = response_type {
            response_headers.push("content-type", ct);
        }
        Exchange {
            time: EventTime::from_unix_millis(ms),
            client,
            method,
            scheme,
            host,
            path,
            query,
            status,
            request_headers,
            response_headers,
            request_body: request_body.map(|b| Body::sample(None, &b)),
            response_body: response_body.map(|b| Body::sample(Some("application/json".into()), &b)),
            request_size,
            response_size,
            duration_ms,
            extra: Vec::new(),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// The line is byte for byte what serialising the same fields as a JSON map gives: the
    /// keys sorted, a repeated header's last value kept, strings escaped alike.
    #[test]
    fn the_line_is_what_a_json_map_of_its_fields_serialises_to(ex in exchange()) {
        prop_assert_eq!(to_otel_json(&ex), reference(&ex));
    }
}

#[test]
fn a_repeated_header_keeps_its_last_value_and_the_keys_are_sorted() {
    let mut ex = Exchange {
        path: "/a\"b".into(),
        method: "GET".into(),
        ..Exchange::default()
    };
    ex.request_headers.push("x-b", "1");
    ex.request_headers.push("x-a", "2");
    ex.request_headers.push("x-b", "3");
    let line = to_otel_json(&ex);
    assert_eq!(line, reference(&ex));
    let a = line.find("http.request.header.x-a").unwrap();
    let b = line.find("http.request.header.x-b\":\"3\"").unwrap();
    assert!(a < b, "{line}");
    assert!(!line.contains("\"1\""), "{line}");
    assert!(line.contains(r#""url.path":"/a\"b""#), "{line}");
}
