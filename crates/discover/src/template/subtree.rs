//! Sub-resources beside values: a field-style name (`checkItems`, camelCase as APIs name their
//! own fields) that leads somewhere no value leads (`/checklists/{id}/checkItems/{id}` beside
//! `/checklists/{id}/{field}`) is part of the API, whatever its siblings look like.

use std::collections::HashMap;

use super::tree::{NodeId, Tree};
use super::vocab::value_likeness;

impl Tree {
    /// The candidates among `candidates` (literal children of `at` judged values) that are
    /// sub-resources of their own: named like fields, and leading on to paths neither the
    /// parameter of `at` nor any other candidate leads to.
    pub(super) fn own_subtrees(
        &self,
        at: NodeId,
        candidates: &[(Box<str>, NodeId)],
    ) -> Vec<NodeId> {
        // How many candidates lead to each next segment; the parameter's count for two.
        let mut below: HashMap<&str, usize> = HashMap::new();
        for (_, c) in candidates {
            for k in self.nodes[*c as usize].literals.keys() {
                *below.entry(k).or_default() += 1;
            }
        }
        for p in &self.nodes[at as usize].params {
            for k in self.nodes[*p as usize].literals.keys() {
                *below.entry(k).or_default() += 2;
            }
        }
        candidates
            .iter()
            .filter(|(seg, c)| {
                let n = &self.nodes[*c as usize];
                if value_likeness(seg) >= 0.2
                    || !humps_have_vowels(seg)
                    || (n.literals.is_empty() && n.params.is_empty())
                {
                    return false;
                }
                let shared = n
                    .literals
                    .keys()
                    .filter(|k| below.get(&***k).is_some_and(|b| *b >= 2))
                    .count();
                !(shared >= 2 || (shared >= 1 && shared * 2 >= n.literals.len()))
            })
            .map(|(_, c)| *c)
            .collect()
    }

    /// Whether the literal child `c` of `at` leads on exactly as the values of `at` do: to a
    /// parameter like theirs (`/cookies/set/billing/{value}` beside
    /// `/cookies/set/{name}/{value}`), only to places they lead to, answering only methods
    /// they answer, there and here.
    pub(super) fn shaped_like_values(&self, at: NodeId, c: NodeId) -> bool {
        let node = &self.nodes[c as usize];
        let values = &self.nodes[at as usize].params;
        if node.params.is_empty() || values.is_empty() {
            return false;
        }
        let answered = |mine: &[(Box<str>, u32)], theirs: &[(Box<str>, u32)]| {
            mine.iter().all(|(m, _)| theirs.iter().any(|(t, _)| t == m))
        };
        let value_nodes = || values.iter().map(|v| &self.nodes[*v as usize]);
        let own = value_nodes().any(|v| answered(&node.endpoints, &v.endpoints));
        // Each literal below leads where the values do, or is a leaf that would be a value
        // there (not vocabulary, below values whose own position holds values).
        let literals = node.literals.iter().all(|(k, n)| {
            let n = &self.nodes[*n as usize];
            value_nodes().any(|v| match v.literals.get(k) {
                Some(w) => answered(&n.endpoints, &self.nodes[*w as usize].endpoints),
                None => {
                    v.collapsed
                        && !self.is_static_word(k)
                        && n.literals.is_empty()
                        && n.params.is_empty()
                }
            })
        });
        let params = node.params.iter().all(|p| {
            let p = &self.nodes[*p as usize];
            value_nodes().any(|v| {
                v.params.iter().any(|w| {
                    let w = &self.nodes[*w as usize];
                    w.label == p.label && answered(&p.endpoints, &w.endpoints)
                })
            })
        });
        own && literals && params
    }
}

/// Whether every word of a camelCase name (`check`, `Items`) of three letters or more has a
/// vowel, as written words do; random text that happens to be cased like words (`dalVwq`,
/// `pdvIek`) seldom does.
fn humps_have_vowels(seg: &str) -> bool {
    let b = seg.as_bytes();
    let mut start = 0;
    while start < b.len() {
        let mut end = start + 1;
        while end < b.len() && b[end].is_ascii_lowercase() {
            end += 1;
        }
        let word = &b[start..end];
        let vowel = word.iter().any(|c| {
            matches!(
                c.to_ascii_lowercase(),
                b'a' | b'e' | b'i' | b'o' | b'u' | b'y'
            )
        });
        if word.len() >= 3 && !vowel {
            return false;
        }
        start = end;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::humps_have_vowels;

    #[test]
    fn written_words_have_vowels() {
        for name in [
            "checkItems",
            "labelNames",
            "idList",
            "callbackURL",
            "memberCreator",
        ] {
            assert!(humps_have_vowels(name), "{name}");
        }
        for random in ["dalVwq", "pdvIek", "xkcdTrm"] {
            assert!(!humps_have_vowels(random), "{random}");
        }
    }
}
