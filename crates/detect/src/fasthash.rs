//! A fast hasher for the alert book's maps, whose keys are small (addresses, 64-bit keys that
//! are already hashes): the standard library's SipHash costs more than the work around it. A
//! per-process seeded variant serves maps read on every request of the proxy.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

/// Folds eight bytes at a time and finishes with MurmurHash3's mix.
#[derive(Debug, Default, Clone, Copy)]
pub struct Fold(u64);

const K: u64 = 0x517c_c1b7_2722_0a95;

impl Fold {
    fn step(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
    }
}

impl Hasher for Fold {
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.step(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.step(u64::from_le_bytes(b) ^ (rest.len() as u64) << 56);
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.step(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.step(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.step(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.step(n as u64);
    }
}

/// A `HashMap` with [`Fold`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fold>>;

/// A `HashSet` with [`Fold`].
pub type FastSet<K> = HashSet<K, BuildHasherDefault<Fold>>;

/// [`Fold`] started from a random seed drawn once per process, for maps read on every request
/// whose keys a client chooses (its address): which keys collide cannot be worked out
/// offline. Like every map keyed by client values here, such a map must also be capped.
#[derive(Debug, Clone, Copy)]
pub struct SeededFold(u64);

impl Default for SeededFold {
    fn default() -> Self {
        static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        SeededFold(
            *SEED.get_or_init(|| {
                std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64)
            }),
        )
    }
}

impl BuildHasher for SeededFold {
    type Hasher = Fold;

    fn build_hasher(&self) -> Fold {
        Fold(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    #[test]
    fn sets_of_addresses_work() {
        let mut s: FastSet<IpAddr> = FastSet::default();
        for i in 0..1000u32 {
            s.insert(IpAddr::from(i.to_be_bytes()));
        }
        assert_eq!(s.len(), 1000);
        assert!(s.contains(&IpAddr::from(7u32.to_be_bytes())));
        assert!(!s.contains(&"2001:db8::1".parse::<IpAddr>().unwrap()));
    }

    #[test]
    fn the_seeded_fold_is_one_hash_per_process_and_not_the_unseeded_one() {
        let ip: std::net::IpAddr = "203.0.113.7".parse().unwrap();
        let a = SeededFold::default().hash_one(ip);
        assert_eq!(a, SeededFold::default().hash_one(ip));
        assert_ne!(a, BuildHasherDefault::<Fold>::default().hash_one(ip));
        let mut m: HashMap<std::net::IpAddr, u32, SeededFold> = HashMap::default();
        m.insert(ip, 1);
        assert_eq!(m.get(&ip), Some(&1));
    }
}
