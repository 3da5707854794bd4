//! Fixed-size, mergeable sketches for per-entity state.
//!
//! Per-entity state must stay small (a few dozen bytes) because the attacker chooses how many
//! entities there are. [`Distinct`] counts distinct values in 32 bytes, [`Seen`] answers "was
//! this value handed out before?" in 64 bytes, [`Recent`] keeps the last few client addresses so
//! a campaign alert can name the addresses seen before it fired. All of them merge, so two
//! shards or two machines can combine their state.

use std::net::IpAddr;

/// Distinct count in 32 one-byte HyperLogLog registers: exact-ish for a handful of values,
/// about 18 % standard error beyond, which is enough to compare against thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Distinct {
    registers: [u8; 32],
}

impl Distinct {
    /// Adds a value by its 64-bit hash; says whether the sketch changed (if not, the count
    /// did not either).
    pub fn insert(&mut self, hash: u64) -> bool {
        let idx = (hash >> 59) as usize;
        let rest = (hash << 5) | (1 << 4);
        let rank = (rest.leading_zeros() + 1) as u8;
        if self.registers[idx] < rank {
            self.registers[idx] = rank;
            return true;
        }
        false
    }

    /// The estimated number of distinct values.
    pub fn count(&self) -> u64 {
        let m = 32.0f64;
        let mut sum = 0.0;
        let mut zeros = 0u32;
        for &r in &self.registers {
            sum += 1.0 / f64::from(1u32 << r.min(31));
            zeros += u32::from(r == 0);
        }
        let raw = 0.697 * m * m / sum;
        let est = if raw <= 2.5 * m && zeros > 0 {
            m * (m / f64::from(zeros)).ln()
        } else {
            raw
        };
        est.round() as u64
    }

    /// Folds `other` in, as if this sketch had seen its values too.
    pub fn merge(&mut self, other: &Distinct) {
        for (a, b) in self.registers.iter_mut().zip(other.registers) {
            *a = (*a).max(b);
        }
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.registers = [0; 32];
    }
}

/// A 512-bit Bloom filter with three hash functions: "has this value been seen?" with no false
/// negatives, and false positives of about 1.5 % at 40 values and 9 % at 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Seen {
    bits: [u64; 8],
}

impl Seen {
    fn positions(hash: u64) -> [usize; 3] {
        let (a, b) = (hash as u32, (hash >> 32) as u32);
        [0u32, 1, 2].map(|i| (a.wrapping_add(i.wrapping_mul(b)) % 512) as usize)
    }

    /// Records a value by its hash.
    pub fn insert(&mut self, hash: u64) {
        for p in Self::positions(hash) {
            self.bits[p / 64] |= 1 << (p % 64);
        }
    }

    /// Whether a value may have been recorded (never false for a recorded one).
    pub fn contains(&self, hash: u64) -> bool {
        Self::positions(hash)
            .iter()
            .all(|&p| self.bits[p / 64] & (1 << (p % 64)) != 0)
    }

    /// Folds `other` in.
    pub fn merge(&mut self, other: &Seen) {
        for (a, b) in self.bits.iter_mut().zip(other.bits) {
            *a |= b;
        }
    }
}

/// The last [`Recent::CAP`] distinct client addresses, newest last.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recent {
    ips: Vec<IpAddr>,
}

impl Recent {
    /// How many addresses are kept.
    pub const CAP: usize = 64;

    /// Remembers `ip`, dropping the oldest when full.
    pub fn push(&mut self, ip: IpAddr) {
        if self.ips.last() == Some(&ip) {
            return;
        }
        if let Some(pos) = self.ips.iter().position(|x| *x == ip) {
            self.ips.remove(pos);
        } else if self.ips.len() == Self::CAP {
            self.ips.remove(0);
        }
        self.ips.push(ip);
    }

    /// The addresses kept, oldest first.
    pub fn ips(&self) -> &[IpAddr] {
        &self.ips
    }

    /// Takes the addresses out, leaving the ring empty.
    pub fn take(&mut self) -> Vec<IpAddr> {
        std::mem::take(&mut self.ips)
    }
}

/// A count over a tumbling event-time window per entity: it restarts when the window that
/// began with its first event has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    /// Event time (Unix ms) at which the current window began.
    pub start: i64,
}

impl Window {
    /// Whether `now` falls outside the window of `length_ms` begun at `start`; if so the
    /// window restarts at `now` and the caller resets its counts.
    pub fn roll(&mut self, now: i64, length_ms: i64) -> bool {
        if self.start == 0 || now - self.start >= length_ms || now < self.start - length_ms {
            self.start = now;
            true
        } else {
            false
        }
    }
}

/// An admission filter ("doorkeeper"): a key is let into a detector's map on its second
/// sighting, not its first. Most clients make a handful of requests and rotating proxies one
/// each; keeping state for every one-off is what exhausts memory. Two Bloom filters of 2^20
/// bits (256 KiB in all, fixed) take turns: the current one records first sightings, and when
/// it holds 2^17 keys the previous one is dropped, so a key's first sighting is remembered for
/// at least 131,072 other new keys. About 6 % of one-off keys get in by a false positive.
#[derive(Debug, Clone)]
pub struct Admission {
    current: Vec<u64>,
    previous: Vec<u64>,
    inserted: u32,
}

const DOOR_BITS: usize = 1 << 20;
const DOOR_KEYS: u32 = 1 << 17;

impl Default for Admission {
    fn default() -> Self {
        Self {
            current: vec![0; DOOR_BITS / 64],
            previous: vec![0; DOOR_BITS / 64],
            inserted: 0,
        }
    }
}

impl Admission {
    fn bits(key: u64) -> [usize; 2] {
        [
            (key as usize) & (DOOR_BITS - 1),
            ((key >> 32) as usize ^ (key as usize >> 11)) & (DOOR_BITS - 1),
        ]
    }

    fn has(set: &[u64], bits: [usize; 2]) -> bool {
        bits.iter().all(|&b| set[b / 64] & (1 << (b % 64)) != 0)
    }

    /// Whether `key` was seen before (then it is admitted); records it otherwise.
    pub fn admit(&mut self, key: u64) -> bool {
        let bits = Self::bits(key);
        if Self::has(&self.current, bits) || Self::has(&self.previous, bits) {
            return true;
        }
        for b in bits {
            self.current[b / 64] |= 1 << (b % 64);
        }
        self.inserted += 1;
        if self.inserted >= DOOR_KEYS {
            std::mem::swap(&mut self.current, &mut self.previous);
            self.current.iter_mut().for_each(|w| *w = 0);
            self.inserted = 0;
        }
        false
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        (self.current.len() + self.previous.len()) * 8
    }
}

/// Welford's running mean and variance, for regularity of inter-arrival times.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Moments {
    /// Number of samples.
    pub n: u32,
    mean: f64,
    m2: f64,
}

impl Moments {
    /// Adds a sample.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / f64::from(self.n);
        self.m2 += d * (x - self.mean);
    }

    /// The mean of the samples.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// The coefficient of variation (standard deviation over mean); infinite with fewer than
    /// two samples or a zero mean.
    pub fn cv(&self) -> f64 {
        if self.n < 2 || self.mean <= 0.0 {
            return f64::INFINITY;
        }
        (self.m2 / f64::from(self.n - 1)).sqrt() / self.mean
    }

    /// Combines two sets of samples (Chan et al.).
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = f64::from(self.n + other.n);
        let d = other.mean - self.mean;
        self.mean += d * f64::from(other.n) / n;
        self.m2 += other.m2 + d * d * f64::from(self.n) * f64::from(other.n) / n;
        self.n += other.n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::fast_hash;

    #[test]
    fn distinct_counts_within_a_third() {
        for n in [1u64, 5, 20, 100, 1000] {
            let mut d = Distinct::default();
            for i in 0..n {
                d.insert(fast_hash(&i.to_le_bytes()));
                d.insert(fast_hash(&i.to_le_bytes()));
            }
            let c = d.count() as f64;
            assert!(
                (c - n as f64).abs() <= (n as f64 * 0.35).max(1.0),
                "{n}: {c}"
            );
        }
    }

    #[test]
    fn distinct_merge_is_union() {
        let (mut a, mut b, mut all) = (
            Distinct::default(),
            Distinct::default(),
            Distinct::default(),
        );
        for i in 0..200u64 {
            let h = fast_hash(&i.to_le_bytes());
            if i % 2 == 0 {
                a.insert(h);
            } else {
                b.insert(h);
            }
            all.insert(h);
        }
        a.merge(&b);
        assert_eq!(a, all);
    }

    #[test]
    fn seen_has_no_false_negatives_and_few_false_positives() {
        let mut s = Seen::default();
        for i in 0..100u64 {
            s.insert(fast_hash(&i.to_le_bytes()));
        }
        assert!((0..100u64).all(|i| s.contains(fast_hash(&i.to_le_bytes()))));
        let fp = (1000..11_000u64)
            .filter(|i| s.contains(fast_hash(&i.to_le_bytes())))
            .count();
        assert!(fp < 1000, "{fp} false positives in 10000");
    }

    #[test]
    fn recent_keeps_the_newest_distinct_addresses() {
        let mut r = Recent::default();
        for i in 0..100u32 {
            r.push(IpAddr::from(i.to_be_bytes()));
            r.push(IpAddr::from(i.to_be_bytes()));
        }
        assert_eq!(r.ips().len(), Recent::CAP);
        assert_eq!(r.ips()[0], IpAddr::from(36u32.to_be_bytes()));
    }

    #[test]
    fn admission_lets_in_second_sightings_not_one_offs() {
        let mut a = Admission::default();
        let admitted = (0..1_000_000u64)
            .filter(|i| a.admit(fast_hash(&i.to_le_bytes())))
            .count();
        assert!(
            admitted < 100_000,
            "{admitted} of a million one-off keys admitted"
        );
        let k = fast_hash(b"regular");
        let mut b = Admission::default();
        assert!(!b.admit(k));
        for i in 0..100_000u64 {
            b.admit(fast_hash(&i.to_le_bytes()));
        }
        assert!(b.admit(k), "remembered across 100,000 other keys");
    }

    #[test]
    fn window_rolls_after_its_length() {
        let mut w = Window::default();
        assert!(w.roll(1000, 60_000));
        assert!(!w.roll(30_000, 60_000));
        assert!(w.roll(61_000, 60_000));
    }

    #[test]
    fn moments_merge_matches_one_pass() {
        let xs = [2.0, 2.1, 1.9, 2.0, 2.05, 1.95];
        let mut all = Moments::default();
        let (mut a, mut b) = (Moments::default(), Moments::default());
        for (i, x) in xs.iter().enumerate() {
            all.push(*x);
            if i < 3 {
                a.push(*x)
            } else {
                b.push(*x)
            }
        }
        a.merge(&b);
        assert!((a.cv() - all.cv()).abs() < 1e-9);
        assert!(all.cv() < 0.05);
    }
}
