//! Generation from hand-built specs: truth, traffic and their agreement.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use rampart_core::{EventTime, Exchange};
use rampart_discover::spec::{Operation, Param, ParamIn, ResponseSpec, Spec};
use rampart_sim::{generate, GroundTruth, TrafficConfig};
use regex::Regex;
use serde_json::{json, Value};

/// A spec from `(method, template)` pairs; every `{name}` becomes a path parameter whose
/// schema comes from `schemas` by name (string by default).
fn spec(ops: &[(&str, &str)], schemas: &[(&str, Value)]) -> Spec {
    let operations = ops
        .iter()
        .map(|(method, path)| {
            let params = Regex::new(r"\{([^}]*)\}")
                .unwrap()
                .captures_iter(path)
                .map(|c| {
                    let name = c[1].to_owned();
                    let schema = schemas
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, s)| s.clone())
                        .unwrap_or_else(|| json!({"type": "string"}));
                    Param {
                        name,
                        location: ParamIn::Path,
                        required: true,
                        schema,
                    }
                })
                .collect();
            Operation {
                method: (*method).into(),
                path: (*path).into(),
                params,
                responses: vec![ResponseSpec {
                    status: "200".into(),
                    schema: None,
                }],
                ..Operation::default()
            }
        })
        .collect();
    Spec {
        hosts: vec!["shop.example.com".into()],
        operations,
        ..Spec::default()
    }
}

fn template_regex(template: &str) -> Regex {
    let mut re = String::from("^");
    for (i, part) in template.split('{').enumerate() {
        let literal = if i == 0 {
            part
        } else {
            re.push_str("[^/]+");
            part.split_once('}').map(|(_, rest)| rest).unwrap_or(part)
        };
        re.push_str(&regex::escape(literal));
    }
    re.push('$');
    Regex::new(&re).unwrap()
}

/// Which truth endpoint each exchange belongs to (the most literal match), or `None` for probes.
fn attribute(truth: &GroundTruth, exchanges: &[Exchange]) -> Vec<Option<usize>> {
    let res: Vec<(usize, Regex, usize)> = truth
        .endpoints
        .iter()
        .enumerate()
        .map(|(i, e)| {
            (
                i,
                template_regex(&e.template),
                e.template.matches('{').count(),
            )
        })
        .collect();
    exchanges
        .iter()
        .map(|ex| {
            res.iter()
                .filter(|(i, re, _)| {
                    truth.endpoints[*i].method == ex.method && re.is_match(&ex.path)
                })
                .min_by_key(|(_, _, params)| *params)
                .map(|(i, _, _)| *i)
        })
        .collect()
}

fn shop() -> Spec {
    let mut s = spec(
        &[
            ("GET", "/v1/users"),
            ("POST", "/v1/users"),
            ("GET", "/v1/users/{id}"),
            ("GET", "/v1/users/me"),
            ("GET", "/v1/users/{id}/orders"),
            ("GET", "/v1/orders/{orderId}"),
            ("DELETE", "/v1/orders/{orderId}"),
            ("GET", "/v1/repos/{owner}/{repo}"),
            ("GET", "/v1/files/{name}.json"),
            ("GET", "/v1/payments/{paymentId}"),
            ("GET", "/v1/status"),
        ],
        &[
            ("id", json!({"type": "integer"})),
            ("paymentId", json!({"type": "string", "format": "uuid"})),
        ],
    );
    let payments = s
        .operations
        .iter_mut()
        .find(|o| o.path == "/v1/payments/{paymentId}")
        .unwrap();
    payments.responses = vec![ResponseSpec {
        status: "200".into(),
        schema: Some(json!({
            "type": "object",
            "required": ["card_number", "email"],
            "properties": {"card_number": {"type": "string"}, "email": {"type": "string"}, "amount": {"type": "number"}}
        })),
    }];
    let users = s
        .operations
        .iter_mut()
        .find(|o| o.path == "/v1/users" && o.method == "GET")
        .unwrap();
    users.params.push(Param {
        name: "page".into(),
        location: ParamIn::Query,
        required: true,
        schema: json!({"type": "integer"}),
    });
    s.operations
        .iter_mut()
        .find(|o| o.path == "/v1/status")
        .unwrap()
        .security = Some(vec![]);
    s
}

fn config(requests: usize) -> TrafficConfig {
    TrafficConfig {
        seed: 42,
        requests,
        ..TrafficConfig::default()
    }
}

#[test]
fn same_seed_same_traffic_other_seed_other_traffic() {
    let spec = shop();
    let (a, ta) = generate(&spec, &config(2_000));
    let (b, tb) = generate(&spec, &config(2_000));
    assert_eq!(a, b);
    assert_eq!(
        serde_json::to_string(&ta).unwrap(),
        serde_json::to_string(&tb).unwrap()
    );
    let (c, _) = generate(
        &spec,
        &TrafficConfig {
            seed: 43,
            ..config(2_000)
        },
    );
    assert_ne!(a, c);
}

#[test]
fn every_endpoint_answers_2xx_and_counts_agree() {
    let spec = shop();
    let (exchanges, truth) = generate(&spec, &config(5_000));
    assert_eq!(truth.host, "shop.example.com");
    assert_eq!(
        truth.endpoints.iter().filter(|e| !e.shadow).count(),
        spec.operations.len()
    );
    let owners = attribute(&truth, &exchanges);
    let mut seen = vec![0u64; truth.endpoints.len()];
    let mut ok = vec![false; truth.endpoints.len()];
    for (ex, owner) in exchanges.iter().zip(&owners) {
        if let Some(i) = owner {
            seen[*i] += 1;
            ok[*i] |= (200..300).contains(&ex.status.unwrap());
        }
    }
    for (i, e) in truth.endpoints.iter().enumerate() {
        assert!(ok[i], "{} {} never answered 2xx", e.method, e.template);
        assert_eq!(seen[i], e.requests, "{} {}", e.method, e.template);
    }
    let total: u64 = truth.endpoints.iter().map(|e| e.requests).sum::<u64>() + truth.probes;
    assert_eq!(total as usize, exchanges.len());
    assert_eq!(exchanges.len(), 5_000);
    assert!(exchanges
        .iter()
        .all(|e| e.host.as_deref() == Some("shop.example.com")));
}

#[test]
fn popularity_is_skewed() {
    let (_, truth) = generate(&shop(), &config(20_000));
    let mut counts: Vec<u64> = truth
        .endpoints
        .iter()
        .filter(|e| !e.shadow)
        .map(|e| e.requests)
        .collect();
    counts.sort_unstable();
    let (low, high) = (counts[0], counts[counts.len() - 1]);
    assert!(high > low * 20, "{counts:?}");
}

#[test]
fn shadow_endpoints_are_in_truth_and_traffic() {
    let spec = shop();
    let (exchanges, truth) = generate(
        &spec,
        &TrafficConfig {
            shadow_endpoints: 5,
            ..config(3_000)
        },
    );
    let shadows: Vec<usize> = (0..truth.endpoints.len())
        .filter(|i| truth.endpoints[*i].shadow)
        .collect();
    assert_eq!(shadows.len(), 5);
    let documented: HashSet<(&str, &str)> = spec
        .operations
        .iter()
        .map(|o| (o.method.as_str(), o.path.as_str()))
        .collect();
    let owners = attribute(&truth, &exchanges);
    for i in shadows {
        let e = &truth.endpoints[i];
        assert!(!documented.contains(&(e.method.as_str(), e.template.as_str())));
        assert!((2..=50).contains(&e.requests), "{}", e.requests);
        let served: Vec<&Exchange> = exchanges
            .iter()
            .zip(&owners)
            .filter(|(_, o)| **o == Some(i))
            .map(|(x, _)| x)
            .collect();
        assert!(!served.is_empty(), "{}", e.template);
        assert!(served
            .iter()
            .all(|x| (200..300).contains(&x.status.unwrap())));
    }
}

#[test]
fn probes_are_refused_and_counted() {
    let (exchanges, truth) = generate(
        &shop(),
        &TrafficConfig {
            probe_share: 0.1,
            ..config(4_000)
        },
    );
    assert_eq!(truth.probes, 400);
    let owners = attribute(&truth, &exchanges);
    let probes: Vec<&Exchange> = exchanges
        .iter()
        .zip(&owners)
        .filter(|(_, o)| o.is_none())
        .map(|(x, _)| x)
        .collect();
    assert_eq!(probes.len(), 400);
    assert!(probes.iter().all(|p| matches!(p.status, Some(403..=405))));
    let scanners: HashSet<_> = probes.iter().map(|p| p.client).collect();
    assert!(scanners.len() <= 5);
    assert!(!truth
        .endpoints
        .iter()
        .any(|e| e.template.contains(".env") || e.template.contains("wp-login")));
}

#[test]
fn static_siblings_are_marked() {
    let spec = spec(
        &[
            ("GET", "/users/me"),
            ("GET", "/users/{id}"),
            ("POST", "/users/search"),
            ("GET", "/orders"),
        ],
        &[],
    );
    let (_, truth) = generate(
        &spec,
        &TrafficConfig {
            shadow_endpoints: 0,
            ..config(500)
        },
    );
    let marked: HashMap<&str, bool> = truth
        .endpoints
        .iter()
        .map(|e| (e.template.as_str(), e.static_sibling))
        .collect();
    assert!(marked["/users/me"]);
    assert!(!marked["/users/{id}"]);
    assert!(!marked["/users/search"]);
    assert!(!marked["/orders"]);
}

#[test]
fn export_shadow_beside_parametric_path_is_a_static_sibling() {
    let spec = spec(&[("GET", "/users/{id}"), ("GET", "/users")], &[]);
    let (_, truth) = generate(
        &spec,
        &TrafficConfig {
            shadow_endpoints: 10,
            ..config(500)
        },
    );
    let export = truth
        .endpoints
        .iter()
        .find(|e| e.template == "/users/export")
        .expect("export sibling");
    assert!(export.shadow && export.static_sibling);
}

fn luhn_valid(number: &str) -> bool {
    let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    digits.len() >= 13 && sum.is_multiple_of(10)
}

#[test]
fn response_bodies_carry_realistic_personal_data() {
    let (exchanges, truth) = generate(&shop(), &config(5_000));
    let payments = truth
        .endpoints
        .iter()
        .position(|e| e.template == "/v1/payments/{paymentId}");
    let owners = attribute(&truth, &exchanges);
    let mut cards = 0;
    for (ex, _) in exchanges
        .iter()
        .zip(&owners)
        .filter(|(e, o)| **o == payments && e.status == Some(200))
    {
        let body: Value =
            serde_json::from_slice(&ex.response_body.as_ref().unwrap().bytes).unwrap();
        let card = body["card_number"].as_str().unwrap();
        assert!(luhn_valid(card), "{card}");
        assert!(body["email"].as_str().unwrap().contains('@'));
        assert_eq!(ex.response_content_type(), Some("application/json"));
        cards += 1;
    }
    assert!(cards > 0);
    for ex in exchanges.iter().filter(|e| e.response_body.is_some()) {
        assert!(ex.response_body.as_ref().unwrap().bytes.len() <= 4096);
    }
}

#[test]
fn values_follow_parameter_types() {
    let (exchanges, truth) = generate(&shop(), &config(5_000));
    let owners = attribute(&truth, &exchanges);
    let exchanges: Vec<Exchange> = exchanges
        .into_iter()
        .zip(&owners)
        .filter(|(_, o)| o.is_some_and(|i| !truth.endpoints[i].shadow))
        .map(|(e, _)| e)
        .collect();
    let uuid = Regex::new(
        r"^/v1/payments/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
    )
    .unwrap();
    let int = Regex::new(r"^/v1/users/[0-9]+(/orders)?$").unwrap();
    for ex in &exchanges {
        if ex.path.starts_with("/v1/payments/") {
            assert!(uuid.is_match(&ex.path), "{}", ex.path);
        }
        if ex.path.starts_with("/v1/users/") && ex.path != "/v1/users/me" {
            assert!(int.is_match(&ex.path), "{}", ex.path);
        }
        if ex.path == "/v1/users" && ex.method == "GET" {
            assert!(ex.query.as_deref().unwrap().starts_with("page="));
        }
    }
    let distinct_users: HashSet<&str> = exchanges
        .iter()
        .filter(|e| int.is_match(&e.path))
        .map(|e| e.path.as_str())
        .collect();
    assert!(distinct_users.len() > 1);
}

#[test]
fn time_is_ordered_within_the_window_and_auth_is_mostly_present() {
    let cfg = config(3_000);
    let (exchanges, truth) = generate(&shop(), &cfg);
    let start = cfg.start.as_unix_millis();
    let end = start + 3_600_000;
    assert!(exchanges.windows(2).all(|w| w[0].time <= w[1].time));
    assert!(exchanges
        .iter()
        .all(|e| (start..end).contains(&e.time.as_unix_millis())));
    let owners = attribute(&truth, &exchanges);
    let api: Vec<&Exchange> = exchanges
        .iter()
        .zip(&owners)
        .filter(|(_, o)| o.is_some())
        .map(|(x, _)| x)
        .collect();
    let bearer = api
        .iter()
        .filter(|e| {
            e.request_headers
                .get("authorization")
                .is_some_and(|a| a.starts_with("Bearer ey"))
        })
        .count();
    let keys = api
        .iter()
        .filter(|e| e.request_headers.get("x-api-key").is_some())
        .count();
    assert!(bearer * 10 > api.len() * 5, "{bearer} of {}", api.len());
    assert!(keys > 0);
    let v6 = exchanges
        .iter()
        .filter(|e| e.client.is_some_and(|c| c.is_ipv6()))
        .count();
    assert!(v6 > 0);
    let public: Vec<&&Exchange> = api.iter().filter(|e| e.path == "/v1/status").collect();
    let anonymous = public
        .iter()
        .filter(|e| {
            e.request_headers.get("authorization").is_none()
                && e.request_headers.get("x-api-key").is_none()
        })
        .count();
    assert!(public.is_empty() || anonymous > 0 || public.len() < 4);
    assert_eq!(EventTime::from_unix_millis(start), cfg.start);
}

#[test]
fn statuses_mix_success_and_errors() {
    let (exchanges, truth) = generate(
        &shop(),
        &TrafficConfig {
            probe_share: 0.0,
            ..config(20_000)
        },
    );
    assert_eq!(truth.probes, 0);
    let mut by_status: HashMap<u16, usize> = HashMap::new();
    for ex in &exchanges {
        *by_status.entry(ex.status.unwrap()).or_default() += 1;
    }
    let ok: usize = by_status
        .iter()
        .filter(|(s, _)| (200..300).contains(*s))
        .map(|(_, n)| n)
        .sum();
    assert!(ok * 100 > exchanges.len() * 80, "{by_status:?}");
    for code in [400, 401, 403, 404] {
        assert!(
            by_status.get(&code).copied().unwrap_or(0) > 0,
            "no {code}: {by_status:?}"
        );
    }
    assert!(by_status.keys().any(|s| *s >= 500));
}

fn arb_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,8}",
        "\\{[a-zA-Z_]{0,8}\\}",
        "[a-z]{0,3}\\{[a-z]{1,4}\\}\\.[a-z]{1,4}",
        "\\PC{0,6}",
    ]
}

fn arb_schema() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"type": "integer"})),
        Just(json!({"type": "integer", "minimum": 5, "maximum": 2})),
        Just(json!({"type": "string", "format": "uuid"})),
        Just(json!({"type": "string", "enum": []})),
        Just(json!({"type": "string", "enum": ["a", null, 3]})),
        Just(json!({"type": ["null", "string"], "format": "date"})),
        Just(json!({"oneOf": [{"type": "object", "properties": {"x": {"type": "array"}}}]})),
        Just(json!({"allOf": [{"type": "string"}]})),
        Just(json!(null)),
        Just(json!("weird")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn generate_never_panics_on_random_specs(
        ops in prop::collection::vec(
            (
                prop_oneof![Just("GET"), Just("post"), Just(""), Just("PUT"), Just("DELETE"), Just("HEAD"), Just("G E T")],
                prop::collection::vec(arb_segment(), 0..5),
                prop::collection::vec(("[a-zA-Z]{0,6}", arb_schema(), any::<bool>(), 0..4u8), 0..4),
                prop::option::of(arb_schema()),
                prop::option::of(prop::collection::vec("[a-z]{1,4}", 0..2)),
            ),
            0..6,
        ),
        requests in 0usize..300,
        shadows in 0usize..6,
        probe_share in -1.0f64..2.0,
        clients in 0usize..20,
        bodies in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let operations: Vec<Operation> = ops
            .into_iter()
            .map(|(method, segs, params, schema, security)| Operation {
                method: method.into(),
                path: segs.join("/"),
                params: params
                    .into_iter()
                    .map(|(name, schema, required, loc)| Param {
                        name,
                        location: [ParamIn::Path, ParamIn::Query, ParamIn::Header, ParamIn::Cookie][loc as usize],
                        required,
                        schema,
                    })
                    .collect(),
                request_schema: schema.clone(),
                responses: vec![ResponseSpec { status: "2XX".into(), schema }],
                security,
                ..Operation::default()
            })
            .collect();
        let spec = Spec { operations, ..Spec::default() };
        let cfg = TrafficConfig { seed, requests, shadow_endpoints: shadows, probe_share, clients, bodies, duration_s: 60, ..TrafficConfig::default() };
        let (exchanges, truth) = generate(&spec, &cfg);
        prop_assert_eq!(truth.host.as_str(), "api.example.com");
        let total: u64 = truth.endpoints.iter().map(|e| e.requests).sum::<u64>() + truth.probes;
        prop_assert_eq!(total as usize, exchanges.len());
        prop_assert!(truth.endpoints.iter().all(|e| e.requests >= 1));
        prop_assert_eq!(truth.endpoints.iter().filter(|e| e.shadow).count(), shadows);
    }
}

#[test]
fn truth_round_trips_and_scores_itself_perfectly() {
    let (_, truth) = generate(&shop(), &config(1_000));
    let back: GroundTruth = serde_json::from_str(&serde_json::to_string(&truth).unwrap()).unwrap();
    let pairs: Vec<(String, String)> = back
        .endpoints
        .iter()
        .map(|e| (e.method.clone(), e.template.clone()))
        .collect();
    let s = rampart_sim::score(&truth, &pairs);
    assert_eq!(s.truth, truth.endpoints.len());
    assert!((s.f1 - 1.0).abs() < 1e-9);
    assert_eq!(s.shadow_found, s.shadow_total);
    assert!(s.static_siblings_total >= 1);
    // Dropping /v1/users/me while /v1/users/{id} is found counts as a merge.
    let without_me: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(_, t)| t != "/v1/users/me")
        .collect();
    let s = rampart_sim::score(&truth, &without_me);
    assert_eq!(s.static_siblings_merged, vec!["GET /v1/users/me"]);
}
