//! What the policy knows about one request: who sent it, what it asks for, what the inventory
//! says about the endpoint, and what the detectors currently think of its actor.
//!
//! The engine fills a [`RequestFacts`] from the `Exchange`, the inventory and the active alerts;
//! defend never looks at discover or detect itself.

use std::net::IpAddr;

use ipnet::IpNet;
use rampart_core::{Exchange, Headers, Severity};

/// Length of the prefix used for an IPv4 client when none is given (as detectors use).
pub const DEFAULT_PREFIX_V4: u8 = 24;
/// Length of the prefix used for an IPv6 client when none is given.
pub const DEFAULT_PREFIX_V6: u8 = 48;

/// What the inventory knows about the endpoint a request is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InventoryFacts {
    /// Served but absent from every imported spec.
    pub shadow: bool,
    /// Seen answering successfully without credentials.
    pub unauthenticated: bool,
    /// Returns sensitive data (personal data, secrets, ...).
    pub sensitive: bool,
}

/// An alert currently active about the request's actor (or address, session, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveAlert {
    /// The detector that raised it (`credential_stuffing`, ...); shared, so that handing the
    /// alerts of an address to each of its requests copies no text.
    pub detector: std::sync::Arc<str>,
    /// Its severity.
    pub severity: Severity,
}

/// Everything the verdict may look at for one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestFacts {
    /// The client address after trusted-proxy handling.
    pub ip: Option<IpAddr>,
    /// The client's network; when `None`, the /24 (IPv4) or /48 (IPv6) of `ip`.
    pub prefix: Option<IpNet>,
    /// ISO 3166 alpha-2 country code, upper case, when a GeoIP database knows it.
    pub country: Option<String>,
    /// Autonomous system number, when an ASN database knows it.
    pub asn: Option<u32>,
    /// Keyed hash of the session, as hex (as alerts name sessions).
    pub session: Option<String>,
    /// Keyed hash of the authenticated user, as hex.
    pub principal: Option<String>,
    /// Client fingerprint hash, as hex.
    pub fingerprint: Option<String>,
    /// The actor the request's entities belong to, when alerts have been rolled up.
    pub actor: Option<String>,
    /// The actor's risk, 0 to 100.
    pub actor_risk: Option<u8>,
    /// Request method, upper case.
    pub method: String,
    /// The endpoint's path template (`/api/users/{id}`), when the inventory knows it.
    pub endpoint: Option<String>,
    /// The host the request was for, lower case, without port.
    pub host: Option<String>,
    /// The path as received.
    pub path: String,
    /// Inventory facts about the endpoint.
    pub inventory: InventoryFacts,
    /// Whether the request carries credentials (Authorization, API key, session cookie).
    pub credentials: bool,
    /// Selected request headers, names in lower case.
    pub headers: Headers,
    /// The `User-Agent`; when `None`, the `user-agent` header is used.
    pub user_agent: Option<String>,
    /// Alerts currently active about this request's actor.
    pub alerts: Vec<ActiveAlert>,
}

impl RequestFacts {
    /// Facts taken from an exchange: address, method, path, headers, user agent, and whether
    /// credentials are present. Inventory, alerts, geography and hashes are the engine's to add.
    pub fn from_exchange(ex: &Exchange) -> Self {
        Self {
            credentials: !rampart_core::auth::is_anonymous(ex),
            ..Self::from_exchange_keeping(ex, true)
        }
    }

    /// [`RequestFacts::from_exchange`] without the credential check (for a caller that
    /// identifies the request itself and sets `credentials`), and without a copy of the
    /// request headers unless `headers`: only header conditions read them (see
    /// `Policy::reads_headers`); the user agent is kept either way.
    pub fn from_exchange_keeping(ex: &Exchange, headers: bool) -> Self {
        Self {
            ip: ex.client,
            method: ex.method.to_ascii_uppercase(),
            path: ex.path.clone(),
            host: ex.host.as_deref().map(str::to_ascii_lowercase),
            headers: if headers {
                ex.request_headers.clone()
            } else {
                rampart_core::Headers::default()
            },
            user_agent: ex.user_agent().map(str::to_owned),
            ..Self::default()
        }
    }

    /// The client's network: `prefix`, or the /24 or /48 of the address.
    pub fn network(&self) -> Option<IpNet> {
        self.prefix.or_else(|| {
            let ip = self.ip?;
            let len = match ip {
                IpAddr::V4(_) => DEFAULT_PREFIX_V4,
                IpAddr::V6(_) => DEFAULT_PREFIX_V6,
            };
            IpNet::new(ip, len).ok().map(|n| n.trunc())
        })
    }

    /// The user agent: `user_agent`, or the `user-agent` header.
    pub fn agent(&self) -> Option<&str> {
        self.user_agent
            .as_deref()
            .or_else(|| self.headers.get("user-agent"))
    }

    /// What the endpoint conditions match against: the template when known, else the path.
    pub fn route(&self) -> &str {
        self.endpoint.as_deref().unwrap_or(&self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_defaults_to_the_detectors_prefixes() {
        let mut f = RequestFacts {
            ip: Some("203.0.113.9".parse().unwrap()),
            ..RequestFacts::default()
        };
        assert_eq!(f.network(), Some("203.0.113.0/24".parse().unwrap()));
        f.ip = Some("2001:db8:1:2::5".parse().unwrap());
        assert_eq!(f.network(), Some("2001:db8:1::/48".parse().unwrap()));
        f.prefix = Some("10.0.0.0/8".parse().unwrap());
        assert_eq!(f.network(), Some("10.0.0.0/8".parse().unwrap()));
    }

    #[test]
    fn from_exchange_sees_credentials_and_agent() {
        let mut ex = Exchange {
            method: "post".into(),
            path: "/api/login".into(),
            client: Some("192.0.2.1".parse().unwrap()),
            ..Exchange::default()
        };
        ex.request_headers.push("User-Agent", "curl/8");
        let f = RequestFacts::from_exchange(&ex);
        assert_eq!(f.method, "POST");
        assert_eq!(f.agent(), Some("curl/8"));
        assert!(!f.credentials);
        ex.request_headers.push("Authorization", "Bearer abc");
        assert!(RequestFacts::from_exchange(&ex).credentials);
        let lean = RequestFacts::from_exchange_keeping(&ex, false);
        assert!(lean.headers.is_empty());
        assert_eq!(lean.agent(), Some("curl/8"));
        assert_eq!(
            RequestFacts::from_exchange_keeping(&ex, true).headers.len(),
            2
        );
    }
}
