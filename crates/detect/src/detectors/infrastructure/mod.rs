//! `infrastructure`: requests from known infrastructure (OWASP API6): listed networks (plain
//! CIDR lists, FireHOL netsets, Tor exit lists), hosting and cloud ASNs, and countries where the
//! business has no users — the seeds' "known malicious infrastructure" of bulletproof proxies
//! and "traffic … from countries where genuine user interaction is limited or non-existent".
//!
//! - **Key**: client address.
//! - **State**: 8 bytes per address (what was reported); the lists and databases are shared,
//!   read-only.
//! - **Evidence**: "address in list tor_exits"; "AS14061 DigitalOcean, a hosting network";
//!   "from KP, outside the business countries US, CA".
//!
//! Listed networks are medium. A hosting network or a foreign country is low when the client
//! shows nothing of a real user, informational when it does (a traveller, a VPN user).
//! [`Infrastructure::load`] reads the files named in the configuration, reporting the file
//! and line of every bad entry.

mod config;
#[cfg(test)]
mod tests;

pub use config::{InfrastructureConfig, ListFile};

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use rampart_core::{Owasp, Severity};

use crate::detector::{figure, Detector, Figures, Members, Signal, Subject};
use crate::keyed::{Keyed, KeyedStats};
use crate::request::Request;
use crate::signals::geo::{GeoDb, HostingAsns};
use crate::signals::netlist::{NetList, NetSet};

/// The detector's name.
pub const NAME: &str = "infrastructure";

/// The loaded lists and databases.
#[derive(Debug)]
pub struct Infrastructure {
    lists: NetSet,
    geoip: Option<Arc<GeoDb>>,
    asn: Option<Arc<GeoDb>>,
    hosting: HostingAsns,
}

impl Infrastructure {
    /// Reads every file `config` names. Returns the data and warnings (bad lines, by file and
    /// line); fails on a file that cannot be read at all.
    pub fn load(config: &InfrastructureConfig) -> Result<(Self, Vec<String>), String> {
        let mut lists = NetSet::new();
        let mut warnings = Vec::new();
        for f in &config.lists {
            let parsed = NetList::read_file(&f.name, &f.path).map_err(|e| e.to_string())?;
            for e in &parsed.errors {
                warnings.push(format!(
                    "{}:{}: {} ({:?}); the line is skipped",
                    f.path.display(),
                    e.line,
                    e.reason,
                    e.text
                ));
            }
            if parsed.errors_not_kept > 0 {
                warnings.push(format!(
                    "{}: {} more bad lines skipped",
                    f.path.display(),
                    parsed.errors_not_kept
                ));
            }
            lists.push(parsed.list);
        }
        let open = |p: &Option<std::path::PathBuf>| {
            p.as_ref()
                .map(|p| GeoDb::open(p).map(Arc::new).map_err(|e| e.to_string()))
                .transpose()
        };
        Ok((
            Self {
                lists,
                geoip: open(&config.geoip)?,
                asn: open(&config.asn_db)?,
                hosting: HostingAsns::new(config.hosting_asns.iter().copied(), [] as [&str; 0]),
            },
            warnings,
        ))
    }

    /// Data built in code (tests, embedding).
    pub fn from_parts(lists: NetSet, geoip: Option<GeoDb>, asn: Option<GeoDb>) -> Self {
        Self {
            lists,
            geoip: geoip.map(Arc::new),
            asn: asn.map(Arc::new),
            hosting: HostingAsns::new([] as [u32; 0], [] as [&str; 0]),
        }
    }
}

impl Infrastructure {
    /// The ASN database, shared (other detectors count per autonomous system with it).
    pub fn asn_db(&self) -> Option<Arc<GeoDb>> {
        self.asn.clone()
    }
}

/// The infrastructure detector.
#[derive(Debug)]
pub struct InfrastructureDetector {
    config: InfrastructureConfig,
    data: Infrastructure,
    business: Vec<[u8; 2]>,
    reported: Keyed<u8>,
}

impl InfrastructureDetector {
    /// A detector with `config` over the loaded `data`.
    pub fn new(config: InfrastructureConfig, data: Infrastructure) -> Self {
        let business = config
            .business_countries
            .iter()
            .filter_map(|c| {
                let b = c.to_ascii_uppercase().into_bytes();
                (b.len() == 2).then(|| [b[0], b[1]])
            })
            .collect();
        Self {
            reported: Keyed::new(config.max_tracked, 6 * 3_600_000),
            business,
            data,
            config,
        }
    }

    fn country(&self, ip: IpAddr, req: &Request<'_>) -> Option<[u8; 2]> {
        if let Some(c) = self.data.geoip.as_ref().and_then(|g| g.country(ip)) {
            return Some(c);
        }
        self.config.country_headers.iter().find_map(|h| {
            let v = req.ex.request_headers.get(h)?.trim().as_bytes();
            (v.len() == 2 && v.iter().all(u8::is_ascii_alphabetic))
                .then(|| [v[0].to_ascii_uppercase(), v[1].to_ascii_uppercase()])
        })
    }
}

/// The severity of a weak finding (a hosting network, a foreign country): real users,
/// authenticated principals and self-declared monitors and crawlers are noted, not flagged.
fn soft(req: &Request<'_>) -> Severity {
    if req.traits.looks_human() || req.principal.is_some() || req.ua_facts.declared_bot {
        Severity::Info
    } else {
        Severity::Low
    }
}

fn render(f: &BTreeMap<String, f64>) -> String {
    format!(
        "{} requests from this address",
        figure(f, "matched_requests")
    )
}

impl Detector for InfrastructureDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn observe(&mut self, req: &Request<'_>, out: &mut Vec<Signal>) {
        let Some(ip) = req.ip else {
            return;
        };
        // Where a client comes from is weak evidence: it is judged once the client has a
        // history, and names it only when that history shows nothing of a real user.
        let judged = req.traits.is_known();
        let mut found: Vec<(u8, Severity, String)> = Vec::new();
        if let Some(list) = self.data.lists.first_match(ip) {
            found.push((1, Severity::Medium, format!("address in list {list}")));
        }
        if self.config.flag_hosting && judged {
            if let Some((asn, org)) = self.data.asn.as_ref().and_then(|a| a.asn_ref(ip)) {
                if self.data.hosting.is_hosting(asn, org) {
                    let org = rampart_core::redact::escape_for_terminal(org, 60);
                    found.push((2, soft(req), format!("AS{asn} {org}, a hosting network")));
                }
            }
        }
        if !self.business.is_empty() && judged {
            if let Some(c) = self.country(ip, req) {
                if !self.business.contains(&c) {
                    let list: Vec<String> = self
                        .business
                        .iter()
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .collect();
                    found.push((
                        4,
                        soft(req),
                        format!(
                            "from {}, outside the business countries {}",
                            String::from_utf8_lossy(&c),
                            list.join(", ")
                        ),
                    ));
                }
            }
        }
        if found.is_empty() {
            return;
        }
        let reported = self.reported.entry(req.ip_key, req.time);
        for (bit, severity, detail) in found {
            if *reported & bit != 0 {
                continue;
            }
            *reported |= bit;
            out.push(Signal {
                detector: NAME,
                owasp: Owasp::Api6SensitiveBusinessFlows,
                severity,
                subject: Subject::Ip(ip),
                with_endpoint: false,
                figures: Figures::of(&[]),
                render,
                members: Members::ThisRequest,
                detail: Some(detail),
            });
        }
    }

    fn stats(&self) -> Vec<(&'static str, KeyedStats)> {
        vec![("addresses", self.reported.stats())]
    }

    fn approx_bytes(&self) -> usize {
        self.reported.approx_bytes()
    }
}
