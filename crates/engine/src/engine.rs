//! The engine: one `observe(&Exchange)` for every job.

use rampart_core::{EventTime, Exchange, KeyedHasher};
use rampart_detect::detectors::infrastructure::{Infrastructure, InfrastructureDetector};
use rampart_detect::{Detection, DetectionReport, EndpointFacts as DetectFacts};
use rampart_discover::facts::EndpointFacts;
use rampart_discover::inventory::{Inventory, InventoryReport};
use rampart_discover::spec::Spec;
use rampart_discover::template::EndpointKey;

use crate::Config;

/// Everything learned from the exchanges fed to an [`Engine`].
#[derive(Debug)]
pub struct Analysis {
    /// The inventory: endpoints, probes, templating statistics.
    pub inventory: InventoryReport,
    /// Exchanges observed.
    pub exchanges: u64,
    /// Earliest event time observed.
    pub first_event: Option<EventTime>,
    /// Latest event time observed.
    pub last_event: Option<EventTime>,
    /// What the detectors found.
    pub detection: DetectionReport,
    /// Whether detection ran (`detect.enabled` in the config).
    pub detection_enabled: bool,
}

/// Discovery and detection behind one `observe`.
#[derive(Debug)]
pub struct Engine {
    inventory: Inventory,
    detection: Detection,
    detection_enabled: bool,
    exchanges: u64,
    first_event: Option<EventTime>,
    last_event: Option<EventTime>,
}

impl Engine {
    /// Builds the engine from a checked config, the supplied specs (which take precedence in
    /// templating) and the endpoints stored by earlier runs (`known`, merged into the result).
    pub fn new(
        config: &Config,
        specs: &[Spec],
        known: Vec<(EndpointKey, EndpointFacts)>,
        hasher: KeyedHasher,
    ) -> Self {
        let keys: Vec<EndpointKey> = known.iter().map(|(k, _)| k.clone()).collect();
        let detection = Detection::new(&config.detect, hasher.clone());
        let mut inventory = Inventory::new(config.discover.clone(), specs, &keys, hasher);
        for (key, facts) in known {
            inventory.absorb(&key, &facts);
        }
        Self {
            inventory,
            detection,
            detection_enabled: config.detect.enabled,
            exchanges: 0,
            first_event: None,
            last_event: None,
        }
    }

    /// Takes one exchange into account. Time is read from the exchange only.
    pub fn observe(&mut self, ex: &Exchange) {
        self.exchanges += 1;
        self.first_event = Some(self.first_event.map_or(ex.time, |t| t.min(ex.time)));
        self.last_event = Some(self.last_event.map_or(ex.time, |t| t.max(ex.time)));
        let seen = self.inventory.observe(ex);
        self.detection.observe(
            ex,
            DetectFacts {
                documented: seen.documented,
                sensitive_response: seen.serves_sensitive_data,
            },
        );
    }

    /// Takes `exchanges` into account in order: the same as [`Engine::observe`] on each, with
    /// detection on other threads while discovery runs on this one. Short batches run on this
    /// thread alone.
    pub fn observe_batch(&mut self, exchanges: &[Exchange]) {
        /// Exchanges discovery hands to detection at a time.
        const STEP: usize = 2048;
        if exchanges.len() < 2 * STEP || !self.detection_enabled {
            for ex in exchanges {
                self.observe(ex);
            }
            return;
        }
        let inventory = &mut self.inventory;
        let detection = &mut self.detection;
        let (first, last) = (&mut self.first_event, &mut self.last_event);
        self.exchanges += exchanges.len() as u64;
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<DetectFacts>)>(2);
            s.spawn(move || {
                for (start, facts) in rx {
                    detection.observe_batch(&exchanges[start..start + facts.len()], &facts);
                }
            });
            for (i, batch) in exchanges.chunks(STEP).enumerate() {
                let facts = batch
                    .iter()
                    .map(|ex| {
                        *first = Some(first.map_or(ex.time, |t| t.min(ex.time)));
                        *last = Some(last.map_or(ex.time, |t| t.max(ex.time)));
                        let seen = inventory.observe(ex);
                        DetectFacts {
                            documented: seen.documented,
                            sensitive_response: seen.serves_sensitive_data,
                        }
                    })
                    .collect();
                if tx.send((i * STEP, facts)).is_err() {
                    break;
                }
            }
        });
    }

    /// Loads the network lists and GeoIP / ASN databases `config` names and starts the
    /// infrastructure detector on them. Returns warnings (bad lines, by file and line); fails
    /// on a file that cannot be read. Does nothing when none is configured.
    pub fn load_infrastructure(&mut self, config: &Config) -> Result<Vec<String>, String> {
        let c = &config.detect.infrastructure;
        if !config.detect.enabled || !c.enabled || !c.is_configured() {
            return Ok(Vec::new());
        }
        let (data, warnings) = Infrastructure::load(c)?;
        if let Some(db) = data.asn_db() {
            self.detection.set_asn_db(db);
        }
        self.detection
            .push(Box::new(InfrastructureDetector::new(c.clone(), data)));
        Ok(warnings)
    }

    /// What the inventory knows of the endpoint a request would land on, without learning
    /// from it.
    pub fn lookup(
        &self,
        host: &str,
        method: &str,
        path: &str,
    ) -> Option<rampart_discover::inventory::EndpointView> {
        self.inventory.lookup(host, method, path)
    }

    /// The learned schema of an endpoint's successful JSON answers (for decoys).
    pub fn response_schema(
        &self,
        host: &str,
        method: &str,
        path: &str,
    ) -> Option<serde_json::Value> {
        self.inventory.response_schema(host, method, path)
    }

    /// The inventory as known now, as a JSON array of `{host, method, template, hits}`.
    pub fn inventory_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.inventory
                .current()
                .into_iter()
                .map(|(key, hits)| {
                    serde_json::json!({
                        "host": key.host,
                        "method": key.method,
                        "template": key.template,
                        "hits": hits,
                    })
                })
                .collect(),
        )
    }

    /// The detectors' alerts so far (one per detector, entity and episode).
    pub fn alerts(&self) -> Vec<rampart_core::Alert> {
        self.detection.alerts()
    }

    /// Alerts held so far ([`Detection::alert_count`]).
    pub fn alert_count(&self) -> usize {
        self.detection.alert_count()
    }

    /// The alerts opened or grown since the cursor `after` (0 for all), and the next cursor
    /// ([`Detection::alerts_touched_after`]).
    pub fn alerts_touched_after(&self, after: u64) -> (Vec<rampart_core::Alert>, u64) {
        self.detection.alerts_touched_after(after)
    }

    /// The client fingerprint of a request, as the detectors' alerts name it (16 hex digits).
    pub fn fingerprint(ex: &Exchange) -> String {
        rampart_core::hex16(rampart_detect::request::fingerprint(ex))
    }

    /// Names of the detectors running (what a policy's `detector:` may name).
    pub fn detector_names(&self) -> Vec<&'static str> {
        self.detection.detector_names()
    }

    /// Exchanges observed so far.
    pub fn exchanges(&self) -> u64 {
        self.exchanges
    }

    /// Finishes: runs the last templating pass and returns what was learned.
    pub fn finish(mut self) -> Analysis {
        Analysis {
            inventory: self.inventory.finish(),
            detection: self.detection.finish(),
            detection_enabled: self.detection_enabled,
            exchanges: self.exchanges,
            first_event: self.first_event,
            last_event: self.last_event,
        }
    }
}
