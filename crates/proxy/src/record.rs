//! The per-request record: filled in as the request goes through, and turned into a
//! [`Completed`] for `on_done` when the last piece of the request (handler, request body,
//! response body) lets go of it.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, TryLockError};
use std::time::{Duration, Instant};

const MIN_NAP: Duration = Duration::from_millis(1);
const MAX_NAP: Duration = Duration::from_millis(20);

use http::{HeaderMap, Method, StatusCode, Uri, Version};

use crate::body::{BodySample, Side};
use crate::clock;
use crate::listener::ConnInfo;
use crate::phases::{Completed, Outcome, Phases, RequestCtx};
use crate::stats::{self, Stats};

/// What is known so far about a request.
pub(crate) struct RecState {
    pub(crate) ctx: RequestCtx,
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    pub(crate) version: Version,
    pub(crate) request_headers: HeaderMap,
    pub(crate) status: Option<StatusCode>,
    pub(crate) response_headers: HeaderMap,
    pub(crate) request_body: Option<BodySample>,
    pub(crate) response_body: Option<BodySample>,
    pub(crate) outcome: Outcome,
    pub(crate) upstream_server: Option<http::uri::Authority>,
    started: Instant,
    /// Whether the record goes to `on_done`: decided when the request starts, from whether the
    /// queue in front of `on_done` has room (see [`DoneQueue::has_room`]).
    pub(crate) inspected: bool,
}

impl RecState {
    /// Keeps the request headers for `on_done`, unless the request-head hook already holds
    /// all of them converted in the context (the guard's head exchange), which `on_done`
    /// reads instead: copying them on the data path would be for nothing.
    pub(crate) fn keep_request_headers(&mut self, headers: &HeaderMap) {
        if self.inspected && self.ctx.needs_request_headers() {
            self.request_headers = headers.clone();
        }
    }
}

/// Shared by the handler and both body taps; `on_done` is queued when it drops.
pub(crate) struct Recording {
    state: Mutex<Option<RecState>>,
    conn: Arc<ConnInfo>,
    done: DoneQueue,
}

impl Recording {
    /// Starts the record of a request whose head was just read.
    pub(crate) fn start(
        ctx: RequestCtx,
        parts: &http::request::Parts,
        started: Instant,
        conn: Arc<ConnInfo>,
        done: DoneQueue,
    ) -> Arc<Self> {
        conn.request_started(parts.version);
        let inspected = done.has_room();
        let state = RecState {
            ctx,
            method: parts.method.clone(),
            uri: parts.uri.clone(),
            version: parts.version,
            // Filled in by the handler once the request-head hook has run, and only when the
            // hook kept no copy of its own (see `RecState::keep_request_headers`).
            request_headers: HeaderMap::new(),
            status: None,
            response_headers: HeaderMap::new(),
            request_body: None,
            response_body: None,
            outcome: Outcome::Aborted,
            upstream_server: None,
            started,
            inspected,
        };
        Arc::new(Self {
            state: Mutex::new(Some(state)),
            conn,
            done,
        })
    }

    /// Runs `f` on the state. The lock is per request and held only for `f`.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut RecState) -> R) -> Option<R> {
        let mut guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        guard.as_mut().map(f)
    }

    /// Whether the record goes to `on_done`. One that does not keeps no copy of headers or
    /// body bytes: when the queue is full, what would only be dropped at the end of the request
    /// is never copied.
    pub(crate) fn inspected(&self) -> bool {
        self.with(|st| st.inspected).unwrap_or(false)
    }

    /// A body tap reports what it saw.
    pub(crate) fn body_finished(&self, side: Side, sample: BodySample) {
        self.with(|st| match side {
            Side::Request => st.request_body = Some(sample),
            Side::Response => st.response_body = Some(sample),
        });
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        self.conn.request_finished();
        let state = self
            .state
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some(st) = state else { return };
        if !st.inspected {
            stats::inc(&self.done.stats.done_dropped);
            return;
        }
        let record = Completed {
            time: st.ctx.time,
            peer: st.ctx.peer,
            client: st.ctx.client,
            scheme: st.ctx.scheme,
            version: st.version,
            method: st.method,
            uri: st.uri,
            host: st.ctx.host.clone(),
            request_headers: st.request_headers,
            status: st.status,
            response_headers: st.response_headers,
            request_body: st.request_body.unwrap_or(BodySample {
                complete: true,
                ..BodySample::default()
            }),
            response_body: st.response_body.unwrap_or_default(),
            duration: clock::now().saturating_duration_since(st.started),
            outcome: st.outcome,
            upstream_server: st.upstream_server,
        };
        self.done.send(st.ctx, record);
    }
}

/// The bounded queue in front of the `on_done` thread.
///
/// The data path only ever *tries* to take the queue's lock: when the `on_done` thread holds
/// it (to take everything queued, a pointer swap) or the queue is full, the record is dropped
/// and counted. A lock-free ring would not do: its senders wait for a receiver that has claimed
/// a slot to finish reading it, and a receiver that runs at a low priority can be kept off the
/// CPU for a long time in between, with the data path spinning behind it.
#[derive(Clone)]
pub(crate) struct DoneQueue {
    inbox: Arc<Inbox>,
    stats: Arc<Stats>,
}

type Item = (RequestCtx, Completed);

struct Inbox {
    phases: Arc<dyn Phases>,
    queued: Mutex<Vec<Item>>,
    capacity: usize,
    /// Set by a sender that found the queue full, cleared when the `on_done` thread takes
    /// what is queued.
    full: AtomicBool,
}

impl DoneQueue {
    /// Starts the thread that calls `on_done`, one record at a time in completion order.
    ///
    /// The thread polls the queue with short naps instead of blocking on it: a blocked receiver
    /// would make every request pay a wake-up system call on the data path. The nap grows from
    /// 1 ms to 20 ms while the queue stays empty. The thread ends once every sender is gone
    /// and the queue is empty.
    ///
    /// The thread is scheduled as `priority` says (see `ProxyConfig::inspect_nice`).
    pub(crate) fn start(
        phases: Arc<dyn Phases>,
        stats: Arc<Stats>,
        capacity: usize,
        priority: crate::priority::InspectPriority,
    ) -> std::io::Result<Self> {
        let capacity = capacity.max(1);
        let inbox = Arc::new(Inbox {
            phases,
            queued: Mutex::new(Vec::with_capacity(capacity.min(4096))),
            capacity,
            full: AtomicBool::new(false),
        });
        let worker_inbox = inbox.clone();
        let worker_stats = stats.clone();
        std::thread::Builder::new()
            .name("rampart-proxy-done".into())
            .spawn(move || {
                crate::priority::lower_this_thread(priority);
                let mut nap = MIN_NAP;
                let mut batch: Vec<Item> = Vec::with_capacity(capacity.min(4096));
                loop {
                    // Read before the swap: with no sender left, nothing can be queued after
                    // it, so an empty batch then means the end.
                    let alone = Arc::strong_count(&worker_inbox) == 1;
                    {
                        let mut queued = worker_inbox
                            .queued
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner);
                        std::mem::swap(&mut *queued, &mut batch);
                        worker_inbox.full.store(false, Ordering::Relaxed);
                    }
                    if batch.is_empty() {
                        if alone {
                            break;
                        }
                        std::thread::sleep(nap);
                        nap = (nap * 2).min(MAX_NAP);
                        continue;
                    }
                    nap = MIN_NAP;
                    deliver(&*worker_inbox.phases, &worker_stats, batch.drain(..));
                }
            })?;
        Ok(Self { inbox, stats })
    }

    /// Calls `on_done` on the calling thread for every record queued, until the queue is
    /// empty; returns how many. For shutdown: the `on_done` thread runs at an idle priority
    /// and may get no CPU on a busy host, while what is queued must still be inspected before
    /// the engine's state is stored. Records the `on_done` thread has already taken it
    /// delivers itself, so the two may deliver the last records side by side.
    pub(crate) fn deliver_queued(&self) -> usize {
        let mut delivered = 0;
        loop {
            let batch = {
                let mut queued = self
                    .inbox
                    .queued
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                self.inbox.full.store(false, Ordering::Relaxed);
                std::mem::take(&mut *queued)
            };
            if batch.is_empty() {
                return delivered;
            }
            delivered += batch.len();
            deliver(&*self.inbox.phases, &self.stats, batch.into_iter());
        }
    }

    /// Whether a request starting now should be recorded for `on_done`: not while the queue
    /// is full. A saturated proxy whose `on_done` thread falls behind then spends nothing on
    /// the records it would drop.
    pub(crate) fn has_room(&self) -> bool {
        !self.inbox.full.load(Ordering::Relaxed)
    }

    /// Queues a record without ever waiting on the data path; a full or busy queue drops and
    /// counts it.
    fn send(&self, ctx: RequestCtx, record: Completed) {
        let queued = match self.inbox.queued.try_lock() {
            Ok(q) => Some(q),
            Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        };
        match queued {
            Some(mut q) if q.len() < self.inbox.capacity => q.push((ctx, record)),
            Some(q) => {
                self.inbox.full.store(true, Ordering::Relaxed);
                drop(q);
                stats::inc(&self.stats.done_dropped);
            }
            // Dropped after the lock is let go: a record's drop frees its buffers.
            None => stats::inc(&self.stats.done_dropped),
        }
    }
}

/// Calls `on_done` for each record in turn; a panic in it loses that record only.
fn deliver(phases: &dyn Phases, stats: &Stats, records: impl Iterator<Item = Item>) {
    for (ctx, record) in records {
        let result = catch_unwind(AssertUnwindSafe(|| phases.on_done(ctx, record)));
        if result.is_err() {
            stats::inc(&stats.hook_failures);
            tracing::error!(
                phase = "on_done",
                "hook panicked; the record is lost, traffic is unaffected"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;

    use rampart_core::EventTime;

    use super::*;
    use crate::phases::Scheme;

    /// Holds every `on_done` until told to go on, counting the records it saw.
    struct Held {
        go: Mutex<mpsc::Receiver<()>>,
        seen: AtomicUsize,
    }

    impl Phases for Held {
        fn on_done(&self, _ctx: RequestCtx, _record: Completed) {
            let _ = self.go.lock().unwrap().recv();
            self.seen.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn record() -> (RequestCtx, Completed) {
        let ctx = RequestCtx {
            id: 1,
            time: EventTime::from_unix_millis(1_700_000_000_000),
            peer: "10.0.0.1:5000".parse().unwrap(),
            client: "10.0.0.1".parse().unwrap(),
            local: "127.0.0.1:8080".parse().unwrap(),
            scheme: Scheme::Http,
            version: Version::HTTP_11,
            host: None,
            route: None,
            extensions: http::Extensions::new(),
            delay_guard: None,
            head: None,
        };
        let done = Completed {
            time: ctx.time,
            peer: ctx.peer,
            client: ctx.client,
            scheme: ctx.scheme,
            version: Version::HTTP_11,
            method: Method::GET,
            uri: Uri::from_static("/"),
            host: None,
            request_headers: HeaderMap::new(),
            status: Some(StatusCode::OK),
            response_headers: HeaderMap::new(),
            request_body: BodySample::default(),
            response_body: BodySample::default(),
            duration: Duration::ZERO,
            outcome: Outcome::Proxied,
            upstream_server: None,
        };
        (ctx, done)
    }

    /// A queue of `capacity` in front of `phases`, with its counters.
    fn queue_for(phases: Arc<dyn Phases>, capacity: usize) -> (Arc<Stats>, DoneQueue) {
        let stats = Arc::new(Stats::default());
        let queue = DoneQueue::start(
            phases,
            stats.clone(),
            capacity,
            crate::priority::InspectPriority::Nice(0),
        )
        .unwrap();
        (stats, queue)
    }

    /// A queue of `capacity` in front of a [`Held`] consumer, with the sender that lets it go on.
    fn held_queue(capacity: usize) -> (mpsc::Sender<()>, Arc<Held>, Arc<Stats>, DoneQueue) {
        let (go, wait) = mpsc::channel();
        let phases = Arc::new(Held {
            go: Mutex::new(wait),
            seen: AtomicUsize::new(0),
        });
        let (stats, queue) = queue_for(phases.clone(), capacity);
        (go, phases, stats, queue)
    }

    fn wait_for(what: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !what() {
            assert!(Instant::now() < deadline, "timed out");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn a_full_queue_drops_and_counts_and_the_queued_records_still_arrive() {
        let (go, phases, stats, queue) = held_queue(3);
        // The first record is taken and held in `on_done`; three more fill the queue.
        let (ctx, done) = record();
        queue.send(ctx, done);
        wait_for(|| queue.inbox.queued.lock().unwrap().is_empty());
        for _ in 0..5 {
            let (ctx, done) = record();
            queue.send(ctx, done);
        }
        assert_eq!(stats.done_dropped.load(Ordering::SeqCst), 2);
        for _ in 0..4 {
            go.send(()).unwrap();
        }
        wait_for(|| phases.seen.load(Ordering::SeqCst) == 4);
        assert_eq!(stats.done_dropped.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn requests_are_not_recorded_while_the_queue_is_full_and_are_again_once_it_is_taken() {
        let (go, phases, stats, queue) = held_queue(1);
        let (ctx, done) = record();
        queue.send(ctx, done);
        wait_for(|| queue.inbox.queued.lock().unwrap().is_empty());
        let (ctx, done) = record();
        queue.send(ctx, done);
        assert!(queue.has_room(), "full, but no sender has met it full yet");
        let (ctx, done) = record();
        queue.send(ctx, done);
        assert!(!queue.has_room());
        assert_eq!(stats.done_dropped.load(Ordering::SeqCst), 1);
        // The consumer takes the queued record: there is room again.
        go.send(()).unwrap();
        wait_for(|| queue.has_room());
        go.send(()).unwrap();
        wait_for(|| phases.seen.load(Ordering::SeqCst) == 2);
    }

    /// Holds `on_done` on the inspection thread until told to go on; counts the records
    /// delivered on any other thread.
    struct Gate {
        go: Mutex<mpsc::Receiver<()>>,
        elsewhere: AtomicUsize,
    }

    impl Phases for Gate {
        fn on_done(&self, _ctx: RequestCtx, _record: Completed) {
            if std::thread::current().name() == Some("rampart-proxy-done") {
                let _ = self.go.lock().unwrap().recv();
            } else {
                self.elsewhere.fetch_add(1, Ordering::SeqCst);
            }
        }
    }

    #[test]
    fn what_is_queued_is_delivered_on_the_calling_thread_when_the_inspection_thread_is_stuck() {
        let (go, wait) = mpsc::channel();
        let gate = Arc::new(Gate {
            go: Mutex::new(wait),
            elsewhere: AtomicUsize::new(0),
        });
        let (_stats, queue) = queue_for(gate.clone(), 16);
        let (ctx, done) = record();
        queue.send(ctx, done);
        wait_for(|| queue.inbox.queued.lock().unwrap().is_empty());
        for _ in 0..3 {
            let (ctx, done) = record();
            queue.send(ctx, done);
        }
        assert_eq!(queue.deliver_queued(), 3);
        assert_eq!(gate.elsewhere.load(Ordering::SeqCst), 3);
        assert_eq!(queue.deliver_queued(), 0, "nothing left");
        go.send(()).unwrap();
    }

    #[test]
    fn a_busy_queue_drops_instead_of_waiting() {
        let (_go, _phases, stats, queue) = held_queue(8);
        // Whoever holds the queue's lock (the consumer, mid-swap), a sender does not wait.
        let held = queue.inbox.queued.lock().unwrap();
        let started = Instant::now();
        let (ctx, done) = record();
        queue.send(ctx, done);
        assert!(started.elapsed() < Duration::from_secs(1));
        drop(held);
        assert_eq!(stats.done_dropped.load(Ordering::SeqCst), 1);
    }
}
