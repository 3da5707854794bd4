//! `rampart demo`: the sample API from the simulator behind the real proxy, benign users and
//! the seeds' attacks replayed through it, and what was discovered, detected and stopped.

mod clock;
mod replay;
mod report;
mod upstream;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use rampart_proxy::Proxy;
use rampart_sim::scenario::{simulate, ScenarioConfig};

use super::proxy::prepare;
use crate::args::DemoArgs;
use crate::{data_dir, Outcome};

/// The policy the demo enforces: what a security engineer would switch on first.
const DEMO_POLICY: &str = include_str!("demo-policy.yaml");

fn write_config(dir: &Path, upstream: std::net::SocketAddr, db: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(dir.join("policy.yaml"), DEMO_POLICY)?;
    let config = format!(
        "# Written by `rampart demo`: the proxy in front of the simulated sample API.\n\
         policy: policy.yaml\n\
         access_log: access.jsonl\n\
         db: {db}\n\
         proxy:\n\
         \x20 listen:\n\
         \x20   - addr: 127.0.0.1:0\n\
         \x20 trusted_proxies: [127.0.0.1/32]\n\
         \x20 # The replay waits for the engine: inspection need not yield the CPU to requests.\n\
         \x20 inspect_nice: 0\n\
         \x20 routes:\n\
         \x20   - path_prefix: /\n\
         \x20     upstream: acme\n\
         \x20 upstreams:\n\
         \x20   acme:\n\
         \x20     servers: [\"{upstream}\"]\n",
        db = db.display()
    );
    let path = dir.join("rampart.yaml");
    std::fs::write(&path, config)?;
    Ok(path)
}

/// Follows how far the engine is behind the proxy (requests taken, not yet observed nor
/// dropped), for the replay to pace itself; until the returned flag is cleared. Requests that
/// will never be observed (a record lost to a failing hook) are written off once the engine
/// has observed nothing new for a second.
fn watch_backlog(
    guard: Arc<rampart_proxy::Guard>,
    server: Arc<Proxy>,
    backlog: Arc<AtomicU64>,
) -> Arc<AtomicBool> {
    let running = Arc::new(AtomicBool::new(true));
    let (b, r) = (backlog, running.clone());
    std::thread::spawn(move || {
        let (mut last_seen, mut since, mut written_off) = (0u64, Instant::now(), 0u64);
        while r.load(Ordering::Relaxed) {
            let proxy = server.stats();
            let seen = guard.stats().observed + proxy.done_dropped;
            let mut behind = proxy.requests.saturating_sub(seen + written_off);
            if seen != last_seen || behind == 0 {
                (last_seen, since) = (seen, Instant::now());
            } else if since.elapsed() > Duration::from_secs(1) {
                written_off += behind;
                behind = 0;
            }
            b.store(behind, Ordering::Relaxed);
            std::thread::sleep(Duration::from_micros(250));
        }
    });
    running
}

pub(crate) fn run(args: DemoArgs) -> anyhow::Result<Outcome> {
    let db = data_dir::db_path(args.store.db.clone());
    let dir = db
        .parent()
        .map_or_else(|| PathBuf::from("rampart-demo"), |p| p.join("demo"));
    let config = ScenarioConfig {
        seed: args.seed,
        benign_users: args.benign_users,
        duration: Duration::from_secs(args.minutes * 60),
        scale: args.scale,
        ..ScenarioConfig::default()
    };
    eprintln!(
        "rampart demo: simulating {} benign users and the seeds' attacks over {} minutes of traffic...",
        config.benign_users, args.minutes
    );
    let (exchanges, truth) = simulate(&config);
    let exchanges = Arc::new(exchanges);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let report = runtime.block_on(async {
        let upstream = upstream::start(exchanges.clone())
            .await
            .context("starting the sample API")?;
        let config_path = write_config(&dir, upstream, &db)?;
        let prepared = prepare(&config_path, Some(db.clone()), true)?;
        let guard = prepared.guard.clone();
        let event_clock = Arc::new(AtomicI64::new(0));
        let pace = replay::Pace::default();
        let ticker =
            clock::spawn_event_ticker(guard.clone(), event_clock.clone(), pace.synced.clone());
        let server = Arc::new(
            Proxy::new(prepared.proxy, guard.clone()).map_err(|e| anyhow::anyhow!("{e}"))?,
        );
        let bound = server.bind().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let addr = *bound
            .local_addrs()
            .first()
            .context("the proxy has no listener")?;
        eprintln!(
            "rampart demo: sample API on {upstream}, proxy on {addr}; replaying {} requests through it...",
            exchanges.len()
        );
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(bound.serve(async move {
            let _ = stop_rx.await;
        }));
        let started = Instant::now();
        let watching = watch_backlog(guard.clone(), server.clone(), pace.backlog.clone());
        let fates = replay::replay(exchanges.clone(), addr, event_clock.clone(), pace).await;
        let took = started.elapsed();
        watching.store(false, Ordering::Relaxed);
        // Let the last exchanges reach the engine and their alerts become decisions.
        tokio::time::sleep(Duration::from_millis(600)).await;
        ticker.abort();
        let end = clock::event_time(&event_clock).max(truth.end);
        let g = guard.clone();
        tokio::task::spawn_blocking(move || g.flush(end)).await?;
        let alerts = guard.alerts();
        let decisions = guard.decisions(truth.end);
        let stats = guard.stats();
        let _ = stop_tx.send(());
        let _ = serving.await;
        super::proxy::wait_for_engine(&guard, &server).await;
        let g = guard.clone();
        let db2 = db.clone();
        let inventory = g.inventory_json();
        tokio::task::spawn_blocking(move || super::proxy::store_learned(&g, &db2, end, "rampart demo")).await??;
        anyhow::Ok(report::Report {
            exchanges: &exchanges,
            truth: &truth,
            fates,
            took,
            alerts,
            decisions,
            stats,
            inventory,
            db: db.clone(),
            dir: dir.clone(),
        }
        .render())
    })?;
    print!("{report}");
    Ok(Outcome::Clean)
}
