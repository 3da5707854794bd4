//! `rampart inventory`: the stored inventory as a table or JSON.

use std::io::Write;

use rampart_core::redact::escape_for_terminal;
use rampart_core::EventTime;
use rampart_store::{SqliteStore, Store};

use crate::args::InventoryArgs;
use crate::{data_dir, Outcome};

pub(crate) fn run(args: InventoryArgs) -> anyhow::Result<Outcome> {
    let path = data_dir::db_path(args.store.db);
    if !path.exists() {
        anyhow::bail!(
            "no inventory at {}: run `rampart analyze` first, or give --db",
            path.display()
        );
    }
    let store = SqliteStore::open(&path)?;
    let endpoints: Vec<_> = store
        .endpoints()?
        .into_iter()
        .filter(|e| args.host.as_ref().is_none_or(|h| &e.host == h))
        .collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        let rows: Vec<serde_json::Value> = endpoints
            .iter()
            .map(|e| {
                serde_json::json!({
                    "host": e.host,
                    "method": e.method,
                    "template": e.template,
                    "hits": e.hits,
                    "first_seen": EventTime::from_unix_millis(e.first_seen_ms).to_string(),
                    "last_seen": EventTime::from_unix_millis(e.last_seen_ms).to_string(),
                    "documented": e.documented,
                    "why": serde_json::from_str::<serde_json::Value>(&e.explanation).unwrap_or_default(),
                    "facts": serde_json::from_str::<serde_json::Value>(&e.facts).unwrap_or_default(),
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
        return Ok(Outcome::Clean);
    }
    writeln!(
        out,
        "{:<7} {:<24} {:<48} {:>9}  {:<10}  LAST SEEN",
        "METHOD", "HOST", "TEMPLATE", "HITS", "IN A SPEC"
    )?;
    for e in &endpoints {
        writeln!(
            out,
            "{:<7} {:<24} {:<48} {:>9}  {:<10}  {}",
            escape_for_terminal(&e.method, 7),
            escape_for_terminal(if e.host.is_empty() { "-" } else { &e.host }, 24),
            escape_for_terminal(&e.template, 48),
            e.hits,
            if e.documented { "yes" } else { "no" },
            EventTime::from_unix_millis(e.last_seen_ms)
        )?;
    }
    writeln!(out, "{} endpoints in {}", endpoints.len(), path.display())?;
    Ok(Outcome::Clean)
}
