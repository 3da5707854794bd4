//! `rampart scan`: outside-in discovery of exposed APIs on explicitly named targets, with the
//! findings stored, compared with the previous scan of the same targets (`--diff`), and hosts
//! absent from the runtime inventory flagged as unmonitored.

mod history;
mod output;
mod progress;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::Args;
use rampart_discover::classify::Classifier;
use rampart_scan::{ScanOptions, SensitiveHit, Target};

use crate::args::StoreArgs;
use crate::Outcome;

const SCAN_EXAMPLES: &str = "\
Examples:
  rampart scan api.example.com
  rampart scan 192.0.2.0/28 --ports 80,443,8000-8100 --rate 50
  rampart scan https://api.example.com:8443 --ca-bundle internal-ca.pem --expiry-days 45
  rampart scan --targets estate.txt --json > findings.json
  rampart scan --targets estate.txt --diff

Scan only hosts you own or are allowed to test. Requests are read-only (GET, HEAD, OPTIONS),
except one POST: the GraphQL introspection query. The Log4Shell check listens for callbacks on
--callback (default 127.0.0.1 on a free port): a target must reach that address for the check
to confirm anything. See docs/scan.md.

Exit codes: 0 the scan ran (whatever it found); 2 it could not run (targets, options, database).";

/// `rampart scan`.
#[derive(Debug, Args)]
#[command(after_long_help = SCAN_EXAMPLES)]
pub(crate) struct ScanArgs {
    /// Targets: a host, host:port, http(s)://host[:port], an address or a CIDR range.
    #[arg(value_name = "TARGET")]
    pub(crate) targets: Vec<String>,
    /// Read more targets from a file, one per line (`#` starts a comment).
    #[arg(long = "targets", value_name = "FILE")]
    pub(crate) targets_file: Option<PathBuf>,
    /// Ports tried on targets that name none: a list with ranges.
    #[arg(long, default_value = "80,443,8080,8443", value_name = "LIST")]
    pub(crate) ports: String,
    /// Connections open at once.
    #[arg(long, default_value_t = 32, value_name = "N")]
    pub(crate) concurrency: usize,
    /// Connections opened per second, over the whole scan.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub(crate) rate: u32,
    /// Time allowed for one request, from connecting to the last byte (e.g. 10s, 500ms).
    #[arg(long, default_value = "10s", value_name = "DURATION")]
    pub(crate) timeout: String,
    /// Time allowed to connect.
    #[arg(long, default_value = "3s", value_name = "DURATION")]
    pub(crate) connect_timeout: String,
    /// Warn about certificates that expire within this many days.
    #[arg(long, default_value_t = 30, value_name = "DAYS")]
    pub(crate) expiry_days: u32,
    /// Trust the roots in this PEM file instead of the system's.
    #[arg(long, value_name = "PEM")]
    pub(crate) ca_bundle: Option<PathBuf>,
    /// Address of the Log4Shell callback listener: bound by the scanner and named in the
    /// payloads (LDAP on this port, 0 for a free one; DNS on a free UDP port).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub(crate) callback: SocketAddr,
    /// Skip the Log4Shell check.
    #[arg(long)]
    pub(crate) no_log4shell: bool,
    /// How long to wait for late Log4Shell callbacks after the last payload.
    #[arg(long, default_value = "5s", value_name = "DURATION")]
    pub(crate) grace: String,
    /// Documented GET operations tried without credentials, per API document.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub(crate) max_operations: usize,
    /// Most addresses the targets may expand to.
    #[arg(long, default_value_t = 65_536, value_name = "N")]
    pub(crate) max_hosts: u64,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
    /// Show what is new and what is gone since the last scan of the same targets.
    #[arg(long)]
    pub(crate) diff: bool,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Do not read or write the database (no history, no inventory join).
    #[arg(long)]
    pub(crate) no_store: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

/// Reads `10s`, `500ms`, `2m` or a bare number of seconds.
fn duration(s: &str, what: &str) -> anyhow::Result<Duration> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: f64 = num
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite() && *n >= 0.0)
        .with_context(|| format!("--{what} {s:?}: expected a duration such as 5s or 500ms"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => anyhow::bail!("--{what} {s:?}: the unit must be ms, s or m"),
    };
    if secs > 3600.0 {
        anyhow::bail!("--{what} {s:?}: at most an hour");
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Discover's classifier over a response body: JSON documents field by field, anything else
/// as text. Only the class and the classifier's redacted example leave it.
fn classifier() -> rampart_scan::Classify {
    let c = Classifier::new();
    Arc::new(move |body: &[u8]| {
        let mut found = Vec::new();
        match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(doc) => c.classify_json(&doc, &mut found),
            Err(_) => c.classify_text(&String::from_utf8_lossy(body), &mut found),
        }
        found
            .into_iter()
            .map(|f| SensitiveHit {
                class: f.class.name().to_owned(),
                redacted: f.redacted,
            })
            .collect()
    })
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis().min(i64::MAX as u128) as i64)
        .unwrap_or(0)
}

pub(crate) fn run(args: ScanArgs) -> anyhow::Result<Outcome> {
    let mut targets: Vec<Target> = Vec::new();
    let mut given: Vec<String> = Vec::new();
    for t in &args.targets {
        targets.push(rampart_scan::parse_target(t)?);
        given.push(t.trim().to_owned());
    }
    if let Some(path) = &args.targets_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the targets file {}", path.display()))?;
        for t in rampart_scan::parse_targets_file(&text)
            .with_context(|| format!("in {}", path.display()))?
        {
            given.push(t.given.clone());
            targets.push(t);
        }
    }
    if targets.is_empty() {
        anyhow::bail!("no targets: name hosts, URLs or CIDR ranges, or give --targets FILE");
    }
    let started = now_ms();
    let mut opts = ScanOptions::new(started);
    opts.ports = rampart_scan::parse_ports(&args.ports)?;
    opts.concurrency = args.concurrency;
    opts.rate = args.rate;
    opts.request_timeout = duration(&args.timeout, "timeout")?;
    opts.connect_timeout = duration(&args.connect_timeout, "connect-timeout")?;
    opts.expiry_days = args.expiry_days;
    opts.ca_bundle = args.ca_bundle.clone();
    opts.max_operations = args.max_operations;
    opts.max_hosts = args.max_hosts;
    opts.log4shell.enabled = !args.no_log4shell;
    opts.log4shell.callback = args.callback;
    opts.log4shell.grace = duration(&args.grace, "grace")?;
    opts.classify = Some(classifier());
    let bar = progress::Bar::new(args.quiet);
    opts.on_progress = bar.callback();

    let mut history = if args.no_store {
        None
    } else {
        Some(history::History::open(args.store.db.clone())?)
    };
    let key = history::targets_key(&given, &opts.ports);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let mut report = runtime.block_on(rampart_scan::scan(&targets, opts))?;
    bar.finish();
    let finished = now_ms();

    let mut diff = None;
    if let Some(h) = history.as_mut() {
        report
            .findings
            .extend(h.unmonitored(&report.services, started)?);
        let previous = h.previous(&key)?;
        h.save(&key, &given, &mut report, started, finished)?;
        if args.diff {
            diff = Some(history::diff(previous, &report.findings));
        }
    } else if args.diff {
        anyhow::bail!("--diff needs the database: drop --no-store");
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        output::json(&mut out, &report, diff.as_ref(), finished - started)?;
    } else {
        output::table(
            &mut out,
            &report,
            diff.as_ref(),
            finished - started,
            history.as_ref().map(|h| h.path()),
        )?;
    }
    Ok(Outcome::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("5s", "x").unwrap(), Duration::from_secs(5));
        assert_eq!(duration("250ms", "x").unwrap(), Duration::from_millis(250));
        assert_eq!(duration("2", "x").unwrap(), Duration::from_secs(2));
        assert!(duration("5h", "x").is_err());
        assert!(duration("-1s", "x").is_err());
        assert!(duration("", "x").is_err());
    }
}
