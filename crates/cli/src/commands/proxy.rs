//! `rampart proxy`: the inline protection proxy, on the same engine as `rampart analyze`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::Context;
use rampart_core::EventTime;
use rampart_defend::{Policy, PolicyHandle};
use rampart_engine::{config, persist, Config, Engine};
use rampart_proxy::{Guard, GuardOptions, Proxy, ProxyConfig};
use rampart_store::{RunRecord, SqliteStore, Store};
use serde::Deserialize;

use crate::args::ProxyArgs;
use crate::{data_dir, Outcome};

/// The sections of the config file the proxy reads beside the engine's.
#[derive(Debug, Deserialize)]
struct ProxySections {
    #[serde(default)]
    proxy: Option<ProxyConfig>,
    #[serde(default)]
    api: Option<rampart_api::ApiConfig>,
    #[serde(flatten)]
    _rest: std::collections::BTreeMap<String, serde::de::IgnoredAny>,
}

/// Wall-clock time as event time: the proxy lives through traffic as it happens.
pub(crate) fn now() -> EventTime {
    let ms = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    EventTime::from_unix_millis(ms)
}

/// The policy `config` names (checked against the detectors that exist), or an empty one:
/// without a policy Rampart only watches.
pub(crate) fn load_policy(config: &Config, detectors: &[&str]) -> anyhow::Result<Policy> {
    let Some(path) = &config.policy else {
        return Policy::from_yaml_with("", "(no policy)", detectors)
            .map_err(|p| anyhow::anyhow!("{}", rampart_defend::render_problems(&p)));
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the policy {}", path.display()))?;
    Policy::from_yaml_with(&text, &path.display().to_string(), detectors)
        .map_err(|p| anyhow::anyhow!("{}", rampart_defend::render_problems(&p)))
}

/// Everything `rampart proxy` and `rampart demo` start from one config file.
pub(crate) struct Prepared {
    pub(crate) config: Config,
    pub(crate) proxy: ProxyConfig,
    pub(crate) api: Option<rampart_api::ApiConfig>,
    pub(crate) guard: Arc<Guard>,
    pub(crate) policy: Arc<PolicyHandle>,
    pub(crate) detectors: Vec<&'static str>,
    pub(crate) db: PathBuf,
}

/// Reads and checks the config, opens the store, builds the engine and the guard.
/// `replay_time` takes event times from replayed requests (`rampart demo`).
pub(crate) fn prepare(
    config_path: &Path,
    db: Option<PathBuf>,
    replay_time: bool,
) -> anyhow::Result<Prepared> {
    let config = config::load(config_path).map_err(|e| anyhow::anyhow!("{e}"))?;
    let text = std::fs::read_to_string(config_path)
        .with_context(|| format!("cannot read {}", config_path.display()))?;
    let sections: ProxySections = serde_saphyr::from_str(&text).map_err(|e| {
        let line = e.location().map_or(0, |l| l.line());
        anyhow::anyhow!("{}:{line}: {e}", config_path.display())
    })?;
    let mut proxy = sections.proxy.with_context(|| {
        format!(
            "{}: no `proxy:` section; add listeners, routes and upstreams (docs/proxy.md)",
            config_path.display()
        )
    })?;
    proxy.resolve_paths(config_path.parent().unwrap_or_else(|| Path::new("")));
    proxy
        .validate()
        .map_err(|e| anyhow::anyhow!("{}: {e}", config_path.display()))?;

    let db = data_dir::db_path(db.or_else(|| config.db.clone()));
    let mut api = sections.api;
    if let Some(api) = api
        .as_mut()
        .filter(|a| a.token.is_none() && a.token_file.is_none())
    {
        // The token lives beside the database, created on first start (mode 0600).
        api.token_file = Some(db.with_file_name("api-token"));
    }
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the database folder {}", dir.display()))?;
    }
    let store = SqliteStore::open(&db)?;
    let hasher = super::analyze::hasher_for(&config, Some(&store))?;
    let (known, unreadable) = persist::from_records(store.endpoints()?);
    for u in &unreadable {
        eprintln!(
            "rampart: warning: stored endpoint {} could not be read ({}); it is left out",
            u.endpoint, u.reason
        );
    }
    let specs = super::analyze::load_specs(&config.specs)?;
    let mut engine = Engine::new(&config, &specs, known, hasher.clone());
    for warning in engine
        .load_infrastructure(&config)
        .map_err(|e| anyhow::anyhow!("detect.infrastructure: {e}"))?
    {
        eprintln!("rampart: warning: {warning}");
    }
    let mut detectors: Vec<&'static str> = rampart_defend::KNOWN_DETECTORS.to_vec();
    detectors.extend(["log4shell", "sensitive_file_probe", "path_traversal"]);
    for name in engine.detector_names() {
        if !detectors.contains(&name) {
            detectors.push(name);
        }
    }
    let policy = Arc::new(PolicyHandle::new(load_policy(&config, &detectors)?));
    let guard = Guard::new(
        engine,
        policy.clone(),
        hasher,
        Some(store),
        GuardOptions {
            access_log: config.access_log.clone(),
            replay_time,
            ..GuardOptions::default()
        },
        now(),
    )
    .context("opening the access log")?;
    Ok(Prepared {
        config,
        proxy,
        api,
        guard: Arc::new(guard),
        policy,
        detectors,
        db,
    })
}

/// Reloads the policy file into `handle`; problems leave the old policy in force.
pub(crate) fn reload_policy(
    config: &Config,
    handle: &PolicyHandle,
    detectors: &[&str],
) -> Result<String, Vec<String>> {
    match load_policy(config, detectors) {
        Ok(p) => {
            let rules = p.rules().len();
            handle.replace(p);
            Ok(format!("policy reloaded: {rules} rules"))
        }
        Err(e) => Err(e.to_string().lines().map(str::to_owned).collect()),
    }
}

/// Stops the engine at event time `end` and stores what it learned (the inventory and its last
/// alerts) in `db`, as a run read from `input`.
pub(crate) fn store_learned(
    guard: &Guard,
    db: &Path,
    end: EventTime,
    input: &str,
) -> anyhow::Result<()> {
    let Some(analysis) = guard.finish(end) else {
        return Ok(());
    };
    let mut store = SqliteStore::open(db)?;
    let run = RunRecord {
        inputs: vec![input.to_owned()],
        records: analysis.exchanges,
        bad_records: 0,
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
    Ok(())
}

/// Inspects the requests still queued for the engine when the listeners close, then waits (up
/// to three seconds) until the engine has observed, or the proxy dropped from inspection, every
/// request the proxy took.
pub(crate) async fn wait_for_engine(guard: &Guard, server: &Proxy) {
    // What is still queued is inspected here, at this thread's priority; then the records the
    // inspection thread has already taken are waited for (a little).
    let taken = server.stats().requests;
    tokio::task::block_in_place(|| server.inspect_queued());
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    while guard.stats().observed + server.stats().done_dropped < taken
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Runs the guard's slow path every 250 ms, so alerts become decisions even when no request
/// comes. A decision the policy has just made is written to the store on that tick rather
/// than at the next periodic write (every 5 s), so a crash right after loses it only within
/// that tick.
pub(crate) fn spawn_ticker(guard: Arc<Guard>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(250));
        let mut made = guard.stats().decisions_made;
        loop {
            every.tick().await;
            let g = guard.clone();
            let before = made;
            // The store may be slow: off the runtime's worker threads.
            let after = tokio::task::spawn_blocking(move || {
                g.tick(now());
                let after = g.stats().decisions_made;
                if after > before {
                    g.flush(now());
                }
                after
            })
            .await;
            made = after.unwrap_or(made);
        }
    });
}

/// Resolves when the process is asked to stop (Ctrl-C or SIGTERM).
pub(crate) async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The policy file's text, if it can be read (`None` without a policy file).
fn policy_text(config: &Config) -> Option<String> {
    config
        .policy
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok())
}

/// Reloads the policy on SIGHUP and whenever its file's text changes (checked every two
/// seconds).
///
/// The text is compared, not the modification time: a file rewritten twice within the
/// clock's granularity keeps its time. A changed text is read again a moment later and loaded
/// only when both reads agree, so a file caught half-written by an editor that truncates
/// before writing (an empty policy is valid and allows everything) is never put in force; the
/// next check picks up the finished file.
fn watch_policy(config: Config, handle: Arc<PolicyHandle>, detectors: Vec<&'static str>) {
    // Registered before anything is served: a SIGHUP from then on reloads and never kills.
    #[cfg(unix)]
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    tokio::spawn(async move {
        let mut last = policy_text(&config);
        loop {
            let by_signal;
            #[cfg(unix)]
            {
                by_signal = match hup.as_mut() {
                    Some(h) => tokio::select! {
                        _ = h.recv() => true,
                        _ = tokio::time::sleep(Duration::from_secs(2)) => false,
                    },
                    None => {
                        tokio::time::sleep(Duration::from_secs(2)).await;
                        false
                    }
                };
            }
            #[cfg(not(unix))]
            {
                tokio::time::sleep(Duration::from_secs(2)).await;
                by_signal = false;
            }
            if !by_signal {
                let now = policy_text(&config);
                if now == last {
                    continue;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
                if policy_text(&config) != now {
                    // Still being written: the next check sees the finished file.
                    continue;
                }
            }
            let c = config.clone();
            let h = handle.clone();
            let d = detectors.clone();
            // Reading and checking the policy is file work: off the runtime's worker threads.
            let done = tokio::task::spawn_blocking(move || {
                let text = policy_text(&c);
                (text, reload_policy(&c, &h, &d))
            })
            .await;
            let Ok((text, result)) = done else { continue };
            last = text;
            match result {
                Ok(msg) => eprintln!("rampart: {msg}"),
                Err(problems) => {
                    eprintln!("rampart: the policy was not reloaded (the old one stays in force):");
                    for p in problems {
                        eprintln!("  {p}");
                    }
                }
            }
        }
    });
}

pub(crate) fn run(args: ProxyArgs) -> anyhow::Result<Outcome> {
    let prepared = prepare(&args.config, args.store.db.clone(), false)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(serve(prepared))?;
    Ok(Outcome::Clean)
}

async fn serve(prepared: Prepared) -> anyhow::Result<()> {
    let Prepared {
        config,
        proxy,
        api,
        guard,
        policy,
        detectors,
        db,
    } = prepared;
    watch_policy(config.clone(), policy.clone(), detectors.clone());
    spawn_ticker(guard.clone());
    let server = Proxy::new(proxy, guard.clone()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let bound = server.bind().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    for addr in bound.local_addrs() {
        eprintln!("rampart: proxy listening on {addr}");
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    if let Some(api) = api {
        let control = Arc::new(super::control::GuardControl::new(
            guard.clone(),
            server.clone(),
            config.clone(),
            policy.clone(),
            detectors.clone(),
        ));
        let mut rx = stop_rx.clone();
        let addr = api.listen;
        match rampart_api::Server::bind(&api).await {
            Ok(api_server) => {
                eprintln!(
                    "rampart: management API listening on {}",
                    api_server.local_addr()
                );
                tokio::spawn(async move {
                    let shutdown = async move {
                        let _ = rx.wait_for(|s| *s).await;
                    };
                    if let Err(e) = api_server.run(control, shutdown).await {
                        eprintln!("rampart: management API on {addr} stopped: {e}");
                    }
                });
            }
            Err(e) => eprintln!("rampart: management API on {addr} could not start: {e}"),
        }
    }
    let drained = bound
        .serve(async move {
            stop_signal().await;
            let _ = stop_tx.send(true);
        })
        .await;
    eprintln!("rampart: proxy stopped ({drained:?}); storing what was learned");
    wait_for_engine(&guard, &server).await;
    let guard_for_store = guard.clone();
    tokio::task::spawn_blocking(move || {
        store_learned(&guard_for_store, &db, now(), "rampart proxy")
    })
    .await
    .context("storing what was learned")??;
    drop(stop_rx);
    Ok(())
}
