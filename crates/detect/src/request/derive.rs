//! Building a [`Request`] from an exchange: one pass over the request headers gives the user
//! agent, the fingerprint, the cookie count and the key of the credential cache; the path is
//! shaped without copying; logins are recognised only on `POST`.

use rampart_core::{fast_hash, Exchange, KeyedHasher};
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use super::ua::{UaCache, UaFacts};
use super::{hash_ip, network_prefix, DeriveConfig, EndpointFacts, Request};
use crate::credcache::CredentialCache;
use crate::login;
use crate::profile::Traits;
use crate::shape::shape_keyed;

/// Latest event time detectors accept (the end of year 9999), in Unix ms.
const MAX_TIME_MS: i64 = 253_402_300_799_999;

/// Derives requests with the caches that make it cheap: credential hashes (a client sends the
/// same cookies and tokens on request after request) and user-agent facts.
#[derive(Debug, Clone)]
pub struct Deriver {
    config: DeriveConfig,
    credentials: CredentialCache,
    agents: UaCache,
}

impl Deriver {
    /// A deriver with `config`.
    pub fn new(config: DeriveConfig) -> Self {
        Self {
            config,
            credentials: CredentialCache::new(1 << 15),
            agents: UaCache::new(4096),
        }
    }

    /// The request view of `ex`.
    pub fn derive<'a>(
        &mut self,
        ex: &'a Exchange,
        hasher: &'a KeyedHasher,
        facts: EndpointFacts,
    ) -> Request<'a> {
        build(
            ex,
            &self.config,
            hasher,
            facts,
            &mut self.credentials,
            Some(&mut self.agents),
        )
    }

    /// Credential-cache lookups answered from the cache, and computed.
    pub fn cache_counters(&self) -> (u64, u64) {
        self.credentials.counters()
    }

    /// Bytes held by the caches.
    pub fn bytes(&self) -> usize {
        self.credentials.bytes() + self.agents.bytes()
    }
}

/// What one pass over the request headers gives.
struct Headers<'a> {
    ua: &'a str,
    fingerprint: u64,
    cookies: u16,
    credential_key: Option<u64>,
    /// Fast hash of the first `Cookie` header's value (0 without one).
    cookie_hash: u64,
    /// No `Authorization`, key header or key parameter: only cookies can be credentials.
    cookies_only: bool,
}

/// Chains `bytes` into the hash `h`. Inputs longer than 240 bytes are hashed under the cache
/// secret (or unseeded without a hasher) and folded in, since XXH3 derives a whole secret for
/// a seeded long input. `h` starts from the hasher's secret cache seed, so every seeded step
/// depends on a secret too.
fn mix(bytes: &[u8], h: u64, hasher: Option<&KeyedHasher>) -> u64 {
    if bytes.len() <= 240 {
        xxh3_64_with_seed(bytes, h)
    } else {
        (cache_hash(bytes, hasher) ^ h.rotate_left(23)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
}

/// The hasher's secret-keyed cache hash; XXH3 unkeyed without one (the fingerprint's pass,
/// which uses none of the keyed parts).
fn cache_hash(bytes: &[u8], hasher: Option<&KeyedHasher>) -> u64 {
    match hasher {
        Some(k) => k.cache_hash(bytes),
        None => xxh3_64(bytes),
    }
}

/// Folds `bytes` into `h` eight at a time (an FxHash-style step, with the length mixed in so
/// that inputs of different lengths differ): header names and the user agent are short, and a
/// general-purpose hash's setup costs more than the hashing. [`finish`] mixes the result.
fn fold(h: u64, bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let mut h = step(h, bytes.len() as u64);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        h = step(
            h,
            u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]),
        );
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        h = step(h, padded_tail(bytes, rest.len()));
    }
    h
}

/// The last `r` bytes (1..=7) of `bytes` as a zero-padded little-endian word, read with
/// overlapping loads instead of a copy (header names are short, and a `memcpy` call per
/// header cost more than the folding).
fn padded_tail(bytes: &[u8], r: usize) -> u64 {
    let n = bytes.len();
    let le = |b: &[u8]| b.iter().rev().fold(0u64, |w, &c| (w << 8) | u64::from(c));
    if n >= 8 {
        // The tail is the top `r` bytes of the last word.
        let last = u64::from_le_bytes(bytes[n - 8..].try_into().unwrap_or([0; 8]));
        return last >> ((8 - r) * 8);
    }
    let tail = &bytes[n - r..];
    match r {
        // Two four-byte loads that overlap: the shared bytes are equal, so `|` keeps them.
        4..=7 => {
            let lo = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]);
            let hi = u32::from_le_bytes([tail[r - 4], tail[r - 3], tail[r - 2], tail[r - 1]]);
            u64::from(lo) | (u64::from(hi) << ((r - 4) * 8))
        }
        _ => le(tail),
    }
}

/// The final mix of a folded hash (MurmurHash3's 64-bit finaliser).
fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Seeds of the fingerprint: the start, and a header value (so a name and a value never hash
/// alike).
const FINGERPRINT_SEED: u64 = 0x6670_7269_6e74_0001;
const VALUE_SEED: u64 = 0x7661_6c75_6500_0002;

/// Seeds of the credential key, per kind of header.
const COOKIE_SEED: u64 = 0x636f_6f6b_6965_0001;
const AUTHORIZATION_SEED: u64 = 0x6175_7468_0000_0002;
const QUERY_SEED: u64 = 0x7175_6572_7900_0003;

/// The client fingerprint of a request, as alerts name it (`fingerprint:<16 hex digits>`): a
/// hash of the header names in order, the user agent and the accept-language value. The
/// proxy computes it on a request's head to match decisions scoped to a fingerprint.
pub fn fingerprint(ex: &Exchange) -> u64 {
    // The fold of `headers_keyed`, without the cookie and credential work.
    let fingerprint = ex
        .request_headers
        .iter()
        .fold(FINGERPRINT_SEED, |f, (name, value)| {
            fingerprint_step(f, name, value)
        });
    finish(fingerprint)
}

/// One header's part of the fingerprint: its name, and the value of the user agent and of
/// the accepted languages.
fn fingerprint_step(fingerprint: u64, name: &str, value: &str) -> u64 {
    let fingerprint = fold(fingerprint, name.as_bytes());
    if name == "user-agent" || name == "accept-language" {
        fold(fingerprint ^ VALUE_SEED, value.as_bytes())
    } else {
        fingerprint
    }
}

/// [`headers_keyed`] without a hasher: the cookie hash and credential key unkeyed.
#[cfg(test)]
fn headers<'a>(ex: &'a Exchange) -> Headers<'a> {
    headers_keyed(ex, None)
}

/// The user agent, the fingerprint (a hash of the header names in order, the user agent and
/// the accept-language value), the cookie count, and a hash of every header that can carry a
/// credential (`None` when none can). The cookie hash and the credential key feed caches whose
/// hits skip work (the probe scan of a cookie found clean) or reuse an identity, so with a
/// hasher they are keyed by its secret: colliding cookies or tokens cannot be crafted.
fn headers_keyed<'a>(ex: &'a Exchange, hasher: Option<&KeyedHasher>) -> Headers<'a> {
    let mut fingerprint = FINGERPRINT_SEED;
    let mut ua = None;
    let mut cookies = 0usize;
    let mut key = hasher.map_or(0, KeyedHasher::cache_seed);
    let mut any = false;
    let mut cookies_only = true;
    let mut cookie_hash = 0;
    for (name, value) in ex.request_headers.iter() {
        fingerprint = fingerprint_step(fingerprint, name, value);
        match name {
            "user-agent" => {
                ua.get_or_insert(value);
            }
            "cookie" => {
                let v = value.as_bytes();
                if memchr::memchr(b'=', v).is_some() {
                    cookies += memchr::memchr_iter(b';', v).count() + 1;
                }
                let hash = cache_hash(v, hasher).max(1);
                if cookie_hash == 0 {
                    cookie_hash = hash;
                }
                key = (key ^ COOKIE_SEED ^ hash).wrapping_mul(0x9e37_79b9_7f4a_7c15);
                any = true;
            }
            "authorization" => {
                key = mix(value.as_bytes(), key ^ AUTHORIZATION_SEED, hasher);
                any = true;
                cookies_only = false;
            }
            _ if may_carry_key(name.as_bytes()) => {
                key = mix(value.as_bytes(), key ^ xxh3_64(name.as_bytes()), hasher);
                any = true;
                cookies_only = false;
            }
            _ => {}
        }
    }
    if ex.query.is_some() {
        // Only key parameters carry credentials: a scraper's ever-changing query must not
        // defeat the cache.
        for (name, value) in ex.query_pairs() {
            if !value.is_empty() && is_key_param(name) {
                key = mix(name.as_bytes(), key ^ QUERY_SEED, hasher);
                key = mix(value.as_bytes(), key, hasher);
                any = true;
                cookies_only = false;
            }
        }
    }
    Headers {
        ua: ua.unwrap_or(""),
        fingerprint: finish(fingerprint),
        cookies: cookies.min(usize::from(u16::MAX)) as u16,
        // 0 marks an empty cache slot.
        credential_key: any.then_some(key.max(1)),
        cookie_hash,
        cookies_only,
    }
}

/// Whether a (lower-case) header name could carry a key or token: a superset of the names the
/// credential locator reads (every one of them ends in `key` or `token`), which is all the
/// cache key needs.
fn may_carry_key(name: &[u8]) -> bool {
    name.ends_with(b"key") || name.ends_with(b"token")
}

/// Whether a query parameter name carries an API key or token (the credential locator's rule:
/// lower case, `_` and `-` removed).
pub(crate) fn is_key_param(name: &str) -> bool {
    const KEY_PARAMS: &[&[u8]] = &[
        b"apikey",
        b"key",
        b"token",
        b"accesstoken",
        b"auth",
        b"clientsecret",
    ];
    if name.len() > 64 {
        return false;
    }
    let mut buf = [0u8; 64];
    let mut n = 0;
    for c in name.chars() {
        if c == '_' || c == '-' {
            continue;
        }
        let mut tmp = [0u8; 4];
        let enc = c.to_ascii_lowercase().encode_utf8(&mut tmp);
        buf[n..n + enc.len()].copy_from_slice(enc.as_bytes());
        n += enc.len();
    }
    KEY_PARAMS.contains(&&buf[..n])
}

/// Builds the view; `agents` memoises user-agent facts when given.
pub(super) fn build<'a>(
    ex: &'a Exchange,
    config: &DeriveConfig,
    hasher: &'a KeyedHasher,
    facts: EndpointFacts,
    cache: &mut CredentialCache,
    agents: Option<&mut UaCache>,
) -> Request<'a> {
    let ip = ex.client;
    let prefix = ip.map(network_prefix);
    let seed = xxh3_64_with_seed(
        ex.host.as_deref().unwrap_or("").as_bytes(),
        xxh3_64(ex.method.as_bytes()),
    );
    let (shape, endpoint_key) = shape_keyed(&ex.path, seed);
    let h = headers_keyed(ex, Some(hasher));
    let identity = cache.lookup(h.credential_key, h.cookies_only, ex, hasher);
    let object_key = shape.object.map_or(0, object_hash);
    let login = login::attempt(ex, &config.login_paths, hasher);
    let ua_facts = match agents {
        Some(a) => a.facts(h.ua, hasher),
        None if h.ua.is_empty() => UaFacts::default(),
        None => UaFacts::of(h.ua),
    };
    // Clamped to years 1970..=9999 so that window arithmetic cannot overflow on a forged
    // timestamp.
    let time = ex.time.as_unix_millis().clamp(1, MAX_TIME_MS);
    Request {
        ex,
        time,
        secs: (time / 1000).min(i64::from(u32::MAX)) as u32,
        ip,
        ip_key: ip.map_or(0, |ip| hash_ip(ip, 128)),
        prefix,
        prefix_key: prefix.map_or(0, |(p, len)| hash_ip(p, len)),
        endpoint_key,
        shape,
        session: identity.session,
        principal: identity.principal,
        has_credential: identity.has_credential,
        fingerprint: h.fingerprint,
        ua: h.ua,
        ua_facts,
        asn: None,
        cookies: h.cookies,
        cookie_hash: h.cookie_hash,
        object_key,
        hasher,
        login,
        is_page: is_page(ex),
        facts,
        traits: Traits::default(),
    }
}

/// The fast hash of an object id, lower-cased without allocating for ids up to 128 bytes.
fn object_hash(object: &str) -> u64 {
    let mut buf = [0u8; 128];
    if object.len() <= buf.len() {
        let b = &mut buf[..object.len()];
        b.copy_from_slice(object.as_bytes());
        b.make_ascii_lowercase();
        fast_hash(b)
    } else {
        fast_hash(object.to_ascii_lowercase().as_bytes())
    }
}

const PAGE_EXTENSIONS: &[&str] = &[
    ".html", ".htm", ".js", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp",
    ".woff", ".woff2", ".map",
];

fn is_page(ex: &Exchange) -> bool {
    if !ex.method.eq_ignore_ascii_case("GET") {
        return false;
    }
    let path = ex.path.as_bytes();
    let ends_with = |e: &str| {
        path.len() >= e.len() && path[path.len() - e.len()..].eq_ignore_ascii_case(e.as_bytes())
    };
    if path == b"/" || PAGE_EXTENSIONS.iter().any(|e| ends_with(e)) {
        return true;
    }
    matches!(ex.response_content_type(), Some(ct) if ct.starts_with("text/html"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::Headers as H;

    fn ex(headers: &[(&str, &str)], query: Option<&str>) -> Exchange {
        let mut h = H::new();
        for (n, v) in headers {
            h.push(n, *v);
        }
        Exchange {
            request_headers: h,
            query: query.map(str::to_owned),
            ..Exchange::default()
        }
    }

    #[test]
    fn the_fingerprint_is_names_in_order_agent_and_languages() {
        let chrome = "Mozilla/5.0 (X11) Chrome/142.0.0.0";
        let base = ex(
            &[
                ("user-agent", chrome),
                ("accept", "*/*"),
                ("accept-language", "en-US,en;q=0.9"),
                ("cookie", "sid=abc; theme=dark; c3=v"),
            ],
            None,
        );
        let f = headers(&base).fingerprint;
        let other_values = ex(
            &[
                ("user-agent", chrome),
                ("accept", "text/html"),
                ("accept-language", "en-US,en;q=0.9"),
                ("cookie", "sid=xyz"),
            ],
            None,
        );
        assert_eq!(headers(&other_values).fingerprint, f);
        let reordered = ex(
            &[
                ("accept", "*/*"),
                ("user-agent", chrome),
                ("accept-language", "en-US,en;q=0.9"),
                ("cookie", "sid=abc"),
            ],
            None,
        );
        assert_ne!(headers(&reordered).fingerprint, f);
        let other_language = ex(
            &[
                ("user-agent", chrome),
                ("accept", "*/*"),
                ("accept-language", "de"),
                ("cookie", "sid=abc"),
            ],
            None,
        );
        assert_ne!(headers(&other_language).fingerprint, f);
        // The fingerprint alone is the one the full header pass computes.
        for e in [&base, &other_values, &reordered, &other_language] {
            assert_eq!(fingerprint(e), headers(e).fingerprint);
        }
        let keyed = KeyedHasher::new([3; 32]);
        assert_eq!(
            fingerprint(&base),
            headers_keyed(&base, Some(&keyed)).fingerprint
        );
    }

    #[test]
    fn one_pass_counts_cookies_and_keys_credentials() {
        let base = ex(
            &[
                ("user-agent", "Mozilla/5.0 (X11) Chrome/142.0.0.0"),
                ("cookie", "sid=abc; theme=dark; c3=v"),
                ("x-api-key", "k-1"),
            ],
            Some("zip=10001&api_key=s3"),
        );
        let got = headers(&base);
        assert_eq!(got.cookies, 3);
        assert_eq!(got.ua, "Mozilla/5.0 (X11) Chrome/142.0.0.0");
        assert!(!got.cookies_only);
        let key = got.credential_key.unwrap();
        // Another search query, same credentials: same key.
        let other = Exchange {
            query: Some("zip=10002&api_key=s3".into()),
            ..base.clone()
        };
        assert_eq!(headers(&other).credential_key, Some(key));
        // Another API key: another key.
        let other = Exchange {
            query: Some("zip=10002&api_key=s4".into()),
            ..base.clone()
        };
        assert_ne!(headers(&other).credential_key, Some(key));
        assert_eq!(headers(&Exchange::default()).credential_key, None);
        let only_cookies = ex(&[("cookie", "sid=1")], Some("q=1"));
        let cookies = headers(&only_cookies);
        assert!(cookies.cookies_only && cookies.credential_key.is_some());
    }

    #[test]
    fn cache_keys_depend_on_the_hasher_secret_and_the_fingerprint_does_not() {
        let long_cookie = format!("sid=abc; prefs={}", "x".repeat(300));
        let base = ex(
            &[
                ("user-agent", "Mozilla/5.0 (X11) Chrome/142.0.0.0"),
                ("cookie", long_cookie.as_str()),
                ("authorization", "Bearer t-1"),
            ],
            Some("api_key=s3"),
        );
        let (a, b) = (KeyedHasher::new([1; 32]), KeyedHasher::new([2; 32]));
        let (ka, kb) = (
            headers_keyed(&base, Some(&a)),
            headers_keyed(&base, Some(&b)),
        );
        assert_ne!(ka.cookie_hash, kb.cookie_hash);
        assert_ne!(ka.credential_key, kb.credential_key);
        let again = headers_keyed(&base, Some(&KeyedHasher::new([1; 32])));
        assert_eq!(
            (again.cookie_hash, again.credential_key),
            (ka.cookie_hash, ka.credential_key)
        );
        assert_eq!(ka.fingerprint, kb.fingerprint);
        assert_eq!(ka.fingerprint, fingerprint(&base));
        // Under one key, other credentials still give another key.
        let other = Exchange {
            query: Some("api_key=s4".into()),
            ..base.clone()
        };
        assert_ne!(
            headers_keyed(&other, Some(&a)).credential_key,
            ka.credential_key
        );
    }

    #[test]
    fn key_parameters_follow_the_locator() {
        for (name, want) in [
            ("api_key", true),
            ("API-KEY", true),
            ("access_token", true),
            ("client_secret", true),
            ("auth", true),
            ("zip", false),
            ("keys", false),
            ("tokén", false),
        ] {
            assert_eq!(is_key_param(name), want, "{name}");
        }
        assert!(may_carry_key(b"x-api-key") && may_carry_key(b"x-auth-token"));
        assert!(!may_carry_key(b"accept") && !may_carry_key(b"content-type"));
        let keyed = ex(&[("x-goog-api-key", "v")], None);
        assert!(!rampart_core::auth::credentials(&keyed, &KeyedHasher::new([1; 32])).is_empty());
    }

    proptest::proptest! {
        /// Fingerprints name decisions in stores, so the fold must not change with the way the
        /// tail is read: it is the zero-padded little-endian word of the last bytes.
        #[test]
        fn the_tail_is_the_zero_padded_word(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 1..40),
        ) {
            let r = bytes.len() % 8;
            if r > 0 {
                let mut b = [0u8; 8];
                b[..r].copy_from_slice(&bytes[bytes.len() - r..]);
                proptest::prop_assert_eq!(padded_tail(&bytes, r), u64::from_le_bytes(b));
            }
        }

        /// Every header the credential locator reads a key from is one the cache key hashes.
        #[test]
        fn the_cache_key_covers_every_key_header(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "x-", "api", "-key", "key", "token", "-token", "auth", "-", "ocp-apim-subscription",
                "goog", "functions", "access", "csrf", "s",
            ]), 1..5),
        ) {
            let name = parts.concat();
            let e = ex(&[(name.as_str(), "k3y-value")], None);
            let read = !rampart_core::auth::credentials(&e, &KeyedHasher::new([1; 32])).is_empty();
            proptest::prop_assert!(!read || may_carry_key(name.as_bytes()), "{}", name);
        }
    }
}
