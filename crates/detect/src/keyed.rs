//! [`Keyed`]: the bounded map every detector's per-entity state lives in.
//!
//! The attacker chooses how many entities there are, so the map has a cap. When it is full, an
//! entry idle for longer than the idle limit is evicted; when none is idle, the least recently
//! seen of a small sample is. Evictions are counted, and so are the entities that could not be
//! tracked at all.

use std::collections::{HashMap, VecDeque};
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
    /// Keys in the order they were inserted (or given a second chance).
    order: VecDeque<u64>,
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
            order: VecDeque::new(),
        }
    }

    /// The state of `key`, created (evicting another when full) if absent, stamped `now`.
    pub fn entry(&mut self, key: u64, now: i64) -> &mut S {
        if !self.map.contains_key(&key) && self.map.len() >= self.cap {
            self.evict_one(now);
        }
        let order = &mut self.order;
        let slot = self.map.entry(key).or_insert_with(|| {
            order.push_back(key);
            Slot {
                last_seen: now,
                state: S::default(),
            }
        });
        slot.last_seen = slot.last_seen.max(now);
        &mut slot.state
    }

    /// The state of `key`, created only when `door` admits the key (on its second sighting);
    /// `None` while it is not tracked.
    pub fn admitted(
        &mut self,
        key: u64,
        now: i64,
        door: &mut crate::sketch::Admission,
    ) -> Option<&mut S> {
        if !self.map.contains_key(&key) && !door.admit(key) {
            return None;
        }
        Some(self.entry(key, now))
    }

    /// The state of `key` if tracked.
    pub fn get(&self, key: u64) -> Option<&S> {
        self.map.get(&key).map(|s| &s.state)
    }

    fn evict_one(&mut self, now: i64) {
        // CLOCK-like: keys wait in insertion order; look at the next few, evict the first idle
        // one, else the stalest of them; the others go to the back for another round. O(1)
        // amortised, never a scan of the table.
        let mut victim: Option<(u64, i64)> = None;
        let mut looked = 0;
        while looked < EVICTION_SAMPLE {
            let Some(k) = self.order.pop_front() else {
                break;
            };
            let Some(slot) = self.map.get(&k) else {
                continue; // already gone
            };
            looked += 1;
            if now - slot.last_seen >= self.idle_ms {
                if let Some((v, _)) = victim {
                    self.order.push_back(v);
                }
                victim = Some((k, slot.last_seen));
                break;
            }
            match victim {
                Some((v, t)) if slot.last_seen < t => {
                    self.order.push_back(v);
                    victim = Some((k, slot.last_seen));
                }
                None => victim = Some((k, slot.last_seen)),
                Some(_) => self.order.push_back(k),
            }
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
            + self.order.capacity() * std::mem::size_of::<u64>()
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
