//! Decoy bodies for the `deceive` action: deterministic per seed, shaped like the schema,
//! synthetic on inspection, bounded, and never a panic whatever the schema.

use proptest::prelude::*;
use rampart_proxy::deceive::{decoy, Decoy, CONTENT_TYPE, MAX_BODY, MAX_DEPTH, MAX_PROPERTIES};
use serde_json::{json, Value};

fn parsed(d: &Decoy) -> Value {
    assert_eq!(d.content_type, CONTENT_TYPE);
    assert!(d.body.len() <= MAX_BODY, "{} bytes", d.body.len());
    serde_json::from_slice(&d.body).expect("a decoy is JSON")
}

/// A customer list as `schema_from_fields` learns it from traffic, plus the `required` and
/// `format`s a spec would add.
fn customers() -> Value {
    json!({
        "type": "object",
        "required": ["data", "total"],
        "properties": {
            "total": {"type": "integer"},
            "next": {"type": "string", "format": "uri", "nullable": true},
            "data": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "email"],
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "email": {"type": "string", "format": "email"},
                        "contact": {"type": "string"},
                        "first_name": {"type": "string"},
                        "last_name": {"type": "string"},
                        "phone": {"type": "string"},
                        "created_at": {"type": "string", "format": "date-time"},
                        "birthday": {"type": "string", "format": "date"},
                        "last_ip": {"type": "string", "format": "ipv4"},
                        "vip": {"type": "boolean"},
                        "balance": {"type": "number"},
                        "orders": {"type": "integer"},
                        "address": {
                            "type": "object",
                            "properties": {
                                "street": {"type": "string"},
                                "city": {"type": "string"},
                                "zip": {"type": "string"},
                                "country_code": {"type": "string"}
                            }
                        },
                        "tags": {"type": "array", "items": {"type": "string"}}
                    }
                }
            }
        }
    })
}

#[test]
fn the_same_seed_gives_the_same_decoy() {
    let schema = customers();
    for seed in [0, 1, 42, u64::MAX] {
        assert_eq!(decoy(Some(&schema), seed), decoy(Some(&schema), seed));
    }
    assert_eq!(decoy(None, 7), decoy(None, 7));
}

#[test]
fn different_seeds_give_different_decoys() {
    let schema = customers();
    let bodies: std::collections::HashSet<Vec<u8>> = (0..50)
        .map(|seed| decoy(Some(&schema), seed).body)
        .collect();
    assert_eq!(bodies.len(), 50);
    assert_ne!(decoy(None, 1), decoy(None, 2));
}

#[test]
fn a_field_keeps_its_value_when_the_schema_grows() {
    let small = json!({"type": "object", "properties": {"email": {"type": "string"}}});
    let grown = json!({"type": "object", "properties": {
        "email": {"type": "string"}, "zzz_new": {"type": "integer"}
    }});
    let a = parsed(&decoy(Some(&small), 9));
    let b = parsed(&decoy(Some(&grown), 9));
    assert_eq!(a["email"], b["email"]);
}

fn assert_uuid(s: &str) {
    assert_eq!(s.len(), 36, "{s}");
    for (i, c) in s.char_indices() {
        if [8, 13, 18, 23].contains(&i) {
            assert_eq!(c, '-', "{s}");
        } else {
            assert!(c.is_ascii_hexdigit(), "{s}");
        }
    }
}

fn assert_reserved_ip(s: &str) {
    let ip: std::net::Ipv4Addr = s.parse().expect("an IPv4 address");
    let o = ip.octets();
    assert!(
        matches!(
            (o[0], o[1], o[2]),
            (192, 0, 2) | (198, 51, 100) | (203, 0, 113)
        ),
        "{s} is in a documentation network"
    );
}

#[test]
fn decoys_follow_the_schema_and_look_synthetic() {
    let schema = customers();
    for seed in 0..40 {
        let v = parsed(&decoy(Some(&schema), seed));
        assert!(v["total"].is_i64(), "{v}");
        let next = v["next"].as_str().expect("every property is filled");
        assert!(next.starts_with("https://example."), "{next}");
        let data = v["data"].as_array().expect("data is an array");
        assert!((1..=5).contains(&data.len()), "{}", data.len());
        for c in data {
            let c = c.as_object().expect("items are objects");
            for key in customers()["properties"]["data"]["items"]["properties"]
                .as_object()
                .unwrap()
                .keys()
            {
                assert!(c.contains_key(key), "{key} missing in {c:?}");
            }
            assert_uuid(c["id"].as_str().unwrap());
            let email = c["email"].as_str().unwrap();
            assert!(
                email.contains("@example.") && email.split('@').count() == 2,
                "{email}"
            );
            let phone = c["phone"].as_str().unwrap();
            assert!(phone.contains("-555-01"), "{phone}");
            let created = c["created_at"].as_str().unwrap();
            assert!(
                rampart_core::EventTime::parse_rfc3339(created).is_ok(),
                "{created}"
            );
            let birthday = c["birthday"].as_str().unwrap();
            assert_eq!(birthday.len(), 10, "{birthday}");
            assert!(
                rampart_core::EventTime::parse_rfc3339(&format!("{birthday}T00:00:00Z")).is_ok()
            );
            assert_reserved_ip(c["last_ip"].as_str().unwrap());
            assert!(c["vip"].is_boolean());
            assert!(c["balance"].is_f64() || c["balance"].is_i64());
            assert!(c["orders"].is_i64());
            let first = c["first_name"].as_str().unwrap();
            assert!(
                first.chars().next().is_some_and(char::is_uppercase) && !first.contains(' '),
                "{first}"
            );
            let addr = c["address"].as_object().unwrap();
            assert!(addr["zip"].as_str().unwrap().len() == 5, "{addr:?}");
            assert_eq!(addr["country_code"].as_str().unwrap().len(), 2);
            assert!(addr["street"]
                .as_str()
                .unwrap()
                .starts_with(|c: char| c.is_ascii_digit()));
            assert!(c["tags"].as_array().unwrap().iter().all(Value::is_string));
        }
    }
}

#[test]
fn property_names_guide_untyped_and_string_fields() {
    let schema = json!({"type": "object", "properties": {
        "contactEmail": {"type": "string"},
        "price": {},
        "unit_price": {"type": "number"},
        "sku": {"type": "string"},
        "api_token": {"type": "string"},
        "postal_code": {"type": "string"},
        "website": {"type": "string"},
        "userId": {"type": "integer"},
        "updatedAt": {},
        "remote_ip": {"type": "string"},
    }});
    for seed in 0..20 {
        let v = parsed(&decoy(Some(&schema), seed));
        assert!(v["contactEmail"].as_str().unwrap().contains("@example."));
        let price = v["price"].as_f64().expect("an untyped price is a number");
        assert!((1.0..=500.0).contains(&price), "{price}");
        let unit = v["unit_price"].as_f64().unwrap();
        assert!(
            (unit * 100.0 - (unit * 100.0).round()).abs() < 1e-6,
            "cents: {unit}"
        );
        assert!(v["sku"].as_str().unwrap().starts_with("SKU-"));
        assert!(v["api_token"].as_str().unwrap().starts_with("tok_test_"));
        assert_eq!(v["postal_code"].as_str().unwrap().len(), 5);
        assert!(v["website"]
            .as_str()
            .unwrap()
            .starts_with("https://example."));
        assert!(v["userId"].as_i64().unwrap() >= 1000);
        assert!(rampart_core::EventTime::parse_rfc3339(v["updatedAt"].as_str().unwrap()).is_ok());
        assert_reserved_ip(v["remote_ip"].as_str().unwrap());
    }
}

#[test]
fn enums_bounds_and_compositions_are_respected() {
    let schema = json!({
        "allOf": [
            {"type": "object", "required": ["state"], "properties": {
                "state": {"type": "string", "enum": ["open", "closed"]}
            }},
            {"properties": {
                "count": {"type": "integer", "minimum": 10, "maximum": 12},
                "ratio": {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
                "code": {"type": "string", "maxLength": 3},
                "pin": {"type": "string", "minLength": 8},
                "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "integer"}},
                "owner": {"oneOf": [{"type": "null"}, {"type": "object", "properties": {"name": {"type": "string"}}}]},
                "kind": {"type": ["integer", "null"]}
            }}
        ]
    });
    for seed in 0..30 {
        let v = parsed(&decoy(Some(&schema), seed));
        assert!(
            ["open", "closed"].contains(&v["state"].as_str().unwrap()),
            "{v}"
        );
        assert!((10..=12).contains(&v["count"].as_i64().unwrap()), "{v}");
        let r = v["ratio"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&r), "{v}");
        assert!(v["code"].as_str().unwrap().chars().count() <= 3, "{v}");
        assert!(v["pin"].as_str().unwrap().chars().count() >= 8, "{v}");
        assert_eq!(v["items"].as_array().unwrap().len(), 2, "{v}");
        assert!(v["owner"]["name"].is_string(), "{v}");
        assert!(v["kind"].is_i64(), "{v}");
    }
}

#[test]
fn without_a_schema_the_decoy_is_a_small_generic_object() {
    for schema in [None, Some(json!({})), Some(json!(true)), Some(json!("x"))] {
        let v = parsed(&decoy(schema.as_ref(), 3));
        assert_eq!(v["status"], "ok", "{v}");
        assert!(v["id"].is_i64(), "{v}");
        assert!(decoy(schema.as_ref(), 3).body.len() < 200);
    }
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// `levels` of objects of `width` properties: long strings, and an array of the next level
/// (megabytes of output if nothing bounded it).
fn wide_and_deep(levels: usize, width: usize) -> Value {
    let mut s = json!({"type": "string", "minLength": 200});
    for _ in 0..levels {
        let mut props: serde_json::Map<String, Value> = (1..width)
            .map(|i| {
                (
                    format!("field_{i}"),
                    json!({"type": "string", "minLength": 200}),
                )
            })
            .collect();
        props.insert(
            "children".into(),
            json!({"type": "array", "minItems": 5, "items": s}),
        );
        s = json!({"type": "object", "properties": props});
    }
    s
}

#[test]
fn pathological_schemas_give_bounded_decoys() {
    // Deep: 200 levels of objects.
    let mut deep = json!({"type": "string"});
    for _ in 0..200 {
        deep = json!({"type": "object", "properties": {"child": deep}});
    }
    let v = parsed(&decoy(Some(&deep), 1));
    assert!(depth(&v) <= MAX_DEPTH, "depth {}", depth(&v));

    // Wide: 10 000 properties.
    let props: serde_json::Map<String, Value> = (0..10_000)
        .map(|i| (format!("p{i}"), json!({"type": "string"})))
        .collect();
    let wide = json!({"type": "object", "properties": props});
    let v = parsed(&decoy(Some(&wide), 1));
    assert!(v.as_object().unwrap().len() <= MAX_PROPERTIES);

    // Both: 64 properties, one an array of 5 such objects, 10 levels.
    let both = wide_and_deep(10, 64);
    let started = std::time::Instant::now();
    let d = decoy(Some(&both), 1);
    let v = parsed(&d);
    assert!(depth(&v) <= MAX_DEPTH);
    assert!(
        d.body.len() > 10_000,
        "the budget is used: {}",
        d.body.len()
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // Long names and huge bounds.
    let long = "n".repeat(200_000);
    let s = json!({"type": "object", "required": [long.clone()], "properties": {
        long.clone(): {"type": "string", "minLength": 1_000_000_000u64},
        "big": {"type": "integer", "minimum": 1e300, "maximum": -1e300},
        "huge": {"type": "number", "minimum": -1.7e308, "maximum": 1.7e308},
        "many": {"type": "array", "minItems": 1_000_000, "items": {"type": "string", "minLength": 100000}},
    }});
    let v = parsed(&decoy(Some(&s), 5));
    assert!(v.is_object());

    // Compositions nested in compositions.
    let mut nested = json!({"type": "object", "properties": {"x": {"type": "integer"}}});
    for i in 0..50 {
        let small: Vec<Value> = (0..8)
            .map(|k| json!({"properties": {format!("p{i}_{k}"): {"type": "string"}}}))
            .collect();
        let mut parts = small.clone();
        parts.push(nested);
        nested = json!({"allOf": parts, "oneOf": [{"type": "null"}, {"allOf": small}]});
    }
    let started = std::time::Instant::now();
    parsed(&decoy(Some(&nested), 5));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop_oneof![
            Just("object"),
            Just("array"),
            Just("string"),
            Just("integer"),
            Just("number"),
            Just("boolean"),
            Just("null"),
            Just("email"),
            Just("uuid"),
            Just("date-time"),
            Just("ipv4"),
        ]
        .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    let key = prop_oneof![
        Just("type".to_owned()),
        Just("properties".to_owned()),
        Just("items".to_owned()),
        Just("format".to_owned()),
        Just("required".to_owned()),
        Just("enum".to_owned()),
        Just("allOf".to_owned()),
        Just("oneOf".to_owned()),
        Just("minimum".to_owned()),
        Just("maximum".to_owned()),
        Just("minItems".to_owned()),
        Just("maxLength".to_owned()),
        Just("minLength".to_owned()),
        Just("exclusiveMinimum".to_owned()),
        Just("nullable".to_owned()),
        ".{0,10}",
    ];
    leaf.prop_recursive(6, 96, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_json_value_as_a_schema_gives_valid_bounded_json(schema in arb_json(), seed in any::<u64>()) {
        let d = decoy(Some(&schema), seed);
        prop_assert_eq!(d.content_type, CONTENT_TYPE);
        prop_assert!(d.body.len() <= MAX_BODY);
        let v: Value = serde_json::from_slice(&d.body).expect("valid JSON");
        prop_assert!(depth(&v) <= MAX_DEPTH);
        prop_assert_eq!(decoy(Some(&schema), seed), d);
    }
}
