//! What the requests say: a value is one draw among many, so its requests spread over what
//! follows it the way the other values' requests do. A word whose requests go where values
//! seldom go (`GET /api/v1/admin/sites`, where accounts are almost only POSTed to
//! `/api/v1/{account}/sites`) is an endpoint of its own, even when it leads only where the
//! values lead.

use std::collections::HashMap;

use super::tree::{NodeId, Tree};

/// Requests a word needs before its traffic is judged.
const MIN_WORD_REQUESTS: u64 = 5;

/// Requests the values need before their traffic is a yardstick.
const MIN_VALUE_REQUESTS: u64 = 50;

/// Share of the values' requests below which a continuation and method is seldom used.
const SELDOM: f64 = 0.05;

impl Tree {
    /// Requests by (next segment, method) ending at `n` (segment `""`) or one level below it.
    fn traffic(&self, n: NodeId) -> HashMap<(&str, &str), u64> {
        let mut out: HashMap<(&str, &str), u64> = HashMap::new();
        let node = &self.nodes[n as usize];
        let ends = std::iter::once(("", node)).chain(
            node.literals
                .iter()
                .map(|(k, c)| (&**k, &self.nodes[*c as usize])),
        );
        for (seg, at) in ends {
            for (m, id) in &at.endpoints {
                let hits = self.endpoint_hits.get(*id as usize).copied().unwrap_or(0);
                *out.entry((seg, &**m)).or_default() += hits;
            }
        }
        out
    }

    /// Whether nine in ten of the requests of the literal `word` go to continuations and
    /// methods that carry less than one in twenty of the requests of the values in `param`.
    pub(super) fn goes_where_values_seldom_go(&self, word: NodeId, param: NodeId) -> bool {
        let mine = self.traffic(word);
        let theirs = self.traffic(param);
        let my_total: u64 = mine.values().sum();
        let their_total: u64 = theirs.values().sum();
        if my_total < MIN_WORD_REQUESTS || their_total < MIN_VALUE_REQUESTS {
            return false;
        }
        let seldom: u64 = mine
            .iter()
            .filter(|(k, _)| {
                let share = theirs.get(*k).copied().unwrap_or(0) as f64 / their_total as f64;
                share < SELDOM
            })
            .map(|(_, n)| *n)
            .sum();
        seldom * 10 >= my_total * 9
    }
}
