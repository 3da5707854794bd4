//! The shared records of a request: its client's [`AddressState`] and its (address, endpoint)
//! [`PairState`], looked up once and handed to every built-in detector through
//! [`Detector::observe_shared`](crate::Detector::observe_shared).

use crate::address::AddressState;
use crate::keyed::{Keyed, KeyedStats};
use crate::merge::Merge;
use crate::pair::{pair_key, PairState};
use crate::profile::Traits;
use crate::request::Request;
use crate::sketch::Admission;

/// The records of one request, for the built-in detectors.
#[derive(Debug, Default)]
pub struct Shared<'s> {
    /// The client's record; `None` without a client address.
    pub(crate) address: Option<&'s mut AddressState>,
    /// The (address, endpoint) record; `None` without a client address, or while the pair is
    /// not tracked (it is admitted on its second sighting).
    pub(crate) pair: Option<&'s mut PairState>,
}

impl Shared<'_> {
    /// No records: what a detector sees of a request without a client address.
    pub fn none() -> Self {
        Self::default()
    }
}

/// Sizes of the shared tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedLimits {
    /// Most client addresses tracked.
    pub max_addresses: usize,
    /// Idle time (event ms) after which an address is the first to go.
    pub address_idle_ms: i64,
    /// Most (address, endpoint) pairs tracked.
    pub max_pairs: usize,
    /// Idle time (event ms) after which a pair is the first to go.
    pub pair_idle_ms: i64,
    /// Whether every request needs its pair (volumetric shares), or only those with an
    /// object id or a query (enumeration, scraping).
    pub pairs_always: bool,
}

impl Default for SharedLimits {
    fn default() -> Self {
        Self {
            max_addresses: 450_000,
            address_idle_ms: 3_600_000,
            max_pairs: 100_000,
            pair_idle_ms: 600_000,
            pairs_always: true,
        }
    }
}

/// The tables the shared records live in: bounded, evicting, mergeable.
#[derive(Debug, Clone)]
pub struct SharedTables {
    addresses: Keyed<AddressState>,
    pairs: Keyed<PairState>,
    door: Admission,
    pairs_always: bool,
}

impl Default for SharedTables {
    fn default() -> Self {
        Self::new(SharedLimits::default())
    }
}

impl SharedTables {
    /// Empty tables of these sizes (nothing is allocated before the first request).
    pub fn new(limits: SharedLimits) -> Self {
        Self {
            addresses: Keyed::new(limits.max_addresses, limits.address_idle_ms),
            pairs: Keyed::new(limits.max_pairs, limits.pair_idle_ms),
            door: Admission::default(),
            pairs_always: limits.pairs_always,
        }
    }

    /// Records the request in its client's profile and opens its records; returns the
    /// client's traits before this request with them.
    pub fn open<'s>(&'s mut self, req: &Request<'_>) -> (Traits, Shared<'s>) {
        let Some(_) = req.ip else {
            return (Traits::default(), Shared::none());
        };
        let address = self.addresses.entry(req.ip_key, req.time);
        let traits = address.profile.traits();
        address.profile.record(req);
        let pair = Self::pair(&mut self.pairs, &mut self.door, self.pairs_always, req);
        (
            traits,
            Shared {
                address: Some(address),
                pair,
            },
        )
    }

    /// Opens the request's records without recording it in the profile: for a detector run
    /// alone, whose caller supplies the traits.
    pub fn records<'s>(&'s mut self, req: &Request<'_>) -> Shared<'s> {
        let Some(_) = req.ip else {
            return Shared::none();
        };
        let address = self.addresses.entry(req.ip_key, req.time);
        let pair = Self::pair(&mut self.pairs, &mut self.door, self.pairs_always, req);
        Shared {
            address: Some(address),
            pair,
        }
    }

    fn pair<'s>(
        pairs: &'s mut Keyed<PairState>,
        door: &mut Admission,
        always: bool,
        req: &Request<'_>,
    ) -> Option<&'s mut PairState> {
        let wanted = always
            || req.shape.object.is_some()
            || req.ex.query.as_deref().is_some_and(|q| !q.is_empty());
        if !wanted {
            return None;
        }
        pairs.admitted(pair_key(req.ip_key, req.endpoint_key), req.time, door)
    }

    /// Counters of the address table.
    pub fn address_stats(&self) -> KeyedStats {
        self.addresses.stats()
    }

    /// Counters of the pair table.
    pub fn pair_stats(&self) -> KeyedStats {
        self.pairs.stats()
    }

    /// Bytes allocated for the address table.
    pub fn address_bytes(&self) -> usize {
        self.addresses.approx_bytes()
    }

    /// Bytes allocated for the pair table and its admission filter.
    pub fn pair_bytes(&self) -> usize {
        self.pairs.approx_bytes() + self.door.bytes()
    }

    /// The traits of the client at `ip_key`, if tracked.
    pub fn traits(&self, ip_key: u64) -> Option<Traits> {
        self.addresses.get(ip_key).map(|a| a.profile.traits())
    }
}

impl Merge for SharedTables {
    /// Another shard's records folded in.
    fn merge(&mut self, other: &Self) {
        self.addresses.merge(&other.addresses);
        self.pairs.merge(&other.pairs);
        self.door.merge(&other.door);
    }
}

/// Tables a built-in detector keeps for itself when it runs alone (through
/// [`Detector::observe`](crate::Detector::observe), outside a `Detection`), allocated on first
/// use.
#[derive(Debug, Default)]
pub(crate) struct Alone(Option<Box<SharedTables>>);

impl Alone {
    /// Runs `f` with the request's records from these tables.
    pub(crate) fn with<R>(&mut self, req: &Request<'_>, f: impl FnOnce(&mut Shared<'_>) -> R) -> R {
        let tables = self.0.get_or_insert_with(Box::default);
        let mut shared = tables.records(req);
        f(&mut shared)
    }

    /// Bytes held.
    pub(crate) fn bytes(&self) -> usize {
        self.0
            .as_ref()
            .map_or(0, |t| t.address_bytes() + t.pair_bytes())
    }
}
