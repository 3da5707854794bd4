//! [`Request`]: what detectors read of an exchange, derived once per exchange.
//!
//! Hashing credentials, shaping the path and recognising a login cost more than any single
//! detector, so they are done here once and shared ([`Deriver`] keeps the caches that make it
//! cheap). Secrets and personal values appear only as keyed hashes.

mod derive;
pub mod ua;

use std::net::IpAddr;

use rampart_core::{fast_hash, Entity, EntityKind, Exchange, HashTag, KeyedHasher};

use crate::credcache::CredentialCache;
use crate::login::LoginAttempt;
use crate::profile::Traits;
use crate::shape::Shape;

pub use derive::{fingerprint, Deriver};
pub use ua::UaFacts;

/// Hash domain of path objects (ids, phone numbers) as enumeration targets.
pub const OBJECT_DOMAIN: &str = "detect.object";

/// Facts about the request's endpoint that only the inventory knows, passed in by the engine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EndpointFacts {
    /// Whether a supplied spec documents the endpoint (`None` when no spec was supplied).
    pub documented: Option<bool>,
    /// Whether the response carried sensitive data classes.
    pub sensitive_response: bool,
}

/// One exchange as detectors see it.
#[derive(Debug)]
pub struct Request<'a> {
    /// The exchange itself.
    pub ex: &'a Exchange,
    /// Event time, Unix milliseconds.
    pub time: i64,
    /// Event time, Unix seconds (saturating at `u32::MAX`, the year 2106): compact state
    /// keeps times in this form.
    pub secs: u32,
    /// Client address, when the source has one.
    pub ip: Option<IpAddr>,
    /// Hash of the client address (0 without one).
    pub ip_key: u64,
    /// The client's network prefix (/24, /48) and its hash.
    pub prefix: Option<(IpAddr, u8)>,
    /// Hash of the prefix (0 without one).
    pub prefix_key: u64,
    /// The path's online shape and object.
    pub shape: Shape<'a>,
    /// Hash of method, host and shape: the endpoint key.
    pub endpoint_key: u64,
    /// Keyed hash of the session (session cookie, else an opaque bearer token).
    pub session: Option<HashTag>,
    /// Keyed hash of the principal (Basic user, JWT subject, API key).
    pub principal: Option<HashTag>,
    /// Whether any credential was presented.
    pub has_credential: bool,
    /// Hash of user agent, header-name order and languages.
    pub fingerprint: u64,
    /// Number of cookies sent.
    pub cookies: u16,
    /// Fast (unkeyed) hash of the first `Cookie` header's value, 0 without one: a key for
    /// memos of work that depends on the cookies alone. It never leaves memory.
    pub cookie_hash: u64,
    /// Fast (unkeyed) hash of the object in the path, lower-cased, for sketches; 0 without
    /// one. It never leaves memory; [`Request::object_tag`] is what alerts show.
    pub object_key: u64,
    hasher: &'a KeyedHasher,
    /// The login this request attempts, if it is one.
    pub login: Option<LoginAttempt>,
    /// Whether this is a page or static asset a browser loads (HTML, JS, CSS, images).
    pub is_page: bool,
    /// What the inventory knows of the endpoint.
    pub facts: EndpointFacts,
    /// The client's autonomous system, when an ASN database is configured.
    pub asn: Option<u32>,
    /// The user agent ("" without one), looked up once.
    ua: &'a str,
    /// What the user agent declares (browser, crawler, bot).
    pub ua_facts: UaFacts,
    /// The client's traits so far (traversal, cookies, logins), before this request.
    pub traits: Traits,
}

/// Settings for deriving requests.
#[derive(Debug, Clone, Default)]
pub struct DeriveConfig {
    /// Paths that are logins even though their names do not say so.
    pub login_paths: Vec<String>,
}

impl<'a> Request<'a> {
    /// Derives the request view of `ex`. `traits` comes from the client profile.
    pub fn derive(
        ex: &'a Exchange,
        config: &DeriveConfig,
        hasher: &'a KeyedHasher,
        facts: EndpointFacts,
    ) -> Self {
        Self::derive_cached(ex, config, hasher, facts, &mut CredentialCache::new(1))
    }

    /// [`Request::derive`] with a cache of credential hashes shared across requests
    /// ([`Deriver`] also keeps the other caches).
    pub fn derive_cached(
        ex: &'a Exchange,
        config: &DeriveConfig,
        hasher: &'a KeyedHasher,
        facts: EndpointFacts,
        cache: &mut CredentialCache,
    ) -> Self {
        derive::build(ex, config, hasher, facts, cache, None)
    }

    /// Keyed hash of the object in the path, when there is one, as alerts name targets.
    pub fn object_tag(&self) -> Option<HashTag> {
        self.shape.object.map(|o| {
            self.hasher
                .tag(OBJECT_DOMAIN, o.to_ascii_lowercase().as_bytes())
        })
    }

    /// `METHOD host/template`, as alerts name endpoints.
    pub fn endpoint(&self) -> String {
        let mut s = format!(
            "{} {}",
            self.ex.method,
            self.ex.host.as_deref().unwrap_or("")
        );
        self.shape.write_template(&mut s);
        s
    }

    /// The session's key for sketches and maps (0 without a session).
    pub fn session_key(&self) -> u64 {
        self.session.map_or(0, |s| s.0 as u64)
    }
    /// The user agent, or "" without one.
    pub fn user_agent(&self) -> &'a str {
        self.ua
    }

    /// Whether the request failed for lack of authorization or of the object (401, 403, 404).
    pub fn is_miss(&self) -> bool {
        matches!(self.ex.status, Some(401 | 403 | 404))
    }

    /// Whether the response was a success (2xx).
    pub fn is_success(&self) -> bool {
        self.ex.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// The client address as an entity.
    pub fn ip_entity(&self) -> Option<Entity> {
        self.ip.map(Entity::ip)
    }

    /// The network prefix as an entity (`203.0.113.0/24`).
    pub fn prefix_entity(&self) -> Option<Entity> {
        self.prefix
            .map(|(p, len)| Entity::new(EntityKind::Prefix, format!("{p}/{len}")))
    }

    /// The fingerprint as an entity (16 hex digits).
    pub fn fingerprint_entity(&self) -> Entity {
        Entity::new(
            EntityKind::Fingerprint,
            rampart_core::hex16(self.fingerprint),
        )
    }

    /// The session as an entity.
    pub fn session_entity(&self) -> Option<Entity> {
        self.session
            .map(|s| Entity::new(EntityKind::Session, s.to_string()))
    }
}

/// The /24 (IPv4) or /48 (IPv6) a client address belongs to.
pub fn network_prefix(ip: IpAddr) -> (IpAddr, u8) {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            (IpAddr::from([o[0], o[1], o[2], 0]), 24)
        }
        IpAddr::V6(v6) => {
            let mut s = v6.segments();
            for seg in &mut s[3..] {
                *seg = 0;
            }
            (IpAddr::from(s), 48)
        }
    }
}

pub(crate) fn hash_ip(ip: IpAddr, len: u8) -> u64 {
    let mut b = [0u8; 17];
    match ip {
        IpAddr::V4(v4) => b[..4].copy_from_slice(&v4.octets()),
        IpAddr::V6(v6) => b[..16].copy_from_slice(&v6.octets()),
    }
    b[16] = len;
    fast_hash(&b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::{EventTime, Headers};

    fn ex(path: &str, headers: &[(&str, &str)]) -> Exchange {
        let mut h = Headers::new();
        for (n, v) in headers {
            h.push(n, *v);
        }
        Exchange {
            time: EventTime::from_unix_millis(5_000),
            client: Some("203.0.113.9".parse().unwrap()),
            method: "GET".into(),
            host: Some("api.example".into()),
            path: path.into(),
            status: Some(404),
            request_headers: h,
            ..Exchange::default()
        }
    }

    #[test]
    fn derives_endpoint_object_session_and_prefix() {
        let h = KeyedHasher::new([3; 32]);
        let e = ex(
            "/api/v1/users/42",
            &[("user-agent", "curl/8"), ("cookie", "sid=abc; theme=dark")],
        );
        let r = Request::derive(&e, &DeriveConfig::default(), &h, EndpointFacts::default());
        assert_eq!(r.endpoint(), "GET api.example/api/v1/users/{}");
        assert_eq!(r.object_tag(), Some(h.tag(OBJECT_DOMAIN, b"42")));
        assert!(r.session.is_some() && r.has_credential);
        assert_eq!(r.cookies, 2);
        assert_eq!(r.prefix_entity().unwrap().value, "203.0.113.0/24");
        assert!(r.is_miss() && !r.is_page);
        // Same endpoint, another id: same endpoint key.
        let e2 = ex("/api/v1/users/43", &[]);
        let r2 = Request::derive(&e2, &DeriveConfig::default(), &h, EndpointFacts::default());
        assert_eq!(r.endpoint_key, r2.endpoint_key);
        assert_ne!(r.object_key, r2.object_key);
        assert_ne!(r.fingerprint, r2.fingerprint);
    }

    #[test]
    fn ipv6_prefix_is_a_48() {
        let (p, len) = network_prefix("2001:db8:1:2:3::9".parse().unwrap());
        assert_eq!((p.to_string(), len), ("2001:db8:1::".to_string(), 48));
    }
}
