//! A small cache of what a request's credentials hash to.
//!
//! Hashing credentials (keyed BLAKE3) and decoding JWTs costs more than every detector
//! together, yet a client sends the same cookies and tokens on request after request. The cache
//! maps a fast hash of the credential-bearing parts of a request (`Authorization`, `Cookie`,
//! key headers, key parameters of the query) to the session, principal and credential flag
//! they give. It is two-way set-associative and fixed in size (48 bytes a slot): two keys
//! meeting in one set only cost a recomputation. The key is hashed under the hasher's secret
//! (`KeyedHasher::cache_hash`), so two credentials cannot be crafted to share a cached
//! identity. It holds keyed hashes only, never a credential. A request whose only credentials
//! can be cookies (most browser traffic) is read by a lean pass over its cookies rather than by
//! the full credential locator.

mod cookies;

use rampart_core::auth::identify;
pub use rampart_core::auth::Identity;
use rampart_core::{Exchange, HashTag, KeyedHasher};
use xxhash_rust::xxh3::Xxh3;

/// One cached identity, in 48 bytes.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    key: u64,
    /// Bit 0: a session; bit 1: a principal; bit 2: a credential.
    flags: u8,
    session: u128,
    principal: u128,
}

impl Slot {
    fn of(key: u64, id: Identity) -> Self {
        Self {
            key,
            flags: u8::from(id.session.is_some())
                | u8::from(id.principal.is_some()) << 1
                | u8::from(id.has_credential) << 2,
            session: id.session.map_or(0, |t| t.0),
            principal: id.principal.map_or(0, |t| t.0),
        }
    }

    fn identity(&self) -> Identity {
        Identity {
            session: (self.flags & 1 != 0).then_some(HashTag(self.session)),
            principal: (self.flags & 2 != 0).then_some(HashTag(self.principal)),
            has_credential: self.flags & 4 != 0,
        }
    }
}

/// A two-way set-associative cache of identities.
#[derive(Debug, Clone)]
pub struct CredentialCache {
    slots: Vec<Slot>,
    hits: u64,
    misses: u64,
}

impl CredentialCache {
    /// A cache of `slots` entries (rounded up to a power of two, at least 2).
    pub fn new(slots: usize) -> Self {
        Self {
            slots: vec![Slot::default(); slots.max(2).next_power_of_two()],
            hits: 0,
            misses: 0,
        }
    }

    /// The identity of `ex`, from the cache when its credential-bearing parts were seen.
    pub fn identity(&mut self, ex: &Exchange, hasher: &KeyedHasher) -> Identity {
        self.lookup(credential_key(ex, hasher), false, ex, hasher)
    }

    /// The identity of `ex` given the hash of its credential-bearing parts (`None` when it has
    /// none), from the cache when that hash was seen. `cookies_only` says the request has no
    /// `Authorization`, key header or key parameter, so only its cookies need reading.
    pub fn lookup(
        &mut self,
        key: Option<u64>,
        cookies_only: bool,
        ex: &Exchange,
        hasher: &KeyedHasher,
    ) -> Identity {
        let Some(key) = key else {
            return Identity::default();
        };
        // Two ways per set: a hit in either; a miss replaces the way not hit last (the second
        // way's key moves to the first on a hit there, so the first is the most recent).
        let set = (key as usize) & (self.slots.len() - 2);
        if self.slots[set].key == key {
            self.hits += 1;
            return self.slots[set].identity();
        }
        if self.slots[set + 1].key == key {
            self.hits += 1;
            self.slots.swap(set, set + 1);
            return self.slots[set].identity();
        }
        self.misses += 1;
        let identity = if cookies_only {
            cookies::cookie_identity(ex, hasher)
        } else {
            identify(ex, hasher)
        };
        self.slots[set + 1] = self.slots[set];
        self.slots[set] = Slot::of(key, identity);
        identity
    }

    /// Lookups answered from the cache, and computed.
    pub fn counters(&self) -> (u64, u64) {
        (self.hits, self.misses)
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
    }
}

/// A hash of every part of the request that can carry a credential; `None` when none can
/// (no such header, no query), which is the common case of logs without headers.
/// Keyed by the hasher's cache secret, so that two credentials cannot be crafted to share a
/// cached identity.
fn credential_key(ex: &Exchange, hasher: &KeyedHasher) -> Option<u64> {
    let mut h = Xxh3::with_secret(hasher.cache_secret());
    let mut any = false;
    for (name, value) in ex.request_headers.iter() {
        if name == "authorization" || name == "cookie" || has(name, b"key") || has(name, b"token") {
            h.update(name.as_bytes());
            h.update(b"\0");
            h.update(value.as_bytes());
            h.update(b"\n");
            any = true;
        }
    }
    if let Some(q) = ex.query.as_deref() {
        h.update(b"?");
        h.update(q.as_bytes());
        any = true;
    }
    // 0 marks an empty slot.
    any.then(|| h.digest().max(1))
}

/// Whether the short `name` contains `word` (cheaper than `str::contains` at header-name size).
fn has(name: &str, word: &[u8]) -> bool {
    name.as_bytes().windows(word.len()).any(|w| w == word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::Headers;

    fn compute(ex: &Exchange, hasher: &KeyedHasher) -> Identity {
        identify(ex, hasher)
    }

    fn ex(cookie: &str) -> Exchange {
        let mut h = Headers::new();
        h.push("cookie", cookie);
        h.push("user-agent", "x");
        Exchange {
            request_headers: h,
            ..Exchange::default()
        }
    }

    #[test]
    fn the_cache_gives_what_computing_gives() {
        let hasher = KeyedHasher::new([5; 32]);
        let mut cache = CredentialCache::new(1024);
        for i in 0..200 {
            let e = ex(&format!("theme=dark; sid=s{}", i % 7));
            assert_eq!(cache.identity(&e, &hasher), compute(&e, &hasher));
        }
        let (hits, misses) = cache.counters();
        assert!(hits >= 190, "{hits} hits, {misses} misses");
        assert_eq!(
            cache.identity(&Exchange::default(), &hasher),
            Identity::default()
        );
    }

    #[test]
    fn a_session_cookie_wins_over_a_token_and_keys_are_principals() {
        let hasher = KeyedHasher::new([5; 32]);
        let mut h = Headers::new();
        h.push("authorization", "Bearer opaque-token-1");
        h.push("cookie", "sid=abc");
        h.push("x-api-key", "k-1");
        let e = Exchange {
            request_headers: h,
            ..Exchange::default()
        };
        let id = compute(&e, &hasher);
        assert!(id.has_credential);
        assert_eq!(
            id.session,
            Some(hasher.tag(rampart_core::auth::SECRET_DOMAIN, b"abc"))
        );
        assert_eq!(
            id.principal,
            Some(hasher.tag(rampart_core::auth::SECRET_DOMAIN, b"k-1"))
        );
    }
}
