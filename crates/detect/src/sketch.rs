//! Fixed-size, mergeable sketches for per-entity state.
//!
//! Per-entity state must stay small (a few dozen bytes) because the attacker chooses how many
//! entities there are. [`Distinct`] counts distinct values in 16 bytes, [`Few`] counts a few
//! distinct values exactly-ish in 8, [`Seen`] answers "was this value handed out before?" in
//! 64 bytes, [`Recent`] keeps the last few client addresses so a campaign alert can name the
//! addresses seen before it fired. All of them implement [`Merge`], so two shards or two
//! machines can combine their state.

use std::net::IpAddr;

use crate::merge::Merge;

/// Distinct count in 32 four-bit HyperLogLog registers (16 bytes): exact-ish for a handful of
/// values, about 18 % standard error beyond, which is enough to compare against thresholds.
/// Registers saturate at rank 15, so counts are exact in expectation up to about a million
/// distinct values and undercount beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Distinct {
    registers: [u8; 16],
}

impl Distinct {
    fn get(&self, i: usize) -> u8 {
        (self.registers[i / 2] >> ((i % 2) * 4)) & 0xf
    }

    fn set(&mut self, i: usize, v: u8) {
        let shift = (i % 2) * 4;
        let b = &mut self.registers[i / 2];
        *b = (*b & !(0xf << shift)) | (v << shift);
    }

    /// Adds a value by its 64-bit hash; says whether the sketch changed (if not, the count
    /// did not either).
    pub fn insert(&mut self, hash: u64) -> bool {
        let idx = (hash >> 59) as usize;
        let rest = (hash << 5) | (1 << 4);
        let rank = (rest.leading_zeros() + 1).min(15) as u8;
        if self.get(idx) < rank {
            self.set(idx, rank);
            return true;
        }
        false
    }

    /// The estimated number of distinct values.
    pub fn count(&self) -> u64 {
        // The harmonic sum of 2^-rank in units of 2^-15: every term and partial sum is exact,
        // so this is the floating-point sum, without a division per register.
        let (mut sum, mut zeros) = (0u32, 0u32);
        for b in self.registers {
            let (pair, z) = REGISTER_PAIRS[usize::from(b)];
            sum += pair;
            zeros += u32::from(z);
        }
        let m = 32.0f64;
        let raw = 0.697 * m * m / (f64::from(sum) / 32768.0);
        if raw <= 2.5 * m && zeros > 0 {
            linear_count(32, zeros)
        } else {
            raw.round() as u64
        }
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.registers = [0; 16];
    }
}

/// For each byte of [`Distinct`] registers (two ranks): the sum of 2^(15 - rank) over both,
/// and how many are zero.
static REGISTER_PAIRS: [(u32, u8); 256] = {
    let mut t = [(0u32, 0u8); 256];
    let mut b = 0;
    while b < 256 {
        let (lo, hi) = (b & 0xf, b >> 4);
        t[b] = (
            (1 << (15 - lo)) + (1 << (15 - hi)),
            (lo == 0) as u8 + (hi == 0) as u8,
        );
        b += 1;
    }
    t
};

impl Merge for Distinct {
    /// The union: each register takes the larger rank.
    fn merge(&mut self, other: &Distinct) {
        for i in 0..32 {
            let v = other.get(i);
            if self.get(i) < v {
                self.set(i, v);
            }
        }
    }
}

/// A distinct count for small numbers in one 64-bit word (linear counting): off by less than
/// one in expectation up to about 10 values, and saturating (at 266) past a few hundred. For
/// thresholds such as "five endpoints".
/// (Two 32-bit halves, so that records holding it keep a 4-byte alignment.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Few([u32; 2]);

impl Few {
    /// Adds a value by its 64-bit hash; says whether the count may have changed.
    pub fn insert(&mut self, hash: u64) -> bool {
        let i = (hash >> 58) as usize;
        let bit = 1u32 << (i % 32);
        let word = &mut self.0[i / 32];
        let new = *word & bit == 0;
        *word |= bit;
        new
    }

    /// The estimated number of distinct values.
    pub fn count(&self) -> u64 {
        let zeros = self.0[0].count_zeros() + self.0[1].count_zeros();
        linear_count(64, zeros.max(1))
    }
}

/// Linear counting, `m · ln(m / zeros)` rounded, for `m` of 32 or 64 cells and `zeros` in
/// 1..=m, from a table built once (the logarithm costs more than the rest of a count).
fn linear_count(m: u32, zeros: u32) -> u64 {
    static TABLES: std::sync::OnceLock<[[u64; 65]; 2]> = std::sync::OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        let mut t = [[0u64; 65]; 2];
        for (row, m) in t.iter_mut().zip([32.0f64, 64.0]) {
            for (z, cell) in row.iter_mut().enumerate().skip(1) {
                *cell = (m * (m / z as f64).ln()).round() as u64;
            }
        }
        t
    });
    let row = usize::from(m == 64);
    tables[row][(zeros as usize).min(64)]
}

impl Merge for Few {
    fn merge(&mut self, other: &Few) {
        self.0[0] |= other.0[0];
        self.0[1] |= other.0[1];
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
}

impl Merge for Seen {
    /// The union.
    fn merge(&mut self, other: &Seen) {
        for (a, b) in self.bits.iter_mut().zip(other.bits) {
            *a |= b;
        }
    }
}

/// A ring of the last [`Recent::CAP`] client addresses pushed (one pushed twice in a row counts
/// once), given back distinct, newest last. Addresses are kept as 16-byte IPv6 (IPv4 mapped,
/// `::ffff:a.b.c.d`, and given back as IPv4). A push writes one slot: duplicates further back
/// are dropped when the addresses are read, which is rare (an alert naming them), instead of
/// searched for on every push, which is not (every request of a fingerprint many clients share).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recent {
    ips: Vec<u128>,
    /// Once the ring is full: the slot of the oldest address, written next.
    next: u8,
}

fn to_bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn from_bits(bits: u128) -> IpAddr {
    IpAddr::V6(std::net::Ipv6Addr::from(bits)).to_canonical()
}

impl Recent {
    /// How many addresses are kept.
    pub const CAP: usize = 64;

    /// Remembers `ip`, overwriting the oldest when full.
    pub fn push(&mut self, ip: IpAddr) {
        let bits = to_bits(ip);
        let next = usize::from(self.next);
        if self.ips.len() < Self::CAP {
            if self.ips.last() != Some(&bits) {
                self.ips.push(bits);
            }
            return;
        }
        if self.ips[(next + Self::CAP - 1) % Self::CAP] != bits {
            self.ips[next] = bits;
            self.next = ((next + 1) % Self::CAP) as u8;
        }
    }

    /// The distinct addresses kept, oldest first (an address by its newest sighting).
    pub fn ips(&self) -> Vec<IpAddr> {
        let (newer, older) = self
            .ips
            .split_at(usize::from(self.next).min(self.ips.len()));
        let mut out: Vec<u128> = Vec::with_capacity(self.ips.len());
        for &bits in newer.iter().rev().chain(older.iter().rev()) {
            if !out.contains(&bits) {
                out.push(bits);
            }
        }
        out.into_iter().rev().map(from_bits).collect()
    }

    /// Takes the addresses out, leaving the ring empty.
    pub fn take(&mut self) -> Vec<IpAddr> {
        let ips = self.ips();
        *self = Self::default();
        ips
    }

    /// Bytes held on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.ips.capacity() * std::mem::size_of::<u128>()
    }
}

impl Merge for Recent {
    /// Both rings' addresses, `other`'s as the newer, the last [`Recent::CAP`] kept.
    fn merge(&mut self, other: &Recent) {
        for ip in other.ips() {
            self.push(ip);
        }
    }
}

/// A count over a tumbling event-time window per entity: it restarts when the window that
/// began with its first event has passed. Four bytes: the start in Unix seconds (0 before the
/// first event; saturating in 2106).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    /// Event time (Unix seconds) at which the current window began.
    pub start: u32,
}

impl Window {
    /// Whether `now` (Unix ms) falls outside the window of `length_ms` begun at `start`; if so
    /// the window restarts at `now` and the caller resets its counts.
    pub fn roll(&mut self, now: i64, length_ms: i64) -> bool {
        let now = (now.div_euclid(1000)).clamp(1, i64::from(u32::MAX));
        let length = (length_ms / 1000).max(1);
        let start = i64::from(self.start);
        if self.start == 0 || now - start >= length || now < start - length {
            self.start = now as u32;
            true
        } else {
            false
        }
    }

    /// Whether the window has begun and `now` (Unix ms) is at least `length_ms` after its
    /// start (the next event will roll it).
    pub fn has_passed(&self, now: i64, length_ms: i64) -> bool {
        self.start != 0 && now.div_euclid(1000) - i64::from(self.start) >= (length_ms / 1000).max(1)
    }
}

impl Merge for Window {
    /// The earlier start: two shards' windows of one entity count as one window.
    fn merge(&mut self, other: &Window) {
        if self.start == 0 || (other.start != 0 && other.start < self.start) {
            self.start = other.start;
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

impl Merge for Admission {
    /// Keys seen by either filter are admitted.
    fn merge(&mut self, other: &Admission) {
        for (a, b) in self.current.iter_mut().zip(&other.current) {
            *a |= b;
        }
        for (a, b) in self.previous.iter_mut().zip(&other.previous) {
            *a |= b;
        }
        self.inserted = self.inserted.saturating_add(other.inserted);
    }
}

/// Welford's running mean and variance, for regularity of inter-arrival times, in 12 bytes
/// (the sums are kept as `f32`: gaps are milliseconds, and six significant digits are more
/// than a coefficient of variation needs).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Moments {
    /// Number of samples.
    pub n: u32,
    mean: f32,
    m2: f32,
}

impl Moments {
    /// Adds a sample.
    pub fn push(&mut self, x: f64) {
        self.n = self.n.saturating_add(1);
        let (mut mean, mut m2) = (f64::from(self.mean), f64::from(self.m2));
        let d = x - mean;
        mean += d / f64::from(self.n);
        m2 += d * (x - mean);
        self.mean = mean as f32;
        self.m2 = m2.max(0.0) as f32;
    }

    /// The mean of the samples.
    pub fn mean(&self) -> f64 {
        f64::from(self.mean)
    }

    /// The coefficient of variation (standard deviation over mean); infinite with fewer than
    /// two samples or a zero mean.
    pub fn cv(&self) -> f64 {
        if self.n < 2 || self.mean <= 0.0 {
            return f64::INFINITY;
        }
        (f64::from(self.m2) / f64::from(self.n - 1)).sqrt() / f64::from(self.mean)
    }
}

impl Merge for Moments {
    /// Combines two sets of samples (Chan et al.).
    fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let (na, nb) = (f64::from(self.n), f64::from(other.n));
        let n = na + nb;
        let (ma, mb) = (f64::from(self.mean), f64::from(other.mean));
        let d = mb - ma;
        self.mean = (ma + d * nb / n) as f32;
        self.m2 = (f64::from(self.m2) + f64::from(other.m2) + d * d * na * nb / n) as f32;
        self.n = self.n.saturating_add(other.n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::fast_hash;
    use std::mem::size_of;

    #[test]
    fn sketches_are_small() {
        assert_eq!(size_of::<Distinct>(), 16);
        assert_eq!(size_of::<Few>(), 8);
        assert_eq!(size_of::<Seen>(), 64);
        assert_eq!(size_of::<Moments>(), 12);
        assert_eq!(size_of::<Window>(), 4);
    }

    #[test]
    fn few_counts_small_numbers_closely() {
        for n in [0u64, 1, 2, 5, 10] {
            let mut f = Few::default();
            for i in 0..n {
                f.insert(fast_hash(&i.to_le_bytes()));
            }
            let c = f.count();
            assert!(c.abs_diff(n) <= 1 + n / 5, "{n}: {c}");
        }
        let mut f = Few::default();
        for i in 0..100_000u64 {
            f.insert(fast_hash(&i.to_le_bytes()));
        }
        assert_eq!(f.count(), 266);
    }

    #[test]
    fn merges_equal_one_pass_over_the_union() {
        let (mut a, mut b, mut all) = (Few::default(), Few::default(), Few::default());
        let (mut sa, mut sb, mut sall) = (Seen::default(), Seen::default(), Seen::default());
        let (mut ra, mut rb, mut rall) = (Recent::default(), Recent::default(), Recent::default());
        for i in 0..40u32 {
            let h = fast_hash(&i.to_le_bytes());
            let ip = IpAddr::from(i.to_be_bytes());
            let (f, s, r) = if i < 20 {
                (&mut a, &mut sa, &mut ra)
            } else {
                (&mut b, &mut sb, &mut rb)
            };
            f.insert(h);
            s.insert(h);
            r.push(ip);
            all.insert(h);
            sall.insert(h);
            rall.push(ip);
        }
        a.merge(&b);
        sa.merge(&sb);
        ra.merge(&rb);
        assert_eq!((a, sa, ra), (all, sall, rall));
        let (mut wa, wb) = (Window { start: 200 }, Window { start: 100 });
        wa.merge(&wb);
        assert_eq!(wa.start, 100);
        wa.merge(&Window::default());
        assert_eq!(wa.start, 100);
    }

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
        let v6: IpAddr = "2001:db8::7".parse().unwrap();
        r.push(v6);
        assert_eq!(r.take().last(), Some(&v6));
        // An address seen again further back is named once, by its newest sighting.
        let a = IpAddr::from([10, 0, 0, 1]);
        for i in 0..200u32 {
            r.push(IpAddr::from(i.to_be_bytes()));
            r.push(a);
        }
        let ips = r.ips();
        assert_eq!(ips.len(), Recent::CAP / 2 + 1);
        assert_eq!(ips.last(), Some(&a));
        assert_eq!(ips[0], IpAddr::from(168u32.to_be_bytes()));
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
        assert!(w.has_passed(61_000, 60_000));
        assert!(w.roll(61_000, 60_000));
        // A forged time far in the future saturates instead of overflowing.
        assert!(w.roll(i64::MAX, 60_000));
        assert_eq!(w.start, u32::MAX);
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
        assert!((a.cv() - all.cv()).abs() < 1e-5);
        assert!(all.cv() < 0.05);
    }

    /// The estimates as first written, with a division and a logarithm per count: the
    /// integer sums and tables must give exactly the same figures.
    #[test]
    fn counts_match_the_floating_point_formulas() {
        let distinct = |d: &Distinct| {
            let m = 32.0f64;
            let (mut sum, mut zeros) = (0.0, 0u32);
            for i in 0..32 {
                let r = d.get(i);
                sum += 1.0 / f64::from(1u32 << r);
                zeros += u32::from(r == 0);
            }
            let raw = 0.697 * m * m / sum;
            let est = if raw <= 2.5 * m && zeros > 0 {
                m * (m / f64::from(zeros)).ln()
            } else {
                raw
            };
            est.round() as u64
        };
        let few = |f: &Few| {
            let zeros = f.0[0].count_zeros() + f.0[1].count_zeros();
            if zeros == 0 {
                return (64.0 * 64f64.ln()).round() as u64;
            }
            (64.0 * (64.0 / f64::from(zeros)).ln()).round() as u64
        };
        let (mut d, mut f) = (Distinct::default(), Few::default());
        assert_eq!(d.count(), distinct(&d));
        assert_eq!(f.count(), few(&f));
        for i in 0..200_000u64 {
            d.insert(fast_hash(&i.to_le_bytes()));
            f.insert(fast_hash(&(i ^ 0xabc).to_le_bytes()));
            assert_eq!(d.count(), distinct(&d), "{i}");
            assert_eq!(f.count(), few(&f), "{i}");
        }
    }
}
