//! Hosting, cloud and datacenter networks: traffic from them is servers, not people.
//!
//! A built-in list of well-known hosting and cloud ASNs, plus organisation-name keywords
//! (`hosting`, `cloud`, `datacenter`, `server`...) matched at word starts, so `Cloudflare` and
//! `Servers.com` match while `Observer Networks` does not. Both can be extended.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Well-known hosting and cloud ASNs and their operators, sorted by number.
pub const HOSTING_ASNS: &[(u32, &str)] = &[
    (7224, "Amazon AWS"),
    (8075, "Microsoft Azure"),
    (8560, "IONOS"),
    (8987, "Amazon AWS"),
    (9009, "M247"),
    (12876, "Scaleway"),
    (14061, "DigitalOcean"),
    (14618, "Amazon AWS"),
    (15169, "Google"),
    (16265, "Leaseweb"),
    (16276, "OVHcloud"),
    (16509, "Amazon AWS"),
    (19527, "Google"),
    (19994, "Rackspace"),
    (20473, "Vultr"),
    (21859, "Zenlayer"),
    (24940, "Hetzner"),
    (28753, "Leaseweb"),
    (30633, "Leaseweb"),
    (31898, "Oracle Cloud"),
    (36351, "IBM Cloud"),
    (37963, "Alibaba Cloud"),
    (40509, "Fly.io"),
    (45090, "Tencent Cloud"),
    (45102, "Alibaba Cloud"),
    (47583, "Hostinger"),
    (49505, "Selectel"),
    (51167, "Contabo"),
    (54825, "Equinix Metal"),
    (60781, "Leaseweb"),
    (63949, "Akamai Connected Cloud (Linode)"),
    (132203, "Tencent Cloud"),
    (136907, "Huawei Cloud"),
    (197540, "netcup"),
    (199524, "G-Core Labs"),
    (202053, "UpCloud"),
    (213230, "Hetzner"),
    (396982, "Google Cloud"),
];

/// Words in an organisation name that mark a hosting network.
pub const HOSTING_KEYWORDS: &[&str] = &[
    "hosting",
    "cloud",
    "datacenter",
    "data center",
    "data centre",
    "server",
    "vps",
    "colocation",
];

/// Hosting ASNs and keywords, the built-in ones plus any configured.
#[derive(Debug, Clone)]
pub struct HostingAsns {
    extra: Vec<u32>,
    keywords: AhoCorasick,
}

impl Default for HostingAsns {
    fn default() -> Self {
        Self::new(std::iter::empty(), std::iter::empty::<&str>())
    }
}

/// Whether `asn` (with organisation `org`) is a hosting network, by the built-in list and
/// keywords.
pub fn is_hosting_asn(asn: u32, org: &str) -> bool {
    static BUILT_IN: OnceLock<HostingAsns> = OnceLock::new();
    BUILT_IN
        .get_or_init(HostingAsns::default)
        .is_hosting(asn, org)
}

impl HostingAsns {
    /// The built-in list and keywords, plus `extra_asns` and `extra_keywords` (matched, like
    /// the built-in ones, ASCII case-insensitively at the start of a word).
    pub fn new<S: AsRef<str>>(
        extra_asns: impl IntoIterator<Item = u32>,
        extra_keywords: impl IntoIterator<Item = S>,
    ) -> Self {
        let mut extra: Vec<u32> = extra_asns.into_iter().collect();
        extra.sort_unstable();
        extra.dedup();
        let words: Vec<String> = HOSTING_KEYWORDS
            .iter()
            .map(|s| (*s).to_owned())
            .chain(
                extra_keywords
                    .into_iter()
                    .map(|s| s.as_ref().trim().to_owned()),
            )
            .filter(|s| !s.is_empty())
            .collect();
        let keywords = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&words)
            .expect("keyword lists are small");
        Self { extra, keywords }
    }

    /// Whether the network is a hosting one: its ASN is listed, or its organisation name has
    /// a keyword at the start of a word.
    pub fn is_hosting(&self, asn: u32, org: &str) -> bool {
        provider(asn).is_some() || self.extra.binary_search(&asn).is_ok() || self.keyword_in(org)
    }

    fn keyword_in(&self, org: &str) -> bool {
        let bytes = org.as_bytes();
        self.keywords
            .find_overlapping_iter(org)
            .any(|m| m.start() == 0 || !bytes[m.start() - 1].is_ascii_alphanumeric())
    }
}

/// The operator of a built-in hosting ASN.
pub fn provider(asn: u32) -> Option<&'static str> {
    HOSTING_ASNS
        .binary_search_by_key(&asn, |&(n, _)| n)
        .ok()
        .map(|i| HOSTING_ASNS[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_asns_are_sorted_and_found() {
        assert!(HOSTING_ASNS.windows(2).all(|w| w[0].0 < w[1].0));
        for asn in [
            16509, 14618, 396982, 15169, 8075, 14061, 16276, 24940, 63949, 20473, 45102, 31898,
            51167, 12876, 132203, 60781,
        ] {
            assert!(is_hosting_asn(asn, ""), "{asn}");
        }
        assert_eq!(provider(14061), Some("DigitalOcean"));
        assert!(!is_hosting_asn(3320, "Deutsche Telekom AG"));
        assert!(!is_hosting_asn(7922, "COMCAST-7922"));
    }

    #[test]
    fn keywords_match_at_word_starts() {
        assert!(is_hosting_asn(1, "Example Hosting Ltd"));
        assert!(is_hosting_asn(1, "CLOUDFLARENET"));
        assert!(is_hosting_asn(1, "Servers.com, Inc."));
        assert!(is_hosting_asn(1, "Frankfurt Data Center GmbH"));
        assert!(is_hosting_asn(1, "cheap-vps.example"));
        assert!(!is_hosting_asn(1, "Observer Networks"));
        assert!(!is_hosting_asn(1, "Vodafone GmbH"));
        assert!(!is_hosting_asn(1, ""));
    }

    #[test]
    fn extras_extend_the_list() {
        let h = HostingAsns::new([64500, 64501], ["bare metal", " "]);
        assert!(h.is_hosting(64501, ""));
        assert!(h.is_hosting(2, "Acme Bare Metal"));
        assert!(h.is_hosting(16509, "AMAZON-02"));
        assert!(!h.is_hosting(2, "Acme Broadband"));
    }
}
