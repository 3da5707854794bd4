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

/// The score of one spec under one seed.
#[derive(Serialize)]
struct Row {
    spec: String,
    seed: u64,
    operations: usize,
    requests: usize,
    discovered: usize,
    score: Score,
}

pub(crate) fn run(args: EvalArgs) -> anyhow::Result<Outcome> {
    let mut rows = Vec::new();
    for path in expand(&args.specs)? {
        let spec = load_spec(&path).map_err(|e| anyhow::anyhow!("{e}"))?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        for &seed in &args.seeds {
            let config = TrafficConfig {
                seed,
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
                spec: name.clone(),
                seed,
                operations: spec.operations.len(),
                requests: exchanges.len(),
                discovered: discovered.len(),
                score: score(&truth, &discovered),
            });
        }
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &rows)?;
        writeln!(out)?;
        return Ok(Outcome::Clean);
    }
    writeln!(
        out,
        "| spec | operations | endpoints (truth) | runs | precision | recall | F1 (mean) | F1 (worst) | shadow found | static siblings merged |"
    )?;
    writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")?;
    let mut names: Vec<&str> = rows.iter().map(|r| r.spec.as_str()).collect();
    names.dedup();
    let (mut all_f1, mut worst_all) = (Vec::new(), f64::MAX);
    for name in names {
        let runs: Vec<&Row> = rows.iter().filter(|r| r.spec == name).collect();
        let n = runs.len() as f64;
        let mean = |f: &dyn Fn(&Row) -> f64| runs.iter().map(|r| f(r)).sum::<f64>() / n;
        let worst = runs.iter().map(|r| r.score.f1).fold(f64::MAX, f64::min);
        let shadow_found: usize = runs.iter().map(|r| r.score.shadow_found).sum();
        let shadow_total: usize = runs.iter().map(|r| r.score.shadow_total).sum();
        let merged: usize = runs
            .iter()
            .map(|r| r.score.static_siblings_merged.len())
            .sum();
        let siblings: usize = runs.iter().map(|r| r.score.static_siblings_total).sum();
        all_f1.push(mean(&|r| r.score.f1));
        worst_all = worst_all.min(worst);
        writeln!(
            out,
            "| {} | {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {}/{} | {}/{} |",
            name,
            runs[0].operations,
            runs[0].score.truth,
            runs.len(),
            mean(&|r| r.score.precision),
            mean(&|r| r.score.recall),
            mean(&|r| r.score.f1),
            worst,
            shadow_found,
            shadow_total,
            merged,
            siblings
        )?;
    }
    if !all_f1.is_empty() {
        writeln!(
            out,
            "\nMean F1 over {} specs: {:.3}; worst single run: {:.3}",
            all_f1.len(),
            all_f1.iter().sum::<f64>() / all_f1.len() as f64,
            worst_all
        )?;
    }
    if args.verbose {
        for r in &rows {
            for fp in &r.score.false_positives {
                writeln!(out, "{} (seed {}): false positive: {fp}", r.spec, r.seed)?;
            }
            for fnn in &r.score.false_negatives {
                writeln!(out, "{} (seed {}): missed: {fnn}", r.spec, r.seed)?;
            }
            for m in &r.score.static_siblings_merged {
                writeln!(
                    out,
                    "{} (seed {}): static sibling merged: {m}",
                    r.spec, r.seed
                )?;
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
