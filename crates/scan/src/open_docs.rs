//! Exposed API documentation and what it leads to: OpenAPI / Swagger documents and UIs served
//! to anyone, their GET operations tried without credentials, and GraphQL introspection.
//!
//! GraphQL introspection is the one POST the scanner sends: a read-only query for the schema's
//! type names, nothing that runs a mutation.

use std::collections::{BTreeMap, HashSet};

use rampart_core::{fast_hash, Severity};

use crate::finding::{Finding, FindingKind};
use crate::http::{fetch, Request, Response};
use crate::openapi;
use crate::scanner::{Ctx, Service};
use crate::service::same_as_baseline;

/// Where API documents are usually served.
const DOC_PATHS: &[&str] = &[
    "/openapi.json",
    "/openapi.yaml",
    "/openapi.yml",
    "/swagger.json",
    "/swagger.yaml",
    "/v3/api-docs",
    "/v2/api-docs",
    "/api-docs",
    "/api/openapi.json",
    "/api/swagger.json",
    "/swagger/v1/swagger.json",
    "/api/v1/openapi.json",
];

/// Where documentation UIs are usually served.
const UI_PATHS: &[&str] = &[
    "/swagger-ui/",
    "/swagger-ui.html",
    "/docs",
    "/redoc",
    "/api/docs",
];

/// Where GraphQL usually answers.
const GRAPHQL_PATHS: &[&str] = &["/graphql", "/api/graphql"];

/// The introspection query: type names only.
const INTROSPECTION: &str =
    r#"{"query":"query RampartScan { __schema { queryType { name } types { name } } }"}"#;

/// Distinct documents whose operations are tried, per service.
const MAX_DOCS: usize = 3;

/// What the documentation checks found.
#[derive(Default)]
pub(crate) struct DocsOutcome {
    /// The findings.
    pub(crate) findings: Vec<Finding>,
    /// Signs that the service is an API.
    pub(crate) signs: Vec<String>,
    /// The first JSON answer of a documented operation (for the security-header check).
    pub(crate) api_response: Option<(String, Response)>,
}

/// Runs the documentation checks.
pub(crate) async fn check(ctx: &Ctx, svc: &Service, baseline: Option<&Response>) -> DocsOutcome {
    let mut out = DocsOutcome::default();
    let now = ctx.opts.now_ms;
    let mut seen = HashSet::new();
    let mut docs = Vec::new();
    for path in DOC_PATHS {
        let Ok(resp) = fetch(ctx, svc, Request::get(ctx, path)).await else {
            continue;
        };
        if !resp.ok() || same_as_baseline(&resp, baseline) {
            continue;
        }
        let Some(doc) = openapi::parse(&resp.body, ctx.opts.max_operations) else {
            continue;
        };
        let first = seen.insert(fast_hash(&resp.body));
        out.signs.push(format!("{} document at {path}", doc.label));
        out.findings.push(Finding::new(
            FindingKind::ApiDocsExposed,
            Severity::Medium,
            &svc.target,
            path,
            format!(
                "{} document served without credentials at {path}",
                doc.label
            ),
            vec![format!(
                "{} \"{}\": {} paths, {} GET operations ({} bytes{})",
                doc.label,
                doc.title,
                doc.paths,
                doc.total_gets,
                resp.body.len(),
                if first {
                    ""
                } else {
                    ", the same document as another path"
                }
            )],
            now,
        ));
        if first && docs.len() < MAX_DOCS {
            docs.push((path.to_string(), doc));
        }
    }
    for path in UI_PATHS {
        let Ok(resp) = fetch(ctx, svc, Request::get(ctx, path)).await else {
            continue;
        };
        if !resp.ok() || same_as_baseline(&resp, baseline) {
            continue;
        }
        let text = String::from_utf8_lossy(&resp.body).to_ascii_lowercase();
        let ui = if text.contains("swagger-ui") {
            "Swagger UI"
        } else if text.contains("redoc") {
            "ReDoc"
        } else {
            continue;
        };
        out.findings.push(Finding::new(
            FindingKind::ApiDocsExposed,
            Severity::Low,
            &svc.target,
            path,
            format!("{ui} served without credentials at {path}"),
            vec![format!(
                "GET {path} answered {} with a page naming {ui}",
                resp.status
            )],
            now,
        ));
    }
    for (doc_path, doc) in &docs {
        for op in &doc.gets {
            let Ok(resp) = fetch(ctx, svc, Request::get(ctx, &op.path)).await else {
                continue;
            };
            if !resp.ok() || same_as_baseline(&resp, baseline) || !has_data(&resp) {
                continue;
            }
            out.findings
                .push(unauthenticated(ctx, svc, doc_path, op, &resp));
            if out.api_response.is_none() && resp.is_json() {
                out.api_response = Some((op.path.clone(), resp));
            }
        }
    }
    for path in GRAPHQL_PATHS {
        let req = Request {
            method: "POST",
            path,
            headers: vec![("content-type", "application/json".to_owned())],
            body: Some(INTROSPECTION.as_bytes().to_vec()),
            max_body: ctx.opts.max_body,
        };
        let Ok(resp) = fetch(ctx, svc, req).await else {
            continue;
        };
        let Some(types) = introspection_types(&resp) else {
            continue;
        };
        out.signs.push(format!("GraphQL at {path}"));
        out.findings.push(Finding::new(
            FindingKind::GraphqlIntrospection,
            Severity::Medium,
            &svc.target,
            path,
            format!("GraphQL introspection answers without credentials at {path}"),
            vec![format!(
                "POST {path} with an introspection query answered {} with a schema of {types} types",
                resp.status
            )],
            now,
        ));
        break;
    }
    out
}

/// Whether an answer carries data: JSON other than null, `{}` or `[]`, or XML.
pub(crate) fn has_data(resp: &Response) -> bool {
    if resp.body.iter().all(u8::is_ascii_whitespace) {
        return false;
    }
    if resp.is_json() {
        return match serde_json::from_slice::<serde_json::Value>(&resp.body) {
            Ok(serde_json::Value::Null) => false,
            Ok(serde_json::Value::Object(o)) => !o.is_empty(),
            Ok(serde_json::Value::Array(a)) => !a.is_empty(),
            Ok(_) => true,
            Err(_) => resp.truncated,
        };
    }
    resp.is_xml()
}

/// The number of schema types when the answer is an introspection result.
fn introspection_types(resp: &Response) -> Option<usize> {
    if !resp.ok() {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&resp.body).ok()?;
    v.get("data")?
        .get("__schema")?
        .get("types")?
        .as_array()
        .map(Vec::len)
}

fn unauthenticated(
    ctx: &Ctx,
    svc: &Service,
    doc_path: &str,
    op: &openapi::GetOp,
    resp: &Response,
) -> Finding {
    let mut evidence = vec![format!(
        "GET {} answered {} {} ({} bytes{}) without credentials",
        op.path,
        resp.status,
        resp.media_type(),
        resp.body.len(),
        if resp.truncated {
            ", more not read"
        } else {
            ""
        }
    )];
    evidence.push(format!("documented in {doc_path} as GET {}", op.template));
    if op.secured {
        evidence.push("the document declares a security requirement for it".into());
    }
    let mut classes: BTreeMap<String, (usize, String)> = BTreeMap::new();
    if let Some(classify) = &ctx.opts.classify {
        for hit in classify(&resp.body) {
            let e = classes.entry(hit.class).or_insert((0, hit.redacted));
            e.0 += 1;
        }
    }
    if !classes.is_empty() {
        let list: Vec<String> = classes
            .iter()
            .map(|(c, (n, example))| format!("{c} ×{n} (e.g. {example})"))
            .collect();
        evidence.push(format!("sensitive data: {}", list.join(", ")));
    }
    let severity = if !classes.is_empty() || op.secured {
        Severity::High
    } else {
        Severity::Medium
    };
    let classes_title = if classes.is_empty() {
        String::new()
    } else {
        format!(
            " ({})",
            classes.keys().cloned().collect::<Vec<_>>().join(", ")
        )
    };
    let mut finding = Finding::new(
        FindingKind::UnauthenticatedApi,
        severity,
        &svc.target,
        &op.template,
        format!(
            "GET {} answers with data without credentials{classes_title}",
            op.template
        ),
        evidence,
        ctx.opts.now_ms,
    );
    finding.data_classes = classes.into_keys().collect();
    finding
}
