//! An actor's recorder: sends its requests to the sample API, turns each into an [`Exchange`]
//! and keeps the truth about it (addresses, sessions, first and last request).

use std::cell::Cell;
use std::collections::BTreeSet;
use std::net::IpAddr;

use rampart_core::{Body, EventTime, Exchange, Headers};
use rand::rngs::SmallRng;
use rand::SeedableRng;

use super::acme::{serve, Req, Resp};
use super::cookies::SESSION_COOKIE;
use super::truth::{ActorTruth, Label};

/// What every actor shares: the span and the budget of exchanges left.
#[derive(Debug)]
pub(crate) struct World {
    pub(crate) seed: u64,
    pub(crate) start_ms: i64,
    pub(crate) end_ms: i64,
    budget: Cell<usize>,
    dropped: Cell<u64>,
}

impl World {
    pub(crate) fn new(seed: u64, start_ms: i64, end_ms: i64, budget: usize) -> Self {
        Self {
            seed,
            start_ms,
            end_ms,
            budget: Cell::new(budget),
            dropped: Cell::new(0),
        }
    }

    /// A random stream of its own for the actor named `id`, so that adding one actor never
    /// changes another's traffic.
    pub(crate) fn rng(&self, id: &str) -> SmallRng {
        SmallRng::seed_from_u64(self.seed ^ rampart_core::fast_hash(id.as_bytes()))
    }

    /// Exchanges not generated for lack of budget.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.get()
    }
}

/// One actor being generated.
pub(crate) struct Recorder<'w> {
    world: &'w World,
    id: String,
    label: Label,
    ips: BTreeSet<IpAddr>,
    sessions: BTreeSet<String>,
    first: Option<i64>,
    last: i64,
    out: Vec<Exchange>,
    /// The server's own randomness (latencies, tokens), apart from the actor's choices.
    server: SmallRng,
}

/// An actor's finished output.
pub(crate) struct Recorded {
    pub(crate) truth: ActorTruth,
    pub(crate) exchanges: Vec<Exchange>,
}

impl<'w> Recorder<'w> {
    pub(crate) fn new(world: &'w World, id: impl Into<String>, label: Label) -> Self {
        let id = id.into();
        let server = world.rng(&format!("server/{id}"));
        Self {
            world,
            id,
            label,
            ips: BTreeSet::new(),
            sessions: BTreeSet::new(),
            first: None,
            last: 0,
            out: Vec::new(),
            server,
        }
    }

    /// The span's end.
    pub(crate) fn end_ms(&self) -> i64 {
        self.world.end_ms
    }

    /// Sends `req` and records the exchange. `None` when the request falls outside the span or
    /// the run's budget is spent (nothing is recorded then).
    pub(crate) fn send(&mut self, req: Req) -> Option<Resp> {
        if req.time < self.world.start_ms || req.time >= self.world.end_ms {
            return None;
        }
        let left = self.world.budget.get();
        if left == 0 {
            self.world.dropped.set(self.world.dropped.get() + 1);
            return None;
        }
        self.world.budget.set(left - 1);
        let resp = serve(&req, &mut self.server);
        self.note(&req);
        self.out.push(exchange(req, &resp));
        Some(resp)
    }

    fn note(&mut self, req: &Req) {
        self.ips.insert(req.ip);
        self.first = Some(self.first.map_or(req.time, |f| f.min(req.time)));
        self.last = self.last.max(req.time);
        for (name, value) in req.headers.iter() {
            match name {
                "cookie" => {
                    for pair in value.split(';') {
                        if let Some((n, v)) = pair.split_once('=') {
                            if n.trim() == SESSION_COOKIE && !v.trim().is_empty() {
                                self.sessions.insert(v.trim().to_owned());
                            }
                        }
                    }
                }
                "authorization" => {
                    if let Some(t) = value.strip_prefix("Bearer ") {
                        self.sessions.insert(t.trim().to_owned());
                    }
                }
                "x-api-key" => {
                    self.sessions.insert(value.trim().to_owned());
                }
                _ => {}
            }
        }
    }

    /// The exchanges (sorted by time) and the truth.
    pub(crate) fn finish(mut self) -> Recorded {
        self.out.sort_by_key(|e| e.time);
        let truth = ActorTruth {
            id: self.id,
            label: self.label,
            ips: self.ips.into_iter().collect(),
            sessions: self.sessions.into_iter().collect(),
            start: EventTime::from_unix_millis(self.first.unwrap_or(self.world.start_ms)),
            end: EventTime::from_unix_millis(self.last.max(self.first.unwrap_or(0))),
            requests: self.out.len() as u64,
        };
        Recorded {
            truth,
            exchanges: self.out,
        }
    }
}

fn exchange(req: Req, resp: &Resp) -> Exchange {
    let Req {
        time,
        ip,
        country,
        method,
        host,
        path,
        query,
        mut headers,
        body,
        ..
    } = req;
    // The CDN in front of Acme adds the visitor's country.
    headers.push("cf-ipcountry", country);
    let request_size = body.as_ref().map_or(0, |b| b.len() as u64);
    let request_body = body.map(|b| Body::sample(Some("application/json".into()), &b));
    let content_type = resp.headers.get("content-type").map(str::to_owned);
    let response_body = resp
        .body
        .as_ref()
        .map(|b| Body::sample(content_type.clone(), b));
    let mut response_headers = Headers::new();
    for (n, v) in resp.headers.iter() {
        response_headers.push(n, v);
    }
    Exchange {
        time: EventTime::from_unix_millis(time),
        client: Some(ip),
        method: method.to_owned(),
        scheme: Some("https".into()),
        host: Some(host.to_owned()),
        path,
        query,
        status: Some(resp.status),
        request_headers: headers,
        response_headers,
        request_body,
        response_body,
        request_size: Some(request_size),
        response_size: Some(resp.size),
        duration_ms: Some(resp.duration_ms),
        extra: Vec::new(),
    }
}
