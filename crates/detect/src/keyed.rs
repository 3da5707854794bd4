//! [`Keyed`]: the bounded map every detector's per-entity state lives in.
//!
//! The attacker chooses how many entities there are, so the map has a cap. When it is full, an
//! entry idle for longer than the idle limit is evicted; when none is idle, the least recently
//! seen of a small sample is. Evictions are counted.
//!
//! It is an open-addressing table (linear probing, backward-shift deletion) over three
//! arrays — keys, last-seen stamps (4 bytes: event time in 16 ms ticks, modulo 2^32, which
//! wraps every 2.2 years; ages are wrapping differences) and states — that grows by doubling
//! up to the size that holds the cap at a load of 7/8 and never beyond, so its memory is known
//! from the cap: `slots × (12 + size_of::<S>())` bytes. Eviction samples entries at random
//! slots, so there is no queue to keep beside the entries. (Sampling a run of neighbouring
//! slots instead, or sweeping a hand through the table, was measured to grow clusters of
//! thousands of slots: evicting the oldest entry of a run removes the front of a cluster.) A lookup reads one cache
//! line of keys and then the state.

use crate::merge::Merge;

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
    /// 0 marks an empty slot (key 0 is stored as [`ZERO_KEY`]).
    keys: Vec<u64>,
    stamps: Vec<u32>,
    states: Vec<S>,
    len: usize,
    cap: usize,
    /// Slots at the cap.
    max_slots: usize,
    /// Idle time, in ticks.
    idle: u32,
    evicted: u64,
    /// State of the generator that picks where an eviction looks.
    rng: u64,
}

/// How many entries are looked at to pick one to evict.
const EVICTION_SAMPLE: usize = 8;
/// Most random slots looked at (empty ones included) to pick one to evict.
const EVICTION_SCAN: usize = 64;
/// Slots of a table's first allocation.
const FIRST_SLOTS: usize = 16;
/// Key 0 marks empty slots; an entity whose key is 0 is stored under this one.
const ZERO_KEY: u64 = 0x9e37_79b9_7f4a_7c15;

fn norm(key: u64) -> u64 {
    if key == 0 {
        ZERO_KEY
    } else {
        key
    }
}

/// Milliseconds per stamp tick.
const TICK_MS: i64 = 16;

/// Event time in ticks, as stamps hold it (modulo 2^32).
fn tick(now_ms: i64) -> u32 {
    now_ms.div_euclid(TICK_MS) as u32
}

/// How long before `now` the stamp `t` is, in ticks (0 for a stamp after `now`).
fn age(now: u32, t: u32) -> u32 {
    let d = now.wrapping_sub(t);
    if (d as i32) < 0 {
        0
    } else {
        d
    }
}

/// Whether stamp `a` is later than `b`.
fn later(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

/// Slots needed to hold `cap` entries at a load of at most 7/8.
fn slots_for(cap: usize) -> usize {
    cap.saturating_mul(8).div_ceil(7).max(1)
}

impl<S: Default> Keyed<S> {
    /// A map holding at most `cap` entities (at least one); entries idle for `idle_ms` of event
    /// time are the first to go. Nothing is allocated until the first entry.
    pub fn new(cap: usize, idle_ms: i64) -> Self {
        let cap = cap.max(1);
        Self {
            keys: Vec::new(),
            stamps: Vec::new(),
            states: Vec::new(),
            len: 0,
            cap,
            max_slots: slots_for(cap),
            idle: (idle_ms.max(0) / TICK_MS).min(i64::from(i32::MAX)) as u32,
            evicted: 0,
            rng: 0x853c_49e6_748f_ea9b,
        }
    }

    /// The home slot of `key`: the high bits of a multiplicative hash, scaled to the table.
    fn home(&self, key: u64) -> usize {
        let h = key.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (key >> 29);
        ((u128::from(h) * self.keys.len() as u128) >> 64) as usize
    }

    /// `Ok(slot)` holding `key`, or `Err(slot)` where it would go.
    fn find(&self, key: u64) -> Result<usize, usize> {
        let n = self.keys.len();
        if n == 0 {
            return Err(0);
        }
        let mut i = self.home(key);
        loop {
            let k = self.keys[i];
            if k == key {
                return Ok(i);
            }
            if k == 0 {
                return Err(i);
            }
            i += 1;
            if i == n {
                i = 0;
            }
        }
    }

    /// The state of `key`, created (evicting another when full) if absent, stamped `now`.
    pub fn entry(&mut self, key: u64, now: i64) -> &mut S {
        let key = norm(key);
        let t = tick(now);
        let at = match self.find(key) {
            Ok(i) => i,
            Err(_) => self.insert(key, t),
        };
        if later(t, self.stamps[at]) {
            self.stamps[at] = t;
        }
        &mut self.states[at]
    }

    /// Inserts `key` (absent) with a default state; returns its slot.
    fn insert(&mut self, key: u64, now: u32) -> usize {
        if self.len >= self.cap {
            self.evict_one(now);
        }
        if (self.len + 1) * 8 > self.keys.len() * 7 && self.keys.len() < self.max_slots {
            self.grow();
        }
        // The load stays at most 7/8, so the search ends at an empty slot.
        let (Ok(i) | Err(i)) = self.find(key);
        self.keys[i] = key;
        self.stamps[i] = now;
        self.states[i] = S::default();
        self.len += 1;
        i
    }

    fn grow(&mut self) {
        let slots = if self.keys.is_empty() {
            FIRST_SLOTS.min(self.max_slots)
        } else {
            (self.keys.len() * 2).min(self.max_slots)
        };
        let keys = std::mem::replace(&mut self.keys, vec![0; slots]);
        let stamps = std::mem::replace(&mut self.stamps, vec![0; slots]);
        let states = std::mem::take(&mut self.states);
        self.states.reserve_exact(slots);
        self.states.resize_with(slots, S::default);
        for ((k, t), s) in keys.into_iter().zip(stamps).zip(states) {
            if k == 0 {
                continue;
            }
            let (Ok(i) | Err(i)) = self.find(k);
            self.keys[i] = k;
            self.stamps[i] = t;
            self.states[i] = s;
        }
    }

    /// Removes the entry in slot `i`, shifting the entries after it back so that every key
    /// stays reachable from its home slot.
    fn remove_at(&mut self, mut i: usize) {
        let n = self.keys.len();
        let mut j = i;
        loop {
            j = if j + 1 == n { 0 } else { j + 1 };
            let k = self.keys[j];
            if k == 0 {
                break;
            }
            let home = self.home(k);
            // Move `j` back to `i` unless its home lies cyclically in (i, j].
            let stays = if i <= j {
                i < home && home <= j
            } else {
                i < home || home <= j
            };
            if stays {
                continue;
            }
            self.keys[i] = k;
            self.stamps[i] = self.stamps[j];
            self.states.swap(i, j);
            i = j;
        }
        self.keys[i] = 0;
        self.stamps[i] = 0;
        self.states[i] = S::default();
        self.len -= 1;
    }

    fn evict_one(&mut self, now: u32) {
        let n = self.keys.len();
        if n == 0 {
            return;
        }
        let mut victim: Option<(usize, u32)> = None;
        let mut looked = 0;
        for _ in 0..EVICTION_SCAN {
            self.rng = self
                .rng
                .wrapping_mul(0x5851_f42d_4c95_7f2d)
                .wrapping_add(0x1405_7b7e_f767_814f);
            let i = ((u128::from(self.rng) * n as u128) >> 64) as usize;
            if self.keys[i] == 0 {
                continue;
            }
            looked += 1;
            let a = age(now, self.stamps[i]);
            if a >= self.idle {
                victim = Some((i, a));
                break;
            }
            if victim.is_none_or(|(_, va)| a > va) {
                victim = Some((i, a));
            }
            if looked == EVICTION_SAMPLE {
                break;
            }
        }
        let victim = victim
            .map(|(v, _)| v)
            .or_else(|| self.keys.iter().position(|&k| k != 0));
        if let Some(v) = victim {
            self.remove_at(v);
            self.evicted += 1;
        }
    }

    /// The state of `key`, created only when `door` admits the key (on its second sighting);
    /// `None` while it is not tracked.
    pub fn admitted(
        &mut self,
        key: u64,
        now: i64,
        door: &mut crate::sketch::Admission,
    ) -> Option<&mut S> {
        let key = norm(key);
        let t = tick(now);
        let at = match self.find(key) {
            Ok(i) => i,
            Err(_) if !door.admit(key) => return None,
            Err(_) => self.insert(key, t),
        };
        if later(t, self.stamps[at]) {
            self.stamps[at] = t;
        }
        Some(&mut self.states[at])
    }

    /// The state of `key` if tracked.
    pub fn get(&self, key: u64) -> Option<&S> {
        self.find(norm(key)).ok().map(|i| &self.states[i])
    }

    /// The state of `key` if tracked, stamped `now`.
    pub fn touch(&mut self, key: u64, now: i64) -> Option<&mut S> {
        let i = self.find(norm(key)).ok()?;
        let t = tick(now);
        if later(t, self.stamps[i]) {
            self.stamps[i] = t;
        }
        Some(&mut self.states[i])
    }

    /// The state of `key` if tracked, to change it (its stamp is left as it was).
    pub fn get_mut(&mut self, key: u64) -> Option<&mut S> {
        self.find(norm(key)).ok().map(|i| &mut self.states[i])
    }

    /// Counters: tracked, evicted, cap.
    pub fn stats(&self) -> KeyedStats {
        KeyedStats {
            tracked: self.len,
            evicted: self.evicted,
            cap: self.cap,
        }
    }

    /// Bytes allocated for the table: every slot, used or spare (keys, stamps and states), not
    /// counting what states hold on the heap (see [`Keyed::approx_bytes_with`]).
    pub fn approx_bytes(&self) -> usize {
        self.keys.capacity() * std::mem::size_of::<u64>()
            + self.stamps.capacity() * std::mem::size_of::<u32>()
            + self.states.capacity() * std::mem::size_of::<S>()
    }

    /// [`Keyed::approx_bytes`] plus what `heap` says each tracked state holds on the heap.
    pub fn approx_bytes_with(&self, heap: impl Fn(&S) -> usize) -> usize {
        self.approx_bytes() + self.iter().map(|(_, s)| heap(s)).sum::<usize>()
    }

    /// Every tracked entity and its state.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &S)> {
        self.keys
            .iter()
            .zip(&self.states)
            .filter(|(k, _)| **k != 0)
            .map(|(k, s)| (*k, s))
    }

    /// Every tracked entity with its last-seen time (16 ms ticks of event time, modulo 2^32)
    /// and state.
    pub fn iter_stamped(&self) -> impl Iterator<Item = (u64, u32, &S)> {
        self.keys
            .iter()
            .zip(&self.stamps)
            .zip(&self.states)
            .filter(|((k, _), _)| **k != 0)
            .map(|((k, t), s)| (*k, *t, s))
    }
}

impl<S: Default + Clone + Merge> Keyed<S> {
    /// Folds `other` in, as if this map had seen its entities too: states of a key both hold
    /// are merged, the others are added (evicting at the cap as usual); evictions add up.
    pub fn merge(&mut self, other: &Keyed<S>) {
        for (key, stamp, state) in other.iter_stamped() {
            let at = match self.find(key) {
                Ok(i) => i,
                Err(_) => {
                    let i = self.insert(key, stamp);
                    self.states[i] = state.clone();
                    continue;
                }
            };
            if later(stamp, self.stamps[at]) {
                self.stamps[at] = stamp;
            }
            self.states[at].merge(state);
        }
        self.evicted += other.evicted;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[test]
    fn the_cap_holds_and_evictions_are_counted() {
        let mut k: Keyed<u32> = Keyed::new(100, 60_000);
        for i in 0..10_000u64 {
            *k.entry(rampart_core::fast_hash(&i.to_le_bytes()), i as i64) += 1;
        }
        let s = k.stats();
        assert_eq!(s.tracked, 100);
        assert_eq!(s.evicted, 9_900);
        // Memory is that of the slots at the cap: 100 at a load of 7/8 is 115 slots.
        assert_eq!(k.approx_bytes(), 115 * (8 + 4 + 4));
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
            k.entry(t + 1000, 5_000 + t as i64 * 100);
            *k.entry(hot, 5_000 + t as i64 * 100) += 1;
        }
        assert_eq!(k.get(hot), Some(&11));
    }

    /// Mean distance of the entries from their home slots.
    fn mean_displacement<S: Default>(k: &Keyed<S>) -> f64 {
        let n = k.keys.len();
        let sum: usize = (0..n)
            .filter(|&i| k.keys[i] != 0)
            .map(|i| (i + n - k.home(k.keys[i])) % n)
            .sum();
        sum as f64 / k.len.max(1) as f64
    }

    #[test]
    fn churn_at_the_cap_keeps_probes_short() {
        // A flood of new keys through a full table, with and without idle entries: linear
        // probing at a load of 7/8 averages 3.5 slots of displacement when evictions are
        // spread evenly; a biased eviction grows clusters of thousands.
        for idle_ms in [10_000, 3_600_000] {
            let mut k: Keyed<u64> = Keyed::new(20_000, idle_ms);
            for i in 0..200_000u64 {
                *k.entry(rampart_core::fast_hash(&i.to_le_bytes()), i as i64 * 8) += 1;
            }
            let d = mean_displacement(&k);
            assert!(d < 6.0, "mean displacement {d} with idle {idle_ms} ms");
        }
    }

    #[test]
    fn key_zero_is_an_entity_like_any_other() {
        let mut k: Keyed<u32> = Keyed::new(10, 1_000);
        *k.entry(0, 1) += 5;
        assert_eq!(k.get(0), Some(&5));
        assert_eq!(k.iter().count(), 1);
    }

    impl Merge for u32 {
        fn merge(&mut self, other: &Self) {
            *self += other;
        }
    }

    #[test]
    fn merging_two_shards_counts_the_union() {
        let (mut a, mut b, mut all) = (
            Keyed::<u32>::new(1000, 60_000),
            Keyed::<u32>::new(1000, 60_000),
            Keyed::<u32>::new(1000, 60_000),
        );
        for i in 0..3000u64 {
            let key = i % 700;
            let shard = if rampart_core::fast_hash(&i.to_le_bytes()).is_multiple_of(2) {
                &mut a
            } else {
                &mut b
            };
            *shard.entry(key, i as i64) += 1;
            *all.entry(key, i as i64) += 1;
        }
        a.merge(&b);
        let got: HashMap<u64, u32> = a.iter().map(|(k, s)| (k, *s)).collect();
        let want: HashMap<u64, u32> = all.iter().map(|(k, s)| (k, *s)).collect();
        assert_eq!(got, want);
    }

    proptest! {
        #[test]
        fn behaves_like_a_map_below_the_cap(ops in proptest::collection::vec((0u64..64, any::<bool>()), 0..400)) {
            // Inserts and evictions (by a cap below the key range) keep every tracked key
            // reachable and its count right.
            let mut k: Keyed<u32> = Keyed::new(40, 1_000_000);
            let mut model: HashMap<u64, u32> = HashMap::new();
            for (t, (key, bump)) in ops.into_iter().enumerate() {
                let before = k.stats().evicted;
                let v = k.entry(key, t as i64 * 1000);
                if bump {
                    *v += 1;
                }
                let v = *v;
                if k.stats().evicted > before {
                    // Something was evicted: forget whatever the table no longer holds.
                    model.retain(|mk, _| k.get(*mk).is_some() || *mk == key);
                }
                let m = model.entry(key).or_insert(0);
                if bump {
                    *m += 1;
                }
                prop_assert_eq!(v, *m);
                prop_assert!(k.stats().tracked <= 40);
            }
            for (mk, mv) in &model {
                prop_assert_eq!(k.get(*mk), Some(mv));
            }
            prop_assert_eq!(k.iter().count(), model.len());
        }
    }
}
