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

    /// The cardinality pass over every live node, parents first. Returns the merges made.
    pub(crate) fn analyse(&mut self, endpoint_hits: Vec<u64>) -> Vec<Merge> {
        self.endpoint_hits = endpoint_hits;
        let mut merges = std::mem::take(&mut self.pending);
        // Two passes: merges below a position make its own decision clearer (values that
        // share what follows them are only seen to share once their own values are merged).
        for _ in 0..2 {
            self.learn_api_words();
            merges.extend(self.analyse_pass());
        }
        merges
    }

    /// Learns the words that follow more than one kind of object: sub-resources and fields
    /// the API names the same way everywhere (`/cards/{id}/name`, `/lists/{id}/name`). A value
    /// seldom repeats below two different objects; vocabulary does.
    fn learn_api_words(&mut self) {
        let mut first_seen: HashMap<&str, NodeId> = HashMap::new();
        let mut learned: Vec<Box<str>> = Vec::new();
        for (id, n) in self.nodes.iter().enumerate() {
            if !n.alive || !matches!(n.label, Label::Param { .. }) {
                continue;
            }
            for word in n.literals.keys() {
                if self.api_words.contains(word)
                    || classify(split_extension(word).0) != SegmentKind::Literal
                    || value_likeness(word) >= 0.5
                {
                    continue;
                }
                match first_seen.get(&**word) {
                    None => {
                        first_seen.insert(word, id as NodeId);
                    }
                    Some(&other) if other != id as NodeId => learned.push(word.clone()),
                    Some(_) => {}
                }
            }
        }
        for word in learned {
            if self.api_words.len() >= MAX_API_WORDS {
                break;
            }
            self.api_words.insert(word);
        }
    }

    fn analyse_pass(&mut self) -> Vec<Merge> {
        let mut merges = Vec::new();
        // Literal names that hold values somewhere (`/cards/{id}/board/{field}`): the same
        // name elsewhere probably does too (`/lists/{id}/board/...`). Whether the values held
        // are names (slugs) or typed ids decides how value-like a literal must look to follow.
        let mut holding: HashMap<Box<str>, bool> = HashMap::new();
        for n in self.nodes.iter().filter(|n| n.alive) {
            let Label::Literal(s) = &n.label else {
                continue;
            };
            let mut held = n.params.iter().map(|p| &self.nodes[*p as usize]);
            if let Some(names) = held
                .clone()
                .any(|p| p.kinds & kind_bit(SegmentKind::Slug) != 0)
                .then_some(true)
                .or_else(|| held.next().map(|_| false))
            {
                let e = holding.entry(s.clone()).or_insert(names);
                *e |= names;
            }
        }
        let mut queue: Vec<NodeId> = self.roots.values().copied().collect();
        queue.sort_unstable();
        let mut i = 0;
        while i < queue.len() {
            let at = queue[i];
            i += 1;
            if !self.nodes[at as usize].alive {
                continue;
            }
            merges.extend(self.merge_format_variants(at));
            merges.extend(self.collapse(at, false));
            merges.extend(self.follow_other_version(at));
            merges.extend(self.words_like_values(at));
            merges.extend(self.values_by_analogy(at, &holding));
            let node = &self.nodes[at as usize];
            let mut children: Vec<NodeId> = node.literals.values().copied().collect();
            children.sort_unstable();
            queue.extend(children);
            queue.extend(node.params.iter().copied());
        }
        merges
    }

    /// Leaves below a name that holds values elsewhere in the tree are values here too.
    fn values_by_analogy(&mut self, at: NodeId, holding: &HashMap<Box<str>, bool>) -> Vec<Merge> {
        let node = &self.nodes[at as usize];
        let Label::Literal(name) = &node.label else {
            return Vec::new();
        };
        let Some(&names_held) = holding.get(name) else {
            return Vec::new();
        };
        if self.only_prefixes_above(at) {
            return Vec::new();
        }
        let leaves: Vec<(Box<str>, NodeId)> = node
            .literals
            .iter()
            .filter(|(seg, c)| {
                let c = &self.nodes[**c as usize];
                c.literals.is_empty()
                    && c.params.is_empty()
                    && !self.is_static_word(seg)
                    && !self.is_user_static(seg)
                    && value_likeness(seg) > 0.2
                    // Where only typed ids are held (`/albums/{id}`), a plain word here is an
                    // action on the collection (`/me/albums/contains`), not one of them.
                    && (names_held || !seg.bytes().all(|c| c.is_ascii_lowercase()))
            })
            .map(|(s, n)| (s.clone(), *n))
            .collect();
        let reason = format!("`{name}` holds values elsewhere in the API");
        self.merge_as_values(at, leaves, &reason)
    }

    /// Where names were found to be values, a vocabulary word that leads only where the
    /// values lead (`/v1/payments/members` beside `/v1/{name}/members`) is one of them.
    fn words_like_values(&mut self, at: NodeId) -> Vec<Merge> {
        let node = &self.nodes[at as usize];
        let Some(&param) = node.params.iter().find(|p| {
            let p = &self.nodes[**p as usize];
            p.kinds & kind_bit(SegmentKind::Slug) != 0 && p.literals.len() >= 2
        }) else {
            return Vec::new();
        };
        let value_paths = &self.nodes[param as usize].literals;
        let words: Vec<(Box<str>, NodeId)> = node
            .literals
            .iter()
            .filter(|(seg, c)| {
                let c = &self.nodes[**c as usize];
                !is_self_word(seg)
                    && !is_action_word(seg)
                    && !self.is_user_static(seg)
                    && c.params.is_empty()
                    && !c.literals.is_empty()
                    && c.literals.keys().all(|k| value_paths.contains_key(k))
            })
            .map(|(s, n)| (s.clone(), *n))
            .filter(|(_, n)| !self.goes_where_values_seldom_go(*n, param))
            .collect();
        let mut merges = Vec::new();
        if words.is_empty() {
            return merges;
        }
        let reason = "words leading only where the values lead".to_owned();
        let value_methods = self.value_methods(at, &[]);
        for (_, n) in words {
            if !self.merge_or_split(at, n, param, &value_methods, &mut merges) {
                self.merged_literals += 1;
            }
        }
        let why = &mut self.nodes[param as usize].why;
        if !why.contains(&reason) {
            why.push(reason);
        }
        merges
    }

    /// Merges literal children of `at` into its parameter child (one per file extension),
    /// recording `reason` there.
    pub(super) fn merge_as_values(
        &mut self,
        at: NodeId,
        literals: Vec<(Box<str>, NodeId)>,
        reason: &str,
    ) -> Vec<Merge> {
        let mut merges = Vec::new();
        for (seg, n) in literals {
            let (_, ext) = split_extension(&seg);
            let ext = ext.map(str::to_owned);
            let Ok(param) = self.param_child_unbounded(at, ext.as_deref()) else {
                continue;
            };
            self.nodes[at as usize].literals.retain(|_, c| *c != n);
            self.merge_into(n, param, &mut merges);
            self.merged_literals += 1;
            let why = &mut self.nodes[param as usize].why;
            if !why.iter().any(|w| w == reason) {
                why.push(reason.to_owned());
            }
        }
        merges
    }

    /// `lists.json` and `lists.xml` beside each other are one endpoint in two formats:
    /// `lists.{format}`.
    fn merge_format_variants(&mut self, at: NodeId) -> Vec<Merge> {
        let mut by_stem: HashMap<String, Vec<NodeId>> = HashMap::new();
        for (seg, child) in &self.nodes[at as usize].literals {
            if let Some((stem, ext)) = format_suffix(seg) {
                if ext != "{format}" {
                    by_stem.entry(stem.to_owned()).or_default().push(*child);
                }
            }
        }
        let mut merges = Vec::new();
        let mut stems: Vec<(String, Vec<NodeId>)> =
            by_stem.into_iter().filter(|(_, v)| v.len() >= 2).collect();
        stems.sort();
        for (stem, group) in stems {
            let name = format!("{stem}.{{format}}");
            let target = match self.nodes[at as usize].literals.get(name.as_str()) {
                Some(&t) => t,
                None => {
                    let t = self.push(at, Label::Literal(name.clone().into()));
                    self.nodes[t as usize]
                        .why
                        .push(format!("{} formats of `{stem}` seen", group.len()));
                    self.nodes[at as usize].literals.insert(name.into(), t);
                    t
                }
            };
            for n in group {
                self.nodes[at as usize].literals.retain(|_, c| *c != n);
                self.merge_into(n, target, &mut merges);
            }
        }
        merges
    }

    /// Decides whether the literal children of `at` are values and merges them if so.
    fn collapse(&mut self, at: NodeId, forced: bool) -> Vec<Merge> {
        let node = &self.nodes[at as usize];
        if node.literals.is_empty() || (node.literals.len() < 2 && !node.collapsed) {
            return Vec::new();
        }
        let mut all: Vec<(Box<str>, NodeId)> = node
            .literals
            .iter()
            .filter(|(seg, _)| !self.is_user_static(seg))
            .map(|(s, n)| (s.clone(), *n))
            .collect();
        all.sort();
        let decision = if self.only_prefixes_above(at) {
            // A host's first positions hold the API's vocabulary: even past the literal cap,
            // only typed literals are merged there.
            self.values_decision(at, all)
        } else if forced || node.collapsed {
            let reason = if forced {
                format!(
                    "more than {} distinct literals: treated as values",
                    self.limits.max_children
                )
            } else {
                "position already holds values".to_owned()
            };
            // Vocabulary words stay, unless they lead where the values lead.
            let value_paths: Vec<&str> = node
                .params
                .iter()
                .flat_map(|p| self.nodes[*p as usize].literals.keys().map(|k| &**k))
                .collect();
            let like_values = |c: NodeId| {
                let mine = &self.nodes[c as usize].literals;
                let same = mine.keys().filter(|k| value_paths.contains(&&***k)).count();
                same >= 2 || (same >= 1 && same * 2 >= mine.len())
            };
            // Leaves answering the methods the values answer: a handful of them are static
            // siblings (`/users/search`); many are values that happen to be words.
            let value_methods: Vec<&str> = node
                .params
                .iter()
                .flat_map(|p| self.nodes[*p as usize].endpoints.iter().map(|(m, _)| &**m))
                .collect();
            let word_leaves: Vec<NodeId> = all
                .iter()
                .filter(|(seg, c)| {
                    let n = &self.nodes[*c as usize];
                    self.is_static_word(seg)
                        && !is_self_word(seg)
                        && !self.is_user_static(seg)
                        // What the API names below other objects is its own, not a value.
                        && !self.api_words.contains(&**seg)
                        && ((!is_action_word(seg)
                            && n.literals.is_empty()
                            && n.params.is_empty()
                            && !n.endpoints.is_empty()
                            && n.endpoints
                                .iter()
                                .all(|(m, _)| value_methods.contains(&&**m)))
                            || self.shaped_like_values(at, *c))
                })
                .map(|(_, c)| *c)
                .collect();
            let words_are_values = word_leaves.len() >= WORD_VALUES;
            // A word-shaped leaf answering a method no value answers (`PUT /cards/{id}/due`
            // beside `GET /cards/{id}/{field}`) is an operation of its own, not a value.
            let own_operation = |seg: &str, c: NodeId| {
                let n = &self.nodes[c as usize];
                value_likeness(seg) < 0.5
                    && n.literals.is_empty()
                    && n.params.is_empty()
                    && !value_methods.is_empty()
                    && n.endpoints
                        .iter()
                        .any(|(m, _)| !value_methods.contains(&&**m))
            };
            // A field-style name (camelCase) leading somewhere no value leads
            // (`/checklists/{id}/checkItems/{id}`) is a sub-resource.
            let own_subtree = |seg: &str, c: NodeId| {
                let n = &self.nodes[c as usize];
                value_likeness(seg) < 0.2
                    && (!n.literals.is_empty() || !n.params.is_empty())
                    && !like_values(c)
            };
            let candidates: Vec<(Box<str>, NodeId)> = all
                .into_iter()
                .filter(|(seg, c)| {
                    (!self.is_static_word(seg) && !own_operation(seg, *c) && !own_subtree(seg, *c))
                        || (!is_self_word(seg) && like_values(*c))
                        || (words_are_values && word_leaves.contains(c))
                })
                .collect();
            Some((candidates, reason, true))
        } else {
            self.values_decision(at, all)
        };
        let Some((mut candidates, reason, whole_position)) = decision else {
            return Vec::new();
        };
        // Whatever the evidence, the caller (`me`) stays, and so do actions (`search`,
        // `export`) unless they lead where the values lead (a project named `search`).
        let value_paths: std::collections::HashSet<&str> = candidates
            .iter()
            .filter(|(seg, _)| !is_action_word(seg))
            .flat_map(|(_, c)| self.nodes[*c as usize].literals.keys().map(|k| &**k))
            .chain(
                self.nodes[at as usize]
                    .params
                    .iter()
                    .flat_map(|p| self.nodes[*p as usize].literals.keys().map(|k| &**k)),
            )
            .collect();
        let keep: Vec<NodeId> = candidates
            .iter()
            .filter(|(seg, c)| {
                if is_self_word(seg) {
                    return true;
                }
                if !is_action_word(seg) {
                    return false;
                }
                let mine = &self.nodes[*c as usize].literals;
                let same = mine.keys().filter(|k| value_paths.contains(&***k)).count();
                !(same >= 2 || (same >= 1 && same * 2 >= mine.len()))
            })
            .map(|(_, c)| *c)
            .collect();
        let own = self.own_subtrees(at, &candidates);
        candidates.retain(|(_, c)| !keep.contains(c) && !own.contains(c));
        if candidates.is_empty() {
            return Vec::new();
        }
        let ids: Vec<NodeId> = candidates.iter().map(|(_, c)| *c).collect();
        let value_methods = self.value_methods(at, &ids);
        let mut merged = 0usize;
        let mut merges = Vec::new();
        let mut groups: Vec<(Option<String>, Vec<NodeId>)> = Vec::new();
        for (seg, n) in &candidates {
            let (_, ext) = split_extension(seg);
            let ext = ext.map(str::to_owned);
            match groups.iter_mut().find(|(e, _)| *e == ext) {
                Some((_, v)) => v.push(*n),
                None => groups.push((ext, vec![*n])),
            }
        }
        for (ext, group) in groups {
            let Ok(param) = self.param_child_unbounded(at, ext.as_deref()) else {
                continue;
            };
            for n in group {
                let kind = match &self.nodes[n as usize].label {
                    Label::Literal(s) => classify(split_extension(s).0),
                    _ => SegmentKind::Slug,
                };
                let kind = if kind == SegmentKind::Literal {
                    SegmentKind::Slug
                } else {
                    kind
                };
                self.nodes[param as usize].kinds |= kind_bit(kind);
                if !self.merge_or_split(at, n, param, &value_methods, &mut merges) {
                    merged += 1;
                }
            }
            let why = &mut self.nodes[param as usize].why;
            if !why.iter().any(|w| w == &reason) {
                why.push(reason.clone());
            }
        }
        let node = &mut self.nodes[at as usize];
        if !whole_position {
            node.numbers_are_values = true;
        } else if !node.collapsed {
            self.collapsed_positions += 1;
            node.collapsed = true;
        }
        self.merged_literals += merged as u64;
        merges
    }

    fn param_child_unbounded(&mut self, at: NodeId, ext: Option<&str>) -> Result<NodeId, NodeId> {
        let saved = self.limits.max_nodes;
        self.limits.max_nodes = usize::MAX;
        let r = self.param_child(at, ext, SegmentKind::Slug);
        self.limits.max_nodes = saved;
        r
    }

    /// Which literal children of `at` are values, and why; `None` when they look like
    /// vocabulary.
    fn values_decision(&self, at: NodeId, all: Vec<(Box<str>, NodeId)>) -> Option<Decision> {
        let node = &self.nodes[at as usize];
        let min = self.limits.min_distinct_values.max(2);
        if self.only_prefixes_above(at) {
            // The first positions are the API's own vocabulary (`/users`, `/v1`), but a
            // number there is a value once several are seen (`/614/info.json`), and so are
            // many value-like names that all lead to the same places (`/v1/acme/members`).
            if let Some(d) = self.shared_values(at, &all, 3 * min, 0.25) {
                return Some(d);
            }
            let typed: Vec<(Box<str>, NodeId)> = all
                .into_iter()
                .filter(|(s, _)| classify(split_extension(s).0) != SegmentKind::Literal)
                .collect();
            return (typed.len() >= ROOT_NUMBERS).then(|| {
                let reason = format!("{} distinct typed values at this position", typed.len());
                (typed, reason, false)
            });
        }
        if let Some(d) = self.shared_values(at, &all, (min / 2).max(3), 0.0) {
            return Some(d);
        }
        let typed_sibling = !node.params.is_empty();
        let candidates: Vec<(Box<str>, NodeId)> = all
            .into_iter()
            .filter(|(seg, _)| !self.is_static_word(seg))
            .collect();
        let n = candidates.len();
        let parent_is_collection = match &node.label {
            Label::Literal(s) => is_collection_word(s),
            _ => false,
        };
        let likeness = mean_likeness(&candidates);
        let parent_is_literal = matches!(node.label, Label::Literal(_));
        let reason = if n >= min && likeness >= 0.6 {
            format!("{n} distinct value-like literals")
        } else if parent_is_literal && n >= 2 * min {
            format!("{n} distinct literals")
        } else if parent_is_literal
            && ((n >= COLLECTION_MEMBERS && likeness >= 0.5) || (n >= 4 && likeness >= 0.4))
            && candidates.iter().all(|(_, c)| {
                let c = &self.nodes[*c as usize];
                c.literals.is_empty() && c.params.is_empty()
            })
        {
            format!("{n} distinct value-like leaves")
        } else if parent_is_collection
            && n >= COLLECTION_MEMBERS
            && likeness >= 0.25
            && (!typed_sibling || likeness >= 0.5)
        {
            format!("{n} distinct literals under a collection")
        } else {
            // Below an object (`/actions/{id}/...`), sub-resources lead somewhere; a field
            // or filter value is a leaf. Many value-like leaves are values.
            let leaves: Vec<(Box<str>, NodeId)> = candidates
                .iter()
                .filter(|(_, c)| {
                    let c = &self.nodes[*c as usize];
                    c.literals.is_empty() && c.params.is_empty()
                })
                .cloned()
                .collect();
            // Text no API names anything (`XUQy67`, `search35`) is a value even seen once;
            // two of them below one object make the position one of values.
            let random = leaves
                .iter()
                .filter(|(seg, _)| value_likeness(seg) >= 0.9)
                .count();
            if matches!(node.label, Label::Param { .. })
                && ((leaves.len() >= min && mean_likeness(&leaves) >= 0.45) || random >= 2)
            {
                // The leaves that look like values are; the field names an API writes in
                // camelCase stay, and so do words answering methods no value answers
                // (`PUT /cards/{id}/due` beside `GET /cards/{id}/search35`).
                let methods_of = |c: NodeId| {
                    self.nodes[c as usize]
                        .endpoints
                        .iter()
                        .map(|(m, _)| m.clone())
                        .collect::<Vec<_>>()
                };
                let value_methods: Vec<Box<str>> = leaves
                    .iter()
                    .filter(|(seg, _)| value_likeness(seg) >= 0.5)
                    .flat_map(|(_, c)| methods_of(*c))
                    .collect();
                let values: Vec<(Box<str>, NodeId)> = leaves
                    .into_iter()
                    .filter(|(seg, c)| {
                        let likeness = value_likeness(seg);
                        likeness >= 0.5
                            || (likeness >= 0.3
                                && methods_of(*c).iter().all(|m| value_methods.contains(m)))
                    })
                    .collect();
                if values.len() < 2 {
                    return None;
                }
                let reason = format!(
                    "{} distinct value-like leaves below an object",
                    values.len()
                );
                return Some((values, reason, false));
            }
            return None;
        };
        Some((candidates, reason, true))
    }

    /// Literal children that share what follows them (`/repos/a/issues`, `/repos/b/issues`)
    /// are values; vocabulary leads to different places. At least `min_children` of them,
    /// with a mean value-likeness of at least `min_likeness` (vocabulary words only count
    /// when no likeness is asked for).
    fn shared_values(
        &self,
        at: NodeId,
        all: &[(Box<str>, NodeId)],
        min_children: usize,
        min_likeness: f32,
    ) -> Option<Decision> {
        let node = &self.nodes[at as usize];
        let strict = min_likeness > 0.0;
        let mut counts: HashMap<&str, usize> = HashMap::new();
        let mut total = 0usize;
        // Where vocabulary rules (the first positions), only what is not vocabulary counts.
        let sources = all
            .iter()
            .filter(|(seg, _)| !(strict && self.is_static_word(seg)))
            .map(|(_, c)| *c)
            .chain(node.params.iter().copied());
        for c in sources {
            for seg in self.nodes[c as usize].literals.keys() {
                *counts.entry(seg).or_default() += 1;
                total += 1;
            }
        }
        let common: Vec<&str> = counts
            .iter()
            .filter(|(_, n)| **n >= 2)
            .map(|(s, _)| *s)
            .collect();
        let shares = |c: NodeId| {
            self.nodes[c as usize]
                .literals
                .keys()
                .any(|k| common.contains(&&**k))
        };
        // Shared when the children that lead to common places use few distinct ones.
        let sharers = all.iter().filter(|(_, c)| shares(*c)).count();
        let common_uses: usize = common.iter().filter_map(|k| counts.get(k)).sum();
        let shared = common_uses >= 4 && common_uses >= 2 * common.len() && sharers >= 2;
        if !shared || all.len() < min_children {
            return None;
        }
        let candidates: Vec<(Box<str>, NodeId)> = all
            .iter()
            .filter(|(seg, c)| {
                let static_word = self.is_static_word(seg);
                // Words the API uses below several objects are its own, whatever follows.
                !is_self_word(seg)
                    && !self.api_words.contains(&**seg)
                    && if strict {
                        shares(*c) && !static_word
                    } else {
                        !static_word || shares(*c)
                    }
            })
            .cloned()
            .collect();
        if candidates.len() < min_children.max(2) {
            return None;
        }
        let likeness: f32 = candidates
            .iter()
            .map(|(s, _)| value_likeness(s))
            .sum::<f32>()
            / candidates.len() as f32;
        // A few plain words sharing an action (`/me/albums/contains`, `/me/tracks/contains`)
        // are sub-resources; values are many, or look like values.
        // Below `/me`, `/self`, `/current` come the caller's own sub-resources; collections
        // (plural nouns) are sub-resources too. Values mostly lead on to the common places.
        let below_self = matches!(&node.label, Label::Literal(p) if is_self_word(p));
        let plural = candidates
            .iter()
            .filter(|(s, _)| is_collection_word(s))
            .count();
        let sharing = candidates.iter().filter(|(_, c)| shares(*c)).count();
        let value_shaped = plural * 2 < candidates.len() && sharing * 2 >= candidates.len();
        let enough = (candidates.len() >= self.limits.min_distinct_values.max(2)
            && !below_self
            && value_shaped)
            || likeness >= 0.6;
        if likeness < min_likeness || !enough {
            return None;
        }
        let reason = format!(
            "{} distinct literals sharing what follows them ({} paths below, {} distinct)",
            candidates.len(),
            total,
            counts.len()
        );
        // Among the first positions, later literals are judged again: vocabulary may come.
        Some((candidates, reason, !strict))
    }

    fn only_prefixes_above(&self, mut at: NodeId) -> bool {
        loop {
            let node = &self.nodes[at as usize];
            match &node.label {
                Label::Root => return true,
                Label::Literal(s) if is_prefix_segment(s) => at = node.parent,
                _ => return false,
            }
        }
    }

    /// Moves the subtree `from` into `into` (recursively merging children with the same label).
    pub(super) fn merge_into(&mut self, from: NodeId, into: NodeId, merges: &mut Vec<Merge>) {
        if from == into {
            return;
        }
        let taken = std::mem::replace(&mut self.nodes[from as usize], Node::new(from, Label::Rest));
        self.nodes[from as usize].alive = false;
        self.live = self.live.saturating_sub(1);
        merges.push(Merge { into });
        {
            let target = &mut self.nodes[into as usize];
            target.hits += taken.hits;
            target.kinds |= taken.kinds;
            target.collapsed |= taken.collapsed;
            target.numbers_are_values |= taken.numbers_are_values;
            for w in taken.why {
                if !target.why.contains(&w) {
                    target.why.push(w);
                }
            }
        }
        for (method, ep) in taken.endpoints {
            self.nodes[into as usize].endpoints.push((method, ep));
        }
        // A literal kept for its own endpoints alone takes paths below it again once
        // something that leads on is merged into it.
        if !taken.leaf_only {
            self.nodes[into as usize].leaf_only = false;
        }
        self.adopt_children(into, taken.literals, taken.params, taken.rest, merges);
    }

    /// Moves children into `into`, merging those with a label it already has.
    pub(super) fn adopt_children(
        &mut self,
        into: NodeId,
        literals: HashMap<Box<str>, NodeId, Fast>,
        params: Vec<NodeId>,
        rest: Option<NodeId>,
        merges: &mut Vec<Merge>,
    ) {
        for (seg, child) in literals {
            match self.nodes[into as usize].literals.get(&seg).copied() {
                Some(existing) => self.merge_into(child, existing, merges),
                None => {
                    // A literal under a collapsed target that is not vocabulary is a value.
                    let target_collapsed = self.nodes[into as usize].collapsed;
                    if target_collapsed && !self.is_static_word(&seg) {
                        let (_, ext) = split_extension(&seg);
                        let ext = ext.map(str::to_owned);
                        if let Ok(p) = self.param_child_unbounded(into, ext.as_deref()) {
                            self.merge_into(child, p, merges);
                            continue;
                        }
                    }
                    self.nodes[child as usize].parent = into;
                    self.nodes[into as usize].literals.insert(seg, child);
                }
            }
        }
        for child in params {
            let suffix = match &self.nodes[child as usize].label {
                Label::Param { suffix } => suffix.clone(),
                _ => None,
            };
            let existing = self.nodes[into as usize].params.iter().copied().find(|&p| {
                matches!(&self.nodes[p as usize].label, Label::Param { suffix: s } if *s == suffix)
            });
            match existing {
                Some(p) => self.merge_into(child, p, merges),
                None => {
                    self.nodes[child as usize].parent = into;
                    self.nodes[into as usize].params.push(child);
                }
            }
        }
        if let Some(r) = rest {
            match self.nodes[into as usize].rest {
                Some(existing) => self.merge_into(r, existing, merges),
                None => {
                    self.nodes[r as usize].parent = into;
                    self.nodes[into as usize].rest = Some(r);
                }
            }
        }
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
