//! `rampart eval`: how well discovery rediscovers real APIs from their traffic.
//!
//! For each spec: generate traffic with ground truth (`rampart_sim`), run it through the same
//! engine as `rampart analyze` **without** the spec, and score the discovered (method, template)
//! pairs against the truth.

use std::io::Write;
use std::path::{Path, PathBuf};

use rampart_discover::spec::load_spec;
use rampart_engine::{key, Config, Engine};
use rampart_sim::{generate, score, Score, TrafficConfig};
use serde::Serialize;

use crate::args::EvalArgs;
use crate::Outcome;

/// The score of one spec.
#[derive(Serialize)]
struct Row {
    spec: String,
    operations: usize,
    requests: usize,
    discovered: usize,
    score: Score,
}

pub(crate) fn run(args: EvalArgs) -> anyhow::Result<Outcome> {
    let mut rows = Vec::new();
    for path in expand(&args.specs)? {
        let spec = load_spec(&path).map_err(|e| anyhow::anyhow!("{e}"))?;
        let config = TrafficConfig {
            seed: args.seed,
            requests: args.requests,
            ..TrafficConfig::default()
        };
        let (exchanges, truth) = generate(&spec, &config);
        let mut engine = Engine::new(&Config::default(), &[], Vec::new(), key::ephemeral()?);
        for ex in &exchanges {
            engine.observe(ex);
        }
        let analysis = engine.finish();
        let discovered: Vec<(String, String)> = analysis
            .inventory
            .endpoints
            .iter()
            .map(|e| (e.key.method.clone(), e.key.template.clone()))
            .collect();
        rows.push(Row {
            spec: path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            operations: spec.operations.len(),
            requests: exchanges.len(),
            discovered: discovered.len(),
            score: score(&truth, &discovered),
        });
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
        return Ok(Outcome::Clean);
    }
    writeln!(
        out,
        "| spec | operations | requests | endpoints found | precision | recall | F1 | shadow found | static siblings merged |"
    )?;
    writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")?;
    for r in &rows {
        writeln!(
            out,
            "| {} | {} | {} | {} | {:.3} | {:.3} | {:.3} | {}/{} | {} |",
            r.spec,
            r.operations,
            r.requests,
            r.discovered,
            r.score.precision,
            r.score.recall,
            r.score.f1,
            r.score.shadow_found,
            r.score.shadow_total,
            r.score.static_siblings_merged.len()
        )?;
    }
    if args.verbose {
        for r in &rows {
            for fp in &r.score.false_positives {
                writeln!(out, "{}: false positive: {fp}", r.spec)?;
            }
            for fnn in &r.score.false_negatives {
                writeln!(out, "{}: missed: {fnn}", r.spec)?;
            }
            for m in &r.score.static_siblings_merged {
                writeln!(out, "{}: static sibling merged: {m}", r.spec)?;
            }
        }
    }
    Ok(Outcome::Clean)
}

/// Files as given, folders expanded to their `.json`, `.yaml` and `.yml` files in name order.
fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| is_spec_file(f))
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn is_spec_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("json" | "yaml" | "yml")
    )
}
