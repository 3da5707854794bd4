//! `rampart simulate`: traffic generated from a spec, or the sample API under the seed attacks,
//! written as JSON lines, an nginx log or a HAR file, with the truth about it.

use std::io::Write;
use std::time::Duration;

use anyhow::{bail, Context};
use rampart_core::Exchange;
use rampart_discover::spec::load_spec;
use rampart_sim::scenario::{simulate, ScenarioConfig, ScenarioName, MAX_SCALE};
use rampart_sim::{generate, to_combined, to_otel_json, HarWriter, TrafficConfig};

use crate::args::SimulateArgs;
use crate::Outcome;

pub(crate) fn run(args: SimulateArgs) -> anyhow::Result<Outcome> {
    let (exchanges, truth) = match (&args.spec, &args.scenario) {
        (Some(spec), None) => {
            let spec = load_spec(spec).map_err(|e| anyhow::anyhow!("{e}"))?;
            let config = TrafficConfig {
                seed: args.seed,
                requests: args.requests,
                ..TrafficConfig::default()
            };
            let (exchanges, truth) = generate(&spec, &config);
            (exchanges, serde_json::to_value(&truth)?)
        }
        (None, Some(list)) => {
            let scenarios = ScenarioName::parse_list(list)?;
            if !(0.0..=MAX_SCALE).contains(&args.scale) {
                bail!(
                    "--scale must be between 0 and {MAX_SCALE}, not {}",
                    args.scale
                );
            }
            let config = ScenarioConfig {
                seed: args.seed,
                benign_users: args.benign_users,
                duration: Duration::from_secs(args.minutes * 60),
                scenarios,
                scale: args.scale,
                ..ScenarioConfig::default()
            };
            let (exchanges, truth) = simulate(&config);
            if truth.dropped > 0 {
                eprintln!(
                    "rampart: the simulation reached its cap; {} exchanges were not generated",
                    truth.dropped
                );
            }
            (exchanges, serde_json::to_value(&truth)?)
        }
        _ => bail!("give exactly one of --spec and --scenario"),
    };
    write_traffic(&args.out, &args.format, &exchanges)?;
    if let Some(path) = &args.truth {
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        let mut w = std::io::BufWriter::new(file);
        serde_json::to_writer_pretty(&mut w, &truth)?;
        w.write_all(b"\n")?;
        w.flush()?;
    }
    Ok(Outcome::Clean)
}

fn write_traffic(out: &str, format: &str, exchanges: &[Exchange]) -> anyhow::Result<()> {
    let mut w: Box<dyn Write> = if out == "-" {
        Box::new(std::io::BufWriter::new(std::io::stdout().lock()))
    } else {
        Box::new(std::io::BufWriter::new(
            std::fs::File::create(out).with_context(|| format!("cannot create {out}"))?,
        ))
    };
    if format == "har" {
        let mut har = HarWriter::new(w)?;
        for ex in exchanges {
            har.write(ex)?;
        }
        har.finish()?.flush()?;
        return Ok(());
    }
    for ex in exchanges {
        let line = if format == "combined" {
            to_combined(ex)
        } else {
            to_otel_json(ex)
        };
        w.write_all(line.as_bytes())?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    Ok(())
}
