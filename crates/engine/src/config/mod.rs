//! The configuration file: raw YAML, read into typed sections owned by each room, then checked.
//!
//! ```yaml
//! ingest:
//!   trusted_proxies: [10.0.0.0/8]
//!   log_format: '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent'
//! specs: [openapi.yaml]
//! discover:
//!   templates: { max_endpoints: 10000 }
//! ```

mod check;

use std::path::{Path, PathBuf};

use rampart_detect::DetectConfig;
use rampart_discover::inventory::InventoryConfig;
use serde::{Deserialize, Serialize};

pub use check::{ConfigError, Problem};

/// The whole configuration. Every field has a default, so an empty file is a valid config.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// How traffic files are read.
    pub ingest: IngestConfig,
    /// OpenAPI / Swagger documents describing the APIs, relative to the config file.
    pub specs: Vec<PathBuf>,
    /// How the inventory is learned.
    pub discover: InventoryConfig,
    /// Which detectors run, and their thresholds.
    pub detect: DetectConfig,
    /// File holding the 32-byte key used to hash secrets and personal data; by default
    /// `rampart.key` beside the database.
    pub hash_key_file: Option<PathBuf>,
    /// The policy file (docs/policy.md), relative to the config file: what `rampart proxy`
    /// enforces and `rampart analyze --policy` replays. Without one, Rampart only watches.
    pub policy: Option<PathBuf>,
    /// Where `rampart proxy` appends its access log (OpenTelemetry JSON lines, secrets
    /// replaced by keyed hashes), relative to the config file.
    pub access_log: Option<PathBuf>,
    /// The SQLite database (`--db` and `RAMPART_DB` take precedence), relative to the config
    /// file.
    pub db: Option<PathBuf>,
    /// The inline proxy's listeners, routes and upstreams (docs/proxy.md); read by
    /// `rampart proxy`, which checks it.
    #[serde(skip_serializing)]
    pub proxy: Option<serde::de::IgnoredAny>,
    /// The management API (docs/management-api.md); read by `rampart proxy`, which checks it.
    #[serde(skip_serializing)]
    pub api: Option<serde::de::IgnoredAny>,
}

/// The `ingest:` section.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngestConfig {
    /// Input format: `auto` (default), `har`, `nginx`, `otel`, `alb`, `mapped` (the `mapping`
    /// below), or a mapping preset (`caddy`, `traefik`, `envoy`, `kong`, `aws-apigw`).
    pub format: Option<String>,
    /// nginx `log_format` (or Apache `LogFormat`) string for text logs; `combined` by default.
    pub log_format: Option<String>,
    /// Proxies whose `X-Forwarded-For` / `Forwarded` headers are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// A field mapping for JSON logs no preset covers (used when `format` is `mapped`, or
    /// when no format is given).
    pub mapping: Option<rampart_ingest::FieldMapping>,
}

/// Reads and checks a config file. Relative spec paths are resolved against the file's folder.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::single(path, 0, e.to_string(), "check the path given to --config")
    })?;
    let mut config = parse(path, &text)?;
    let base = path.parent().unwrap_or_else(|| Path::new(""));
    for spec in &mut config.specs {
        if spec.is_relative() {
            *spec = base.join(&*spec);
        }
    }
    for path in [&mut config.policy, &mut config.access_log, &mut config.db]
        .into_iter()
        .flatten()
    {
        if path.is_relative() {
            *path = base.join(&*path);
        }
    }
    // Files of the infrastructure detector are relative to the config file too.
    let infra = &mut config.detect.infrastructure;
    let paths = infra
        .lists
        .iter_mut()
        .map(|l| &mut l.path)
        .chain(infra.geoip.as_mut())
        .chain(infra.asn_db.as_mut());
    for path in paths {
        if path.is_relative() {
            *path = base.join(&*path);
        }
    }
    Ok(config)
}

/// Parses and checks config text; `path` is only used in messages.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    if text.trim().is_empty() {
        return Ok(Config::default());
    }
    let config: Config =
        serde_saphyr::from_str(text).map_err(|e| check::from_yaml(path, text, &e))?;
    check::validate(path, text, &config)?;
    Ok(config)
}

#[cfg(test)]
mod tests;
