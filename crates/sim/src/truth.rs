//! What was really served: the ground truth discovery is measured against.

use serde::{Deserialize, Serialize};

use crate::template::{is_param, normalize_template, segments};

/// Every endpoint that answered in the generated traffic.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroundTruth {
    /// Host every request was addressed to.
    pub host: String,
    /// Documented and shadow endpoints, each requested at least once with a 2xx answer.
    pub endpoints: Vec<TruthEndpoint>,
    /// Scanner probes sent (none of them is an endpoint).
    pub probes: u64,
}

/// One served endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TruthEndpoint {
    /// Upper-case method.
    pub method: String,
    /// Path template, prefix included.
    pub template: String,
    /// Served but not in the spec.
    pub shadow: bool,
    /// Has a literal segment where another endpoint with the same method and prefix has a
    /// parameter (`/users/me` beside `/users/{id}`).
    pub static_sibling: bool,
    /// Requests sent to it.
    pub requests: u64,
}

/// Sets [`TruthEndpoint::static_sibling`] on every endpoint it applies to.
pub(crate) fn mark_static_siblings(endpoints: &mut [TruthEndpoint]) {
    let shapes: Vec<(String, Vec<String>)> = endpoints
        .iter()
        .map(|e| {
            let norm = normalize_template(&e.template);
            let segs = segments(&norm).into_iter().map(str::to_owned).collect();
            (e.method.clone(), segs)
        })
        .collect();
    for (i, endpoint) in endpoints.iter_mut().enumerate() {
        let Some((method, segs)) = shapes.get(i) else {
            continue;
        };
        endpoint.static_sibling = segs.iter().enumerate().any(|(pos, seg)| {
            !is_param(seg)
                && shapes.iter().enumerate().any(|(j, (m, other))| {
                    j != i
                        && m == method
                        && other.get(pos).is_some_and(|s| is_param(s))
                        && other.get(..pos) == segs.get(..pos)
                })
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(method: &str, template: &str) -> TruthEndpoint {
        TruthEndpoint {
            method: method.into(),
            template: template.into(),
            shadow: false,
            static_sibling: false,
            requests: 1,
        }
    }

    #[test]
    fn literal_beside_parameter_is_a_static_sibling() {
        let mut eps = vec![
            ep("GET", "/users/me"),
            ep("GET", "/users/{id}"),
            ep("POST", "/users/search"),
            ep("GET", "/users/{id}/orders"),
            ep("GET", "/users/{id}/orders/recent"),
            ep("GET", "/users/{userId}/orders/{orderId}"),
        ];
        mark_static_siblings(&mut eps);
        let marked: Vec<bool> = eps.iter().map(|e| e.static_sibling).collect();
        assert_eq!(marked, vec![true, false, false, false, true, false]);
    }
}
