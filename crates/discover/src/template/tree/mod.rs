//! The learned path tree: one per host, methods together, so that what one method teaches
//! about a position (`/repos/*` holds values) serves every method.
//!
//! Requests walk it segment by segment: typed segments (integers, UUIDs, ...) go to a parameter
//! child, literals to a literal child. The cardinality pass ([`Tree::analyse`]) then decides,
//! position by position, whether literal children are vocabulary (kept) or values (merged into
//! the parameter child), and records why.

use std::collections::HashMap;

use super::hash::{fast, Fast};
use super::kinds::{kind_bit, kind_name, placeholder};
use super::path::split_extension;
use super::vocab::{
    is_action_word, is_builtin_static, is_builtin_word, is_collection_word, is_prefix_segment,
    is_self_word, value_likeness,
};
use crate::segment::{classify, SegmentKind};

mod analyse;

/// Index of a node.
pub(crate) type NodeId = u32;

/// What a node stands for in its parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Label {
    /// A host's root.
    Root,
    /// Literal text.
    Literal(Box<str>),
    /// A parameter, with an optional file extension after it (`{id}.pdf`).
    Param { suffix: Option<Box<str>> },
    /// Whatever could not be kept because the tree is full.
    Rest,
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) parent: NodeId,
    pub(crate) label: Label,
    pub(crate) literals: HashMap<Box<str>, NodeId, Fast>,
    pub(crate) params: Vec<NodeId>,
    pub(crate) rest: Option<NodeId>,
    /// Literal children that are not vocabulary are values here.
    pub(crate) collapsed: bool,
    /// Numbers are values here (at a host's root, where they start as literals).
    pub(crate) numbers_are_values: bool,
    /// A vocabulary literal split off the values beside it: it keeps the requests that end
    /// here, while longer paths go on through the parameter (`GET /images/search` beside
    /// `POST /images/{name}/push`, where an image is named `search`).
    pub(crate) leaf_only: bool,
    /// Kinds of values seen at a parameter node (bit per [`SegmentKind`] index).
    pub(crate) kinds: u16,
    /// Requests that went through or ended at this node.
    pub(crate) hits: u64,
    /// Endpoints ending here: method and endpoint index.
    pub(crate) endpoints: Vec<(Box<str>, u32)>,
    /// Why this node is a parameter (for parameter nodes), or why its children were merged.
    pub(crate) why: Vec<String>,
    pub(crate) alive: bool,
}

impl Node {
    fn new(parent: NodeId, label: Label) -> Self {
        Self {
            parent,
            label,
            literals: HashMap::with_hasher(fast()),
            params: Vec::new(),
            rest: None,
            collapsed: false,
            numbers_are_values: false,
            leaf_only: false,
            kinds: 0,
            hits: 0,
            endpoints: Vec::new(),
            why: Vec::new(),
            alive: true,
        }
    }
}

/// Settings the tree needs.
#[derive(Debug, Clone)]
pub(crate) struct TreeLimits {
    pub(crate) min_distinct_values: usize,
    pub(crate) max_children: usize,
    pub(crate) max_nodes: usize,
    pub(crate) static_words: Vec<String>,
}

/// A merge the cardinality pass made: endpoints moved into `into`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Merge {
    pub(crate) into: NodeId,
}

/// The learned trees of every host.
#[derive(Debug)]
pub(crate) struct Tree {
    pub(crate) nodes: Vec<Node>,
    roots: HashMap<Box<str>, NodeId, Fast>,
    /// The last host routed and its root: logs are mostly one host.
    last_root: Option<(Box<str>, NodeId)>,
    limits: TreeLimits,
    live: usize,
    /// Requests routed to a `{rest}` node because the tree was full.
    pub(crate) overflowed: u64,
    /// Positions whose literal children were merged into a parameter.
    pub(crate) collapsed_positions: u64,
    /// Literal children merged into parameters.
    pub(crate) merged_literals: u64,
    /// Merges made while routing (a position over its literal cap), not yet reported.
    pending: Vec<Merge>,
    /// Requests per endpoint id, as of the last analysis.
    pub(super) endpoint_hits: Vec<u64>,
    /// Words the API uses below several different objects (`/cards/{id}/closed`,
    /// `/lists/{id}/closed`): its own vocabulary, learned from traffic.
    api_words: std::collections::HashSet<Box<str>>,
}

/// Most words learned as the API's vocabulary; later ones are not learned.
const MAX_API_WORDS: usize = 4096;

impl Tree {
    pub(crate) fn new(limits: TreeLimits) -> Self {
        Self {
            nodes: Vec::new(),
            roots: HashMap::with_hasher(fast()),
            last_root: None,
            limits,
            live: 0,
            overflowed: 0,
            collapsed_positions: 0,
            merged_literals: 0,
            pending: Vec::new(),
            endpoint_hits: Vec::new(),
            api_words: std::collections::HashSet::new(),
        }
    }

    /// Live nodes.
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    fn push(&mut self, parent: NodeId, label: Label) -> NodeId {
        let id = self.nodes.len() as NodeId;
        let mut node = Node::new(parent, label);
        if id == parent {
            node.parent = id;
        }
        self.nodes.push(node);
        self.live += 1;
        id
    }

    fn root(&mut self, host: &str) -> NodeId {
        if let Some((h, r)) = &self.last_root {
            if &**h == host {
                return *r;
            }
        }
        if let Some(&r) = self.roots.get(host) {
            self.last_root = Some((host.into(), r));
            return r;
        }
        let id = self.nodes.len() as NodeId;
        self.push(id, Label::Root);
        self.roots.insert(host.into(), id);
        id
    }

    pub(super) fn is_user_static(&self, seg: &str) -> bool {
        self.limits
            .static_words
            .iter()
            .any(|w| w.eq_ignore_ascii_case(seg))
    }

    /// A word of the built-in, learned or configured vocabulary, spelled as it is listed
    /// (a marker before an unknown word, `_x1`, is not enough).
    fn is_vocabulary_word(&self, seg: &str) -> bool {
        is_builtin_word(seg) || self.api_words.contains(seg) || self.is_user_static(seg)
    }

    pub(super) fn is_static_word(&self, seg: &str) -> bool {
        is_builtin_static(seg)
            || self.api_words.contains(seg)
            || self
                .limits
                .static_words
                .iter()
                .any(|w| w.eq_ignore_ascii_case(seg))
    }

    /// Where `segs` would land, without growing or changing the tree: literal children first,
    /// then a parameter child (one with the segment's file extension, else a bare one). `None`
    /// when the path leaves what is known.
    pub(crate) fn lookup(&self, host: &str, segs: &[&str]) -> Option<NodeId> {
        let mut at = *self.roots.get(host)?;
        for (i, seg) in segs.iter().enumerate() {
            let node = &self.nodes[at as usize];
            if let Some(&n) = node.literals.get(*seg) {
                if i + 1 == segs.len() || !self.nodes[n as usize].leaf_only {
                    at = n;
                    continue;
                }
            }
            if let Some((stem, _)) = format_suffix(seg) {
                if let Some(&n) = node.literals.get(format!("{stem}.{{format}}").as_str()) {
                    at = n;
                    continue;
                }
            }
            let (_, ext) = split_extension(seg);
            let suffix = ext.map(|e| format!(".{e}"));
            let param = |want: Option<&str>| {
                node.params.iter().copied().find(|&p| {
                    matches!(&self.nodes[p as usize].label,
                        Label::Param { suffix: s } if s.as_deref() == want)
                })
            };
            at = param(suffix.as_deref()).or_else(|| param(None))?;
        }
        Some(at)
    }

    /// Walks (and grows) the tree along `segs`; returns the node the path ends at and whether
    /// it ended on an overflow node.
    pub(crate) fn route(&mut self, host: &str, segs: &[&str]) -> (NodeId, bool) {
        let mut at = self.root(host);
        self.nodes[at as usize].hits += 1;
        for (i, seg) in segs.iter().enumerate() {
            match self.step(at, seg, i + 1 == segs.len()) {
                Ok(n) => {
                    at = n;
                    self.nodes[at as usize].hits += 1;
                }
                Err(n) => {
                    self.nodes[n as usize].hits += 1;
                    return (n, true);
                }
            }
        }
        (at, false)
    }

    /// One step down (`last`: the path ends here). `Err` carries the `{rest}` node when the
    /// tree is full.
    fn step(&mut self, at: NodeId, seg: &str, last: bool) -> Result<NodeId, NodeId> {
        let node = &self.nodes[at as usize];
        if let Some(&n) = node.literals.get(seg) {
            if last || !self.nodes[n as usize].leaf_only {
                return Ok(n);
            }
            // Split off its values: what leads on from here is one of them.
            let (_, ext) = split_extension(seg);
            return self.param_child(at, ext, SegmentKind::Slug);
        }
        if let Some((stem, _)) = format_suffix(seg) {
            if let Some(&n) = node.literals.get(format!("{stem}.{{format}}").as_str()) {
                return Ok(n);
            }
        }
        let (stem, ext) = split_extension(seg);
        let mut kind = classify(stem);
        if kind == SegmentKind::Integer && !node.numbers_are_values && self.only_prefixes_above(at)
        {
            // `/1/...`, `/api/2.0/...` are version prefixes more often than values: a number
            // among the first positions stays literal until several are seen.
            let node = &self.nodes[at as usize];
            let held = node
                .literals
                .keys()
                .filter(|k| classify(split_extension(k).0) == SegmentKind::Integer)
                .count();
            if held < ROOT_NUMBERS {
                kind = SegmentKind::Literal;
            } else {
                let merges = self.collapse(at, false);
                self.pending.extend(merges);
            }
        }
        let collapsed = self.nodes[at as usize].collapsed;
        if kind == SegmentKind::Literal && (!collapsed || self.is_static_word(seg)) {
            let at_cap = self.nodes[at as usize].literals.len() >= self.limits.max_children;
            if at_cap {
                // Too many literals here: they are values, whatever they look like; at the
                // first positions (the API's own vocabulary) they overflow instead, but for
                // the words of the vocabulary (`/api/v1/admin` beside thousands of account
                // names), of which there are a bounded few.
                if self.only_prefixes_above(at) {
                    if self.is_vocabulary_word(seg) && self.live < self.limits.max_nodes {
                        let n = self.push(at, Label::Literal(seg.into()));
                        self.nodes[at as usize].literals.insert(seg.into(), n);
                        return Ok(n);
                    }
                    return Err(self.rest_child(at));
                }
                // What the API calls its own elsewhere stays, so learn that first.
                self.learn_api_words();
                if self.is_static_word(seg) && self.live < self.limits.max_nodes {
                    let n = self.push(at, Label::Literal(seg.into()));
                    self.nodes[at as usize].literals.insert(seg.into(), n);
                    return Ok(n);
                }
                let merges = self.collapse(at, true);
                self.pending.extend(merges);
                return self.param_child(at, ext, SegmentKind::Slug);
            }
            if self.live >= self.limits.max_nodes {
                return Err(self.rest_child(at));
            }
            let n = self.push(at, Label::Literal(seg.into()));
            self.nodes[at as usize].literals.insert(seg.into(), n);
            return Ok(n);
        }
        let kind = if kind == SegmentKind::Literal {
            SegmentKind::Slug
        } else {
            kind
        };
        self.param_child(at, ext, kind)
    }

    fn param_child(
        &mut self,
        at: NodeId,
        ext: Option<&str>,
        kind: SegmentKind,
    ) -> Result<NodeId, NodeId> {
        let suffix: Option<Box<str>> = ext.map(|e| format!(".{e}").into());
        let found = self.nodes[at as usize].params.iter().copied().find(|&p| {
            matches!(&self.nodes[p as usize].label, Label::Param { suffix: s } if *s == suffix)
        });
        let n = match found {
            Some(n) => n,
            None => {
                if self.live >= self.limits.max_nodes {
                    return Err(self.rest_child(at));
                }
                let n = self.push(at, Label::Param { suffix });
                self.nodes[at as usize].params.push(n);
                if kind != SegmentKind::Slug {
                    self.nodes[n as usize]
                        .why
                        .push(format!("values typed as {}", kind_name(kind)));
                }
                n
            }
        };
        self.nodes[n as usize].kinds |= kind_bit(kind);
        Ok(n)
    }

    fn rest_child(&mut self, at: NodeId) -> NodeId {
        self.overflowed += 1;
        if let Some(r) = self.nodes[at as usize].rest {
            return r;
        }
        // One `{rest}` node per existing node at most: bounded by twice the node cap.
        let r = self.push(at, Label::Rest);
        self.nodes[r as usize]
            .why
            .push("path tree full: unseen paths below here are folded together".into());
        self.nodes[at as usize].rest = Some(r);
        r
    }

    /// The template of a node (`/users/{id}/orders`), placeholders named by kind and made
    /// unique within the template.
    pub(crate) fn template(&self, node: NodeId) -> String {
        let mut parts: Vec<&Node> = Vec::new();
        let mut at = node;
        loop {
            let n = &self.nodes[at as usize];
            if n.parent == at {
                break;
            }
            parts.push(n);
            at = n.parent;
        }
        parts.reverse();
        let mut used: Vec<String> = Vec::new();
        let mut out = String::new();
        for n in parts {
            out.push('/');
            match &n.label {
                Label::Literal(s) => out.push_str(s),
                Label::Param { suffix } => {
                    let base = placeholder(n.kinds);
                    let mut name = base.to_owned();
                    let mut i = 2;
                    while used.contains(&name) {
                        name = format!("{base}{i}");
                        i += 1;
                    }
                    out.push('{');
                    out.push_str(&name);
                    out.push('}');
                    used.push(name);
                    if let Some(s) = suffix {
                        out.push_str(s);
                    }
                }
                Label::Rest => out.push_str("{rest}"),
                Label::Root => {}
            }
        }
        if out.is_empty() {
            out.push('/');
        }
        out
    }

    /// Reasons recorded along the path to `node`, root first.
    pub(crate) fn explain(&self, node: NodeId) -> Vec<String> {
        let mut out = Vec::new();
        let mut at = node;
        let mut chain = Vec::new();
        loop {
            let n = &self.nodes[at as usize];
            if n.parent == at {
                break;
            }
            chain.push(at);
            at = n.parent;
        }
        chain.reverse();
        for (depth, id) in chain.iter().enumerate() {
            let n = &self.nodes[*id as usize];
            if matches!(n.label, Label::Param { .. } | Label::Rest) {
                for w in &n.why {
                    out.push(format!("segment {}: {w}", depth + 1));
                }
            }
        }
        out
    }
}

/// A literal's stem and short format suffix (`lists.json` → `("lists", "json")`).
fn format_suffix(seg: &str) -> Option<(&str, &str)> {
    let (stem, ext) = seg.rsplit_once('.')?;
    let ok = !stem.is_empty()
        && (1..=5).contains(&ext.len())
        && ext
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && ext.bytes().any(|c| c.is_ascii_lowercase());
    (ok || ext == "{format}").then_some((stem, ext))
}

fn mean_likeness(c: &[(Box<str>, NodeId)]) -> f32 {
    if c.is_empty() {
        return 0.0;
    }
    c.iter().map(|(s, _)| value_likeness(s)).sum::<f32>() / c.len() as f32
}

/// Distinct non-vocabulary names under a plural collection (`/users/alice`) that make it
/// a position of values.
const COLLECTION_MEMBERS: usize = 3;

/// Vocabulary words seen as leaves where values are, past which they are taken as values.
const WORD_VALUES: usize = 4;

/// Distinct numbers at a host's root after which numbers there are values.
const ROOT_NUMBERS: usize = 3;

/// Literal children judged values, why, and whether the whole position now holds values.
type Decision = (Vec<(Box<str>, NodeId)>, String, bool);
