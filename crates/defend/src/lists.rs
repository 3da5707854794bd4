//! Entity lists: named sets of addresses, networks, countries, ASNs and fingerprints that rules
//! refer to (`when: { list: partners }`).
//!
//! Networks are grouped by prefix length, so a lookup costs one hash probe per distinct length
//! present rather than one comparison per network.

use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;

use ipnet::IpNet;

use crate::facts::RequestFacts;

/// One list. A request is in it when its address, network, country, ASN or fingerprint is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntityList {
    ips: HashSet<IpAddr>,
    /// Networks by (is IPv6, prefix length).
    nets: BTreeMap<(bool, u8), HashSet<IpNet>>,
    countries: HashSet<String>,
    asns: HashSet<u32>,
    fingerprints: HashSet<String>,
}

impl EntityList {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an address.
    pub fn add_ip(&mut self, ip: IpAddr) {
        self.ips.insert(ip);
    }

    /// Adds a network (truncated to its network address); a /32 or /128 is an address.
    pub fn add_net(&mut self, net: IpNet) {
        if net.prefix_len() == net.max_prefix_len() {
            self.ips.insert(net.addr());
            return;
        }
        let key = (matches!(net, IpNet::V6(_)), net.prefix_len());
        self.nets.entry(key).or_default().insert(net.trunc());
    }

    /// Adds a country code (compared in upper case).
    pub fn add_country(&mut self, code: &str) {
        self.countries.insert(code.to_ascii_uppercase());
    }

    /// Adds an autonomous system number.
    pub fn add_asn(&mut self, asn: u32) {
        self.asns.insert(asn);
    }

    /// Adds a fingerprint hash (compared in lower case).
    pub fn add_fingerprint(&mut self, hex: &str) {
        self.fingerprints.insert(hex.to_ascii_lowercase());
    }

    /// Whether the list holds nothing.
    pub fn is_empty(&self) -> bool {
        self.ips.is_empty()
            && self.nets.is_empty()
            && self.countries.is_empty()
            && self.asns.is_empty()
            && self.fingerprints.is_empty()
    }

    /// Number of entries of every kind.
    pub fn len(&self) -> usize {
        self.ips.len()
            + self.nets.values().map(HashSet::len).sum::<usize>()
            + self.countries.len()
            + self.asns.len()
            + self.fingerprints.len()
    }

    /// Whether `ip` is listed, by itself or inside a listed network.
    pub fn contains_ip(&self, ip: IpAddr) -> bool {
        if self.ips.contains(&ip) {
            return true;
        }
        let v6 = ip.is_ipv6();
        self.nets
            .iter()
            .filter(|((is_v6, _), _)| *is_v6 == v6)
            .any(|((_, len), nets)| IpNet::new(ip, *len).is_ok_and(|n| nets.contains(&n.trunc())))
    }

    /// Whether `net` lies inside a listed network (or is one).
    pub fn contains_net(&self, net: IpNet) -> bool {
        let v6 = matches!(net, IpNet::V6(_));
        self.nets
            .iter()
            .filter(|((is_v6, len), _)| *is_v6 == v6 && *len <= net.prefix_len())
            .any(|((_, len), nets)| {
                IpNet::new(net.addr(), *len).is_ok_and(|n| nets.contains(&n.trunc()))
            })
    }

    /// Whether the country code is listed (any case).
    pub fn contains_country(&self, code: &str) -> bool {
        if code.bytes().any(|b| b.is_ascii_lowercase()) {
            self.countries.contains(&code.to_ascii_uppercase())
        } else {
            self.countries.contains(code)
        }
    }

    /// Whether the ASN is listed.
    pub fn contains_asn(&self, asn: u32) -> bool {
        self.asns.contains(&asn)
    }

    /// Whether the fingerprint is listed (any case).
    pub fn contains_fingerprint(&self, hex: &str) -> bool {
        if hex.bytes().any(|b| b.is_ascii_uppercase()) {
            self.fingerprints.contains(&hex.to_ascii_lowercase())
        } else {
            self.fingerprints.contains(hex)
        }
    }

    /// Whether any of the request's entities is listed.
    pub fn matches(&self, facts: &RequestFacts) -> bool {
        facts.ip.is_some_and(|ip| self.contains_ip(ip))
            || facts.prefix.is_some_and(|net| self.contains_net(net))
            || facts
                .country
                .as_deref()
                .is_some_and(|c| self.contains_country(c))
            || facts.asn.is_some_and(|a| self.contains_asn(a))
            || facts
                .fingerprint
                .as_deref()
                .is_some_and(|f| self.contains_fingerprint(f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_addresses_and_codes_match() {
        let mut l = EntityList::new();
        l.add_net("203.0.113.0/24".parse().unwrap());
        l.add_net("2001:db8::/32".parse().unwrap());
        l.add_net("198.51.100.7/32".parse().unwrap());
        l.add_country("de");
        l.add_asn(64496);
        l.add_fingerprint("ABCD");
        assert!(l.contains_ip("203.0.113.200".parse().unwrap()));
        assert!(!l.contains_ip("203.0.114.1".parse().unwrap()));
        assert!(l.contains_ip("2001:db8:ffff::1".parse().unwrap()));
        assert!(l.contains_ip("198.51.100.7".parse().unwrap()));
        assert!(l.contains_net("203.0.113.128/25".parse().unwrap()));
        assert!(!l.contains_net("203.0.0.0/16".parse().unwrap()));
        assert!(l.contains_country("DE") && l.contains_country("de"));
        assert!(l.contains_asn(64496));
        assert!(l.contains_fingerprint("abcd"));
        assert_eq!(l.len(), 6);
    }

    #[test]
    fn facts_match_on_any_entity() {
        let mut l = EntityList::new();
        l.add_asn(64496);
        let mut f = RequestFacts::default();
        assert!(!l.matches(&f));
        f.asn = Some(64496);
        assert!(l.matches(&f));
    }
}
