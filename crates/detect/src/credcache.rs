//! A small cache of what a request's credentials hash to.
//!
//! Hashing credentials (keyed BLAKE3) and decoding JWTs costs more than every detector
//! together, yet a client sends the same cookies and tokens on request after request. The cache
//! maps a fast hash of the credential-bearing parts of a request (`Authorization`, `Cookie`,
//! key headers, the query) to the session, principal and credential flag they give. It is
//! direct-mapped and fixed in size: a collision only costs a recomputation. It holds keyed
//! hashes only, never a credential.

use rampart_core::auth::identify;
pub use rampart_core::auth::Identity;
use rampart_core::{Exchange, KeyedHasher};
use xxhash_rust::xxh3::Xxh3;

#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    key: u64,
    identity: Identity,
}

/// A direct-mapped cache of identities.
#[derive(Debug, Clone)]
pub struct CredentialCache {
    slots: Vec<Slot>,
    hits: u64,
    misses: u64,
}

impl CredentialCache {
    /// A cache of `slots` entries (rounded up to a power of two, at least 1).
    pub fn new(slots: usize) -> Self {
        Self {
            slots: vec![Slot::default(); slots.max(1).next_power_of_two()],
            hits: 0,
            misses: 0,
        }
    }

    /// The identity of `ex`, from the cache when its credential-bearing parts were seen.
    pub fn identity(&mut self, ex: &Exchange, hasher: &KeyedHasher) -> Identity {
        let Some(key) = credential_key(ex) else {
            return Identity::default();
        };
        let idx = (key as usize) & (self.slots.len() - 1);
        let slot = &mut self.slots[idx];
        if slot.key == key {
            self.hits += 1;
            return slot.identity;
        }
        self.misses += 1;
        let identity = compute(ex, hasher);
        *slot = Slot { key, identity };
        identity
    }

    /// Lookups answered from the cache, and computed.
    pub fn counters(&self) -> (u64, u64) {
        (self.hits, self.misses)
    }
}

/// A hash of every part of the request that can carry a credential; `None` when none can
/// (no such header, no query), which is the common case of logs without headers.
fn credential_key(ex: &Exchange) -> Option<u64> {
    let mut h = Xxh3::new();
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

fn compute(ex: &Exchange, hasher: &KeyedHasher) -> Identity {
    identify(ex, hasher)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::Headers;

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
