//! The scan's memory: findings saved with each scan, the previous scan of the same targets for
//! `--diff`, and the runtime inventory's hosts for the unmonitored check.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Context;
use rampart_core::{fast_hash, Severity};
use rampart_scan::{Finding, FindingKind, ScanReport, ServiceSummary};
use rampart_store::{FindingRecord, ScanRecord, SqliteStore, Store};

use crate::data_dir;

/// The store, opened for a scan.
pub(super) struct History {
    store: SqliteStore,
}

/// What changed since the previous scan of the same targets.
#[derive(Debug, Default)]
pub(super) struct Diff {
    /// When the previous scan started (`None`: there was none).
    pub(super) since_ms: Option<i64>,
    /// Findings this scan has and the previous one had not.
    pub(super) new: Vec<Finding>,
    /// Findings the previous scan had and this one has not.
    pub(super) gone: Vec<Finding>,
}

/// Identifies a set of targets and ports, whatever their order.
pub(super) fn targets_key(given: &[String], ports: &[u16]) -> String {
    let mut t: Vec<String> = given
        .iter()
        .map(|g| g.trim().to_ascii_lowercase())
        .collect();
    t.sort();
    t.dedup();
    let mut p = ports.to_vec();
    p.sort_unstable();
    let ports: Vec<String> = p.iter().map(u16::to_string).collect();
    let key = format!("{}\n{}", t.join("\n"), ports.join(","));
    format!("{:016x}", fast_hash(key.as_bytes()))
}

impl History {
    pub(super) fn open(db: Option<PathBuf>) -> anyhow::Result<Self> {
        let path = data_dir::db_path(db);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        Ok(Self {
            store: SqliteStore::open(&path)?,
        })
    }

    pub(super) fn path(&self) -> &Path {
        self.store.path()
    }

    /// A finding for every service answering HTTP whose host the runtime inventory has never
    /// seen (by name or address, with or without the port).
    pub(super) fn unmonitored(
        &self,
        services: &[ServiceSummary],
        now_ms: i64,
    ) -> anyhow::Result<Vec<Finding>> {
        let endpoints = self.store.endpoints()?;
        let mut known: HashSet<String> = HashSet::new();
        let mut hosts: HashSet<String> = HashSet::new();
        for e in &endpoints {
            let h = e.host.to_ascii_lowercase();
            hosts.insert(strip_port(&h).to_owned());
            known.insert(strip_port(&h).to_owned());
            known.insert(h);
        }
        Ok(services
            .iter()
            .filter(|s| s.http)
            .filter(|s| {
                let host = s.host.to_ascii_lowercase();
                !known.contains(&host) && !known.contains(&s.target.to_ascii_lowercase())
            })
            .map(|s| {
                Finding::new(
                    FindingKind::Unmonitored,
                    if s.api {
                        Severity::Medium
                    } else {
                        Severity::Low
                    },
                    &s.target,
                    "",
                    if s.api {
                        "an API the runtime inventory has never seen (unmonitored)"
                    } else {
                        "an HTTP service the runtime inventory has never seen (unmonitored)"
                    },
                    vec![format!(
                        "{} is not among the {} hosts of the stored inventory",
                        s.host,
                        hosts.len()
                    )],
                    now_ms,
                )
            })
            .collect())
    }

    /// The previous scan of these targets and its findings.
    pub(super) fn previous(&self, key: &str) -> anyhow::Result<Option<(ScanRecord, Vec<Finding>)>> {
        let Some(scan) = self.store.last_scan(key)? else {
            return Ok(None);
        };
        let findings = self
            .store
            .scan_findings(scan.id)?
            .into_iter()
            .filter_map(|r| serde_json::from_str::<Finding>(&r.body).ok())
            .collect();
        Ok(Some((scan, findings)))
    }

    /// Saves the scan and gives each finding its first sighting from the store.
    pub(super) fn save(
        &mut self,
        key: &str,
        given: &[String],
        report: &mut ScanReport,
        started_ms: i64,
        finished_ms: i64,
    ) -> anyhow::Result<()> {
        let records: Vec<FindingRecord> = report
            .findings
            .iter()
            .map(|f| {
                Ok(FindingRecord {
                    id: f.id.clone(),
                    kind: f.kind.name().to_owned(),
                    severity: f.severity,
                    target: f.target.clone(),
                    title: f.title.clone(),
                    first_seen_ms: f.first_seen_ms,
                    last_seen_ms: f.last_seen_ms,
                    body: serde_json::to_string(f)?,
                })
            })
            .collect::<Result<_, serde_json::Error>>()?;
        let scan = ScanRecord {
            id: 0,
            targets_key: key.to_owned(),
            targets: given.to_vec(),
            started_ms,
            finished_ms,
            services: report.services.len() as u64,
            findings: records.len() as u64,
        };
        let id = self.store.save_scan(&scan, &records)?;
        let first: HashMap<String, i64> = self
            .store
            .scan_findings(id)?
            .into_iter()
            .map(|r| (r.id, r.first_seen_ms))
            .collect();
        for f in &mut report.findings {
            if let Some(ms) = first.get(&f.id) {
                f.first_seen_ms = *ms;
            }
        }
        Ok(())
    }
}

fn strip_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with(':') => {
            h.trim_start_matches('[').trim_end_matches(']')
        }
        _ => host,
    }
}

/// New and gone findings, by id.
pub(super) fn diff(previous: Option<(ScanRecord, Vec<Finding>)>, now: &[Finding]) -> Diff {
    let Some((scan, before)) = previous else {
        return Diff {
            since_ms: None,
            new: now.to_vec(),
            gone: Vec::new(),
        };
    };
    let before_ids: HashSet<&str> = before.iter().map(|f| f.id.as_str()).collect();
    let now_ids: HashSet<&str> = now.iter().map(|f| f.id.as_str()).collect();
    Diff {
        since_ms: Some(scan.started_ms),
        new: now
            .iter()
            .filter(|f| !before_ids.contains(f.id.as_str()))
            .cloned()
            .collect(),
        gone: before
            .iter()
            .filter(|f| !now_ids.contains(f.id.as_str()))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_store::{EndpointRecord, RunRecord};

    fn service(host: &str, port: u16, http: bool) -> ServiceSummary {
        ServiceSummary {
            target: format!("{host}:{port}"),
            host: host.into(),
            port,
            tls: false,
            http,
            api: true,
        }
    }

    #[test]
    fn hosts_of_the_inventory_are_monitored() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = History::open(Some(dir.path().join("r.db"))).unwrap();
        let endpoint = EndpointRecord {
            host: "127.0.0.1:8080".into(),
            method: "GET".into(),
            template: "/users".into(),
            hits: 1,
            first_seen_ms: 1,
            last_seen_ms: 1,
            documented: false,
            facts: "{}".into(),
            explanation: "[]".into(),
        };
        let run = RunRecord {
            inputs: vec![],
            records: 1,
            bad_records: 0,
            first_event_ms: 1,
            last_event_ms: 1,
            endpoints: 1,
        };
        h.store.save_inventory(&[endpoint], &run).unwrap();
        let found = h
            .unmonitored(
                &[
                    service("127.0.0.1", 8443, true),
                    service("api.example.com", 443, true),
                    service("192.0.2.7", 22, false),
                ],
                5,
            )
            .unwrap();
        let targets: Vec<_> = found.iter().map(|f| f.target.as_str()).collect();
        assert_eq!(targets, vec!["api.example.com:443"]);
        assert_eq!(found[0].severity, Severity::Medium);
        assert!(found[0].evidence[0].contains("among the 1 hosts"));
    }

    #[test]
    fn keys_ignore_order_and_case() {
        let a = targets_key(&["B".into(), "a".into()], &[443, 80]);
        let b = targets_key(&["a".into(), "b".into(), "a".into()], &[80, 443]);
        assert_eq!(a, b);
        assert_ne!(a, targets_key(&["a".into()], &[80, 443]));
        assert_eq!(strip_port("api.example.com:8443"), "api.example.com");
        assert_eq!(strip_port("[::1]:80"), "::1");
        assert_eq!(strip_port("::1"), "::1");
    }
}
