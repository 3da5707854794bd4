//! [`AddressState`]: one record per client address for everything the address-keyed parts of
//! detection keep about it — the client's profile, and the per-address state of timing,
//! session rotation, agent and credential stuffing — so that a request costs one lookup
//! instead of one per detector, and a tracked address about 130 bytes.

use crate::detectors::agent::Reported;
use crate::detectors::credential_stuffing::Counts;
use crate::detectors::session_rotation::AddressRotation;
use crate::detectors::timing::Clock;
use crate::merge::Merge;
use crate::profile::Profile;

/// What is kept per client address.
#[derive(Debug, Clone, Default)]
pub struct AddressState {
    /// The client's profile (traits).
    pub(crate) profile: Profile,
    /// Gaps between its requests (`timing`).
    pub(crate) timing: Clock,
    /// Sessions per request and cookieless browser requests (`session_rotation`).
    pub(crate) rotation: AddressRotation,
    /// Findings already reported (`agent`).
    pub(crate) agent: Reported,
    /// Login attempts and failures (`credential_stuffing`).
    pub(crate) logins: Counts,
}

impl Merge for AddressState {
    fn merge(&mut self, other: &Self) {
        self.profile.merge(&other.profile);
        self.timing.merge(&other.timing);
        self.rotation.merge(&other.rotation);
        self.agent.merge(&other.agent);
        self.logins.merge(&other.logins);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_record_is_small() {
        let size = std::mem::size_of::<AddressState>();
        assert!(size <= 136, "{size} bytes");
    }
}
