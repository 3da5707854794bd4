//! [`PairState`]: one record per (client address, endpoint) pair for the detectors that judge
//! an address on one endpoint — its share of the endpoint (`volumetric`), its walk over object
//! ids (`enumeration`) and over query combinations (`scraping`) — in one lookup.

use crate::detectors::enumeration::Walk;
use crate::detectors::scraping::Combinations;
use crate::detectors::volumetric::ActorCount;
use crate::merge::Merge;

/// What is kept per (address, endpoint) pair.
#[derive(Debug, Clone, Default)]
pub struct PairState {
    /// Requests in the current share window (`volumetric`).
    pub(crate) volumetric: ActorCount,
    /// Object ids walked (`enumeration`).
    pub(crate) enumeration: Walk,
    /// Query combinations walked (`scraping`).
    pub(crate) scraping: Combinations,
}

impl Merge for PairState {
    fn merge(&mut self, other: &Self) {
        self.volumetric.merge(&other.volumetric);
        self.enumeration.merge(&other.enumeration);
        self.scraping.merge(&other.scraping);
    }
}

/// The key of the request's (address, endpoint) pair.
pub fn pair_key(ip_key: u64, endpoint_key: u64) -> u64 {
    ip_key.rotate_left(13) ^ endpoint_key.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_record_is_small() {
        let size = std::mem::size_of::<PairState>();
        assert!(size <= 96, "{size} bytes");
    }
}
