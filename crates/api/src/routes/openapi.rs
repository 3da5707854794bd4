//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of this API, kept as
//! `crates/api/openapi.json`. A test holds it and the route table to the same endpoints.

use axum::response::Response;
use http::StatusCode;

use crate::reply;

/// The OpenAPI 3.1 document describing every endpoint of the management API.
pub const OPENAPI: &str = include_str!("../../openapi.json");

pub(super) async fn openapi() -> Response {
    reply::with_type(
        StatusCode::OK,
        "application/json",
        OPENAPI.as_bytes().to_vec(),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::routes::ROUTES;

    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];

    fn document() -> serde_json::Value {
        serde_json::from_str(OPENAPI).expect("openapi.json parses as JSON")
    }

    #[test]
    fn is_openapi_3_1() {
        let doc = document();
        let version = doc["openapi"].as_str().unwrap_or_default();
        assert!(version.starts_with("3.1."), "openapi: {version}");
        assert!(doc["info"]["title"].is_string());
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    }

    #[test]
    fn documents_exactly_the_routes_of_the_router() {
        let doc = document();
        let mut documented = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (key, _) in item.as_object().expect("path item") {
                if METHODS.contains(&key.as_str()) {
                    documented.insert((key.to_uppercase(), path.clone()));
                }
            }
        }
        let routed: BTreeSet<(String, String)> = ROUTES
            .iter()
            .map(|r| (r.method.to_string(), r.path.to_owned()))
            .collect();
        let missing: Vec<_> = routed.difference(&documented).collect();
        let extra: Vec<_> = documented.difference(&routed).collect();
        assert!(
            missing.is_empty(),
            "routes not in openapi.json: {missing:?}"
        );
        assert!(
            extra.is_empty(),
            "openapi.json operations with no route: {extra:?}"
        );
    }

    #[test]
    fn security_matches_the_public_routes() {
        let doc = document();
        assert!(doc["security"].is_array(), "a global bearer requirement");
        for r in ROUTES {
            let op = &doc["paths"][r.path][r.method.as_str().to_lowercase()];
            let open = op["security"].as_array().is_some_and(|s| s.is_empty());
            assert_eq!(open, r.public, "{} {}: security", r.method, r.path);
            let has_401 = op["responses"]["401"].is_object();
            assert_eq!(has_401, !r.public, "{} {}: 401 response", r.method, r.path);
            assert!(op["operationId"].is_string(), "{} {}", r.method, r.path);
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        assert!(!refs.is_empty());
        for r in refs {
            let pointer = r.strip_prefix('#').expect("local reference");
            assert!(doc.pointer(pointer).is_some(), "dangling $ref {r}");
        }
    }

    fn collect_refs(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    if k == "$ref" {
                        out.push(v.as_str().unwrap_or_default().to_owned());
                    } else {
                        collect_refs(v, out);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
            _ => {}
        }
    }
}
