//! A bounded, lock-free memo of country codes by database record.
//!
//! Many networks share one record (all of a country's ranges in a Country database), and the
//! tree walk that finds a record is cheap while decoding it is not (more so for City records,
//! whose names and subdivisions must be skipped). Each slot is one `AtomicU64`: racing
//! writers can only replace one another's entry, never tear it. Memory is fixed at
//! [`SLOTS`] × 8 bytes.

use std::sync::atomic::{AtomicU64, Ordering};

/// Number of slots (a power of two).
pub(super) const SLOTS: usize = 4096;

/// Record offsets at or above this are not cached (they would not fit the packing).
const MAX_OFFSET: u64 = (1 << 40) - 2;

pub(super) struct CountryCache {
    slots: Box<[AtomicU64]>,
}

impl Default for CountryCache {
    fn default() -> Self {
        Self {
            slots: (0..SLOTS).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

/// Packs `offset + 1` in the top 40 bits, the code in the next 16, and whether there is a code
/// in bit 0. Zero is an empty slot.
fn pack(offset: u64, code: Option<[u8; 2]>) -> u64 {
    let [a, b] = code.unwrap_or([0, 0]);
    (offset + 1) << 24 | u64::from(a) << 16 | u64::from(b) << 8 | u64::from(code.is_some())
}

fn slot(offset: u64) -> usize {
    (offset.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SLOTS.trailing_zeros())) as usize
}

impl CountryCache {
    /// The cached answer for the record at `offset`: `Some(code or none)` on a hit.
    pub(super) fn get(&self, offset: usize) -> Option<Option<[u8; 2]>> {
        let offset = offset as u64;
        if offset > MAX_OFFSET {
            return None;
        }
        let v = self.slots[slot(offset)].load(Ordering::Relaxed);
        if v >> 24 != offset + 1 {
            return None;
        }
        Some((v & 1 == 1).then_some([(v >> 16) as u8, (v >> 8) as u8]))
    }

    /// Remembers the answer for the record at `offset`.
    pub(super) fn put(&self, offset: usize, code: Option<[u8; 2]>) {
        let offset = offset as u64;
        if offset <= MAX_OFFSET {
            self.slots[slot(offset)].store(pack(offset, code), Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_by_offset_and_evicts_by_slot() {
        let c = CountryCache::default();
        assert_eq!(c.get(0), None);
        c.put(0, Some(*b"US"));
        c.put(77, None);
        assert_eq!(c.get(0), Some(Some(*b"US")));
        assert_eq!(c.get(77), Some(None));
        assert_eq!(c.get(78), None);
        // A colliding offset replaces the entry; the old one then misses.
        let other = (1..100_000)
            .find(|&o| o != 0 && slot(o) == slot(0))
            .unwrap() as usize;
        c.put(other, Some(*b"GB"));
        assert_eq!((c.get(other), c.get(0)), (Some(Some(*b"GB")), None));
        c.put(usize::MAX, Some(*b"FR"));
        assert_eq!(c.get(usize::MAX), None);
    }
}
