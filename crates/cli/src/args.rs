//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Rampart discovers the APIs really served, detects their abuse by behaviour, and defends them.
#[derive(Debug, Parser)]
#[command(name = "rampart", version, about, long_about = None)]
pub(crate) struct Cli {
    /// The job to run.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The jobs.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Learn the API inventory from traffic files and compare it with the specs.
    #[command(after_long_help = ANALYZE_EXAMPLES)]
    Analyze(AnalyzeArgs),
    /// List the stored inventory.
    Inventory(InventoryArgs),
    /// List the stored alerts of the detectors, or the actors behind them.
    #[command(after_long_help = ALERTS_EXAMPLES)]
    Alerts(AlertsArgs),
    /// Start the sample API behind the proxy, replay benign users and the seeds' attacks
    /// through it, and show what was discovered, detected and stopped.
    Demo(DemoArgs),
    /// Run the inline protection proxy: discover, detect and enforce the policy on live
    /// traffic.
    Proxy(ProxyArgs),
    /// Make, list and remove decisions by hand (block, rate-limit, tarpit, deceive, allow).
    #[command(subcommand)]
    Decisions(crate::commands::decisions::DecisionsCommand),
    /// Generate realistic traffic from an OpenAPI spec, with the truth about it.
    Simulate(SimulateArgs),
    /// Measure discovery accuracy: generate traffic from specs, rediscover them, score.
    Eval(EvalArgs),
    /// Measure detection accuracy: simulate the seed attacks among benign users, detect, score.
    EvalDetect(EvalDetectArgs),
    /// Check or show the configuration file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Scan named hosts, URLs and ranges from outside: TLS, exposed files and API documents,
    /// unauthenticated APIs, Log4Shell (docs/scan.md).
    Scan(Box<crate::commands::scan::ScanArgs>),
}

const ANALYZE_EXAMPLES: &str = "\
Examples:
  rampart analyze access.log
  rampart analyze access.log.gz --spec openapi.yaml --openapi learned.json --report report.json
  rampart analyze --log-format '$remote_addr [$time_local] \"$request\" $status $request_time' app.log
  zcat old/*.gz | rampart analyze -
  rampart analyze traffic.har --no-store

Exit codes: 0 everything read; 1 finished, but some records were skipped (listed on stderr);
2 could not run (arguments, config, spec, input or database).";

const ALERTS_EXAMPLES: &str = "\
Examples:
  rampart alerts
  rampart alerts --min-severity high --detector credential_stuffing
  rampart alerts --actors
  rampart alerts --json --since 2024-05-01T00:00:00Z > alerts.jsonl";

/// Options shared by commands that use the store.
#[derive(Debug, Args)]
pub(crate) struct StoreArgs {
    /// SQLite database holding the inventory [default: rampart.db in the user's data directory,
    /// e.g. ~/.local/share/rampart/rampart.db].
    #[arg(long, value_name = "PATH", env = "RAMPART_DB")]
    pub(crate) db: Option<PathBuf>,
}

/// `rampart analyze`.
#[derive(Debug, Args)]
pub(crate) struct AnalyzeArgs {
    /// Traffic files: HAR, nginx/Apache logs, OpenTelemetry JSON lines, mapped JSON logs,
    /// AWS ALB logs; gzip is read transparently; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub(crate) inputs: Vec<String>,
    /// OpenAPI 3.x or Swagger 2.0 document (JSON or YAML) describing the API; repeatable.
    /// Traffic matching a documented template lands on it, and the report diffs against it.
    #[arg(long = "spec", value_name = "SPEC")]
    pub(crate) specs: Vec<PathBuf>,
    /// Configuration file (YAML); see `rampart config show`.
    #[arg(long, value_name = "FILE", env = "RAMPART_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// Input format instead of auto-detection: har, nginx, otel, alb, caddy, traefik, envoy.
    #[arg(long, value_name = "FORMAT")]
    pub(crate) format: Option<String>,
    /// nginx `log_format` (or Apache `LogFormat`) string of text logs [default: combined].
    #[arg(long, value_name = "FORMAT")]
    pub(crate) log_format: Option<String>,
    /// Proxy network whose X-Forwarded-For / Forwarded headers are believed; repeatable.
    #[arg(long = "trusted-proxy", value_name = "CIDR")]
    pub(crate) trusted_proxies: Vec<ipnet::IpNet>,
    /// Write the learned inventory as an OpenAPI 3 document.
    #[arg(long, value_name = "OUT.json")]
    pub(crate) openapi: Option<PathBuf>,
    /// Write the full inventory, spec diff and input problems as JSON.
    #[arg(long, value_name = "OUT.json")]
    pub(crate) report: Option<PathBuf>,
    /// Write the detectors' alerts as JSON lines, one alert per line (docs/detection.md has
    /// the schema).
    #[arg(long, value_name = "OUT.jsonl")]
    pub(crate) alerts: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Do not read or write the database: analyse these inputs alone.
    #[arg(long)]
    pub(crate) no_store: bool,
    /// Replay the traffic through this policy (a dry run, docs/policy.md): what each rule would
    /// have blocked, rate-limited, tarpitted or deceived, for addresses the detectors flagged
    /// and for the others.
    #[arg(long, value_name = "POLICY")]
    pub(crate) policy: Option<PathBuf>,
    /// Discovery only: skip the detectors (as `detect: {enabled: false}` in the config does).
    #[arg(long)]
    pub(crate) no_detect: bool,
    /// Rows of the endpoint table to print (0 for none).
    #[arg(long, default_value_t = 40, value_name = "N")]
    pub(crate) top: usize,
    /// Run on one thread instead of four (reading and parsing, discovery, request views,
    /// detectors); the results are the same either way.
    #[arg(long)]
    pub(crate) single_thread: bool,
    /// Unreadable records to list on stderr before only counting them.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub(crate) max_errors: usize,
    /// No progress bar and no summary table (files given with --openapi/--report are still written).
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

/// `rampart demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Random seed of the simulated traffic.
    #[arg(long, default_value_t = 7)]
    pub(crate) seed: u64,
    /// Minutes of traffic to simulate (event time; replayed as fast as the proxy takes it).
    #[arg(long, default_value_t = 60)]
    pub(crate) minutes: u64,
    /// Benign users to simulate.
    #[arg(long, default_value_t = 1500)]
    pub(crate) benign_users: usize,
    /// Size of the attacks (1.0: as in the seed articles).
    #[arg(long, default_value_t = 1.0)]
    pub(crate) scale: f64,
}

/// `rampart proxy`.
#[derive(Debug, Args)]
pub(crate) struct ProxyArgs {
    /// Configuration file (YAML) with a `proxy:` section (docs/proxy.md) and optionally
    /// `policy:`, `api:`, `access_log:` and the engine's sections.
    #[arg(long, value_name = "FILE", env = "RAMPART_CONFIG")]
    pub(crate) config: PathBuf,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
}

/// `rampart alerts`.
#[derive(Debug, Args)]
pub(crate) struct AlertsArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Print JSON lines instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
    /// List actors (alerts rolled up by the entities they share) instead of alerts.
    #[arg(long)]
    pub(crate) actors: bool,
    /// Only alerts of this detector.
    #[arg(long, value_name = "NAME")]
    pub(crate) detector: Option<String>,
    /// Only alerts of at least this severity: info, low, medium, high, critical.
    #[arg(long, value_name = "SEVERITY")]
    pub(crate) min_severity: Option<String>,
    /// Only alerts raised at or after this time (RFC 3339, event time).
    #[arg(long, value_name = "TIME")]
    pub(crate) since: Option<String>,
    /// Only alerts about this entity (an address, a prefix, a hash).
    #[arg(long, value_name = "VALUE")]
    pub(crate) entity: Option<String>,
    /// Most alerts to list (0 for all).
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub(crate) limit: usize,
}

/// `rampart inventory`.
#[derive(Debug, Args)]
pub(crate) struct InventoryArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
    /// Only endpoints of this host.
    #[arg(long)]
    pub(crate) host: Option<String>,
}

/// `rampart simulate`.
#[derive(Debug, Args)]
#[command(
    group(clap::ArgGroup::new("source").required(true).args(["spec", "scenario"])),
    after_long_help = "\
Examples:
  rampart simulate --spec openapi.yaml --requests 50000 --out traffic.jsonl --truth truth.json
  rampart simulate --scenario all --out acme.jsonl --truth acme-truth.json
  rampart simulate --scenario credential_stuffing,sim_swap_enumeration --benign-users 500 --format har --out acme.har

Scenarios (on the sample API \"Acme\", api.acme.example and m.acme.example): bola_enumeration,
sim_swap_enumeration, credential_stuffing, brute_force, sneaker_bot_volumetric,
inventory_scraping, exploit_probes. The truth labels every actor (benign kind or scenario) with
its addresses, sessions and active span."
)]
pub(crate) struct SimulateArgs {
    /// The OpenAPI / Swagger document to generate traffic for (or use --scenario).
    #[arg(long, value_name = "SPEC")]
    pub(crate) spec: Option<PathBuf>,
    /// Simulate benign users and these attacks on the sample API instead of a spec: `all`, or
    /// scenario names separated by commas.
    #[arg(long, value_name = "all|NAME[,NAME...]")]
    pub(crate) scenario: Option<String>,
    /// Where to write the traffic (`-` for standard output).
    #[arg(long, short, default_value = "-", value_name = "FILE")]
    pub(crate) out: String,
    /// Where to write the ground truth (JSON).
    #[arg(long, value_name = "FILE")]
    pub(crate) truth: Option<PathBuf>,
    /// Output format: otel (JSON lines), combined (nginx log) or har (HAR 1.2).
    #[arg(long, default_value = "otel", value_parser = ["otel", "combined", "har"])]
    pub(crate) format: String,
    /// Requests to generate (with --spec).
    #[arg(long, default_value_t = 20_000, conflicts_with = "scenario")]
    pub(crate) requests: usize,
    /// Random seed (same seed, same traffic).
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Benign browser users (with --scenario; the look-alikes scale with it), at most 20000.
    #[arg(long, default_value_t = 2_000, value_name = "N", requires = "scenario")]
    pub(crate) benign_users: usize,
    /// Simulated span in minutes (with --scenario), 1 to 1440.
    #[arg(
        long,
        default_value_t = 60,
        value_name = "MINUTES",
        requires = "scenario",
        value_parser = clap::value_parser!(u64).range(1..=1440)
    )]
    pub(crate) minutes: u64,
    /// Scale of the attacks (with --scenario), 0 to 20; 1 keeps the seed proportions.
    #[arg(long, default_value_t = 1.0, value_name = "X", requires = "scenario")]
    pub(crate) scale: f64,
}

/// `rampart eval`.
#[derive(Debug, Args)]
pub(crate) struct EvalArgs {
    /// Specs (files or folders of .json/.yaml files) to generate traffic from.
    #[arg(required = true, value_name = "SPEC")]
    pub(crate) specs: Vec<PathBuf>,
    /// Requests generated per spec.
    #[arg(long, default_value_t = 20_000)]
    pub(crate) requests: usize,
    /// Random seeds: each spec is scored once per seed (different traffic each time), and the
    /// table shows the mean and the worst F1.
    #[arg(long, value_delimiter = ',', default_values_t = vec![1u64, 2, 3])]
    pub(crate) seeds: Vec<u64>,
    /// Print the scores as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// List false positives and negatives of each spec.
    #[arg(long, short)]
    pub(crate) verbose: bool,
}

/// `rampart eval-detect`.
#[derive(Debug, Args)]
pub(crate) struct EvalDetectArgs {
    /// Random seeds: every mix is simulated and scored once per seed.
    #[arg(long, value_delimiter = ',', default_values_t = vec![1u64, 2, 3])]
    pub(crate) seeds: Vec<u64>,
    /// `all` (every attack at once), `each` (one attack at a time among the benign users) or
    /// `both`.
    #[arg(long, default_value = "both")]
    pub(crate) mix: String,
    /// Benign users simulated.
    #[arg(long, default_value_t = 2000)]
    pub(crate) benign_users: usize,
    /// Minutes of event time simulated.
    #[arg(long, default_value_t = 60)]
    pub(crate) minutes: u64,
    /// Scale of every attack (1 is the default size; 0.3 makes them smaller and harder).
    #[arg(long, default_value_t = 1.0)]
    pub(crate) scale: f64,
    /// Detectors to switch off (comma-separated), to see what the others catch alone.
    #[arg(long, value_delimiter = ',', value_name = "DETECTOR")]
    pub(crate) disable: Vec<String>,
    /// Print the scores as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// Also print each run's full score, with the benign actors flagged.
    #[arg(long, short)]
    pub(crate) verbose: bool,
}

/// `rampart config`.
#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Check a configuration file and report every problem with its line and a fix.
    Check {
        /// The file.
        file: PathBuf,
    },
    /// Print every setting with its default value, as YAML.
    Show,
}
