//! The diff between what is served and what is documented: shadow endpoints (served, not
//! documented), zombies (documented as deprecated, still served), unused operations
//! (documented, never seen) and mismatches (undocumented methods and status codes, missing
//! authentication).

use std::collections::{BTreeSet, HashSet};

use rampart_core::EventTime;
use serde::Serialize;

use crate::spec::{Operation, Spec};

/// What the diff needs to know about one observed endpoint.
#[derive(Debug, Clone)]
pub struct Observed {
    /// Host (empty when unknown).
    pub host: String,
    /// Upper-case method.
    pub method: String,
    /// Template.
    pub template: String,
    /// The documented operation it matched while templating: (spec index, operation index).
    pub documented: Option<(usize, usize)>,
    /// Requests.
    pub hits: u64,
    /// First request.
    pub first_seen: EventTime,
    /// Last request.
    pub last_seen: EventTime,
    /// Requests per status code.
    pub statuses: Vec<(u16, u64)>,
    /// Credential kinds seen (`jwt`, `api_key_header`, ...); empty when only anonymous.
    pub credential_kinds: Vec<String>,
    /// 2xx answers to requests without any credential.
    pub unauthenticated_success: u64,
}

/// Kinds of diff findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Served but not documented.
    Shadow,
    /// Documented as deprecated and still served.
    Zombie,
    /// Documented and never seen.
    Unused,
    /// A documented path served with a method the spec does not list.
    UndocumentedMethod,
    /// A status code the operation's documented responses do not allow.
    UndocumentedStatus,
    /// The spec requires credentials; 2xx answers went to requests without any.
    MissingAuth,
}

/// One finding.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// What kind.
    pub kind: FindingKind,
    /// Method.
    pub method: String,
    /// Host (empty when unknown).
    pub host: String,
    /// Template.
    pub template: String,
    /// A sentence with the numbers.
    pub detail: String,
    /// Requests seen (0 for unused operations).
    pub hits: u64,
    /// The spec it concerns.
    pub spec: Option<String>,
    /// The documented operation's id.
    pub operation_id: Option<String>,
}

/// The diff, by category.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SpecDiff {
    /// Served, undocumented endpoints.
    pub shadow: Vec<Finding>,
    /// Deprecated operations still served.
    pub zombie: Vec<Finding>,
    /// Documented operations never seen.
    pub unused: Vec<Finding>,
    /// Undocumented methods and status codes, missing authentication.
    pub mismatches: Vec<Finding>,
}

/// Compares observed endpoints with the specs they were templated against.
pub fn diff(specs: &[Spec], observed: &[Observed]) -> SpecDiff {
    let mut out = SpecDiff::default();
    let mut seen_ops: HashSet<(usize, usize)> = HashSet::new();
    let documented_paths: HashSet<(usize, &str)> = specs
        .iter()
        .enumerate()
        .flat_map(|(si, s)| s.operations.iter().map(move |o| (si, o.path.as_str())))
        .collect();
    for o in observed {
        let Some((si, oi)) = o.documented else {
            let covering: Vec<usize> = (0..specs.len())
                .filter(|si| covers(&specs[*si], &o.host))
                .collect();
            if covering.is_empty() {
                continue;
            }
            let same_path = covering
                .iter()
                .find(|si| documented_paths.contains(&(**si, o.template.as_str())));
            match same_path {
                Some(si) => out.mismatches.push(finding(
                    FindingKind::UndocumentedMethod,
                    o,
                    format!(
                        "{} is documented, but not for {} ({} requests)",
                        o.template, o.method, o.hits
                    ),
                    Some(&specs[*si]),
                    None,
                )),
                None => out.shadow.push(finding(
                    FindingKind::Shadow,
                    o,
                    format!(
                        "served {} times, first {}, last {}; in no spec",
                        o.hits, o.first_seen, o.last_seen
                    ),
                    None,
                    None,
                )),
            }
            continue;
        };
        let (Some(spec), Some(op)) = (
            specs.get(si),
            specs.get(si).and_then(|s| s.operations.get(oi)),
        ) else {
            continue;
        };
        seen_ops.insert((si, oi));
        if op.deprecated {
            out.zombie.push(finding(
                FindingKind::Zombie,
                o,
                format!(
                    "deprecated, still served: {} requests, last {}",
                    o.hits, o.last_seen
                ),
                Some(spec),
                Some(op),
            ));
        }
        let undocumented: Vec<String> = o
            .statuses
            .iter()
            .filter(|(s, _)| *s != 0 && !status_documented(op, *s))
            .map(|(s, n)| format!("{s} ×{n}"))
            .collect();
        if !undocumented.is_empty() && !op.responses.is_empty() {
            out.mismatches.push(finding(
                FindingKind::UndocumentedStatus,
                o,
                format!("status codes not in the spec: {}", undocumented.join(", ")),
                Some(spec),
                Some(op),
            ));
        }
        if op.security.as_ref().is_some_and(|s| !s.is_empty()) && o.unauthenticated_success > 0 {
            out.mismatches.push(finding(
                FindingKind::MissingAuth,
                o,
                format!(
                    "the spec requires {}; {} requests without any credential were answered 2xx",
                    op.security.as_deref().unwrap_or_default().join(" or "),
                    o.unauthenticated_success
                ),
                Some(spec),
                Some(op),
            ));
        }
    }
    let observed_hosts: BTreeSet<&str> = observed.iter().map(|o| o.host.as_str()).collect();
    for (si, spec) in specs.iter().enumerate() {
        let relevant = observed_hosts.iter().any(|h| covers(spec, h)) || observed.is_empty();
        if !relevant {
            continue;
        }
        for (oi, op) in spec.operations.iter().enumerate() {
            if seen_ops.contains(&(si, oi)) {
                continue;
            }
            out.unused.push(Finding {
                kind: FindingKind::Unused,
                method: op.method.clone(),
                host: spec.hosts.first().cloned().unwrap_or_default(),
                template: op.path.clone(),
                detail: if op.deprecated {
                    "documented (deprecated), never seen".into()
                } else {
                    "documented, never seen".into()
                },
                hits: 0,
                spec: Some(spec.source.clone()),
                operation_id: op.operation_id.clone(),
            });
        }
    }
    for list in [
        &mut out.shadow,
        &mut out.zombie,
        &mut out.unused,
        &mut out.mismatches,
    ] {
        list.sort_by(|a, b| {
            (&a.host, &a.template, &a.method, a.kind).cmp(&(
                &b.host,
                &b.template,
                &b.method,
                b.kind,
            ))
        });
    }
    out
}

/// Whether a spec describes a host: specs without hosts describe every host.
fn covers(spec: &Spec, host: &str) -> bool {
    spec.hosts.is_empty()
        || host.is_empty()
        || spec.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
}

/// Whether a status code matches a documented response (`200`, `2XX`, `default`).
fn status_documented(op: &Operation, status: u16) -> bool {
    let code = status.to_string();
    op.responses.iter().any(|r| {
        let s = r.status.to_ascii_uppercase();
        s == "DEFAULT"
            || s == code
            || (s.len() == 3 && s.ends_with("XX") && s.as_bytes()[0] == code.as_bytes()[0])
    })
}

fn finding(
    kind: FindingKind,
    o: &Observed,
    detail: String,
    spec: Option<&Spec>,
    op: Option<&Operation>,
) -> Finding {
    Finding {
        kind,
        method: o.method.clone(),
        host: o.host.clone(),
        template: o.template.clone(),
        detail,
        hits: o.hits,
        spec: spec.map(|s| s.source.clone()),
        operation_id: op.and_then(|o| o.operation_id.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ResponseSpec;

    fn spec() -> Spec {
        let op =
            |method: &str, path: &str, deprecated: bool, security: Option<Vec<String>>| Operation {
                method: method.into(),
                path: path.into(),
                deprecated,
                security,
                responses: vec![
                    ResponseSpec {
                        status: "200".into(),
                        schema: None,
                    },
                    ResponseSpec {
                        status: "4XX".into(),
                        schema: None,
                    },
                ],
                ..Operation::default()
            };
        Spec {
            source: "acme.yaml".into(),
            hosts: vec!["api.acme.test".into()],
            operations: vec![
                op("GET", "/users/{id}", false, Some(vec!["bearer".into()])),
                op("GET", "/v1/users/{id}", true, None),
                op("POST", "/users", false, None),
            ],
            ..Spec::default()
        }
    }

    fn observed(method: &str, template: &str, documented: Option<(usize, usize)>) -> Observed {
        Observed {
            host: "api.acme.test".into(),
            method: method.into(),
            template: template.into(),
            documented,
            hits: 10,
            first_seen: EventTime::from_unix_millis(0),
            last_seen: EventTime::from_unix_millis(1000),
            statuses: vec![(200, 8), (404, 1), (500, 1)],
            credential_kinds: vec![],
            unauthenticated_success: 3,
        }
    }

    #[test]
    fn every_kind_of_finding() {
        let specs = [spec()];
        let d = diff(
            &specs,
            &[
                observed("GET", "/users/{id}", Some((0, 0))),
                observed("GET", "/v1/users/{id}", Some((0, 1))),
                observed("DELETE", "/users/{id}", None),
                observed("GET", "/internal/debug", None),
            ],
        );
        assert_eq!(d.shadow.len(), 1);
        assert_eq!(d.shadow[0].template, "/internal/debug");
        assert_eq!(d.zombie.len(), 1);
        assert_eq!(d.unused.len(), 1);
        assert_eq!(d.unused[0].template, "/users");
        let kinds: Vec<FindingKind> = d.mismatches.iter().map(|m| m.kind).collect();
        assert!(kinds.contains(&FindingKind::UndocumentedMethod));
        assert!(kinds.contains(&FindingKind::MissingAuth));
        let status = d
            .mismatches
            .iter()
            .find(|m| m.kind == FindingKind::UndocumentedStatus)
            .unwrap();
        assert!(
            status.detail.contains("500") && !status.detail.contains("404"),
            "{}",
            status.detail
        );
    }

    #[test]
    fn other_hosts_are_not_judged_by_the_spec() {
        let specs = [spec()];
        let mut o = observed("GET", "/internal/debug", None);
        o.host = "other.test".into();
        let d = diff(&specs, &[o]);
        assert!(d.shadow.is_empty());
        assert!(
            d.unused.is_empty(),
            "a spec for another host has nothing unused here"
        );
    }

    #[test]
    fn clean_traffic_gives_no_mismatch() {
        let specs = [spec()];
        let mut o = observed("GET", "/users/{id}", Some((0, 0)));
        o.unauthenticated_success = 0;
        o.statuses = vec![(200, 10)];
        let d = diff(&specs, &[o]);
        assert!(d.mismatches.is_empty() && d.shadow.is_empty());
    }
}
