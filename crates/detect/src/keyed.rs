//! [`Keyed`]: the bounded map every detector's per-entity state lives in.
//!
//! The attacker chooses how many entities there are, so the map has a cap. When it is full, an
//! entry idle for longer than the idle limit is evicted; when none is idle, the least recently
//! seen of a small sample is. Evictions are counted, and so are the entities that could not be
//! tracked at all.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// Hashes a `u64` key that is already a good hash (keys are XXH3 outputs).
#[derive(Default, Clone, Copy)]
pub struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Map<S> = HashMap<u64, Slot<S>, BuildHasherDefault<PassThrough>>;

#[derive(Debug, Clone)]
struct Slot<S> {
    last_seen: i64,
    state: S,
}

/// Counters of a [`Keyed`] map.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyedStats {
    /// Entities tracked now.
    pub tracked: usize,
    /// Entities evicted to make room.
    pub evicted: u64,
    /// The cap.
    pub cap: usize,
}

/// A map from entity key (a 64-bit hash) to state, capped at `cap` entries.
#[derive(Debug, Clone)]
pub struct Keyed<S> {
    map: Map<S>,
    cap: usize,
    idle_ms: i64,
    evicted: u64,
    /// Rotates the eviction sample over the table.
    cursor: usize,
}

/// How many entries are looked at to pick one to evict.
const EVICTION_SAMPLE: usize = 8;

impl<S: Default> Keyed<S> {
    /// A map holding at most `cap` entities (at least one); entries idle for `idle_ms` of event
    /// time are the first to go.
    pub fn new(cap: usize, idle_ms: i64) -> Self {
        Self {
            map: Map::default(),
            cap: cap.max(1),
            idle_ms,
            evicted: 0,
            cursor: 0,
        }
    }

    /// The state of `key`, created (evicting another when full) if absent, stamped `now`.
    pub fn entry(&mut self, key: u64, now: i64) -> &mut S {
        if !self.map.contains_key(&key) && self.map.len() >= self.cap {
            self.evict_one(now);
        }
        let slot = self.map.entry(key).or_insert_with(|| Slot {
            last_seen: now,
            state: S::default(),
        });
        slot.last_seen = slot.last_seen.max(now);
        &mut slot.state
    }

    /// The state of `key` if tracked.
    pub fn get(&self, key: u64) -> Option<&S> {
        self.map.get(&key).map(|s| &s.state)
    }

    fn evict_one(&mut self, now: i64) {
        // Look at a few entries from a rotating start; evict the first idle one, else the
        // stalest of the sample. Amortised O(1), never a full scan.
        let len = self.map.len();
        let skip = self.cursor % len;
        self.cursor = self.cursor.wrapping_add(EVICTION_SAMPLE * 7 + 1);
        let mut victim: Option<(u64, i64)> = None;
        for (&k, slot) in self.map.iter().skip(skip).take(EVICTION_SAMPLE) {
            if now - slot.last_seen >= self.idle_ms {
                victim = Some((k, slot.last_seen));
                break;
            }
            if victim.is_none_or(|(_, t)| slot.last_seen < t) {
                victim = Some((k, slot.last_seen));
            }
        }
        if victim.is_none() {
            victim = self.map.iter().next().map(|(&k, s)| (k, s.last_seen));
        }
        if let Some((k, _)) = victim {
            self.map.remove(&k);
            self.evicted += 1;
        }
    }

    /// Counters: tracked, evicted, cap.
    pub fn stats(&self) -> KeyedStats {
        KeyedStats {
            tracked: self.map.len(),
            evicted: self.evicted,
            cap: self.cap,
        }
    }

    /// Bytes used by the entries (state and bookkeeping), not counting the table's spare room.
    pub fn approx_bytes(&self) -> usize {
        self.map.capacity() * (std::mem::size_of::<Slot<S>>() + std::mem::size_of::<u64>() + 1)
    }

    /// Every tracked entity and its state.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &S)> {
        self.map.iter().map(|(k, s)| (*k, &s.state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_holds_and_evictions_are_counted() {
        let mut k: Keyed<u32> = Keyed::new(100, 60_000);
        for i in 0..10_000u64 {
            *k.entry(rampart_core::fast_hash(&i.to_le_bytes()), i as i64) += 1;
        }
        let s = k.stats();
        assert_eq!(s.tracked, 100);
        assert_eq!(s.evicted, 9_900);
    }

    #[test]
    fn idle_entries_go_before_active_ones() {
        let mut k: Keyed<u32> = Keyed::new(4, 1_000);
        let hot = 42;
        for t in 0..4u64 {
            k.entry(t + 100, t as i64);
        }
        // Touch only `hot` recently, then insert newcomers: the idle ones make room.
        *k.entry(hot, 5_000) += 1;
        for t in 0..10u64 {
            k.entry(t + 1000, 5_000 + t as i64);
            *k.entry(hot, 5_000 + t as i64) += 1;
        }
        assert_eq!(k.get(hot), Some(&11));
    }
}
