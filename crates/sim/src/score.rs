//! How well a discovered inventory matches the ground truth.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::template::{covers, normalize_template};
use crate::truth::GroundTruth;

/// Accuracy of a discovered inventory against the truth.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Score {
    /// Distinct truth endpoints.
    pub truth: usize,
    /// Distinct discovered endpoints.
    pub discovered: usize,
    /// Discovered endpoints that are in the truth.
    pub true_positives: usize,
    /// `true_positives / discovered` (0 when nothing was discovered).
    pub precision: f64,
    /// `true_positives / truth` (0 when the truth is empty).
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Shadow endpoints in the truth.
    pub shadow_total: usize,
    /// Shadow endpoints discovered.
    pub shadow_found: usize,
    /// Static siblings in the truth.
    pub static_siblings_total: usize,
    /// Static siblings not discovered because a discovered parametric template covers them
    /// (`METHOD template`, sorted).
    pub static_siblings_merged: Vec<String>,
    /// Discovered endpoints not in the truth (`METHOD template`, sorted).
    pub false_positives: Vec<String>,
    /// Truth endpoints not discovered (`METHOD template`, sorted).
    pub false_negatives: Vec<String>,
}

/// Scores `discovered` `(method, template)` pairs against `truth`; templates are compared after
/// [`normalize_template`], methods case-insensitively.
pub fn score(truth: &GroundTruth, discovered: &[(String, String)]) -> Score {
    let key = |m: &str, t: &str| (m.to_ascii_uppercase(), normalize_template(t));
    let truth_set: BTreeSet<(String, String)> = truth
        .endpoints
        .iter()
        .map(|e| key(&e.method, &e.template))
        .collect();
    let found: BTreeSet<(String, String)> = discovered.iter().map(|(m, t)| key(m, t)).collect();
    let label = |(m, t): &(String, String)| format!("{m} {t}");

    let true_positives = truth_set.intersection(&found).count();
    let precision = ratio(true_positives, found.len());
    let recall = ratio(true_positives, truth_set.len());
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };

    let shadows: BTreeSet<(String, String)> = truth
        .endpoints
        .iter()
        .filter(|e| e.shadow)
        .map(|e| key(&e.method, &e.template))
        .collect();
    let siblings: BTreeSet<(String, String)> = truth
        .endpoints
        .iter()
        .filter(|e| e.static_sibling)
        .map(|e| key(&e.method, &e.template))
        .collect();
    let static_siblings_merged = siblings
        .iter()
        .filter(|s| !found.contains(*s))
        .filter(|(m, t)| {
            found
                .iter()
                .any(|(fm, ft)| fm == m && ft.contains("{}") && covers(ft, t))
        })
        .map(label)
        .collect();

    Score {
        truth: truth_set.len(),
        discovered: found.len(),
        true_positives,
        precision,
        recall,
        f1,
        shadow_total: shadows.len(),
        shadow_found: shadows.intersection(&found).count(),
        static_siblings_total: siblings.len(),
        static_siblings_merged,
        false_positives: found.difference(&truth_set).map(label).collect(),
        false_negatives: truth_set.difference(&found).map(label).collect(),
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::truth::TruthEndpoint;

    fn truth(eps: &[(&str, &str, bool, bool)]) -> GroundTruth {
        GroundTruth {
            host: "api.example.com".into(),
            endpoints: eps
                .iter()
                .map(|(m, t, shadow, sib)| TruthEndpoint {
                    method: (*m).into(),
                    template: (*t).into(),
                    shadow: *shadow,
                    static_sibling: *sib,
                    requests: 3,
                })
                .collect(),
            probes: 0,
        }
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(m, t)| ((*m).into(), (*t).into())).collect()
    }

    #[test]
    fn perfect_discovery_scores_one_whatever_the_names() {
        let t = truth(&[
            ("GET", "/users/{id}", false, false),
            ("GET", "/internal/health", true, false),
        ]);
        let s = score(
            &t,
            &pairs(&[("get", "/users/{user}/"), ("GET", "/internal/health")]),
        );
        assert_eq!((s.truth, s.discovered, s.true_positives), (2, 2, 2));
        assert!((s.f1 - 1.0).abs() < 1e-9);
        assert_eq!((s.shadow_total, s.shadow_found), (1, 1));
        assert!(s.false_positives.is_empty() && s.false_negatives.is_empty());
    }

    #[test]
    fn half_discovery() {
        let t = truth(&[
            ("GET", "/a", false, false),
            ("GET", "/b", false, false),
            ("GET", "/c", false, false),
            ("GET", "/d", false, false),
        ]);
        let s = score(
            &t,
            &pairs(&[("GET", "/a"), ("GET", "/b"), ("GET", "/x"), ("POST", "/a")]),
        );
        assert_eq!(s.true_positives, 2);
        assert!((s.precision - 0.5).abs() < 1e-9);
        assert!((s.recall - 0.5).abs() < 1e-9);
        assert!((s.f1 - 0.5).abs() < 1e-9);
        assert_eq!(s.false_positives, vec!["GET /x", "POST /a"]);
        assert_eq!(s.false_negatives, vec!["GET /c", "GET /d"]);
    }

    #[test]
    fn merged_static_sibling_is_reported() {
        let t = truth(&[
            ("GET", "/users/{id}", false, false),
            ("GET", "/users/me", false, true),
            ("GET", "/users/export", true, true),
        ]);
        let s = score(
            &t,
            &pairs(&[("GET", "/users/{x}"), ("GET", "/users/export")]),
        );
        assert_eq!(s.static_siblings_total, 2);
        assert_eq!(s.static_siblings_merged, vec!["GET /users/me"]);
        assert_eq!(s.false_negatives, vec!["GET /users/me"]);
        assert_eq!(s.shadow_found, 1);
    }

    #[test]
    fn empty_inputs_do_not_divide_by_zero() {
        let s = score(&truth(&[]), &[]);
        assert_eq!((s.precision, s.recall, s.f1), (0.0, 0.0, 0.0));
    }
}
