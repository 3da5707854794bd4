//! The inventory: templating and endpoint facts behind one `observe(&Exchange)`.
//!
//! The [`Templater`] routes each request to an endpoint id; facts are kept per id. Every
//! `compact_every` requests (and at the end) the templater runs its cardinality analysis and
//! reports which ids were folded into others; their facts are merged. Endpoints that only ever
//! answered 404/405 are probes: counted apart and kept out of the inventory.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use rampart_core::{EventTime, Exchange, KeyedHasher};
use serde::{Deserialize, Serialize};

use crate::classify::Classifier;
use crate::diff::Observed;
use crate::facts::{EndpointFacts, FactLimits, FactsContext};
use crate::segment::SegmentKind;
use crate::spec::{Operation, Spec};
use crate::template::{EndpointId, EndpointKey, TemplateConfig, Templater, TemplaterStats};

/// Settings of the inventory (the `discover:` section of the config file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InventoryConfig {
    /// Path templating settings.
    pub templates: TemplateConfig,
    /// Bounds on per-endpoint facts.
    pub facts: FactLimits,
    /// Requests between two cardinality analyses.
    pub compact_every: u64,
    /// Most distinct probe paths listed in the report (the rest are only counted).
    pub max_probe_paths: usize,
}

impl Default for InventoryConfig {
    fn default() -> Self {
        Self {
            templates: TemplateConfig::default(),
            facts: FactLimits::default(),
            compact_every: 50_000,
            max_probe_paths: 50,
        }
    }
}

/// One endpoint of the finished inventory.
#[derive(Debug, Clone, Serialize)]
pub struct Endpoint {
    /// Host, method and template.
    #[serde(flatten)]
    pub key: EndpointKey,
    /// The documented operation it matched: (spec index, operation index).
    #[serde(skip)]
    pub documented: Option<(usize, usize)>,
    /// Why the template is what it is.
    pub why: Vec<String>,
    /// Kinds of the template's learned path parameters, in order.
    pub param_kinds: Vec<SegmentKind>,
    /// Everything observed.
    pub facts: EndpointFacts,
}

/// Requests to paths that were never served (404/405 only), kept out of the inventory.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProbeSummary {
    /// Probe requests.
    pub requests: u64,
    /// Distinct probe endpoints.
    pub distinct: u64,
    /// The most requested probe endpoints (`METHOD template`), with counts, most first.
    pub top: Vec<(String, u64)>,
}

/// The result of an inventory: endpoints, probes and templating statistics.
#[derive(Debug, Clone, Serialize)]
pub struct InventoryReport {
    /// Served endpoints, ordered by host, template and method.
    pub endpoints: Vec<Endpoint>,
    /// What scanners and mistakes asked for.
    pub probes: ProbeSummary,
    /// How templating went.
    pub templating: TemplaterStats,
}

/// What the inventory knows of an exchange's endpoint when it observes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seen {
    /// Whether a supplied spec documents the endpoint; `None` when no spec was supplied.
    pub documented: Option<bool>,
    /// Whether the endpoint has been seen returning sensitive data classes.
    pub serves_sensitive_data: bool,
}

/// Learns the inventory from exchanges.
pub struct Inventory {
    templater: Templater,
    facts: HashMap<EndpointId, EndpointFacts, BuildHasherDefault<IdHasher>>,
    classifier: Classifier,
    hasher: KeyedHasher,
    config: InventoryConfig,
    since_compact: u64,
    user_specs: usize,
    dropped_probe_requests: u64,
}

impl std::fmt::Debug for Inventory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inventory")
            .field("endpoints", &self.facts.len())
            .finish_non_exhaustive()
    }
}

impl Inventory {
    /// An inventory that templates with `specs` taking precedence (in order), then `known`
    /// templates learned earlier (so new traffic lands on the stored inventory's endpoints).
    pub fn new(
        config: InventoryConfig,
        specs: &[Spec],
        known: &[EndpointKey],
        hasher: KeyedHasher,
    ) -> Self {
        let mut all: Vec<Spec> = specs.to_vec();
        all.extend(learned_specs(known));
        Self {
            templater: Templater::new(config.templates.clone(), &all),
            facts: HashMap::default(),
            classifier: Classifier::new(),
            hasher,
            since_compact: 0,
            user_specs: specs.len(),
            dropped_probe_requests: 0,
            config,
        }
    }

    /// Takes one exchange into account and says what the inventory knows of its endpoint.
    pub fn observe(&mut self, ex: &Exchange) -> Seen {
        let host = ex.host.as_deref().unwrap_or("");
        let id = self
            .templater
            .observe(host, &ex.method, &ex.path, ex.status)
            .id();
        let ctx = FactsContext {
            hasher: &self.hasher,
            classifier: &self.classifier,
            limits: &self.config.facts,
        };
        let facts = self.facts.entry(id).or_default();
        facts.observe(ex, &ctx);
        let seen = Seen {
            documented: (self.user_specs > 0).then(|| {
                self.templater
                    .documented(id)
                    .is_some_and(|(spec, _)| spec < self.user_specs)
            }),
            serves_sensitive_data: facts.serves_sensitive_data(),
        };
        self.since_compact += 1;
        if self.since_compact >= self.config.compact_every.max(1) {
            self.compact();
        }
        seen
    }

    /// What is known of the endpoint a request would land on, without learning from it.
    pub fn lookup(&self, host: &str, method: &str, path: &str) -> Option<EndpointView> {
        let id = self.templater.lookup(host, method, path)?;
        let template = self.templater.template(id)?.to_owned();
        let facts = self.facts.get(&id);
        Some(EndpointView {
            template,
            documented: (self.user_specs > 0).then(|| {
                self.templater
                    .documented(id)
                    .is_some_and(|(spec, _)| spec < self.user_specs)
            }),
            serves_sensitive_data: facts.is_some_and(EndpointFacts::serves_sensitive_data),
            unauthenticated_success: facts.map_or(0, EndpointFacts::unauthenticated_success),
            hits: facts.map_or(0, EndpointFacts::hits),
        })
    }

    /// The endpoints known now (probes left out), with their hits: a view of the inventory
    /// while it is still learning.
    pub fn current(&self) -> Vec<(EndpointKey, u64)> {
        let mut out: Vec<(EndpointKey, u64)> = self
            .templater
            .endpoints()
            .filter(|id| !self.templater.is_probe(*id))
            .filter_map(|id| {
                let key = self.templater.key(id)?;
                Some((key, self.facts.get(&id).map_or(0, EndpointFacts::hits)))
            })
            .collect();
        out.sort_by(|a, b| {
            (&a.0.host, &a.0.template, &a.0.method).cmp(&(&b.0.host, &b.0.template, &b.0.method))
        });
        out
    }

    /// The learned schema of the endpoint's successful JSON answers (the lowest 2xx status
    /// seen), for decoys that look like the real thing; `None` when no JSON answer was seen.
    pub fn response_schema(
        &self,
        host: &str,
        method: &str,
        path: &str,
    ) -> Option<serde_json::Value> {
        let id = self.templater.lookup(host, method, path)?;
        let facts = self.facts.get(&id)?;
        let (_, fields) = facts
            .response_fields
            .iter()
            .find(|(status, fields)| (200..300).contains(*status) && !fields.is_empty())?;
        Some(crate::schema::schema_from_fields(
            fields.iter().map(|(k, v)| (k.as_str(), v)),
        ))
    }

    /// Merges facts kept from an earlier run into the endpoint `key`.
    pub fn absorb(&mut self, key: &EndpointKey, facts: &EndpointFacts) {
        let id = self
            .templater
            .route(&key.host, &key.method, &key.template)
            .id();
        self.facts.entry(id).or_default().merge(facts);
    }

    fn compact(&mut self) {
        self.since_compact = 0;
        for remap in self.templater.compact() {
            let Some(moved) = self.facts.remove(&remap.from) else {
                continue;
            };
            match remap.to {
                Some(to) => self.facts.entry(to).or_default().merge(&moved),
                None => self.dropped_probe_requests += moved.hits(),
            }
        }
    }

    /// Finishes the analysis: a last compaction, probes set apart, endpoints in order.
    pub fn finish(&mut self) -> InventoryReport {
        self.compact();
        let mut endpoints = Vec::new();
        let mut probes = ProbeSummary {
            requests: self.dropped_probe_requests,
            ..ProbeSummary::default()
        };
        let mut probe_paths: BTreeMap<String, u64> = BTreeMap::new();
        for (id, facts) in self.facts.drain() {
            let Some(key) = self.templater.key(id) else {
                continue;
            };
            let documented = self.templater.documented(id);
            if self.templater.is_probe(id) {
                probes.requests += facts.hits();
                probes.distinct += 1;
                *probe_paths
                    .entry(format!("{} {}", key.method, key.template))
                    .or_default() += facts.hits();
                continue;
            }
            endpoints.push(Endpoint {
                documented: documented.filter(|(spec, _)| *spec < self.user_specs),
                why: self.templater.explain(id),
                param_kinds: self.templater.param_kinds(id),
                key,
                facts,
            });
        }
        let mut top: Vec<(String, u64)> = probe_paths.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        top.truncate(self.config.max_probe_paths);
        probes.top = top;
        endpoints.sort_by(|a, b| {
            (&a.key.host, &a.key.template, &a.key.method).cmp(&(
                &b.key.host,
                &b.key.template,
                &b.key.method,
            ))
        });
        InventoryReport {
            endpoints,
            probes,
            templating: self.templater.stats(),
        }
    }
}

impl Endpoint {
    /// The view the OpenAPI export needs.
    pub fn export(&self) -> crate::openapi::ExportEndpoint<'_> {
        crate::openapi::ExportEndpoint {
            host: &self.key.host,
            method: &self.key.method,
            template: &self.key.template,
            facts: &self.facts,
            param_kinds: &self.param_kinds,
            explanation: &self.why,
        }
    }

    /// The view the spec diff needs.
    pub fn observed(&self) -> Observed {
        Observed {
            host: self.key.host.clone(),
            method: self.key.method.clone(),
            template: self.key.template.clone(),
            documented: self.documented,
            hits: self.facts.hits(),
            first_seen: self.facts.first_seen(),
            last_seen: self.facts.last_seen(),
            statuses: self.facts.statuses().collect(),
            credential_kinds: self
                .facts
                .credential_kinds()
                .into_iter()
                .map(|(kind, _)| kind.name().to_owned())
                .collect(),
            unauthenticated_success: self.facts.unauthenticated_success(),
        }
    }
}

/// Specs made of templates learned earlier, one per host, so later runs land on the same
/// endpoints.
fn learned_specs(known: &[EndpointKey]) -> Vec<Spec> {
    let mut by_host: BTreeMap<&str, Vec<Operation>> = BTreeMap::new();
    for k in known {
        by_host.entry(k.host.as_str()).or_default().push(Operation {
            method: k.method.clone(),
            path: k.template.clone(),
            ..Operation::default()
        });
    }
    by_host
        .into_iter()
        .map(|(host, operations)| Spec {
            source: "stored inventory".into(),
            format_version: "learned".into(),
            hosts: if host.is_empty() {
                vec![]
            } else {
                vec![host.to_owned()]
            },
            operations,
            ..Spec::default()
        })
        .collect()
}

/// The earliest and latest event times of a set of endpoints.
pub fn time_range(endpoints: &[Endpoint]) -> Option<(EventTime, EventTime)> {
    let first = endpoints.iter().map(|e| e.facts.first_seen()).min()?;
    let last = endpoints.iter().map(|e| e.facts.last_seen()).max()?;
    Some((first, last))
}

/// What the inventory knows of one endpoint, as the inline path needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointView {
    /// The path template (`/users/{id}`).
    pub template: String,
    /// Whether a supplied spec documents it (`None` when no spec was supplied).
    pub documented: Option<bool>,
    /// Whether its responses carried sensitive data.
    pub serves_sensitive_data: bool,
    /// Successful answers to requests without any credential.
    pub unauthenticated_success: u64,
    /// Requests seen.
    pub hits: u64,
}

/// Hashes endpoint ids, which the templater hands out one after another (never values chosen
/// by traffic): a multiply spreads them over the table at a fraction of SipHash's cost.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8 | u64::from(*b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
