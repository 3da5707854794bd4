use proptest::prelude::*;

use super::*;

#[test]
fn combined_lines() {
    let f = LogFormat::combined();
    let ex = f
        .parse(br#"203.0.113.9 - alice [10/Oct/2023:13:55:36 +0000] "GET /api/users/42?expand=orders HTTP/1.1" 200 512 "https://app.example.com/" "Mozilla/5.0 (X11)""#)
        .unwrap();
    assert_eq!(ex.client, Some("203.0.113.9".parse().unwrap()));
    assert_eq!(ex.method, "GET");
    assert_eq!(ex.path, "/api/users/42");
    assert_eq!(ex.query.as_deref(), Some("expand=orders"));
    assert_eq!(ex.status, Some(200));
    assert_eq!(ex.response_size, Some(512));
    assert_eq!(
        ex.request_headers.get("referer"),
        Some("https://app.example.com/")
    );
    assert_eq!(ex.user_agent(), Some("Mozilla/5.0 (X11)"));
    assert_eq!(ex.time.as_unix_millis(), 1_696_946_136_000);

    let v6 = f
        .parse(br#"2001:db8::1 - - [10/Oct/2023:13:55:36 +0000] "POST /login HTTP/2.0" 401 0 "-" "curl/8.0""#)
        .unwrap();
    assert_eq!(v6.client, Some("2001:db8::1".parse().unwrap()));
    assert_eq!(v6.request_headers.get("referer"), None);

    let quoted = f
        .parse(br#"10.0.0.1 - - [10/Oct/2023:13:55:36 +0000] "GET /search?q=\x22x\x22 HTTP/1.1" 200 1 "-" "say \x22hi\x22""#)
        .unwrap();
    assert_eq!(quoted.query.as_deref(), Some("q=\"x\""));
    assert_eq!(quoted.user_agent(), Some("say \"hi\""));
}

#[test]
fn requests_that_are_not_http_are_errors() {
    let f = LogFormat::combined();
    let empty = f.parse(br#"10.0.0.1 - - [10/Oct/2023:13:55:36 +0000] "-" 400 0 "-" "-""#);
    assert!(empty.is_err());
    let tls = f
        .parse(br#"10.0.0.1 - - [10/Oct/2023:13:55:36 +0000] "\x16\x03\x01\x00\xF4\x01" 400 157 "-" "-""#)
        .unwrap_err();
    assert!(tls.reason.contains("not HTTP"), "{tls}");
    let short = f.parse(b"10.0.0.1 - - [10/Oct/2023").unwrap_err();
    assert!(short.column > 1);
}

#[test]
fn custom_format_with_many_variables() {
    let f = LogFormat::compile(
        "$time_iso8601 $request_time $host \"$http_authorization\" $cookie_session [$upstream_response_time] $request_method ${uri}?$args $status",
    )
    .unwrap();
    let ex = f
        .parse(b"2024-05-01T10:00:00+02:00 0.125 API.Example.com:8443 \"Bearer abc.def.ghi\" s3ss10n [0.120] post /v1/orders?dry=1 201")
        .unwrap();
    assert_eq!(ex.time.as_unix_millis(), 1_714_550_400_000);
    assert_eq!(ex.duration_ms, Some(125.0));
    assert_eq!(ex.host.as_deref(), Some("api.example.com"));
    assert_eq!(
        ex.request_headers.get("authorization"),
        Some("Bearer abc.def.ghi")
    );
    assert_eq!(ex.request_headers.get("cookie"), Some("session=s3ss10n"));
    assert_eq!(ex.method, "POST");
    assert_eq!(ex.path, "/v1/orders");
    assert_eq!(ex.query.as_deref(), Some("dry=1"));
    assert_eq!(ex.status, Some(201));
    assert_eq!(
        ex.extra,
        vec![("upstream_response_time".to_owned(), "0.120".to_owned())]
    );
    let names: Vec<&str> = f.variables().collect();
    assert_eq!(names[0], "time_iso8601");
}

#[test]
fn format_errors_say_where() {
    assert!(LogFormat::compile("${request").is_err());
    assert!(LogFormat::compile("").is_err());
    assert!(LogFormat::compile("no variables here").is_err());
    let e = LogFormat::compile("$remote_addr$status").unwrap_err();
    assert!(e.message.contains("nothing between them"), "{e}");
    assert_eq!(e.offset, 12);
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(line in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = LogFormat::combined().parse(&line);
    }

    #[test]
    fn arbitrary_formats_never_panic(fmt in "[ -~]{0,60}", line in "[ -~]{0,80}") {
        if let Ok(f) = LogFormat::compile(&fmt) {
            let _ = f.parse(line.as_bytes());
        }
        let _ = crate::apache::compile_apache(&fmt).map(|f| f.parse(line.as_bytes()));
    }

    #[test]
    fn combined_round_trips(
        a in 1u8..=254, b in 0u8..=255, c in 0u8..=255, d in 1u8..=254,
        method in "(GET|POST|PUT|DELETE|PATCH)",
        path in "(/[a-zA-Z0-9_.~-]{1,12}){1,5}",
        query in proptest::option::of("[a-z]{1,5}=[a-zA-Z0-9]{0,8}"),
        status in 100u16..600,
        bytes in 0u64..10_000_000,
        ua in "[a-zA-Z0-9 ./();,:-]{1,60}",
    ) {
        let target = match &query { Some(q) => format!("{path}?{q}"), None => path.clone() };
        let line = format!(
            "{a}.{b}.{c}.{d} - - [01/Jan/2024:00:00:00 +0000] \"{method} {target} HTTP/1.1\" {status} {bytes} \"-\" \"{ua}\""
        );
        let ex = LogFormat::combined().parse(line.as_bytes()).unwrap();
        prop_assert_eq!(ex.method.clone(), method);
        prop_assert_eq!(ex.path.clone(), path);
        prop_assert_eq!(ex.query.clone(), query);
        prop_assert_eq!(ex.status, Some(status));
        prop_assert_eq!(ex.response_size, Some(bytes));
        // A lone "-" is nginx's "no value".
        let expected = (ua != "-").then_some(ua.as_str());
        prop_assert_eq!(ex.user_agent(), expected);
    }
}
