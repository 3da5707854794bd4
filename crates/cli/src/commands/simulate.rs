//! `rampart simulate`: traffic generated from a spec, written as JSON lines or an nginx log.

use std::io::Write;

use anyhow::Context;
use rampart_discover::spec::load_spec;
use rampart_sim::{generate, to_combined, to_otel_json, TrafficConfig};

use crate::args::SimulateArgs;
use crate::Outcome;

pub(crate) fn run(args: SimulateArgs) -> anyhow::Result<Outcome> {
    let spec = load_spec(&args.spec).map_err(|e| anyhow::anyhow!("{e}"))?;
    let config = TrafficConfig {
        seed: args.seed,
        requests: args.requests,
        ..TrafficConfig::default()
    };
    let (exchanges, truth) = generate(&spec, &config);
    let mut out: Box<dyn Write> = if args.out == "-" {
        Box::new(std::io::BufWriter::new(std::io::stdout().lock()))
    } else {
        Box::new(std::io::BufWriter::new(
            std::fs::File::create(&args.out)
                .with_context(|| format!("cannot create {}", args.out))?,
        ))
    };
    for ex in &exchanges {
        let line = if args.format == "combined" {
            to_combined(ex)
        } else {
            to_otel_json(ex)
        };
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    if let Some(path) = &args.truth {
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        serde_json::to_writer_pretty(std::io::BufWriter::new(file), &truth)?;
    }
    Ok(Outcome::Clean)
}
