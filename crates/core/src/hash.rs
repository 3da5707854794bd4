//! Keyed hashing for secrets and personal data, and a fast unkeyed hash for sketches.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A 128-bit keyed hash of a secret or personal value, shown as 32 hex digits.
///
/// Two equal inputs under one key give equal tags, so sessions, principals and targets can be
/// counted and joined without ever keeping the value itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct HashTag(pub u128);

impl fmt::Display for HashTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl From<HashTag> for String {
    fn from(tag: HashTag) -> Self {
        tag.to_string()
    }
}

impl TryFrom<String> for HashTag {
    type Error = std::num::ParseIntError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        u128::from_str_radix(&s, 16).map(HashTag)
    }
}

/// Hashes values under a secret key (BLAKE3 keyed mode) with a domain label per kind of value,
/// so a session hash can never be matched against a password hash.
#[derive(Clone)]
pub struct KeyedHasher {
    key: [u8; 32],
}

impl fmt::Debug for KeyedHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyedHasher { key: <redacted> }")
    }
}

impl KeyedHasher {
    /// A hasher with the given 32-byte key.
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    /// The tag of `value` in `domain` (for example `"session"`, `"principal"`).
    pub fn tag(&self, domain: &str, value: &[u8]) -> HashTag {
        let mut h = blake3::Hasher::new_keyed(&self.key);
        h.update(&(domain.len() as u64).to_le_bytes());
        h.update(domain.as_bytes());
        h.update(value);
        let out = h.finalize();
        let mut b = [0u8; 16];
        b.copy_from_slice(&out.as_bytes()[..16]);
        HashTag(u128::from_le_bytes(b))
    }
}

/// A fast, stable, unkeyed 64-bit hash (XXH3) for sketches and shard selection. Stable across
/// runs and machines, so persisted sketches can be merged.
pub fn fast_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_depend_on_key_domain_and_value() {
        let a = KeyedHasher::new([1; 32]);
        let b = KeyedHasher::new([2; 32]);
        assert_eq!(a.tag("session", b"x"), a.tag("session", b"x"));
        assert_ne!(a.tag("session", b"x"), b.tag("session", b"x"));
        assert_ne!(a.tag("session", b"x"), a.tag("principal", b"x"));
        assert_ne!(a.tag("session", b"x"), a.tag("session", b"y"));
    }

    #[test]
    fn tag_round_trips_through_text() {
        let t = KeyedHasher::new([7; 32]).tag("d", b"v");
        let s: String = t.into();
        assert_eq!(s.len(), 32);
        assert_eq!(HashTag::try_from(s).unwrap(), t);
    }

    #[test]
    fn debug_never_shows_the_key() {
        let s = format!("{:?}", KeyedHasher::new([9; 32]));
        assert!(!s.contains('9'));
    }
}
