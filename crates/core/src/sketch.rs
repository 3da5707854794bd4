//! HyperLogLog: distinct counts in fixed memory, mergeable across shards and machines.

/// A HyperLogLog distinct counter with `2^p` one-byte registers.
///
/// Memory is fixed whatever the attacker sends (1 KiB at `p = 10`, standard error about 3 %).
/// Two sketches of the same precision merge by taking register maxima, so per-shard or
/// per-machine counts combine exactly as if one sketch had seen everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hll {
    p: u8,
    registers: Vec<u8>,
}

impl Default for Hll {
    fn default() -> Self {
        Self::new(10)
    }
}

impl Hll {
    /// A sketch with `2^p` registers; `p` is clamped to `4..=16`.
    pub fn new(p: u8) -> Self {
        let p = p.clamp(4, 16);
        Self {
            p,
            registers: vec![0; 1 << p],
        }
    }

    /// Adds an item by its 64-bit hash (see [`crate::fast_hash`]).
    pub fn insert_hash(&mut self, hash: u64) {
        let p = u32::from(self.p);
        let idx = (hash >> (64 - p)) as usize;
        let rest = (hash << p) | (1u64 << (p - 1));
        let rank = (rest.leading_zeros() + 1) as u8;
        if self.registers[idx] < rank {
            self.registers[idx] = rank;
        }
    }

    /// Adds an item by its bytes.
    pub fn insert(&mut self, item: &[u8]) {
        self.insert_hash(crate::fast_hash(item));
    }

    /// The estimated number of distinct items.
    pub fn count(&self) -> u64 {
        let m = self.registers.len() as f64;
        let alpha = match self.registers.len() {
            16 => 0.673,
            32 => 0.697,
            64 => 0.709,
            _ => 0.7213 / (1.0 + 1.079 / m),
        };
        let mut sum = 0.0;
        let mut zeros = 0usize;
        for &r in &self.registers {
            sum += 1.0 / f64::from(1u32 << r.min(31));
            if r == 0 {
                zeros += 1;
            }
        }
        let raw = alpha * m * m / sum;
        let estimate = if raw <= 2.5 * m && zeros > 0 {
            m * (m / zeros as f64).ln()
        } else {
            raw
        };
        estimate.round() as u64
    }

    /// Folds `other` into `self`. Sketches of different precision are folded by reducing the
    /// finer one to the coarser precision first.
    pub fn merge(&mut self, other: &Hll) {
        if other.p == self.p {
            for (a, b) in self.registers.iter_mut().zip(&other.registers) {
                *a = (*a).max(*b);
            }
        } else if other.p > self.p {
            let reduced = other.reduce(self.p);
            self.merge(&reduced);
        } else {
            *self = self.reduce(other.p);
            self.merge(other);
        }
    }

    /// The same sketch at a lower precision.
    fn reduce(&self, p: u8) -> Hll {
        let shift = self.p - p;
        let mut out = Hll::new(p);
        for (i, &r) in self.registers.iter().enumerate() {
            if r == 0 {
                continue;
            }
            let j = i >> shift;
            // The dropped index bits become leading bits of the remaining hash.
            let low = i & ((1 << shift) - 1);
            let rank = if low == 0 {
                r + shift
            } else {
                (low.leading_zeros() - (usize::BITS - u32::from(shift))) as u8 + 1
            };
            out.registers[j] = out.registers[j].max(rank);
        }
        out
    }

    /// Serialises the sketch: one precision byte followed by the registers.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + self.registers.len());
        out.push(self.p);
        out.extend_from_slice(&self.registers);
        out
    }

    /// Reads a sketch written by [`Hll::to_bytes`]; `None` if the bytes are not one.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let (&p, registers) = bytes.split_first()?;
        if !(4..=16).contains(&p) || registers.len() != 1 << p || registers.iter().any(|&r| r > 65)
        {
            return None;
        }
        Some(Self {
            p,
            registers: registers.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn within(actual: u64, expected: u64, tolerance: f64) -> bool {
        (actual as f64 - expected as f64).abs() <= expected as f64 * tolerance
    }

    #[test]
    fn counts_small_and_large_sets() {
        for n in [0u64, 1, 10, 1000, 100_000] {
            let mut h = Hll::new(12);
            for i in 0..n {
                h.insert(&i.to_le_bytes());
                h.insert(&i.to_le_bytes());
            }
            assert!(
                within(h.count(), n, 0.05) || h.count().abs_diff(n) <= 1,
                "n={n} got {}",
                h.count()
            );
        }
    }

    #[test]
    fn merge_equals_union() {
        let (mut a, mut b, mut all) = (Hll::new(10), Hll::new(10), Hll::new(10));
        for i in 0..5000u64 {
            let k = i.to_le_bytes();
            if i % 2 == 0 {
                a.insert(&k)
            } else {
                b.insert(&k)
            }
            all.insert(&k);
        }
        a.merge(&b);
        assert_eq!(a, all);
    }

    #[test]
    fn merge_across_precisions_stays_accurate() {
        let (mut fine, mut coarse) = (Hll::new(12), Hll::new(8));
        for i in 0..20_000u64 {
            if i < 10_000 {
                fine.insert(&i.to_le_bytes())
            } else {
                coarse.insert(&i.to_le_bytes())
            }
        }
        coarse.merge(&fine);
        assert!(
            within(coarse.count(), 20_000, 0.15),
            "got {}",
            coarse.count()
        );
    }

    #[test]
    fn bytes_round_trip_and_reject_garbage() {
        let mut h = Hll::new(6);
        h.insert(b"x");
        assert_eq!(Hll::from_bytes(&h.to_bytes()), Some(h));
        assert_eq!(Hll::from_bytes(&[]), None);
        assert_eq!(Hll::from_bytes(&[6, 1, 2]), None);
    }
}
