//! Which detectors currently flag each client address: what a policy's `detector:` and
//! `min_severity:` conditions read on the next request.

use std::collections::HashMap;
use std::net::IpAddr;

use rampart_core::Alert;
use rampart_defend::ActiveAlert;
use rampart_detect::fasthash::SeededFold;

/// Alert names the exploit-probe detector raises.
pub(crate) const PROBE_KINDS: [&str; 3] = ["log4shell", "sensitive_file_probe", "path_traversal"];

/// Alerts by client address, bounded: past `cap` addresses an arbitrary one is forgotten
/// (counted), so a flood of flagged addresses cannot grow it without limit.
#[derive(Debug)]
pub(crate) struct ActorIndex {
    by_ip: HashMap<IpAddr, Vec<ActiveAlert>, SeededFold>,
    cap: usize,
    pub(crate) evicted: u64,
}

impl ActorIndex {
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            by_ip: HashMap::default(),
            cap: cap.max(1),
            evicted: 0,
        }
    }

    /// Records `alert` against every address it names (the entity and its members). A probe
    /// alert (`log4shell`, ...) also counts as its detector's (`exploit_probes`).
    pub(crate) fn note(&mut self, alert: &Alert) {
        self.note_as(alert, &alert.detector);
        if PROBE_KINDS.contains(&alert.detector.as_str()) {
            self.note_as(alert, "exploit_probes");
        }
    }

    fn note_as(&mut self, alert: &Alert, detector: &str) {
        for ip in alert.ips().filter_map(|s| s.parse::<IpAddr>().ok()) {
            if !self.by_ip.contains_key(&ip) && self.by_ip.len() >= self.cap {
                if let Some(victim) = self.by_ip.keys().next().copied() {
                    self.by_ip.remove(&victim);
                    self.evicted += 1;
                }
            }
            let list = self.by_ip.entry(ip).or_default();
            match list.iter_mut().find(|a| &*a.detector == detector) {
                Some(a) => a.severity = a.severity.max(alert.severity),
                None => list.push(ActiveAlert {
                    detector: detector.into(),
                    severity: alert.severity,
                }),
            }
        }
    }

    /// The alerts naming `ip`.
    pub(crate) fn alerts_of(&self, ip: IpAddr) -> Vec<ActiveAlert> {
        self.by_ip.get(&ip).cloned().unwrap_or_default()
    }

    /// Addresses known.
    pub(crate) fn len(&self) -> usize {
        self.by_ip.len()
    }
}
