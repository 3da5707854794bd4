//! Between the engine and the outside: the stored inventory and the ingest options.

use rampart_discover::facts::EndpointFacts;
use rampart_discover::inventory::Endpoint;
use rampart_discover::template::EndpointKey;
use rampart_ingest::{FieldMapping, Format, IngestOptions};
use rampart_store::EndpointRecord;

use crate::config::IngestConfig;

/// A stored endpoint that could not be read back (its facts JSON is from an incompatible
/// version, or damaged). It is reported and left out; the rest of the inventory is used.
#[derive(Debug, Clone)]
pub struct UnreadableRecord {
    /// `METHOD host template`.
    pub endpoint: String,
    /// Why.
    pub reason: String,
}

/// Stored endpoints as keys and facts, and the ones that could not be read.
pub fn from_records(
    records: Vec<EndpointRecord>,
) -> (Vec<(EndpointKey, EndpointFacts)>, Vec<UnreadableRecord>) {
    let mut known = Vec::with_capacity(records.len());
    let mut bad = Vec::new();
    for r in records {
        match serde_json::from_str::<EndpointFacts>(&r.facts) {
            Ok(facts) => known.push((
                EndpointKey {
                    host: r.host,
                    method: r.method,
                    template: r.template,
                },
                facts,
            )),
            Err(e) => bad.push(UnreadableRecord {
                endpoint: format!("{} {}{}", r.method, r.host, r.template),
                reason: e.to_string(),
            }),
        }
    }
    (known, bad)
}

/// The inventory's endpoints as store records.
pub fn to_records(endpoints: &[Endpoint]) -> Vec<EndpointRecord> {
    endpoints
        .iter()
        .map(|e| EndpointRecord {
            host: e.key.host.clone(),
            method: e.key.method.clone(),
            template: e.key.template.clone(),
            hits: e.facts.hits(),
            first_seen_ms: e.facts.first_seen().as_unix_millis(),
            last_seen_ms: e.facts.last_seen().as_unix_millis(),
            documented: e.documented.is_some(),
            facts: serde_json::to_string(&e.facts).unwrap_or_else(|_| "{}".into()),
            explanation: serde_json::to_string(&e.why).unwrap_or_else(|_| "[]".into()),
        })
        .collect()
}

/// The ingest format named in the config or on the command line.
pub fn ingest_format(name: &str) -> Result<Format, String> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "auto" => Format::Auto,
        "har" => Format::Har,
        "nginx" | "apache" | "combined" | "text" => Format::Nginx,
        "otel" | "jsonl" | "otel-jsonl" => Format::OtelJsonl,
        "alb" | "aws-alb" => Format::Alb,
        other => match FieldMapping::preset(other) {
            Some(mapping) => Format::Mapped(Box::new(mapping)),
            None => {
                return Err(format!(
                    "unknown input format `{other}`; known: auto, har, nginx, otel, alb, {}",
                    FieldMapping::preset_names().join(", ")
                ))
            }
        },
    })
}

/// Checks that a `log_format` string compiles.
pub fn check_log_format(log_format: &str) -> Result<(), String> {
    let options = IngestOptions {
        format: Format::Nginx,
        log_format: Some(log_format.to_owned()),
        ..IngestOptions::default()
    };
    rampart_ingest::open_reader("log_format", Box::new(std::io::empty()), None, &options)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Ingest options from the config's `ingest:` section, with command-line overrides.
pub fn ingest_options(
    config: &IngestConfig,
    format: Option<&str>,
    log_format: Option<&str>,
) -> Result<IngestOptions, String> {
    let format = match (format.or(config.format.as_deref()), &config.mapping) {
        (Some("mapped") | None, Some(mapping)) => {
            let mut mapping = mapping.clone();
            if mapping.name.is_empty() {
                mapping.name = "custom".into();
            }
            Format::Mapped(Box::new(mapping))
        }
        (Some("mapped"), None) => {
            return Err("format `mapped` needs an `ingest.mapping` section in the config".into())
        }
        (Some(name), _) => ingest_format(name)?,
        (None, None) => Format::Auto,
    };
    Ok(IngestOptions {
        format,
        log_format: log_format
            .map(str::to_owned)
            .or_else(|| config.log_format.clone()),
        trusted_proxies: config.trusted_proxies.clone(),
        ..IngestOptions::default()
    })
}
