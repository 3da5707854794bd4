//! Keyed hashing for secrets and personal data, a fast keyed hash for in-memory caches of
//! attacker-chosen values, and a fast unkeyed hash for sketches.

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
        let mut digits = [0u8; 32];
        let (high, low) = digits.split_at_mut(16);
        hex_into((self.0 >> 64) as u64, high);
        hex_into(self.0 as u64, low);
        f.write_str(std::str::from_utf8(&digits).unwrap_or_default())
    }
}

/// `value` as 16 lower-case hex digits, as `format!("{value:016x}")` writes it, without the
/// formatting machinery (it is on the proxy's request path).
pub fn hex16(value: u64) -> String {
    let mut digits = [0u8; 16];
    hex_into(value, &mut digits);
    std::str::from_utf8(&digits).unwrap_or_default().to_owned()
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Writes `value` into the 16 bytes of `out` as lower-case hex digits, most significant first.
fn hex_into(value: u64, out: &mut [u8]) {
    for (i, d) in out.iter_mut().take(16).enumerate() {
        *d = HEX_DIGITS[((value >> (60 - 4 * i)) & 0xf) as usize];
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
    /// XXH3 secret for [`KeyedHasher::cache_hash`], derived from the key.
    cache_secret: [u8; CACHE_SECRET_BYTES],
}

/// Size of the XXH3 secret behind [`KeyedHasher::cache_hash`] (XXH3's default secret size).
const CACHE_SECRET_BYTES: usize = 192;

impl fmt::Debug for KeyedHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyedHasher { key: <redacted> }")
    }
}

impl KeyedHasher {
    /// A hasher with the given 32-byte key.
    pub fn new(key: [u8; 32]) -> Self {
        let mut cache_secret = [0u8; CACHE_SECRET_BYTES];
        let mut h = blake3::Hasher::new_keyed(&key);
        h.update(b"rampart cache-hash secret");
        h.finalize_xof().fill(&mut cache_secret);
        Self { key, cache_secret }
    }

    /// A fast 64-bit hash (XXH3) of `bytes` under a secret derived from the key, for
    /// in-memory caches keyed by values a client chooses (cookies, credentials, user agents),
    /// where a hit skips work or reuses an earlier answer. XXH3's public default secret lets
    /// anyone craft inputs that collide, and so make a malicious value pass for a clean one
    /// already cached; under a secret nobody outside the process knows, that cannot be done
    /// offline. Not for anything kept or compared across processes with other keys.
    pub fn cache_hash(&self, bytes: &[u8]) -> u64 {
        xxhash_rust::xxh3::xxh3_64_with_secret(bytes, &self.cache_secret)
    }

    /// The secret behind [`KeyedHasher::cache_hash`], for a streaming XXH3
    /// (`Xxh3::with_secret`) that hashes several parts as one.
    pub fn cache_secret(&self) -> [u8; CACHE_SECRET_BYTES] {
        self.cache_secret
    }

    /// A 64-bit seed derived from the key, for chaining short parts into a cache key with
    /// seeded XXH3 (each part's seed then depends on a secret).
    pub fn cache_seed(&self) -> u64 {
        let mut b = [0u8; 8];
        b.copy_from_slice(&self.cache_secret[CACHE_SECRET_BYTES - 8..]);
        u64::from_le_bytes(b)
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

    proptest::proptest! {
        #[test]
        fn hex_is_what_the_formatter_writes(v: u128) {
            proptest::prop_assert_eq!(HashTag(v).to_string(), format!("{v:032x}"));
            let low = v as u64;
            proptest::prop_assert_eq!(hex16(low), format!("{low:016x}"));
        }
    }

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
    fn cache_hashes_resist_the_collisions_the_public_secret_allows() {
        // XXH3 multiplies the two halves of each 16-byte block, each XORed with its secret: a
        // block whose first 8 bytes equal the public secret's contributes 0, whatever its
        // other 8 bytes are.
        const PUBLIC_SECRET_START: [u8; 8] = [0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe];
        let craft = |free: &[u8; 8]| {
            let mut v = PUBLIC_SECRET_START.to_vec();
            v.extend_from_slice(free);
            v.extend_from_slice(b"session=abcdefgh");
            v
        };
        let (clean, malicious) = (craft(b"AAAAAAAA"), craft(b"${jndi:x"));
        assert_ne!(clean, malicious);
        assert_eq!(
            fast_hash(&clean),
            fast_hash(&malicious),
            "public secret: crafted"
        );
        let k = KeyedHasher::new([3; 32]);
        assert_ne!(k.cache_hash(&clean), k.cache_hash(&malicious));
        assert_eq!(
            k.cache_hash(&clean),
            KeyedHasher::new([3; 32]).cache_hash(&clean)
        );
        assert_ne!(
            k.cache_hash(&clean),
            KeyedHasher::new([4; 32]).cache_hash(&clean)
        );
        assert_ne!(k.cache_seed(), KeyedHasher::new([4; 32]).cache_seed());
    }

    #[test]
    fn debug_never_shows_the_key() {
        let s = format!("{:?}", KeyedHasher::new([9; 32]));
        assert!(!s.contains('9'));
    }
}
