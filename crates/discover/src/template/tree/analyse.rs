//! The cardinality pass over a [`Tree`]: position by position, whether literal children are
//! vocabulary (kept) or values (merged into the parameter child), and why.

use std::collections::HashMap;

use super::*;

impl Tree {
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
    pub(super) fn learn_api_words(&mut self) {
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
    pub(in crate::template) fn merge_as_values(
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
    pub(super) fn collapse(&mut self, at: NodeId, forced: bool) -> Vec<Merge> {
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

    pub(super) fn only_prefixes_above(&self, mut at: NodeId) -> bool {
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
    pub(in crate::template) fn merge_into(
        &mut self,
        from: NodeId,
        into: NodeId,
        merges: &mut Vec<Merge>,
    ) {
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
    pub(in crate::template) fn adopt_children(
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
}
