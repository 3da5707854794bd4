//! Settings of the `infrastructure` detector.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// One network list file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListFile {
    /// The name alerts give the list (`firehol_level1`, `tor_exits`, `bulletproof_proxies`).
    pub name: String,
    /// The file: one address or CIDR per line, a FireHOL netset, or a Tor exit list.
    pub path: PathBuf,
}

/// `detect.infrastructure` in the configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InfrastructureConfig {
    /// Whether the detector runs.
    pub enabled: bool,
    /// Network lists whose addresses are flagged.
    pub lists: Vec<ListFile>,
    /// A MaxMind-format country database (`.mmdb`; MaxMind's `country.iso_code` or
    /// ip-location-db's `country_code`).
    pub geoip: Option<PathBuf>,
    /// A MaxMind-format ASN database (`autonomous_system_number`, `..._organization`).
    pub asn_db: Option<PathBuf>,
    /// Countries (ISO 3166 alpha-2) where the business has its users; requests from elsewhere
    /// are flagged. Empty: no country is flagged.
    pub business_countries: Vec<String>,
    /// Request headers a CDN in front sets to the client's country (used when no GeoIP
    /// database is given, or it has no answer). Only believe them behind that CDN.
    pub country_headers: Vec<String>,
    /// Flag clients from hosting and cloud networks (needs `asn_db`).
    pub flag_hosting: bool,
    /// Extra hosting ASNs beside the built-in list.
    pub hosting_asns: Vec<u32>,
    /// Most addresses tracked.
    pub max_tracked: usize,
}

impl Default for InfrastructureConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            lists: Vec::new(),
            geoip: None,
            asn_db: None,
            business_countries: Vec::new(),
            country_headers: vec![
                "cf-ipcountry".into(),
                "cloudfront-viewer-country".into(),
                "x-appengine-country".into(),
            ],
            flag_hosting: true,
            hosting_asns: Vec::new(),
            max_tracked: 100_000,
        }
    }
}

impl InfrastructureConfig {
    /// Problems with the values, as (field, message) pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for c in &self.business_countries {
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
                out.push((
                    "business_countries",
                    format!("{c:?} is not an ISO 3166 alpha-2 code such as US or DE"),
                ));
            }
        }
        for l in &self.lists {
            if l.name.is_empty() {
                out.push((
                    "lists",
                    format!("the list {} needs a name", l.path.display()),
                ));
            }
        }
        out
    }

    /// Whether anything is configured for the detector to use (otherwise it only reads CDN
    /// country headers, and only when business countries are set).
    pub fn is_configured(&self) -> bool {
        !self.lists.is_empty()
            || self.geoip.is_some()
            || self.asn_db.is_some()
            || !self.business_countries.is_empty()
    }
}
