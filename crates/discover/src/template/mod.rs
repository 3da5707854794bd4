//! Path templating: concrete paths become templates per host and method.
//!
//! A request lands, in order of precedence, on a pinned template from the config, on a
//! documented template of a supplied spec, or on the learned tree ([`tree`]), where typed
//! segments become parameters at once and literal positions become parameters when the
//! cardinality pass finds values there. Every endpoint has a small integer id; the cardinality
//! pass reports, as [`Remap`]s, which ids were folded into which, so that facts kept per id can
//! follow.

mod config;
mod hash;
mod kinds;
mod path;
mod probe;
mod spec_match;
mod split;
mod subtree;
mod traffic;
mod tree;
mod versions;
mod vocab;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use config::TemplateConfig;
use spec_match::{Origin, ParamKind, SpecMatcher};
use tree::{Label, Tree, TreeLimits};

use crate::segment::SegmentKind;
use crate::spec::{ParamIn, Spec};

/// An endpoint: host, method and template.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EndpointKey {
    /// Host, lower case without port; empty when the source did not say.
    pub host: String,
    /// Upper-case method; methods outside the standard set are `OTHER`.
    pub method: String,
    /// Path template (`/users/{id}`).
    pub template: String,
}

impl std::fmt::Display for EndpointKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}{}", self.method, self.host, self.template)
    }
}

/// The small integer naming an endpoint for the life of a [`Templater`].
pub type EndpointId = u32;

/// Where a request was routed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routed {
    /// An endpoint.
    Endpoint(EndpointId),
    /// The tree was full: the request was counted on a `{rest}` endpoint below the deepest
    /// known position.
    Overflow(EndpointId),
}

impl Routed {
    /// The endpoint, whichever way it was reached.
    pub fn id(self) -> EndpointId {
        match self {
            Routed::Endpoint(id) | Routed::Overflow(id) => id,
        }
    }
}

/// A change of endpoint made by the cardinality pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remap {
    /// The endpoint that no longer exists.
    pub from: EndpointId,
    /// Where its requests now belong; `None` when it was dropped as a probe.
    pub to: Option<EndpointId>,
}

/// How templating went.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplaterStats {
    /// Live endpoints (probes included).
    pub endpoints: u64,
    /// Live nodes of the learned path trees.
    pub nodes: u64,
    /// Requests that landed on a pinned or documented template.
    pub documented_requests: u64,
    /// Positions whose literal children were merged into a parameter.
    pub collapsed_positions: u64,
    /// Literal path segments merged into parameters.
    pub merged_literals: u64,
    /// Requests folded into a `{rest}` endpoint because the path tree was full.
    pub overflowed_requests: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Tree(u32),
    Spec(usize),
}

#[derive(Debug, Clone)]
struct EndpointEntry {
    place: Place,
    host: Box<str>,
    method: Box<str>,
    template: String,
    origin: Option<Origin>,
    hits: u64,
    /// Requests answered 1xx-3xx or 401 (or with no status known).
    served: u64,
    /// Requests answered 404 or 405.
    not_found: u64,
    alive: bool,
}

/// Turns (host, method, path, status) into endpoints.
#[derive(Debug)]
pub struct Templater {
    config: TemplateConfig,
    matcher: SpecMatcher,
    tree: Tree,
    endpoints: Vec<EndpointEntry>,
    spec_endpoints: HashMap<(usize, Box<str>, Box<str>), EndpointId>,
    documented_requests: u64,
    spec_sources: Vec<String>,
}

const METHODS: [&str; 9] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT",
];

/// Requests below which an endpoint that never succeeded is a probe whatever it answered.
pub const RARE_PROBE_HITS: u64 = 3;

/// The method as kept: upper case, `OTHER` for anything outside the standard set.
pub fn normalize_method(method: &str) -> &'static str {
    METHODS
        .iter()
        .find(|m| m.eq_ignore_ascii_case(method))
        .copied()
        .unwrap_or("OTHER")
}

impl Templater {
    /// A templater where pinned templates from `config`, then `specs` in order, take
    /// precedence over learned templates.
    pub fn new(config: TemplateConfig, specs: &[Spec]) -> Self {
        let mut matcher = SpecMatcher::new(config.max_depth);
        for pin in &config.pin {
            let pin = pin.trim();
            let (method, template) = match pin.split_once(' ') {
                Some((m, t)) => (Some(m.trim()), t.trim()),
                None => (None, pin),
            };
            matcher.add(method, template, &[], Origin::Pin, &|_| None);
        }
        for (si, spec) in specs.iter().enumerate() {
            for (oi, op) in spec.operations.iter().enumerate() {
                let kind_of = |name: &str| -> Option<ParamKind> {
                    let p = op
                        .params
                        .iter()
                        .find(|p| p.location == ParamIn::Path && p.name == name)?;
                    match (
                        p.schema.get("type").and_then(|t| t.as_str()),
                        p.schema.get("format").and_then(|t| t.as_str()),
                    ) {
                        (Some("integer"), _) => Some(ParamKind::Integer),
                        (_, Some("uuid")) => Some(ParamKind::Uuid),
                        _ => None,
                    }
                };
                matcher.add(
                    Some(&op.method),
                    &op.path,
                    &spec.hosts,
                    Origin::Spec { spec: si, op: oi },
                    &kind_of,
                );
            }
        }
        let tree = Tree::new(TreeLimits {
            min_distinct_values: config.min_distinct_values,
            max_children: config.max_children.max(2),
            max_nodes: config.max_nodes.max(16),
            static_words: config.static_words.clone(),
        });
        Self {
            config,
            matcher,
            tree,
            endpoints: Vec::new(),
            spec_endpoints: HashMap::new(),
            documented_requests: 0,
            spec_sources: specs.iter().map(|s| s.source.clone()).collect(),
        }
    }

    /// Routes one request. `path` is the request path (a query string is ignored).
    pub fn observe(&mut self, host: &str, method: &str, path: &str, status: Option<u16>) -> Routed {
        let routed = self.route(host, method, path);
        self.count(routed.id(), status);
        routed
    }

    /// Routes a path without counting a request (to find where stored facts belong).
    pub fn route(&mut self, host: &str, method: &str, path: &str) -> Routed {
        let method = normalize_method(method);
        let mut buf = [""; path::MAX_SEGMENTS];
        let n = path::segments_into(path, self.config.max_depth, &mut buf);
        let segs = &buf[..n];
        if let Some(m) = self.matcher.find(host, method, segs) {
            self.documented_requests += 1;
            let key = (m.node, Box::<str>::from(host), Box::<str>::from(method));
            let id = match self.spec_endpoints.get(&key) {
                Some(&id) => id,
                None => {
                    let id = self.endpoints.len() as EndpointId;
                    self.endpoints.push(EndpointEntry {
                        place: Place::Spec(m.node),
                        host: host.into(),
                        method: method.into(),
                        template: m.template,
                        origin: m.origin,
                        hits: 0,
                        served: 0,
                        not_found: 0,
                        alive: true,
                    });
                    self.spec_endpoints.insert(key, id);
                    id
                }
            };
            return Routed::Endpoint(id);
        }
        let (node, overflow) = self.tree.route(host, segs);
        let existing = self.tree.nodes[node as usize]
            .endpoints
            .iter()
            .find(|(m, _)| &**m == method)
            .map(|(_, id)| *id);
        let id = match existing {
            Some(id) => id,
            None => {
                let id = self.endpoints.len() as EndpointId;
                self.endpoints.push(EndpointEntry {
                    place: Place::Tree(node),
                    host: host.into(),
                    method: method.into(),
                    template: self.tree.template(node),
                    origin: None,
                    hits: 0,
                    served: 0,
                    not_found: 0,
                    alive: true,
                });
                self.tree.nodes[node as usize]
                    .endpoints
                    .push((method.into(), id));
                id
            }
        };
        if overflow {
            Routed::Overflow(id)
        } else {
            Routed::Endpoint(id)
        }
    }

    fn count(&mut self, id: EndpointId, status: Option<u16>) {
        if let Some(e) = self.endpoints.get_mut(id as usize) {
            e.hits += 1;
            e.served += u64::from(probe::is_served(status));
            e.not_found += u64::from(matches!(status, Some(404 | 405)));
        }
    }

    /// Runs the cardinality pass and returns the endpoints folded into others.
    pub fn compact(&mut self) -> Vec<Remap> {
        let hits = self.endpoints.iter().map(|e| e.hits).collect();
        let merges = self.tree.analyse(hits);
        let mut remaps = Vec::new();
        if merges.is_empty() {
            return remaps;
        }
        let mut touched: Vec<u32> = merges.iter().map(|m| m.into).collect();
        touched.sort_unstable();
        touched.dedup();
        for node in touched {
            if !self.tree.nodes[node as usize].alive {
                continue;
            }
            let eps = std::mem::take(&mut self.tree.nodes[node as usize].endpoints);
            let mut kept: Vec<(Box<str>, EndpointId)> = Vec::with_capacity(eps.len());
            for (method, id) in eps {
                match kept.iter().find(|(m, _)| *m == method) {
                    Some(&(_, into)) => {
                        let (hits, served, not_found) = {
                            let e = &mut self.endpoints[id as usize];
                            e.alive = false;
                            (e.hits, e.served, e.not_found)
                        };
                        let t = &mut self.endpoints[into as usize];
                        t.hits += hits;
                        t.served += served;
                        t.not_found += not_found;
                        remaps.push(Remap {
                            from: id,
                            to: Some(into),
                        });
                    }
                    None => kept.push((method, id)),
                }
            }
            self.tree.nodes[node as usize].endpoints = kept;
        }
        // Nodes moved: re-point endpoints and rebuild their templates.
        for (n, node) in self.tree.nodes.iter().enumerate() {
            if !node.alive {
                continue;
            }
            for (_, id) in &node.endpoints {
                if let Some(e) = self.endpoints.get_mut(*id as usize) {
                    e.place = Place::Tree(n as u32);
                }
            }
        }
        for i in 0..self.endpoints.len() {
            if let (true, Place::Tree(n)) = (self.endpoints[i].alive, self.endpoints[i].place) {
                self.endpoints[i].template = self.tree.template(n);
            }
        }
        remaps
    }

    /// The endpoint a request would land on, without learning from it (the inline path asks
    /// before the request is answered; it is observed once done). `None` for a path not seen
    /// in this shape yet.
    pub fn lookup(&self, host: &str, method: &str, path: &str) -> Option<EndpointId> {
        let method = normalize_method(method);
        let mut buf = [""; path::MAX_SEGMENTS];
        let n = path::segments_into(path, self.config.max_depth, &mut buf);
        let segs = &buf[..n];
        if let Some(m) = self.matcher.find(host, method, segs) {
            let key = (m.node, Box::<str>::from(host), Box::<str>::from(method));
            return self.spec_endpoints.get(&key).copied();
        }
        let node = self.tree.lookup(host, segs)?;
        self.tree.nodes[node as usize]
            .endpoints
            .iter()
            .find(|(m, _)| &**m == method)
            .map(|(_, id)| *id)
            .filter(|id| self.endpoints.get(*id as usize).is_some_and(|e| e.alive))
    }

    /// The key of an endpoint.
    pub fn key(&self, id: EndpointId) -> Option<EndpointKey> {
        let e = self.endpoints.get(id as usize)?;
        Some(EndpointKey {
            host: e.host.to_string(),
            method: e.method.to_string(),
            template: e.template.clone(),
        })
    }

    /// The template of an endpoint, without copying its key.
    pub fn template(&self, id: EndpointId) -> Option<&str> {
        self.endpoints.get(id as usize).map(|e| e.template.as_str())
    }

    /// Live endpoints.
    pub fn endpoints(&self) -> impl Iterator<Item = EndpointId> + '_ {
        self.endpoints
            .iter()
            .enumerate()
            .filter(|(_, e)| e.alive)
            .map(|(i, _)| i as EndpointId)
    }

    /// Whether an endpoint is a path that is not served: it never answered with success or a
    /// credential request, and it mostly answered 404 or 405, or is a known scanner path,
    /// or was asked for at most [`RARE_PROBE_HITS`] times.
    pub fn is_probe(&self, id: EndpointId) -> bool {
        self.endpoints.get(id as usize).is_some_and(|e| {
            e.origin.is_none()
                && e.served == 0
                && (e.not_found * 2 >= e.hits
                    || e.hits <= RARE_PROBE_HITS
                    || probe::looks_like_scan(&e.template))
        })
    }

    /// The documented operation an endpoint matched: (spec index, operation index).
    pub fn documented(&self, id: EndpointId) -> Option<(usize, usize)> {
        match self.endpoints.get(id as usize)?.origin? {
            Origin::Spec { spec, op } => Some((spec, op)),
            Origin::Pin => None,
        }
    }

    /// Why an endpoint's template is what it is.
    pub fn explain(&self, id: EndpointId) -> Vec<String> {
        let Some(e) = self.endpoints.get(id as usize) else {
            return Vec::new();
        };
        match (e.place, e.origin) {
            (Place::Spec(_), Some(Origin::Pin)) => vec!["pinned in the configuration".into()],
            (Place::Spec(_), Some(Origin::Spec { spec, .. })) => vec![format!(
                "documented in {}",
                self.spec_sources.get(spec).map_or("a spec", String::as_str)
            )],
            (Place::Spec(_), None) => vec![format!(
                "template documented (for other methods) in a supplied spec"
            )],
            (Place::Tree(n), _) => {
                let mut why = self.tree.explain(n);
                if why.is_empty() {
                    why.push("all segments literal".into());
                }
                why
            }
        }
    }

    /// For each path parameter of a learned endpoint's template, in order, the kind of values
    /// seen there (for typing exported parameters). Documented endpoints give an empty list.
    pub fn param_kinds(&self, id: EndpointId) -> Vec<SegmentKind> {
        let Some(EndpointEntry {
            place: Place::Tree(mut n),
            ..
        }) = self.endpoints.get(id as usize).cloned()
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        loop {
            let node = &self.tree.nodes[n as usize];
            if node.parent == n {
                break;
            }
            if matches!(node.label, Label::Param { .. }) {
                out.push(kinds::node_kind(node.kinds));
            }
            n = node.parent;
        }
        out.reverse();
        out
    }

    /// How templating went so far.
    pub fn stats(&self) -> TemplaterStats {
        TemplaterStats {
            endpoints: self.endpoints.iter().filter(|e| e.alive).count() as u64,
            nodes: self.tree.len() as u64,
            documented_requests: self.documented_requests,
            collapsed_positions: self.tree.collapsed_positions,
            merged_literals: self.tree.merged_literals,
            overflowed_requests: self.tree.overflowed,
        }
    }
}
