//! Config errors that say where and how to fix, all at once.

use std::fmt;
use std::path::{Path, PathBuf};

use super::Config;

/// One problem in a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Line in the file (1-based); 0 when unknown.
    pub line: u64,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

/// Every problem found in a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// The problems, in file order.
    pub problems: Vec<Problem>,
}

impl ConfigError {
    pub(crate) fn single(path: &Path, line: u64, message: String, fix: &str) -> Self {
        Self {
            path: path.to_owned(),
            problems: vec![Problem {
                line,
                message,
                fix: fix.to_owned(),
            }],
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            if p.line > 0 {
                write!(f, "{}:{}: {}", self.path.display(), p.line, p.message)?;
            } else {
                write!(f, "{}: {}", self.path.display(), p.message)?;
            }
            if !p.fix.is_empty() {
                write!(f, "\n  fix: {}", p.fix)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Turns a YAML/serde error into a located problem with a hint.
pub(super) fn from_yaml(path: &Path, _text: &str, e: &serde_saphyr::Error) -> ConfigError {
    let line = e.location().map(|l| l.line()).unwrap_or(0);
    let message = first_line(&e.to_string());
    let fix = if message.contains("unknown field") {
        "remove the key or correct its spelling; `rampart config show` prints every setting with its default"
    } else if message.contains("invalid type") || message.contains("invalid value") {
        "give the value the type the setting expects (see docs/configuration.md)"
    } else {
        "check the YAML syntax around this line"
    };
    ConfigError::single(path, line, message, fix)
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).trim().to_owned()
}

/// Semantic checks on a config that parsed.
pub(super) fn validate(path: &Path, text: &str, config: &Config) -> Result<(), ConfigError> {
    let mut problems = Vec::new();
    let line_of = |key: &str| -> u64 {
        text.lines()
            .position(|l| l.trim_start().starts_with(&format!("{key}:")))
            .map(|i| i as u64 + 1)
            .unwrap_or(0)
    };
    if let Some(format) = &config.ingest.format {
        if format == "mapped" {
            if config.ingest.mapping.is_none() {
                problems.push(Problem {
                    line: line_of("format"),
                    message: "format `mapped` needs an `ingest.mapping` section".into(),
                    fix: "add `mapping:` under `ingest:` (see docs/input-formats.md)".into(),
                });
            }
        } else if let Err(e) = crate::persist::ingest_format(format) {
            problems.push(Problem {
                line: line_of("format"),
                message: e,
                fix: "use auto, har, nginx, otel, alb, mapped or a preset name".into(),
            });
        }
    }
    if let Some(log_format) = &config.ingest.log_format {
        if let Err(e) = crate::persist::check_log_format(log_format) {
            problems.push(Problem {
                line: line_of("log_format"),
                message: format!("log_format does not compile: {e}"),
                fix: "copy the log_format string from nginx.conf exactly; variables start with $"
                    .into(),
            });
        }
    }
    if config.discover.compact_every == 0 {
        problems.push(Problem {
            line: line_of("compact_every"),
            message: "compact_every must be at least 1".into(),
            fix: "leave it out to use the default (50000)".into(),
        });
    }
    for (field, message) in config.detect.problems() {
        let leaf = field.rsplit('.').next().unwrap_or(&field).to_owned();
        problems.push(Problem {
            line: line_of(&leaf),
            message: format!("{field}: {message}"),
            fix: "leave it out to use the default (docs/detection.md lists every setting)".into(),
        });
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ConfigError {
            path: path.to_owned(),
            problems,
        })
    }
}
