//! The learned inventory as an OpenAPI 3.0 document.
//!
//! Parameters are typed from what was observed (path parameters by segment kind, query
//! parameters and JSON body fields by the JSON types and formats seen), responses list the
//! observed status codes with their body schemas, `securitySchemes` name the credentials seen,
//! and Rampart's own facts travel in `x-rampart-*` extensions (hits, clients, first and last
//! seen, unauthenticated successes, sensitive data classes with redacted examples, and why the
//! template is what it is).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::auth::CredentialKind;
use crate::facts::EndpointFacts;
use crate::schema::schema_from_fields;
use crate::segment::SegmentKind;

/// One endpoint to export.
#[derive(Debug, Clone, Copy)]
pub struct ExportEndpoint<'a> {
    /// Host (empty when unknown).
    pub host: &'a str,
    /// Upper-case method.
    pub method: &'a str,
    /// Path template.
    pub template: &'a str,
    /// Observed facts.
    pub facts: &'a EndpointFacts,
    /// Kinds of the template's path parameters, in order (may be shorter than the template's
    /// parameters; missing ones are strings).
    pub param_kinds: &'a [SegmentKind],
    /// Why the template is what it is.
    pub explanation: &'a [String],
}

/// Methods OpenAPI 3.0 path items can hold.
const OPENAPI_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The OpenAPI 3.0.3 document of `endpoints`.
pub fn export_openapi(title: &str, endpoints: &[ExportEndpoint<'_>]) -> Value {
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut schemes: BTreeMap<String, Value> = BTreeMap::new();
    let mut hosts: Vec<&str> = Vec::new();
    let mut op_ids: Vec<String> = Vec::new();
    let mut skipped = Vec::new();
    for e in endpoints {
        let method = e.method.to_ascii_lowercase();
        if !OPENAPI_METHODS.contains(&method.as_str()) || !e.template.starts_with('/') {
            skipped.push(format!("{} {}", e.method, e.template));
            continue;
        }
        if !e.host.is_empty() && !hosts.contains(&e.host) {
            hosts.push(e.host);
        }
        let item = paths.entry(e.template.to_owned()).or_default();
        if item.contains_key(&method) {
            // The same template and method on two hosts: the first (busiest) one is exported.
            continue;
        }
        let mut op = operation(e, &mut schemes);
        let id = unique_id(&method, e.template, &mut op_ids);
        op.insert("operationId".into(), json!(id));
        item.insert(method, Value::Object(op));
    }
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": title,
            "version": "learned",
            "description": "Endpoints observed in traffic by Rampart. Counts and times are in x-rampart-* extensions.",
        },
        "paths": paths,
    });
    if !hosts.is_empty() {
        doc["servers"] = Value::Array(
            hosts
                .iter()
                .map(|h| json!({"url": format!("https://{h}")}))
                .collect(),
        );
    }
    if !schemes.is_empty() {
        doc["components"] = json!({ "securitySchemes": schemes });
    }
    if !skipped.is_empty() {
        doc["x-rampart-not-exported"] = json!(skipped);
    }
    doc
}

fn operation(e: &ExportEndpoint<'_>, schemes: &mut BTreeMap<String, Value>) -> Map<String, Value> {
    let f = e.facts;
    let mut op = Map::new();
    op.insert(
        "summary".into(),
        json!(format!("{} {}", e.method, e.template)),
    );
    let mut params = path_params(e.template, e.param_kinds);
    for (name, q) in &f.query {
        let mut p = json!({
            "name": name,
            "in": "query",
            "required": q.count >= f.hits && f.hits > 0,
            "schema": q.schema(),
        });
        if p["schema"].as_object().is_some_and(Map::is_empty) {
            p["schema"] = json!({"type": "string"});
        }
        params.push(p);
    }
    if !params.is_empty() {
        op.insert("parameters".into(), Value::Array(params));
    }
    if !f.request_fields.is_empty() {
        let media = f
            .request_content_types
            .keys()
            .find(|c| c.contains("json"))
            .cloned()
            .unwrap_or_else(|| "application/json".into());
        let schema = schema_from_fields(f.request_fields.iter().map(|(k, v)| (k.as_str(), v)));
        op.insert(
            "requestBody".into(),
            json!({"content": {media: {"schema": schema}}}),
        );
    }
    op.insert("responses".into(), responses(f));
    let security = security(f, schemes);
    if !security.is_empty() {
        op.insert("security".into(), Value::Array(security));
    }
    op.insert("x-rampart-hits".into(), json!(f.hits()));
    op.insert("x-rampart-clients".into(), json!(f.distinct_clients()));
    if f.first_seen_ms.is_some() {
        op.insert(
            "x-rampart-first-seen".into(),
            json!(f.first_seen().to_string()),
        );
        op.insert(
            "x-rampart-last-seen".into(),
            json!(f.last_seen().to_string()),
        );
    }
    if !e.host.is_empty() {
        op.insert("x-rampart-host".into(), json!(e.host));
    }
    op.insert(
        "x-rampart-unauthenticated-success".into(),
        json!(f.unauthenticated_success()),
    );
    if !f.sensitive.is_empty() {
        let classes: Vec<Value> = f
            .sensitive
            .iter()
            .map(|(class, s)| {
                json!({
                    "class": class.name(),
                    "in_request": s.in_request,
                    "in_response": s.in_response,
                    "locations": s.locations,
                    "example": s.example,
                })
            })
            .collect();
        op.insert("x-rampart-sensitive".into(), Value::Array(classes));
    }
    if let (Some(p50), Some(p99)) = (f.latency.quantile(0.5), f.latency.quantile(0.99)) {
        op.insert(
            "x-rampart-latency-ms".into(),
            json!({"p50": p50, "p99": p99}),
        );
    }
    if !e.explanation.is_empty() {
        op.insert("x-rampart-why".into(), json!(e.explanation));
    }
    op
}

/// Path parameters named in a template, typed by kind when known.
fn path_params(template: &str, kinds: &[SegmentKind]) -> Vec<Value> {
    let mut out = Vec::new();
    let mut rest = template;
    let mut i = 0;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        if name.is_empty() || out.iter().any(|p: &Value| p["name"] == name) {
            continue;
        }
        let kind = kinds
            .get(i)
            .copied()
            .or_else(|| SegmentKind::from_placeholder(name));
        i += 1;
        let schema = kind.map_or_else(|| json!({"type": "string"}), SegmentKind::openapi_schema);
        out.push(json!({"name": name, "in": "path", "required": true, "schema": schema}));
    }
    out
}

fn responses(f: &EndpointFacts) -> Value {
    let mut out = Map::new();
    for (status, n) in f.statuses() {
        if !(100..=599).contains(&status) {
            continue;
        }
        let mut r = json!({
            "description": format!("Observed {n} time{}", if n == 1 { "" } else { "s" }),
        });
        if let Some(fields) = f.response_fields.get(&status).filter(|m| !m.is_empty()) {
            let media = f
                .response_content_types
                .keys()
                .find(|c| c.contains("json"))
                .cloned()
                .unwrap_or_else(|| "application/json".into());
            let schema = schema_from_fields(fields.iter().map(|(k, v)| (k.as_str(), v)));
            r["content"] = json!({ media: {"schema": schema} });
        }
        out.insert(status.to_string(), r);
    }
    if out.is_empty() {
        out.insert(
            "default".into(),
            json!({"description": "No status code was observed"}),
        );
    }
    Value::Object(out)
}

/// Security requirements for the credentials seen, registering their schemes.
fn security(f: &EndpointFacts, schemes: &mut BTreeMap<String, Value>) -> Vec<Value> {
    let mut reqs = Vec::new();
    for (kind, _) in f.credential_kinds() {
        let entries: Vec<(String, Value)> = match kind {
            CredentialKind::Basic => vec![(
                "basicAuth".into(),
                json!({"type": "http", "scheme": "basic"}),
            )],
            CredentialKind::Bearer => vec![(
                "bearerAuth".into(),
                json!({"type": "http", "scheme": "bearer"}),
            )],
            CredentialKind::Jwt => vec![(
                "jwtAuth".into(),
                json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}),
            )],
            CredentialKind::Digest => vec![(
                "digestAuth".into(),
                json!({"type": "http", "scheme": "digest"}),
            )],
            CredentialKind::ApiKeyHeader
            | CredentialKind::ApiKeyQuery
            | CredentialKind::SessionCookie => {
                let place = match kind {
                    CredentialKind::ApiKeyHeader => "header",
                    CredentialKind::ApiKeyQuery => "query",
                    _ => "cookie",
                };
                f.auth
                    .locations
                    .iter()
                    .filter_map(|l| l.strip_prefix(place).map(str::trim))
                    .filter(|name| !name.is_empty())
                    .map(|name| {
                        let scheme = format!("{place}_{}", scheme_name(name));
                        (scheme, json!({"type": "apiKey", "in": place, "name": name}))
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        for (name, scheme) in entries {
            schemes.entry(name.clone()).or_insert(scheme);
            let mut req = Map::new();
            req.insert(name, json!([]));
            reqs.push(Value::Object(req));
        }
    }
    if !reqs.is_empty() && f.unauthenticated_success() > 0 {
        // Anonymous requests were answered too: say so, as OpenAPI does, with an empty requirement.
        reqs.push(json!({}));
    }
    reqs.dedup();
    reqs
}

/// A component name (`^[a-zA-Z0-9._-]+$`) for a header, query or cookie name.
fn scheme_name(name: &str) -> String {
    name.chars()
        .take(48)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn unique_id(method: &str, template: &str, used: &mut Vec<String>) -> String {
    let mut id = String::from(method);
    for part in template.split(|c: char| !c.is_ascii_alphanumeric()) {
        if !part.is_empty() {
            id.push('_');
            id.push_str(part);
        }
    }
    let base = id.clone();
    let mut n = 2;
    while used.contains(&id) {
        id = format!("{base}_{n}");
        n += 1;
    }
    used.push(id.clone());
    id
}
