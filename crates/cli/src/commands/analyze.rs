//! `rampart analyze`: traffic files in, inventory, diff, OpenAPI and report out.

use std::path::{Path, PathBuf};

use anyhow::Context;
use rampart_core::KeyedHasher;
use rampart_discover::diff::diff;
use rampart_discover::spec::{load_spec, Spec};
use rampart_engine::{config, key, persist, Config, Engine};
use rampart_ingest::BadRecord;
use rampart_store::{RunRecord, SqliteStore, Store};

use crate::args::AnalyzeArgs;
use crate::progress::Progress;
use crate::render;
use crate::{data_dir, Outcome};

/// Input problems: the first few kept for display, all counted.
pub(crate) struct Problems {
    pub(crate) shown: Vec<String>,
    pub(crate) count: u64,
    max: usize,
}

impl Problems {
    fn new(max: usize) -> Self {
        Self {
            shown: Vec::new(),
            count: 0,
            max,
        }
    }

    fn add(&mut self, message: String) {
        self.count += 1;
        if self.shown.len() < self.max {
            eprintln!("rampart: skipped: {message}");
            self.shown.push(message);
        }
    }
}

pub(crate) fn run(args: AnalyzeArgs) -> anyhow::Result<Outcome> {
    let mut config = match &args.config {
        Some(path) => config::load(path).map_err(|e| anyhow::anyhow!("{e}"))?,
        None => Config::default(),
    };
    config.specs.extend(args.specs.iter().cloned());
    if args.no_detect {
        config.detect.enabled = false;
    }
    config
        .ingest
        .trusted_proxies
        .extend(args.trusted_proxies.iter().copied());
    let options = persist::ingest_options(
        &config.ingest,
        args.format.as_deref(),
        args.log_format.as_deref(),
    )
    .map_err(anyhow::Error::msg)?;

    let specs = load_specs(&config.specs)?;

    let mut store = if args.no_store {
        None
    } else {
        let path = data_dir::db_path(args.store.db.clone().or_else(|| config.db.clone()));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the database folder {}", dir.display()))?;
        }
        Some(SqliteStore::open(&path)?)
    };
    let hasher = hasher_for(&config, store.as_ref())?;
    let known = match &store {
        Some(s) => {
            let (known, unreadable) = persist::from_records(s.endpoints()?);
            for u in &unreadable {
                eprintln!(
                    "rampart: warning: stored endpoint {} could not be read ({}); it is left out",
                    u.endpoint, u.reason
                );
            }
            known
        }
        None => Vec::new(),
    };

    let mut engine = Engine::new(&config, &specs, known, hasher.clone());
    for warning in engine
        .load_infrastructure(&config)
        .map_err(|e| anyhow::anyhow!("detect.infrastructure: {e}"))?
    {
        eprintln!("rampart: warning: {warning}");
    }
    let mut problems = Problems::new(args.max_errors);
    let (analysis, dry_report) = match &args.policy {
        Some(policy) => {
            let mut dry = super::dry_run::DryRun::new(policy, engine, hasher)?;
            for input in &args.inputs {
                read_input(
                    input,
                    &options,
                    &mut |ex| dry.observe(&ex),
                    &mut problems,
                    args.quiet,
                );
            }
            let (analysis, report) = dry.finish();
            (
                analysis.context("the engine stopped during the dry run")?,
                Some(report),
            )
        }
        None if args.single_thread => {
            for input in &args.inputs {
                read_input(
                    input,
                    &options,
                    &mut |ex| engine.observe(&ex),
                    &mut problems,
                    args.quiet,
                );
            }
            (engine.finish(), None)
        }
        None => {
            // Reading and parsing on one thread, the engine on this one; the engine takes
            // batches, so that detection runs beside discovery.
            let inputs = &args.inputs;
            let (options, quiet, problems) = (&options, args.quiet, &mut problems);
            std::thread::scope(|s| {
                let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<rampart_core::Exchange>>(1);
                s.spawn(move || {
                    let mut batch = Vec::with_capacity(ENGINE_BATCH);
                    for input in inputs {
                        read_input(
                            input,
                            options,
                            &mut |ex| {
                                batch.push(ex);
                                if batch.len() == ENGINE_BATCH {
                                    let full = std::mem::replace(
                                        &mut batch,
                                        Vec::with_capacity(ENGINE_BATCH),
                                    );
                                    // The engine only stops taking batches by panicking.
                                    let _ = tx.send(full);
                                }
                            },
                            problems,
                            quiet,
                        );
                    }
                    let _ = tx.send(batch);
                });
                for batch in rx {
                    engine.observe_batch(&batch);
                }
            });
            (engine.finish(), None)
        }
    };

    let observed: Vec<_> = analysis
        .inventory
        .endpoints
        .iter()
        .map(|e| e.observed())
        .collect();
    let spec_diff = (!specs.is_empty()).then(|| diff(&specs, &observed));

    if let Some(store) = store.as_mut() {
        let run = RunRecord {
            inputs: args.inputs.clone(),
            records: analysis.exchanges,
            bad_records: problems.count,
            first_event_ms: analysis.first_event.map_or(0, |t| t.as_unix_millis()),
            last_event_ms: analysis.last_event.map_or(0, |t| t.as_unix_millis()),
            endpoints: analysis.inventory.endpoints.len() as u64,
        };
        store
            .save_inventory(&persist::to_records(&analysis.inventory.endpoints), &run)
            .context("saving the inventory")?;
        store
            .save_alerts(&analysis.detection.alerts)
            .context("saving the alerts")?;
    }

    if let Some(path) = &args.openapi {
        let doc = render::openapi(&analysis, &specs);
        write_json(path, &doc)?;
    }
    if let Some(path) = &args.report {
        let report = render::report(
            &args.inputs,
            &analysis,
            spec_diff.as_ref(),
            &specs,
            &problems,
        );
        write_json(path, &report)?;
    }
    if let Some(path) = &args.alerts {
        write_alerts(path, &analysis.detection.alerts)?;
    }
    if !args.quiet {
        render::summary(
            &mut std::io::stdout().lock(),
            &args.inputs,
            &analysis,
            spec_diff.as_ref(),
            &specs,
            &problems,
            args.top,
        )?;
    }
    if let Some(report) = dry_report {
        print!("{report}");
    }
    Ok(if problems.count > 0 {
        Outcome::Skipped
    } else {
        Outcome::Clean
    })
}

pub(crate) fn load_specs(paths: &[PathBuf]) -> anyhow::Result<Vec<Spec>> {
    let mut specs = Vec::new();
    for path in paths {
        let spec = load_spec(path).map_err(|e| anyhow::anyhow!("{e}"))?;
        for p in spec.problems.iter().take(10) {
            eprintln!(
                "rampart: warning: {}: {}: {}",
                path.display(),
                p.pointer,
                p.message
            );
        }
        if spec.problems.len() > 10 {
            eprintln!(
                "rampart: warning: {}: {} more problems",
                path.display(),
                spec.problems.len() - 10
            );
        }
        specs.push(spec);
    }
    Ok(specs)
}

/// The keyed hasher: the installation's key beside the database, or a throw-away key when
/// nothing is stored (hashes then only need to agree within the run).
pub(crate) fn hasher_for(
    config: &Config,
    store: Option<&SqliteStore>,
) -> anyhow::Result<KeyedHasher> {
    let path = match (&config.hash_key_file, store) {
        (Some(p), _) => p.clone(),
        (None, Some(s)) => s.path().with_file_name("rampart.key"),
        (None, None) => return Ok(key::ephemeral()?),
    };
    Ok(key::load_or_create(&path)?)
}

/// Exchanges handed to the engine at a time (a few tens of megabytes at most).
const ENGINE_BATCH: usize = 8_192;

fn read_input(
    input: &str,
    options: &rampart_ingest::IngestOptions,
    sink: &mut dyn FnMut(rampart_core::Exchange),
    problems: &mut Problems,
    quiet: bool,
) {
    let mut source = match rampart_ingest::open(input, options) {
        Ok(s) => s,
        Err(e) => {
            problems.add(format!("{input}: {e}"));
            return;
        }
    };
    let progress = Progress::new(quiet, source.progress().bytes_total);
    let mut n: u64 = 0;
    while let Some(item) = source.next() {
        match item {
            Ok(ex) => sink(ex),
            Err(bad) => problems.add(bad_record(&bad)),
        }
        n += 1;
        if n.is_multiple_of(8192) {
            let p = source.progress();
            progress.update(p.bytes_read, p.records);
        }
    }
    progress.finish();
}

fn bad_record(bad: &BadRecord) -> String {
    bad.to_string()
}

fn write_alerts(path: &Path, alerts: &[rampart_core::Alert]) -> anyhow::Result<()> {
    use std::io::Write;
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    for a in alerts {
        serde_json::to_writer(&mut w, a)?;
        w.write_all(b"\n")?;
    }
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> anyhow::Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    serde_json::to_writer_pretty(&mut w, value)
        .with_context(|| format!("writing {}", path.display()))?;
    use std::io::Write;
    w.flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
