//! Matching concrete paths against documented (or pinned) templates.
//!
//! All templates of all specs go into one trie of segment patterns. Matching walks it
//! depth-first, literal children before parameters, so `/users/me` wins over `/users/{id}` as
//! OpenAPI says.

use std::collections::HashMap;

use super::path::segments;

/// One segment of a documented template.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Pattern {
    /// `{name}`: any non-empty segment.
    Any,
    /// `{name}` documented as an integer: digits only.
    Number,
    /// `{name}` documented with `format: uuid`.
    Uuid,
    /// Literal text around parameters (`{name}.json`, `v{major}`): the literal parts, in order;
    /// the first is a required prefix and the last a required suffix.
    Glob(Vec<String>),
}

impl Pattern {
    fn parse(seg: &str) -> Option<Self> {
        if !seg.contains('{') {
            return None;
        }
        let mut parts = Vec::new();
        let mut rest = seg;
        loop {
            match rest.find('{') {
                Some(open) => {
                    parts.push(rest[..open].to_owned());
                    match rest[open..].find('}') {
                        Some(close) => rest = &rest[open + close + 1..],
                        None => {
                            rest = "";
                        }
                    }
                }
                None => {
                    parts.push(rest.to_owned());
                    break;
                }
            }
        }
        if parts.iter().all(String::is_empty) {
            Some(Pattern::Any)
        } else {
            Some(Pattern::Glob(parts))
        }
    }

    fn matches(&self, seg: &str) -> bool {
        match self {
            Pattern::Any => !seg.is_empty(),
            Pattern::Number => {
                let digits = seg.strip_prefix('-').unwrap_or(seg);
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
            }
            Pattern::Uuid => crate::segment::classify(seg) == crate::segment::SegmentKind::Uuid,
            Pattern::Glob(parts) => {
                let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
                    return false;
                };
                if parts.len() < 2 || !seg.starts_with(first.as_str()) {
                    return false;
                }
                let mut rest = &seg[first.len()..];
                if rest.len() < last.len() || !rest.ends_with(last.as_str()) {
                    return false;
                }
                rest = &rest[..rest.len() - last.len()];
                for mid in &parts[1..parts.len() - 1] {
                    // Each parameter takes at least one character.
                    match rest.get(1..).and_then(|r| r.find(mid.as_str())) {
                        Some(i) => rest = &rest[1 + i + mid.len()..],
                        None => return false,
                    }
                }
                !rest.is_empty()
            }
        }
    }
}

/// A documented path parameter's type, where it narrows what matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamKind {
    /// `type: integer`.
    Integer,
    /// `format: uuid`.
    Uuid,
}

/// The name of a segment that is one whole parameter (`{id}` → `id`).
fn whole_param(seg: &str) -> Option<&str> {
    seg.strip_prefix('{')?
        .strip_suffix('}')
        .filter(|n| !n.contains(['{', '}']))
}

/// What a matcher entry points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A pinned template from the config.
    Pin,
    /// Operation `op` of spec `spec`.
    Spec { spec: usize, op: usize },
}

#[derive(Debug, Clone)]
struct Entry {
    /// `None` for pins without a method: any method.
    method: Option<String>,
    /// Hosts the entry applies to; empty means every host.
    hosts: Vec<String>,
    template: String,
    origin: Origin,
}

#[derive(Debug, Default)]
struct SNode {
    literals: HashMap<String, usize>,
    params: Vec<(Pattern, usize)>,
    entries: Vec<Entry>,
}

/// A successful match: the matched node and what the request's method found there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpecMatch {
    /// Matcher node (stable for the matcher's life).
    pub(crate) node: usize,
    /// The template as documented (of the method's entry, or of the node's first entry).
    pub(crate) template: String,
    /// The entry for this method, if any.
    pub(crate) origin: Option<Origin>,
}

/// The trie of documented and pinned templates.
#[derive(Debug)]
pub(crate) struct SpecMatcher {
    nodes: Vec<SNode>,
    max_depth: usize,
}

impl SpecMatcher {
    pub(crate) fn new(max_depth: usize) -> Self {
        Self {
            nodes: vec![SNode::default()],
            max_depth,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.nodes.len() == 1 && self.nodes[0].entries.is_empty()
    }

    /// Adds a template. `method` `None` matches every method. `kind_of` gives the documented
    /// type of a path parameter by name (`integer`, `uuid`), so that `/users/export` does not
    /// land on `/users/{id}` when ids are documented as integers.
    pub(crate) fn add(
        &mut self,
        method: Option<&str>,
        template: &str,
        hosts: &[String],
        origin: Origin,
        kind_of: &dyn Fn(&str) -> Option<ParamKind>,
    ) {
        let mut at = 0;
        for seg in segments(template, self.max_depth) {
            let pattern =
                Pattern::parse(seg).map(|p| match (&p, whole_param(seg).and_then(kind_of)) {
                    (Pattern::Any, Some(ParamKind::Integer)) => Pattern::Number,
                    (Pattern::Any, Some(ParamKind::Uuid)) => Pattern::Uuid,
                    _ => p,
                });
            at = match pattern {
                None => match self.nodes[at].literals.get(seg) {
                    Some(&n) => n,
                    None => {
                        let n = self.push();
                        self.nodes[at].literals.insert(seg.to_owned(), n);
                        n
                    }
                },
                Some(p) => match self.nodes[at].params.iter().find(|(q, _)| *q == p) {
                    Some(&(_, n)) => n,
                    None => {
                        let n = self.push();
                        self.nodes[at].params.push((p, n));
                        n
                    }
                },
            };
        }
        let template = if template.is_empty() { "/" } else { template };
        self.nodes[at].entries.push(Entry {
            method: method.map(|m| m.to_ascii_uppercase()),
            hosts: hosts.iter().map(|h| h.to_ascii_lowercase()).collect(),
            template: template.to_owned(),
            origin,
        });
    }

    fn push(&mut self) -> usize {
        self.nodes.push(SNode::default());
        self.nodes.len() - 1
    }

    /// The documented template a request lands on, if any.
    pub(crate) fn find(&self, host: &str, method: &str, segs: &[&str]) -> Option<SpecMatch> {
        if self.is_empty() {
            return None;
        }
        let node = self.walk(0, host, segs)?;
        let applies =
            |e: &&Entry| host.is_empty() || e.hosts.is_empty() || e.hosts.iter().any(|h| h == host);
        let entries: Vec<&Entry> = self.nodes[node].entries.iter().filter(applies).collect();
        let first = entries.first()?;
        let by_method = entries
            .iter()
            .find(|e| e.method.as_deref().is_none_or(|m| m == method));
        Some(SpecMatch {
            node,
            template: by_method.map_or(&first.template, |e| &e.template).clone(),
            origin: by_method.map(|e| e.origin),
        })
    }

    fn walk(&self, at: usize, host: &str, segs: &[&str]) -> Option<usize> {
        let node = &self.nodes[at];
        let Some((seg, rest)) = segs.split_first() else {
            let any = node.entries.iter().any(|e| {
                host.is_empty() || e.hosts.is_empty() || e.hosts.iter().any(|h| h == host)
            });
            return any.then_some(at);
        };
        if let Some(&n) = node.literals.get(*seg) {
            if let Some(found) = self.walk(n, host, rest) {
                return Some(found);
            }
        }
        // Glob patterns are more specific than a bare parameter: try them first.
        for (p, n) in node.params.iter().filter(|(p, _)| *p != Pattern::Any) {
            if p.matches(seg) {
                if let Some(found) = self.walk(*n, host, rest) {
                    return Some(found);
                }
            }
        }
        for (_, n) in node.params.iter().filter(|(p, _)| *p == Pattern::Any) {
            if let Some(found) = self.walk(*n, host, rest) {
                return Some(found);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(templates: &[(&str, &str)]) -> SpecMatcher {
        let mut m = SpecMatcher::new(24);
        for (i, (method, t)) in templates.iter().enumerate() {
            m.add(
                Some(method),
                t,
                &[],
                Origin::Spec { spec: 0, op: i },
                &|_| None,
            );
        }
        m
    }

    fn find(m: &SpecMatcher, method: &str, path: &str) -> Option<(String, Option<Origin>)> {
        m.find("h", method, &segments(path, 24))
            .map(|f| (f.template, f.origin))
    }

    #[test]
    fn literal_beats_parameter() {
        let m = matcher(&[("GET", "/users/{id}"), ("GET", "/users/me")]);
        assert_eq!(find(&m, "GET", "/users/me").unwrap().0, "/users/me");
        assert_eq!(find(&m, "GET", "/users/42").unwrap().0, "/users/{id}");
        assert_eq!(find(&m, "GET", "/users"), None);
    }

    #[test]
    fn backtracks_when_the_literal_branch_dead_ends() {
        let m = matcher(&[("GET", "/users/me"), ("GET", "/users/{id}/orders")]);
        assert_eq!(
            find(&m, "GET", "/users/me/orders").unwrap().0,
            "/users/{id}/orders"
        );
    }

    #[test]
    fn globs_match_around_parameters() {
        let m = matcher(&[("GET", "/reports/{id}.pdf"), ("GET", "/reports/{id}")]);
        assert_eq!(
            find(&m, "GET", "/reports/12.pdf").unwrap().0,
            "/reports/{id}.pdf"
        );
        assert_eq!(find(&m, "GET", "/reports/12").unwrap().0, "/reports/{id}");
        assert!(Pattern::parse("{a}-{b}.json").unwrap().matches("x-y.json"));
        assert!(!Pattern::parse("{a}-{b}.json").unwrap().matches("-y.json"));
    }

    #[test]
    fn undocumented_method_still_lands_on_the_template() {
        let m = matcher(&[("GET", "/users/{id}")]);
        let (t, origin) = find(&m, "DELETE", "/users/7").unwrap();
        assert_eq!(t, "/users/{id}");
        assert_eq!(origin, None);
    }

    #[test]
    fn documented_types_narrow_matches() {
        let mut m = SpecMatcher::new(24);
        let int = |n: &str| (n == "id").then_some(ParamKind::Integer);
        m.add(Some("GET"), "/users/{id}", &[], Origin::Pin, &int);
        assert!(m.find("h", "GET", &["users", "42"]).is_some());
        assert!(m.find("h", "GET", &["users", "export"]).is_none());
    }

    #[test]
    fn hosts_scope_entries() {
        let mut m = SpecMatcher::new(24);
        m.add(
            Some("GET"),
            "/a",
            &["api.example.com".into()],
            Origin::Pin,
            &|_| None,
        );
        assert!(m.find("api.example.com", "GET", &["a"]).is_some());
        assert!(m.find("other.example.com", "GET", &["a"]).is_none());
        assert!(m.find("", "GET", &["a"]).is_some());
    }
}
