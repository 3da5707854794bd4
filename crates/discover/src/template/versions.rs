//! Versions of one API side by side (`/v0/...` beside `/v1/...`): the better-known one teaches
//! the other where its values are.

use super::kinds::kind_bit;
use super::tree::{Label, Merge, NodeId, Tree};
use super::vocab::is_version_segment;
use crate::segment::SegmentKind;

impl Tree {
    /// An older or newer version of an API mirrors this one (`/v0/users/{id}` beside
    /// `/v1/users/{id}`): literals seen where the other version holds values are values.
    pub(super) fn follow_other_version(&mut self, at: NodeId) -> Vec<Merge> {
        let Some(mirror) = self.mirror(at) else {
            return Vec::new();
        };
        let mirror_node = &self.nodes[mirror as usize];
        // The better-known version teaches the lesser-known one, and only names teach names:
        // a position of numbers there says nothing of words here.
        let names_there = mirror_node
            .params
            .iter()
            .any(|p| self.nodes[*p as usize].kinds & kind_bit(SegmentKind::Slug) != 0);
        if !names_there || mirror_node.hits <= self.nodes[at as usize].hits {
            return Vec::new();
        }
        let candidates: Vec<(Box<str>, NodeId)> = self.nodes[at as usize]
            .literals
            .iter()
            .filter(|(seg, _)| {
                !mirror_node.literals.contains_key(&**seg)
                    && !self.is_static_word(seg)
                    && !self.is_user_static(seg)
            })
            .map(|(s, n)| (s.clone(), *n))
            .collect();
        if candidates.is_empty() {
            return Vec::new();
        }
        let reason = format!(
            "values where another version of the API has them ({})",
            self.template(mirror)
        );
        self.merge_as_values(at, candidates, &reason)
    }

    /// The node at the same place under another version segment (`v0` ↔ `v1`).
    fn mirror(&self, at: NodeId) -> Option<NodeId> {
        let mut path: Vec<&Label> = Vec::new();
        let mut cur = at;
        let version = loop {
            let node = &self.nodes[cur as usize];
            match &node.label {
                Label::Root => return None,
                Label::Literal(s) if is_version_segment(s) => break cur,
                label => path.push(label),
            }
            cur = node.parent;
        };
        if path.is_empty() {
            return None;
        }
        path.reverse();
        let parent = &self.nodes[self.nodes[version as usize].parent as usize];
        let mut others: Vec<(&Box<str>, &NodeId)> = parent
            .literals
            .iter()
            .filter(|(s, n)| **n != version && is_version_segment(s))
            .collect();
        others.sort();
        'other: for (_, &start) in others {
            let mut node = start;
            for label in &path {
                let n = &self.nodes[node as usize];
                node = match label {
                    Label::Literal(l) => match n.literals.get(&**l) {
                        Some(&c) => c,
                        None => match n.params.first() {
                            Some(&p) => p,
                            None => continue 'other,
                        },
                    },
                    Label::Param { suffix } => {
                        let found = n.params.iter().copied().find(|&p| {
                            matches!(&self.nodes[p as usize].label, Label::Param { suffix: s } if s == suffix)
                        });
                        match found {
                            Some(p) => p,
                            None => continue 'other,
                        }
                    }
                    _ => continue 'other,
                };
            }
            return Some(node);
        }
        None
    }
}
