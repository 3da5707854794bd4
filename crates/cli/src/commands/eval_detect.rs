//! `rampart eval-detect`: how well detection catches the seed attacks, measured on the
//! simulator's sample API with ground truth.
//!
//! Each run simulates benign users and attacks (`rampart_sim::scenario`), feeds every exchange
//! through the same engine as `rampart analyze`, and scores the alerts: per scenario, the share
//! of attacker addresses and sessions named by an alert, the time from the attack's start to
//! its first alert, and the benign actors flagged.

use std::io::Write;
use std::time::{Duration, Instant};

use rampart_core::KeyedHasher;
use rampart_engine::{Config, Engine};
use rampart_sim::scenario::{
    score_detection, simulate, DetectionScore, ScenarioConfig, ScenarioName,
};
use serde::Serialize;

use crate::args::EvalDetectArgs;
use crate::Outcome;

/// One scored run.
#[derive(Serialize)]
struct Run {
    seed: u64,
    mix: String,
    exchanges: usize,
    engine_exchanges_per_sec: f64,
    score: DetectionScore,
}

pub(crate) fn run(args: EvalDetectArgs) -> anyhow::Result<Outcome> {
    let mut mixes: Vec<(String, Vec<ScenarioName>)> = Vec::new();
    if args.mix == "all" || args.mix == "both" {
        mixes.push(("all".into(), ScenarioName::ALL.to_vec()));
    }
    if args.mix == "each" || args.mix == "both" {
        for s in ScenarioName::ALL {
            mixes.push((s.name().into(), vec![s]));
        }
    }
    if mixes.is_empty() {
        anyhow::bail!("--mix {:?}: use all, each or both", args.mix);
    }
    let mut engine_config = Config::default();
    for name in &args.disable {
        let d = &mut engine_config.detect;
        let flag = match name.as_str() {
            "enumeration" => &mut d.enumeration.enabled,
            "credential_stuffing" => &mut d.credential_stuffing.enabled,
            "target_ips" => &mut d.target_ips.enabled,
            "timing" => &mut d.timing.enabled,
            "volumetric" => &mut d.volumetric.enabled,
            "scraping" => &mut d.scraping.enabled,
            "direct_to_api" => &mut d.direct_to_api.enabled,
            "session_rotation" => &mut d.session_rotation.enabled,
            "exploit_probes" => &mut d.exploit_probes.enabled,
            "shadow_api" => &mut d.shadow_api.enabled,
            "pivot" => &mut d.pivot.enabled,
            "agent" => &mut d.agent.enabled,
            "infrastructure" => &mut d.infrastructure.enabled,
            other => anyhow::bail!("--disable {other:?}: not a detector (see docs/detection.md)"),
        };
        *flag = false;
    }
    let mut runs = Vec::new();
    for &seed in &args.seeds {
        for (mix, scenarios) in &mixes {
            let config = ScenarioConfig {
                seed,
                benign_users: args.benign_users,
                duration: Duration::from_secs(args.minutes * 60),
                scenarios: scenarios.clone(),
                scale: args.scale,
                ..ScenarioConfig::default()
            };
            let (exchanges, truth) = simulate(&config);
            // A key derived from the seed, so that a run is reproducible to the last alert.
            let mut seed_key = [0u8; 32];
            seed_key[..8].copy_from_slice(&seed.to_le_bytes());
            seed_key[8..16].copy_from_slice(b"evaldetc");
            let hasher = KeyedHasher::new(seed_key);
            let mut engine = Engine::new(&engine_config, &[], Vec::new(), hasher.clone());
            let start = Instant::now();
            for ex in &exchanges {
                engine.observe(ex);
            }
            let analysis = engine.finish();
            let secs = start.elapsed().as_secs_f64().max(1e-9);
            let score = score_detection(&analysis.detection.alerts, &truth, &hasher);
            if !args.json {
                eprintln!(
                    "seed {seed}, mix {mix}: {} exchanges, {} alerts, {:.0} exchanges/s through the engine",
                    exchanges.len(),
                    analysis.detection.alerts.len(),
                    exchanges.len() as f64 / secs
                );
            }
            runs.push(Run {
                seed,
                mix: mix.clone(),
                exchanges: exchanges.len(),
                engine_exchanges_per_sec: exchanges.len() as f64 / secs,
                score,
            });
        }
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &runs)?;
        writeln!(out)?;
        return Ok(Outcome::Clean);
    }
    write_summary(&mut out, &runs)?;
    if args.verbose {
        for r in &runs {
            writeln!(out, "\n### seed {}, mix {}\n", r.seed, r.mix)?;
            writeln!(out, "{}", r.score.to_markdown(20))?;
        }
    }
    Ok(Outcome::Clean)
}

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

fn write_summary(out: &mut impl Write, runs: &[Run]) -> std::io::Result<()> {
    writeln!(
        out,
        "| mix | seed | scenario | detected | attacker IPs named | IP recall | session recall | first alert after start | detectors |"
    )?;
    writeln!(out, "|---|---:|---|---|---:|---:|---:|---:|---|")?;
    for r in runs {
        for s in &r.score.scenarios {
            writeln!(
                out,
                "| {} | {} | {} | {} | {}/{} | {} | {} | {} | {} |",
                r.mix,
                r.seed,
                s.scenario,
                if s.detected { "yes" } else { "**no**" },
                s.ips_named,
                s.ips,
                pct(s.ip_recall),
                s.session_recall.map(pct).unwrap_or_else(|| "–".into()),
                s.time_to_first_alert_ms
                    .map(|ms| format!("{:.0} s", ms as f64 / 1000.0))
                    .unwrap_or_else(|| "–".into()),
                s.detectors.join(", "),
            )?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "| mix | seed | benign actors | flagged | false-positive rate | flagged kinds |"
    )?;
    writeln!(out, "|---|---:|---:|---:|---:|---|")?;
    for r in runs {
        let b = &r.score.benign;
        let kinds: Vec<String> = b
            .kinds
            .iter()
            .filter(|k| k.flagged > 0)
            .map(|k| format!("{} {}", k.kind.name(), k.flagged))
            .collect();
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            r.mix,
            r.seed,
            b.actors,
            b.flagged,
            pct(b.false_positive_rate),
            kinds.join(", ")
        )?;
    }
    Ok(())
}
