//! The hasher of the path tree's maps: fast, seeded per process, safe because every map it
//! serves is capped.

use std::hash::BuildHasher;

/// The hasher of maps keyed by path segments: a multiply-rotate hash over 8-byte words,
/// seeded per process. It is not collision-proof against a determined attacker, but every map
/// it serves is capped (`max_children`), so a flood of colliding segments costs at most a
/// bounded scan.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fast(u64);

impl BuildHasher for Fast {
    type Hasher = FastHasher;

    fn build_hasher(&self) -> FastHasher {
        FastHasher(self.0)
    }
}

/// See [`Fast`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn finish(&self) -> u64 {
        // A final mix so that the low bits (the bucket index) depend on every byte.
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^ (x >> 33)
    }
}

/// The process-wide seeded hasher.
pub(crate) fn fast() -> Fast {
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    Fast(*SEED.get_or_init(|| std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64)))
}
