//! `rampart decisions`: decisions made by hand (block this network, allow that partner), kept in
//! the store beside the automatic ones, listed and removed.
//!
//! A manual decision is a [`Decision::manual`]: enforcing, on one scope, from now (the wall
//! clock) for its `--ttl` or until removed. A proxy reading the same database applies it on the
//! next request it reloads decisions for; see docs/decisions.md.

use std::io::Write;
use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{ArgGroup, Args, Subcommand};
use ipnet::IpNet;
use rampart_core::redact::escape_for_terminal;
use rampart_core::EventTime;
use rampart_defend::{Action, Decision, Rate, Scope};
use rampart_store::{SqliteStore, Store};

use crate::args::StoreArgs;
use crate::{data_dir, Outcome};

/// `rampart decisions ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum DecisionsCommand {
    /// Make a decision by hand on an address, a network, a session, a user or a fingerprint;
    /// prints its id.
    #[command(after_long_help = ADD_EXAMPLES)]
    Add(Box<AddArgs>),
    /// List the active decisions (or all of them, expired ones marked).
    List(ListArgs),
    /// Remove a decision by id (exit 1 when there is none).
    Remove(RemoveArgs),
}

const ADD_EXAMPLES: &str = "\
Examples:
  rampart decisions add --ip 203.0.113.7 --action block --ttl 1h --reason \"abuse report 4711\"
  rampart decisions add --cidr 203.0.113.0/24 --action tarpit --delay 3s --ttl 1d
  rampart decisions add --session 9f86d081884c7d65a1b2c3d4e5f60718 --action deceive --ttl 30m
  rampart decisions add --cidr 198.51.100.0/24 --action allow --reason \"partner monitoring\"
  rampart decisions add --principal 2c26b46b68ffc68f --action rate_limit --rate 10/min --burst 5
  rampart decisions add --fingerprint 5d41402abc4b2a76 --endpoint \"POST /api/v1/auth/login\" --action block --ttl 15m

A manual allow beats every rule and every other decision (an allowlist); without --ttl a
decision lasts until `rampart decisions remove ID`.

Exit codes: 0 done; 2 could not run (a bad flag, or a database error).";

/// `rampart decisions add`.
#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("scope")
        .required(true)
        .multiple(false)
        .args(["ip", "cidr", "session", "principal", "fingerprint"])
))]
pub(crate) struct AddArgs {
    /// One client address (IPv4 or IPv6).
    #[arg(long, value_name = "ADDR")]
    pub(crate) ip: Option<String>,
    /// A network in CIDR notation: every address inside it.
    #[arg(long, value_name = "CIDR")]
    pub(crate) cidr: Option<String>,
    /// A session, by the keyed hash alerts name it with (hex).
    #[arg(long, value_name = "HASH")]
    pub(crate) session: Option<String>,
    /// An authenticated user, by the keyed hash alerts name it with (hex).
    #[arg(long, value_name = "HASH")]
    pub(crate) principal: Option<String>,
    /// A client fingerprint, by the hash alerts name it with (hex).
    #[arg(long, value_name = "HASH")]
    pub(crate) fingerprint: Option<String>,
    /// What to do: block, rate_limit, tarpit, deceive or allow.
    #[arg(long, value_name = "ACTION")]
    pub(crate) action: String,
    /// For block: the status to answer, 400 to 599 [default: 403].
    #[arg(long, value_name = "CODE")]
    pub(crate) status: Option<String>,
    /// For block: the body to answer [default: forbidden].
    #[arg(long, value_name = "TEXT")]
    pub(crate) body: Option<String>,
    /// For rate_limit: the sustained rate, e.g. 10/min, 5/s, 100/hour, 5/10s.
    #[arg(long, value_name = "RATE")]
    pub(crate) rate: Option<String>,
    /// For rate_limit: requests allowed at once [default: the rate's count].
    #[arg(long, value_name = "N")]
    pub(crate) burst: Option<String>,
    /// For tarpit: how long to hold each request, e.g. 2s, 500ms [default: 2s]; the policy's
    /// max_tarpit_delay caps it.
    #[arg(long, value_name = "DURATION")]
    pub(crate) delay: Option<String>,
    /// How long the decision lasts, e.g. 30m, 1h, 7d [default: until removed].
    #[arg(long, value_name = "DURATION")]
    pub(crate) ttl: Option<String>,
    /// Why, for whoever reads the decision later.
    #[arg(long, value_name = "TEXT")]
    pub(crate) reason: Option<String>,
    /// Apply only on one endpoint: `METHOD TEMPLATE` as the inventory names it, e.g.
    /// "POST /api/v1/auth/login" [default: every endpoint].
    #[arg(long, value_name = "ENDPOINT")]
    pub(crate) endpoint: Option<String>,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
}

/// `rampart decisions list`.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Print JSON lines (one decision per line, as the JSON-lines exporter writes them).
    #[arg(long)]
    pub(crate) json: bool,
    /// Include expired decisions (marked `expired` in the table).
    #[arg(long)]
    pub(crate) all: bool,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
}

/// `rampart decisions remove`.
#[derive(Debug, Args)]
pub(crate) struct RemoveArgs {
    /// The decision's id, as `add` printed it or `list` shows it.
    #[arg(value_name = "ID")]
    pub(crate) id: String,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
}

/// Longest `--ttl` accepted.
const MAX_TTL: Duration = Duration::from_secs(366 * 86_400);
/// Longest `--delay` accepted (the policy caps it further).
const MAX_DELAY: Duration = Duration::from_secs(60);
/// Longest `--reason` and `--body`, in characters.
const MAX_TEXT: usize = 1000;

/// Runs `rampart decisions ...`.
pub(crate) fn run(command: DecisionsCommand) -> anyhow::Result<Outcome> {
    match command {
        DecisionsCommand::Add(a) => add(*a),
        DecisionsCommand::List(a) => list(a),
        DecisionsCommand::Remove(a) => remove(a),
    }
}

/// Now, by the wall clock: a manual decision lives in the operator's time.
fn now() -> EventTime {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    EventTime::from_unix_millis(ms)
}

fn add(args: AddArgs) -> anyhow::Result<Outcome> {
    // Every flag is checked before the database is touched.
    let scope = parse_scope(&args)?;
    let action = parse_action(&args)?;
    let ttl = args
        .ttl
        .as_deref()
        .map(|t| {
            let d = parse_duration(t).map_err(|e| anyhow::anyhow!("--ttl {}: {e}", shown(t)))?;
            if d.is_zero() {
                anyhow::bail!("--ttl {}: must be longer than 0", shown(t));
            }
            if d > MAX_TTL {
                anyhow::bail!(
                    "--ttl {}: at most 366d; leave --ttl out for a decision that lasts until removed",
                    shown(t)
                );
            }
            Ok(d)
        })
        .transpose()?;
    let reason = match args.reason.as_deref() {
        Some(r) => check_text("--reason", r)?.to_owned(),
        None => "made by hand".to_owned(),
    };
    let endpoint = args.endpoint.as_deref().map(parse_endpoint).transpose()?;
    let mut decision = Decision::manual(action, scope, reason, now(), ttl);
    if let Some(e) = endpoint {
        decision = decision.on_endpoint(e);
    }

    let path = data_dir::db_path(args.store.db);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create the directory {}: {e}", dir.display()))?;
    }
    let mut store = SqliteStore::open(&path)?;
    store.save_decisions(std::slice::from_ref(&decision))?;

    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", decision.id)?;
    let until = match decision.expires {
        Some(e) => format!("until {e}"),
        None => "until removed".to_owned(),
    };
    eprintln!(
        "{} on {}{} {until}, in {}",
        action_text(&decision.action),
        escape_for_terminal(&decision.scope.to_string(), 80),
        decision
            .endpoint
            .as_deref()
            .map(|e| format!(" at {}", escape_for_terminal(e, 80)))
            .unwrap_or_default(),
        path.display()
    );
    Ok(Outcome::Clean)
}

fn list(args: ListArgs) -> anyhow::Result<Outcome> {
    let path = data_dir::db_path(args.store.db);
    if !path.exists() {
        anyhow::bail!(
            "no database at {}: make a decision with `rampart decisions add`, run `rampart analyze`, or give --db",
            path.display()
        );
    }
    let store = SqliteStore::open(&path)?;
    let now = now();
    let decisions = store.decisions(if args.all { None } else { Some(now) })?;
    let mut out = std::io::stdout().lock();
    if args.json {
        for d in &decisions {
            serde_json::to_writer(&mut out, d)?;
            writeln!(out)?;
        }
        return Ok(Outcome::Clean);
    }
    writeln!(
        out,
        "{:<16}  {:<26} {:<64} {:<8} {:<24} {:<14} REASON",
        "ID", "ACTION", "SCOPE", "MODE", "ORIGIN", "EXPIRES"
    )?;
    let mut expired = 0usize;
    for d in &decisions {
        let expires = match d.remaining(now) {
            None => "never".to_owned(),
            Some(_) if !d.is_active(now) => {
                expired += 1;
                "expired".to_owned()
            }
            Some(left) => format!("in {}", human(left)),
        };
        writeln!(
            out,
            "{:<16}  {:<26} {:<64} {:<8} {:<24} {:<14} {}",
            escape_for_terminal(&d.id, 16),
            escape_for_terminal(&action_text(&d.action), 26),
            escape_for_terminal(&scope_text(d), 64),
            d.mode.name(),
            escape_for_terminal(&d.origin.to_string(), 24),
            expires,
            escape_for_terminal(&d.reason, 80),
        )?;
    }
    let active = decisions.len() - expired;
    if args.all {
        writeln!(
            out,
            "{active} active and {expired} expired decisions in {}",
            path.display()
        )?;
    } else {
        writeln!(out, "{active} active decisions in {}", path.display())?;
    }
    Ok(Outcome::Clean)
}

fn remove(args: RemoveArgs) -> anyhow::Result<Outcome> {
    let path = data_dir::db_path(args.store.db);
    if !path.exists() {
        anyhow::bail!("no database at {}: give --db", path.display());
    }
    let id = args.id.trim();
    let mut store = SqliteStore::open(&path)?;
    if store.remove_decision(id)? {
        eprintln!("removed decision {}", escape_for_terminal(id, 40));
        Ok(Outcome::Clean)
    } else {
        eprintln!(
            "rampart: no decision with id {} in {} (see `rampart decisions list --all`)",
            escape_for_terminal(id, 40),
            path.display()
        );
        // Exit 1: the command ran, but there was nothing to remove.
        Ok(Outcome::Skipped)
    }
}

/// The scope as the table shows it, with the endpoint it is limited to.
fn scope_text(d: &Decision) -> String {
    match &d.endpoint {
        Some(e) => format!("{} at {e}", d.scope),
        None => d.scope.to_string(),
    }
}

/// `--endpoint`: a method and a path template, as `POST /api/login`; the method is upper-cased.
fn parse_endpoint(text: &str) -> anyhow::Result<String> {
    let t = check_text("--endpoint", text.trim())?;
    let Some((method, template)) = t.split_once(' ') else {
        anyhow::bail!(
            "--endpoint {}: give a method and a template, like \"POST /api/v1/auth/login\"",
            shown(text)
        );
    };
    let template = template.trim();
    if method.is_empty()
        || !method.bytes().all(|b| b.is_ascii_alphabetic())
        || !template.starts_with('/')
        || template.chars().any(char::is_whitespace)
    {
        anyhow::bail!(
            "--endpoint {}: give a method and a template starting with /, like \"POST /api/v1/auth/login\"",
            shown(text)
        );
    }
    Ok(format!("{} {template}", method.to_ascii_uppercase()))
}

/// The one scope flag given (clap makes sure there is exactly one).
fn parse_scope(args: &AddArgs) -> anyhow::Result<Scope> {
    if let Some(ip) = &args.ip {
        let t = ip.trim();
        if t.contains('/') {
            anyhow::bail!(
                "--ip {}: an address has no prefix length; use --cidr for a network",
                shown(ip)
            );
        }
        let addr: IpAddr = t.parse().map_err(|_| {
            anyhow::anyhow!(
                "--ip {}: not an IP address; write one like 203.0.113.7 or 2001:db8::7",
                shown(ip)
            )
        })?;
        return Ok(Scope::Ip(addr));
    }
    if let Some(cidr) = &args.cidr {
        let t = cidr.trim();
        let net: IpNet = match t.parse() {
            Ok(net) => net,
            // A bare address is its own /32 or /128, as in the policy's lists.
            Err(_) => match t.parse::<IpAddr>() {
                Ok(addr) => IpNet::from(addr),
                Err(_) => anyhow::bail!(
                    "--cidr {}: not a network; write an address and a prefix length, like 203.0.113.0/24 or 2001:db8::/32",
                    shown(cidr)
                ),
            },
        };
        return Ok(Scope::Prefix(net));
    }
    let hash = |flag: &str, v: &str| -> anyhow::Result<String> {
        let t = v.trim();
        if (8..=64).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(t.to_ascii_lowercase())
        } else {
            anyhow::bail!(
                "{flag} {}: not a hash; give the hex value (8 to 64 hex digits) that `rampart alerts` shows for it",
                shown(v)
            )
        }
    };
    if let Some(s) = &args.session {
        return Ok(Scope::Session(hash("--session", s)?));
    }
    if let Some(p) = &args.principal {
        return Ok(Scope::Principal(hash("--principal", p)?));
    }
    if let Some(f) = &args.fingerprint {
        return Ok(Scope::Fingerprint(hash("--fingerprint", f)?));
    }
    anyhow::bail!("give one of --ip, --cidr, --session, --principal or --fingerprint")
}

/// The action and its options, refusing options that do not belong to it.
fn parse_action(args: &AddArgs) -> anyhow::Result<Action> {
    let name = args.action.trim().to_ascii_lowercase().replace('-', "_");
    let only_for = |flag: &str, given: bool, action: &str| -> anyhow::Result<()> {
        if given && name != action {
            anyhow::bail!(
                "{flag} applies only to --action {action}, not to --action {}",
                shown(&args.action)
            );
        }
        Ok(())
    };
    only_for("--status", args.status.is_some(), "block")?;
    only_for("--body", args.body.is_some(), "block")?;
    only_for("--rate", args.rate.is_some(), "rate_limit")?;
    only_for("--burst", args.burst.is_some(), "rate_limit")?;
    only_for("--delay", args.delay.is_some(), "tarpit")?;
    Ok(match name.as_str() {
        "block" => {
            let status = match args.status.as_deref() {
                None => 403,
                Some(s) => match s.trim().parse::<u16>() {
                    Ok(n) if (400..=599).contains(&n) => n,
                    _ => anyhow::bail!(
                        "--status {}: must be an HTTP error status from 400 to 599, e.g. 403",
                        shown(s)
                    ),
                },
            };
            let body = match args.body.as_deref() {
                Some(b) => check_text("--body", b)?,
                None => "forbidden",
            };
            Action::Block {
                status,
                body: body.into(),
            }
        }
        "rate_limit" => {
            let Some(text) = args.rate.as_deref() else {
                anyhow::bail!("--action rate_limit needs --rate, e.g. --rate 10/min");
            };
            let rate =
                parse_rate(text).map_err(|e| anyhow::anyhow!("--rate {}: {e}", shown(text)))?;
            let burst = match args.burst.as_deref() {
                None => rate.count,
                Some(b) => match b.trim().parse::<u32>() {
                    Ok(n) if n >= 1 => n,
                    _ => anyhow::bail!(
                        "--burst {}: must be a whole number from 1 (requests allowed at once)",
                        shown(b)
                    ),
                },
            };
            Action::RateLimit { rate, burst }
        }
        "tarpit" => {
            let delay = match args.delay.as_deref() {
                None => Duration::from_secs(2),
                Some(t) => {
                    let d = parse_duration(t)
                        .map_err(|e| anyhow::anyhow!("--delay {}: {e}", shown(t)))?;
                    if d.is_zero() || d > MAX_DELAY {
                        anyhow::bail!("--delay {}: must be from 1ms to 60s, e.g. 2s", shown(t));
                    }
                    d
                }
            };
            Action::Tarpit {
                delay_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            }
        }
        "deceive" => Action::Deceive,
        "allow" => Action::Allow,
        _ => anyhow::bail!(
            "--action {}: use block, rate_limit, tarpit, deceive or allow",
            shown(&args.action)
        ),
    })
}

/// Free text given on the command line: bounded, without control characters.
fn check_text<'a>(flag: &str, text: &'a str) -> anyhow::Result<&'a str> {
    if text.chars().count() > MAX_TEXT {
        anyhow::bail!("{flag}: at most {MAX_TEXT} characters");
    }
    if text.chars().any(char::is_control) {
        anyhow::bail!("{flag}: control characters (newlines, escapes) are not allowed");
    }
    Ok(text)
}

/// A duration: a number and a unit (`500ms`, `30s`, `5m`, `1h`, `1d`), or several (`1h30m`).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let fix = "write a number and a unit: ms, s, m, h or d (for example 30s, 5m, 1h)";
    if t.is_empty() {
        return Err(format!("empty; {fix}"));
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "no unit; write {t}s for seconds, or use ms, m, h or d"
        ));
    }
    let mut total: u128 = 0;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let unit_len = rest[digits..]
            .bytes()
            .take_while(u8::is_ascii_alphabetic)
            .count();
        if digits == 0 || unit_len == 0 {
            return Err(format!("not a duration; {fix}"));
        }
        let n: u128 = rest[..digits].parse().unwrap_or(u128::MAX);
        let ms: u128 = match &rest[digits..digits + unit_len] {
            "ms" => 1,
            "s" | "sec" | "secs" => 1000,
            "m" | "min" | "mins" => 60_000,
            "h" | "hour" | "hours" => 3_600_000,
            "d" | "day" | "days" => 86_400_000,
            _ => return Err(format!("unknown unit; {fix}")),
        };
        total = total.saturating_add(n.saturating_mul(ms));
        rest = &rest[digits + unit_len..];
    }
    Ok(Duration::from_millis(
        u64::try_from(total).unwrap_or(u64::MAX),
    ))
}

/// A rate: `10/min`, `5/s`, `100/hour`, `1000/day`, or a count per duration (`5/10s`).
fn parse_rate(text: &str) -> Result<Rate, String> {
    let fix = "write requests per unit: 10/s, 10/min, 100/hour, 1000/day or 5/10s";
    let Some((count, per)) = text.trim().split_once('/') else {
        return Err(format!("not a rate; {fix}"));
    };
    let count: u32 = match count.trim().parse() {
        Ok(n) if n >= 1 => n,
        _ => return Err(format!("the count must be a whole number from 1; {fix}")),
    };
    let period = match per.trim() {
        "s" | "sec" | "second" => Duration::from_secs(1),
        "m" | "min" | "minute" => Duration::from_secs(60),
        "h" | "hour" => Duration::from_secs(3600),
        "d" | "day" => Duration::from_secs(86_400),
        other => match parse_duration(other) {
            Ok(d) if !d.is_zero() && d <= MAX_TTL => d,
            _ => return Err(format!("unknown period; {fix}")),
        },
    };
    Ok(Rate::new(count, period))
}

/// The action with its options, for the table (`block 403`, `tarpit 2s`, `rate_limit 10/min`).
fn action_text(action: &Action) -> String {
    match action {
        Action::Block { status, .. } => format!("block {status}"),
        Action::RateLimit { rate, burst } => format!("rate_limit {rate} burst {burst}"),
        Action::Tarpit { delay_ms } => {
            format!("tarpit {}", human(Duration::from_millis(*delay_ms)))
        }
        other => other.name().to_owned(),
    }
}

/// A duration for people: `45s`, `59m`, `1h30m`, `2d3h`, `500ms`.
fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let s = d.as_secs();
    let (days, hours, mins, secs) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    match (days, hours, mins) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, m) => {
            if secs == 0 {
                format!("{m}m")
            } else {
                format!("{m}m{secs}s")
            }
        }
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h{m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d{h}h"),
    }
}

/// A value given on the command line, cut and quoted for an error message.
fn shown(value: &str) -> String {
    format!("{:?}", escape_for_terminal(value, 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_rates_read_as_in_the_policy() {
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("10").unwrap_err().contains("no unit"));
        assert!(parse_duration("1w").is_err());
        assert!(parse_duration("").is_err());
        assert_eq!(
            parse_rate("10/min"),
            Ok(Rate::new(10, Duration::from_secs(60)))
        );
        assert_eq!(
            parse_rate("5/10s"),
            Ok(Rate::new(5, Duration::from_secs(10)))
        );
        assert!(parse_rate("0/s").is_err());
        assert!(parse_rate("ten").is_err());
    }

    #[test]
    fn durations_read_for_people() {
        assert_eq!(human(Duration::from_millis(250)), "250ms");
        assert_eq!(human(Duration::from_secs(45)), "45s");
        assert_eq!(human(Duration::from_secs(3599)), "59m59s");
        assert_eq!(human(Duration::from_secs(3600)), "1h");
        assert_eq!(human(Duration::from_secs(5400)), "1h30m");
        assert_eq!(human(Duration::from_secs(86_400 + 3 * 3600)), "1d3h");
    }
}
