//! Alerts: what a detector raises, with the entity it is about and the evidence in numbers.
//!
//! An [`Alert`] is one episode of one detector about one entity: it is created on the first
//! request that crosses the detector's threshold and then updated (last seen, counts, members,
//! figures) as the episode goes on, so a campaign of millions of requests is one alert, not
//! millions. Campaign alerts (about a fingerprint, a prefix, a target or the whole API) list the
//! client addresses and sessions they cover in [`Alert::members`], because the defend step and
//! the people reading the alert act on those.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::time::EventTime;

/// The kind of entity an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// One client address (`client.address`).
    Ip,
    /// A network prefix: /24 for IPv4, /48 for IPv6.
    Prefix,
    /// An autonomous system, from a configured ASN database.
    Asn,
    /// A country (ISO 3166 alpha-2), from a configured GeoIP database.
    Country,
    /// A session (cookie or token), as a keyed hash.
    Session,
    /// An authenticated user (Basic user, JWT `sub`, API key), as a keyed hash.
    Principal,
    /// A client fingerprint: user agent, header order and languages, hashed.
    Fingerprint,
    /// The object, user name or phone number a request is about, as a keyed hash.
    Target,
    /// One endpoint of the API as a whole.
    Endpoint,
    /// All traffic together.
    Global,
}

impl EntityKind {
    /// The snake_case name, as serialised.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ip => "ip",
            Self::Prefix => "prefix",
            Self::Asn => "asn",
            Self::Country => "country",
            Self::Session => "session",
            Self::Principal => "principal",
            Self::Fingerprint => "fingerprint",
            Self::Target => "target",
            Self::Endpoint => "endpoint",
            Self::Global => "global",
        }
    }

    /// The kind named `name` (as [`EntityKind::name`] gives it).
    pub fn from_name(name: &str) -> Option<Self> {
        ALL_KINDS.into_iter().find(|k| k.name() == name)
    }
}

const ALL_KINDS: [EntityKind; 10] = [
    EntityKind::Ip,
    EntityKind::Prefix,
    EntityKind::Asn,
    EntityKind::Country,
    EntityKind::Session,
    EntityKind::Principal,
    EntityKind::Fingerprint,
    EntityKind::Target,
    EntityKind::Endpoint,
    EntityKind::Global,
];

/// An entity: its kind and a printable value that is never a secret (an address, a prefix, an
/// ASN, a country code, or the hex of a keyed hash).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entity {
    /// What kind of entity.
    pub kind: EntityKind,
    /// Its value, safe to show and store.
    pub value: String,
}

impl Entity {
    /// An entity of `kind` with `value`.
    pub fn new(kind: EntityKind, value: impl Into<String>) -> Self {
        Self {
            kind,
            value: value.into(),
        }
    }

    /// The client address `ip`.
    pub fn ip(ip: IpAddr) -> Self {
        Self::new(EntityKind::Ip, ip.to_string())
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.name(), self.value)
    }
}

/// The OWASP API Security Top 10 (2023) category an alert belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Owasp {
    /// API1:2023 Broken Object Level Authorization.
    #[serde(rename = "API1:2023")]
    Api1BrokenObjectLevelAuthorization,
    /// API2:2023 Broken Authentication.
    #[serde(rename = "API2:2023")]
    Api2BrokenAuthentication,
    /// API3:2023 Broken Object Property Level Authorization.
    #[serde(rename = "API3:2023")]
    Api3BrokenObjectPropertyLevelAuthorization,
    /// API4:2023 Unrestricted Resource Consumption.
    #[serde(rename = "API4:2023")]
    Api4UnrestrictedResourceConsumption,
    /// API5:2023 Broken Function Level Authorization.
    #[serde(rename = "API5:2023")]
    Api5BrokenFunctionLevelAuthorization,
    /// API6:2023 Unrestricted Access to Sensitive Business Flows.
    #[serde(rename = "API6:2023")]
    Api6SensitiveBusinessFlows,
    /// API7:2023 Server Side Request Forgery.
    #[serde(rename = "API7:2023")]
    Api7ServerSideRequestForgery,
    /// API8:2023 Security Misconfiguration.
    #[serde(rename = "API8:2023")]
    Api8SecurityMisconfiguration,
    /// API9:2023 Improper Inventory Management.
    #[serde(rename = "API9:2023")]
    Api9ImproperInventoryManagement,
    /// API10:2023 Unsafe Consumption of APIs.
    #[serde(rename = "API10:2023")]
    Api10UnsafeConsumption,
}

impl Owasp {
    /// The category's identifier, `API1:2023` to `API10:2023`.
    pub fn id(self) -> &'static str {
        match self {
            Self::Api1BrokenObjectLevelAuthorization => "API1:2023",
            Self::Api2BrokenAuthentication => "API2:2023",
            Self::Api3BrokenObjectPropertyLevelAuthorization => "API3:2023",
            Self::Api4UnrestrictedResourceConsumption => "API4:2023",
            Self::Api5BrokenFunctionLevelAuthorization => "API5:2023",
            Self::Api6SensitiveBusinessFlows => "API6:2023",
            Self::Api7ServerSideRequestForgery => "API7:2023",
            Self::Api8SecurityMisconfiguration => "API8:2023",
            Self::Api9ImproperInventoryManagement => "API9:2023",
            Self::Api10UnsafeConsumption => "API10:2023",
        }
    }

    /// The category's title.
    pub fn title(self) -> &'static str {
        match self {
            Self::Api1BrokenObjectLevelAuthorization => "Broken Object Level Authorization",
            Self::Api2BrokenAuthentication => "Broken Authentication",
            Self::Api3BrokenObjectPropertyLevelAuthorization => {
                "Broken Object Property Level Authorization"
            }
            Self::Api4UnrestrictedResourceConsumption => "Unrestricted Resource Consumption",
            Self::Api5BrokenFunctionLevelAuthorization => "Broken Function Level Authorization",
            Self::Api6SensitiveBusinessFlows => "Unrestricted Access to Sensitive Business Flows",
            Self::Api7ServerSideRequestForgery => "Server Side Request Forgery",
            Self::Api8SecurityMisconfiguration => "Security Misconfiguration",
            Self::Api9ImproperInventoryManagement => "Improper Inventory Management",
            Self::Api10UnsafeConsumption => "Unsafe Consumption of APIs",
        }
    }
}

/// How much harm an alert stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; no harm by itself (an outdated browser).
    Info,
    /// Suspicious, low harm.
    Low,
    /// Likely abuse.
    Medium,
    /// Abuse with harm to users or data.
    High,
    /// Abuse at scale, or a confirmed exploit attempt on a sensitive flow.
    Critical,
}

impl Severity {
    /// The snake_case name, as serialised.
    pub fn name(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

/// One episode of one detector about one entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable identifier: detector, entity and the episode's start, hashed (16 hex digits).
    pub id: String,
    /// The detector that raised it (`enumeration`, `credential_stuffing`, ...).
    pub detector: String,
    /// OWASP API Security Top 10 (2023) category.
    pub owasp: Owasp,
    /// How much harm it stands for.
    pub severity: Severity,
    /// What it is about.
    pub entity: Entity,
    /// The actor it was rolled up into, when actors have been computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The endpoint (`METHOD host/template`) when the alert is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Event time of the first request of the episode.
    pub first_seen: EventTime,
    /// Event time of the request on which the detector fired (the alert's time to detection
    /// is `raised - first_seen` of the attack).
    pub raised: EventTime,
    /// Event time of the latest request of the episode.
    pub last_seen: EventTime,
    /// Requests of the episode that matched the detector after it fired.
    pub requests: u64,
    /// Evidence in words and numbers, latest figures ("412 distinct ids in 60 s, 96 % 404").
    pub evidence: String,
    /// The figures behind the evidence, by name.
    pub figures: BTreeMap<String, f64>,
    /// Client addresses and sessions the alert covers (for campaign alerts, every one seen,
    /// up to a cap; the alert's own entity is not repeated here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Entity>,
    /// Members seen beyond the cap, counted only.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub members_dropped: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Alert {
    /// The client addresses this alert names: its entity when it is an address, and every
    /// address member.
    pub fn ips(&self) -> impl Iterator<Item = &str> {
        std::iter::once(&self.entity)
            .chain(&self.members)
            .filter(|e| e.kind == EntityKind::Ip)
            .map(|e| e.value.as_str())
    }

    /// The sessions this alert names, as keyed-hash hex.
    pub fn sessions(&self) -> impl Iterator<Item = &str> {
        std::iter::once(&self.entity)
            .chain(&self.members)
            .filter(|e| e.kind == EntityKind::Session)
            .map(|e| e.value.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owasp_serialises_as_its_identifier() {
        let s = serde_json::to_string(&Owasp::Api1BrokenObjectLevelAuthorization).unwrap();
        assert_eq!(s, "\"API1:2023\"");
        let back: Owasp = serde_json::from_str("\"API10:2023\"").unwrap();
        assert_eq!(back, Owasp::Api10UnsafeConsumption);
        assert_eq!(back.id(), "API10:2023");
    }

    #[test]
    fn entity_kind_names_round_trip() {
        for k in ALL_KINDS {
            assert_eq!(EntityKind::from_name(k.name()), Some(k));
        }
        assert_eq!(EntityKind::from_name("nope"), None);
    }

    #[test]
    fn alert_lists_its_addresses_and_sessions() {
        let alert = Alert {
            id: "x".into(),
            detector: "timing".into(),
            owasp: Owasp::Api6SensitiveBusinessFlows,
            severity: Severity::High,
            entity: Entity::new(EntityKind::Fingerprint, "ab"),
            actor: None,
            endpoint: None,
            first_seen: EventTime::from_unix_millis(0),
            raised: EventTime::from_unix_millis(1),
            last_seen: EventTime::from_unix_millis(1),
            requests: 2,
            evidence: String::new(),
            figures: BTreeMap::new(),
            members: vec![
                Entity::ip("10.0.0.1".parse().unwrap()),
                Entity::new(EntityKind::Session, "cd"),
            ],
            members_dropped: 0,
        };
        assert_eq!(alert.ips().collect::<Vec<_>>(), vec!["10.0.0.1"]);
        assert_eq!(alert.sessions().collect::<Vec<_>>(), vec!["cd"]);
        let json = serde_json::to_string(&alert).unwrap();
        assert!(json.contains("\"owasp\":\"API6:2023\""), "{json}");
        let back: Alert = serde_json::from_str(&json).unwrap();
        assert_eq!(back, alert);
    }
}
