//! The guard: Rampart's engine and policy behind the proxy's phases.
//!
//! - `on_request_head` judges the request before it goes upstream: the inventory says what the
//!   endpoint is (template, shadow, sensitive, unauthenticated), the actors index what the
//!   detectors think of the client, and the policy with its decisions and rate limits gives
//!   the verdict, which the proxy carries out (block, 429, tarpit, decoy, 401).
//! - `on_done`, off the latency path, feeds the finished exchange to the same engine as
//!   `rampart analyze`, writes the access log, and now and then turns new alerts into
//!   decisions, persists them and picks up decisions made by hand.
//!
//! Engine or store trouble never stops a request: locks poisoned by a panic are taken over,
//! errors are counted and logged, and the request goes on (fail open).

mod access_log;
mod actors;
mod applied;
mod head;
mod stats;
mod sync;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use http::{HeaderValue, StatusCode};
use rampart_core::{fast_hash, Alert, EventTime, KeyedHasher, Severity};
use rampart_defend::{
    verdict, ActiveAlert, Decision, DecisionBook, InventoryFacts, Outcome, PolicyHandle,
    RateLimiter, TarpitGate,
};
use rampart_engine::{Analysis, Engine};
use rampart_store::SqliteStore;

use crate::deceive::decoy;
use crate::exchange::finish_exchange;
use crate::phases::{Completed, DelayGuard, HookError, LocalResponse, Phases, RequestCtx, Verdict};

pub use stats::GuardStats;

use access_log::AccessLog;
use actors::ActorIndex;
use applied::{with_members_from, Applied, Delta};
pub(crate) use head::Head;
use head::{head_exchange, request_facts, EndpointFacts};
use stats::Counters;
use sync::SyncState;

/// How the guard runs beside the engine and the policy.
#[derive(Debug, Clone)]
pub struct GuardOptions {
    /// Where to append the access log (OpenTelemetry JSON lines, secrets replaced by keyed
    /// hashes), which `rampart analyze` replays.
    pub access_log: Option<PathBuf>,
    /// How often new alerts become decisions (wall clock).
    pub sync_every: Duration,
    /// How often alerts and decisions are written to the store, and manual decisions read.
    pub persist_every: Duration,
    /// Client addresses the actors index keeps.
    pub max_actors: usize,
    /// Take each request's event time from the `x-rampart-event-time` header (RFC 3339) when
    /// it comes from a loopback peer: for replaying recorded traffic at its own pace
    /// (`rampart demo`). Off by default: live traffic runs on the wall clock.
    pub replay_time: bool,
}

/// The header a replay sets to give a request its recorded event time.
pub const EVENT_TIME_HEADER: &str = "x-rampart-event-time";

impl Default for GuardOptions {
    fn default() -> Self {
        Self {
            access_log: None,
            sync_every: Duration::from_millis(500),
            persist_every: Duration::from_secs(5),
            max_actors: 100_000,
            replay_time: false,
        }
    }
}

/// What the guard did to a request, kept in the request's context for `on_done`.
#[derive(Debug, Clone)]
struct Acted {
    kind: &'static str,
    rule: Option<String>,
}

/// Decisions and rate limits: what the verdict reads and updates.
#[derive(Debug)]
struct Defend {
    book: DecisionBook,
    limiter: RateLimiter,
    applied: Applied,
}

/// Alerts whose application the slow path remembers (see `applied`).
const APPLIED_ALERTS: usize = 65_536;

/// The engine and the policy behind the proxy (see the module documentation).
pub struct Guard {
    hasher: KeyedHasher,
    policy: Arc<PolicyHandle>,
    defend: Mutex<Defend>,
    tarpit: TarpitGate,
    engine: Mutex<Option<Engine>>,
    actors: RwLock<ActorIndex>,
    sync: Mutex<SyncState>,
    counters: Counters,
    started: Instant,
    replay_time: bool,
    probes: rampart_engine::ProbeInspector,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard").finish_non_exhaustive()
    }
}

/// Takes a lock even when a panic poisoned it: the guard fails open, it does not stop.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Guard {
    /// A guard over `engine` judging by `policy`; decisions stored earlier (and still active
    /// at `now`) are loaded from `store`, which also receives alerts and decisions as they
    /// come.
    pub fn new(
        engine: Engine,
        policy: Arc<PolicyHandle>,
        hasher: KeyedHasher,
        store: Option<SqliteStore>,
        options: GuardOptions,
        now: EventTime,
    ) -> std::io::Result<Self> {
        let current = policy.current();
        let limits = current.limits();
        let stored = match &store {
            Some(s) => match rampart_store::Store::decisions(s, Some(now)) {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!("stored decisions could not be read: {e}");
                    Vec::new()
                }
            },
            None => Vec::new(),
        };
        let log = match &options.access_log {
            Some(path) => Some(AccessLog::open(path)?),
            None => None,
        };
        let mut sync = SyncState::new(store, log, &options);
        sync.note_stored_manual(&stored);
        let book = DecisionBook::from_records(stored, limits.max_decisions, now);
        Ok(Self {
            defend: Mutex::new(Defend {
                book,
                limiter: RateLimiter::new(limits.max_rate_limit_keys),
                applied: Applied::new(APPLIED_ALERTS),
            }),
            tarpit: TarpitGate::from_limits(limits),
            engine: Mutex::new(Some(engine)),
            actors: RwLock::new(ActorIndex::new(options.max_actors)),
            sync: Mutex::new(sync),
            hasher,
            policy,
            counters: Counters::default(),
            started: Instant::now(),
            replay_time: options.replay_time,
            probes: rampart_engine::ProbeInspector::new(),
        })
    }

    /// The policy in force (swap it with [`PolicyHandle::reload`] to hot-reload).
    pub fn policy(&self) -> &Arc<PolicyHandle> {
        &self.policy
    }

    /// Counters and gauges for metrics.
    pub fn stats(&self) -> GuardStats {
        // One lock at a time: `on_done` takes them in another order.
        let (book, limiter) = {
            let defend = lock(&self.defend);
            (defend.book.stats(), defend.limiter.stats())
        };
        let observed = lock(&self.engine).as_ref().map_or(0, Engine::exchanges);
        let alerts = lock(&self.sync).alerts_known();
        let (actors, actors_evicted) = {
            let a = self
                .actors
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            (a.len(), a.evicted)
        };
        self.counters.snapshot(
            actors,
            actors_evicted,
            book,
            limiter,
            self.tarpit.stats(),
            observed,
            alerts,
            self.started.elapsed(),
        )
    }

    /// Active decisions at `now`.
    pub fn decisions(&self, now: EventTime) -> Vec<Decision> {
        lock(&self.defend)
            .book
            .iter()
            .filter(|d| d.is_active(now))
            .cloned()
            .collect()
    }

    /// Adds a decision (made by hand) and stores it.
    pub fn add_decision(&self, decision: Decision, now: EventTime) -> Decision {
        lock(&self.defend).book.insert(decision.clone(), now);
        lock(&self.sync).remember_decisions(std::slice::from_ref(&decision));
        decision
    }

    /// Removes a decision by id (from the store too); whether there was one.
    pub fn remove_decision(&self, id: &str) -> bool {
        let removed = lock(&self.defend).book.remove(id).is_some();
        let stored = lock(&self.sync).forget_decision(id);
        removed || stored
    }

    /// The detectors' alerts so far, newest raised first.
    pub fn alerts(&self) -> Vec<Alert> {
        let mut alerts = lock(&self.engine)
            .as_ref()
            .map(Engine::alerts)
            .unwrap_or_default();
        alerts.sort_by_key(|a| std::cmp::Reverse(a.raised));
        alerts
    }

    /// The inventory as the engine knows it now, as JSON (template, method, hits).
    pub fn inventory_json(&self) -> serde_json::Value {
        lock(&self.engine)
            .as_ref()
            .map(Engine::inventory_json)
            .unwrap_or(serde_json::Value::Array(Vec::new()))
    }

    /// The slow path's clock when no request comes: turns new alerts into decisions and
    /// persists what is due. Call it every few hundred milliseconds.
    pub fn tick(&self, now: EventTime) {
        let due = lock(&self.sync).due(Instant::now());
        if due.sync {
            self.sync_alerts(now);
        }
        if due.persist {
            self.persist(now);
        }
    }

    /// Turns alerts that are new or grew since the last pass into decisions and expires
    /// decisions, at `now`: the part of the slow path that decides, without touching the store.
    pub fn sync(&self, now: EventTime) {
        self.sync_alerts(now);
    }

    /// [`Guard::sync`], then writes what is pending to the access log and the store, removes
    /// expired decisions from the store and takes up decisions made there by hand.
    pub fn flush(&self, now: EventTime) {
        self.sync_alerts(now);
        self.persist(now);
    }

    /// Stops the engine and returns what it learned, for the caller to store; later exchanges
    /// are still proxied but no longer observed.
    pub fn finish(&self, now: EventTime) -> Option<Analysis> {
        self.flush(now);
        lock(&self.sync).finished = true;
        lock(&self.engine).take().map(Engine::finish)
    }

    /// The policy's verdict on a request (its head as an exchange), at the exchange's time.
    fn decide(&self, ex: &rampart_core::Exchange) -> rampart_defend::Verdict {
        let host = ex.host.as_deref().unwrap_or("");
        let endpoint = self.endpoint(host, &ex.method, &ex.path);
        let policy = self.policy.current();
        let mut facts = request_facts(ex, &self.hasher, endpoint, policy.reads_headers());
        if let Some(ip) = ex.client {
            facts.alerts = self
                .actors
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .alerts_of(ip);
        }
        // An exploit probe is known by its signature before it is answered: the request
        // itself counts as flagged, so a rule on `exploit_probes` stops the first one too.
        for m in self.probes.inspect(ex) {
            let (name, severity) = match m.kind {
                rampart_engine::ProbeKind::Log4Shell => ("log4shell", Severity::High),
                rampart_engine::ProbeKind::SensitiveFile => {
                    ("sensitive_file_probe", Severity::Medium)
                }
                rampart_engine::ProbeKind::PathTraversal => ("path_traversal", Severity::Medium),
            };
            for detector in [name, "exploit_probes"] {
                if !facts.alerts.iter().any(|a| &*a.detector == detector) {
                    facts.alerts.push(ActiveAlert {
                        detector: detector.into(),
                        severity,
                    });
                }
            }
        }
        let mut defend = lock(&self.defend);
        let Defend { book, limiter, .. } = &mut *defend;
        verdict(&policy, &facts, book, limiter, ex.time)
    }

    /// Replays one recorded exchange as if it had come through the proxy (a dry run of the
    /// policy): the verdict it would have had, then the engine observes it, and on event time
    /// alerts become decisions every `sync_every`. Nothing is answered or stored.
    pub fn replay(&self, ex: &rampart_core::Exchange) -> rampart_defend::Verdict {
        let v = self.decide(ex);
        self.counters.verdict(v.outcome.kind(), v.would_have.len());
        if let Some(engine) = lock(&self.engine).as_mut() {
            engine.observe(ex);
        }
        let due = lock(&self.sync).due_at(ex.time);
        if due {
            self.sync_alerts(ex.time);
        }
        v
    }

    fn endpoint(&self, host: &str, method: &str, path: &str) -> EndpointFacts {
        let engine = lock(&self.engine);
        let Some(view) = engine.as_ref().and_then(|e| e.lookup(host, method, path)) else {
            return EndpointFacts::default();
        };
        EndpointFacts {
            template: Some(view.template),
            inventory: InventoryFacts {
                shadow: view.documented == Some(false),
                unauthenticated: view.unauthenticated_success > 0,
                sensitive: view.serves_sensitive_data,
            },
        }
    }

    fn decoy_response(&self, host: &str, method: &str, path: &str, client: IpAddr) -> Verdict {
        let schema = lock(&self.engine)
            .as_ref()
            .and_then(|e| e.response_schema(host, method, path));
        let seed = fast_hash(path.as_bytes()) ^ fast_hash(client.to_string().as_bytes());
        let d = decoy(schema.as_ref(), seed);
        let mut local = LocalResponse::text(StatusCode::OK, d.body);
        if let Ok(ct) = HeaderValue::from_str(d.content_type) {
            local.headers.insert(http::header::CONTENT_TYPE, ct);
        }
        Verdict::Respond(local)
    }

    /// Writes to the store, then takes up the decisions made there by hand. The store is
    /// written without the decision book's lock, which requests take to be decided.
    fn persist(&self, now: EventTime) {
        let manual = lock(&self.sync).persist(now, &self.counters);
        if let Some(manual) = manual {
            manual.take_up(&mut lock(&self.defend).book, now);
        }
    }

    /// Turns alerts that are new or grew since the last pass into decisions, and keeps the
    /// actors index up to date.
    fn sync_alerts(&self, now: EventTime) {
        let after = lock(&self.sync).cursor();
        let (touched, cursor, held) = match lock(&self.engine).as_ref() {
            Some(e) => {
                let (touched, cursor) = e.alerts_touched_after(after);
                (touched, cursor, e.alert_count())
            }
            None => return,
        };
        let policy = self.policy.current();
        let changed = lock(&self.sync).changed(touched, cursor, held);
        if changed.is_empty() {
            lock(&self.defend).book.expire(now);
            return;
        }
        let mut made = Vec::new();
        // What of each alert is new since it was last applied: its new members to note and to
        // decide on (within the per-alert cap), or all of it.
        let mut noted: Vec<std::borrow::Cow<'_, Alert>> = Vec::with_capacity(changed.len());
        {
            let mut defend = lock(&self.defend);
            let defend = &mut *defend;
            for alert in &changed {
                let decide = match defend.applied.delta(&policy, alert, now) {
                    Delta::Nothing => continue,
                    Delta::Whole => {
                        noted.push(std::borrow::Cow::Borrowed(alert));
                        Some(std::borrow::Cow::Borrowed(alert))
                    }
                    Delta::NewMembers { from, room } => {
                        let fresh = with_members_from(alert, from, usize::MAX);
                        let decide = match room {
                            0 => None,
                            r if r >= fresh.members.len() => {
                                Some(std::borrow::Cow::Owned(fresh.clone()))
                            }
                            r => Some(std::borrow::Cow::Owned(with_members_from(alert, from, r))),
                        };
                        noted.push(std::borrow::Cow::Owned(fresh));
                        decide
                    }
                };
                let Some(alert) = decide else { continue };
                made.extend(defend.book.apply_alert(&policy, &alert, now));
                if actors::PROBE_KINDS.contains(&alert.detector.as_str()) {
                    // `detector: exploit_probes` in a policy covers every probe kind.
                    let mut family = alert.into_owned();
                    family.detector = "exploit_probes".into();
                    made.extend(defend.book.apply_alert(&policy, &family, now));
                }
            }
            defend.book.expire(now);
        }
        {
            let mut actors = self
                .actors
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for alert in &noted {
                actors.note(alert);
            }
        }
        drop(noted);
        self.counters.decisions_made(made.len());
        let mut sync = lock(&self.sync);
        sync.remember_alerts(changed);
        sync.remember_decisions(&made);
    }
}

impl Phases for Guard {
    fn on_request_head(
        &self,
        ctx: &mut RequestCtx,
        req: &http::request::Parts,
    ) -> Result<Verdict, HookError> {
        if self.replay_time && ctx.peer.ip().is_loopback() {
            let recorded = req
                .headers
                .get(EVENT_TIME_HEADER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| EventTime::parse_rfc3339(v).ok());
            if let Some(t) = recorded {
                ctx.time = t;
            }
        }
        let head = head_exchange(ctx, req);
        let ex = &head.ex;
        let (v, permit) = self.tarpit.admit(self.decide(ex));
        self.counters.verdict(v.outcome.kind(), v.would_have.len());
        if !v.outcome.is_allow() {
            ctx.extensions.insert(Acted {
                kind: v.outcome.kind(),
                rule: v.outcome.rule().map(str::to_owned),
            });
        }
        let verdict = match v.outcome {
            Outcome::Allow { .. } => Verdict::Continue,
            Outcome::Block { status, body, .. } => Verdict::respond(
                StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN),
                body.to_string(),
            ),
            Outcome::RateLimited { retry_after, .. } => Verdict::rate_limited(retry_after),
            Outcome::Tarpit { delay, .. } => {
                ctx.delay_guard = permit.map(DelayGuard::new);
                Verdict::Delay(delay)
            }
            Outcome::Deceive { .. } => {
                let host = ex.host.as_deref().unwrap_or_default();
                self.decoy_response(host, &ex.method, &ex.path, ctx.client)
            }
            Outcome::RequireAuth { .. } => {
                let mut local = LocalResponse::text(
                    StatusCode::UNAUTHORIZED,
                    "401 Unauthorized: this endpoint needs credentials\n",
                );
                local.headers.insert(
                    http::header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer"),
                );
                Verdict::Respond(local)
            }
        };
        ctx.head = Some(Box::new(head));
        Ok(verdict)
    }

    fn on_done(&self, mut ctx: RequestCtx, record: Completed) {
        let mut ex = match ctx.head.take() {
            Some(head) if head.every_header => finish_exchange(&record, head.ex),
            _ => record.to_exchange(),
        };
        if let Some(acted) = ctx.extensions.get::<Acted>() {
            ex.extra
                .push(("rampart.action".into(), acted.kind.to_owned()));
            if let Some(rule) = &acted.rule {
                ex.extra.push(("rampart.rule".into(), rule.clone()));
            }
        }
        if let Some(engine) = lock(&self.engine).as_mut() {
            engine.observe(&ex);
        }
        let now = ex.time;
        let due = {
            let mut sync = lock(&self.sync);
            sync.log(&ex, &self.hasher, &self.counters);
            sync.due(Instant::now())
        };
        if due.sync {
            self.sync_alerts(now);
        }
        if due.persist {
            self.persist(now);
        }
    }
}
