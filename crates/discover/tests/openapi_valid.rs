//! The exported OpenAPI document passes the OpenAPI Initiative's own JSON Schema for 3.0.

use rampart_core::{Body, EventTime, Exchange, Headers, KeyedHasher};
use rampart_discover::inventory::{Inventory, InventoryConfig};
use rampart_discover::openapi::{export_openapi, ExportEndpoint};
use serde_json::Value;

fn exchange(i: u64, method: &str, path: &str, status: u16) -> Exchange {
    let mut request_headers = Headers::new();
    match i % 4 {
        0 => request_headers.push("authorization", "Basic YWxpY2U6czNjcmV0"),
        1 => request_headers.push("x-api-key", "k_live_0123456789abcdefghij"),
        2 => request_headers.push("cookie", "sessionid=abcdef0123456789; _ga=1"),
        _ => {}
    }
    Exchange {
        time: EventTime::from_unix_millis(1_700_000_000_000 + i as i64 * 1000),
        client: Some(format!("10.0.{}.{}", i % 7, i % 200).parse().unwrap()),
        method: method.into(),
        host: Some("api.example.com".into()),
        path: path.into(),
        query: Some(format!("page={}&sort=name&email=a{i}%40example.com", i % 5)),
        status: Some(status),
        request_headers,
        request_body: (method == "POST").then(|| {
            Body::sample(
                Some("application/json".into()),
                br#"{"name":"Ann","password":"hunter22","items":[{"sku":"A-1","qty":2}]}"#,
            )
        }),
        response_body: Some(Body::sample(
            Some("application/json; charset=utf-8".into()),
            format!(
                r#"{{"id":{i},"email":"user{i}@example.com","phone":"+14155550{:03}","created":"2024-05-01T10:00:00Z","tags":["x"],"owner":{{"ssn":"123-45-6789"}},"note":null}}"#,
                i % 1000
            )
            .as_bytes(),
        )),
        duration_ms: Some(3.0 + (i % 50) as f64),
        ..Exchange::default()
    }
}

fn learned_document() -> Value {
    let mut inv = Inventory::new(
        InventoryConfig::default(),
        &[],
        &[],
        KeyedHasher::new([1; 32]),
    );
    for i in 0..400u64 {
        inv.observe(&exchange(i, "GET", &format!("/v1/users/{}", 1000 + i), 200));
        inv.observe(&exchange(i, "POST", "/v1/users", 201));
        inv.observe(&exchange(
            i,
            "GET",
            &format!("/v1/users/{}/reports/{}.pdf", i, i * 7),
            200,
        ));
        inv.observe(&exchange(
            i,
            "DELETE",
            &format!("/v1/orders/ord_{:08}", i),
            204,
        ));
        inv.observe(&exchange(
            i,
            "GET",
            "/v1/users/me",
            if i % 9 == 0 { 401 } else { 200 },
        ));
        inv.observe(&exchange(i, "OPTIONS", "/v1/users", 204));
        inv.observe(&exchange(i, "GET", "/.env", 404));
    }
    let report = inv.finish();
    let eps: Vec<ExportEndpoint<'_>> = report.endpoints.iter().map(|e| e.export()).collect();
    export_openapi("test", &eps)
}

#[test]
fn export_is_valid_openapi_3_0() {
    let schema: Value =
        serde_json::from_str(include_str!("fixtures/oas-3.0-schema.json")).expect("schema");
    let validator = jsonschema::draft4::new(&schema).expect("valid JSON Schema");
    let doc = learned_document();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid OpenAPI: {errors:#?}\n{doc:#}");
}

#[test]
fn export_carries_learned_facts_without_raw_values() {
    let doc = learned_document();
    let paths = doc["paths"].as_object().unwrap();
    let mut keys: Vec<&String> = paths.keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        vec![
            "/v1/orders/{key}",
            "/v1/users",
            "/v1/users/me",
            "/v1/users/{id}",
            "/v1/users/{id}/reports/{id2}.pdf"
        ]
    );
    let get = &doc["paths"]["/v1/users/{id}"]["get"];
    assert_eq!(get["parameters"][0]["schema"]["type"], "integer");
    assert_eq!(get["x-rampart-hits"], 400);
    let q: Vec<&str> = get["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["in"] == "query")
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(q, vec!["email", "page", "sort"]);
    let resp = &get["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(resp["properties"]["email"]["format"], "email");
    let classes: Vec<&str> = get["x-rampart-sensitive"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["class"].as_str().unwrap())
        .collect();
    assert!(
        classes.contains(&"email") && classes.contains(&"ssn"),
        "{classes:?}"
    );
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert!(schemes.contains_key("basicAuth"), "{schemes:?}");
    assert!(get["x-rampart-unauthenticated-success"].as_u64().unwrap() > 0);
    let text = doc.to_string();
    for raw in [
        "hunter22",
        "123-45-6789",
        "user5@example.com",
        "YWxpY2U6czNjcmV0",
        "k_live_0123456789abcdefghij",
    ] {
        assert!(
            !text.contains(raw),
            "raw value {raw} leaked into the export"
        );
    }
    assert!(doc["paths"].get("/.env").is_none());
}
