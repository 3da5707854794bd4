//! `rampart alerts`: the stored alerts, or the actors behind them.

use std::io::Write;

use rampart_core::{EventTime, Severity};
use rampart_detect::actors::roll_up;
use rampart_store::{AlertQuery, SqliteStore, Store};

use crate::args::AlertsArgs;
use crate::{data_dir, render_alerts, Outcome};

pub(crate) fn run(args: AlertsArgs) -> anyhow::Result<Outcome> {
    let path = data_dir::db_path(args.store.db);
    if !path.exists() {
        anyhow::bail!(
            "no database at {}: run `rampart analyze` first, or give --db",
            path.display()
        );
    }
    let min_severity = args
        .min_severity
        .as_deref()
        .map(parse_severity)
        .transpose()?;
    let since_ms = args
        .since
        .as_deref()
        .map(|s| {
            EventTime::parse_rfc3339(s)
                .map(EventTime::as_unix_millis)
                .map_err(|e| {
                    anyhow::anyhow!("--since {s:?}: {e}; use RFC 3339, e.g. 2024-05-01T00:00:00Z")
                })
        })
        .transpose()?;
    let store = SqliteStore::open(&path)?;
    let query = AlertQuery {
        detector: args.detector,
        min_severity,
        since_ms,
        entity: args.entity,
        limit: if args.actors { 0 } else { args.limit },
    };
    let mut alerts = store.alerts(&query)?;
    let mut out = std::io::stdout().lock();
    if args.actors {
        let mut actors = roll_up(&mut alerts);
        if args.limit > 0 {
            actors.truncate(args.limit);
        }
        if args.json {
            for a in &actors {
                serde_json::to_writer(&mut out, a)?;
                writeln!(out)?;
            }
        } else {
            render_alerts::actor_table(&mut out, &actors)?;
        }
        return Ok(Outcome::Clean);
    }
    if args.json {
        for a in &alerts {
            serde_json::to_writer(&mut out, a)?;
            writeln!(out)?;
        }
    } else {
        render_alerts::alert_table(&mut out, &alerts)?;
    }
    Ok(Outcome::Clean)
}

fn parse_severity(s: &str) -> anyhow::Result<Severity> {
    Ok(match s.to_ascii_lowercase().as_str() {
        "info" => Severity::Info,
        "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        "critical" => Severity::Critical,
        _ => anyhow::bail!("--min-severity {s:?}: use info, low, medium, high or critical"),
    })
}
