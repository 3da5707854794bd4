use proptest::prelude::*;
use serde_json::json;

use super::*;

const OPENAPI_YAML: &str = r##"
openapi: 3.0.3
info: {title: Acme, version: "1"}
servers:
  - url: https://{region}.api.acme.test/v2
    variables: {region: {default: eu}}
security: [{bearer: []}]
paths:
  /users/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: integer}}
      - {name: verbose, in: query, schema: {type: boolean}}
    get:
      operationId: getUser
      parameters:
        - $ref: '#/components/parameters/Verbose'
      responses:
        '200':
          content:
            application/json:
              schema: {$ref: '#/components/schemas/User'}
        '404': {description: missing}
    delete:
      deprecated: true
      responses: {'204': {description: gone}}
  /health:
    get:
      security: []
      responses: {'200': {description: ok}}
  /broken:
    get:
      parameters:
        - $ref: '#/components/parameters/Nope'
      responses: {default: {description: x}}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  parameters:
    Verbose: {name: verbose, in: query, required: true, schema: {type: string}}
  schemas:
    User:
      type: object
      properties:
        id: {type: integer}
        manager: {$ref: '#/components/schemas/User'}
"##;

#[test]
fn reads_openapi_3_yaml() {
    let spec = parse_spec("acme.yaml", OPENAPI_YAML).unwrap();
    assert_eq!(spec.hosts, vec!["eu.api.acme.test"]);
    assert_eq!(spec.operations.len(), 4);
    let get = spec
        .operations
        .iter()
        .find(|o| o.operation_id.as_deref() == Some("getUser"))
        .unwrap();
    assert_eq!(get.path, "/v2/users/{id}");
    assert_eq!(get.security, Some(vec!["bearer".to_owned()]));
    let verbose = get.params.iter().find(|p| p.name == "verbose").unwrap();
    assert!(
        verbose.required,
        "operation-level parameter overrides the path-level one"
    );
    assert_eq!(get.params.len(), 2);
    let schema = get
        .responses
        .iter()
        .find(|r| r.status == "200")
        .unwrap()
        .schema
        .as_ref()
        .unwrap();
    assert_eq!(schema["properties"]["id"]["type"], "integer");
    assert_eq!(
        schema["properties"]["manager"]["x-rampart-recursive"],
        "#/components/schemas/User"
    );
    let del = spec
        .operations
        .iter()
        .find(|o| o.method == "DELETE")
        .unwrap();
    assert!(del.deprecated);
    let health = spec
        .operations
        .iter()
        .find(|o| o.path == "/v2/health")
        .unwrap();
    assert_eq!(health.security, Some(vec![]));
    assert_eq!(spec.problems.len(), 1);
    assert!(spec.problems[0]
        .pointer
        .starts_with("/paths/~1broken/get/parameters/0"));
    assert!(spec.problems[0]
        .message
        .contains("#/components/parameters/Nope"));
    assert_eq!(spec.security_schemes[0].scheme.as_deref(), Some("bearer"));
}

#[test]
fn reads_swagger_2_json() {
    let doc = json!({
        "swagger": "2.0",
        "host": "api.example.com:8443",
        "basePath": "/api/v1/",
        "securityDefinitions": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
        "paths": {"/sites/{site_id}": {
            "put": {
                "parameters": [
                    {"name": "site_id", "in": "path", "type": "string"},
                    {"name": "body", "in": "body", "schema": {"$ref": "#/definitions/Site"}}
                ],
                "responses": {"200": {"schema": {"$ref": "#/definitions/Site"}}}
            }
        }},
        "definitions": {"Site": {"type": "object", "properties": {"name": {"type": "string"}}}}
    });
    let spec = from_value("netlify", &doc).unwrap();
    assert_eq!(spec.hosts, vec!["api.example.com"]);
    let op = &spec.operations[0];
    assert_eq!(op.path, "/api/v1/sites/{site_id}");
    assert_eq!(op.params[0].schema["type"], "string");
    assert!(op.params[0].required);
    assert_eq!(
        op.request_schema.as_ref().unwrap()["properties"]["name"]["type"],
        "string"
    );
    assert_eq!(
        spec.security_schemes[0].key_location,
        Some(("header".into(), "X-Key".into()))
    );
}

#[test]
fn real_specs_read_completely() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/specs");
    for (file, ops, first) in [
        ("docker-engine.json", 105, "/v1.33/"),
        ("netlify.json", 108, "/api/v1/"),
        ("spotify.json", 78, "/v1/"),
    ] {
        let spec = load_spec(std::path::Path::new(&format!("{dir}/{file}"))).unwrap();
        assert_eq!(spec.operations.len(), ops, "{file}");
        assert!(
            spec.operations.iter().all(|o| o.path.starts_with(first)),
            "{file}"
        );
        assert!(spec.problems.is_empty(), "{file}: {:?}", spec.problems);
    }
}

#[test]
fn bad_documents_are_errors_with_places() {
    match parse_spec("x.yaml", "openapi: 3.0.0\npaths:\n  /a: [\n") {
        Err(SpecError::Syntax { line, .. }) => assert!(line >= 3, "line {line}"),
        other => panic!("{other:?}"),
    }
    match parse_spec("x.json", "{\"openapi\": \"3.0.0\",\n \"paths\": {,}}") {
        Err(SpecError::Syntax { line: 2, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse_spec("x.json", "{\"name\": \"not a spec\"}"),
        Err(SpecError::NotASpec { .. })
    ));
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "(#/paths/x|#/components/schemas/A|get|/a/\\{id\\}|\\$ref|[a-z]{0,6})"
            .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                "(paths|get|post|parameters|responses|schema|\\$ref|in|name|servers|url|content|swagger|openapi|[a-z/{}]{1,5})",
                inner,
                0..5
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn importer_never_panics_on_any_json(mut v in arb_json()) {
        if let Some(o) = v.as_object_mut() {
            o.insert("openapi".into(), json!("3.0.0"));
        }
        let _ = from_value("fuzz", &v);
    }

    #[test]
    fn parser_never_panics_on_any_text(s in ".{0,200}") {
        let _ = parse_spec("fuzz", &s);
    }
}
