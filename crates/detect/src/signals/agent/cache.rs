//! A small, bounded memo of classifications: most traffic comes from a few user agents, and a
//! hit costs one hash and one comparison instead of a parse.

use super::{AgentClass, AgentClassifier};

/// Most slots an [`AgentCache`] takes.
pub const MAX_CACHE_SLOTS: usize = 1 << 16;

/// A direct-mapped cache in front of an [`AgentClassifier`], owned by one caller (a detector,
/// a worker thread): no locks. Memory is bounded by the slot count times the longest UA read
/// (1 KiB). A flood of distinct user agents only evicts: each miss costs one classification
/// and one allocation for the stored key.
#[derive(Debug, Clone)]
pub struct AgentCache {
    classifier: AgentClassifier,
    slots: Vec<Option<(u64, Box<str>, AgentClass)>>,
    hits: u64,
    misses: u64,
}

impl AgentCache {
    /// A cache of `slots` entries (rounded up to a power of two, at least 1, at most
    /// [`MAX_CACHE_SLOTS`]).
    pub fn new(classifier: AgentClassifier, slots: usize) -> Self {
        let n = slots.clamp(1, MAX_CACHE_SLOTS).next_power_of_two();
        Self {
            classifier,
            slots: vec![None; n],
            hits: 0,
            misses: 0,
        }
    }

    /// Classifies `ua`, from the cache when it was seen last in its slot.
    pub fn classify(&mut self, ua: &str) -> AgentClass {
        let ua = &ua[..floor_char_boundary(ua, super::MAX_UA)];
        let h = rampart_core::fast_hash(ua.as_bytes());
        let mask = self.slots.len() - 1;
        let slot = &mut self.slots[(h as usize) & mask];
        if let Some((sh, key, class)) = slot {
            if *sh == h && **key == *ua {
                self.hits += 1;
                return *class;
            }
        }
        self.misses += 1;
        let class = self.classifier.classify(ua);
        *slot = Some((h, ua.into(), class));
        class
    }

    /// Bytes held: the slots and the user agents kept in them.
    pub fn bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Option<(u64, Box<str>, AgentClass)>>()
            + self
                .slots
                .iter()
                .flatten()
                .map(|(_, ua, _)| ua.len())
                .sum::<usize>()
    }

    /// Lookups answered from the cache.
    pub fn hits(&self) -> u64 {
        self.hits
    }

    /// Lookups that had to classify.
    pub fn misses(&self) -> u64 {
        self.misses
    }
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    (0..=max)
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_and_stays_correct_under_collisions() {
        let mut cache = AgentCache::new(AgentClassifier::default(), 1);
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36";
        assert_eq!(cache.classify(chrome), super::super::classify(chrome));
        assert_eq!(cache.classify(chrome), super::super::classify(chrome));
        assert_eq!((cache.hits(), cache.misses()), (1, 1));
        // One slot: a second agent evicts the first, and each answer is still its own.
        assert_eq!(
            cache.classify("curl/8.5.0"),
            super::super::classify("curl/8.5.0")
        );
        assert_eq!(cache.classify(chrome), super::super::classify(chrome));
        assert_eq!(cache.misses(), 3);
        let long = "é".repeat(2000);
        assert_eq!(cache.classify(&long), super::super::classify(&long));
        assert_eq!(
            AgentCache::new(AgentClassifier::default(), 1 << 30)
                .slots
                .len(),
            MAX_CACHE_SLOTS
        );
    }
}
