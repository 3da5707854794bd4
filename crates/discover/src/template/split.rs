//! Splitting a vocabulary literal off the values beside it.
//!
//! A word of the API's vocabulary can also be a value: an image named `search` leads where
//! image names lead (`POST /images/search/push` beside `POST /images/{name}/push`), while
//! `GET /images/search` is an endpoint of its own. When such a word is found to be a value,
//! what follows it is merged into the parameter, and so are its own requests answering a
//! method the values answer at that position (`DELETE /images/search` is `DELETE
//! /images/{name}`); requests with a method no value answers there stay on the literal, which
//! from then on keeps only the paths that end at it.

use super::hash::fast;
use super::tree::{Label, Merge, NodeId, Tree};

impl Tree {
    /// Methods answered where the values of `at` end: at its parameter children and at the
    /// literal children about to be merged as values (`values`, the vocabulary among them
    /// left out, since they are what is being judged).
    pub(super) fn value_methods(&self, at: NodeId, values: &[NodeId]) -> Vec<Box<str>> {
        let node = &self.nodes[at as usize];
        let mut methods: Vec<Box<str>> = Vec::new();
        let from_values = values.iter().filter(|c| {
            matches!(&self.nodes[**c as usize].label, Label::Literal(s) if !self.is_static_word(s))
        });
        for c in node.params.iter().chain(from_values) {
            for (m, _) in &self.nodes[*c as usize].endpoints {
                if !methods.contains(m) {
                    methods.push(m.clone());
                }
            }
        }
        methods
    }

    /// Merges the literal child `n` of `at` into `param` as a value. A vocabulary word whose
    /// own requests answer a method that `value_methods` lacks keeps those requests and stays,
    /// split off: only what follows it and its other requests move. Returns whether it stayed.
    pub(super) fn merge_or_split(
        &mut self,
        at: NodeId,
        n: NodeId,
        param: NodeId,
        value_methods: &[Box<str>],
        merges: &mut Vec<Merge>,
    ) -> bool {
        let node = &self.nodes[n as usize];
        let word = matches!(&node.label, Label::Literal(s) if self.is_static_word(s));
        let own = word
            && node
                .endpoints
                .iter()
                .any(|(m, _)| !value_methods.contains(m));
        if !own {
            self.nodes[at as usize].literals.retain(|_, c| *c != n);
            self.merge_into(n, param, merges);
            return false;
        }
        let node = &mut self.nodes[n as usize];
        let literals = std::mem::replace(
            &mut node.literals,
            std::collections::HashMap::with_hasher(fast()),
        );
        let params = std::mem::take(&mut node.params);
        let rest = node.rest.take();
        let (moved, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut node.endpoints)
            .into_iter()
            .partition(|(m, _)| value_methods.contains(m));
        node.endpoints = kept;
        node.leaf_only = true;
        let below: u64 = literals
            .values()
            .chain(params.iter())
            .chain(rest.iter())
            .map(|c| self.nodes[*c as usize].hits)
            .sum();
        let node = &mut self.nodes[n as usize];
        node.hits = node.hits.saturating_sub(below);
        let target = &mut self.nodes[param as usize];
        target.hits += below;
        target.endpoints.extend(moved);
        merges.push(Merge { into: param });
        self.adopt_children(param, literals, params, rest, merges);
        true
    }
}
